"""Scenarios: named sets of hypothetical no-fly zones that can be kept and shared.

A :class:`Scenario` is a named set of zones (polygons in WGS84 lon/lat), buffers
(geodesic rings of ``radius_km`` around a point or a layer), the selected
incident, the map view, the date the NATO border is drawn for and the display
unit.  This module moves scenarios in and out of three forms, with no Streamlit
in it:

* **GeoJSON** -- :func:`to_geojson` / :func:`from_geojson`: one RFC 7946
  FeatureCollection.  Zones are Polygon/MultiPolygon features with
  ``properties.kind = "zone"``; buffers are Point features (``null`` geometry
  for a buffer around a layer) with ``kind = "buffer"`` and ``radius_km``.  The
  scenario's own fields travel in a top-level foreign member ``"scenario"``
  (RFC 7946 section 6.1), so a GIS opens the file as an ordinary layer of zones
  and buffers.  Coordinates are written at full float precision (exact round
  trip).
* **URL parameter** -- :func:`to_url_param` / :func:`from_url_param`: compact
  JSON with coordinates as difference-encoded integers of 1e-5 degree (1.1 m),
  zlib-compressed, URL-safe base64 without padding.  Scenarios whose parameter
  would exceed :data:`MAX_URL_PARAM_CHARS` are refused with an
  :class:`~dashboard.geo.errors.InputError`.
* **GeoPackage** -- :class:`ScenarioStore`: a real OGC GeoPackage (SQLite)
  with feature tables ``zones`` and ``buffers`` (EPSG:4326, GeoPackage binary
  geometries) and an attributes table ``scenarios`` holding each scenario's
  metadata as JSON.  Every write is one ``BEGIN IMMEDIATE`` transaction, so a
  process killed mid-save leaves the previous state, and concurrent writers
  wait for each other (``busy_timeout``) instead of failing.

Everything that enters from outside (a file, a URL, the store) is validated;
bad input raises :class:`~dashboard.geo.errors.InputError` with a one-line
message.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import os
import re
import sqlite3
import struct
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from dashboard.geo.errors import InputError
from dashboard.geo.units import KM_PER_UNIT

__all__ = [
    "ScenarioExists", "ScenarioNotFound", "StoreBusy",
    "FORMAT", "FORMAT_VERSION", "MAX_URL_PARAM_CHARS", "URL_PRECISION_DEG", "UNITS",
    "Zone", "Buffer", "ScenarioView", "Scenario", "ScenarioSummary", "ScenarioStore",
    "utc_now_iso", "validate_scenario", "to_geojson", "from_geojson",
    "to_url_param", "from_url_param", "default_store_path",
]

class ScenarioExists(InputError):
    """Saving or renaming onto a name the store already holds (without overwrite)."""


class ScenarioNotFound(InputError):
    """No saved scenario has that name."""


class StoreBusy(InputError):
    """Another writer held the store for longer than the busy timeout."""


#: Value of ``scenario.format`` in GeoJSON exports.
FORMAT: str = "nfz-dashboard-scenario"
#: Version of the scenario format (GeoJSON member, URL payload, store metadata).
FORMAT_VERSION: int = 1
#: Display units a scenario may carry (the keys of ``dashboard.geo.units.KM_PER_UNIT``).
UNITS: tuple[str, ...] = tuple(KM_PER_UNIT)
#: Longest URL parameter :func:`to_url_param` produces, in characters.
MAX_URL_PARAM_CHARS: int = 6000
#: Coordinate quantum of the URL form, in degrees (1e-5 deg is 1.1 m of latitude).
URL_PRECISION_DEG: float = 1e-5
#: Caps on what a scenario may hold (protect the app from huge or hostile files).
MAX_ZONES: int = 500
MAX_BUFFERS: int = 500
MAX_VERTICES: int = 500_000
MAX_GEOJSON_BYTES: int = 64 * 1024 * 1024
MAX_NAME_CHARS: int = 120
MAX_TEXT_CHARS: int = 2000
#: How long a save waits for another writer before giving up, in seconds.
BUSY_TIMEOUT_S: float = 30.0
#: File name of the default store inside the data directory.
STORE_FILENAME: str = "scenarios.gpkg"
APP_DIR_NAME: str = "nfz-dashboard"

_URL_SCALE = round(1 / URL_PRECISION_DEG)  # integer units per degree
_MAX_URL_JSON_BYTES = 1024 * 1024  # decompressed URL payload cap (zip-bomb guard)
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


# --------------------------------------------------------------------------- model
def utc_now_iso() -> str:
    """Now in UTC as ISO 8601 with milliseconds and ``Z``, e.g. ``2024-05-01T12:00:00.123Z``.

    This is also the GeoPackage ``DATETIME`` format, so the strings sort in time order.
    """
    return _format_ts(datetime.now(timezone.utc))


def _format_ts(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{dt.microsecond // 1000:03d}Z"


def _normalise_ts(value: Any, where: str) -> str:
    """Parse an ISO 8601 timestamp (naive means UTC) into the canonical UTC form."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{where}: {value!r} is not an ISO 8601 date-time "
                             "(e.g. 2024-05-01T12:00:00Z)") from None
    else:
        raise InputError(f"{where}: expected an ISO 8601 date-time string, got {_kind(value)}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return _format_ts(dt)


@dataclass
class Zone:
    """One hypothetical no-fly zone.

    Attributes
    ----------
    id : str
        Identifier, unique within its scenario (e.g. ``"zone-1"``).
    name : str
        Label shown to the user.
    geometry : shapely.Polygon | shapely.MultiPolygon
        The zone in WGS84 lon/lat degrees (EPSG:4326), 2-D.
    rule : str
        How the zone was made: ``"drawn"``, ``"rectangle"``, ``"circle"``,
        ``"regions"``, ``"border_band"``, ``"ring"``, ``"table"``, ``"import"``...
        Free text; the UI decides the vocabulary.
    description : str
        Human description of the rule, e.g. ``"50 km band inside UA along PL-UA"``.
    params : dict
        JSON-serialisable rule parameters, e.g. ``{"segment_ids": ["PL-UA"],
        "depth_km": 50.0}``.
    center_lon, center_lat : float | None
        Centre of a circle zone, degrees; ``None`` for other zones.
    radius_km : float | None
        Geodesic radius of a circle zone, km; ``None`` for other zones.
    """

    id: str
    name: str
    geometry: BaseGeometry
    rule: str = "drawn"
    description: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    center_lon: float | None = None
    center_lat: float | None = None
    radius_km: float | None = None

    @property
    def is_circle(self) -> bool:
        """True when the zone carries a centre and a radius."""
        return self.radius_km is not None


@dataclass
class Buffer:
    """A geodesic ring of ``radius_km`` around a point, or around a layer.

    Attributes
    ----------
    lon, lat : float | None
        Centre in degrees; both ``None`` for a buffer around a layer.
    radius_km : float
        Buffer distance, km (> 0).
    layer : str | None
        Layer name (e.g. ``"nato_border"``) for a layer-based buffer, else ``None``.
    label : str
        Legend label, e.g. ``"75 km"``.
    """

    lon: float | None
    lat: float | None
    radius_km: float
    layer: str | None = None
    label: str = ""

    @classmethod
    def around_layer(cls, layer: str, radius_km: float, label: str = "") -> Buffer:
        """A buffer of ``radius_km`` (km) around every feature of ``layer``."""
        return cls(None, None, radius_km, layer=layer, label=label)


@dataclass
class ScenarioView:
    """Map view: centre ``lon``/``lat`` in degrees and web-map ``zoom`` level."""

    lon: float
    lat: float
    zoom: float


@dataclass
class Scenario:
    """A named set of zones and buffers plus the state needed to reopen it.

    Attributes
    ----------
    name : str
        Unique name in a store (1-120 characters, no control characters).
    zones : list[Zone]
    buffers : list[Buffer]
    incident_id : str | None
        Selected incident, e.g. ``"2022-11-15-przewodow"``.
    view : ScenarioView | None
    as_of : datetime.date | None
        Date the NATO border is drawn for.
    units : {"km", "nm", "mi"}
        Display unit (all stored values are km regardless).
    created, updated : str
        UTC ISO 8601 timestamps (``2024-05-01T12:00:00.123Z``);
        :meth:`ScenarioStore.save` sets ``updated``.
    """

    name: str
    zones: list[Zone] = field(default_factory=list)
    buffers: list[Buffer] = field(default_factory=list)
    incident_id: str | None = None
    view: ScenarioView | None = None
    as_of: date | None = None
    units: str = "km"
    created: str = field(default_factory=utc_now_iso)
    updated: str = ""

    def __post_init__(self) -> None:
        if not self.updated:
            self.updated = self.created

    @property
    def n_vertices(self) -> int:
        """Total number of coordinate pairs in all zones."""
        return int(sum(shapely.get_num_coordinates(z.geometry) for z in self.zones))


class ScenarioSummary(NamedTuple):
    """One row of :meth:`ScenarioStore.list`: name, UTC ISO ``updated``, zone count."""

    name: str
    updated: str
    n_zones: int


# ---------------------------------------------------------------------- validation
def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_text(value: Any, where: str, *, max_chars: int = MAX_TEXT_CHARS,
                allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where} must be text, got {_kind(value)}")
    if not allow_empty and not value.strip():
        raise InputError(f"{where} must not be empty")
    if len(value) > max_chars:
        raise InputError(f"{where} is {len(value)} characters long; at most {max_chars} allowed")
    return value


def _check_name(value: Any, where: str = "scenario name") -> str:
    name = _check_text(value, where, max_chars=MAX_NAME_CHARS, allow_empty=False)
    if _CONTROL_CHARS.search(name):
        raise InputError(f"{where} {name!r} contains control characters")
    if name != name.strip():
        raise InputError(f"{where} {name!r} starts or ends with spaces")
    return name


def _check_number(value: Any, where: str, *, lo: float | None = None,
                  hi: float | None = None, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{where} must be a number, got {_kind(value)}")
    x = float(value)
    if not math.isfinite(x):
        raise InputError(f"{where} must be a finite number, got {x}")
    if positive and x <= 0:
        raise InputError(f"{where} must be greater than 0, got {x:g}")
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        raise InputError(f"{where} must be between {lo:g} and {hi:g}, got {x:g}")
    return x


def _check_lonlat(lon: Any, lat: Any, where: str) -> tuple[float, float]:
    lon_f = _check_number(lon, f"{where} longitude")
    lat_f = _check_number(lat, f"{where} latitude")
    if not (-180.0 <= lon_f <= 180.0 and -90.0 <= lat_f <= 90.0):
        raise InputError(f"{where}: ({lon_f:g}, {lat_f:g}) is outside lon ±180 / lat ±90; "
                         "the data looks projected - use WGS84 lon/lat (EPSG:4326)")
    return lon_f, lat_f


def _check_json_dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{where} must be an object/dict, got {_kind(value)}")
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where} must hold only JSON values (text, numbers, lists): {exc}"
                         ) from None
    return value


