"""The NATO border as it stood on a given date.

Each ``nato_border`` feature carries ``nato_since``, the date its NATO member
joined (e.g. FI-RU from 2023-04-04); the border on a date is the set of
segments with ``nato_since`` on or before it.
"""
from __future__ import annotations

from datetime import date, datetime

import geopandas as gpd
import pandas as pd

from dashboard.geo.errors import InputError


def parse_date(value: date | datetime | str | None) -> date | None:
    """A date from a ``date``, ``datetime`` or ISO text ``YYYY-MM-DD`` (None stays None)."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InputError(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2022-11-15") from None


def nato_border_on(on: date | str, border: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The segments of the NATO border that were NATO's on ``on``.

    Parameters
    ----------
    on : date or str
        The date (``YYYY-MM-DD`` text accepted).
    border : GeoDataFrame
        A ``nato_border`` layer (the built-in one is
        ``dashboard.io.layers_io.load_layer("nato_border")``).

    Returns
    -------
    GeoDataFrame
        The rows of ``border`` with ``nato_since <= on`` (index reset).
    """
    day = parse_date(on)
    if day is None:
        raise InputError("no date given for the NATO border")
    if "nato_since" not in border.columns:
        raise InputError("the border layer has no 'nato_since' field")
    since = pd.to_datetime(border["nato_since"], errors="coerce").dt.date
    mask = since.notna() & (since <= day)
    return border.loc[mask.to_numpy()].reset_index(drop=True)
