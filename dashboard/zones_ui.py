"""The "No-fly zones" page: draw and build zones, compare them, keep them as scenarios.

:func:`render_zones_page` draws the page.  This is the Streamlit shell only:
widgets over the commands of :mod:`dashboard.zonestate` (which change the
zones and the scenarios), what :mod:`dashboard.zonemap` reads (zone facts,
figures, the drawing map's state) and the offline Leaflet map of
:mod:`dashboard.render.drawmap`.  Every action is one command run by
:func:`attempt`, which shows an :class:`~dashboard.geo.errors.InputError`'s
message and logs anything else in full.

Widget keys on this page start with ``zone_``, ``build_`` or ``scn_``.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from functools import partial
from typing import Any, TypeVar

import streamlit as st
from streamlit_folium import st_folium

from dashboard import zonemap as zm
from dashboard import zonestate as zs
from dashboard.geo.buffer import buffer_point
from dashboard.geo.errors import InputError
from dashboard.geo.units import KM_PER_UNIT, format_distance, from_km, to_km
from dashboard.render import drawmap
from dashboard.render.styles import DERIVED_STYLES
from dashboard.scenarios import (
    Scenario,
    ScenarioExists,
    ScenarioStore,
    Zone,
    from_url_param,
    to_url_param,
)
from dashboard.vertices import n_vertices, vertex_table

State = MutableMapping[str, Any]
T = TypeVar("T")
log = logging.getLogger(__name__)

MAP_HEIGHT_PX = 560
UNIT_WORDS = {"km": "km", "nm": "nautical miles", "mi": "statute miles"}
REPLACE_HINT = " — tick “Replace” to overwrite it, or choose another name"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


# ----------------------------------------------------------------- one try/except
def _user_error(exc: Exception) -> InputError:
    """The one-line message a user sees; anything but an InputError is logged in full."""
    if isinstance(exc, InputError):
        return exc
    log.exception("unexpected error on the no-fly-zones page")
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return InputError(f"could not do that ({type(exc).__name__}{': ' + first if first else ''})")


def attempt(action: Callable[[], T], show: Callable[[str], Any] | None = None, *,
            prefix: str = "", hints: Mapping[type[Exception], str] | None = None,
            ) -> tuple[bool, T | None]:
    """Run one command; on failure show its one-line message and return ``(False, None)``.

    Parameters
    ----------
    action : callable
        The command, called without arguments.
    show : callable, optional
        Where the message goes (default ``st.error``).
    prefix : str
        Put before the message (``"Not saved: "``).
    hints : mapping of exception type -> str, optional
        Appended to the message of an error of that type.
    """
    try:
        return True, action()
    except Exception as exc:  # noqa: BLE001 - shown as a message
        err = _user_error(exc)
        hint = next((h for t, h in (hints or {}).items() if isinstance(exc, t)), "")
        (show or st.error)(f"{prefix}{err}{hint}")
        return False, None


def md(text: Any) -> str:
    """User text made inert for Markdown (no links, images or emphasis)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _add_row() -> tuple[Any, Any]:
    """Two columns: an input (3/4) beside its button (1/4)."""
    return st.columns([3, 1], vertical_alignment="bottom")


def _show_queued(state: State, key: str) -> None:
    """Show the ``(level, text)`` messages queued under ``key``, once."""
    queued, state[key] = list(state.get(key) or []), []
    for level, text in queued:
        getattr(st, level if level in ("error", "warning", "info", "success") else "info")(text)


# -------------------------------------------------------------------- the map
def _ring_overlays(state: State, incident: Mapping[str, Any]) -> list[drawmap.RefLayer]:
    """The sidebar's rings (km) around the picked point or the incident, for the map."""
    rings = [float(r) for r in state.get("rings_km") or []]
    if not rings:
        return []
    lon, lat = zm.buffer_center(state, (incident["lon"], incident["lat"]))
    ok, layer = attempt(lambda: drawmap.overlay_layer(
        "buffers", "Rings", [buffer_point(lon, lat, r) for r in rings],
        [f"{format_distance(r, state['units'])} ring" for r in rings],
        DERIVED_STYLES["buffers"]), prefix="Rings not drawn: ")
    return [layer] if ok else []