def _check_zone_geometry(geom: Any, where: str) -> None:
    if not isinstance(geom, (Polygon, MultiPolygon)):
        raise InputError(f"{where}: a zone must be a Polygon or MultiPolygon, "
                         f"not {getattr(geom, 'geom_type', _kind(geom))}")
    if geom.is_empty:
        raise InputError(f"{where}: the zone geometry is empty")
    if shapely.has_z(geom):
        raise InputError(f"{where}: the zone has 3-D coordinates; zones are 2-D lon/lat")
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        raise InputError(f"{where}: the zone has non-finite coordinates (NaN or infinity)")
    bad = (np.abs(xy[:, 0]) > 180.0) | (np.abs(xy[:, 1]) > 90.0)
    if bad.any():
        lon, lat = xy[np.argmax(bad)]
        raise InputError(f"{where}: coordinate ({lon:g}, {lat:g}) is outside lon ±180 / "
                         "lat ±90; the data looks projected - use WGS84 lon/lat (EPSG:4326)")
    if not shapely.is_valid(geom):
        raise InputError(f"{where}: the zone geometry is invalid "
                         f"({shapely.is_valid_reason(geom)}); redraw or repair it")


def validate_scenario(scenario: Scenario) -> None:
    """Check every field of ``scenario``; raise :class:`InputError` on the first problem.

    Zones must be valid, non-empty 2-D Polygons/MultiPolygons inside lon ±180 /
    lat ±90 with unique ids; circles need centre and ``radius_km`` > 0 together;
    buffers need a centre or a layer (not both) and ``radius_km`` > 0; caps:
    :data:`MAX_ZONES`, :data:`MAX_BUFFERS`, :data:`MAX_VERTICES`.
    """
    if not isinstance(scenario, Scenario):
        raise InputError(f"expected a Scenario, got {_kind(scenario)}")
    _check_name(scenario.name)
    label = f"scenario {scenario.name!r}"
    if not isinstance(scenario.zones, list) or not isinstance(scenario.buffers, list):
        raise InputError(f"{label}: zones and buffers must be lists")
    if len(scenario.zones) > MAX_ZONES:
        raise InputError(f"{label} has {len(scenario.zones)} zones; at most {MAX_ZONES} allowed")
    if len(scenario.buffers) > MAX_BUFFERS:
        raise InputError(f"{label} has {len(scenario.buffers)} buffers; "
                         f"at most {MAX_BUFFERS} allowed")
    for i, z in enumerate(scenario.zones):
        if not isinstance(z, Zone):
            raise InputError(f"{label}: zone {i + 1} is a {_kind(z)}, not a Zone")
        if not isinstance(z.geometry, BaseGeometry):
            raise InputError(f"zone {i + 1}: geometry must be a shapely Polygon or "
                             f"MultiPolygon, got {_kind(z.geometry)}")
    n_vertices = scenario.n_vertices  # before validity checks, which cost more
    if n_vertices > MAX_VERTICES:
        raise InputError(f"{label} has {n_vertices:,} vertices; at most {MAX_VERTICES:,} "
                         "allowed - simplify the zones")
    seen: set[str] = set()
    for i, z in enumerate(scenario.zones):
        zid = _check_text(z.id, f"zone {i + 1} id", max_chars=64, allow_empty=False)
        where = f"zone {zid!r}"
        if zid in seen:
            raise InputError(f"zone id {zid!r} appears twice in {label}")
        seen.add(zid)
        _check_text(z.name, f"{where} name", max_chars=MAX_NAME_CHARS)
        _check_text(z.rule, f"{where} rule", max_chars=64)
        _check_text(z.description, f"{where} description")
        _check_json_dict(z.params, f"{where} params")
        circle = (z.center_lon, z.center_lat, z.radius_km)
        if any(v is not None for v in circle):
            if any(v is None for v in circle):
                raise InputError(f"{where}: a circle needs center_lon, center_lat and "
                                 "radius_km together")
            _check_lonlat(z.center_lon, z.center_lat, f"{where} centre")
            _check_number(z.radius_km, f"{where} radius_km", positive=True, hi=20_000.0)
        _check_zone_geometry(z.geometry, where)
    for i, b in enumerate(scenario.buffers):
        where = f"buffer {i + 1}"
        if not isinstance(b, Buffer):
            raise InputError(f"{label}: {where} is a {_kind(b)}, not a Buffer")
        _check_number(b.radius_km, f"{where} radius_km", positive=True, hi=20_000.0)
        _check_text(b.label, f"{where} label", max_chars=MAX_NAME_CHARS)
        if b.layer is not None:
            _check_text(b.layer, f"{where} layer", max_chars=MAX_NAME_CHARS, allow_empty=False)
            if b.lon is not None or b.lat is not None:
                raise InputError(f"{where}: give either a centre (lon/lat) or a layer, not both")
        else:
            if b.lon is None or b.lat is None:
                raise InputError(f"{where}: needs a centre (lon and lat) or a layer name")
            _check_lonlat(b.lon, b.lat, f"{where} centre")
    if scenario.incident_id is not None:
        _check_text(scenario.incident_id, "incident id", max_chars=MAX_NAME_CHARS,
                    allow_empty=False)
    if scenario.view is not None:
        v = scenario.view
        if not isinstance(v, ScenarioView):
            raise InputError(f"{label}: view must be a ScenarioView, got {_kind(v)}")
        _check_lonlat(v.lon, v.lat, "view centre")
        _check_number(v.zoom, "view zoom", lo=0.0, hi=24.0)
    if scenario.as_of is not None and (not isinstance(scenario.as_of, date)
                                       or isinstance(scenario.as_of, datetime)):
        raise InputError(f"{label}: as_of must be a date, got {_kind(scenario.as_of)}")
    if scenario.units not in UNITS:
        raise InputError(f"units must be one of {', '.join(UNITS)}, got {scenario.units!r}")
    _normalise_ts(scenario.created, "created")
    _normalise_ts(scenario.updated, "updated")


