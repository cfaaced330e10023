"""The one reader of points from a table's latitude and longitude columns.

Both ways points arrive as a table go through :func:`read_points_table`: the
upload path (a CSV layer, :func:`dashboard.io.layers_io.read_user_layer`), which
drops rows without numeric coordinates and says so, and the streaming
``--points`` path (:mod:`dashboard.io.pointio`, :mod:`dashboard.io.dask_engine`),
which refuses them, naming the first one by its data row in the whole file.

>>> import pandas as pd
>>> t = read_points_table(pd.DataFrame({"Lat": ["50,47", "x"], "LON": [23.9, 24.0]}),
...                       drop_bad_rows=True)
>>> t.lon.tolist(), t.lat.tolist(), len(t.table)
([23.9], [50.47], 1)
>>> t.messages
("skipped 1 row(s) without numeric Lat/LON (first: data row 2 (Lat='x', LON='24.0'))",)
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashboard.geo.errors import InputError
from dashboard.io.filecheck import check_lonlat, shown

__all__ = ["LAT_COLUMNS", "LON_COLUMNS", "TablePoints", "find_lonlat_columns",
           "read_points_table"]

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


def _numbers(col: pd.Series) -> np.ndarray:
    """Numbers of a column; text like "50,47" (decimal comma) is read as 50.47."""
    if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        col = col.astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def read_points_table(df: pd.DataFrame, *, drop_bad_rows: bool = False,
                      first_row: int = 0) -> TablePoints:
    """Points (lon, lat degrees) from a table's lat/lon columns.

    Parameters
    ----------
    df : DataFrame
        The table; its lat/lon columns are found by :func:`find_lonlat_columns`
        and read as numbers (text with a decimal comma too).
    drop_bad_rows : bool
        Rows whose coordinates are missing or not numbers are dropped and said in
        ``messages`` (True: an upload), or refused (False: a streamed file, where
        a dropped row would be a missing result row).  A table with no good row
        is refused either way.
    first_row : int
        Data rows before this table in its file (a chunk's offset), so that
        messages number rows in the whole file, from 1.

    Raises
    ------
    InputError
        No lat/lon columns; rows without numeric coordinates (unless dropped);
        coordinates off the globe (projected, swapped).
    """
    lon_c, lat_c = find_lonlat_columns(df.columns)
    lat, lon = _numbers(df[lat_c]), _numbers(df[lon_c])
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    messages: tuple[str, ...] = ()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = (f"data row {first_row + i + 1} ({lat_c}={str(df[lat_c].iloc[i])!r}, "
                 f"{lon_c}={str(df[lon_c].iloc[i])!r})")
        if not drop_bad_rows or bad.all():
            raise InputError(f"{int(bad.sum())} row(s) have no numeric {lat_c}/{lon_c}, "
                             f"first at {where}")
        messages = (f"skipped {int(bad.sum())} row(s) without numeric {lat_c}/{lon_c} "
                    f"(first: {where})",)
        df, lat, lon = df.loc[~bad].reset_index(drop=True), lat[~bad], lon[~bad]
    check_lonlat(lon, lat)
    return TablePoints(df, lon, lat, messages)
