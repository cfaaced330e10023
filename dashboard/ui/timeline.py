"""The incident filters in the shared sidebar: dates, countries, objects, attribution, status,
source grade and group.

Widgets only; their values live under ``inc_*`` keys and everything that reads
them goes through :mod:`dashboard.state.incidents` (the map's incidents, the
incidents page's chart, table and origin analysis).  The filters never move the
"NATO border as of" date: it is the selected incident's own date until the user sets
another one.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.analysis.incident_catalogue import catalogue_problem
from dashboard.data.incidents.record import RELIABILITY
from dashboard.geo.cache import memoize
from dashboard.io.layers_io import load_layer
from dashboard.state import incidents as incidentfilter
from dashboard.state.fields import Session
from dashboard.ui.widgets import md

ATTRIBUTION_HELP = ("Grouped by the wording of each incident's attribution: a report that "
                    "names no launcher or calls it unconfirmed is *not stated or unconfirmed*; "
                    "otherwise a Ukrainian munition (e.g. an air-defence missile) is *Ukrainian*, "
                    "and one the report calls Russian is *Russian*. The incident table shows "
                    "the full wording.")


@memoize(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO alpha-2 -> country name, from the ``countries`` layer (shared: read only)."""
    countries = load_layer("countries")
    return {str(i): str(n) for i, n in zip(countries["iso_a2"], countries["name"])}


GRADE_HELP = ("NATO Admiralty grading of each source: reliability A (completely reliable) to "
              "F (cannot be judged). An incident is kept if any of its sources has a chosen "
              "letter.")


def _grade(letter: str) -> str:
    return f"{letter}: {RELIABILITY[letter]}" if letter in RELIABILITY else letter


def _country(iso: str) -> str:
    name = country_names().get(iso)
    return f"{name} ({iso})" if name else iso


def prepare_filters(state: Any) -> None:
    """Before the page: note a date the user set, keep the filters' values over a page
    switch and let them follow a grown catalogue (what the page's incidents depend on)."""
    state = Session.of(state)
    incidentfilter.note_as_of(state)
    incidentfilter.keep_filter_values(state)
    incidentfilter.follow_catalogue(state)


def render_filters(state: Any) -> None:
    """Draw the incident filters into the current container (the sidebar), after
    :func:`prepare_filters` in the same run."""
    state = Session.of(state)
    opts = incidentfilter.filter_options()
    st.header("Incident timeline")
    problem = catalogue_problem()
    if problem:
        st.warning(f"The incident store cannot be used, so only the shipped incidents are "
                   f"shown: {md(problem)}")
    c_from, c_to = st.columns(2)
    for col, label, key in ((c_from, "From", "inc_from"), (c_to, "To", "inc_to")):
        col.date_input(label, key=key, min_value=opts.start, max_value=opts.end,
                       format="YYYY-MM-DD")
    flt = incidentfilter.apply_filters(state)
    if flt.error:
        st.error(md(flt.error))
    st.multiselect("Countries", list(opts.countries), key="inc_countries", format_func=_country)
    st.multiselect("Objects", list(opts.objects), key="inc_objects")
    st.multiselect("Attribution", list(opts.attributions), key="inc_attribution",
                   help=ATTRIBUTION_HELP)
    st.multiselect("Status", list(opts.statuses), key="inc_status")
    st.multiselect("Source grade", list(opts.grades), key="inc_grades", help=GRADE_HELP,
                   format_func=_grade)
    st.multiselect("Group", list(opts.groups), key="inc_groups",
                   help="One event with many sites, e.g. the night of 10 September 2025.")
    flt = incidentfilter.apply_filters(state)
    st.caption(f"{len(flt.ids)} of {len(incidentfilter.catalogue_records())} incidents match "
               "(map, tables and chart).")
    if state.inc_as_of_user:
        st.caption("You set the NATO border date: distances use it, not the incident's date.")
        st.button("Use the incident's date again", key="inc_follow",
                  on_click=incidentfilter.incident_date_again, args=(state,))
