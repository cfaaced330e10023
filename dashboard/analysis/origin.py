"""Origin analysis: where could a munition with a given range have been fired from?

The candidate launch area of an incident is the geodesic annulus around its
impact point between ``min_km`` and ``max_km``, widened by the point's
``precision_m`` (outer radius + precision, inner radius − precision, floor 0),
cut to each country's territory (``countries`` layer, incl. the 12 nm
territorial sea).  Named steps, each testable alone:

1. :func:`check_range` — the numbers are a usable range; :func:`check_bearing` — an
   optional bearing sector (the direction the object came FROM, as seen from the
   impact point: azimuths in degrees clockwise from north, ``from`` to ``to``
   clockwise, so 340 → 20 passes through north); :func:`check_countries` — optional
   launch countries (ISO alpha-2 codes of the ``countries`` layer);
2. :func:`origin_annulus` — the widened geodesic annulus (every vertex placed
   with ``Geod.fwd`` at the exact radius, edges short enough that each sags at
   most :data:`RING_SAG_M` inside the true circle), or with a bearing
   :func:`origin_sector` — the range fan: the annulus' sector between the two
   azimuths, whose arcs are placed like the annulus' rings and whose radial edges
   (geodesics from the impact point along a fixed azimuth) have a ``Geod.fwd``
   vertex every :data:`RADIAL_STEP_KM`;
3. :func:`country_pieces` — the annulus (fan) ∩ each country (or each chosen launch
   country), whose country edges are first densified along their geodesics, and
   the geodesic area of each piece.

A radius beyond the farthest point of the layers' coverage (4–45° E, 40–72° N) is
drawn to that point (:func:`coverage_reach_km`): every country piece and city is the
same, and a 5,000 km ring, which would pass the pole, becomes drawable.

>>> o = origin_areas("2022-11-15-przewodow", 75, 90)
>>> [a.country for a in o.areas]
['UA', 'PL']
>>> fan = origin_areas("2022-11-15-przewodow", 75, 90, bearing=(20, 80), countries=("UA",))
>>> [a.country for a in fan.areas], fan.bearing
(['UA'], (20.0, 80.0))
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from dashboard.analysis.incident_table import incident_records
from dashboard.data.coverage import COVERAGE_LONLAT
from dashboard.geo.buffer import MAX_BUFFER_KM, buffer_point
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import densify, forward, inverse_km
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
#: Step of the vertices along a fan's radial edges, km (a lon/lat chord of 1 km strays
#: from its geodesic by well under a millimetre at these latitudes).
RADIAL_STEP_KM: float = 1.0
#: Step of the coverage box's edges sampled for its farthest point, degrees.
COVERAGE_STEP_DEG: float = 0.05
#: Margin added to the farthest sampled point of the coverage, km (the distance between two
#: samples 5.6 km apart exceeds both by far less).
COVERAGE_MARGIN_KM: float = 1.0

#: What ``SceneRequest.origin`` and ``state.origin`` hold: ``(incident id, min_km, max_km)``,
#: or with a fan or launch countries ``(id, min_km, max_km, (from°, to°) or None, (CC, ...))``.
OriginSpec = tuple[Any, ...]


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
        the layer's region box 4–45° E, 40–72° N), or with launch countries in
        none of them, km².
    cities : tuple of CityInArea
        Cities inside the launch area (the annulus, or its pieces in the launch
        countries), largest first.
    bearing : (from°, to°) or None
        The bearing sector the annulus was cut to (a range fan), degrees clockwise
        from north, ``from`` to ``to`` clockwise; None for the whole annulus.
    launch_countries : tuple of str
        The countries the area was limited to (ISO alpha-2); empty for all.
    drawn_km : float
        The outer radius drawn, km: ``outer_km``, or the farthest point of the
        layers' coverage when that is nearer (the pieces are the same).
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
    bearing: tuple[float, float] | None = None
    launch_countries: tuple[str, ...] = ()
    drawn_km: float = 0.0

    @property
    def launch_area(self) -> BaseGeometry:
        """The candidate launch area: the annulus (fan), or with launch countries the union
        of its pieces in them (WGS84 lon/lat)."""
        if not self.launch_countries:
            return self.annulus
        return shapely.union_all([a.geometry for a in self.areas]) if self.areas else Polygon()

    @property
    def spec(self) -> OriginSpec:
        """What :func:`origin_areas` was asked: :data:`OriginSpec`."""
        if self.bearing is None and not self.launch_countries:
            return (self.incident_id, self.min_km, self.max_km)
        return (self.incident_id, self.min_km, self.max_km, self.bearing, self.launch_countries)

    def as_dict(self) -> dict:
        """``{"incident", "min_km", "max_km", "areas": [{"country", "area_km2"}], "cities": [...]}``
        (areas to 6 significant digits, distances to 0.001 km), as the CLI prints it; a fan
        adds ``"bearing_deg": [from, to]`` and launch countries ``"launch_countries"``
        before ``areas``."""
        out: dict[str, Any] = {
            "incident": self.incident_id,
            "min_km": self.min_km,
            "max_km": self.max_km,
        }
        if self.bearing is not None:
            out["bearing_deg"] = list(self.bearing)
        if self.launch_countries:
            out["launch_countries"] = list(self.launch_countries)
        out["areas"] = [{"country": a.country, "area_km2": round_significant(a.area_km2, 6)}
                        for a in self.areas]
        out["cities"] = [{"name": c.name, "country": c.country, "population": c.population,
                          "distance_km": round(c.distance_km, 3)} for c in self.cities]
        return out


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


def check_bearing(az_from: float, az_to: float) -> tuple[float, float]:
    """A bearing sector ``(from°, to°)``: both 0–360, clockwise from ``from`` to ``to``
    (so ``(340, 20)`` is the 40° through north); ``(0, 360)`` is all round.

    >>> check_bearing(340, 20), check_bearing("20", 80.5)
    ((340.0, 20.0), (20.0, 80.5))
    """
    try:
        a, b = float(az_from), float(az_to)
    except (TypeError, ValueError):
        raise InputError(f"a bearing sector is two azimuths in degrees, got {az_from!r} and "
                         f"{az_to!r}") from None
    for v in (a, b):
        if not math.isfinite(v) or not 0.0 <= v <= 360.0:
            raise InputError(f"a bearing must be 0–360 degrees clockwise from north, got {v:g}")
    if (b - a) % 360.0 == 0.0 and abs(b - a) != 360.0:
        raise InputError(f"the bearing sector from {a:g}° to {b:g}° is empty; give two different "
                         "azimuths (0 360 for all round)")
    return a, b


def sector_width(bearing: tuple[float, float]) -> float:
    """Degrees from ``from`` clockwise to ``to`` (360 for ``(0, 360)``).

    >>> sector_width((340, 20)), sector_width((0, 360)), sector_width((20, 80))
    (40.0, 360.0, 60.0)
    """
    a, b = bearing
    w = (float(b) - float(a)) % 360.0
    return 360.0 if w == 0.0 else w


def check_countries(codes: Iterable[str] | str | None, countries=None) -> tuple[str, ...]:
    """Launch countries as sorted unique ISO alpha-2 codes of the ``countries`` layer
    (``"RU,by"`` or ``["RU", "BY"]``); empty for None or nothing.

    Raises
    ------
    InputError
        A code that is no country of the layer.
    """
    if codes is None:
        return ()
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    wanted = [str(c).strip().upper() for c in items if str(c).strip()]
    if not wanted:
        return ()
    if countries is None:
        countries = load_layer("countries")
    known = {str(c) for c in countries["iso_a2"]}
    for c in wanted:
        if c not in known:
            raise InputError(f"unknown launch country {c!r}; use ISO codes of the countries layer: "
                             f"{', '.join(sorted(known))}")
    return tuple(sorted(set(wanted)))


def _arc(lon: float, lat: float, radius_km: float, az0: float, width: float) -> np.ndarray:
    """Points of the circle of ``radius_km`` from azimuth ``az0`` clockwise over ``width``°,
    both ends included, spaced like :func:`ring_vertices`."""
    n = max(math.ceil(ring_vertices(radius_km) * width / 360.0), 2)
    az = az0 + np.linspace(0.0, width, n + 1)
    x, y = forward(np.full(n + 1, lon), np.full(n + 1, lat), az, np.full(n + 1, radius_km))
    return np.column_stack([x, y])


def _radial(lon: float, lat: float, az: float, d0: float, d1: float) -> np.ndarray:
    """Points along the geodesic from the centre at azimuth ``az``, from ``d0`` to ``d1`` km,
    both ends excluded, at most :data:`RADIAL_STEP_KM` apart."""
    n = math.ceil(abs(d1 - d0) / RADIAL_STEP_KM)
    if n <= 1:
        return np.empty((0, 2))
    d = np.linspace(d0, d1, n + 1)[1:-1]
    x, y = forward(np.full(len(d), lon), np.full(len(d), lat), np.full(len(d), az), d)
    return np.column_stack([x, y])


def origin_sector(lon: float, lat: float, inner_km: float, outer_km: float,
                  bearing: tuple[float, float]) -> Polygon:
    """The range fan: the geodesic annulus' sector from azimuth ``bearing[0]`` clockwise to
    ``bearing[1]`` (degrees from north at the centre), counter-clockwise exterior.

    Its arcs are placed like :func:`origin_annulus`' rings (each vertex exactly at its
    radius); its radial edges are the geodesics from the centre along the two azimuths,
    a ``Geod.fwd`` vertex every :data:`RADIAL_STEP_KM`; with ``inner_km`` 0 its apex is
    the centre.  A sector of 360° is the annulus.
    """
    a0, _ = check_bearing(*bearing)
    width = sector_width(bearing)
    if width >= 360.0:
        return origin_annulus(lon, lat, inner_km, outer_km)
    a1 = a0 + width
    parts = [_arc(lon, lat, outer_km, a0, width), _radial(lon, lat, a1, outer_km, inner_km)]
    if inner_km > 0:
        parts.append(_arc(lon, lat, inner_km, a0, width)[::-1])
    else:
        parts.append(np.array([[lon, lat]]))
    parts.append(_radial(lon, lat, a0, inner_km, outer_km))
    return orient(Polygon(np.vstack(parts)), 1.0)


def coverage_reach_km(lon: float, lat: float) -> float:
    """Geodesic distance from ``(lon, lat)`` to the farthest point of the layers' coverage
    box (:data:`~dashboard.data.coverage.COVERAGE_LONLAT`), km, plus
    :data:`COVERAGE_MARGIN_KM`: every built-in feature lies nearer."""
    w, s, e, n = COVERAGE_LONLAT
    xs = np.arange(w, e + COVERAGE_STEP_DEG / 2, COVERAGE_STEP_DEG)
    ys = np.arange(s, n + COVERAGE_STEP_DEG / 2, COVERAGE_STEP_DEG)
    bx = np.r_[xs, xs, np.full(len(ys), w), np.full(len(ys), e)]
    by = np.r_[np.full(len(xs), s), np.full(len(xs), n), ys, ys]
    _, d = inverse_km(np.full(len(bx), lon), np.full(len(bx), lat), bx, by)
    return float(np.max(d)) + COVERAGE_MARGIN_KM


def origin_for_record(rec: Mapping[str, Any], min_km: float, max_km: float, *,
                      bearing: tuple[float, float] | None = None,
                      countries: Iterable[str] | str | None = None,
                      widen_by_precision: bool = True) -> OriginAreas:
    """:func:`origin_areas` for an incident record (a mapping with ``id``, ``lon``, ``lat``,
    ``precision_m``), e.g. a row of
    :func:`~dashboard.analysis.incident_catalogue.incident_rows`."""
    lo, hi = check_range(min_km, max_km)
    sector = check_bearing(*bearing) if bearing is not None else None
    layer = load_layer("countries")
    chosen = check_countries(countries, layer)
    if rec.get("lon") is None:
        raise InputError(f"incident {rec['id']} has no sourced position (position not sourced), "
                         "so no origin area can be drawn for it")
    lon, lat = float(rec["lon"]), float(rec["lat"])
    precision_m = rec.get("precision_m")
    precision_km = (float(precision_m) / 1000.0
                    if widen_by_precision and precision_m is not None else 0.0)
    inner, outer = max(lo - precision_km, 0.0), min(hi + precision_km, MAX_BUFFER_KM)
    drawn = min(outer, coverage_reach_km(lon, lat))
    if inner >= drawn:
        raise InputError(f"the range {lo:g}–{hi:g} km around {rec['id']} lies wholly beyond the "
                         "map's coverage (4–45° E, 40–72° N)")
    _, pole_km = inverse_km(lon, lat, lon, 90.0 if lat >= 0 else -90.0)
    if drawn >= pole_km - 1.0:  # a ring round a pole cannot be drawn in lon/lat
        raise InputError(f"a {drawn:,.0f} km ring around {rec['id']} would reach the pole "
                         f"({pole_km:,.0f} km away); use a maximum below "
                         f"{math.floor(pole_km - 1.0 - precision_km):,} km")
    if sector is None or sector_width(sector) >= 360.0:
        annulus = origin_annulus(lon, lat, inner, drawn)
    else:
        annulus = origin_sector(lon, lat, inner, drawn, sector)
    pieces = country_pieces(annulus, layer[layer["iso_a2"].isin(chosen)] if chosen else layer)
    total = area_km2(annulus)
    launch = shapely.union_all([p.geometry for p in pieces]) if chosen and pieces else annulus
    return OriginAreas(
        incident_id=str(rec["id"]), lon=lon, lat=lat, precision_km=precision_km,
        min_km=lo, max_km=hi, inner_km=inner, outer_km=outer, annulus=annulus,
        annulus_km2=total, areas=tuple(pieces),
        outside_km2=max(total - sum(p.area_km2 for p in pieces), 0.0),
        cities=tuple(cities_inside(launch, lon, lat)) if not (chosen and not pieces) else (),
        bearing=sector, launch_countries=chosen, drawn_km=drawn)


def origin_areas(incident_id: str, min_km: float, max_km: float, *,
                 bearing: tuple[float, float] | None = None,
                 countries: Iterable[str] | str | None = None,
                 widen_by_precision: bool = True) -> OriginAreas:
    """Candidate launch area of an incident for a munition range, per country.

    Parameters
    ----------
    incident_id : str
        A catalogue id (``python -m dashboard incidents``), e.g. ``2022-11-15-przewodow``.
    min_km, max_km : float
        The munition's range, km (0 <= min <= max <= 5000).
    bearing : (from°, to°), optional
        The direction the object came from, as seen from the impact point: azimuths in
        degrees clockwise from north, the sector running clockwise from ``from`` to
        ``to`` (``(340, 20)`` passes through north).  Gives a range fan instead of the
        whole annulus.
    countries : ISO alpha-2 codes, optional
        Launch countries (``"RU,BY"`` or a sequence): the area is cut to them only.
    widen_by_precision : bool
        Widen the annulus by the point's ``precision_m`` (default), so the area
        covers every possible true impact point.

    Returns
    -------
    OriginAreas
        The annulus (fan), its pieces per country (geometry and geodesic km²) and the
        cities inside; :meth:`OriginAreas.as_dict` is the CLI's JSON.

    Raises
    ------
    InputError
        A bad range, bearing or country, an unknown id (with the nearest ids) or an
        incident whose position is not sourced.
    """
    check_range(min_km, max_km)
    if bearing is not None:
        check_bearing(*bearing)
    return origin_for_record(find_incident(incident_id), min_km, max_km, bearing=bearing,
                             countries=countries, widen_by_precision=widen_by_precision)


def origin_spec(value: Sequence[Any]) -> OriginSpec:
    """An :data:`OriginSpec` checked and normalised: ``(id, min_km, max_km)`` when it asks
    for no fan and no launch countries, else ``(id, min_km, max_km, (from°, to°) or None,
    (CC, ...))``.

    >>> origin_spec(("x", 75, 90, None, ()))
    ('x', 75.0, 90.0)
    >>> origin_spec(("x", 0, 600, [340, 20], "by,RU"))
    ('x', 0.0, 600.0, (340.0, 20.0), ('BY', 'RU'))
    """
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    if len(items) not in (3, 5):
        raise InputError("an origin is (incident id, min_km, max_km[, bearing, countries])")
    lo, hi = check_range(items[1], items[2])
    if len(items) == 3:
        return str(items[0]), lo, hi
    bearing = None if items[3] is None else check_bearing(*items[3])
    chosen = check_countries(items[4])
    if bearing is None and not chosen:
        return str(items[0]), lo, hi
    return str(items[0]), lo, hi, bearing, chosen


__all__ = [
    "CityInArea",
    "CountryArea",
    "OriginAreas",
    "OriginSpec",
    "check_bearing",
    "check_countries",
    "check_range",
    "coverage_reach_km",
    "cities_inside",
    "country_pieces",
    "find_incident",
    "origin_annulus",
    "origin_areas",
    "origin_for_record",
    "origin_sector",
    "origin_spec",
    "sector_width",
    "ring_vertices",
]
