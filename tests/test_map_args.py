"""The one map's args: deck spec with layer references, blobs sent once, legend, bytes."""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from dashboard.state import session as appstate
from dashboard.scene.compose import build_scene
from dashboard.io.layers_io import load_layer
from dashboard.geo.nato import nato_border_on
from dashboard.render import deck
from dashboard.render.deck import (
    LAYER_DEFAULTS,
    build_args,
    legend_rows,
)
from dashboard.render.geotable import MAPVIEW_DIR, blob_hash, from_blob
from dashboard.scene.styles import LAYERS as STYLES
from dashboard.scene.styles import NEIGHBOUR_COLOURS
from dashboard.scene.request import SceneRequest

#: Keys of every LayerSpec (the contract's "LayerSpec").
SPEC_KEYS = {"@@type", "id", "data", "kind", "fill", "line", "lineWidthPx", "colorBy",
             "pointRadiusPx", "radiusBy", "minValueByZoom", "labels", "visibleIds", "tooltip",
             "titleField", "pickable", "visible"}
ARGS_KEYS = {"spec", "blobs", "view_request", "legend", "mode", "editable", "measure", "height",
             "background"}
#: A rerun after the first load moves less than this over the websocket (issue 10).
RERUN_BUDGET_BYTES = 50_000


@pytest.fixture(scope="module")
def scene():
    return build_scene(SceneRequest(ring_radii_km=(75.0, 90.0)))


def _layers(args) -> dict[str, dict]:
    return {lyr["id"]: lyr for lyr in args["spec"]["layers"]}


def test_args_have_the_contract_shape(scene):
    args, sent = build_args(scene, set(), measure=((23.0, 50.0), (24.123456789, 51.0)),
                            view_request={"id": 3, "bounds": [22, 49, 25, 51]}, height=700)
    assert set(args) == ARGS_KEYS
    json.dumps(args, allow_nan=False)
    spec = args["spec"]
    assert set(spec["initialViewState"]) == {"longitude", "latitude", "zoom"}
    assert not {"mapStyle", "mapProvider"} & set(spec)
    for lyr in spec["layers"]:
        assert set(lyr) == SPEC_KEYS and lyr["@@type"] == "GeoTableLayer"
        assert not any(str(v).startswith("@@=") for v in lyr.values())
    assert [lyr["id"] for lyr in spec["layers"]] == [lyr.name for lyr in scene.layers]
    assert args["measure"] == [[23.0, 50.0], [24.123457, 51.0]]
    assert args["view_request"] == {"id": 3, "bounds": [22, 49, 25, 51]}
    assert (args["height"], args["mode"], args["editable"]) == (700, "explore", None)
    assert args["background"] == list(deck.SEA_RGB)
    assert sent == set(args["blobs"])


def test_builtin_layers_reference_their_static_files(scene):
    layers = _layers(build_args(scene, set())[0])
    for name in ("countries", "regions", "zones", "nato_border", "cities", "incidents"):
        assert layers[name]["data"].startswith(f"layers/{name}.")
        assert (MAPVIEW_DIR / layers[name]["data"]).is_file()
    for name in ("countries", "regions", "cities", "incidents"):
        assert layers[name]["visibleIds"] is None
    border = nato_border_on(scene.as_of, load_layer("nato_border"))
    assert layers["nato_border"]["visibleIds"] == list(border["id"])
    assert len(border) < len(load_layer("nato_border"))  # FI-RU, SE: not NATO on that date
    assert layers["zones"]["visibleIds"] == ["ua-border-oblasts"]


def test_styles_come_from_the_styles_module(scene):
    layers = _layers(build_args(scene, set())[0])
    colour_by = layers["nato_border"]["colorBy"]
    assert colour_by["field"] == "neighbour" and colour_by["target"] == "line"
    assert colour_by["map"] == {k: list(c) for k, (_, c) in NEIGHBOUR_COLOURS.items()}
    assert layers["nato_border"]["fill"] is None
    cities = layers["cities"]
    assert cities["radiusBy"]["field"] == "population"
    stops = cities["minValueByZoom"]["stops"]
    assert stops[0][1] > stops[-1][1] == 0 and cities["labels"]["field"] == "name"
    assert cities["labels"]["minValueByZoom"]["stops"][-1][1] == 0
    assert layers["countries"]["tooltip"] == ["name", "iso_a2", "nato_member_since"]
    assert layers["strike_border"]["pickable"] is False and layers["strike_border"]["tooltip"] == []


