"""The Explore page's pure state helpers (no Streamlit needed)."""
from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from dashboard import appstate
from dashboard.compose import build_scene
from dashboard.geo.errors import InputError


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


def test_a_selection_is_taken_once():
    state: dict = {}
    appstate.init(state, appstate.incidents_by_id())
    scene = build_scene()
    event = {"selection": {"indices": {"cities": [3]},
                           "objects": {"cities": [{"name": "Lviv", "lon": 24.0, "lat": 49.8}]}}}
    assert appstate.consume_selection(state, event, scene)
    assert state["picked"]["name"] == "Lviv"
    appstate.unpick(state)
    assert not appstate.consume_selection(state, event, scene)  # the map still holds it
    assert state["picked"] is None


def test_a_polygon_pick_gives_a_point_on_the_full_resolution_feature():
    scene = build_scene()
    countries = scene.layer("countries").gdf
    event = {"selection": {"indices": {"countries": [0]},
                           "objects": {"countries": [{"iso_a2": "PL", "name": "Poland",
                                                      "polygon": [[[0, 0], [1, 0], [1, 1]]]}]}}}
    pick = appstate.pick_from_selection(event, scene)
    poland = countries[countries["iso_a2"] == "PL"].geometry.iloc[0]
    assert pick["name"] == "Poland" and poland.contains(Point(pick["lon"], pick["lat"]))


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
