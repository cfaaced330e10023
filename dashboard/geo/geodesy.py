"""Geodesics on the WGS84 ellipsoid: the one place the ellipsoid is named.

All distances are geodesic (GeographicLib via :class:`pyproj.Geod`, accurate to
well under a millimetre), in kilometres; azimuths are degrees clockwise from
true north in ``[0, 360)``; coordinates are WGS84 longitude/latitude degrees.

>>> az, d = inverse_km(23.0, 50.0, 24.0, 50.0)   # 1 degree of longitude at 50 N
>>> round(float(d), 2)
71.7
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pyproj import CRS, Geod, Transformer
from shapely.geometry import LineString

#: The WGS84 ellipsoid for every geodesic computation in the project.
GEOD: Geod = Geod(ellps="WGS84")

WGS84_A_KM: float = 6378.137
WGS84_F: float = 1 / 298.257223563
WGS84_B_KM: float = WGS84_A_KM * (1 - WGS84_F)
WGS84_E2: float = WGS84_F * (2 - WGS84_F)
#: Smallest radius of curvature of the ellipsoid (meridian at the equator), km.
MIN_CURVATURE_RADIUS_KM: float = WGS84_B_KM**2 / WGS84_A_KM
#: Mean radius, km (used only for approximations that are then refined).
MEAN_RADIUS_KM: float = 6371.0088


def _scalar_or_array(x: np.ndarray, was_scalar: bool):
    return float(x) if was_scalar else x


def inverse_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike,
               ) -> tuple:
    """Azimuth and geodesic distance from point 1 to point 2.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        WGS84 longitudes and latitudes in degrees (arrays broadcast).

    Returns
    -------
    azimuth_deg : float or ndarray
        Initial azimuth at point 1 towards point 2, degrees in ``[0, 360)``
        (0 for coincident points).
    distance_km : float or ndarray
        Geodesic distance, km.
    """
    scalar = all(np.ndim(v) == 0 for v in (lon1, lat1, lon2, lat2))
    a = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lon1, lat1, lon2, lat2)))
    lo1, la1, lo2, la2 = (np.ascontiguousarray(v).ravel() for v in a)
    az, _, d = GEOD.inv(lo1, la1, lo2, la2)
    az = np.mod(np.asarray(az).reshape(a[0].shape), 360.0)
    d = np.asarray(d).reshape(a[0].shape) / 1000.0
    return _scalar_or_array(az, scalar), _scalar_or_array(d, scalar)


def forward(lon: ArrayLike, lat: ArrayLike, azimuth_deg: ArrayLike, distance_km: ArrayLike,
            ) -> tuple:
    """Point reached by travelling ``distance_km`` along azimuth ``azimuth_deg``.

    Parameters
    ----------
    lon, lat : float or array_like
        Start, WGS84 degrees.
    azimuth_deg : float or array_like
        Initial azimuth, degrees clockwise from north.
    distance_km : float or array_like
        Distance along the geodesic, km.

    Returns
    -------
    lon, lat : float or ndarray
        End point, degrees (longitude in ``[-180, 180]``).
    """
    scalar = all(np.ndim(v) == 0 for v in (lon, lat, azimuth_deg, distance_km))
    a = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in
                              (lon, lat, azimuth_deg, distance_km)))
    lo, la, az = (np.ascontiguousarray(v).ravel() for v in a[:3])
    x, y, _ = GEOD.fwd(lo, la, az, np.ascontiguousarray(a[3]).ravel() * 1000.0)
    x = np.asarray(x).reshape(a[0].shape)
    y = np.asarray(y).reshape(a[0].shape)
    return _scalar_or_array(x, scalar), _scalar_or_array(y, scalar)


def geodesic_line(lon1: float, lat1: float, lon2: float, lat2: float,
                  n_points: int = 64) -> LineString:
    """The geodesic from point 1 to point 2 as a LineString of ``n_points`` vertices.

    Endpoints are included; intermediate vertices are equally spaced along the
    geodesic, so drawn in any projection the line follows the true shortest path.
    """
    n_points = max(int(n_points), 2)
    inner = GEOD.npts(lon1, lat1, lon2, lat2, n_points - 2) if n_points > 2 else []
    coords = [(lon1, lat1), *inner, (lon2, lat2)]
    return LineString(coords)


def to_ecef_km(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Earth-centred Cartesian coordinates (km) of points on the ellipsoid surface.

    Returns an array of shape ``(..., 3)``.  Euclidean distance between two such
    points (the chord) is a monotone, near-exact proxy for the geodesic distance
    at regional scales; the core uses it to find candidates, never as an answer.
    """
    lon_r = np.radians(np.asarray(lon, dtype=float))
    lat_r = np.radians(np.asarray(lat, dtype=float))
    sin_lat = np.sin(lat_r)
    cos_lat = np.cos(lat_r)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
    return np.stack([n * cos_lat * np.cos(lon_r), n * cos_lat * np.sin(lon_r),
                     n * (1.0 - WGS84_E2) * sin_lat], axis=-1)


