"""The ellipsoid helpers: inverse/forward problems, geodesic lines, densify."""
from __future__ import annotations

import numpy as np
import pytest
from geo_reference import GEOD
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Polygon

from dashboard.geo.geodesy import (
    chord_to_geodesic_upper_km,
    densify,
    forward,
    geodesic_line,
    inverse_km,
    to_ecef_km,
)


def test_inverse_hand_checked():
    az, d = inverse_km(23.0, 50.0, 24.0, 50.0)
    assert isinstance(d, float) and d == pytest.approx(71.70, abs=0.01)  # 1 deg lon at 50 N
    assert 89 < az < 90  # a geodesic leaves a parallel slightly poleward
    az, d = inverse_km(24.0, 50.0, 24.0, 51.0)
    assert az == 0.0 and d == pytest.approx(111.23, abs=0.01)
    az, _ = inverse_km(24.0, 50.0, 23.0, 50.0)
    assert 270 < az < 271  # azimuths are 0..360, not -180..180


def test_arrays_broadcast_and_forward_inverts():
    lon = np.array([23.0, 24.0, 25.0])
    az, d = inverse_km(lon, 50.0, 30.0, 55.0)
    assert az.shape == d.shape == (3,)
    x, y = forward(lon, 50.0, az, d)
    np.testing.assert_allclose(x, 30.0, atol=1e-9)
    np.testing.assert_allclose(y, 55.0, atol=1e-9)


def test_geodesic_line_follows_the_geodesic():
    line = geodesic_line(23.93, 50.47, 24.03, 49.84, n_points=10)
    assert len(line.coords) == 10
    assert line.coords[0] == (23.93, 50.47) and line.coords[-1] == (24.03, 49.84)
    total = GEOD.inv(23.93, 50.47, 24.03, 49.84)[2]
    xy = np.asarray(line.coords)
    steps = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2]
    np.testing.assert_allclose(steps.sum(), total, rtol=1e-9)
    np.testing.assert_allclose(steps, total / 9, rtol=1e-6)


def test_densify_keeps_vertices_and_caps_steps():
    poly = Polygon([(22, 48), (28, 48), (28, 52), (22, 52)])
    dense = densify(poly, 5.0)
    xy = np.asarray(dense.exterior.coords)
    steps = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2] / 1000
    assert steps.max() <= 5.0 + 1e-9
    for v in poly.exterior.coords:
        assert v in set(map(tuple, xy))
    # the top edge is a geodesic: it bulges north of 52 N between the corners, on a
    # sphere to atan(tan 52 / cos 3) = 52.039 N at its middle
    assert xy[:, 1].max() == pytest.approx(52.039, abs=0.002)
    assert densify(LineString([(0, 0), (0, 0.01)]), 5.0).equals(LineString([(0, 0), (0, 0.01)]))


@settings(max_examples=50, deadline=None)
@given(lon1=st.floats(-180, 180), lat1=st.floats(-80, 80), lon2=st.floats(-180, 180),
       lat2=st.floats(-80, 80))
def test_property_chord_is_never_longer_than_the_geodesic(lon1, lat1, lon2, lat2):
    p = to_ecef_km([lon1, lon2], [lat1, lat2])
    chord = float(np.linalg.norm(p[0] - p[1]))
    _, d = inverse_km(lon1, lat1, lon2, lat2)
    assert chord <= d + 1e-9


@settings(max_examples=50, deadline=None)
@given(lon1=st.floats(-180, 180), lat1=st.floats(-80, 80), az=st.floats(0, 360),
       dist_km=st.floats(0, 2999.999))
def test_property_chord_bound(lon1, lat1, az, dist_km):
    # the upper bound is for regional distances: the second point is drawn within
    # 3000 km of the first (Geod.fwd), where every example checks both bounds
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, az, dist_km * 1000)
    p = to_ecef_km([lon1, lon2], [lat1, lat2])
    chord = float(np.linalg.norm(p[0] - p[1]))
    _, d = inverse_km(lon1, lat1, lon2, lat2)
    assert d < 3000
    assert chord <= d + 1e-9
    assert d <= float(chord_to_geodesic_upper_km(chord)) + 1e-9
