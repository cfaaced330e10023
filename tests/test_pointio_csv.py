"""The fast CSV path of ``distance --points``: pyarrow-built chunks byte-identical to
pandas' ``to_csv`` (inert text, minimal quoting, numpy's float text), the reading /
measuring / writing pipeline in order, refusals before any output, atomic output."""
from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Polygon

from dashboard.geo.errors import InputError
from dashboard.io.csvsafe import csv_chunk_bytes, csv_chunk_text, inert_cell, inert_strings
from dashboard.io.pointio import PointSink, measure_table, open_points, stream_distances

TEXTS = ["plain", "", "a,b", 'say "hi"', "two\nlines", "=1+2", "+48 123", "-2.5", "-2+3",
         "@SUM(A1)", "\tx", "-٣", "1e-3", "+3", "-", "'quoted'", "Zażółć", "x;y", " lead",
         "-1\n", "=", "\u2028sep", "émoji 🙂"]


def _targets():
    layer = gpd.GeoDataFrame(
        {"id": ["line-a", "=evil", "box"]},
        geometry=[LineString([(23.0, 50.0), (24.5, 50.6)]), LineString([(25.0, 49.0), (25.5, 51.0)]),
                  Polygon([(23.9, 50.2), (24.2, 50.2), (24.2, 50.4), (23.9, 50.4)])],
        crs="EPSG:4326")
    return [("t", layer, "id")]


def _reference(src, chunk_rows: int) -> bytes:
    """The CSV output as the sequential pandas path writes it: every chunk measured, then
    ``to_csv`` with inert text (csv_chunk_text is that writer, kept as the fallback)."""
    out = io.StringIO()
    source = open_points(src)
    for i, (table, lon, lat) in enumerate(source.chunks(chunk_rows)):
        out.write(csv_chunk_text(measure_table(table, lon, lat, _targets()), header=i == 0))
    return out.getvalue().encode("utf-8")


def _streamed(src, out, chunk_rows: int) -> bytes:
    source = open_points(src)
    with PointSink(str(out), source.has_geometry) as sink:
        stream_distances(source, sink, _targets(), chunk_rows=chunk_rows)
    return out.read_bytes()


def _random_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    specials = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-4, 9.99e-5, 1e-5, 1e10,
                         9_999_999_999.5, 1e16, 1e15, 123456789012.25, 0.1, 100.0, -7.0, 5e-324])
    floats = rng.uniform(-180, 180, n)
    floats[::3] = rng.uniform(0, 20_000, len(floats[::3])).round(4)
    floats[1::7] = specials[rng.integers(0, len(specials), len(floats[1::7]))]
    bits = np.frombuffer(rng.integers(0, 2**63, n).astype(np.uint64).tobytes(), dtype=np.float64)
    texts = np.array(TEXTS, dtype=object)[rng.integers(0, len(TEXTS), n)]
    texts[::11] = None
    return pd.DataFrame({"name": texts, "lat": floats, "bits": bits,
                         "n": rng.integers(-10**12, 10**12, n), "ok": rng.random(n) > 0.5,
                         "str": pd.array(texts, dtype="str"), "=head": np.arange(n)})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_chunks_equal_pandas_to_csv(seed):
    table = _random_table(3_000, seed)
    for header in (True, False):
        fast = csv_chunk_bytes(table, header)
        assert fast is not None
        assert fast.to_pybytes() == csv_chunk_text(table, header).encode("utf-8")


def test_chunks_pandas_must_write_are_left_to_it():
    base = pd.DataFrame({"lat": [50.0, 51.0], "lon": [24.0, 25.0]})
    # a bare CR: pandas quotes all text of the chunk; ints in a text column; float32
    for extra in ({"name": ["a\rb", "c"]}, {"name": np.array([1, "x"], dtype=object)},
                  {"f": np.array([0.1, 0.2], dtype=np.float32)}, {"a\rb": ["x", "y"]}):
        table = base.assign(**extra)
        assert csv_chunk_bytes(table, True) is None
    # ...and PointSink writes them through to_csv, the same bytes as before
    table = base.assign(name=["a\rb", "=c"])
    sink = PointSink("-", False)
    sink._fh = io.StringIO()
    sink.write(table, table.lon.to_numpy(), table.lat.to_numpy())
    assert sink._fh.getvalue() == csv_chunk_text(table, True)


