"""The catalogue's choices for the zones page, and zone metrics, memoised process-wide.

What the page offers (incidents, Ukraine's oblasts, the candidate zones, the
NATO-border segments with Ukraine on a date) and what a zone measures
(:func:`zone_metrics_cached`, keyed on the geometry's content and the date,
:func:`dashboard.geo.cache.memoize`).  Results are shared: callers must not
modify them.  No Streamlit here.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from shapely.geometry.base import BaseGeometry

from dashboard.analysis import effectiveness as eff
from dashboard.analysis import zones as core_zones
from dashboard.analysis.air_bases import air_base_table
from dashboard.analysis.gbad import GbadCover
from dashboard.analysis.incident_catalogue import catalogue_token, incident_layer, incident_rows
from dashboard.analysis.reach import Reach
from dashboard.analysis.zones import ZoneMetrics
from dashboard.geo.cache import content_token, memoize
from dashboard.geo.errors import InputError
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer
from dashboard.scene.compose.reach import gbad_for, reach_for


def incident_list() -> list[dict[str, Any]]:
    """The point incidents as ``{id, date, place, lon, lat}`` (degrees), by date (read only)."""
    return _incident_list(catalogue_token())


@memoize(maxsize=2)
def _incident_list(token: str) -> list[dict[str, Any]]:
    g = incident_layer()
    return [{"id": str(r["id"]), "date": str(r["date"]), "place": str(r["place"]),
             "lon": float(r["geometry"].x), "lat": float(r["geometry"].y)}
            for _, r in g.iterrows()]


def incident_lonlats() -> dict[str, tuple[float, float]]:
    """Incident id -> (lon, lat) in degrees."""
    return {i["id"]: (i["lon"], i["lat"]) for i in incident_list()}


@memoize(maxsize=1)
def ua_regions() -> dict[str, str]:
    """Ukraine's oblasts: ISO 3166-2 code -> ``"Name (code)"``, by name (read only)."""
    r = load_layer("regions")
    r = r[r["country"] == "UA"].sort_values("name")
    return {str(c): f"{n} ({c})" for c, n in zip(r["iso_3166_2"], r["name"])}


@memoize(maxsize=1)
def presets() -> dict[str, str]:
    """The candidate zones of ``geodata/zones.geojson``: id -> name (read only)."""
    z = load_layer("zones")
    return {str(i): str(n) for i, n in zip(z["id"], z["name"])}


def ua_border_segments(as_of: date) -> list[str]:
    """Ids of the NATO border segments with Ukraine on ``as_of`` (e.g. ``PL-UA``)."""
    b = nato_border_on(as_of, load_layer("nato_border"))
    return [str(s) for s in b.loc[b["neighbour"] == "UA", "id"]]


@memoize(maxsize=512, key=lambda geometry, as_of: (content_token(geometry), as_of.isoformat()))
def zone_metrics_cached(geometry: BaseGeometry, as_of: date) -> ZoneMetrics:
    """:func:`dashboard.analysis.zones.zone_metrics` (km, km², people) of a zone on a date,
    against the committed layers, cached on the geometry's content and the date."""
    return core_zones.zone_metrics(geometry, as_of.isoformat(), core_zones.builtin_zone_layers())


@memoize(maxsize=1)
def air_base_choices() -> dict[str, str]:
    """The air bases: ICAO code -> ``"EPRZ · Rzeszow-Jasionka Airport (PL)"``, by code
    (read only; empty when the build has no air-bases layer)."""
    try:
        t = air_base_table()
    except InputError:
        return {}
    return {str(c): f"{c} · {n} ({k})" for c, n, k in zip(t["code"], t["name"], t["country"])}


def reach_cached(geometry: BaseGeometry, bases: tuple[tuple[str, float, float], ...],
                 radius_km: float, speed_kmh: float | None) -> Reach:
    """:func:`dashboard.analysis.reach.reach_figures`, memoised with the map's bands."""
    return reach_for(geometry, bases, radius_km, speed_kmh)


def gbad_cached(geometry: BaseGeometry, launchers: tuple[tuple[float, float, float], ...],
                as_of: date) -> GbadCover:
    """:func:`dashboard.analysis.gbad.gbad_cover` on the NATO border of ``as_of``, memoised."""
    return gbad_for(geometry, launchers, as_of)


def effectiveness_cached(geometry: BaseGeometry) -> list[eff.EffectivenessRow]:
    """:func:`dashboard.analysis.effectiveness.effectiveness` of the catalogue's default
    hypotheses against a zone, memoised on the zone and the catalogue (slow: seconds)."""
    return _effectiveness(geometry, catalogue_token())


@memoize(maxsize=64, key=lambda geometry, token: (content_token(geometry), token))
def _effectiveness(geometry: BaseGeometry, token: str) -> list[eff.EffectivenessRow]:
    return eff.effectiveness(geometry, eff.default_hypotheses(incident_rows()))
