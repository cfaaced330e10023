"""The Incidents page's incident form: add an incident, edit, retire, its history, restore.

Widgets only: the form's values live under ``incf_*`` keys and everything that
reads or saves them is in :mod:`dashboard.state.incident_form`; the store is the
one every view reads (:func:`dashboard.analysis.incident_catalogue.incident_store`).
User text is text: every line that quotes it goes through :func:`md`, tables are
``st.dataframe`` (never Markdown).
"""
from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date
from typing import Any

import streamlit as st

from dashboard.analysis.incident_catalogue import forget_token, incident_store
from dashboard.data.gazetteer import search_places
from dashboard.data.incidents.record import (
    ATTRIBUTED_TO,
    CREDIBILITY,
    OBJECT_TYPES,
    POSITION_KINDS,
    RELIABILITY,
    STATUSES,
)
from dashboard.data.incidents.version import IncidentVersion
from dashboard.data.limits import MAX_INCIDENT_SOURCES
from dashboard.geo.errors import InputError
from dashboard.state import incident_form as form
from dashboard.state.incident_form import KEY, SaveResult
from dashboard.ui.login import login_configured
from dashboard.ui.widgets import md

__all__ = ["current_who", "render", "history_section"]

#: Earliest date the form offers (the check refuses dates before 2014).
FIRST_DAY = date(2014, 1, 1)
#: Most gazetteer places offered for one search.
GAZETTEER_HITS = 10


def current_who() -> str:
    """The signed-in user's name when login is on, else ``"local"``."""
    on = login_configured()
    user = {k: st.user.get(k) for k in ("name", "email")} if on else None
    return form.who_of(on, user)


#: Set by a callback that changed the store or the incident the page follows: the form's
#: own run (a fragment: typing in a field reruns the form alone) hands over to a run of
#: the whole page, whose table, chart and history then show it.
WHOLE_PAGE = KEY + "whole_page"


def _whole_page(state: MutableMapping[str, Any]) -> None:
    state[WHOLE_PAGE] = True


def _say(state: MutableMapping[str, Any], result: SaveResult) -> None:
    """Queue what a save said (shown once, under the form)."""
    state[KEY + "msgs"] = [("success" if result.ok else "error", list(result.lines))]


def _show_msgs(state: MutableMapping[str, Any]) -> None:
    for level, lines in state.pop(KEY + "msgs", None) or []:
        if level == "success":
            st.success(md(" ".join(lines)))
        elif len(lines) == 1:
            st.error(f"Not saved: {md(lines[0])}")
        else:
            st.error("Not saved:\n" + "\n".join(f"- {md(p)}" for p in lines))


# ------------------------------------------------------------------ callbacks
def _versions(include_retired: bool = False) -> dict[str, IncidentVersion]:
    return {v.incident_id: v for v in incident_store().current(include_retired=include_retired)}


def on_mode(state: MutableMapping[str, Any]) -> None:
    """Switching between "add" and "edit": a blank form, or the selected incident."""
    if state.get(KEY + "mode") == "edit":
        on_pick(state)
    else:
        form.write_form(state, form.blank(date.today()))
        state[KEY + "based_on"] = None


def on_pick(state: MutableMapping[str, Any]) -> None:
    """Open the incident chosen to edit (its newest version)."""
    ident = state.get(KEY + "edit_id")
    try:
        version = incident_store().get(str(ident)) if ident else None
    except InputError as exc:
        state[KEY + "msgs"] = [("error", [str(exc)])]
        return
    if version is not None:
        form.load_version(state, version)
        state["inch_id"] = version.incident_id  # the history shows the incident edited
        _whole_page(state)


def on_save(state: MutableMapping[str, Any], who: str) -> None:
    values = form.read_form(state)
    base = form.based_on(state) if state.get(KEY + "mode") == "edit" else None
    try:
        result = form.save_incident(incident_store(), values,
                                    reason=str(state.get(KEY + "reason") or ""), who=who,
                                    based_on=base)
    except InputError as exc:
        result = SaveResult(False, (str(exc),))
    _say(state, result)
    if result.ok and result.incident_id:
        forget_token()
        _whole_page(state)
        state[KEY + "mode"] = "edit"  # further changes are edits of what was saved
        state[KEY + "edit_id"] = result.incident_id
        on_pick(state)


