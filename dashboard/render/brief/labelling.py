"""Map labels of the brief: what each layer asks to label, and drawing what was placed.

Layers turn their features into :class:`~dashboard.render.labels.LabelRequest`
(points beside the marker; areas at the pole of inaccessibility; range rings on
the ring; lines along the line); :func:`place_labels` places them greedily by
priority with :class:`~dashboard.render.labels.LabelPlacer` and draws those
that fit.  Anchors are in map metres (``anchors_data``) and figure pixels
(``anchors_px``).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
import shapely.ops
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.text import Annotation

from dashboard.render.brief.layout import INK, MapView, Page, PlacedLabel
from dashboard.render.brief.marks import present
from dashboard.render.brief.shapes import area_anchors, clip
from dashboard.render.brief.villages import (
    PLACES_LAYER,
    VillageMark,
    drawn_city_ids,
    incident_villages,
    is_village_scale,
    village_marks,
)
from dashboard.render.labels import Box, LabelPlacer, LabelRequest
from dashboard.scene.incident_labels import incident_label, label_part
from dashboard.scene.model import Scene, SceneLayer
from dashboard.scene.names import shown_name
from dashboard.scene.styles import RGBA, LayerStyle, rgba_float

# ------------------------------------------------------------------ points

def _incident_label(page: Page, scene: Scene, layer: SceneLayer, k: int, name: object,
                    ) -> tuple[str, float, dict]:
    """Text, priority and font of incident ``k``: its village and date ("Przewodów ·
    2022-11-15", :mod:`dashboard.scene.incident_labels`), the selected one bigger and first."""
    gdf = layer.gdf
    selected = scene.incident is not None and "id" in gdf.columns and \
        gdf["id"].iloc[k] == scene.incident.get("id")
    if "label" in gdf.columns and present(gdf["label"].iloc[k]):
        text = str(gdf["label"].iloc[k])
    elif "id" in gdf.columns:
        d = gdf["date"].iloc[k] if "date" in gdf.columns else None
        text = incident_label(str(gdf["id"].iloc[k]), short_iso(d), str(name))
    else:
        text = label_part(str(name))
    if selected:
        return text, 1000.0, page.font(17, weight="bold", color="#8c0a12")
    return text, 900.0, page.font(12, weight="bold", color="#8c0a12")


def short_iso(value: object) -> str | None:
    """A date value as ``YYYY-MM-DD`` text, or None."""
    if not present(value):
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:10]


def _place_label_style(page: Page, population: float) -> tuple[float, dict]:
    """Priority and font of a populated place: bigger places first and bolder."""
    p = population if np.isfinite(population) else 15_000.0
    big = p >= 1_000_000
    pri = 300 + math.log10(max(p, 1.0)) * 10
    props = page.font(15 if big else (13 if p >= 200_000 else 12), weight="bold" if big else "normal",
                      color=INK if p >= 200_000 else "#3a3f45")
    return pri, props


def point_label_requests(page: Page, scene: Scene, layer: SceneLayer, xy: np.ndarray, disp: np.ndarray,
                         idx: np.ndarray, r_d: np.ndarray, edge_d: float) -> list[LabelRequest]:
    """Labels beside the shown markers ``idx`` (map metres ``xy``, figure pixels ``disp``).

    ``r_d`` are marker radii and ``edge_d`` the outline, in design pixels.
    """
    st = layer.style
    names = layer.gdf[st.label_field].to_numpy()
    pops = layer.gdf["population"].to_numpy(dtype=float) if "population" in layer.gdf.columns else None
    requests = []
    for (px_, py_), k in zip(disp, idx):
        name = names[k]
        if not present(name) or not str(name).strip():
            continue
        # clear of the marker's box (incl. outline and ring) plus the placer's padding
        r = page.px(r_d[k] + edge_d + (1.2 if st.name == "incidents" else 0.0)) + page.px(3)
        if st.name == "incidents":
            name, pri, props = _incident_label(page, scene, layer, k, name)
        elif pops is not None:
            pri, props = _place_label_style(page, pops[k])
        else:
            pri, props = 400.0, page.font(13)
        requests.append(LabelRequest(
            str(name), layer.name, [(px_, py_)], [tuple(xy[k])], pri,
            gap_px=r + page.px(2), props=props, halo_px=page.px(2.2)))
    return requests


