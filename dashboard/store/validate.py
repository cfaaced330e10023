"""Checking a scenario: every field, with a one-line :class:`InputError` on the first problem.

:func:`validate_scenario` is the gate every codec and the store pass a
scenario through, on the way in and on the way out.  The ``_check_*`` helpers
check one value each and are shared by the codecs that parse raw JSON.
"""
from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from dashboard.data.limits import MAX_RADIUS_KM
from dashboard.geo.errors import InputError
from dashboard.io.filecheck import check_edges, check_lonlat
from dashboard.store.model import (
    MAX_BUFFERS,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    MAX_VERTICES,
    MAX_ZONES,
    UNITS,
    Buffer,
    Scenario,
    ScenarioView,
    Zone,
    format_ts,
)

__all__ = ["validate_scenario"]

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")


# ------------------------------------------------------------- one value each
def value_kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def normalise_ts(value: Any, where: str) -> str:
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
        raise InputError(f"{where}: expected an ISO 8601 date-time string, got {value_kind(value)}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return format_ts(dt)


def check_text(value: Any, where: str, *, max_chars: int = MAX_TEXT_CHARS,
                allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where} must be text, got {value_kind(value)}")
    if not allow_empty and not value.strip():
        raise InputError(f"{where} must not be empty")
    if len(value) > max_chars:
        raise InputError(f"{where} is {len(value)} characters long; at most {max_chars} allowed")
    if "\x00" in value:  # PostgreSQL text cannot hold NUL: both stores refuse it alike
        raise InputError(f"{where} contains a NUL character")
    if _SURROGATES.search(value):  # not encodable as UTF-8: no store, font or file takes it
        raise InputError(f"{where} contains a lone UTF-16 surrogate (\\ud800-\\udfff), "
                         "which is not text")
    return value


def check_name(value: Any, where: str = "scenario name") -> str:
    name = check_text(value, where, max_chars=MAX_NAME_CHARS, allow_empty=False)
    if _CONTROL_CHARS.search(name):
        raise InputError(f"{where} {name!r} contains control characters")
    if name != name.strip():
        raise InputError(f"{where} {name!r} starts or ends with spaces")
    return name


def check_number(value: Any, where: str, *, lo: float | None = None,
                  hi: float | None = None, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{where} must be a number, got {value_kind(value)}")
    x = float(value)
    if not math.isfinite(x):
        raise InputError(f"{where} must be a finite number, got {x}")
    if positive and x <= 0:
        raise InputError(f"{where} must be greater than 0, got {x:g}")
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        if lo is None:  # one-sided bounds (e.g. a radius with only a maximum)
            raise InputError(f"{where} must be at most {hi:g}, got {x:g}")
        if hi is None:
            raise InputError(f"{where} must be at least {lo:g}, got {x:g}")
        raise InputError(f"{where} must be between {lo:g} and {hi:g}, got {x:g}")
    return x


def check_position(lon: Any, lat: Any, where: str) -> tuple[float, float]:
    lon_f = check_number(lon, f"{where} longitude")
    lat_f = check_number(lat, f"{where} latitude")
    _on_globe(np.array([lon_f]), np.array([lat_f]), where)
    return lon_f, lat_f


def _on_globe(lon: np.ndarray, lat: np.ndarray, where: str) -> None:
    """:func:`~dashboard.io.filecheck.check_lonlat` (which says why: swapped axes or
    projected metres), its message after ``where``."""
    try:
        check_lonlat(lon, lat)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def check_json_dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{where} must be an object/dict, got {value_kind(value)}")
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where} must hold only JSON values (text, numbers, lists): {exc}"
                         ) from None
    return value


def _check_zone_geometry(geom: Any, where: str) -> None:
    if not isinstance(geom, (Polygon, MultiPolygon)):
        raise InputError(f"{where}: a zone must be a Polygon or MultiPolygon, "
                         f"not {getattr(geom, 'geom_type', value_kind(geom))}")
    if geom.is_empty:
        raise InputError(f"{where}: the zone geometry is empty")
    if shapely.has_z(geom):
        raise InputError(f"{where}: the zone has 3-D coordinates; zones are 2-D lon/lat")
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        raise InputError(f"{where}: the zone has non-finite coordinates (NaN or infinity)")
    _on_globe(xy[:, 0], xy[:, 1], where)
    _check_no_antimeridian(geom, where)
    if not shapely.is_valid(geom):
        raise InputError(f"{where}: the zone geometry is invalid "
                         f"({shapely.is_valid_reason(geom)}); redraw or repair it")


def _check_no_antimeridian(geom: Polygon | MultiPolygon, where: str) -> None:
    """No ring edge jumps more than 180° of longitude (across the antimeridian)."""
    parts = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    for p in parts:
        for ring in [p.exterior, *p.interiors]:
            check_edges(np.asarray(ring.coords, dtype=float), where)


