"""The map's static layer files: committed, current, compact and complete."""
from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
import shapely

from conftest import ROOT
from dashboard.data.catalogue import CATALOGUE, DYNAMIC_LAYERS, TILED_LAYERS
from dashboard.io.layers_io import load_layer
from dashboard.render.geotable import STATIC_DIR, file_hash, from_bin, static_index
from dashboard.scene.compose import TOOLTIP_FIELDS

#: The layers shipped as static files (the incidents come from the store).
STATIC = [n for n in CATALOGUE if n not in DYNAMIC_LAYERS | TILED_LAYERS]

#: The whole set of static files stays small enough for a first load.
MAX_TOTAL_BYTES = 3_000_000


def _script():
    spec = importlib.util.spec_from_file_location("build_map_layers",
                                                  ROOT / "scripts" / "build_map_layers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def expected() -> dict[str, bytes]:
    return _script().expected_files()


def test_committed_files_are_what_the_script_builds_now(expected):
    """A geodata change without ``python scripts/build_map_layers.py`` fails here."""
    committed = {p.name for p in STATIC_DIR.iterdir() if p.is_file()}
    assert committed == set(expected), "run python scripts/build_map_layers.py"
    wrong = [n for n, data in expected.items() if (STATIC_DIR / n).read_bytes() != data]
    assert not wrong, f"stale: {wrong}; run python scripts/build_map_layers.py"
    assert _script().stale(STATIC_DIR, expected) == []


def test_build_writes_the_same_bytes_and_removes_stale_files(tmp_path, expected):
    (tmp_path / "countries.000000000000.bin").write_bytes(b"old")
    _script().build(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == expected


def test_every_builtin_layer_has_a_file_named_by_its_hash():
    index = static_index()
    assert set(index) == set(STATIC)
    for name, entry in index.items():
        data = (STATIC_DIR.parent / entry["url"]).read_bytes()
        assert entry["url"] == f"layers/{name}.{file_hash(data)}.bin"
        assert entry["bytes"] == len(data) and entry["kind"] == CATALOGUE[name].kind


@pytest.mark.parametrize("name", STATIC)
def test_each_file_decodes_to_the_catalogue_features(name):
    entry = static_index()[name]
    table = from_bin((STATIC_DIR.parent / entry["url"]).read_bytes())
    gdf = load_layer(name)
    info = CATALOGUE[name]
    assert len(table) == len(gdf) == entry["features"]
    assert table.ids == tuple(gdf[info.id_field].astype(str))
    assert set(TOOLTIP_FIELDS.get(name, ())) <= set(entry["fields"])
    assert all(set(p) == set(entry["fields"]) & set(gdf.columns) for p in table.props)
    geoms = table.geometries()
    assert all(g is not None for g in geoms)
    if entry["tolerance_deg"] == 0:  # every vertex kept, at float32 precision
        got = shapely.get_coordinates(np.asarray(geoms, dtype=object))
        want = shapely.get_coordinates(np.asarray(gdf.geometry.values))
        assert got.shape == want.shape and np.allclose(got, want, atol=2e-5, rtol=0)


def test_nato_border_is_at_committed_resolution_and_the_rest_is_simplified():
    index = static_index()
    assert index["nato_border"]["tolerance_deg"] == 0.0
    for name in ("countries", "regions", "zones"):
        assert 0 < index[name]["tolerance_deg"] <= 0.0007  # half a pixel at zoom 10


@pytest.mark.parametrize("name", ["zones", "regions"])
def test_simplified_outlines_stay_within_their_tolerance(name):
    """Every committed vertex (a sample) lies within the tolerance of the drawn outline."""
    entry = static_index()[name]
    table = from_bin((STATIC_DIR.parent / entry["url"]).read_bytes())
    for got, want in zip(table.geometries(), load_layer(name).geometry):
        xy = shapely.get_coordinates(want)
        sample = shapely.points(xy[:: max(1, len(xy) // 300)])
        off = shapely.distance(sample, got.boundary)
        assert off.max() <= entry["tolerance_deg"] + 2e-5


def test_total_size_stays_small():
    total = sum(p.stat().st_size for p in STATIC_DIR.iterdir())
    assert total < MAX_TOTAL_BYTES, f"{total:,} bytes"
    index = json.loads((STATIC_DIR / "index.json").read_text())
    assert sum(e["bytes"] for e in index.values()) < total
