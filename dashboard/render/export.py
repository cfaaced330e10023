"""Scene -> bytes to download: the briefing map in PNG, PDF or SVG; tables made safe for
spreadsheets.

User text (names and properties from uploaded files, zone and scenario names) stays
data in every export: GeoJSON keeps it as JSON strings, the brief draws it as literal
text (no mathtext, XML-escaped in SVG), and CSV cells that a spreadsheet would run as a
formula are neutralised by :func:`spreadsheet_safe`.
"""
from __future__ import annotations

import io
from typing import TypeVar

import pandas as pd

from dashboard.io.csvsafe import inert_cell
from dashboard.scene.model import Scene

#: MIME type of each briefing format.
BRIEF_MIME: dict[str, str] = {"png": "image/png", "pdf": "application/pdf",
                              "svg": "image/svg+xml"}

Frame = TypeVar("Frame", bound=pd.DataFrame)


def brief_bytes(scene: Scene, fmt: str, size: str, marking: str | None) -> bytes:
    """The briefing map of ``scene`` as bytes (rendered only when the user asks)."""
    from dashboard.render.brief import render_brief  # matplotlib loads on first use only

    buf = io.BytesIO()
    render_brief(scene, buf, fmt=fmt, size=size, marking=(marking or "").strip() or None)
    return buf.getvalue()


def spreadsheet_safe(df: Frame) -> Frame:
    r"""A copy of ``df`` (a DataFrame or GeoDataFrame) for a CSV download: every text cell
    and column name that starts like a formula (``FORMULA_STARTS``) and is not a plain
    number gets a leading apostrophe (:func:`dashboard.io.csvsafe.inert_cell`, the rule
    the CLI's CSV output follows too); numbers, dates and geometry are untouched.

    >>> spreadsheet_safe(pd.DataFrame({"a": ['=HYPERLINK("x")', "-5", "-2+3", "Lviv"]}))["a"].tolist()
    ['\'=HYPERLINK("x")', '-5', "'-2+3", 'Lviv']
    """
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
