"""Briefing map: a :class:`~dashboard.scene.Scene` drawn to a print-quality PNG, PDF or SVG.

The brief is drawn with matplotlib (Agg; no browser, no Streamlit) in a
Lambert conformal conic projection centred on the scene's view, with standard
parallels at 1/6 and 5/6 of its latitude span (the projection of ICAO
aeronautical charts: conformal, so shapes and bearings look right, and scale
within about 1 % across a 10-degree view).  Views that straddle the equator
or span more than 50 degrees of latitude use Lambert azimuthal equal-area.

Everything a staff officer expects on a slide is on the page: title, the
incident's date-time group (``151440Z NOV 22``), an optional marking banner
top and bottom, the scene's layers in the styles of :mod:`dashboard.render.styles`,
a legend, a scale bar whose length is geodesically right at the map's centre,
a north arrow pointing to true north at the map's centre, a labelled
graticule, an inset locator map, a key-figures box, a sources and licences
line, and the generation time (``SOURCE_DATE_EPOCH`` when set).  When the
scene carries the strike-to-border geodesic (layer ``strike_border``, made by
:func:`dashboard.compose.build_scene`) a detail inset shows it with its length,
since 6 km is a few pixels on a 1,000 km map.

Cartographic generalisation, for display only (figures always come from the
full-resolution layers in the core): geometry is simplified to 0.4 px before
projecting; places are thinned to the largest within ~18 px of each other and
to a round population threshold that leaves about 90 on a slide (the legend
says which); markers hidden by the scale bar or north arrow are left out.

Labels are placed greedily by priority: each candidate position's rendered
text extent is checked against the markers, the map furniture and the labels
already placed, and a label that fits nowhere is left out.

Output is deterministic: the same scene and the same ``SOURCE_DATE_EPOCH``
give the same bytes (fixed metadata, fixed SVG hash salt, no timestamps).
"""
from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import BinaryIO, Literal

import matplotlib
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Polygon as MplPolygon, Rectangle
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from dashboard.geo.errors import InputError
from dashboard.render.styles import NEIGHBOUR_COLOURS, RGBA, feature_colours, rgba_float
from dashboard.render.labels import (Box, LabelPlacer, LabelRequest)
from dashboard.render.mapframe import (MapProjection, densified_box, fmt_lat, fmt_lon,
                                       nice_scale_length, projection_for, scale_bar_span_m,
                                       true_north_deg)
from dashboard.scene import STRIKE_LINE, Scene, SceneLayer

Fmt = Literal["png", "pdf", "svg"]
SizeName = Literal["slide", "a4"]

#: Scene layer with the geodesic from the strike to the nearest NATO border point
#: (made by :func:`dashboard.compose.build_scene`); the brief shows it in a detail inset.
_RENDER_LOCK = threading.Lock()
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN",
           "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_FONT = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine



@dataclass(frozen=True)
class PageSize:
    """Output size: ``width_px`` x ``height_px`` at ``dpi`` (PNG pixels, PDF/SVG inches)."""

    name: str
    width_px: int
    height_px: int
    dpi: int

    @property
    def figsize_in(self) -> tuple[float, float]:
        # A hair over the exact value so Agg's integer truncation never loses a pixel.
        return (self.width_px + 1e-6) / self.dpi, (self.height_px + 1e-6) / self.dpi


PAGE_SIZES: dict[str, PageSize] = {
    "slide": PageSize("slide", 1920, 1080, 100),  # 16:9 slide
    "a4": PageSize("a4", 3508, 2480, 300),  # A4 landscape, 297 x 210 mm at 300 dpi
}
FORMATS: tuple[str, ...] = ("png", "pdf", "svg")


# ---------------------------------------------------------------------------------------
# Small pure helpers (tested directly)
# ---------------------------------------------------------------------------------------

def format_dtg(day: date | str, time_utc: str | None = None) -> str:
    """Military date-time group ``DDHHMMZ MON YY`` in UTC.

    Parameters
    ----------
    day : date or str
        The date (``date`` or ISO ``YYYY-MM-DD``).
    time_utc : str, optional
        ``HH:MM`` (``HH:MM:SS``, ``HHMM`` and a trailing ``Z`` also accepted).
        Without it the group is ``DD MON YY``.

    Examples
    --------
    >>> format_dtg("2022-11-15", "14:40")
    '151440Z NOV 22'
    >>> format_dtg(date(2022, 11, 15))
    '15 NOV 22'
    """
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day.strip()[:10])
        except ValueError as exc:
            raise InputError(f"not a date (YYYY-MM-DD): {day!r}") from exc
    mon, yy = _MONTHS[day.month - 1], f"{day.year % 100:02d}"
    if not time_utc or not str(time_utc).strip():
        return f"{day.day:02d} {mon} {yy}"
    t = str(time_utc).strip().upper().removesuffix("Z").removesuffix("UTC").strip()
    digits = t.replace(":", "")
    if not digits.isdigit() or len(digits) not in (4, 6):
        raise InputError(f"not a UTC time (HH:MM): {time_utc!r}")
    hh, mm = int(digits[:2]), int(digits[2:4])
    if hh > 23 or mm > 59:
        raise InputError(f"not a UTC time (HH:MM): {time_utc!r}")
    return f"{day.day:02d}{hh:02d}{mm:02d}Z {mon} {yy}"


