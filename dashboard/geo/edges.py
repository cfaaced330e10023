"""Geodesic edges for planar predicates: the one geometry model of the core.

Every line and polygon edge in the project is a *geodesic* between its two
vertices on WGS84, whatever it is used for: distances, inside tests,
intersections, clipping, areas and zone metrics.  Shapely's predicates and
overlays are planar in lon/lat, where an edge is a straight line; a geodesic is
not (at 60 N a 300 km east-west edge bulges 2.6 km poleward of the straight
lon/lat line).  So before any planar predicate the core inserts vertices along
each geodesic until the straight lon/lat pieces lie within
:data:`EDGE_TOLERANCE_M` (ground metres) of it (:func:`densify_edges`), and
measures (``Geod``) treat the result's short edges as geodesics again, which
they are to within the same tolerance.

>>> from shapely.geometry import box
>>> top = densify_edges(box(22.5, 50.0, 26.0, 52.5))
>>> round(top.bounds[3], 4)                 # the geodesic top edge bulges north of 52.5 N
52.5129
>>> len(densify_edges(box(23.0, 50.0, 23.001, 50.001)).exterior.coords)   # short edges stay
5
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.geo.geodesy import GEOD

#: Largest ground distance (m) between an edge's geodesic and the straight lon/lat
#: pieces that stand for it in planar predicates.
EDGE_TOLERANCE_M: float = 0.1
#: Refinement passes of :func:`densify_coords_tolerance` (each splits the pieces still off).
MAX_PASSES: int = 4

_LINEAR = (shapely.GeometryType.LINESTRING, shapely.GeometryType.LINEARRING,
           shapely.GeometryType.POLYGON, shapely.GeometryType.MULTILINESTRING,
           shapely.GeometryType.MULTIPOLYGON)


def edge_deviation_m(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray,
                     ) -> np.ndarray:
    """Ground distance (m) between each edge's geodesic midpoint and its lon/lat midpoint.

    The geodesic departs from the straight lon/lat line almost as a parabola,
    so the midpoint gap is the edge's largest gap (its lon/lat "sagitta").
    Edges spanning more than 180 degrees of longitude (across the antimeridian,
    which planar lon/lat predicates cannot represent) get 0: they are left alone.
    """
    az, _, d = GEOD.inv(x0, y0, x1, y1)
    mx, my, _ = GEOD.fwd(x0, y0, az, np.asarray(d) / 2.0)
    _, _, gap = GEOD.inv(np.asarray(mx), np.asarray(my), (x0 + x1) / 2.0, (y0 + y1) / 2.0)
    gap = np.asarray(gap, dtype=float)
    gap[np.abs(x1 - x0) > 180.0] = 0.0
    return gap


def split_edges(xy: np.ndarray, ends: np.ndarray, pieces: np.ndarray) -> tuple:
    """Insert ``pieces[i] - 1`` equally spaced geodesic points into each edge
    ``xy[i] -> xy[i + 1]`` (``ends`` marks the last vertex of each line, where no
    edge starts).

    Returns the new coordinates, the new ``ends`` mask and a mask of the
    inserted points.
    """
    n = len(xy)
    reps = np.ones(n, dtype=np.int64)
    reps[:-1] = np.where(ends[:-1], 1, pieces[:-1])
    idx = np.repeat(np.arange(n), reps)
    j = np.arange(len(idx)) - np.repeat(np.cumsum(reps) - reps, reps)
    out = xy[idx].copy()
    ins = j > 0
    if ins.any():
        e = idx[ins]
        az, _, d = GEOD.inv(xy[e, 0], xy[e, 1], xy[e + 1, 0], xy[e + 1, 1])
        frac = j[ins] / reps[e]
        lon, lat, _ = GEOD.fwd(xy[e, 0], xy[e, 1], az, np.asarray(d) * frac)
        out[ins, 0], out[ins, 1] = lon, lat
    new_ends = np.zeros(len(idx), dtype=bool)
    new_ends[np.cumsum(reps)[ends] - 1] = True
    return out, new_ends, ins


def ring_ends(offsets: np.ndarray, n: int) -> np.ndarray:
    """Mask of the last vertex of each line of a ragged coordinate array."""
    ends = np.zeros(n, dtype=bool)
    ends[np.asarray(offsets, dtype=np.int64)[1:] - 1] = True
    return ends


def geodesic_midpoints(xy: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Midpoint (lon, lat rows) of the geodesic from ``xy[i]`` to ``xy[i + 1]`` for
    each ``i`` of ``starts``."""
    a, b = xy[starts], xy[starts + 1]
    az, _, d = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    lon, lat, _ = GEOD.fwd(a[:, 0], a[:, 1], az, np.asarray(d) / 2.0)
    return np.column_stack([lon, lat])