def _draw_map(state: State, incident: Mapping[str, Any]) -> None:
    as_of = state["as_of"]
    overlays = _ring_overlays(state, incident)
    # anything else the map shows changed (date, rings, units): rebuild it from
    # the current zones, not from an old snapshot
    sig = hashlib.sha1("|".join([as_of.isoformat()] + [r.js for r in overlays]).encode())
    zm.ensure_map_sig(state, sig.hexdigest())
    center, zoom = zm.map_view(state)
    m = drawmap.build_draw_map([*drawmap.reference_layers(as_of), *overlays],
                               state["zones_snapshot"], center=center, zoom=zoom)
    out = st_folium(m, key=f"zone_map_{state['zones_gen']}", height=MAP_HEIGHT_PX,
                    use_container_width=True,
                    returned_objects=["all_drawings", "center", "zoom"])
    if isinstance(out, dict):
        zm.remember_view(state, out.get("center"), out.get("zoom"))
        if zm.map_is_stale(state, out.get("all_drawings")):
            zm.bump(state)  # e.g. back from "Explore": the browser mounted an old snapshot
            st.rerun()
        zm.apply_drawings(state, out.get("all_drawings"))
    st.caption("Draw with the toolbar (polygon, rectangle, circle); edit or delete with the "
               "edit tools. Circles become geodesic circles of the drawn radius; rectangles "
               "follow the parallels; polygon edges are geodesics. Layers: top right.")


# ------------------------------------------------------------------- the zones
def _compute_metrics(state: State) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for z in state["drawn_zones"]:
        ok, m = attempt(lambda z=z: zm.zone_metrics_cached(z.geometry, state["as_of"]),
                        prefix=f"Zone “{md(z.name)}”: ")
        if ok:
            out[z.id] = m
    return out


def _zone_list(state: State, metrics: Mapping[str, dict]) -> None:
    zones: list[Zone] = state["drawn_zones"]
    if not zones:
        st.info("No zones yet. Draw one on the map, or build one below.")
        return
    for z in zones:
        with st.container(border=True, key=f"zone_card_{z.id}"):
            st.markdown(f"**{md(z.name)}** · {md(zm.RULE_LABELS.get(z.rule, z.rule))}"
                        f" · {n_vertices(z.geometry)} vertices")
            if z.description:
                st.caption(md(z.description))
            m = metrics.get(z.id)
            if m is None:
                st.warning("No metrics for this zone (see the error above).")
            else:
                st.markdown(zm.metrics_summary(m, state["units"]))


def _comparison(state: State, metrics: Mapping[str, dict]) -> None:
    zones = state["drawn_zones"]
    if not zones:
        return
    st.subheader("Compare zones")
    df = zm.comparison_table(zones, metrics, state["units"], zm.incident_list())
    st.dataframe(df, hide_index=True, width="stretch", key="zone_compare")
    st.caption(f"Distances in {UNIT_WORDS[state['units']]}, geodesic on WGS84; 0 = touching "
               "or inside. NATO border covered = length of the border (as of "
               f"{state['as_of'].isoformat()}) within 1 km of the zone; population = "
               "GeoNames places of 15,000+ inside.")


# ------------------------------------------------------------ work on a zone
def _rerun_after(action: Callable[[], Any], *, prefix: str = "") -> None:
    """Run a zone command; rerun the page when it worked (the map was rebuilt)."""
    ok, _ = attempt(action, prefix=prefix)
    if ok:
        st.rerun()


def _pick_zone(state: State, zones: Sequence[Zone]) -> Zone:
    ids = [z.id for z in zones]
    nxt = state.pop("zone_sel_next", None)
    if nxt in ids:
        state["zone_sel"] = nxt
    if state.get("zone_sel") not in ids:
        state["zone_sel"] = ids[-1]
    names = {z.id: z.name for z in zones}
    zid = st.selectbox("Zone", ids, key="zone_sel", format_func=lambda i: names.get(i, i))
    return zm.zone_by_id(zones, zid)


def _tool_actions(state: State, z: Zone) -> None:
    c1, c2 = _add_row()
    new_name = c1.text_input("Name", value=z.name, key=f"zone_name_{z.id}_{state['zones_gen']}")
    if c2.button("Rename", key="zone_rename"):
        _rerun_after(lambda: zs.rename_zone(state, z.id, new_name))
    c1, c2 = st.columns(2)
    if c1.button("Clip to Ukraine", key="zone_clip",
                 help="Keep only the part over Ukraine's territory (incl. territorial sea)."):
        _rerun_after(lambda: zs.clip_to_ukraine(state, z.id), prefix=f"Zone “{md(z.name)}”: ")
    if c2.button("Delete zone", key="zone_delete"):
        ok, gone = attempt(lambda: zs.delete_zone(state, z.id))
        if ok:
            zm.note(state, "info", f"Deleted zone “{gone.name}”.")
            st.rerun()


