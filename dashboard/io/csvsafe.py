"""CSV cells a spreadsheet would run as a formula, made inert: the CLI's CSV outputs.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF is a formula
(or the start of one) to Excel, LibreOffice and Google Sheets (OWASP "CSV
injection"); it gets a leading apostrophe, as the app's downloads do.  A cell that
is a plain number (``-2.5``, ``+3``, ``1e-3``), in a number column or as text, is
left alone so it stays a number.

>>> inert_cell('=HYPERLINK("http://x","y")'), inert_cell("-2+3"), inert_cell("-2.5")
('\\'=HYPERLINK("http://x","y")', "'-2+3", '-2.5')
>>> inert_cell(-2.5), inert_cell("Lviv"), inert_cell("@SUM(A1)")
(-2.5, 'Lviv', "'@SUM(A1)")
"""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "has_cr", "inert_cell", "inert_table"]

#: What a formula cell starts with.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def inert_cell(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run
    (not a plain number); anything that is not a ``str`` is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def inert_table(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell and column name made inert (:func:`inert_cell`);
    number columns are untouched (returned as is when nothing needs a change)."""
    text_cols = [c for c in df.columns if pd.api.types.is_object_dtype(df[c])
                 or pd.api.types.is_string_dtype(df[c])]
    names = [inert_cell(c) for c in df.columns]
    if not text_cols and names == list(df.columns):
        return df
    out = df.copy()
    for col in text_cols:
        out[col] = out[col].map(inert_cell)
    out.columns = names
    return out


def has_cr(df: pd.DataFrame) -> bool:
    """True if a text cell or column name of ``df`` holds a carriage return."""
    if any("\r" in str(c) for c in df.columns):
        return True
    return any(df[c].map(lambda v: isinstance(v, str) and "\r" in v).any()
               for c in df.columns if pd.api.types.is_object_dtype(df[c])
               or pd.api.types.is_string_dtype(df[c]))
