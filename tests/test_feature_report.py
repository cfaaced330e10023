"""A clicked feature is measured as itself: checked against pyproj.Geod brute force."""
from __future__ import annotations

import numpy as np
import pytest
from geo_reference import GEOD
from shapely.geometry import LineString, Polygon, shape

from conftest import geodata_feature, geodata_features
from dashboard.analysis.feature_report import distance_between_km, feature_report


def _feature(layer: str, key: str, value: str):
    return shape(geodata_feature(layer, key, value)["geometry"])


def _densify_lonlat(xy: np.ndarray, step_m: float) -> np.ndarray:
    out = [xy[:1]]
    for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
        n = max(int(GEOD.inv(x0, y0, x1, y1)[2] / step_m), 1)
        mid = GEOD.npts(x0, y0, x1, y1, n - 1) if n > 1 else []
        out.append(np.array([*mid, (x1, y1)]).reshape(-1, 2))
    return np.concatenate(out)


def _brute_km(a_xy: np.ndarray, b_xy: np.ndarray) -> float:
    """Least Geod.inv over all pairs of two densified vertex sets."""
    best = np.inf
    for x, y in a_xy:
        d = GEOD.inv(np.full(len(b_xy), x), np.full(len(b_xy), y), b_xy[:, 0], b_xy[:, 1])[2]
        best = min(best, float(d.min()))
    return best / 1000.0


SQUARE = Polygon([(23.80, 50.55), (23.88, 50.55), (23.88, 50.62), (23.80, 50.62)])


def test_polygon_to_border_edge_to_edge_matches_brute_force():
    border = _feature("nato_border", "id", "PL-UA")
    sq = _densify_lonlat(np.asarray(SQUARE.exterior.coords), 50.0)
    lines = border.geoms if border.geom_type == "MultiLineString" else [border]
    near = []
    for line in lines:
        xy = np.asarray(line.coords)
        keep = (np.abs(xy[:, 0] - 23.84) < 0.5) & (np.abs(xy[:, 1] - 50.58) < 0.5)
        if keep.sum() > 1:
            idx = np.flatnonzero(keep)
            near.append(_densify_lonlat(xy[idx.min():idx.max() + 1], 50.0))
    expected = _brute_km(sq, np.concatenate(near))
    r = feature_report(SQUARE, on="2022-11-15")
    leg = next(lg for lg in r.legs if lg.target == "NATO border")
    assert leg.feature == "PL-UA"
    assert leg.distance_km == pytest.approx(expected, abs=0.05)
    assert r.kind == "polygon" and r.length_km is None
    area_m2, perim_m = GEOD.geometry_area_perimeter(SQUARE)
    assert r.area_km2 == pytest.approx(abs(area_m2) / 1e6, rel=1e-4)
    assert r.perimeter_km == pytest.approx(perim_m / 1e3, rel=1e-4)


def test_touching_or_overlapping_is_zero_and_names_the_neighbour():
    by = _feature("countries", "iso_a2", "BY")
    overlap = Polygon([(23.3, 51.9), (24.5, 51.9), (24.5, 52.6), (23.3, 52.6)])  # across PL-BY
    assert overlap.intersects(by)
    r = feature_report(overlap, on="2022-11-15")
    legs = {lg.target: lg for lg in r.legs}
    assert legs["Belarus"].distance_km == 0.0
    assert legs["NATO border"].distance_km == 0.0 and legs["NATO border"].feature == "PL-BY"


def test_cities_inside_counted_like_a_geodesic_polygon():
    lviv_box = Polygon([(23.7, 49.6), (24.4, 49.6), (24.4, 50.1), (23.7, 50.1)])
    r = feature_report(lviv_box, on="2022-11-15")
    cities = geodata_features("cities")
    dense = Polygon(_densify_lonlat(np.asarray(lviv_box.exterior.coords), 500.0))
    inside = [c for c in cities if dense.contains(shape(c["geometry"]))]
    assert r.cities_inside == len(inside) > 0
    assert r.population_inside == sum(int(c["properties"]["population"] or 0) for c in inside)


def test_line_is_reported_as_a_line():
    line = LineString([(24.0, 50.0), (25.0, 50.5)])
    r = feature_report(line)
    assert r.kind == "line" and r.area_km2 is None
    assert r.length_km == pytest.approx(GEOD.line_length(*line.xy) / 1000.0, rel=1e-6)
    assert r.cities_inside == 0


def test_distance_between_two_polygons_matches_brute_force():
    a = Polygon([(24.0, 50.0), (24.2, 50.0), (24.2, 50.2), (24.0, 50.2)])
    b = Polygon([(25.0, 50.5), (25.3, 50.5), (25.3, 50.8), (25.0, 50.8)])
    expected = _brute_km(_densify_lonlat(np.asarray(a.exterior.coords), 100.0),
                         _densify_lonlat(np.asarray(b.exterior.coords), 100.0))
    assert distance_between_km(a, b) == pytest.approx(expected, abs=0.01)
