"""The "No-fly zones" page: draw and build zones, compare them, keep them as scenarios.

``app.py`` calls :func:`render_zones_page` when the mode selector says
"No-fly zones".  This is the Streamlit shell only; the steps in between live in
:mod:`dashboard.zonestate` (zones, drawings, scenarios as plain data) and
:mod:`dashboard.render.drawmap` (the offline Leaflet map), and every figure
comes from the core (:mod:`dashboard.geo`).

Widget keys on this page start with ``zone_``, ``build_`` or ``scn_``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import MutableMapping
from datetime import date
from functools import lru_cache
from typing import Any

import shapely
import streamlit as st
from streamlit_folium import st_folium

from dashboard import zonestate as zs
from dashboard.geo.errors import InputError
from dashboard.geo.layers_io import load_layer, read_user_layer
from dashboard.geo.units import KM_PER_UNIT, format_distance, from_km, to_km
from dashboard.render.styles import DERIVED_STYLES
from dashboard.render import drawmap
from dashboard.scenarios import (
    ScenarioStore,
    from_geojson,
    from_url_param,
    to_geojson,
    to_url_param,
)

State = MutableMapping[str, Any]
log = logging.getLogger(__name__)

MAP_HEIGHT_PX = 560
UNIT_WORDS = {"km": "km", "nm": "nautical miles", "mi": "statute miles"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def _user_error(exc: Exception) -> InputError:
    """The one-line message a user sees; anything but an InputError is logged in full."""
    if isinstance(exc, InputError):
        return exc
    log.exception("unexpected error on the no-fly-zones page")
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return InputError(f"could not do that ({type(exc).__name__}{': ' + first if first else ''})")


def md(text: Any) -> str:
    """User text made inert for Markdown (no links, images or emphasis)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


# ------------------------------------------------------------------ cached data
@lru_cache(maxsize=512)
def _zone_metrics(wkb: bytes, as_of_iso: str) -> dict:
    from dashboard.geo.zones import zone_metrics

    return zone_metrics(shapely.from_wkb(wkb), on=as_of_iso)


def zone_metrics_cached(geometry, as_of: date) -> dict:
    """:func:`dashboard.geo.zones.zone_metrics`, cached on the exact geometry and date.

    A process-wide ``lru_cache`` rather than ``st.cache_data``: the result is
    the same for every session, and it also holds between AppTest runs.
    Callers must not modify the returned dict.
    """
    return _zone_metrics(shapely.to_wkb(geometry), as_of.isoformat())


@st.cache_data(show_spinner=False)
def _incidents() -> list[dict]:
    g = load_layer("incidents")
    return [{"id": str(r["id"]), "date": str(r["date"]), "place": str(r["place"]),
             "lon": float(r["geometry"].x), "lat": float(r["geometry"].y)}
            for _, r in g.iterrows()]


@st.cache_data(show_spinner=False)
def _ua_regions() -> dict[str, str]:
    r = load_layer("regions")
    r = r[r["country"] == "UA"].sort_values("name")
    return {str(c): f"{n} ({c})" for c, n in zip(r["iso_3166_2"], r["name"])}


@st.cache_data(show_spinner=False)
def _presets() -> dict[str, str]:
    z = load_layer("zones")
    return {str(i): str(n) for i, n in zip(z["id"], z["name"])}


def _ua_segments(as_of: date) -> list[str]:
    from dashboard.geo.nato import nato_border_on

    b = nato_border_on(as_of)
    return [str(s) for s in b.loc[b["neighbour"] == "UA", "id"]]


def _store() -> ScenarioStore:
    return ScenarioStore()


# --------------------------------------------------------------------- callbacks
def _incident_lonlats() -> dict[str, tuple[float, float]]:
    return {i["id"]: (i["lon"], i["lat"]) for i in _incidents()}


def _open_scenario(sc) -> None:
    state = st.session_state
    msgs = zs.apply_scenario(state, sc, _incident_lonlats())
    state["scn_name"] = sc.name
    zs.note(state, "success", f"Opened scenario “{sc.name}” ({len(sc.zones)} zone"
                              f"{'' if len(sc.zones) == 1 else 's'}).")
    for m in msgs:
        zs.note(state, "warning", m)


