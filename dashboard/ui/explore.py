"""The Explore page (``/explore``): the map is the page; the panel beside it reports and measures.

Run by ``st.navigation`` from ``dashboard/app.py``, which has initialised the session
state and prepared the shared sidebar (drawn after this page).  Widgets only; the
figure tables are Markdown tables (:func:`~dashboard.ui.widgets.markdown_table`: no
Arrow code for the browser to load before the panel shows).  Map events go through
:func:`dashboard.state.session.take_map_events`, the request comes from
:func:`dashboard.state.session.scene_request`, the scene from
:func:`dashboard.scene.compose.build_scene`, every figure from the core.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.analysis.feature_report import FeatureReport, feature_report
from dashboard.analysis.report import PointReport, point_report
from dashboard.geo.coords import parse_position
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import inverse_km
from dashboard.geo.units import format_area, format_distance
from dashboard.render.export import spreadsheet_safe
from dashboard.scene.compose import build_scene
from dashboard.scene.model import Scene
from dashboard.state import incident_form
from dashboard.state import incidents as incidentfilter
from dashboard.state import session as appstate
from dashboard.state.fields import Session
from dashboard.state.search import find_place
from dashboard.ui.brief_box import brief_controls
from dashboard.ui.mapview import hidden_layers, map_view, take_events
from dashboard.ui.widgets import markdown_table, md, pressed

MAP_KEY = "explore_map"
#: The map's height when the browser cannot size it from the window (it fills the window).
MAP_HEIGHT_PX = 700
HEADLINES = (("Strike → NATO border", "NATO border"), ("Strike → Ukraine", "Ukraine"),
             ("Strike → Belarus", "Belarus"), ("Strike → Russia", "Russia"))
POINT_KINDS = ("position", "city", "incident")


def measured_points(state: Any) -> tuple[tuple[tuple[float, float], tuple[float, float]] | None,
                                         str | None]:
    """The two positions of the measuring tool as (lon, lat) pairs, or the error."""
    state = Session.of(state)
    a_txt, b_txt = state.measure_a.strip(), state.measure_b.strip()
    if not (a_txt and b_txt):
        return None, None
    try:
        return (parse_position(a_txt), parse_position(b_txt)), None
    except InputError as exc:
        return None, str(exc)


def selection_reports(state: Any, picked: dict, incident: dict,
                      ) -> tuple[PointReport, FeatureReport | None]:
    """The report on the picked position and, for a polygon or line, on the feature itself."""
    state = Session.of(state)
    lon, lat = float(incident["geometry"].x), float(incident["geometry"].y)
    report = point_report(picked["lon"], picked["lat"], as_of=state.as_of,
                          incident=(incident["id"], lon, lat),
                          extra_layers=state.user_layers)
    geom = picked.get("geometry")
    feature = feature_report(geom, on=state.as_of) \
        if geom is not None and picked.get("kind") in ("polygon", "line") else None
    return report, feature


def page_scene(state: Any, incident: dict, measure) -> tuple[Scene, str | None]:
    """The scene of the page, and why it was built without buffers, band and the user's
    layers (a request those make invalid), or None."""
    state = Session.of(state)
    lon, lat = float(incident["geometry"].x), float(incident["geometry"].y)
    view = appstate.current_view(state, appstate.incident_view(lon, lat))
    req = appstate.scene_request(state, appstate.incidents_by_id(), view=view, measure=measure)
    try:
        return build_scene(req), None
    except InputError as exc:
        return build_scene(req.replace(ring_radii_km=(), band_km=None, user_layers=(),
                                       extra_zones=())), \
            f"{md(exc)} — showing the map without buffers, band and your layers."


def on_search(state: Any) -> None:
    """Fly to what the search box names; a point is also picked."""
    state = Session.of(state)
    try:
        place = find_place(state.search_text)
    except InputError as exc:
        state.search_error, state.search_failed = str(exc), state.search_text
        return
    state.search_error = state.search_failed = None
    appstate.fly_to(state, {k: v for k, v in place.view_request(0).items() if k != "id"})
    if place.kind in POINT_KINDS:
        state.picked = {"layer": place.kind, "id": None, "name": place.name,
                           "lon": place.lon, "lat": place.lat, "kind": "point", "geometry": None}


def search_box(state: Any) -> None:
    state = Session.of(state)
    st.text_input("Search", key="search_text", on_change=on_search, args=(state,),
                  placeholder="Lviv, Volyn, Przewodów, 50.47 23.93, 34UGA08…",
                  help="A city, oblast or voivodeship, country, incident, or a position in "
                       "decimal degrees (lat, lon), DMS or MGRS: the map flies there.")
    if state.search_error and state.search_text and state.search_text == state.search_failed:
        st.error(md(state.search_error))
    else:  # another search, or the page was left (the box forgets its text): no old error
        state.search_error = state.search_failed = None


def headline(state: Any, incident: dict) -> None:
    """The caption and the strike's four distances."""
    state = Session.of(state)
    as_of, units = state.as_of, state.units
    lon, lat = float(incident["geometry"].x), float(incident["geometry"].y)
    st.caption(
        f"{md(incident['place'])} · {incident['date']} "
        f"{incident.get('time_utc') or ''} UTC · {incidentfilter.as_of_words(state)} · "
        "all distances geodesic on WGS84")
    strike = point_report(lon, lat, as_of=as_of)
    cols = st.columns(2) + st.columns(2)
    for col, (label, target) in zip(cols, HEADLINES):
        leg = strike.leg(target)
        col.metric(label, format_distance(leg.distance_km, units) if leg else "–",
                   help=(f"Nearest: {leg.feature}, bearing {leg.azimuth_deg:.0f}°" if leg else None))


