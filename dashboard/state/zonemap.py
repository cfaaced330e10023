"""The zones of the "No-fly zones" page in session state: facts and the map's editor.

Nothing here imports Streamlit: ``state`` is any mutable mapping
(Streamlit's ``st.session_state`` in the app, a plain dict in tests).  Zones
are :class:`dashboard.store.Zone` instances in ``state.drawn_zones``,
WGS84 lon/lat degrees.  This module reads that list and keeps the drawing map
in step with it; the commands that change the list are
:mod:`dashboard.state.zones`.

- **facts**: :func:`init`, :func:`note`, :func:`zone_by_id`, ids and names;
- **the map's editor**: :func:`bump`, :func:`editable_features`, :func:`apply_drawings`.

The catalogue's choices and zone metrics are :mod:`dashboard.state.zone_choices`,
the page as a scenario :mod:`dashboard.state.zone_scenario`, and how figures
read :mod:`dashboard.ui.zone_figures`.

Keys, all set by :func:`init`: ``drawn_zones`` (the zones), ``zones_editable``
(ids of the zones the map's editor holds: :func:`editable_features`),
``zones_notes`` (messages to show until the user acts), ``zones_gen`` (generation of the zone
list, bumped whenever zones change other than by drawing; widgets that show a
zone are keyed on it so they show the new state), ``zones_snapshot`` (the
:class:`~dashboard.state.drawing.MapZone` list of that generation), ``zones_view`` (the
map's last centre and zoom, kept in scenarios and share links).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from dashboard.data.limits import MAX_ZONES
from dashboard.geo.errors import InputError
from dashboard.scene.model import Scene
from dashboard.scene.names import shown_name
from dashboard.state.drawing import (
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    DrawnShape,
    apply_shape,
    feature_to_shape,
    is_circle,
    rect_bounds,
    same_shape,
    to_map_zone,
)
from dashboard.state.fields import Session, StateLike
from dashboard.store import Zone

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
    state.set_default(Session.drawn_zones, [])
    state.set_default(Session.zones_editable, set())
    state.set_default(Session.zones_notes, [])
    state.set_default(Session.zones_gen, 0)
    state.set_default(Session.zones_snapshot, [])
    state.set_default(Session.zones_seen, None)
    state.set_default(Session.zones_view, {"lon": DEFAULT_CENTER[0], "lat": DEFAULT_CENTER[1],
                                    "zoom": DEFAULT_ZOOM})
    state.set_default(Session.zones_map_view, dict(state.zones_view))
    state.set_default(Session.zones_dirty, False)


def note(state: StateLike, level: str, text: str) -> None:
    """Queue a message (``level`` in error/warning/info/success) for the page to show."""
    state = Session.of(state)
    state.set_default(Session.zones_notes, []).append((level, text))


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


def is_editable(state: StateLike, zone_id: str) -> bool:
    """True if the zone is on the drawing map's map editor (editable there)."""
    state = Session.of(state)
    return zone_id in (state.zones_editable or ())


def editable_features(state: StateLike) -> dict[str, Any]:
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
        props: dict[str, Any] = {"zone_id": z.id, "name": shown_name(z.name), "_fill": list(fill),
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


def without_editable(scene: Scene, state: StateLike) -> Scene:
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


def zone_colour_index(state: StateLike, zone_id: str) -> int:
    """The position of a zone in the page's list (which colour it takes)."""
    state = Session.of(state)
    return next((k for k, z in enumerate(state.drawn_zones) if z.id == zone_id), 0)


# -------------------------------------------------------------------- the map
def bump(state: StateLike) -> None:
    """Zones changed other than by drawing: rebuild the drawing map from them.

    Increments ``zones_gen``, marks which zones go on the map editor
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
    view = state.peek(Session.zones_view)
    state.zones_map_view = dict(view) if view else {}


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
                   keep: frozenset[str] | set[str] | None = frozenset()) -> bool:
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
        keep = frozenset(z.id for z in zones)
    gone = {z.id for z in zones if is_editable(state, z.id) and z.id not in seen | keep}
    if gone:
        changed = True
        state.drawn_zones = [z for z in zones if z.id not in gone]
        state.zones_editable = set(state.zones_editable or ()) - gone
    if changed:
        state.zones_dirty = True
    return changed


