"""The side panel's insets: a locator map and the strike's detail.

The locator shows the main map's frame (red) on country outlines around it,
in a Lambert azimuthal equal-area projection centred on the frame.  The detail
is a close-up of the strike and the geodesic to the nearest NATO border point
(layer :data:`~dashboard.scene.model.STRIKE_LINE`), labelled with its length and
with a small scale bar: 6 km is a few pixels on a 1,000 km map.  The detail names
the incident's village and the gazetteer's places around it, most important first
(:mod:`.villages`), each with a small dot, where they fit clear of the markers, the
measured line and each other.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
import shapely.ops
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.patches import Polygon as MplPolygon

from dashboard.render.brief.labelling import draw_label, place_village_labels
from dashboard.render.brief.layers import LayerState, draw_layer, layer_z, prepare
from dashboard.render.brief.layout import INK, MapView, Page, PlacedLabel, frame_lonlat
from dashboard.render.brief.marks import km_per_unit
from dashboard.render.brief.shapes import area_anchors, clip, coarse, polygon_path
from dashboard.render.brief.villages import incident_villages, village_marks
from dashboard.render.labels import Box, LabelPlacer, LabelRequest
from dashboard.render.mapframe import (
    MapProjection,
    densified_box,
    nice_scale_length,
    scale_bar_span_m,
)
from dashboard.scene.incident_labels import incident_village
from dashboard.scene.model import STRIKE_LINE, Scene, SceneLayer

Window = tuple[float, float, float, float]  # centre x, centre y, width, height (metres)

# ------------------------------------------------------------------ locator


def _locator_outlines(scene: Scene) -> gpd.GeoDataFrame | None:
    """Country outlines for the locator: the scene's ``locator``, else its ``countries`` layer."""
    if getattr(scene, "locator", None) is not None:
        return scene.locator
    countries = scene.layer("countries")
    return countries.gdf if countries is not None else None


def _locator_window(iproj: MapProjection, loc: gpd.GeoDataFrame | None, ix: np.ndarray, iy: np.ndarray,
                    aspect: float) -> Window:
    """What the locator shows: the main frame (``ix``, ``iy``; metres) with context, inside the outlines."""
    mx, my = (float(np.min(ix)) + float(np.max(ix))) / 2, (float(np.min(iy)) + float(np.max(iy))) / 2
    w = max(float(np.ptp(ix)), float(np.ptp(iy)) * aspect) * 1.5  # frame + context around it
    h = w / aspect
    if loc is not None and len(loc):
        # keep inside the locator data where possible, so its edge does not show
        lb = loc.total_bounds
        n_e = 24
        bx, by = iproj.to_xy(*densified_box(lb[0] + 0.3, lb[1] + 0.3, lb[2] - 0.3, lb[3] - 0.3, n=n_e))
        bottom, right, top, left = (slice(i * n_e, (i + 1) * n_e) for i in range(4))
        ix0, ix1 = float(np.max(bx[left])), float(np.min(bx[right]))
        iy0, iy1 = float(np.max(by[bottom])), float(np.min(by[top]))
        if ix1 - ix0 >= w:
            mx = min(max(mx, ix0 + w / 2), ix1 - w / 2)
        if iy1 - iy0 >= h:
            my = min(max(my, iy0 + h / 2), iy1 - h / 2)
    return mx, my, w, h


