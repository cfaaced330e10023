"""dashboard.geo.distance against brute-force pyproj.Geod on densified geometry."""
from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pytest
from geo_reference import GEOD, brute_distance_km, densified_points, geodesic_km
from hypothesis import example, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from conftest import PRZEWODOW_LONLAT
from dashboard.analysis.nearest import distance_to
from dashboard.geo.distance import RESULT_COLUMNS, nearest
from dashboard.geo.errors import InputError
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer

PRZEWODOW = PRZEWODOW_LONLAT  # lon, lat


def _gdf(geoms, ids=None):
    return gpd.GeoDataFrame({"id": ids or [f"f{i}" for i in range(len(geoms))]},
                            geometry=list(geoms), crs="EPSG:4326")


@pytest.fixture(scope="module")
def wiggly():
    """A 3000-vertex meandering line (~500 km) and a 2x2 degree square with a hole."""
    rng = np.random.default_rng(7)
    n = 3000
    s = np.linspace(0, 1, n)
    lon = 22 + 2.5 * s + 0.05 * np.sin(40 * s) + rng.normal(0, 0.002, n)
    lat = 49 + 2.5 * s + 0.05 * np.cos(25 * s) + rng.normal(0, 0.002, n)
    line = LineString(np.column_stack([lon, lat]))
    square = Polygon([(25, 52), (27, 52), (27, 54), (25, 54)],
                     [[(25.5, 52.5), (26.5, 52.5), (26.5, 53.5), (25.5, 53.5)]])
    return _gdf([line, square], ["L", "SQ"])


def test_hand_checked_degree_of_longitude_at_50n():
    # One degree of longitude at 50 N is 71.7 km; the nearest point of the
    # meridian 23 E seen from (24 E, 50 N) lies a little north, so slightly less.
    meridian = _gdf([LineString([(23, 49), (23, 51)])])
    row = nearest([24.0], [50.0], meridian).iloc[0]
    assert 71.55 < row.distance_km < 71.71
    assert 71.69 < geodesic_km(24, 50, 23, 50) < 71.71
    assert 265 < row.azimuth_deg < 275  # due west, give or take
    assert row.nearest_lon == pytest.approx(23.0, abs=1e-9)
    assert 50.0 < row.nearest_lat < 50.02


def test_point_layer_is_exact():
    pts = _gdf([Point(23, 50), Point(25, 52), MultiPoint([(30, 60), (31, 61)])], ["a", "b", "c"])
    res = nearest([23.5, 30.2], [50.1, 60.3], pts)
    assert list(res.feature) == ["a", "c"]
    assert res.distance_km[0] == pytest.approx(geodesic_km(23.5, 50.1, 23, 50), abs=1e-9)
    assert res.distance_km[1] == pytest.approx(geodesic_km(30.2, 60.3, 30, 60), abs=1e-9)


def test_columns_and_order(wiggly):
    lons = np.array([26.0, 22.5, 24.0])
    lats = np.array([53.0, 49.9, 54.0])
    res = nearest(lons, lats, wiggly)
    assert tuple(res.columns) == RESULT_COLUMNS
    rev = nearest(lons[::-1], lats[::-1], wiggly)
    np.testing.assert_allclose(res.distance_km.to_numpy(), rev.distance_km.to_numpy()[::-1])


def test_random_points_within_a_metre_of_brute_force(wiggly):
    rng = np.random.default_rng(11)
    lons = np.r_[rng.uniform(14, 40, 20), rng.uniform(22, 24.5, 10)]
    lats = np.r_[rng.uniform(44, 62, 20), rng.uniform(49, 51.5, 10)]  # some near the line
    res = nearest(lons, lats, wiggly)
    refs = [densified_points(g, 0.04) for g in wiggly.geometry]
    for i in range(len(lons)):
        best = min(brute_distance_km(lons[i], lats[i], r)[0] for r in refs)
        # brute force samples the edges every 40 m: it can only overestimate,
        # by at most (20 m)^2 / (2 d)
        assert res.boundary_km[i] <= best + 1e-6
        assert res.boundary_km[i] >= best - 0.001 - 0.02**2 / (2 * max(best, 1e-3))
        if not res.inside[i]:
            assert res.distance_km[i] == res.boundary_km[i]
            # the reported nearest point is at the reported distance and azimuth
            az, _, d = GEOD.inv(lons[i], lats[i], res.nearest_lon[i], res.nearest_lat[i])
            assert d / 1000 == pytest.approx(res.distance_km[i], abs=1e-6)
            assert (az % 360) == pytest.approx(res.azimuth_deg[i], abs=1e-6)


