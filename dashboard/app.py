"""The dashboard: three pages over one map request, run with ``streamlit run dashboard/app.py``.

This script sets the page up, puts every session-state key in place
(:func:`dashboard.state.session.init`), prepares the sidebar every page shares
(:mod:`dashboard.ui.sidebar`), runs the page chosen by ``st.navigation`` and then
draws the sidebar (after the page, so that the page's own elements reach the browser
first):

- ``/explore`` (:file:`ui/explore.py`): the map, the selection panel, measuring,
  figures, downloads and the briefing map;
- ``/zones`` (:file:`ui/zones.py`): drawing and building no-fly zones, comparing
  them and keeping them as scenarios; share links open ``/zones?scenario=...``;
- ``/incidents`` (:file:`ui/incidents.py`): the catalogue on a timeline, the incident
  table and the origin analysis.

``/`` is a hidden default page (:file:`ui/home.py`): this script opens ``/explore``
from it before drawing or computing anything.  With an
``[auth]`` section in ``.streamlit/secrets.toml`` every page asks for an OpenID
Connect sign-in first (:mod:`dashboard.ui.login`).

Session state keys: ``incident`` · ``as_of`` · ``units`` · ``layers_on`` ·
``zone_ids`` · ``rings_km`` · ``band_km`` · ``user_layers`` · ``picked`` ·
``measure_a``/``measure_b`` · ``map_view``/``view_request`` · ``drawn_zones`` ·
``origin`` (see :mod:`dashboard.state.session`); the incident filters are the ``inc_*``
keys (:mod:`dashboard.state.incidents`); the zones page owns the ``zones_*``, ``scn_*``,
``zone_*`` and ``build_*`` keys; the maps keep their bookkeeping under ``_mapview_*``.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.state import session as appstate
from dashboard.ui import sidebar
from dashboard.ui.login import signed_in
from dashboard.ui.nodelay import nodelay_once
from dashboard.ui.widgets import run_ended, run_started

TITLE = "NATO eastern flank – incident map"
#: The browser tab's icon: Streamlit's own favicon, a file the app serves itself.
FAVICON = str(Path(st.__file__).parent / "static" / "favicon.png")

#: The map is the page: little padding around it (our own CSS, no user data in it).
#:
#: - Wide windows: the map fills the window's height (``map_view(fill=True)``) and stays
#:   put (sticky) while a long panel beside it scrolls the page.
#: - Phone-wide windows (Streamlit stacks the columns below 640 px): the document
#:   scrolls, not Streamlit's inner main area, with the header (the sidebar button,
#:   which holds the page navigation there) fixed on top; the map takes 62 % of the
#:   window, so the page scrolls past it.
#: - The figure tables (Markdown tables, see ui/explore.py) look like ``st.table``'s: small
#:   type, muted headers, scrolled sideways inside a narrow panel.
#: - A collapsed sidebar's controls are hidden, not only moved off screen, so Tab never
#:   walks into them (after its 0.3 s slide; an expanded one is shown at once).
PAGE_CSS = """<style>
.block-container {padding-top: 3.2rem; padding-bottom: 1rem; padding-left: 1.2rem;
                  padding-right: 1.2rem; max-width: 100%;}
[data-testid="stMetricValue"] {font-size: 1.35rem;}
[data-testid="stMetricLabel"] p {font-size: 0.8rem;}
.st-key-pick-panel h3 {font-size: 1.15rem; line-height: 1.3;}
[data-testid="stMarkdownContainer"]:has(> table) {overflow-x: auto;}
[data-testid="stMarkdownContainer"] > table {font-size: 0.875rem; margin-bottom: 0;}
[data-testid="stMarkdownContainer"] > table th {font-weight: 400; color: rgba(49, 51, 63, 0.6);}
section[data-testid="stSidebar"][data-collapsed="true"] [data-testid="stSidebarContent"],
section[data-testid="stSidebar"][data-collapsed="true"] [data-testid="stSidebarContent"] * {
  visibility: hidden !important; transition: visibility 0s linear 0.3s;}
@media (min-width: 641px) {
  [data-testid="stColumn"]:has(.st-key-map-column) {position: sticky; top: 4.2rem;
                                                     align-self: flex-start;}
}
@media (max-width: 640px) {
  .stApp, .stApp [data-testid="stAppViewContainer"] {position: relative; overflow: visible;
                                                     height: auto; min-height: 100vh;}
  .stApp [data-testid="stMain"] {position: relative; overflow: visible; height: auto;}
  .stApp header[data-testid="stHeader"] {position: fixed;}
  .stApp section[data-testid="stSidebar"] {position: fixed !important; top: 0; left: 0;
                                           height: 100vh !important;}
}
</style>"""

if get_script_run_ctx() is not None:  # in the server (not a worker's main module)
    nodelay_once()  # the server's connections without Nagle's 40 ms stalls (ui/nodelay.py)

# The tab's icon is a file the app serves: without it a page's :material/ icon would be the
# favicon, fetched from fonts.gstatic.com, and the app makes no request off its own server.
st.set_page_config(page_title=TITLE, page_icon=FAVICON, layout="wide",
                   initial_sidebar_state="collapsed")
if not signed_in():  # only when .streamlit/secrets.toml has an [auth] section
    st.stop()
home = st.Page("ui/home.py", title="Explore", url_path="home", default=True, visibility="hidden")
explore = st.Page("ui/explore.py", title="Explore", icon=":material/map:", url_path="explore")
zones = st.Page("ui/zones.py", title="No-fly zones", icon=":material/edit_location_alt:", url_path="zones")
incidents = st.Page("ui/incidents.py", title="Incidents", icon=":material/list_alt:", url_path="incidents")
page = st.navigation([home, explore, zones, incidents], position="top")
if "scenario" in st.query_params and page.url_path != "zones":
    st.switch_page(zones, query_params=dict(st.query_params))  # links of the old form: /?scenario=
if page.url_path == home.url_path and get_script_run_ctx() is not None:
    # "/" (the default page's path is "") opens /explore at once, before anything is drawn
    # or computed: a first visit runs the app once.  (Without a session, e.g. this file
    # re-run as a worker process's main module, there is nothing to switch.)
    st.switch_page(explore, query_params=dict(st.query_params))

appstate.init(st.session_state, appstate.incidents_by_id())
appstate.keep_widget_values(st.session_state)
notices = sidebar.prepare(st.session_state)
st.html(PAGE_CSS)  # style only: no element; st.markdown's HTML would need ~190 kB more JS
# The page before the sidebar: its elements reach the browser first (see ui/sidebar.py).
held = sidebar.held_back(st.session_state, page.url_path)  # a first run: the map first
run_started(st.session_state)
try:
    page.run()
except Exception:  # a page that fails still leaves the sidebar usable (st.stop and reruns
    sidebar.render(st.session_state, appstate.incidents_by_id(), notices)  # are not Exceptions)
    raise
if held:
    sidebar.draw_soon()
else:
    sidebar.render(st.session_state, appstate.incidents_by_id(), notices)
run_ended(st.session_state)  # this run reached its end: what it showed was sent, clicks taken
