"""The zones page's scenarios: save, open, rename, delete, export, import, share links."""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import streamlit as st

from dashboard.data.limits import LIST_TTL_S
from dashboard.scene.names import shown_name
from dashboard.state import zone_choices
from dashboard.state import zonemap as zm
from dashboard.state import zones as zs
from dashboard.state.fields import Session, StateLike
from dashboard.store import (
    Scenario,
    ScenarioExists,
    Store,
    open_store,
    to_url_param,
)
from dashboard.ui.widgets import add_row, attempt, md, plural, pressed, show_queued

REPLACE_HINT = " — tick “Replace” to overwrite it, or choose another name"


# ----------------------------------------------------------------- scenarios
def _store() -> Store:
    """The one place the page gets its store: ``DASHBOARD_STORE_URL`` (a GeoPackage
    file by default, or a shared PostgreSQL).  Opening connects to nothing."""
    return open_store()


def _scn_note(level: str, text: str) -> None:
    Session.of(st.session_state).scn_msgs.append((level, text))


def _open(command: Callable[[StateLike, dict[str, tuple[float, float]]], Scenario],
          prefix: str) -> None:
    """Open the scenario a ``zonestate.open_*`` command loads; its name goes into the form."""
    state = Session.of(st.session_state)
    ok, sc = attempt(lambda: command(state, zone_choices.incident_lonlats()),
                     lambda text: zm.note(state, "error", text), prefix=prefix)
    if ok:
        state.scn_name = state.scn_opened_name = sc.name


def _cb_open_saved() -> None:
    name = Session.of(st.session_state).scn_pick
    _open(lambda state, inc: zs.open_saved(state, _store(), name, inc),
          f"Could not open “{name}”: " if name else "")


def _cb_open_shared(param: str) -> None:
    Session.of(st.session_state).scn_shared_done = param
    _open(lambda state, inc: zs.open_shared(state, param, inc),
          "The scenario link could not be read: ")


def _cb_dismiss_shared(param: str) -> None:
    Session.of(st.session_state).scn_shared_done = param


def _cb_open_import() -> None:
    up = Session.of(st.session_state).scn_import_file
    data, name = (None, "") if up is None else (up.getvalue(), up.name)
    _open(lambda state, inc: zs.open_file(state, data, name, inc), f"{name}: " if name else "")


def _cb_save(incident_lonlat: tuple[float, float]) -> None:
    del Session.of(st.session_state).scn_list_cache  # a write: list again
    state = Session.of(st.session_state)
    ok, sc = attempt(lambda: zs.save_scenario(state, _store(), state.scn_name,
                                              incident_lonlat,
                                              overwrite=bool(state.scn_overwrite)),
                     partial(_scn_note, "error"), prefix="Not saved: ",
                     hints={ScenarioExists: REPLACE_HINT})
    if ok:
        _scn_note("success", f"Saved scenario “{sc.name}” ({plural(len(sc.zones), 'zone')}).")
        state.scn_pick = sc.name


def _cb_delete() -> None:
    del Session.of(st.session_state).scn_list_cache  # a write: list again
    state = Session.of(st.session_state)
    pick = state.scn_pick
    ok, _ = attempt(lambda: zs.delete_saved(_store(), pick,
                                            confirmed=bool(state.scn_delete_confirm)),
                    partial(_scn_note, "error"))
    if ok:
        state.scn_delete_confirm = False
        del state.scn_pick
        _scn_note("info", f"Deleted scenario “{pick}”.")


def _cb_rename() -> None:
    del Session.of(st.session_state).scn_list_cache  # a write: list again
    state = Session.of(st.session_state)
    pick = state.scn_pick
    ok, new = attempt(lambda: zs.rename_saved(_store(), pick, state.scn_new_name),
                      partial(_scn_note, "error"), prefix="Not renamed: ")
    if ok:
        state.scn_pick = new
        state.scn_new_name = ""
        _scn_note("success", f"Renamed “{pick}” to “{new}”.")


def shared_link(state: StateLike) -> None:
    state = Session.of(state)
    param = st.query_params.get("scenario")
    if not param or param == state.scn_shared_done:
        return
    ok, sc = attempt(lambda: zs.decode_link(param),
                     prefix="The scenario link in the address could not be read: ")
    if not ok:
        st.button("Ignore the link", key="scn_shared_ignore", on_click=_cb_dismiss_shared,
                  args=(param,))
        return
    with st.container(border=True):
        st.info(f"This link carries the scenario “{md(sc.name)}” with "
                f"{plural(len(sc.zones), 'zone')}. Opening it replaces the zones on this "
                "page (saved scenarios are not touched).")
        c1, c2 = st.columns(2)
        c1.button("Open the shared scenario", key="scn_shared_open", type="primary",
                  on_click=_cb_open_shared, args=(param,))
        c2.button("Not now", key="scn_shared_dismiss", on_click=_cb_dismiss_shared,
                  args=(param,))