def _draw_outlines(page: Page, iax: Axes, iproj: MapProjection, loc: gpd.GeoDataFrame, scene: Scene,
                   window: Window, width_px: float) -> None:
    """The outlines in the window, simplified to about half a pixel; the incident's country darker."""
    mx, my, w, h = window
    geoms = coarse(loc, 0.5 * w / width_px / 111_320.0)
    vlon, vlat = iproj.to_lonlat(*densified_box(mx - w / 2, my - h / 2, mx + w / 2, my + h / 2, n=16))
    geoms = shapely.clip_by_rect(geoms, float(np.min(vlon)) - 3, max(float(np.min(vlat)) - 3, -89.0),
                                 float(np.max(vlon)) + 3, min(float(np.max(vlat)) + 3, 89.0))
    geoms = iproj.project(geoms)
    paths = [p for p in (polygon_path(g) for g in geoms) if p is not None]
    hi = set()
    if scene.incident and scene.incident.get("country"):
        hi.add(scene.incident["country"])
    iso = loc["iso_a2"].to_numpy() if "iso_a2" in loc.columns else [None] * len(loc)
    fcs = []
    for g, code in zip(geoms, iso):
        if polygon_path(g) is None:
            continue
        fcs.append("#cfc6b4" if code in hi else "#ece8de")
    iax.add_collection(PathCollection(paths, facecolors=fcs, edgecolors="#9a9a9a",
                                      linewidths=page.pt(0.6), zorder=2))


def locator_inset(page: Page, scene: Scene, box: Box, view: MapView) -> Axes:
    """The locator map in ``box`` (figure pixels): ``view``'s frame on the outlines around it."""
    x0, y0, x1, y1 = box
    iax = page.framed_axes(box)
    loc = _locator_outlines(scene)
    fw, fs, fe, fn = view.frame_ll
    cx, cy = (fw + fe) / 2, (fs + fn) / 2
    iproj = MapProjection((
        f"+proj=laea +lat_0={cy:.2f} +lon_0={cx:.2f} +ellps=WGS84 +units=m +no_defs"), "")
    # the main map's frame in the inset's projection
    fxs, fys = densified_box(*view.frame, n=32)
    ix, iy = iproj.to_xy(*view.proj.to_lonlat(fxs, fys))
    window = _locator_window(iproj, loc, ix, iy, (x1 - x0) / (y1 - y0))
    mx, my, w, h = window
    iax.set_xlim(mx - w / 2, mx + w / 2)
    iax.set_ylim(my - h / 2, my + h / 2)
    iax.set_aspect("equal", adjustable="box")
    if loc is not None and len(loc):
        _draw_outlines(page, iax, iproj, loc, scene, window, x1 - x0)
    # the main map's frame
    iax.add_patch(MplPolygon(np.column_stack([ix, iy]), closed=True, facecolor=(0.86, 0.08, 0.12, 0.12),
                             edgecolor="#c8102e", linewidth=page.pt(2.0), zorder=5))
    inc = scene.incident
    if inc and "lon" in inc and "lat" in inc:
        sx, sy = iproj.to_xy(inc["lon"], inc["lat"])
        iax.plot([sx], [sy], marker="o", ms=page.pt(6), mfc="#dc141e", mec="white",
                 mew=page.pt(1.0), zorder=6)
    return iax


# ------------------------------------------------------------------ detail

def _country_codes(page: Page, dview: MapView, scene: Scene, half_w: float) -> list[LabelRequest]:
    """ISO codes of the countries filling at least 8 % of the detail (``half_w``: half its width, metres)."""
    countries = scene.layer("countries")
    if countries is None or "iso_a2" not in countries.gdf.columns:
        return []
    view_box = shapely.box(*dview.frame)
    requests = []
    for g, code in zip(prepare(dview, countries), countries.gdf["iso_a2"]):
        if g is None or g.is_empty or not g.intersects(view_box):
            continue
        part = max(shapely.get_parts(clip(g, view_box)), key=lambda q: q.area)
        if part.geom_type != "Polygon" or part.area < 0.08 * view_box.area:
            continue
        anchors = area_anchors(part, shapely.ops.polylabel(part, tolerance=half_w / 50))
        requests.append(LabelRequest(str(code), "countries",
                                     [tuple(p) for p in dview.ax.transData.transform(np.asarray(anchors))],
                                     anchors, 1.0, gap_px=0.0,
                                     props=page.font(22, color="#857d70", weight="bold")))
    return requests


