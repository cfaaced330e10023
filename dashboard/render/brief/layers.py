"""Scene layers on a brief map: prepared for display, drawn, and listed for the legend.

:func:`prepare` clips, simplifies (0.4 px, in degrees, before projecting) and
projects a layer; :func:`draw_layer` draws it on a :class:`~.layout.MapView`
as polygons, cased lines or point markers, records its legend rows in a
:class:`LayerState` and adds its label requests.  Places are thinned for print:
the largest within ~18 px of each other, then a round population threshold
that leaves about 90 on a slide-sized map (the legend says which).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib.collections import LineCollection, PathCollection

from dashboard.render.brief.labelling import (
    area_label_requests,
    line_label_requests,
    point_label_requests,
    ring_label_requests,
)
from dashboard.render.brief.layout import MapView, Page
from dashboard.render.brief.shapes import declutter, line_parts, polygon_path
from dashboard.render.labels import Box, LabelRequest
from dashboard.scene.model import Scene, SceneLayer
from dashboard.scene.styles import NEIGHBOUR_COLOURS, RGBA, feature_colours, rgba_float

POPULATION_STEPS = (15_000, 25_000, 50_000, 100_000, 150_000, 200_000, 250_000, 300_000, 500_000,
                    1_000_000, 2_000_000, 5_000_000)


@dataclass
class LayerState:
    """What drawing layers on one map collects.

    ``legend_rows`` are (label, symbol) pairs in drawing order; ``point_threshold``
    is the smallest population shown, per point layer with a population.
    """

    legend_rows: list[tuple[str, dict]] = field(default_factory=list)
    point_threshold: dict[str, float] = field(default_factory=dict)


def layer_z(kind: str, i: int) -> float:
    """Drawing order of the ``i``-th layer: polygons under lines under points.

    >>> layer_z("polygon", 0), layer_z("line", 1), layer_z("point", 2)
    (2.0, 10.1, 20.2)
    """
    return (2 if kind == "polygon" else 10 if kind == "line" else 20) + i * 0.1


def prepare(view: MapView, layer: SceneLayer) -> np.ndarray:
    """Layer geometries projected (metres), simplified for display and clipped to the frame."""
    geoms = np.asarray(layer.gdf.geometry.values, dtype=object)
    if not len(geoms):
        return geoms
    lw, ls, le, ln = view.frame_ll
    mx, my = (le - lw) * 0.15 + 0.5, (ln - ls) * 0.15 + 0.5
    kind = layer.style.kind
    if kind != "point":
        try:
            geoms = shapely.clip_by_rect(geoms, lw - mx, max(ls - my, -89.9), le + mx, min(ln + my, 89.9))
        except shapely.errors.GEOSException:
            geoms = shapely.make_valid(geoms)
            geoms = shapely.clip_by_rect(geoms, lw - mx, max(ls - my, -89.9), le + mx, min(ln + my, 89.9))
    if kind != "point" and view.simplify:
        # Display simplification in degrees before projecting (fewer vertices to
        # transform): 1 degree >= 111.3 km on the ground in any direction of
        # latitude, less in longitude, so the error stays under 0.4 px.
        geoms = shapely.simplify(geoms, 0.4 * view.m_per_px / 111_320.0, preserve_topology=False)
    geoms = view.proj.project(geoms)
    if kind != "point":
        fx0, fy0, fx1, fy1 = view.frame
        pad = 0.02 * (fx1 - fx0)
        geoms = shapely.clip_by_rect(geoms, fx0 - pad, fy0 - pad, fx1 + pad, fy1 + pad)
    return geoms


def draw_layer(page: Page, view: MapView, scene: Scene, layer: SceneLayer, z: float,
               requests: list[LabelRequest], state: LayerState) -> list[Box]:
    """Draw ``layer`` at drawing order ``z``; returns the point markers' boxes (figure pixels).

    A layer with nothing in the frame draws nothing and gets no legend row.
    Label requests go to ``requests`` when ``view.labels`` is on.
    """
    st = layer.style
    geoms = prepare(view, layer)
    visible = shapely.intersects(geoms, shapely.box(*view.frame)) if len(geoms) else np.zeros(0, bool)
    if not visible.any():
        return []  # nothing of it on the map: no legend entry either
    fills, lines = feature_colours(layer.style, layer.gdf)
    legend_props: dict = {"kind": st.kind, "fill": st.fill, "line": st.line, "lw": st.line_width_px,
                          "r": st.point_radius_px}
    if st.kind == "polygon":
        _draw_polygons(page, view, geoms, fills, lines, z, st.line_width_px)
        state.legend_rows.append((layer.legend_label, legend_props))
        if st.name == "buffers" and view.labels:
            requests += ring_label_requests(page, view, layer, geoms, lines)
        if layer.show_labels and view.labels:
            requests += area_label_requests(page, view, layer, geoms)
        return []
    if st.kind == "line":
        _draw_lines(page, view, geoms, lines, z, st.line_width_px)
        state.legend_rows += _line_legend_rows(layer, visible, legend_props)
        if layer.show_labels and view.labels:
            requests += line_label_requests(page, view, layer, geoms, lines)
        return []
    markers = draw_points(page, view, scene, layer, geoms, fills, lines, z, requests, state)
    state.legend_rows.append(_point_legend_row(layer, legend_props, state))
    return markers


def _draw_polygons(page: Page, view: MapView, geoms: np.ndarray, fills: list[RGBA], lines: list[RGBA],
                   z: float, width_d: float) -> None:
    """One path collection of the polygons, outlines ``width_d`` design pixels wide."""
    paths, fc, ec = [], [], []
    for g, f, c in zip(geoms, fills, lines):
        p = polygon_path(g)
        if p is not None:
            paths.append(p)
            fc.append(rgba_float(f))
            ec.append(rgba_float(c))
    if paths:
        view.ax.add_collection(PathCollection(paths, facecolors=fc, edgecolors=ec, linewidths=page.pt(width_d),
                                              zorder=z, joinstyle="round", capstyle="round"))


def _draw_lines(page: Page, view: MapView, geoms: np.ndarray, lines: list[RGBA], z: float,
                width_d: float) -> None:
    """The lines, ``width_d`` design pixels wide, over a thin white casing."""
    lw = page.pt(width_d)
    segs, colours = [], []
    for g, c in zip(geoms, lines):
        for part in line_parts(g):
            segs.append(part)
            colours.append(rgba_float(c))
    if segs:
        # a thin white casing keeps coloured lines legible over any fill
        view.ax.add_collection(LineCollection(segs, colors="white", linewidths=lw + page.pt(2.0),
                                              zorder=z - 0.01, capstyle="round", joinstyle="round"))
        view.ax.add_collection(LineCollection(segs, colors=colours, linewidths=lw, zorder=z,
                                              capstyle="round", joinstyle="round"))


def _line_legend_rows(layer: SceneLayer, visible: np.ndarray, legend_props: dict) -> list[tuple[str, dict]]:
    """The layer's legend row; the NATO border gets one row per neighbour on the map."""
    gdf = layer.gdf
    if layer.style.name == "nato_border" and "neighbour" in gdf.columns and "line_rgba" not in gdf.columns:
        shown = set(gdf["neighbour"].to_numpy()[visible])
        present = [nb for nb in NEIGHBOUR_COLOURS if nb in shown]
        rows = []
        for nb in present:
            lab, col = NEIGHBOUR_COLOURS[nb]
            rows.append((lab, dict(legend_props, line=col)))
        return rows
    return [(layer.legend_label, legend_props)]


