"""The Explore page (``/explore``): the map, what was clicked, measuring, figures, downloads.

Run by ``st.navigation`` from ``dashboard/app.py``, which has already drawn the
shared sidebar and initialised the session state.  Widgets only: the request
comes from :func:`dashboard.appstate.scene_request`, the scene from
:func:`dashboard.compose.build_scene`, every figure from the core.
"""
from __future__ import annotations

import html
from typing import Any

import streamlit as st

from dashboard import appstate
from dashboard.compose import build_scene
from dashboard.geo.coords import parse_position
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import inverse_km
from dashboard.geo.report import PointReport, point_report
from dashboard.geo.units import format_distance
from dashboard.render.deck import legend_html, scene_to_deck
from dashboard.render.export import BRIEF_MIME, brief_bytes
from dashboard.scene import Scene

MAP_HEIGHT_PX = 600
HEADLINES = (("Strike → NATO border", "NATO border"), ("Strike → Ukraine", "Ukraine"),
             ("Strike → Belarus", "Belarus"), ("Strike → Russia", "Russia"))


def measured_points(state: Any) -> tuple[tuple[tuple[float, float], tuple[float, float]] | None,
                                         str | None]:
    """The two typed positions of the measuring tool as (lon, lat) pairs, or the error."""
    a_txt, b_txt = state["measure_a"].strip(), state["measure_b"].strip()
    if not (a_txt and b_txt):
        return None, None
    try:
        return (parse_position(a_txt), parse_position(b_txt)), None
    except InputError as exc:
        return None, str(exc)


def compute(state: Any, measure) -> tuple[Scene, PointReport]:
    """The scene of the page and the report on the picked point."""
    inc_by_id = appstate.incidents_by_id()
    incident = inc_by_id[state["incident"]]
    lon, lat = float(incident["geometry"].x), float(incident["geometry"].y)
    picked = state["picked"] or appstate.incident_pick(incident)
    req = appstate.scene_request(state, inc_by_id, view=appstate.incident_view(lon, lat),
                                 measure=measure)
    try:
        scene = build_scene(req)
    except InputError as exc:
        st.error(f"{exc} — showing the map without buffers, band and your layers.")
        scene = build_scene(req.replace(ring_radii_km=(), band_km=None, user_layers=(),
                                        extra_zones=()))
    report = point_report(picked["lon"], picked["lat"], as_of=state["as_of"],
                          incident=(incident["id"], lon, lat),
                          extra_layers=state["user_layers"])
    return scene, report


def headline(state: Any, incident: dict) -> None:
    """The caption and the strike's four distances."""
    as_of, units = state["as_of"], state["units"]
    lon, lat = float(incident["geometry"].x), float(incident["geometry"].y)
    st.caption(
        f"{html.escape(str(incident['place']))} · {incident['date']} "
        f"{incident.get('time_utc') or ''} UTC · NATO border as of {as_of.isoformat()} · "
        "all distances geodesic on WGS84")
    strike = point_report(lon, lat, as_of=as_of)
    for col, (label, target) in zip(st.columns(4), HEADLINES):
        leg = strike.leg(target)
        col.metric(label, format_distance(leg.distance_km, units) if leg else "–",
                   help=(f"Nearest: {leg.feature}, bearing {leg.azimuth_deg:.0f}°" if leg else None))


def map_and_panel(state: Any, scene: Scene, report: PointReport, picked: dict) -> None:
    """The live map (a click picks) and the panel on the picked point."""
    map_col, panel_col = st.columns([3, 2])
    with map_col:
        event = st.pydeck_chart(scene_to_deck(scene), on_select="rerun",
                                selection_mode="single-object", key="map", width="stretch",
                                height=MAP_HEIGHT_PX)
        if appstate.consume_selection(state, event, scene):
            st.rerun()
        st.markdown(legend_html(scene), unsafe_allow_html=True)
    with panel_col, st.container(key="pick-panel"):
        origin = "Selected on map" if state["picked"] else "Selected incident"
        st.subheader(f"{origin}: {picked['name']}")
        st.caption(f"layer: {picked['layer']}")
        st.markdown(f"**Position** {picked['lat']:.5f}, {picked['lon']:.5f}  \n"
                    f"**DMS** {report.dms}  \n**MGRS** {report.mgrs}")
        st.table(appstate.report_table(report, state["units"]))
        if state["picked"]:
            st.button("Back to the incident", key="unpick", on_click=appstate.unpick,
                      args=(state,))


