"""Ground-based air defence: the share of a zone and of each NATO-border segment launchers cover.

:func:`gbad_cover` takes launchers ``(lon, lat, km)`` — a position and the
system's range — and measures, geodesic on WGS84:

- ``zone_share`` — the zone's area inside the union of the launchers' geodesic
  discs over the zone's area (the zone and the discs densified along their
  geodesic edges, areas with ``Geod``; the discs are within 0.005 % of the true
  circles' area, so the share is within 0.005 % relative);
- ``border_km`` — per NATO-border segment id, the geodesic length of the border
  inside the discs, and ``border_share`` that over the segment's length.  Each
  line is sampled every :data:`BORDER_STEP_KM` along its geodesics; the signed
  margin ``g = min_i (d_i - r_i)`` (km, negative inside a disc) is measured at
  every sample with ``Geod.inv``, and a step that crosses ``g = 0`` counts in
  proportion, by linear interpolation of ``g``.  ``g`` changes by at most the
  step and is nearly linear over 100 m, so each disc edge crossing is placed to
  well under a metre (at most one step, 0.1 km, in any case).

>>> from shapely.geometry import LineString, box
>>> border = gpd.GeoDataFrame({"id": ["PL-UA"]}, geometry=[LineString([(23, 49), (23, 51)])],
...                           crs="EPSG:4326")
>>> c = gbad_cover(box(23.0, 49.5, 25.0, 50.5), [(23.0, 50.0, 100.0)], border)
>>> round(c.zone_share, 3), round(c.border_km["PL-UA"], 1), round(c.border_share["PL-UA"], 3)
(0.66, 200.0, 0.899)
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.reach import (
    check_km,
    check_positions,
    disc_union,
    nearest_km,
    polygonal_zone,
)
from dashboard.data.limits import MAX_LAUNCHERS
from dashboard.geo.buffer import buffer_point
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import GEOD, densify_coords
from dashboard.geo.measure import area_km2

__all__ = ["BORDER_STEP_KM", "GbadCover", "Launcher", "border_cover_km",
           "check_launchers", "gbad_cover", "launcher_discs"]

Launcher = tuple[float, float, float]

#: Border lines are sampled at this step to measure the covered length, km.
BORDER_STEP_KM: float = 0.1


@dataclass(frozen=True)
class GbadCover:
    """What launchers cover (see :func:`gbad_cover`): shares 0–1, km, km²."""

    zone_share: float
    zone_km2: float
    covered_km2: float
    border_km: dict[str, float]
    border_share: dict[str, float]
    launchers: tuple[Launcher, ...]
    discs: gpd.GeoDataFrame = field(compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: ``zone_share``, ``border_km`` (segment id -> km) first."""
        return {"zone_share": self.zone_share, "border_km": dict(self.border_km),
                "border_share": dict(self.border_share), "zone_km2": self.zone_km2,
                "covered_km2": self.covered_km2,
                "launchers": [{"lon": x, "lat": y, "range_km": r} for x, y, r in self.launchers]}


def check_launchers(launchers: Sequence[Launcher]) -> tuple[Launcher, ...]:
    """Launchers as (lon, lat, km) floats: each inside the data's coverage, its range in
    (0, MAX_BUFFER_KM] km; otherwise one InputError line naming the launcher."""
    rows = [tuple(x) for x in launchers]
    if not rows:
        raise InputError("place at least one air-defence launcher")
    if len(rows) > MAX_LAUNCHERS:
        raise InputError(f"at most {MAX_LAUNCHERS} launchers, got {len(rows)}")
    if any(len(r) != 3 for r in rows):
        raise InputError("a launcher is (lon, lat, range km)")
    xy = check_positions([(r[0], r[1]) for r in rows], "launcher")
    km = [check_km(r[2], f"launcher {k}: the range") for k, r in enumerate(rows, 1)]
    return tuple((float(x), float(y), k) for (x, y), k in zip(xy, km))


def launcher_discs(launchers: Sequence[Launcher]) -> gpd.GeoDataFrame:
    """Each launcher's geodesic disc (``launcher``, ``range_km``), for the map."""
    rows = check_launchers(launchers)
    return gpd.GeoDataFrame({"launcher": [f"{y:.4f}, {x:.4f}" for x, y, _ in rows],
                             "range_km": [r for _, _, r in rows]},
                            geometry=[buffer_point(x, y, r) for x, y, r in rows], crs="EPSG:4326")


def border_cover_km(line: BaseGeometry, centres: np.ndarray, radii_km: np.ndarray,
                    ) -> tuple[float, float]:
    """(covered km, total km) of ``line``'s geodesic length inside the discs."""
    covered = total = 0.0
    for part in getattr(line, "geoms", [line]):
        if part.is_empty:
            continue
        xy = densify_coords(np.asarray(part.coords)[:, :2], BORDER_STEP_KM)
        g, _ = nearest_km(xy[:, 0], xy[:, 1], centres, radii_km)
        _, _, step_m = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        step = np.asarray(step_m) / 1000.0
        g0, g1 = g[:-1], g[1:]
        lo, hi = np.minimum(g0, g1), np.maximum(g0, g1)
        frac = np.where(hi <= 0, 1.0,
                        np.where(lo > 0, 0.0, -lo / np.where(hi > lo, hi - lo, 1.0)))
        covered += float((step * frac).sum())
        total += float(step.sum())
    return covered, total


def gbad_cover(zone: BaseGeometry, launchers: Sequence[Launcher],
               border: gpd.GeoDataFrame) -> GbadCover:
    """The share of ``zone`` and of each ``border`` segment the launchers' discs cover.

    Parameters
    ----------
    zone : Polygon or MultiPolygon
        Lon/lat degrees, geodesic edges.
    launchers : sequence of (lon, lat, km)
        Position (degrees, inside the data's coverage) and range (km) of each launcher.
    border : GeoDataFrame
        NATO-border segments with an ``id`` column (e.g. those NATO's on a date,
        :func:`dashboard.geo.nato.nato_border_on`).

    Returns
    -------
    GbadCover
        ``zone_share`` (0–1); ``border_km`` and ``border_share`` for every segment
        the discs reach, by id; the discs for the map.

    Raises
    ------
    InputError
        No launcher, one outside the coverage, a range <= 0 or too large, an empty zone.
    """
    rows = check_launchers(launchers)
    zone, dense = polygonal_zone(zone)
    centres = np.asarray([(x, y) for x, y, _ in rows])
    radii = np.asarray([r for _, _, r in rows])
    zone_km2 = area_km2(dense)
    hit = dense.intersection(disc_union(centres, radii))
    if not hit.is_valid:
        hit = shapely.make_valid(hit, method="structure", keep_collapsed=False)
    covered = area_km2(hit)
    km: dict[str, float] = {}
    share: dict[str, float] = {}
    for sid, line in zip(border["id"].astype(str), border.geometry.values):
        c, total = border_cover_km(line, centres, radii)
        if c > 0:
            km[sid] = km.get(sid, 0.0) + c
            share[sid] = min(km[sid] / total, 1.0) if total > 0 else 0.0
    return GbadCover(zone_share=min(covered / zone_km2, 1.0) if zone_km2 > 0 else 0.0,
                     zone_km2=area_km2(zone), covered_km2=covered, border_km=km,
                     border_share=share, launchers=rows, discs=launcher_discs(rows))
