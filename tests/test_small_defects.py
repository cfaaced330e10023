"""The smaller defects found by trying the app as a new user would, each fixed and held."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from conftest import APP, run_app
from dashboard.io.layers_io import MAX_UPLOAD_BYTES
from dashboard.state import session as appstate

ROOT = Path(__file__).resolve().parent.parent
BOX = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"name": "Site"},
    "geometry": {"type": "Polygon", "coordinates": [[[23, 50], [24, 50], [24, 51], [23, 50]]]}}]}


def map_layer_ids(at: AppTest) -> set[str]:
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    return {lyr["id"] for lyr in args["spec"]["layers"]}


def test_the_uploader_alone_adds_and_removes_a_layer():
    at = run_app()
    at.file_uploader(key="uploads").upload("sites.geojson", json.dumps(BOX).encode()).run()
    assert not at.exception and "sites.geojson" in map_layer_ids(at)
    at.file_uploader(key="uploads").clear().run()  # the uploader's ×
    assert not at.exception
    assert "sites.geojson" not in map_layer_ids(at)
    assert at.session_state["user_layers"] == {}


def test_an_upload_error_names_the_file_once():
    at = run_app()
    at.file_uploader(key="uploads").upload("empty.geojson", b"   ").run()
    (err,) = [e.value for e in at.error]
    assert err.count("empty.geojson") == 1


def test_the_upload_limit_is_the_same_everywhere():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    mb = MAX_UPLOAD_BYTES // (1024 * 1024)
    assert config["server"]["maxUploadSize"] == mb == 20
    at = run_app()
    assert f"up to {mb} MB" in at.file_uploader(key="uploads").label
    assert f"capped at {mb} MB" in (ROOT / "README.md").read_text()


def test_rings_in_nautical_miles_read_as_people_write_them():
    state: dict = {}
    appstate.init(state, appstate.incidents_by_id())
    appstate.set_rings_km(state, [75.0, 90.0])
    state["units"] = "nm"
    appstate.sync_unit_widgets(state)
    assert state["rings_text_nm"] == "40.5, 48.6"
    assert state["rings_km"] == [75.0, 90.0]  # the values themselves are kept exactly


def test_the_download_list_shows_labels_not_internal_names():
    at = run_app(rings_km=[75.0, 90.0], picked={
        "layer": "map", "id": None, "name": "50.00000, 24.00000", "lon": 24.0, "lat": 50.0,
        "kind": "map", "geometry": None})
    options = at.selectbox(key="dl_layer").options
    assert not {"buffers", "strike_border", "picked"} & set(options)
    assert any(o.startswith("Range rings") for o in options)
    assert "Selected point" in options


def test_a_bad_measure_position_keeps_its_message_in_view():
    at = run_app(measure_a="50.5, 23.9", measure_b="nowhere")
    assert any("nowhere" in e.value for e in at.error)
    assert not at.expander  # no collapsing box hides it: the Measure tab holds the form


def test_the_compare_table_separates_thousands_and_shows_names_whole():
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("ui/zones.py")
    at.run()
    at.button(key="build_preset_add").click().run()
    assert not at.exception
    (df,) = [d for d in at.dataframe if "zone" in d.value.columns]
    cols = json.loads(df.proto.columns)
    assert cols["zone"]["width"] == "large"
    area = next(k for k in cols if re.match(r"area \(", k))
    assert cols[area]["type_config"]["format"] == "localized"