def from_ecef_km(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) of the ellipsoid point under or over each
    ECEF point ``xyz`` (km, shape ``(..., 3)``), along the ellipsoid normal.

    Bowring's formula: for points within a few km of the surface (the core only
    lifts chord points, at most metres below it) it is exact to well under a
    millimetre.  ``from_ecef_km(to_ecef_km(lon, lat))`` returns ``(lon, lat)``.
    """
    xyz = np.asarray(xyz, dtype=float)
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    p = np.hypot(x, y)
    ep2 = WGS84_E2 / (1.0 - WGS84_E2)
    th = np.arctan2(z * WGS84_A_KM, p * WGS84_B_KM)
    st, ct = np.sin(th), np.cos(th)
    lat = np.arctan2(z + ep2 * WGS84_B_KM * st**3, p - WGS84_E2 * WGS84_A_KM * ct**3)
    return np.degrees(np.arctan2(y, x)), np.degrees(lat)


def chord_to_geodesic_upper_km(chord_km: ArrayLike) -> np.ndarray:
    """An upper bound on the geodesic distance between two points ``chord_km`` apart.

    The arc of a circle of the ellipsoid's smallest curvature radius over the same
    chord is longer than any geodesic with that chord (regional distances).
    """
    c = np.minimum(np.asarray(chord_km, dtype=float), 2 * MIN_CURVATURE_RADIUS_KM)
    return 2 * MIN_CURVATURE_RADIUS_KM * np.arcsin(c / (2 * MIN_CURVATURE_RADIUS_KM))


def aeqd_crs(lon: float, lat: float) -> CRS:
    """Azimuthal equidistant CRS (metres) centred on ``(lon, lat)``: exact distances
    and azimuths from the centre."""
    return CRS.from_proj4(f"+proj=aeqd +lat_0={lat:.10f} +lon_0={lon:.10f} +datum=WGS84 "
                          "+units=m +no_defs")


def aeqd_transformers(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    """(to AEQD, from AEQD) transformers centred on ``(lon, lat)``; axis order lon, lat."""
    crs = aeqd_crs(lon, lat)
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return fwd, inv


def densify(geom, max_segment_km: float = 5.0):
    """Insert vertices along each edge's geodesic so no edge is longer than ``max_segment_km``.

    Works on any shapely geometry; vertices already present are kept exactly.
    Use it before projecting or drawing geometry whose edges are geodesics.
    """
    import shapely

    if geom is None or geom.is_empty:
        return geom
    t = geom.geom_type
    if t == "Point" or t == "MultiPoint":
        return geom
    if t in ("LineString", "LinearRing"):
        xy = densify_coords(np.asarray(geom.coords)[:, :2], max_segment_km)
        return shapely.LinearRing(xy) if t == "LinearRing" else shapely.LineString(xy)
    if t == "Polygon":
        ext = densify_coords(np.asarray(geom.exterior.coords)[:, :2], max_segment_km)
        holes = [densify_coords(np.asarray(r.coords)[:, :2], max_segment_km)
                 for r in geom.interiors]
        return shapely.Polygon(ext, holes)
    parts = [densify(g, max_segment_km) for g in geom.geoms]
    return type(geom)(parts)


def densify_coords(xy: np.ndarray, max_segment_km: float) -> np.ndarray:
    """Vertices ``xy`` (lon, lat rows) with geodesic points added so that no step
    exceeds ``max_segment_km``."""
    if len(xy) < 2:
        return xy
    a, b = xy[:-1], xy[1:]
    az, _, d = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    d = np.asarray(d) / 1000.0
    k = np.maximum(np.ceil(d / max_segment_km).astype(np.int64), 1)
    if (k == 1).all():
        return xy
    seg = np.repeat(np.arange(len(a)), k)
    j = np.arange(len(seg)) - np.repeat(np.cumsum(k) - k, k)
    frac = j / k[seg]
    lon, lat, _ = GEOD.fwd(a[seg, 0], a[seg, 1], np.asarray(az)[seg], frac * d[seg] * 1000.0)
    lon, lat = np.asarray(lon), np.asarray(lat)
    start = j == 0
    lon[start], lat[start] = a[seg[start], 0], a[seg[start], 1]
    return np.vstack([np.column_stack([lon, lat]), xy[-1:]])
