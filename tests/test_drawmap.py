"""The drawing map: only same-origin assets, no tiles, user text kept inert, and the
shapes Leaflet.draw sends back turned into the right geodesic geometry."""
from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Polygon, box

from dashboard import drawing
from dashboard.catalogue import GEODATA_DIR
from dashboard.drawing import MapZone
from dashboard.geo.errors import InputError
from dashboard.geo.layers_io import load_layer
from dashboard.render import drawmap as dm

GEOD = Geod(ellps="WGS84")
STATIC = GEODATA_DIR.parent / "static"


def _render(m) -> str:
    return m.get_root().render()


def test_map_loads_only_vendored_files_and_no_tiles():
    m = dm.build_draw_map([], [])
    urls = dm.asset_urls(m)
    assert sorted(urls) == sorted(u for _, u in dm.LEAFLET_JS + dm.LEAFLET_CSS + dm.DRAW_JS
                                  + dm.DRAW_CSS)
    for u in urls:
        assert u.startswith("/app/static/vendor/")
        assert (STATIC / u.removeprefix("/app/static/")).is_file(), u
    html = _render(m)
    loaded = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert loaded and all(u.startswith("/app/static/vendor/") for u in loaded), loaded
    assert "tileLayer" not in html and "tile.openstreetmap" not in html
    # the class defaults are untouched (other folium maps in the process keep theirs)
    import folium
    assert any("jquery" in u for _, u in folium.Map.default_js)


def test_user_text_is_escaped_in_the_script():
    evil = '</script><img src=x onerror="alert(1)">'
    z = MapZone("z1", evil, Polygon([(23, 50), (24, 50), (24, 51)]))
    html = _render(dm.build_draw_map([], [z]))
    assert "<img src=x" not in html and "</script><img" not in html
    assert "\\u003cimg src=x" in html  # travels as JSON text, shown with textContent
    assert "textContent" in html and ".bindTooltip(text(" in html


def test_reference_layers_are_the_flank_simplified():
    refs = {r.name: r for r in dm.reference_layers(date(2022, 11, 15))}
    assert list(refs) == ["countries", "regions", "zones", "nato_border", "cities", "incidents"]
    w, s, e, n = dm.REFERENCE_BBOX_DEG
    for name in ("countries", "regions", "nato_border"):
        xy = np.concatenate([shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
                             for f in refs[name].data["features"]])
        assert (xy[:, 0] >= w - 1e-9).all() and (xy[:, 0] <= e + 1e-9).all()
        assert (xy[:, 1] >= s - 1e-9).all() and (xy[:, 1] <= n + 1e-9).all()
    # the border on the day of the strike: Finland joined NATO on 2023-04-04
    tips = [f["properties"]["tip"] for f in refs["nato_border"].data["features"]]
    assert not any(t.startswith("FI-RU") for t in tips)
    assert any(t.startswith("PL-UA") for t in tips)
    assert any(t.startswith("FI-RU") for t in
               (f["properties"]["tip"] for f in
                dm.reference_layers(date(2024, 1, 1))[3].data["features"]))
    # the largest cities in the box, biggest first
    cities = load_layer("cities")
    cities = cities[cities.geometry.within(box(w, s, e, n))]
    expected = cities.sort_values("population", ascending=False).head(dm.N_CITIES)
    got = [f["properties"]["tip"].split(" (")[0] for f in refs["cities"].data["features"]]
    assert got == list(expected["name"])
    assert len(refs["incidents"].data["features"]) == len(load_layer("incidents"))


def test_editable_zone_spec_keeps_full_precision_and_circles_radius():
    poly = Polygon([(23.123456789, 50.1), (24.2, 50.0), (24.0, 51.0)])
    spec = dm.zone_spec(MapZone("z1", "a", poly))
    assert spec["latlngs"][0][0] == [50.1, round(23.123456789, 7)]
    circ = dm.zone_spec(MapZone("z2", "c", poly, "circle", 24.0, 50.0, 12.5))
    assert circ["circle"] == [24.0, 50.0, 12500.0]
    rect = dm.zone_spec(MapZone("z3", "r", poly, "rectangle", bounds_deg=(23, 49, 25, 50)))
    assert rect["rect"] == [[49.0, 23.0], [50.0, 25.0]]
    ro = dm.zone_spec(MapZone("z4", "ro", poly, editable=False))
    assert ro["editable"] is False and "dashArray" in ro["style"]


def test_can_edit_on_map():
    small = Polygon([(23, 50), (24, 50), (24, 51)])
    assert drawing.can_edit_on_map(small)
    big = shapely.Point(24, 50).buffer(1, quad_segs=200)
    assert not drawing.can_edit_on_map(big)
    assert drawing.can_edit_on_map(big, is_circle=True)
    holed = box(22, 49, 26, 52).difference(box(23, 50, 24, 51))
    assert not drawing.can_edit_on_map(holed)


def _circle_feature(lon, lat, radius_m, zone_id="map-1"):
    return {"type": "Feature", "properties": {"zone_id": zone_id, "shape": "circle",
                                              "radius": radius_m},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def test_drawn_circle_becomes_geodesic_circle_of_the_same_radius():
    shp = drawing.feature_to_shape(_circle_feature(23.93432, 50.47099, 75_000.0))
    assert shp.shape == "circle" and shp.zone_id == "map-1"
    assert shp.radius_km == 75.0 and (shp.center_lon, shp.center_lat) == (23.93432, 50.47099)
    xy = np.asarray(shp.geometry.exterior.coords)[:-1]
    assert len(xy) == 256
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
    ({"type": "Feature", "properties": {"radius": "abc"},
      "geometry": {"type": "Point", "coordinates": [24, 50]}}, "could not be read"),
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


def test_the_renderer_and_the_page_start_from_the_same_view():
    assert (dm.DEFAULT_CENTER, dm.DEFAULT_ZOOM) == (drawing.DEFAULT_CENTER, drawing.DEFAULT_ZOOM)


def test_the_drawing_helpers_live_outside_the_renderer():
    for name in ("DrawnShape", "feature_to_shape", "lonlat_box", "same_shape", "BOX_STEP_DEG",
                 "repair_polygon", "polygonal_part", "check_lonlat_array", "can_edit_on_map"):
        assert not hasattr(dm, name), name
