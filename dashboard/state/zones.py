"""The commands of the "No-fly zones" page: zones, rules, files and scenarios as plain data.

Nothing here imports Streamlit: ``state`` is any mutable mapping (Streamlit's
``st.session_state`` in the app, a plain dict in tests).  Zones are
:class:`dashboard.store.Zone` instances in ``state.drawn_zones``
(WGS84 lon/lat degrees, distances in km).  What the page reads about them
(keys, names, figures, the drawing map, the page as a scenario) is
:mod:`dashboard.state.zonemap`; this module changes them.

Every command is one call for the page: it checks its input, changes the zone
list and rebuilds the drawing map (:func:`dashboard.state.zonemap.bump`), or raises
an :class:`~dashboard.geo.errors.InputError` whose message the page shows.
The errors are typed (:class:`ZoneNameTaken`, :class:`ZoneNotFound`,
:class:`TooManyZones`, :class:`NotAnArea`...), so no caller reads their text.
:func:`add_zone` is the building block of the others and leaves the map alone.

Commands: zones (:func:`add_zone`, :func:`rename_zone`, :func:`delete_zone`,
:func:`clip_to_ukraine`, :func:`apply_vertex_table`, :func:`replace_outline`);
zones built by rule (:func:`add_regions`, :func:`add_preset`,
:func:`add_border_band`, :func:`add_ring`, :func:`add_typed_zone`,
:func:`import_zone_file`); scenarios (:func:`save_scenario`,
:func:`rename_saved`, :func:`delete_saved`, :func:`open_saved`,
:func:`open_shared`, :func:`open_file`, :func:`export_scenario`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from dashboard.analysis import zones as core_zones
from dashboard.geo.coords import parse_position
from dashboard.geo.errors import InputError
from dashboard.geo.units import format_distance, from_km
from dashboard.geo.validate import check_lonlat_array, polygonal_part, repair_polygon
from dashboard.io.zonefile import MAX_ZONE_NAME_CHARS, file_stem, read_zone_file
from dashboard.scene.names import has_lone_surrogate, shown_name
from dashboard.state.fields import Session, StateLike
from dashboard.state.vertices import n_vertices, parse_vertex_text, table_to_geometry
from dashboard.state.zone_choices import presets, ua_regions
from dashboard.state.zone_scenario import apply_scenario, state_to_scenario
from dashboard.state.zonemap import (
    MAX_ZONES,
    RULE_LABELS,
    bump,
    new_zone_id,
    note,
    numbered_name,
    unique_name,
    zone_by_id,
)
from dashboard.store import (
    Scenario,
    Store,
    Zone,
    from_geojson,
    from_url_param,
    to_geojson,
)


# ------------------------------------------------------------------------ errors
class ZoneNotFound(InputError):
    """No zone on the page has that id (it was deleted meanwhile)."""


class ZoneNameTaken(InputError):
    """Another zone on the page already has that name."""


class BadZoneName(InputError):
    """A zone name that is empty or longer than 120 characters."""


class TooManyZones(InputError):
    """The page would hold more than :data:`MAX_ZONES` zones."""


class NotAnArea(InputError):
    """A zone geometry that is empty, not a polygon, or has no area left once repaired."""


class BadDistance(InputError):
    """A band depth or ring radius that is not greater than 0."""


class NothingChosen(InputError):
    """A command that needs a choice first (a scenario name, a saved scenario)."""


class NotConfirmed(InputError):
    """A destructive command without its confirmation."""


# ------------------------------------------------------------------------- zones
def _zone(state: StateLike, zone_id: str) -> Zone:
    state = Session.of(state)
    z = zone_by_id(state.drawn_zones, zone_id)
    if z is None:
        raise ZoneNotFound("that zone no longer exists")
    return z


def check_zone_geometry(geom: BaseGeometry | None, what: str,
                        ) -> tuple[Polygon | MultiPolygon, list[str]]:
    """A zone geometry: 2-D, on the globe (lon/lat degrees), a valid polygon
    (repaired with make_valid, and said so in the returned messages).

    Raises
    ------
    NotAnArea
        Empty, not a polygon (a line, a point), or no area left.
    InputError
        Coordinates that are not numbers or not on the globe.
    """
    if geom is None or geom.is_empty:
        raise NotAnArea(f"{what} is empty")
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    check_lonlat_array(shapely.get_coordinates(geom), what)
    if not isinstance(geom, (Polygon, MultiPolygon)):
        poly = polygonal_part(geom)
        if poly is None:
            raise NotAnArea(f"{what} is a {geom.geom_type}, not an area; a zone must be a "
                            "polygon")
        geom = poly
    try:
        return repair_polygon(geom, what)
    except InputError as exc:
        raise NotAnArea(str(exc)) from None


def _make_zone(zones: Sequence[Zone], geometry: BaseGeometry, *, rule: str,
               name: str | None, description: str, params: Mapping[str, Any] | None,
               circle: tuple[float, float, float] | None, zone_id: str | None,
               ) -> tuple[Zone, list[str]]:
    """A new zone (not yet on the page) and the repairs made to its geometry."""
    geom, messages = check_zone_geometry(geometry, f"zone {name or ''}".strip())
    params = dict(params or {})
    try:
        json.dumps(params, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"zone parameters are not plain values: {exc}") from None
    z = Zone(id=zone_id or new_zone_id(zones),
             name=unique_name(name or numbered_name("Zone", zones), zones),
             geometry=geom, rule=rule, description=description, params=params)
    if circle is not None:
        z.center_lon, z.center_lat, z.radius_km = (float(v) for v in circle)
    return z, messages


def add_zone(state: StateLike, geometry: BaseGeometry, *, rule: str, name: str | None = None,
             description: str = "", params: Mapping[str, Any] | None = None,
             circle: tuple[float, float, float] | None = None, zone_id: str | None = None,
             ) -> Zone:
    """Append a zone to ``state.drawn_zones`` and return it (does not ``bump``).

    Parameters
    ----------
    geometry : Polygon | MultiPolygon, WGS84 degrees
    rule : str
        How it was made (see :data:`RULE_LABELS`).
    name : str, optional
        Made unique on the page (``"Lviv 2"``); default ``"Zone <n>"``.
    circle : (center_lon, center_lat, radius_km), optional
        For geodesic circles: centre in degrees, radius in km.

    Raises
    ------
    TooManyZones, NotAnArea, InputError
        The page is full; the geometry is not an area; coordinates off the globe.
    """
    state = Session.of(state)
    zones = state.drawn_zones
    if len(zones) >= MAX_ZONES:
        raise TooManyZones(f"at most {MAX_ZONES} zones on the page; delete some first")
    z, messages = _make_zone(zones, geometry, rule=rule, name=name, description=description,
                             params=params, circle=circle, zone_id=zone_id)
    for m in messages:
        note(state, "warning", m)
    zones.append(z)
    return z


def rename_zone(state: StateLike, zone_id: str, new_name: str) -> Zone:
    """Rename a zone (names are unique on the page) and rebuild the map.

    Raises
    ------
    ZoneNotFound, BadZoneName, ZoneNameTaken
        No such zone; an empty name or one over 120 characters; a name another
        zone has.
    """
    state = Session.of(state)
    z = _zone(state, zone_id)
    name = (new_name or "").strip()
    if not name:
        raise BadZoneName("a zone name cannot be empty")
    if len(name) > MAX_ZONE_NAME_CHARS:
        raise BadZoneName(f"a zone name may have at most {MAX_ZONE_NAME_CHARS} characters")
    if any(o.name == name and o.id != zone_id for o in state.drawn_zones):
        raise ZoneNameTaken(f"another zone is already called {name!r}")
    z.name = name
    bump(state)
    return z


def delete_zone(state: StateLike, zone_id: str) -> Zone:
    """Remove a zone, rebuild the map without it, and return it.

    Raises
    ------
    ZoneNotFound
    """
    state = Session.of(state)
    z = _zone(state, zone_id)
    state.drawn_zones = [o for o in state.drawn_zones if o.id != zone_id]
    bump(state)
    return z


def _replace_geometry(z: Zone, geometry: BaseGeometry, *, rule: str | None = None,
                      description: str | None = None) -> None:
    """Give a zone a new geometry; it is no longer a circle or a rectangle."""
    z.geometry = geometry
    if rule is not None:
        z.rule = rule
    if description is not None:
        z.description = description
    z.center_lon = z.center_lat = z.radius_km = None
    z.params.pop("bounds_deg", None)


def clip_to_ukraine(state: StateLike, zone_id: str) -> Zone:
    """Keep only the part of a zone over Ukraine's territory (incl. territorial sea).

    Raises
    ------
    ZoneNotFound, NotAnArea, InputError
        No such zone; nothing of it over Ukraine.
    """
    z = _zone(state, zone_id)
    geom, msgs = check_zone_geometry(core_zones.clip_to_country(z.geometry, "UA"),
                                     f"zone {z.name}")
    desc = (z.description or RULE_LABELS.get(z.rule, "")) + " · clipped to Ukraine"
    _replace_geometry(z, geom, description=desc)
    z.params["clipped_to"] = "UA"
    for m in msgs:
        note(state, "warning", m)
    bump(state)
    return z


def apply_vertex_table(state: StateLike, zone_id: str, table: pd.DataFrame) -> Zone:
    """Give a zone the polygon of an edited vertex table (see :mod:`dashboard.state.vertices`)."""
    z = _zone(state, zone_id)
    geom, msgs = table_to_geometry(table)
    _replace_geometry(z, geom, rule="table",
                      description=f"{n_vertices(geom)} vertices from the vertex table")
    for m in msgs:
        note(state, "warning", m)
    bump(state)
    return z


def replace_outline(state: StateLike, zone_id: str, text: str) -> Zone:
    """Give a zone the outline typed in ``text``, one position per line (any notation)."""
    z = _zone(state, zone_id)
    poly = parse_vertex_text(text)
    _replace_geometry(z, poly, rule="coordinates",
                      description=f"{n_vertices(poly)} typed vertices, geodesic edges")
    bump(state)
    return z


# ------------------------------------------------------------------ built zones
def _add_built(state: StateLike, geom: BaseGeometry, *, rule: str, name: str | None,
               description: str, params: dict[str, Any], clip: bool,
               circle: tuple[float, float, float] | None = None) -> Zone:
    """Add a zone made by a rule (clipped to Ukraine if asked) and rebuild the map."""
    if clip:
        geom = core_zones.clip_to_country(geom, "UA")
        description += " · clipped to Ukraine"
        params = dict(params, clipped_to="UA")
        circle = None
    z = add_zone(state, geom, rule=rule, name=name or None, description=description,
                 params=params, circle=circle)
    bump(state)
    return z


def add_regions(state: StateLike, iso_codes: Sequence[str], *, name: str | None = None,
                clip: bool = False) -> Zone:
    """Add the union of oblasts by ISO 3166-2 code (e.g. ``["UA-46", "UA-07"]``)."""
    codes = list(iso_codes or [])
    geom = core_zones.zone_from_regions(codes)
    labels = ua_regions()
    label = ", ".join(labels.get(c, c).split(" (")[0] for c in codes)
    return _add_built(state, geom, rule="regions", name=name, description=f"union of {label}",
                      params={"iso_codes": codes}, clip=clip)


def add_preset(state: StateLike, preset_id: str, *, clip: bool = False) -> Zone:
    """Add a candidate zone of ``geodata/zones.geojson`` by id (e.g. ``"lviv-volyn"``)."""
    geom = core_zones.preset_zone(preset_id)
    return _add_built(state, geom, rule="regions", name=presets().get(preset_id),
                      description=f"candidate zone {preset_id}", params={"preset": preset_id},
                      clip=clip)


def add_border_band(state: StateLike, segment_ids: Sequence[str], depth_km: float, *,
                    units: str = "km", clip: bool = False) -> Zone:
    """Add a band ``depth_km`` (km) deep inside Ukraine along NATO border segments.

    ``units`` is the display unit of its name and description.

    Raises
    ------
    BadDistance, InputError
        A depth not greater than 0; no or unknown segments.
    """
    ids = list(segment_ids or [])
    if not depth_km > 0:
        raise BadDistance("the band needs a depth greater than 0")
    geom = core_zones.zone_border_band(ids, depth_km)
    return _add_built(state, geom, rule="border_band",
                      name=f"{from_km(depth_km, units):g} {units} band {'+'.join(ids)}",
                      description=f"{format_distance(depth_km, units)} band inside Ukraine "
                                  f"along {', '.join(ids)}",
                      params={"segment_ids": ids, "depth_km": depth_km}, clip=clip)


def add_ring(state: StateLike, center_text: str, radius_km: float, *,
             default_center: tuple[float, float], units: str = "km",
             clip: bool = False) -> Zone:
    """Add a geodesic circle of ``radius_km`` (km).

    Parameters
    ----------
    center_text : str
        The centre in any notation :func:`dashboard.geo.coords.parse_position`
        reads; empty means ``default_center`` ((lon, lat), degrees).
    units : str
        Display unit of the name and description.

    Raises
    ------
    BadDistance, InputError
        A radius not greater than 0; a centre that is not a position.
    """
    text = (center_text or "").strip()
    lon, lat = parse_position(text) if text else default_center
    if not radius_km > 0:
        raise BadDistance("the ring needs a radius greater than 0")
    geom = core_zones.zone_ring(lon, lat, radius_km)
    return _add_built(state, geom, rule="ring", name=f"{format_distance(radius_km, units)} ring",
                      description=f"geodesic circle of {format_distance(radius_km, units)}"
                                  f" around {lat:.5f}, {lon:.5f}",
                      params={"center_lon": lon, "center_lat": lat, "radius_km": radius_km},
                      circle=(lon, lat, radius_km), clip=clip)


def add_typed_zone(state: StateLike, text: str, *, name: str | None = None,
                   clip: bool = False) -> Zone:
    """Add the polygon typed in ``text``: one position per line, in order around it."""
    poly = parse_vertex_text(text)
    return _add_built(state, poly, rule="coordinates", name=name,
                      description=f"{n_vertices(poly)} typed vertices, geodesic edges",
                      params={}, clip=clip)


def import_zone_file(state: StateLike, data: bytes | None, filename: str, *,
                     clip: bool = False) -> list[Zone]:
    """Add every polygon of a GeoJSON file as a zone, all or none, and rebuild the map.

    Names follow :func:`dashboard.io.zonefile.read_zone_file` (made unique on
    the page); what was repaired or left out is queued with :func:`note`.

    Raises
    ------
    NothingChosen, InputError, TooManyZones, NotAnArea
        No file (``data`` is None); the file cannot be read or has no polygon;
        the page would be too full; a zone left nothing once clipped or
        repaired (its name is given).
    """
    state = Session.of(state)
    if data is None:
        raise NothingChosen("Choose a GeoJSON file first.")
    zf = read_zone_file(data, filename)
    if any(has_lone_surrogate(nz.name) for nz in zf.zones):
        raise InputError(f"{shown_name(filename)}: a zone name holds a lone UTF-16 surrogate "
                         "(\\ud800-\\udfff), which is not text; fix the name in the file")
    zones: list[Zone] = state.drawn_zones
    if len(zones) + len(zf.zones) > MAX_ZONES:
        raise TooManyZones(f"{filename} has {len(zf.zones)} zones; the page holds at most "
                           f"{MAX_ZONES} and has {len(zones)}")
    batch: list[Zone] = []
    repairs: list[str] = []
    for nz in zf.zones:
        try:
            geom = core_zones.clip_to_country(nz.geometry, "UA") if clip else nz.geometry
            z, msgs = _make_zone([*zones, *batch], geom, rule="import", name=nz.name,
                                 description=f"from {filename}", params={"file": filename},
                                 circle=None, zone_id=None)
        except InputError as exc:
            raise type(exc)(f"{filename}, zone “{nz.name}”: {exc}") from None
        batch.append(z)
        repairs.extend(msgs)
    zones.extend(batch)
    for msg in [*zf.messages, *repairs]:
        note(state, "info", f"{filename}: {msg}")
    if zf.skipped:
        note(state, "info", f"{filename}: {zf.skipped} feature(s) that are not polygons were "
                            "left out")
    bump(state)
    return batch


# --------------------------------------------------------------------- scenarios
def save_scenario(state: StateLike, store: Store, name: str | None,
                  incident_lonlat: tuple[float, float], *, overwrite: bool = False) -> Scenario:
    """Save the page as a scenario called ``name`` (see :func:`state_to_scenario`).

    The page's state is only read: when the store fails (``StoreUnavailable``:
    its server is down), the zones stay on the page and the same save can be
    repeated.

    Raises
    ------
    NothingChosen, ScenarioExists, StoreUnavailable, InputError
        No name; a saved scenario of that name (and not ``overwrite``); the
        store's server cannot be reached; a scenario the store refuses.
    """
    name = (name or "").strip()
    if not name:
        raise NothingChosen("give the scenario a name first")
    sc = state_to_scenario(state, name, incident_lonlat)
    store.save(sc, overwrite=overwrite)
    return sc


def rename_saved(store: Store, old: str | None, new: str | None) -> str:
    """Rename a saved scenario; returns the new name (trimmed)."""
    if not old:
        raise NothingChosen("choose a saved scenario first")
    new = (new or "").strip()
    store.rename(old, new)
    return new


def delete_saved(store: Store, name: str | None, *, confirmed: bool) -> None:
    """Delete a saved scenario, once ``confirmed`` (the page's "Confirm delete")."""
    if not confirmed:
        raise NotConfirmed("Tick “Confirm delete” first.")
    if not name:
        raise NothingChosen("choose a saved scenario first")
    store.delete(name)


def _open(state: StateLike, sc: Scenario, incidents: Mapping[str, tuple[float, float]]) -> Scenario:
    """Open ``sc`` on the page (:func:`apply_scenario`) and say so with :func:`note`."""
    messages = apply_scenario(state, sc, incidents)
    note(state, "success", f"Opened scenario “{sc.name}” ({len(sc.zones)} zone"
                           f"{'' if len(sc.zones) == 1 else 's'}).")
    for m in messages:
        note(state, "warning", m)
    return sc


def open_saved(state: StateLike, store: Store, name: str | None,
               incidents: Mapping[str, tuple[float, float]]) -> Scenario:
    """Open a saved scenario (``incidents``: id -> (lon, lat) degrees).

    The store is read before the page changes: if it fails, the page keeps its zones.
    """
    if not name:
        raise NothingChosen("Choose a saved scenario first.")
    return _open(state, store.load(name), incidents)


def decode_link(param: str) -> Scenario:
    """The scenario of a share link's ``?scenario=`` parameter, or one InputError line.

    What the decoder lets through as another exception (an integer beyond 64 bits in
    the coordinates raises OverflowError) and a name that is not text (a lone UTF-16
    surrogate) are refused here, where the link enters the app.
    """
    try:
        sc = from_url_param(param)
    except InputError:
        raise
    except (OverflowError, ValueError, TypeError, RecursionError, UnicodeError) as exc:
        raise InputError("the scenario link is damaged: it holds a number out of range or "
                         "a value not in the expected form") from exc
    names = [sc.name, *(z.name for z in sc.zones)]
    if any(has_lone_surrogate(n) for n in names):
        raise InputError("the scenario link holds a name with a lone UTF-16 surrogate "
                         "(\\ud800-\\udfff), which is not text")
    return sc


def open_shared(state: StateLike, param: str,
                incidents: Mapping[str, tuple[float, float]]) -> Scenario:
    """Open the scenario of a share link's ``?scenario=`` parameter (:func:`decode_link`)."""
    return _open(state, decode_link(param), incidents)


def open_file(state: StateLike, data: bytes | None, filename: str,
              incidents: Mapping[str, tuple[float, float]]) -> Scenario:
    """Open a scenario exported as GeoJSON (named after the file if it has no name).

    What reading repaired or ignored (a self-crossing outline, heights) is queued
    as warnings naming the file.
    """
    if data is None:
        raise NothingChosen("Choose a scenario file (.geojson) first.")
    notes: list[str] = []
    sc = from_geojson(data, default_name=file_stem(filename) or "Imported scenario",
                      notes=notes)
    opened = _open(state, sc, incidents)
    for text in notes:
        note(state, "warning", f"{filename}: {text}")
    return opened


def export_scenario(state: StateLike, name: str | None, incident_lonlat: tuple[float, float],
                    ) -> tuple[Scenario, bytes, str]:
    """The page as a scenario (``"Untitled scenario"`` without a name), its GeoJSON
    (UTF-8 bytes) and a safe file name for them."""
    sc = state_to_scenario(state, (name or "").strip() or "Untitled scenario", incident_lonlat)
    data = json.dumps(to_geojson(sc), ensure_ascii=False).encode("utf-8")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", sc.name).strip("-") or "scenario"
    return sc, data, f"{stem}.geojson"
