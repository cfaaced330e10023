"""Prepared layers (dashboard.io.prepared_layers) and the plain-Python search.

What is stored between runs must give the answers the full path gives (the layer
read and indexed in this process, the compiled search), to the last bit; a stale,
damaged or unwritable cache must change nothing but the time.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date

import numpy as np
import pytest
from shapely.geometry import Point, box

from conftest import ROOT
from dashboard.data import catalogue, limits
from dashboard.geo import kernel
from dashboard.geo.distance import as_points, nearest, nearest_arrays, nearest_records
from dashboard.geo.errors import InputError
from dashboard.geo.segindex import (
    ARRAY_FIELDS,
    build_index,
    get_index,
    index_arrays,
    index_from_arrays,
)
from dashboard.io import prepared_layers as P
from dashboard.io.layers_io import load_layer


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """A fresh cache folder for this test (and nothing held in memory)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(P.ENV_DIR, str(folder))
    P.forget()
    yield folder / "prepared"
    P.forget()


@pytest.fixture()
def own_geodata(tmp_path, monkeypatch):
    """Built-in layers read from a copy of geodata/ this test may change."""
    src = catalogue.GEODATA_DIR
    dst = tmp_path / "geodata"
    dst.mkdir()
    for name in ("MANIFEST.json", "nato_border.geojson"):
        shutil.copy2(src / name, dst / name)
    monkeypatch.setattr(catalogue, "GEODATA_DIR", dst)
    return dst


def _points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(14.0, 40.0, n), rng.uniform(44.0, 70.0, n)


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.dtype.kind == "f":
            np.testing.assert_array_equal(x, y, err_msg=k)  # NaN == NaN here; bit for bit
        else:
            assert list(x) == list(y), k


# ------------------------------------------------------------------ the index as arrays
def test_index_arrays_round_trip_bit_for_bit():
    layer = load_layer("nato_border")
    ix = get_index(layer)
    back = index_from_arrays(index_arrays(ix))
    for name in ARRAY_FIELDS:
        a, b = getattr(ix, name), getattr(back, name)
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), name
    assert (back.sag_km, back.n_features, back.group) == (ix.sag_km, ix.n_features, ix.group)
    polys = build_index([box(20, 50, 21, 51), Point(25, 55), box(22, 52, 24, 53)])
    back = index_from_arrays(index_arrays(polys))
    assert len(back.polygons) == 2 and back.polygon_tree is not None
    assert all(p.equals_exact(q, 0) for p, q in zip(polys.polygons, back.polygons))
    assert back.polygon_feat.tolist() == polys.polygon_feat.tolist()


def test_index_from_arrays_refuses_arrays_that_do_not_fit():
    arrays = index_arrays(build_index([box(20, 50, 21, 51)]))
    with pytest.raises(ValueError):
        index_from_arrays({k: v for k, v in arrays.items() if k != "nodes"})
    with pytest.raises(ValueError):
        index_from_arrays({**arrays, "prev": arrays["prev"][:-1]})
    with pytest.raises(ValueError):
        index_from_arrays({**arrays, "polygon_wkb_end": arrays["polygon_wkb_end"] + 1})


# ------------------------------------------------------------------ plain and compiled search
@pytest.mark.parametrize("name", ["nato_border", "countries"])
def test_plain_search_equals_compiled_bit_for_bit(name):
    ix = get_index(load_layer(name))
    lon, lat = _points(300, seed=11)
    # and points on the layer: vertices and segment midpoints (ties between features)
    k = np.random.default_rng(3).integers(0, ix.n_segments, 60)
    lon = np.r_[lon, ix.a_lonlat[k, 0], (ix.a_lonlat[k, 0] + ix.b_lonlat[k, 0]) / 2]
    lat = np.r_[lat, ix.a_lonlat[k, 1], (ix.a_lonlat[k, 1] + ix.b_lonlat[k, 1]) / 2]
    _same(nearest_arrays(lon, lat, ix, jit=True), nearest_arrays(lon, lat, ix, jit=False))


def test_plain_search_handles_the_second_pass(monkeypatch):
    # the centre of a many-sided ring: every segment nearly equidistant (a second pass)
    ring = Point(24.0, 50.0).buffer(1.0, 512).exterior
    ix = build_index([ring])
    lon, lat = np.array([24.0, 24.3]), np.array([50.0, 50.1])
    monkeypatch.setattr(kernel, "SCRATCH_SEGMENTS", 3)
    _same(nearest_arrays(lon, lat, ix, jit=True), nearest_arrays(lon, lat, ix, jit=False))


