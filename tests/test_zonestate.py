"""Zones on the page as plain data: drawings folded in (add, edit, delete), the vertex
table, typed coordinates, the comparison table in units, and scenarios to and from the
page state."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import MultiPolygon, Polygon, box

from conftest import PRZEWODOW_LONLAT as PRZEWODOW
from dashboard.analysis.zones import ZoneMetrics
from dashboard.geo.errors import InputError
from dashboard.state import session as appstate
from dashboard.state import vertices as vx
from dashboard.state import zone_choices, zone_scenario
from dashboard.state import zonemap as zm
from dashboard.state import zones as zs
from dashboard.state.drawing import to_map_zone
from dashboard.store import (
    Buffer,
    Scenario,
    ScenarioExists,
    ScenarioStore,
    ScenarioView,
    Zone,
)
from dashboard.ui import zone_figures as zf

INCIDENTS = {"2022-11-15-przewodow": PRZEWODOW, "2022-03-10-zagreb": (15.92, 45.78)}


def _state() -> dict:
    s: dict = {}
    appstate.init(s)
    zm.init(s)
    return s


def _poly_feature(zone_id, coords, shape="polygon"):
    ring = [list(c) for c in coords] + [list(coords[0])]
    return {"type": "Feature", "properties": {"zone_id": zone_id, "shape": shape},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


SQUARE = [(23.0, 50.0), (24.0, 50.0), (24.0, 51.0), (23.0, 51.0)]
TRI = [(25.0, 49.0), (26.0, 49.0), (25.5, 49.8)]


def test_drawings_add_edit_delete():
    s = _state()
    assert zm.apply_drawings(s, [_poly_feature("map-a", SQUARE), _poly_feature("map-b", TRI)])
    assert [(z.id, z.name, z.rule, zm.is_editable(s, z.id)) for z in s["drawn_zones"]] == [
        ("map-a", "Polygon 1", "drawn", True), ("map-b", "Polygon 2", "drawn", True)]
    assert shapely.equals_exact(s["drawn_zones"][0].geometry, Polygon(SQUARE), 0)
    # the same value again (a rerun) changes nothing
    assert not zm.apply_drawings(s, [_poly_feature("map-a", SQUARE), _poly_feature("map-b", TRI)])
    # a vertex moved on map-a, map-b deleted with the edit toolbar
    moved = [(23.0, 50.0), (24.5, 50.0), (24.0, 51.0), (23.0, 51.0)]
    zs.rename_zone(s, "map-a", "West")
    assert zm.apply_drawings(s, [_poly_feature("map-a", moved)])
    assert [z.id for z in s["drawn_zones"]] == ["map-a"]
    z = s["drawn_zones"][0]
    assert z.name == "West" and shapely.equals_exact(z.geometry, Polygon(moved), 0)
    # everything deleted on the map
    assert zm.apply_drawings(s, [])
    assert s["drawn_zones"] == []


def test_leaflet_rounding_keeps_the_exact_geometry_and_read_only_zones_stay():
    s = _state()
    exact = Polygon([(23.12345678, 50.00000041), (24.0, 50.0), (24.0, 51.0)])
    zs.add_zone(s, exact, rule="coordinates", name="typed")
    big = zs.add_zone(s, shapely.Point(30, 50).buffer(1, quad_segs=200), rule="regions")
    zm.bump(s)
    assert zm.is_editable(s, s["drawn_zones"][0].id) and not zm.is_editable(s, big.id)
    rounded = [(round(x, 6), round(y, 6)) for x, y in exact.exterior.coords[:-1]]
    assert not zm.apply_drawings(s, [_poly_feature(s["drawn_zones"][0].id, rounded)])
    assert s["drawn_zones"][0].geometry is exact
    assert len(s["drawn_zones"]) == 2  # the read-only zone is not on the draw layer


def test_a_bad_drawing_is_skipped_with_a_message_and_the_rest_taken():
    s = _state()
    line = {"type": "Feature", "properties": {"zone_id": "x"},
            "geometry": {"type": "LineString", "coordinates": [[24, 50], [25, 50]]}}
    zm.apply_drawings(s, [line, _poly_feature("map-a", SQUARE)])
    assert [z.id for z in s["drawn_zones"]] == ["map-a"]
    assert s["zones_notes"][0][0] == "error" and "Shape 1" in s["zones_notes"][0][1]


def test_drawn_circle_and_rectangle_keep_their_parameters():
    s = _state()
    def circle_feature(radius_m):  # the map's circle tool: centre and a point of the edge
        elon, elat, _ = GEOD.fwd(*PRZEWODOW, 90.0, radius_m)
        return {"type": "Feature", "properties": {"zone_id": "c", "shape": "circle",
                                                  "center": list(PRZEWODOW), "edge": [elon, elat]},
                "geometry": {"type": "Polygon", "coordinates": [[list(PRZEWODOW), [elon, elat],
                                                                 [PRZEWODOW[0], elat],
                                                                 list(PRZEWODOW)]]}}

    circle = circle_feature(90_000)
    rect = _poly_feature("r", [(22, 49), (22, 51), (26, 51), (26, 49)], shape="rectangle")
    zm.apply_drawings(s, [circle, rect])
    c, r = s["drawn_zones"]
    assert (c.rule, c.center_lon, c.center_lat) == ("circle", *PRZEWODOW)
    assert c.radius_km == pytest.approx(90.0, abs=1e-9)
    assert r.rule == "rectangle" and r.params["bounds_deg"] == [22, 49, 26, 51]
    mz = to_map_zone(c)
    assert mz.shape == "circle" and mz.editable and mz.radius_km == pytest.approx(90.0, abs=1e-9)
    assert to_map_zone(r).bounds_deg == (22, 49, 26, 51)
    # the radius edited on the map
    circle = circle_feature(100_000)
    zm.apply_drawings(s, [circle, rect])
    c = s["drawn_zones"][0]
    xy = np.asarray(c.geometry.exterior.coords)
    _, _, d = GEOD.inv(np.full(len(xy), PRZEWODOW[0]), np.full(len(xy), PRZEWODOW[1]),
                       xy[:, 0], xy[:, 1])
    assert c.radius_km == pytest.approx(100.0, abs=1e-9) and np.abs(d - 100_000).max() < 1.0


def test_vertex_table_round_trip_and_edits():
    outer = box(22, 49, 26, 52)
    holed = outer.difference(box(23, 50, 24, 51))
    multi = MultiPolygon([holed, box(27, 49, 28, 50)])
    t = vx.vertex_table(multi)
    assert list(t.columns) == ["part", "ring", "lon", "lat"]
    assert set(t["part"]) == {1, 2} and set(t[t.part == 1]["ring"]) == {0, 1}
    g, msgs = vx.table_to_geometry(t)
    assert msgs == [] and g.equals(multi)
    # edit one vertex, add a row, delete another (as st.data_editor returns them)
    t2 = t[t.part == 2].copy()
    assert list(zip(t2.lon, t2.lat)) == [(28, 49), (28, 50), (27, 50), (27, 49)]
    t2.loc[t2.index[0], "lon"] = 28.5
    t2 = t2.drop(index=t2.index[2])
    t2 = pd.concat([t2, pd.DataFrame([{"part": 2, "ring": 0, "lon": 27.5, "lat": 48.5}])])
    g2, msgs = vx.table_to_geometry(t2)
    assert msgs == [] and isinstance(g2, Polygon)
    assert list(g2.exterior.coords) == [(28.5, 49), (28, 50), (27, 49), (27.5, 48.5),
                                        (28.5, 49)]


@pytest.mark.parametrize("rows, text", [
    ([{"lon": 23, "lat": 50}, {"lon": 24, "lat": 50}], "at least 3 different"),
    ([{"lon": 23, "lat": 50}, {"lon": None, "lat": 50}, {"lon": 24, "lat": 51}], "row 2"),
    ([{"lon": 230, "lat": 50}, {"lon": 24, "lat": 50}, {"lon": 24, "lat": 51}], "lon ±180"),
    ([{"part": 1, "ring": 1, "lon": 23, "lat": 50}, {"part": 1, "ring": 1, "lon": 24, "lat": 50},
      {"part": 1, "ring": 1, "lon": 24, "lat": 51}], "no outline"),
    ([], "is empty"),
])
def test_vertex_table_errors(rows, text):
    with pytest.raises(InputError, match=text):
        vx.table_to_geometry(pd.DataFrame(rows, columns=["part", "ring", "lon", "lat"])
                             if rows and "part" in rows[0] else pd.DataFrame(rows))


def test_typed_vertices_in_any_notation():
    text = "50.9, 23.6\n50°54'N 25°00'E\n\n# comment\n34UGA0821595113\n"
    poly = vx.parse_vertex_text(text)
    xy = list(poly.exterior.coords)[:-1]
    assert xy[0] == (23.6, 50.9) and xy[1] == pytest.approx((25.0, 50.9))
    assert xy[2] == pytest.approx(PRZEWODOW, abs=1e-5)  # the MGRS square's corner, 1 m
    with pytest.raises(InputError, match="line 2"):
        vx.parse_vertex_text("50.9, 23.6\nsomewhere\n49.8, 25.0")
    with pytest.raises(InputError, match="crosses itself"):
        vx.parse_vertex_text("50, 23\n51, 24\n50, 24\n51, 23")
    with pytest.raises(InputError, match="at least 3"):
        vx.parse_vertex_text("50, 23\n51, 24")


def test_comparison_table_in_units():
    zones = [Zone("a", "A", Polygon(SQUARE), rule="ring"),
             Zone("b", "B", Polygon(TRI), rule="drawn")]
    m = {"area_km2": 1852.0 * 1.852, "perimeter_km": 185.2, "nato_border_km": 18.52,
         "closest_belarus_km": 0.0, "closest_russia_km": None,
         "cities_inside": {"count": 2, "population": 1234,
                           "largest": [{"name": "Lviv", "country": "UA", "population": 1000}]},
         "incidents": [{"id": "i1", "place": "x", "distance_km": 3.704}]}
    incidents = [{"id": "i1", "date": "2022-11-15", "place": "x"},
                 {"id": "i2", "date": "2023-01-01", "place": "y"}]
    df = zf.comparison_table(zones, {"a": ZoneMetrics.from_dict(m)}, "nm", incidents)
    assert list(df["zone"]) == ["A"]  # no metrics, no row
    row = df.iloc[0]
    assert row["area (nm²)"] == pytest.approx(round(1852.0 * 1.852 / 1.852**2))
    assert row["perimeter (nm)"] == 100.0 and row["NATO border covered (nm)"] == 10.0
    assert row["closest to Belarus (nm)"] == 0.0 and np.isnan(row["closest to Russia (nm)"])
    assert row["to i1 (nm)"] == 2.0 and np.isnan(row["to i2 (nm)"])
    assert row["population inside"] == 1234 and row["largest city"] == "Lviv"
    assert row["rule"] == "ring around a point"


def test_names_are_unique():
    s = _state()
    a = zs.add_zone(s, Polygon(SQUARE), rule="coordinates", name="Lviv")
    b = zs.add_zone(s, Polygon(TRI), rule="coordinates", name="Lviv")
    assert (a.name, b.name) == ("Lviv", "Lviv 2")
    with pytest.raises(InputError, match="already called"):
        zs.rename_zone(s, b.id, "Lviv")
    with pytest.raises(InputError, match="empty"):
        zs.rename_zone(s, b.id, "  ")
    zs.rename_zone(s, b.id, "Volyn")
    assert b.name == "Volyn"


def test_add_zone_rejects_lines_and_repairs_bowties():
    s = _state()
    with pytest.raises(InputError, match="not an area"):
        zs.add_zone(s, shapely.LineString([(23, 50), (24, 50)]), rule="import")
    z = zs.add_zone(s, Polygon([(23, 50), (24, 51), (24, 50), (23, 51)]), rule="import")
    assert z.geometry.is_valid and s["zones_notes"][-1][0] == "warning"


def test_scenario_round_trip_through_the_page_state():
    s = _state()
    zm.apply_drawings(s, [_poly_feature("map-a", SQUARE)])
    zs.add_zone(s, shapely.Point(24, 50).buffer(0.5), rule="ring", name="ring",
                circle=(24.0, 50.0, 40.0))
    s.update(units="nm", incident="2022-03-10-zagreb", as_of=date(2023, 5, 1), band_km=25.0,
             picked={"layer": "cities", "id": "1", "name": "Lviv", "lon": 24.03, "lat": 49.84},
             zones_view={"lat": 49.5, "lon": 24.5, "zoom": 7.0})
    appstate.set_rings_km(s, [75.0, 90.0])
    sc = zone_scenario.state_to_scenario(s, "mine", INCIDENTS["2022-03-10-zagreb"])
    assert [(b.lon, b.lat, b.radius_km, b.layer) for b in sc.buffers] == [
        (24.03, 49.84, 75.0, None), (24.03, 49.84, 90.0, None), (None, None, 25.0, "nato_border")]
    assert sc.view == ScenarioView(24.5, 49.5, 7.0) and sc.units == "nm"

    fresh = _state()
    gen = fresh["zones_gen"]
    assert zone_scenario.apply_scenario(fresh, sc, INCIDENTS) == []
    assert [(z.id, z.name, z.rule) for z in fresh["drawn_zones"]] == \
        [(z.id, z.name, z.rule) for z in s["drawn_zones"]]
    for a, b in zip(fresh["drawn_zones"], s["drawn_zones"]):
        assert shapely.equals_exact(a.geometry, b.geometry, 0)
    assert fresh["drawn_zones"][1].radius_km == 40.0
    assert fresh["rings_km"] == [75.0, 90.0] and fresh["band_km"] == 25.0
    assert fresh["picked"]["lon"] == 24.03 and fresh["units"] == "nm"
    assert fresh[appstate.rings_text_key("nm")] == "40.5, 48.6"  # issue 10: readable
    assert fresh["incident"] == "2022-03-10-zagreb" and fresh["as_of"] == date(2023, 5, 1)
    assert fresh["zones_gen"] == gen + 1 and fresh["zones_map_view"]["zoom"] == 7.0
    assert [m.zone_id for m in fresh["zones_snapshot"]] == ["map-a", "z1"]


def test_opening_a_foreign_scenario_says_what_was_left_out():
    z = Zone("q", "Q", Polygon(SQUARE))
    sc = Scenario("x", zones=[z], incident_id="nowhere",
                  buffers=[Buffer(*PRZEWODOW, 50.0), Buffer(10.0, 50.0, 20.0),
                           Buffer.around_layer("cities", 5.0)])
    s = _state()
    msgs = zone_scenario.apply_scenario(s, sc, INCIDENTS)
    assert any("'nowhere'" in m for m in msgs)
    assert any("1 ring(s) around other points" in m for m in msgs)
    assert any("'cities'" in m for m in msgs)
    # rings around the incident itself: no picked point
    assert s["rings_km"] == [50.0] and s["picked"] is None
    assert s["incident"] == "2022-11-15-przewodow"


def test_a_new_generation_takes_the_zones_drawn_since_the_last():
    """(The Leaflet map's "stale snapshot" check went with it: the one map gets the
    current zones on every rerun, tested in test_zones_ui.)"""
    s = _state()
    zm.apply_drawings(s, [_poly_feature("map-a", SQUARE)])
    assert s["zones_dirty"]
    zm.bump(s)
    assert not s["zones_dirty"]
    assert [m.zone_id for m in s["zones_snapshot"]] == ["map-a"]


# ------------------------------------------------------------------ typed errors
def test_commands_raise_typed_input_errors():
    s = _state()
    a = zs.add_zone(s, Polygon(SQUARE), rule="coordinates", name="A")
    zs.add_zone(s, Polygon(TRI), rule="coordinates", name="B")
    with pytest.raises(zs.ZoneNameTaken, match="already called 'B'"):
        zs.rename_zone(s, a.id, "B")
    with pytest.raises(zs.BadZoneName, match="empty"):
        zs.rename_zone(s, a.id, " ")
    with pytest.raises(zs.BadZoneName, match="120"):
        zs.rename_zone(s, a.id, "x" * 121)
    for command in (lambda: zs.rename_zone(s, "gone", "C"), lambda: zs.delete_zone(s, "gone"),
                    lambda: zs.clip_to_ukraine(s, "gone"),
                    lambda: zs.replace_outline(s, "gone", "50, 23\n51, 24\n50, 24")):
        with pytest.raises(zs.ZoneNotFound, match="no longer exists"):
            command()
    with pytest.raises(zs.NotAnArea, match="LineString, not an area"):
        zs.add_zone(s, shapely.LineString([(23, 50), (24, 50)]), rule="import")
    with pytest.raises(zs.NotAnArea, match="is empty"):
        zs.add_zone(s, Polygon(), rule="import")
    with pytest.raises(zs.NotAnArea, match="no area"):
        zs.add_zone(s, Polygon([(23, 50), (24, 50), (25, 50)]), rule="import")
    with pytest.raises(zs.BadDistance, match="depth greater than 0"):
        zs.add_border_band(s, ["PL-UA"], 0.0)
    with pytest.raises(zs.BadDistance, match="radius greater than 0"):
        zs.add_ring(s, "", -1.0, default_center=PRZEWODOW)
    errors = (zs.ZoneNameTaken, zs.BadZoneName, zs.ZoneNotFound, zs.TooManyZones, zs.NotAnArea,
              zs.BadDistance, zs.NothingChosen, zs.NotConfirmed)
    assert all(issubclass(e, InputError) for e in errors)
    assert [z.name for z in s["drawn_zones"]] == ["A", "B"]


def test_the_page_holds_at_most_max_zones(monkeypatch):
    monkeypatch.setattr(zs, "MAX_ZONES", 2)
    s = _state()
    zs.add_zone(s, Polygon(SQUARE), rule="coordinates")
    data = json.dumps({"type": "FeatureCollection", "features": [
        _poly_feature("a", SQUARE), _poly_feature("b", TRI)]}).encode()
    with pytest.raises(zs.TooManyZones, match="holds at most 2"):
        zs.import_zone_file(s, data, "two.geojson")
    zs.add_zone(s, Polygon(TRI), rule="coordinates")
    with pytest.raises(zs.TooManyZones, match="at most 2 zones"):
        zs.add_zone(s, Polygon(SQUARE), rule="coordinates")
    assert len(s["drawn_zones"]) == 2


def test_scenario_commands_need_a_name_a_choice_and_a_confirmation(tmp_path):
    store = ScenarioStore(tmp_path / "s.gpkg")
    s = _state()
    with pytest.raises(zs.NothingChosen, match="name"):
        zs.save_scenario(s, store, "  ", PRZEWODOW)
    zs.save_scenario(s, store, " alpha ", PRZEWODOW)
    with pytest.raises(ScenarioExists):
        zs.save_scenario(s, store, "alpha", PRZEWODOW)
    zs.save_scenario(s, store, "alpha", PRZEWODOW, overwrite=True)
    with pytest.raises(zs.NothingChosen):
        zs.rename_saved(store, None, "beta")
    assert zs.rename_saved(store, "alpha", " beta ") == "beta"
    with pytest.raises(zs.NotConfirmed, match="Confirm delete"):
        zs.delete_saved(store, "beta", confirmed=False)
    with pytest.raises(zs.NothingChosen):
        zs.open_saved(s, store, None, INCIDENTS)
    with pytest.raises(zs.NothingChosen):
        zs.open_file(s, None, "", INCIDENTS)
    zs.delete_saved(store, "beta", confirmed=True)
    assert store.list() == []


# -------------------------------------------------------------- zones by rule
def test_rules_add_one_zone_each_and_rebuild_the_map():
    s = _state()
    gen = s["zones_gen"]
    ring = zs.add_ring(s, "", 50.0, default_center=PRZEWODOW, units="nm")
    assert (ring.rule, ring.center_lon, ring.center_lat, ring.radius_km) == \
        ("ring", *PRZEWODOW, 50.0)
    assert ring.name == "27.0 nm ring" and s["zones_gen"] == gen + 1
    assert zm.is_editable(s, ring.id)  # a circle is edited by its centre and radius
    typed = zs.add_typed_zone(s, "50.9, 23.6\n50.9, 25.0\n49.8, 25.0", name="Typed")
    assert typed.rule == "coordinates" and typed.description.startswith("3 typed vertices")
    band = zs.add_border_band(s, ["PL-UA"], 30.0, clip=True)
    assert band.params == {"segment_ids": ["PL-UA"], "depth_km": 30.0, "clipped_to": "UA"}
    assert band.description.endswith("· clipped to Ukraine")
    assert [m.zone_id for m in s["zones_snapshot"]] == [ring.id, typed.id, band.id]


def test_a_zone_file_is_added_all_or_nothing():
    s = _state()
    zs.add_zone(s, Polygon(SQUARE), rule="coordinates", name="mine 2")
    data = json.dumps({"type": "FeatureCollection", "features": [
        _poly_feature("a", SQUARE) | {"properties": {"name": "From file"}},
        _poly_feature("b", TRI) | {"properties": {}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                                                           "coordinates": [24, 50]}}]}).encode()
    added = zs.import_zone_file(s, data, "mine.geojson")
    assert [(z.name, z.rule, z.params) for z in added] == [
        ("From file", "import", {"file": "mine.geojson"}),
        ("mine 2 2", "import", {"file": "mine.geojson"})]  # unique on the page
    assert len({z.id for z in s["drawn_zones"]}) == 3
    assert ("info", "mine.geojson: 1 feature(s) that are not polygons were left out") in \
        s["zones_notes"]
    # Zagreb is far outside Ukraine: clipping it leaves nothing, and nothing is added
    far = json.dumps({"type": "FeatureCollection", "features": [
        _poly_feature("c", [(23, 50), (24, 50), (24, 51)]),
        _poly_feature("z", [(15.8, 45.7), (16.0, 45.7), (16.0, 45.9)])]}).encode()
    with pytest.raises(InputError, match="far.geojson, zone “far 2”: .*does not overlap UA"):
        zs.import_zone_file(s, far, "far.geojson", clip=True)
    assert len(s["drawn_zones"]) == 3


def test_clip_table_and_outline_commands_edit_one_zone():
    s = _state()
    ring = zs.add_ring(s, "", 100.0, default_center=PRZEWODOW)
    zs.clip_to_ukraine(s, ring.id)
    assert ring.radius_km is None and ring.params["clipped_to"] == "UA"
    zs.apply_vertex_table(s, ring.id, vx.vertex_table(box(23, 50, 24, 51)))
    assert ring.rule == "table" and shapely.equals(ring.geometry, box(23, 50, 24, 51))
    zs.replace_outline(s, ring.id, "50, 23\n51, 24\n50, 24")
    assert ring.rule == "coordinates" and vx.n_vertices(ring.geometry) == 3
    gone = zs.delete_zone(s, ring.id)
    assert gone is ring and s["drawn_zones"] == [] and s["zones_snapshot"] == []


def test_the_figures_a_zone_card_shows_in_units():
    m = {"area_km2": 1852.0 * 1.852, "perimeter_km": 185.2, "nato_border_km": 18.52,
         "closest_belarus_km": 0.0, "closest_russia_km": None,
         "cities_inside": {"count": 2, "population": 1234,
                           "largest": [{"name": "Lviv", "country": "UA", "population": 1000}]},
         "incidents": [{"id": "i1", "place": "x", "distance_km": 3.704}]}
    assert zf.metrics_summary(ZoneMetrics.from_dict(m), "nm") == (
        "**Area** 1,000 nm² · **NATO border covered** 10.0 nm · **Population inside** 1,234 "
        "(2 cities) · **Belarus** 0.0 nm · **Russia** n/a")
    cities, incidents = zf.detail_rows(ZoneMetrics.from_dict(m), "nm")
    assert cities == [{"city": "Lviv", "country": "UA", "population": 1000}]
    assert incidents == [{"incident": "i1", "place": "x", "distance (nm)": 2.0}]


def test_zone_metrics_are_cached_on_the_geometry_content(monkeypatch):
    import dashboard.analysis.zones as core_zones

    calls = []
    monkeypatch.setattr(core_zones, "zone_metrics",
                        lambda geom, on=None, layers=None: calls.append((geom.wkt, on)) or {"on": on})
    poly = Polygon([(31.1, 46.1), (31.9, 46.1), (31.5, 46.7)])  # measured by no other test
    a = zone_choices.zone_metrics_cached(poly, date(2021, 1, 2))
    b = zone_choices.zone_metrics_cached(Polygon(poly.exterior.coords), date(2021, 1, 2))  # same content
    zone_choices.zone_metrics_cached(poly, date(2021, 1, 3))
    assert a is b and a == {"on": "2021-01-02"} and len(calls) == 2


def test_open_file_repairs_a_bow_tie_and_says_so() -> None:
    """A scenario file whose zone crosses itself opens repaired, with a warning naming the file."""
    bow = [[23.0, 50.0], [24.0, 51.0], [24.0, 50.0], [23.0, 51.0], [23.0, 50.0]]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "bow"},
         "geometry": {"type": "Polygon", "coordinates": [bow]}}]}
    s: dict = {}
    sc = zs.open_file(s, json.dumps(fc).encode(), "bow.geojson", INCIDENTS)
    assert len(sc.zones) == 1 and sc.zones[0].geometry.is_valid
    assert sc.zones[0].geometry.area > 0.4  # both triangles kept (0.5 square degree)
    warnings = [t for level, t in s.get("zones_notes", []) if level == "warning"]
    assert warnings and warnings[0].startswith("bow.geojson: ")
    assert "repaired" in warnings[0]