# ------------------------------------------------------------- metadata (shared)
def _meta_to_dict(s: Scenario) -> dict[str, Any]:
    """Scenario fields other than zones and buffers, as JSON values."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "name": s.name,
        "incident_id": s.incident_id,
        "view": None if s.view is None else {
            "lon": float(s.view.lon), "lat": float(s.view.lat), "zoom": float(s.view.zoom)},
        "as_of": None if s.as_of is None else s.as_of.isoformat(),
        "units": s.units,
        "created": _normalise_ts(s.created, "created"),
        "updated": _normalise_ts(s.updated, "updated"),
    }


def _check_version(meta: Mapping[str, Any], where: str) -> None:
    fmt = meta.get("format", FORMAT)
    if fmt != FORMAT:
        raise InputError(f"{where}: format {fmt!r} is not a scenario ({FORMAT!r})")
    version = meta.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InputError(f"{where}: version must be a positive integer, got {version!r}")
    if version > FORMAT_VERSION:
        raise InputError(f"{where}: scenario format version {version} is newer than this "
                         f"app understands ({FORMAT_VERSION}); update the app")


def _meta_fields(meta: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Parse the metadata dict into :class:`Scenario` keyword arguments (not name)."""
    if not isinstance(meta, Mapping):
        raise InputError(f"{where} must be an object, got {_kind(meta)}")
    _check_version(meta, where)
    out: dict[str, Any] = {}
    incident = meta.get("incident_id")
    out["incident_id"] = None if incident is None else _check_text(
        incident, "incident id", max_chars=MAX_NAME_CHARS, allow_empty=False)
    view = meta.get("view")
    if view is not None:
        if not isinstance(view, Mapping) or not {"lon", "lat", "zoom"} <= set(view):
            raise InputError(f"{where}: view must be an object with lon, lat and zoom")
        lon, lat = _check_lonlat(view["lon"], view["lat"], "view centre")
        out["view"] = ScenarioView(lon, lat, _check_number(view["zoom"], "view zoom",
                                                           lo=0.0, hi=24.0))
    as_of = meta.get("as_of")
    if as_of is not None:
        try:
            out["as_of"] = date.fromisoformat(as_of)
        except (TypeError, ValueError):
            raise InputError(f"{where}: as_of {as_of!r} is not a date like 2022-11-15"
                             ) from None
    units = meta.get("units", "km")
    if units not in UNITS:
        raise InputError(f"{where}: units must be one of {', '.join(UNITS)}, got {units!r}")
    out["units"] = units
    now = utc_now_iso()
    out["created"] = _normalise_ts(meta.get("created") or now, "created")
    out["updated"] = _normalise_ts(meta.get("updated") or out["created"], "updated")
    return out


# --------------------------------------------------------------------- GeoJSON
def _ring_coords(ring: Any) -> list[list[float]]:
    return np.asarray(ring.coords, dtype=float)[:, :2].tolist()


def _geometry_to_geojson(geom: BaseGeometry | None) -> dict[str, Any] | None:
    if geom is None:
        return None
    if isinstance(geom, Point):
        return {"type": "Point", "coordinates": [float(geom.x), float(geom.y)]}
    if isinstance(geom, Polygon):
        return {"type": "Polygon", "coordinates": _polygon_coords(geom)}
    if isinstance(geom, MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [_polygon_coords(p) for p in geom.geoms]}
    raise InputError(f"cannot write a {geom.geom_type} into a scenario")


def _polygon_coords(p: Polygon) -> list[list[list[float]]]:
    return [_ring_coords(p.exterior)] + [_ring_coords(r) for r in p.interiors]


def to_geojson(scenario: Scenario) -> dict[str, Any]:
    """Export ``scenario`` as one GeoJSON FeatureCollection (a JSON-ready dict).

    Zones become Polygon/MultiPolygon features (``id`` = zone id) with
    properties ``kind="zone"``, ``id``, ``name``, ``rule``, ``description``,
    ``params`` and, for circles, ``center_lon``/``center_lat`` (degrees) and
    ``radius_km``.  Buffers become Point features (``null`` geometry when
    around a layer) with ``kind="buffer"``, ``radius_km``, ``layer``, ``label``.
    The scenario's metadata is the top-level member ``"scenario"``:
    ``{"format", "version", "name", "incident_id", "view": {lon, lat, zoom},
    "as_of", "units", "created", "updated"}``.  Coordinates keep full precision.

    Raises
    ------
    InputError
        If the scenario does not pass :func:`validate_scenario`.
    """
    validate_scenario(scenario)
    features: list[dict[str, Any]] = []
    for z in scenario.zones:
        props: dict[str, Any] = {"kind": "zone", "id": z.id, "name": z.name, "rule": z.rule,
                                 "description": z.description, "params": z.params}
        if z.is_circle:
            props.update(center_lon=float(z.center_lon), center_lat=float(z.center_lat),
                         radius_km=float(z.radius_km))
        features.append({"type": "Feature", "id": z.id,
                         "geometry": _geometry_to_geojson(z.geometry), "properties": props})
    for b in scenario.buffers:
        geom = None if b.layer is not None else Point(float(b.lon), float(b.lat))
        features.append({"type": "Feature", "geometry": _geometry_to_geojson(geom),
                         "properties": {"kind": "buffer", "radius_km": float(b.radius_km),
                                        "layer": b.layer, "label": b.label}})
    return {"type": "FeatureCollection", "scenario": _meta_to_dict(scenario),
            "features": features}


