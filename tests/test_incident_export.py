"""Incident export (issue 19 item 5): GeoJSON and CSV read back as the same records, KML
for Google Earth with geodesic precision circles and text kept as text, a GeoPackage."""
from __future__ import annotations

import csv
import html
import io
import json
import xml.etree.ElementTree as ET

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod

from dashboard.data.incidents.check import check_incident
from dashboard.data.incidents.record import EXAMPLE, FIELDS
from dashboard.geo.errors import InputError
from dashboard.io.incident_export import (
    CIRCLE_VERTICES,
    CSV_COLUMNS,
    build_export,
    export_incidents,
    write_export,
)
from dashboard.io.incident_import import read_incident_file

WGS84 = Geod(ellps="WGS84")
KML = "{http://www.opengis.net/kml/2.2}"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def incidents():
    point = check_incident(EXAMPLE)
    track = check_incident(dict(
        EXAMPLE, id="2025-09-19-vaindloo", date="2025-09-19", time_utc=None, place=SCRIPT,
        country="EE", object_type="aircraft", munition=FORMULA, killed=0, injured=3,
        attributed_to="russian", attribution='Estonian MFA: "three MiG-31" & <b>12 min</b>',
        sources=[{"url": "https://example.org/a?x=1&y=<2>", "publisher": "@ERR", "grade": "B2",
                  "accessed": "2025-09-20"},
                 {"url": "https://example.org/b", "publisher": "'=quoted", "grade": None,
                  "accessed": None}],
        position_kind="estimate", position_method="-2 km off the route ]]> <![CDATA[x]]>",
        precision_m=2500.5, status="disputed", group="2025-09-19 incursion",
        notes="line one\r\nline two\ttab; +41 &amp; ünïcode $[geDirections]",
        geometry={"type": "LineString", "coordinates": [
            [27.5, 59.4], [27.123456789012345, 59.61], [26.9, 59.7]]}))
    hostile = check_incident(dict(
        EXAMPLE, id="2025-09-10-script", date="2025-09-10", place=FORMULA, notes=SCRIPT,
        precision_m=123.25, geometry={"type": "Point", "coordinates": [22.1, 51.9876543210123]}))
    unpositioned = check_incident(dict(
        EXAMPLE, id="2025-10-01-unknown", date="2025-10-01", place="Somewhere in Lublin",
        geometry=None, precision_m=None, position_kind="not sourced"))
    return [point, track, hostile, unpositioned]


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_round_trip_gives_every_field_back(incidents, fmt):
    data = export_incidents(incidents, fmt)
    parsed = read_incident_file(data, f"export.{fmt}")
    assert [r.problems for r in parsed.rows] == [()] * len(incidents)
    assert parsed.ignored == ()
    for got, want in zip((r.record for r in parsed.rows), incidents):
        assert got is not None
        for f in FIELDS:
            assert got.to_dict()[f] == want.to_dict()[f], f
        assert got == want and got.kind == want.kind
        if want.geometry is not None:
            assert got.geometry.equals_exact(want.geometry, 0.0)
    assert export_incidents(incidents, fmt) == data