def _vertex_columns() -> dict[str, Any]:
    return {"lon": st.column_config.NumberColumn("lon (°E)", format="%.6f",
                                                 min_value=-180.0, max_value=180.0),
            "lat": st.column_config.NumberColumn("lat (°N)", format="%.6f",
                                                 min_value=-90.0, max_value=90.0),
            "part": st.column_config.NumberColumn("part", min_value=1, step=1),
            "ring": st.column_config.NumberColumn("ring", min_value=0, step=1)}


def _tool_vertices(state: State, z: Zone) -> None:
    nv = n_vertices(z.geometry)
    if nv > zs.MAX_TABLE_VERTICES:
        st.info(f"{nv:,} vertices are too many to edit in a table "
                f"(at most {zs.MAX_TABLE_VERTICES:,}).")
    else:
        st.caption("Exact coordinates in degrees (WGS84). part = polygon of a "
                   "multi-part zone, ring 0 = outline, 1… = holes. Add or delete rows, "
                   "then apply. A circle or rectangle becomes a plain polygon.")
        edited = st.data_editor(vertex_table(z.geometry),
                                key=f"zone_vertices_{z.id}_{state['zones_gen']}",
                                num_rows="dynamic", hide_index=True, width="stretch",
                                column_config=_vertex_columns())
        if st.button("Apply the table", key="zone_vertices_apply"):
            _rerun_after(lambda: zs.apply_vertex_table(state, z.id, edited))
    st.text_area("…or paste the outline, one position per line (decimal “lat, lon”, "
                 "DMS or MGRS)", key="zone_paste", height=120,
                 placeholder="50.47099, 23.93432\n50°10'N 24°30'E\n34UFB 12345 67890")
    if st.button("Replace the outline", key="zone_paste_apply"):
        _rerun_after(lambda: zs.replace_outline(state, z.id, state.get("zone_paste", "")))


def _tool_details(state: State, z: Zone, m: Mapping[str, Any] | None) -> None:
    units = state["units"]
    if m is None:
        st.warning("No metrics for this zone.")
        return
    st.markdown(zm.metrics_summary(m, units))
    st.markdown(f"**Perimeter** {format_distance(m['perimeter_km'], units)}")
    cities, incidents = zm.detail_rows(m, units)
    if cities:
        st.dataframe(cities, hide_index=True, width="stretch", key="zone_cities")
    st.dataframe(incidents, hide_index=True, width="stretch", key="zone_incidents")
    if z.is_circle:
        st.caption(f"Geodesic circle: centre {z.center_lat:.5f}, {z.center_lon:.5f}; radius "
                   f"{format_distance(z.radius_km, units, decimals=3)}")


def _zone_tools(state: State, metrics: Mapping[str, dict]) -> None:
    zones = state["drawn_zones"]
    if not zones:
        return
    st.subheader("Work on a zone")
    z = _pick_zone(state, zones)
    tab_act, tab_vert, tab_det = st.tabs(["Rename, clip, delete", "Vertices", "Details"])
    with tab_act:
        _tool_actions(state, z)
    with tab_vert:
        _tool_vertices(state, z)
    with tab_det:
        _tool_details(state, z, metrics.get(z.id))


# ------------------------------------------------------------ build by rule
def _build(state: State, action: Callable[[], Zone | list[Zone]],
           said: Callable[[list[Zone]], str] | None = None) -> None:
    """Run a builder command; say what it added, select the last new zone, rerun."""
    ok, made = attempt(action)
    if not ok:
        return
    new = made if isinstance(made, list) else [made]
    zm.note(state, "success", said(new) if said else f"Added zone “{new[-1].name}”.")
    state["zone_sel_next"] = new[-1].id
    st.rerun()


def _clip(state: State) -> bool:
    return bool(state.get("build_clip"))