def _open_from(load, failure: str) -> None:
    """Open the scenario ``load()`` returns, or say why not after ``failure``."""
    try:
        sc = load()
    except Exception as exc:  # noqa: BLE001 - shown as a message
        zs.note(st.session_state, "error", f"{failure}: {_user_error(exc)}")
        return
    _open_scenario(sc)


def _cb_open_saved() -> None:
    name = st.session_state.get("scn_pick")
    if not name:
        zs.note(st.session_state, "error", "Choose a saved scenario first.")
        return
    _open_from(lambda: _store().load(name), f"Could not open “{name}”")


def _cb_open_shared(param: str) -> None:
    st.session_state["scn_shared_done"] = param
    _open_from(lambda: from_url_param(param), "The scenario link could not be read")


def _cb_dismiss_shared(param: str) -> None:
    st.session_state["scn_shared_done"] = param


def _cb_open_import() -> None:
    up = st.session_state.get("scn_import_file")
    if up is None:
        zs.note(st.session_state, "error", "Choose a scenario file (.geojson) first.")
        return
    _open_from(lambda: from_geojson(up.getvalue(),
                                    default_name=_stem(up.name) or "Imported scenario"),
               up.name)


def _stem(filename: str) -> str:
    stem = re.sub(r"\.(geo)?json$", "", str(filename or ""), flags=re.IGNORECASE).strip()
    return re.sub(r"[\x00-\x1f\x7f]", "", stem)[:120].strip()


# --------------------------------------------------------------------- sections
def _show_notes(state: State) -> None:
    notes, state["zones_notes"] = list(state.get("zones_notes") or []), []
    for level, text in notes:
        getattr(st, level if level in ("error", "warning", "info", "success") else "info")(text)


def _shared_link(state: State) -> None:
    param = st.query_params.get("scenario")
    if not param or param == state.get("scn_shared_done"):
        return
    try:
        sc = from_url_param(param)
    except Exception as exc:  # noqa: BLE001 - shown as a message
        exc = _user_error(exc)
        st.error(f"The scenario link in the address could not be read: {exc}")
        st.button("Ignore the link", key="scn_shared_ignore", on_click=_cb_dismiss_shared,
                  args=(param,))
        return
    with st.container(border=True):
        st.info(f"This link carries the scenario “{md(sc.name)}” with {len(sc.zones)} zone"
                f"{'' if len(sc.zones) == 1 else 's'}. Opening it replaces the zones on this "
                "page (saved scenarios are not touched).")
        c1, c2 = st.columns(2)
        c1.button("Open the shared scenario", key="scn_shared_open", type="primary",
                  on_click=_cb_open_shared, args=(param,))
        c2.button("Not now", key="scn_shared_dismiss", on_click=_cb_dismiss_shared,
                  args=(param,))


