"""Origin analysis: where could a munition with a given range have been fired from?

The candidate launch area of an incident is the geodesic annulus around its
impact point between ``min_km`` and ``max_km``, widened by the point's
``precision_m`` (outer radius + precision, inner radius − precision, floor 0),
cut to each country's territory (``countries`` layer, incl. the 12 nm
territorial sea).  Three named steps, each testable alone:

1. :func:`check_range` — the numbers are a usable range;
2. :func:`origin_annulus` — the widened geodesic annulus (every vertex placed
   with ``Geod.fwd`` at the exact radius, edges short enough that each sags at
   most :data:`RING_SAG_M` inside the true circle);
3. :func:`country_pieces` — the annulus ∩ each country, whose country edges are
   first densified along their geodesics, and the geodesic area of each piece.

>>> o = origin_areas("2022-11-15-przewodow", 75, 90)
>>> [a.country for a in o.areas]
['UA', 'PL']
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.incident_table import incident_records
from dashboard.geo.buffer import MAX_BUFFER_KM, buffer_point
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import densify, inverse_km
from dashboard.geo.measure import area_km2
from dashboard.geo.units import round_significant
from dashboard.io.layers_io import load_layer

#: Most a ring's edge may sag inside the true circle, m.  A chord c of a circle of radius r
#: sags c²/(8r); the area lost along a piece's arc is about 2/3 of the sag times the arc, so a
#: piece lying along the ring's edge keeps its area to within 0.01 % while it is at least
#: (2/3)·sag/1e-4 = 67 m wide there.  (The former 2 km edges sagged 5.6 m at 90 km, and a
#: 0.4 km wide sliver at the ring's edge lost 0.84 % of its area.)
RING_SAG_M: float = 0.01
#: Fewest and most vertices per ring (the most is reached only beyond 4,000 km, where the
#: sag stays under 1.5 cm).
MIN_RING_VERTICES: int = 256
MAX_RING_VERTICES: int = 65536
#: Country edges are densified along their geodesics to this step (km) before cutting.
COUNTRY_DENSIFY_KM: float = 1.0
#: Pieces smaller than this (km²) are slivers of the cut, not territory.
MIN_PIECE_KM2: float = 1e-6
#: How many nearest ids an unknown-id error suggests.
SUGGESTIONS: int = 3


@dataclass(frozen=True)
class CountryArea:
    """The part of the candidate area in one country.

    Attributes
    ----------
    country : str
        ISO 3166-1 alpha-2.
    name : str
        Country name.
    area_km2 : float
        Geodesic area, km²: within 0.01 % of the exact piece wherever the piece is
        at least 67 m wide along the ring's edge (the ring's chords sag at most
        :data:`RING_SAG_M`; a 0.6 km sliver of Belarus is right to 0.002 %).
    geometry : Polygon or MultiPolygon
        The piece, WGS84 lon/lat.
    """

    country: str
    name: str
    area_km2: float
    geometry: BaseGeometry


@dataclass(frozen=True)
class CityInArea:
    """A city (``cities`` layer) inside the candidate area.

    Attributes
    ----------
    name, country : str
        GeoNames name and ISO alpha-2 country.
    population : int
        GeoNames population.
    distance_km : float
        Geodesic distance from the impact point, km.
    lon, lat : float
        Degrees.
    """

    name: str
    country: str
    population: int
    distance_km: float
    lon: float
    lat: float


@dataclass(frozen=True)
class OriginAreas:
    """The candidate launch area of one incident for one range.

    Attributes
    ----------
    incident_id : str
    lon, lat : float
        The impact point, degrees.
    precision_km : float
        The point's precision, km (0 when not widened).
    min_km, max_km : float
        The range asked for, km.
    inner_km, outer_km : float
        The annulus radii after widening, km.
    annulus : Polygon
        The widened geodesic annulus (a disc when ``inner_km`` is 0).
    annulus_km2 : float
        Its geodesic area, km² (short of the exact annulus by under 4/3 of the chords'
        sag over the radius: 2e-7 at 75 km).
    areas : tuple of CountryArea
        The annulus ∩ each country with a positive area, largest first.
    outside_km2 : float
        Area of the annulus in no country of the layer (high seas, or beyond
        the layer's region box 4–45° E, 40–72° N), km².
    cities : tuple of CityInArea
        Cities inside the annulus, largest first.
    """

    incident_id: str
    lon: float
    lat: float
    precision_km: float
    min_km: float
    max_km: float
    inner_km: float
    outer_km: float
    annulus: BaseGeometry
    annulus_km2: float
    areas: tuple[CountryArea, ...]
    outside_km2: float
    cities: tuple[CityInArea, ...]

    def as_dict(self) -> dict:
        """``{"incident", "min_km", "max_km", "areas": [{"country", "area_km2"}], "cities": [...]}``
        (areas to 6 significant digits, distances to 0.001 km), as the CLI prints it."""
        return {
            "incident": self.incident_id,
            "min_km": self.min_km,
            "max_km": self.max_km,
            "areas": [{"country": a.country, "area_km2": round_significant(a.area_km2, 6)}
                      for a in self.areas],
            "cities": [{"name": c.name, "country": c.country, "population": c.population,
                        "distance_km": round(c.distance_km, 3)} for c in self.cities],
        }


def check_range(min_km: float, max_km: float) -> tuple[float, float]:
    """``(min_km, max_km)`` as floats; :class:`InputError` unless 0 <= min <= max <= 5000 km."""
    try:
        lo, hi = float(min_km), float(max_km)
    except (TypeError, ValueError):
        raise InputError(f"a range must be two numbers of km, got {min_km!r} and {max_km!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(f"a range must be finite km, got {min_km!r} and {max_km!r}")
    if lo < 0 or hi < 0:
        raise InputError(f"a range cannot be negative: {lo:g}–{hi:g} km")
    if lo > hi:
        raise InputError(f"the minimum range {lo:g} km is more than the maximum {hi:g} km")
    if hi > MAX_BUFFER_KM:
        raise InputError(f"a range of {hi:g} km is beyond {MAX_BUFFER_KM:,.0f} km, the most this tool measures")
    if hi == 0:
        raise InputError("the maximum range must be more than 0 km")
    return lo, hi


def find_incident(incident_id: str) -> dict:
    """The catalogue record of ``incident_id``; :class:`InputError` with the nearest ids if unknown."""
    records = {str(r["id"]): r for r in incident_records()}
    key = str(incident_id).strip()
    if key in records:
        return records[key]
    close = difflib.get_close_matches(key, list(records), n=SUGGESTIONS, cutoff=0.0)
    raise InputError(f"unknown incident {incident_id!r}; nearest ids: {', '.join(close)}")


def ring_vertices(radius_km: float, sag_m: float = RING_SAG_M) -> int:
    """Vertices of a ring of ``radius_km`` whose chords sag at most ``sag_m`` inside the
    circle: a chord spanning an angle 2π/n sags r (1 − cos(π/n))."""
    r_m = float(radius_km) * 1000.0
    if r_m <= sag_m:
        return MIN_RING_VERTICES
    n = math.ceil(math.pi / math.acos(1.0 - sag_m / r_m))
    return int(min(max(n, MIN_RING_VERTICES), MAX_RING_VERTICES))


def origin_annulus(lon: float, lat: float, inner_km: float, outer_km: float) -> Polygon:
    """Geodesic annulus between ``inner_km`` and ``outer_km`` around ``(lon, lat)`` (a disc if inner is 0).

    Every ring vertex lies exactly at its radius (``Geod.fwd``); each edge sags at most
    :data:`RING_SAG_M` inside its circle (:func:`ring_vertices`).
    """
    outer = buffer_point(lon, lat, outer_km, n_vertices=ring_vertices(outer_km))
    if inner_km <= 0:
        return outer
    inner = buffer_point(lon, lat, inner_km, n_vertices=ring_vertices(inner_km))
    return Polygon(outer.exterior.coords, [inner.exterior.coords[::-1]])


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    return shapely.union_all(parts) if parts else Polygon()


def country_pieces(annulus: BaseGeometry, countries=None) -> list[CountryArea]:
    """The annulus ∩ each country's territory, with positive geodesic area, largest first.

    Parameters
    ----------
    annulus : Polygon
        WGS84 lon/lat, edges short enough to be straight in lon/lat.
    countries : GeoDataFrame, optional
        Country polygons with ``iso_a2`` and ``name``; the ``countries`` layer by default.
    """
    if countries is None:
        countries = load_layer("countries")
    x0, y0, x1, y1 = annulus.bounds
    box = (x0 - 0.1, y0 - 0.1, x1 + 0.1, y1 + 0.1)
    out = []
    for iso, name, geom in zip(countries["iso_a2"], countries["name"], countries.geometry.values):
        if not shapely.intersects(shapely.box(*geom.bounds), shapely.box(*box)):
            continue
        local = shapely.clip_by_rect(geom, *box)
        if local.is_empty:
            continue
        dense = densify(local, COUNTRY_DENSIFY_KM)
        if not dense.is_valid:  # a long edge bent onto its geodesic may cross another
            dense = shapely.make_valid(dense, method="structure", keep_collapsed=False)
        piece = _polygonal(shapely.intersection(dense, annulus))
        a = area_km2(piece) if not piece.is_empty else 0.0
        if a > MIN_PIECE_KM2:
            out.append(CountryArea(str(iso), str(name), a, piece))
    out.sort(key=lambda c: (-c.area_km2, c.country))
    return out


def cities_inside(annulus: BaseGeometry, lon: float, lat: float) -> list[CityInArea]:
    """Cities of the ``cities`` layer inside ``annulus``, largest first, with their distance
    (km) from ``(lon, lat)``."""
    cities = load_layer("cities")
    cx, cy = cities.geometry.x.to_numpy(), cities.geometry.y.to_numpy()
    shapely.prepare(annulus)
    sel = np.flatnonzero(shapely.contains_xy(annulus, cx, cy))
    _, d = inverse_km(np.full(len(sel), lon), np.full(len(sel), lat), cx[sel], cy[sel])
    out = [CityInArea(str(cities["name"].iat[i]), str(cities["country"].iat[i]),
                      int(cities["population"].iat[i]), float(dk), float(cx[i]), float(cy[i]))
           for i, dk in zip(sel, np.atleast_1d(d))]
    out.sort(key=lambda c: (-c.population, c.name))
    return out


def origin_areas(incident_id: str, min_km: float, max_km: float, *,
                 widen_by_precision: bool = True) -> OriginAreas:
    """Candidate launch area of an incident for a munition range, per country.

    Parameters
    ----------
    incident_id : str
        A catalogue id (``python -m dashboard incidents``), e.g. ``2022-11-15-przewodow``.
    min_km, max_km : float
        The munition's range, km (0 <= min <= max <= 5000).
    widen_by_precision : bool
        Widen the annulus by the point's ``precision_m`` (default), so the area
        covers every possible true impact point.

    Returns
    -------
    OriginAreas
        The annulus, its pieces per country (geometry and geodesic km²) and the
        cities inside; :meth:`OriginAreas.as_dict` is the CLI's JSON.

    Raises
    ------
    InputError
        A bad range, an unknown id (with the nearest ids) or an incident whose
        position is not sourced.
    """
    lo, hi = check_range(min_km, max_km)
    rec = find_incident(incident_id)
    if rec.get("lon") is None:
        raise InputError(f"incident {rec['id']} has no sourced position (position not sourced), "
                         "so no origin area can be drawn for it")
    lon, lat = float(rec["lon"]), float(rec["lat"])
    precision_km = float(rec["precision_m"]) / 1000.0 if widen_by_precision else 0.0
    inner, outer = max(lo - precision_km, 0.0), min(hi + precision_km, MAX_BUFFER_KM)
    _, pole_km = inverse_km(lon, lat, lon, 90.0 if lat >= 0 else -90.0)
    if outer >= pole_km - 1.0:  # a ring round a pole cannot be drawn in lon/lat
        raise InputError(f"a {outer:,.0f} km ring around {rec['id']} would reach the pole "
                         f"({pole_km:,.0f} km away); use a maximum below "
                         f"{math.floor(pole_km - 1.0 - precision_km):,} km")
    annulus = origin_annulus(lon, lat, inner, outer)
    pieces = country_pieces(annulus)
    total = area_km2(annulus)
    return OriginAreas(
        incident_id=str(rec["id"]), lon=lon, lat=lat, precision_km=precision_km,
        min_km=lo, max_km=hi, inner_km=inner, outer_km=outer, annulus=annulus,
        annulus_km2=total, areas=tuple(pieces),
        outside_km2=max(total - sum(p.area_km2 for p in pieces), 0.0),
        cities=tuple(cities_inside(annulus, lon, lat)))


__all__ = [
    "CityInArea",
    "CountryArea",
    "OriginAreas",
    "check_range",
    "cities_inside",
    "country_pieces",
    "find_incident",
    "origin_annulus",
    "origin_areas",
    "ring_vertices",
]
