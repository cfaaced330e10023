"""The zones page's tools: work on one zone (rename, clip, delete, vertices) and build
zones by rule (oblasts, a border band, a ring, typed vertices, a file)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from dashboard.data.limits import MAX_TABLE_VERTICES
from dashboard.geo.units import format_distance, from_km, to_km
from dashboard.scene.names import shown_name
from dashboard.state import zone_choices, zone_scenario
from dashboard.state import zonemap as zm
from dashboard.state import zones as zs
from dashboard.state.fields import Session, StateLike, widget_key
from dashboard.state.vertices import n_vertices, vertex_table
from dashboard.store import Zone
from dashboard.ui import zone_figures as zf
from dashboard.ui.widgets import add_row, attempt, md, pressed


# ------------------------------------------------------------ work on a zone
def _rerun_after(action: Callable[[], Any], *, prefix: str = "") -> None:
    """Run a zone command; rerun the page when it worked (the map was rebuilt)."""
    ok, _ = attempt(action, prefix=prefix)
    if ok:
        st.rerun()


def _pick_zone(state: StateLike, zones: Sequence[Zone]) -> Zone:
    state = Session.of(state)
    ids = [z.id for z in zones]
    nxt = state.zone_sel_next
    del state.zone_sel_next
    if nxt in ids:
        state.zone_sel = nxt
    if state.zone_sel not in ids:
        state.zone_sel = ids[-1]
    names = {z.id: z.name for z in zones}
    zid = st.selectbox("Zone", ids, key="zone_sel", format_func=lambda i: shown_name(names.get(i, i)))
    return zm.zone_by_id(zones, zid)


def _tool_actions(state: StateLike, z: Zone) -> None:
    state = Session.of(state)
    c1, c2 = add_row()
    new_name = c1.text_input("Name", value=z.name, key=widget_key("zone_name", z.id, state.zones_gen))
    if pressed(c2, "Rename", key="zone_rename", target=z.id):
        _rerun_after(lambda: zs.rename_zone(state, z.id, new_name))
    c1, c2 = st.columns(2)
    if pressed(c1, "Clip to Ukraine", key="zone_clip", target=z.id,
               help="Keep only the part over Ukraine's territory (incl. territorial sea)."):
        _rerun_after(lambda: zs.clip_to_ukraine(state, z.id), prefix=f"Zone “{md(z.name)}”: ")
    if pressed(c2, "Delete zone", key="zone_delete", target=z.id):
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


def _tool_vertices(state: StateLike, z: Zone) -> None:
    state = Session.of(state)
    nv = n_vertices(z.geometry)
    if nv > MAX_TABLE_VERTICES:
        st.info(f"{nv:,} vertices are too many to edit in a table "
                f"(at most {MAX_TABLE_VERTICES:,}).")
    else:
        st.caption("Exact coordinates in degrees (WGS84). part = polygon of a "
                   "multi-part zone, ring 0 = outline, 1… = holes. Add or delete rows, "
                   "then apply. A circle or rectangle becomes a plain polygon.")
        edited = st.data_editor(vertex_table(z.geometry),
                                key=widget_key("zone_vertices", z.id, state.zones_gen),
                                num_rows="dynamic", hide_index=True, width="stretch",
                                column_config=_vertex_columns())
        if pressed(st, "Apply the table", key="zone_vertices_apply", target=z.id):
            _rerun_after(lambda: zs.apply_vertex_table(state, z.id, edited))
    st.text_area("…or paste the outline, one position per line (decimal “lat, lon”, "
                 "DMS or MGRS)", key="zone_paste", height=120,
                 placeholder="50.47099, 23.93432\n50°10'N 24°30'E\n34UFB 12345 67890")
    if pressed(st, "Replace the outline", key="zone_paste_apply", target=z.id):
        _rerun_after(lambda: zs.replace_outline(state, z.id, state.zone_paste))


def _tool_details(state: StateLike, z: Zone, m: Mapping[str, Any] | None) -> None:
    state = Session.of(state)
    units = state.units
    if m is None:
        st.warning("No metrics for this zone.")
        return
    st.markdown(zf.metrics_summary(m, units))
    st.markdown(f"**Perimeter** {format_distance(m.perimeter_km, units)}")
    cities, incidents = zf.detail_rows(m, units)
    if cities:
        st.dataframe(cities, hide_index=True, width="stretch", key="zone_cities")
    st.dataframe(incidents, hide_index=True, width="stretch", key="zone_incidents")
    if z.is_circle:
        st.caption(f"Geodesic circle: centre {z.center_lat:.5f}, {z.center_lon:.5f}; radius "
                   f"{format_distance(z.radius_km, units, decimals=3)}")


def zone_tools(state: StateLike, metrics: Mapping[str, dict]) -> None:
    state = Session.of(state)
    zones = state.drawn_zones
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
def _build(state: StateLike, action: Callable[[], Zone | list[Zone]],
           said: Callable[[list[Zone]], str] | None = None) -> None:
    """Run a builder command; say what it added, select the last new zone, rerun."""
    state = Session.of(state)
    ok, made = attempt(action)
    if not ok:
        return
    new = made if isinstance(made, list) else [made]
    zm.note(state, "success", said(new) if said else f"Added zone “{new[-1].name}”.")
    state.zone_sel_next = new[-1].id
    st.rerun()


def _clip(state: StateLike) -> bool:
    state = Session.of(state)
    return bool(state.build_clip)


def _build_regions(state: StateLike) -> None:
    state = Session.of(state)
    regions = zone_choices.ua_regions()
    st.multiselect("Union of oblasts", list(regions), key="build_regions",
                   format_func=lambda c: regions.get(c, c), placeholder="e.g. Lviv, Volyn")
    c1, c2 = add_row()
    c1.text_input("Zone name (optional)", key="build_regions_name")
    if pressed(c2, "Add", key="build_regions_add"):
        _build(state, lambda: zs.add_regions(state, state.build_regions or [],
                                             name=state.build_regions_name,
                                             clip=_clip(state)))
    presets = zone_choices.presets()
    c1, c2 = add_row()
    c1.selectbox("…or start from a candidate zone", list(presets), key="build_preset",
                 format_func=lambda i: presets.get(i, i))
    if pressed(c2, "Add", key="build_preset_add"):
        _build(state, lambda: zs.add_preset(state, state.build_preset, clip=_clip(state)))


def _build_band(state: StateLike) -> None:
    state = Session.of(state)
    units = state.units
    st.multiselect("NATO border segments", zone_choices.ua_border_segments(state.as_of),
                   key="build_band_segments", default=None, placeholder="e.g. PL-UA")
    depth_key = widget_key("build_band_depth", units)
    state.setdefault(depth_key, round(from_km(50.0, units), 3))
    c1, c2 = add_row()
    c1.number_input(f"Depth inside Ukraine ({units})", min_value=0.0,
                    max_value=round(from_km(1000.0, units), 3), step=5.0, key=depth_key)
    if pressed(c2, "Add", key="build_band_add"):
        _build(state, lambda: zs.add_border_band(
            state, state.build_band_segments or [],
            to_km(float(state[depth_key] or 0.0), units), units=units, clip=_clip(state)))


def _build_ring(state: StateLike, incident: Mapping[str, Any]) -> None:
    state = Session.of(state)
    units = state.units
    st.text_input("Centre (decimal “lat, lon”, DMS or MGRS; empty = the selected point "
                  "or incident)", key="build_ring_center",
                  placeholder=f"{incident['lat']:.5f}, {incident['lon']:.5f}")
    r_key = widget_key("build_ring_radius", units)
    state.setdefault(r_key, round(from_km(100.0, units), 3))
    c1, c2 = add_row()
    c1.number_input(f"Radius ({units})", min_value=0.0,
                    max_value=round(from_km(2000.0, units), 3), step=5.0, key=r_key)
    if pressed(c2, "Add", key="build_ring_add"):
        centre = zone_scenario.buffer_center(state, (incident["lon"], incident["lat"]))
        _build(state, lambda: zs.add_ring(
            state, state.build_ring_center or "", to_km(float(state[r_key] or 0.0), units),
            default_center=centre, units=units, clip=_clip(state)))


def _build_coords(state: StateLike) -> None:
    state = Session.of(state)
    st.text_area("Vertices, one per line (decimal “lat, lon”, DMS or MGRS), in order "
                 "around the zone", key="build_coords_text", height=150,
                 placeholder="50.9, 23.6\n50.9, 25.0\n49.8, 25.0\n49.8, 23.6")
    c1, c2 = add_row()
    c1.text_input("Zone name (optional)", key="build_coords_name")
    if pressed(c2, "Add", key="build_coords_add"):
        _build(state, lambda: zs.add_typed_zone(state, state.build_coords_text,
                                                name=state.build_coords_name,
                                                clip=_clip(state)))


def _import_zones(state: StateLike, upload: Any) -> None:
    """Add the polygons of an uploaded file (:func:`dashboard.state.zones.import_zone_file`)."""
    data, name = (None, "") if upload is None else (upload.getvalue(), upload.name)
    _build(state, lambda: zs.import_zone_file(state, data, name, clip=_clip(state)),
           lambda new: f"Added {len(new)} zone(s) from {name}.")


def builders(state: StateLike, incident: Mapping[str, Any]) -> None:
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
        if pressed(st, "Add its polygons as zones", key="build_import_add"):
            _import_zones(state, up)
    st.checkbox("Clip new zones to Ukraine", key="build_clip",
                help="Keep only the part of a new zone over Ukraine's territory.")