# ------------------------------------------------------------------ areas, rings, lines

def _inner_view(frame: Box) -> shapely.Polygon:
    """The frame (map metres) less 3 % of its width on every side: labels keep off the edge."""
    fx0, fy0, fx1, fy1 = frame
    inset = 0.03 * (fx1 - fx0)
    return shapely.box(fx0 + inset, fy0 + inset, fx1 - inset, fy1 - inset)


def _area_style(page: Page, st: LayerStyle, name: object, share: float) -> tuple[str, dict, float, float]:
    """Text, font, priority and halo (figure px) of an area label covering ``share`` of the frame."""
    if st.name == "countries":
        text = "\u2009".join(str(name).upper())
        props = page.font(15 if share > 0.05 else 12.5, color="#857d70", weight="bold")
        return text, props, 380.0 + min(share, 1.0) * 50, 0.0
    if st.name == "regions":
        props = page.font(11, color="#7b7f86", style="italic")
        return str(name), props, 100.0 + share * 10, page.px(1.6)
    col = rgba_float(st.line)
    props = page.font(13, color=(col[0] * 0.8, col[1] * 0.8, col[2] * 0.8, 1.0), style="italic", weight="bold")
    return str(name), props, 500.0 + share, page.px(2.2)


def area_label_requests(page: Page, view: MapView, layer: SceneLayer, geoms: np.ndarray) -> list[LabelRequest]:
    """Names of areas covering at least 0.4 % of the frame, at the pole of their biggest visible part."""
    st = layer.style
    if st.label_field not in layer.gdf.columns:
        return []
    fx0, fy0, fx1, fy1 = view.frame
    view_box = _inner_view(view.frame)
    frame_area = (fx1 - fx0) * (fy1 - fy0)
    requests = []
    for g, name in zip(geoms, layer.gdf[st.label_field].to_numpy()):
        if g is None or shapely.is_empty(g) or not present(name):
            continue
        parts = shapely.get_parts(clip(g, view_box))
        parts = parts[shapely.get_type_id(parts) == 3]
        if not len(parts):
            continue
        big = max(parts, key=lambda p: p.area)
        share = big.area / frame_area
        if share < 0.004:
            continue
        text, props, pri, halo = _area_style(page, st, name, share)
        tol = math.sqrt(big.area) / 40
        try:
            pole = shapely.ops.polylabel(big, tolerance=tol)
        except Exception:  # pragma: no cover - degenerate shapes
            pole = big.representative_point()
        anchors = area_anchors(big, pole)
        disp = view.ax.transData.transform(np.asarray(anchors))
        requests.append(LabelRequest(text, layer.name, [tuple(p) for p in disp], anchors, pri,
                                     gap_px=0.0, props=props, halo_px=halo))
    return requests


def ring_label_requests(page: Page, view: MapView, layer: SceneLayer, geoms: np.ndarray,
                        colours: list[RGBA]) -> list[LabelRequest]:
    """Radius labels ("75 km") sitting on each range ring, top first, then the sides."""
    if "name" not in layer.gdf.columns:
        return []
    requests = []
    for g, name, col in zip(geoms, layer.gdf["name"], colours):
        if g is None or g.is_empty or not present(name):
            continue
        ring = max(shapely.get_parts(g), key=lambda q: q.area)
        if ring.geom_type != "Polygon":
            continue
        xy = np.asarray(ring.exterior.coords)
        picks = [xy[np.argmax(xy[:, 1])], xy[np.argmin(xy[:, 1])], xy[np.argmax(xy[:, 0])],
                 xy[np.argmin(xy[:, 0])]]
        anchors = [tuple(p) for p in picks]
        disp = view.ax.transData.transform(np.asarray(anchors))
        c = rgba_float(col)
        requests.append(LabelRequest(
            str(name), layer.name, [tuple(p) for p in disp], anchors, 850.0, gap_px=0.0,
            props=page.font(12, weight="bold", color=(c[0] * 0.85, c[1] * 0.85, c[2] * 0.85, 1.0)),
            halo_px=page.px(2.2)))
    return requests


