"""A layer cut into short geodesic segments, indexed in Earth-centred 3-D space.

1. Lines and polygon rings are cut into consecutive vertex pairs (each edge a
   geodesic); points become zero-length segments.  Edges longer than
   :data:`MAX_SEGMENT_KM` are split along their geodesic, so a segment's chord
   lies within 0.5 m of its arc.
2. Endpoints go to ECEF (km, on the ellipsoid): the chord between two surface
   points ranks candidates like the geodesic does, with no projection centre
   and no distortion that grows away from one.
3. Parts are put in Z-order, so consecutive segments are near each other, and
   grouped :data:`GROUP` at a time, the groups again, up to one root: each group
   gets a bounding capsule (an axis and a radius, km).  The search kernel
   (:mod:`dashboard.geo.kernel`) walks this tree.
4. Polygons are kept, densified along their geodesic edges
   (:func:`dashboard.geo.edges.densify_edges`), for the inside test.

An index is built once per layer and process (:func:`get_index`), or turned into
plain arrays (:func:`index_arrays`) that a store keeps between processes and
:func:`index_from_arrays` turns back into the same index, bit for bit.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely import STRtree

from dashboard.geo.cache import content_token, memoize
from dashboard.geo.edges import densify_edges
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import GEOD, MIN_CURVATURE_RADIUS_KM, to_ecef_km

if TYPE_CHECKING:
    import geopandas as gpd

#: Segments longer than this are split along their geodesic before indexing (km).
MAX_SEGMENT_KM: float = 5.0
#: Children per node of the segment tree.
GROUP: int = 8
#: Columns of :attr:`SegmentIndex.nodes`: capsule start (3), axis (3), 1/|axis|², radius.
NODE_FIELDS: tuple[str, ...] = ("ax", "ay", "az", "vx", "vy", "vz", "inv_vv", "tau")


@dataclass
class SegmentIndex:
    """A layer as geodesic segments with their ECEF capsule tree.

    ``nodes`` holds every level, segments first (radius 0), then the groups up to
    the root; level ``l`` occupies rows ``level_off[l]:level_off[l] + level_count[l]``,
    and node ``i`` of level ``l > 0`` has children ``i*GROUP .. i*GROUP+GROUP-1``
    of level ``l - 1``.  Build with :func:`build_index` (cached by :func:`get_index`).
    """

    a_lonlat: np.ndarray       # (S, 2) segment starts, degrees
    b_lonlat: np.ndarray       # (S, 2) segment ends, degrees
    A: np.ndarray              # (S, 3) segment starts, ECEF km
    B: np.ndarray              # (S, 3) segment ends
    feat: np.ndarray           # (S,) positional feature index
    prev: np.ndarray           # (S,) segment ending where this one starts, or -1
    next: np.ndarray           # (S,) segment starting where this one ends, or -1
    sag_km: float              # largest gap between a segment's arc and its chord
    nodes: np.ndarray          # (N, 8) float, NODE_FIELDS
    level_off: np.ndarray      # (H + 1,) int
    level_count: np.ndarray    # (H + 1,) int
    polygons: np.ndarray       # polygons densified along their geodesic edges
    polygon_feat: np.ndarray
    polygon_tree: STRtree | None
    n_features: int
    group: int = GROUP         # children per node

    @property
    def n_segments(self) -> int:
        """Number of segments (leaves of the tree)."""
        return len(self.A)


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


def morton_key(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Z-order (Morton) key of lon/lat degrees on a 2^16 grid: nearby places get
    nearby keys."""
    def spread(v: np.ndarray) -> np.ndarray:
        v = v.astype(np.uint64) & np.uint64(0xFFFF)
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            v = (v | (v << np.uint64(shift))) & np.uint64(mask)
        return v

    x = np.clip((np.asarray(lon) + 180.0) / 360.0 * 65535, 0, 65535)
    y = np.clip((np.asarray(lat) + 90.0) / 180.0 * 65535, 0, 65535)
    return spread(x) | (spread(y) << np.uint64(1))