def _incident_requests(page: Page, dview: MapView, scene: Scene) -> list[LabelRequest]:
    """The village of every incident in the detail (:func:`~dashboard.scene.incident_labels.incident_village`),
    beside its marker; the selected incident's first."""
    layer = scene.layer("incidents")
    if layer is None or "id" not in layer.gdf.columns or not len(layer.gdf):
        return []
    gdf, st = layer.gdf, layer.style
    pts = gdf.geometry.representative_point()
    xs, ys = dview.proj.to_xy(pts.x.to_numpy(dtype=float), pts.y.to_numpy(dtype=float))
    fx0, fy0, fx1, fy1 = dview.frame
    gap = page.px(st.point_radius_px + max(st.line_width_px, 1.0) + 1.2) + page.px(3) + page.px(2)
    chosen = (scene.incident or {}).get("id")
    places = gdf["place"].to_numpy() if "place" in gdf.columns else [None] * len(gdf)
    requests = []
    for x, y, iid, place in zip(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float), gdf["id"], places):
        if not (fx0 <= x <= fx1 and fy0 <= y <= fy1):
            continue
        text = incident_village(str(iid), place if isinstance(place, str) else None)
        selected = iid == chosen
        requests.append(LabelRequest(
            text, "incidents", [tuple(dview.ax.transData.transform((x, y)))], [(x, y)],
            1.5 if selected else 1.2, gap_px=gap, halo_px=page.px(2.2),
            props=page.font(14 if selected else 12, weight="bold", color="#8c0a12")))
    return requests


def _line_boxes(page: Page, dview: MapView, line_xy: np.ndarray) -> list[Box]:
    """Small boxes (figure pixels) every 3 design px along the measured line: labels keep off it."""
    disp = dview.ax.transData.transform(line_xy)
    half = page.px(1.5)
    boxes: list[Box] = []
    for (ax0, ay0), (ax1, ay1) in zip(disp[:-1], disp[1:]):
        n = max(1, int(np.hypot(ax1 - ax0, ay1 - ay0) / page.px(3)))
        for t in np.linspace(0.0, 1.0, n + 1):
            x, y = ax0 + t * (ax1 - ax0), ay0 + t * (ay1 - ay0)
            boxes.append((x - half, y - half, x + half, y + half))
    return boxes


