"""Drawn shapes turned into the right geodesic geometry: circles keep their radius,
rectangles follow the parallels, crossing outlines are repaired and said so."""
from __future__ import annotations

import re

import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import Polygon, box

from dashboard.geo.buffer import circle_vertices
from dashboard.geo.errors import InputError
from dashboard.state import drawing


def test_can_edit_on_map():
    small = Polygon([(23, 50), (24, 50), (24, 51)])
    assert drawing.can_edit_on_map(small)
    big = shapely.Point(24, 50).buffer(1, quad_segs=200)
    assert not drawing.can_edit_on_map(big)
    assert drawing.can_edit_on_map(big, is_circle=True)
    holed = box(22, 49, 26, 52).difference(box(23, 50, 24, 51))
    assert not drawing.can_edit_on_map(holed)


def _circle_feature(lon, lat, radius_m, zone_id="map-1"):
    """What the map's circle tool reports: the centre and a point of the edge (here due east)."""
    elon, elat, _ = GEOD.fwd(lon, lat, 90.0, radius_m)
    return {"type": "Feature", "properties": {"zone_id": zone_id, "shape": "circle",
                                              "center": [lon, lat], "edge": [elon, elat]},
            "geometry": {"type": "Polygon", "coordinates": [[[lon, lat], [elon, elat],
                                                             [lon, elat], [lon, lat]]]}}


def test_drawn_circle_becomes_geodesic_circle_of_the_same_radius():
    shp = drawing.feature_to_shape(_circle_feature(23.93432, 50.47099, 75_000.0))
    assert shp.shape == "circle" and shp.zone_id == "map-1"
    assert shp.radius_km == pytest.approx(75.0, abs=1e-9)
    assert (shp.center_lon, shp.center_lat) == (23.93432, 50.47099)
    xy = np.asarray(shp.geometry.exterior.coords)[:-1]
    assert len(xy) == circle_vertices()  # chords sag at most 2.5e-5 of the radius
    _, _, d = GEOD.inv(np.full(len(xy), 23.93432), np.full(len(xy), 50.47099),
                       xy[:, 0], xy[:, 1])
    assert np.abs(d - 75_000.0).max() < 1.0  # metres
    # not an ellipse in degrees: east-west extent in degrees is 1/cos(lat) times wider
    w, s, e, n = shp.geometry.bounds
    assert (e - w) / (n - s) == pytest.approx(1 / np.cos(np.radians(50.47)), rel=0.02)


def test_drawn_rectangle_follows_the_parallels():
    f = {"type": "Feature", "properties": {"zone_id": "r", "shape": "rectangle"},
         "geometry": {"type": "Polygon", "coordinates": [[[22.0, 49.0], [22.0, 51.0],
                                                          [26.0, 51.0], [26.0, 49.0],
                                                          [22.0, 49.0]]]}}
    shp = drawing.feature_to_shape(f)
    assert shp.shape == "rectangle" and shp.bounds_deg == (22.0, 49.0, 26.0, 51.0)
    xy = np.asarray(shp.geometry.exterior.coords)
    assert set(np.round(xy[:, 1], 12)) == {49.0, 51.0}
    assert np.diff(np.sort(np.unique(xy[:, 0]))).max() <= drawing.BOX_STEP_DEG + 1e-12
    # area of the lon/lat box, independently: a very finely densified ring
    lons = np.linspace(22, 26, 4001)
    ring_lon = np.concatenate([lons, lons[::-1]])
    ring_lat = np.concatenate([np.full(4001, 49.0), np.full(4001, 51.0)])
    exact, _ = GEOD.polygon_area_perimeter(ring_lon, ring_lat)
    a, _ = GEOD.geometry_area_perimeter(shapely.geometry.polygon.orient(shp.geometry))
    assert abs(a) == pytest.approx(abs(exact), rel=1e-5)
    # a 4-corner polygon differs: its geodesic edges bow towards the pole (the north
    # edge gains less than the south edge loses): about 20 km2 here
    a4, _ = GEOD.polygon_area_perimeter([22, 26, 26, 22], [49, 49, 51, 51])
    assert abs(exact) - abs(a4) > 10e6


def test_self_intersecting_polygon_is_repaired_and_said_so():
    bowtie = {"type": "Feature", "properties": {"zone_id": "b", "shape": "polygon"},
              "geometry": {"type": "Polygon", "coordinates": [[[23, 50], [24, 51], [24, 50],
                                                               [23, 51], [23, 50]]]}}
    shp = drawing.feature_to_shape(bowtie)
    assert shp.geometry.is_valid and shp.geometry.area > 0
    assert shp.messages and "make_valid" in shp.messages[0]


@pytest.mark.parametrize("feature, text", [
    ({"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [24, 50]}},
     "markers cannot be zones"),
    ({"type": "Feature", "properties": {},
      "geometry": {"type": "LineString", "coordinates": [[24, 50], [25, 50]]}},
     "LineString cannot be a zone"),
    ({"type": "Feature", "properties": {"shape": "polygon"},
      "geometry": {"type": "Polygon", "coordinates": [[[200, 50], [201, 50], [201, 51],
                                                       [200, 50]]]}},
     "outside lon ±180"),
    ({"type": "Feature", "properties": {"shape": "circle", "center": ["abc", 50]},
      "geometry": {"type": "Polygon", "coordinates": [[[24, 50], [25, 50], [24, 51],
                                                       [24, 50]]]}}, "could not be read"),
    ("not a feature", "not a GeoJSON feature"),
])
def test_bad_drawings_raise_input_error(feature, text):
    with pytest.raises(InputError, match=re.escape(text)):
        drawing.feature_to_shape(feature)


def test_same_shape_tolerates_leaflet_rounding_only():
    poly = Polygon([(23.1234567, 50.0000004), (24.0, 50.0), (24.0, 51.0)])
    rounded = shapely.transform(poly, lambda xy: np.round(xy, 6))
    shp = drawing.DrawnShape("z", "polygon", rounded)
    assert drawing.same_shape(shp, poly)
    moved = drawing.DrawnShape("z", "polygon", shapely.affinity.translate(poly, 0.0001, 0))
    assert not drawing.same_shape(moved, poly)
    circ = drawing.DrawnShape("c", "circle", poly, 24.0, 50.0, 10.0)
    assert drawing.same_shape(circ, poly, center_lon=24.0, center_lat=50.0, radius_km=10.0)
    assert not drawing.same_shape(circ, poly, center_lon=24.0, center_lat=50.0, radius_km=10.01)
    assert not drawing.same_shape(circ, poly)  # a polygon zone is not the same as a circle