def _segments(parts: np.ndarray, pfeat: np.ndarray) -> tuple:
    """Segment endpoints (lon/lat), feature index and line id; parts in Z-order."""
    types = shapely.get_type_id(parts)
    polys = types == 3
    rings, ridx = shapely.get_rings(parts[polys], return_index=True)
    line_mask = (types == 1) | (types == 2)
    lines = np.concatenate([parts[line_mask], rings])
    line_feat = np.concatenate([pfeat[line_mask], pfeat[polys][ridx]])
    if len(lines) > 1:
        first = shapely.get_coordinates(shapely.get_point(lines, 0))
        order = np.argsort(morton_key(first[:, 0], first[:, 1]), kind="stable")
        lines, line_feat = lines[order], line_feat[order]
    coords, cidx = shapely.get_coordinates(lines, return_index=True)
    same = cidx[1:] == cidx[:-1]
    a, b, line = coords[:-1][same], coords[1:][same], cidx[:-1][same]
    nz = (a != b).any(axis=1)  # drop repeated vertices (zero-length edges)
    a, b, line = a[nz], b[nz], line[nz]
    feat = line_feat[line]
    pts = parts[types == 0]
    if len(pts):
        pc = shapely.get_coordinates(pts)
        order = np.argsort(morton_key(pc[:, 0], pc[:, 1]), kind="stable")
        a = np.concatenate([a, pc[order]])
        b = np.concatenate([b, pc[order]])
        feat = np.concatenate([feat, pfeat[types == 0][order]])
        line = np.concatenate([line, -1 - np.arange(len(pc))])  # each point its own "line"
    return a, b, feat, line


def _split_long(a: np.ndarray, b: np.ndarray, max_km: float) -> tuple:
    """Split segments longer than ``max_km`` along their geodesics; returns the new
    (a, b), the index of each piece's original segment and the pieces' lengths (km)."""
    az, _, d = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    d = np.asarray(d) / 1000.0
    k = np.maximum(np.ceil(d / max_km).astype(np.int64), 1)
    seg = np.repeat(np.arange(len(a)), k)
    if (k == 1).all():
        return a, b, seg, d
    j = np.arange(len(seg)) - np.repeat(np.cumsum(k) - k, k)
    f0, f1 = j / k[seg], (j + 1) / k[seg]
    az, dm = np.asarray(az)[seg], d[seg] * 1000.0
    lon0, lat0, _ = GEOD.fwd(a[seg, 0], a[seg, 1], az, f0 * dm)
    lon1, lat1, _ = GEOD.fwd(a[seg, 0], a[seg, 1], az, f1 * dm)
    na, nb = np.column_stack([lon0, lat0]), np.column_stack([lon1, lat1])
    first, last = j == 0, j == k[seg] - 1
    na[first], nb[last] = a[seg[first]], b[seg[last]]
    nb[:-1][~last[:-1]] = na[1:][~last[:-1]]  # pieces meet exactly
    return na, nb, seg, d[seg] / k[seg]