def _draw_map(state: State, incident: dict) -> None:
    from dashboard.geo.buffer import buffer_point

    as_of: date = state["as_of"]
    rings = [float(r) for r in state.get("rings_km") or []]
    c_lon, c_lat = zs.buffer_center(state, (incident["lon"], incident["lat"]))
    overlays: list[drawmap.RefLayer] = []
    if rings:
        try:
            circles = [buffer_point(c_lon, c_lat, r) for r in rings]
            overlays.append(drawmap.overlay_layer(
                "buffers", "Rings", circles,
                [f"{format_distance(r, state['units'])} ring" for r in rings],
                DERIVED_STYLES["buffers"]))
        except Exception as exc:  # noqa: BLE001 - shown as a message
            exc = _user_error(exc)
            st.error(f"Rings not drawn: {exc}")
    # anything else the map shows changed (date, rings, units): rebuild it from
    # the current zones, not from an old snapshot
    sig = hashlib.sha1("|".join([as_of.isoformat()] + [r.js for r in overlays]).encode())
    zs.ensure_map_sig(state, sig.hexdigest())
    refs = [*drawmap.reference_layers(as_of), *overlays]
    view = state.get("zones_map_view") or {}
    m = drawmap.build_draw_map(
        refs, state["zones_snapshot"],
        center=(float(view.get("lon", drawmap.DEFAULT_CENTER[0])),
                float(view.get("lat", drawmap.DEFAULT_CENTER[1]))),
        zoom=float(view.get("zoom", drawmap.DEFAULT_ZOOM)))
    out = st_folium(m, key=f"zone_map_{state['zones_gen']}", height=MAP_HEIGHT_PX,
                    use_container_width=True,
                    returned_objects=["all_drawings", "center", "zoom"])
    if isinstance(out, dict):
        center, zoom = out.get("center"), out.get("zoom")
        if isinstance(center, dict) and "lat" in center and "lng" in center and zoom:
            state["zones_view"] = {"lat": float(center["lat"]), "lon": float(center["lng"]),
                                   "zoom": float(zoom)}
        if zs.map_is_stale(state, out.get("all_drawings")):
            zs.bump(state)  # e.g. back from "Explore": the browser mounted an old snapshot
            st.rerun()
        zs.apply_drawings(state, out.get("all_drawings"))
    st.caption("Draw with the toolbar (polygon, rectangle, circle); edit or delete with the "
               "edit tools. Circles become geodesic circles of the drawn radius; rectangles "
               "follow the parallels; polygon edges are geodesics. Layers: top right.")


def _metrics_line(m: dict, units: str) -> str:
    a = zs.area_in_units(m["area_km2"], units)
    ci = m.get("cities_inside") or {}

    def d(v):
        return "n/a" if v is None else format_distance(v, units)

    return (f"**Area** {a:,.0f} {units}² · **NATO border covered** "
            f"{format_distance(m['nato_border_km'], units)} · **Population inside** "
            f"{int(ci.get('population') or 0):,} ({int(ci.get('count') or 0)} cities) · "
            f"**Belarus** {d(m.get('closest_belarus_km'))} · "
            f"**Russia** {d(m.get('closest_russia_km'))}")


def _zone_list(state: State, metrics: dict[str, dict]) -> None:
    zones = state["drawn_zones"]
    units = state["units"]
    if not zones:
        st.info("No zones yet. Draw one on the map, or build one below.")
        return
    for z in zones:
        with st.container(border=True, key=f"zone_card_{z['id']}"):
            st.markdown(f"**{md(z['name'])}** · {md(zs.RULE_LABELS.get(z['rule'], z['rule']))}"
                        f" · {zs.n_vertices(z['geometry'])} vertices")
            if z.get("description"):
                st.caption(md(z["description"]))
            m = metrics.get(z["id"])
            if m is None:
                st.warning("No metrics for this zone (see the error above).")
            else:
                st.markdown(_metrics_line(m, units))


def _compute_metrics(state: State) -> dict[str, dict]:
    out: dict[str, dict] = {}
    as_of = state["as_of"]
    for z in state["drawn_zones"]:
        try:
            out[z["id"]] = zone_metrics_cached(z["geometry"], as_of)
        except Exception as exc:  # noqa: BLE001 - shown as a message
            exc = _user_error(exc)
            st.error(f"Zone “{md(z['name'])}”: {exc}")
    return out


def _comparison(state: State, metrics: dict[str, dict]) -> None:
    zones = state["drawn_zones"]
    if not zones:
        return
    st.subheader("Compare zones")
    df = zs.comparison_table(zones, metrics, state["units"], _incidents())
    st.dataframe(df, hide_index=True, width="stretch", key="zone_compare")
    st.caption(f"Distances in {UNIT_WORDS[state['units']]}, geodesic on WGS84; 0 = touching "
               "or inside. NATO border covered = length of the border (as of "
               f"{state['as_of'].isoformat()}) within 1 km of the zone; population = "
               "GeoNames places of 15,000+ inside.")