def test_dynamic_layers_go_as_blobs_once(scene):
    args, sent = build_args(scene, set())
    layers = _layers(args)
    for name in ("buffers", "strike_border"):
        digest = layers[name]["data"].removeprefix("blob:")
        blob = args["blobs"][digest]
        assert blob_hash(blob) == digest
        assert len(from_blob(blob)) == len(scene.layer(name).gdf)
    again, sent2 = build_args(scene, sent)
    assert again["blobs"] == {} and sent2 == sent
    lost = layers["buffers"]["data"].removeprefix("blob:")
    resent, _ = build_args(scene, sent - {lost})
    assert list(resent["blobs"]) == [lost]


def test_user_layers_keep_their_text_and_colours():
    evil = "<img src=x onerror=alert(1)>"
    user = gpd.GeoDataFrame({"name": [evil]}, geometry=[shapely.box(23, 50, 24, 51)], crs=4326)
    zone = shapely.box(24, 49, 25, 50)
    scene = build_scene(SceneRequest(user_layers=(("my.geojson", user),),
                                     extra_zones=(("Mine", zone),)))
    drawn = scene.layer("drawn")
    drawn.gdf = drawn.gdf.assign(fill_rgba=[(1, 2, 3, 60)])
    args, _ = build_args(scene, set())
    layers = _layers(args)
    blob = args["blobs"][layers["my.geojson"]["data"].removeprefix("blob:")]
    assert blob["props"] == [{"name": evil}]
    drawn_blob = args["blobs"][layers["drawn"]["data"].removeprefix("blob:")]
    assert drawn_blob["props"][0]["_fill"] == [1, 2, 3, 60]
    assert layers["drawn"]["labels"]["field"] == "name"


def test_layers_the_static_files_do_not_hold_go_as_blobs(scene, monkeypatch):
    countries = scene.layer("countries")
    odd = countries.gdf.copy()
    odd.loc[0, "iso_a2"] = "XX"
    countries_odd = type(countries)(**{**countries.__dict__, "gdf": odd})
    assert deck.static_ref(countries_odd) is None
    assert deck.static_ref(countries) is not None
    monkeypatch.setattr(deck, "static_index", dict)  # not built: everything inline
    args, _ = build_args(scene, set())
    assert all(lyr["data"].startswith("blob:") for lyr in args["spec"]["layers"])


def test_hidden_layers_and_legend(scene):
    args, _ = build_args(scene, set(), hidden={"regions", "nato_border"})
    layers = _layers(args)
    assert layers["regions"]["visible"] is False and layers["countries"]["visible"] is True
    rows = legend_rows(scene, hidden={"nato_border"})
    by_label = {r["label"]: tuple(r["color"]) for r in rows}
    present = set(scene.layer("nato_border").gdf["neighbour"])
    for code, (label, colour) in NEIGHBOUR_COLOURS.items():
        assert (by_label.get(label) == colour) == (code in present), label
    assert by_label["Countries"] == STYLES["countries"].fill
    border_rows = [r for r in rows if r["layers"] == ["nato_border"]]
    assert border_rows and all(not r["visible"] for r in border_rows)
    assert {r["id"] for r in rows} >= {"countries", "buffers", "nato_border:UA"}
    assert len({r["id"] for r in rows}) == len(rows)
    assert set(LAYER_DEFAULTS) < SPEC_KEYS


# ------------------------------------------------------------------ bytes
def _explore_scene(state: dict):
    """The Explore page's scene for ``state`` (as ``dashboard/ui/explore.py`` builds it)."""
    incidents = appstate.incidents_by_id()
    inc = incidents[state["incident"]]
    view = appstate.incident_view(float(inc["geometry"].x), float(inc["geometry"].y))
    return build_scene(appstate.scene_request(state, incidents, view=view))


