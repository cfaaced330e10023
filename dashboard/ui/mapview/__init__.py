"""The one map: a Streamlit custom component over deck.gl, used by both pages.

The browser side (``index.html``, ``main.js``, ``main.css`` in this directory,
built from ``frontend/``) draws the spec :func:`dashboard.render.deck.build_args`
makes; this module declares the component and keeps, per browser session and
component key, which blobs that browser already holds and which events were
handled (contract: ``/tmp/prompts/map_protocol.md``).

Usage on a page::

    for event in map_view(scene, key="map", mode="explore"):
        if isinstance(event, Click):
            ...
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import streamlit as st
import streamlit.components.v1 as components

from dashboard.mapevents import LayersToggled, MapEvent, Missing, new_events
from dashboard.render.deck import build_args
from dashboard.scene import Scene

__all__ = ["COMPONENT_DIR", "map_view"]

#: This directory: the component's files, served by Streamlit.
COMPONENT_DIR: Path = Path(__file__).resolve().parent
#: Prefix of the session-state key holding each map's bookkeeping.
STATE_PREFIX = "_mapview_"

_component = components.declare_component("map", path=str(COMPONENT_DIR))


def _book(key: str) -> dict[str, Any]:
    """This session's bookkeeping for the map ``key``: blobs sent, event seqs handled,
    layers the legend switched off, and the layer ids of the last args."""
    return st.session_state.setdefault(f"{STATE_PREFIX}{key}", {
        "sent": set(), "seen": frozenset(), "hidden": frozenset(), "layer_ids": frozenset()})


def _apply(book: dict[str, Any], events: Sequence[MapEvent]) -> None:
    """Forget blobs the browser reports missing; record legend toggles."""
    for ev in events:
        if isinstance(ev, Missing):
            book["sent"] = set(book["sent"]) - set(ev.hashes)
        elif isinstance(ev, LayersToggled):
            book["hidden"] = frozenset(book["layer_ids"]) - set(ev.visible)


def map_view(scene: Scene, *, key: str, mode: str = "explore",
             editable: gpd.GeoDataFrame | Mapping[str, Any] | None = None,
             view_request: Mapping[str, Any] | None = None,
             measure: Sequence[Sequence[float]] | None = None,
             height: int = 640) -> list[MapEvent]:
    """Draw ``scene`` on the one map and return the events not handled yet.

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
        Frame height, px.

    Returns
    -------
    list of MapEvent
        Events since the last call, oldest first (clicks, views, measures, drawn
        zones, legend toggles; ``missing`` reports are handled here and returned too).
    """
    book = _book(key)
    events, seen = new_events(st.session_state.get(key), book["seen"])
    _apply(book, events)
    args, sent = build_args(scene, book["sent"], mode=mode, editable=editable,
                            view_request=view_request, measure=measure, height=height,
                            hidden=book["hidden"])
    _component(key=key, default=None, **args)
    book.update(sent=sent, seen=seen,
                layer_ids=frozenset(lid for row in args["legend"] for lid in row["layers"]))
    return events
