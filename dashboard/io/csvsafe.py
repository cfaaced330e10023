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

:func:`inert_strings` is the same rule over a whole pyarrow string array at once (no
Python call per cell).  The CSV writer of ``distance --points`` writes each chunk
with :func:`csv_chunk_bytes`: the bytes pandas' ``to_csv`` writes
(:func:`csv_chunk_text`, inert text, minimal quoting, numpy's float text), built a
column at a time in pyarrow; a chunk it cannot vouch for is left to ``to_csv``.

>>> import pyarrow as pa
>>> inert_strings(pa.array(["=1+2", "-2.5", "Lviv", None])).to_pylist()
["'=1+2", '-2.5', 'Lviv', None]
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMULA_STARTS", "csv_chunk_bytes", "csv_chunk_text", "has_cr", "inert_cell",
           "inert_strings", "inert_table"]

#: What a formula cell starts with.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# The same two rules in RE2 syntax (pyarrow.compute): ``\p{Nd}`` is what Python's ``\d``
# matches in a str pattern (any Unicode decimal digit); ``$`` is the end of the text.
_FORMULA_START_RE2 = "^[=+\\-@\t\r\n]"
_PLAIN_NUMBER_RE2 = r"^[+-]?(?:\p{Nd}+(?:\.\p{Nd}*)?|\.\p{Nd}+)(?:[eE][+-]?\p{Nd}+)?$"


def inert_cell(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run
    (not a plain number); anything that is not a ``str`` is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def inert_strings(arr: Any) -> Any:
    """A pyarrow string array with :func:`inert_cell` applied to every cell, vectorised
    (nulls stay null); the array itself when no cell needs a change."""
    import pyarrow as pa
    import pyarrow.compute as pc

    formula = pc.and_kleene(pc.match_substring_regex(arr, _FORMULA_START_RE2),
                            pc.invert(pc.match_substring_regex(arr, _PLAIN_NUMBER_RE2)))
    if not pc.any(formula).as_py():
        return arr
    return pc.if_else(pc.fill_null(formula, False),
                      pc.binary_join_element_wise(pa.scalar("'", arr.type), arr,
                                                  pa.scalar("", arr.type)), arr)


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


def csv_chunk_text(table: pd.DataFrame, header: bool) -> str:
    """A chunk of CSV output by pandas' ``to_csv``: text cells and column names made
    inert (:func:`inert_table`), ``,`` separated, ``\\n`` line ends, minimal
    quoting (all text quoted in a chunk with a carriage return in it: minimal quoting
    would leave a bare CR unquoted, and it splits the row in every reader)."""
    table = inert_table(table)
    quoting = csv.QUOTE_NONNUMERIC if has_cr(table) else csv.QUOTE_MINIMAL
    return table.to_csv(None, index=False, header=header, lineterminator="\n",
                        quoting=quoting)


#: Floats whose shortest form pyarrow prints as numpy does (``0.0001 <= |x| < 1e10``,
#: apart from the ``.0`` numpy adds to a whole number); others are printed by numpy.
_ARROW_FLOAT_RANGE: tuple[float, float] = (1e-4, 1e10)


def _float_cells(values: np.ndarray):
    """Text of float64 values exactly as ``to_csv`` writes them (numpy's shortest
    repr, ``''`` for NaN), built in pyarrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values, from_pandas=True)  # NaN -> null -> ''
    text = arr.cast(pa.string())
    # pyarrow prints a whole number without ".0" ("100", "-0"); numpy with it
    whole = pc.invert(pc.match_substring_regex(text, "[.eEni]"))
    text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    size = np.abs(values)
    lo, hi = _ARROW_FLOAT_RANGE
    with np.errstate(invalid="ignore"):
        other = ~(((size >= lo) & (size < hi)) | (values == 0) | np.isnan(values))
    if other.any():
        text = pc.replace_with_mask(text, pa.array(other),
                                    pa.array(values[other].astype(str)))
    return pc.fill_null(text, "").cast(pa.large_string())


def _text_cells(col: pd.Series):
    """Text of a text column as ``to_csv`` writes it (inert, minimal quoting, ``''``
    for missing), or None when the column holds something else than text, or a
    carriage return (the chunk then goes through pandas)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(col, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if pa.types.is_null(arr.type):
        return pa.array([""] * len(arr), pa.large_string())
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    arr = arr.cast(pa.large_string())
    if pc.any(pc.match_substring(arr, "\r")).as_py():
        return None
    arr = inert_strings(arr)
    quote = pc.match_substring_regex(arr, '[,"\n]')
    if pc.any(quote).as_py():
        q, empty = _large('"'), _large("")
        quoted = pc.binary_join_element_wise(q, pc.replace_substring(arr, '"', '""'), q, empty)
        arr = pc.if_else(quote, quoted, arr)
    return pc.fill_null(arr, _large(""))


def _large(text: str):
    import pyarrow as pa

    return pa.scalar(text, pa.large_string())


def _cells(col: pd.Series):
    """One column's CSV text (a pyarrow string array without nulls), or None when
    only pandas can be trusted to write it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = col.dtype
    if isinstance(dtype, np.dtype):
        if dtype == np.float64:
            return _float_cells(col.to_numpy())
        if dtype.kind in "iu":
            return pa.array(col.to_numpy()).cast(pa.large_string())
        if dtype.kind == "b":
            return pc.if_else(pa.array(col.to_numpy()), _large("True"), _large("False"))
        if dtype.kind != "O":
            return None
    elif not pd.api.types.is_string_dtype(dtype):
        return None
    return _text_cells(col)


def csv_chunk_bytes(table: pd.DataFrame, header: bool):
    """The bytes (UTF-8) of :func:`csv_chunk_text` for the same chunk, built a column at
    a time in pyarrow (its compute functions release the GIL), as a ``pyarrow.Buffer``;
    None when the chunk needs pandas (a carriage return in its text or names, a
    column neither float64, integer, bool nor text).

    >>> t = pd.DataFrame({"name": ["=cmd", "a,b"], "lat": [50.0, 1e-05], "n": [1, 2]})
    >>> csv_chunk_bytes(t, header=True).to_pybytes() == csv_chunk_text(t, True).encode()
    True
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    names = [inert_cell(c) for c in table.columns]
    if not table.columns.is_unique or any(not isinstance(c, str) or "\r" in c for c in names):
        return None
    cols = []
    for i in range(table.shape[1]):
        cells = _cells(table.iloc[:, i])
        if cells is None:
            return None
        cols.append(cells)
    head = b""
    if header:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(names)
        head = out.getvalue().encode("utf-8")
    if not len(table) or not cols:
        return pa.py_buffer(head) if len(table) == 0 else None
    last = pc.binary_join_element_wise(cols[-1], _large("\n"), _large(""))
    rows = pc.binary_join_element_wise(*cols[:-1], last, _large(",")) if len(cols) > 1 else last
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset:rows.offset + len(rows) + 1]
    body = rows.buffers()[2][int(offsets[0]):int(offsets[-1])]
    if not head:
        return body
    return pa.py_buffer(head + body.to_pybytes())
