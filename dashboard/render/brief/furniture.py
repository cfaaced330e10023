"""Map furniture of the brief: the labelled graticule, the scale bar and the north arrow.

The scale bar's length is geodesically right at the map centre and the arrow
points to true north there (:mod:`dashboard.render.mapframe`).  The bar and the
arrow return their extents in figure pixels, so markers they would hide are
left out and labels keep clear of them.
"""
from __future__ import annotations

import math

import numpy as np
import shapely
from matplotlib.collections import LineCollection
from matplotlib.patches import FancyBboxPatch, Rectangle
from matplotlib.patches import Polygon as MplPolygon

from dashboard.render.brief.layout import INK, MUTED, PANEL_EDGE, MapView, Page, ScaleBar
from dashboard.render.brief.marks import km_per_unit
from dashboard.render.labels import Box
from dashboard.render.mapframe import (
    MapProjection,
    fmt_lat,
    fmt_lon,
    nice_scale_length,
    scale_bar_span_m,
    true_north_deg,
)

# ------------------------------------------------------------------ graticule

Graticule = list[tuple[float, shapely.LineString]]
#: Round graticule steps, degrees, densest first.
GRATICULE_STEPS_DEG: tuple[float, ...] = (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30)


def _graticule_lines(proj: MapProjection, frame_ll: Box) -> tuple[list[np.ndarray], Graticule, Graticule]:
    """Projected meridians and parallels over ``frame_ll`` (degrees) at a round step.

    Returns every line's coordinates (metres), then (longitude, line) and (latitude, line) pairs.
    """
    lw, ls, le, ln = frame_ll
    # the densest round step with at most 9 meridians and 7 parallels: a zoomed-in view
    # still gets at least two labels on each axis (0.1 and 0.2 degree steps)
    step = next((st for st in GRATICULE_STEPS_DEG
                 if (le - lw) / st <= 9 and (ln - ls) / st <= 7), 30)
    lons = np.arange(math.floor(lw / step) * step, le + step, step)
    lats = np.arange(math.floor(ls / step) * step, ln + step, step)
    lats = lats[(lats > -90) & (lats < 90)]
    segs = []
    merid, paral = [], []
    t_lat = np.linspace(max(ls - step, -89.5), min(ln + step, 89.5), 120)
    t_lon = np.linspace(lw - step, le + step, 240)
    for lon in lons:
        x, y = proj.to_xy(np.full_like(t_lat, lon), t_lat)
        segs.append(np.column_stack([x, y]))
        merid.append((lon, shapely.LineString(segs[-1])))
    for lat in lats:
        x, y = proj.to_xy(t_lon, np.full_like(t_lon, lat))
        segs.append(np.column_stack([x, y]))
        paral.append((lat, shapely.LineString(segs[-1])))
    return segs, merid, paral