def measure_box(state: Any, picked: dict, measure, error: str | None) -> None:
    """Measure between two typed points (or the selection): geodesic distance and azimuth."""
    with st.expander("Measure between two points", expanded=measure is not None):
        c1, c2 = st.columns(2)
        c1.text_input("From (decimal, DMS or MGRS)", key="measure_a",
                      placeholder="50.47099, 23.93432")
        c2.text_input("To", key="measure_b", placeholder="49.8397 N 24.0297 E")
        c1.button("Use selection as 'From'", key="sel_a",
                  on_click=appstate.set_measure, args=(state, "measure_a", picked))
        c2.button("Use selection as 'To'", key="sel_b",
                  on_click=appstate.set_measure, args=(state, "measure_b", picked))
        if error:
            st.error(error)
        elif measure:
            (alon, alat), (blon, blat) = measure
            az, d_km = inverse_km(alon, alat, blon, blat)
            st.metric("Distance", format_distance(float(d_km), state["units"]))
            st.write(f"Initial azimuth {float(az) % 360:.1f}° (from true north)")


def downloads(scene: Scene) -> None:
    """Any layer of the scene as GeoJSON or CSV."""
    with st.expander("Download a layer or result"):
        choice = st.selectbox("Layer", [lyr.name for lyr in scene.layers], key="dl_layer")
        gdf = scene.layer(choice).gdf
        c1, c2 = st.columns(2)
        c1.download_button("GeoJSON", lambda: appstate.to_geojson_bytes(gdf),
                           file_name=f"{choice}.geojson", mime="application/geo+json",
                           key="dl_geojson", on_click="ignore")
        c2.download_button("CSV", lambda: appstate.to_csv_bytes(gdf), file_name=f"{choice}.csv",
                           mime="text/csv", key="dl_csv", on_click="ignore")


def brief_box(scene: Scene, incident_id: str) -> None:
    """The briefing map of the page's scene (rendered when the button is pressed)."""
    with st.expander("Briefing image"):
        c1, c2, c3 = st.columns(3)
        fmt = c1.selectbox("Format", list(BRIEF_MIME), key="brief_fmt")
        size = c2.selectbox("Size", ["slide", "a4"], key="brief_size",
                            format_func=lambda v: {"slide": "Slide 1920×1080",
                                                   "a4": "A4 landscape, 300 dpi"}[v])
        marking = c3.text_input("Marking banner", key="brief_marking",
                                placeholder="e.g. UNCLASSIFIED")
        st.download_button("Download briefing map", lambda: brief_bytes(scene, fmt, size, marking),
                           file_name=f"brief-{incident_id}.{fmt}", key="dl_brief",
                           on_click="ignore", mime=BRIEF_MIME[fmt])


def main() -> None:
    """The page, top to bottom."""
    state = st.session_state
    incident = appstate.incidents_by_id()[state["incident"]]
    picked = state["picked"] or appstate.incident_pick(incident)
    measure, measure_error = measured_points(state)
    with st.spinner("Computing geodesic buffers and distances…"):
        scene, report = compute(state, measure)
    headline(state, incident)
    map_and_panel(state, scene, report, picked)
    measure_box(state, picked, measure, measure_error)
    if scene.metrics:
        st.subheader("Figures")
        st.table(appstate.figures_table(scene))
    downloads(scene)
    brief_box(scene, str(incident["id"]))


main()
