"""Geometry for the brief: shapely arrays -> matplotlib paths, clipping, label anchors, thinning.

Display-only generalisation; the figures on the page come from the core's
full-resolution geometry.
"""
from __future__ import annotations

from collections.abc import Hashable

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from dashboard.geo.cache import content_token, memoize


def polygon_path(geom: BaseGeometry | None) -> MplPath | None:
    """One compound path for a (multi)polygon: exteriors CCW, holes CW (fills right under any rule)."""
    if geom is None or shapely.is_empty(geom):
        return None
    parts = shapely.get_parts(geom)
    parts = parts[shapely.get_type_id(parts) == 3]
    if not len(parts):
        return None
    parts = shapely.orient_polygons(parts)
    rings = shapely.get_rings(parts)
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return None
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    starts = np.r_[0, np.flatnonzero(np.diff(idx)) + 1]
    ends = np.r_[starts[1:] - 1, len(coords) - 1]
    codes[starts] = MplPath.MOVETO
    codes[ends] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def line_parts(geom: BaseGeometry | None) -> list[np.ndarray]:
    """Coordinate arrays (n x 2) of every line and polygon ring in ``geom`` with at least 2 points."""
    if geom is None or shapely.is_empty(geom):
        return []
    parts = shapely.get_parts(geom)
    tid = shapely.get_type_id(parts)
    polys = parts[tid == 3]
    lines = list(parts[(tid == 1) | (tid == 2)])
    if len(polys):
        lines += list(shapely.get_rings(polys))
    if not lines:
        return []
    coords, idx = shapely.get_coordinates(np.asarray(lines, dtype=object), return_index=True)
    splits = np.flatnonzero(np.diff(idx)) + 1
    return [c for c in np.split(coords, splits) if len(c) >= 2]


def declutter(xy_px: np.ndarray, weight: np.ndarray, mask: np.ndarray, min_sep_px: float) -> np.ndarray:
    """Keep the heaviest of points closer than ``min_sep_px`` (e.g. a city over its districts).

    Returns a boolean mask over all points; points outside ``mask`` stay False.
    """
    keep = np.zeros(len(xy_px), dtype=bool)
    grid: dict[tuple[int, int], list[int]] = {}
    order = np.flatnonzero(mask)
    order = order[np.argsort(-weight[order], kind="stable")]
    for k in order:
        x, y = xy_px[k]
        ci, cj = int(x // min_sep_px), int(y // min_sep_px)
        clash = False
        for i in (ci - 1, ci, ci + 1):
            for j in (cj - 1, cj, cj + 1):
                for m in grid.get((i, j), ()):
                    if (xy_px[m, 0] - x) ** 2 + (xy_px[m, 1] - y) ** 2 < min_sep_px ** 2:
                        clash = True
                        break
        if not clash:
            keep[k] = True
            grid.setdefault((ci, cj), []).append(k)
    return keep


def clip(geom: BaseGeometry, window: BaseGeometry) -> BaseGeometry:
    """``geom`` within ``window``; display simplification may leave a polygon invalid, so repair on demand."""
    try:
        return shapely.intersection(geom, window)
    except shapely.errors.GEOSException:
        return shapely.intersection(shapely.make_valid(geom), window)


def area_anchors(poly: BaseGeometry, pole: shapely.Point) -> list[tuple[float, float]]:
    """Label anchors inside ``poly``: its pole of inaccessibility, centroid, then a grid nearest the pole."""
    anchors = [(pole.x, pole.y)]
    c = poly.centroid
    if poly.contains(c):
        anchors.append((c.x, c.y))
    bx0, by0, bx1, by1 = poly.bounds
    gx, gy = np.meshgrid(np.linspace(bx0, bx1, 9)[1:-1], np.linspace(by0, by1, 9)[1:-1])
    inside = shapely.contains_xy(poly, gx.ravel(), gy.ravel())
    g_xy = np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
    if len(g_xy):
        order = np.argsort(np.hypot(g_xy[:, 0] - pole.x, g_xy[:, 1] - pole.y), kind="stable")
        anchors += [tuple(g_xy[i]) for i in order[:24]]
    return anchors


def coarse(gdf: gpd.GeoDataFrame, tolerance_deg: float) -> np.ndarray:
    """Lon/lat geometries of ``gdf`` simplified for a small-scale map (read-only; memoised by content).

    ``tolerance_deg`` (degrees) is rounded to two significant figures, so nearby
    tolerances share a cache entry.

    >>> import shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    >>> coarse(g, 0.0123) is coarse(g.copy(), 0.0121)  # same content, same rounded tolerance
    True
    >>> coarse(g, 0.0123) is coarse(g.set_geometry([shapely.box(0, 0, 2, 1)]), 0.0123)
    False
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    return _simplified(geoms, float(f"{tolerance_deg:.2g}"))


def _simplified_key(geoms: np.ndarray, tolerance_deg: float) -> Hashable:
    return content_token(geoms), tolerance_deg


@memoize(maxsize=16, key=_simplified_key)
def _simplified(geoms: np.ndarray, tolerance_deg: float) -> np.ndarray:
    return shapely.simplify(geoms, tolerance_deg, preserve_topology=True)
