"""The brief's side panel: legend, key figures, then the locator (and the strike's detail).

Sections stack from the top of the panel down; ``y`` is the top of what is
left, in figure pixels.  The insets get the room that is left, if it is enough.
"""
from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from dashboard.render.brief.insets import detail_inset, locator_inset
from dashboard.render.brief.layout import INK, MUTED, PANEL_EDGE, MapView, Page
from dashboard.render.labels import Box
from dashboard.scene.model import STRIKE_LINE, Scene
from dashboard.scene.styles import rgba_float


def panel_title(page: Page, x0: float, y: float, x1: float, text: str) -> float:
    """A section title at the top ``y`` from ``x0`` to ``x1`` with a rule under it; returns the new top."""
    props = page.font(13, weight="bold", color=MUTED)
    page.text(x0, y, text, ha="left", va="top", **props)
    h = page.text_size(text, props)[1]
    page.rule(x0, x1, y - h - page.px(6), PANEL_EDGE, 1.0)
    return y - h - page.px(14)


def legend_symbol(page: Page, x0: float, cy: float, w: float, p: dict) -> None:
    """A layer's symbol ``w`` figure pixels wide from ``x0``, centred on ``cy``: a swatch, a line or a dot.

    ``p`` holds the style (``kind``, ``fill``, ``line`` colours; ``lw``, ``r`` in design pixels).
    """
    fig = page.fig
    if p["kind"] == "polygon":
        hgt = page.px(16)
        fig.add_artist(Rectangle((page.fx(x0), page.fy(cy - hgt / 2)), page.fx(w), page.fy(hgt),
                                 transform=fig.transFigure, facecolor=rgba_float(p["fill"]),
                                 edgecolor=rgba_float(p["line"]), linewidth=page.pt(max(p["lw"], 1.0))))
    elif p["kind"] == "line":
        fig.add_artist(Line2D([page.fx(x0), page.fx(x0 + w)], [page.fy(cy)] * 2, transform=fig.transFigure,
                              color=rgba_float(p["line"]), linewidth=page.pt(p["lw"]),
                              solid_capstyle="round"))
    else:
        r = min(p["r"], 8.0)
        fig.add_artist(Line2D([page.fx(x0 + w / 2)], [page.fy(cy)], transform=fig.transFigure,
                              marker="o", markersize=2 * page.pt(r), linestyle="none",
                              markerfacecolor=rgba_float(p["fill"]),
                              markeredgecolor=rgba_float(p["line"]) if p["line"][:3] != (255, 255, 255)
                              else INK, markeredgewidth=page.pt(1.0)))


def _legend(page: Page, x0: float, x1: float, y: float, legend_rows: list[tuple[str, dict]]) -> float:
    """One row per label, the topmost layer first (a repeated label keeps its top row); returns the new top."""
    row_h = page.px(27)
    sym_w = page.px(34)
    lprops = page.font(14)
    seen = set()
    rows = []
    for label, props in reversed(legend_rows):
        if label in seen:
            continue
        seen.add(label)
        rows.append((label, props))
    for label, p in rows:
        cy = y - row_h / 2
        legend_symbol(page, x0, cy, sym_w, p)
        page.text(x0 + sym_w + page.px(12), cy, page.ellipsize(label, lprops, x1 - x0 - sym_w - page.px(12)),
                  ha="left", va="center", **lprops)
        y -= row_h
    return y


def _key_figures(page: Page, x0: float, x1: float, y: float, metrics: dict[str, str]) -> float:
    """Label and value on one row, or the value under its label when both do not fit; returns the new top."""
    row_h = page.px(27)
    kprops = page.font(14, color=INK)
    vprops = page.font(14, weight="bold")
    width = x1 - x0
    for label, value in metrics.items():
        lw_ = page.text_size(label, kprops)[0]
        vw = page.text_size(str(value), vprops)[0]
        h = page.text_size("Ag", kprops)[1]
        cy = y - row_h / 2
        if lw_ + vw + page.px(14) <= width:
            page.text(x0, cy, label, ha="left", va="center", **kprops)
            page.text(x1, cy, str(value), ha="right", va="center", **vprops)
            y -= row_h
        else:
            page.text(x0, cy, page.ellipsize(label, kprops, width), ha="left", va="center", **kprops)
            page.text(x1, cy - h - page.px(4), page.ellipsize(str(value), vprops, width),
                      ha="right", va="center", **vprops)
            y -= row_h + h + page.px(4)
    return y


def _insets(page: Page, scene: Scene, box: Box, view: MapView) -> Axes | None:
    """The locator, beside the strike's detail when the scene has the strike line; None if no room.

    ``box`` is what is left of the panel (x0, bottom, x1, top; figure pixels).
    """
    px0, py0, px1, y = box
    if y - py0 - page.px(34) <= page.px(120):
        return None
    strike = scene.layer(STRIKE_LINE)
    if strike is not None and len(strike.gdf) and scene.incident:
        gap = page.px(16)
        half = (px1 - px0 - gap) / 2
        y_l = panel_title(page, px0, y, px0 + half, "LOCATOR")
        panel_title(page, px0 + half + gap, y, px1, "DETAIL")
        h = min(y_l - py0, half * 1.5)
        iax = locator_inset(page, scene, (px0, y_l - h, px0 + half, y_l), view)
        detail_inset(page, scene, (px0 + half + gap, y_l - h, px1, y_l), strike, view)
        return iax
    y = panel_title(page, px0, y, px1, "LOCATOR")
    h = min(y - py0, (px1 - px0) * 0.95)
    return locator_inset(page, scene, (px0, y - h, px1, y), view)


def draw_panel(page: Page, scene: Scene, box: Box, legend_rows: list[tuple[str, dict]],
               view: MapView) -> Axes | None:
    """Legend, key figures and insets in ``box`` (figure pixels); returns the locator's axes, if drawn.

    ``legend_rows`` are the main map's, in drawing order; ``view`` is the main map.
    """
    px0, py0, px1, py1 = box
    y = panel_title(page, px0, py1, px1, "LEGEND")
    y = _legend(page, px0, px1, y, legend_rows)
    y -= page.px(16)
    if scene.metrics:
        y = panel_title(page, px0, y, px1, "KEY FIGURES")
        y = _key_figures(page, px0, px1, y, scene.metrics)
        y -= page.px(16)
    return _insets(page, scene, (px0, py0, px1, y), view)
