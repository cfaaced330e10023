"""The incident catalogue every view reads: the store's current records, as rows and layers.

One place for "which incidents are there": the map, the timeline and its
filters, the incident table, the origin analysis, the brief, the search box and
the CLI all read the incidents through these functions.  They come from the
incident store (:func:`dashboard.store.incidents.open_incident_store`: the
shipped catalogue merged with the versions users stored, retired ones left
out), so an incident added in one app process appears in every view of every
process sharing the store.  Results are cached per store token; the token itself
is asked of the store at most once per :data:`TOKEN_TTL_S`.

Positions are WGS84 (lon, lat) degrees.  Point incidents form
:func:`incident_layer`; tracks (airspace violations with a route) form
:func:`track_layer`; incidents without a position appear only in
:func:`incident_rows`, with ``lon``/``lat`` None.

>>> layer = incident_layer()
>>> row = layer[layer["id"] == "2022-11-15-przewodow"].iloc[0]
>>> row["country"], round(row.geometry.x, 5), round(row.geometry.y, 5)
('PL', 23.93432, 50.47099)
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any

import geopandas as gpd

from dashboard.data.incidents.record import FIELDS, Incident
from dashboard.data.incidents.version import IncidentVersion
from dashboard.geo.cache import memoize
from dashboard.geo.errors import InputError
from dashboard.store.gpkg_store import default_store_path
from dashboard.store.incidents import IncidentStore, open_incident_store, shipped_versions

__all__ = ["TOKEN_TTL_S", "LAYER_COLUMNS", "SHIPPED_ONLY", "incident_store", "catalogue_token",
           "catalogue_problem", "forget_token",
           "current_versions", "current_incidents", "incident_rows", "incident_layer",
           "track_layer", "incident_by_id"]

#: How long one store token is trusted before the store is asked again (s): a rerun
#: reads the catalogue many times, a write in this process resets it at once.
TOKEN_TTL_S: float = 1.0
#: Columns of :func:`incident_layer` and :func:`track_layer` besides ``geometry``.
LAYER_COLUMNS: tuple[str, ...] = tuple(f for f in FIELDS if f != "geometry") + ("version",)

#: Token prefix when the store cannot be used and the shipped catalogue is shown.
SHIPPED_ONLY: str = "shipped-only"

_lock = threading.Lock()
_token_cache: dict[str, tuple[float, str]] = {}
_problems: dict[str, str] = {}


@memoize(maxsize=4)
def _store_for(url: str) -> IncidentStore:
    return open_incident_store(url)


def incident_store() -> IncidentStore:
    """The store chosen by ``DASHBOARD_STORE_URL`` (default: the GeoPackage at
    :func:`~dashboard.store.gpkg_store.default_store_path`), one object per place."""
    url = os.environ.get("DASHBOARD_STORE_URL", "").strip()
    return _store_for(url or f"gpkg:{default_store_path()}")


def catalogue_token(*, fresh: bool = False) -> str:
    """The store's change token, reused for :data:`TOKEN_TTL_S` unless ``fresh``.

    A store that cannot be opened or reached gives a ``shipped|...`` token: the
    views then show the shipped catalogue and :func:`catalogue_problem` says why.
    """
    url = os.environ.get("DASHBOARD_STORE_URL", "").strip()
    key = url or f"gpkg:{default_store_path()}"
    now = time.monotonic()
    with _lock:
        hit = _token_cache.get(key)
        if hit is not None and not fresh and now - hit[0] < TOKEN_TTL_S:
            return hit[1]
    try:
        store = incident_store()
        token = f"{store.where}|{store.token()}"
        _problems.pop(key, None)
    except InputError as exc:
        _problems[key] = str(exc)
        token = f"{SHIPPED_ONLY}|{key}|{len(shipped_versions())}|{exc}"
    with _lock:
        _token_cache[key] = (now, token)
    return token


def catalogue_problem() -> str | None:
    """Why the views show only the shipped catalogue (the store cannot be used), or None."""
    url = os.environ.get("DASHBOARD_STORE_URL", "").strip()
    return _problems.get(url or f"gpkg:{default_store_path()}")


def forget_token() -> None:
    """Ask the store again on the next read (after this process wrote to it)."""
    with _lock:
        _token_cache.clear()


@memoize(maxsize=4)
def _versions(token: str) -> tuple[IncidentVersion, ...]:
    if token.startswith(SHIPPED_ONLY + "|"):
        return tuple(shipped_versions().values())
    try:
        return tuple(incident_store().current())
    except InputError as exc:  # the store went away between the token and the read
        _problems[token.split("|")[0]] = str(exc)
        return tuple(shipped_versions().values())


def current_versions() -> tuple[IncidentVersion, ...]:
    """The newest version of every incident that is not retired, by (date, id)."""
    return _versions(catalogue_token())


def current_incidents() -> tuple[Incident, ...]:
    """The records of :func:`current_versions`."""
    return tuple(v.record for v in current_versions())


def _row(v: IncidentVersion) -> dict[str, Any]:
    d = v.record.to_dict()
    d.pop("geometry")
    d["version"] = v.version
    return d


@memoize(maxsize=4)
def _rows(token: str) -> tuple[dict[str, Any], ...]:
    out = []
    for v in _versions(token):
        d = _row(v)
        d["kind"] = v.record.kind
        ll = v.record.lonlat if v.record.kind == "point" else None
        d["lon"], d["lat"] = (ll if ll is not None else (None, None))
        d["track"] = v.record.geometry if v.record.kind == "track" else None
        out.append(d)
    return tuple(out)


def incident_rows() -> list[dict[str, Any]]:
    """Every current incident as a property dict (copies), by date then id.

    Point incidents carry ``lon``/``lat`` (degrees); tracks carry ``track`` (a
    LineString) and ``lon``/``lat`` None, as do unpositioned incidents; ``kind``
    is ``point``, ``track`` or ``none``.
    """
    return [dict(r) for r in _rows(catalogue_token())]


def _layer(versions: tuple[IncidentVersion, ...], kind: str) -> gpd.GeoDataFrame:
    chosen = [v for v in versions if v.record.kind == kind]
    rows = [_row(v) for v in chosen]
    geoms = [v.record.geometry for v in chosen]
    frame = gpd.GeoDataFrame(rows, columns=list(LAYER_COLUMNS), geometry=geoms, crs="EPSG:4326")
    return frame.reset_index(drop=True)


@memoize(maxsize=4)
def _point_layer(token: str) -> gpd.GeoDataFrame:
    return _layer(_versions(token), "point")


@memoize(maxsize=4)
def _track_layer(token: str) -> gpd.GeoDataFrame:
    return _layer(_versions(token), "track")


def incident_layer() -> gpd.GeoDataFrame:
    """The point incidents as a GeoDataFrame (EPSG:4326), one row each, by date then id.

    Shared and cached: copy it before changing it.
    """
    return _point_layer(catalogue_token())


def track_layer() -> gpd.GeoDataFrame:
    """The track incidents (LineStrings, EPSG:4326), same columns as :func:`incident_layer`."""
    return _track_layer(catalogue_token())


def incident_by_id(incident_id: str) -> IncidentVersion | None:
    """The current version of ``incident_id``, or None if there is none (or it is retired)."""
    return next((v for v in current_versions() if v.incident_id == incident_id), None)