def _build_regions(state: State) -> None:
    regions = zm.ua_regions()
    st.multiselect("Union of oblasts", list(regions), key="build_regions",
                   format_func=lambda c: regions.get(c, c), placeholder="e.g. Lviv, Volyn")
    c1, c2 = _add_row()
    c1.text_input("Zone name (optional)", key="build_regions_name")
    if c2.button("Add", key="build_regions_add"):
        _build(state, lambda: zs.add_regions(state, state.get("build_regions") or [],
                                             name=state.get("build_regions_name"),
                                             clip=_clip(state)))
    presets = zm.presets()
    c1, c2 = _add_row()
    c1.selectbox("…or start from a candidate zone", list(presets), key="build_preset",
                 format_func=lambda i: presets.get(i, i))
    if c2.button("Add", key="build_preset_add"):
        _build(state, lambda: zs.add_preset(state, state.get("build_preset"), clip=_clip(state)))


def _build_band(state: State) -> None:
    units = state["units"]
    st.multiselect("NATO border segments", zm.ua_border_segments(state["as_of"]),
                   key="build_band_segments", default=None, placeholder="e.g. PL-UA")
    depth_key = f"build_band_depth_{units}"
    state.setdefault(depth_key, round(from_km(50.0, units), 3))
    c1, c2 = _add_row()
    c1.number_input(f"Depth inside Ukraine ({units})", min_value=0.0,
                    max_value=round(from_km(1000.0, units), 3), step=5.0, key=depth_key)
    if c2.button("Add", key="build_band_add"):
        _build(state, lambda: zs.add_border_band(
            state, state.get("build_band_segments") or [],
            to_km(float(state[depth_key] or 0.0), units), units=units, clip=_clip(state)))


def _build_ring(state: State, incident: Mapping[str, Any]) -> None:
    units = state["units"]
    st.text_input("Centre (decimal “lat, lon”, DMS or MGRS; empty = the selected point "
                  "or incident)", key="build_ring_center",
                  placeholder=f"{incident['lat']:.5f}, {incident['lon']:.5f}")
    r_key = f"build_ring_radius_{units}"
    state.setdefault(r_key, round(from_km(100.0, units), 3))
    c1, c2 = _add_row()
    c1.number_input(f"Radius ({units})", min_value=0.0,
                    max_value=round(from_km(2000.0, units), 3), step=5.0, key=r_key)
    if c2.button("Add", key="build_ring_add"):
        centre = zm.buffer_center(state, (incident["lon"], incident["lat"]))
        _build(state, lambda: zs.add_ring(
            state, state.get("build_ring_center") or "", to_km(float(state[r_key] or 0.0), units),
            default_center=centre, units=units, clip=_clip(state)))


def _build_coords(state: State) -> None:
    st.text_area("Vertices, one per line (decimal “lat, lon”, DMS or MGRS), in order "
                 "around the zone", key="build_coords_text", height=150,
                 placeholder="50.9, 23.6\n50.9, 25.0\n49.8, 25.0\n49.8, 23.6")
    c1, c2 = _add_row()
    c1.text_input("Zone name (optional)", key="build_coords_name")
    if c2.button("Add", key="build_coords_add"):
        _build(state, lambda: zs.add_typed_zone(state, state.get("build_coords_text", ""),
                                                name=state.get("build_coords_name"),
                                                clip=_clip(state)))


def _import_zones(state: State, upload: Any) -> None:
    """Add the polygons of an uploaded file (:func:`dashboard.zonestate.import_zone_file`)."""
    data, name = (None, "") if upload is None else (upload.getvalue(), upload.name)
    _build(state, lambda: zs.import_zone_file(state, data, name, clip=_clip(state)),
           lambda new: f"Added {len(new)} zone(s) from {name}.")


def _builders(state: State, incident: Mapping[str, Any]) -> None:
    st.subheader("Build a zone by rule")
    t_reg, t_band, t_ring, t_coord, t_file = st.tabs(
        ["Oblasts", "Border band", "Ring", "Coordinates", "Import a file"])
    with t_reg:
        _build_regions(state)
    with t_band:
        _build_band(state)
    with t_ring:
        _build_ring(state, incident)
    with t_coord:
        _build_coords(state)
    with t_file:
        up = st.file_uploader("Zone file (GeoJSON with polygons)", type=["geojson", "json"],
                              key="build_import_file")
        if st.button("Add its polygons as zones", key="build_import_add"):
            _import_zones(state, up)
    st.checkbox("Clip new zones to Ukraine", key="build_clip",
                help="Keep only the part of a new zone over Ukraine's territory.")