def _positions(raw: Any, where: str, *, min_len: int) -> np.ndarray:
    """A GeoJSON position list as an (n, 2) float array; Z is dropped."""
    try:
        arr = np.asarray(raw)
    except ValueError:
        arr = None
    if arr is None or arr.dtype.kind not in "iuf" or arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise InputError(f"{where}: coordinates must be a list of [lon, lat] number pairs")
    arr = arr[:, :2].astype(float)
    if len(arr) < min_len:
        raise InputError(f"{where}: a ring needs at least {min_len} positions, got {len(arr)}")
    return arr


def _parse_polygon(raw: Any, where: str) -> Polygon:
    if not isinstance(raw, (list, tuple)) or not raw:
        raise InputError(f"{where}: Polygon coordinates must be a non-empty list of rings")
    rings = []
    for k, ring in enumerate(raw):
        arr = _positions(ring, f"{where} ring {k + 1}", min_len=3)
        if not np.array_equal(arr[0], arr[-1]):
            arr = np.vstack([arr, arr[:1]])  # RFC 7946 wants closed rings; be lenient
        if len(arr) < 4:
            raise InputError(f"{where} ring {k + 1}: a ring needs at least 3 distinct corners")
        rings.append(arr)
    return Polygon(rings[0], rings[1:])


def _parse_geojson_geometry(raw: Any, where: str) -> BaseGeometry | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or "type" not in raw:
        raise InputError(f"{where}: geometry must be a GeoJSON geometry object or null")
    gtype = raw["type"]
    coords = raw.get("coordinates")
    if gtype == "Polygon":
        geom: BaseGeometry = _parse_polygon(coords, where)
    elif gtype == "MultiPolygon":
        if not isinstance(coords, (list, tuple)) or not coords:
            raise InputError(f"{where}: MultiPolygon coordinates must be a non-empty list")
        geom = MultiPolygon([_parse_polygon(p, f"{where} part {k + 1}")
                             for k, p in enumerate(coords)])
    elif gtype == "Point":
        arr = _positions([coords] if isinstance(coords, (list, tuple)) else None, where,
                         min_len=1)
        lon, lat = _check_lonlat(arr[0, 0], arr[0, 1], where)
        geom = Point(lon, lat)
    else:
        raise InputError(f"{where}: {gtype!r} geometries are not supported; a scenario holds "
                         "zones (Polygon, MultiPolygon) and buffers (Point)")
    return geom


def _opt_number(props: Mapping[str, Any], key: str, where: str) -> float | None:
    v = props.get(key)
    return None if v is None else _check_number(v, f"{where} {key}")


def from_geojson(obj: Mapping[str, Any] | str | bytes,
                 default_name: str = "Imported scenario") -> Scenario:
    """Read a scenario from a GeoJSON FeatureCollection (dict, JSON text or bytes).

    Accepts what :func:`to_geojson` writes, and also a plain FeatureCollection of
    polygons (no ``"scenario"`` member, no ``kind``): every Polygon/MultiPolygon
    becomes a zone (rule ``"import"``, name from ``properties.name``) and the
    scenario is called ``default_name``.  Rings that are not closed are closed;
    Z coordinates are dropped.

    Raises
    ------
    InputError
        Not JSON, not a FeatureCollection, an unsupported or invalid geometry,
        coordinates outside lon ±180 / lat ±90, a missing ``radius_km`` on a
        buffer, duplicate zone ids, a newer format version, or over a cap.
    """
    if isinstance(obj, (bytes, bytearray, str)):
        if len(obj) > MAX_GEOJSON_BYTES:
            raise InputError(f"the scenario file is {len(obj) / 2**20:.0f} MB; at most "
                             f"{MAX_GEOJSON_BYTES // 2**20} MB allowed")
        try:
            obj = json.loads(obj)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"the scenario file is not valid JSON ({exc})") from None
    if not isinstance(obj, Mapping) or obj.get("type") != "FeatureCollection":
        got = obj.get("type") if isinstance(obj, Mapping) else _kind(obj)
        raise InputError(f"a scenario must be a GeoJSON FeatureCollection, got {got!r}")
    features = obj.get("features")
    if not isinstance(features, list):
        raise InputError("the FeatureCollection has no 'features' list")
    if len(features) > MAX_ZONES + MAX_BUFFERS:
        raise InputError(f"the scenario file has {len(features):,} features; at most "
                         f"{MAX_ZONES} zones and {MAX_BUFFERS} buffers allowed")
    meta = obj.get("scenario")
    if meta is None:
        kwargs = _meta_fields({}, "scenario")
        name = _check_name(default_name)
    else:
        kwargs = _meta_fields(meta, "scenario")
        name = _check_name(meta.get("name"), "scenario name")

    zones: list[Zone] = []
    buffers: list[Buffer] = []
    for i, feat in enumerate(features):
        where = f"feature {i + 1}"
        if not isinstance(feat, Mapping) or feat.get("type") != "Feature":
            raise InputError(f"{where} is not a GeoJSON Feature")
        props = feat.get("properties") or {}
        if not isinstance(props, Mapping):
            raise InputError(f"{where}: properties must be an object or null")
        geom = _parse_geojson_geometry(feat.get("geometry"), where)
        kind = props.get("kind")
        if kind is None:
            if isinstance(geom, (Polygon, MultiPolygon)):
                kind = "zone"
            elif "radius_km" in props:
                kind = "buffer"
        if kind == "zone":
            fid = feat.get("id")
            default_id = f"zone-{i + 1}" if fid is None or isinstance(fid, bool) else str(fid)
            zid = props.get("id", default_id)
            if isinstance(zid, (int, float)) and not isinstance(zid, bool):
                zid = str(zid)
            where = f"{where} (zone {zid!r})"
            if geom is None:
                raise InputError(f"{where}: a zone needs a Polygon or MultiPolygon geometry")
            params = props.get("params")
            zones.append(Zone(
                id=zid,
                name=props.get("name") if props.get("name") is not None else str(zid),
                geometry=geom,
                rule=props.get("rule") or ("import" if props.get("kind") is None else "drawn"),
                description=props.get("description") or "",
                params=_check_json_dict(params, f"{where} params") if params is not None else {},
                center_lon=_opt_number(props, "center_lon", where),
                center_lat=_opt_number(props, "center_lat", where),
                radius_km=_opt_number(props, "radius_km", where),
            ))
        elif kind == "buffer":
            if "radius_km" not in props:
                raise InputError(f"{where}: a buffer needs properties.radius_km (km)")
            layer = props.get("layer")
            if geom is not None and not isinstance(geom, Point):
                raise InputError(f"{where}: a buffer's geometry must be a Point (or null "
                                 "with properties.layer)")
            if geom is None and layer is None:
                raise InputError(f"{where}: a buffer needs a Point geometry or properties.layer")
            buffers.append(Buffer(
                lon=None if geom is None else geom.x, lat=None if geom is None else geom.y,
                radius_km=_check_number(props["radius_km"], f"{where} radius_km", positive=True),
                layer=layer if geom is None else None, label=props.get("label") or ""))
        elif kind is None:
            raise InputError(f"{where}: cannot tell whether it is a zone or a buffer "
                             "(set properties.kind to 'zone' or 'buffer')")
        else:
            raise InputError(f"{where}: unknown kind {kind!r} (expected 'zone' or 'buffer')")
    scenario = Scenario(name=name, zones=zones, buffers=buffers, **kwargs)
    validate_scenario(scenario)
    return scenario


