"""The one map's args: deck spec with layer references, blobs sent once, legend, bytes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from conftest import PRZEWODOW_ID
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer
from dashboard.render import deck
from dashboard.render.deck import (
    LAYER_DEFAULTS,
    build_args,
    legend_rows,
)
from dashboard.render.geotable import MAPVIEW_DIR, blob_hash, from_blob
from dashboard.scene.compose import build_scene
from dashboard.scene.request import SceneRequest
from dashboard.scene.styles import LAYERS as STYLES
from dashboard.scene.styles import NEIGHBOUR_COLOURS
from dashboard.state import session as appstate

#: Keys of every LayerSpec (the contract's "LayerSpec").
SPEC_KEYS = {"@@type", "id", "data", "kind", "fill", "line", "lineWidthPx", "colorBy",
             "pointRadiusPx", "radiusBy", "minValueByZoom", "labels", "visibleIds", "tooltip",
             "titleField", "pickable", "visible"}
ARGS_KEYS = {"spec", "blobs", "view_request", "legend", "mode", "editable", "measure", "height",
             "background", "units"}
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
    assert args["units"] == scene.units == "km"
    assert sent == set(args["blobs"])


def test_builtin_layers_reference_their_static_files(scene):
    layers = _layers(build_args(scene, set())[0])
    for name in ("countries", "regions", "zones", "nato_border", "cities"):
        assert layers[name]["data"].startswith(f"layers/{name}.")
        assert (MAPVIEW_DIR / layers[name]["data"]).is_file()
    for name in ("countries", "regions", "cities"):
        assert layers[name]["visibleIds"] is None
    # the incidents come from the store: never a static file that could be out of date
    assert layers["incidents"]["data"].startswith("blob:")
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
    assert [t["field"] for t in layers["countries"]["tooltip"]] == [
        "name", "iso_a2", "nato_member_since"]
    assert layers["strike_border"]["pickable"] is False and layers["strike_border"]["tooltip"] == []


def test_no_built_in_fill_is_drawn_unseen():
    """A fill is either seen or transparent: the map draws a transparent one for picking
    only, while a nearly transparent one (the oblasts' was 1/255) costs a whole-window
    fill in every frame (about a quarter of a frame where WebGL runs on the CPU)."""
    from dashboard.scene.styles import DERIVED_STYLES

    for style in [*STYLES.values(), *DERIVED_STYLES.values()]:
        assert style.fill[3] == 0 or style.fill[3] >= 10, (style.name, style.fill)


def test_a_transparent_fill_has_an_outline_swatch(scene):
    rows = {r["id"]: r for r in legend_rows(scene, set())}
    assert rows["regions"]["filled"] is False and rows["regions"]["kind"] == "polygon"
    assert rows["countries"]["filled"] is True and rows["cities"]["filled"] is True


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
    # + the store's incidents and their tracks
    assert first["height"] == 500 and len(first["blobs"]) == 4
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


# ------------------------------------------------- every number on the map has its unit
#: A number (digits, thousands commas, decimals) and what follows it.
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(\S*)")
#: What counts as a unit after a number, per chosen unit.
_UNIT_WORDS = {"km": {"km", "km²", "m"}, "nm": {"nm", "nm²"}, "mi": {"mi", "mi²"}}


@pytest.fixture(scope="module", params=["km", "nm", "mi"])
def origin_scene(request):
    """Przewodów with its launch area (75-90 km) and range rings, in each unit."""
    return build_scene(SceneRequest(origin=(PRZEWODOW_ID, 75.0, 90.0), ring_radii_km=(75.0,),
                                    units=request.param))


def _label_texts(scene, args) -> dict[str, list[str]]:
    """The labels the browser draws: per labelled layer, each feature's text cut as the
    contract says (at the first comma that is not a thousands separator)."""
    out = {}
    for lyr in args["spec"]["layers"]:
        if lyr["labels"]:
            field = lyr["labels"]["field"]
            gdf = scene.layer(lyr["id"]).gdf
            out[lyr["id"]] = [deck.label_text(v) for v in gdf[field]] if field in gdf else []
    return out


def test_label_is_cut_at_a_comma_but_never_inside_a_number():
    assert deck.label_text("Przewodów, gmina Dołhobyczów, Hrubieszów county") == "Przewodów"
    assert deck.label_text("PL 79,432 km²") == "PL 79,432 km²"
    assert deck.label_text("UA 1,234,567 nm², more") == "UA 1,234,567 nm²"
    assert deck.label_text(None) == ""


def test_every_number_in_a_map_label_carries_the_chosen_unit(origin_scene):
    """Audit: the launch area's labels read "PL 79" (the browser cut "PL 79,432 km²" at
    its thousands comma). Each number in a label is followed by the map's unit."""
    units = origin_scene.units
    args, _ = build_args(origin_scene, set())
    labels = _label_texts(origin_scene, args)
    origin = labels["origin"]
    assert origin and all(t.startswith(("PL ", "UA ", "BY ")) for t in origin), origin
    # the layers whose labels are figures the app computed (names from the data, such as
    # "Stadt Winterthur (Kreis 1)", are names)
    measured = {"origin", "buffers", "band", "strike_border", "measure"}
    numbered = [t for lid, texts in labels.items() if lid in measured for t in texts
                if re.search(r"\d", t)]
    assert numbered, "the launch area's labels hold numbers"
    for text in numbered:
        for _, unit in _NUMBER.findall(text):
            assert unit in _UNIT_WORDS[units], f"{text!r}: a number without its unit ({units})"
    # the figure behind each label: the piece's own geodesic area in the chosen unit
    gdf = origin_scene.layer("origin").gdf
    for text, a_km2 in zip(origin, gdf["area_km2"]):
        value = float(_NUMBER.search(text).group(1).replace(",", ""))
        expected = a_km2 / {"km": 1.0, "nm": 1.852, "mi": 1.609344}[units] ** 2
        assert value == pytest.approx(expected, rel=0.01, abs=0.06)


def test_tooltips_have_readable_labels_and_units(origin_scene):
    """Audit: tooltips showed raw field names (``precision_m``, ``iso_3166_2``)."""
    units = origin_scene.units
    layers = _layers(build_args(origin_scene, set())[0])
    for lyr in layers.values():
        for entry in lyr["tooltip"]:
            assert set(entry) == {"field", "label", "factor", "suffix", "decimals"}
            assert "_" not in entry["label"], f"{lyr['id']}: raw field name {entry['label']!r}"
    by_field = {e["field"]: e for lyr in layers.values() for e in lyr["tooltip"]}
    assert by_field["iso_3166_2"]["label"] == "ISO 3166-2 code"
    assert by_field["precision_m"]["label"] == "precision"
    # area and length in the chosen unit: 1 km² and 1 km expressed independently
    km = {"km": 1.0, "nm": 1 / 1.852, "mi": 1 / 1.609344}[units]
    area = by_field["area_km2"]
    assert area["suffix"] == f" {units}²" and area["factor"] == pytest.approx(km ** 2, rel=1e-12)
    length = by_field["length_km"]
    assert length["suffix"] == f" {units}" and length["factor"] == pytest.approx(km, rel=1e-12)
    prec = by_field["precision_m"]
    if units == "km":
        assert (prec["suffix"], prec["factor"]) == (" m", 1.0)
    else:
        assert prec["suffix"] == f" {units}"
        assert prec["factor"] == pytest.approx(km / 1000, rel=1e-12)
    # every field with a unit in its name shows a unit
    for field, entry in by_field.items():
        if field.endswith(("_km", "_km2", "_m", "_deg")):
            assert entry["suffix"].strip(), f"{field} has no unit"