# ----------------------------------------------------------------- scenarios
def _scn_note(level: str, text: str) -> None:
    st.session_state.setdefault("scn_msgs", []).append((level, text))


def _open(command: Callable[[State, dict[str, tuple[float, float]]], Scenario],
          prefix: str) -> None:
    """Open the scenario a ``zonestate.open_*`` command loads; its name goes into the form."""
    state = st.session_state
    ok, sc = attempt(lambda: command(state, zm.incident_lonlats()),
                     lambda text: zm.note(state, "error", text), prefix=prefix)
    if ok:
        state["scn_name"] = sc.name


def _cb_open_saved() -> None:
    name = st.session_state.get("scn_pick")
    _open(lambda state, inc: zs.open_saved(state, ScenarioStore(), name, inc),
          f"Could not open “{name}”: " if name else "")


def _cb_open_shared(param: str) -> None:
    st.session_state["scn_shared_done"] = param
    _open(lambda state, inc: zs.open_shared(state, param, inc),
          "The scenario link could not be read: ")


def _cb_dismiss_shared(param: str) -> None:
    st.session_state["scn_shared_done"] = param


def _cb_open_import() -> None:
    up = st.session_state.get("scn_import_file")
    data, name = (None, "") if up is None else (up.getvalue(), up.name)
    _open(lambda state, inc: zs.open_file(state, data, name, inc), f"{name}: " if name else "")


def _cb_save(incident_lonlat: tuple[float, float]) -> None:
    state = st.session_state
    ok, sc = attempt(lambda: zs.save_scenario(state, ScenarioStore(), state.get("scn_name"),
                                              incident_lonlat,
                                              overwrite=bool(state.get("scn_overwrite"))),
                     partial(_scn_note, "error"), prefix="Not saved: ",
                     hints={ScenarioExists: REPLACE_HINT})
    if ok:
        _scn_note("success", f"Saved scenario “{sc.name}” ({_plural(len(sc.zones), 'zone')}).")
        state["scn_pick"] = sc.name


def _cb_delete() -> None:
    state = st.session_state
    pick = state.get("scn_pick")
    ok, _ = attempt(lambda: zs.delete_saved(ScenarioStore(), pick,
                                            confirmed=bool(state.get("scn_delete_confirm"))),
                    partial(_scn_note, "error"))
    if ok:
        state["scn_delete_confirm"] = False
        state.pop("scn_pick", None)
        _scn_note("info", f"Deleted scenario “{pick}”.")


def _cb_rename() -> None:
    state = st.session_state
    pick = state.get("scn_pick")
    ok, new = attempt(lambda: zs.rename_saved(ScenarioStore(), pick, state.get("scn_new_name")),
                      partial(_scn_note, "error"), prefix="Not renamed: ")
    if ok:
        state["scn_pick"] = new
        state["scn_new_name"] = ""
        _scn_note("success", f"Renamed “{pick}” to “{new}”.")


def _shared_link(state: State) -> None:
    param = st.query_params.get("scenario")
    if not param or param == state.get("scn_shared_done"):
        return
    ok, sc = attempt(lambda: from_url_param(param),
                     prefix="The scenario link in the address could not be read: ")
    if not ok:
        st.button("Ignore the link", key="scn_shared_ignore", on_click=_cb_dismiss_shared,
                  args=(param,))
        return
    with st.container(border=True):
        st.info(f"This link carries the scenario “{md(sc.name)}” with "
                f"{_plural(len(sc.zones), 'zone')}. Opening it replaces the zones on this "
                "page (saved scenarios are not touched).")
        c1, c2 = st.columns(2)
        c1.button("Open the shared scenario", key="scn_shared_open", type="primary",
                  on_click=_cb_open_shared, args=(param,))
        c2.button("Not now", key="scn_shared_dismiss", on_click=_cb_dismiss_shared,
                  args=(param,))


def _scn_save_box(incident_lonlat: tuple[float, float]) -> None:
    st.text_input("Scenario name", key="scn_name", max_chars=120,
                  placeholder="e.g. West UA 100 km")
    st.checkbox("Replace a saved scenario of the same name", key="scn_overwrite")
    st.button("Save scenario", key="scn_save", type="primary", on_click=_cb_save,
              args=(incident_lonlat,))


