"""The brief's side panel: legend, key figures, then the locator (and the strike's detail).

Sections stack from the top of the panel down; ``y`` is the top of what is
left, in figure pixels.  The insets get the room that is left, if it is enough.

Key figures are a label and its value on one row, or the value under its label,
wrapped, when both do not fit; a value of :data:`NOTE_MIN_CHARS` characters or more
is a note (a stated assumption), as are the figures of :data:`NOTE_LABELS`, wrapped in
smaller, muted type.
When the figures do not fit the panel at 14 design pixels their type shrinks (to 11);
if they still do not fit, the last figures that are not notes are left out and a
line says how many.

The figures of the analyses a brief can carry beside what its scene words
(:func:`gbad_figures`: the cover of each NATO-border segment; :func:`munition_figures`:
a fan's munition preset and its sources; :func:`effectiveness_figures`: the summary,
the most-crossed incidents and the assumption) are added to a scene by
:func:`with_figures`, each owned by the layer it measures, so it leaves with it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from dashboard.analysis.effectiveness import ASSUMPTION, EffectivenessRow, effectiveness_summary
from dashboard.analysis.gbad import GbadCover
from dashboard.geo.munitions import MunitionRange
from dashboard.geo.units import format_distance
from dashboard.render.brief.insets import detail_inset, locator_inset
from dashboard.render.brief.layout import INK, MUTED, PANEL_EDGE, MapView, Page
from dashboard.render.labels import Box
from dashboard.scene.compose.reach import BAND_ALPHA, BEYOND, band_colours, reach_style
from dashboard.scene.model import STRIKE_LINE, Scene
from dashboard.scene.styles import rgba_float

#: A figure's value this long (characters) is a note: wrapped in smaller, muted type.
NOTE_MIN_CHARS: int = 90
#: Key-figure type sizes tried, design pixels, largest first (the first that fits is used).
FIGURE_SIZES_D: tuple[float, ...] = (14.0, 13.0, 12.0, 11.0)
#: A legend of more rows than this is set closer (22 instead of 27 design pixels a row).
LEGEND_ROOMY_ROWS: int = 10
#: The reach bands' legend label (their symbol shows the bands' fills).
REACH_LABEL: str = reach_style().label
#: Incidents the effectiveness figures list (the most-crossed first).
EFFECTIVENESS_TOP_ROWS: int = 3
#: The labels of the effectiveness assumption and of a munition's source URLs.
ASSUMPTION_LABEL: str = "Assumption"
MUNITION_SOURCES_LABEL: str = "Munition sources"
#: Figures drawn as notes whatever their length.
NOTE_LABELS: frozenset[str] = frozenset({ASSUMPTION_LABEL, MUNITION_SOURCES_LABEL})


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


def _reach_symbol(page: Page, x0: float, cy: float, w: float, p: dict) -> None:
    """The reach bands' symbol: their fills near (green) to far (amber), then beyond (grey)."""
    fills = [*band_colours(3), (*BEYOND, BAND_ALPHA)]
    step = w / len(fills)
    for k, fill in enumerate(fills):
        legend_symbol(page, x0 + k * step, cy, step, {**p, "fill": fill})


def _legend(page: Page, x0: float, x1: float, y: float, legend_rows: list[tuple[str, dict]]) -> float:
    """One row per label, the topmost layer first (a repeated label keeps its top row); returns the new top."""
    sym_w = page.px(34)
    seen = set()
    rows = []
    for label, props in reversed(legend_rows):
        if label in seen:
            continue
        seen.add(label)
        rows.append((label, props))
    crowded = len(rows) > LEGEND_ROOMY_ROWS
    row_h = page.px(22 if crowded else 27)
    lprops = page.font(13 if crowded else 14)
    for label, p in rows:
        cy = y - row_h / 2
        if label == REACH_LABEL and p["kind"] == "polygon":
            _reach_symbol(page, x0, cy, sym_w, p)
        else:
            legend_symbol(page, x0, cy, sym_w, p)
        page.text(x0 + sym_w + page.px(12), cy, page.ellipsize(label, lprops, x1 - x0 - sym_w - page.px(12)),
                  ha="left", va="center", **lprops)
        y -= row_h
    return y


