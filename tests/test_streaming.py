"""``distance --points`` on files of any length: chunked CSV / GeoJSON / (Geo)Parquet in
and out, memory that stays flat as rows grow, a progress bar with rate and ETA."""
from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geo_reference import brute_distance_km, densified_points

from dashboard.cli import main
from dashboard.geo.distance import nearest
from dashboard.geo.errors import InputError
from dashboard.io.layers_io import load_layer
from dashboard.io.pointio import PointSink, open_points, stream_distances


def _table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"name": [f"p{i}" for i in range(n)], "lat": rng.uniform(44, 70, n),
                         "lon": rng.uniform(14, 40, n)})


def _targets():
    border = load_layer("nato_border")
    return [("nato_border", border, "id")]


def test_csv_in_chunks_matches_one_call(tmp_path):
    df = _table(2_500)
    src = tmp_path / "pts.csv"
    df.to_csv(src, index=False)
    source = open_points(src)
    assert source.kind == "csv" and source.total_rows == 2_500 and not source.has_geometry
    out = tmp_path / "out.csv"
    with PointSink(str(out), source.has_geometry) as sink:
        assert stream_distances(source, sink, _targets(), chunk_rows=300) == 2_500
    res = pd.read_csv(out)
    assert list(res.columns) == ["name", "lat", "lon", "nato_border_km", "nato_border_feature"]
    whole = nearest(df.lon, df.lat, load_layer("nato_border"), id_field="id")
    np.testing.assert_allclose(res.nato_border_km, whole.distance_km.round(4), atol=1e-9)
    assert (res.nato_border_feature == whole.feature).all()
    ref = densified_points(load_layer("nato_border").set_index("id").geometry["PL-UA"], 0.05)
    i = int(np.argmin(res.nato_border_km.where(res.nato_border_feature == "PL-UA", np.inf)))
    assert res.nato_border_km[i] == pytest.approx(
        brute_distance_km(df.lon[i], df.lat[i], ref)[0], abs=0.002)


def test_every_format_in_and_out(tmp_path, capsys):
    df = _table(1_200, seed=1)
    gdf = gpd.GeoDataFrame(df[["name"]], geometry=gpd.points_from_xy(df.lon, df.lat),
                           crs="EPSG:4326")
    paths = {"csv": tmp_path / "in.csv", "geojson": tmp_path / "in.geojson",
             "parquet": tmp_path / "in.parquet", "geoparquet": tmp_path / "in_geo.parquet"}
    df.to_csv(paths["csv"], index=False)
    gdf.to_file(paths["geojson"], driver="GeoJSON")
    df.to_parquet(paths["parquet"])
    gdf.to_parquet(paths["geoparquet"])
    expected = nearest(df.lon, df.lat, load_layer("nato_border"), id_field="id")
    for kind, src in paths.items():
        for ext in ("csv", "geojson", "parquet"):
            out = tmp_path / f"{kind}_out.{ext}"
            code = main(["distance", "--points", str(src), "--to", "nato_border",
                         "--chunk-rows", "250", "-o", str(out)])
            assert code == 0, (kind, ext, capsys.readouterr().err)
            got = (pd.read_csv(out) if ext == "csv" else gpd.read_file(out) if ext == "geojson"
                   else gpd.read_parquet(out))
            assert len(got) == 1_200 and list(got["name"][:2]) == ["p0", "p1"], (kind, ext)
            np.testing.assert_allclose(got.nato_border_km, expected.distance_km.round(4),
                                       atol=1e-9)
            if ext != "csv":
                assert got.crs.to_epsg() == 4326 or got.crs.to_string() == "OGC:CRS84"
                np.testing.assert_allclose(got.geometry.x, df.lon, atol=1e-7)


def _peak_bytes(src, rows: int, chunk: int) -> int:
    source = open_points(src)
    tracemalloc.start()
    try:
        with PointSink(str(src.with_suffix(".out.csv")), False) as sink:
            assert stream_distances(source, sink, _targets(), chunk_rows=chunk) == rows
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_stays_flat_as_rows_grow(tmp_path):
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    # the small file has chunks enough to fill the read/measure/write pipeline (a few
    # chunks in flight), so the comparison is of a full pipeline at both sizes
    _table(40_000, 2)[["lat", "lon"]].to_csv(small, index=False)
    _table(200_000, 3)[["lat", "lon"]].to_csv(big, index=False)
    small_peak = _peak_bytes(small, 40_000, 5_000)
    peak = _peak_bytes(big, 200_000, 5_000)
    # five times the rows, the same peak: reading the whole file would need ~5x
    assert peak < 1.3 * small_peak + 300_000


