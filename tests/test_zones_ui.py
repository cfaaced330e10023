"""The "No-fly zones" page in AppTest: every control on it, with the figures it shows
checked against pyproj.Geod (independently) or the core.

The drawing map is a custom component; a drawing is simulated by setting the
component's value (``{"all_drawings": [...]}``, as Leaflet.draw sends it) under
the component's key before a run.
"""
from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import Point, Polygon, box
from shapely.geometry.polygon import orient
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from conftest import APP, errors
from conftest import PRZEWODOW_LONLAT as PRZEWODOW
from dashboard.analysis.zones import (
    builtin_zone_layers,
    preset_zone,
    zone_border_band,
    zone_from_regions,
    zone_metrics,
)
from dashboard.geo.coords import parse_position
from dashboard.geo.edges import densify_edges
from dashboard.io.layers_io import load_layer
from dashboard.store import Scenario, ScenarioStore, Zone, from_geojson

ZONES_PAGE, EXPLORE_PAGE = "ui/zones.py", "ui/explore.py"  # st.navigation pages of the app
ZAGREB_ID = "2022-03-10-zagreb"
STRIKE_ID = "2022-11-15-przewodow"
SQUARE = [(23.6, 49.8), (25.0, 49.8), (25.0, 50.9), (23.6, 50.9)]  # holds Przewodów
NM = 1.852


