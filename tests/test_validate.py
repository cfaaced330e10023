"""The core's geometry checks: coordinates on the globe, polygons repaired with make_valid,
the polygons of a mixed collection."""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.polygon import orient

from dashboard.geo.errors import InputError
from dashboard.geo.validate import check_lonlat_array, polygonal_part, repair_polygon

BOWTIE = Polygon([(23, 50), (24, 51), (24, 50), (23, 51)])


def _area_km2(geom) -> float:
    parts = geom.geoms if hasattr(geom, "geoms") else [geom]
    return sum(abs(GEOD.geometry_area_perimeter(orient(p))[0]) for p in parts) / 1e6


def test_a_valid_polygon_is_returned_as_it_is():
    square = box(23, 50, 24, 51)
    poly, messages = repair_polygon(square, "zone")
    assert poly is square and messages == []


def test_a_bowtie_becomes_its_two_triangles_and_says_so():
    poly, messages = repair_polygon(BOWTIE, "zone A")
    assert isinstance(poly, MultiPolygon) and poly.is_valid and len(poly.geoms) == 2
    # the two triangles meet at (23.5, 50.5); each has half the square's degree area
    assert sorted(round(p.area, 9) for p in poly.geoms) == [0.25, 0.25]
    assert _area_km2(poly) == pytest.approx(_area_km2(box(23, 50, 24, 51)) / 2, rel=2e-3)
    assert messages == ["zone A: the outline crossed itself (Self-intersection); repaired "
                        "with make_valid"]


@pytest.mark.parametrize("geom", [
    Polygon([(23, 50), (24, 50), (25, 50)]),           # collinear: no area
    Polygon([(23, 50), (24, 50), (24, 50), (23, 50)]),  # two distinct corners
])
def test_no_area_left_is_an_input_error(geom):
    with pytest.raises(InputError, match="zone B has no area"):
        repair_polygon(geom, "zone B")


def test_polygonal_part_keeps_only_the_polygons():
    a, b = box(23, 50, 24, 51), box(25, 50, 26, 51)
    gc = GeometryCollection([a, LineString([(0, 0), (1, 1)]), Point(3, 3), MultiPolygon([b])])
    got = polygonal_part(gc)
    assert isinstance(got, MultiPolygon) and shapely.equals(got, MultiPolygon([a, b]))
    assert polygonal_part(GeometryCollection([a, Point(0, 0)])) == a
    assert polygonal_part(a) is a
    for nothing in (None, Polygon(), Point(24, 50), GeometryCollection([LineString([(0, 0),
                                                                                   (1, 1)])])):
        assert polygonal_part(nothing) is None


def test_coordinates_must_be_numbers_on_the_globe():
    check_lonlat_array(np.array([[180.0, 90.0], [-180.0, -90.0], [23.9, 50.5]]), "zone")
    check_lonlat_array(np.array([23.9, 50.5]), "a point")  # one (lon, lat) pair
    with pytest.raises(InputError, match="zone C has coordinates outside lon ±180 / lat ±90"):
        check_lonlat_array(np.array([[500_000.0, 5_500_000.0]]), "zone C")  # UTM metres
    with pytest.raises(InputError, match="lat ±90"):
        check_lonlat_array(np.array([[24.0, 90.5]]), "zone")
    with pytest.raises(InputError, match="not numbers"):
        check_lonlat_array(np.array([[np.nan, 50.0]]), "zone")
    with pytest.raises(InputError, match="not numbers"):
        check_lonlat_array(np.array([[24.0, np.inf]]), "zone")