def _keep_opened_name(state: Session) -> None:
    """Put the opened scenario's name into the name box until the box has taken it.

    A rerun that the map starts while "Open" is still running carries the browser's old,
    empty box and overwrites the name the callback set; the name is set again then.  Once
    the user types another name, theirs stays."""
    pending = state.scn_opened_name
    if pending is None:
        return
    if state.peek(Session.scn_name) in (None, "", pending):
        state.scn_name = pending
    else:
        del state.scn_opened_name


def _scn_save_box(incident_lonlat: tuple[float, float]) -> None:
    _keep_opened_name(Session.of(st.session_state))
    st.text_input("Scenario name", key="scn_name", max_chars=120,
                  placeholder="e.g. West UA 100 km")
    st.checkbox("Replace a saved scenario of the same name", key="scn_overwrite")
    st.button("Save scenario", key="scn_save", type="primary", on_click=_cb_save,
              args=(incident_lonlat,))


def _scn_saved_box(state: StateLike, saved: Sequence[Any]) -> None:
    state = Session.of(state)
    if not saved:
        st.info("No saved scenarios yet.")
        return
    names = [s.name for s in saved]
    if state.scn_pick not in names:
        state.scn_pick = names[0]
    info = {s.name: s for s in saved}
    st.selectbox("Saved scenarios", names, key="scn_pick",
                 format_func=lambda n: f"{shown_name(n)} · {info[n].n_zones} zone(s) · "
                                       f"{info[n].updated[:16].replace('T', ' ')} UTC")
    b1, b2, b3 = st.columns(3, vertical_alignment="bottom")
    b1.button("Open", key="scn_open", on_click=_cb_open_saved, type="primary")
    b2.checkbox("Confirm delete", key="scn_delete_confirm")
    b3.button("Delete", key="scn_delete", on_click=_cb_delete)
    r1, r2 = add_row()
    r1.text_input("New name", key="scn_new_name", max_chars=120)
    r2.button("Rename", key="scn_rename", on_click=_cb_rename)


def _scn_export(state: StateLike, incident_lonlat: tuple[float, float]) -> Scenario | None:
    """The download button; returns the page as a scenario (None if it cannot be one)."""
    state = Session.of(state)
    ok, out = attempt(lambda: zs.export_scenario(state, state.scn_name or "",
                                                 incident_lonlat), prefix="Cannot export: ")
    if not ok:
        return None
    sc, data, file_name = out
    st.download_button("Export as GeoJSON", data, file_name=file_name,
                       mime="application/geo+json", key="scn_export", on_click="ignore")
    return sc


def _scn_share(state: StateLike, sc: Scenario | None) -> None:
    state = Session.of(state)
    if pressed(st, "Make a share link", key="scn_share", disabled=sc is None):
        ok, param = attempt(lambda: to_url_param(sc))
        state.scn_link = param
        if ok:  # the state first: a run can be interrupted at any st call
            state.scn_shared_done = param
            st.query_params["scenario"] = param
    if state.scn_link:
        page_url = st.context.url  # this page's address in the user's browser (no query)
        if page_url:
            st.caption("The address bar now holds the link; copy it from there or here:")
            st.code(f"{page_url}?scenario={state.scn_link}", language=None, wrap_lines=True)
        else:
            st.caption("The address bar now holds the link; copy it, or append this to the "
                       "app's address (it opens this page):")
            st.code(f"/zones?scenario={state.scn_link}", language=None, wrap_lines=True)


def _saved_list(state: StateLike, store: Store) -> list[Any]:
    """The saved scenarios, read at most every :data:`LIST_TTL_S` s by a session
    (errors included: the message stays while the list is not read again)."""
    state = Session.of(state)
    cached = state.scn_list_cache
    now = time.monotonic()
    if not (cached and cached[0] == store.where and now - cached[1] < LIST_TTL_S):
        errors: list[str] = []
        saved = attempt(store.list, errors.append,
                        prefix="The scenario store cannot be read: ")[1] or []
        cached = state.scn_list_cache = (store.where, now, saved, errors)
    for text in cached[3]:
        st.error(md(text))
    return cached[2]


def scenarios(state: StateLike, incident: Mapping[str, Any]) -> None:
    st.subheader("Scenarios")
    show_queued(state, "scn_msgs")
    ok, store = attempt(_store, prefix="The scenario store is not set up: ")
    saved = _saved_list(state, store) if ok else []
    where = f"Saved in {md(store.where)} ({store.kind}). " if ok else ""
    st.caption(f"{where}A scenario holds the zones, the rings around the selected point, "
               "the border band, the incident, the date, the units and the map view.")
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