def draw_graticule(page: Page, view: MapView) -> None:
    """Meridians and parallels, labelled outside the frame with a tick across it."""
    ax = view.ax
    segs, merid, paral = _graticule_lines(view.proj, view.frame_ll)
    ax.add_collection(LineCollection(segs, colors=[(0.25, 0.35, 0.45, 0.45)], linewidths=page.pt(0.8),
                                     zorder=9, linestyles="solid"))
    fx0, fy0, fx1, fy1 = view.frame
    edges = {
        "bottom": shapely.LineString([(fx0, fy0), (fx1, fy0)]),
        "top": shapely.LineString([(fx0, fy1), (fx1, fy1)]),
        "left": shapely.LineString([(fx0, fy0), (fx0, fy1)]),
        "right": shapely.LineString([(fx1, fy0), (fx1, fy1)]),
    }
    props = page.font(12, color=MUTED)
    off = page.px(6) * page.pt_per_px
    dec = None  # shortest exact form: 24°E, 50.5°N, 23.25°E
    placements = (("bottom", merid, fmt_lon, (0, -off), "center", "top"),
                  ("top", merid, fmt_lon, (0, off), "center", "bottom"),
                  ("left", paral, fmt_lat, (-off, 0), "right", "center"),
                  ("right", paral, fmt_lat, (off, 0), "left", "center"))
    for edge, lines_, fmt, xytext, ha, va in placements:
        for value, line in lines_:
            hit = line.intersection(edges[edge])
            if hit.is_empty:
                continue
            x, y = shapely.get_coordinates(hit)[0]
            # no label in a corner, where it would collide with the other edge's labels
            along = (x - fx0) / (fx1 - fx0) if edge in ("bottom", "top") else (y - fy0) / (fy1 - fy0)
            if along < 0.025 or along > 0.975:
                continue
            ax.annotate(fmt(float(value), dec), xy=(x, y), xycoords="data", xytext=xytext,
                        textcoords="offset points", ha=ha, va=va, annotation_clip=False, **props)
            # tick mark across the frame
            tick = page.px(7) * view.m_per_px
            dxy = {"bottom": (0, tick), "top": (0, -tick), "left": (tick, 0), "right": (-tick, 0)}[edge]
            ax.plot([x, x + dxy[0]], [y, y + dxy[1]], color=INK, lw=page.pt(1.2), zorder=31,
                    solid_capstyle="butt", clip_on=False)


# ------------------------------------------------------------------ scale bar

def _draw_bar(page: Page, view: MapView, bx0: float, by0: float, span: float, length: float,
              unit: str, lat_c: float) -> tuple[float, dict]:
    """Alternating quarters ``span`` metres long from (``bx0``, ``by0``) (metres), labelled at 0,
    half and full ``length`` (in ``unit``), and a note that the scale is true at ``lat_c`` (degrees).

    Returns the bar's height in metres and the labels' font.
    """
    ax, mpp = view.ax, view.m_per_px
    bar_h = page.px(7) * mpp
    nseg = 4  # alternating quarters; labels at 0, half and full length
    seg = span / nseg
    for i in range(nseg):
        ax.add_patch(Rectangle((bx0 + i * seg, by0), seg, bar_h, facecolor=INK if i % 2 == 0 else "white",
                               edgecolor=INK, linewidth=page.pt(1.0), zorder=34))
    k = page.pt_per_px
    props = page.font(12.5)
    for t in (0, length / 2, length):
        x = bx0 + span * t / length
        lab = f"{t:g}" + (f" {unit}" if t == length else "")
        ax.annotate(lab, xy=(x, by0 + bar_h), xytext=(0, page.px(4) * k), textcoords="offset points",
                    ha="center", va="bottom", zorder=35, **props)
    ax.annotate(f"Scale true at {fmt_lat(lat_c, 1)}", xy=(bx0, by0),
                xytext=(0, -page.px(6) * k), textcoords="offset points", ha="left", va="top",
                zorder=35, **page.font(11, color=MUTED))
    return bar_h, props