def _point_segment_dist(P: np.ndarray, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Euclidean distance from each row of P to segment AB (rows), km."""
    v, w = B - A, P - A
    vv = np.einsum("ij,ij->i", v, v)
    t = np.clip(np.einsum("ij,ij->i", w, v) / np.where(vv > 0, vv, 1.0), 0.0, 1.0)
    diff = w - t[:, None] * v
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))


def _node_rows(start: np.ndarray, axis: np.ndarray, tau: np.ndarray) -> np.ndarray:
    vv = np.einsum("ij,ij->i", axis, axis)
    inv = np.where(vv > 0, 1.0 / np.where(vv > 0, vv, 1.0), 0.0)
    return np.column_stack([start, axis, inv, tau])


def _build_tree(A: np.ndarray, B: np.ndarray, sag: float) -> tuple:
    """Capsule rows of all levels (segments first) and each level's offset and size."""
    S = len(A)
    rows = [_node_rows(A, B - A, np.zeros(S))]
    size, n = 1, S
    while size == 1 or n > 1:  # at least one level of groups, up to a single root
        size *= GROUP
        n = -(-S // size)
        starts = np.arange(n) * size
        ends = np.minimum(starts + size, S)
        cap_a, cap_b = A[starts], B[ends - 1]
        node = np.arange(S) // size
        da = _point_segment_dist(A, cap_a[node], cap_b[node])
        db = _point_segment_dist(B, cap_a[node], cap_b[node])
        tau = np.maximum.reduceat(np.maximum(da, db), starts) + sag + 1e-9
        rows.append(_node_rows(cap_a, cap_b - cap_a, tau))
    count = np.array([len(r) for r in rows], dtype=np.int64)
    off = np.r_[0, np.cumsum(count)[:-1]].astype(np.int64)
    return np.ascontiguousarray(np.vstack(rows)), off, count


def _links(A: np.ndarray, B: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Neighbouring segment along the same line (rings wrap around), or -1."""
    S = len(A)
    prev = np.full(S, -1, dtype=np.int64)
    nxt = np.full(S, -1, dtype=np.int64)
    if S > 1:
        link = (line[1:] == line[:-1]) & (B[:-1] == A[1:]).all(axis=1)
        prev[1:][link] = np.flatnonzero(link)
        nxt[:-1][link] = np.flatnonzero(link) + 1
    bounds = np.flatnonzero(np.r_[True, line[1:] != line[:-1], True])
    first, last = bounds[:-1], bounds[1:] - 1
    ring = (last > first) & (B[last] == A[first]).all(axis=1)
    prev[first[ring]] = last[ring]
    nxt[last[ring]] = first[ring]
    return prev, nxt


def _polygons(parts: np.ndarray, pfeat: np.ndarray) -> tuple:
    """Polygons densified along their geodesic edges, prepared, in an STRtree."""
    poly_mask = shapely.get_type_id(parts) == 3
    poly, poly_feat = parts[poly_mask], pfeat[poly_mask]
    if not len(poly):
        return poly, poly_feat, None
    poly = densify_edges(poly)
    shapely.prepare(poly)
    return poly, poly_feat, STRtree(poly)


def build_index(gdf: gpd.GeoDataFrame | gpd.GeoSeries | Sequence) -> SegmentIndex:
    """Cut a layer into geodesic segments and build the ECEF capsule tree.

    Raises :class:`InputError` when the layer has no geometry to measure to or
    coordinates outside lon ±180 / lat ±90.
    """
    geoms = geometry_array(gdf)
    if len(geoms) == 0:
        raise InputError("the layer has no features to measure to")
    parts, pfeat = _explode(geoms)
    a, b, feat, line = _segments(parts, pfeat)
    if len(a) == 0:
        raise InputError("the layer has no geometry to measure to")
    coords = np.concatenate([a, b])
    if (np.abs(coords[:, 0]) > 180 + 1e-9).any() or (np.abs(coords[:, 1]) > 90 + 1e-9).any():
        raise InputError("the layer has coordinates outside lon ±180 / lat ±90 "
                         "(projected?); use WGS84 longitude/latitude")
    a, b, seg, length = _split_long(a, b, MAX_SEGMENT_KM)
    feat, line = feat[seg], line[seg]
    A, B = to_ecef_km(a[:, 0], a[:, 1]), to_ecef_km(b[:, 0], b[:, 1])
    sag = float(length.max() ** 2 / (8 * MIN_CURVATURE_RADIUS_KM))
    nodes, off, count = _build_tree(A, B, sag)
    prev, nxt = _links(A, B, line)
    poly, poly_feat, tree = _polygons(parts, pfeat)
    return SegmentIndex(a, b, A, B, feat, prev, nxt, sag, nodes, off, count, poly, poly_feat, tree,
                        len(geoms))


def geometry_array(gdf) -> np.ndarray:
    """The geometries of a GeoDataFrame, GeoSeries or sequence as an object array."""
    return np.asarray(gdf.geometry.values if hasattr(gdf, "geometry") else gdf, dtype=object)


def fingerprint(geoms: np.ndarray) -> str:
    """Content token of a geometry array: coordinates, part sizes and types."""
    xy = shapely.get_coordinates(geoms)
    n = shapely.get_num_coordinates(geoms)
    t = shapely.get_type_id(geoms)
    return content_token(xy, n, t)


@memoize(maxsize=24, key=lambda gdf: fingerprint(geometry_array(gdf)))
def get_index(gdf) -> SegmentIndex:
    """:func:`build_index`, cached on the geometry content (up to 24 layers)."""
    return build_index(geometry_array(gdf))


#: The array fields of :class:`SegmentIndex`, as :func:`index_arrays` names them.
ARRAY_FIELDS: tuple[str, ...] = ("a_lonlat", "b_lonlat", "A", "B", "feat", "prev", "next",
                                 "nodes", "level_off", "level_count", "polygon_feat")


def index_arrays(index: SegmentIndex) -> dict[str, np.ndarray]:
    """The index as plain numeric arrays (no Python objects, nothing to unpickle).

    The densified polygons go as their WKB, concatenated (``polygon_wkb``, uint8)
    with each one's end offset (``polygon_wkb_end``); the scalars as ``sag_km``,
    ``n_features`` and ``group``.  :func:`index_from_arrays` rebuilds the index.

    >>> from shapely.geometry import box
    >>> ix = build_index([box(20.0, 50.0, 21.0, 51.0)])
    >>> back = index_from_arrays(index_arrays(ix))
    >>> bool((back.nodes == ix.nodes).all()), back.polygons[0].equals_exact(ix.polygons[0], 0)
    (True, True)
    """
    out = {name: np.ascontiguousarray(getattr(index, name)) for name in ARRAY_FIELDS}
    wkb = [bytes(w) for w in shapely.to_wkb(index.polygons)] if len(index.polygons) else []
    out["polygon_wkb"] = np.frombuffer(b"".join(wkb), dtype=np.uint8)
    out["polygon_wkb_end"] = np.cumsum([len(w) for w in wkb], dtype=np.int64)
    out["sag_km"] = np.array([index.sag_km], dtype=np.float64)
    out["n_features"] = np.array([index.n_features], dtype=np.int64)
    out["group"] = np.array([index.group], dtype=np.int64)
    return out


def index_from_arrays(arrays: dict[str, np.ndarray]) -> SegmentIndex:
    """The :class:`SegmentIndex` that :func:`index_arrays` gave these arrays for (the
    polygons prepared and in an STRtree again).  :class:`ValueError` when the
    arrays do not fit together (missing or of the wrong shape or type)."""
    try:
        a = {name: np.asarray(arrays[name]) for name in ARRAY_FIELDS}
        wkb, ends = np.asarray(arrays["polygon_wkb"]), np.asarray(arrays["polygon_wkb_end"])
        sag, n_feat = float(arrays["sag_km"][0]), int(arrays["n_features"][0])
        group = int(arrays["group"][0])
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"not a stored segment index: {exc}") from None
    s = len(a["feat"])
    shapes_ok = (a["a_lonlat"].shape == a["b_lonlat"].shape == (s, 2)
                 and a["A"].shape == a["B"].shape == (s, 3)
                 and a["prev"].shape == a["next"].shape == (s,)
                 and a["nodes"].ndim == 2 and a["nodes"].shape[1] == len(NODE_FIELDS)
                 and a["level_off"].shape == a["level_count"].shape
                 and int(a["level_count"].sum()) == len(a["nodes"])
                 and len(ends) == len(a["polygon_feat"])
                 and (len(ends) == 0 or int(ends[-1]) == len(wkb)) and group >= 2)
    if not shapes_ok or s == 0 or int(a["level_count"][0]) != s:
        raise ValueError("not a stored segment index: its arrays do not fit together")
    starts = np.r_[0, ends[:-1]].astype(np.int64)
    raw = wkb.tobytes()
    poly = np.asarray(shapely.from_wkb([raw[b:e] for b, e in zip(starts, ends)]), dtype=object)
    tree = None
    if len(poly):
        shapely.prepare(poly)
        tree = STRtree(poly)
    return SegmentIndex(a["a_lonlat"], a["b_lonlat"], a["A"], a["B"], a["feat"], a["prev"],
                        a["next"], sag, a["nodes"], a["level_off"], a["level_count"], poly,
                        a["polygon_feat"], tree, n_feat, group)


__all__ = ["ARRAY_FIELDS", "GROUP", "MAX_SEGMENT_KM", "SegmentIndex", "build_index",
           "fingerprint", "geometry_array", "get_index", "index_arrays", "index_from_arrays",
           "morton_key"]