def test_inside_polygon_distance_zero_and_hole_is_outside(wiggly):
    res = nearest([25.2, 26.0], [52.2, 53.0], wiggly)  # in the ring; in the hole
    assert res.inside[0] and res.feature[0] == "SQ" and res.distance_km[0] == 0
    assert np.isnan(res.azimuth_deg[0])
    assert res.nearest_lon[0] == 25.2 and res.nearest_lat[0] == 52.2
    ref = densified_points(wiggly.geometry[1], 0.02)
    assert res.boundary_km[0] == pytest.approx(brute_distance_km(25.2, 52.2, ref)[0], abs=1e-3)
    assert not res.inside[1]
    # centre of the 1x1 degree hole: ~ half a degree of latitude to its edge
    assert res.distance_km[1] == pytest.approx(brute_distance_km(26.0, 53.0, ref)[0], abs=1e-3)
    assert 30 < res.distance_km[1] < 56


#: The core's stated accuracy (README, "Geodesy"): within 1 mm of brute force up to
#: 1,500 km, within 0.05 m beyond (the chord foot lifted onto the ellipsoid drifts).
NEAR_ACCURACY_KM, FAR_ACCURACY_KM = 1e-6, 5e-5


@settings(max_examples=25, deadline=None)
@given(lon1=st.floats(10, 40), lat1=st.floats(40, 65), az=st.floats(0, 360),
       length_km=st.floats(0.5, 300), plon=st.floats(10, 40), plat=st.floats(40, 65))
@example(lon1=35.0, lat1=47.0625, az=0.0, length_km=43.0, plon=10.0, plat=44.5)  # 1,956 km away
def test_property_single_geodesic_segment(lon1, lat1, az, length_km, plon, plat):
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, az, length_km * 1000)
    seg = LineString([(lon1, lat1), (lon2, lat2)])
    row = nearest([plon], [plat], _gdf([seg])).iloc[0]
    ref = densified_points(seg, 0.05)
    best, _ = brute_distance_km(plon, plat, ref)
    # never further than the best 50 m sample, within the core's stated accuracy (at 1,956 km
    # the nearest point lands 2.2 mm off, beyond the 1 mm held up to 1,500 km)
    assert row.distance_km <= best + (NEAR_ACCURACY_KM if best <= 1500 else FAR_ACCURACY_KM)
    # sampling every 50 m overestimates by at most 25 m²/(2 d)
    assert row.distance_km >= best - 0.001 - 0.025**2 / (2 * max(best, 1e-3))


def test_far_points_other_continents(wiggly):
    # no projection centre: a point in Australia or Alaska is measured as well
    lons, lats = np.array([151.2, -150.0, -70.0]), np.array([-33.9, 61.2, -45.0])
    res = nearest(lons, lats, wiggly)
    refs = [densified_points(g, 1.0) for g in wiggly.geometry]
    for i in range(3):
        best = min(brute_distance_km(lons[i], lats[i], r)[0] for r in refs)
        assert res.distance_km[i] == pytest.approx(best, abs=0.01)


def test_many_points_vectorised_match_single_calls():
    border = load_layer("nato_border")
    rng = np.random.default_rng(3)
    n = 50_000
    lons, lats = rng.uniform(14, 40, n), rng.uniform(44, 70, n)
    res = nearest(lons, lats, border, id_field="id")
    assert len(res) == n and res.distance_km.notna().all()
    pick = rng.choice(n, 5, replace=False)
    for i in pick:
        one = nearest([lons[i]], [lats[i]], border, id_field="id").iloc[0]
        assert one.distance_km == res.distance_km[i]
        assert one.feature == res.feature[i]


