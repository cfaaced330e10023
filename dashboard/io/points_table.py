"""The one reader of points from a table's latitude and longitude columns.

Every way points arrive as a table goes through :func:`read_points_table`: an
upload or a ``LAYER`` file (a CSV layer, :func:`dashboard.io.layers_io.read_user_layer`)
and a streamed ``--points`` file (:mod:`dashboard.io.pointio`,
:mod:`dashboard.io.dask_engine`).  One policy: a row without numeric
coordinates refuses the file, and the message names the bad rows by their data
row in the whole file (the first five, then "and N more").

>>> import pandas as pd
>>> t = read_points_table(pd.DataFrame({"Lat": ["50,47", "51"], "LON": [23.9, 24.0]}))
>>> t.lon.tolist(), t.lat.tolist(), len(t.table)
([23.9, 24.0], [50.47, 51.0], 2)
>>> read_points_table(pd.DataFrame({"lat": ["x"], "lon": [1]}))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dashboard.geo.errors.InputError: 1 row has no numeric lat/lon: data row 1 (lat='x', lon='1')...
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashboard.data.limits import CHUNK_ROWS
from dashboard.geo.errors import InputError
from dashboard.io.filecheck import check_lonlat, not_utf8, shown
from dashboard.io.wording import csv_reason, short_value

__all__ = ["LAT_COLUMNS", "LON_COLUMNS", "SHOWN_ROWS", "TablePoints", "bad_rows",
           "bad_rows_error", "check_csv_rows", "find_lonlat_columns", "read_points_table"]

#: Names of a latitude column (any case).
LAT_COLUMNS: tuple[str, ...] = ("lat", "latitude", "y")
#: Names of a longitude column (any case).
LON_COLUMNS: tuple[str, ...] = ("lon", "lng", "long", "longitude", "x")


class TablePoints(NamedTuple):
    """What :func:`read_points_table` read from a table."""

    #: The rows kept (all of them unless rows were dropped; then renumbered from 0).
    table: pd.DataFrame
    #: Longitudes, degrees, one per kept row.
    lon: np.ndarray
    #: Latitudes, degrees, one per kept row.
    lat: np.ndarray
    #: What was dropped, one sentence each (empty unless ``drop_bad_rows``).
    messages: tuple[str, ...]


def find_lonlat_columns(columns: Iterable) -> tuple[str, str]:
    """Names of the longitude and latitude columns, in that order (case-insensitive
    ``lon``/``lng``/``long``/``longitude``/``x`` and ``lat``/``latitude``/``y``).

    >>> find_lonlat_columns(["name", "Latitude", "Longitude"])
    ('Longitude', 'Latitude')
    """
    columns = list(columns)
    lower = {str(c).strip().lstrip("\ufeff").lower(): c for c in columns}
    lat = next((lower[c] for c in LAT_COLUMNS if c in lower), None)
    lon = next((lower[c] for c in LON_COLUMNS if c in lower), None)
    if lat is None or lon is None:
        found = ", ".join(shown(c)[:40] for c in columns[:20]) or "none"
        raise InputError("no latitude and longitude columns: looked for "
                         f"{'/'.join(LAT_COLUMNS)} and {'/'.join(LON_COLUMNS)} "
                         f"(any case); found: {found}")
    return lon, lat


#: Bad rows a message names before "and N more".
SHOWN_ROWS: int = 5


def _numbers(col: pd.Series, name: str = "") -> np.ndarray:
    """Numbers of a column; text like "50,47" (decimal comma) is read as 50.47.  A column of
    true/false is refused (NumPy would read it as 1 and 0 degrees)."""
    if pd.api.types.is_bool_dtype(col.dtype):
        raise InputError(f"column {shown(name or col.name)!r} holds true/false values, not "
                         "degrees")
    if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        if col.map(lambda v: isinstance(v, bool) or str(v).strip().lower() in ("true", "false")
                   ).any():
            raise InputError(f"column {shown(name or col.name)!r} holds true/false values, "
                             "not degrees")
        col = col.astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def bad_rows_error(rows: list[tuple[int, object, object]], n_bad: int, lat_c: str,
                   lon_c: str) -> InputError:
    """The one refusal of a table with rows whose coordinates are not numbers.

    ``rows``: up to :data:`SHOWN_ROWS` bad rows as (data row from 1, lat value, lon
    value); ``n_bad``: how many bad rows there are in all.

    >>> str(bad_rows_error([(2, "x", "1")], 1, "lat", "lon"))
    "1 row has no numeric lat/lon: data row 2 (lat='x', lon='1'); fix or delete it (no row is dropped)"
    """
    shown_rows = ", ".join(f"{i} ({lat_c}={short_value(a)}, {lon_c}={short_value(b)})"
                           for i, a, b in rows[:SHOWN_ROWS])
    more = f" and {n_bad - SHOWN_ROWS:,} more" if n_bad > SHOWN_ROWS else ""
    plural = n_bad != 1
    return InputError(f"{n_bad:,} row{'s' if plural else ''} {'have' if plural else 'has'} no "
                      f"numeric {lat_c}/{lon_c}: data row{'s' if len(rows) > 1 else ''} "
                      f"{shown_rows}{more}; fix or delete {'them' if plural else 'it'} "
                      "(no row is dropped)")


def bad_rows(df: pd.DataFrame, lat_c: str, lon_c: str, first_row: int = 0,
             ) -> tuple[np.ndarray, np.ndarray, list[tuple[int, object, object]], int]:
    """(lat, lon, up to :data:`SHOWN_ROWS` bad rows, number of bad rows) of a table."""
    lat, lon = _numbers(df[lat_c], str(lat_c)), _numbers(df[lon_c], str(lon_c))
    bad = np.flatnonzero(~(np.isfinite(lat) & np.isfinite(lon)))
    rows = [(first_row + int(i) + 1, df[lat_c].iloc[i], df[lon_c].iloc[i])
            for i in bad[:SHOWN_ROWS]]
    return lat, lon, rows, len(bad)


def read_points_table(df: pd.DataFrame, *, first_row: int = 0) -> TablePoints:
    """Points (lon, lat degrees) from a table's lat/lon columns.

    One policy for every reader (an upload, a ``--to``/``LAYER`` file, a streamed
    ``--points`` file): a row whose coordinates are missing or not numbers refuses
    the table, and the message names the bad rows (the first
    :data:`SHOWN_ROWS`, then "and N more"); no row is dropped, so no result row
    goes missing without a word.

    Parameters
    ----------
    df : DataFrame
        The table; its lat/lon columns are found by :func:`find_lonlat_columns`
        and read as numbers (text with a decimal comma too).
    first_row : int
        Data rows before this table in its file (a chunk's offset), so that
        messages number rows in the whole file, from 1.

    Raises
    ------
    InputError
        No lat/lon columns; rows without numeric coordinates; a true/false column;
        coordinates off the globe (projected, swapped).
    """
    lon_c, lat_c = find_lonlat_columns(df.columns)
    lat, lon, rows, n_bad = bad_rows(df, lat_c, lon_c, first_row)
    if n_bad:
        raise bad_rows_error(rows, n_bad, str(lat_c), str(lon_c))
    check_lonlat(lon, lat)
    return TablePoints(df, lon, lat, ())


def check_csv_rows(p: Path, sep: str) -> None:
    """Every row of a CSV has numeric lat/lon: one pass over the file before any
    row is measured, so the refusal names the bad rows of the whole file (no output is
    begun for a file that will be refused).

    The pass reads the file as the measuring pass will (pandas' number inference,
    no Python object per number): when every chunk's lat and lon columns come out
    as finite numbers there is nothing to refuse.  Otherwise the file is read again
    with every cell as text (:func:`_check_csv_rows_text`), whose message names the
    bad rows by what they hold."""
    cols = pd.read_csv(p, sep=sep, nrows=0, encoding="utf-8-sig").columns
    lon_c, lat_c = find_lonlat_columns(cols)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a row past the header
            numbers = all(_finite_numbers(df[lat_c]) and _finite_numbers(df[lon_c])
                          for df in pd.read_csv(p, sep=sep, chunksize=CHUNK_ROWS,
                                                encoding="utf-8-sig", index_col=False,
                                                low_memory=False))
    except UnicodeDecodeError:
        raise not_utf8(str(p)) from None
    except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise InputError(f"{shown(p)} is not a readable CSV: {csv_reason(exc)}") from None
    if not numbers:
        _check_csv_rows_text(p, sep)


def _finite_numbers(col: pd.Series) -> bool:
    """True if a column read by pandas holds only finite int or float numbers (not
    true/false: numpy would count them as 0 and 1)."""
    if col.dtype.kind not in "iuf" or not isinstance(col.dtype, np.dtype):
        return False
    return col.dtype.kind != "f" or bool(np.isfinite(col.to_numpy()).all())


def _check_csv_rows_text(p: Path, sep: str) -> None:
    """:func:`check_csv_rows` with every cell read as text (the refusal's message)."""
    cols = pd.read_csv(p, sep=sep, nrows=0, encoding="utf-8-sig").columns
    lon_c, lat_c = find_lonlat_columns(cols)
    shown_rows: list = []
    n_bad, first = 0, 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a row past the header
            for df in pd.read_csv(p, sep=sep, dtype=str, keep_default_na=False,
                                  chunksize=CHUNK_ROWS, encoding="utf-8-sig", index_col=False):
                _, _, rows, n = bad_rows(df.reset_index(drop=True), lat_c, lon_c, first)
                shown_rows.extend(rows[:SHOWN_ROWS - len(shown_rows)])
                n_bad += n
                first += len(df)
    except UnicodeDecodeError:
        raise not_utf8(str(p)) from None
    except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise InputError(f"{shown(p)} is not a readable CSV: {csv_reason(exc)}") from None
    if n_bad:
        raise InputError(f"{shown(p)}: {bad_rows_error(shown_rows, n_bad, lat_c, lon_c)}")
