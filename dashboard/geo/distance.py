"""Geodesic distance from many points to the nearest feature of a layer.

How it works (no Python loop per point):

1. The layer is cut into geodesic segments of at most 5 km and indexed as a
   tree of capsules in Earth-centred 3-D space (:mod:`dashboard.geo.segindex`).
2. A compiled branch-and-bound (:mod:`dashboard.geo.kernel`) finds, for each
   point, the segments whose chord may hold the geodesic nearest point: almost
   always one.
3. Refinement: the foot of the chord perpendicular is lifted onto the
   ellipsoid (it lies on the segment's geodesic, and within 0.1 mm of the
   geodesic nearest point up to 1,500 km away) and one vectorised
   ``Geod.inv`` from the point gives the distance and azimuth.
4. Polygons: points inside (``shapely`` on the polygon densified along its
   geodesic edges to 0.1 m, :mod:`dashboard.geo.edges`) get distance 0 and
   ``inside=True``; ``boundary_km`` still gives the distance to the nearest edge.

Points go in chunks of :data:`BATCH_POINTS`, run in :data:`WORKERS` threads (the
kernel, ``Geod`` and shapely release the GIL).  Longitudes are expected in
-180..180; geometries that cross the antimeridian are measured correctly but
the inside test treats them in plain lon/lat.

:func:`nearest` takes a GeoDataFrame and returns a DataFrame;
:func:`nearest_records` is the same measurement on a ready
:class:`~dashboard.geo.segindex.SegmentIndex` and the features' labels, in plain
arrays, with the search compiled or plain (``jit``): what the command line uses for
a typed position with an index prepared once (:mod:`dashboard.io.prepared_layers`),
with no pandas, geopandas or numba to import.  This module imports neither at load.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import ArrayLike

from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import GEOD, WGS84_A_KM, WGS84_B_KM, WGS84_E2, to_ecef_km
from dashboard.geo.kernel import candidates, compiled, lift_feet
from dashboard.geo.segindex import MAX_SEGMENT_KM, SegmentIndex, build_index, get_index

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    from shapely import STRtree

#: Points per chunk (bounds memory; progress is reported per chunk).
BATCH_POINTS: int = 65_536
#: Threads that measure chunks at once (the kernel, Geod and shapely release the GIL).
WORKERS: int = max(1, min(os.cpu_count() or 1, 8))

RESULT_COLUMNS: tuple[str, ...] = (
    "feature", "feature_index", "distance_km", "nearest_lon", "nearest_lat", "azimuth_deg",
    "inside", "boundary_km", "boundary_lon", "boundary_lat",
)

_AUTO_ID_FIELDS: tuple[str, ...] = ("id", "iso_a2", "iso_3166_2", "geonameid", "name")


def _refine(plon: np.ndarray, plat: np.ndarray, seg: np.ndarray, t: np.ndarray,
            index: SegmentIndex, jit: bool = True) -> tuple:
    """Geodesic distance (km), position (degrees) and azimuth (degrees) from each
    point to the lifted chord foot at ``t`` on its candidate segment."""
    lift = compiled("lift_feet") if jit else lift_feet
    flon, flat = lift(seg, t, index.nodes, index.a_lonlat, index.b_lonlat, WGS84_A_KM,
                      WGS84_B_KM, WGS84_E2)
    az, _, d = GEOD.inv(plon, plat, flon, flat, return_back_azimuth=False)
    return np.asarray(d) / 1000.0, flon, flat, np.mod(np.asarray(az), 360.0)


def _best_per_point(pi: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Index (into the pair arrays) of the smallest d for each point; the pairs of a
    point are consecutive (as :func:`~dashboard.geo.kernel.candidates` returns them)."""
    if len(pi) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, pi[1:] != pi[:-1]])
    if len(starts) == len(pi):  # one candidate a point: the usual case
        return starts
    group = np.cumsum(np.r_[True, pi[1:] != pi[:-1]]) - 1
    low = np.minimum.reduceat(d, starts)
    hit = np.flatnonzero(d <= low[group])
    first = np.r_[True, group[hit][1:] != group[hit][:-1]]
    return hit[first]


def _chunk(lon: np.ndarray, lat: np.ndarray, index: SegmentIndex,
           jit: bool = True, boundary: bool = True) -> dict[str, np.ndarray]:
    """Nearest segment, distance, position, azimuth and containing polygon of each point.

    ``boundary=False`` searches no edge for a point inside a polygon (its distance is
    0 whatever the edge): ``seg`` 0 and NaN ``d``, ``lon``, ``lat``, ``az`` there."""
    n = len(lon)
    inside = _inside(lon, lat, index)
    todo = np.arange(n) if boundary else np.flatnonzero(inside < 0)
    fill = 0.0 if boundary else np.nan
    out = {"seg": np.zeros(n, np.int64), "d": np.full(n, fill), "lon": np.full(n, fill),
           "lat": np.full(n, fill), "az": np.full(n, fill)}
    if len(todo):
        tl, tt = lon[todo], lat[todo]
        pi, seg, t = candidates(tl, tt, to_ecef_km(tl, tt), index, jit)
        d, flon, flat, az = _refine(tl[pi], tt[pi], seg, t, index, jit)
        best = _best_per_point(pi, d)
        rows = todo[pi[best]]
        for key, val in (("seg", seg), ("d", d), ("lon", flon), ("lat", flat), ("az", az)):
            out[key][rows] = val[best]
    out["inside"] = inside
    return out