def test_przewodow_to_nato_border_matches_brute_force():
    border = load_layer("nato_border")
    res = nearest([PRZEWODOW[0]], [PRZEWODOW[1]], border, id_field="id").iloc[0]
    assert res.feature == "PL-UA"
    assert 6.0 < res.distance_km < 7.0
    pl_ua = border.set_index("id").geometry["PL-UA"]
    best, _ = brute_distance_km(*PRZEWODOW, densified_points(pl_ua, 0.01))
    assert res.distance_km == pytest.approx(best, abs=0.001)


def test_przewodow_inside_poland():
    countries = load_layer("countries")
    row = nearest([PRZEWODOW[0]], [PRZEWODOW[1]], countries, id_field="iso_a2").iloc[0]
    assert row.feature == "PL" and row.inside and row.distance_km == 0
    assert 6.0 < row.boundary_km < 7.0
    ua = countries[countries.iso_a2 == "UA"]
    to_ua = nearest([PRZEWODOW[0]], [PRZEWODOW[1]], ua, id_field="iso_a2").iloc[0]
    assert to_ua.feature == "UA" and not to_ua.inside
    assert to_ua.distance_km == pytest.approx(row.boundary_km, abs=0.05)


def test_border_by_date_changes_nearest_segment():
    imatra = (28.77, 61.19)  # Finnish town on the Russian border
    border = load_layer("nato_border")
    before = nearest([imatra[0]], [imatra[1]], nato_border_on(date(2022, 11, 15), border), "id").iloc[0]
    after = nearest([imatra[0]], [imatra[1]], nato_border_on(date(2023, 4, 4), border), "id").iloc[0]
    assert after.feature == "FI-RU" and after.distance_km < 15
    assert before.feature != "FI-RU" and before.distance_km > 150


def test_distance_to_convenience():
    out = distance_to(*PRZEWODOW, "nato_border")
    assert out["layer"] == "nato_border" and out["feature"] == "PL-UA"
    assert isinstance(out["distance_km"], float) and isinstance(out["inside"], bool)
    inside = distance_to(*PRZEWODOW, "countries")
    assert inside["feature"] == "PL" and inside["azimuth_deg"] is None


@pytest.mark.parametrize("lons,lats", [([np.nan], [50.0]), ([23.0], [95.0]), ([200.0], [50.0]),
                                       ([1.0, 2.0], [3.0])])
def test_bad_points_raise_input_error(wiggly, lons, lats):
    with pytest.raises(InputError):
        nearest(lons, lats, wiggly)


def test_bad_layers_raise_input_error(wiggly):
    with pytest.raises(InputError):
        nearest([23.0], [50.0], wiggly.iloc[0:0])
    with pytest.raises(InputError):
        nearest([23.0], [50.0], wiggly, id_field="nope")
    with pytest.raises(InputError):
        distance_to(23.0, 50.0, "no_such_layer")


def test_projected_layer_is_measured_in_wgs84(wiggly):
    in_3035 = wiggly.to_crs(3035)
    a = nearest([24.0, 30.0], [50.0, 55.0], wiggly)
    b = nearest([24.0, 30.0], [50.0, 55.0], in_3035)
    np.testing.assert_allclose(a.distance_km, b.distance_km, atol=1e-6)


def test_empty_input_gives_empty_frame(wiggly):
    res = nearest([], [], wiggly)
    assert len(res) == 0 and tuple(res.columns) == RESULT_COLUMNS


def test_without_the_boundary_inside_points_keep_every_other_figure():
    """``boundary=False`` (the batch CLI) skips the edge search inside polygons: every
    column but ``boundary_*`` is the same, and those are NaN exactly inside."""
    countries = load_layer("countries")
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(14.0, 40.0, 3000), rng.uniform(44.0, 70.0, 3000)
    lon[:2], lat[:2] = PRZEWODOW_LONLAT[0], PRZEWODOW_LONLAT[1]  # inside Poland
    full = nearest(lon, lat, countries, workers=2)
    fast = nearest(lon, lat, countries, workers=2, boundary=False)
    assert full["inside"].sum() > 1000 and (~full["inside"]).sum() > 100
    for col in RESULT_COLUMNS:
        if col.startswith("boundary_"):
            assert fast[col].isna().equals(fast["inside"]), col
            out = ~fast["inside"]
            np.testing.assert_array_equal(fast.loc[out, col], full.loc[out, col])
        else:
            assert fast[col].equals(full[col]), col