def _scn_saved_box(state: State, saved: Sequence[Any]) -> None:
    if not saved:
        st.info("No saved scenarios yet.")
        return
    names = [s.name for s in saved]
    if state.get("scn_pick") not in names:
        state["scn_pick"] = names[0]
    info = {s.name: s for s in saved}
    st.selectbox("Saved scenarios", names, key="scn_pick",
                 format_func=lambda n: f"{n} · {info[n].n_zones} zone(s) · "
                                       f"{info[n].updated[:16].replace('T', ' ')} UTC")
    b1, b2, b3 = st.columns(3, vertical_alignment="bottom")
    b1.button("Open", key="scn_open", on_click=_cb_open_saved, type="primary")
    b2.checkbox("Confirm delete", key="scn_delete_confirm")
    b3.button("Delete", key="scn_delete", on_click=_cb_delete)
    r1, r2 = _add_row()
    r1.text_input("New name", key="scn_new_name", max_chars=120)
    r2.button("Rename", key="scn_rename", on_click=_cb_rename)


def _scn_export(state: State, incident_lonlat: tuple[float, float]) -> Scenario | None:
    """The download button; returns the page as a scenario (None if it cannot be one)."""
    ok, out = attempt(lambda: zs.export_scenario(state, state.get("scn_name") or "",
                                                 incident_lonlat), prefix="Cannot export: ")
    if not ok:
        return None
    sc, data, file_name = out
    st.download_button("Export as GeoJSON", data, file_name=file_name,
                       mime="application/geo+json", key="scn_export", on_click="ignore")
    return sc


def _scn_share(state: State, sc: Scenario | None) -> None:
    if st.button("Make a share link", key="scn_share", disabled=sc is None):
        ok, param = attempt(lambda: to_url_param(sc))
        if ok:
            st.query_params["scenario"] = param
            state["scn_shared_done"] = param
        state["scn_link"] = param
    if state.get("scn_link"):
        st.caption("The address bar now holds the link; copy it, or append this to the "
                   "app's address (it opens this page):")
        st.code(f"/zones?scenario={state['scn_link']}", language=None, wrap_lines=True)


def _scenarios(state: State, incident: Mapping[str, Any]) -> None:
    st.subheader("Scenarios")
    _show_queued(state, "scn_msgs")
    store = ScenarioStore()
    _, saved = attempt(store.list, prefix="The scenario store cannot be read: ")
    st.caption(f"Saved in {store.path} (GeoPackage). A scenario holds the zones, the rings "
               "around the selected point, the border band, the incident, the date, the "
               "units and the map view.")
    inc_ll = (incident["lon"], incident["lat"])
    c_save, c_saved = st.columns(2)
    with c_save:
        _scn_save_box(inc_ll)
    with c_saved:
        _scn_saved_box(state, saved or [])
    c_exp, c_imp, c_share = st.columns(3)
    with c_exp:
        sc = _scn_export(state, inc_ll)
    with c_imp:
        st.file_uploader("Import a scenario (GeoJSON)", type=["geojson", "json"],
                         key="scn_import_file")
        st.button("Open the imported scenario", key="scn_import_open", on_click=_cb_open_import)
    with c_share:
        _scn_share(state, sc)


# -------------------------------------------------------------------------- page
def render_zones_page(state: State) -> None:
    """Draw the "No-fly zones" page into the current Streamlit script run.

    Parameters
    ----------
    state : st.session_state
        Reads ``incident``, ``as_of``, ``units``, ``rings_km``, ``picked``,
        ``band_km``; owns ``drawn_zones`` and the ``zones_*``/``scn_*`` keys.
    """
    zm.init(state)
    incidents = {i["id"]: i for i in zm.incident_list()}
    incident = incidents.get(state.get("incident")) or next(iter(incidents.values()))
    if state.get("units") not in KM_PER_UNIT:
        state["units"] = "km"
    _shared_link(state)
    notes_box = st.container()
    map_col, list_col = st.columns([3, 2])
    with map_col:
        attempt(lambda: _draw_map(state, incident),
                prefix="The drawing map could not be built: ")
    with list_col:
        st.subheader("Zones")
        with st.spinner("Measuring zones…"):
            metrics = _compute_metrics(state)
        _zone_list(state, metrics)
    with notes_box:
        _show_queued(state, "zones_notes")
    _comparison(state, metrics)
    _zone_tools(state, metrics)
    _builders(state, incident)
    _scenarios(state, incident)
