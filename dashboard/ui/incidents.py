"""The Incidents page (``/incidents``): the chart, the incident table, the incident form and
its history, import and export, the origin analysis (range fans), and "Would a zone have
stopped it?" (geodesic flight paths from each incident's origin hypothesis against a zone).

Run by ``st.navigation`` from ``dashboard/app.py`` after the shared sidebar,
whose incident filters (:mod:`dashboard.ui.timeline`) decide which incidents
every part of this page shows.  Widgets only: the filtering, tables and origin
state are in :mod:`dashboard.state.incidents`, the figures from the core
(:mod:`dashboard.analysis.incident_table`, :mod:`dashboard.analysis.origin`).  The launch
area chosen here goes on the Explore map and its brief (``state.origin``,
drawn by :func:`dashboard.scene.compose.build_scene`).  The form, the history,
the import and the export are :mod:`dashboard.ui.incident_form` and
:mod:`dashboard.ui.incident_io`; a map click's "Add an incident here" (Explore page)
opens the form on that position.
"""
from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.analysis.effectiveness import ASSUMPTION, effectiveness_summary
from dashboard.analysis.incident_table import POSITION_NOT_SOURCED, incident_table
from dashboard.data.catalogue import CATALOGUE
from dashboard.geo.errors import InputError
from dashboard.geo.munitions import PRESETS, munition_range
from dashboard.geo.units import format_area, format_radius
from dashboard.render.export import spreadsheet_safe
from dashboard.scene.compose.incidents import origin_result, range_text
from dashboard.scene.styles import COUNTRY_COLOURS, country_colour
from dashboard.state import effectiveness as effstate
from dashboard.state import incidents as incidentfilter
from dashboard.state import session as appstate
from dashboard.state.fields import Session
from dashboard.state.incidents import IncidentFilter
from dashboard.ui import incident_form, incident_io
from dashboard.ui.widgets import md


