"""Candidate no-fly zones: presets, rule builders and the metrics of any zone.

A zone is a shapely (Multi)Polygon in WGS84 lon/lat.  Builders:

- :func:`preset_zone` — a zone from ``geodata/zones.geojson`` by id;
- :func:`zone_from_regions` — the union of oblasts/voivodeships by ISO 3166-2 code;
- :func:`zone_border_band` — a band N km deep along chosen NATO-border segments,
  on the neighbour's side (e.g. inside Ukraine);
- :func:`zone_ring` — a geodesic circle around a point;
- :func:`clip_to_country` — any zone cut to one country's territory.

:func:`zone_metrics` measures a zone: geodesic area and perimeter, NATO border
covered, closest approach to Belarus and Russia, cities inside and each
incident's distance.

Edges are geodesics everywhere: before a planar overlay or predicate (union,
intersection, inside) every geometry is densified along its geodesic edges
(:func:`dashboard.geo.edges.densify_edges`), so a zone with 300 km edges near
70 N is clipped, tested and measured as the geodesic polygon it is.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.incident_catalogue import incident_layer
from dashboard.geo.buffer import buffer_point, side_band
from dashboard.geo.distance import nearest
from dashboard.geo.edges import densify_edges
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import GEOD, densify, densify_coords
from dashboard.geo.measure import area_km2, perimeter_km
from dashboard.geo.nato import nato_border_on, parse_date
from dashboard.io.layers_io import load_layer

#: A border vertex within this distance of a zone counts as covered (km).
BORDER_COVER_KM: float = 1.0
#: Border lines are sampled at this step to measure the covered length (km).
BORDER_STEP_KM: float = 0.1
#: How many of the largest cities :func:`zone_metrics` lists.
LARGEST_CITIES: int = 10


@dataclass(frozen=True)
class ZoneLayers:
    """The layers a zone is measured against (lon/lat GeoDataFrames).

    ``nato_border`` is the whole border; :func:`zone_metrics` keeps the segments
    that were NATO's on its date.  :func:`builtin_zone_layers` gives the
    committed ones.
    """

    nato_border: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    cities: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame


def builtin_zone_layers() -> ZoneLayers:
    """The committed layers and the current incidents, as :class:`ZoneLayers` (cached)."""
    return ZoneLayers(*(load_layer(n) for n in ("nato_border", "countries", "cities")),
                      incident_layer())


@dataclass(frozen=True)
class CityFigure:
    """One city inside a zone: GeoNames name, ISO country code, population."""

    name: str
    country: str
    population: int


@dataclass(frozen=True)
class CitiesInside:
    """How many places lie inside a zone, their people, and the largest."""

    count: int
    population: int
    largest: tuple[CityFigure, ...]


@dataclass(frozen=True)
class IncidentDistance:
    """An incident's geodesic distance to a zone, km (0 inside)."""

    id: str
    place: str
    distance_km: float


@dataclass(frozen=True)
class ZoneMetrics:
    """A zone's figures, all geodesic on WGS84 (see :func:`zone_metrics`)."""

    area_km2: float
    perimeter_km: float
    nato_border_km: float
    closest_belarus_km: float | None
    closest_russia_km: float | None
    cities_inside: CitiesInside
    incidents: tuple[IncidentDistance, ...]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ZoneMetrics:
        """The inverse of :meth:`to_dict`."""
        ci = d["cities_inside"]
        return cls(d["area_km2"], d["perimeter_km"], d["nato_border_km"],
                   d["closest_belarus_km"], d["closest_russia_km"],
                   CitiesInside(ci["count"], ci["population"],
                                tuple(CityFigure(**c) for c in ci["largest"])),
                   tuple(IncidentDistance(**i) for i in d["incidents"]))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (lists for tuples), keys in field order."""
        def plain(v: Any) -> Any:
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [plain(x) for x in v]
            return v
        return plain(asdict(self))


def _planar_ready(geom: BaseGeometry) -> BaseGeometry:
    """``geom`` densified along its geodesic edges, valid, for planar overlays."""
    dense = densify_edges(geom)
    if not dense.is_valid:
        dense = shapely.make_valid(dense, method="structure", keep_collapsed=False)
    return dense


def _polygonal(geom: BaseGeometry, what: str = "zone") -> BaseGeometry:
    if geom is None or geom.is_empty:
        raise InputError(f"the {what} is empty")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        if geom.geom_type == "GeometryCollection":
            polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            if polys:
                return shapely.union_all(polys)
        raise InputError(f"the {what} must be a polygon, not a {geom.geom_type}")
    if not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    return geom


def preset_zone(zone_id: str) -> BaseGeometry:
    """A candidate zone from ``geodata/zones.geojson`` by its id (e.g. ``"lviv-volyn"``)."""
    zones = load_layer("zones")
    hit = zones[zones["id"] == zone_id]
    if hit.empty:
        raise InputError(f"unknown zone {zone_id!r}; presets: {', '.join(map(str, zones['id']))}")
    return hit.geometry.iloc[0]


def zone_from_regions(iso_codes: Iterable[str]) -> BaseGeometry:
    """Union of regions (``regions`` layer) by ISO 3166-2 code, e.g. ``["UA-46", "UA-07"]``."""
    codes = [str(c).strip().upper() for c in iso_codes if str(c).strip()]
    if not codes:
        raise InputError("choose at least one region")
    regions = load_layer("regions")
    known = set(regions["iso_3166_2"].astype(str).str.upper())
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InputError(f"unknown region code(s) {', '.join(unknown)}; use ISO 3166-2 codes "
                         "such as UA-46 (Lviv)")
    sel = regions[regions["iso_3166_2"].astype(str).str.upper().isin(codes)]
    parts = densify_edges(np.asarray(sel.geometry.values))
    return _polygonal(shapely.union_all(parts), "region union")


def country_geometry(iso_a2: str) -> BaseGeometry:
    """A country's territory (incl. territorial sea) from the ``countries`` layer."""
    countries = load_layer("countries")
    hit = countries[countries["iso_a2"] == str(iso_a2).upper()]
    if hit.empty:
        raise InputError(f"unknown country {iso_a2!r}; use an ISO alpha-2 code such as UA")
    return shapely.union_all(np.asarray(hit.geometry.values))


