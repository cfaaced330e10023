"""The nearest-segment kernel: its ranking tolerance, the lifted chord foot, the
second passes, and chunks in threads, against pyproj.Geod."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from geo_reference import GEOD, brute_distance_km, densified_points
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon

from dashboard.geo import distance, kernel
from dashboard.geo.buffer import buffer_point
from dashboard.geo.distance import nearest
from dashboard.geo.geodesy import from_ecef_km, to_ecef_km
from dashboard.io.layers_io import load_layer


def _gdf(*geoms):
    return gpd.GeoDataFrame({"id": [f"g{i}" for i in range(len(geoms))]}, geometry=list(geoms),
                            crs="EPSG:4326")


@settings(max_examples=200, deadline=None)
@given(lon=st.floats(-170, 170), lat=st.floats(-75, 75), az1=st.floats(0, 360),
       daz=st.floats(-180, 180), d_km=st.floats(1, 3000), dd_m=st.floats(-50, 50))
def test_property_chord_ranking_tolerance(lon, lat, az1, daz, d_km, dd_m):
    # two targets at almost the same geodesic distance in different directions: when
    # their chords differ by more than the tolerance, the chord order is the geodesic order
    x1, y1, _ = GEOD.fwd(lon, lat, az1, d_km * 1000)
    x2, y2, _ = GEOD.fwd(lon, lat, az1 + daz, d_km * 1000 + dd_m)
    g1 = GEOD.inv(lon, lat, x1, y1)[2] / 1000
    g2 = GEOD.inv(lon, lat, x2, y2)[2] / 1000
    P, X1, X2 = to_ecef_km([lon, x1, x2], [lat, y1, y2])
    c1, c2 = np.linalg.norm(X1 - P), np.linalg.norm(X2 - P)
    u, v = (X1 - P) / c1, (X2 - P) / c2
    theta = float(np.arccos(np.clip(u @ v, -1, 1)))
    lo, hi, g_lo, g_hi = (c1, c2, g1, g2) if c1 <= c2 else (c2, c1, g2, g1)
    assume(hi - lo > kernel.rank_tolerance_km(lo, theta))  # about 40 % of the draws
    assert g_hi > g_lo


@settings(max_examples=30, deadline=None)
@given(lon=st.floats(-170, 170), lat=st.floats(-80, 80), az=st.floats(0, 360),
       length_km=st.floats(0.01, 5.0), t=st.floats(0, 1))
def test_property_lifted_chord_point_is_on_the_geodesic(lon, lat, az, length_km, t):
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, length_km * 1000)
    A, B = to_ecef_km([lon, lon2], [lat, lat2])
    x, y = from_ecef_km(A + t * (B - A))
    # cross-track distance from the geodesic, from the azimuth and distance at its start
    az_x, _, s = GEOD.inv(lon, lat, float(x), float(y))
    # (at t = 0 the point is the start, s ~ 0 and the azimuth arbitrary: s * sin <= s)
    assert abs(s * np.sin(np.radians(az_x - az))) < 1e-3  # metres
    # and the along-track position is the chord's
    assert s / 1000 == pytest.approx(t * length_km, abs=1e-6 + 1e-4 * length_km)


def test_far_points_from_long_edges_at_high_latitude():
    zone = Polygon([(20.0, 60.0), (35.0, 60.0), (35.0, 70.0), (20.0, 70.0)])  # 830 km edges
    rng = np.random.default_rng(4)
    lons, lats = rng.uniform(0, 60, 12), rng.uniform(50, 80, 12)
    res = nearest(lons, lats, _gdf(zone))
    ref = densified_points(zone, 0.05)
    for i in range(len(lons)):
        best, _ = brute_distance_km(lons[i], lats[i], ref)
        assert res.boundary_km[i] <= best + 1e-6
        assert res.boundary_km[i] >= best - 0.001 - 0.025**2 / (2 * max(best, 1e-3))


def test_centre_of_a_circle_and_small_scratch(monkeypatch):
    # every one of 2,000 segments is nearly equidistant from the centre: the second
    # pass with room for all of them must still give the exact answer
    circle = buffer_point(24.0, 50.0, 100.0, n_vertices=2000)
    res = nearest([24.0, 24.5], [50.0, 50.2], _gdf(circle.exterior)).iloc
    assert res[0].distance_km == pytest.approx(100.0, abs=1e-3)
    ref = densified_points(circle.exterior, 0.02)
    assert res[1].distance_km == pytest.approx(brute_distance_km(24.5, 50.2, ref)[0], abs=1e-3)
    monkeypatch.setattr(kernel, "SCRATCH_SEGMENTS", 2)
    small = nearest([24.0, 24.5], [50.0, 50.2], _gdf(circle.exterior)).iloc
    assert small[0].distance_km == res[0].distance_km
    assert small[1].distance_km == res[1].distance_km


def test_chunks_and_threads_give_the_same_answers(monkeypatch):
    border = load_layer("nato_border")
    rng = np.random.default_rng(8)
    lons, lats = rng.uniform(14, 40, 5000), rng.uniform(44, 70, 5000)
    one = nearest(lons, lats, border, workers=1)
    monkeypatch.setattr(distance, "BATCH_POINTS", 700)
    calls = []
    many = nearest(lons, lats, border, workers=2, progress=lambda d, n: calls.append((d, n)))
    np.testing.assert_array_equal(one.distance_km.to_numpy(), many.distance_km.to_numpy())
    np.testing.assert_array_equal(one.feature.to_numpy(), many.feature.to_numpy())
    assert calls[-1] == (5000, 5000) and len(calls) == 8
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_candidates_are_few():
    border = load_layer("nato_border")
    index = distance.get_index(border)
    rng = np.random.default_rng(9)
    lon, lat = rng.uniform(14, 40, 20_000), rng.uniform(44, 70, 20_000)
    pi, seg, _ = kernel.candidates(lon, lat, to_ecef_km(lon, lat), index)
    assert set(pi) == set(range(20_000))
    assert len(pi) < 1.1 * 20_000  # about one geodesic refinement a point
