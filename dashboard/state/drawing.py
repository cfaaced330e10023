"""The map editor's zones, both ways, without any rendering.

Out to the browser: :func:`to_map_zone` turns a page zone
(:class:`dashboard.store.Zone`) into a :class:`MapZone`, with
:func:`can_edit_on_map` deciding whether the map's editor takes it (small
polygons, circles and rectangles; larger zones are drawn read-only).  Back from
the browser: :func:`feature_to_shape` reads one feature the editor reports
(GeoJSON, ``[lon, lat]`` order) into a :class:`DrawnShape`, :func:`same_shape`
tells whether a zone came back unchanged, and :func:`apply_shape` gives a zone
the drawn shape.

The circle tool reports its centre and a point of its rim; the radius is their
geodesic distance and the zone a geodesic circle
(:func:`dashboard.geo.buffer.buffer_point`).  A rectangle becomes the lon/lat
box of its corners (:func:`lonlat_box`), its east-west edges along the parallels.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry

from dashboard.data.limits import MAX_EDITABLE_VERTICES
from dashboard.geo.errors import InputError
from dashboard.geo.validate import check_lonlat_array, repair_polygon
from dashboard.store import Zone

__all__ = [
    "BOX_STEP_DEG", "DEFAULT_CENTER", "DEFAULT_ZOOM", "MAX_EDITABLE_VERTICES", "SHAPES",
    "DrawnShape", "MapZone", "apply_shape", "can_edit_on_map", "feature_to_shape", "is_circle",
    "lonlat_box", "rect_bounds", "same_shape", "to_map_zone",
]

#: Default view of the drawing map: western Ukraine and eastern Poland.
DEFAULT_CENTER: tuple[float, float] = (26.0, 50.2)  # (lon, lat), degrees
DEFAULT_ZOOM: int = 6
#: The shapes the map editor may send back (``properties.shape``).
SHAPES: tuple[str, ...] = ("polygon", "rectangle", "circle")


# ------------------------------------------------------------------ to the map
@dataclass(frozen=True)
class MapZone:
    """A zone as the drawing map shows it.

    Attributes
    ----------
    zone_id : str
        Stable id; comes back as ``properties.zone_id`` of the drawn feature.
    name : str
        Tooltip text (shown as text, never as HTML).
    geometry : Polygon | MultiPolygon
        WGS84 lon/lat degrees.
    shape : {"polygon", "rectangle", "circle"}
        How the map editor should treat it when editable.
    center_lon, center_lat : float | None
        Circle centre in degrees (circles only).
    radius_km : float | None
        Geodesic radius in km (circles only).
    bounds_deg : (west, south, east, north) | None
        Rectangle bounds in degrees (rectangles only).
    editable : bool
        On the map editor (editable, deletable) or read-only.
    """

    zone_id: str
    name: str
    geometry: BaseGeometry
    shape: str = "polygon"
    center_lon: float | None = None
    center_lat: float | None = None
    radius_km: float | None = None
    bounds_deg: tuple[float, float, float, float] | None = None
    editable: bool = True


def can_edit_on_map(geometry: BaseGeometry, *, is_circle: bool = False,
                    is_rectangle: bool = False) -> bool:
    """True if a zone can go on the map editor.

    Circles (edited by centre and radius) and rectangles (by their corners)
    always can; otherwise a single polygon without holes and with at most
    :data:`MAX_EDITABLE_VERTICES` vertices.

    Parameters
    ----------
    geometry : Polygon | MultiPolygon
        The zone, WGS84 lon/lat degrees.
    is_circle, is_rectangle : bool
        The zone is a geodesic circle (centre and radius in km) or a lon/lat box.
    """
    if is_circle or is_rectangle:
        return True
    return (isinstance(geometry, Polygon) and not geometry.interiors
            and len(geometry.exterior.coords) - 1 <= MAX_EDITABLE_VERTICES)


# ---------------------------------------------------------------- drawn features
@dataclass
class DrawnShape:
    """One feature of ``all_drawings`` turned into a zone geometry.

    Attributes
    ----------
    zone_id : str | None
        ``properties.zone_id`` (None for a feature we did not tag).
    shape : {"polygon", "rectangle", "circle"}
    geometry : Polygon | MultiPolygon
        WGS84 lon/lat.  A circle is a geodesic circle (256 vertices); a
        rectangle is the lon/lat box, its east-west edges following the
        parallels (densified, see :func:`lonlat_box`); a polygon's edges are
        geodesics between the clicked corners.
    center_lon, center_lat : float | None
        Circle centre, degrees.
    radius_km : float | None
        Circle radius, km (the geodesic distance from the centre to the edge point).
    bounds_deg : (west, south, east, north) | None
        Rectangle bounds, degrees.
    messages : list of str
        Repairs made (e.g. a self-intersecting outline split with make_valid).
    """

    zone_id: str | None
    shape: str
    geometry: BaseGeometry
    center_lon: float | None = None
    center_lat: float | None = None
    radius_km: float | None = None
    bounds_deg: tuple[float, float, float, float] | None = None
    messages: list[str] = field(default_factory=list)


#: Longest step along a parallel of a rectangle's east-west edges, degrees of longitude.
BOX_STEP_DEG: float = 0.05


def lonlat_box(west: float, south: float, east: float, north: float,
               step_deg: float = BOX_STEP_DEG) -> Polygon:
    """The area between two meridians and two parallels, as a polygon.

    A rectangle drawn on the (Mercator) map has edges along the parallels; a
    polygon's edges are geodesics, which bow towards the pole (about 0.9 km
    in the middle of a 200 km edge at 50° N).  So the east-west edges get a
    vertex every ``step_deg`` degrees of longitude, which keeps them within
    a few metres of the parallel; the north-south edges are meridians, which
    are geodesics already.

    Parameters
    ----------
    west, south, east, north : float
        Bounds in degrees (``west < east``, ``south < north``).
    step_deg : float
        Vertex spacing along the parallels, degrees.
    """
    if not (west < east and south < north):
        raise InputError("a rectangle needs west < east and south < north")
    n = max(math.ceil((east - west) / step_deg), 1)
    lons = np.linspace(west, east, n + 1)
    ring = ([(float(x), south) for x in lons] + [(float(x), north) for x in lons[::-1]])
    return Polygon(ring)


def feature_to_shape(feature: Mapping[str, Any], n_vertices: int | None = None) -> DrawnShape:
    """One drawn GeoJSON feature (the map's drawing tools) -> :class:`DrawnShape`.

    A ``Polygon`` with ``properties.shape`` "circle", ``center`` and ``edge`` (lon, lat)
    is a geodesic circle of the radius between them
    (:func:`dashboard.geo.buffer.buffer_point`, ``n_vertices`` vertices, by default as
    many as keep the chords' sag within 0.01 % of the radius); a
    rectangle becomes :func:`lonlat_box` of its
    bounds; a ``Polygon`` stays a polygon (repaired with ``make_valid`` if it
    crosses itself).

    Raises
    ------
    InputError
        Anything else (a line, a marker, broken coordinates).
    """
    if not isinstance(feature, Mapping):
        raise InputError("a drawn shape is not a GeoJSON feature")
    props = feature.get("properties") or {}
    if not isinstance(props, Mapping):
        props = {}
    zone_id = props.get("zone_id")
    zone_id = None if zone_id is None else str(zone_id)
    shape_kind = str(props.get("shape") or "")
    geom_raw = feature.get("geometry") or {}
    gtype = geom_raw.get("type") if isinstance(geom_raw, Mapping) else None
    what = f"the drawn {shape_kind or 'shape'}"
    try:
        if gtype == "Point":
            raise InputError("markers cannot be zones; draw a polygon, rectangle or circle")
        if gtype == "Polygon" and shape_kind == "circle" and props.get("center") is not None:
            return _circle_from_centre_edge(zone_id, props, what, n_vertices)
        if gtype in ("Polygon", "MultiPolygon"):
            geom = shape(geom_raw)
            check_lonlat_array(shapely.get_coordinates(geom), what)
            if shape_kind == "rectangle" and isinstance(geom, Polygon):
                w, s, e, n = (float(v) for v in geom.bounds)
                return DrawnShape(zone_id, "rectangle", lonlat_box(w, s, e, n),
                                  bounds_deg=(w, s, e, n))
            poly, msgs = repair_polygon(geom, what)
            return DrawnShape(zone_id, "polygon", poly, messages=msgs)
    except InputError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise InputError(f"{what} could not be read ({exc})") from None
    raise InputError(f"a drawn {gtype or 'shape'} cannot be a zone; draw a polygon, "
                     "rectangle or circle")


def _circle_from_centre_edge(zone_id: str | None, props: Mapping[str, Any], what: str,
                             n_vertices: int | None) -> DrawnShape:
    """The map's circle tool: the first click is the centre, the second a point of the edge;
    the radius is their geodesic distance and the circle a geodesic one."""
    from dashboard.geo.buffer import buffer_point
    from dashboard.geo.geodesy import inverse_km

    lon, lat = (float(v) for v in props["center"][:2])
    elon, elat = (float(v) for v in props.get("edge", props["center"])[:2])
    check_lonlat_array(np.array([[lon, lat], [elon, elat]]), what)
    radius_km = round(float(inverse_km(lon, lat, elon, elat)[1]), 9)  # to the micrometre
    if not (math.isfinite(radius_km) and radius_km > 0):
        raise InputError(f"{what} has no radius")
    return DrawnShape(zone_id, "circle", buffer_point(lon, lat, radius_km, n_vertices=n_vertices),
                      lon, lat, radius_km)


def same_shape(a: DrawnShape, geometry: BaseGeometry, *, center_lon: float | None = None,
               center_lat: float | None = None, radius_km: float | None = None,
               bounds_deg: Sequence[float] | None = None,
               tolerance_deg: float = 2e-6) -> bool:
    """True if a feature sent back by the browser is the zone we sent, unchanged.

    The map rounds coordinates to 1e-6 degree when it reports a shape, so equality is
    within ``tolerance_deg``; circles compare centre and radius (1 mm),
    rectangles their bounds.
    """
    if a.radius_km is not None or radius_km is not None:
        if (a.radius_km is None or radius_km is None or center_lon is None
                or center_lat is None or a.center_lon is None or a.center_lat is None):
            return False
        return (abs(a.center_lon - center_lon) <= tolerance_deg
                and abs(a.center_lat - center_lat) <= tolerance_deg
                and abs(a.radius_km - radius_km) <= 1e-6)
    if a.bounds_deg is not None or bounds_deg is not None:
        if a.bounds_deg is None or bounds_deg is None:
            return False
        return all(abs(float(x) - float(y)) <= tolerance_deg
                   for x, y in zip(a.bounds_deg, bounds_deg))
    try:
        return bool(shapely.equals_exact(a.geometry, geometry, tolerance=tolerance_deg))
    except shapely.errors.GEOSException:
        return False


# ------------------------------------------------------------ zones and shapes
def is_circle(z: Zone) -> bool:
    """True if the zone has a centre (degrees) and a geodesic radius (km)."""
    return z.radius_km is not None and z.center_lon is not None


def rect_bounds(z: Zone) -> tuple[float, float, float, float] | None:
    """A drawn rectangle's (west, south, east, north) in degrees, else None."""
    b = (z.params or {}).get("bounds_deg")
    if z.rule == "rectangle" and isinstance(b, (list, tuple)) and len(b) == 4:
        return tuple(float(v) for v in b)  # type: ignore[return-value]
    return None


def to_map_zone(z: Zone) -> MapZone:
    """The zone as the drawing map shows it (editable or read-only)."""
    circle = is_circle(z)
    bounds = rect_bounds(z)
    editable = can_edit_on_map(z.geometry, is_circle=circle, is_rectangle=bounds is not None)
    return MapZone(zone_id=z.id, name=z.name, geometry=z.geometry,
                   shape="circle" if circle else "rectangle" if bounds else "polygon",
                   center_lon=z.center_lon if circle else None,
                   center_lat=z.center_lat if circle else None,
                   radius_km=z.radius_km if circle else None,
                   bounds_deg=bounds, editable=editable)


def apply_shape(z: Zone, shp: DrawnShape) -> None:
    """Give a zone (in place) the geometry, rule, parameters and description of a drawn shape."""
    z.geometry = shp.geometry
    params = z.params
    if shp.shape == "circle":
        z.center_lon, z.center_lat, z.radius_km = shp.center_lon, shp.center_lat, shp.radius_km
        params.update(center_lon=shp.center_lon, center_lat=shp.center_lat,
                      radius_km=shp.radius_km)
        z.description = (f"circle of radius {shp.radius_km:.3f} km around "
                         f"{shp.center_lat:.5f}, {shp.center_lon:.5f} (geodesic)")
        return
    z.center_lon = z.center_lat = z.radius_km = None
    if shp.shape == "rectangle":
        if shp.bounds_deg is None:
            raise InputError("the drawn rectangle has no bounds")
        w, s, e, n = shp.bounds_deg
        params["bounds_deg"] = [w, s, e, n]
        z.rule = "rectangle"
        z.description = f"{s:.4f}°–{n:.4f}° N, {w:.4f}°–{e:.4f}° E (edges along parallels)"
        return
    params.pop("bounds_deg", None)
    n = len(shapely.get_coordinates(shp.geometry)) - (
        1 if isinstance(shp.geometry, Polygon) else 0)
    if z.rule in (None, "", "drawn", "rectangle", "circle"):
        z.rule = "drawn"
    z.description = f"polygon of {n} vertices, geodesic edges"