def zone_border_band(segment_ids: Iterable[str], depth_km: float,
                     clip_iso_a2: str | None = None) -> BaseGeometry:
    """Band ``depth_km`` deep along NATO-border segments, on the non-NATO side.

    Parameters
    ----------
    segment_ids : iterable of str
        ``nato_border`` ids, e.g. ``["PL-UA", "SK-UA"]``.
    depth_km : float
        Geodesic depth of the band, km.
    clip_iso_a2 : str, optional
        Country to clip to; by default each segment's ``neighbour`` (UA for PL-UA).
    """
    ids = [str(s).strip().upper() for s in segment_ids if str(s).strip()]
    if not ids:
        raise InputError("choose at least one NATO border segment")
    border = load_layer("nato_border")
    unknown = [s for s in ids if s not in set(border["id"])]
    if unknown:
        raise InputError(f"unknown border segment(s) {', '.join(unknown)}; segments: "
                         f"{', '.join(border['id'])}")
    parts = []
    sel = border[border["id"].isin(ids)]
    groups = ({clip_iso_a2.upper(): sel} if clip_iso_a2 else
              {n: g for n, g in sel.groupby("neighbour")})
    for iso, rows in groups.items():
        line = shapely.union_all(np.asarray(rows.geometry.values))
        parts.append(side_band(line, depth_km, country_geometry(iso)))
    return _polygonal(shapely.union_all(parts), "band")


def zone_ring(lon: float, lat: float, radius_km: float) -> BaseGeometry:
    """Geodesic circle of ``radius_km`` around ``(lon, lat)``."""
    return buffer_point(lon, lat, radius_km)


def clip_to_country(geom: BaseGeometry, iso_a2: str = "UA") -> BaseGeometry:
    """The part of a zone inside one country's territory (default Ukraine)."""
    geom = _planar_ready(_polygonal(geom))
    out = geom.intersection(_planar_ready(country_geometry(iso_a2)))
    out = shapely.make_valid(out, method="structure", keep_collapsed=False) if not out.is_valid \
        else out
    polys = [g for g in getattr(out, "geoms", [out])
             if g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty]
    if not polys:
        raise InputError(f"the zone does not overlap {iso_a2.upper()}")
    return shapely.union_all(polys)


# ---------------------------------------------------------------------- metrics
def _zone_gdf(geom: BaseGeometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ["zone"]}, geometry=[geom], crs="EPSG:4326")


def _maybe_within(x: np.ndarray, y: np.ndarray, geom: BaseGeometry, km: float) -> np.ndarray:
    """False for points certainly farther than ``km`` from ``geom`` (a conservative
    lon/lat box test, only to skip work; the box holds the geodesic edges, which
    bulge poleward of their vertices)."""
    minx, miny, maxx, maxy = densify_edges(geom).bounds
    dlat = km / 110.0  # a degree of latitude is at least 110.57 km
    far_lat = min(max(abs(miny), abs(maxy)) + dlat, 89.9)
    dlon = km / (111.0 * np.cos(np.radians(far_lat)))  # a degree of longitude >= 111.32 cos
    if maxx - minx + 2 * dlon >= 360 or far_lat >= 89.9:
        return np.ones(len(x), dtype=bool)
    return (y >= miny - dlat) & (y <= maxy + dlat) & (x >= minx - dlon) & (x <= maxx + dlon)