def _point_legend_row(layer: SceneLayer, legend_props: dict, state: LayerState) -> tuple[str, dict]:
    """The layer's legend row, saying which places are shown when they were thinned."""
    st = layer.style
    label = layer.legend_label
    thr = state.point_threshold.get(layer.name)
    if thr is not None and thr > POPULATION_STEPS[0]:
        label = f"{label.split('(')[0].strip()} ({thr:,.0f}+ shown)"
    legend_props["r"] = min(st.point_radius_px, 5.0) if thr is not None else st.point_radius_px
    return label, legend_props


# ------------------------------------------------------------------ points

def point_radius_dpx(layer: SceneLayer) -> np.ndarray:
    """Marker radii in design pixels: by population (area-proportional) where the layer has one."""
    gdf, base = layer.gdf, layer.style.point_radius_px
    if "population" in gdf.columns and len(gdf):
        pop = np.nan_to_num(gdf["population"].to_numpy(dtype=float), nan=15_000.0)
        return np.clip(base * np.sqrt(pop / 50_000.0) * 0.8, 1.6, 11.0)
    return np.full(len(gdf), float(base))


def _point_xy(geoms: np.ndarray) -> np.ndarray:
    """One (x, y) per geometry (the first point of a multipoint; NaN for an empty one)."""
    xy = shapely.get_coordinates(geoms)
    if len(xy) != len(geoms):  # multipoints: use the first point of each
        xy = np.array([shapely.get_coordinates(g)[0] if g is not None and not g.is_empty else (np.nan, np.nan)
                       for g in geoms])
    return xy


