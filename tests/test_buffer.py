"""Geodesic buffers: every edge vertex within 0.1% of the requested distance,
checked by brute-force pyproj.Geod against the densified input geometry."""
from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from geo_reference import GEOD, brute_distance_km, circle_union, densified_points, edge_samples
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Polygon

from dashboard.geo.buffer import buffer_geometry, buffer_point, side_band
from dashboard.geo.edges import densify_edges
from dashboard.geo.errors import InputError
from dashboard.geo.measure import area_km2
from dashboard.io.layers_io import load_layer

TOL = 1e-3  # the requirement: 0.1 % of the requested distance


def _edge_errors(buf, reference, d_km, sample=120, seed=0, skip=None):
    """Relative error of (a sample of) the buffer's edge vertices, by brute force."""
    xy = shapely.get_coordinates(buf)
    if skip is not None:
        xy = xy[~skip(xy)]
    rng = np.random.default_rng(seed)
    if len(xy) > sample:
        xy = xy[rng.choice(len(xy), sample, replace=False)]
    step = max(d_km / 50.0, 0.01)  # sampling overestimates by < d/20000
    ref = densified_points(reference, step)
    window = d_km * 1.01 + 1.0  # the nearest reference point is about d_km away
    return np.array([abs(brute_distance_km(x, y, ref, window)[0] - d_km) / d_km for x, y in xy])


def test_point_circle_vertices_exact_and_area():
    lon, lat, r = 23.93432, 50.47099, 90.0
    c = buffer_point(lon, lat, r, n_vertices=256)
    xy = np.asarray(c.exterior.coords)[:-1]
    _, _, d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
    np.testing.assert_allclose(d / 1000, r, rtol=1e-9)
    assert c.exterior.is_ccw and c.is_valid
    # a 256-gon inscribed in a circle of 90 km: pi r^2 (1 - (2 pi/n)^2 / 6), curvature ~1e-5
    expected = math.pi * r**2 * (1 - (2 * math.pi / 256) ** 2 / 6)
    assert area_km2(c) == pytest.approx(expected, rel=5e-4)


def test_point_circle_is_not_a_lonlat_circle():
    # at 50 N a geodesic circle spans 1/cos(50) = 1.56 times more degrees east-west
    c = buffer_point(24.0, 50.0, 100.0)
    minx, miny, maxx, maxy = c.bounds
    assert (maxx - minx) / (maxy - miny) == pytest.approx(1 / math.cos(math.radians(50)), rel=0.01)


@pytest.mark.parametrize("d_km", [1.0, 10.0, 100.0, 500.0])
def test_pl_ua_border_buffer_edge(d_km):
    border = load_layer("nato_border").set_index("id").geometry["PL-UA"]
    buf = buffer_geometry(border, d_km)
    assert buf.is_valid and buf.contains(border.representative_point())
    err = _edge_errors(buf, border, d_km, sample=60)
    assert err.max() < TOL


def test_whole_nato_border_100km_long_geometry():
    # 3000 km of border: a single projection would be ~1% off at the ends
    border = shapely.union_all(load_layer("nato_border").geometry.values)
    buf = buffer_geometry(border, 100.0)
    err = _edge_errors(buf, border, 100.0, sample=60)
    assert err.max() < TOL


@settings(max_examples=12, deadline=None)
@given(lon=st.floats(15, 35), lat=st.floats(44, 66),
       legs=st.lists(st.tuples(st.floats(0, 360), st.floats(5, 150)), min_size=1, max_size=3),
       d_km=st.floats(1, 500))
def test_property_line_buffer_edge_within_tolerance(lon, lat, legs, d_km):
    pts = [(lon, lat)]
    for az, length in legs:
        x, y, _ = GEOD.fwd(pts[-1][0], pts[-1][1], az, length * 1000)
        pts.append((x, y))
    line = LineString(pts)
    if not line.is_simple:
        line = LineString(pts[:2])
    buf = buffer_geometry(line, d_km)
    assert buf.is_valid and not buf.is_empty
    err = _edge_errors(buf, line, d_km, sample=40)
    assert err.max() < TOL


@pytest.fixture(scope="module")
def square():
    return Polygon([(22, 48), (28, 48), (28, 52), (22, 52)])  # ~430 x 440 km