# ----------------------------------------------------------------------- helpers
@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Each test gets its own scenario store."""
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def media(monkeypatch):
    """The in-memory media stores AppTest creates (to read download buttons' bytes)."""
    stores: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return stores


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def open_page(query: dict | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page(ZONES_PAGE)
    for k, v in state.items():
        at.session_state[k] = v
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return ok(at.run())


MAP_KEY = "zones_map"
_SEQ = itertools.count(1000)


def map_args(at: AppTest) -> dict:
    """The args of the page's one map (the deck.gl component)."""
    (comp,) = at.get("component_instance")
    assert comp.proto.component_name.endswith("mapview.map")
    return json.loads(comp.proto.json_args)


def draw(at: AppTest, features: list[dict]) -> AppTest:
    """The map's editor reports every editable feature after an edit (a ``drawn`` event)."""
    seq = next(_SEQ)
    at.session_state[MAP_KEY] = {"seq": seq, "events": [{
        "seq": seq, "type": "drawn",
        "features": {"type": "FeatureCollection", "features": features}}]}
    return ok(at.run())


def polygon_feature(zone_id: str, coords, shape: str = "polygon") -> dict:
    ring = [list(c) for c in coords] + [list(coords[0])]
    return {"type": "Feature", "properties": {"zone_id": zone_id, "shape": shape},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def circle_feature(zone_id: str, lon: float, lat: float, radius_m: float) -> dict:
    """The map's circle tool: the centre, a point of the rim (here due east), the outline."""
    elon, elat, _ = GEOD.fwd(lon, lat, 90.0, radius_m)
    az = np.linspace(0, 360, 64, endpoint=False)
    xs, ys, _ = GEOD.fwd(np.full(64, lon), np.full(64, lat), az, np.full(64, radius_m))
    ring = [[float(x), float(y)] for x, y in zip(xs, ys)]
    return {"type": "Feature", "properties": {"zone_id": zone_id, "shape": "circle",
                                              "center": [lon, lat], "edge": [elon, elat]},
            "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}}


def zones(at: AppTest) -> list[Zone]:
    return list(at.session_state["drawn_zones"])


def editable(at: AppTest, z: Zone) -> bool:
    """The zone is in the map's editor (and sent to it as an editable feature)."""
    ids = {f["properties"]["zone_id"] for f in map_args(at)["editable"]["features"]}
    return z.id in at.session_state["zones_editable"] and z.id in ids


def table(at: AppTest):
    """The comparison table (the read-only dataframe with a ``zone`` column)."""
    hits = [d.value for d in at.dataframe
            if d.editing_mode == "read_only" and "zone" in d.value.columns]
    assert len(hits) == 1
    return hits[0]


def geod_area_km2(geom) -> float:
    parts = geom.geoms if hasattr(geom, "geoms") else [geom]
    return sum(abs(GEOD.geometry_area_perimeter(orient(p))[0]) for p in parts) / 1e6


def geod_perimeter_km(geom) -> float:
    parts = geom.geoms if hasattr(geom, "geoms") else [geom]
    return sum(GEOD.geometry_area_perimeter(p)[1] for p in parts) / 1e3


def geod_distances_km(lon: float, lat: float, xy: np.ndarray) -> np.ndarray:
    _, _, d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
    return d / 1e3


def densified_ring(poly: Polygon, step_km: float = 0.5) -> np.ndarray:
    """Points every ``step_km`` along the polygon's geodesic edges (independent of the core)."""
    xy = np.asarray(poly.exterior.coords)
    pts = [xy[0]]
    for (x1, y1), (x2, y2) in itertools.pairwise(xy):
        _, _, d = GEOD.inv(x1, y1, x2, y2)
        n = int(d / 1e3 / step_km)
        if n > 0:
            pts.extend(GEOD.npts(x1, y1, x2, y2, n))
        pts.append((x2, y2))
    return np.asarray(pts)


def area_in_card(at: AppTest, units: str = "km") -> list[float]:
    vals = []
    for m in at.markdown:
        hit = re.match(rf"\*\*Area\*\* ([\d,.]+) {units}²", m.value)
        if hit:
            vals.append(float(hit.group(1).replace(",", "")))
    return vals


# ------------------------------------------------------------------------- tests
def test_drawing_map_is_offline_and_shows_the_reference_layers():
    """The zones page draws on the same map as Explore: same layers, same legend."""
    at = open_page()
    args = map_args(at)
    assert args["mode"] == "zones"
    assert not re.search(r"https?://", json.dumps(args))
    labels = {row["label"] for row in args["legend"]}
    for label in ("Countries", "Oblasts & voivodeships", "Candidate no-fly zones",
                  "NATO border with Ukraine", "Cities (15,000+)", "Incidents"):
        assert label in labels
    assert {"countries", "regions", "zones", "nato_border", "cities", "incidents"} <= \
        {lyr["id"] for lyr in args["spec"]["layers"]}
    assert "No zones yet" in at.info[0].value


def test_a_drawn_polygon_gets_its_metrics_at_once(media):
    at = draw(open_page(), [polygon_feature("map-a", SQUARE)])
    (z,) = zones(at)
    assert (z.name, z.rule, editable(at, z)) == ("Polygon 1", "drawn", True)
    geom = Polygon(SQUARE)
    assert shapely.equals_exact(z.geometry, geom, 0)
    area = geod_area_km2(geom)
    assert area_in_card(at) and area_in_card(at)[0] == pytest.approx(area, rel=5e-4)
    row = table(at).iloc[0]
    assert row["zone"] == "Polygon 1" and row["area (km²)"] == pytest.approx(area, abs=0.051)  # 6 significant digits
    assert row["perimeter (km)"] == pytest.approx(geod_perimeter_km(geom), abs=0.051)
    # the strike is inside: 0; Zagreb: the nearest point of the densified outline
    assert geom.contains(Point(PRZEWODOW)) and row[f"to {STRIKE_ID} (km)"] == 0.0
    zagreb = load_layer("incidents").set_index("id").loc[ZAGREB_ID, "geometry"]
    d = geod_distances_km(zagreb.x, zagreb.y, densified_ring(geom)).min()
    assert row[f"to {ZAGREB_ID} (km)"] == pytest.approx(d, abs=0.06)
    # border, population and neighbours: as the core computes them
    core = zone_metrics(geom, "2022-11-15", builtin_zone_layers()).to_dict()
    assert row["NATO border covered (km)"] == round(core["nato_border_km"], 1)
    assert row["population inside"] == core["cities_inside"]["population"]
    assert row["closest to Belarus (km)"] == round(core["closest_belarus_km"], 1)
    assert row["closest to Russia (km)"] == round(core["closest_russia_km"], 1)
    # population, independently: GeoNames places strictly inside (none near the edges)
    cities = load_layer("cities")
    inside = shapely.contains_xy(geom, cities.geometry.x, cities.geometry.y)
    assert row["population inside"] == int(cities.loc[inside, "population"].sum())

    # the same figures in nautical miles
    at.radio(key="units").set_value("nm").run()
    ok(at)
    row = table(at).iloc[0]
    assert row["area (nm²)"] == pytest.approx(area / NM**2, abs=0.0051)
    assert area_in_card(at, "nm")[0] == pytest.approx(area / NM**2, rel=5e-4)
    assert row["NATO border covered (nm)"] == round(core["nato_border_km"] / NM, 1)
    assert row[f"to {ZAGREB_ID} (nm)"] == pytest.approx(d / NM, abs=0.06)


def test_edit_and_delete_on_the_map_and_a_second_zone_side_by_side():
    tri = [(26.0, 49.0), (27.0, 49.0), (26.5, 49.8)]
    at = draw(open_page(), [polygon_feature("map-a", SQUARE), polygon_feature("map-b", tri)])
    assert [z.name for z in zones(at)] == ["Polygon 1", "Polygon 2"]
    assert list(table(at)["zone"]) == ["Polygon 1", "Polygon 2"]
    moved = [(23.6, 49.8), (25.5, 49.8), (25.0, 50.9), (23.6, 50.9)]
    at = draw(at, [polygon_feature("map-a", moved)])
    (z,) = zones(at)
    assert z.name == "Polygon 1" and shapely.equals_exact(z.geometry, Polygon(moved), 0)
    assert table(at).iloc[0]["area (km²)"] == pytest.approx(geod_area_km2(Polygon(moved)), abs=0.051)


def test_the_map_shows_the_current_zones_whenever_it_is_mounted_again():
    at = draw(open_page(), [polygon_feature("map-a", SQUARE)])
    # rings change what the map shows; the drawn zone stays in the editor
    at.button(key="preset_5v55").click().run()
    ok(at)
    assert "buffers" in {lyr["id"] for lyr in map_args(at)["spec"]["layers"]}
    assert [f["properties"]["zone_id"] for f in map_args(at)["editable"]["features"]] == ["map-a"]
    # another zone drawn, then away to "Explore" and back: the fresh map shows both
    at = draw(at, [polygon_feature("map-a", SQUARE),
                   polygon_feature("map-b", [(26, 49), (27, 49), (26.5, 49.8)])])
    at.switch_page(EXPLORE_PAGE)
    ok(at.run())
    at.switch_page(ZONES_PAGE)
    ok(at.run())
    assert [z.id for z in zones(at)] == ["map-a", "map-b"]
    assert [f["properties"]["zone_id"] for f in map_args(at)["editable"]["features"]] == \
        ["map-a", "map-b"]


def test_a_drawn_circle_keeps_its_radius_as_a_geodesic_circle():
    at = draw(open_page(), [circle_feature("map-c", *PRZEWODOW, 90_000.0)])
    (z,) = zones(at)
    assert (z.rule, z.radius_km, z.center_lon, z.center_lat) == \
        ("circle", 90.0, *PRZEWODOW)
    xy = np.asarray(z.geometry.exterior.coords)
    assert np.abs(geod_distances_km(*PRZEWODOW, xy) - 90.0).max() < 1e-3
    assert table(at).iloc[0]["area (km²)"] == pytest.approx(geod_area_km2(z.geometry), abs=0.051)
    # a bad shape is reported, not a traceback
    line = {"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": [[24, 50], [25, 50]]}}
    at = draw(at, [circle_feature("map-c", *PRZEWODOW, 90_000.0), line])
    assert any("Shape 2 on the map was not taken" in e for e in errors(at))
    assert len(zones(at)) == 1


def test_rules_oblasts_and_candidate_zone():
    at = open_page()
    at.multiselect(key="build_regions").set_value(["UA-46", "UA-07"])
    at.text_input(key="build_regions_name").input("Lviv + Volyn")
    at.button(key="build_regions_add").click().run()
    ok(at)
    (z,) = zones(at)
    expected = zone_from_regions(["UA-46", "UA-07"])
    assert z.name == "Lviv + Volyn" and z.rule == "regions"
    assert z.params == {"iso_codes": ["UA-46", "UA-07"]}
    assert shapely.equals_exact(z.geometry, expected, 0)
    assert not editable(at, z)  # thousands of vertices: read-only on the map
    assert area_in_card(at)[0] == pytest.approx(geod_area_km2(expected), rel=5e-4)
    at.selectbox(key="build_preset").set_value("lviv-volyn")
    at.button(key="build_preset_add").click().run()
    ok(at)
    assert shapely.equals_exact(zones(at)[1].geometry, preset_zone("lviv-volyn"), 0)
    # nothing chosen: a message, no zone
    at.multiselect(key="build_regions").set_value([])
    at.button(key="build_regions_add").click().run()
    assert ok(at) and any("choose at least one region" in e for e in errors(at))
    assert len(zones(at)) == 2


def test_rule_border_band_in_nautical_miles():
    at = open_page(units="nm")
    at.multiselect(key="build_band_segments").set_value(["PL-UA"])
    at.number_input(key="build_band_depth_nm").set_value(27.0)
    at.button(key="build_band_add").click().run()
    ok(at)
    (z,) = zones(at)
    depth_km = 27.0 * NM
    assert z.params == {"segment_ids": ["PL-UA"], "depth_km": pytest.approx(depth_km)}
    assert shapely.equals_exact(z.geometry, zone_border_band(["PL-UA"], depth_km), 0)
    # independently: no vertex is deeper than the band, and the band reaches its depth
    border = load_layer("nato_border").set_index("id").loc["PL-UA", "geometry"]
    bxy = shapely.get_coordinates(shapely.segmentize(border, 0.01))
    vxy = shapely.get_coordinates(z.geometry)[::25]
    depth = np.array([geod_distances_km(x, y, bxy).min() for x, y in vxy])
    assert depth.max() <= depth_km + 0.2 and depth.max() >= depth_km - 1.0
    assert area_in_card(at, "nm")[0] == pytest.approx(geod_area_km2(z.geometry) / NM**2, rel=5e-4)
    at.number_input(key="build_band_depth_nm").set_value(0.0)
    at.button(key="build_band_add").click().run()
    assert any("depth greater than 0" in e for e in errors(ok(at)))


def test_rule_ring_from_typed_coordinates_then_clip_to_ukraine():
    at = open_page()
    text = "50°28'16\"N 23°56'03\"E"
    at.text_input(key="build_ring_center").input(text)
    at.number_input(key="build_ring_radius_km").set_value(100.0)
    at.button(key="build_ring_add").click().run()
    ok(at)
    (z,) = zones(at)
    lon, lat = parse_position(text)
    assert (z.rule, z.center_lon, z.center_lat, z.radius_km) == \
        ("ring", lon, lat, 100.0)
    xy = np.asarray(z.geometry.exterior.coords)
    assert np.abs(geod_distances_km(lon, lat, xy) - 100.0).max() < 1e-3
    assert editable(at, z) and at.session_state["zones_snapshot"][0].shape == "circle"
    # the ring crosses into Poland; keep the Ukrainian part
    at.button(key="zone_clip").click().run()
    ok(at)
    (z,) = zones(at)
    countries = load_layer("countries")
    ua = shapely.union_all(countries[countries["iso_a2"] == "UA"].geometry.values)
    # both outlines with their geodesic edges (issue 12: clipping on geodesic edges)
    expected = shapely.intersection(densify_edges(shapely.geometry.shape(
        {"type": "Polygon", "coordinates": [xy.tolist()]})), densify_edges(ua))
    assert z.radius_km is None and z.params["clipped_to"] == "UA"
    assert geod_area_km2(z.geometry) == pytest.approx(geod_area_km2(expected), rel=1e-9)
    assert area_in_card(at)[0] == pytest.approx(geod_area_km2(expected), rel=5e-4)
    assert geod_area_km2(expected) < 0.7 * np.pi * 100.0**2
    # bad centre text and a zero radius: messages, no new zone
    at.text_input(key="build_ring_center").input("somewhere near Lviv")
    at.button(key="build_ring_add").click().run()
    assert any("use decimal degrees" in e for e in errors(ok(at)))
    at.text_input(key="build_ring_center").input("")
    at.number_input(key="build_ring_radius_km").set_value(0.0)
    at.button(key="build_ring_add").click().run()
    assert any("radius greater than 0" in e for e in errors(ok(at)))
    assert len(zones(at)) == 1


def test_typed_outline_vertex_table_and_pasted_outline():
    at = open_page()
    at.text_area(key="build_coords_text").input("50.9, 23.6\n50.9, 25.0\n49.8, 25.0\n49.8, 23.6")
    at.text_input(key="build_coords_name").input("Typed")
    at.button(key="build_coords_add").click().run()
    ok(at)
    (z,) = zones(at)
    assert z.name == "Typed" and z.rule == "coordinates"
    assert list(z.geometry.exterior.coords)[:-1] == [(23.6, 50.9), (25.0, 50.9),
                                                        (25.0, 49.8), (23.6, 49.8)]
    # the vertex table shows exactly those vertices; applying it keeps them
    editor = at.dataframe(key=f"zone_vertices_{z.id}_{at.session_state['zones_gen']}")
    assert editor.editing_mode == "dynamic"
    assert editor.value[["lon", "lat"]].to_numpy().tolist() == [[23.6, 50.9], [25.0, 50.9],
                                                                [25.0, 49.8], [23.6, 49.8]]
    at.button(key="zone_vertices_apply").click().run()
    ok(at)
    assert zones(at)[0].rule == "table"
    assert shapely.equals(zones(at)[0].geometry, z.geometry)
    # a pasted outline in DMS and MGRS
    at.text_area(key="zone_paste").input("50°30'N 24°00'E\n50°30'N 24°30'E\n34UGA0821595113")
    at.button(key="zone_paste_apply").click().run()
    ok(at)
    xy = list(zones(at)[0].geometry.exterior.coords)[:-1]
    assert xy[:2] == [pytest.approx((24.0, 50.5)), pytest.approx((24.5, 50.5))]
    assert xy[2] == pytest.approx(parse_position("34UGA0821595113"))
    assert area_in_card(at)[0] == pytest.approx(geod_area_km2(Polygon(xy)), rel=5e-4)
    at.text_area(key="zone_paste").input("50.1, 24.1\nnot a place\n50.2, 24.4")
    at.button(key="zone_paste_apply").click().run()
    assert any(e.startswith("line 2:") for e in errors(ok(at)))


def test_import_a_zone_file():
    at = open_page()
    fc = {"type": "FeatureCollection", "features": [
        polygon_feature("a", SQUARE) | {"properties": {"name": "From file"}},
        polygon_feature("b", [(26, 49), (27, 49), (26.5, 49.8)]) | {"properties": {}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                                                           "coordinates": [24, 50]}}]}
    at.file_uploader(key="build_import_file").upload("mine.geojson", json.dumps(fc).encode())
    at.button(key="build_import_add").click().run()
    ok(at)
    assert [(z.name, z.rule) for z in zones(at)] == [("From file", "import"),
                                                            ("mine 2", "import")]
    assert any("1 feature(s) that are not polygons" in i.value for i in at.info)
    assert area_in_card(at)[0] == pytest.approx(geod_area_km2(Polygon(SQUARE)), rel=5e-4)
    projected = {"type": "FeatureCollection", "features": [polygon_feature(
        "p", [(500000, 5500000), (600000, 5500000), (600000, 5600000)])]}
    at.file_uploader(key="build_import_file").clear().upload(
        "utm.geojson", json.dumps(projected).encode())
    at.button(key="build_import_add").click().run()
    assert any("projected" in e for e in errors(ok(at)))
    assert len(zones(at)) == 2


def test_rename_delete_and_markdown_in_names_stays_text():
    at = draw(open_page(), [polygon_feature("map-a", SQUARE),
                            polygon_feature("map-b", [(26, 49), (27, 49), (26.5, 49.8)])])
    at.selectbox(key="zone_sel").set_value("map-a").run()
    evil = "![x](http://example.invalid/x.png) **bold**"
    name_key = f"zone_name_map-a_{at.session_state['zones_gen']}"
    at.text_input(key=name_key).input(evil)
    at.button(key="zone_rename").click().run()
    ok(at)
    assert zones(at)[0].name == evil
    shown = [m.value for m in at.markdown if "example" in m.value]
    assert shown and all("](http" not in v and "\\!\\[x\\]" in v for v in shown)
    name_key = f"zone_name_map-a_{at.session_state['zones_gen']}"  # renaming rebuilt the map
    assert at.text_input(key=name_key).value == evil
    at.text_input(key=name_key).input("Polygon 2")
    at.button(key="zone_rename").click().run()
    assert any("already called 'Polygon 2'" in e for e in errors(ok(at)))
    gen = at.session_state["zones_gen"]
    at.button(key="zone_delete").click().run()
    ok(at)
    assert [z.id for z in zones(at)] == ["map-b"]
    # the map is rebuilt without it (a new component instance)
    assert at.session_state["zones_gen"] > gen
    assert [m.zone_id for m in at.session_state["zones_snapshot"]] == ["map-b"]


def test_scenarios_save_list_reopen_rename_delete(data_dir):
    at = draw(open_page(), [polygon_feature("map-a", SQUARE),
                            circle_feature("map-c", *PRZEWODOW, 75_000.0)])
    at.button(key="preset_5v55").click().run()          # rings 75 and 90 km (sidebar)
    at.radio(key="units").set_value("nm").run()
    at.text_input(key="scn_name").input("alpha")
    at.button(key="scn_save").click().run()
    ok(at)
    assert any("Saved scenario “alpha” (2 zones)" in s.value for s in at.success)
    store = ScenarioStore(data_dir / "scenarios.gpkg")
    assert [(s.name, s.n_zones) for s in store.list()] == [("alpha", 2)]
    before = zones(at)
    # saving again under the same name needs "Replace"
    at.button(key="scn_save").click().run()
    assert any("already exists" in e and "Replace" in e for e in errors(ok(at)))
    at.checkbox(key="scn_overwrite").check()
    at.button(key="scn_save").click().run()
    assert any("Saved scenario “alpha”" in s.value for s in ok(at).success)

    # a new session (a reload) opens it again, exactly
    at2 = open_page()
    assert at2.radio(key="units").value == "km" and zones(at2) == []
    assert at2.selectbox(key="scn_pick").value == "alpha"
    at2.button(key="scn_open").click().run()
    ok(at2)
    after = zones(at2)
    assert [(z.id, z.name, z.rule) for z in after] == \
        [(z.id, z.name, z.rule) for z in before]
    for a, b in zip(after, before):
        assert shapely.to_wkb(a.geometry) == shapely.to_wkb(b.geometry)
    assert after[1].radius_km == 75.0
    assert at2.session_state["rings_km"] == [75.0, 90.0]
    assert at2.radio(key="units").value == "nm"
    assert [m.zone_id for m in at2.session_state["zones_snapshot"]] == ["map-a", "map-c"]
    assert any("Opened scenario “alpha”" in s.value for s in at2.success)

    # rename (refusing an empty name), then delete (only when confirmed)
    at2.text_input(key="scn_new_name").input("").run()
    at2.button(key="scn_rename").click().run()
    assert any("Not renamed" in e for e in errors(ok(at2)))
    at2.text_input(key="scn_new_name").input("beta")
    at2.button(key="scn_rename").click().run()
    ok(at2)
    assert [s.name for s in store.list()] == ["beta"]
    assert at2.selectbox(key="scn_pick").value == "beta"
    at2.button(key="scn_delete").click().run()
    assert any("Confirm delete" in e for e in errors(ok(at2)))
    assert [s.name for s in store.list()] == ["beta"]
    at2.checkbox(key="scn_delete_confirm").check()
    at2.button(key="scn_delete").click().run()
    ok(at2)
    assert store.list() == [] and any("No saved scenarios" in i.value for i in at2.info)
    assert len(zones(at2)) == 2  # deleting a saved scenario leaves the page alone


def test_scenario_export_import_and_share_link(media):
    at = draw(open_page(), [polygon_feature("map-a", SQUARE),
                            circle_feature("map-c", *PRZEWODOW, 75_000.0)])
    at.text_input(key="scn_name").input("gamma").run()
    ok(at)
    button = at.get("download_button")[0]
    assert button.proto.label == "Export as GeoJSON"
    fid = button.proto.url.rsplit("/", 1)[1].split(".")[0]
    data = media[-1].get_file(fid).content
    sc = from_geojson(data)
    assert sc.name == "gamma" and [z.id for z in sc.zones] == ["map-a", "map-c"]
    assert shapely.equals_exact(sc.zones[0].geometry, Polygon(SQUARE), 0)
    assert sc.zones[1].radius_km == 75.0 and sc.incident_id == STRIKE_ID

    # import it into a fresh page
    at2 = open_page()
    at2.file_uploader(key="scn_import_file").upload("gamma.geojson", data)
    at2.button(key="scn_import_open").click().run()
    ok(at2)
    assert [(z.id, z.name) for z in zones(at2)] == [("map-a", "Polygon 1"),
                                                          ("map-c", "Circle 1")]
    assert at2.text_input(key="scn_name").value == "gamma"
    at2.file_uploader(key="scn_import_file").clear().upload("bad.geojson", b"{not json")
    at2.button(key="scn_import_open").click().run()
    assert any("bad.geojson" in e and "not valid JSON" in e for e in errors(ok(at2)))
    assert len(zones(at2)) == 2

    # a share link, opened in another session
    at.button(key="scn_share").click().run()
    ok(at)
    param = at.query_params["scenario"]
    param = param[0] if isinstance(param, list) else param
    assert param and at.session_state["scn_link"] == param
    at3 = open_page(query={"scenario": param})
    assert any("carries the scenario “gamma” with 2 zones" in i.value for i in at3.info)
    assert zones(at3) == []
    at3.button(key="scn_shared_open").click().run()
    ok(at3)
    got = zones(at3)
    assert [z.id for z in got] == ["map-a", "map-c"]
    xy = shapely.get_coordinates(got[0].geometry)
    assert np.abs(xy - shapely.get_coordinates(Polygon(SQUARE).exterior)).max() <= 1e-5
    assert got[1].radius_km == pytest.approx(75.0, abs=1e-6)
    assert not any(b.key == "scn_shared_open" for b in at3.button)  # offered once
    # a damaged link: a message, the page still works
    at4 = open_page(query={"scenario": param[:-12] + "AAAAAAAAAAAA"})
    assert any("could not be read" in e for e in errors(at4))
    assert at4.get("component_instance")


def test_an_unexpected_failure_is_a_message_not_a_traceback(monkeypatch):
    import dashboard.analysis.zones as core_zones

    def broken(*args, **kwargs):
        raise RuntimeError("GEOS said no")

    monkeypatch.setattr(core_zones, "zone_metrics", broken)
    monkeypatch.setattr(core_zones, "clip_to_country", broken)
    odd = [(30.1, 45.1), (30.9, 45.1), (30.5, 45.7)]  # not measured by another test
    at = draw(open_page(), [polygon_feature("map-x", odd)])
    assert any("could not do that (RuntimeError: GEOS said no)" in e for e in errors(at))
    assert any("No metrics for this zone" in w.value for w in at.warning)
    at.button(key="zone_clip").click().run()
    assert any("RuntimeError: GEOS said no" in e for e in errors(ok(at)))
    assert len(zones(at)) == 1


def saved_names(at: AppTest) -> set[str]:
    """The names in the saved-scenario list (its labels are "name · n zone(s) · time")."""
    return {o.split(" · ")[0] for o in at.selectbox(key="scn_pick").options}


def test_the_saved_list_is_read_once_in_a_while_and_after_each_own_write(data_dir, monkeypatch):
    """Another session's save shows after LIST_TTL_S (or a reload); one's own at once."""
    from dashboard.ui import scenario_box

    at = draw(open_page(), [polygon_feature("map-a", SQUARE)])
    other = ScenarioStore(data_dir / "scenarios.gpkg")
    other.save(Scenario(name="elsewhere", zones=[Zone("z1", "Z", Polygon(SQUARE))]))
    at.run()
    assert "elsewhere" not in str([s.options for s in at.selectbox])  # within the TTL
    at.text_input(key="scn_name").input("mine")
    at.button(key="scn_save").click().run()  # an own write lists again
    assert saved_names(ok(at)) == {"mine", "elsewhere"}
    other.delete("elsewhere")
    monkeypatch.setattr(scenario_box, "LIST_TTL_S", 0.0)
    at.run()
    assert saved_names(ok(at)) == {"mine"}


def _notes_page() -> None:
    """A page that shows a queue of messages; a run the user started (``acted``) first
    drops what a finished run sent, and a run reaches its end (app.py's ``run_ended``)
    only when ``finish`` is set, as a run the next one interrupts does not."""
    import streamlit as st

    from dashboard.ui.widgets import drop_sent, run_ended, run_started, show_queued

    st.session_state.setdefault("q", [("success", "Opened scenario “alpha” (1 zone).")])
    run_started(st.session_state)
    if st.session_state.get("acted"):
        drop_sent(st.session_state)
    if not st.session_state.get("elsewhere"):  # another page, which shows no messages
        show_queued(st.session_state, "q")
    if st.session_state.get("finish"):
        run_ended(st.session_state)


def _click_page() -> None:
    """A page whose run stops before its button while ``cut`` is set, as a run the map's
    view report interrupts does, and leaves the button out while ``hide`` is set; it
    counts the clicks it acted on."""
    import streamlit as st

    from dashboard.ui.widgets import pressed, run_ended

    if st.session_state.get("cut"):
        st.stop()
    if not st.session_state.get("hide") and pressed(
            st, "Make a share link", key="share", target=st.session_state.get("target", "A"),
            disabled=st.session_state.get("off", False)):
        st.session_state["acted"] = st.session_state.get("acted", 0) + 1
    st.button("Other", key="other")
    run_ended(st.session_state)


def _cut_click() -> AppTest:
    """A page on which "Make a share link" was clicked and the click's run cut short."""
    at = AppTest.from_function(_click_page, default_timeout=30).run()
    at.session_state["cut"] = True
    at.button(key="share").click().run()
    at.session_state["cut"] = False
    return at


def test_a_click_whose_run_is_cut_short_is_acted_on_by_the_next_run():
    """ "Make a share link" did nothing when the map's view report interrupted the run
    its click started before that run reached the button (seen in a browser); the next
    run now acts on it, once."""
    at = _cut_click()
    assert "acted" not in at.session_state
    at.run()
    assert at.session_state["acted"] == 1
    at.button(key="other").click().run()
    assert at.session_state["acted"] == 1


def test_a_click_on_a_button_a_run_left_out_is_forgotten_when_that_run_ends():
    at = _cut_click()
    at.session_state["hide"] = True
    at.run()
    assert at.session_state["clicks"] == {}
    at.session_state["hide"] = False
    at.run()
    assert "acted" not in at.session_state


def test_a_click_for_a_target_since_changed_is_dropped_not_turned_on_the_new_one():
    """ "Delete zone" clicked for zone A, then zone B selected before the run reached the
    button: the click must not delete B."""
    at = _cut_click()
    at.session_state["target"] = "B"
    at.run()
    assert "acted" not in at.session_state and at.session_state["clicks"] == {}


def test_a_click_on_a_button_disabled_since_is_not_acted_on():
    at = _cut_click()
    at.session_state["off"] = True
    at.run()
    assert "acted" not in at.session_state


def test_a_message_stays_queued_until_a_run_that_showed_it_ends():
    """A click landing while the map reports its first view: the run that showed "Opened
    scenario" was interrupted before it was sent, and the message was gone (seen in a
    browser); now the next run shows it again, and the user's action after a run that
    ended drops it."""
    at = AppTest.from_function(_notes_page, default_timeout=30).run()
    assert [s.value for s in at.success] == ["Opened scenario “alpha” (1 zone)."]
    at.session_state["acted"] = at.session_state["finish"] = True
    at.run()  # the run after the one that stopped short shows it again, and ends
    assert [s.value for s in at.success] == ["Opened scenario “alpha” (1 zone)."]
    assert at.session_state["notes_sent"] == {"q": 1} and at.session_state["notes_shown"] == {}
    at.run()
    assert [s.value for s in at.success] == [] and at.session_state["q"] == []


def test_a_message_shown_by_an_interrupted_run_is_not_counted_as_sent_by_another_page():
    """A zones run that showed "Opened scenario" was cut short by a switch to another page,
    whose run ended: the message was never sent, so the user's next action on the zones
    page must not take it off unseen."""
    at = AppTest.from_function(_notes_page, default_timeout=30).run()  # shown, cut short
    at.session_state["elsewhere"] = at.session_state["finish"] = True
    at.run()
    at.session_state["elsewhere"], at.session_state["acted"] = False, True
    at.run()
    assert [s.value for s in at.success] == ["Opened scenario “alpha” (1 zone)."]


def report_view(at: AppTest, lon: float = 24.0, lat: float = 50.0) -> AppTest:
    """The map reports its view (after a load or a flight: it does not wait for the user)."""
    seq = next(_SEQ)
    at.session_state[MAP_KEY] = {"seq": seq, "events": [{
        "seq": seq, "type": "view", "lon": lon, "lat": lat, "zoom": 6.5,
        "bounds": [20, 48, 28, 52], "width": 1200, "height": 640.0}]}
    return ok(at.run())


def test_opened_scenario_stays_through_the_maps_view_report_and_goes_at_the_next_action(data_dir):
    """The map reports its view in the run after "Open" (its first view, or the flight to
    the scenario's view): that rerun took "Opened scenario" off the page before a busy
    browser had drawn it (seen in a browser); it now stays until the user acts."""
    from dashboard.store import open_store

    open_store().save(Scenario(name="alpha", zones=[Zone("z1", "sq", box(23, 50, 24, 51))]))
    at = open_page()
    at.button(key="scn_open").click().run()
    opened = ["Opened scenario “alpha” (1 zone)."]
    assert [s.value for s in ok(at).success] == opened
    assert [s.value for s in report_view(at).success] == opened
    assert [s.value for s in report_view(at, 23.5).success] == opened
    at.radio(key="units").set_value("nm").run()
    assert [s.value for s in ok(at).success] == []