def draw_scale_bar(page: Page, view: MapView, units: str | None, centre_xy: tuple[float, float],
                   centre_lat: float) -> tuple[ScaleBar, Box]:
    """A bar about 22 % of the frame wide, in the bottom-left corner, true at the map centre.

    ``centre_xy`` is the map centre in metres, ``centre_lat`` its latitude in
    degrees; ``units`` one of km, nm, mi (default km).  Returns the bar and its
    extent with the unit label in figure pixels.
    """
    ax, proj, mpp = view.ax, view.proj, view.m_per_px
    unit = units or "km"
    km_per = km_per_unit(unit)
    fx0, fy0, fx1, fy1 = view.frame
    cx, cy = centre_xy
    # ground length of 22 % of the frame width at the centre
    probe = scale_bar_span_m(proj, cx, cy, 100.0)  # projected metres per 100 km
    max_km = 0.22 * (fx1 - fx0) / probe * 100.0
    length = nice_scale_length(max_km / km_per)
    length_km = length * km_per
    span = scale_bar_span_m(proj, cx, cy, length_km)
    pad = page.px(14) * mpp
    bx0 = fx0 + pad + page.px(12) * mpp
    by0 = fy0 + pad + page.px(34) * mpp
    bar_h, props = _draw_bar(page, view, bx0, by0, span, length, unit, centre_lat)
    box_x0, box_x1 = bx0 - page.px(12) * mpp, bx0 + span + page.px(30) * mpp
    box_y0, box_y1 = by0 - page.px(26) * mpp, by0 + bar_h + page.px(28) * mpp
    ax.add_patch(FancyBboxPatch((box_x0, box_y0), box_x1 - box_x0, box_y1 - box_y0,
                                boxstyle=f"round,pad=0,rounding_size={page.px(6) * mpp}",
                                facecolor="white", edgecolor=PANEL_EDGE, linewidth=page.pt(1.0), zorder=33))
    bar = ScaleBar(length=length, unit=unit, length_km=length_km, drawn_xy=((bx0, by0), (bx0 + span, by0)),
                   centre_xy=((cx - span / 2, cy), (cx + span / 2, cy)))
    # make room for the unit label beyond the bar's end
    unit_w = page.text_size(f"{length:g} {unit}", props)[0]
    (px0, py0), (px1, py1) = ax.transData.transform([(box_x0, box_y0), (box_x1, box_y1)])
    right = max(px1, ax.transData.transform((bx0 + span, by0))[0] + unit_w / 2 + page.px(6))
    return bar, (px0, py0, right, py1)


# ------------------------------------------------------------------ north arrow

def draw_north_arrow(page: Page, view: MapView, centre_lonlat: tuple[float, float]) -> tuple[float, Box]:
    """North arrow in the frame's top-right corner, rotated to true north at the map centre.

    ``centre_lonlat`` is (lon, lat) in degrees.  Returns true north's direction
    (degrees clockwise from grid up) and the arrow's box in figure pixels.
    """
    ax = view.ax
    lon_c, lat_c = centre_lonlat
    ang = true_north_deg(view.proj, lon_c, lat_c)
    size = page.px(74)
    x1, y1 = view.box_px[2], view.box_px[3]
    box_px = (x1 - size - page.px(14), y1 - size - page.px(14), x1 - page.px(14), y1 - page.px(14))
    inv = ax.transAxes.inverted()
    (a0, b0), (a1, b1) = inv.transform([box_px[:2], box_px[2:]])
    nax = ax.inset_axes((a0, b0, a1 - a0, b1 - b0), zorder=36)
    nax.set_xlim(-1, 1)
    nax.set_ylim(-1, 1)
    nax.set_aspect("equal")
    nax.axis("off")
    nax.add_patch(FancyBboxPatch((-0.98, -0.98), 1.96, 1.96, boxstyle="round,pad=0,rounding_size=0.15",
                                 facecolor="white", edgecolor=PANEL_EDGE, linewidth=page.pt(1.0)))
    th = math.radians(ang)
    c, s_ = math.cos(th), math.sin(th)

    def rot(px_: float, py_: float) -> tuple[float, float]:
        return (px_ * c + py_ * s_, -px_ * s_ + py_ * c)

    tip, left, right, tail = (0, 0.42), (-0.2, -0.5), (0.2, -0.5), (0, -0.28)
    nax.add_patch(MplPolygon([rot(*tip), rot(*left), rot(*tail)], closed=True, facecolor="white",
                             edgecolor=INK, linewidth=page.pt(1.2)))
    nax.add_patch(MplPolygon([rot(*tip), rot(*right), rot(*tail)], closed=True, facecolor=INK,
                             edgecolor=INK, linewidth=page.pt(1.2)))
    lx, ly = rot(0, 0.68)
    nax.text(lx, ly, "N", ha="center", va="center", rotation=-ang, **page.font(17, weight="bold"))
    return ang, box_px
