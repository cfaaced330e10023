"""The zones of the "No-fly zones" page in session state: facts, figures, the map's editor.

Nothing here imports Streamlit: ``state`` is any mutable mapping
(Streamlit's ``st.session_state`` in the app, a plain dict in tests).  Zones
are :class:`dashboard.store.Zone` instances in ``state.drawn_zones``,
WGS84 lon/lat degrees.  This module reads that list and keeps the drawing map
in step with it; the commands that change the list are
:mod:`dashboard.state.zones`.

- **facts**: :func:`init`, :func:`note`, :func:`zone_by_id`, ids and names;
- **figures**: zone metrics and the catalogue's choices, memoised process-wide
  (:func:`dashboard.geo.cache.memoize`, metrics keyed on the geometry's content),
  and how the page shows them (:func:`metrics_summary`, :func:`detail_rows`,
  :func:`comparison_table`);
- **the map's editor**: :func:`bump`, :func:`editable_features`, :func:`apply_drawings`;
- **scenarios**: :func:`state_to_scenario` and :func:`apply_scenario`.

Keys, all set by :func:`init`: ``drawn_zones`` (the zones), ``zones_editable``
(ids of the zones the map's editor holds: :func:`editable_features`),
``zones_notes`` (messages to show once), ``zones_gen`` (generation of the zone
list, bumped whenever zones change other than by drawing; widgets that show a
zone are keyed on it so they show the new state), ``zones_snapshot`` (the
:class:`~dashboard.state.drawing.MapZone` list of that generation), ``zones_view`` (the
map's last centre and zoom, kept in scenarios and share links).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
from shapely.geometry.base import BaseGeometry

from dashboard.state import session as appstate
from dashboard.geo.cache import content_token, memoize
from dashboard.state.drawing import (
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    DrawnShape,
    is_circle,
    apply_shape,
    feature_to_shape,
    rect_bounds,
    same_shape,
    to_map_zone,
)
from dashboard.analysis import zones as core_zones
from dashboard.geo.errors import InputError
from dashboard.io.layers_io import load_layer
from dashboard.geo.nato import nato_border_on
from dashboard.geo.units import KM_PER_UNIT, format_distance, from_km
from dashboard.scene.request import SceneRequest, same_point, scenario_request
from dashboard.store import Buffer, Scenario, ScenarioView, Zone
from dashboard.scene.model import Scene
from dashboard.state.fields import Session, StateLike


#: Zones a page may hold (same cap as a scenario).
MAX_ZONES: int = 500
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
def init(state: StateLike) -> None:
    """Put the page's zone and map keys into ``state`` with their defaults, once."""
    state = Session.of(state)
    state.setdefault("drawn_zones", [])
    state.setdefault("zones_editable", set())
    state.setdefault("zones_notes", [])
    state.setdefault("zones_gen", 0)
    state.setdefault("zones_snapshot", [])
    state.setdefault("zones_map_sig", None)
    state.setdefault("zones_seen", None)
    state.setdefault("zones_view", {"lon": DEFAULT_CENTER[0], "lat": DEFAULT_CENTER[1],
                                    "zoom": DEFAULT_ZOOM})
    state.setdefault("zones_map_view", dict(state.zones_view))
    state.setdefault("zones_dirty", False)


def note(state: StateLike, level: str, text: str) -> None:
    """Queue a message (``level`` in error/warning/info/success) for the next page run."""
    state.setdefault("zones_notes", []).append((level, text))


# ------------------------------------------------------------------ zone facts
def zone_by_id(zones: Sequence[Zone], zone_id: str) -> Zone | None:
    """The zone with that id, or None."""
    return next((z for z in zones if z.id == zone_id), None)


def new_zone_id(zones: Sequence[Zone]) -> str:
    """``"z<n>"`` with n one more than the largest in use."""
    n = 0
    for z in zones:
        m = re.fullmatch(r"z(\d+)", str(z.id))
        if m:
            n = max(n, int(m.group(1)))
    return f"z{n + 1}"


def unique_name(base: str | None, zones: Sequence[Zone], exclude_id: str | None = None) -> str:
    """``base``, or ``base 2``, ``base 3``... so no two zones share a name."""
    base = (base or "Zone").strip() or "Zone"
    taken = {z.name for z in zones if z.id != exclude_id}
    if base not in taken:
        return base
    k = 2
    while f"{base} {k}" in taken:
        k += 1
    return f"{base} {k}"


def numbered_name(prefix: str, zones: Sequence[Zone]) -> str:
    """``prefix n`` with the first n not yet used."""
    taken = {z.name for z in zones}
    k = 1
    while f"{prefix} {k}" in taken:
        k += 1
    return f"{prefix} {k}"