def test_nearest_records_are_nearests_columns():
    layer = load_layer("nato_border")
    lon, lat = _points(50, seed=5)
    df = nearest(lon, lat, layer)
    rec = nearest_records(*as_points(lon, lat), get_index(layer), layer["id"].to_numpy(),
                          jit=False)
    _same({c: df[c].to_numpy() for c in df.columns}, rec)


@pytest.mark.slow
def test_compiled_kernel_is_loaded_from_numbas_cache_in_a_new_process(tmp_path):
    code = ("import numpy as np\n"
            "from shapely.geometry import box\n"
            "from dashboard.geo import kernel\n"
            "from dashboard.geo.distance import nearest_arrays\n"
            "from dashboard.geo.segindex import build_index\n"
            "nearest_arrays(np.array([20.5]), np.array([49.0]), build_index([box(20, 50, 21, 51)]))\n"
            "f = kernel.compiled('search')\n"
            "print(sum(f.stats.cache_hits.values()), sum(f.stats.cache_misses.values()))\n")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba"), "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=280, check=True).stdout.split() for _ in range(2)]
    assert runs[0] == ["0", "1"]   # compiled, and stored
    assert runs[1] == ["1", "0"]   # loaded, not compiled
    assert any((tmp_path / "numba").rglob("*.nbi"))


