"""Where the built-in layers hold data: the one coverage definition.

The countries, cities and water layers are clipped by ``scripts/build_geodata.py``
to the box :data:`COVERAGE_LONLAT` (4° to 45° E, 40° to 72° N).  Outside it a
distance to "the nearest country" is a distance to the clip edge, not an answer:
a typed position or an imported zone beyond it is refused with one line, and a
position that lies inside only when latitude and longitude are swapped gets the
swap suggested.

>>> inside_coverage(23.93432, 50.47099), inside_coverage(50.47099, 23.93432)
(True, False)
>>> print(position_outside(50.47099, 23.93432))  # doctest: +ELLIPSIS
23.93432, 50.47099 (lat, lon) is outside the data's coverage ...; did you mean 50.47099, 23.93432 ...
"""
from __future__ import annotations

from collections.abc import Iterable

__all__ = ["COVERAGE_LONLAT", "coverage_text", "inside_coverage", "position_outside",
           "zone_outside"]

#: (west, south, east, north) degrees of the built-in layers' clip box.
COVERAGE_LONLAT: tuple[float, float, float, float] = (4.0, 40.0, 45.0, 72.0)


def coverage_text() -> str:
    """The coverage box in words: ``4° to 45° E, 40° to 72° N``."""
    w, s, e, n = COVERAGE_LONLAT
    return f"{w:g}° to {e:g}° E, {s:g}° to {n:g}° N"


def inside_coverage(lon: float, lat: float) -> bool:
    """True if (lon, lat) degrees lies in :data:`COVERAGE_LONLAT` (edges included)."""
    w, s, e, n = COVERAGE_LONLAT
    return w <= lon <= e and s <= lat <= n


def position_outside(lon: float, lat: float) -> str | None:
    """None inside the coverage; else the one sentence that says so (and suggests the
    swap when the swapped position is inside)."""
    if inside_coverage(lon, lat):
        return None
    text = (f"{lat:.5f}, {lon:.5f} (lat, lon) is outside the data's coverage "
            f"({coverage_text()}): the layers are clipped there, so a distance would be "
            "measured to the clip edge")
    if inside_coverage(lat, lon):
        text += (f"; did you mean {lon:.5f}, {lat:.5f} (latitude and longitude "
                 "swapped)?")
    return text


def zone_outside(bounds: Iterable[float], name: str) -> str | None:
    """None if a zone's ``bounds`` (west, south, east, north degrees) lie inside the
    coverage; else the sentence refusing it."""
    w, s, e, n = (float(v) for v in bounds)
    cw, cs, ce, cn = COVERAGE_LONLAT
    if cw <= w and cs <= s and e <= ce and n <= cn:
        return None
    text = (f"zone {name} reaches outside the data's coverage ({coverage_text()}; the zone "
            f"spans {w:.2f}° to {e:.2f}° E, {s:.2f}° to {n:.2f}° N): its figures and its "
            "briefing map would be measured against clipped layers")
    if cw <= s and cs <= w and n <= ce and e <= cn:
        return text + ("; its positions look like [latitude, longitude] (GeoJSON order is "
                       "[longitude, latitude])")
    return text + "; draw it inside"
