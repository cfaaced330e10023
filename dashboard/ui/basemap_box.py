"""The sidebar's basemap section: what is drawn under the map, and a box to change it.

The basemap is the app process's (``dashboard.io.basemap``): the text box sets it for
every page and visitor, so when login is on only the administrators named in
``.streamlit/secrets.toml`` (``[basemap] admins = ["ops@example.org"]``) see the box;
without login (a local, single-user app) everyone does.  A typed path must be an
existing regular ``.pmtiles`` or ``.mbtiles`` file and a URL an ``http(s)`` template
with ``{z}``, ``{x}`` and ``{y}``; anything else gets one line and changes nothing.
Call :func:`render` inside ``with st.sidebar:``.
"""
from __future__ import annotations

import streamlit as st

from dashboard.geo.errors import InputError
from dashboard.io.basemap import (
    describe,
    resolve_basemap,
    secrets_basemap,
    set_sidebar_source,
    sidebar_source,
)
from dashboard.ui.basemap_server import install_route
from dashboard.ui.login import login_configured
from dashboard.ui.widgets import md

__all__ = ["may_change_basemap", "render"]

TEXT_KEY = "basemap_text"
ERROR_KEY = "basemap_error"


def may_change_basemap() -> bool:
    """True when this visitor may change the basemap: no login, or a listed admin."""
    if not login_configured():
        return True
    admins = secrets_basemap().get("admins") or []
    email = str(st.user.get("email") or "").strip().lower()
    return bool(email) and email in {str(a).strip().lower() for a in admins}


def _use() -> None:
    try:
        set_sidebar_source(st.session_state.get(TEXT_KEY, ""))
        st.session_state[ERROR_KEY] = None
    except InputError as exc:
        st.session_state[ERROR_KEY] = str(exc)


def _clear() -> None:
    set_sidebar_source(None)
    st.session_state[TEXT_KEY] = ""
    st.session_state[ERROR_KEY] = None


def prepare() -> None:
    """Make sure the app serves a local basemap's tiles (every run, before the page: the
    map asks for them whether or not this run draws the sidebar)."""
    if resolve_basemap()[0] is not None:
        install_route()


def render() -> None:
    """Draw the section (:func:`prepare` has made sure its tiles are served)."""
    bm, problem = resolve_basemap()
    st.header("Basemap")
    if bm is None:
        st.caption("None: the map draws only its own layers and fetches nothing.")
    else:
        st.caption(md(describe(bm)) + "  \n" + md(bm.attribution))
    if problem:
        st.warning(problem)
    if not may_change_basemap():
        st.caption("Only an administrator can change the basemap.")
        return
    if TEXT_KEY not in st.session_state:
        st.session_state[TEXT_KEY] = sidebar_source() or ""
    st.text_input("Basemap file or tile URL", key=TEXT_KEY,
                  placeholder="/data/region.pmtiles or https://host/{z}/{x}/{y}.png",
                  help="A local .pmtiles (raster or vector) or .mbtiles (raster) file on the "
                       "server, or an XYZ tile URL (the app fetches its tiles). It is drawn under every "
                       "layer, for every visitor, with its attribution on the map and the brief.")
    left, right = st.columns(2)
    left.button("Use basemap", key="basemap_use", on_click=_use)
    right.button("No basemap", key="basemap_clear", on_click=_clear, disabled=not sidebar_source())
    if st.session_state.get(ERROR_KEY):
        st.error(st.session_state[ERROR_KEY])