def test_inert_strings_is_inert_cell():
    import pyarrow as pa

    values = TEXTS + ["=x", "+", "-0", "-.5", "-5.", "+1e5", "-1e", "@", "\r=", "\n1", "٣", None]
    got = inert_strings(pa.array(values, pa.string())).to_pylist()
    assert got == [None if v is None else inert_cell(v) for v in values]


FIXTURES = {
    # quoted fields holding the separator, quotes and a line break; formula-looking text
    "quoted.csv": ('name,lat,lon,note\n"Kyiv, UA",50.45,30.52,"say ""hi"""\n'
                   '"=HYPERLINK(""http://x"",""y"")",50.1,24.0,"two\nlines"\n'
                   '@SUM(A1),49.9,23.9,-2.5\n+48 123,50.3,24.05,-2+3\n'),
    "semicolon.csv": "name;lat;lon;v\na;50,1;24,0;1,5\nb;50,2;24,1;x;\n".replace(";\n", "\n"),
    "bom_crlf.csv": "\ufeffname,Latitude,Longitude\r\na,50.25,24.1\r\n=b,50.3,24.0\r\nc,49,23\r\n",
    "na_text.csv": "id,lat,lon,label\n1,50.1,24.0,NA\n2,50.2,24.1,\n3,50.3,24.2,null\n4,50.0,24.0,ok\n",
    "formula_header.csv": "=cmd,lat,lon,@x\n1,50.1,24.0,=2\n2,50.2,24.1,-x\n",
    "cr_in_one_chunk.csv": 'name,lat,lon\nplain,50.1,24.0\n"bare\rcr",50.2,24.1\nz,50.3,24.2\n',
    "mixed.csv": "id,lat,lon,flag,big\n1,50.1,24.0,True,1e300\n2,50.2,24.1,False,-0.0\n"
                 "x,50.3,24.2,True,0.00001\n",
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_cli_csv_bytes_equal_the_pandas_path(tmp_path, name, chunk_rows):
    src = tmp_path / name
    src.write_bytes(FIXTURES[name].encode("utf-8"))
    assert _streamed(src, tmp_path / "out.csv", chunk_rows) == _reference(src, chunk_rows)


def test_chunk_boundaries_do_not_change_the_output(tmp_path):
    # text pandas would not read as a number in a chunk of its own (the reader infers
    # each chunk's column types, as it always has: "+3" alone in a chunk is the number 3.0)
    texts = [t for t in TEXTS if t not in ("", "-2.5", "+3", "1e-3", "-1\n")]
    rng = np.random.default_rng(5)
    n = 600
    df = pd.DataFrame({"name": np.array(texts, dtype=object)[rng.integers(0, len(texts), n)],
                       "lat": rng.uniform(49, 51, n).round(6), "lon": rng.uniform(23, 25, n).round(6)})
    src = tmp_path / "pts.csv"
    df.to_csv(src, index=False)
    outs = {k: _streamed(src, tmp_path / f"o{k}.csv", k) for k in (1, 7, 100_000)}
    assert len(set(outs.values())) == 1
    assert outs[7] == _reference(src, 7)
    assert len(pd.read_csv(tmp_path / "o1.csv", keep_default_na=False)) == n


def test_missing_coordinates_refused_before_any_output(tmp_path):
    src = tmp_path / "miss.csv"
    src.write_text("name,lat,lon\na,50.1,24.0\nb,,24.0\nc,50.2,24.1\nd,NA,24.1\ne,abc,24.2\n"
                   "f,inf,24\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        open_points(src)
    assert str(exc.value) == (
        f"{src}: 4 rows have no numeric lat/lon: data rows 2 (lat='', lon='24.0'), "
        "4 (lat='NA', lon='24.1'), 5 (lat='abc', lon='24.2'), 6 (lat='inf', lon='24'); fix "
        "or delete them (no row is dropped)")
    src.write_text("name,lat,lon\na,true,24\nb,false,24.1\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds true/false values"):
        open_points(src)
    src.write_text("name,lat,lon\na,50.1,24\nb,50.2,24.1,extra\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable CSV"):
        open_points(src)


def _points_file(tmp_path, n=50):
    src = tmp_path / "pts.csv"
    pd.DataFrame({"id": range(n), "lat": np.linspace(49, 51, n), "lon": np.linspace(23, 25, n)}
                 ).to_csv(src, index=False)
    return src


def test_pipeline_keeps_order_and_counts(tmp_path):
    src = _points_file(tmp_path, 50)
    seen = []

    def measure(table, lon, lat):
        seen.append(int(table["id"].iloc[0]))
        return table.assign(twice=table["id"] * 2)

    done = []
    out = tmp_path / "o.csv"
    with PointSink(str(out), False) as sink:
        rows = stream_distances(open_points(src), sink, [], chunk_rows=3, measure=measure,
                                progress=lambda d, t: done.append((d, t)))
    assert rows == 50 and sink.rows == 50
    assert seen == list(range(0, 50, 3))
    assert done[-1] == (50, 50) and [d for d, _ in done] == sorted(d for d, _ in done)
    got = pd.read_csv(out)
    assert got["id"].tolist() == list(range(50)) and (got["twice"] == 2 * got["id"]).all()


@pytest.mark.parametrize("where", ["measure", "write", "read"])
def test_failure_anywhere_leaves_no_file(tmp_path, where, monkeypatch):
    src = _points_file(tmp_path, 60)
    out = tmp_path / "o.csv"
    out.write_text("old\n", encoding="utf-8")
    calls = {"n": 0}

    def measure(table, lon, lat):
        calls["n"] += 1
        if where == "measure" and calls["n"] == 4:
            raise InputError("boom in measure")
        return table

    source = open_points(src)
    if where == "read":
        real = source.chunks

        def chunks(rows):
            for i, c in enumerate(real(rows)):
                if i == 5:
                    raise InputError("boom in read")
                yield c

        monkeypatch.setattr(source, "chunks", chunks)
    with pytest.raises(InputError, match=f"boom in {where}"), \
            PointSink(str(out), False) as sink:
        if where == "write":
            real_write = sink.write

            def write(table, lon, lat):
                if sink.rows >= 15:
                    raise InputError("boom in write")
                real_write(table, lon, lat)

            sink.write = write  # type: ignore[method-assign]
        stream_distances(source, sink, [], chunk_rows=5, measure=measure)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv", "pts.csv"]


def test_stdout_gets_the_same_bytes(tmp_path, capsys):
    src = tmp_path / "q.csv"
    src.write_bytes(FIXTURES["quoted.csv"].encode("utf-8"))
    source = open_points(src)
    with PointSink("-", False) as sink:
        stream_distances(source, sink, _targets(), chunk_rows=2)
    assert capsys.readouterr().out.encode("utf-8") == _reference(src, 2)


def test_parquet_writer_closed_before_its_file_on_error(tmp_path):
    out = tmp_path / "o.parquet"
    table = pd.DataFrame({"id": [1, 2]})
    lon, lat = np.array([24.0, 25.0]), np.array([50.0, 51.0])
    with pytest.raises(InputError, match="half-way"), PointSink(str(out), True) as sink:
        sink.write(table, lon, lat)
        raise InputError("half-way")
    assert not sink._writer.is_open  # not left to close on collection, into a closed file
    assert not out.exists() and list(tmp_path.iterdir()) == []
