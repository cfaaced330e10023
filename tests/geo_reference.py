"""Independent reference computations for the core's tests.

Nothing here uses ``dashboard.geo``: distances are brute force with
``pyproj.Geod`` (GeographicLib) against geometry densified with ``Geod.npts``,
so the core is checked against a different route to the same truth.
"""
from __future__ import annotations

import numpy as np
from pyproj import Geod

GEOD = Geod(ellps="WGS84")


def densified_points(geom, step_km: float) -> np.ndarray:
    """All vertices of ``geom``'s lines/rings plus points every ``step_km`` along each edge
    (``Geod.npts``), as an (n, 2) lon/lat array."""
    out = []
    for line in _lines(geom):
        xy = np.asarray(line.coords)[:, :2]
        for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:]):
            out.append([(x1, y1)])
            _, _, d = GEOD.inv(x1, y1, x2, y2)
            n = int(d / 1000.0 / step_km)
            if n > 0:
                out.append(GEOD.npts(x1, y1, x2, y2, n))
        out.append([tuple(xy[-1])])
    for p in _points(geom):
        out.append([(p.x, p.y)])
    return np.asarray([pt for chunk in out for pt in chunk], dtype=float)


def _lines(geom):
    t = geom.geom_type
    if t in ("LineString", "LinearRing"):
        yield geom
    elif t == "Polygon":
        yield geom.exterior
        yield from geom.interiors
    elif hasattr(geom, "geoms"):
        for g in geom.geoms:
            yield from _lines(g)


def _points(geom):
    if geom.geom_type == "Point":
        yield geom
    elif hasattr(geom, "geoms"):
        for g in geom.geoms:
            yield from _points(g)


#: Reference sets larger than this are first measured every :data:`_COARSE_STEP` th point:
#: the smallest of those distances bounds the answer, and only the points that may lie
#: within it (the same conservative box) are measured one by one.
_COARSE_FROM, _COARSE_STEP = 2048, 32


def _box(lon: float, lat: float, ref_points: np.ndarray, window_km: float) -> np.ndarray:
    """Mask of the reference points not certainly farther than ``window_km`` (a lon/lat box;
    every point when the box would reach within a degree of a pole)."""
    dlat = window_km / 110.0  # a degree of latitude is >= 110.57 km
    far_lat = abs(lat) + dlat
    if far_lat >= 89.0:
        return np.ones(len(ref_points), dtype=bool)
    dlon = window_km / (111.0 * np.cos(np.radians(far_lat)))  # >= 111.32 cos(lat) km
    return (np.abs(ref_points[:, 1] - lat) <= dlat) & (
        np.abs((ref_points[:, 0] - lon + 180) % 360 - 180) <= dlon)


def _inv_m(lon: float, lat: float, pts: np.ndarray) -> np.ndarray:
    n = len(pts)
    return np.asarray(GEOD.inv(np.full(n, lon), np.full(n, lat), pts[:, 0], pts[:, 1])[2])


def brute_distance_km(lon: float, lat: float, ref_points: np.ndarray,
                      window_km: float | None = None) -> tuple[float, int]:
    """Smallest geodesic distance (km) from one point to any of ``ref_points``, and its index.

    ``window_km`` (optional) skips reference points that are certainly farther than
    that (a conservative lon/lat box), to keep brute force quick; if none is
    left, all points are used.  Every point that may be the nearest is measured with
    ``Geod.inv``: large sets are bounded first by a sample of their points.
    """
    idx = np.arange(len(ref_points))
    if window_km is not None:
        near = _box(lon, lat, ref_points, window_km)
        if near.any():
            idx = idx[near]
    if len(idx) > _COARSE_FROM:
        bound_km = float(np.nanmin(_inv_m(lon, lat, ref_points[idx[::_COARSE_STEP]]))) / 1000.0
        if np.isfinite(bound_km):
            idx = idx[_box(lon, lat, ref_points[idx], bound_km * (1 + 1e-9) + 1e-6)]
    d = _inv_m(lon, lat, ref_points[idx])
    i = int(np.argmin(d))
    return float(d[i]) / 1000.0, int(idx[i])


def geodesic_km(lon1, lat1, lon2, lat2) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def edge_samples(geom, fractions=(0.25, 0.5, 0.75)) -> np.ndarray:
    """Points at the given fractions along every geodesic edge of ``geom``'s rings and
    lines (``Geod.inv`` + ``Geod.fwd``), as an (n, 2) lon/lat array."""
    out = []
    for line in _lines(geom):
        xy = np.asarray(line.coords)[:, :2]
        az, _, d = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        for f in fractions:
            lon, lat, _ = GEOD.fwd(xy[:-1, 0], xy[:-1, 1], az, np.asarray(d) * f)
            out.append(np.column_stack([lon, lat]))
    return np.vstack(out)


def circle_union(line, d_km: float, step_km: float = 1.0, n_vertices: int = 360):
    """Union of geodesic circles of ``d_km`` (``n_vertices`` each, by ``Geod.fwd``) around
    every vertex of ``line`` and points every ``step_km`` along its edges: a buffer
    built by brute force, slightly inside the exact one (by about
    ``d (pi/n)^2 / 2 + step^2 / (8 d)``)."""
    import shapely

    pts = densified_points(line, step_km)
    az = np.linspace(360.0, 0.0, n_vertices, endpoint=False)
    polys = []
    for x, y in pts:
        lon, lat, _ = GEOD.fwd(np.full(n_vertices, x), np.full(n_vertices, y), az,
                               np.full(n_vertices, d_km * 1000.0))
        polys.append(shapely.Polygon(np.column_stack([lon, lat])))
    return shapely.union_all(polys)


def territory_km(lon: float, lat: float, poly, window_km: float) -> float:
    """Brute force distance (km) from (lon, lat) to a territory polygon: 0 inside, else the
    nearest point of its outline, densified to 50 m, within ``window_km`` of the point."""
    import math

    import shapely
    from shapely.geometry import Point

    if poly.contains(Point(lon, lat)):
        return 0.0
    dlat = window_km / 110.0
    dlon = window_km / (111.0 * math.cos(math.radians(min(abs(lat) + dlat, 89.0))))
    outline = shapely.clip_by_rect(poly.boundary, lon - dlon, lat - dlat, lon + dlon, lat + dlat)
    assert not outline.is_empty, "no outline within the window: the core's distance is wrong"
    return brute_distance_km(lon, lat, densified_points(outline, 0.05))[0]
