"""NATO border by date, zone builders and zone metrics against independent computations."""
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
import shapely
from geo_reference import GEOD, brute_distance_km, densified_points
from pyproj import Transformer

from dashboard.analysis.zones import (
    builtin_zone_layers,
    clip_to_country,
    preset_zone,
    zone_border_band,
    zone_from_regions,
    zone_metrics,
    zone_ring,
)
from dashboard.geo.edges import densify_edges
from dashboard.geo.errors import InputError
from dashboard.geo.measure import area_km2
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer

#: A fixed date after every accession (the tests never read the clock).
TODAY = date(2026, 12, 1)

PRESETS = ("ua-border-oblasts", "lviv-volyn", "ua-100km-nato")
METRIC_KEYS = {"area_km2", "perimeter_km", "nato_border_km", "closest_belarus_km",
               "closest_russia_km", "cities_inside", "incidents"}


def test_nato_border_on_dates():
    ids = lambda d: set(nato_border_on(d, load_layer("nato_border"))["id"])
    assert "FI-RU" not in ids(date(2022, 11, 15))
    assert "FI-RU" in ids(date(2023, 4, 4))
    assert "FI-RU" not in ids("2023-04-03")
    assert ids(date(2030, 1, 1)) == set(load_layer("nato_border")["id"])
    assert ids(date(1999, 3, 11)) == {"NO-RU"}
    assert "PL-UA" in ids(date(1999, 3, 12)) and "LT-BY" not in ids(date(1999, 3, 12))
    with pytest.raises(InputError):
        nato_border_on("15/11/2022", load_layer("nato_border"))


@pytest.mark.parametrize("zone_id", PRESETS)
def test_presets_are_valid_polygons(zone_id):
    z = preset_zone(zone_id)
    assert z.is_valid and z.geom_type in ("Polygon", "MultiPolygon")
    with pytest.raises(InputError, match="unknown zone"):
        preset_zone("atlantis")


def test_zone_from_regions_is_the_union():
    regions = load_layer("regions").set_index("iso_3166_2")
    z = zone_from_regions(["UA-46", "ua-07"])
    parts = area_km2(regions.geometry["UA-46"]) + area_km2(regions.geometry["UA-07"])
    assert area_km2(z) == pytest.approx(parts, rel=1e-3)
    with pytest.raises(InputError, match="UA-99"):
        zone_from_regions(["UA-46", "UA-99"])


def test_zone_ring_area_hand_checked():
    z = zone_ring(23.93432, 50.47099, 75.0)
    assert area_km2(z) == pytest.approx(math.pi * 75**2, rel=2e-4)


