"""The briefing map's frame: projection, true north and a geodesically right scale bar.

Pure functions of a view (no matplotlib): :func:`projection_for` picks a Lambert
conformal conic centred on the view (Lambert azimuthal equal-area where a cone
does not fit); :func:`true_north_deg` is the meridian convergence at a point;
:func:`scale_bar_span_m` is how long a bar of a given ground length is drawn
at a point, measured with the project's one ``pyproj.Geod``
(:data:`dashboard.geo.geodesy.GEOD`).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from dashboard.geo.cache import memoize
from dashboard.geo.geodesy import GEOD


def nice_scale_length(max_value: float) -> float:
    """Largest round bar length (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500 ...) <= ``max_value``."""
    if max_value <= 0:
        raise ValueError("max_value must be positive")
    exp = math.floor(math.log10(max_value))
    best = 10.0 ** exp
    for e in (exp - 1, exp):
        for m in (1.0, 2.0, 2.5, 5.0):
            v = m * 10.0 ** e
            if v <= max_value * (1 + 1e-12):
                best = max(best, v)
    return best


@dataclass
class MapProjection:
    """The brief's map projection and its transforms (lon/lat degrees <-> metres)."""

    proj4: str
    description: str

    def __post_init__(self) -> None:
        self.crs: CRS = _crs(self.proj4)
        self.fwd, self.inv = _transformers(self.proj4)

    def to_xy(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """Project lon/lat (degrees; numbers or arrays) to map x/y (metres)."""
        return self.fwd.transform(lon, lat)

    def to_lonlat(self, x: Any, y: Any) -> tuple[Any, Any]:
        """Unproject map x/y (metres; numbers or arrays) to lon/lat (degrees)."""
        return self.inv.transform(x, y)

    def project(self, geoms: np.ndarray) -> np.ndarray:
        """Project an array of lon/lat shapely geometries (one vectorised transform)."""
        def f(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
            return self.fwd.transform(x, y)
        return shapely.transform(geoms, lambda xy: np.column_stack(f(xy[:, 0], xy[:, 1])))


@memoize(maxsize=64)
def _transformers(proj4: str) -> tuple[Transformer, Transformer]:
    """Forward (lon/lat -> map) and inverse transformers of a PROJ string (shared, read-only)."""
    crs = _crs(proj4)
    return (Transformer.from_crs("EPSG:4326", crs, always_xy=True),
            Transformer.from_crs(crs, "EPSG:4326", always_xy=True))


@memoize(maxsize=64)
def _crs(proj4: str) -> CRS:
    """The CRS of a PROJ string (shared, read-only)."""
    return CRS.from_proj4(proj4)


def projection_for(bounds_deg: Sequence[float]) -> MapProjection:
    """Lambert conformal conic centred on ``bounds_deg`` (west, south, east, north).

    Standard parallels at 1/6 and 5/6 of the latitude span (at least 1 degree
    apart); Lambert azimuthal equal-area where a cone does not fit (a view across
    the equator or taller than 50 degrees).  The CRS and transformers of a PROJ
    string are made once and shared.

    >>> proj = projection_for((21.0, 48.8, 28.0, 52.0))
    >>> proj.proj4.split()[:3]
    ['+proj=lcc', '+lat_0=50.4', '+lon_0=24.5']
    >>> proj.fwd is projection_for((21.0, 48.8, 28.0, 52.0)).fwd
    True
    """
    w, s, e, n = (float(v) for v in bounds_deg)
    lon0, lat0 = round((w + e) / 2, 2), round((s + n) / 2, 2)
    span = n - s
    if s * n > 0 and span <= 50 and abs(lat0) < 80:
        lat1, lat2 = s + span / 6, n - span / 6
        if lat2 - lat1 < 1.0:
            lat1, lat2 = lat0 - 0.5, lat0 + 0.5
        lat1, lat2 = round(lat1, 2), round(lat2, 2)
        proj4 = (
            f"+proj=lcc +lat_0={lat0} +lon_0={lon0} +lat_1={lat1} +lat_2={lat2} "
            "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs")
        desc = (f"Lambert conformal conic, standard parallels {fmt_lat(lat1)} and "
                f"{fmt_lat(lat2)}, central meridian {fmt_lon(lon0)}; WGS 84")
    else:
        proj4 = (f"+proj=laea +lat_0={lat0} +lon_0={lon0} +x_0=0 +y_0=0 "
                             "+ellps=WGS84 +units=m +no_defs")
        desc = f"Lambert azimuthal equal-area centred {fmt_lat(lat0)} {fmt_lon(lon0)}; WGS 84"
    return MapProjection(proj4, desc)


def fmt_lat(v: float, decimals: int | None = None) -> str:
    """``50.5°N``; the equator is ``0°``."""
    if abs(v) < 1e-9:
        return "0°"
    return f"{_num(abs(v), decimals)}°{'N' if v >= 0 else 'S'}"


def fmt_lon(v: float, decimals: int | None = None) -> str:
    """``24°E``, ``15°W``; the prime and 180th meridians are ``0°`` and ``180°``."""
    v = (v + 180.0) % 360.0 - 180.0
    if abs(v) < 1e-9:
        return "0°"
    if abs(abs(v) - 180.0) < 1e-9:
        return "180°"
    return f"{_num(abs(v), decimals)}°{'E' if v >= 0 else 'W'}"


def _num(v: float, decimals: int | None) -> str:
    if decimals is None:
        return f"{round(v, 2):g}"
    return f"{v:.{decimals}f}"


def densified_box(x0: float, y0: float, x1: float, y1: float, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """x and y of a box's outline, ``n`` points a side (bottom, right, top, left), in the box's units."""
    t = np.linspace(0.0, 1.0, n)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(n, x1), x1 - (x1 - x0) * t, np.full(n, x0)])
    ys = np.concatenate([np.full(n, y0), y0 + (y1 - y0) * t, np.full(n, y1), y1 - (y1 - y0) * t])
    return xs, ys


def true_north_deg(proj: MapProjection, lon: float, lat: float) -> float:
    """Direction of true north at (lon, lat) on the map, degrees clockwise from grid up.

    Computed by projecting a short step north along the meridian, so it is the
    meridian convergence of whatever projection is in use (0 on the central
    meridian of a conic; negative to the east of it in the northern hemisphere).
    """
    dlat = 1e-3 if lat < 89.9 else -1e-3
    x0, y0 = proj.to_xy(lon, lat)
    x1, y1 = proj.to_xy(lon, lat + dlat)
    dx, dy = (x1 - x0), (y1 - y0)
    if dlat < 0:
        dx, dy = -dx, -dy
    return math.degrees(math.atan2(dx, dy))


def scale_bar_span_m(proj: MapProjection, x_c: float, y_c: float, ground_km: float,
                     ) -> float:
    """Projected length (m) of a horizontal bar centred on (x_c, y_c) that is ``ground_km`` long.

    The bar's ends are unprojected and measured with ``Geod.inv`` (secant
    refinement to 1e-9 relative), so the bar is geodesically right at that point
    whatever the projection's scale factor there.
    """
    target_m = ground_km * 1000.0
    span = target_m
    for _ in range(8):
        lon0, lat0 = proj.to_lonlat(x_c - span / 2, y_c)
        lon1, lat1 = proj.to_lonlat(x_c + span / 2, y_c)
        d = GEOD.inv(lon0, lat0, lon1, lat1)[2]
        if abs(d - target_m) <= 1e-9 * target_m:
            break
        span *= target_m / d
    return span