def line_label_requests(page: Page, view: MapView, layer: SceneLayer, geoms: np.ndarray,
                        colours: list[RGBA]) -> list[LabelRequest]:
    """Names in a box of the line's colour, along the longest visible part of lines >= 90 design px."""
    st = layer.style
    if st.label_field not in layer.gdf.columns:
        return []
    view_box = _inner_view(view.frame)
    requests = []
    for g, name, col in zip(geoms, layer.gdf[st.label_field].to_numpy(), colours):
        if g is None or shapely.is_empty(g) or not present(name):
            continue
        vis = shapely.line_merge(clip(g, view_box)) if g.geom_type != "LineString" else clip(g, view_box)
        parts = [p for p in shapely.get_parts(vis) if p.geom_type == "LineString"]
        if not parts:
            continue
        longest = max(parts, key=lambda p: p.length)
        if longest.length < page.px(90) * view.m_per_px:
            continue
        anchors = []
        for f in (0.5, 0.38, 0.62, 0.26, 0.74, 0.15, 0.85):
            p = longest.interpolate(f, normalized=True)
            anchors.append((p.x, p.y))
        disp = view.ax.transData.transform(np.asarray(anchors))
        requests.append(LabelRequest(
            str(name), layer.name, [tuple(p) for p in disp], anchors, 800.0, gap_px=0.0,
            props=page.font(11.5, weight="bold", color="white"), halo_px=0.0,
            box_style={"pad_px": page.px(4), "fc": rgba_float(col)}))
    return requests


# ------------------------------------------------------------------ drawing and placing

def draw_label(page: Page, ax: Axes, req: LabelRequest, ia: int, dx: float, dy: float, ha: str,
               va: str) -> Annotation:
    """Draw a placed label on ``ax``: data-anchored, offset in points (same place in every format).

    ``ia`` is the chosen anchor, ``dx``/``dy`` the offset from it in figure pixels.
    """
    k = page.pt_per_px
    xy = req.anchors_data[ia]
    # the placement box includes the halo / box padding: move the text inside it
    grow = max(req.halo_px, req.box_style.get("pad_px", 0.0) if req.box_style else 0.0)
    dx += grow if ha == "left" else (-grow if ha == "right" else 0.0)
    dy += grow if va == "bottom" else (-grow if va == "top" else 0.0)
    common = dict(xy=xy, xycoords="data", xytext=(dx * k, dy * k), textcoords="offset points",
                  ha=ha, va=va, annotation_clip=False, zorder=40)
    if req.halo_px > 0:
        halo_props = dict(req.props, color="white")
        h = ax.annotate(shown_name(req.text), **common, **halo_props)
        h.set_path_effects([patheffects.Stroke(linewidth=2 * req.halo_px * k, foreground="white",
                                               alpha=0.92)])
        h.set_zorder(39)
    bbox = None
    if req.box_style is not None:
        font_px = req.props["fontsize"] * page.size.dpi / 72.0
        bbox = dict(boxstyle=f"round,pad={0.8 * req.box_style['pad_px'] / font_px:.3f}",
                    fc=req.box_style["fc"], ec=req.box_style.get("ec", "white"), lw=page.pt(1.0))
    return ax.annotate(shown_name(req.text), **common, **req.props, bbox=bbox)


