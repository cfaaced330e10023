"""The brief's page: sizes, design-pixel units, fonts, text metrics and the layout results.

Every size in the brief is given in *design pixels*, the pixels of a
1920-pixel-wide slide; a :class:`Page` scales them to the figure (``px``), to
points (``pt``, for font sizes and line widths) and to figure fractions
(``fx``/``fy``).  :class:`MapView` is one map axes with its frame (the main map
or the strike's detail inset); :class:`BriefLayout` is what was drawn.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D

from dashboard.render.brief.textcache import canvas_for
from dashboard.render.labels import Box
from dashboard.render.mapframe import MapProjection, densified_box
from dashboard.scene.names import shown_name

Fmt = Literal["png", "pdf", "svg"]
SizeName = Literal["slide", "a4"]

FONT = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine
INK = "#1f2328"
MUTED = "#5b6169"
SEA = "#dfe8ef"
PANEL_EDGE = "#c9ced4"
DESIGN_WIDTH_PX = 1920.0  # design pixels are the pixels of a 1920-pixel-wide slide


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


@dataclass(frozen=True)
class Page:
    """One figure and its units; every size argument is in design pixels unless it says ``_px``.

    Create with :meth:`Page.new`.  ``metrics`` remembers the text extents measured
    on this page's renderer; it lives and dies with the figure.

    >>> page = Page.new(PAGE_SIZES["a4"])  # 3508 px wide at 300 dpi
    >>> round(page.px(1920), 6), round(page.pt(10), 3), page.fx(page.width_px / 2)
    (3508.0, 4.385, 0.5)
    >>> page.font(14, weight="bold")["weight"], round(page.font(14)["fontsize"], 3)
    ('bold', 6.139)
    """

    fig: Figure
    size: PageSize
    renderer: Any
    metrics: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def new(cls, size: PageSize) -> Page:
        """A blank white figure of ``size`` on an Agg canvas."""
        fig = Figure(figsize=size.figsize_in, dpi=size.dpi, facecolor="white")
        canvas_for(fig)  # text shaped and rasterised once per process (.textcache)
        return cls(fig, size, fig.canvas.get_renderer())

    @property
    def width_px(self) -> int:
        """Figure width in pixels."""
        return self.size.width_px

    @property
    def height_px(self) -> int:
        """Figure height in pixels."""
        return self.size.height_px

    @property
    def scale(self) -> float:
        """Figure pixels per design pixel."""
        return self.size.width_px / DESIGN_WIDTH_PX

    @property
    def pt_per_px(self) -> float:
        """Points per figure pixel (annotation offsets are in points)."""
        return 72.0 / self.size.dpi

    def px(self, d: float) -> float:
        """Design pixels -> figure pixels."""
        return d * self.scale

    def pt(self, d: float) -> float:
        """Design pixels -> points (font sizes, line widths)."""
        return d * self.scale * 72.0 / self.size.dpi

    def fx(self, x_px: float) -> float:
        """Figure pixels from the left edge -> figure fraction."""
        return x_px / self.size.width_px

    def fy(self, y_px: float) -> float:
        """Figure pixels from the bottom edge -> figure fraction."""
        return y_px / self.size.height_px

    def font(self, size_d: float, **kw: Any) -> dict:
        """Text properties: ``size_d`` design pixels in the brief's font and ink, overridden by ``kw``."""
        props = {"fontsize": self.pt(size_d), "family": FONT, "color": INK}
        props.update(kw)
        return props

    def text_size(self, text: str, props: dict) -> tuple[float, float]:
        """Rendered (width, height) of one line of ``text`` in figure pixels.

        Same metrics as matplotlib's own text layout (the line is at least as
        tall as "lp"), without creating an artist.
        """
        key = (text, props.get("fontsize"), props.get("family"), props.get("weight"), props.get("style"))
        hit = self.metrics.get(key)
        if hit is None:
            fp = FontProperties(family=props.get("family", FONT), size=props.get("fontsize"),
                                weight=props.get("weight", "normal"), style=props.get("style", "normal"))
            w, h, d = self.renderer.get_text_width_height_descent(text, fp, ismath=False)
            lp = self.metrics.get(("\0lp",) + key[1:])
            if lp is None:
                lp = self.renderer.get_text_width_height_descent("lp", fp, ismath=False)
                self.metrics[("\0lp",) + key[1:]] = lp
            _, lh, ld = lp
            h_top = max(h - d, lh - ld)
            hit = (w, h_top + max(d, ld))
            self.metrics[key] = hit
        return hit

    def ellipsize(self, text: str, props: dict, width_px: float) -> str:
        """``text``, cut short with an ellipsis to fit ``width_px`` figure pixels."""
        if self.text_size(text, props)[0] <= width_px:
            return text
        while len(text) > 4 and self.text_size(text + "…", props)[0] > width_px:
            text = text[:-1]
        return text.rstrip() + "…"

    def fit_font(self, text: str, width_px: float, size_d: float, min_d: float, step_d: float,
                 **kw: Any) -> dict:
        """:meth:`font` shrunk by ``step_d`` design pixels until ``text`` fits ``width_px`` (or ``min_d``)."""
        props = self.font(size_d, **kw)
        while self.text_size(text, props)[0] > width_px and size_d > min_d:
            size_d -= step_d
            props = self.font(size_d, **kw)
        return props

    def text(self, x_px: float, y_px: float, s: str, **kw: Any) -> Any:
        """Figure text anchored at (``x_px``, ``y_px``) figure pixels."""
        return self.fig.text(self.fx(x_px), self.fy(y_px), shown_name(s), **kw)

    def rule(self, x0_px: float, x1_px: float, y_px: float, color: str, width_d: float) -> None:
        """A horizontal line from ``x0_px`` to ``x1_px`` at ``y_px``, ``width_d`` design pixels thick."""
        y = self.fy(y_px)
        self.fig.add_artist(Line2D([self.fx(x0_px), self.fx(x1_px)], [y, y], transform=self.fig.transFigure,
                                   color=color, linewidth=self.pt(width_d)))

    def axes(self, box_px: Box) -> Axes:
        """New axes filling ``box_px`` (x0, y0, x1, y1) in figure pixels."""
        x0, y0, x1, y1 = box_px
        return self.fig.add_axes((self.fx(x0), self.fy(y0), self.fx(x1 - x0), self.fy(y1 - y0)))

    def framed_axes(self, box_px: Box) -> Axes:
        """Axes for an inset at ``box_px``: no ticks, sea background, a thin panel-coloured frame."""
        ax = self.axes(box_px)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor(SEA)
        for sp in ax.spines.values():
            sp.set_color(PANEL_EDGE)
            sp.set_linewidth(self.pt(1.0))
        return ax