def on_retire(state: MutableMapping[str, Any], who: str) -> None:
    base = form.based_on(state)
    if base is None:
        return
    result = form.retire_incident(incident_store(), base[0], based_on=base[1], who=who,
                                  reason=str(state.get(KEY + "reason") or ""))
    _say(state, result)
    if result.ok:
        forget_token()
        _whole_page(state)
        state[KEY + "mode"] = "add"
        state[KEY + "edit_id"] = None
        on_mode(state)


def on_add_source(state: MutableMapping[str, Any], step: int) -> None:
    n = int(state.get(KEY + "src_n", 1) or 1)
    state[KEY + "src_n"] = max(1, min(MAX_INCIDENT_SOURCES, n + step))


def on_gazetteer(state: MutableMapping[str, Any]) -> None:
    """Look the place up in the gazetteer (country of the form, if typed)."""
    query = str(state.get(KEY + "place") or "").split(",")[0].strip()
    try:
        hits = search_places(query, limit=GAZETTEER_HITS)
    except InputError as exc:
        state[KEY + "gaz_hits"], state[KEY + "gaz_error"] = [], str(exc)
        return
    state[KEY + "gaz_hits"] = [p.as_json() for p in hits]
    state[KEY + "gaz_error"] = None if hits else f"no place named {query!r} in the gazetteer"
    state[KEY + "gaz_pick"] = 0


def on_use_place(state: MutableMapping[str, Any]) -> None:
    hits = state.get(KEY + "gaz_hits") or []
    i = int(state.get(KEY + "gaz_pick") or 0)
    if not 0 <= i < len(hits):
        return
    p = hits[i]
    values = form.from_place(form.read_form(state), p["name"], p["lon"], p["lat"], p["country"])
    form.write_form(state, values, keep_reason=True)
    state[KEY + "gaz_hits"] = []


# ------------------------------------------------------------------ widgets
def _gazetteer(state: MutableMapping[str, Any]) -> None:
    st.button("Find in gazetteer", key="incf_gaz_go", on_click=on_gazetteer, args=(state,),
              help="Looks the place's name up among the 16,000 populated places of the "
                   "offline gazetteer (GeoNames, 500+ inhabitants) and fills the position.")
    if state.get(KEY + "gaz_error"):
        st.caption(md(state[KEY + "gaz_error"]))
    hits = state.get(KEY + "gaz_hits") or []
    if hits:
        st.selectbox("Gazetteer places", list(range(len(hits))), key="incf_gaz_pick",
                     format_func=lambda i: (f"{hits[i]['name']} ({hits[i]['country']}, "
                                            f"{hits[i]['lat']:.4f}, {hits[i]['lon']:.4f}, "
                                            f"pop. {hits[i]['population']:,})"))
        st.button("Use this place", key="incf_gaz_use", on_click=on_use_place, args=(state,))


def _what(state: MutableMapping[str, Any]) -> None:
    c1, c2, c3 = st.columns(3)
    c1.date_input("Date (local)", key="incf_date", min_value=FIRST_DAY, max_value=date.today(),
                  format="YYYY-MM-DD")
    c2.text_input("Time UTC (HH:MM, optional)", key="incf_time", max_chars=5)
    c3.selectbox("Status", list(STATUSES), key="incf_status")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.text_input("Place", key="incf_place", placeholder="Przewodów, Hrubieszów county")
    with c2:
        _gazetteer(state)
    c1, c2, c3 = st.columns(3)
    c1.selectbox("Object", list(OBJECT_TYPES), key="incf_object_type")
    c2.number_input("Killed", min_value=0, step=1, key="incf_killed")
    c3.number_input("Injured", min_value=0, step=1, key="incf_injured")
    st.text_input("Munition", key="incf_munition", placeholder="e.g. Geran-2 (Shahed-136) drone")
    c1, c2 = st.columns([1, 3])
    c1.selectbox("Attributed to", list(ATTRIBUTED_TO), key="incf_attributed_to",
                 format_func=lambda a: form.ATTRIBUTED_TO_LABELS[a])
    c2.text_input("The statement's wording (who said it)", key="incf_attribution")