def nearest_arrays(lon: np.ndarray, lat: np.ndarray, index: SegmentIndex,
                   progress: Callable[[int, int], None] | None = None,
                   workers: int | None = None, jit: bool = True,
                   boundary: bool = True) -> dict[str, np.ndarray]:
    """The kernel over many points, in chunks and threads; arrays keyed
    ``seg``, ``d`` (km), ``lon``, ``lat``, ``az`` (degrees) and ``inside``
    (containing polygon's feature index or -1), in input order.  ``jit=False``
    runs the search as plain Python (same answers, no numba; for a few points);
    ``boundary=False`` skips the edge search of points inside a polygon (NaN there)."""
    n = len(lon)
    bounds = [(s, min(s + BATCH_POINTS, n)) for s in range(0, n, BATCH_POINTS)]
    workers = WORKERS if workers is None else max(1, int(workers))
    parts: list[dict[str, np.ndarray]] = []
    if workers == 1 or len(bounds) == 1:
        for s, e in bounds:
            parts.append(_chunk(lon[s:e], lat[s:e], index, jit, boundary))
            if progress is not None:
                progress(e, n)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_chunk, lon[s:e], lat[s:e], index, jit, boundary)
                       for s, e in bounds]
            for (_, e), fut in zip(bounds, futures):
                parts.append(fut.result())
                if progress is not None:
                    progress(e, n)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


#: One thread at a time in :func:`_inside`: two chunks measured at once crashed in GEOS.
_GEOS_LOCK = threading.Lock()


def _inside(lon: np.ndarray, lat: np.ndarray, index: SegmentIndex) -> np.ndarray:
    """Positional feature index of a polygon containing each point, or -1.

    Candidates come from the polygons' bounding boxes (STRtree); the exact test
    runs polygon by polygon on its candidate points (prepared, vectorised, on the
    polygon densified along its geodesic edges), so the Python loop is over
    polygons, never over points.
    """
    res = np.full(len(lon), -1, dtype=np.int64)
    if index.polygon_tree is None or len(lon) == 0:
        return res
    with _GEOS_LOCK:  # GEOS's prepared polygons and trees are not safe across threads
        return _inside_locked(lon, lat, index, index.polygon_tree, res)


def _inside_locked(lon: np.ndarray, lat: np.ndarray, index: SegmentIndex, tree: STRtree,
                   res: np.ndarray) -> np.ndarray:
    pidx, gidx = tree.query(shapely.points(lon, lat))
    if not len(pidx):
        return res
    order = np.argsort(gidx, kind="stable")
    pidx, gidx = pidx[order], gidx[order]
    bounds = np.flatnonzero(np.r_[True, gidx[1:] != gidx[:-1], True])
    hit_p, hit_f = [], []
    for b0, b1 in zip(bounds[:-1], bounds[1:]):
        g, pts = gidx[b0], pidx[b0:b1]
        inside = shapely.contains_xy(index.polygons[g], lon[pts], lat[pts])
        hit_p.append(pts[inside])
        hit_f.append(np.full(int(inside.sum()), index.polygon_feat[g]))
    hp, hf = np.concatenate(hit_p), np.concatenate(hit_f)
    if len(hp):  # the lowest feature index wins where polygons overlap
        order = np.lexsort((hf, hp))
        ps = hp[order]
        first = np.ones(len(ps), dtype=bool)
        first[1:] = ps[1:] != ps[:-1]
        res[ps[first]] = hf[order][first]
    return res