def _long_enough(xy: np.ndarray, starts: np.ndarray, tol_m: float) -> np.ndarray:
    """The edges that may be off by more than ``tol_m``: a geodesic of length L at
    latitude φ leaves the straight lon/lat line by at most about L² (tan|φ| + 1) / 8R,
    so shorter edges are skipped (with a margin of 4) without measuring them."""
    a, b = xy[starts], xy[starts + 1]
    lat = np.radians(np.maximum(np.abs(a[:, 1]), np.abs(b[:, 1])))
    low = np.radians(np.minimum(np.abs(a[:, 1]), np.abs(b[:, 1])))
    dx = np.radians(b[:, 0] - a[:, 0]) * np.cos(low) * 6_400_000.0
    dy = np.radians(b[:, 1] - a[:, 1]) * 6_400_000.0
    bound = (dx * dx + dy * dy) * (np.tan(np.minimum(lat, np.radians(89.9))) + 1.0) / (8 * 6.3e6)
    keep = (bound > tol_m / 4) | (lat > np.radians(85.0)) | (np.abs(b[:, 0] - a[:, 0]) > 90)
    return starts[keep]


def densify_coords_tolerance(xy: np.ndarray, ends: np.ndarray,
                             tolerance_m: float = EDGE_TOLERANCE_M) -> tuple:
    """Vertices of many lines (rows of lon, lat; ``ends`` marks each line's last
    vertex) with geodesic points inserted so every straight lon/lat piece lies
    within ``tolerance_m`` of its geodesic.  Original vertices are kept exactly.

    Returns ``(xy, ends)`` for the densified lines.
    """
    xy = np.asarray(xy, dtype=float)[:, :2]
    ends = np.asarray(ends, dtype=bool)
    tol = max(float(tolerance_m), 1e-4)
    for _ in range(MAX_PASSES):
        if len(xy) < 2:
            break
        starts = _long_enough(xy, np.flatnonzero(~ends[:-1]), tol)
        gap = edge_deviation_m(xy[starts, 0], xy[starts, 1], xy[starts + 1, 0], xy[starts + 1, 1])
        off = gap > tol
        if not off.any():
            break
        pieces = np.ones(len(xy), dtype=np.int64)
        # the gap shrinks with the square of the piece length; 10 % margin
        k = np.ceil(np.sqrt(gap[off] / tol) * 1.1)
        pieces[starts[off]] = np.clip(k, 2, 100_000).astype(np.int64)
        xy, ends, _ = split_edges(xy, ends, pieces)
    return xy, ends


def _densify_group(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """One geometry type at a time, through shapely's ragged arrays."""
    gtype, coords, offsets = shapely.to_ragged_array(geoms)
    ends = ring_ends(offsets[0], len(coords))
    xy, new_ends = densify_coords_tolerance(coords[:, :2], ends, tolerance_m)
    if len(xy) == len(coords):
        return geoms
    new_off = np.r_[0, np.flatnonzero(new_ends) + 1].astype(np.int64)
    return shapely.from_ragged_array(gtype, xy, (new_off, *offsets[1:]))


def densify_edges(geom, tolerance_m: float = EDGE_TOLERANCE_M):
    """Geometry (or array of geometries) ready for planar predicates in lon/lat.

    Parameters
    ----------
    geom : shapely geometry or array_like of geometries
        WGS84 lon/lat degrees; edges are geodesics.
    tolerance_m : float
        Largest gap (ground metres) left between a geodesic edge and the straight
        lon/lat pieces that replace it (default :data:`EDGE_TOLERANCE_M`).

    Returns
    -------
    Same kind as ``geom``: every vertex kept, geodesic points inserted where needed.
    Points pass through; collections are handled part by part.
    """
    scalar = isinstance(geom, BaseGeometry) or geom is None
    arr = np.array([geom], dtype=object) if scalar else np.asarray(geom, dtype=object).copy()
    if len(arr):
        types = shapely.get_type_id(arr)
        for t in _LINEAR:
            sel = np.flatnonzero((types == int(t)) & ~shapely.is_empty(arr))
            if len(sel):
                arr[sel] = _densify_group(arr[sel], tolerance_m)
        for i in np.flatnonzero(types == int(shapely.GeometryType.GEOMETRYCOLLECTION)):
            parts = shapely.get_parts(arr[i])
            arr[i] = shapely.geometrycollections(list(densify_edges(parts, tolerance_m)))
    return arr[0] if scalar else arr


def geodesic_bounds(geom: BaseGeometry) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) in degrees of a geometry whose edges are
    geodesics (an east-west edge bulges poleward beyond its vertices)."""
    w, s, e, n = (float(v) for v in densify_edges(geom).bounds)
    return w, s, e, n


__all__ = ["EDGE_TOLERANCE_M", "densify_coords_tolerance", "densify_edges", "edge_deviation_m",
           "geodesic_bounds", "geodesic_midpoints", "ring_ends", "split_edges"]