def _position(state: MutableMapping[str, Any]) -> None:
    track = state.get(KEY + "track")
    c1, c2, c3, c4 = st.columns(4)
    c1.text_input("Latitude (°N)", key="incf_lat", disabled=track is not None,
                  on_change=form.derive_country, args=(state,), placeholder="50.47099")
    c2.text_input("Longitude (°E)", key="incf_lon", disabled=track is not None,
                  on_change=form.derive_country, args=(state,), placeholder="23.93432")
    c3.selectbox("Position obtained from", list(POSITION_KINDS), key="incf_position_kind",
                 format_func=lambda k: form.POSITION_KIND_LABELS[k])
    c4.text_input("Precision (m)", key="incf_precision_m", placeholder="1000")
    if track is not None:
        st.caption(f"A track of {len(track.get('coordinates') or [])} vertices: kept as it is.")
    st.text_input("How exactly (optional)", key="incf_position_method",
                  placeholder="e.g. impact site as reported by the prosecutor")
    c1, c2 = st.columns([1, 3])
    c1.text_input("Country (ISO code)", key="incf_country", max_chars=2,
                  help="Derived from the position; you may change it.")
    auto = state.get(KEY + "country_auto")
    c2.caption(f"The position lies in {auto}." if auto else
               "The position lies in no country of the map (at sea or outside the coverage)."
               if state.get(KEY + "lat") else "No position yet.")
    note = form.country_note(form.read_form(state))
    if note:
        st.warning(md(note))


def _sources(state: MutableMapping[str, Any]) -> None:
    n = int(state.get(KEY + "src_n", 1) or 1)
    st.markdown("**Sources** (at least one), each with its Admiralty grade")
    for i in range(n):
        c1, c2, c3, c4, c5 = st.columns([3, 2, 1.3, 1.6, 1.6])
        c1.text_input(f"URL {i + 1}", key=form.source_key("url", i),
                      placeholder="https://…")
        c2.text_input("Publisher", key=form.source_key("pub", i))
        c3.text_input("Accessed", key=form.source_key("acc", i), placeholder="YYYY-MM-DD")
        c4.selectbox("Reliability", ["", *RELIABILITY], key=form.source_key("rel", i),
                     format_func=form.reliability_label)
        c5.selectbox("Credibility", ["", *CREDIBILITY], key=form.source_key("cred", i),
                     format_func=form.credibility_label)
    c1, c2, _ = st.columns([1, 1, 3])
    c1.button("Add a source", key="incf_src_more", on_click=on_add_source, args=(state, 1),
              disabled=n >= MAX_INCIDENT_SOURCES)
    c2.button("Remove the last", key="incf_src_less", on_click=on_add_source,
              args=(state, -1), disabled=n <= 1)


def _edit_choice(state: MutableMapping[str, Any]) -> bool:
    """The incident to edit (newest versions); False when there is none."""
    versions = _versions()
    if not versions:
        st.info("No incident to edit.")
        return False
    options = list(versions)
    if state.get(KEY + "edit_id") not in versions:
        sel = state.get("incident")
        state[KEY + "edit_id"] = sel if sel in versions else options[0]
    st.selectbox("Incident to edit", options, key="incf_edit_id", on_change=on_pick,
                 args=(state,), format_func=lambda i: (f"{versions[i].record.date} · "
                                                       f"{versions[i].record.place} ({i})"))
    base = form.based_on(state)
    if base is None or base[0] != state[KEY + "edit_id"]:
        form.load_version(state, versions[state[KEY + "edit_id"]])
        base = form.based_on(state)
    newest = versions[state[KEY + "edit_id"]]
    st.caption(f"Editing version {base[1] if base else '?'} of {md(newest.incident_id)}"
               f" (last {md(newest.action)} by {md(newest.who)} at {newest.at}).")
    if base is not None and newest.version != base[1]:
        st.warning(f"Version {newest.version} was saved since you opened this one.")
    return True


