"""The one map: a Streamlit custom component over deck.gl, used by both pages.

The browser side (``index.html``, ``main.js``, ``main.css`` and ``layers/`` in
``frontend/`` below this directory, built from the repository's ``frontend/``) draws
the spec :func:`dashboard.render.deck.build_args` makes; this module declares the
component and keeps, per browser session and component key, which blobs that browser
already holds and which events were handled (contract: ``docs/map-protocol.md``, "Args" and "Events").

Usage on a page::

    for event in take_events("map"):      # before the scene is built
        if isinstance(event, Click):
            ...
    map_view(build_scene(request), key="map", mode="explore")
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import streamlit as st
import streamlit.components.v1 as components

from dashboard.render.deck import build_args
from dashboard.scene.model import Scene
from dashboard.state.mapevents import LayersToggled, MapEvent, Missing, new_events

__all__ = ["COMPONENT_DIR", "hidden_layers", "map_view", "take_events"]

#: The component's files, served by Streamlit: only the built front end (this module's
#: own directory is the Python package, which the browser never gets).
COMPONENT_DIR: Path = Path(__file__).resolve().parent / "frontend"
#: Prefix of the session-state key holding each map's bookkeeping.
STATE_PREFIX = "_mapview_"

_component = components.declare_component("map", path=str(COMPONENT_DIR))


#: Session-state key of the layers switched off in a map's legend (shared by both pages).
HIDDEN_KEY = "map_hidden"


def _book(key: str) -> dict[str, Any]:
    """This session's bookkeeping for the map ``key``: blobs sent, event seqs handled,
    and the layer ids of the last args."""
    return st.session_state.setdefault(f"{STATE_PREFIX}{key}", {
        "sent": set(), "seen": frozenset(), "layer_ids": frozenset()})


def hidden_layers() -> frozenset[str]:
    """Layer ids the user switched off in the legend (either page's map)."""
    return frozenset(st.session_state.get(HIDDEN_KEY, ()))


def take_events(key: str) -> list[MapEvent]:
    """The map's events not handled yet, oldest first; call before building the scene.

    Blobs the browser reports missing are forgotten (sent again by :func:`map_view`),
    and legend toggles are recorded (:func:`hidden_layers`).
    """
    book = _book(key)
    events, book["seen"] = new_events(st.session_state.get(key), book["seen"])
    for ev in events:
        if isinstance(ev, Missing):
            book["sent"] = set(book["sent"]) - set(ev.hashes)
        elif isinstance(ev, LayersToggled):
            st.session_state[HIDDEN_KEY] = frozenset(book["layer_ids"]) - set(ev.visible)
    return events


def map_view(scene: Scene, *, key: str, mode: str = "explore",
             editable: gpd.GeoDataFrame | Mapping[str, Any] | None = None,
             view_request: Mapping[str, Any] | None = None,
             measure: Sequence[Sequence[float]] | None = None,
             height: int = 640, fill: bool = False) -> None:
    """Draw ``scene`` on the one map (events come from :func:`take_events`).

    Parameters
    ----------
    scene : Scene
        What to draw.
    key : str
        The component's key (one per map on a page; it also keys the bookkeeping).
    mode : {"explore", "zones"}
        The toolbar: zones mode adds the drawing tools.
    editable : GeoDataFrame or GeoJSON FeatureCollection, optional
        The user's zones, editable in zones mode (each with ``zone_id``).
    view_request : mapping, optional
        Where to fly: ``{"id", "bounds": [w, s, e, n]}`` or ``{"id", "lon", "lat", "zoom"}``
        (degrees); the map flies when ``id`` changes.
    measure : ((lon, lat), (lon, lat)), optional
        The measured pair, degrees.
    height : int
        Frame height, px (with ``fill``: used only when the browser cannot read the window).
    fill : bool
        Size the frame from the browser window instead: the window's height below the
        map's top (62 % of it on a phone-wide window, so the page still scrolls beside
        the map); see ``docs/map-protocol.md``, "The page at every size".
    """
    book = _book(key)
    args, sent = build_args(scene, book["sent"], mode=mode, editable=editable,
                            view_request=view_request, measure=measure, height=height,
                            hidden=hidden_layers())
    _component(key=key, default=None, fill=bool(fill), **args)
    book.update(sent=sent,
                layer_ids=frozenset(lid for row in args["legend"] for lid in row["layers"]))