def feature_table(feature: FeatureReport, units: str) -> pd.DataFrame:
    """The picked polygon or line measured as itself."""
    rows = []
    if feature.area_km2 is not None:
        rows.append(("area", format_area(feature.area_km2, units)))
        rows.append(("perimeter", format_distance(feature.perimeter_km, units)))
    if feature.length_km is not None:
        rows.append(("length", format_distance(feature.length_km, units)))
    for leg in feature.legs:
        rows.append((f"edge to {leg.target} ({leg.feature})",
                     "touches or overlaps" if leg.distance_km == 0 else
                     format_distance(leg.distance_km, units)))
    if feature.kind == "polygon":
        rows.append(("cities inside", f"{feature.cities_inside:,} "
                                      f"(population {feature.population_inside:,})"))
        rows.append(("incidents inside", ", ".join(feature.incidents_inside) or "none"))
    return pd.DataFrame(rows, columns=["figure", "value"]).set_index("figure")


def pick_panel(state: Any, picked: dict, report: PointReport,
               feature: FeatureReport | None) -> None:
    """What was picked: a polygon or line first as itself, then the position and its
    distances.  Something picked on the map is shown at the top of the panel (beside
    the map on a wide window, directly under it on a phone), so its figures are read
    without scrolling the map away; the incident's own report sits in the Selection tab."""
    state = Session.of(state)
    with st.container(key="pick-panel", border=bool(state.picked)):
        origin = "Selected on map" if state.picked else "Selected incident"
        name = str(picked["name"])
        st.subheader(f"{origin}: {md(name if picked['layer'] == 'position' else name.split(',')[0])}")
        st.caption(f"layer: {md(picked['layer'])}" + (" · measured from the clicked position"
                                                   if feature is not None else ""))
        if feature is not None:
            st.markdown(f"**The {feature.kind} itself**")
            st.markdown(markdown_table(feature_table(feature, state.units)))
        st.markdown(f"**Position** {picked['lat']:.5f}, {picked['lon']:.5f}  \n"
                    f"**DMS** {report.dms}  \n**MGRS** {report.mgrs}")
        if report.outside_coverage:
            st.warning(md(report.outside_coverage))
        st.markdown(markdown_table(appstate.report_table(report, state.units)))
        if state.picked:
            st.button("Back to the incident", key="unpick", on_click=appstate.unpick,
                      args=(state,))
            add_incident_here(state, picked)


def add_incident_here(state: Any, picked: dict) -> None:
    """"Add an incident here": the Incidents page's form opens on the picked position."""
    if pressed(st, "Add an incident here", key="add_incident_here",
               target=f"{picked['lon']},{picked['lat']}",
               help="Opens the incident form with this position (a map click, "
                    "±1 km by default) and its country filled in."):
        incident_form.set_prefill(state, float(picked["lon"]), float(picked["lat"]))
        st.switch_page("ui/incidents.py")


