"""The "No-fly zones" page: draw and build zones on the one map, compare them, keep them
as scenarios.

:func:`render_zones_page` draws the page: widgets over the commands of
:mod:`dashboard.state.zones` (which change the zones and the scenarios) and what
:mod:`dashboard.state.zonemap` reads (zone facts, figures, the editor's features).  The
map is the same deck.gl component as on Explore (:mod:`dashboard.ui.mapview`),
built from the same request.  Every action is one command run by
:func:`dashboard.ui.widgets.attempt`, which shows an InputError's message and
logs anything else in full.

Widget keys on this page start with ``zone_``, ``build_`` or ``scn_``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard.geo.units import KM_PER_UNIT
from dashboard.scene.compose import build_scene
from dashboard.scene.model import Scene, View
from dashboard.scene.styles import zone_colours
from dashboard.state import session as appstate
from dashboard.state import zone_choices, zone_reach
from dashboard.state import zonemap as zm
from dashboard.state.drawing import DEFAULT_CENTER, DEFAULT_ZOOM
from dashboard.state.fields import Session, StateLike, widget_key
from dashboard.state.mapevents import Click, Drawn, MapEvent, Measure, Missing, ViewChange
from dashboard.state.vertices import n_vertices
from dashboard.store import Zone
from dashboard.ui import zone_figures as zf
from dashboard.ui.brief_box import brief_controls
from dashboard.ui.mapview import hidden_layers, map_view, take_events
from dashboard.ui.scenario_box import scenarios, shared_link
from dashboard.ui.widgets import attempt, drop_sent, md, md_html, show_queued, swatch
from dashboard.ui.zone_reach import compare_extra, compare_note, reach_section
from dashboard.ui.zone_tools import builders, zone_tools

MAP_HEIGHT_PX = 640
MAP_KEY = "zones_map"
UNIT_WORDS = {"km": "km", "nm": "nautical miles", "mi": "statute miles"}


# -------------------------------------------------------------------- the map
def take_map_events(state: StateLike) -> list[MapEvent]:
    """Fold the map's new events in before anything is drawn: drawn and edited zones,
    the view (kept in scenarios and share links), the measuring tool; returns them."""
    state = Session.of(state)
    events = take_events(MAP_KEY)
    for ev in events:
        if isinstance(ev, Drawn):
            zm.apply_drawings(state, ev.features.get("features") or [],
                              keep=set(ev.rejected_ids) if not ev.rejected else None)
            for k in ev.rejected:
                zm.note(state, "error", f"Shape {k} on the map was not taken: it is not an "
                                        "area on the globe; no zone was removed")
        elif isinstance(ev, ViewChange):
            state.zones_view = {"lon": ev.lon, "lat": ev.lat, "zoom": ev.zoom}
        elif isinstance(ev, Click) and ev.layer == "editable" and ev.feature:
            state.zone_sel_next = ev.feature  # "Work on a zone" opens on the clicked zone
    appstate.take_map_events(state, [ev for ev in events if isinstance(ev, Measure)])
    return events


def map_reported_only(events: list[MapEvent]) -> bool:
    """Whether this run is the map's own report: its view (sent after a load, a flight, or
    the user's pan or zoom) or the layers it lacks. Messages stay through it: the map
    reports a load or a flight whatever the user does, and moving the map answers none."""
    return bool(events) and all(isinstance(ev, (ViewChange, Missing)) for ev in events)


def map_scene(state: StateLike) -> Scene:
    """The zones page's scene: the request the Explore page draws, in this page's view,
    with the reach bands and air-defence discs of the selected zone, less the zones the
    map's editor holds (it draws those itself)."""
    v = state.peek(Session.zones_view) or {}
    view = View.around(float(v.get("lon", DEFAULT_CENTER[0])),
                       float(v.get("lat", DEFAULT_CENTER[1])), float(v.get("zoom", DEFAULT_ZOOM)))
    request = appstate.scene_request(state, appstate.incidents_by_id(), view=view)
    scene = build_scene(request.replace(reach=zone_reach.reach_layers(state)))
    return zm.without_editable(scene, state)


def draw_map(state: StateLike) -> None:
    map_view(map_scene(state), key=MAP_KEY, mode="zones", editable=zm.editable_features(state),
             height=MAP_HEIGHT_PX)
    st.caption("Draw with the map's tools (polygon, rectangle, circle); edit vertices or "
               "delete a selected zone there. Circles are geodesic circles of the drawn "
               "radius; rectangles follow the parallels; polygon edges are geodesics.")