@pytest.mark.parametrize("side,d_km", [("outside", 50.0), ("inside", 50.0), ("both", 20.0),
                                       ("inside", 1.0)])
def test_polygon_sides(square, side, d_km):
    buf = buffer_geometry(square, d_km, side)
    assert buf.is_valid
    err = _edge_errors(buf, square.boundary, d_km, sample=60)
    assert err.max() < TOL
    a_sq = area_km2(square)
    # the square's edges are geodesics (its top bulges north of 52 N)
    geodesic_square = Polygon(densified_points(square.exterior, 5.0))
    if side == "outside":
        assert buf.contains(geodesic_square)
        assert area_km2(buf) > a_sq
    elif side == "inside":
        assert geodesic_square.buffer(1e-9).contains(buf)
        assert area_km2(buf) < a_sq
    else:
        grow = area_km2(buffer_geometry(square, d_km, "outside"))
        shrink = area_km2(buffer_geometry(square, d_km, "inside"))
        assert area_km2(buf) == pytest.approx(grow - shrink, rel=1e-3)
        assert not buf.contains(square.centroid)


def test_side_band_on_ukrainian_side():
    border = load_layer("nato_border").set_index("id").geometry["PL-UA"]
    countries = load_layer("countries").set_index("iso_a2")
    ua, pl = countries.geometry["UA"], countries.geometry["PL"]
    band = side_band(border, 50.0, ua)
    ua = densify_edges(ua)  # Ukraine as the core models it: geodesic edges (issue 12)
    assert band.is_valid
    assert band.difference(ua.buffer(1e-6)).area < 1e-9 * band.area + 1e-12
    assert band.intersection(pl).area < 1e-4 * band.area
    # vertices not on Ukraine's outline are on the 50 km offset of the border
    ua_edge = ua.boundary.buffer(1e-6)
    on_ua = lambda xy: shapely.intersects_xy(ua_edge, xy[:, 0], xy[:, 1])
    err = _edge_errors(band, border, 50.0, sample=50, skip=on_ua)
    assert err.max() < TOL
    # about 50 km x 530 km, less what lies beyond the line ends
    assert 20_000 < area_km2(band) < 30_000


@pytest.mark.parametrize("bad", [0, -5, float("nan"), 1e6, "ten"])
def test_bad_distances(bad):
    with pytest.raises(InputError):
        buffer_point(23, 50, bad)


def test_bad_requests(square):
    with pytest.raises(InputError):
        buffer_geometry(LineString([(23, 50), (24, 50)]), 10, "inside")
    with pytest.raises(InputError):
        buffer_geometry(square, 10, "sideways")
    with pytest.raises(InputError, match="nothing is left"):
        buffer_geometry(square, 400, "inside")
    with pytest.raises(InputError):
        buffer_point(179.9, 0, 50)  # crosses the antimeridian


def _along_edge_errors(buf, reference, d_km):
    """Relative error of points a quarter, half and three quarters along every edge."""
    pts = edge_samples(buf)
    ref = densified_points(reference, max(d_km / 50.0, 0.01))
    window = d_km * 1.01 + 1.0
    return np.array([abs(brute_distance_km(x, y, ref, window)[0] - d_km) / d_km for x, y in pts])


def test_pl_ua_50km_whole_edges_and_area():
    # issue 12: vertices were right, but edges ran from 94 m inside to 144 m beyond
    # and the area was 0.075 % short
    border = load_layer("nato_border").set_index("id").geometry["PL-UA"]
    buf = buffer_geometry(border, 50.0)
    err = _along_edge_errors(buf, border, 50.0)
    assert len(err) > 1000 and err.max() < TOL
    truth = area_km2(circle_union(border, 50.0))  # at most ~6e-5 below the exact area
    assert area_km2(buf) == pytest.approx(truth, rel=5e-4)


@pytest.mark.slow
def test_long_edged_polygon_buffer_at_65n():
    # 500-1,000 km geodesic edges near 65 N: the offset follows the geodesic edges
    zone = Polygon([(15.0, 63.0), (35.0, 63.0), (35.0, 67.0), (15.0, 67.0)])
    for side in ("outside", "inside"):
        buf = buffer_geometry(zone, 30.0, side)
        err = _along_edge_errors(buf, zone.boundary, 30.0)
        assert err.max() < TOL, side