def test_progress_bar_rate_and_eta(tmp_path, capsys):
    src = tmp_path / "pts.csv"
    _table(30_000, 4).to_csv(src, index=False)
    code = main(["distance", "--points", str(src), "--to", "nato_border", "--chunk-rows",
                 "10000", "-o", str(tmp_path / "o.parquet")])
    err = capsys.readouterr().err
    assert code == 0
    assert "10,000/30,000 points (33%)" in err and "ETA" in err and "points/s" in err
    assert "30,000/30,000 points (100%)" in err and "wrote 30,000 points" in err


def test_bad_rows_anywhere_give_one_line(tmp_path, capsys):
    df = _table(3_000, 5)
    df["lat"] = df["lat"].astype(object)
    df.loc[2_345, "lat"] = "north"
    src = tmp_path / "bad.csv"
    df.to_csv(src, index=False)
    assert main(["distance", "--points", str(src), "--chunk-rows", "1000",
                 "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "data row 2346" in err
    lines = tmp_path / "lines.geojson"
    lines.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(
            shapely.LineString([(23, 50), (24, 51)]))}]}))
    assert main(["distance", "--points", str(lines), "-o", str(tmp_path / "o.csv")]) == 2
    assert "points only" in capsys.readouterr().err
    with pytest.raises(InputError, match="parquet"):
        open_points(tmp_path / "x.txt").kind if (tmp_path / "x.txt").write_text("a") else None
    with pytest.raises(InputError, match="output must end"):
        PointSink(str(tmp_path / "o.xlsx"), False)


#: In a child process (a crash must fail the test, not kill pytest): ROUNDS times, a fresh
#: copy of the countries index (polygons prepared anew, a new STRtree: GEOS builds their
#: inner structures on first use) measures two chunks of land points in two threads at
#: once, and must find each point's country as one thread does.  Chunks of 1,024 points
#: make a round cost about 0.02 s of CPU (65,536: 0.2 s) with the same race.  Without the
#: lock in ``distance._inside`` every run tried aborted or segfaulted within 20 rounds
#: (10 runs; "double free or corruption", "unaligned tcache chunk").
PARALLEL_CHUNKS = r"""
import sys
import numpy as np
from dashboard.geo import distance
from dashboard.geo.segindex import index_arrays, index_from_arrays
from dashboard.io.prepared_layers import prepared_layer

rounds, chunk = int(sys.argv[1]), int(sys.argv[2])
index = prepared_layer("countries").index
arrays = index_arrays(index)
rng = np.random.default_rng(3)
lon, lat = rng.uniform(14, 40, 4 * chunk), rng.uniform(44, 70, 4 * chunk)
one = distance.nearest_arrays(lon, lat, index, workers=1, boundary=False)["inside"]
land = np.flatnonzero(one >= 0)[:2 * chunk]  # two whole chunks, every point in a country
assert len(land) == 2 * chunk, len(land)
distance.BATCH_POINTS = chunk
for _ in range(rounds):
    two = distance.nearest_arrays(lon[land], lat[land], index_from_arrays(arrays), workers=2,
                                  boundary=False)["inside"]
    assert (two == one[land]).all()
print("ok", flush=True)
"""


@pytest.mark.slow
def test_chunks_measured_in_parallel_do_not_crash(tmp_path):
    """Two chunks asking GEOS whether points are inside the countries at once corrupted
    the heap (an abort in about half the runs of 10^6 points); now one at a time.  The
    CLI measures 10^6 points with two workers once; the race itself is run 100 times on
    fresh polygons in a child process (PARALLEL_CHUNKS), which crashed in every run
    tried without the lock."""
    rng = np.random.default_rng(3)
    src = tmp_path / "pts.csv"
    pd.DataFrame({"lat": rng.uniform(44, 70, 1_000_000), "lon": rng.uniform(14, 40, 1_000_000)}
                 ).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    proc = subprocess.run([sys.executable, "-m", "dashboard", "distance", "--points", str(src),
                           "--workers", "2", "-o", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sum(1 for _ in out.open()) == 1_000_001
    proc = subprocess.run([sys.executable, "-c", PARALLEL_CHUNKS, "100", "1024"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", (
        f"exit {proc.returncode}: {proc.stderr[-2000:]}")