def is_editable(state: Mapping[str, Any], zone_id: str) -> bool:
    """True if the zone is on the drawing map's Leaflet.draw layer (editable there)."""
    state = Session.of(state)
    return zone_id in (state.zones_editable or ())


def editable_features(state: Mapping[str, Any]) -> dict[str, Any]:
    """The zones the map's editor holds, as a GeoJSON FeatureCollection (lon, lat degrees).

    Each feature has ``zone_id``, ``name``, its own ``_fill``/``_line`` colour (zone k
    takes :func:`dashboard.scene.styles.zone_colours` k, as on its card), and its
    ``shape``: circles carry ``center`` and ``edge`` (a point of the rim, due east),
    rectangles their ``bounds`` and only their four corners.
    """
    state = Session.of(state)
    from shapely.geometry import box, mapping

    from dashboard.geo.geodesy import forward
    from dashboard.scene.styles import zone_colours

    features = []
    for k, z in enumerate(state.drawn_zones):
        if not is_editable(state, z.id):
            continue
        fill, line = zone_colours(k)
        props: dict[str, Any] = {"zone_id": z.id, "name": z.name, "_fill": list(fill),
                                 "_line": list(line), "shape": "polygon"}
        geom = z.geometry
        bounds = rect_bounds(z)
        if is_circle(z):
            elon, elat = forward(z.center_lon, z.center_lat, 90.0, z.radius_km)
            props.update(shape="circle", center=[z.center_lon, z.center_lat],
                         edge=[float(elon), float(elat)])
        elif bounds is not None:
            props.update(shape="rectangle", bounds=list(bounds))
            geom = box(*bounds)
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


def without_editable(scene: Scene, state: Mapping[str, Any]) -> Scene:
    """The scene less the user's zones the map's editor draws (the others stay, read-only)."""
    state = Session.of(state)
    lyr = scene.layer("drawn")
    if lyr is None:
        return scene
    names = {z.name for z in state.drawn_zones if is_editable(state, z.id)}
    keep = lyr.gdf[~lyr.gdf["id"].isin(names)]
    layers = [replace(l, gdf=keep) if l is lyr else l for l in scene.layers
              if l is not lyr or len(keep)]
    return replace(scene, layers=layers)


def zone_colour_index(state: Mapping[str, Any], zone_id: str) -> int:
    """The position of a zone in the page's list (which colour it takes)."""
    state = Session.of(state)
    return next((k for k, z in enumerate(state.drawn_zones) if z.id == zone_id), 0)


# ------------------------------------------------------------------- figures
@memoize(maxsize=1)
def incident_list() -> list[dict[str, Any]]:
    """The incidents as ``{id, date, place, lon, lat}`` (degrees), in file order (read only)."""
    g = load_layer("incidents")
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
def zone_metrics_cached(geometry: BaseGeometry, as_of: date) -> dict:
    """:func:`dashboard.analysis.zones.zone_metrics` (km, km², people) of a zone on a date,
    cached on the geometry's content and the date.  Callers must not modify the result."""
    return core_zones.zone_metrics(geometry, on=as_of.isoformat())


def area_in_units(area_km2: float, units: str) -> float:
    """km² -> square ``units`` (km², nm² or mi²)."""
    return float(area_km2) / KM_PER_UNIT[units] ** 2


def _round_dist(d_km: Any, units: str) -> float:
    if d_km is None:
        return float("nan")
    d = float(d_km)
    return round(from_km(d, units), 1) if math.isfinite(d) else float("nan")