@dataclass(frozen=True)
class PageBoxes:
    """Where things go on the page, in figure pixels (origin bottom left)."""

    banner: float
    header: float
    footer: float
    margin: float
    map_box: Box
    panel_box: Box


def page_boxes(page: Page, marking: str | None) -> PageBoxes:
    """Banner, header and footer heights, the margin, the map and the side panel of ``page``."""
    W, H = page.width_px, page.height_px
    banner = page.px(30) if marking else 0.0
    header = page.px(96)
    footer = page.px(62)
    margin = page.px(28)
    panel_w = page.px(440 if W / H > 1.6 else 470)
    grat = page.px(30)  # room for graticule labels outside the frame
    map_x0 = margin + grat
    map_x1 = W - margin - panel_w - page.px(24) - grat
    map_y0 = banner + footer + grat
    map_y1 = H - banner - header - grat * 0.8
    return PageBoxes(banner, header, footer, margin, (map_x0, map_y0, map_x1, map_y1),
                     (W - margin - panel_w, map_y0 - grat, W - margin, map_y1 + grat * 0.8))


@dataclass(frozen=True)
class MapView:
    """One map axes and its frame: the main map, or the strike's detail inset.

    ``frame`` is (x0, y0, x1, y1) in projected metres (the axes' data
    coordinates); ``frame_ll`` its lon/lat envelope (west, south, east, north)
    in degrees; ``box_px`` the axes in figure pixels; ``m_per_px`` projected
    metres per figure pixel; ``furniture`` figure-pixel boxes that hide point
    markers; ``labels`` whether layers ask for labels; ``simplify`` whether
    geometry is simplified for display.
    """

    ax: Axes
    proj: MapProjection
    box_px: Box
    frame: Box
    frame_ll: Box
    m_per_px: float
    furniture: tuple[Box, ...] = ()
    labels: bool = True
    simplify: bool = True


def frame_lonlat(proj: MapProjection, frame: Box, n: int = 64) -> Box:
    """Lon/lat envelope (west, south, east, north; degrees) of a projected frame (metres)."""
    flon, flat = proj.to_lonlat(*densified_box(*frame, n=n))
    return (float(np.min(flon)), float(np.min(flat)), float(np.max(flon)), float(np.max(flat)))


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
    """What :func:`~dashboard.render.brief.build_figure` drew: the figure and the facts to check it.

    ``legend_rows`` are the main map's (label, symbol) rows in drawing order,
    before the legend drops repeated labels.
    """

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
    legend_rows: list[tuple[str, dict]] = field(default_factory=list)
