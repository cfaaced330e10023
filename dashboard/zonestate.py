"""The zones and scenarios of the "No-fly zones" page, as plain data and pure steps.

Nothing here imports Streamlit: ``state`` is any mutable mapping (Streamlit's
``st.session_state`` in the app, a plain dict in tests).

Zones live in ``state["drawn_zones"]``, a list of dicts::

    {"id": "z3", "name": "Zone 3", "geometry": <shapely Polygon|MultiPolygon, WGS84>,
     "rule": "drawn" | "rectangle" | "circle" | "regions" | "border_band" | "ring"
             | "coordinates" | "table" | "import",
     "description": "50 km band inside UA along PL-UA", "params": {...JSON...},
     "editable": bool,                       # on the map's Leaflet.draw layer
     "center_lon": .., "center_lat": .., "radius_km": ..}   # circles only

Keys this module owns, all prefixed ``zones_``: ``zones_gen`` (generation of
the drawing map; bumped whenever zones change other than by drawing),
``zones_snapshot`` (the zones the map was built with), ``zones_map_sig``
(everything else the map shows), ``zones_seen`` (the last ``all_drawings``
taken in), ``zones_view`` (the map's last centre and zoom), ``zones_map_view``
(the view the map was built with), ``zones_notes`` (messages to show once),
``zones_dirty`` (zones were drawn or edited on the map since the snapshot).

Why generations: ``streamlit_folium`` keys its component on the map's script,
so a map rebuilt with a just-drawn shape in it would be re-mounted in the
browser (losing the view and any edit in progress).  The map is therefore
built from a snapshot that changes only with the generation; between
generations the browser's drawing layer is the truth for editable zones and
:func:`apply_drawings` folds each ``all_drawings`` into the list.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, MutableMapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from dashboard import appstate
from dashboard.geo.errors import InputError
from dashboard.geo.units import KM_PER_UNIT, from_km
from dashboard.render.drawmap import (
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    DrawnShape,
    MapZone,
    can_edit_on_map,
    check_lonlat_array,
    feature_to_shape,
    repair_polygon,
    same_shape,
)
from dashboard.scenarios import Buffer, Scenario, ScenarioView, Zone

State = MutableMapping[str, Any]

#: Zones a page may hold (same cap as a scenario).
MAX_ZONES: int = 500
#: Most vertices the vertex table shows for editing.
MAX_TABLE_VERTICES: int = 5000
#: Centres closer than this (degrees) are the same point (the URL form rounds to 1e-5).
SAME_POINT_DEG: float = 2e-5
#: Rule names and how the page describes them.
RULE_LABELS: dict[str, str] = {
    "drawn": "drawn polygon", "rectangle": "drawn rectangle", "circle": "drawn circle",
    "regions": "union of oblasts", "border_band": "band along the NATO border",
    "ring": "ring around a point", "coordinates": "typed coordinates",
    "table": "edited in the vertex table", "import": "imported file",
}
_SHAPE_RULE = {"polygon": "drawn", "rectangle": "rectangle", "circle": "circle"}
_SHAPE_NAME = {"polygon": "Polygon", "rectangle": "Rectangle", "circle": "Circle"}


# ------------------------------------------------------------------------ state
def init(state: State) -> None:
    """Put this page's keys into ``state`` with their defaults, once."""
    state.setdefault("drawn_zones", [])
    state.setdefault("zones_gen", 0)
    state.setdefault("zones_snapshot", [])
    state.setdefault("zones_map_sig", None)
    state.setdefault("zones_seen", None)
    state.setdefault("zones_view", {"lon": DEFAULT_CENTER[0], "lat": DEFAULT_CENTER[1],
                                    "zoom": DEFAULT_ZOOM})
    state.setdefault("zones_map_view", dict(state["zones_view"]))
    state.setdefault("zones_notes", [])
    state.setdefault("zones_dirty", False)


def note(state: State, level: str, text: str) -> None:
    """Queue a message (``level`` in error/warning/info/success) for the next page run."""
    state.setdefault("zones_notes", []).append((level, text))


