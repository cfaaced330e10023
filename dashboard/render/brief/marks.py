"""The brief's words around the map: date-time group, marking banners, header and footer.

:func:`format_dtg`, :func:`generation_time` and :func:`marking_colours` are
pure; ``draw_*`` put the banners, the title block and the footer (sources,
projection note, generation time) on a :class:`~.layout.Page`.
"""
from __future__ import annotations

import math
import os
from datetime import UTC, date, datetime
from typing import Any

from matplotlib.patches import Rectangle

from dashboard.geo.errors import InputError
from dashboard.render.brief.layout import INK, MUTED, PANEL_EDGE, Page, PageBoxes
from dashboard.render.mapframe import MapProjection, fmt_lat
from dashboard.scene.model import Scene

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN",
           "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


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
            generated_at = generated_at.replace(tzinfo=UTC)
        return generated_at.astimezone(UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError as exc:
            raise InputError(f"SOURCE_DATE_EPOCH is not an integer: {epoch!r}") from exc
    return datetime.now(UTC).replace(microsecond=0)


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


def km_per_unit(unit: str) -> float:
    """Kilometres in one ``unit`` (``km``, ``nm``, ``mi``); an :class:`InputError` for others."""
    from dashboard.geo.units import KM_PER_UNIT
    try:
        return KM_PER_UNIT[unit]
    except KeyError as exc:
        raise InputError(f"unknown unit {unit!r}; use one of {', '.join(KM_PER_UNIT)}") from exc


def present(v: Any) -> bool:
    """False for a missing value (None or NaN)."""
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def short_date(v: Any) -> str | None:
    """``15 Nov 2022`` from a date, datetime, pandas Timestamp or ISO string; None if absent."""
    if not present(v):
        return None
    try:
        d = date.fromisoformat(str(v)[:10])
    except ValueError:
        return None
    return f"{d.day} {_MONTHS[d.month - 1].title()} {d.year}"


def incident_dtg(incident: dict | None) -> str | None:
    """The incident's date-time group, or None without a (valid) date."""
    inc = incident or {}
    if not inc.get("date"):
        return None
    try:
        return format_dtg(inc["date"], inc.get("time_utc"))
    except InputError:
        return None


# ------------------------------------------------------------------ drawing

def draw_banners(page: Page, marking: str, height_px: float) -> None:
    """The marking on a coloured band ``height_px`` figure pixels tall, at the top and bottom."""
    bg, fg = marking_colours(marking)
    for y in (0.0, page.height_px - height_px):
        page.fig.add_artist(Rectangle((0, page.fy(y)), 1, page.fy(height_px), transform=page.fig.transFigure,
                                      facecolor=bg, edgecolor="none", zorder=10))
        page.fig.text(0.5, page.fy(y + height_px / 2), marking.upper(), ha="center", va="center_baseline",
                      zorder=11, **page.font(17, weight="bold", color=fg))


def _draw_dtg(page: Page, dtg: str, top: float, margin: float) -> float:
    """The date-time group, top right; returns the width it takes (figure pixels)."""
    cap = page.font(12, color=MUTED, weight="bold")
    big = page.font(30, weight="bold", family="DejaVu Sans Mono")
    page.text(page.width_px - margin, top - page.px(20), "DATE-TIME GROUP (UTC)", ha="right", va="top", **cap)
    page.text(page.width_px - margin, top - page.px(40), dtg, ha="right", va="top", **big)
    return max(page.text_size(dtg, big)[0], page.text_size("DATE-TIME GROUP (UTC)", cap)[0])


def draw_header(page: Page, scene: Scene, boxes: PageBoxes) -> str | None:
    """Title, subtitle (default: the incident's place and country), date-time group and a rule.

    Returns the date-time group shown, or None.
    """
    top = page.height_px - boxes.banner
    margin = boxes.margin
    inc = scene.incident or {}
    dtg = incident_dtg(scene.incident)
    right_w = _draw_dtg(page, dtg, top, margin) if dtg else 0.0
    avail = page.width_px - 2 * margin - right_w - page.px(40)
    title = scene.title or "Situation map"
    props = page.fit_font(title, avail, 34.0, 18, 1.0, weight="bold")
    page.text(margin, top - page.px(16), title, ha="left", va="top", **props)
    sub = scene.subtitle
    if not sub and inc:
        sub = ", ".join(str(inc[k]) for k in ("place", "country") if inc.get(k))
    if sub:
        sprops = page.font(17, color=MUTED)
        page.text(margin, top - page.px(64), page.ellipsize(sub, sprops, avail), ha="left", va="top", **sprops)
    page.rule(margin, page.width_px - margin, top - boxes.header + page.px(4), INK, 2.0)
    return dtg


def draw_footer(page: Page, scene: Scene, boxes: PageBoxes, generated_at: datetime,
                proj: MapProjection, centre_lonlat: tuple[float, float]) -> None:
    """Sources, generation time and the projection note under a thin rule.

    ``centre_lonlat`` is the map centre (lon, lat; degrees), where the scale bar is true.
    """
    y0, footer, margin, W = boxes.banner, boxes.footer, boxes.margin, page.width_px
    page.rule(margin, W - margin, y0 + footer - page.px(6), PANEL_EDGE, 1.0)
    src = "Sources: " + " · ".join(scene.sources) if scene.sources else "Sources: —"
    gen = f"Generated {generated_at:%d %b %Y %H:%M} UTC"
    gprops = page.font(13, color=MUTED)
    avail = W - 2 * margin - page.text_size(gen, gprops)[0] - page.px(30)
    props = page.fit_font(src, avail, 13.0, 9, 0.5, color=INK)
    src = page.ellipsize(src, props, avail)
    line1 = y0 + footer - page.px(22)
    line2 = y0 + footer - page.px(44)
    page.text(margin, line1, src, ha="left", va="center_baseline", **props)
    page.text(W - margin, line1, gen, ha="right", va="center_baseline", **gprops)
    note = (f"Projection: {proj.description}. Distances and areas geodesic on WGS 84; "
            f"scale bar true at map centre ({fmt_lat(centre_lonlat[1], 2)}).")
    nprops = page.font(12, color=MUTED)
    page.text(margin, line2, page.ellipsize(note, nprops, W - 2 * margin), ha="left", va="center_baseline",
              **nprops)
