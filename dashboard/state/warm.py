"""Fill the process-wide caches a first visit to the Explore page reads, before it comes.

A new session's first run is fast once an earlier session has run in the process
(every figure, layer, index and map blob is memoised process-wide, keyed on content:
:mod:`dashboard.geo.cache`).  The first visitor of a fresh server pays for all of it:
the heavy imports, the committed layers, the segment indices, the compiled distance
kernel, the incident catalogue and the default scene.  :func:`warm`
does that work with the page's own functions and the page's default session state, so
the keys it fills are the ones the first run reads; what it computes is exactly what
the page would (nothing here is shown or kept besides the caches).

``streamlit run`` runs no code of the app before the first session connects, so a
launcher that owns the process (``python -m dashboard app``) is where :func:`warm`
belongs, in a background thread started before the server: by the time a browser
connects, the caches are full.  No Streamlit here.
"""
from __future__ import annotations

import time

from dashboard.analysis.report import point_report
from dashboard.scene.compose import build_scene
from dashboard.state import incidents as incidentfilter
from dashboard.state import session as appstate

__all__ = ["warm"]


def warm() -> dict[str, float]:
    """Compute what the Explore page's first run reads, for its default session state.

    Returns the seconds each step took: ``catalogue`` (the incidents and the filters'
    choices), ``panel`` (the strike's and the selection's distances) and ``scene`` (the
    default scene's layers and figures).  The map's args (``render.deck``, a drawing
    layer this package may not import) are made by the first run from that scene's parts.
    """
    took: dict[str, float] = {}
    t = time.perf_counter()
    state: dict = {}
    incidents = appstate.incidents_by_id()
    appstate.init(state, incidents)
    incidentfilter.filter_options()
    incidentfilter.apply_filters(state)
    took["catalogue"], t = time.perf_counter() - t, time.perf_counter()
    incident = incidents[state["incident"]]
    lon, lat = float(incident["geometry"].x), float(incident["geometry"].y)
    point_report(lon, lat, as_of=state["as_of"])
    point_report(lon, lat, as_of=state["as_of"], incident=(incident["id"], lon, lat),
                 extra_layers={})
    took["panel"], t = time.perf_counter() - t, time.perf_counter()
    request = appstate.scene_request(state, incidents, view=appstate.incident_view(lon, lat))
    build_scene(request)
    took["scene"] = time.perf_counter() - t
    return took
