"""Zones from a file: one reader and one naming rule (the ``name`` property, else
``"<file stem> <k>"``), polygons kept and repaired, other features counted."""
from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from dashboard.geo.errors import InputError
from dashboard.io.zonefile import NamedZone, ZoneFile, file_stem, read_zone_file, zone_name

SQUARE = [(23.6, 49.8), (25.0, 49.8), (25.0, 50.9), (23.6, 50.9)]
TRI = [(26.0, 49.0), (27.0, 49.0), (26.5, 49.8)]
BOWTIE = [(23, 50), (24, 51), (24, 50), (23, 51)]


def _poly(coords, **props) -> dict:
    ring = [list(c) for c in coords] + [list(coords[0])]
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _point(lon, lat, **props) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def _file(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def test_polygons_are_kept_in_order_with_their_names_and_the_rest_counted():
    zf = read_zone_file(_file(_poly(SQUARE, name="From file"), _point(24, 50, name="a site"),
                              _poly(TRI), _poly(SQUARE, name="")), "mine.geojson")
    assert isinstance(zf, ZoneFile) and zf.skipped == 1
    assert [z.name for z in zf.zones] == ["From file", "mine 2", "mine 3"]
    assert all(isinstance(z, NamedZone) for z in zf.zones)
    assert shapely.equals_exact(zf.zones[0].geometry, Polygon(SQUARE), 0)
    assert shapely.equals_exact(zf.zones[1].geometry, Polygon(TRI), 0)
    assert zf.messages == ()


def test_the_result_is_frozen():
    zf = read_zone_file(_file(_poly(SQUARE)), "a.geojson")
    with pytest.raises(AttributeError):
        zf.skipped = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        zf.zones[0].name = "x"  # type: ignore[misc]


def test_multipolygons_are_zones_and_k_counts_polygon_features_only():
    multi = {"type": "Feature", "properties": {},
             "geometry": {"type": "MultiPolygon",
                          "coordinates": [[[list(c) for c in SQUARE + SQUARE[:1]]],
                                          [[list(c) for c in TRI + TRI[:1]]]]}}
    zf = read_zone_file(_file(_point(24, 50), multi, _point(25, 50), _poly(TRI)), "Two.JSON")
    assert [z.name for z in zf.zones] == ["Two 1", "Two 2"] and zf.skipped == 2
    assert isinstance(zf.zones[0].geometry, MultiPolygon)


def test_a_crossing_outline_is_repaired_and_said_so():
    zf = read_zone_file(_file(_poly(BOWTIE, name="Bow")), "b.geojson")
    (z,) = zf.zones
    assert z.geometry.is_valid and z.geometry.area == pytest.approx(0.5)
    assert any("make_valid" in m for m in zf.messages)


@pytest.mark.parametrize("value, expected", [
    ("  Lviv ", "Lviv"),
    ("Lviv\x00\x1f\x7f oblast\n", "Lviv oblast"),
    ("x" * 130, "x" * 120),
    (" \t\n ", "stem 4"),
    ("", "stem 4"),
    (None, "stem 4"),
    (float("nan"), "stem 4"),
    (7, "7"),
])
def test_the_naming_rule(value, expected):
    assert zone_name(value, "stem", 4) == expected


def test_the_file_stem():
    assert file_stem("mine.geojson") == "mine"
    assert file_stem("MINE.GeoJSON") == "MINE"
    assert file_stem("zones.json") == "zones"
    assert file_stem("/tmp/dir/west zones.geojson") == "west zones"  # the CLI passes paths
    assert file_stem("a.b.geojson") == "a.b"
    assert file_stem("bad\x07name.geojson") == "badname"
    assert zone_name(None, file_stem(".geojson"), 1) == "Imported 1"


def test_names_in_the_file_are_cleaned():
    zf = read_zone_file(_file(_poly(SQUARE, name="  A\tB  "), _poly(TRI, name="C" * 200)),
                        "n.geojson")
    assert [z.name for z in zf.zones] == ["AB", "C" * 120]


def test_no_polygon_is_an_input_error():
    with pytest.raises(InputError, match="pts.geojson has no polygons; a zone must be an area"):
        read_zone_file(_file(_point(24, 50), _point(25, 51)), "pts.geojson")


def test_files_the_reader_refuses_are_input_errors():
    projected = _file(_poly([(500000, 5500000), (600000, 5500000), (600000, 5600000)]))
    with pytest.raises(InputError, match="projected"):
        read_zone_file(projected, "utm.geojson")
    with pytest.raises(InputError, match="not valid JSON"):
        read_zone_file(b"{not json", "bad.geojson")
    with pytest.raises(InputError, match="unsupported file type"):
        read_zone_file(_file(_poly(SQUARE)), "zones.kml")