def as_points(lons: ArrayLike, lats: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (degrees) as equal-length float arrays, checked:
    :class:`InputError` for NaN, a latitude past ±90 or a longitude past ±180."""
    lon = np.atleast_1d(np.asarray(lons, dtype=float)).ravel()
    lat = np.atleast_1d(np.asarray(lats, dtype=float)).ravel()
    if lon.shape != lat.shape:
        raise InputError(f"got {len(lon)} longitudes but {len(lat)} latitudes")
    bad = ~(np.isfinite(lon) & np.isfinite(lat)) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{int(bad.sum())} point(s) have no valid lon/lat (first: point {i + 1}, "
                         f"lon={lon[i]:g}, lat={lat[i]:g}); longitude must be within ±180, "
                         "latitude within ±90")
    return lon, lat


def pick_id_field(gdf: gpd.GeoDataFrame, id_field: str | None = None) -> str | None:
    """The column naming features: ``id_field`` if given, else the first of
    id, iso_a2, iso_3166_2, geonameid, name present; None means the row label."""
    if id_field is not None:
        if id_field not in gdf.columns:
            raise InputError(f"the layer has no field {id_field!r}; fields: "
                             f"{', '.join(c for c in gdf.columns if c != gdf.geometry.name)}")
        return id_field
    return next((c for c in _AUTO_ID_FIELDS if c in gdf.columns), None)


def nearest(lons: ArrayLike, lats: ArrayLike, gdf: gpd.GeoDataFrame, id_field: str | None = None,
            *, progress: Callable[[int, int], None] | None = None,
            workers: int | None = None, jit: bool = True, boundary: bool = True) -> pd.DataFrame:
    """Nearest feature of ``gdf`` to each point, by geodesic distance on WGS84.

    Parameters
    ----------
    lons, lats : array_like
        Longitudes and latitudes of the points, degrees (any number of points).
    gdf : GeoDataFrame
        The layer (points, lines, polygons or a mix; EPSG:4326 lon/lat).  Edges
        are geodesics between consecutive vertices.
    id_field : str, optional
        Column that names features; by default the first of ``id``, ``iso_a2``,
        ``iso_3166_2``, ``geonameid``, ``name``, else the row label.
    progress : callable(done, total), optional
        Called after each chunk of points (for progress bars).
    workers : int, optional
        Threads to use (default :data:`WORKERS`).
    jit : bool
        The compiled search (default), or ``False``: the same search as plain Python,
        the same numbers, with no numba to load (for a few points).
    boundary : bool
        ``False``: no edge is searched for a point inside a polygon, so its
        ``boundary_*`` are NaN (every other column is the same); for callers that
        need only ``feature`` and ``distance_km`` of many points.

    Returns
    -------
    DataFrame
        One row per input point, in input order, with columns

        - ``feature``: id/name of the nearest feature (the containing one when inside)
        - ``feature_index``: its position in ``gdf`` (0-based, as ``gdf.iloc``)
        - ``distance_km``: geodesic distance to it, km (0 inside a polygon)
        - ``nearest_lon``, ``nearest_lat``: nearest point of the feature, degrees
          (the point itself when inside)
        - ``azimuth_deg``: initial azimuth from the point to the nearest point,
          degrees in [0, 360) (NaN when inside or at distance 0)
        - ``inside``: True when the point lies in a polygon of the layer
        - ``boundary_km``, ``boundary_lon``, ``boundary_lat``: distance to and position
          of the nearest edge or vertex of the layer (for points outside every
          polygon the same as the nearest point)

    Raises
    ------
    InputError
        Invalid coordinates, or a layer with nothing to measure to.
    """
    import pandas as pd

    lon, lat = as_points(lons, lats)
    if len(lon) == 0:
        return pd.DataFrame({c: [] for c in RESULT_COLUMNS})
    if gdf is None or len(gdf) == 0:
        raise InputError("the layer has no features to measure to")
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)  # measure in WGS84 lon/lat whatever the layer came in
    field = pick_id_field(gdf, id_field)
    labels = gdf[field].to_numpy() if field else gdf.index.to_numpy()
    rec = nearest_records(lon, lat, get_index(gdf), labels, progress=progress, workers=workers,
                          jit=jit, boundary=boundary)
    return pd.DataFrame(rec)


def nearest_records(lon: np.ndarray, lat: np.ndarray, index: SegmentIndex, labels: np.ndarray,
                    *, progress: Callable[[int, int], None] | None = None,
                    workers: int | None = None, jit: bool = True,
                    boundary: bool = True) -> dict[str, np.ndarray]:
    """:func:`nearest`'s columns (:data:`RESULT_COLUMNS`) as arrays, for points already
    checked (:func:`as_points`), a layer's ready ``index`` and its features' ``labels``
    (one a feature, in layer order).  ``jit=False`` runs the plain-Python search
    (the same numbers; no numba import) for a few points; ``boundary=False``: see
    :func:`nearest`."""
    res = nearest_arrays(lon, lat, index, progress, workers, jit, boundary)
    inside_feat = res["inside"]
    inside = inside_feat >= 0
    feat_idx = np.where(inside, inside_feat, index.feat[res["seg"]])
    return {
        "feature": np.asarray(labels)[feat_idx],
        "feature_index": feat_idx,
        "distance_km": np.where(inside, 0.0, res["d"]),
        "nearest_lon": np.where(inside, lon, res["lon"]),
        "nearest_lat": np.where(inside, lat, res["lat"]),
        "azimuth_deg": np.where(inside | (res["d"] < 1e-9), np.nan, res["az"]),
        "inside": inside,
        "boundary_km": res["d"],
        "boundary_lon": res["lon"],
        "boundary_lat": res["lat"],
    }


__all__ = ["BATCH_POINTS", "MAX_SEGMENT_KM", "RESULT_COLUMNS", "SegmentIndex", "WORKERS",
           "as_points", "build_index", "get_index", "nearest", "nearest_arrays",
           "nearest_records", "pick_id_field"]