@st.fragment
def render(state: MutableMapping[str, Any]) -> None:
    """The form: "Add an incident" or "Edit the selected incident", and its buttons.

    A fragment: a change in one of its fields reruns the form alone, not the page's
    chart, table, history and analyses (a save, a retire or another incident picked
    reruns the whole page: :data:`WHOLE_PAGE`)."""
    if state.pop(WHOLE_PAGE, False):
        st.rerun()  # the whole page: the store or the incident followed changed
    st.subheader("Add or edit an incident")
    if form.take_prefill(state):
        st.info("A new incident at the point you picked on the map: fill in the rest.")
    elif KEY + "date" not in state:
        form.write_form(state, form.blank(date.today()))
    who = current_who()
    st.radio("Form", ["add", "edit"], key="incf_mode", horizontal=True, on_change=on_mode,
             args=(state,), label_visibility="collapsed",
             format_func=lambda m: {"add": "Add an incident",
                                    "edit": "Edit the selected incident"}[m])
    editing = state.get(KEY + "mode") == "edit"
    if editing and not _edit_choice(state):
        return
    with st.container(border=True, key="incident-form"):
        _what(state)
        _position(state)
        _sources(state)
        c1, c2 = st.columns([1, 3])
        c1.text_input("Group (optional)", key="incf_group",
                      placeholder="2025-09-10 incursion")
        c2.text_area("Notes", key="incf_notes", height=68)
        st.text_input("Reason for the change (required)", key="incf_reason",
                      placeholder="e.g. new incident reported by the prosecutor's office")
        c1, c2, _ = st.columns([1, 1, 2])
        c1.button("Save the change" if editing else "Add the incident", key="incf_save",
                  type="primary", on_click=on_save, args=(state, who))
        if editing:
            c2.button("Retire this incident", key="incf_retire", on_click=on_retire,
                      args=(state, who), help="Hides it from every view; its history is "
                                              "kept and a version can be restored.")
            st.button("Reload the newest version", key="incf_reload", on_click=on_pick,
                      args=(state,))
        _show_msgs(state)
        st.caption(f"Changes are saved as {md(who)}; every change is a new version.")


# ------------------------------------------------------------------ history
def on_restore(state: MutableMapping[str, Any], who: str) -> None:
    ident, version = state.get("inch_id"), state.get("inch_version")
    try:
        newest = incident_store().get(str(ident))
        result = form.restore_version(incident_store(), str(ident), int(str(version)),
                                      based_on=newest.version, who=who,
                                      reason=str(state.get("inch_reason") or ""))
    except (InputError, TypeError, ValueError) as exc:
        result = SaveResult(False, (str(exc),))
    state["inch_msgs"] = [("success" if result.ok else "error", list(result.lines))]
    if result.ok:
        forget_token()
        state["inch_reason"] = ""
        state[KEY + "based_on"] = None  # the edit form reloads the newest version


def history_section(state: MutableMapping[str, Any]) -> None:
    """Every version of an incident: who changed what, when and why; view one, restore it."""
    st.subheader("History of an incident")
    versions = _versions(include_retired=True)
    if not versions:
        return
    options = list(versions)
    if state.get("inch_id") not in versions:
        edit = state.get(KEY + "edit_id")
        state["inch_id"] = edit if edit in versions else options[0]
    st.selectbox("Incident", options, key="inch_id", format_func=lambda i: (
        f"{versions[i].record.date} · {versions[i].record.place} ({i})"
        f"{' — retired' if versions[i].retired else ''}"))
    history = incident_store().history(str(state["inch_id"]))
    st.dataframe(form.history_table(history), hide_index=True, key="inch_table")
    numbers = [v.version for v in history]
    if state.get("inch_version") not in numbers:
        state["inch_version"] = numbers[-1]
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    c1.selectbox("Version", numbers, key="inch_version")
    chosen = next(v for v in history if v.version == state["inch_version"])
    with st.expander(f"Version {chosen.version} as it stood"):
        st.dataframe(form.version_table(chosen), hide_index=True, key="inch_view")
    newest = history[-1]
    if chosen.version != newest.version or newest.retired:
        who = current_who()
        c2.text_input("Reason for restoring", key="inch_reason")
        st.button(f"Restore version {chosen.version}", key="inch_restore",
                  on_click=on_restore, args=(state, who))
    for level, lines in state.pop("inch_msgs", None) or []:
        (st.success if level == "success" else st.error)(md(" ".join(lines)))