# ------------------------------------------------------------------------- URL
def _q(x: float) -> int:
    """Degrees -> integer units of :data:`URL_PRECISION_DEG`."""
    return int(round(float(x) * _URL_SCALE))


def _encode_ring(ring: Any, where: str) -> list[int]:
    """Ring -> flat ints ``[x0, y0, dx0, dy0, ddx0, ddy0, ...]`` in units of 1e-5 degree.

    First vertex, first step, then second differences (steps of the steps): on
    smooth curves such as geodesic circles these are tiny numbers that deflate
    to about half the size of plain deltas.  The closing vertex is implied.
    """
    q = np.rint(np.asarray(ring.coords, dtype=float)[:, :2] * _URL_SCALE).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = (np.diff(q, axis=0) != 0).any(axis=1)  # drop repeats made by rounding
    q = q[keep]
    if len(q) > 1 and (q[0] == q[-1]).all():
        q = q[:-1]
    if len(q) < 3:
        raise InputError(f"{where} is too small to share as a URL at 1e-5° (about 1 m); "
                         "export the scenario as GeoJSON instead")
    steps = np.diff(q, axis=0)
    return np.vstack([q[:1], steps[:1], np.diff(steps, axis=0)]).ravel().tolist()


def _decode_ring(flat: Any, where: str) -> np.ndarray:
    if (not isinstance(flat, list) or len(flat) < 6 or len(flat) % 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in flat)):
        raise InputError(f"{where}: a ring must be an even list of at least 6 integers")
    v = np.asarray(flat, dtype=np.int64).reshape(-1, 2)
    steps = np.cumsum(v[1:], axis=0)
    q = np.cumsum(np.vstack([v[:1], steps]), axis=0)
    xy = q / _URL_SCALE
    return np.vstack([xy, xy[:1]])


def _encode_polygon(p: Polygon, where: str) -> list[list[int]]:
    return [_encode_ring(p.exterior, where)] + [_encode_ring(r, where) for r in p.interiors]


def _decode_polygon(raw: Any, where: str) -> Polygon:
    if not isinstance(raw, list) or not raw:
        raise InputError(f"{where}: a polygon must be a non-empty list of rings")
    rings = [_decode_ring(r, where) for r in raw]
    return Polygon(rings[0], rings[1:])


def _url_payload(s: Scenario) -> dict[str, Any]:
    meta = _meta_to_dict(s)
    payload: dict[str, Any] = {"v": FORMAT_VERSION, "n": s.name, "c": meta["created"],
                               "u": meta["updated"], "un": s.units}
    if s.incident_id is not None:
        payload["i"] = s.incident_id
    if s.view is not None:
        payload["w"] = [_q(s.view.lon), _q(s.view.lat), round(float(s.view.zoom), 2)]
    if s.as_of is not None:
        payload["d"] = meta["as_of"]
    zones = []
    for z in s.zones:
        where = f"zone {z.id!r}"
        if isinstance(z.geometry, Polygon):
            g: dict[str, Any] = {"p": _encode_polygon(z.geometry, where)}
        else:
            g = {"m": [_encode_polygon(p, where) for p in z.geometry.geoms]}
        circle = None if not z.is_circle else [_q(z.center_lon), _q(z.center_lat),
                                               round(float(z.radius_km), 6)]
        zones.append([z.id, z.name, z.rule, z.description, z.params, circle, g])
    payload["z"] = zones
    payload["b"] = [[None if b.lon is None else _q(b.lon), None if b.lat is None else _q(b.lat),
                     round(float(b.radius_km), 6), b.layer, b.label] for b in s.buffers]
    return payload


