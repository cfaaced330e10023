"""The sidebar: the controls that say what the map shows, shared by both pages.

Both pages draw their map from the same :class:`~dashboard.scene.request.SceneRequest`
(:func:`dashboard.state.session.scene_request`), so every control here acts on both:
the incident, the NATO-border date, units, layers, candidate zones, rings, the
border band and the user's own layers.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

import streamlit as st

from dashboard.geo.cache import memoize
from dashboard.geo.errors import InputError
from dashboard.geo.units import KM_PER_UNIT, UNIT_WORDS, from_km
from dashboard.io.layers_io import MAX_UPLOAD_BYTES, load_layer, read_user_layer
from dashboard.scene.compose.reuse import layer_file_token
from dashboard.state import session as appstate
from dashboard.state.fields import Session
from dashboard.ui import basemap_box, timeline
from dashboard.ui.widgets import md

#: Largest upload, in MB (``maxUploadSize`` in .streamlit/config.toml is the same).
MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // (1024 * 1024)
#: The uploader's widget key (its value, the files in it, is read by :func:`prepare`).
UPLOADS_KEY = "uploads"

#: A message beside the uploader: ``("info" | "error", text)``.
Notice = tuple[Literal["info", "error"], str]

#: Session-state key: the sidebar was left out of this session's first run
#: (:func:`held_back`); ``"armed"`` once the fallback timer has been set.
HELD_KEY = "_sidebar_held"
#: Seconds after a held-back first run before the page reruns to draw the sidebar, if
#: nothing has rerun it by then (the map's first view does, as soon as it is painted:
#: about 1 s after that run, several on a loaded machine). A safety net only.
DRAW_SOON_S = 12.0
#: The pages whose first run holds the sidebar back: those with a map, whose first view
#: reruns the page once it is painted (``st.Page`` url paths, ``dashboard/app.py``).
MAP_PAGES = ("explore", "zones")


def prepare(state: Any) -> list[Notice]:
    """The sidebar's part of the state, before the page computes anything: the incident
    filters follow the catalogue and the user's date, and the files in the uploader become
    the user's layers (removed ones leave).  Returns the messages :func:`render` shows
    beside the uploader."""
    timeline.prepare_filters(state)
    basemap_box.prepare()  # its tiles are served whether or not this run draws the sidebar
    return take_uploads(state, st.session_state.get(UPLOADS_KEY) or [])


def held_back(state: Any, page: str) -> bool:
    """Whether this run leaves the sidebar out: a browser session's first run, on a page
    of :data:`MAP_PAGES` (``page``: its url path).

    The sidebar starts folded, and its widgets (about forty, of a dozen kinds, each
    kind a script Streamlit's page loads on first use) were rendered before the map's
    frame was created: about 0.45 s of every first paint (benchmarks/MAP_RESULTS.md).
    The next run draws it: the map's first view, sent once it is painted, reruns the
    page; :func:`draw_soon` reruns it after :data:`DRAW_SOON_S` if nothing else has.
    A run without a browser (``AppTest``, no request headers) always draws it.
    """
    if HELD_KEY in state:
        return False
    state[HELD_KEY] = "held"  # a session's later runs, on any page, draw it
    if page not in MAP_PAGES:
        return False
    try:
        return bool(st.context.headers)
    except Exception:  # no session behind this run: nothing to hold back for
        return False


@st.fragment(run_every=DRAW_SOON_S)
def draw_soon() -> None:
    """A rerun of the whole page :data:`DRAW_SOON_S` after a held-back first run, in
    case nothing has rerun it (a page whose map never paints); drawn in that first run
    only, so a later run that draws the sidebar drops the timer."""
    if st.session_state.get(HELD_KEY) == "armed":
        st.rerun(scope="app")
    st.session_state[HELD_KEY] = "armed"


def render(state: Any, incidents: dict[str, dict],
           notices: list[Notice] | None = None) -> None:
    """Draw the sidebar into the current script run; ``notices`` are :func:`prepare`'s
    (called here when not given)."""
    if notices is None:
        notices = prepare(state)
    with st.sidebar:
        _incident(state, incidents)
        timeline.render_filters(state)
        _layers()
        _buffers(state)
        _uploads(state, notices)
        basemap_box.render()


def _incident(state: Any, incidents: dict[str, dict]) -> None:
    st.header("Incident")
    st.selectbox(
        "Incident", list(incidents), key="incident",
        on_change=appstate.on_incident_change, args=(state, incidents),
        format_func=lambda i: f"{incidents[i]['date']} · {incidents[i]['place']}",
    )
    st.date_input("NATO border as of", key="as_of", min_value=date(1949, 8, 24),
                  help="Segments that were NATO's border on this date (FI-RU from 2023-04-04).")
    st.radio("Units", list(KM_PER_UNIT), key="units", horizontal=True,
             format_func=lambda u: UNIT_WORDS[u])


def _layers() -> None:
    st.header("Candidate zones")
    st.caption("Switch layers on and off in the map's legend.")
    ids, names, text = zone_choices()
    st.multiselect("Candidate no-fly zones", list(ids), key="zone_ids",
                   format_func=lambda z: names[z], help=text)


def zone_choices() -> tuple[tuple[str, ...], dict[str, str], str]:
    """The candidate zones' ids, their names by id and the help text listing them, read
    once per version of the zones file (shared: read only)."""
    return _zone_choices(layer_file_token("zones"))


@memoize(maxsize=2)
def _zone_choices(token: tuple[str, int, int]) -> tuple[tuple[str, ...], dict[str, str], str]:
    zones = load_layer("zones").set_index("id")
    return (tuple(zones.index), {z: str(zones.loc[z, "name"]) for z in zones.index},
            "\n\n".join(f"**{r['name']}**: {r['description']}" for _, r in zones.iterrows()))


def _buffers(state: Any) -> None:
    state = Session.of(state)
    units = state.units
    st.header("Buffers")
    st.text_input(f"Rings around the selected point ({units}, comma-separated)",
                  key=appstate.rings_text_key(units),
                  on_change=appstate.on_rings_text, args=(state, units))
    if state.rings_error:
        st.error(state.rings_error)
    st.button("5V55 range: 75 and 90 km", key="preset_5v55",
              on_click=appstate.set_rings_km, args=(state, [75.0, 90.0]))
    st.number_input(f"Band inside Ukraine along the NATO border ({units}, 0 = off)",
                    min_value=0.0, max_value=from_km(500.0, units), step=10.0,
                    key=appstate.band_key(units), on_change=appstate.on_band, args=(state, units))


def _uploads(state: Any, notices: list[Notice]) -> None:
    """The uploader is the one control: a file in it is a layer on the map; its × removes it
    (the files were read by :func:`prepare`)."""
    state = Session.of(state)
    st.header("Your layers")
    st.file_uploader(f"GeoJSON, or CSV with lat/lon columns (up to {MAX_UPLOAD_MB} MB)",
                     type=["geojson", "json", "csv"], accept_multiple_files=True,
                     key=UPLOADS_KEY)
    for kind, text in notices:
        (st.info if kind == "info" else st.error)(md(text))
    if state.user_layers:
        st.caption("On the map: " + ", ".join(md(n) for n in state.user_layers))


def take_uploads(state: Any, uploads: list[Any]) -> list[Notice]:
    """Keep the user's layers in step with the files in the uploader: a removed file's
    layer leaves, a new file is read once (a layer, or one message saying why not).
    Returns, in the uploader's order, the messages to show: a new layer's notes (once)
    and every refused file's reason (for as long as it stays in the uploader)."""
    state = Session.of(state)
    names = {up.name for up in uploads}
    removed = [n for n in state.user_layers if n not in names]
    for name in removed:
        del state.user_layers[name]
    refused = _refused(state, uploads)
    if removed:  # room freed: files refused for the session's caps get another try
        refused.clear()
    notices: list[Notice] = []
    for up in uploads:
        if up.name in state.user_layers:
            continue
        key = _upload_key(up)
        if key not in refused:
            try:
                layer = read_user_layer(up.getvalue(), up.name)
            except InputError as exc:
                refused[key] = about_file(up.name, str(exc))
            else:
                why = appstate.keep_user_layer(state.user_layers, up.name, layer.gdf)
                if why is None:
                    notices += [("info", about_file(up.name, m)) for m in layer.messages]
                    continue
                refused[key] = about_file(up.name, why)
        notices.append(("error", refused[key]))
    return notices


def _upload_key(up: Any) -> str:
    """One uploaded file (its name and Streamlit's id for this upload)."""
    return f"{up.name}\0{getattr(up, 'file_id', '')}\0{getattr(up, 'size', '')}"


def _refused(state: Any, uploads: list[Any]) -> dict[str, str]:
    """Messages of uploads that were refused, by :func:`_upload_key`: a bad file is read
    once, and its one message stays beside it until it is removed from the uploader."""
    state = Session.of(state)
    refused = state.upload_refused
    if not isinstance(refused, dict):
        refused = state.upload_refused = {}
    keep = {_upload_key(up) for up in uploads}
    for key in [k for k in refused if k not in keep]:
        del refused[key]
    return refused


def about_file(name: str, message: str) -> str:
    """A message about an uploaded file, naming the file once.

    >>> about_file("a.geojson", "a.geojson is empty"), about_file("a.geojson", "no features")
    ('a.geojson is empty', 'a.geojson: no features')
    """
    return message if name in message else f"{name}: {message}"
