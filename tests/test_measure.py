"""Geodesic length, perimeter and area against closed-form and hand-checked figures."""
from __future__ import annotations

import math

import numpy as np
import pytest
from geo_reference import GEOD
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from dashboard.geo.measure import area_km2, length_km, perimeter_km

A_KM = 6378.137
F = 1 / 298.257223563
B_KM = A_KM * (1 - F)
E = math.sqrt(F * (2 - F))


def _zone_area_km2(lon1, lat1, lon2, lat2):
    """Exact area of a lat/lon cell on the ellipsoid (authalic-latitude formula)."""
    def q(phi):
        s = math.sin(math.radians(phi))
        return s / (1 - E**2 * s**2) + math.log((1 + E * s) / (1 - E * s)) / (2 * E)
    return math.radians(lon2 - lon1) * B_KM**2 / 2 * (q(lat2) - q(lat1))


def _cell(lon1, lat1, lon2, lat2, n=2000):
    """A lat/lon cell whose parallels are followed closely (many vertices)."""
    xs = np.linspace(lon1, lon2, n)
    top = np.column_stack([xs[::-1], np.full(n, lat2)])
    bottom = np.column_stack([xs, np.full(n, lat1)])
    return Polygon(np.vstack([bottom, top]))


def test_area_of_one_degree_cell_at_50n_matches_closed_form():
    exact = _zone_area_km2(23, 50, 24, 51)
    assert 7_880 < exact < 7_900  # 111.2 km x ~70.9 km
    assert area_km2(_cell(23, 50, 24, 51)) == pytest.approx(exact, rel=1e-4)


def test_area_positive_for_either_orientation_and_holes():
    outer = _cell(20, 45, 30, 55, 500)
    rev = Polygon(list(outer.exterior.coords)[::-1])
    assert area_km2(rev) == pytest.approx(area_km2(outer), rel=1e-12)
    hole = _cell(24, 49, 26, 51, 500)
    ring = Polygon(outer.exterior.coords, [hole.exterior.coords])
    ring_cw_hole = Polygon(outer.exterior.coords, [list(hole.exterior.coords)[::-1]])
    expected = _zone_area_km2(20, 45, 30, 55) - _zone_area_km2(24, 49, 26, 51)
    assert area_km2(ring) == pytest.approx(expected, rel=1e-4)
    assert area_km2(ring_cw_hole) == pytest.approx(expected, rel=1e-4)
    mp = MultiPolygon([_cell(20, 45, 21, 46, 200), _cell(30, 60, 31, 61, 200)])
    assert area_km2(mp) == pytest.approx(_zone_area_km2(20, 45, 21, 46)
                                         + _zone_area_km2(30, 60, 31, 61), rel=1e-4)


def test_meridian_degree_length_hand_checked():
    # a degree of latitude around 50.5 N: M(50.5) * pi/180 = 111.23 km
    assert length_km(LineString([(24, 50), (24, 51)])) == pytest.approx(111.23, abs=0.01)
    # a degree of longitude along the equator: a * pi/180 = 111.32 km
    assert length_km(LineString([(0, 0), (1, 0)])) == pytest.approx(111.3195, abs=1e-4)


def test_perimeter_is_sum_of_geodesic_edges():
    b = box(23, 50, 24, 51)
    xy = list(b.exterior.coords)
    edges = sum(GEOD.inv(*xy[i], *xy[i + 1])[2] for i in range(4)) / 1000
    assert perimeter_km(b) == pytest.approx(edges, rel=1e-12)
    assert length_km(b) == pytest.approx(edges, rel=1e-12)
    assert perimeter_km(LineString([(24, 50), (24, 51)])) == pytest.approx(111.23, abs=0.01)


def test_degenerate_measures():
    assert area_km2(LineString([(0, 0), (1, 1)])) == 0
    assert length_km(Point(1, 2)) == 0
    assert area_km2(Polygon()) == 0


@settings(max_examples=40, deadline=None)
@given(lon=st.floats(-170, 160), lat=st.floats(-70, 60), w=st.floats(0.01, 10), h=st.floats(0.01, 10))
def test_property_area_positive_and_matches_geod(lon, lat, w, h):
    p = box(lon, lat, lon + w, lat + h)
    a = area_km2(p)
    ref_a, _ = GEOD.geometry_area_perimeter(p)
    assert a > 0
    assert a == pytest.approx(abs(ref_a) / 1e6, rel=1e-4)
    assert area_km2(Polygon(list(p.exterior.coords)[::-1])) == pytest.approx(a, rel=1e-9)