def _detail_labels(page: Page, dview: MapView, scene: Scene, strike: SceneLayer, line_xy: np.ndarray,
                   markers: list[Box], half_w: float) -> list[PlacedLabel]:
    """The distance beside the line's middle, the incidents' villages, the country codes,
    then the gazetteer's places, all clear of the markers and each other; returns those drawn."""
    x0, y0, x1, y1 = dview.box_px
    pad = page.px(4)
    placer = LabelPlacer((x0 + pad, y0 + pad, x1 - pad, y1 - pad), markers, page.text_size,
                         pad_px=page.px(3))
    name = str(strike.gdf["name"].iloc[0]) if "name" in strike.gdf.columns else ""
    text = name.split(":")[-1].strip() if ":" in name else name
    mid = tuple(line_xy[len(line_xy) // 2])
    reqs = [LabelRequest(text, STRIKE_LINE, [tuple(dview.ax.transData.transform(mid))], [mid], 2.0,
                         gap_px=page.px(8), props=page.font(14, weight="bold"),
                         box_style={"pad_px": page.px(5), "fc": "white", "ec": INK})]
    reqs += _incident_requests(page, dview, scene)
    reqs += _country_codes(page, dview, scene, half_w)
    placed: list[PlacedLabel] = []
    for req in reqs:
        res = placer.place(req)
        if res is not None:
            artist = draw_label(page, dview.ax, req, *res[:5])
            placed.append(PlacedLabel(req.text, req.layer, res[5], artist))
    for b in _line_boxes(page, dview, line_xy):  # the villages keep off the measured line
        placer.add(b)
    placed += place_village_labels(page, dview, placer,
                                   village_marks(dview, skip_names=incident_villages(scene, dview)))
    return placed


def _detail_scale_bar(page: Page, dview: MapView, units: str | None, centre_xy: tuple[float, float],
                      half_w: float, half_h: float) -> Box:
    """A plain bar about 45 % of the detail wide, geodesic at its centre ``centre_xy`` (metres).

    Returns the box of the bar and its text (figure pixels).
    """
    dax, proj, frame = dview.ax, dview.proj, dview.frame
    k = page.pt_per_px
    unit = units or "km"
    km_per = km_per_unit(unit)
    cx, cy = centre_xy
    per_km = scale_bar_span_m(proj, cx, cy, 1.0)
    length_u = nice_scale_length(0.45 * 2 * half_w / per_km / km_per)
    span = scale_bar_span_m(proj, cx, cy, length_u * km_per)
    bx = frame[0] + 0.07 * 2 * half_w
    by = frame[1] + 0.08 * 2 * half_h
    dax.plot([bx, bx + span], [by, by], color=INK, lw=page.pt(3.0), solid_capstyle="butt", zorder=41)
    props = page.font(12, weight="bold")
    dax.annotate(f"{length_u:g} {unit}", xy=(bx + span / 2, by), xytext=(0, page.px(4) * k),
                 textcoords="offset points", ha="center", va="bottom", zorder=41, **props)
    (px0, py0), (px1, _) = dax.transData.transform([(bx, by), (bx + span, by)])
    tw, th = page.text_size(f"{length_u:g} {unit}", props)
    half_lw = page.px(1.5)
    return (min(px0, (px0 + px1 - tw) / 2), py0 - half_lw, max(px1, (px0 + px1 + tw) / 2),
            py0 + page.px(4) + th)


@dataclass(frozen=True)
class DetailInset:
    """What :func:`detail_inset` drew: its view (axes, frame in map metres) and its labels."""

    view: MapView
    labels: list[PlacedLabel]


def detail_inset(page: Page, scene: Scene, box: Box, strike: SceneLayer, view: MapView) -> DetailInset:
    """Close-up of the strike and the geodesic to the nearest NATO border point, with its length.

    Drawn in ``box`` (figure pixels) with the main map's code and projection
    (``view``): land, the border, the measured line and the strike, named
    villages around it (the places the main map draws as cities included, as
    the detail does not draw them).
    """
    x0, y0, x1, y1 = box
    dax = page.framed_axes(box)
    line_xy = shapely.get_coordinates(view.proj.project(np.asarray(strike.gdf.geometry.values[:1])))
    lx0, ly0 = line_xy.min(axis=0)
    lx1, ly1 = line_xy.max(axis=0)
    cx, cy = (lx0 + lx1) / 2, (ly0 + ly1) / 2
    length = max(lx1 - lx0, ly1 - ly0)
    half_w = max(1.7 * length, 5000.0)
    half_h = half_w * (y1 - y0) / (x1 - x0)
    frame = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    dax.set_xlim(frame[0], frame[2])
    dax.set_ylim(frame[1], frame[3])
    dax.set_aspect("equal", adjustable="box")
    dview = MapView(dax, view.proj, box, frame, frame_lonlat(view.proj, frame, n=8), 2 * half_w / (x1 - x0),
                    labels=False, simplify=view.simplify)
    markers: list[Box] = []
    state = LayerState()  # the detail's legend rows are not shown
    for i, layer in enumerate(scene.layers):
        # only what the close-up is about: land, the border, the measured line, the strike
        if layer.name in ("countries", "nato_border", STRIKE_LINE, "incidents"):
            markers += draw_layer(page, dview, scene, layer, layer_z(layer.style.kind, i), [], state)
    bar = _detail_scale_bar(page, dview, scene.units, (cx, cy), half_w, half_h)
    labels = _detail_labels(page, dview, scene, strike, line_xy, markers + [bar], half_w)
    return DetailInset(dview, labels)
