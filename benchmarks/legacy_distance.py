"""The core's distance search as it was before issue 12 (issue 9's ``dashboard/geo/distance.py``),
kept only so the benchmarks can run today's code and the previous code side by side.

Numpy branch-and-bound over ECEF capsules (64 top nodes scanned for every
point), then four ``Geod`` calls per candidate segment; inside test on polygons
segmentized in plain lon/lat.  Not used by the package.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from shapely import STRtree

from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import GEOD, MEAN_RADIUS_KM, MIN_CURVATURE_RADIUS_KM, to_ecef_km

#: Segments longer than this are split along their geodesic before indexing (km).
MAX_SEGMENT_KM: float = 5.0
#: Children per node of the segment hierarchy.
GROUP: int = 8
#: Stop adding levels when the top has at most this many nodes.
TOP_NODES: int = 64
#: Points processed per batch (bounds memory; progress is reported per batch).
BATCH_POINTS: int = 20_000
#: Newton steps when finding the foot of the perpendicular on a segment.
NEWTON_STEPS: int = 1
#: Degrees; polygons are segmentized to this before the inside test.
_INSIDE_SEGMENT_DEG: float = 0.04

RESULT_COLUMNS: tuple[str, ...] = (
    "feature", "feature_index", "distance_km", "nearest_lon", "nearest_lat", "azimuth_deg",
    "inside", "boundary_km", "boundary_lon", "boundary_lat",
)

_AUTO_ID_FIELDS: tuple[str, ...] = ("id", "iso_a2", "iso_3166_2", "geonameid", "name")


@dataclass
class _Level:
    """One level of the search hierarchy: a capsule (axis from ``a`` along ``v``,
    radius ``tau`` km) around each group of consecutive segments, as 1-D arrays."""

    ax: np.ndarray
    ay: np.ndarray
    az: np.ndarray
    vx: np.ndarray
    vy: np.ndarray
    vz: np.ndarray
    inv_vv: np.ndarray   # 1/|v|², 0 for a degenerate axis
    tau: np.ndarray

    def __len__(self) -> int:
        return len(self.ax)


@dataclass
class SegmentIndex:
    """A layer cut into geodesic segments, with the ECEF search hierarchy.

    Build with :func:`build_index`; reused across calls through a small cache.
    """

    a_lon: np.ndarray
    a_lat: np.ndarray
    az_ab: np.ndarray      # azimuth at A towards B, degrees
    len_km: np.ndarray     # geodesic length, km
    A: np.ndarray          # (S, 3) ECEF km
    B: np.ndarray
    feat: np.ndarray       # (S,) positional feature index
    sag_km: float          # largest gap between a segment's arc and its chord
    seg: _Level            # the segments themselves as zero-radius capsules
    levels: list[_Level]   # levels[0] is the level just above the segments
    polygons: np.ndarray   # densified polygonal geometries (object array) or empty
    polygon_feat: np.ndarray
    polygon_tree: STRtree | None
    n_features: int


# ---------------------------------------------------------------------- building
def _explode(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single-part geometries and their feature index (collections flattened)."""
    idx = np.arange(len(geoms))
    parts, pidx = geoms, idx
    for _ in range(8):
        types = shapely.get_type_id(parts)
        if not np.isin(types, (4, 5, 6, 7)).any():
            break
        sub, sidx = shapely.get_parts(parts, return_index=True)
        parts, pidx = sub, pidx[sidx]
    keep = ~(shapely.is_missing(parts) | shapely.is_empty(parts))
    return parts[keep], pidx[keep]