def border_length_near_km(zone: BaseGeometry, border: gpd.GeoDataFrame,
                          within_km: float = BORDER_COVER_KM) -> float:
    """Geodesic length (km) of the ``border`` lines lying within ``within_km`` of ``zone``.

    Lines are sampled every :data:`BORDER_STEP_KM` along their geodesics; a step
    that leaves the distance band counts in proportion (linear in distance).
    """
    if len(border) == 0:
        return 0.0
    xs, ys, ids = [], [], []
    k = 0
    for g in border.geometry.values:
        for part in getattr(g, "geoms", [g]):
            if part.is_empty:
                continue
            xy = densify_coords(np.asarray(part.coords)[:, :2], BORDER_STEP_KM)
            xs.append(xy[:, 0])
            ys.append(xy[:, 1])
            ids.append(np.full(len(xy), k))
            k += 1
    x, y, line = np.concatenate(xs), np.concatenate(ys), np.concatenate(ids)
    # points outside the box are > within_km + 2 steps away; as distance changes by
    # at most one step per step, no step pairs them with a point inside the band
    d = np.full(len(x), 1e9)
    near = _maybe_within(x, y, zone, within_km + 2 * BORDER_STEP_KM)
    if near.any():
        d[near] = nearest(x[near], y[near], _zone_gdf(zone))["distance_km"].to_numpy()
    same = line[1:] == line[:-1]
    _, _, step_m = GEOD.inv(x[:-1][same], y[:-1][same], x[1:][same], y[1:][same])
    step = np.asarray(step_m) / 1000.0
    d0, d1 = d[:-1][same], d[1:][same]
    lo, hi = np.minimum(d0, d1), np.maximum(d0, d1)
    frac = np.where(hi <= within_km, 1.0,
                    np.where(lo > within_km, 0.0,
                             (within_km - lo) / np.where(hi > lo, hi - lo, 1.0)))
    return float((step * frac).sum())


def distance_between_km(a: BaseGeometry, b: BaseGeometry) -> float:
    """Geodesic distance (km) between two polygonal geometries; 0 when they touch or overlap."""
    if _planar_ready(a).intersects(_planar_ready(b)):
        return 0.0
    pa = shapely.get_coordinates(densify(a.boundary, 5.0))
    pb = shapely.get_coordinates(densify(b.boundary, 5.0))
    d1 = float(nearest(pa[:, 0], pa[:, 1], _zone_gdf(b))["distance_km"].min())
    # only vertices of b that may lie within d1 of a can do better
    near = _maybe_within(pb[:, 0], pb[:, 1], a, d1 + 1.0)
    if not near.any():
        return d1
    d2 = float(nearest(pb[near, 0], pb[near, 1], _zone_gdf(a))["distance_km"].min())
    return min(d1, d2)


def zone_metrics(geom: BaseGeometry, on: date | str, layers: ZoneLayers) -> ZoneMetrics:
    """Metrics of a zone, all geodesic on WGS84.

    Parameters
    ----------
    geom : Polygon or MultiPolygon
        The zone, lon/lat degrees.
    on : date or str
        Date for the NATO border (segments NATO's on that day).
    layers : ZoneLayers
        What to measure against (:func:`builtin_zone_layers` for the committed ones).

    Returns
    -------
    ZoneMetrics
        ``area_km2``; ``perimeter_km``; ``nato_border_km`` (length of NATO border
        within 1 km of the zone); ``closest_belarus_km`` and ``closest_russia_km``
        (0 when touching or overlapping, None without that country);
        ``cities_inside`` (count, population and the ten largest);
        ``incidents`` (each one's distance in km, 0 inside the zone).
    """
    zone = _polygonal(geom)
    day = parse_date(on)
    if day is None:
        raise InputError("no date given for the NATO border")
    border = nato_border_on(day, layers.nato_border)
    return ZoneMetrics(
        area_km2=area_km2(zone), perimeter_km=perimeter_km(zone),
        nato_border_km=border_length_near_km(zone, border),
        closest_belarus_km=_closest(zone, layers.countries, "BY"),
        closest_russia_km=_closest(zone, layers.countries, "RU"),
        cities_inside=_cities_inside(zone, layers.cities),
        incidents=_incident_distances(zone, layers.incidents))


def _closest(zone: BaseGeometry, countries: gpd.GeoDataFrame, iso: str) -> float | None:
    sel = countries[countries["iso_a2"] == iso]
    if sel.empty:
        return None
    return distance_between_km(zone, shapely.union_all(np.asarray(sel.geometry.values)))


def _cities_inside(zone: BaseGeometry, cities: gpd.GeoDataFrame) -> CitiesInside:
    dense = densify_edges(zone)
    shapely.prepare(dense)
    inside = shapely.contains_xy(dense, cities.geometry.x.to_numpy(), cities.geometry.y.to_numpy())
    sel = cities[inside].sort_values("population", ascending=False, kind="stable")
    largest = tuple(CityFigure(str(r["name"]), str(r["country"]), int(r["population"]))
                    for _, r in sel.head(LARGEST_CITIES).iterrows())
    return CitiesInside(int(inside.sum()), int(sel["population"].sum()), largest)


def _incident_distances(zone: BaseGeometry,
                        incidents: gpd.GeoDataFrame) -> tuple[IncidentDistance, ...]:
    if not len(incidents):
        return ()
    ix, iy = incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy()
    dist = nearest(ix, iy, _zone_gdf(zone))["distance_km"].to_numpy()
    return tuple(IncidentDistance(str(i), str(p), float(d))
                 for i, p, d in zip(incidents["id"], incidents["place"], dist))