# ------------------------------------------------------------------- the zones
def compute_metrics(state: StateLike) -> dict[str, dict]:
    state = Session.of(state)
    out: dict[str, dict] = {}
    for z in state.drawn_zones:
        ok, m = attempt(lambda z=z: zone_choices.zone_metrics_cached(z.geometry, state.as_of),
                        prefix=f"Zone “{md(z.name)}”: ")
        if ok:
            out[z.id] = m
    return out


def zone_list(state: StateLike, metrics: Mapping[str, dict]) -> None:
    state = Session.of(state)
    zones: list[Zone] = state.drawn_zones
    if not zones:
        st.info("No zones yet. Draw one on the map, or build one below.")
        return
    for k, z in enumerate(zones):
        with st.container(border=True, key=widget_key("zone_card", z.id)):
            st.markdown(f"{swatch(zone_colours(k)[1])} **{md_html(z.name)}** · "
                        f"{md_html(zm.RULE_LABELS.get(z.rule, z.rule))}"
                        f" · {n_vertices(z.geometry)} vertices", unsafe_allow_html=True)
            if z.description:
                st.caption(md(z.description))
            m = metrics.get(z.id)
            if m is None:
                st.warning("No metrics for this zone (see the error above).")
            else:
                st.markdown(zf.metrics_summary(m, state.units))


def comparison(state: StateLike, metrics: Mapping[str, dict]) -> None:
    state = Session.of(state)
    zones = state.drawn_zones
    if not zones:
        return
    st.subheader("Compare zones")
    df = zf.comparison_table(zones, metrics, state.units, zone_choices.incident_list(),
                             compare_extra(state, zones))
    st.dataframe(df, hide_index=True, width="stretch", key="zone_compare",
                 column_config=comparison_columns(df))
    st.caption(f"Distances in {UNIT_WORDS[state.units]}, geodesic on WGS84; 0 = touching "
               "or inside. NATO border covered = length of the border (as of "
               f"{state.as_of.isoformat()}) within 1 km of the zone; population = "
               "GeoNames places of 15,000+ inside.")
    compare_note()


def comparison_columns(df: Any) -> dict[str, Any]:
    """Thousands separators on every figure; names shown whole (a wide zone column)."""
    config: dict[str, Any] = {"zone": st.column_config.TextColumn("zone", width="large")}
    for col in df.columns:
        if col == "zone" or df[col].dtype == object:
            continue
        config[col] = st.column_config.NumberColumn(col, format="localized")  # 12,345.6
    return config


def brief_section(state: StateLike) -> None:
    """The briefing map of this page's map: the zones, the reach bands and air-defence
    discs of the reach section, with their figures in the key-figures box."""
    with st.expander("Briefing map of this page", icon=":material/picture_as_pdf:"):
        attempt(lambda: brief_controls(appstate.without_layers(map_scene(state),
                                                                hidden_layers())),
                prefix="The briefing map could not be built: ")


# -------------------------------------------------------------------------- page
def render_zones_page(state: StateLike) -> None:
    """Draw the "No-fly zones" page into the current Streamlit script run.

    Parameters
    ----------
    state : st.session_state
        Reads ``incident``, ``as_of``, ``units``, ``rings_km``, ``picked``,
        ``band_km``; owns ``drawn_zones`` and the ``zones_*``/``scn_*`` keys.
    """
    state = Session.of(state)
    zm.init(state)
    if not map_reported_only(take_map_events(state)):
        drop_sent(state)  # the user acted: the messages shown before have been seen
    incidents = {i["id"]: i for i in zone_choices.incident_list()}
    incident = incidents.get(state.peek(Session.incident)) or next(iter(incidents.values()))
    if state.units not in KM_PER_UNIT:
        state.units = "km"
    shared_link(state)
    notes_box = st.container()
    map_col, list_col = st.columns([3, 1.3], gap="small")
    with map_col:
        attempt(lambda: draw_map(state), prefix="The map could not be built: ")
    with list_col:
        st.subheader("Zones")
        with st.spinner("Measuring zones…"):
            metrics = compute_metrics(state)
        zone_list(state, metrics)
    with notes_box:
        show_queued(state, "zones_notes")
    comparison(state, metrics)
    zone_tools(state, metrics)
    reach_section(state)
    brief_section(state)
    builders(state, incident)
    scenarios(state, incident)

