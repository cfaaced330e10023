"""What the selection panel says about a clicked feature, measured as the feature itself.

A polygon is reported as a polygon (its area, perimeter, and its own edge-to-edge
distance to the NATO border, Belarus and Russia, 0 where they touch or overlap,
and what it contains), a line as a line (its length and distances), a point as a
point.  Everything geodesic on WGS84, in km and km².

>>> from shapely.geometry import Point
>>> r = feature_report(Point(23.93432, 50.47099).buffer(0.01), on="2022-11-15")
>>> r.kind, r.legs[0].target, r.legs[0].feature, round(r.legs[0].distance_km, 2)
('polygon', 'NATO border', 'PL-UA', 5.26)
>>> r.incidents_inside
('2022-11-15-przewodow',)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.incident_catalogue import catalogue_token, incident_layer
from dashboard.geo.cache import content_token, memoize
from dashboard.geo.distance import nearest
from dashboard.geo.edges import densify_edges
from dashboard.geo.geodesy import densify
from dashboard.geo.measure import area_km2, length_km, perimeter_km
from dashboard.geo.nato import nato_border_on, parse_date
from dashboard.io.layers_io import load_layer

#: Territories the panel measures to, by ISO code.
TERRITORIES: dict[str, str] = {"BY": "Belarus", "RU": "Russia"}
#: Edges are densified to this spacing (km) before measuring between two features.
STEP_KM: float = 2.0


@dataclass(frozen=True)
class FeatureLeg:
    """Edge-to-edge geodesic distance (km) from the feature to a target; 0 when touching."""

    target: str
    feature: str
    distance_km: float


@dataclass(frozen=True)
class FeatureReport:
    """A clicked feature measured as itself."""

    kind: str                     # "polygon" | "line" | "point"
    area_km2: float | None
    perimeter_km: float | None
    length_km: float | None
    legs: tuple[FeatureLeg, ...]
    cities_inside: int
    population_inside: int
    incidents_inside: tuple[str, ...]


def _kind(geom: BaseGeometry) -> str:
    t = geom.geom_type
    if t in ("Polygon", "MultiPolygon"):
        return "polygon"
    if t in ("LineString", "MultiLineString", "LinearRing"):
        return "line"
    return "point"


def _outline_points(geom: BaseGeometry) -> np.ndarray:
    """Vertices of the feature's edges (its boundary for a polygon), densified along geodesics."""
    edges = geom.boundary if _kind(geom) == "polygon" else geom
    return shapely.get_coordinates(densify(edges, STEP_KM))


def distance_between_km(a: BaseGeometry, b: BaseGeometry) -> float:
    """Geodesic edge-to-edge distance (km) between any two geometries; 0 when they meet.

    Each side's edges are densified every :data:`STEP_KM` and measured to the other
    side exactly (:func:`dashboard.geo.distance.nearest`); the nearest point of the
    pair lies on one of the two outlines, so the smaller answer is the distance.
    """
    if densify_edges(a).intersects(densify_edges(b)):  # edges are geodesics
        return 0.0
    best = np.inf
    for src, dst in ((a, b), (b, a)):
        xy = _outline_points(src)
        gdf = gpd.GeoDataFrame({"id": [0]}, geometry=[dst], crs="EPSG:4326")
        best = min(best, float(nearest(xy[:, 0], xy[:, 1], gdf)["distance_km"].min()))
    return best


def _shared_km(a: BaseGeometry, b: BaseGeometry) -> float:
    """Geodesic length (km) of what two features share: a common edge, or a line inside."""
    meet = a.boundary.intersection(b) if _kind(a) == "polygon" else a.intersection(b)
    return length_km(meet) if not meet.is_empty else 0.0


def _leg(geom: BaseGeometry, target: gpd.GeoDataFrame, id_field: str, label: str) -> FeatureLeg:
    """Edge-to-edge distance to the nearest feature of ``target``, and which one."""
    meets = shapely.intersects(densify_edges(np.asarray(target.geometry.values)),
                               densify_edges(geom))
    touching = target[meets]
    if len(touching):  # the one it shares most with (a tripoint touches three)
        shared = [_shared_km(g, geom) for g in touching.geometry.values]
        return FeatureLeg(label, str(touching[id_field].iloc[int(np.argmax(shared))]), 0.0)
    xy = _outline_points(geom)
    r = nearest(xy[:, 0], xy[:, 1], target, id_field=id_field)
    i = int(r["distance_km"].to_numpy().argmin())
    best, feature = float(r["distance_km"].iloc[i]), str(r["feature"].iloc[i])
    gdf = gpd.GeoDataFrame({"id": [0]}, geometry=[geom], crs="EPSG:4326")
    for fid, g in zip(target[id_field], target.geometry.values):
        txy = _outline_points(g)
        d = float(nearest(txy[:, 0], txy[:, 1], gdf)["distance_km"].min())
        if d < best:
            best, feature = d, str(fid)
    return FeatureLeg(label, feature, best)


def _inside(geom: BaseGeometry, layer: str | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = load_layer(layer) if isinstance(layer, str) else layer
    dense = densify_edges(geom)  # inside tests on geodesic edges
    shapely.prepare(dense)
    return gdf[shapely.contains_xy(dense, gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy())]


@memoize(maxsize=256, key=lambda geom, *, on=None: (content_token(geom), str(on),
                                                   catalogue_token()))
def feature_report(geom: BaseGeometry, *, on: date | str | None = None) -> FeatureReport:
    """Measure a feature (WGS84 lon/lat) as itself.

    Parameters
    ----------
    geom : shapely geometry
        The clicked feature at full resolution.
    on : date or ISO text, optional
        Date of the NATO border (all segments when omitted).
    """
    kind = _kind(geom)
    day = parse_date(on) if on is not None else None
    border = load_layer("nato_border")
    if day is not None:
        border = nato_border_on(day, border)
    legs = [_leg(geom, border, "id", "NATO border")] if len(border) else []
    countries = load_layer("countries")
    for iso, name in TERRITORIES.items():
        sel = countries[countries["iso_a2"] == iso]
        if len(sel):
            legs.append(_leg(geom, sel, "iso_a2", name))
    cities = _inside(geom, "cities") if kind == "polygon" else load_layer("cities").iloc[0:0]
    incidents = _inside(geom, incident_layer()) if kind == "polygon" else None
    return FeatureReport(
        kind=kind,
        area_km2=area_km2(geom) if kind == "polygon" else None,
        perimeter_km=perimeter_km(geom) if kind == "polygon" else None,
        length_km=length_km(geom) if kind == "line" else None,
        legs=tuple(legs),
        cities_inside=int(len(cities)),
        population_inside=int(cities["population"].fillna(0).sum()) if len(cities) else 0,
        incidents_inside=tuple(str(i) for i in incidents["id"]) if incidents is not None else (),
    )