def _zone_tools(state: State, metrics: dict[str, dict]) -> None:
    zones = state["drawn_zones"]
    if not zones:
        return
    st.subheader("Work on a zone")
    ids = [z["id"] for z in zones]
    nxt = state.pop("zone_sel_next", None)
    if nxt in ids:
        state["zone_sel"] = nxt
    if state.get("zone_sel") not in ids:
        state["zone_sel"] = ids[-1]
    names = {z["id"]: z["name"] for z in zones}
    zid = st.selectbox("Zone", ids, key="zone_sel", format_func=lambda i: names.get(i, i))
    z = zs.zone_by_id(zones, zid)
    units = state["units"]
    m = metrics.get(zid)
    tab_act, tab_vert, tab_det = st.tabs(["Rename, clip, delete", "Vertices", "Details"])
    with tab_act:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        new_name = c1.text_input("Name", value=z["name"],
                                 key=f"zone_name_{zid}_{state['zones_gen']}")
        if c2.button("Rename", key="zone_rename"):
            try:
                zs.rename_zone(state, zid, new_name)
                zs.bump(state)
                st.rerun()
            except Exception as exc:  # noqa: BLE001 - shown as a message
                exc = _user_error(exc)
                st.error(str(exc))
        c1, c2 = st.columns(2)
        if c1.button("Clip to Ukraine", key="zone_clip",
                     help="Keep only the part over Ukraine's territory (incl. territorial sea)."):
            from dashboard.geo.zones import clip_to_country

            try:
                clipped = clip_to_country(z["geometry"], "UA")
                geom, msgs = zs.check_zone_geometry(clipped, f"zone {z['name']}")
                desc = (z.get("description") or zs.RULE_LABELS.get(z["rule"], "")) + \
                    " · clipped to Ukraine"
                zs.replace_geometry(z, geom, description=desc)
                z.setdefault("params", {})["clipped_to"] = "UA"
                for msg in msgs:
                    zs.note(state, "warning", msg)
                zs.bump(state)
                st.rerun()
            except Exception as exc:  # noqa: BLE001 - shown as a message
                exc = _user_error(exc)
                st.error(f"Zone “{md(z['name'])}”: {exc}")
        if c2.button("Delete zone", key="zone_delete"):
            zs.delete_zone(state, zid)
            zs.note(state, "info", f"Deleted zone “{z['name']}”.")
            st.rerun()
    with tab_vert:
        nv = zs.n_vertices(z["geometry"])
        if nv > zs.MAX_TABLE_VERTICES:
            st.info(f"{nv:,} vertices are too many to edit in a table "
                    f"(at most {zs.MAX_TABLE_VERTICES:,}).")
        else:
            st.caption("Exact coordinates in degrees (WGS84). part = polygon of a "
                       "multi-part zone, ring 0 = outline, 1… = holes. Add or delete rows, "
                       "then apply. A circle or rectangle becomes a plain polygon.")
            table = zs.vertex_table(z["geometry"])
            edited = st.data_editor(
                table, key=f"zone_vertices_{zid}_{state['zones_gen']}", num_rows="dynamic",
                hide_index=True, width="stretch",
                column_config={
                    "lon": st.column_config.NumberColumn("lon (°E)", format="%.6f",
                                                         min_value=-180.0, max_value=180.0),
                    "lat": st.column_config.NumberColumn("lat (°N)", format="%.6f",
                                                         min_value=-90.0, max_value=90.0),
                    "part": st.column_config.NumberColumn("part", min_value=1, step=1),
                    "ring": st.column_config.NumberColumn("ring", min_value=0, step=1)})
            if st.button("Apply the table", key="zone_vertices_apply"):
                try:
                    geom, msgs = zs.table_to_geometry(edited)
                    zs.replace_geometry(z, geom, rule="table",
                                        description=f"{zs.n_vertices(geom)} vertices from "
                                                    "the vertex table")
                    for msg in msgs:
                        zs.note(state, "warning", msg)
                    zs.bump(state)
                    st.rerun()
                except Exception as exc:  # noqa: BLE001 - shown as a message
                    exc = _user_error(exc)
                    st.error(str(exc))
        st.text_area("…or paste the outline, one position per line (decimal “lat, lon”, "
                     "DMS or MGRS)", key="zone_paste", height=120,
                     placeholder="50.47099, 23.93432\n50°10'N 24°30'E\n34UFB 12345 67890")
        if st.button("Replace the outline", key="zone_paste_apply"):
            try:
                poly = zs.parse_vertex_text(state.get("zone_paste", ""))
                zs.replace_geometry(z, poly, rule="coordinates",
                                    description=f"{zs.n_vertices(poly)} typed vertices, "
                                                "geodesic edges")
                zs.bump(state)
                st.rerun()
            except Exception as exc:  # noqa: BLE001 - shown as a message
                exc = _user_error(exc)
                st.error(str(exc))
    with tab_det:
        if m is None:
            st.warning("No metrics for this zone.")
        else:
            st.markdown(_metrics_line(m, units))
            st.markdown(f"**Perimeter** {format_distance(m['perimeter_km'], units)}")
            largest = (m.get("cities_inside") or {}).get("largest") or []
            if largest:
                st.dataframe([{"city": c["name"], "country": c["country"],
                               "population": int(c["population"])} for c in largest],
                             hide_index=True, width="stretch", key="zone_cities")
            st.dataframe([{"incident": i["id"], "place": i["place"],
                           f"distance ({units})": round(from_km(i["distance_km"], units), 2)}
                          for i in m.get("incidents") or []],
                         hide_index=True, width="stretch", key="zone_incidents")
            if zs.is_circle(z):
                st.caption(f"Geodesic circle: centre {z['center_lat']:.5f}, "
                           f"{z['center_lon']:.5f}; radius "
                           f"{format_distance(z['radius_km'], units, decimals=3)}")