def test_whole_border_edges_across_cusps():
    # where the offsets of two border lines meet (a cusp), an edge used to cut across
    # 240 m beyond the distance; check the worst edge points (found by the core)
    # and a random sample, by brute force
    import geopandas as gpd

    from dashboard.geo.distance import nearest

    border = shapely.union_all(load_layer("nato_border").geometry.values)
    buf = buffer_geometry(border, 100.0)
    pts = edge_samples(buf)
    d = nearest(pts[:, 0], pts[:, 1], gpd.GeoDataFrame(geometry=[border], crs="EPSG:4326"))
    worst = np.argsort(-np.abs(d.boundary_km.to_numpy() - 100.0))[:40]
    pick = np.r_[worst, np.random.default_rng(1).choice(len(pts), 60, replace=False)]
    ref = densified_points(border, 2.0)
    err = [abs(brute_distance_km(x, y, ref, 102.0)[0] - 100.0) / 100.0 for x, y in pts[pick]]
    assert max(err) < TOL


# ------------------------------------------------ issue 18: every edge point within 0.01 %
TIGHT = 1e-4  # what the core states since issue 18: 0.01 % of the distance, area likewise
_A, _F = 6378137.0, 1 / 298.257223563
_E2 = _F * (2 - _F)


def _ecef(xy: np.ndarray) -> np.ndarray:
    """Earth-centred xyz (m) of lon/lat degrees on the WGS84 ellipsoid (closed form)."""
    lon, lat = np.radians(xy[:, 0]), np.radians(xy[:, 1])
    n = _A / np.sqrt(1 - _E2 * np.sin(lat) ** 2)
    return np.column_stack([n * np.cos(lat) * np.cos(lon), n * np.cos(lat) * np.sin(lon),
                            n * (1 - _E2) * np.sin(lat)])


def _dense_edge_points(geom, step_m: float = 100.0) -> np.ndarray:
    """Every vertex of ``geom``'s rings and points at most ``step_m`` apart along each of
    its geodesic edges (``Geod.inv`` + ``Geod.fwd``)."""
    out = []
    for ring in [p.exterior for p in shapely.get_parts(geom)] + \
            [h for p in shapely.get_parts(geom) for h in p.interiors]:
        xy = np.asarray(ring.coords)[:, :2]
        az, _, length = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        n = np.maximum(np.ceil(np.asarray(length) / step_m).astype(int), 1)
        e = np.repeat(np.arange(len(n)), n)
        frac = (np.arange(len(e)) - np.repeat(np.cumsum(n) - n, n)) / n[e]
        lon, lat, _ = GEOD.fwd(xy[e, 0], xy[e, 1], np.asarray(az)[e], np.asarray(length)[e] * frac)
        out.append(np.column_stack([lon, lat]))
    return np.vstack(out)


def _brute_distances_km(pts: np.ndarray, reference, step_km: float = 0.05, k: int = 8) -> np.ndarray:
    """Geodesic distance (km) of each point to ``reference`` sampled every ``step_km``
    (a 50 m step overestimates a 10 km distance by < 0.04 m): the ``k`` reference samples
    nearest by straight-line (chord) distance in Earth-centred xyz are measured with
    ``Geod.inv`` and the least kept."""
    ref = densified_points(reference, step_km)
    ref_xyz, ref_sq = _ecef(ref), (_ecef(ref) ** 2).sum(axis=1)
    out = np.empty(len(pts))
    for i in range(0, len(pts), 400):
        p = _ecef(pts[i:i + 400])
        chord_sq = (p ** 2).sum(axis=1)[:, None] + ref_sq[None, :] - 2 * p @ ref_xyz.T
        cand = np.argpartition(chord_sq, k, axis=1)[:, :k]
        q = pts[i:i + 400]
        _, _, d = GEOD.inv(np.repeat(q[:, 0], k), np.repeat(q[:, 1], k),
                           ref[cand.ravel(), 0], ref[cand.ravel(), 1])
        out[i:i + 400] = np.asarray(d).reshape(-1, k).min(axis=1) / 1000.0
    return out