def _wire_bytes(args: dict) -> int:
    """Bytes of the args as Streamlit sends them (``json.dumps`` with its defaults)."""
    return len(json.dumps(args).encode("utf-8"))


def rerun_sizes(rings_km: tuple[float, ...] = ()) -> dict[str, int]:
    """Args bytes of the default Explore scene on the first load, after a units change and
    after a click on a city (the marker moves, rings follow it), ``sent`` carried over."""
    state: dict = {}
    appstate.init(state)
    appstate.set_rings_km(state, list(rings_km))
    sizes, sent = {}, set()
    args, sent = build_args(_explore_scene(state), sent)
    sizes["first load"] = _wire_bytes(args)
    state["units"] = "nm"
    appstate.sync_unit_widgets(state)
    args, sent = build_args(_explore_scene(state), sent)
    sizes["units change"] = _wire_bytes(args)
    city = load_layer("cities").sort_values("population").iloc[-1]
    state["picked"] = {"layer": "cities", "id": str(city["geonameid"]), "name": city["name"],
                       "lon": float(city.geometry.x), "lat": float(city.geometry.y)}
    args, sent = build_args(_explore_scene(state), sent)
    sizes["click"] = _wire_bytes(args)
    return sizes


@pytest.mark.parametrize("rings_km", [(), (75.0, 90.0)], ids=["default", "rings"])
def test_a_rerun_moves_under_50_kb(rings_km):
    sizes = rerun_sizes(rings_km)
    print(f"\nargs bytes, rings {rings_km}: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    assert sizes["units change"] < RERUN_BUDGET_BYTES
    assert sizes["click"] < RERUN_BUDGET_BYTES
    assert sizes["first load"] < 2 * RERUN_BUDGET_BYTES  # static layers are files, not args


# --------------------------------------------------------------- map_view
APP = '''
import streamlit as st
from dashboard.scene.compose import build_scene
from dashboard.scene.request import SceneRequest
from dashboard.ui.mapview import map_view, take_events

events = take_events("map")
scene = build_scene(SceneRequest(ring_radii_km=(75.0,)))
map_view(scene, key="map", height=500)
st.session_state["log"] = st.session_state.get("log", []) + [type(e).__name__ for e in events]
'''


def _component_args(at) -> dict:
    (el,) = at.get("component_instance")
    return json.loads(el.proto.json_args)


def test_map_view_tracks_blobs_events_and_toggles(tmp_path: Path):
    script = tmp_path / "app.py"
    script.write_text(APP)
    at = AppTest.from_file(str(script), default_timeout=60).run()
    assert not at.exception
    first = _component_args(at)
    assert first["height"] == 500 and len(first["blobs"]) == 2
    at.run()
    assert _component_args(at)["blobs"] == {}  # already sent to this session
    lost = next(iter(first["blobs"]))
    visible = [lyr["id"] for lyr in first["spec"]["layers"] if lyr["id"] != "regions"]
    at.session_state["map"] = {"seq": 12, "events": [
        {"seq": 10, "type": "click", "lon": 23.9, "lat": 50.4},
        {"seq": 11, "type": "missing", "hashes": [lost]},
        {"seq": 12, "type": "layers", "visible": visible}]}
    at.run()
    args = _component_args(at)
    assert list(args["blobs"]) == [lost]
    assert _layers(args)["regions"]["visible"] is False
    assert at.session_state["log"] == ["Click", "Missing", "LayersToggled"]
    at.run()  # the same value again: no event is handed out twice
    assert at.session_state["log"] == ["Click", "Missing", "LayersToggled"]


def test_a_units_change_with_the_border_band_on_moves_under_50_kb():
    """The band's geometry does not change with the units: it is not sent again."""
    req = SceneRequest(band_km=25.0, ring_radii_km=(75.0, 90.0))
    _, sent = build_args(build_scene(req), set())
    args, _ = build_args(build_scene(req.replace(units="nm")), sent)
    assert _wire_bytes(args) < RERUN_BUDGET_BYTES