# ------------------------------------------------------------- the scenario
def validate_scenario(scenario: Scenario) -> None:
    """Check every field of ``scenario``; raise :class:`InputError` on the first problem.

    Zones must be valid, non-empty 2-D Polygons/MultiPolygons inside lon ±180 /
    lat ±90 with unique ids; circles need centre and ``radius_km`` > 0 together;
    buffers need a centre or a layer (not both) and ``radius_km`` > 0; caps:
    :data:`MAX_ZONES`, :data:`MAX_BUFFERS`, :data:`MAX_VERTICES`.
    """
    if not isinstance(scenario, Scenario):
        raise InputError(f"expected a Scenario, got {value_kind(scenario)}")
    check_name(scenario.name)
    label = f"scenario {scenario.name!r}"
    _check_sizes(scenario, label)
    _check_zones(scenario.zones, label)
    for i, b in enumerate(scenario.buffers):
        _check_buffer(b, f"buffer {i + 1}", label)
    _check_context(scenario, label)


def _check_sizes(scenario: Scenario, label: str) -> None:
    """Zones and buffers are lists of the right types, within the caps (cheap checks first)."""
    if not isinstance(scenario.zones, list) or not isinstance(scenario.buffers, list):
        raise InputError(f"{label}: zones and buffers must be lists")
    if len(scenario.zones) > MAX_ZONES:
        raise InputError(f"{label} has {len(scenario.zones)} zones; at most {MAX_ZONES} allowed")
    if len(scenario.buffers) > MAX_BUFFERS:
        raise InputError(f"{label} has {len(scenario.buffers)} buffers; "
                         f"at most {MAX_BUFFERS} allowed")
    for i, z in enumerate(scenario.zones):
        if not isinstance(z, Zone):
            raise InputError(f"{label}: zone {i + 1} is a {value_kind(z)}, not a Zone")
        if not isinstance(z.geometry, BaseGeometry):
            raise InputError(f"zone {i + 1}: geometry must be a shapely Polygon or "
                             f"MultiPolygon, got {value_kind(z.geometry)}")
    n_vertices = scenario.n_vertices  # before validity checks, which cost more
    if n_vertices > MAX_VERTICES:
        raise InputError(f"{label} has {n_vertices:,} vertices; at most {MAX_VERTICES:,} "
                         "allowed - simplify the zones")


def _check_zones(zones: list[Zone], label: str) -> None:
    """Each zone's fields and geometry; zone ids unique within the scenario."""
    seen: set[str] = set()
    for i, z in enumerate(zones):
        zid = check_text(z.id, f"zone {i + 1} id", max_chars=64, allow_empty=False)
        if zid in seen:
            raise InputError(f"zone id {zid!r} appears twice in {label}")
        seen.add(zid)
        _check_zone(z, f"zone {zid!r}")


def _check_zone(z: Zone, where: str) -> None:
    """Text fields, params, the circle (centre in degrees, ``radius_km`` in km), geometry."""
    check_text(z.name, f"{where} name", max_chars=MAX_NAME_CHARS)
    check_text(z.rule, f"{where} rule", max_chars=64)
    check_text(z.description, f"{where} description")
    check_json_dict(z.params, f"{where} params")
    circle = (z.center_lon, z.center_lat, z.radius_km)
    if any(v is not None for v in circle):
        if any(v is None for v in circle):
            raise InputError(f"{where}: a circle needs center_lon, center_lat and "
                             "radius_km together")
        check_position(z.center_lon, z.center_lat, f"{where} centre")
        check_number(z.radius_km, f"{where} radius_km", positive=True, hi=MAX_RADIUS_KM)
    _check_zone_geometry(z.geometry, where)


def _check_buffer(b: Any, where: str, label: str) -> None:
    """A :class:`Buffer` with ``radius_km`` > 0 (km) and a centre or a layer, not both."""
    if not isinstance(b, Buffer):
        raise InputError(f"{label}: {where} is a {value_kind(b)}, not a Buffer")
    check_number(b.radius_km, f"{where} radius_km", positive=True, hi=MAX_RADIUS_KM)
    check_text(b.label, f"{where} label", max_chars=MAX_NAME_CHARS)
    if b.layer is not None:
        check_text(b.layer, f"{where} layer", max_chars=MAX_NAME_CHARS, allow_empty=False)
        if b.lon is not None or b.lat is not None:
            raise InputError(f"{where}: give either a centre (lon/lat) or a layer, not both")
    else:
        if b.lon is None or b.lat is None:
            raise InputError(f"{where}: needs a centre (lon and lat) or a layer name")
        check_position(b.lon, b.lat, f"{where} centre")


def _check_context(scenario: Scenario, label: str) -> None:
    """Incident, view (degrees, zoom 0-24), ``as_of`` date, units and timestamps."""
    if scenario.incident_id is not None:
        check_text(scenario.incident_id, "incident id", max_chars=MAX_NAME_CHARS,
                    allow_empty=False)
    if scenario.view is not None:
        v = scenario.view
        if not isinstance(v, ScenarioView):
            raise InputError(f"{label}: view must be a ScenarioView, got {value_kind(v)}")
        check_position(v.lon, v.lat, "view centre")
        check_number(v.zoom, "view zoom", lo=0.0, hi=24.0)
    if scenario.as_of is not None and (not isinstance(scenario.as_of, date)
                                       or isinstance(scenario.as_of, datetime)):
        raise InputError(f"{label}: as_of must be a date, got {value_kind(scenario.as_of)}")
    if scenario.units not in UNITS:
        raise InputError(f"units must be one of {', '.join(UNITS)}, got {scenario.units!r}")
    normalise_ts(scenario.created, "created")
    normalise_ts(scenario.updated, "updated")
