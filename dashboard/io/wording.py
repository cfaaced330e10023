"""Wording of what the readers say about a user's file: values, CSV errors, declared CRS.

Every reader words these the same way (:mod:`dashboard.io.filecheck` holds the checks
themselves): a long number from a file is said as "a 309-digit number", never
printed; pandas' CSV errors become one line naming the problem; a GeoJSON ``crs``
member naming something other than WGS84 gets one warning wherever the file
enters (layers, zone files, scenario import).
"""
from __future__ import annotations

import re
from typing import Any

from dashboard.io.filecheck import shown

__all__ = ["crs_note", "csv_reason", "declared_crs", "short_value"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def short_value(value: Any, max_chars: int = 40) -> str:
    """A value from a user's file fit for a message: a long run of digits is said as
    "a N-digit number", other text is cut to ``max_chars``; control characters dropped.

    >>> short_value("1" + "0" * 308)
    'a 309-digit number'
    >>> short_value("50.1")
    "'50.1'"
    """
    text = _CONTROL.sub("", str(value))
    digits = re.fullmatch(r"\s*[-+]?(\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?\s*", text)
    if digits and len(text.strip()) > max_chars:
        return f"a {len(digits.group(1)):,}-digit number"
    return repr(text if len(text) <= max_chars else text[:max_chars - 3] + "...")


def csv_reason(exc: BaseException) -> str:
    """pandas' reason a CSV cannot be read, in one line; a ragged row names its line.

    >>> csv_reason(ValueError("Error tokenizing data. C error: Expected 2 fields in line 3, saw 4"))
    'line 3 has 4 fields where the rows before have 2 (a ragged row: a separator inside a value?)'
    """
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        return (f"line {int(m.group(2)):,} has {m.group(3)} fields where the rows before have "
                f"{m.group(1)} (a ragged row: a separator inside a value?)")
    if "does not match length of data" in text:
        return ("a row has more fields than the header (a ragged row: a separator inside a "
                "value?)")
    return text[:200]


def declared_crs(obj: Any) -> str | None:
    """The CRS a GeoJSON document's (pre-RFC 7946) ``crs`` member names, or None."""
    if not isinstance(obj, dict) or not isinstance(obj.get("crs"), dict):
        return None
    props = obj["crs"].get("properties")
    name = props.get("name") if isinstance(props, dict) else None
    return shown(name)[:60] if name is not None else None


def crs_note(obj: Any, name: str) -> str | None:
    """The one warning for a GeoJSON document whose ``crs`` member names a CRS other than
    WGS84 longitude/latitude (RFC 7946 has no ``crs``: it is read as WGS84); None if
    it names none or WGS84.

    >>> crs_note({"crs": {"properties": {"name": "EPSG:2180"}}}, "z.geojson")
    'z.geojson: the file declares CRS EPSG:2180; read as WGS84 lon/lat (RFC 7946)'
    """
    crs = declared_crs(obj)
    if crs is None or any(k in crs.upper() for k in ("4326", "CRS84")):
        return None
    return f"{shown(name)}: the file declares CRS {crs}; read as WGS84 lon/lat (RFC 7946)"
