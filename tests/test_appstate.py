"""The Explore page's pure state helpers (no Streamlit needed)."""
from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from dashboard.geo.errors import InputError
from dashboard.io.layers_io import load_layer
from dashboard.state import session as appstate
from dashboard.state.mapevents import Click, Measure, ViewChange, new_events


def test_radii_are_read_in_the_chosen_unit_and_kept_in_km():
    assert appstate.parse_radii("75, 90", "km") == [75.0, 90.0]
    assert appstate.parse_radii("50; 10", "nm") == [pytest.approx(18.52), pytest.approx(92.6)]
    assert appstate.parse_radii("", "km") == []
    with pytest.raises(InputError, match="not a number"):
        appstate.parse_radii("75, ninety", "km")
    with pytest.raises(InputError, match="outside"):
        appstate.parse_radii("-5", "km")


def test_switching_units_converts_the_widgets_not_the_values():
    state: dict = {}
    appstate.init(state, appstate.incidents_by_id())
    appstate.set_rings_km(state, [92.6])
    assert state["rings_text_km"] == "92.6"
    state["units"] = "nm"
    appstate.sync_unit_widgets(state)
    assert "rings_text_km" not in state
    assert state["rings_text_nm"] == "50"
    assert state["rings_km"] == [92.6]


def _click(seq: int, lon: float, lat: float, layer=None, feature=None, index=None) -> Click:
    return Click(seq=seq, lon=lon, lat=lat, layer=layer, feature=feature, index=index)


def test_a_click_is_taken_once():
    """Each map event is handed to the page once (by seq); "Back to the incident" stays."""
    state: dict = {}
    appstate.init(state, appstate.incidents_by_id())
    lviv = load_layer("cities").query("name == 'Lviv'").iloc[0]
    value = {"seq": 3, "events": [{"seq": 3, "type": "click", "lon": 24.0, "lat": 49.8,
                                   "layer": "cities", "feature": str(lviv["geonameid"])}]}
    events, seen = new_events(value, frozenset())
    appstate.take_map_events(state, events)
    assert state["picked"]["name"] == "Lviv"
    assert (state["picked"]["lon"], state["picked"]["lat"]) == (lviv.geometry.x, lviv.geometry.y)
    appstate.unpick(state)
    again, _ = new_events(value, seen)  # the map still holds it
    appstate.take_map_events(state, again)
    assert again == [] and state["picked"] is None


def test_a_polygon_pick_keeps_the_clicked_position_and_the_full_resolution_feature():
    state: dict = {}
    appstate.init(state, appstate.incidents_by_id())
    countries = load_layer("countries")
    poland = countries[countries["iso_a2"] == "PL"].geometry.iloc[0]
    pick = appstate.pick_from_click(state, _click(1, 21.0, 52.2, "countries", "PL"))
    assert pick["name"] == "Poland" and pick["kind"] == "polygon"
    assert (pick["lon"], pick["lat"]) == (21.0, 52.2) and poland.contains(Point(21.0, 52.2))
    assert pick["geometry"].equals(poland)
    nothing = appstate.pick_from_click(state, _click(2, 30.0, 60.0))
    assert nothing["kind"] == "map" and nothing["geometry"] is None


def test_measure_and_view_events_fill_the_state():
    state: dict = {}
    appstate.init(state, appstate.incidents_by_id())
    appstate.take_map_events(state, [
        Measure(seq=1, points=((23.93432, 50.47099), (24.0297, 49.8397))),
        ViewChange(seq=2, lon=24.0, lat=50.0, zoom=7.5, bounds=(22.0, 49.0, 26.0, 51.0))])
    assert state["measure_a"] == "50.47099, 23.93432" and state["measure_b"] == "49.83970, 24.02970"
    v = appstate.current_view(state, appstate.incident_view(24.0, 50.0))
    assert v.bounds_deg == (22.0, 49.0, 26.0, 51.0) and v.zoom == 7.5
    appstate.fly_to(state, {"lon": 1.0, "lat": 2.0, "zoom": 9})
    appstate.fly_to(state, {"lon": 3.0, "lat": 4.0, "zoom": 9})
    assert state["view_request"] == {"lon": 3.0, "lat": 4.0, "zoom": 9, "id": 2}


def test_downloads_round_trip():
    gdf = gpd.GeoDataFrame({"name": ["a", "b"], "radius_km": [75.0, 90.0]},
                           geometry=[box(23, 50, 24, 51), box(24, 50, 25, 51)], crs=4326)
    back = gpd.read_file(io.BytesIO(appstate.to_geojson_bytes(gdf)))
    assert list(back["name"]) == ["a", "b"]
    assert back.geometry.geom_equals_exact(gdf.geometry, 1e-9).all()
    fc = json.loads(appstate.to_geojson_bytes(gdf))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    csv = pd.read_csv(io.BytesIO(appstate.to_csv_bytes(gdf)))
    assert list(csv.columns) == ["name", "radius_km", "wkt"]
    pts = gpd.GeoDataFrame({"name": ["p"]}, geometry=[Point(23.9, 50.5)], crs=4326)
    csv = pd.read_csv(io.BytesIO(appstate.to_csv_bytes(pts)))
    assert (csv.loc[0, "lon"], csv.loc[0, "lat"]) == (23.9, 50.5)