@pytest.mark.slow
def test_compiled_kernel_works_with_no_writable_cache_folder():
    code = ("import numba.core.caching as caching\n"
            "impl = getattr(caching, 'CacheImpl', None) or getattr(caching, '_CacheImpl')\n"
            "impl._locator_classes = []  # nowhere to cache, as when everything is read-only\n"
            "import numpy as np\n"
            "from shapely.geometry import box\n"
            "from dashboard.geo.distance import nearest_arrays\n"
            "from dashboard.geo.segindex import build_index\n"
            "ix = build_index([box(20, 50, 21, 51)])\n"
            "a = nearest_arrays(np.array([20.5, 22.0]), np.array([49.0, 50.5]), ix)\n"
            "b = nearest_arrays(np.array([20.5, 22.0]), np.array([49.0, 50.5]), ix, jit=False)\n"
            "print(all(np.array_equal(a[k], b[k]) for k in a))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=280, check=True).stdout
    assert out.split() == ["True"]


# ------------------------------------------------------------------ prepared = full path
def _full(name: str, on: date | None, lon: np.ndarray, lat: np.ndarray) -> dict:
    layer = load_layer(name)
    gdf, field = P.measured_layer(name, layer, on)
    df = nearest(lon, lat, gdf, id_field=field)
    return {c: df[c].to_numpy() for c in df.columns}


@pytest.mark.parametrize("name,on", [("nato_border", None), ("countries", None),
                                     ("nato_border", date(1999, 3, 12)),
                                     ("nato_border", date(2004, 1, 1)),
                                     ("nato_border", date(2022, 11, 15)),
                                     ("nato_border", date(2024, 1, 1))])
def test_prepared_layer_gives_the_full_paths_answers(cache, name, on):
    lon, lat = _points(120, seed=21)
    layer = P.prepared_layer(name, on)
    want = _full(name, on, lon, lat)
    for jit in (False, True):
        _same(nearest_records(lon, lat, layer.index, layer.labels, jit=jit), want)
    P.forget()  # and again from the stored file
    again = P.prepared_layer(name, on)
    _same(nearest_records(lon, lat, again.index, again.labels, jit=False), want)


def test_borders_on_dates_share_files_by_their_features(cache):
    for on in (date(2005, 1, 1), date(2010, 6, 1), date(2023, 4, 3)):  # the same border
        P.prepared_layer("nato_border", on)
    P.prepared_layer("nato_border", date(2023, 4, 4))  # FI joins: every feature, the base file
    names = sorted(p.name.split(".")[1] for p in cache.glob("nato_border.*.npz"))
    assert names[0] == "all" and len(names) == 2
    with pytest.raises(InputError, match="no NATO border segment existed on 1949-08-23"):
        P.prepared_layer("nato_border", date(1949, 8, 23))


def test_a_damaged_file_is_rebuilt_silently(cache):
    lon, lat = _points(40, seed=2)
    want = _full("nato_border", None, lon, lat)
    P.prepared_layer("nato_border")
    (path,) = cache.glob("nato_border.all.*.npz")
    good = path.read_bytes()
    damaged = {
        "truncated": good[: len(good) // 2],
        "flipped": good[:len(good) // 2] + bytes([good[len(good) // 2] ^ 0x10])
        + good[len(good) // 2 + 1:],
        "empty": b"",
        "not a zip": b"PK\x03\x04" + b"x" * 100,
    }
    for what, data in damaged.items():
        path.write_bytes(data)
        P.forget()
        layer = P.prepared_layer("nato_border")
        _same(nearest_records(lon, lat, layer.index, layer.labels, jit=False), want)
        assert path.read_bytes() != data, what  # replaced by a good one


def test_a_changed_source_is_rebuilt_a_touched_one_reused(cache, own_geodata):
    src = own_geodata / "nato_border.geojson"
    lon, lat = _points(40, seed=4)
    P.prepared_layer("nato_border")
    (path,) = cache.glob("nato_border.all.*.npz")
    stored = path.stat().st_mtime_ns
    os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 10**9))  # same bytes
    P.forget()
    P.prepared_layer("nato_border")
    assert path.stat().st_mtime_ns == stored  # rehashed, not rebuilt
    data = json.loads(src.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["id"] != "PL-UA"]
    src.write_text(json.dumps(data), encoding="utf-8")
    P.forget()
    layer = P.prepared_layer("nato_border")
    assert "PL-UA" not in set(layer.labels)
    _same(nearest_records(lon, lat, layer.index, layer.labels, jit=False),
          _full("nato_border", None, lon, lat))


def test_other_code_makes_its_own_file_and_the_folder_stays_bounded(cache, monkeypatch):
    lon, lat = _points(20, seed=8)
    P.prepared_layer("nato_border")
    (old,) = cache.glob("nato_border.all.*.npz")
    monkeypatch.setattr(P, "FORMAT", P.FORMAT + 1)  # another version of the code
    P.forget()
    layer = P.prepared_layer("nato_border")
    _same(nearest_records(lon, lat, layer.index, layer.labels, jit=False),
          _full("nato_border", None, lon, lat))
    assert len(list(cache.glob("nato_border.all.*.npz"))) == 2 and old.exists()  # no thrashing
    monkeypatch.setattr(limits, "PREPARED_CACHE_MAX_BYTES", old.stat().st_size + 1)
    P.forget()
    P.prepared_layer("nato_border", date(2010, 1, 1))
    assert len(list(cache.glob("*.npz"))) == 1  # the oldest went first; the new one stays
    assert not old.exists()


def test_no_cache_folder_stores_nothing_and_answers_the_same(tmp_path, monkeypatch):
    lon, lat = _points(20, seed=6)
    want = _full("nato_border", None, lon, lat)
    shared = tmp_path / "shared"
    (shared / "prepared").mkdir(parents=True)
    os.chmod(shared / "prepared", 0o777)  # writable by others: not used
    for setting in ("off", str(shared)):
        monkeypatch.setenv(P.ENV_DIR, setting)
        P.forget()
        assert P.cache_dir() is None
        layer = P.prepared_layer("nato_border")
        _same(nearest_records(lon, lat, layer.index, layer.labels, jit=False), want)
    assert not any(shared.rglob("*.npz"))
    P.forget()


def test_a_missing_layer_says_what_the_full_path_says(cache, own_geodata):
    (own_geodata / "nato_border.geojson").unlink()
    with pytest.raises(InputError) as fast:
        P.prepared_layer("nato_border")
    with pytest.raises(InputError) as full:
        load_layer("nato_border")
    assert str(fast.value) == str(full.value)


def test_loading_a_prepared_layer_imports_no_geopandas(cache):
    code = ("import sys\n"
            "from dashboard.io.prepared_layers import prepared_layer\n"
            "layer = prepared_layer('nato_border')\n"
            "print(len(layer.labels), 'geopandas' in sys.modules, 'pandas' in sys.modules)\n")
    env = {**os.environ, P.ENV_DIR: str(cache.parent), "PYTHONPATH": str(ROOT)}
    outs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120, check=True).stdout.split() for _ in range(2)]
    assert outs[0] == ["14", "True", "True"]   # built: the full path's reader
    assert outs[1] == ["14", "False", "False"]  # loaded