def place_labels(page: Page, view: MapView, requests: list[LabelRequest], obstacles_px: list[Box],
                 scene: Scene | None = None) -> tuple[list[PlacedLabel], list[str]]:
    """Place and draw ``requests`` on the map, highest priority first, clear of ``obstacles_px``.

    With ``scene``, a village-scale view (:func:`~.villages.is_village_scale`) then
    names the gazetteer's places in it (:func:`place_village_labels`), except those
    its ``cities`` layer draws.  Returns the labels drawn and the texts left out
    for want of room (villages left out are not listed).
    """
    placer = LabelPlacer(view.box_px, obstacles_px, page.text_size, pad_px=page.px(3))
    placed: list[PlacedLabel] = []
    dropped: list[str] = []
    order = sorted(range(len(requests)), key=lambda k: (-requests[k].priority, requests[k].text, k))
    for k in order:
        req = requests[k]
        res = placer.place(req)
        if res is None:
            dropped.append(req.text)
            continue
        ia, dx, dy, ha, va, box = res
        artist = draw_label(page, view.ax, req, ia, dx, dy, ha, va)
        placed.append(PlacedLabel(req.text, req.layer, box, artist))
    if scene is not None and is_village_scale(view):
        marks = village_marks(view, skip_ids=drawn_city_ids(scene), skip_names=incident_villages(scene, view))
        placed += place_village_labels(page, view, placer, marks)
    return placed, dropped


# ------------------------------------------------------------------ villages

#: Radius and white edge of a village's dot, design pixels.
VILLAGE_DOT_D: float = 2.4
VILLAGE_DOT_EDGE_D: float = 0.8


def village_request(page: Page, view: MapView, mark: VillageMark, rank: int) -> LabelRequest:
    """The label of ``mark`` beside its dot; ``rank`` is its place in importance order (0 first).

    Seats and places of 10,000+ in 12 design px, the others in 11; a white halo.
    """
    big = mark.population >= 10_000 or mark.feature_code in ("PPLC", "PPLA", "PPLA2")
    props = page.font(12 if big else 11, color="#2f3439" if big else "#41464d")
    px_, py_ = view.ax.transData.transform((mark.x, mark.y))
    gap = page.px(VILLAGE_DOT_D + VILLAGE_DOT_EDGE_D) + page.px(3) + page.px(1)
    return LabelRequest(mark.name, PLACES_LAYER, [(float(px_), float(py_))], [(mark.x, mark.y)],
                        200.0 - rank * 1e-3, gap_px=gap, props=props, halo_px=page.px(1.8))


def place_village_labels(page: Page, view: MapView, placer: LabelPlacer, marks: Sequence[VillageMark],
                         z: float = 38.0) -> list[PlacedLabel]:
    """Name ``marks`` (most important first) where they fit in ``placer``, each with a small dot.

    A place is named only when its dot is clear of everything placed so far and
    its label fits beside it; the dot then becomes an obstacle for the labels
    after it.  Returns the labels drawn, in importance order.
    """
    r = page.px(VILLAGE_DOT_D + VILLAGE_DOT_EDGE_D)
    placed: list[PlacedLabel] = []
    dots: list[tuple[float, float]] = []
    for rank, mark in enumerate(marks):
        req = village_request(page, view, mark, rank)
        px_, py_ = req.anchors_px[0]
        dot = (px_ - r, py_ - r, px_ + r, py_ + r)
        b = placer.bounds  # a dot at the frame's edge is clipped there, not left out
        if not placer.is_free((max(dot[0], b[0]), max(dot[1], b[1]), min(dot[2], b[2]), min(dot[3], b[3]))):
            continue
        res = placer.place(req)
        if res is None:
            continue
        placer.add(dot)
        ia, dx, dy, ha, va, box = res
        artist = draw_label(page, view.ax, req, ia, dx, dy, ha, va)
        placed.append(PlacedLabel(req.text, req.layer, box, artist))
        dots.append((mark.x, mark.y))
    if dots:
        xy = np.asarray(dots)
        view.ax.scatter(xy[:, 0], xy[:, 1], s=(2 * page.pt(VILLAGE_DOT_D)) ** 2, c="#4a4f57",
                        edgecolors="white", linewidths=page.pt(VILLAGE_DOT_EDGE_D), zorder=z)
    return placed