def _add_built(state: State, geom, *, rule: str, name: str, description: str,
               params: dict, circle=None) -> None:
    if state.get("build_clip"):
        from dashboard.geo.zones import clip_to_country

        geom = clip_to_country(geom, "UA")
        description += " · clipped to Ukraine"
        params = dict(params, clipped_to="UA")
        circle = None
    z = zs.add_zone(state, geom, rule=rule, name=name or None, description=description,
                    params=params, circle=circle)
    zs.note(state, "success", f"Added zone “{z['name']}”.")
    state["zone_sel_next"] = z["id"]
    zs.bump(state)
    st.rerun()


def _builders(state: State, incident: dict) -> None:
    st.subheader("Build a zone by rule")
    units = state["units"]
    t_reg, t_band, t_ring, t_coord, t_file = st.tabs(
        ["Oblasts", "Border band", "Ring", "Coordinates", "Import a file"])
    with t_reg:
        regions = _ua_regions()
        st.multiselect("Union of oblasts", list(regions), key="build_regions",
                       format_func=lambda c: regions.get(c, c), placeholder="e.g. Lviv, Volyn")
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.text_input("Zone name (optional)", key="build_regions_name")
        if c2.button("Add", key="build_regions_add"):
            from dashboard.geo.zones import zone_from_regions

            codes = list(state.get("build_regions") or [])
            try:
                geom = zone_from_regions(codes)
                label = ", ".join(regions[c].split(" (")[0] for c in codes)
                _add_built(state, geom, rule="regions", name=state.get("build_regions_name"),
                           description=f"union of {label}", params={"iso_codes": codes})
            except Exception as exc:  # noqa: BLE001 - shown as a message
                exc = _user_error(exc)
                st.error(str(exc))
        presets = _presets()
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.selectbox("…or start from a candidate zone", list(presets), key="build_preset",
                     format_func=lambda i: presets.get(i, i))
        if c2.button("Add", key="build_preset_add"):
            from dashboard.geo.zones import preset_zone

            pid = state.get("build_preset")
            try:
                _add_built(state, preset_zone(pid), rule="regions", name=presets.get(pid),
                           description=f"candidate zone {pid}", params={"preset": pid})
            except Exception as exc:  # noqa: BLE001 - shown as a message
                exc = _user_error(exc)
                st.error(str(exc))
    with t_band:
        segs = _ua_segments(state["as_of"])
        st.multiselect("NATO border segments", segs, key="build_band_segments",
                       default=None, placeholder="e.g. PL-UA")
        depth_key = f"build_band_depth_{units}"
        state.setdefault(depth_key, round(from_km(50.0, units), 3))
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.number_input(f"Depth inside Ukraine ({units})", min_value=0.0,
                        max_value=round(from_km(1000.0, units), 3), step=5.0, key=depth_key)
        if c2.button("Add", key="build_band_add"):
            from dashboard.geo.zones import zone_border_band

            ids = list(state.get("build_band_segments") or [])
            depth_km = to_km(float(state[depth_key] or 0.0), units)
            try:
                if depth_km <= 0:
                    raise InputError("the band needs a depth greater than 0")
                geom = zone_border_band(ids, depth_km)
                _add_built(state, geom, rule="border_band",
                           name=f"{from_km(depth_km, units):g} {units} band "
                                f"{'+'.join(ids)}",
                           description=f"{format_distance(depth_km, units)} band inside "
                                       f"Ukraine along {', '.join(ids)}",
                           params={"segment_ids": ids, "depth_km": depth_km})
            except Exception as exc:  # noqa: BLE001 - shown as a message
                exc = _user_error(exc)
                st.error(str(exc))
    with t_ring:
        st.text_input("Centre (decimal “lat, lon”, DMS or MGRS; empty = the selected point "
                      "or incident)", key="build_ring_center",
                      placeholder=f"{incident['lat']:.5f}, {incident['lon']:.5f}")
        r_key = f"build_ring_radius_{units}"
        state.setdefault(r_key, round(from_km(100.0, units), 3))
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.number_input(f"Radius ({units})", min_value=0.0,
                        max_value=round(from_km(2000.0, units), 3), step=5.0, key=r_key)
        if c2.button("Add", key="build_ring_add"):
            from dashboard.geo.coords import parse_position
            from dashboard.geo.zones import zone_ring

            text = (state.get("build_ring_center") or "").strip()
            try:
                if text:
                    lon, lat = parse_position(text)
                else:
                    lon, lat = zs.buffer_center(state, (incident["lon"], incident["lat"]))
                radius_km = to_km(float(state[r_key] or 0.0), units)
                if radius_km <= 0:
                    raise InputError("the ring needs a radius greater than 0")
                geom = zone_ring(lon, lat, radius_km)
                _add_built(state, geom, rule="ring",
                           name=f"{format_distance(radius_km, units)} ring",
                           description=f"geodesic circle of {format_distance(radius_km, units)}"
                                       f" around {lat:.5f}, {lon:.5f}",
                           params={"center_lon": lon, "center_lat": lat,
                                   "radius_km": radius_km},
                           circle=(lon, lat, radius_km))
            except Exception as exc:  # noqa: BLE001 - shown as a message
                exc = _user_error(exc)
                st.error(str(exc))
    with t_coord:
        st.text_area("Vertices, one per line (decimal “lat, lon”, DMS or MGRS), in order "
                     "around the zone", key="build_coords_text", height=150,
                     placeholder="50.9, 23.6\n50.9, 25.0\n49.8, 25.0\n49.8, 23.6")
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.text_input("Zone name (optional)", key="build_coords_name")
        if c2.button("Add", key="build_coords_add"):
            try:
                poly = zs.parse_vertex_text(state.get("build_coords_text", ""))
                _add_built(state, poly, rule="coordinates", name=state.get("build_coords_name"),
                           description=f"{zs.n_vertices(poly)} typed vertices, geodesic edges",
                           params={})
            except Exception as exc:  # noqa: BLE001 - shown as a message
                exc = _user_error(exc)
                st.error(str(exc))
    with t_file:
        up = st.file_uploader("Zone file (GeoJSON with polygons)", type=["geojson", "json"],
                              key="build_import_file")
        if st.button("Add its polygons as zones", key="build_import_add"):
            if up is None:
                st.error("Choose a GeoJSON file first.")
            else:
                _import_zones(state, up.getvalue(), up.name)
    st.checkbox("Clip new zones to Ukraine", key="build_clip",
                help="Keep only the part of a new zone over Ukraine's territory.")


