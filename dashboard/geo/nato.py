"""The NATO border as it stood on a given date.

Each ``nato_border`` feature carries ``nato_since``, the date its NATO member
joined (e.g. FI-RU from 2023-04-04); the border on a date is the set of
segments with ``nato_since`` on or before it.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from dashboard.geo.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

#: ISO 8601 text this reads: a date, or a date and time with an optional UTC offset.
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}"
                  r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


def parse_date(value: date | datetime | str | None) -> date | None:
    """A date from a ``date``, ``datetime`` or ISO text (None stays None).

    Text is read strictly: ``YYYY-MM-DD``, or an ISO timestamp
    ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` with an optional offset (``Z``,
    ``+02:00``); a timestamp with an offset is converted to UTC before its date
    is taken (a naive one keeps its own date).  Anything else (``2023-04-031``,
    ``2023-04-04junk``) is an :class:`InputError`, never cut to ten characters.

    >>> parse_date("2023-04-04T01:30:00+02:00")
    datetime.date(2023, 4, 3)
    """
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo is not None else value).date()
    text = str(value).strip()
    bad = InputError(f"{text[:40]!r} is not a date; use YYYY-MM-DD, e.g. 2022-11-15")
    if not _ISO.fullmatch(text):
        raise bad
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return parse_date(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise bad from None


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
    import pandas as pd  # here, not at import: parse_date needs none of it

    day = parse_date(on)
    if day is None:
        raise InputError("no date given for the NATO border")
    if "nato_since" not in border.columns:
        raise InputError("the border layer has no 'nato_since' field")
    since = pd.to_datetime(border["nato_since"], errors="coerce").dt.date
    mask = since.notna() & (since <= day)
    return border.loc[mask.to_numpy()].reset_index(drop=True)
