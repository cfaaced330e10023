"""The country a position lies in: the ``countries`` layer's polygon that holds it.

A new incident's country is derived from its position (the form offers it and
warns when the typed country disagrees).  The ``countries`` layer holds each
country's land and its 12 nm territorial sea, clipped to the data's coverage
(:data:`dashboard.data.coverage.COVERAGE_LONLAT`); beyond the territorial sea, or
outside the coverage, there is no answer.  Positions are (lon, lat) WGS84 degrees.

>>> country_at(23.93432, 50.47099)   # Przewodów
'PL'
>>> country_at(24.0297, 49.8397)     # Lviv
'UA'
>>> country_at(19.0, 56.5) is None   # the open Baltic Sea
True
"""
from __future__ import annotations

import math

import shapely
from shapely.geometry import Point

from dashboard.data.coverage import inside_coverage
from dashboard.geo.cache import memoize
from dashboard.io.layers_io import layer_path, load_layer

__all__ = ["country_at", "country_mismatch"]


@memoize(maxsize=2)
def _countries(path: str, size: int, mtime_ns: int) -> tuple[tuple[str, ...], shapely.STRtree]:
    """The layer's ISO codes and a spatial index of its polygons (cached per file version)."""
    gdf = load_layer("countries")
    geoms = list(gdf.geometry.values)
    for g in geoms:
        shapely.prepare(g)
    return tuple(str(c) for c in gdf["iso_a2"]), shapely.STRtree(geoms)


def _index() -> tuple[tuple[str, ...], shapely.STRtree]:
    path = layer_path("countries").resolve()
    st = path.stat()
    return _countries(str(path), st.st_size, st.st_mtime_ns)


def country_at(lon: float, lat: float) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country whose territory (land and 12 nm
    territorial sea) holds (``lon``, ``lat``) degrees; None at sea beyond it, outside
    the data's coverage or for a non-finite position.  On a shared border (a point
    on both polygons' edges) the first country in the layer's order wins.

    >>> country_at(26.1, 44.43), country_at(28.86, 47.01)   # Bucharest, Chișinău
    ('RO', 'MD')
    >>> country_at(60.0, 50.0) is None                      # outside the coverage
    True
    """
    lon, lat = float(lon), float(lat)
    if not (math.isfinite(lon) and math.isfinite(lat)) or not inside_coverage(lon, lat):
        return None
    codes, tree = _index()
    hits = tree.query(Point(lon, lat), predicate="intersects")
    return codes[int(min(hits))] if len(hits) else None


def country_mismatch(country: str | None, lonlat: tuple[float, float] | None) -> str | None:
    """One line when ``country`` (typed) is not the country at ``lonlat`` (lon, lat); None
    when they agree, or there is nothing to compare (no country typed, no position, or
    the position is at sea or outside the coverage).

    >>> country_mismatch("UA", (23.93432, 50.47099))
    'the position 50.47099, 23.93432 lies in PL, not in UA'
    >>> country_mismatch("pl", (23.93432, 50.47099)) is None
    True
    """
    typed = str(country or "").strip().upper()
    if not typed or lonlat is None:
        return None
    at = country_at(*lonlat)
    if at is None or at == typed:
        return None
    lon, lat = lonlat
    return f"the position {lat:.5f}, {lon:.5f} lies in {at}, not in {typed}"
