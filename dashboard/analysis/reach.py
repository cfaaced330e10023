"""Reach from NATO soil: how much of a zone aircraft from chosen bases reach, and how fast.

:func:`reach_figures` measures a zone against bases ``(code, lon, lat)`` and a
combat radius (km), all geodesic on WGS84:

- ``share`` — the zone's area within ``radius_km`` of the nearest base over the
  zone's area: the zone intersected with the union of the bases' geodesic discs
  (:func:`dashboard.geo.buffer.buffer_point`; both densified along their geodesic
  edges, :func:`dashboard.geo.edges.densify_edges`), areas on the ellipsoid
  (``Geod``).  The discs' areas are within 0.005 % of the true circles', so the
  share is within 0.005 % (relative) of the exact one.
- ``farthest_km`` — the largest distance from a point of the zone to its nearest
  base: ``max over p in zone of f(p)``, ``f(p) = min_i d(p, base_i)``.  Inside one
  base's Voronoi cell ``f`` is the distance to that base, which has no local
  maximum closer than about half the Earth's circumference, and along a cell edge
  (the points equidistant from two bases) the same holds; so the maximum over the
  zone lies on the zone's boundary or at a Voronoi vertex (a point equidistant from
  three bases) inside it.  ``f`` is evaluated on the boundary sampled every
  :data:`BOUNDARY_STEP_KM` along its geodesic edges, at every equidistant point of
  three bases inside the zone (solved by Newton's method on the ellipsoid to 1 mm),
  and on an interior grid every :data:`GRID_KM` (a safety net).  The answer is a
  value of ``f`` at a point of the zone, so never too large, and since ``f`` changes
  by at most the distance moved, it is short of the true maximum by at most half
  a boundary step: ``error_km`` = 0.125 km.
- ``minutes`` — ``farthest_km / speed_kmh * 60`` (straight geodesic flight at the
  typed cruise speed from the nearest base; None without a speed).
- ``bands`` — the zone cut into time-to-reach bands (0–15, 15–30, ... minutes; a
  wider step when more than :data:`MAX_BANDS` would be needed) as a GeoDataFrame,
  the part beyond the combat radius as its own band; without a speed, two bands:
  within and beyond the radius.

>>> from shapely.geometry import box
>>> r = reach_figures(box(23.0, 50.0, 24.0, 51.0), [("X", 22.0, 50.5)], 300.0, 900.0)
>>> r.share, round(r.farthest_km, 1), round(r.minutes, 1)
(1.0, 153.1, 10.2)
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.data.coverage import position_outside
from dashboard.data.limits import MAX_BANDS, MAX_BASES, MAX_SPEED_KMH
from dashboard.geo.buffer import MAX_BUFFER_KM, buffer_point
from dashboard.geo.edges import densify_edges
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import (
    GEOD,
    densify_coords,
    forward,
    from_ecef_km,
    inverse_km,
    to_ecef_km,
)
from dashboard.geo.measure import area_km2

__all__ = ["BAND_COLUMNS", "BOUNDARY_STEP_KM", "GRID_KM", "Base", "Reach",
           "check_km", "check_positions", "disc_union", "equidistant_points", "farthest_point",
           "nearest_km", "polygonal_zone", "reach_figures"]

Base = tuple[str, float, float]

#: The zone's boundary is sampled at least this often for the farthest point, km.
BOUNDARY_STEP_KM: float = 0.25
#: Spacing of the interior grid that backs up the farthest point, km.
GRID_KM: float = 5.0
#: Most interior grid points (the spacing widens beyond).
MAX_GRID_POINTS: int = 200_000
#: Band widths tried in turn, minutes (the first that needs at most MAX_BANDS bands).
BAND_MINUTES: tuple[float, ...] = (15.0, 30.0, 60.0, 120.0, 240.0)
#: Columns of :attr:`Reach.bands`.
BAND_COLUMNS: tuple[str, ...] = ("band", "from_min", "to_min", "from_km", "to_km",
                                 "within_radius", "area_km2", "share")


@dataclass(frozen=True)
class Reach:
    """A zone's reach figures (see :func:`reach_figures`); km, km², minutes, shares 0–1."""

    share: float
    farthest_km: float
    minutes: float | None
    radius_km: float
    speed_kmh: float | None
    zone_km2: float
    covered_km2: float
    farthest_lonlat: tuple[float, float]
    farthest_base: str
    error_km: float
    bases: tuple[Base, ...]
    bands: gpd.GeoDataFrame = field(compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (the bands left out): ``share``, ``farthest_km``,
        ``minutes`` first, then what they were measured with."""
        lon, lat = self.farthest_lonlat
        return {"share": self.share, "farthest_km": self.farthest_km, "minutes": self.minutes,
                "radius_km": self.radius_km, "speed_kmh": self.speed_kmh,
                "zone_km2": self.zone_km2, "covered_km2": self.covered_km2,
                "farthest_point": {"lon": lon, "lat": lat, "nearest_base": self.farthest_base},
                "farthest_error_km": self.error_km,
                "bases": [{"code": c, "lon": x, "lat": y} for c, x, y in self.bases]}


# ------------------------------------------------------------------- checks
def check_km(value: Any, what: str) -> float:
    """``value`` as km in (0, :data:`MAX_BUFFER_KM`], or one InputError line naming ``what``."""
    try:
        km = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number of km, got {value!r}") from None
    if not math.isfinite(km) or km <= 0:
        raise InputError(f"{what} must be more than 0 km, got {value!r}")
    if km > MAX_BUFFER_KM:
        raise InputError(f"{what} {km:g} km is too large (at most {MAX_BUFFER_KM:g} km)")
    return km


def _check_speed(value: Any) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"the speed must be a number of km/h, got {value!r}") from None
    if not math.isfinite(v) or v <= 0 or v > MAX_SPEED_KMH:
        raise InputError(f"the speed must be more than 0 and at most {MAX_SPEED_KMH:g} km/h, "
                         f"got {value!r}")
    return v


def check_positions(points: Sequence[tuple[float, float]], what: str) -> np.ndarray:
    """(lon, lat) rows as an (n, 2) array, each a number inside the data's coverage
    (:func:`dashboard.data.coverage.position_outside`), or one InputError line."""
    out = []
    for k, (lon, lat) in enumerate(points, 1):
        try:
            x, y = float(lon), float(lat)
        except (TypeError, ValueError):
            raise InputError(f"{what} {k}: the position must be numbers, got {lat!r}, {lon!r}"
                             ) from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise InputError(f"{what} {k}: the position must be finite numbers")
        outside = position_outside(x, y)
        if outside:
            raise InputError(f"{what} {k}: {outside}")
        out.append((x, y))
    return np.asarray(out, dtype=float).reshape(-1, 2)


def _check_bases(bases: Sequence[Base]) -> tuple[Base, ...]:
    rows = [(str(c), lon, lat) for c, lon, lat in bases]
    if not rows:
        raise InputError("choose at least one air base")
    if len(rows) > MAX_BASES:
        raise InputError(f"at most {MAX_BASES} air bases, got {len(rows)}")
    xy = check_positions([(x, y) for _, x, y in rows], "base")
    return tuple((c, float(x), float(y)) for (c, _, _), (x, y) in zip(rows, xy))


def polygonal_zone(zone: BaseGeometry) -> tuple[BaseGeometry, BaseGeometry]:
    """The zone (valid, polygonal) and the same densified along its geodesic edges for
    planar overlays; an empty or non-polygonal zone is one InputError line."""
    if zone is None or zone.is_empty:
        raise InputError("the zone is empty")
    if zone.geom_type not in ("Polygon", "MultiPolygon"):
        raise InputError(f"the zone must be a polygon, not a {zone.geom_type}")
    if not zone.is_valid:
        zone = shapely.make_valid(zone, method="structure", keep_collapsed=False)
    dense = densify_edges(zone)
    if not dense.is_valid:
        dense = shapely.make_valid(dense, method="structure", keep_collapsed=False)
    return zone, dense


# ------------------------------------------------------------- distances
def nearest_km(lon: np.ndarray, lat: np.ndarray, centres: np.ndarray,
               radii_km: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the smallest geodesic distance (km) to ``centres`` ((m, 2) lon/lat)
    less that centre's radius (``radii_km``, default 0), and that centre's index."""
    lon, lat = np.asarray(lon, float).ravel(), np.asarray(lat, float).ravel()
    m = len(centres)
    r = np.zeros(m) if radii_km is None else np.asarray(radii_km, float)
    best = np.full(len(lon), np.inf)
    idx = np.zeros(len(lon), dtype=np.int64)
    for i in range(m):  # one vectorised Geod.inv per centre
        _, _, d = GEOD.inv(lon, lat, np.full(len(lon), centres[i, 0]),
                           np.full(len(lon), centres[i, 1]))
        d = np.asarray(d) / 1000.0 - r[i]
        better = d < best
        best[better], idx[better] = d[better], i
    return best, idx


def equidistant_points(centres: np.ndarray, iterations: int = 12) -> np.ndarray:
    """Points equidistant (geodesic, to 1 mm) from three of ``centres`` ((m, 2) lon/lat),
    one per triple that has one within :data:`MAX_BUFFER_KM`; (k, 2) lon/lat.

    Start: the sphere's circumcentre (the normal of the plane through the three
    Earth-centred points); then Newton's method on the ellipsoid: the gradient of
    the distance to a centre is minus the unit vector towards it (``Geod.inv``'s
    azimuth), so each step solves a 2×2 system in local east/north km and moves
    along it with ``Geod.fwd``.
    """
    if len(centres) < 3:
        return np.zeros((0, 2))
    tri = np.asarray(list(itertools.combinations(range(len(centres)), 3)))
    p = to_ecef_km(centres[:, 0], centres[:, 1])
    a, b, c = p[tri[:, 0]], p[tri[:, 1]], p[tri[:, 2]]
    n = np.cross(b - a, c - a)
    norm = np.linalg.norm(n, axis=1)
    ok = norm > 1e-6
    n = n[ok] / norm[ok, None] * np.sign(np.einsum("ij,ij->i", n[ok], (a + b + c)[ok]))[:, None]
    tri = tri[ok]
    lon, lat = from_ecef_km(n * 6371.0)
    for _ in range(iterations):
        az, d = zip(*(inverse_km(lon, lat, centres[tri[:, k], 0], centres[tri[:, k], 1])
                      for k in range(3)))
        g = np.column_stack([d[0] - d[1], d[0] - d[2]])
        grad = [-np.column_stack([np.sin(np.radians(x)), np.cos(np.radians(x))]) for x in az]
        jac = np.stack([grad[0] - grad[1], grad[0] - grad[2]], axis=1)
        with np.errstate(all="ignore"):
            det = jac[:, 0, 0] * jac[:, 1, 1] - jac[:, 0, 1] * jac[:, 1, 0]
            de = (-g[:, 0] * jac[:, 1, 1] + g[:, 1] * jac[:, 0, 1]) / det
            dn = (-g[:, 1] * jac[:, 0, 0] + g[:, 0] * jac[:, 1, 0]) / det
        step = np.minimum(np.hypot(de, dn), 2000.0)
        good = np.isfinite(step)
        lon, lat = np.where(good, lon, np.nan), np.where(good, lat, np.nan)
        step = np.where(good, step, 0.0)
        lon, lat = forward(lon, lat, np.degrees(np.arctan2(de, dn)), step)
    az, d = zip(*(inverse_km(lon, lat, centres[tri[:, k], 0], centres[tri[:, k], 1])
                  for k in range(3)))
    done = (np.isfinite(d[0]) & (np.abs(d[0] - d[1]) < 1e-6) & (np.abs(d[0] - d[2]) < 1e-6)
            & (d[0] <= MAX_BUFFER_KM))
    return np.column_stack([lon[done], lat[done]])


def _boundary_samples(zone: BaseGeometry) -> np.ndarray:
    rings = []
    for part in getattr(zone, "geoms", [zone]):
        for ring in (part.exterior, *part.interiors):
            rings.append(densify_coords(np.asarray(ring.coords)[:, :2], BOUNDARY_STEP_KM))
    return np.vstack(rings)


def _grid_inside(dense: BaseGeometry, spacing_km: float) -> np.ndarray:
    w, s, e, n = dense.bounds
    cos_lat = max(math.cos(math.radians(max(abs(s), abs(n)))), 0.05)
    dlat, dlon = spacing_km / 111.0, spacing_km / (111.0 * cos_lat)
    count = ((e - w) / dlon + 1) * ((n - s) / dlat + 1)
    if count > MAX_GRID_POINTS:
        grow = math.sqrt(count / MAX_GRID_POINTS)
        dlat, dlon = dlat * grow, dlon * grow
    mx, my = np.meshgrid(np.arange(w + dlon / 2, e, dlon), np.arange(s + dlat / 2, n, dlat))
    gx, gy = mx.ravel(), my.ravel()
    inside = shapely.contains_xy(dense, gx, gy)
    return np.column_stack([gx[inside], gy[inside]])


def farthest_point(zone: BaseGeometry, dense: BaseGeometry, centres: np.ndarray,
                   ) -> tuple[float, float, float, int]:
    """(km, lon, lat, centre index) of the zone's point farthest from its nearest centre:
    the boundary every :data:`BOUNDARY_STEP_KM`, the equidistant points of three centres
    inside, an interior grid (see the module's docstring for why and how close)."""
    shapely.prepare(dense)
    vor = equidistant_points(centres)
    if len(vor):
        vor = vor[shapely.contains_xy(dense, vor[:, 0], vor[:, 1])]
    pts = np.vstack([_boundary_samples(zone), vor, _grid_inside(dense, GRID_KM)])
    d, idx = nearest_km(pts[:, 0], pts[:, 1], centres)
    k = int(np.argmax(d))
    return float(d[k]), float(pts[k, 0]), float(pts[k, 1]), int(idx[k])


def disc_union(centres: np.ndarray, radii_km: Sequence[float] | np.ndarray) -> BaseGeometry:
    """The union of geodesic discs around ``centres`` ((m, 2) lon/lat) of ``radii_km``,
    densified along its geodesic edges for planar overlays."""
    discs = [densify_edges(buffer_point(float(x), float(y), float(r)))
             for (x, y), r in zip(centres, radii_km)]
    return shapely.union_all(discs)


def _polygons(geom: BaseGeometry) -> BaseGeometry:
    if not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    parts = [g for g in getattr(geom, "geoms", [geom])
             if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty]
    return shapely.union_all(parts) if parts else shapely.Polygon()


# ------------------------------------------------------------------- bands
def _band_edges(limit_km: float, radius_km: float, speed_kmh: float | None,
                ) -> list[tuple[str, float, float, float | None, float | None]]:
    """(label, from_km, to_km, from_min, to_min) of the bands within the radius."""
    if speed_kmh is None:
        return [(f"within {radius_km:g} km", 0.0, radius_km, None, None)]
    minutes = next((m for m in BAND_MINUTES
                    if math.ceil(limit_km / (speed_kmh * m / 60.0)) <= MAX_BANDS),
                   BAND_MINUTES[-1])
    step_km = speed_kmh * minutes / 60.0
    out: list[tuple[str, float, float, float | None, float | None]] = []
    for k in range(max(math.ceil(limit_km / step_km - 1e-9), 1)):
        lo, hi = k * step_km, min((k + 1) * step_km, radius_km)
        to_min = hi / speed_kmh * 60.0  # the last band ends at the combat radius
        out.append((f"{k * minutes:g}–{round(to_min, 1):g} min", lo, hi, k * minutes, to_min))
    return out


def _bands(zone_dense: BaseGeometry, centres: np.ndarray, farthest_km: float, radius_km: float,
           speed_kmh: float | None, zone_km2: float) -> gpd.GeoDataFrame:
    limit = min(farthest_km, radius_km)
    edges = _band_edges(limit, radius_km, speed_kmh)
    rows, geoms = [], []

    def within(km: float) -> BaseGeometry:
        if km >= farthest_km:
            return zone_dense
        return _polygons(zone_dense.intersection(disc_union(centres, [km] * len(centres))))

    inner = shapely.Polygon()
    for label, lo, hi, mlo, mhi in edges:
        outer = within(hi)
        rows.append((label, mlo, mhi, lo, hi, True))
        geoms.append(_polygons(outer.difference(inner)) if not inner.is_empty else outer)
        inner = outer
    if farthest_km > radius_km:
        rows.append((f"beyond {radius_km:g} km", radius_km / speed_kmh * 60 if speed_kmh else None,
                     farthest_km / speed_kmh * 60 if speed_kmh else None, radius_km, farthest_km,
                     False))
        geoms.append(_polygons(zone_dense.difference(inner)))
    frame = gpd.GeoDataFrame(rows, columns=list(BAND_COLUMNS[:6]), geometry=geoms, crs="EPSG:4326")
    frame["area_km2"] = [area_km2(g) for g in geoms]
    frame["share"] = frame["area_km2"] / zone_km2 if zone_km2 > 0 else 0.0
    return frame[frame["area_km2"] > 0].reset_index(drop=True)


def reach_figures(zone: BaseGeometry, bases: Sequence[Base], radius_km: float,
                  speed_kmh: float | None = None) -> Reach:
    """How much of ``zone`` aircraft from ``bases`` reach within ``radius_km``, and how fast.

    Parameters
    ----------
    zone : Polygon or MultiPolygon
        Lon/lat degrees, geodesic edges.
    bases : sequence of (code, lon, lat)
        Air bases, degrees (inside the data's coverage; at most :data:`MAX_BASES`).
    radius_km : float
        Combat radius, km (0 < r <= 5000).
    speed_kmh : float, optional
        Cruise speed, km/h; without it ``minutes`` is None and the bands are by distance.

    Returns
    -------
    Reach
        ``share`` (0–1), ``farthest_km`` (short of the truth by at most ``error_km``),
        ``minutes``, the farthest point and its nearest base, areas, and the bands.

    Raises
    ------
    InputError
        No bases, a base outside the coverage, a bad radius or speed, an empty zone.
    """
    rows = _check_bases(bases)
    r = check_km(radius_km, "the combat radius")
    v = _check_speed(speed_kmh)
    zone, dense = polygonal_zone(zone)
    centres = np.asarray([(x, y) for _, x, y in rows])
    far_km, flon, flat, fi = farthest_point(zone, dense, centres)
    zone_km2 = area_km2(dense)
    if far_km <= r:
        covered = zone_km2
    else:
        covered = area_km2(_polygons(dense.intersection(disc_union(centres, [r] * len(rows)))))
    bands = _bands(dense, centres, far_km, r, v, zone_km2)
    return Reach(share=min(covered / zone_km2, 1.0) if zone_km2 > 0 else 0.0,
                 farthest_km=far_km, minutes=None if v is None else far_km / v * 60.0,
                 radius_km=r, speed_kmh=v, zone_km2=area_km2(zone), covered_km2=covered,
                 farthest_lonlat=(flon, flat), farthest_base=rows[fi][0],
                 error_km=BOUNDARY_STEP_KM / 2, bases=rows, bands=bands)