def to_url_param(scenario: Scenario) -> str:
    """Encode ``scenario`` as a compact URL-safe string (for ``?scenario=...``).

    Coordinates (zones, circle centres, buffers, view) are rounded to
    :data:`URL_PRECISION_DEG` (1e-5 degree, about 1.1 m); radii to 1e-6 km;
    zoom to 0.01.  Format: compact JSON (version ``v``), ring coordinates as
    integers of 1e-5 degree (first vertex, first step, then second
    differences), zlib level 9, URL-safe base64 without ``=`` padding.  A
    typical scenario (a 256-vertex circle, a rectangle, a 100-vertex two-part
    zone, two buffers) takes about 2,000 characters.

    Raises
    ------
    InputError
        If the scenario is invalid, if rounding to 1e-5 degree would make a zone
        invalid, or if the result would be longer than :data:`MAX_URL_PARAM_CHARS`
        characters (share such a scenario as a GeoJSON file instead).
    """
    n_vertices = scenario.n_vertices if isinstance(scenario, Scenario) else 0
    if n_vertices > 20 * MAX_URL_PARAM_CHARS:  # cannot possibly fit; skip the work
        raise InputError(f"scenario {scenario.name!r} has {n_vertices:,} vertices, too many "
                         "for a shareable URL; export it as GeoJSON instead")
    validate_scenario(scenario)
    text = json.dumps(_url_payload(scenario), separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    packed = zlib.compress(text.encode("utf-8"), 9)
    param = base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")
    if len(param) > MAX_URL_PARAM_CHARS:
        raise InputError(f"scenario {scenario.name!r} needs {len(param):,} characters as a URL, "
                         f"more than the {MAX_URL_PARAM_CHARS:,} allowed; export it as "
                         "GeoJSON instead")
    try:
        from_url_param(param)
    except InputError as exc:
        raise InputError(f"scenario {scenario.name!r} cannot travel as a URL: {exc}; "
                         "export it as GeoJSON instead") from None
    return param


def from_url_param(param: str) -> Scenario:
    """Decode a string made by :func:`to_url_param` into a :class:`Scenario`.

    Raises
    ------
    InputError
        If the string is too long, not URL-safe base64, corrupted (zlib
        checksum), not a scenario, of a newer format version, or decodes to an
        invalid scenario.
    """
    bad = "the scenario link is damaged or incomplete"
    if not isinstance(param, str):
        raise InputError(f"{bad} (expected text, got {_kind(param)})")
    param = param.strip()
    if len(param) > MAX_URL_PARAM_CHARS:
        raise InputError(f"the scenario link is {len(param):,} characters; at most "
                         f"{MAX_URL_PARAM_CHARS:,} allowed")
    if not param or not re.fullmatch(r"[A-Za-z0-9_-]+", param):
        raise InputError(f"{bad} (unexpected characters)")
    try:
        packed = base64.urlsafe_b64decode(param + "=" * (-len(param) % 4))
        d = zlib.decompressobj()
        raw = d.decompress(packed, _MAX_URL_JSON_BYTES)
        if d.unconsumed_tail:
            raise InputError(f"{bad} (it expands to more than 1 MB)")
        if not d.eof:
            raise InputError(f"{bad} (it is cut short)")
        if d.unused_data:
            raise InputError(f"{bad} (unexpected data at the end)")
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, zlib.error, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{bad} ({exc})") from None
    if not isinstance(payload, dict) or "v" not in payload or "n" not in payload:
        raise InputError(f"{bad} (not a scenario)")
    version = payload["v"]
    meta: dict[str, Any] = {"version": version, "name": payload["n"],
                            "created": payload.get("c"), "updated": payload.get("u"),
                            "units": payload.get("un", "km"),
                            "incident_id": payload.get("i"), "as_of": payload.get("d")}
    _check_version(meta, "scenario link")
    try:
        if payload.get("w") is not None:
            lon, lat, zoom = payload["w"]
            meta["view"] = {"lon": lon / _URL_SCALE, "lat": lat / _URL_SCALE, "zoom": zoom}
        zones = []
        for k, (zid, name, rule, desc, params, circle, g) in enumerate(payload.get("z", [])):
            where = f"zone {k + 1}"
            if not isinstance(g, dict) or len(g) != 1:
                raise InputError(f"{bad} ({where} geometry)")
            if "p" in g:
                geom: BaseGeometry = _decode_polygon(g["p"], where)
            elif "m" in g and isinstance(g["m"], list) and g["m"]:
                geom = MultiPolygon([_decode_polygon(p, where) for p in g["m"]])
            else:
                raise InputError(f"{bad} ({where} geometry)")
            clon = clat = radius = None
            if circle is not None:
                clon, clat, radius = circle[0] / _URL_SCALE, circle[1] / _URL_SCALE, circle[2]
            zones.append(Zone(id=zid, name=name, geometry=geom, rule=rule, description=desc,
                              params=params, center_lon=clon, center_lat=clat,
                              radius_km=radius))
        buffers = []
        for lon, lat, radius, layer, label in payload.get("b", []):
            buffers.append(Buffer(None if lon is None else lon / _URL_SCALE,
                                  None if lat is None else lat / _URL_SCALE,
                                  radius, layer=layer, label=label))
    except (TypeError, ValueError, KeyError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{bad} ({exc})") from None
    fields = _meta_fields(meta, "scenario link")
    scenario = Scenario(name=_check_name(meta["name"]), zones=zones, buffers=buffers,
                        **fields)
    validate_scenario(scenario)
    return scenario


# ------------------------------------------------------------------ GeoPackage
#: ``PRAGMA application_id`` of a GeoPackage: ASCII "GPKG" (older files: "GP10", "GP11").
GPKG_APPLICATION_ID: int = 0x47504B47
_GPKG_APPLICATION_IDS = {GPKG_APPLICATION_ID, 0x47503130, 0x47503131}
#: ``PRAGMA user_version`` written: GeoPackage 1.3.0.
GPKG_USER_VERSION: int = 10300
SRS_ID: int = 4326

_GPKG_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE IF NOT EXISTS scenarios (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  created DATETIME NOT NULL,
  updated DATETIME NOT NULL,
  n_zones INTEGER NOT NULL,
  meta TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS zones (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom GEOMETRY NOT NULL,
  scenario TEXT NOT NULL,
  zone_index INTEGER NOT NULL,
  zone_id TEXT NOT NULL,
  name TEXT,
  rule TEXT,
  description TEXT,
  params TEXT,
  center_lon DOUBLE,
  center_lat DOUBLE,
  radius_km DOUBLE,
  CONSTRAINT uk_zones_order UNIQUE (scenario, zone_index)
);
CREATE TABLE IF NOT EXISTS buffers (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom POINT,
  scenario TEXT NOT NULL,
  buffer_index INTEGER NOT NULL,
  radius_km DOUBLE NOT NULL,
  layer TEXT,
  label TEXT,
  CONSTRAINT uk_buffers_order UNIQUE (scenario, buffer_index)
);
"""
_TABLES = ("scenarios", "zones", "buffers")
_REQUIRED_COLUMNS = {
    "scenarios": {"name", "created", "updated", "n_zones", "meta"},
    "zones": {"geom", "scenario", "zone_index", "zone_id", "name", "rule", "description",
              "params", "center_lon", "center_lat", "radius_km"},
    "buffers": {"geom", "scenario", "buffer_index", "radius_km", "layer", "label"},
}


def _wgs84_wkt() -> str:
    from pyproj import CRS

    return CRS.from_epsg(SRS_ID).to_wkt("WKT1_GDAL")


def gpkg_geometry_blob(geom: BaseGeometry) -> bytes:
    """Encode ``geom`` as GeoPackage binary: ``GP`` header (srs_id 4326, xy envelope) + WKB.

    Little-endian; polygons carry an envelope ``[minx, maxx, miny, maxy]`` in
    degrees, points none (GeoPackage 1.3, section 2.1.3).
    """
    wkb = shapely.to_wkb(geom, byte_order=1, output_dimension=2)
    if geom.is_empty:
        return b"GP\x00" + bytes([0b10001]) + struct.pack("<i", SRS_ID) + wkb
    if isinstance(geom, Point):
        return b"GP\x00\x01" + struct.pack("<i", SRS_ID) + wkb
    minx, miny, maxx, maxy = geom.bounds
    return b"GP\x00\x03" + struct.pack("<i4d", SRS_ID, minx, maxx, miny, maxy) + wkb


def geometry_from_gpkg_blob(blob: bytes, where: str = "geometry") -> BaseGeometry:
    """Decode GeoPackage binary (any envelope type) into a shapely geometry.

    Raises
    ------
    InputError
        If the blob is not GeoPackage binary, uses the extended format, or is
        not in EPSG:4326.
    """
    b = bytes(blob)
    if len(b) < 8 or b[:2] != b"GP":
        raise InputError(f"{where} is not a GeoPackage geometry")
    flags = b[3]
    if flags & 0b100000:
        raise InputError(f"{where} uses the extended GeoPackage geometry format")
    envelope = (flags >> 1) & 0b111
    if envelope not in _GPKG_ENVELOPE_BYTES:
        raise InputError(f"{where} has an unknown envelope type {envelope}")
    (srs_id,) = struct.unpack("<i" if flags & 1 else ">i", b[4:8])
    if srs_id != SRS_ID:
        raise InputError(f"{where} is in srs_id {srs_id}, expected {SRS_ID} (WGS84)")
    try:
        return shapely.from_wkb(b[8 + _GPKG_ENVELOPE_BYTES[envelope]:])
    except shapely.errors.GEOSException as exc:
        raise InputError(f"{where} has damaged WKB ({exc})") from None


def default_store_path() -> Path:
    """Where scenarios are kept unless told otherwise.

    ``$DASHBOARD_DATA_DIR/scenarios.gpkg`` if that variable is set, else
    ``$XDG_DATA_HOME/nfz-dashboard/scenarios.gpkg`` (absolute ``XDG_DATA_HOME``
    only), else ``~/.local/share/nfz-dashboard/scenarios.gpkg``.
    """
    data_dir = os.environ.get("DASHBOARD_DATA_DIR")
    if data_dir:
        return Path(data_dir).expanduser() / STORE_FILENAME
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / APP_DIR_NAME / STORE_FILENAME


class ScenarioStore:
    """Saved scenarios in one GeoPackage file.

    Parameters
    ----------
    path : Path | str | None
        The ``.gpkg`` file; ``None`` means :func:`default_store_path`.  The file
        and its folder are created on the first save; an existing GeoPackage
        gets the three tables added.

    Notes
    -----
    Layout (a valid GeoPackage 1.3: ``application_id`` "GPKG", ``user_version``
    10300, ``gpkg_spatial_ref_sys``/``gpkg_contents``/``gpkg_geometry_columns``):

    * ``zones`` -- features, EPSG:4326, GEOMETRY: one row per zone with
      ``scenario``, ``zone_index``, ``zone_id``, ``name``, ``rule``,
      ``description``, ``params`` (JSON), ``center_lon``, ``center_lat``, ``radius_km``.
    * ``buffers`` -- features, EPSG:4326, POINT (null for a layer buffer):
      ``scenario``, ``buffer_index``, ``radius_km``, ``layer``, ``label``.
    * ``scenarios`` -- attributes: ``name`` (unique), ``created``, ``updated``,
      ``n_zones``, ``meta`` (JSON: format, version, incident_id, view, as_of, units).

    Every operation opens its own SQLite connection (safe across threads and
    processes).  Writes run in one ``BEGIN IMMEDIATE`` transaction with a
    :data:`BUSY_TIMEOUT_S` busy timeout, in SQLite's default rollback-journal
    mode, so the file stays a single portable ``.gpkg``: a killed writer leaves
    a hot journal that the next opener rolls back, and concurrent writers queue.
    No spatial index (the R-tree triggers need SpatiaLite/GDAL functions).
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path: Path = Path(path).expanduser() if path is not None else default_store_path()

    def __repr__(self) -> str:
        return f"ScenarioStore({str(self.path)!r})"

    # -- connection and schema -------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        return conn

    def _fail(self, exc: sqlite3.Error) -> InputError:
        msg = str(exc)
        if "locked" in msg or "busy" in msg:
            return StoreBusy(f"the scenario store {self.path} is busy (another save held it "
                              f"for {BUSY_TIMEOUT_S:.0f} s); try again")
        if "not a database" in msg:
            return InputError(f"{self.path} is not a GeoPackage (SQLite) file; "
                              "choose another scenario store")
        return InputError(f"cannot use the scenario store {self.path}: {msg}")

    @contextmanager
    def _open(self, *, write: bool) -> Iterator[sqlite3.Connection | None]:
        """A connection with the schema checked; ``None`` for a read of a missing store."""
        if not write and not self.path.exists():
            yield None
            return
        if write:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot create the scenario folder {self.path.parent}: "
                                 f"{exc.strerror}") from None
        try:
            conn = self._connect()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        try:
            ready = self._check_schema(conn)
            if not ready and write:
                self._create_schema(conn)
                ready = True
            yield conn if ready else None
        except sqlite3.Error as exc:
            if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):
                raise
            raise self._fail(exc) from None
        finally:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            conn.close()

    def _check_schema(self, conn: sqlite3.Connection) -> bool:
        """True when the store tables exist; raise if the file is not usable."""
        # One read transaction, so the header and the table list come from the same
        # commit: another process may be creating the schema right now.
        conn.execute("BEGIN")
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.execute("COMMIT")
        if app_id not in _GPKG_APPLICATION_IDS:
            if tables:
                raise InputError(f"{self.path} is an SQLite database but not a GeoPackage; "
                                 "choose another scenario store")
            return False
        if not set(_TABLES) <= tables:
            return False
        for table, required in _REQUIRED_COLUMNS.items():
            cols = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if not required <= cols:
                raise InputError(f"{self.path} has a {table!r} table that is not a scenario "
                                 f"table (missing {', '.join(sorted(required - cols))})")
        return True

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        wkt = _wgs84_wkt()
        now = utc_now_iso()
        conn.execute("BEGIN IMMEDIATE")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id not in _GPKG_APPLICATION_IDS:
            conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
        for stmt in _SCHEMA.split(";"):
            if stmt.strip():
                conn.execute(stmt)
        conn.executemany(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
            [("Undefined cartesian SRS", -1, "NONE", -1, "undefined",
              "undefined cartesian coordinate reference system"),
             ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
              "undefined geographic coordinate reference system"),
             ("WGS 84 geodetic", SRS_ID, "EPSG", SRS_ID, wkt,
              "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid")])
        conn.executemany(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change, srs_id) VALUES (?, ?, ?, ?, ?, ?)",
            [("zones", "features", "zones", "Zones of saved no-fly-zone scenarios", now, SRS_ID),
             ("buffers", "features", "buffers", "Buffers (radius_km) of saved scenarios", now,
              SRS_ID),
             ("scenarios", "attributes", "scenarios", "Saved scenarios: name, times, metadata "
              "JSON", now, None)])
        conn.executemany(
            "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
            [("zones", "geom", "GEOMETRY", SRS_ID), ("buffers", "geom", "POINT", SRS_ID)])
        conn.execute("COMMIT")

    @staticmethod
    def _touch(conn: sqlite3.Connection, now: str) -> None:
        conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN "
                     "('zones', 'buffers', 'scenarios')", (now,))

    # -- public API --------------------------------------------------------------
    def save(self, scenario: Scenario, *, overwrite: bool = True) -> Scenario:
        """Store ``scenario`` under its name, replacing any scenario of that name.

        Atomic: the old version stays until the new one is completely written.

        Parameters
        ----------
        scenario : Scenario
        overwrite : bool
            When False, refuse to replace an existing scenario of the same name.

        Returns
        -------
        Scenario
            A copy with ``updated`` set to the commit time (UTC ISO).

        Raises
        ------
        InputError
            Invalid scenario; name taken and ``overwrite`` is False; the file
            is not a GeoPackage, not writable, or locked for longer than
            :data:`BUSY_TIMEOUT_S` seconds.
        """
        validate_scenario(scenario)
        name = scenario.name
        # Encode before taking the write lock, so the lock is held only for I/O.
        zone_rows = [
            (gpkg_geometry_blob(z.geometry), name, i, z.id, z.name, z.rule, z.description,
             json.dumps(z.params, allow_nan=False),
             None if z.center_lon is None else float(z.center_lon),
             None if z.center_lat is None else float(z.center_lat),
             None if z.radius_km is None else float(z.radius_km))
            for i, z in enumerate(scenario.zones)]
        buffer_rows = [
            (None if b.layer is not None else gpkg_geometry_blob(Point(b.lon, b.lat)), name, i,
             float(b.radius_km), b.layer, b.label)
            for i, b in enumerate(scenario.buffers)]
        meta = _meta_to_dict(scenario)
        created = meta["created"]
        meta_json = json.dumps({k: v for k, v in meta.items()
                                if k not in ("name", "created", "updated")})
        with self._open(write=True) as conn:
            assert conn is not None
            conn.execute("BEGIN IMMEDIATE")
            now = utc_now_iso()
            row = conn.execute("SELECT id FROM scenarios WHERE name = ?", (name,)).fetchone()
            if row is not None and not overwrite:
                raise ScenarioExists(f"a scenario named {name!r} already exists")
            conn.execute("DELETE FROM zones WHERE scenario = ?", (name,))
            conn.execute("DELETE FROM buffers WHERE scenario = ?", (name,))
            if row is None:
                conn.execute("INSERT INTO scenarios (name, created, updated, n_zones, meta) "
                             "VALUES (?, ?, ?, ?, ?)",
                             (name, created, now, len(zone_rows), meta_json))
            else:
                conn.execute("UPDATE scenarios SET created = ?, updated = ?, n_zones = ?, "
                             "meta = ? WHERE id = ?",
                             (created, now, len(zone_rows), meta_json, row[0]))
            conn.executemany(
                "INSERT INTO zones (geom, scenario, zone_index, zone_id, name, rule, "
                "description, params, center_lon, center_lat, radius_km) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", zone_rows)
            conn.executemany(
                "INSERT INTO buffers (geom, scenario, buffer_index, radius_km, layer, label) "
                "VALUES (?, ?, ?, ?, ?, ?)", buffer_rows)
            self._touch(conn, now)
            conn.execute("COMMIT")
        return replace(scenario, zones=list(scenario.zones), buffers=list(scenario.buffers),
                       created=created, updated=now)

    def list(self) -> list[ScenarioSummary]:
        """All saved scenarios as ``(name, updated, n_zones)``, most recently updated first.

        A store file that does not exist yet is empty.
        """
        with self._open(write=False) as conn:
            if conn is None:
                return []
            rows = conn.execute("SELECT name, updated, n_zones FROM scenarios "
                                "ORDER BY updated DESC, name").fetchall()
        return [ScenarioSummary(str(n), str(u), int(k)) for n, u, k in rows]

    def exists(self, name: str) -> bool:
        """True if a scenario called ``name`` is saved."""
        with self._open(write=False) as conn:
            if conn is None:
                return False
            return conn.execute("SELECT 1 FROM scenarios WHERE name = ?",
                                (name,)).fetchone() is not None

    def load(self, name: str) -> Scenario:
        """The saved scenario called ``name``, exactly as saved (full precision).

        Raises
        ------
        InputError
            No scenario of that name, or its stored content is damaged/invalid.
        """
        with self._open(write=False) as conn:
            if conn is None:
                raise ScenarioNotFound(f"no saved scenario named {name!r}")
            conn.execute("BEGIN")  # one consistent snapshot for the three reads
            row = conn.execute("SELECT created, updated, meta FROM scenarios WHERE name = ?",
                               (name,)).fetchone()
            if row is None:
                raise ScenarioNotFound(f"no saved scenario named {name!r}")
            zone_rows = conn.execute(
                "SELECT geom, zone_id, name, rule, description, params, center_lon, "
                "center_lat, radius_km FROM zones WHERE scenario = ? ORDER BY zone_index",
                (name,)).fetchall()
            buffer_rows = conn.execute(
                "SELECT geom, radius_km, layer, label FROM buffers WHERE scenario = ? "
                "ORDER BY buffer_index", (name,)).fetchall()
            conn.execute("COMMIT")
        created, updated, meta_json = row
        where = f"saved scenario {name!r}"
        try:
            meta = json.loads(meta_json)
        except ValueError:
            raise InputError(f"{where} has damaged metadata") from None
        if not isinstance(meta, dict):
            raise InputError(f"{where} has damaged metadata")
        meta.update(created=created, updated=updated)
        fields = _meta_fields(meta, where)
        zones = []
        for geom, zid, zname, rule, desc, params, clon, clat, radius in zone_rows:
            try:
                params_obj = json.loads(params) if params else {}
            except ValueError:
                raise InputError(f"{where}: zone {zid!r} has damaged params") from None
            zones.append(Zone(id=zid, name=zname or "", rule=rule or "drawn",
                              description=desc or "", params=params_obj,
                              geometry=geometry_from_gpkg_blob(geom, f"{where} zone {zid!r}"),
                              center_lon=clon, center_lat=clat, radius_km=radius))
        buffers = []
        for geom, radius, layer, label in buffer_rows:
            pt = None if geom is None else geometry_from_gpkg_blob(geom, f"{where} buffer")
            buffers.append(Buffer(None if pt is None else pt.x, None if pt is None else pt.y,
                                  radius, layer=layer if pt is None else None,
                                  label=label or ""))
        scenario = Scenario(name=name, zones=zones, buffers=buffers, **fields)
        validate_scenario(scenario)
        return scenario

    def rename(self, old: str, new: str) -> None:
        """Rename scenario ``old`` to ``new`` (sets ``updated``); same name is a no-op.

        Raises
        ------
        InputError
            ``old`` is not saved, ``new`` is not a valid name, or ``new`` is
            already taken by another scenario.
        """
        _check_name(new, "new scenario name")
        if not self.path.exists():
            raise ScenarioNotFound(f"no saved scenario named {old!r}")
        with self._open(write=True) as conn:
            assert conn is not None
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT 1 FROM scenarios WHERE name = ?", (old,)).fetchone() is None:
                raise ScenarioNotFound(f"no saved scenario named {old!r}")
            if new == old:
                conn.execute("ROLLBACK")
                return
            if conn.execute("SELECT 1 FROM scenarios WHERE name = ?", (new,)).fetchone():
                raise ScenarioExists(f"a scenario named {new!r} already exists; "
                                 "delete or rename it first")
            now = utc_now_iso()
            conn.execute("UPDATE scenarios SET name = ?, updated = ? WHERE name = ?",
                         (new, now, old))
            conn.execute("UPDATE zones SET scenario = ? WHERE scenario = ?", (new, old))
            conn.execute("UPDATE buffers SET scenario = ? WHERE scenario = ?", (new, old))
            self._touch(conn, now)
            conn.execute("COMMIT")

    def delete(self, name: str) -> None:
        """Delete the scenario called ``name`` with its zones and buffers.

        Raises
        ------
        InputError
            No scenario of that name.
        """
        if not self.path.exists():
            raise ScenarioNotFound(f"no saved scenario named {name!r}")
        with self._open(write=True) as conn:
            assert conn is not None
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.execute("DELETE FROM scenarios WHERE name = ?", (name,))
            if cur.rowcount == 0:
                raise ScenarioNotFound(f"no saved scenario named {name!r}")
            conn.execute("DELETE FROM zones WHERE scenario = ?", (name,))
            conn.execute("DELETE FROM buffers WHERE scenario = ?", (name,))
            self._touch(conn, utc_now_iso())
            conn.execute("COMMIT")