def test_border_band_lies_in_ukraine_at_depth():
    band = zone_border_band(["PL-UA"], 50.0)
    # Ukraine as the core models it: geodesic edges (issue 12)
    ua = densify_edges(load_layer("countries").set_index("iso_a2").geometry["UA"])
    assert band.difference(ua.buffer(1e-6)).area < 1e-9
    line = load_layer("nato_border").set_index("id").geometry["PL-UA"]
    ref = densified_points(line, 1.0)
    xy = shapely.get_coordinates(band)
    far = ~shapely.intersects_xy(ua.boundary.buffer(1e-6), xy[:, 0], xy[:, 1])
    sample = xy[far][:: max(1, far.sum() // 40)]
    for x, y in sample:
        d, _ = brute_distance_km(x, y, ref, 52.0)
        assert d == pytest.approx(50.0, rel=1e-3)
    with pytest.raises(InputError):
        zone_border_band(["XX-YY"], 50)


def test_clip_to_country():
    ring = zone_ring(23.93432, 50.47099, 90.0)  # Przewodow: part Poland, part Ukraine
    # Ukraine as the core models it: geodesic edges (issue 12)
    ua = densify_edges(load_layer("countries").set_index("iso_a2").geometry["UA"])
    clipped = clip_to_country(ring, "UA")
    assert clipped.difference(ua.buffer(1e-9)).area < 1e-12
    assert 0.3 < area_km2(clipped) / area_km2(ring) < 0.7
    with pytest.raises(InputError):
        clip_to_country(zone_ring(10.0, 51.0, 20.0), "UA")  # Germany


@pytest.fixture(scope="module")
def lviv_volyn_metrics():
    return zone_metrics(preset_zone("lviv-volyn"), date(2022, 11, 15), builtin_zone_layers()).to_dict()


def test_metric_keys_are_the_contract(lviv_volyn_metrics):
    m = lviv_volyn_metrics
    assert set(m) == METRIC_KEYS
    assert set(m["cities_inside"]) == {"count", "population", "largest"}
    assert all(set(c) == {"name", "country", "population"} for c in m["cities_inside"]["largest"])
    assert all(set(i) == {"id", "place", "distance_km"} for i in m["incidents"])


def test_metrics_area_and_cities(lviv_volyn_metrics):
    m, z = lviv_volyn_metrics, preset_zone("lviv-volyn")
    ref_a, ref_p = GEOD.geometry_area_perimeter(shapely.geometry.polygon.orient(z, 1.0)) \
        if z.geom_type == "Polygon" else (None, None)
    if ref_a is not None:
        assert m["area_km2"] == pytest.approx(abs(ref_a) / 1e6, rel=1e-4)
        assert m["perimeter_km"] == pytest.approx(ref_p / 1000, rel=1e-6)
    cities = load_layer("cities")
    inside = cities[cities.within(z)]
    assert m["cities_inside"]["count"] == len(inside)
    assert m["cities_inside"]["population"] == int(inside["population"].sum())
    largest = m["cities_inside"]["largest"]
    assert largest[0]["name"] == "Lviv" and len(largest) == min(10, len(inside))
    pops = [c["population"] for c in largest]
    assert pops == sorted(pops, reverse=True)


def test_metrics_incident_distances(lviv_volyn_metrics):
    z = preset_zone("lviv-volyn")
    ref = densified_points(z, 0.02)
    incidents = load_layer("incidents").set_index("id")
    got = {i["id"]: i["distance_km"] for i in lviv_volyn_metrics["incidents"]}
    assert set(got) == set(incidents.index)
    p = incidents.geometry["2022-11-15-przewodow"]
    best, _ = brute_distance_km(p.x, p.y, ref, 20.0)
    assert got["2022-11-15-przewodow"] == pytest.approx(best, abs=0.002)
    assert 6.0 < got["2022-11-15-przewodow"] < 7.0


def test_metrics_border_length_against_projected_buffer(lviv_volyn_metrics):
    # independent route: 1 km buffer of the zone in a local equidistant projection
    z = preset_zone("lviv-volyn")
    c = z.centroid
    to = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84",
                              always_xy=True)
    back = Transformer.from_crs(to.target_crs, "EPSG:4326", always_xy=True)
    proj = lambda g, t: shapely.transform(g, lambda xy: np.column_stack(t.transform(*xy.T)))
    near = proj(proj(z, to).buffer(1000.0, quad_segs=16), back)
    border = nato_border_on(date(2022, 11, 15), load_layer("nato_border"))
    covered = shapely.union_all(border.geometry.values).intersection(near)
    ref_km = GEOD.geometry_length(covered) / 1000
    assert ref_km > 400
    assert lviv_volyn_metrics["nato_border_km"] == pytest.approx(ref_km, rel=0.01)
    assert lviv_volyn_metrics["nato_border_km"] < 545  # at most all of PL-UA


def test_closest_approach_ring_near_kaliningrad():
    # a 10 km ring whose centre is ~50 km from Russia (Kaliningrad): closest = d(centre) - 10
    ru = load_layer("countries").set_index("iso_a2").geometry["RU"]
    # Kaliningrad and surroundings; the clip edges are > 150 km from the ring
    ref = densified_points(shapely.clip_by_rect(ru, 17, 52.5, 26, 57).boundary, 0.05)
    lon, lat = 21.0, 54.0  # Poland, south of Kaliningrad
    d_centre, _ = brute_distance_km(lon, lat, ref, 200.0)
    assert 20 < d_centre < 100
    m = zone_metrics(zone_ring(lon, lat, 10.0), TODAY, builtin_zone_layers()).to_dict()
    assert m["closest_russia_km"] == pytest.approx(d_centre - 10.0, abs=0.02)
    assert m["closest_belarus_km"] > 100
    touching = zone_metrics(zone_ring(lon, lat, d_centre + 1.0), TODAY, builtin_zone_layers()).to_dict()
    assert touching["closest_russia_km"] == 0.0


def test_metrics_reject_non_polygons():
    with pytest.raises(InputError):
        zone_metrics(shapely.LineString([(23, 50), (24, 50)]), TODAY, builtin_zone_layers())
