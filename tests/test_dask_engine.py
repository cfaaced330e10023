"""``distance --points --engine dask``: the same kernel over dask.dataframe partitions on a
real dask.distributed LocalCluster, giving the local path's answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.distributed")

from dask.distributed import LocalCluster

from dashboard.cli import main
from dashboard.geo.errors import InputError
from dashboard.io.dask_engine import stream_distances_dask
from dashboard.io.layers_io import load_layer
from dashboard.io.pointio import PointSink, open_points, stream_distances


@pytest.fixture(scope="module")
def cluster():
    # small and loopback only: 2 workers of 1 thread each, in this process
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def points_csv(tmp_path_factory):
    rng = np.random.default_rng(21)
    n = 6_000
    df = pd.DataFrame({"id": np.arange(n), "lat": rng.uniform(44, 70, n),
                       "lon": rng.uniform(14, 40, n)})
    path = tmp_path_factory.mktemp("dask") / "pts.csv"
    df.to_csv(path, index=False)
    return path


def _targets():
    countries = load_layer("countries")
    return [("nato_border", load_layer("nato_border"), "id"), ("countries", countries, "iso_a2")]


def _local(src, out):
    source = open_points(src)
    with PointSink(str(out), source.has_geometry) as sink:
        stream_distances(source, sink, _targets(), chunk_rows=1_000)
    return pd.read_csv(out) if str(out).endswith(".csv") else pd.read_parquet(out)


def test_dask_cluster_gives_the_local_answers(cluster, points_csv, tmp_path):
    local = _local(points_csv, tmp_path / "local.csv")
    source = open_points(points_csv)
    seen = []
    with PointSink(str(tmp_path / "dask.csv"), False) as sink:
        rows = stream_distances_dask(source, sink, _targets(), scheduler=cluster.scheduler_address,
                                     chunk_rows=1_000, progress=lambda d, n: seen.append(d))
    assert rows == 6_000 and seen[-1] == 6_000 and len(seen) >= 3  # several partitions
    remote = pd.read_csv(tmp_path / "dask.csv")
    assert list(remote.columns) == list(local.columns)
    np.testing.assert_array_equal(remote.id, local.id)  # written back in order
    for col in ("nato_border_km", "countries_km"):
        np.testing.assert_allclose(remote[col], local[col], atol=1e-12)
    assert (remote.nato_border_feature == local.nato_border_feature).all()
    assert (remote.countries_feature.fillna("") == local.countries_feature.fillna("")).all()


def test_cli_engine_dask_with_parquet(cluster, points_csv, tmp_path, capsys):
    pq_in = tmp_path / "pts.parquet"
    pd.read_csv(points_csv).to_parquet(pq_in)
    out = tmp_path / "out.parquet"
    code = main(["distance", "--points", str(pq_in), "--to", "nato_border", "--engine", "dask",
                 "--scheduler", cluster.scheduler_address, "--chunk-rows", "2000", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    local = _local(points_csv, tmp_path / "local.parquet")
    got = pd.read_parquet(out)
    np.testing.assert_allclose(got.nato_border_km, local.nato_border_km, atol=1e-12)


def test_dask_refuses_geojson_and_bad_scheduler(tmp_path, capsys):
    src = tmp_path / "p.geojson"
    src.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                   '"properties": {}, "geometry": {"type": "Point", "coordinates": [24, 50]}}]}')
    with pytest.raises(InputError, match="CSV or Parquet"), PointSink(str(tmp_path / "o.csv"), True) as sink:
        stream_distances_dask(open_points(src), sink, _targets())
    code = main(["distance", "--points", str(src), "--scheduler", "tcp://127.0.0.1:1",
                 "-o", str(tmp_path / "o.csv")])
    assert code == 2 and "--engine dask" in capsys.readouterr().err


def test_default_local_cluster_from_the_cli(points_csv, tmp_path, capsys):
    small = tmp_path / "small.csv"
    pd.read_csv(points_csv).head(800).to_csv(small, index=False)
    out = tmp_path / "o.csv"
    code = main(["distance", "--points", str(small), "--to", "nato_border", "--engine", "dask",
                 "--workers", "2", "--chunk-rows", "300", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    local = _local(small, tmp_path / "l.csv")
    np.testing.assert_allclose(pd.read_csv(out).nato_border_km, local.nato_border_km, atol=1e-12)