def _shown_points(page: Page, view: MapView, layer: SceneLayer, xy: np.ndarray,
                  state: LayerState) -> np.ndarray:
    """Which points to draw: in the frame, not under the furniture, thinned by population."""
    ax = view.ax
    fx0, fy0, fx1, fy1 = view.frame
    inside = (xy[:, 0] >= fx0) & (xy[:, 0] <= fx1) & (xy[:, 1] >= fy0) & (xy[:, 1] <= fy1)
    if view.furniture and layer.style.name != "incidents":  # an incident is never hidden
        disp_all = ax.transData.transform(np.nan_to_num(xy))
        for b in view.furniture:
            inside &= ~((disp_all[:, 0] > b[0]) & (disp_all[:, 0] < b[2]) &
                        (disp_all[:, 1] > b[1]) & (disp_all[:, 1] < b[3]))
    if "population" in layer.gdf.columns:
        # Generalise for print: the smallest round population threshold that
        # leaves at most ~90 places per slide-sized map (fewer on a smaller map).
        pop = np.nan_to_num(layer.gdf["population"].to_numpy(dtype=float), nan=0.0)
        inside &= declutter(ax.transData.transform(np.nan_to_num(xy)), pop, inside, page.px(18))
        map_w, map_h = view.box_px[2] - view.box_px[0], view.box_px[3] - view.box_px[1]
        cap = max(20, int(90 * (map_w * map_h) / (page.px(1360) * page.px(800))))
        for threshold in POPULATION_STEPS:
            if np.count_nonzero(inside & (pop >= threshold)) <= cap:
                break
        inside &= pop >= threshold
        state.point_threshold[layer.name] = threshold
    return inside


def _scatter(page: Page, view: MapView, layer: SceneLayer, xy: np.ndarray, idx: np.ndarray, r_d: np.ndarray,
             edge_d: float, fills: list[RGBA], lines: list[RGBA], z: float) -> None:
    """Markers ``idx``, biggest first so small ones stay on top; incidents on a dark ring."""
    ax = view.ax
    order = idx[np.argsort(-r_d[idx], kind="stable")]  # big first, small on top
    sizes = [(2 * page.pt(r_d[k])) ** 2 for k in order]
    if layer.style.name == "incidents":
        # dark outer ring, so a white-edged red disc stands out on any background
        ax.scatter(xy[order, 0], xy[order, 1], s=[(2 * page.pt(r_d[k] + edge_d + 1.2)) ** 2 for k in order],
                   c=[(0.12, 0.12, 0.12, 0.9)], edgecolors="none", zorder=z - 0.01, linewidths=0)
    ax.scatter(xy[order, 0], xy[order, 1], s=sizes, c=[rgba_float(fills[k]) for k in order],
               edgecolors=[rgba_float(lines[k]) for k in order], linewidths=page.pt(edge_d), zorder=z)


def draw_points(page: Page, view: MapView, scene: Scene, layer: SceneLayer, geoms: np.ndarray,
                fills: list[RGBA], lines: list[RGBA], z: float, requests: list[LabelRequest],
                state: LayerState) -> list[Box]:
    """Draw the shown points of ``layer``; returns their marker boxes (figure pixels)."""
    st = layer.style
    if not len(geoms):
        return []
    xy = _point_xy(geoms)
    inside = _shown_points(page, view, layer, xy, state)
    r_d = point_radius_dpx(layer)
    edge_d = max(st.line_width_px, 1.0) if st.name == "incidents" else 0.8
    idx = np.flatnonzero(inside)
    if not len(idx):
        return []
    _scatter(page, view, layer, xy, idx, r_d, edge_d, fills, lines, z)
    disp = view.ax.transData.transform(xy[idx])
    markers: list[Box] = []
    for (px_, py_), k in zip(disp, idx):
        r = page.px(r_d[k] + edge_d + (1.2 if st.name == "incidents" else 0.0))
        markers.append((px_ - r, py_ - r, px_ + r, py_ + r))
    if layer.show_labels and view.labels and st.label_field in layer.gdf.columns:
        requests += point_label_requests(page, scene, layer, xy, disp, idx, r_d, edge_d)
    return markers