def wrap_text(page: Page, text: str, props: dict, width_px: float) -> list[str]:
    """``text`` in lines no wider than ``width_px`` figure pixels, broken at spaces (a word
    wider than a line, such as a URL, is broken where it must)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if page.text_size(trial, props)[0] <= width_px:
            line = trial
            continue
        if line:
            lines.append(line)
        line = word
        while page.text_size(line, props)[0] > width_px and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and page.text_size(line[:cut], props)[0] > width_px:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines or [""]


_Row = tuple[float, bool, Callable[[float], None], str]  # height, note?, draw at top y, owner


def _figure_rows(page: Page, x0: float, x1: float, metrics: Mapping[str, str],
                 size_d: float, owners: Mapping[str, str] | None = None) -> list[_Row]:
    """Each figure as (height, note?, draw(top y), owner layer) at ``size_d`` design pixels."""
    owners = owners or {}
    row_h = page.px(size_d * 27 / 14)
    kprops = page.font(size_d, color=INK)
    vprops = page.font(size_d, weight="bold")
    nprops = page.font(size_d - 1.5, color=MUTED)
    width = x1 - x0
    h = page.text_size("Ag", kprops)[1]
    nh = page.text_size("Ag", nprops)[1] * 1.25
    gap = page.px(4)
    rows: list[_Row] = []
    for label, value in metrics.items():
        label, value = str(label), str(value)
        lw_ = page.text_size(label, kprops)[0]
        vw = page.text_size(value, vprops)[0]
        shown = page.ellipsize(label, kprops, width)

        def draw_label(y: float, shown: str = shown) -> None:
            page.text(x0, y - row_h / 2, shown, ha="left", va="center", **kprops)

        if len(value) >= NOTE_MIN_CHARS or label in NOTE_LABELS:
            lines = wrap_text(page, value, nprops, width - page.px(10))

            def draw_note(y: float, lines: list[str] = lines, dl: Callable = draw_label) -> None:
                dl(y)
                for k, line in enumerate(lines):
                    page.text(x0 + page.px(10), y - row_h + gap - k * nh, line, ha="left",
                              va="top", **nprops)
            rows.append((row_h + len(lines) * nh + gap, True, draw_note, owners.get(label, "")))
        elif lw_ + vw + page.px(14) <= width:
            def draw_one(y: float, label: str = label, value: str = value) -> None:
                page.text(x0, y - row_h / 2, label, ha="left", va="center", **kprops)
                page.text(x1, y - row_h / 2, value, ha="right", va="center", **vprops)
            rows.append((row_h, False, draw_one, owners.get(label, "")))
        elif vw <= width:
            def draw_under(y: float, value: str = value, dl: Callable = draw_label) -> None:
                dl(y)
                page.text(x1, y - row_h / 2 - h - gap, value, ha="right", va="center", **vprops)
            rows.append((row_h + h + gap, False, draw_under, owners.get(label, "")))
        else:
            lines = wrap_text(page, value, vprops, width - page.px(10))

            def draw_wrapped(y: float, lines: list[str] = lines, dl: Callable = draw_label) -> None:
                dl(y)
                for k, line in enumerate(lines):
                    page.text(x0 + page.px(10), y - row_h + gap - k * (h + gap), line,
                              ha="left", va="top", **vprops)
            rows.append((row_h + len(lines) * (h + gap), False, draw_wrapped,
                         owners.get(label, "")))
    return rows


def _key_figures(page: Page, x0: float, x1: float, y: float, metrics: dict[str, str],
                 bottom: float | None = None, owners: Mapping[str, str] | None = None) -> float:
    """The figures from the top ``y`` down to ``bottom`` (figure pixels; None: no limit), in
    the largest of :data:`FIGURE_SIZES_D` that fits; returns the new top.  When none fits,
    figures are left out (:func:`_left_out`) and a line says how many.  ``owners`` names
    each figure's layer (``Scene.figure_layers``)."""
    room = float("inf") if bottom is None else y - bottom
    rows: list[_Row] = []
    for size_d in FIGURE_SIZES_D:
        rows = _figure_rows(page, x0, x1, metrics, size_d, owners)
        if sum(r[0] for r in rows) <= room:
            break
    if sum(r[0] for r in rows) > room:
        rows = _left_out(page, x0, rows, room)
    for height, _, draw, _ in rows:
        draw(y)
        y -= height
    return y