def _morton_key(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Z-order (Morton) key of lon/lat on a 2^16 grid: nearby places get nearby keys."""
    def spread(v: np.ndarray) -> np.ndarray:
        v = v.astype(np.uint64) & np.uint64(0xFFFF)
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            v = (v | (v << np.uint64(shift))) & np.uint64(mask)
        return v

    x = np.clip((np.asarray(lon) + 180.0) / 360.0 * 65535, 0, 65535)
    y = np.clip((np.asarray(lat) + 90.0) / 180.0 * 65535, 0, 65535)
    return spread(x) | (spread(y) << np.uint64(1))


def _segments(geoms: np.ndarray):
    """Segment endpoints (lon/lat) and feature index; parts in a spatial (Z-) order
    so that consecutive segments are near each other, which keeps the search
    hierarchy's bounding capsules tight."""
    parts, pfeat = _explode(geoms)
    types = shapely.get_type_id(parts)
    polys = types == 3
    rings, ridx = shapely.get_rings(parts[polys], return_index=True)
    ring_feat = pfeat[polys][ridx]
    line_mask = (types == 1) | (types == 2)
    lines = np.concatenate([parts[line_mask], rings])
    line_feat = np.concatenate([pfeat[line_mask], ring_feat])
    if len(lines) > 1:
        first = shapely.get_coordinates(shapely.get_point(lines, 0))
        order = np.argsort(_morton_key(first[:, 0], first[:, 1]), kind="stable")
        lines, line_feat = lines[order], line_feat[order]
    coords, cidx = shapely.get_coordinates(lines, return_index=True)
    same = cidx[1:] == cidx[:-1]
    a = coords[:-1][same]
    b = coords[1:][same]
    feat = line_feat[cidx[:-1][same]]
    # drop repeated vertices (zero-length edges) of lines
    nz = (a != b).any(axis=1)
    a, b, feat = a[nz], b[nz], feat[nz]
    pts = parts[types == 0]
    if len(pts):
        pc = shapely.get_coordinates(pts)
        pf = pfeat[types == 0]
        order = np.argsort(_morton_key(pc[:, 0], pc[:, 1]), kind="stable")
        a = np.concatenate([a, pc[order]])
        b = np.concatenate([b, pc[order]])
        feat = np.concatenate([feat, pf[order]])
    return a, b, feat


def _densify(a: np.ndarray, b: np.ndarray, feat: np.ndarray, max_km: float):
    az, _, d = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    d = np.asarray(d) / 1000.0
    az = np.asarray(az)
    k = np.maximum(np.ceil(d / max_km).astype(np.int64), 1)
    if (k == 1).all():
        return a, b, feat, az, d
    seg = np.repeat(np.arange(len(a)), k)
    starts = np.repeat(np.cumsum(k) - k, k)
    j = np.arange(len(seg)) - starts
    kk = k[seg]
    f0 = j / kk
    f1 = (j + 1) / kk
    lon0, lat0, _ = GEOD.fwd(a[seg, 0], a[seg, 1], az[seg], f0 * d[seg] * 1000.0)
    lon1, lat1, _ = GEOD.fwd(a[seg, 0], a[seg, 1], az[seg], f1 * d[seg] * 1000.0)
    lon0, lat0, lon1, lat1 = (np.asarray(v) for v in (lon0, lat0, lon1, lat1))
    first = j == 0
    last = j == kk - 1
    lon0[first], lat0[first] = a[seg[first], 0], a[seg[first], 1]
    lon1[last], lat1[last] = b[seg[last], 0], b[seg[last], 1]
    na = np.column_stack([lon0, lat0])
    nb = np.column_stack([lon1, lat1])
    az2, _, d2 = GEOD.inv(na[:, 0], na[:, 1], nb[:, 0], nb[:, 1])
    return na, nb, feat[seg], np.asarray(az2), np.asarray(d2) / 1000.0


def _point_segment_dist(P: np.ndarray, A: np.ndarray, B: np.ndarray,
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean distance from P to segment AB (rows), and the parameter t in [0, 1]."""
    v = B - A
    w = P - A
    vv = np.einsum("ij,ij->i", v, v)
    t = np.einsum("ij,ij->i", w, v) / np.where(vv > 0, vv, 1.0)
    t = np.clip(np.where(vv > 0, t, 0.0), 0.0, 1.0)
    diff = w - t[:, None] * v
    return np.sqrt(np.einsum("ij,ij->i", diff, diff)), t


def _build_levels(A: np.ndarray, B: np.ndarray, sag: float) -> list[_Level]:
    levels: list[_Level] = []
    S = len(A)
    size = 1
    while True:
        size *= GROUP
        n = -(-S // size)
        starts = np.arange(n) * size
        ends = np.minimum(starts + size, S)  # exclusive
        cap_a = A[starts]
        cap_b = B[ends - 1]
        node = np.arange(S) // size
        da, _ = _point_segment_dist(A, cap_a[node], cap_b[node])
        db, _ = _point_segment_dist(B, cap_a[node], cap_b[node])
        tau = np.maximum.reduceat(np.maximum(da, db), starts) + sag + 1e-9
        v = cap_b - cap_a
        vv = np.einsum("ij,ij->i", v, v)
        inv_vv = np.where(vv > 0, 1.0 / np.where(vv > 0, vv, 1.0), 0.0)
        levels.append(_Level(*(np.ascontiguousarray(c) for c in cap_a.T),
                             *(np.ascontiguousarray(c) for c in v.T), inv_vv, tau))
        if n <= TOP_NODES:
            break
    return levels


def build_index(gdf: gpd.GeoDataFrame | gpd.GeoSeries | Sequence) -> SegmentIndex:
    """Cut a layer into geodesic segments and build the search hierarchy.

    Raises :class:`InputError` when the layer has no geometry to measure to.
    """
    geoms = np.asarray(getattr(gdf, "geometry", gdf).values if hasattr(gdf, "geometry")
                       else gdf, dtype=object)
    if len(geoms) == 0:
        raise InputError("the layer has no features to measure to")
    a, b, feat = _segments(geoms)
    if len(a) == 0:
        raise InputError("the layer has no geometry to measure to")
    coords = np.concatenate([a, b])
    if (np.abs(coords[:, 0]) > 180 + 1e-9).any() or (np.abs(coords[:, 1]) > 90 + 1e-9).any():
        raise InputError("the layer has coordinates outside lon ±180 / lat ±90 "
                         "(projected?); use WGS84 longitude/latitude")
    a, b, feat, az, length = _densify(a, b, feat, MAX_SEGMENT_KM)
    A = to_ecef_km(a[:, 0], a[:, 1])
    B = to_ecef_km(b[:, 0], b[:, 1])
    sag = float(length.max() ** 2 / (8 * MIN_CURVATURE_RADIUS_KM)) if len(length) else 0.0
    levels = _build_levels(A, B, sag)
    v = B - A
    vv = np.einsum("ij,ij->i", v, v)
    seg = _Level(*(np.ascontiguousarray(c) for c in A.T), *(np.ascontiguousarray(c) for c in v.T),
                 np.where(vv > 0, 1.0 / np.where(vv > 0, vv, 1.0), 0.0), np.zeros(len(A)))
    # polygons for the inside test
    parts, pfeat = _explode(geoms)
    types = shapely.get_type_id(parts)
    poly = parts[types == 3]
    poly_feat = pfeat[types == 3]
    if len(poly):
        poly = shapely.segmentize(poly, _INSIDE_SEGMENT_DEG)
        shapely.prepare(poly)
        tree = STRtree(poly)
    else:
        tree = None
    return SegmentIndex(a[:, 0].copy(), a[:, 1].copy(), az, length, A, B, feat, sag, seg, levels,
                        poly, poly_feat, tree, len(geoms))


def _geometry_array(gdf) -> np.ndarray:
    return np.asarray(gdf.geometry.values if hasattr(gdf, "geometry") else gdf, dtype=object)


def get_index(gdf) -> SegmentIndex:
    """:func:`build_index` (no cache: the benchmark builds it once)."""
    return build_index(_geometry_array(gdf))


# ---------------------------------------------------------------------- search
def _rank_tolerance(d_km: np.ndarray, sag: float) -> np.ndarray:
    """How much worse (in chord km) a segment may look and still be the geodesic nearest.

    Chord and geodesic differ by d³/(24 ρ²) with ρ the ellipsoid's curvature
    radius in the direction of travel (6335..6400 km), so two candidates at the
    same geodesic distance differ in chord by at most ~2.2e-11·d³ km; the arc of a
    segment may lie up to ``sag`` from its chord.
    """
    return 2 * sag + 1e-6 + 5e-11 * d_km**3 + 1e-9 * d_km


def _capsule(px, py, pz, pi, ni, lv: _Level):
    """(distance to the group's first vertex, lower bound of distance to the group) per pair."""
    wx = np.take(px, pi) - np.take(lv.ax, ni)
    wy = np.take(py, pi) - np.take(lv.ay, ni)
    wz = np.take(pz, pi) - np.take(lv.az, ni)
    vx, vy, vz = np.take(lv.vx, ni), np.take(lv.vy, ni), np.take(lv.vz, ni)
    first = np.sqrt(wx * wx + wy * wy + wz * wz)
    t = (wx * vx + wy * vy + wz * vz) * np.take(lv.inv_vv, ni)
    np.clip(t, 0.0, 1.0, out=t)
    wx -= t * vx
    wy -= t * vy
    wz -= t * vz
    lb = np.sqrt(wx * wx + wy * wy + wz * wz) - np.take(lv.tau, ni)
    return first, lb, t


_MAX_PAIRS = 8_000_000


def _candidates(P: np.ndarray, index: SegmentIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate (point, segment) pairs for a batch of ECEF points, with chord parameter t.

    A batch whose pairs would exceed ``_MAX_PAIRS`` (points equidistant from very
    many segments, e.g. the centre of a detailed circle) is split in two.
    """
    n = len(P)
    px, py, pz = (np.ascontiguousarray(P[:, k]) for k in range(3))
    n_top = len(index.levels[-1])
    pi = np.repeat(np.arange(n), n_top)
    ni = np.tile(np.arange(n_top), n)
    U = np.full(n, np.inf)
    for li in range(len(index.levels) - 1, -1, -1):
        lv = index.levels[li]
        first, lb, _ = _capsule(px, py, pz, pi, ni, lv)
        np.minimum.at(U, pi, first)
        bound = U + _rank_tolerance(U, index.sag_km)
        keep = lb <= np.take(bound, pi)
        pi, ni = pi[keep], ni[keep]
        n_child = len(index.levels[li - 1]) if li > 0 else len(index.seg)
        if len(pi) * GROUP > _MAX_PAIRS and n > 1:
            h = n // 2
            a = _candidates(P[:h], index)
            b = _candidates(P[h:], index)
            return (np.concatenate([a[0], b[0] + h]), np.concatenate([a[1], b[1]]),
                    np.concatenate([a[2], b[2]]))
        child = (ni[:, None] * GROUP + np.arange(GROUP)[None, :]).ravel()
        valid = child < n_child
        pi = np.repeat(pi, GROUP)[valid]
        ni = child[valid]
    _, d, t = _capsule(px, py, pz, pi, ni, index.seg)
    best = np.full(n, np.inf)
    np.minimum.at(best, pi, d)
    bound = best + _rank_tolerance(best, index.sag_km)
    keep = d <= np.take(bound, pi)
    pi, ni, t = pi[keep], ni[keep], t[keep]
    # adjacent segments whose nearest point is their shared vertex: keep one
    dup = np.zeros(len(pi), dtype=bool)
    if len(pi) > 1:
        dup[1:] = ((pi[1:] == pi[:-1]) & (ni[1:] == ni[:-1] + 1) & (t[:-1] >= 1.0)
                   & (t[1:] <= 0.0))
        j = np.flatnonzero(dup)
        same_vertex = (index.B[ni[j - 1]] == index.A[ni[j]]).all(axis=1)
        dup[j[~same_vertex]] = False
    return pi[~dup], ni[~dup], t[~dup]


def _refine(plon: np.ndarray, plat: np.ndarray, seg: np.ndarray, t: np.ndarray,
            index: SegmentIndex):
    """Exact nearest point on each candidate geodesic segment; returns d_km, lon, lat, azimuth."""
    a_lon, a_lat = index.a_lon[seg], index.a_lat[seg]
    az, L = index.az_ab[seg], index.len_km[seg]
    moving = L > 1e-9
    t = np.where(moving, t, 0.0)
    R = MEAN_RADIUS_KM
    for _ in range(NEWTON_STEPS):
        if not moving.any():
            break
        m = moving
        flon, flat, fbaz = GEOD.fwd(a_lon[m], a_lat[m], az[m], t[m] * L[m] * 1000.0)
        az_fp, _, dfp = GEOD.inv(flon, flat, plon[m], plat[m])
        theta = np.radians(np.asarray(az_fp) - (np.asarray(fbaz) + 180.0))
        dd = np.asarray(dfp) / 1000.0 / R
        along = R * np.arctan2(np.sin(dd) * np.cos(theta), np.cos(dd))
        t[m] = np.clip(t[m] + along / L[m], 0.0, 1.0)
    flon, flat, _ = GEOD.fwd(a_lon, a_lat, az, t * L * 1000.0)
    flon, flat = np.asarray(flon), np.asarray(flat)
    az_pf, _, d = GEOD.inv(plon, plat, flon, flat)
    return np.asarray(d) / 1000.0, flon, flat, np.mod(np.asarray(az_pf), 360.0)


def _best_per_point(pi: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Index (into the pair arrays) of the smallest d for each point, pairs sorted by point."""
    order = np.lexsort((d, pi))
    ps = pi[order]
    first = np.ones(len(ps), dtype=bool)
    first[1:] = ps[1:] != ps[:-1]
    return order[first]


def _nearest_arrays(lon: np.ndarray, lat: np.ndarray, index: SegmentIndex,
                    progress: Callable[[int, int], None] | None = None) -> dict[str, np.ndarray]:
    n = len(lon)
    out = {
        "seg": np.zeros(n, dtype=np.int64),
        "d": np.zeros(n), "lon": np.zeros(n), "lat": np.zeros(n), "az": np.zeros(n),
    }
    for s in range(0, n, BATCH_POINTS):
        e = min(s + BATCH_POINTS, n)
        P = to_ecef_km(lon[s:e], lat[s:e])
        pi, seg, t = _candidates(P, index)
        plon, plat = lon[s:e][pi], lat[s:e][pi]
        d, flon, flat, az = _refine(plon, plat, seg, t.copy(), index)
        best = _best_per_point(pi, d)
        rows = s + pi[best]
        out["seg"][rows] = seg[best]
        out["d"][rows] = d[best]
        out["lon"][rows] = flon[best]
        out["lat"][rows] = flat[best]
        out["az"][rows] = az[best]
        if progress is not None:
            progress(e, n)
    return out


def _inside(lon: np.ndarray, lat: np.ndarray, index: SegmentIndex) -> np.ndarray:
    """Positional feature index of a polygon containing each point, or -1.

    Candidates come from the polygons' bounding boxes (STRtree); the exact test
    runs polygon by polygon on its candidate points (prepared, vectorised), so
    the Python loop is over polygons, never over points.
    """
    res = np.full(len(lon), -1, dtype=np.int64)
    if index.polygon_tree is None or len(lon) == 0:
        return res
    for s in range(0, len(lon), 500_000):
        e = min(s + 500_000, len(lon))
        pidx, gidx = index.polygon_tree.query(shapely.points(lon[s:e], lat[s:e]))
        if not len(pidx):
            continue
        order = np.argsort(gidx, kind="stable")
        pidx, gidx = pidx[order], gidx[order]
        bounds = np.flatnonzero(np.r_[True, gidx[1:] != gidx[:-1], True])
        hit_p, hit_f = [], []
        for b0, b1 in zip(bounds[:-1], bounds[1:]):
            g = gidx[b0]
            pts = pidx[b0:b1]
            inside = shapely.contains_xy(index.polygons[g], lon[s:e][pts], lat[s:e][pts])
            hit_p.append(pts[inside])
            hit_f.append(np.full(int(inside.sum()), index.polygon_feat[g]))
        hp = np.concatenate(hit_p)
        hf = np.concatenate(hit_f)
        if len(hp):
            # the lowest feature index wins where polygons overlap
            order = np.lexsort((hf, hp))
            ps = hp[order]
            first = np.ones(len(ps), dtype=bool)
            first[1:] = ps[1:] != ps[:-1]
            res[s + ps[first]] = hf[order][first]
    return res


def _as_points(lons: ArrayLike, lats: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
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
            *, progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
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
        Called after each batch of points (for progress bars).

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
    lon, lat = _as_points(lons, lats)
    if len(lon) == 0:
        return pd.DataFrame({c: [] for c in RESULT_COLUMNS})
    if gdf is None or len(gdf) == 0:
        raise InputError("the layer has no features to measure to")
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)  # measure in WGS84 lon/lat whatever the layer came in
    field = pick_id_field(gdf, id_field)
    index = get_index(gdf)
    res = _nearest_arrays(lon, lat, index, progress)
    inside_feat = _inside(lon, lat, index)
    inside = inside_feat >= 0
    feat_idx = np.where(inside, inside_feat, index.feat[res["seg"]])
    labels = gdf[field].to_numpy() if field else gdf.index.to_numpy()
    return pd.DataFrame({
        "feature": labels[feat_idx],
        "feature_index": feat_idx,
        "distance_km": np.where(inside, 0.0, res["d"]),
        "nearest_lon": np.where(inside, lon, res["lon"]),
        "nearest_lat": np.where(inside, lat, res["lat"]),
        "azimuth_deg": np.where(inside | (res["d"] < 1e-9), np.nan, res["az"]),
        "inside": inside,
        "boundary_km": res["d"],
        "boundary_lon": res["lon"],
        "boundary_lat": res["lat"],
    })