def test_brute_distance_reference_is_sane():
    """The chord-preselected brute force finds the distance to a segment exactly (a point
    abeam of a 100 km meridian segment at 50 N, and one beyond its end)."""
    line = LineString([(24.0, 49.5), (24.0, 50.5)])
    x, y, _ = GEOD.fwd(24.0, 50.0, 90.0, 25_000.0)
    x2, y2, _ = GEOD.fwd(24.0, 50.5, 30.0, 40_000.0)
    got = _brute_distances_km(np.array([[x, y], [x2, y2]]), line)
    assert got == pytest.approx([25.0, 40.0], abs=1e-4)


@pytest.mark.parametrize("d_km", [10.0, 50.0])
def test_pl_ua_every_edge_point_within_a_hundredth_percent(d_km):
    # issue 18: with only edge midpoints checked, the 50 km buffer went 0.027 % beyond the
    # distance at concave joins (a kink between a right midpoint and a wrong quarter point)
    # and its vertices used the whole tolerance (0.0098 % inside)
    border = load_layer("nato_border").set_index("id").geometry["PL-UA"]
    buf = buffer_geometry(border, d_km)
    pts = _dense_edge_points(buf, 100.0)
    err = (_brute_distances_km(pts, border) - d_km) / d_km
    assert len(pts) > 10_000
    assert err.max() < TIGHT and err.min() > -TIGHT, (err.min(), err.max())


def _true_circle(lon: float, lat: float, r_km: float, step_m: float = 100.0) -> Polygon:
    n = math.ceil(2 * math.pi * r_km * 1000.0 / step_m)
    az = np.linspace(360.0, 0.0, n, endpoint=False)
    x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, r_km * 1000.0))
    return Polygon(np.column_stack([x, y]))


@pytest.mark.parametrize("lon,lat,r_km", [(23.93432, 50.47099, 90.0), (25.0, 68.0, 5.0),
                                          (24.0, 45.0, 1000.0)])
def test_point_buffer_edges_and_area_against_the_true_circle(lon, lat, r_km):
    # issue 18: 256 vertices sagged 6.8 m inside a 90 km circle and lost 0.0100 % of its area
    c = buffer_geometry(shapely.Point(lon, lat), r_km)
    pts = _dense_edge_points(c, min(100.0, r_km))
    _, _, d = GEOD.inv(np.full(len(pts), lon), np.full(len(pts), lat), pts[:, 0], pts[:, 1])
    err = (np.asarray(d) / 1000.0 - r_km) / r_km
    assert err.max() < TIGHT and err.min() > -TIGHT
    # the circle sampled every 100 m (or finer): its chords sag < 100²/(8 r), 1.4e-6 of 90 km
    truth = abs(GEOD.geometry_area_perimeter(_true_circle(lon, lat, r_km, min(100.0, r_km * 2)))[0])
    assert abs(GEOD.geometry_area_perimeter(c)[0]) == pytest.approx(truth, rel=TIGHT)
    assert area_km2(c) == pytest.approx(truth / 1e6, rel=TIGHT)


@pytest.mark.slow
def test_whole_border_every_edge_point_within_a_hundredth_percent():
    # issue 18: a repair of self-crossings near a cusp left a 25 m edge whose middle was
    # 11 m (0.011 %) beyond 100 km, because edges were not checked again after it.
    # Every edge sampled at sixteenths; the core's distance picks the 300 worst samples,
    # which are measured by brute force together with 300 random ones
    import geopandas as gpd

    from dashboard.geo.distance import nearest

    border = shapely.union_all(load_layer("nato_border").geometry.values)
    buf = buffer_geometry(border, 100.0)
    pts = edge_samples(buf, fractions=tuple(np.arange(16) / 16))
    d = nearest(pts[:, 0], pts[:, 1], gpd.GeoDataFrame(geometry=[border], crs="EPSG:4326"))
    worst = np.argsort(-np.abs(d.boundary_km.to_numpy() - 100.0))[:300]
    pick = np.r_[worst, np.random.default_rng(2).choice(len(pts), 300, replace=False)]
    err = (_brute_distances_km(pts[pick], border, step_km=0.1) - 100.0) / 100.0
    assert err.max() < TIGHT and err.min() > -TIGHT, (err.min(), err.max())
