"""Reach from NATO soil (dashboard.analysis.reach) against independent computations:
Monte Carlo sampling by area on the ellipsoid, brute-force Geod.inv, hand checks."""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from reach_reference import area_samples, boundary_points, geodesic_zone, min_distance_km
from shapely.geometry import box

from dashboard.analysis.reach import equidistant_points, reach_figures
from dashboard.analysis.zones import preset_zone
from dashboard.data.reach_presets import AIRCRAFT, GBAD_SYSTEMS, aircraft_profile, gbad_system
from dashboard.geo.errors import InputError

#: Stand-in positions (airportsdata, rounded) so these tests do not need the air-bases layer.
EPRZ = ("EPRZ", 22.0190, 50.1100)
EPLK = ("EPLK", 19.1791, 51.5517)


@pytest.fixture(scope="module")
def oblasts():
    return preset_zone("ua-border-oblasts")


@pytest.fixture(scope="module")
def samples(oblasts):
    return area_samples(oblasts, cell_deg=0.02)


def test_share_against_monte_carlo(oblasts, samples):
    r = reach_figures(oblasts, [EPRZ, EPLK], 400.0)
    x, y, w = samples
    d = min_distance_km(x, y, [b[1:] for b in (EPRZ, EPLK)])
    mc = float(w[d <= 400.0].sum() / w.sum())
    assert 0.2 < r.share < 0.9
    assert r.share == pytest.approx(mc, abs=0.002)
    assert r.covered_km2 == pytest.approx(float(w[d <= 400.0].sum()), rel=0.003)
    assert r.zone_km2 == pytest.approx(float(w.sum()), rel=0.002)


def test_f16_from_eprz_eplk_reaches_the_whole_of_the_oblasts(oblasts, samples):
    f16 = aircraft_profile("f-16")
    r = reach_figures(oblasts, [EPRZ, EPLK], f16.radius_km, 900.0)
    x, y, _ = samples
    brute = float(min_distance_km(x, y, [b[1:] for b in (EPRZ, EPLK)]).max())
    assert r.share == 1.0 and r.farthest_km <= f16.radius_km
    assert brute <= r.farthest_km + r.error_km
    assert r.minutes == pytest.approx(r.farthest_km / 900.0 * 60.0)


def test_farthest_against_brute_force_on_the_boundary(oblasts):
    bases = [EPRZ, EPLK]
    r = reach_figures(oblasts, bases, 805.0)
    pts = boundary_points(oblasts, 0.05)
    d = min_distance_km(pts[:, 0], pts[:, 1], [b[1:] for b in bases])
    brute = float(d.max())
    # both are values of f at points of the zone; with two bases the maximum is on the
    # boundary, which brute force samples every 50 m (within 25 m of it)
    assert brute <= r.farthest_km + r.error_km
    assert r.farthest_km <= brute + 0.025 + 1e-6
    lon, lat = r.farthest_lonlat
    again = min_distance_km(np.array([lon]), np.array([lat]), [b[1:] for b in bases])[0]
    assert again == pytest.approx(r.farthest_km, abs=1e-6)
    assert r.farthest_base in ("EPRZ", "EPLK")


def test_farthest_at_a_point_equidistant_from_three_bases():
    bases = [("A", 20.0, 50.0), ("B", 28.0, 50.0), ("C", 24.0, 54.5)]
    zone = box(22.0, 49.5, 26.0, 53.0)
    r = reach_figures(zone, bases, 805.0)
    centres = [b[1:] for b in bases]
    lon, lat = r.farthest_lonlat
    d = [min_distance_km(np.array([lon]), np.array([lat]), [c])[0] for c in centres]
    assert max(d) - min(d) < 1e-5  # an interior point equidistant from all three
    assert shapely.contains_xy(geodesic_zone(zone), lon, lat)
    # brute force: the boundary every 50 m and a 0.5 km grid around the point
    pts = boundary_points(zone, 0.05)
    gx, gy = np.meshgrid(np.arange(lon - 0.2, lon + 0.2, 0.005),
                         np.arange(lat - 0.15, lat + 0.15, 0.0045))
    pts = np.vstack([pts, np.column_stack([gx.ravel(), gy.ravel()])])
    brute = float(min_distance_km(pts[:, 0], pts[:, 1], centres).max())
    assert brute <= r.farthest_km + 1e-6
    assert r.farthest_km <= brute + 0.5