def is_circle(z: Mapping[str, Any]) -> bool:
    """True if the zone has a centre and a geodesic radius."""
    return z.get("radius_km") is not None and z.get("center_lon") is not None


def rect_bounds(z: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """A drawn rectangle's (west, south, east, north) in degrees, else None."""
    b = (z.get("params") or {}).get("bounds_deg")
    if z.get("rule") == "rectangle" and isinstance(b, (list, tuple)) and len(b) == 4:
        return tuple(float(v) for v in b)  # type: ignore[return-value]
    return None


def to_map_zone(z: Mapping[str, Any]) -> MapZone:
    """The zone as the drawing map shows it (editable or read-only)."""
    circle = is_circle(z)
    bounds = rect_bounds(z)
    editable = can_edit_on_map(z["geometry"], is_circle=circle, is_rectangle=bounds is not None)
    return MapZone(zone_id=z["id"], name=z["name"], geometry=z["geometry"],
                   shape="circle" if circle else "rectangle" if bounds else "polygon",
                   center_lon=z.get("center_lon") if circle else None,
                   center_lat=z.get("center_lat") if circle else None,
                   radius_km=z.get("radius_km") if circle else None,
                   bounds_deg=bounds, editable=editable)


def bump(state: State) -> None:
    """Zones changed other than by drawing: rebuild the drawing map from them.

    Increments ``zones_gen``, marks which zones go on the Leaflet.draw layer,
    takes the snapshot the map is built from and keeps the map's current view.
    """
    snapshot = []
    for z in state["drawn_zones"]:
        mz = to_map_zone(z)
        z["editable"] = mz.editable
        snapshot.append(mz)
    state["zones_snapshot"] = snapshot
    state["zones_gen"] = int(state.get("zones_gen", 0)) + 1
    state["zones_seen"] = None
    state["zones_dirty"] = False
    state["zones_map_view"] = dict(state.get("zones_view") or {})


def ensure_map_sig(state: State, sig: Any) -> None:
    """Rebuild the map (``bump``) when anything else it shows changed (date, rings...)."""
    if state.get("zones_map_sig") != sig:
        state["zones_map_sig"] = sig
        bump(state)


def map_is_stale(state: State, all_drawings: Any) -> bool:
    """True if the browser shows an old snapshot: a freshly mounted map
    (``all_drawings`` is None until the first draw event) while zones were drawn
    or edited since the snapshot was taken.  The caller then ``bump``s and reruns,
    so that the next draw event cannot drop those zones."""
    return all_drawings is None and bool(state.get("zones_dirty"))


# ------------------------------------------------------------------------- zones
def zone_by_id(zones: Sequence[Mapping[str, Any]], zone_id: str) -> dict | None:
    return next((z for z in zones if z["id"] == zone_id), None)  # type: ignore[return-value]


def new_zone_id(zones: Sequence[Mapping[str, Any]]) -> str:
    """``"z<n>"`` with n one more than the largest in use."""
    n = 0
    for z in zones:
        m = re.fullmatch(r"z(\d+)", str(z.get("id", "")))
        if m:
            n = max(n, int(m.group(1)))
    return f"z{n + 1}"


def unique_name(base: str, zones: Sequence[Mapping[str, Any]], exclude_id: str | None = None,
                ) -> str:
    """``base``, or ``base 2``, ``base 3``... so no two zones share a name."""
    base = (base or "Zone").strip() or "Zone"
    taken = {z["name"] for z in zones if z.get("id") != exclude_id}
    if base not in taken:
        return base
    k = 2
    while f"{base} {k}" in taken:
        k += 1
    return f"{base} {k}"


def numbered_name(prefix: str, zones: Sequence[Mapping[str, Any]]) -> str:
    """``prefix n`` with the first n not yet used."""
    taken = {z["name"] for z in zones}
    k = 1
    while f"{prefix} {k}" in taken:
        k += 1
    return f"{prefix} {k}"


def check_zone_geometry(geom: BaseGeometry, what: str) -> tuple[Polygon | MultiPolygon,
                                                                list[str]]:
    """A zone geometry, 2-D, on the globe, valid (repaired with make_valid and said so)."""
    if geom is None or geom.is_empty:
        raise InputError(f"{what} is empty")
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    check_lonlat_array(shapely.get_coordinates(geom), what)
    if not isinstance(geom, (Polygon, MultiPolygon)):
        from dashboard.render.drawmap import polygonal_part
        poly = polygonal_part(geom)
        if poly is None:
            raise InputError(f"{what} is a {geom.geom_type}, not an area; a zone must be a "
                             "polygon")
        geom = poly
    return repair_polygon(geom, what)


def add_zone(state: State, geometry: BaseGeometry, *, rule: str, name: str | None = None,
             description: str = "", params: Mapping[str, Any] | None = None,
             circle: tuple[float, float, float] | None = None, zone_id: str | None = None,
             ) -> dict:
    """Append a zone to ``state["drawn_zones"]`` and return it (does not ``bump``).

    Parameters
    ----------
    geometry : Polygon | MultiPolygon, WGS84 degrees
    rule : str
        How it was made (see :data:`RULE_LABELS`).
    circle : (center_lon, center_lat, radius_km), optional
        For geodesic circles: centre in degrees, radius in km.

    Raises
    ------
    InputError
        Empty or non-areal geometry, coordinates off the globe, too many zones.
    """
    zones = state["drawn_zones"]
    if len(zones) >= MAX_ZONES:
        raise InputError(f"at most {MAX_ZONES} zones on the page; delete some first")
    geom, messages = check_zone_geometry(geometry, f"zone {name or ''}".strip())
    for m in messages:
        note(state, "warning", m)
    z: dict[str, Any] = {
        "id": zone_id or new_zone_id(zones),
        "name": unique_name(name or numbered_name("Zone", zones), zones),
        "geometry": geom, "rule": rule, "description": description,
        "params": dict(params or {}), "editable": False,
    }
    if circle is not None:
        z["center_lon"], z["center_lat"], z["radius_km"] = (float(v) for v in circle)
    _json_params(z["params"])
    zones.append(z)
    return z


def _json_params(params: Mapping[str, Any]) -> None:
    try:
        json.dumps(params, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"zone parameters are not plain values: {exc}") from None


def rename_zone(state: State, zone_id: str, new_name: str) -> None:
    """Rename a zone; names are unique on the page.

    Raises
    ------
    InputError
        Empty name, a name another zone has, or more than 120 characters.
    """
    z = zone_by_id(state["drawn_zones"], zone_id)
    if z is None:
        raise InputError("that zone no longer exists")
    name = (new_name or "").strip()
    if not name:
        raise InputError("a zone name cannot be empty")
    if len(name) > 120:
        raise InputError("a zone name may have at most 120 characters")
    if any(o["name"] == name and o["id"] != zone_id for o in state["drawn_zones"]):
        raise InputError(f"another zone is already called {name!r}")
    z["name"] = name


def delete_zone(state: State, zone_id: str) -> None:
    """Remove a zone (and rebuild the map without it)."""
    state["drawn_zones"] = [z for z in state["drawn_zones"] if z["id"] != zone_id]
    bump(state)


def replace_geometry(z: dict, geometry: BaseGeometry, *, rule: str | None = None,
                     description: str | None = None, keep_circle: bool = False) -> None:
    """Give a zone a new geometry (no longer a circle or rectangle unless ``keep_circle``)."""
    z["geometry"] = geometry
    if rule is not None:
        z["rule"] = rule
    if description is not None:
        z["description"] = description
    if not keep_circle:
        for k in ("center_lon", "center_lat", "radius_km"):
            z.pop(k, None)
        z.get("params", {}).pop("bounds_deg", None)


# ------------------------------------------------------------------ map drawings
def _apply_shape(z: dict, shp: DrawnShape) -> None:
    z["geometry"] = shp.geometry
    if shp.shape == "circle":
        z["center_lon"], z["center_lat"], z["radius_km"] = (shp.center_lon, shp.center_lat,
                                                             shp.radius_km)
        z.setdefault("params", {}).update(center_lon=shp.center_lon, center_lat=shp.center_lat,
                                          radius_km=shp.radius_km)
        z["description"] = (f"circle of radius {shp.radius_km:.3f} km around "
                            f"{shp.center_lat:.5f}, {shp.center_lon:.5f} (geodesic)")
    elif shp.shape == "rectangle":
        for k in ("center_lon", "center_lat", "radius_km"):
            z.pop(k, None)
        w, s, e, n = shp.bounds_deg
        z.setdefault("params", {})["bounds_deg"] = [w, s, e, n]
        z["rule"] = "rectangle"
        z["description"] = f"{s:.4f}°–{n:.4f}° N, {w:.4f}°–{e:.4f}° E (edges along parallels)"
    else:
        for k in ("center_lon", "center_lat", "radius_km"):
            z.pop(k, None)
        z.get("params", {}).pop("bounds_deg", None)
        n = len(shapely.get_coordinates(shp.geometry)) - (
            1 if isinstance(shp.geometry, Polygon) else 0)
        if z.get("rule") in (None, "drawn", "rectangle", "circle"):
            z["rule"] = "drawn"
        z["description"] = f"polygon of {n} vertices, geodesic edges"


def apply_drawings(state: State, features: Sequence[Mapping[str, Any]] | None) -> bool:
    """Fold the map's ``all_drawings`` into ``state["drawn_zones"]``.

    Features tagged with the id of an editable zone update it if its shape
    changed; untagged or unknown ids are new zones; editable zones missing
    from ``features`` were deleted on the map.  A feature that cannot be a zone
    is skipped with a message (queued with :func:`note`).

    Returns
    -------
    bool
        True if any zone was added, changed or removed.
    """
    if features is None:
        return False
    key = (state.get("zones_gen"), json.dumps(features, sort_keys=True, default=str))
    if key == state.get("zones_seen"):
        return False
    state["zones_seen"] = key
    zones: list[dict] = state["drawn_zones"]
    seen: set[str] = set()
    changed = False
    for i, f in enumerate(features):
        try:
            shp = feature_to_shape(f)
        except InputError as exc:
            note(state, "error", f"Shape {i + 1} on the map was not taken: {exc}")
            continue
        for m in shp.messages:
            note(state, "warning", m)
        zid = shp.zone_id
        if zid is None:
            digest = hashlib.sha1(json.dumps(f.get("geometry"), sort_keys=True,
                                             default=str).encode()).hexdigest()[:10]
            zid = f"map-{digest}"
        seen.add(zid)
        z = zone_by_id(zones, zid)
        if z is None:
            if len(zones) >= MAX_ZONES:
                note(state, "error", f"at most {MAX_ZONES} zones; delete some first")
                continue
            z = {"id": zid, "name": numbered_name(_SHAPE_NAME[shp.shape], zones),
                 "geometry": shp.geometry, "rule": _SHAPE_RULE[shp.shape],
                 "description": "", "params": {}, "editable": True}
            _apply_shape(z, shp)
            zones.append(z)
            changed = True
            continue
        if not z.get("editable"):
            continue
        if same_shape(shp, z["geometry"], center_lon=z.get("center_lon"),
                      center_lat=z.get("center_lat"), radius_km=z.get("radius_km"),
                      bounds_deg=rect_bounds(z)):
            continue
        _apply_shape(z, shp)
        changed = True
    kept = [z for z in zones if not z.get("editable") or z["id"] in seen]
    if len(kept) != len(zones):
        changed = True
        state["drawn_zones"] = kept
    if changed:
        state["zones_dirty"] = True
    return changed


# ------------------------------------------------------------------- vertex table
def vertex_table(geometry: BaseGeometry) -> pd.DataFrame:
    """Vertices of a zone as a table: ``part``, ``ring`` (0 = outline, 1.. = holes),
    ``lon``, ``lat`` in degrees; the closing vertex of each ring is left out."""
    rows: list[tuple[int, int, float, float]] = []
    polys = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    for p_i, poly in enumerate(polys, start=1):
        for r_i, ring in enumerate([poly.exterior, *poly.interiors]):
            xy = np.asarray(ring.coords)[:-1, :2]
            rows.extend((p_i, r_i, float(x), float(y)) for x, y in xy)
    return pd.DataFrame(rows, columns=["part", "ring", "lon", "lat"])


def table_to_geometry(df: pd.DataFrame, what: str = "the vertex table",
                      ) -> tuple[Polygon | MultiPolygon, list[str]]:
    """Rebuild a polygon from a vertex table (see :func:`vertex_table`).

    Rows are taken in order within each (part, ring); a missing part/ring
    means part 1, outline.  Rows with both lon and lat empty are ignored.

    Raises
    ------
    InputError
        Non-numeric or missing coordinates, coordinates off the globe, a ring
        with fewer than 3 vertices, or no area left.
    """
    if df is None or len(df) == 0:
        raise InputError(f"{what} is empty")
    missing = [c for c in ("lon", "lat") if c not in df.columns]
    if missing:
        raise InputError(f"{what} needs columns lon and lat")
    t = df.reset_index(drop=True).copy()
    t["_row"] = np.arange(1, len(t) + 1)
    for c in ("part", "ring"):
        if c not in t.columns:
            t[c] = 1 if c == "part" else 0
    t = t[~(t["lon"].isna() & t["lat"].isna())]
    for c in ("lon", "lat"):
        t[c] = pd.to_numeric(t[c], errors="coerce")
    bad = t[["lon", "lat"]].isna().any(axis=1).to_numpy()
    if bad.any():
        raise InputError(f"{what}: row {int(t['_row'].to_numpy()[bad][0])} has a missing or "
                         "non-numeric lon/lat")
    t["part"] = pd.to_numeric(t["part"], errors="coerce").fillna(1).astype(int)
    t["ring"] = pd.to_numeric(t["ring"], errors="coerce").fillna(0).astype(int)
    check_lonlat_array(t[["lon", "lat"]].to_numpy(dtype=float), what)
    polys = []
    for part, g in t.groupby("part", sort=True):
        rings = []
        for ring, r in g.groupby("ring", sort=True):
            xy = r[["lon", "lat"]].to_numpy(dtype=float)
            if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
                xy = xy[:-1]
            if len(np.unique(xy, axis=0)) < 3:
                raise InputError(f"{what}: part {part} ring {ring} needs at least 3 "
                                 "different vertices")
            rings.append((ring, xy))
        rings.sort(key=lambda t_: t_[0])
        if rings[0][0] != 0:
            raise InputError(f"{what}: part {part} has holes (ring ≥ 1) but no outline "
                             "(ring 0)")
        polys.append(Polygon(rings[0][1], [xy for _, xy in rings[1:]]))
    geom: BaseGeometry = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    return repair_polygon(geom, what)


def parse_vertex_text(text: str) -> Polygon:
    """A polygon from one position per line, in any form
    :func:`dashboard.geo.coords.parse_position` reads (decimal ``lat, lon``, DMS, MGRS).

    Raises
    ------
    InputError
        A line that is not a position (its number is given), fewer than 3
        vertices, or an outline that crosses itself.
    """
    from dashboard.geo.coords import parse_position

    pts: list[tuple[float, float]] = []
    for k, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            lon, lat = parse_position(line)
        except InputError as exc:
            raise InputError(f"line {k}: {exc}") from None
        pts.append((lon, lat))
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(set(pts)) < 3:
        raise InputError("give at least 3 different vertices, one per line")
    poly = Polygon(pts)
    if not poly.is_valid:
        raise InputError("the outline crosses itself; list the vertices in order around "
                         "the zone")
    return poly


def n_vertices(geometry: BaseGeometry) -> int:
    """Distinct vertices of a polygon's rings (closing vertices not counted)."""
    polys = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    return sum(len(r.coords) - 1 for p in polys for r in [p.exterior, *p.interiors])


# ---------------------------------------------------------------------- metrics
def area_in_units(area_km2: float, units: str) -> float:
    """km² -> square ``units`` (km², nm² or mi²)."""
    return float(area_km2) / KM_PER_UNIT[units] ** 2


def comparison_table(zones: Sequence[Mapping[str, Any]], metrics: Mapping[str, Mapping],
                     units: str, incidents: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Zones side by side: one row per zone, one column per figure, in ``units``.

    Parameters
    ----------
    zones : zone dicts
    metrics : zone id -> :func:`dashboard.geo.zones.zone_metrics` result
    units : {"km", "nm", "mi"}
    incidents : dicts with ``id``, ``date``, ``place``; one distance column each

    Columns: ``zone``, ``rule``, ``area (u²)``, ``perimeter (u)``,
    ``NATO border covered (u)``, ``cities inside``, ``population inside``,
    ``largest city``, ``closest to Belarus (u)``, ``closest to Russia (u)``,
    then ``to <incident id> (u)``.  Distances are rounded to 0.1 unit, areas to
    1 unit².
    """
    u = units
    rows = []
    for z in zones:
        m = metrics.get(z["id"])
        if m is None:
            continue
        ci = m.get("cities_inside") or {}
        largest = ci.get("largest") or []
        row: dict[str, Any] = {
            "zone": z["name"],
            "rule": RULE_LABELS.get(z.get("rule", ""), z.get("rule", "")),
            f"area ({u}²)": round(area_in_units(m["area_km2"], u), 0),
            f"perimeter ({u})": round(from_km(m["perimeter_km"], u), 1),
            f"NATO border covered ({u})": round(from_km(m["nato_border_km"], u), 1),
            "cities inside": int(ci.get("count") or 0),
            "population inside": int(ci.get("population") or 0),
            "largest city": str(largest[0]["name"]) if largest else "",
            f"closest to Belarus ({u})": _round_dist(m.get("closest_belarus_km"), u),
            f"closest to Russia ({u})": _round_dist(m.get("closest_russia_km"), u),
        }
        by_inc = {str(i.get("id")): i for i in m.get("incidents") or []}
        for inc in incidents:
            d = by_inc.get(str(inc["id"]), {}).get("distance_km")
            row[f"to {inc['id']} ({u})"] = _round_dist(d, u)
        rows.append(row)
    return pd.DataFrame(rows)


def _round_dist(d_km: Any, units: str) -> float:
    if d_km is None:
        return float("nan")
    d = float(d_km)
    return round(from_km(d, units), 1) if math.isfinite(d) else float("nan")


# --------------------------------------------------------------------- scenarios
def zone_to_model(z: Mapping[str, Any]) -> Zone:
    """Page zone dict -> :class:`dashboard.scenarios.Zone`."""
    circle = is_circle(z)
    return Zone(id=str(z["id"]), name=str(z["name"]), geometry=z["geometry"],
                rule=str(z.get("rule") or "drawn"), description=str(z.get("description") or ""),
                params=dict(z.get("params") or {}),
                center_lon=float(z["center_lon"]) if circle else None,
                center_lat=float(z["center_lat"]) if circle else None,
                radius_km=float(z["radius_km"]) if circle else None)


def model_to_zone(zm: Zone) -> dict:
    """:class:`dashboard.scenarios.Zone` -> page zone dict."""
    z: dict[str, Any] = {"id": zm.id, "name": zm.name, "geometry": zm.geometry,
                         "rule": zm.rule, "description": zm.description,
                         "params": dict(zm.params), "editable": False}
    if zm.is_circle:
        z.update(center_lon=float(zm.center_lon), center_lat=float(zm.center_lat),
                 radius_km=float(zm.radius_km))
    return z


def buffer_center(state: Mapping[str, Any], incident_lonlat: tuple[float, float],
                  ) -> tuple[float, float]:
    """Where the rings are drawn: the picked point, else the incident (lon, lat)."""
    picked = state.get("picked")
    if picked:
        return float(picked["lon"]), float(picked["lat"])
    return float(incident_lonlat[0]), float(incident_lonlat[1])


def state_to_scenario(state: Mapping[str, Any], name: str,
                      incident_lonlat: tuple[float, float]) -> Scenario:
    """The page as a :class:`~dashboard.scenarios.Scenario` called ``name``.

    Zones; the rings (``rings_km``) around the picked point or the incident as
    point buffers; the border band (``band_km``) as a buffer around the
    ``nato_border`` layer; the incident, the date, the units, and the drawing
    map's view.
    """
    lon, lat = buffer_center(state, incident_lonlat)
    buffers = [Buffer(lon, lat, float(r), label=f"{r:g} km") for r in state.get("rings_km") or []]
    band = float(state.get("band_km") or 0.0)
    if band > 0:
        buffers.append(Buffer.around_layer("nato_border", band,
                                           label=f"{band:g} km band inside Ukraine"))
    v = state.get("zones_view") or {}
    view = ScenarioView(lon=float(v.get("lon", DEFAULT_CENTER[0])),
                        lat=float(v.get("lat", DEFAULT_CENTER[1])),
                        zoom=float(v.get("zoom", DEFAULT_ZOOM)))
    as_of = state.get("as_of")
    return Scenario(name=name, zones=[zone_to_model(z) for z in state["drawn_zones"]],
                    buffers=buffers, incident_id=state.get("incident"), view=view,
                    as_of=as_of if isinstance(as_of, date) else None,
                    units=state.get("units") or "km")


def apply_scenario(state: State, sc: Scenario,
                   incidents: Mapping[str, tuple[float, float]]) -> list[str]:
    """Open a scenario on the page: zones, rings, band, incident, date, units, view.

    Must run before the page's widgets are drawn (a button callback), because
    it sets widget keys (``incident``, ``as_of``, ``units``, ring and band
    inputs).

    Parameters
    ----------
    incidents : incident id -> (lon, lat) in degrees

    Returns
    -------
    list of str
        What could not be taken over as it was (unknown incident, several ring
        centres...).
    """
    messages: list[str] = []
    state["drawn_zones"] = [model_to_zone(z) for z in sc.zones]
    if sc.incident_id is not None:
        if sc.incident_id in incidents:
            state["incident"] = sc.incident_id
        else:
            messages.append(f"the scenario's incident {sc.incident_id!r} is not in this "
                            "dashboard; kept the selected one")
    if sc.as_of is not None:
        state["as_of"] = sc.as_of
    if sc.units in KM_PER_UNIT:
        state["units"] = sc.units
    inc_lonlat = incidents.get(state.get("incident"))
    point_bufs = [b for b in sc.buffers if b.layer is None]
    layer_bufs = [b for b in sc.buffers if b.layer is not None]
    radii: list[float] = []
    picked = None
    if point_bufs:
        c_lon, c_lat = float(point_bufs[0].lon), float(point_bufs[0].lat)
        same = [b for b in point_bufs if abs(b.lon - c_lon) <= SAME_POINT_DEG
                and abs(b.lat - c_lat) <= SAME_POINT_DEG]
        if len(same) < len(point_bufs):
            messages.append(f"the page draws rings around one point; {len(point_bufs) - len(same)}"
                            " ring(s) around other points were left out")
        radii = [float(b.radius_km) for b in same]
        at_incident = inc_lonlat is not None and (
            abs(inc_lonlat[0] - c_lon) <= SAME_POINT_DEG
            and abs(inc_lonlat[1] - c_lat) <= SAME_POINT_DEG)
        if not at_incident:
            picked = {"layer": "scenario", "id": None, "name": "ring centre of the scenario",
                      "lon": c_lon, "lat": c_lat}
    if len(radii) > appstate.MAX_RINGS:
        messages.append(f"only the first {appstate.MAX_RINGS} rings were kept")
        radii = sorted(set(radii))[:appstate.MAX_RINGS]
    band = 0.0
    for b in layer_bufs:
        if b.layer == "nato_border" and band == 0.0:
            band = float(b.radius_km)
        else:
            messages.append(f"a buffer around layer {b.layer!r} is not shown on this page")
    state["picked"] = picked
    state["band_km"] = band
    for u in KM_PER_UNIT:
        state.pop(appstate.rings_text_key(u), None)
        state.pop(appstate.band_key(u), None)
    appstate.set_rings_km(state, radii)
    if sc.view is not None:
        state["zones_view"] = {"lat": float(sc.view.lat), "lon": float(sc.view.lon),
                               "zoom": float(sc.view.zoom)}
    bump(state)
    return messages