def measure_tab(state: Any, picked: dict, measure, error: str | None) -> None:
    """Measure between two points clicked on the map (the ruler tool) or typed."""
    state = Session.of(state)
    st.caption("Click the ruler on the map, then two points; or type two positions.")
    st.text_input("From (decimal, DMS or MGRS)", key="measure_a",
                  placeholder="50.47099, 23.93432")
    st.text_input("To", key="measure_b", placeholder="49.8397 N 24.0297 E")
    c1, c2 = st.columns(2)
    c1.button("Selection → From", key="sel_a",
              on_click=appstate.set_measure, args=(state, "measure_a", picked))
    c2.button("Selection → To", key="sel_b",
              on_click=appstate.set_measure, args=(state, "measure_b", picked))
    if error:
        st.error(md(error))
    elif measure:
        st.caption("The result is above the tabs.")


def measure_result(measure, units: str) -> None:
    """The measured distance and azimuth, above the panel's tabs: visible where the user
    measured (on the map, or in the Measure tab), whichever tab is open."""
    (alon, alat), (blon, blat) = measure
    az, d_km = inverse_km(alon, alat, blon, blat)
    with st.container(key="measure-result", border=True):
        st.metric("Measured distance", format_distance(float(d_km), units),
                  help="Geodesic on WGS84 between the two measured positions")
        st.caption(f"From {alat:.5f}, {alon:.5f} to {blat:.5f}, {blon:.5f} · initial azimuth "
                   f"{float(az) % 360:.1f}° (from true north)")


def export_tab(scene: Scene) -> None:
    """Any layer as GeoJSON or CSV, and the briefing map of the current view."""
    shown = {lyr.name: lyr for lyr in scene.layers}
    choice = st.selectbox("Layer or result", list(shown), key="dl_layer",
                          format_func=lambda n: shown[n].legend_label)
    gdf = shown[choice].gdf
    c1, c2 = st.columns(2)
    c1.download_button("GeoJSON", lambda: appstate.to_geojson_bytes(gdf),
                       file_name=f"{choice}.geojson", mime="application/geo+json",
                       key="dl_geojson", on_click="ignore")
    c2.download_button("CSV", lambda: appstate.to_csv_bytes(spreadsheet_safe(gdf)),
                       file_name=f"{choice}.csv",
                       mime="text/csv", key="dl_csv", on_click="ignore")
    st.markdown("**Briefing map of the current view**")
    shown_scene = appstate.without_layers(scene, hidden_layers())
    brief_controls(shown_scene)


def main() -> None:
    """The page: the map on the left, the panel on the right.

    Written panel first: Streamlit sends each element as the script reaches it, so the
    panel's figures (from cached distances) are on screen while the scene is built and
    the map's frame loads; then the map, then the tabs hidden at first (Measure,
    Figures, Export).  The order on screen is the columns' and tabs' own.
    """
    state = Session.of(st.session_state)
    appstate.take_map_events(state, take_events(MAP_KEY))
    incident = appstate.incidents_by_id()[state.incident]
    picked = state.picked or appstate.incident_pick(incident)
    measure, measure_error = measured_points(state)
    report, feature = selection_reports(state, picked, incident)
    map_col, panel_col = st.columns([3.3, 1], gap="small")
    with panel_col:
        search_box(state)
        if state.picked:
            pick_panel(state, picked, report, feature)
        headline(state, incident)
        if measure and not measure_error:
            measure_result(measure, state.units)
        sel, meas, figs, export = st.tabs(["Selection", "Measure", "Figures", "Export"])
        with sel:
            if state.picked:
                st.caption("What you picked on the map is shown at the top of this panel; "
                           "“Back to the incident” there returns to the incident.")
            else:
                pick_panel(state, picked, report, feature)
    with map_col, st.container(key="map-column"):  # sticky on a wide window (app.py)
        with st.spinner("Computing geodesic buffers and distances…"):  # where the map goes
            scene, left_out = page_scene(state, incident, measure)
        if left_out:
            st.error(left_out)
        map_view(scene, key=MAP_KEY, mode="explore", view_request=state.view_request,
                 measure=measure, height=MAP_HEIGHT_PX, fill=True)
        state.view_request = None  # sent once: a re-mounted map opens on the scene's view
    with meas:
        measure_tab(state, picked, measure, measure_error)
    with figs:
        if scene.metrics:
            st.markdown(markdown_table(appstate.figures_table(scene)))
    with export:
        export_tab(scene)

main()
