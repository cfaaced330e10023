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

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashboard.geo.errors import InputError
from dashboard.io.filecheck import check_lonlat, shown
from dashboard.io.wording import short_value

__all__ = ["LAT_COLUMNS", "LON_COLUMNS", "SHOWN_ROWS", "TablePoints", "bad_rows",
           "bad_rows_error", "find_lonlat_columns", "read_points_table"]

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