def _import_zones(state: State, data: bytes, filename: str) -> None:
    try:
        layer = read_user_layer(data, filename)
    except Exception as exc:  # noqa: BLE001 - shown as a message
        exc = _user_error(exc)
        st.error(str(exc))
        return
    gdf = layer.gdf
    polys = gdf[gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    skipped = len(gdf) - len(polys)
    if polys.empty:
        st.error(f"{filename} has no polygons; a zone must be an area")
        return
    stem = _stem(filename) or "Imported"
    added = []
    try:
        for k, (_, row) in enumerate(polys.iterrows(), start=1):
            nm = row.get("name") if "name" in polys.columns else None
            nm = str(nm) if nm is not None and str(nm) not in ("", "nan", "None") else \
                f"{stem} {k}"
            geom = row.geometry
            if state.get("build_clip"):
                from dashboard.geo.zones import clip_to_country

                geom = clip_to_country(geom, "UA")
            z = zs.add_zone(state, geom, rule="import", name=nm[:120],
                            description=f"from {filename}", params={"file": filename})
            added.append(z["name"])
    except Exception as exc:  # noqa: BLE001 - shown as a message
        exc = _user_error(exc)
        st.error(f"{filename}: {exc}")
    for msg in layer.messages:
        zs.note(state, "info", f"{filename}: {msg}")
    if skipped:
        zs.note(state, "info", f"{filename}: {skipped} feature(s) that are not polygons were "
                               "left out")
    if added:
        zs.note(state, "success", f"Added {len(added)} zone(s) from {filename}.")
        state["zone_sel_next"] = state["drawn_zones"][-1]["id"]
        zs.bump(state)
        st.rerun()


def _scn_note(level: str, text: str) -> None:
    st.session_state.setdefault("scn_msgs", []).append((level, text))


def _cb_save(incident_lonlat: tuple[float, float]) -> None:
    state = st.session_state
    name = (state.get("scn_name") or "").strip()
    try:
        if not name:
            raise InputError("give the scenario a name first")
        sc = zs.state_to_scenario(state, name, incident_lonlat)
        _store().save(sc, overwrite=bool(state.get("scn_overwrite")))
    except Exception as exc:  # noqa: BLE001 - shown as a message
        exc = _user_error(exc)
        msg = str(exc)
        if "already exists" in msg:
            msg += " — tick “Replace” to overwrite it, or choose another name"
        _scn_note("error", f"Not saved: {msg}")
        return
    _scn_note("success", f"Saved scenario “{name}” ({len(sc.zones)} zone"
                         f"{'' if len(sc.zones) == 1 else 's'}).")
    state["scn_pick"] = name


def _cb_delete() -> None:
    state = st.session_state
    pick = state.get("scn_pick")
    if not state.get("scn_delete_confirm"):
        _scn_note("error", "Tick “Confirm delete” first.")
        return
    try:
        _store().delete(pick)
    except Exception as exc:  # noqa: BLE001 - shown as a message
        exc = _user_error(exc)
        _scn_note("error", str(exc))
        return
    state["scn_delete_confirm"] = False
    state.pop("scn_pick", None)
    _scn_note("info", f"Deleted scenario “{pick}”.")


def _cb_rename() -> None:
    state = st.session_state
    pick = state.get("scn_pick")
    new = (state.get("scn_new_name") or "").strip()
    try:
        if not pick:
            raise InputError("choose a saved scenario first")
        _store().rename(pick, new)
    except Exception as exc:  # noqa: BLE001 - shown as a message
        exc = _user_error(exc)
        _scn_note("error", f"Not renamed: {exc}")
        return
    state["scn_pick"] = new
    state["scn_new_name"] = ""
    _scn_note("success", f"Renamed “{pick}” to “{new}”.")


def _scenarios(state: State, incident: dict) -> None:
    st.subheader("Scenarios")
    msgs, state["scn_msgs"] = list(state.get("scn_msgs") or []), []
    for level, text in msgs:
        getattr(st, level)(text)
    store = _store()
    try:
        saved = store.list()
    except Exception as exc:  # noqa: BLE001 - shown as a message
        exc = _user_error(exc)
        st.error(f"The scenario store cannot be read: {exc}")
        saved = []
    st.caption(f"Saved in {store.path} (GeoPackage). A scenario holds the zones, the rings "
               "around the selected point, the border band, the incident, the date, the "
               "units and the map view.")
    inc_ll = (incident["lon"], incident["lat"])
    c_save, c_saved = st.columns(2)
    with c_save:
        st.text_input("Scenario name", key="scn_name", max_chars=120,
                      placeholder="e.g. West UA 100 km")
        st.checkbox("Replace a saved scenario of the same name", key="scn_overwrite")
        st.button("Save scenario", key="scn_save", type="primary", on_click=_cb_save,
                  args=(inc_ll,))
    with c_saved:
        if not saved:
            st.info("No saved scenarios yet.")
        else:
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
            r1, r2 = st.columns([3, 1], vertical_alignment="bottom")
            r1.text_input("New name", key="scn_new_name", max_chars=120)
            r2.button("Rename", key="scn_rename", on_click=_cb_rename)

    c_exp, c_imp, c_share = st.columns(3)
    name = (state.get("scn_name") or "").strip() or "Untitled scenario"
    try:
        sc = zs.state_to_scenario(state, name, inc_ll)
        data = json.dumps(to_geojson(sc), ensure_ascii=False).encode("utf-8")
        fname = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "scenario"
        c_exp.download_button("Export as GeoJSON", data, file_name=f"{fname}.geojson",
                              mime="application/geo+json", key="scn_export", on_click="ignore")
    except Exception as exc:  # noqa: BLE001 - shown as a message
        exc = _user_error(exc)
        sc = None
        c_exp.error(f"Cannot export: {exc}")
    with c_imp:
        st.file_uploader("Import a scenario (GeoJSON)", type=["geojson", "json"],
                         key="scn_import_file")
        st.button("Open the imported scenario", key="scn_import_open", on_click=_cb_open_import)
    with c_share:
        if st.button("Make a share link", key="scn_share", disabled=sc is None):
            try:
                param = to_url_param(sc)
                st.query_params["scenario"] = param
                state["scn_shared_done"] = param
                state["scn_link"] = param
            except Exception as exc:  # noqa: BLE001 - shown as a message
                exc = _user_error(exc)
                state["scn_link"] = None
                st.error(str(exc))
        if state.get("scn_link"):
            st.caption("The address bar now holds the link; copy it, or append this to the "
                       "app's address:")
            st.code(f"?scenario={state['scn_link']}", language=None, wrap_lines=True)


# -------------------------------------------------------------------------- page
def render_zones_page(state: State) -> None:
    """Draw the "No-fly zones" page into the current Streamlit script run.

    Parameters
    ----------
    state : st.session_state
        Reads ``incident``, ``as_of``, ``units``, ``rings_km``, ``picked``,
        ``band_km``; owns ``drawn_zones`` and the ``zones_*``/``scn_*`` keys.
    """
    zs.init(state)
    incidents = {i["id"]: i for i in _incidents()}
    incident = incidents.get(state.get("incident")) or next(iter(incidents.values()))
    if state.get("units") not in KM_PER_UNIT:
        state["units"] = "km"
    _shared_link(state)
    notes_box = st.container()
    map_col, list_col = st.columns([3, 2])
    with map_col:
        try:
            _draw_map(state, incident)
        except Exception as exc:  # noqa: BLE001 - shown as a message
            exc = _user_error(exc)
            st.error(f"The drawing map could not be built: {exc}")
    with list_col:
        st.subheader("Zones")
        with st.spinner("Measuring zones…"):
            metrics = _compute_metrics(state)
        _zone_list(state, metrics)
    with notes_box:
        _show_notes(state)
    _comparison(state, metrics)
    _zone_tools(state, metrics)
    _builders(state, incident)
    _scenarios(state, incident)