def chart_section(flt: IncidentFilter) -> None:
    """Incidents per month, stacked by country: every month of the range (empty ones at
    zero), each country in its own colour whatever the filters."""
    st.subheader("Incidents per month")
    counts = incidentfilter.monthly_counts(incidentfilter.catalogue_records(), flt.ids,
                                           flt.start, flt.end)
    if not len(counts) or not int(counts["incidents"].sum()):
        st.info("No incident matches the filters.")
        return
    shown = sorted(c for c in set(counts["country"]) if c)
    domain = sorted(set(COUNTRY_COLOURS) | set(shown))
    chart = alt.Chart(counts).mark_bar().encode(
        x=alt.X("yearmonth(month):T", title="month"),
        y=alt.Y("sum(incidents):Q", title="incidents", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("country:N", title="country",
                        scale=alt.Scale(domain=domain, range=[country_colour(c) for c in domain]),
                        legend=alt.Legend(values=shown)),
        tooltip=[alt.Tooltip("yearmonth(month):T", title="month"), "country:N",
                 alt.Tooltip("sum(incidents):Q", title="incidents")])
    st.altair_chart(chart, width="stretch")


def blank_missing(table: pd.DataFrame) -> Any:
    """The table as shown: a missing value reads "—" (never "None"); numbers keep their
    digits and sort as numbers."""
    return table.style.format(lambda v: v if isinstance(v, str) else str(v), na_rep="—")


def table_section(state: Any, flt: IncidentFilter) -> None:
    """The filtered incidents with their geodesic distances and the zones that contain them."""
    state = Session.of(state)
    units = state.units
    st.subheader("Incident table")
    table = incident_table(zones=appstate.extra_zones(state))
    table = table[table["id"].isin(set(flt.ids))]
    shown = incidentfilter.display_table(table, units)
    st.caption(f"{len(shown)} incident(s), {int((shown['position'] != POSITION_NOT_SOURCED).sum())}"
               f" positioned; distances geodesic on WGS84 in {units}, to the NATO border as it "
               "stood on each incident's date; zones: the candidate zones and yours that "
               "contain the point. Rows marked “position not sourced” are never drawn.")
    st.dataframe(blank_missing(shown), hide_index=True, key="inc_table_view")
    st.download_button("Download the table (CSV)",
                       incidentfilter.table_csv(spreadsheet_safe(shown)),
                       file_name="incidents.csv", mime="text/csv", key="inc_csv",
                       on_click="ignore")


def on_origin_go(state: Any) -> None:
    """Compute the launch area the form asks for; put it on the map and fly there."""
    result = incidentfilter.set_origin(state, *incidentfilter.origin_choice(state))
    if result is not None:
        appstate.fly_to(state, {"bounds": list(result.annulus.bounds)})


def _range_inputs(state: Any) -> None:
    """A munition preset (with its stated range and source) or a free range in the units."""
    state = Session.of(state)
    units = state.units
    mode = st.radio("Range", ["preset", "free"], key="origin_mode", horizontal=True,
                    format_func=lambda m: {"preset": "Munition preset",
                                           "free": f"Free range ({units})"}[m])
    if mode == "preset":
        if state.origin_preset is not None and state.origin_preset not in PRESETS:
            state.origin_preset = munition_range(state.origin_preset).id  # a former key
        key = st.selectbox("Munition", list(PRESETS), key="origin_preset",
                           format_func=lambda k: PRESETS[k].label)
        p = PRESETS[key]
        lo, hi = p.area_km
        st.caption(f"Stated range {p.range_text}. Source: {p.source} ({'; '.join(p.urls)}). "
                   f"{p.note} Launch area drawn: {lo:,.0f}–{hi:,.0f} km.")
        return
    incidentfilter.sync_origin_inputs(state, units)
    kmin, kmax = incidentfilter.origin_keys(units)
    c1, c2 = st.columns(2)
    for col, label, key in ((c1, "Minimum", kmin), (c2, "Maximum", kmax)):
        col.number_input(f"{label} ({units})", min_value=0.0, step=5.0, key=key,
                         on_change=incidentfilter.on_origin_input, args=(state, units))


def _fan_inputs(state: Any) -> None:
    """The optional bearing sector (where it came from, as seen from the impact point) and
    the launch countries."""
    keys = incidentfilter.ORIGIN_KEYS
    on = st.checkbox("Only a bearing sector (a range fan)", key=keys["bearing_on"],
                     help="The direction the sources say it came from, as seen from the impact "
                          "point: degrees clockwise from north, clockwise from 'from' to 'to' "
                          "(340 to 20 passes through north).")
    if on:
        incidentfilter.init_fan_inputs(state)
        c1, c2 = st.columns(2)
        for col, label, key in ((c1, "Came from, between (°)", keys["from"]),
                                (c2, "and (°, clockwise)", keys["to"])):
            col.number_input(label, min_value=0.0, max_value=360.0, step=5.0, key=key)
    codes = [str(c) for c in incidentfilter.launch_country_codes()]
    st.multiselect("Launch countries (empty: every country)", codes, key=keys["countries"])


def _origin_form(state: Any, flt: IncidentFilter) -> None:
    state = Session.of(state)
    positioned = {str(r["id"]): r for r in incidentfilter.catalogue_records()
                  if r["lon"] is not None}
    options = [i for i in flt.ids if i in positioned]
    if not options:
        st.info("No positioned incident matches the filters.")
        return
    if state.origin_incident not in options:
        state.origin_incident = state.incident if state.incident in options else options[0]
    st.selectbox("Incident", options, key="origin_incident",
                 format_func=lambda i: f"{positioned[i]['date']} · {positioned[i]['place']}")
    _range_inputs(state)
    _fan_inputs(state)
    c1, c2 = st.columns(2)
    c1.button("Show the launch area on the map", key="origin_go", on_click=on_origin_go,
              args=(state,), type="primary")
    if state.origin:
        c2.button("Remove it from the map", key="origin_clear",
                  on_click=incidentfilter.clear_origin, args=(state,))


def _origin_result(state: Any) -> None:
    """The analysis of ``state.origin``: the annulus, the area per country, the cities."""
    state = Session.of(state)
    units = state.units
    try:
        o = origin_result(*state.origin)
    except (InputError, TypeError, ValueError) as exc:
        st.error(f"The launch area cannot be drawn: {md(exc)}")
        return
    kind = "fan" if o.bearing is not None else "area"
    st.markdown(f"**Launch {kind} {range_text(o.min_km, o.max_km, units)} from {o.incident_id}**"
                f" (on the Explore map and its brief)")
    widened = (f" widened by the position's precision (±{format_radius(o.precision_km, units)})"
               if o.precision_km > 0 else "")
    sector = (f", its sector from {o.bearing[0]:g}° clockwise to {o.bearing[1]:g}° (where it "
              "came from)" if o.bearing is not None else "")
    cut = (f"the launch countries' territory ({', '.join(o.launch_countries)})"
           if o.launch_countries else "each country's territory")
    drawn = (f" Drawn to {format_radius(o.drawn_km, units)}, the farthest point of the map's "
             "coverage." if o.drawn_km < o.outer_km else "")
    st.caption(f"The geodesic annulus {format_radius(o.inner_km, units)}–"
               f"{format_radius(o.outer_km, units)} around the impact point{widened}{sector}, "
               f"cut to {cut} (incl. the 12 nm territorial sea).{drawn}")
    cols = st.columns(3)
    cols[0].metric("Fan" if o.bearing is not None else "Annulus", format_area(o.annulus_km2, units))
    cols[1].metric("Countries", f"{len(o.areas)}")
    cols[2].metric("Cities inside", f"{len(o.cities):,}")
    areas, cities = incidentfilter.origin_tables(o, units)
    st.markdown("**Area per country**")
    st.dataframe(areas, hide_index=True, key="origin_areas_view")
    st.markdown(f"**{CATALOGUE['cities'].label} inside**")
    st.dataframe(cities, hide_index=True, key="origin_cities_view")


def origin_section(state: Any, flt: IncidentFilter) -> None:
    """Who could have fired it: the candidate launch area for an incident and a range."""
    state = Session.of(state)
    st.subheader("Who could have fired it? The candidate launch area")
    _origin_form(state, flt)
    if state.origin_error:
        st.error(md(state.origin_error))
    if state.origin:
        _origin_result(state)


def effectiveness_section(state: Any, flt: IncidentFilter) -> None:
    """Would a zone have stopped it?  The filtered incidents' geodesic flight paths from their
    origin hypotheses against a chosen zone: the table, the summary, the assumption."""
    state = Session.of(state)
    st.subheader("Would a zone have stopped it?")
    zones = effstate.effectiveness_zones(appstate.extra_zones(state))
    if not zones:
        st.info("No zone to measure: draw or build one on the zones page.")
        return
    name = st.selectbox("Zone", list(zones), key=effstate.EFF_ZONE_KEY)
    st.caption(f"{ASSUMPTION} Each incident's origin hypothesis: a munition preset named by its "
               "munition text, launch countries by its attribution (Russian: Russia and "
               "Belarus); the paths are walked until they reach NATO territory as it stood on "
               "the incident's date.")
    try:
        rows, skipped = effstate.effectiveness_result(zones[name], tuple(flt.ids))
    except InputError as exc:
        st.error(md(exc))
        return
    st.markdown(f"**{md(effectiveness_summary(rows))}**")
    st.dataframe(effstate.effectiveness_table(rows, state.units), hide_index=True,
                 key="eff_table_view")
    if skipped:
        with st.expander(f"{len(skipped)} incident(s) without an origin hypothesis"):
            st.dataframe(pd.DataFrame(list(skipped), columns=["incident", "why"]),
                         hide_index=True, key="eff_skipped_view")


def main() -> None:
    """The page, top to bottom: the chart, the table, the form and the history, import and
    export, the origin analysis."""
    state = Session.of(st.session_state)
    flt = incidentfilter.apply_filters(state)
    st.caption(f"{len(flt.ids)} incident(s) from {flt.start.isoformat()} to "
               f"{flt.end.isoformat()} · filters in the sidebar act on the map too")
    chart_section(flt)
    table_section(state, flt)
    incident_form.render(st.session_state)
    incident_form.history_section(st.session_state)
    incident_io.import_section(st.session_state, state.units)
    incident_io.export_section(flt.ids)
    origin_section(state, flt)
    effectiveness_section(state, flt)


main()
