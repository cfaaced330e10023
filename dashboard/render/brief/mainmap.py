"""The brief's main map: its frame, then furniture, layers, graticule and labels, in that order.

The frame is the scene's view in :func:`~dashboard.render.mapframe.projection_for`'s
projection, widened to the map box's aspect.  Furniture goes first so that
markers it would hide are left out; labels go last, greedily by priority,
clear of the markers, the furniture and each other.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from dashboard.io.basemap import Basemap
from dashboard.render.brief.basemap import draw_basemap, over_basemap
from dashboard.render.brief.furniture import draw_graticule, draw_north_arrow, draw_scale_bar
from dashboard.render.brief.labelling import place_labels
from dashboard.render.brief.layers import LayerState, draw_layer, layer_z
from dashboard.render.brief.layout import (
    INK,
    SEA,
    MapView,
    Page,
    PlacedLabel,
    ScaleBar,
    frame_lonlat,
)
from dashboard.render.labels import Box, LabelRequest
from dashboard.render.mapframe import densified_box, projection_for
from dashboard.scene.model import Scene


@dataclass(frozen=True)
class MainMap:
    """What :func:`draw_map` drew: the view, its centre and the facts a :class:`~.layout.BriefLayout` reports.

    ``centre_xy`` is the frame's centre in metres, ``centre_lonlat`` the same in
    degrees; boxes are in figure pixels.
    """

    view: MapView
    centre_xy: tuple[float, float]
    centre_lonlat: tuple[float, float]
    scale_bar: ScaleBar
    north_deg: float
    labels: list[PlacedLabel]
    markers_px: list[Box]
    furniture_px: list[Box]
    dropped_labels: list[str]


def open_map(page: Page, box: Box, bounds_deg: tuple[float, float, float, float],
             simplify: bool = True) -> tuple[MapView, tuple[float, float]]:
    """The map axes in ``box`` (figure pixels) framing ``bounds_deg`` (west, south, east, north; degrees).

    Returns the view and the frame's centre in map metres.
    """
    x0, y0, x1, y1 = box
    ax = page.axes(box)
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_color(INK)
        sp.set_linewidth(page.pt(1.6))
        sp.set_zorder(30)
    proj = projection_for(bounds_deg)
    w, s, e, n = bounds_deg
    bx, by = proj.to_xy(*densified_box(w, s, e, n))
    fx0, fx1, fy0, fy1 = float(np.min(bx)), float(np.max(bx)), float(np.min(by)), float(np.max(by))
    aspect = (x1 - x0) / (y1 - y0)
    cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
    fw, fh = fx1 - fx0, fy1 - fy0
    if fw / fh < aspect:
        fw = fh * aspect
    else:
        fh = fw / aspect
    frame = (cx - fw / 2, cy - fh / 2, cx + fw / 2, cy + fh / 2)
    ax.set_xlim(frame[0], frame[2])
    ax.set_ylim(frame[1], frame[3])
    ax.set_aspect("equal", adjustable="box")
    # the lon/lat envelope of the frame is for cheap pre-clipping and the graticule
    view = MapView(ax, proj, box, frame, frame_lonlat(proj, frame), fw / (x1 - x0), simplify=simplify)
    return view, (cx, cy)


def draw_map(page: Page, scene: Scene, box: Box, state: LayerState, simplify: bool = True,
             basemap: Basemap | None = None) -> MainMap:
    """Draw the scene's map in ``box`` (figure pixels) over ``basemap``; legend rows go to ``state``."""
    view, centre_xy = open_map(page, box, scene.view.bounds_deg, simplify)
    lon_c, lat_c = view.proj.to_lonlat(*centre_xy)
    centre_lonlat = (float(lon_c), float(lat_c))
    # furniture first: markers it would hide are left out, labels keep clear of it
    bar, bar_box = draw_scale_bar(page, view, scene.units, centre_xy, centre_lonlat[1])
    north_deg, arrow_box = draw_north_arrow(page, view, centre_lonlat)
    furniture = [bar_box, arrow_box]
    view = replace(view, furniture=tuple(furniture))
    under = draw_basemap(view, basemap)  # a local raster basemap, under every layer
    markers: list[Box] = []
    requests: list[LabelRequest] = []
    for i, layer in enumerate(scene.layers):
        layer = over_basemap(layer) if under else layer
        markers += draw_layer(page, view, scene, layer, layer_z(layer.style.kind, i), requests, state)
    draw_graticule(page, view)
    placed, dropped = place_labels(page, view, requests, markers + furniture, scene)
    return MainMap(view, centre_xy, centre_lonlat, bar, north_deg, placed, markers, furniture, dropped)
