"""What a session may keep is bounded: its uploaded layers, the process-wide caches,
and how long a closed session's state lives (benchmarks/bench_load.py measures it)."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from dashboard.geo import cache
from dashboard.geo.cache import approx_bytes, cache_bytes, memoize
from dashboard.io.layers_io import MAX_UPLOAD_VERTICES, read_user_layer
from dashboard.state import session as appstate

ROOT = Path(__file__).resolve().parent.parent


def points_layer(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    return gpd.GeoDataFrame({"name": [f"p{i}" for i in range(n)]},
                            geometry=shapely.points(rng.uniform(22, 26, n), rng.uniform(48, 52, n)),
                            crs=4326)


def polygon_layer(vertices: int) -> gpd.GeoDataFrame:
    """One polygon with ``vertices`` vertices (a circle of 1° radius)."""
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = np.column_stack([24 + np.cos(t), 50 + 0.6 * np.sin(t)])
    return gpd.GeoDataFrame({"name": ["big"]}, geometry=[shapely.Polygon(ring)], crs=4326)


# ------------------------------------------------------------ uploaded layers
def test_a_session_keeps_at_most_the_cap_of_layers_and_says_why():
    layers: dict = {}
    for i in range(appstate.MAX_USER_LAYERS):
        assert appstate.keep_user_layer(layers, f"l{i}.geojson", points_layer(5, i)) is None
    before = dict(layers)
    msg = appstate.keep_user_layer(layers, "one-more.geojson", points_layer(5, 99))
    assert msg is not None and f"at most {appstate.MAX_USER_LAYERS}" in msg
    assert "\n" not in msg and layers == before  # one line; nothing was added
    # replacing a kept layer under its own name is not one more layer
    assert appstate.keep_user_layer(layers, "l0.geojson", points_layer(7, 1)) is None
    assert len(layers) == appstate.MAX_USER_LAYERS and len(layers["l0.geojson"]) == 7


def test_a_session_keeps_at_most_the_cap_of_bytes(monkeypatch):
    big = polygon_layer(100_000)  # ~2.4 MB of coordinates
    size = approx_bytes(big)
    monkeypatch.setattr(appstate, "MAX_USER_LAYERS_BYTES", int(size * 2.5))
    layers: dict = {}
    assert appstate.keep_user_layer(layers, "a.geojson", big) is None
    assert appstate.keep_user_layer(layers, "b.geojson", big.copy()) is None
    msg = appstate.keep_user_layer(layers, "c.geojson", big.copy())
    assert msg is not None and "in memory" in msg and "MB" in msg
    assert list(layers) == ["a.geojson", "b.geojson"]
    assert appstate.user_layers_bytes(layers) <= appstate.MAX_USER_LAYERS_BYTES


def test_the_largest_allowed_upload_fits_and_the_caps_bound_a_session():
    """One upload at the vertex cap fits a session's budget (users can use what the
    uploader allows), and the budget is a real bound: its estimate counts every vertex."""
    big = polygon_layer(MAX_UPLOAD_VERTICES - 1)
    size = approx_bytes(big)
    assert size >= 16 * MAX_UPLOAD_VERTICES  # at least two doubles per vertex
    assert size <= appstate.MAX_USER_LAYERS_BYTES
    assert appstate.MAX_USER_LAYERS_BYTES <= 64 * 2**20  # 20 sessions stay far below 1.5 GB


def test_a_user_file_read_like_the_sidebar_is_measured_by_its_vertices():
    text = points_layer(2_000).to_json().encode()
    gdf = read_user_layer(text, "many.geojson").gdf
    assert approx_bytes(gdf) >= 2_000 * 24
    assert approx_bytes(gdf) < 50 * len(text)  # an estimate, not a wild over-count


def test_footprint_lists_the_largest_entries_first():
    state = {"small": "x", "layer": {"a.geojson": polygon_layer(10_000)}, "n": 3}
    rows = appstate.footprint(state)
    assert [k for k, _ in rows][0] == "layer" and rows[0][1] >= 10_000 * 16
    assert {k for k, _ in rows} == set(state)


# ------------------------------------------------------------ process-wide caches
def test_every_cache_together_keeps_at_most_the_process_budget(monkeypatch):
    monkeypatch.setattr(cache, "PROCESS_MAX_BYTES", 4 * 2**20)
    cache.clear_all()
    calls: list[int] = []

    @memoize(maxsize=1000)
    def block(i: int) -> np.ndarray:
        calls.append(i)
        return np.full(100_000, i, dtype=np.float64)  # 800 kB each

    try:
        for i in range(20):
            block(i)
        assert cache_bytes() <= cache.PROCESS_MAX_BYTES
        assert block.cache_info().currsize <= 5  # 20 * 800 kB would be 16 MB
        n = len(calls)
        block(19)  # the most recent stays
        assert len(calls) == n
        block(0)  # the oldest went first
        assert len(calls) == n + 1
    finally:
        cache.clear_all()
        cache._REGISTRY.remove(block)
    assert cache_bytes() == 0


def test_a_result_larger_than_a_quarter_of_the_budget_is_not_kept(monkeypatch):
    monkeypatch.setattr(cache, "PROCESS_MAX_BYTES", 2 * 2**20)

    @memoize(maxsize=4)
    def huge() -> np.ndarray:
        return np.zeros(200_000)  # 1.6 MB > 2 MB / 4

    try:
        assert len(huge()) == 200_000
        assert huge.cache_info().currsize == 0 and huge.cache_info().currbytes == 0
    finally:
        cache._REGISTRY.remove(huge)


def test_byte_counts_follow_entries_out():
    @memoize(maxsize=2)
    def arr(n: int) -> np.ndarray:
        return np.zeros(n)

    try:
        start = cache_bytes()
        arr(1000), arr(2000), arr(3000)  # the first goes past maxsize
        info = arr.cache_info()
        assert info.currsize == 2 and info.currbytes >= 5000 * 8
        assert cache_bytes() - start == info.currbytes
        arr.cache_clear()
        assert cache_bytes() == start
    finally:
        arr.cache_clear()
        cache._REGISTRY.remove(arr)


@pytest.mark.parametrize("value, at_least", [
    (b"x" * 10_000, 10_000),
    (np.zeros(10_000), 80_000),
    ({"a": np.zeros(1000), "b": [np.zeros(1000)] * 3}, 8_000),  # one array counted once
    (shapely.LineString(np.zeros((5_000, 2))), 5_000 * 16),
])
def test_approx_bytes_sees_buffers_and_geometries(value, at_least):
    assert approx_bytes(value) >= at_least


def test_approx_bytes_counts_a_shared_object_once():
    a = np.zeros(100_000)
    assert approx_bytes([a, a, a]) < 1.5 * a.nbytes


# ------------------------------------------------------------ closed sessions
def test_a_closed_sessions_state_is_kept_a_bounded_time():
    """``server.disconnectedSessionTTL`` is set (Streamlit's default may change) and short:
    a closed tab's state, uploads included, is dropped within minutes."""
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert 30 <= server["disconnectedSessionTTL"] <= 300


# ------------------------------------------------------------ found under load
def test_a_change_from_a_rings_box_no_longer_shown_is_ignored():
    """Under load a browser sent the km rings box's value in the rerun after a switch to
    nautical miles had removed that box: its callback must not raise (it showed a
    KeyError traceback), and the rings stay as they are."""
    state: dict = {}
    appstate.init(state)
    appstate.set_rings_km(state, [75.0, 90.0])
    state["units"] = "nm"
    appstate.sync_unit_widgets(state)  # the km boxes are gone
    assert appstate.rings_text_key("km") not in state
    appstate.on_rings_text(state, "km")
    appstate.on_band(state, "km")
    assert state["rings_km"] == [75.0, 90.0] and state["rings_error"] is None
    assert state["band_km"] == 0.0
    appstate.on_rings_text(state, "nm")  # the box shown still works
    assert state["rings_km"] == [pytest.approx(75.0, abs=0.01), pytest.approx(90.0, abs=0.01)]


def test_the_app_keeps_at_most_the_cap_of_uploaded_layers_and_says_so() -> None:
    """Through the page: one file more than the cap is refused with one line, the rest kept."""

    app = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
    at = AppTest.from_file(app, default_timeout=60).run()
    up = at.file_uploader(key="uploads")
    n = appstate.MAX_USER_LAYERS + 1
    for i in range(n):
        fc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": f"p{i}"},
             "geometry": {"type": "Point", "coordinates": [23.0 + i / 10, 50.0]}}]}
        up.upload(f"site{i}.geojson", json.dumps(fc).encode())
    at.run()
    assert not at.exception, at.exception
    assert len(at.session_state["user_layers"]) == appstate.MAX_USER_LAYERS
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and f"at most {appstate.MAX_USER_LAYERS}" in errors[0]
    assert "site8.geojson" in errors[0]