def generation_time(generated_at: datetime | None = None) -> datetime:
    """When the brief was made, in UTC.

    An explicit ``generated_at`` wins; else ``SOURCE_DATE_EPOCH`` (seconds since
    1970, the reproducible-builds convention); else now.
    """
    if generated_at is not None:
        if generated_at.tzinfo is None:
            generated_at = generated_at.replace(tzinfo=timezone.utc)
        return generated_at.astimezone(timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except ValueError as exc:
            raise InputError(f"SOURCE_DATE_EPOCH is not an integer: {epoch!r}") from exc
    return datetime.now(timezone.utc).replace(microsecond=0)


def marking_colours(marking: str) -> tuple[str, str]:
    """Banner (background, text) colours for a classification marking."""
    m = marking.upper()
    if "TOP SECRET" in m:
        return "#ff8c00", "#000000"
    if "SECRET" in m:
        return "#c8102e", "#ffffff"
    if "CONFIDENTIAL" in m:
        return "#0033a0", "#ffffff"
    if "RESTRICTED" in m:
        return "#6d3a9c", "#ffffff"
    if "UNCLASSIFIED" in m:
        return "#007a33", "#ffffff"
    return "#3c3c3c", "#ffffff"


def _km_per_unit(unit: str) -> float:
    from dashboard.geo.units import KM_PER_UNIT
    try:
        return KM_PER_UNIT[unit]
    except KeyError as exc:
        raise InputError(f"unknown unit {unit!r}; use one of {', '.join(KM_PER_UNIT)}") from exc


# ---------------------------------------------------------------------------------------
# Layout results (returned so callers and tests can check what was drawn)
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScaleBar:
    """The drawn scale bar.

    ``drawn_xy`` are the bar's end points in map coordinates (metres, the map
    axes' data coordinates); ``centre_xy`` is the same bar translated to the map
    centre, where its ground length is ``length_km`` (``length`` in ``unit``).
    """

    length: float
    unit: str
    length_km: float
    drawn_xy: tuple[tuple[float, float], tuple[float, float]]
    centre_xy: tuple[tuple[float, float], tuple[float, float]]


@dataclass
class PlacedLabel:
    """A label on the map: its text, layer and extent in figure pixels (x0, y0, x1, y1)."""

    text: str
    layer: str
    bbox_px: tuple[float, float, float, float]
    artist: object = None


@dataclass
class BriefLayout:
    """What :func:`build_figure` drew: the figure and the facts needed to check it."""

    fig: Figure
    map_ax: object
    inset_ax: object
    projection: MapProjection
    frame_xy: tuple[float, float, float, float]
    centre_lonlat: tuple[float, float]
    scale_bar: ScaleBar | None
    north_deg: float
    labels: list[PlacedLabel]
    markers_px: list[tuple[float, float, float, float]]
    furniture_px: list[tuple[float, float, float, float]]
    dropped_labels: list[str]
    page: PageSize
    generated_at: datetime
    dtg: str | None
    explicit_time: bool = False


# ---------------------------------------------------------------------------------------
# Geometry -> matplotlib
# ---------------------------------------------------------------------------------------

def _polygon_path(geom: BaseGeometry | None) -> MplPath | None:
    """One compound path for a (multi)polygon: exteriors CCW, holes CW (fills right under any rule)."""
    if geom is None or shapely.is_empty(geom):
        return None
    parts = shapely.get_parts(geom)
    parts = parts[shapely.get_type_id(parts) == 3]
    if not len(parts):
        return None
    parts = shapely.orient_polygons(parts)
    rings = shapely.get_rings(parts)
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return None
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    starts = np.r_[0, np.flatnonzero(np.diff(idx)) + 1]
    ends = np.r_[starts[1:] - 1, len(coords) - 1]
    codes[starts] = MplPath.MOVETO
    codes[ends] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def _line_parts(geom: BaseGeometry | None) -> list[np.ndarray]:
    if geom is None or shapely.is_empty(geom):
        return []
    parts = shapely.get_parts(geom)
    tid = shapely.get_type_id(parts)
    polys = parts[tid == 3]
    lines = list(parts[(tid == 1) | (tid == 2)])
    if len(polys):
        lines += list(shapely.get_rings(polys))
    if not lines:
        return []
    coords, idx = shapely.get_coordinates(np.asarray(lines, dtype=object), return_index=True)
    splits = np.flatnonzero(np.diff(idx)) + 1
    return [c for c in np.split(coords, splits) if len(c) >= 2]


def _feature_colours(layer: SceneLayer) -> tuple[list[RGBA], list[RGBA]]:
    """Per-feature fill and line colours, by the same rules as the live map."""
    return feature_colours(layer.style, layer.gdf)


def _declutter(xy_px: np.ndarray, weight: np.ndarray, mask: np.ndarray, min_sep_px: float) -> np.ndarray:
    """Keep the heaviest of points closer than ``min_sep_px`` (e.g. a city over its districts).

    Returns a boolean mask over all points; points outside ``mask`` stay False.
    """
    keep = np.zeros(len(xy_px), dtype=bool)
    grid: dict[tuple[int, int], list[int]] = {}
    order = np.flatnonzero(mask)
    order = order[np.argsort(-weight[order], kind="stable")]
    for k in order:
        x, y = xy_px[k]
        ci, cj = int(x // min_sep_px), int(y // min_sep_px)
        clash = False
        for i in (ci - 1, ci, ci + 1):
            for j in (cj - 1, cj, cj + 1):
                for m in grid.get((i, j), ()):
                    if (xy_px[m, 0] - x) ** 2 + (xy_px[m, 1] - y) ** 2 < min_sep_px ** 2:
                        clash = True
                        break
        if not clash:
            keep[k] = True
            grid.setdefault((ci, cj), []).append(k)
    return keep


def _clip(geom: BaseGeometry, window: BaseGeometry) -> BaseGeometry:
    """``geom`` within ``window``; display simplification may leave a polygon invalid, so repair on demand."""
    try:
        return shapely.intersection(geom, window)
    except shapely.errors.GEOSException:
        return shapely.intersection(shapely.make_valid(geom), window)


def _area_anchors(poly: BaseGeometry, pole) -> list[tuple[float, float]]:
    """Label anchors inside ``poly``: its pole of inaccessibility, centroid, then a grid nearest the pole."""
    anchors = [(pole.x, pole.y)]
    c = poly.centroid
    if poly.contains(c):
        anchors.append((c.x, c.y))
    bx0, by0, bx1, by1 = poly.bounds
    gx, gy = np.meshgrid(np.linspace(bx0, bx1, 9)[1:-1], np.linspace(by0, by1, 9)[1:-1])
    inside = shapely.contains_xy(poly, gx.ravel(), gy.ravel())
    g_xy = np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
    if len(g_xy):
        order = np.argsort(np.hypot(g_xy[:, 0] - pole.x, g_xy[:, 1] - pole.y), kind="stable")
        anchors += [tuple(g_xy[i]) for i in order[:24]]
    return anchors


_COARSE_CACHE: dict[tuple, np.ndarray] = {}


def _coarse(gdf, tolerance_deg: float) -> np.ndarray:
    """Lon/lat geometries simplified for a small-scale map, memoised by content and tolerance."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    tol = float(f"{tolerance_deg:.2g}")  # a few tolerance levels, so the cache hits
    key = (len(geoms), tuple(np.round(gdf.total_bounds, 6)),
           int(shapely.get_num_coordinates(geoms).sum()), tol)
    hit = _COARSE_CACHE.get(key)
    if hit is None:
        hit = shapely.simplify(geoms, tol, preserve_topology=True)
        if len(_COARSE_CACHE) > 16:
            _COARSE_CACHE.clear()
        _COARSE_CACHE[key] = hit
    return hit


_POPULATION_STEPS = (15_000, 25_000, 50_000, 100_000, 150_000, 200_000, 250_000, 300_000, 500_000,
                     1_000_000, 2_000_000, 5_000_000)


def _short_date(v) -> str | None:
    """``15 Nov 2022`` from a date, datetime, pandas Timestamp or ISO string; None if absent."""
    if not _present(v):
        return None
    try:
        d = date.fromisoformat(str(v)[:10])
    except ValueError:
        return None
    return f"{d.day} {_MONTHS[d.month - 1].title()} {d.year}"


def _present(v) -> bool:
    if v is None:
        return False
    if isinstance(v, float) and math.isnan(v):
        return False
    return True


def _point_radius_dpx(layer: SceneLayer) -> np.ndarray:
    """Marker radii in slide pixels: by population (area-proportional) where the layer has one."""
    gdf, base = layer.gdf, layer.style.point_radius_px
    if "population" in gdf.columns and len(gdf):
        pop = np.nan_to_num(gdf["population"].to_numpy(dtype=float), nan=15_000.0)
        return np.clip(base * np.sqrt(pop / 50_000.0) * 0.8, 1.6, 11.0)
    return np.full(len(gdf), float(base))


# ---------------------------------------------------------------------------------------
# The figure
# ---------------------------------------------------------------------------------------

_INK = "#1f2328"
_MUTED = "#5b6169"
_SEA = "#dfe8ef"
_PANEL_EDGE = "#c9ced4"


class _Brief:
    """Builds one brief figure; every size is in *design pixels* (slide pixels) scaled to the page."""

    def __init__(self, scene: Scene, page: PageSize, marking: str | None,
                 generated_at: datetime, simplify: bool = True) -> None:
        self.scene = scene
        self.page = page
        self.marking = (marking or "").strip() or None
        self.generated_at = generated_at
        self.simplify = simplify
        self.W, self.H = page.width_px, page.height_px
        self.s = self.W / 1920.0  # figure px per design px
        self.fig = Figure(figsize=page.figsize_in, dpi=page.dpi, facecolor="white")
        FigureCanvasAgg(self.fig)
        self.renderer = self.fig.canvas.get_renderer()
        self._measure_cache: dict = {}
        self._no_labels = False
        self.furniture: list[Box] = []

    # unit helpers -----------------------------------------------------------------
    def px(self, d: float) -> float:
        """Design pixels -> figure pixels."""
        return d * self.s

    def pt(self, d: float) -> float:
        """Design pixels -> points (font sizes, line widths)."""
        return d * self.s * 72.0 / self.page.dpi

    def fx(self, x_px: float) -> float:
        return x_px / self.W

    def fy(self, y_px: float) -> float:
        return y_px / self.H

    def text_size(self, text: str, props: dict) -> tuple[float, float]:
        """Rendered (width, height) of one line of ``text`` in figure pixels.

        Same metrics as matplotlib's own text layout (the line is at least as
        tall as "lp"), without creating an artist.
        """
        key = (text, props.get("fontsize"), props.get("family"), props.get("weight"), props.get("style"))
        hit = self._measure_cache.get(key)
        if hit is None:
            fp = FontProperties(family=props.get("family", _FONT), size=props.get("fontsize"),
                                weight=props.get("weight", "normal"), style=props.get("style", "normal"))
            w, h, d = self.renderer.get_text_width_height_descent(text, fp, ismath=False)
            lp = self._measure_cache.get(("\0lp",) + key[1:])
            if lp is None:
                lp = self.renderer.get_text_width_height_descent("lp", fp, ismath=False)
                self._measure_cache[("\0lp",) + key[1:]] = lp
            _, lh, ld = lp
            h_top = max(h - d, lh - ld)
            hit = (w, h_top + max(d, ld))
            self._measure_cache[key] = hit
        return hit

    def font(self, size_d: float, **kw) -> dict:
        props = {"fontsize": self.pt(size_d), "family": _FONT, "color": _INK}
        props.update(kw)
        return props

    # layout -----------------------------------------------------------------------
    def build(self) -> BriefLayout:
        W, H = self.W, self.H
        banner = self.px(30) if self.marking else 0.0
        header = self.px(96)
        footer = self.px(62)
        margin = self.px(28)
        panel_w = self.px(440 if W / H > 1.6 else 470)
        grat = self.px(30)  # room for graticule labels outside the frame

        map_x0 = margin + grat
        map_x1 = W - margin - panel_w - self.px(24) - grat
        map_y0 = banner + footer + grat
        map_y1 = H - banner - header - grat * 0.8
        self.map_box = (map_x0, map_y0, map_x1, map_y1)
        self.panel_box = (W - margin - panel_w, map_y0 - grat, W - margin, map_y1 + grat * 0.8)

        if self.marking:
            self._banners(banner)
        self._header(banner, header, margin)
        layout = self._map()
        self._panel()
        self._footer(banner, footer, margin)
        return layout

    def _banners(self, h: float) -> None:
        bg, fg = marking_colours(self.marking)
        for y in (0.0, self.H - h):
            self.fig.add_artist(Rectangle((0, self.fy(y)), 1, self.fy(h), transform=self.fig.transFigure,
                                          facecolor=bg, edgecolor="none", zorder=10))
            self.fig.text(0.5, self.fy(y + h / 2), self.marking.upper(), ha="center", va="center_baseline",
                          zorder=11, **self.font(17, weight="bold", color=fg))

    def _header(self, banner: float, header: float, margin: float) -> None:
        sc = self.scene
        top = self.H - banner
        inc = sc.incident or {}
        self.dtg = None
        if inc.get("date"):
            try:
                self.dtg = format_dtg(inc["date"], inc.get("time_utc"))
            except InputError:
                self.dtg = None
        right_w = 0.0
        if self.dtg:
            cap = self.font(12, color=_MUTED, weight="bold")
            big = self.font(30, weight="bold", family="DejaVu Sans Mono")
            self.fig.text(self.fx(self.W - margin), self.fy(top - self.px(20)),
                          "DATE-TIME GROUP (UTC)", ha="right", va="top", **cap)
            self.fig.text(self.fx(self.W - margin), self.fy(top - self.px(40)), self.dtg,
                          ha="right", va="top", **big)
            right_w = max(self.text_size(self.dtg, big)[0], self.text_size("DATE-TIME GROUP (UTC)", cap)[0])
        avail = self.W - 2 * margin - right_w - self.px(40)
        title = sc.title or "Situation map"
        size = 34.0
        props = self.font(size, weight="bold")
        while self.text_size(title, props)[0] > avail and size > 18:
            size -= 1.0
            props = self.font(size, weight="bold")
        self.fig.text(self.fx(margin), self.fy(top - self.px(16)), title, ha="left", va="top", **props)
        sub = sc.subtitle
        if not sub and inc:
            sub = ", ".join(str(inc[k]) for k in ("place", "country") if inc.get(k))
        if sub:
            sprops = self.font(17, color=_MUTED)
            sub = self._ellipsize(sub, sprops, avail)
            self.fig.text(self.fx(margin), self.fy(top - self.px(64)), sub, ha="left", va="top", **sprops)
        # rule under the header
        y = self.fy(top - header + self.px(4))
        self.fig.add_artist(Line2D([self.fx(margin), self.fx(self.W - margin)], [y, y],
                                   transform=self.fig.transFigure, color=_INK,
                                   linewidth=self.pt(2.0)))

    def _ellipsize(self, text: str, props: dict, width_px: float) -> str:
        if self.text_size(text, props)[0] <= width_px:
            return text
        while len(text) > 4 and self.text_size(text + "…", props)[0] > width_px:
            text = text[:-1]
        return text.rstrip() + "…"

    def _footer(self, banner: float, footer: float, margin: float) -> None:
        y0 = banner
        y_rule = self.fy(y0 + footer - self.px(6))
        self.fig.add_artist(Line2D([self.fx(margin), self.fx(self.W - margin)], [y_rule, y_rule],
                                   transform=self.fig.transFigure, color=_PANEL_EDGE,
                                   linewidth=self.pt(1.0)))
        src = "Sources: " + " · ".join(self.scene.sources) if self.scene.sources else "Sources: —"
        props = self.font(13, color=_INK)
        gen = f"Generated {self.generated_at:%d %b %Y %H:%M} UTC"
        gprops = self.font(13, color=_MUTED)
        gw = self.text_size(gen, gprops)[0]
        avail = self.W - 2 * margin - gw - self.px(30)
        size = 13.0
        while self.text_size(src, props)[0] > avail and size > 9:
            size -= 0.5
            props = self.font(size, color=_INK)
        src = self._ellipsize(src, props, avail)
        line1 = self.fy(y0 + footer - self.px(22))
        line2 = self.fy(y0 + footer - self.px(44))
        self.fig.text(self.fx(margin), line1, src, ha="left", va="center_baseline", **props)
        self.fig.text(self.fx(self.W - margin), line1, gen, ha="right", va="center_baseline", **gprops)
        note = (f"Projection: {self.proj.description}. Distances and areas geodesic on WGS 84; "
                f"scale bar true at map centre ({fmt_lat(self.centre_lonlat[1], 2)}).")
        nprops = self.font(12, color=_MUTED)
        self.fig.text(self.fx(margin), line2, self._ellipsize(note, nprops, self.W - 2 * margin),
                      ha="left", va="center_baseline", **nprops)

    # the map ------------------------------------------------------------------------
    def _map(self) -> BriefLayout:
        sc = self.scene
        x0, y0, x1, y1 = self.map_box
        ax = self.fig.add_axes((self.fx(x0), self.fy(y0), self.fx(x1 - x0), self.fy(y1 - y0)))
        self.ax = ax
        ax.set_facecolor(_SEA)
        ax.set_xticks([])
        ax.set_yticks([])
        for sp in ax.spines.values():
            sp.set_color(_INK)
            sp.set_linewidth(self.pt(1.6))
            sp.set_zorder(30)

        self.proj = proj = projection_for(sc.view.bounds_deg)
        w, s, e, n = sc.view.bounds_deg
        bx, by = proj.to_xy(*densified_box(w, s, e, n))
        fx0, fx1, fy0, fy1 = float(np.min(bx)), float(np.max(bx)), float(np.min(by)), float(np.max(by))
        aspect = (x1 - x0) / (y1 - y0)
        cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
        fw, fh = fx1 - fx0, fy1 - fy0
        if fw / fh < aspect:
            fw = fh * aspect
        else:
            fh = fw / aspect
        self.frame = (cx - fw / 2, cy - fh / 2, cx + fw / 2, cy + fh / 2)
        ax.set_xlim(self.frame[0], self.frame[2])
        ax.set_ylim(self.frame[1], self.frame[3])
        ax.set_aspect("equal", adjustable="box")
        self.centre_xy = (cx, cy)
        lon_c, lat_c = proj.to_lonlat(cx, cy)
        self.centre_lonlat = (float(lon_c), float(lat_c))
        self.m_per_px = fw / (x1 - x0)

        # lon/lat envelope of the frame, for cheap pre-clipping and the graticule
        flon, flat = proj.to_lonlat(*densified_box(*self.frame))
        self.frame_ll = (float(np.min(flon)), float(np.min(flat)), float(np.max(flon)), float(np.max(flat)))

        # furniture first: markers it would hide are left out, labels keep clear of it
        furniture = [self._scale_bar(), self._north_arrow()]
        self.furniture = furniture
        markers: list[Box] = []
        requests: list[LabelRequest] = []
        self.legend_rows: list[tuple[str, dict]] = []
        for i, layer in enumerate(sc.layers):
            z = 2 + i * 0.1 if layer.style.kind == "polygon" else 10 + i * 0.1
            if layer.style.kind == "point":
                z = 20 + i * 0.1
            markers += self._draw_layer(layer, z, requests)
        self._graticule()

        # labels: highest priority first
        placer = LabelPlacer(self.map_box, markers + furniture, self.text_size, pad_px=self.px(3))
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
            artist = self._draw_label(req, ia, dx, dy, ha, va)
            placed.append(PlacedLabel(req.text, req.layer, box, artist))
        self.layout = BriefLayout(
            fig=self.fig, map_ax=ax, inset_ax=None, projection=proj, frame_xy=self.frame,
            centre_lonlat=self.centre_lonlat, scale_bar=self.scale_bar, north_deg=self.north_deg,
            labels=placed, markers_px=markers, furniture_px=furniture, dropped_labels=dropped, page=self.page,
            generated_at=self.generated_at, dtg=self.dtg)
        return self.layout

    def _prepare(self, layer: SceneLayer) -> np.ndarray:
        """Layer geometries projected, simplified for display and clipped to the frame."""
        geoms = np.asarray(layer.gdf.geometry.values, dtype=object)
        if not len(geoms):
            return geoms
        lw, ls, le, ln = self.frame_ll
        mx, my = (le - lw) * 0.15 + 0.5, (ln - ls) * 0.15 + 0.5
        kind = layer.style.kind
        if kind != "point":
            try:
                geoms = shapely.clip_by_rect(geoms, lw - mx, max(ls - my, -89.9), le + mx, min(ln + my, 89.9))
            except shapely.errors.GEOSException:
                geoms = shapely.make_valid(geoms)
                geoms = shapely.clip_by_rect(geoms, lw - mx, max(ls - my, -89.9), le + mx, min(ln + my, 89.9))
        if kind != "point" and self.simplify:
            # Display simplification in degrees before projecting (fewer vertices to
            # transform): 1 degree >= 111.3 km on the ground in any direction of
            # latitude, less in longitude, so the error stays under 0.4 px.
            geoms = shapely.simplify(geoms, 0.4 * self.m_per_px / 111_320.0, preserve_topology=False)
        geoms = self.proj.project(geoms)
        if kind != "point":
            fx0, fy0, fx1, fy1 = self.frame
            pad = 0.02 * (fx1 - fx0)
            geoms = shapely.clip_by_rect(geoms, fx0 - pad, fy0 - pad, fx1 + pad, fy1 + pad)
        return geoms

    def _draw_layer(self, layer: SceneLayer, z: float, requests: list[LabelRequest]) -> list[Box]:
        st = layer.style
        ax = self.ax
        geoms = self._prepare(layer)
        visible = shapely.intersects(geoms, shapely.box(*self.frame)) if len(geoms) else np.zeros(0, bool)
        if not visible.any():
            return []  # nothing of it on the map: no legend entry either
        fills, lines = _feature_colours(layer)
        lw = self.pt(st.line_width_px)
        markers: list[Box] = []
        legend_props: dict = {"kind": st.kind, "fill": st.fill, "line": st.line, "lw": st.line_width_px,
                              "r": st.point_radius_px}
        if st.kind == "polygon":
            paths, fc, ec = [], [], []
            for g, f, c in zip(geoms, fills, lines):
                p = _polygon_path(g)
                if p is not None:
                    paths.append(p)
                    fc.append(rgba_float(f))
                    ec.append(rgba_float(c))
            if paths:
                ax.add_collection(PathCollection(paths, facecolors=fc, edgecolors=ec, linewidths=lw,
                                                 zorder=z, joinstyle="round", capstyle="round"))
            self.legend_rows.append((layer.legend_label, legend_props))
            if st.name == "buffers" and not self._no_labels:
                self._ring_labels(layer, geoms, lines, requests)
            if layer.show_labels and not self._no_labels:
                self._area_labels(layer, geoms, requests)
        elif st.kind == "line":
            segs, colours = [], []
            for g, c in zip(geoms, lines):
                for part in _line_parts(g):
                    segs.append(part)
                    colours.append(rgba_float(c))
            if segs:
                # a thin white casing keeps coloured lines legible over any fill
                ax.add_collection(LineCollection(segs, colors="white", linewidths=lw + self.pt(2.0),
                                                 zorder=z - 0.01, capstyle="round", joinstyle="round"))
                ax.add_collection(LineCollection(segs, colors=colours, linewidths=lw, zorder=z,
                                                 capstyle="round", joinstyle="round"))
            if st.name == "nato_border" and "neighbour" in layer.gdf.columns and "line_rgba" not in layer.gdf.columns:
                shown = set(layer.gdf["neighbour"].to_numpy()[visible])
                present = [nb for nb in NEIGHBOUR_COLOURS if nb in shown]
                for nb in present:
                    lab, col = NEIGHBOUR_COLOURS[nb]
                    self.legend_rows.append((lab, dict(legend_props, line=col)))
            else:
                self.legend_rows.append((layer.legend_label, legend_props))
            if layer.show_labels and not self._no_labels:
                self._line_labels(layer, geoms, lines, requests)
        else:
            markers += self._draw_points(layer, geoms, fills, lines, z, requests)
            label = layer.legend_label
            thr = getattr(self, "point_threshold", {}).get(layer.name)
            if thr is not None and thr > _POPULATION_STEPS[0]:
                label = f"{label.split('(')[0].strip()} ({thr:,.0f}+ shown)"
            legend_props["r"] = min(st.point_radius_px, 5.0) if thr is not None else st.point_radius_px
            self.legend_rows.append((label, legend_props))
        return markers

    def _draw_points(self, layer, geoms, fills, lines, z, requests) -> list[Box]:
        st = layer.style
        ax = self.ax
        if not len(geoms):
            return []
        xy = shapely.get_coordinates(geoms)
        if len(xy) != len(geoms):  # multipoints: use the first point of each
            xy = np.array([shapely.get_coordinates(g)[0] if g is not None and not g.is_empty else (np.nan, np.nan)
                           for g in geoms])
        fx0, fy0, fx1, fy1 = self.frame
        inside = (xy[:, 0] >= fx0) & (xy[:, 0] <= fx1) & (xy[:, 1] >= fy0) & (xy[:, 1] <= fy1)
        if self.furniture and st.name != "incidents":  # an incident is never hidden
            disp_all = ax.transData.transform(np.nan_to_num(xy))
            for b in self.furniture:
                inside &= ~((disp_all[:, 0] > b[0]) & (disp_all[:, 0] < b[2]) &
                            (disp_all[:, 1] > b[1]) & (disp_all[:, 1] < b[3]))
        self.point_threshold: dict[str, float] = getattr(self, "point_threshold", {})
        if "population" in layer.gdf.columns:
            # Generalise for print: the smallest round population threshold that
            # leaves at most ~90 places per slide-sized map (fewer on a smaller map).
            pop = np.nan_to_num(layer.gdf["population"].to_numpy(dtype=float), nan=0.0)
            inside &= _declutter(ax.transData.transform(np.nan_to_num(xy)), pop, inside, self.px(18))
            map_w, map_h = self.map_box[2] - self.map_box[0], self.map_box[3] - self.map_box[1]
            cap = max(20, int(90 * (map_w * map_h) / (self.px(1360) * self.px(800))))
            for threshold in _POPULATION_STEPS:
                if np.count_nonzero(inside & (pop >= threshold)) <= cap:
                    break
            inside &= pop >= threshold
            self.point_threshold[layer.name] = threshold
        r_d = _point_radius_dpx(layer)
        edge_d = max(st.line_width_px, 1.0) if st.name == "incidents" else 0.8
        idx = np.flatnonzero(inside)
        if not len(idx):
            return []
        order = idx[np.argsort(-r_d[idx], kind="stable")]  # big first, small on top
        sizes = [(2 * self.pt(r_d[k])) ** 2 for k in order]
        if st.name == "incidents":
            # dark outer ring, so a white-edged red disc stands out on any background
            ax.scatter(xy[order, 0], xy[order, 1], s=[(2 * self.pt(r_d[k] + edge_d + 1.2)) ** 2 for k in order],
                       c=[(0.12, 0.12, 0.12, 0.9)], edgecolors="none", zorder=z - 0.01, linewidths=0)
        ax.scatter(xy[order, 0], xy[order, 1], s=sizes, c=[rgba_float(fills[k]) for k in order],
                   edgecolors=[rgba_float(lines[k]) for k in order], linewidths=self.pt(edge_d), zorder=z)
        disp = ax.transData.transform(xy[idx])
        markers: list[Box] = []
        for (px_, py_), k in zip(disp, idx):
            r = self.px(r_d[k] + edge_d + (1.2 if st.name == "incidents" else 0.0))
            markers.append((px_ - r, py_ - r, px_ + r, py_ + r))
        if layer.show_labels and not self._no_labels and st.label_field in layer.gdf.columns:
            names = layer.gdf[st.label_field].to_numpy()
            pops = layer.gdf["population"].to_numpy(dtype=float) if "population" in layer.gdf.columns else None
            for (px_, py_), k in zip(disp, idx):
                name = names[k]
                if not _present(name) or not str(name).strip():
                    continue
                # clear of the marker's box (incl. outline and ring) plus the placer's padding
                r = self.px(r_d[k] + edge_d + (1.2 if st.name == "incidents" else 0.0)) + self.px(3)
                if st.name == "incidents":
                    selected = self.scene.incident is not None and "id" in layer.gdf.columns and \
                        layer.gdf["id"].iloc[k] == self.scene.incident.get("id")
                    if selected:  # the place, first part ("Przewodów, gmina ..." -> "Przewodów")
                        name = str(name).split(",")[0].strip()
                        pri, props = 1000.0, self.font(17, weight="bold", color="#8c0a12")
                    else:  # other incidents by date: short and unambiguous
                        d = layer.gdf["date"].iloc[k] if "date" in layer.gdf.columns else None
                        name = _short_date(d) or str(name).split(",")[0].strip()
                        pri, props = 900.0, self.font(12, weight="bold", color="#8c0a12")
                elif pops is not None:
                    p = pops[k] if np.isfinite(pops[k]) else 15_000.0
                    big = p >= 1_000_000
                    pri = 300 + math.log10(max(p, 1.0)) * 10
                    props = self.font(15 if big else (13 if p >= 200_000 else 12),
                                      weight="bold" if big else "normal",
                                      color=_INK if p >= 200_000 else "#3a3f45")
                else:
                    pri, props = 400.0, self.font(13)
                requests.append(LabelRequest(
                    str(name), layer.name, [(px_, py_)], [tuple(xy[k])], pri,
                    gap_px=r + self.px(2), props=props, halo_px=self.px(2.2)))
        return markers

    def _area_labels(self, layer: SceneLayer, geoms: np.ndarray, requests: list[LabelRequest]) -> None:
        st = layer.style
        if st.label_field not in layer.gdf.columns:
            return
        fx0, fy0, fx1, fy1 = self.frame
        inset = 0.03 * (fx1 - fx0)
        view = shapely.box(fx0 + inset, fy0 + inset, fx1 - inset, fy1 - inset)
        frame_area = (fx1 - fx0) * (fy1 - fy0)
        names = layer.gdf[st.label_field].to_numpy()
        for g, name in zip(geoms, names):
            if g is None or shapely.is_empty(g) or not _present(name):
                continue
            vis = _clip(g, view)
            parts = shapely.get_parts(vis)
            parts = parts[shapely.get_type_id(parts) == 3]
            if not len(parts):
                continue
            big = max(parts, key=lambda p: p.area)
            share = big.area / frame_area
            if share < 0.004:
                continue
            if st.name == "countries":
                text = "\u2009".join(str(name).upper())
                props = self.font(15 if share > 0.05 else 12.5, color="#857d70", weight="bold")
                pri, halo = 380.0 + min(share, 1.0) * 50, 0.0
            elif st.name == "regions":
                text = str(name)
                props = self.font(11, color="#7b7f86", style="italic")
                pri, halo = 100.0 + share * 10, self.px(1.6)
            else:
                text = str(name)
                col = rgba_float(st.line)
                props = self.font(13, color=(col[0] * 0.8, col[1] * 0.8, col[2] * 0.8, 1.0),
                                  style="italic", weight="bold")
                pri, halo = 500.0 + share, self.px(2.2)
            tol = math.sqrt(big.area) / 40
            try:
                pole = shapely.ops.polylabel(big, tolerance=tol)
            except Exception:  # pragma: no cover - degenerate shapes
                pole = big.representative_point()
            anchors = _area_anchors(big, pole)
            disp = self.ax.transData.transform(np.asarray(anchors))
            requests.append(LabelRequest(text, layer.name, [tuple(p) for p in disp], anchors, pri,
                                         gap_px=0.0, props=props, halo_px=halo))

    def _ring_labels(self, layer: SceneLayer, geoms: np.ndarray, colours, requests) -> None:
        """Radius labels ("75 km") sitting on each range ring, top first, then the sides."""
        if "name" not in layer.gdf.columns:
            return
        for g, name, col in zip(geoms, layer.gdf["name"], colours):
            if g is None or g.is_empty or not _present(name):
                continue
            ring = max(shapely.get_parts(g), key=lambda q: q.area)
            if ring.geom_type != "Polygon":
                continue
            xy = np.asarray(ring.exterior.coords)
            picks = [xy[np.argmax(xy[:, 1])], xy[np.argmin(xy[:, 1])], xy[np.argmax(xy[:, 0])],
                     xy[np.argmin(xy[:, 0])]]
            anchors = [tuple(p) for p in picks]
            disp = self.ax.transData.transform(np.asarray(anchors))
            c = rgba_float(col)
            requests.append(LabelRequest(
                str(name), layer.name, [tuple(p) for p in disp], anchors, 850.0, gap_px=0.0,
                props=self.font(12, weight="bold", color=(c[0] * 0.85, c[1] * 0.85, c[2] * 0.85, 1.0)),
                halo_px=self.px(2.2)))

    def _line_labels(self, layer, geoms, colours, requests) -> None:
        st = layer.style
        if st.label_field not in layer.gdf.columns:
            return
        fx0, fy0, fx1, fy1 = self.frame
        inset = 0.03 * (fx1 - fx0)
        view = shapely.box(fx0 + inset, fy0 + inset, fx1 - inset, fy1 - inset)
        names = layer.gdf[st.label_field].to_numpy()
        for g, name, col in zip(geoms, names, colours):
            if g is None or shapely.is_empty(g) or not _present(name):
                continue
            vis = shapely.line_merge(_clip(g, view)) if g.geom_type != "LineString" else _clip(g, view)
            parts = [p for p in shapely.get_parts(vis) if p.geom_type == "LineString"]
            if not parts:
                continue
            longest = max(parts, key=lambda p: p.length)
            if longest.length < self.px(90) * self.m_per_px:
                continue
            anchors = []
            for f in (0.5, 0.38, 0.62, 0.26, 0.74, 0.15, 0.85):
                p = longest.interpolate(f, normalized=True)
                anchors.append((p.x, p.y))
            disp = self.ax.transData.transform(np.asarray(anchors))
            fc = rgba_float(col)
            props = self.font(11.5, weight="bold", color="white")
            requests.append(LabelRequest(
                str(name), layer.name, [tuple(p) for p in disp], anchors, 800.0, gap_px=0.0,
                props=props, halo_px=0.0,
                box_style={"pad_px": self.px(4), "fc": fc}))

    def _draw_label(self, req: LabelRequest, ia: int, dx: float, dy: float, ha: str, va: str):
        """Draw a placed label: data-anchored, offset in points (same place in every format)."""
        k = 72.0 / self.page.dpi
        xy = req.anchors_data[ia]
        # the placement box includes the halo / box padding: move the text inside it
        grow = max(req.halo_px, req.box_style.get("pad_px", 0.0) if req.box_style else 0.0)
        dx += grow if ha == "left" else (-grow if ha == "right" else 0.0)
        dy += grow if va == "bottom" else (-grow if va == "top" else 0.0)
        common = dict(xy=xy, xycoords="data", xytext=(dx * k, dy * k), textcoords="offset points",
                      ha=ha, va=va, annotation_clip=False, zorder=40)
        if req.halo_px > 0:
            halo_props = dict(req.props, color="white")
            h = self.ax.annotate(req.text, **common, **halo_props)
            h.set_path_effects([patheffects.Stroke(linewidth=2 * req.halo_px * k, foreground="white",
                                                   alpha=0.92)])
            h.set_zorder(39)
        bbox = None
        if req.box_style is not None:
            font_px = req.props["fontsize"] * self.page.dpi / 72.0
            bbox = dict(boxstyle=f"round,pad={0.8 * req.box_style['pad_px'] / font_px:.3f}",
                        fc=req.box_style["fc"], ec=req.box_style.get("ec", "white"), lw=self.pt(1.0))
        return self.ax.annotate(req.text, **common, **req.props, bbox=bbox)

    # map furniture --------------------------------------------------------------------
    def _graticule(self) -> None:
        ax, proj = self.ax, self.proj
        lw, ls, le, ln = self.frame_ll
        step = next((st for st in (0.25, 0.5, 1, 2, 5, 10, 15, 30)
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
        ax.add_collection(LineCollection(segs, colors=[(0.25, 0.35, 0.45, 0.45)], linewidths=self.pt(0.8),
                                         zorder=9, linestyles="solid"))
        fx0, fy0, fx1, fy1 = self.frame
        edges = {
            "bottom": shapely.LineString([(fx0, fy0), (fx1, fy0)]),
            "top": shapely.LineString([(fx0, fy1), (fx1, fy1)]),
            "left": shapely.LineString([(fx0, fy0), (fx0, fy1)]),
            "right": shapely.LineString([(fx1, fy0), (fx1, fy1)]),
        }
        props = self.font(12, color=_MUTED)
        k = 72.0 / self.page.dpi
        off = self.px(6) * k
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
                pts = shapely.get_coordinates(hit)
                x, y = pts[0]
                # no label in a corner, where it would collide with the other edge's labels
                along = (x - fx0) / (fx1 - fx0) if edge in ("bottom", "top") else (y - fy0) / (fy1 - fy0)
                if along < 0.025 or along > 0.975:
                    continue
                ax.annotate(fmt(float(value), dec), xy=(x, y), xycoords="data", xytext=xytext,
                            textcoords="offset points", ha=ha, va=va, annotation_clip=False,
                            **props)
                # tick mark across the frame
                tick = self.px(7) * self.m_per_px
                dxy = {"bottom": (0, tick), "top": (0, -tick), "left": (tick, 0), "right": (-tick, 0)}[edge]
                ax.plot([x, x + dxy[0]], [y, y + dxy[1]], color=_INK, lw=self.pt(1.2), zorder=31,
                        solid_capstyle="butt", clip_on=False)

    def _scale_bar(self) -> Box:
        ax, proj = self.ax, self.proj
        unit = self.scene.units or "km"
        km_per = _km_per_unit(unit)
        fx0, fy0, fx1, fy1 = self.frame
        cx, cy = self.centre_xy
        # ground length of 22 % of the frame width at the centre
        probe = scale_bar_span_m(proj, cx, cy, 100.0)  # projected metres per 100 km
        max_km = 0.22 * (fx1 - fx0) / probe * 100.0
        length = nice_scale_length(max_km / km_per)
        length_km = length * km_per
        span = scale_bar_span_m(proj, cx, cy, length_km)
        centre_xy = ((cx - span / 2, cy), (cx + span / 2, cy))
        pad = self.px(14) * self.m_per_px
        bx0 = fx0 + pad + self.px(12) * self.m_per_px
        by0 = fy0 + pad + self.px(34) * self.m_per_px
        drawn = ((bx0, by0), (bx0 + span, by0))
        bar_h = self.px(7) * self.m_per_px
        nseg = 4  # alternating quarters; labels at 0, half and full length
        seg = span / nseg
        for i in range(nseg):
            ax.add_patch(Rectangle((bx0 + i * seg, by0), seg, bar_h, facecolor=_INK if i % 2 == 0 else "white",
                                   edgecolor=_INK, linewidth=self.pt(1.0), zorder=34))
        k = 72.0 / self.page.dpi
        props = self.font(12.5)
        for t in (0, length / 2, length):
            x = bx0 + span * t / length
            lab = f"{t:g}" + (f" {unit}" if t == length else "")
            ax.annotate(lab, xy=(x, by0 + bar_h), xytext=(0, self.px(4) * k), textcoords="offset points",
                        ha="center", va="bottom", zorder=35, **props)
        ax.annotate(f"Scale true at {fmt_lat(self.centre_lonlat[1], 1)}", xy=(bx0, by0),
                    xytext=(0, -self.px(6) * k), textcoords="offset points", ha="left", va="top",
                    zorder=35, **self.font(11, color=_MUTED))
        # white box behind
        box_x0 = bx0 - self.px(12) * self.m_per_px
        box_x1 = bx0 + span + self.px(30) * self.m_per_px
        box_y0 = by0 - self.px(26) * self.m_per_px
        box_y1 = by0 + bar_h + self.px(28) * self.m_per_px
        ax.add_patch(FancyBboxPatch((box_x0, box_y0), box_x1 - box_x0, box_y1 - box_y0,
                                    boxstyle=f"round,pad=0,rounding_size={self.px(6) * self.m_per_px}",
                                    facecolor="white", edgecolor=_PANEL_EDGE,
                                    linewidth=self.pt(1.0), zorder=33))
        self.scale_bar = ScaleBar(length=length, unit=unit, length_km=length_km,
                                  drawn_xy=drawn, centre_xy=centre_xy)
        # make room for the unit label beyond the bar's end
        unit_w = self.text_size(f"{length:g} {unit}", props)[0]
        (px0, py0), (px1, py1) = ax.transData.transform([(box_x0, box_y0), (box_x1, box_y1)])
        return (px0, py0, max(px1, ax.transData.transform((bx0 + span, by0))[0] + unit_w / 2 + self.px(6)), py1)

    def _north_arrow(self) -> Box:
        """North arrow in the frame's top-right corner, rotated to true north at the map centre."""
        ax = self.ax
        lon_c, lat_c = self.centre_lonlat
        self.north_deg = ang = true_north_deg(self.proj, lon_c, lat_c)
        size = self.px(74)
        x1, y1 = self.map_box[2], self.map_box[3]
        box_px = (x1 - size - self.px(14), y1 - size - self.px(14), x1 - self.px(14), y1 - self.px(14))
        inv = ax.transAxes.inverted()
        (a0, b0), (a1, b1) = inv.transform([box_px[:2], box_px[2:]])
        nax = ax.inset_axes((a0, b0, a1 - a0, b1 - b0), zorder=36)
        nax.set_xlim(-1, 1)
        nax.set_ylim(-1, 1)
        nax.set_aspect("equal")
        nax.axis("off")
        nax.add_patch(FancyBboxPatch((-0.98, -0.98), 1.96, 1.96, boxstyle="round,pad=0,rounding_size=0.15",
                                     facecolor="white", edgecolor=_PANEL_EDGE, linewidth=self.pt(1.0)))
        th = math.radians(ang)
        c, s_ = math.cos(th), math.sin(th)

        def rot(px_, py_):
            return (px_ * c + py_ * s_, -px_ * s_ + py_ * c)

        tip, left, right, tail = (0, 0.42), (-0.2, -0.5), (0.2, -0.5), (0, -0.28)
        nax.add_patch(MplPolygon([rot(*tip), rot(*left), rot(*tail)], closed=True, facecolor="white",
                                 edgecolor=_INK, linewidth=self.pt(1.2)))
        nax.add_patch(MplPolygon([rot(*tip), rot(*right), rot(*tail)], closed=True, facecolor=_INK,
                                 edgecolor=_INK, linewidth=self.pt(1.2)))
        lx, ly = rot(0, 0.68)
        nax.text(lx, ly, "N", ha="center", va="center", rotation=-ang, **self.font(17, weight="bold"))
        return box_px

    # side panel -------------------------------------------------------------------------
    def _panel_title(self, x0: float, y: float, x1: float, text: str) -> float:
        props = self.font(13, weight="bold", color=_MUTED)
        self.fig.text(self.fx(x0), self.fy(y), text, ha="left", va="top", **props)
        h = self.text_size(text, props)[1]
        yr = self.fy(y - h - self.px(6))
        self.fig.add_artist(Line2D([self.fx(x0), self.fx(x1)], [yr, yr], transform=self.fig.transFigure,
                                   color=_PANEL_EDGE, linewidth=self.pt(1.0)))
        return y - h - self.px(14)

    def _panel(self) -> None:
        px0, py0, px1, py1 = self.panel_box
        y = py1
        # legend ------------------------------------------------------------------
        y = self._panel_title(px0, y, px1, "LEGEND")
        row_h = self.px(27)
        sym_w = self.px(34)
        lprops = self.font(14)
        seen = set()
        rows = []
        for label, props in reversed(self.legend_rows):
            if label in seen:
                continue
            seen.add(label)
            rows.append((label, props))
        for label, p in rows:
            cy = y - row_h / 2
            self._legend_symbol(px0, cy, sym_w, p)
            self.fig.text(self.fx(px0 + sym_w + self.px(12)), self.fy(cy), self._ellipsize(
                label, lprops, px1 - px0 - sym_w - self.px(12)), ha="left", va="center", **lprops)
            y -= row_h
        y -= self.px(16)
        # key figures -------------------------------------------------------------
        if self.scene.metrics:
            y = self._panel_title(px0, y, px1, "KEY FIGURES")
            kprops = self.font(14, color=_INK)
            vprops = self.font(14, weight="bold")
            width = px1 - px0
            for label, value in self.scene.metrics.items():
                lw_ = self.text_size(label, kprops)[0]
                vw = self.text_size(str(value), vprops)[0]
                h = self.text_size("Ag", kprops)[1]
                if lw_ + vw + self.px(14) <= width:
                    cy = y - row_h / 2
                    self.fig.text(self.fx(px0), self.fy(cy), label, ha="left", va="center", **kprops)
                    self.fig.text(self.fx(px1), self.fy(cy), str(value), ha="right", va="center", **vprops)
                    y -= row_h
                else:
                    cy = y - row_h / 2
                    self.fig.text(self.fx(px0), self.fy(cy), self._ellipsize(label, kprops, width),
                                  ha="left", va="center", **kprops)
                    self.fig.text(self.fx(px1), self.fy(cy - h - self.px(4)),
                                  self._ellipsize(str(value), vprops, width), ha="right", va="center", **vprops)
                    y -= row_h + h + self.px(4)
            y -= self.px(16)
        # locator (and the detail of the strike's distance to the border) ---------------
        avail = y - py0 - self.px(34)
        if avail <= self.px(120):
            return
        strike = self.scene.layer(STRIKE_LINE)
        if strike is not None and len(strike.gdf) and self.scene.incident:
            gap = self.px(16)
            half = (px1 - px0 - gap) / 2
            y_l = self._panel_title(px0, y, px0 + half, "LOCATOR")
            self._panel_title(px0 + half + gap, y, px1, "DETAIL")
            h = min(y_l - py0, half * 1.5)
            self._inset((px0, y_l - h, px0 + half, y_l))
            self._detail((px0 + half + gap, y_l - h, px1, y_l), strike)
        else:
            y = self._panel_title(px0, y, px1, "LOCATOR")
            h = min(y - py0, (px1 - px0) * 0.95)
            self._inset((px0, y - h, px1, y))

    def _detail(self, box: Box, strike: SceneLayer) -> None:
        """Close-up of the strike and the geodesic to the nearest NATO border point, with its length."""
        x0, y0, x1, y1 = box
        dax = self.fig.add_axes((self.fx(x0), self.fy(y0), self.fx(x1 - x0), self.fy(y1 - y0)))
        dax.set_xticks([])
        dax.set_yticks([])
        dax.set_facecolor(_SEA)
        for sp in dax.spines.values():
            sp.set_color(_PANEL_EDGE)
            sp.set_linewidth(self.pt(1.0))
        line_xy = shapely.get_coordinates(self.proj.project(np.asarray(strike.gdf.geometry.values[:1])))
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
        # draw with the main map's code, pointed at the detail axes
        saved = (self.ax, self.frame, self.frame_ll, self.m_per_px, self.legend_rows, self.map_box)
        flon, flat = self.proj.to_lonlat(*densified_box(*frame, n=8))
        self.ax, self.frame, self.m_per_px = dax, frame, 2 * half_w / (x1 - x0)
        self.frame_ll = (float(np.min(flon)), float(np.min(flat)), float(np.max(flon)), float(np.max(flat)))
        self.legend_rows, self.map_box, self._no_labels = [], box, True
        saved_furniture, self.furniture = self.furniture, []
        markers: list[Box] = []
        try:
            for i, layer in enumerate(self.scene.layers):
                # only what the close-up is about: land, the border, the measured line, the strike
                if layer.name not in ("countries", "nato_border", STRIKE_LINE, "incidents"):
                    continue
                z = (2 if layer.style.kind == "polygon" else 10 if layer.style.kind == "line" else 20) + i * 0.1
                markers += self._draw_layer(layer, z, [])
            # labels: the distance beside the line's middle, then the country codes, clear of the marker
            pad = self.px(4)
            placer = LabelPlacer((x0 + pad, y0 + pad, x1 - pad, y1 - pad), markers, self.text_size,
                                 pad_px=self.px(3))
            name = str(strike.gdf["name"].iloc[0]) if "name" in strike.gdf.columns else ""
            text = name.split(":")[-1].strip() if ":" in name else name
            mid = tuple(line_xy[len(line_xy) // 2])
            reqs = [LabelRequest(text, STRIKE_LINE, [tuple(dax.transData.transform(mid))], [mid], 2.0,
                                 gap_px=self.px(8), props=self.font(14, weight="bold"),
                                 box_style={"pad_px": self.px(5), "fc": "white", "ec": _INK})]
            countries = self.scene.layer("countries")
            if countries is not None and "iso_a2" in countries.gdf.columns:
                view = shapely.box(*frame)
                for g, code in zip(self._prepare(countries), countries.gdf["iso_a2"]):
                    if g is None or g.is_empty or not g.intersects(view):
                        continue
                    part = max(shapely.get_parts(_clip(g, view)), key=lambda q: q.area)
                    if part.geom_type != "Polygon" or part.area < 0.08 * view.area:
                        continue
                    anchors = _area_anchors(part, shapely.ops.polylabel(part, tolerance=half_w / 50))
                    reqs.append(LabelRequest(str(code), "countries",
                                             [tuple(p) for p in dax.transData.transform(np.asarray(anchors))],
                                             anchors, 1.0, gap_px=0.0,
                                             props=self.font(22, color="#857d70", weight="bold")))
            for req in reqs:
                res = placer.place(req)
                if res is not None:
                    self._draw_label(req, *res[:5])
        finally:
            self.ax, self.frame, self.frame_ll, self.m_per_px, self.legend_rows, self.map_box = saved
            self._no_labels, self.furniture = False, saved_furniture
        k = 72.0 / self.page.dpi
        # a small scale bar, geodesic at the detail's centre
        unit = self.scene.units or "km"
        km_per = _km_per_unit(unit)
        per_km = scale_bar_span_m(self.proj, cx, cy, 1.0)
        length_u = nice_scale_length(0.45 * 2 * half_w / per_km / km_per)
        span = scale_bar_span_m(self.proj, cx, cy, length_u * km_per)
        bx = frame[0] + 0.07 * 2 * half_w
        by = frame[1] + 0.08 * 2 * half_h
        dax.plot([bx, bx + span], [by, by], color=_INK, lw=self.pt(3.0), solid_capstyle="butt", zorder=41)
        dax.annotate(f"{length_u:g} {unit}", xy=(bx + span / 2, by), xytext=(0, self.px(4) * k),
                     textcoords="offset points", ha="center", va="bottom", zorder=41,
                     **self.font(12, weight="bold"))

    def _legend_symbol(self, x0: float, cy: float, w: float, p: dict) -> None:
        fig = self.fig
        if p["kind"] == "polygon":
            hgt = self.px(16)
            fig.add_artist(Rectangle((self.fx(x0), self.fy(cy - hgt / 2)), self.fx(w), self.fy(hgt),
                                     transform=fig.transFigure, facecolor=rgba_float(p["fill"]),
                                     edgecolor=rgba_float(p["line"]), linewidth=self.pt(max(p["lw"], 1.0))))
        elif p["kind"] == "line":
            fig.add_artist(Line2D([self.fx(x0), self.fx(x0 + w)], [self.fy(cy)] * 2, transform=fig.transFigure,
                                  color=rgba_float(p["line"]), linewidth=self.pt(p["lw"]),
                                  solid_capstyle="round"))
        else:
            r = min(p["r"], 8.0)
            fig.add_artist(Line2D([self.fx(x0 + w / 2)], [self.fy(cy)], transform=fig.transFigure,
                                  marker="o", markersize=2 * self.pt(r), linestyle="none",
                                  markerfacecolor=rgba_float(p["fill"]),
                                  markeredgecolor=rgba_float(p["line"]) if p["line"][:3] != (255, 255, 255)
                                  else _INK, markeredgewidth=self.pt(1.0)))

    def _inset(self, box: Box) -> None:
        x0, y0, x1, y1 = box
        iax = self.fig.add_axes((self.fx(x0), self.fy(y0), self.fx(x1 - x0), self.fy(y1 - y0)))
        self.layout.inset_ax = iax
        iax.set_xticks([])
        iax.set_yticks([])
        for sp in iax.spines.values():
            sp.set_color(_PANEL_EDGE)
            sp.set_linewidth(self.pt(1.0))
        iax.set_facecolor(_SEA)
        sc = self.scene
        loc = sc.locator if getattr(sc, "locator", None) is not None else (
            sc.layer("countries").gdf if sc.layer("countries") is not None else None)
        fw, fs, fe, fn = self.frame_ll
        cx, cy = (fw + fe) / 2, (fs + fn) / 2
        iproj = MapProjection((
            f"+proj=laea +lat_0={cy:.2f} +lon_0={cx:.2f} +ellps=WGS84 +units=m +no_defs"), "")
        # the main map's frame in the inset's projection
        fxs, fys = densified_box(*self.frame, n=32)
        ix, iy = iproj.to_xy(*self.proj.to_lonlat(fxs, fys))
        aspect = (x1 - x0) / (y1 - y0)
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
        iax.set_xlim(mx - w / 2, mx + w / 2)
        iax.set_ylim(my - h / 2, my + h / 2)
        iax.set_aspect("equal", adjustable="box")
        if loc is not None and len(loc):
            geoms = _coarse(loc, 0.5 * w / (x1 - x0) / 111_320.0)
            vlon, vlat = iproj.to_lonlat(*densified_box(mx - w / 2, my - h / 2, mx + w / 2, my + h / 2, n=16))
            geoms = shapely.clip_by_rect(geoms, float(np.min(vlon)) - 3, max(float(np.min(vlat)) - 3, -89.0),
                                         float(np.max(vlon)) + 3, min(float(np.max(vlat)) + 3, 89.0))
            geoms = iproj.project(geoms)
            paths = [p for p in (_polygon_path(g) for g in geoms) if p is not None]
            hi = set()
            if sc.incident and sc.incident.get("country"):
                hi.add(sc.incident["country"])
            iso = loc["iso_a2"].to_numpy() if "iso_a2" in loc.columns else [None] * len(loc)
            fcs = []
            for g, code in zip(geoms, iso):
                if _polygon_path(g) is None:
                    continue
                fcs.append("#cfc6b4" if code in hi else "#ece8de")
            iax.add_collection(PathCollection(paths, facecolors=fcs, edgecolors="#9a9a9a",
                                              linewidths=self.pt(0.6), zorder=2))
        # the main map's frame
        iax.add_patch(MplPolygon(np.column_stack([ix, iy]), closed=True, facecolor=(0.86, 0.08, 0.12, 0.12),
                                 edgecolor="#c8102e", linewidth=self.pt(2.0), zorder=5))
        if sc.incident and "lon" in sc.incident and "lat" in sc.incident:
            sx, sy = iproj.to_xy(sc.incident["lon"], sc.incident["lat"])
            iax.plot([sx], [sy], marker="o", ms=self.pt(6), mfc="#dc141e", mec="white",
                     mew=self.pt(1.0), zorder=6)


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------

def _rc() -> dict:
    return {
        "svg.fonttype": "none",  # real <text> in SVG
        "pdf.fonttype": 42,  # TrueType text in PDF (selectable, extractable)
        "svg.hashsalt": "dashboard-brief",
        "font.family": _FONT,
        "path.simplify": True,
        "agg.path.chunksize": 0,
    }


def build_figure(scene: Scene, size: SizeName = "slide", marking: str | None = None,
                 generated_at: datetime | None = None, *, simplify: bool = True) -> BriefLayout:
    """Draw ``scene`` as a brief and return the figure with what was drawn.

    Parameters
    ----------
    scene : Scene
        The scene (layers in WGS84 lon/lat, view, metrics, sources).
    size : {"slide", "a4"}
        ``slide`` is 1920 x 1080 px; ``a4`` is A4 landscape at 300 dpi (3508 x 2480 px).
    marking : str, optional
        Classification / handling marking for the banners at top and bottom.
    generated_at : datetime, optional
        Generation time shown on the page; default ``SOURCE_DATE_EPOCH`` or now (UTC).
    simplify : bool
        Simplify geometry for display (0.4 px tolerance). Only benchmarks turn it off.
    """
    if size not in PAGE_SIZES:
        raise InputError(f"unknown size {size!r}; use one of {', '.join(PAGE_SIZES)}")
    with matplotlib.rc_context(_rc()):
        b = _Brief(scene, PAGE_SIZES[size], marking, generation_time(generated_at), simplify=simplify)
        layout = b.build()
    layout.explicit_time = generated_at is not None
    return layout


def save_figure(layout: BriefLayout, out: Path | str | BinaryIO, fmt: Fmt) -> None:
    """Write a built brief with fixed metadata (same scene + time -> same bytes)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    fig = layout.fig
    # A timestamp goes into the file only when it is reproducible (explicit or SOURCE_DATE_EPOCH).
    fixed_time = layout.generated_at if (layout.explicit_time or os.environ.get("SOURCE_DATE_EPOCH")) else None
    if fmt == "png":
        md = {"Software": None}
    elif fmt == "pdf":
        md = {"Creator": None, "Producer": None, "CreationDate": fixed_time, "ModDate": None}
    else:
        md = {"Date": None, "Creator": None}
    if isinstance(out, (str, os.PathLike)):
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(_rc()):
        fig.savefig(out, format=fmt, dpi=layout.page.dpi, metadata=md, facecolor="white")


def render_brief(scene: Scene, out: Path | str | BinaryIO, fmt: Fmt = "png", size: SizeName = "slide",
                 marking: str | None = None, generated_at: datetime | None = None) -> BriefLayout:
    """Render ``scene`` as a briefing map to ``out`` (a path or a binary file object).

    Parameters
    ----------
    scene : Scene
        What to draw.
    out : Path or binary file object
        Where to write.
    fmt : {"png", "pdf", "svg"}
        Output format. PDF and SVG keep vector lines and real (selectable) text.
    size : {"slide", "a4"}
        1920 x 1080 px, or A4 landscape at 300 dpi (3508 x 2480 px).
    marking : str, optional
        Marking banner text (e.g. ``"UNCLASSIFIED"``), top and bottom.
    generated_at : datetime, optional
        Generation time printed on the brief; default ``SOURCE_DATE_EPOCH`` or now (UTC).

    Returns
    -------
    BriefLayout
        The figure and what was drawn (projection, frame, scale bar, labels).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    with _RENDER_LOCK:
        layout = build_figure(scene, size, marking, generated_at)
        save_figure(layout, out, fmt)
    return layout
