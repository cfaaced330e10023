"""Geodesic length, perimeter and area on WGS84 (``Geod.geometry_area_perimeter``).

Edges are taken as geodesics between consecutive vertices, as GeographicLib
does; densify a geometry first if its edges are meant as something else.

>>> from shapely.geometry import box
>>> round(area_km2(box(23, 50, 24, 51)), 0)
7892.0
"""
from __future__ import annotations

from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from dashboard.geo.geodesy import GEOD


def _parts(geom: BaseGeometry):
    if geom is None or geom.is_empty:
        return []
    if hasattr(geom, "geoms"):
        out = []
        for g in geom.geoms:
            out.extend(_parts(g))
        return out
    return [geom]


def area_km2(geom: BaseGeometry) -> float:
    """Geodesic area in km², positive whatever the ring orientation; holes subtracted.

    Lines and points have zero area.
    """
    total = 0.0
    for part in _parts(geom):
        if part.geom_type == "Polygon":
            a, _ = GEOD.geometry_area_perimeter(orient(part, 1.0))
            total += abs(a)
    return total / 1e6


def perimeter_km(geom: BaseGeometry) -> float:
    """Geodesic perimeter in km: all rings (holes included) of polygons; for lines
    their length."""
    total = 0.0
    for part in _parts(geom):
        if part.geom_type == "Polygon":
            _, p = GEOD.geometry_area_perimeter(part)
            total += p
        elif part.geom_type in ("LineString", "LinearRing"):
            total += GEOD.geometry_length(part)
    return total / 1000.0


def length_km(geom: BaseGeometry) -> float:
    """Geodesic length in km of lines; for polygons the perimeter; points are 0."""
    total = 0.0
    for part in _parts(geom):
        if part.geom_type in ("LineString", "LinearRing", "Polygon"):
            total += GEOD.geometry_length(part)
    return total / 1000.0


def lengths_km(geoms) -> list[float]:
    """:func:`length_km` of each geometry of a sequence or GeoSeries, km."""
    return [length_km(g) for g in geoms]


def areas_km2(geoms) -> list[float]:
    """:func:`area_km2` of each geometry of a sequence or GeoSeries, km²."""
    return [area_km2(g) for g in geoms]


__all__ = ["area_km2", "areas_km2", "length_km", "lengths_km", "perimeter_km"]