def _comparison_row(z: Zone, m: Mapping[str, Any], u: str,
                    incidents: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    ci = m.get("cities_inside") or {}
    largest = ci.get("largest") or []
    row: dict[str, Any] = {
        "zone": z.name,
        "rule": RULE_LABELS.get(z.rule, z.rule),
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
    return row


def metrics_summary(m: Mapping[str, Any], units: str) -> str:
    """A zone's main figures (:func:`zone_metrics_cached`) in ``units``, as Markdown."""
    ci = m.get("cities_inside") or {}

    def d(v: float | None) -> str:
        return "n/a" if v is None else format_distance(v, units)

    return (f"**Area** {area_in_units(m['area_km2'], units):,.0f} {units}² · "
            f"**NATO border covered** {format_distance(m['nato_border_km'], units)} · "
            f"**Population inside** {int(ci.get('population') or 0):,} "
            f"({int(ci.get('count') or 0)} cities) · "
            f"**Belarus** {d(m.get('closest_belarus_km'))} · "
            f"**Russia** {d(m.get('closest_russia_km'))}")


def detail_rows(m: Mapping[str, Any], units: str) -> tuple[list[dict], list[dict]]:
    """A zone's largest cities (name, country, population) and each incident's
    distance in ``units``, as table rows."""
    largest = (m.get("cities_inside") or {}).get("largest") or []
    cities = [{"city": c["name"], "country": c["country"], "population": int(c["population"])}
              for c in largest]
    incidents = [{"incident": i["id"], "place": i["place"],
                  f"distance ({units})": round(from_km(i["distance_km"], units), 2)}
                 for i in m.get("incidents") or []]
    return cities, incidents


def comparison_table(zones: Sequence[Zone], metrics: Mapping[str, Mapping],
                     units: str, incidents: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Zones side by side: one row per zone, one column per figure, in ``units``.

    Parameters
    ----------
    zones : sequence of Zone
    metrics : zone id -> :func:`dashboard.analysis.zones.zone_metrics` result (km)
    units : {"km", "nm", "mi"}
    incidents : dicts with ``id``, ``date``, ``place``; one distance column each

    Columns: ``zone``, ``rule``, ``area (u²)``, ``perimeter (u)``,
    ``NATO border covered (u)``, ``cities inside``, ``population inside``,
    ``largest city``, ``closest to Belarus (u)``, ``closest to Russia (u)``,
    then ``to <incident id> (u)``.  Distances are rounded to 0.1 unit, areas to
    1 unit²; zones without metrics have no row.
    """
    return pd.DataFrame([_comparison_row(z, metrics[z.id], units, incidents)
                         for z in zones if metrics.get(z.id) is not None])


# -------------------------------------------------------------------- the map
def bump(state: StateLike) -> None:
    """Zones changed other than by drawing: rebuild the drawing map from them.

    Increments ``zones_gen``, marks which zones go on the Leaflet.draw layer
    (``zones_editable``), takes the snapshot the map is built from and keeps
    the map's current view.
    """
    state = Session.of(state)
    snapshot = [to_map_zone(z) for z in state.drawn_zones]
    state.zones_snapshot = snapshot
    state.zones_editable = {mz.zone_id for mz in snapshot if mz.editable}
    state.zones_gen = int(state.zones_gen) + 1
    state.zones_seen = None
    state.zones_dirty = False
    state.zones_map_view = dict(state.get("zones_view") or {})


def _feature_id(feature: Mapping[str, Any], shp: DrawnShape) -> str:
    """The zone id a feature carries, or one made from its geometry."""
    if shp.zone_id is not None:
        return shp.zone_id
    digest = hashlib.sha1(json.dumps(feature.get("geometry"), sort_keys=True,
                                     default=str).encode()).hexdigest()[:10]
    return f"map-{digest}"


def _take_shape(state: StateLike, zid: str, shp: DrawnShape) -> bool:
    """Fold one drawn shape into the zone list; True if a zone was added or changed."""
    state = Session.of(state)
    zones: list[Zone] = state.drawn_zones
    z = zone_by_id(zones, zid)
    if z is None:
        if len(zones) >= MAX_ZONES:
            note(state, "error", f"at most {MAX_ZONES} zones; delete some first")
            return False
        z = Zone(id=zid, name=numbered_name(_SHAPE_NAME[shp.shape], zones),
                 geometry=shp.geometry, rule=_SHAPE_RULE[shp.shape])
        apply_shape(z, shp)
        zones.append(z)
        state.zones_editable = set(state.zones_editable or ()) | {zid}
        return True
    if not is_editable(state, zid):
        return False
    if same_shape(shp, z.geometry, center_lon=z.center_lon, center_lat=z.center_lat,
                  radius_km=z.radius_km, bounds_deg=rect_bounds(z)):
        return False
    apply_shape(z, shp)
    return True


def apply_drawings(state: StateLike, features: Sequence[Mapping[str, Any]] | None,
                   keep: set[str] | None = set()) -> bool:
    """Fold the map's ``all_drawings`` into ``state.drawn_zones``.

    Features tagged with the id of an editable zone update it if its shape
    changed; untagged or unknown ids are new zones; editable zones missing
    from ``features`` were deleted on the map.  A feature that cannot be a zone
    is skipped with a message (queued with :func:`note`).

    Parameters
    ----------
    features : list of GeoJSON features, or None
        Every editable feature the map's editor holds (lon/lat degrees; see
        :func:`dashboard.state.drawing.feature_to_shape` for circles and rectangles).
    keep : set of str, or None
        Zone ids never to treat as deleted; None keeps every zone (the event had
        features that could not be read).

    Returns
    -------
    bool
        True if any zone was added, changed or removed.
    """
    state = Session.of(state)
    if features is None:
        return False
    key = (state.zones_gen, json.dumps(features, sort_keys=True, default=str))
    if key == state.zones_seen:
        return False
    state.zones_seen = key
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
        zid = _feature_id(f, shp)
        seen.add(zid)
        changed = _take_shape(state, zid, shp) or changed
    zones: list[Zone] = state.drawn_zones
    if keep is None:  # some features could not be read: delete nothing
        keep = {z.id for z in zones}
    gone = {z.id for z in zones if is_editable(state, z.id) and z.id not in seen | keep}
    if gone:
        changed = True
        state.drawn_zones = [z for z in zones if z.id not in gone]
        state.zones_editable = set(state.zones_editable or ()) - gone
    if changed:
        state.zones_dirty = True
    return changed


# ------------------------------------------------------------------ scenarios
def copy_zone(z: Zone) -> Zone:
    """A copy of a zone that shares no mutable part with it (its ``params`` dict)."""
    if not z.is_circle:
        return replace(z, params=dict(z.params), center_lon=None, center_lat=None)
    return replace(z, params=dict(z.params), center_lon=float(z.center_lon),
                   center_lat=float(z.center_lat), radius_km=float(z.radius_km))


def buffer_center(state: Mapping[str, Any], incident_lonlat: tuple[float, float],
                  ) -> tuple[float, float]:
    """Where the rings are drawn: the picked point, else the incident; (lon, lat) degrees."""
    state = Session.of(state)
    picked = state.picked
    if picked:
        return float(picked["lon"]), float(picked["lat"])
    return float(incident_lonlat[0]), float(incident_lonlat[1])


def state_to_scenario(state: Mapping[str, Any], name: str,
                      incident_lonlat: tuple[float, float]) -> Scenario:
    """The page as a :class:`~dashboard.store.Scenario` called ``name``.

    Zones (copies); the rings (``rings_km``, km) around the picked point or the
    incident (``incident_lonlat``, degrees) as point buffers; the border band
    (``band_km``) as a buffer around the ``nato_border`` layer; the incident,
    the date, the units, and the drawing map's view.
    """
    state = Session.of(state)
    lon, lat = buffer_center(state, incident_lonlat)
    buffers = [Buffer(lon, lat, float(r), label=f"{r:g} km") for r in state.rings_km or []]
    band = float(state.band_km or 0.0)
    if band > 0:
        buffers.append(Buffer.around_layer("nato_border", band,
                                           label=f"{band:g} km band inside Ukraine"))
    v = state.get("zones_view") or {}
    view = ScenarioView(lon=float(v.get("lon", DEFAULT_CENTER[0])),
                        lat=float(v.get("lat", DEFAULT_CENTER[1])),
                        zoom=float(v.get("zoom", DEFAULT_ZOOM)))
    as_of = state.get("as_of")
    return Scenario(name=name, zones=[copy_zone(z) for z in state.drawn_zones],
                    buffers=buffers, incident_id=state.get("incident"), view=view,
                    as_of=as_of if isinstance(as_of, date) else None,
                    units=state.units or "km")


def apply_scenario(state: StateLike, sc: Scenario,
                   incidents: Mapping[str, tuple[float, float]]) -> list[str]:
    """Open a scenario on the page: zones, rings, band, incident, date, units, view.

    Must run before the page's widgets are drawn (a button callback), because
    it sets widget keys (``incident``, ``as_of``, ``units``, ring and band
    inputs).  Rebuilds the drawing map (:func:`bump`).

    Parameters
    ----------
    incidents : incident id -> (lon, lat) in degrees

    Returns
    -------
    list of str
        What could not be taken over as it was (unknown incident, several ring
        centres...).
    """
    state = Session.of(state)
    base = SceneRequest(incident_id=state.get("incident"), as_of=state.get("as_of"),
                        units=state.units or "km", zone_ids=())
    req, messages = scenario_request(sc, incidents, base=base)
    state.drawn_zones = [copy_zone(z) for z in sc.zones]
    state.incident, state.as_of, state.units = req.incident_id, req.as_of, req.units
    at = incidents.get(req.incident_id)
    center = req.ring_center
    state.picked = None if center is None or (at is not None and same_point(center, at)) else \
        {"layer": "scenario", "id": None, "name": "ring centre of the scenario",
         "lon": center[0], "lat": center[1]}
    state.band_km = req.band_km or 0.0
    for u in KM_PER_UNIT:
        state.pop(appstate.rings_text_key(u), None)
        state.pop(appstate.band_key(u), None)
    appstate.set_rings_km(state, list(req.ring_radii_km))
    if req.view is not None:
        state.zones_view = {"lat": req.view.lat, "lon": req.view.lon, "zoom": req.view.zoom}
    bump(state)
    return messages