def _left_out(page: Page, x0: float, rows: list[_Row], room: float) -> list[_Row]:
    """``rows`` less some, until they and a line saying how many were left out fit ``room``
    figure pixels: each time the last figure of the layer with the most figures goes, never
    a layer's first figure nor a note (so every layer keeps its headline and its caveats)."""
    more_h = page.px(FIGURE_SIZES_D[-1] * 27 / 14)
    mprops = page.font(FIGURE_SIZES_D[-1], color=MUTED, style="italic")
    rows = list(rows)
    n = 0
    while sum(r[0] for r in rows) + more_h > room:
        counts: dict[str, int] = {}
        for r in rows:
            counts[r[3]] = counts.get(r[3], 0) + 1
        firsts = {r[3]: i for i, r in reversed(list(enumerate(rows)))}
        droppable = [i for i, r in enumerate(rows) if not r[1] and firsts[r[3]] != i]
        if not droppable:
            break
        k = max(droppable, key=lambda i: (counts[rows[i][3]], i))
        rows.pop(k)
        n += 1
    if not n:
        return rows

    def draw_more(y: float) -> None:
        page.text(x0, y - more_h / 2, f"… {n} more figure{'s' if n != 1 else ''} not shown",
                  ha="left", va="center", **mprops)
    return [*rows, (more_h, True, draw_more, "")]


# ------------------------------------------------------------ analysis figures
def with_figures(scene: Scene, figures: Mapping[str, str], layer: str | None = None) -> Scene:
    """``scene`` with ``figures`` (label -> formatted value) after its own, each owned by
    ``layer`` (the figure leaves the brief with that layer; None: never left out)."""
    owners = dict(scene.figure_layers)
    if layer is not None:
        owners.update(dict.fromkeys(figures, layer))
    return replace(scene, metrics={**scene.metrics, **{str(k): str(v) for k, v in figures.items()}},
                   figure_layers=owners)


def gbad_figures(cover: GbadCover, units: str) -> dict[str, str]:
    """Each NATO-border segment's length the launchers cover, and its share:
    ``{"NATO border PL-UA covered": "355.3 km (66.3 %)"}``; ``"none"`` when none is."""
    if not cover.border_km:
        return {"NATO border covered": "none"}
    return {f"NATO border {sid} covered": f"{format_distance(km, units)} "
                                           f"({100 * cover.border_share[sid]:.1f} %)"
            for sid, km in cover.border_km.items()}


def munition_figures(m: MunitionRange) -> dict[str, str]:
    """A launch area's munition preset: its stated (contested) range, who states it, the URLs."""
    return {"Munition": m.label, "Range stated by": m.source,
            MUNITION_SOURCES_LABEL: " ; ".join(m.urls)}


def effectiveness_figures(rows: Sequence[EffectivenessRow], units: str,
                          top: int = EFFECTIVENESS_TOP_ROWS) -> dict[str, str]:
    """The one-line summary (:func:`~dashboard.analysis.effectiveness.effectiveness_summary`),
    the ``top`` incidents whose paths cross the zone most (share of paths, median distance
    inside, impact inside) and the assumption (:data:`~dashboard.analysis.effectiveness.ASSUMPTION`)."""
    out = {"Effectiveness": effectiveness_summary(rows)}
    ranked = sorted(rows, key=lambda r: (-r.paths_crossing_share, -(r.km_inside or 0.0), r.id))
    for r in ranked[:top]:
        text = f"{100 * r.paths_crossing_share:.1f} % of paths cross"
        if r.km_inside is not None:
            text += f", {format_distance(r.km_inside, units)} inside"
        if r.impact_inside:
            text += ", impact inside"
        out[f"  {r.id}"] = text
    out[ASSUMPTION_LABEL] = ASSUMPTION
    return out


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
        y = _key_figures(page, px0, px1, y, scene.metrics, bottom=py0, owners=scene.figure_layers)
        y -= page.px(16)
    return _insets(page, scene, (px0, py0, px1, y), view)