def test_geojson_is_a_feature_collection(incidents):
    doc = json.loads(export_incidents(incidents, "geojson"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 4
    first = doc["features"][0]
    assert first["properties"] == {k: v for k, v in incidents[0].to_dict().items()
                                   if k != "geometry"}
    assert isinstance(first["properties"]["sources"][0], dict)
    assert doc["features"][3]["geometry"] is None


def test_csv_cells_are_inert_and_flat(incidents):
    rows = list(csv.DictReader(io.StringIO(export_incidents(incidents, "csv").decode(),
                                           newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 4
    point, track, hostile, unpositioned = rows
    assert (point["lat"], point["lon"], point["track_wkt"]) == ("50.47099", "23.93432", "")
    assert (track["lon"], track["lat"]) == ("27.5", "59.4")
    assert shapely.from_wkt(track["track_wkt"]).coords[:] == incidents[1].geometry.coords[:]
    assert (unpositioned["lat"], unpositioned["lon"], unpositioned["precision_m"]) == ("", "", "")
    assert hostile["place"] == "'" + FORMULA and track["munition"] == "'" + FORMULA
    assert track["publisher"] == "'@ERR" and track["grade"] == "B2"
    assert track["position_method"].startswith("'-2 km")
    assert [s["publisher"] for s in json.loads(track["sources_json"])] == ["@ERR", "'=quoted"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or \
                value.replace(".", "", 1).lstrip("-").isdigit(), value


def test_kml_placemarks_circles_and_text(incidents):
    out = build_export(incidents, "kml")
    assert (out.written, out.omitted) == (3, ("2025-10-01-unknown",))
    root = ET.fromstring(out.data)
    doc = root.find(f"{KML}Document")
    assert "1 without a position not shown: 2025-10-01-unknown" in doc.find(
        f"{KML}description").text
    marks = root.iter(f"{KML}Placemark")
    point, track, hostile = marks
    assert [m.find(f"{KML}name").text for m in (point, track, hostile)] == [
        "Przewodów", SCRIPT, FORMULA]
    for mark, inc in ((point, incidents[0]), (hostile, incidents[2])):
        (pt,) = mark.iter(f"{KML}Point")
        lon, lat = map(float, pt.find(f"{KML}coordinates").text.split(","))
        assert (lon, lat) == inc.lonlat
        (ring,) = mark.iter(f"{KML}LinearRing")
        xy = [tuple(map(float, c.split(","))) for c in ring.find(f"{KML}coordinates").text.split()]
        assert len(xy) == CIRCLE_VERTICES + 1 and xy[0] == xy[-1]
        for x, y in xy:
            assert abs(WGS84.inv(lon, lat, x, y)[2] - inc.precision_m) < 0.5
    (line,) = track.iter(f"{KML}LineString")
    assert len(line.find(f"{KML}coordinates").text.split()) == 3
    assert not list(track.iter(f"{KML}Polygon"))
    desc = track.find(f"{KML}description").text
    assert "<script" not in desc and "<b>12 min</b>" not in desc and "]]>" not in desc
    shown = html.unescape(desc)
    assert SCRIPT in shown and '"three MiG-31" & <b>12 min</b>' in shown and FORMULA in shown
    assert "https://example.org/a?x=1&y=<2>" in shown and "$[geDirections]" in shown
    assert "$[geDirections]" not in desc
    assert root.find(f"{KML}Document/{KML}Style/{KML}BalloonStyle/{KML}text").text == \
        "$[description]"
    assert SCRIPT in html.unescape(hostile.find(f"{KML}description").text)
    assert b"<![CDATA[" not in out.data and b"<script" not in out.data
    assert build_export(incidents, "kml").data == out.data


def test_gpkg_reads_back(incidents, tmp_path):
    out = write_export(incidents, "gpkg", tmp_path / "incidents.gpkg")
    assert (out.written, out.omitted) == (3, ("2025-10-01-unknown",))
    gdf = gpd.read_file(tmp_path / "incidents.gpkg", layer="incidents")
    assert len(gdf) == 3 and gdf.crs.to_epsg() == 4326
    assert list(gdf["place"]) == ["Przewodów", SCRIPT, FORMULA]
    assert list(gdf.geom_type) == ["Point", "LineString", "Point"]
    assert json.loads(gdf["sources"][1])[0]["grade"] == "B2"
    assert gdf["precision_m"].tolist() == [500.0, 2500.5, 123.25]
    assert [p.name for p in tmp_path.iterdir()] == ["incidents.gpkg"]


def test_write_is_all_or_nothing(incidents, tmp_path):
    target = tmp_path / "out.kml"
    target.write_bytes(b"old")
    with pytest.raises(InputError, match="unknown export format 'shp'"):
        write_export(incidents, "shp", target)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="none of the incidents has a position"):
        write_export(incidents[3:], "gpkg", target)
    assert target.read_bytes() == b"old"
    write_export(incidents, "kml", target)
    assert target.read_bytes() == export_incidents(incidents, "kml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.kml"]
    with pytest.raises(InputError, match="it is a folder"):
        write_export(incidents, "csv", tmp_path)
