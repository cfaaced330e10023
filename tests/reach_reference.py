"""Independent reference computations for the reach and air-defence tests.

Nothing here uses ``dashboard``: points are sampled uniformly by area on the
WGS84 ellipsoid (a lon/lat grid whose cells carry their ``pyproj.Geod`` area, one
jittered point a cell, so each sample stands for its cell's area), zones are
densified with ``Geod.npts``, and distances are ``Geod.inv``.
"""
from __future__ import annotations

import numpy as np
import shapely
from geo_reference import GEOD, densified_points


def geodesic_zone(zone, step_km: float = 0.5):
    """``zone`` with points every ``step_km`` along its geodesic edges (``Geod.npts``), so a
    planar inside test follows the geodesic edges to metres."""
    def ring(coords):
        xy = np.asarray(coords)[:, :2]
        out = []
        for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:]):
            out.append((x1, y1))
            n = int(GEOD.inv(x1, y1, x2, y2)[2] / 1000.0 / step_km)
            if n > 0:
                out.extend(GEOD.npts(x1, y1, x2, y2, n))
        out.append(tuple(xy[-1]))
        return out
    polys = [shapely.Polygon(ring(p.exterior.coords), [ring(r.coords) for r in p.interiors])
             for p in getattr(zone, "geoms", [zone])]
    return shapely.make_valid(shapely.MultiPolygon(polys))


def area_samples(zone, cell_deg: float = 0.02, seed: int = 1):
    """Points uniform by area inside ``zone``: (lon, lat, weight km²) arrays, one jittered point
    per grid cell of ``cell_deg`` whose weight is the cell's geodesic area (``Geod``)."""
    rng = np.random.default_rng(seed)
    dense = geodesic_zone(zone)
    w, s, e, n = dense.bounds
    lons = np.arange(w, e, cell_deg)
    lats = np.arange(s, n, cell_deg)
    cell_km2 = np.array([abs(GEOD.polygon_area_perimeter(
        [0, cell_deg, cell_deg, 0], [la, la, la + cell_deg, la + cell_deg])[0]) / 1e6
        for la in lats])
    gx, gy = np.meshgrid(lons, lats)
    weight = np.broadcast_to(cell_km2[:, None], gx.shape).ravel()
    # uniform by area inside a cell: uniform in longitude and in sin(latitude) (to 1e-6 here)
    u = rng.random(gx.size)
    lo, hi = np.sin(np.radians(gy.ravel())), np.sin(np.radians(gy.ravel() + cell_deg))
    x = gx.ravel() + rng.random(gx.size) * cell_deg
    y = np.degrees(np.arcsin(lo + u * (hi - lo)))
    inside = shapely.contains_xy(dense, x, y)
    return x[inside], y[inside], weight[inside]


def min_distance_km(x, y, centres, radii=None):
    """Smallest ``Geod.inv`` distance (km) from each point to ``centres`` (less each radius)."""
    best = np.full(len(x), np.inf)
    for k, (cx, cy) in enumerate(centres):
        d = GEOD.inv(x, y, np.full(len(x), cx), np.full(len(x), cy))[2] / 1000.0
        best = np.minimum(best, d - (0.0 if radii is None else radii[k]))
    return best


def boundary_points(zone, step_km: float) -> np.ndarray:
    """The zone's boundary every ``step_km`` along its geodesic edges (``Geod.npts``)."""
    return densified_points(zone, step_km)