def test_equidistant_points_solve_the_ellipsoid():
    c = np.array([[20.0, 50.0], [28.0, 50.0], [24.0, 54.5], [30.0, 45.0]])
    pts = equidistant_points(c)
    assert len(pts) == 4
    from itertools import combinations
    for (lon, lat), tri in zip(pts, combinations(range(4), 3)):
        d = [min_distance_km(np.array([lon]), np.array([lat]), [c[k]])[0] for k in tri]
        assert max(d) - min(d) < 1e-5


def test_bands_partition_the_zone_by_time(oblasts):
    speed = 900.0
    r = reach_figures(oblasts, [EPRZ, EPLK], 400.0, speed)
    bands = r.bands
    assert list(bands["band"]) == ["0–15 min", "15–26.7 min", "beyond 400 km"]
    assert bands["area_km2"].sum() == pytest.approx(r.zone_km2, rel=1e-6)
    assert bands["share"].sum() == pytest.approx(1.0, rel=1e-6)
    beyond = bands[~bands["within_radius"]]
    assert len(beyond) == 1 and beyond["share"].iloc[0] == pytest.approx(1 - r.share, abs=1e-6)
    for _, band in bands.iterrows():
        x, y, _ = area_samples(band.geometry, cell_deg=0.1, seed=3)
        d = min_distance_km(x, y, [EPRZ[1:], EPLK[1:]])
        assert d.min() >= band["from_km"] - 0.05 and d.max() <= band["to_km"] + 0.05


def test_without_speed_no_minutes_and_distance_bands(oblasts):
    r = reach_figures(oblasts, [EPRZ], 300.0)
    assert r.minutes is None
    assert list(r.bands["band"]) == ["within 300 km", "beyond 300 km"]
    d = r.to_dict()
    assert list(d)[:3] == ["share", "farthest_km", "minutes"]


@pytest.mark.parametrize("call, words", [
    (lambda z: reach_figures(z, [EPRZ], 0.0), "more than 0 km"),
    (lambda z: reach_figures(z, [EPRZ], 6000.0), "too large"),
    (lambda z: reach_figures(z, [EPRZ], float("nan")), "more than 0 km"),
    (lambda z: reach_figures(z, [("X", 50.47, 23.93)], 500.0), "did you mean"),
    (lambda z: reach_figures(z, [("X", 60.0, 50.0)], 500.0), "outside the data's coverage"),
    (lambda z: reach_figures(z, [], 500.0), "at least one air base"),
    (lambda z: reach_figures(z, [EPRZ], 500.0, -5), "speed"),
    (lambda z: reach_figures(shapely.Polygon(), [EPRZ], 500.0), "empty"),
])
def test_bad_input_is_one_line(call, words):
    with pytest.raises(InputError) as exc:
        call(box(23.0, 50.0, 24.0, 51.0))
    assert words in str(exc.value) and "\n" not in str(exc.value)


def test_presets_only_sourced_figures():
    assert set(AIRCRAFT) == {"f-16", "eurofighter"}
    assert set(GBAD_SYSTEMS) == {"patriot", "samp-t"}
    f16 = aircraft_profile("F-16")
    assert f16.radius_km == 805.0 and "lower bound" in f16.note and f16.speed_kmh is None
    ef = aircraft_profile("eurofighter")
    assert (ef.radius_km, ef.radius_max_km) == (465.0, 555.0)
    assert gbad_system("patriot").range_km == 160.0 and gbad_system("SAMP-T").range_km == 100.0
    for p in (*AIRCRAFT.values(), *GBAD_SYSTEMS.values()):
        assert p.url.startswith("http") and p.source
    with pytest.raises(InputError, match="unknown aircraft 'f-35a'.*f-16"):
        aircraft_profile("f-35a")
