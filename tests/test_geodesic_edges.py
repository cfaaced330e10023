"""One geometry model (issue 12): polygon and line edges are geodesics in every
operation.  Long-edged polygons (100-1,000 km edges, up to 70 N) against
independent pyproj.Geod brute force."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from geo_reference import GEOD, brute_distance_km, densified_points
from pyproj import Transformer
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.polygon import orient

from dashboard.analysis.zones import border_length_near_km, clip_to_country, distance_between_km
from dashboard.geo.distance import nearest
from dashboard.geo.edges import EDGE_TOLERANCE_M, densify_edges
from dashboard.geo.measure import area_km2
from dashboard.io.layers_io import load_layer

#: A zone near the Kola peninsula whose southern edge runs 480 km along 69 N.
ARCTIC = Polygon([(25.0, 69.0), (37.0, 69.0), (37.0, 71.0), (25.0, 71.0)])


def _gdf(*geoms):
    return gpd.GeoDataFrame({"id": [f"z{i}" for i in range(len(geoms))]}, geometry=list(geoms),
                            crs="EPSG:4326")


def _lonlat_gap_m(samples: np.ndarray, poly_xy: np.ndarray) -> np.ndarray:
    """Ground distance (m) from each sample of a geodesic to the straight lon/lat
    piece of ``poly_xy`` spanning its longitude (north-south offset)."""
    out = np.empty(len(samples))
    for k, (x, y) in enumerate(samples):
        i = np.flatnonzero((poly_xy[:-1, 0] - x) * (poly_xy[1:, 0] - x) <= 0)
        best = np.inf
        for j in i:
            (x0, y0), (x1, y1) = poly_xy[j], poly_xy[j + 1]
            if x1 == x0:
                continue
            yy = y0 + (y1 - y0) * (x - x0) / (x1 - x0)
            best = min(best, GEOD.inv(x, y, x, yy)[2])
        out[k] = best
    return out


@pytest.mark.parametrize("lat", [45.0, 60.0, 69.0])
def test_densified_edges_follow_the_geodesic(lat):
    # a 1,000 km east-west edge: its geodesic bulges tens of km poleward
    edge = LineString([(10.0, lat), (10.0 + 1000 / (111.3 * np.cos(np.radians(lat))), lat)])
    dense = np.asarray(densify_edges(edge).coords)
    samples = densified_points(edge, 5.0)  # Geod.npts: the geodesic itself
    assert samples[:, 1].max() - lat > 0.1  # the bulge is real (> 11 km)
    gap = _lonlat_gap_m(samples[1:-1], dense)
    assert gap.max() < EDGE_TOLERANCE_M * 1.05
    # and the straight lon/lat line is far off: planar predicates need the densified edge
    assert _lonlat_gap_m(samples[len(samples) // 2:len(samples) // 2 + 1],
                         np.asarray(edge.coords))[0] > 10_000


def test_short_edges_and_vertices_are_kept():
    poly = box(23.0, 50.0, 23.01, 50.01)
    assert densify_edges(poly).equals_exact(poly, 0)
    dense = densify_edges(ARCTIC)
    assert set(map(tuple, np.asarray(ARCTIC.exterior.coords))) <= set(
        map(tuple, np.asarray(dense.exterior.coords)))
    arr = densify_edges(np.array([ARCTIC, None, shapely.Point(1, 2)], dtype=object))
    assert arr[1] is None and arr[2].equals(shapely.Point(1, 2))


def test_inside_follows_the_geodesic_edge_at_69n():
    # 69.01 N 31 E is north of the straight lon/lat line along 69 N but south of the
    # geodesic edge, which bulges ~12 km north: it is outside the zone
    res = nearest([31.0, 31.0, 31.0], [69.01, 69.3, 68.9], _gdf(ARCTIC)).iloc
    ref = densified_points(ARCTIC, 0.05)
    lon_mid, lat_mid = GEOD.npts(25.0, 69.0, 37.0, 69.0, 1)[0]
    assert lat_mid > 69.1
    assert not res[0].inside and res[1].inside and not res[2].inside
    for k, (x, y) in enumerate([(31.0, 69.01), (31.0, 69.3), (31.0, 68.9)]):
        best, _ = brute_distance_km(x, y, ref, 50.0)
        assert res[k].boundary_km == pytest.approx(best, abs=0.002)


def test_points_30m_off_long_country_edges_get_the_right_side():
    countries = load_layer("countries")
    pts, inside, iso = [], [], []
    for code, geom in zip(countries.iso_a2, countries.geometry):
        for part in getattr(geom, "geoms", [geom]):
            xy = np.asarray(orient(part, 1.0).exterior.coords)
            az, _, d = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
            for i in np.flatnonzero(d > 30_000):
                mx, my, back = GEOD.fwd(xy[i, 0], xy[i, 1], az[i], d[i] / 2)
                for side, turn in ((True, -90.0), (False, 90.0)):  # left of a CCW ring is in
                    x, y, _ = GEOD.fwd(mx, my, back + 180.0 + turn, 30.0)
                    pts.append((x, y))
                    inside.append(side)
                    iso.append(code)
    pts, inside, iso = np.asarray(pts), np.asarray(inside), np.asarray(iso)
    assert len(pts) >= 150
    for code in np.unique(iso):
        m = iso == code
        res = nearest(pts[m, 0], pts[m, 1], countries[countries.iso_a2 == code])
        assert (res.inside.to_numpy() == inside[m]).all(), code
        np.testing.assert_allclose(res.boundary_km.to_numpy(), 0.030, atol=2e-4)


def test_nato_border_near_a_long_edged_rectangle():
    # independent route: the rectangle's geodesic edges (Geod.npts), buffered 1 km in
    # a local azimuthal equidistant projection, intersected with the border
    border = load_layer("nato_border")
    zone = box(22.5, 50.0, 26.0, 52.5)
    geo = Polygon(densified_points(zone.exterior, 1.0))
    c = geo.centroid
    to = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84",
                              always_xy=True)
    back = Transformer.from_crs(to.target_crs, "EPSG:4326", always_xy=True)
    proj = lambda g, t: shapely.transform(g, lambda xy: np.column_stack(t.transform(*xy.T)))
    near = proj(proj(geo, to).buffer(1000.0, quad_segs=64), back)
    ref_km = GEOD.geometry_length(shapely.union_all(border.geometry.values).intersection(near)) / 1000
    assert ref_km > 500
    assert border_length_near_km(zone, border) == pytest.approx(ref_km, abs=0.05)


def test_clip_and_area_of_a_long_edged_zone():
    # a 6 x 3 degree box over northern Ukraine: its 430 km southern edge is a geodesic
    # bulging ~4 km north of 49.5 N, so the clipped zone starts north of the planar box
    zone = box(27.0, 49.5, 33.0, 52.4)
    clipped = clip_to_country(zone, "UA")
    geodesic_zone = Polygon(densified_points(zone.exterior, 1.0))
    edge_lat = GEOD.npts(27.0, 49.5, 33.0, 49.5, 1)[0][1]
    assert edge_lat > 49.53
    # within the 0.1 m edge tolerance (3e-6 degrees) of the geodesic polygon
    assert clipped.difference(geodesic_zone.buffer(3e-6)).area < 1e-9
    assert zone.contains(shapely.Point(30.0, 49.52))
    assert not clipped.contains(shapely.Point(30.0, 49.52))
    assert clipped.contains(shapely.Point(30.0, edge_lat + 0.005))
    ref_a, _ = GEOD.geometry_area_perimeter(orient(geodesic_zone, 1.0))
    assert area_km2(zone) == pytest.approx(abs(ref_a) / 1e6, rel=1e-6)


def test_distance_between_long_edged_zones_is_geodesic():
    # two boxes 0.2 degrees apart north-south along 65 N; their facing edges are
    # geodesics (they bulge north), so the gap is the geodesic one
    a = box(20.0, 63.0, 30.0, 64.9)
    b = box(20.0, 65.1, 30.0, 66.0)
    ref_a = densified_points(a.exterior, 0.5)
    ref_b = densified_points(b.exterior, 0.5)
    best = min(brute_distance_km(x, y, ref_b, 80.0)[0] for x, y in ref_a[::5])
    assert distance_between_km(a, b) == pytest.approx(best, abs=0.05)
