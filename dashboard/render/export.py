"""Scene -> bytes to download: the briefing map in PNG, PDF or SVG; tables made safe for
spreadsheets.

User text (names and properties from uploaded files, zone and scenario names) stays
data in every export: GeoJSON keeps it as JSON strings, the brief draws it as literal
text (no mathtext, XML-escaped in SVG), and CSV cells that a spreadsheet would run as a
formula are neutralised by :func:`spreadsheet_safe`.
"""
from __future__ import annotations

import io
from typing import Any, TypeVar

import pandas as pd

from dashboard.scene.model import Scene

#: MIME type of each briefing format.
BRIEF_MIME: dict[str, str] = {"png": "image/png", "pdf": "application/pdf",
                              "svg": "image/svg+xml"}

#: A text cell starting with one of these is a formula (or the start of one) to
#: Excel, LibreOffice and Google Sheets (OWASP "CSV injection").
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")

Frame = TypeVar("Frame", bound=pd.DataFrame)


def brief_bytes(scene: Scene, fmt: str, size: str, marking: str | None) -> bytes:
    """The briefing map of ``scene`` as bytes (rendered only when the user asks)."""
    from dashboard.render.brief import render_brief  # matplotlib loads on first use only

    buf = io.BytesIO()
    render_brief(scene, buf, fmt=fmt, size=size, marking=(marking or "").strip() or None)
    return buf.getvalue()


def inert_cell(value: Any) -> Any:
    """``value``, with a leading apostrophe when it is text a spreadsheet would run.

    Numbers (and anything that is not a ``str``) are returned unchanged, so a
    negative distance stays a number; the apostrophe is what a spreadsheet user
    types to enter such text literally, and it hides the cell's formula.

    >>> inert_cell('=HYPERLINK("http://x","y")'), inert_cell("-2+3"), inert_cell(-2.5)
    ('\\'=HYPERLINK("http://x","y")', "'-2+3", -2.5)
    >>> inert_cell("Lviv"), inert_cell("")
    ('Lviv', '')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe(df: Frame) -> Frame:
    """A copy of ``df`` (a DataFrame or GeoDataFrame) for a CSV download: every text cell
    and column name that starts like a formula (:data:`FORMULA_STARTS`) gets a leading
    apostrophe (:func:`inert_cell`); numbers, dates and geometry are untouched."""
    out = df.copy()
    geom = getattr(df, "_geometry_column_name", None) if isinstance(df, pd.DataFrame) else None
    for col in out.columns:
        if col != geom and (pd.api.types.is_object_dtype(out[col])
                            or pd.api.types.is_string_dtype(out[col])):
            out[col] = out[col].map(inert_cell)
    out.columns = [inert_cell(c) if c != geom else c for c in out.columns]
    if geom is not None:
        out = out.set_geometry(geom)
    return out
