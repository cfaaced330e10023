"""Checks and repairs for user geometry: coordinates on the globe, polygons that are valid.

Pure functions on shapely geometries and numpy arrays in WGS84 lon/lat degrees
(EPSG:4326); each raises :class:`~dashboard.geo.errors.InputError` with a
one-line message naming ``what`` was checked.

>>> from shapely.geometry import Polygon
>>> bowtie = Polygon([(23, 50), (24, 51), (24, 50), (23, 51)])   # (lon, lat), degrees
>>> poly, messages = repair_polygon(bowtie, "zone A")
>>> poly.geom_type, round(poly.area, 3), poly.is_valid
('MultiPolygon', 0.5, True)
>>> messages
['zone A: the outline crossed itself (Self-intersection); repaired with make_valid']
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from dashboard.geo.errors import InputError

__all__ = ["check_lonlat_array", "polygonal_part", "repair_polygon"]


def polygonal_part(geom: BaseGeometry | None) -> Polygon | MultiPolygon | None:
    """The polygons of ``geom``: itself if it is one, the polygon members of a collection.

    Parameters
    ----------
    geom : shapely geometry or None
        WGS84 lon/lat degrees (any type, e.g. the GeometryCollection
        ``make_valid`` returns).

    Returns
    -------
    Polygon | MultiPolygon | None
        None when ``geom`` is missing, empty or has no polygon in it.

    Examples
    --------
    >>> from shapely.geometry import GeometryCollection, LineString, Point, box
    >>> polygonal_part(GeometryCollection([box(23, 50, 24, 51), LineString([(0, 0), (1, 1)])]))
    <POLYGON ((24 50, 24 51, 23 51, 23 50, 24 50))>
    >>> polygonal_part(Point(24, 50)) is None
    True
    """
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    polys: list[Polygon] = []
    for g in getattr(geom, "geoms", []):
        if isinstance(g, Polygon) and not g.is_empty:
            polys.append(g)
        elif isinstance(g, MultiPolygon):
            polys.extend(p for p in g.geoms if not p.is_empty)
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def repair_polygon(geom: BaseGeometry, what: str) -> tuple[Polygon | MultiPolygon, list[str]]:
    """Return ``geom`` as a valid polygon, repairing it with ``make_valid`` if needed.

    Parameters
    ----------
    geom : shapely geometry
        WGS84 lon/lat degrees.  A valid polygon is returned as it is (the
        same object).
    what : str
        What the geometry is, for messages (``"zone A"``, ``"the drawn polygon"``).

    Returns
    -------
    (Polygon | MultiPolygon, list of str)
        The polygon and one sentence per repair made.

    Raises
    ------
    InputError
        If nothing with an area is left.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> square = box(23, 50, 24, 51)
    >>> repair_polygon(square, "zone")[0] is square
    True
    >>> repair_polygon(shapely.Polygon([(23, 50), (24, 50), (25, 50)]), "zone B")
    Traceback (most recent call last):
    ...
    dashboard.geo.errors.InputError: zone B has no area (fewer than 3 distinct corners?)
    """
    messages: list[str] = []
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom).split("[")[0].strip()
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        messages.append(f"{what}: the outline crossed itself ({reason}); repaired with "
                        "make_valid")
    poly = polygonal_part(geom)
    if poly is None or poly.area == 0:
        raise InputError(f"{what} has no area (fewer than 3 distinct corners?)")
    return poly, messages


def check_lonlat_array(xy: np.ndarray, what: str) -> None:
    """Raise :class:`InputError` unless every (lon, lat) row is finite and on the globe.

    Parameters
    ----------
    xy : array of shape (n, 2) or (2,)
        Longitudes and latitudes in degrees, (lon, lat) per row.
    what : str
        What the coordinates belong to, for the message.

    Raises
    ------
    InputError
        A coordinate that is not a number, or outside lon ±180° / lat ±90°
        (e.g. projected metres).

    Examples
    --------
    >>> check_lonlat_array(np.array([[23.93432, 50.47099], [-180.0, -90.0]]), "zone")
    >>> check_lonlat_array(np.array([500000.0, 5500000.0]), "zone C")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dashboard.geo.errors.InputError: zone C has coordinates outside lon ±180 / lat ±90; ...
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if not np.isfinite(xy).all():
        raise InputError(f"{what} has coordinates that are not numbers")
    if (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        raise InputError(f"{what} has coordinates outside lon ±180 / lat ±90; pan back to "
                         "the region and redraw it")
