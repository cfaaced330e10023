"""Hostile and broken files through every reader a file enters by: one table of cases.

Each case is a file (bytes and a name) and what every reader that takes that kind
of file must do with it: refuse it with one :class:`InputError` line naming the
file and the problem, or accept it and say what it changed ("repaired",
"height", ...).  The readers:

- ``layer``: :func:`read_user_layer` (the sidebar's upload),
- ``zone``: :func:`read_zone_file` (the zones page's importer, ``zone --file``),
- ``scenario``: :func:`from_geojson` with a notes list (scenario import, ``brief --scenario``),
- ``path``: :func:`load_layer` on a file (a CLI ``LAYER``/``--to``/``--layer``),
- ``points``: :func:`open_points` and its chunks (``distance --points``).

Paths that are too big are refused from their size, before they are read
(measured: elapsed time and peak traced memory).
"""
from __future__ import annotations

import base64
import gzip
import io
import json
import random
import time
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from dashboard.geo.errors import InputError
from dashboard.io import filecheck
from dashboard.io.layers_io import (
    MAX_FILE_LAYER_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_VERTICES,
    load_layer,
    read_user_layer,
)
from dashboard.io.pointio import open_points
from dashboard.io.zonefile import read_zone_file
from dashboard.store import (
    MAX_GEOJSON_BYTES,
    Buffer,
    Scenario,
    Zone,
    from_geojson,
    from_url_param,
    to_url_param,
)
from dashboard.store.validate import validate_scenario

SQUARE = [[23.0, 50.0], [24.0, 50.0], [24.0, 51.0], [23.0, 51.0], [23.0, 50.0]]
BOWTIE = [[23.0, 50.0], [24.0, 51.0], [24.0, 50.0], [23.0, 51.0], [23.0, 50.0]]
ACROSS_180 = [[179.0, 60.0], [-179.0, 60.0], [-179.0, 61.0], [179.0, 61.0], [179.0, 60.0]]
PYTHON_WORDS = ("Traceback", "NoneType", "object has no attribute", "RecursionError",
                "KeyError", "TypeError", "could not read")


def fc(*features: dict, **extra) -> dict:
    return {"type": "FeatureCollection", "features": list(features), **extra}


def feat(geometry: dict | None, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def poly(ring: list, **props) -> dict:
    return feat({"type": "Polygon", "coordinates": [ring]}, **props)


def point(lon: float, lat: float, **props) -> dict:
    return feat({"type": "Point", "coordinates": [lon, lat]}, **props)


def js(obj) -> bytes:
    return json.dumps(obj).encode()


def nested_collection(levels: int) -> bytes:
    """A feature whose geometry is a square inside ``levels`` GeometryCollections (text
    built directly: ``json.dumps`` itself cannot write 5000 levels)."""
    g = js({"type": "Polygon", "coordinates": [SQUARE]})
    head = b'{"type": "GeometryCollection", "geometries": ['
    g = head * levels + g + b"]}" * levels
    return b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, ' \
        b'"geometry": ' + g + b"}]}"


def zip_bytes(inner: bytes, name: str = "zones.geojson") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, inner)
    return buf.getvalue()


def zip_bomb(size_mb: int = 200) -> bytes:
    """A small ZIP whose one member inflates to ``size_mb`` MB of zeros."""
    buf = io.BytesIO()
    block = b"\0" * (1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, z.open("a.geojson", "w") as m:
        for _ in range(size_mb):
            m.write(block)
    return buf.getvalue()


VALID = js(fc(poly(SQUARE, name="Square")))
READERS = ("layer", "zone", "scenario", "path", "points")
ERR, OK = "error", "ok"


@dataclass(frozen=True)
class Case:
    """A file and what each reader must do: ``(ERR, fragment)`` or ``(OK, fragment or "")``;
    ``per`` overrides ``expect`` for some readers; readers not in ``readers`` skip it."""

    id: str
    filename: str
    data: bytes
    expect: tuple[str, str]
    per: dict[str, tuple[str, str]] = field(default_factory=dict)
    readers: tuple[str, ...] = READERS

    def wanted(self, reader: str) -> tuple[str, str]:
        return self.per.get(reader, self.expect)


NOT_POINTS = (ERR, "points only")
CSV_READERS = ("layer", "path", "points")
RNG = random.Random(13)
CASES = [
    Case("valid polygon", "ok.geojson", VALID, (OK, ""), {"points": NOT_POINTS}),
    Case("truncated JSON", "cut.geojson", VALID[: len(VALID) // 2], (ERR, "cut short")),
    Case("truncated inside a number", "cut2.geojson", VALID[:-20], (ERR, "cut short")),
    Case("random binary bytes", "noise.geojson", RNG.randbytes(4096), (ERR, "binary data")),
    Case("UTF-16 with BOM", "u16.geojson", json.dumps(fc(poly(SQUARE))).encode("utf-16"),
         (ERR, "UTF-16")),
    Case("UTF-16-LE without BOM", "u16le.geojson",
         json.dumps(fc(poly(SQUARE))).encode("utf-16-le"), (ERR, "UTF-16")),
    Case("Latin-1 text", "latin1.geojson",
         json.dumps(fc(poly(SQUARE, name="Kraków")), ensure_ascii=False).encode("latin-1"),
         (ERR, "not UTF-8")),
    Case("UTF-8 BOM (accepted)", "bom.geojson", b"\xef\xbb\xbf" + VALID, (OK, ""),
         {"points": NOT_POINTS}),
    Case("a JSON object, not GeoJSON", "a.geojson", b'{"a": 1}', (ERR, "not GeoJSON"),
         {"scenario": (ERR, "must be a GeoJSON FeatureCollection")}),
    Case("a JSON array", "arr.geojson", b"[]", (ERR, "not GeoJSON"),
         {"scenario": (ERR, "must be a GeoJSON FeatureCollection")}),
    Case("a JSON string", "s.geojson", b'"x"', (ERR, "not GeoJSON"),
         {"scenario": (ERR, "must be a GeoJSON FeatureCollection")}),
    Case("a JSON number", "n.geojson", b"42", (ERR, "not GeoJSON"),
         {"scenario": (ERR, "must be a GeoJSON FeatureCollection")}),
    Case("a Feature without a geometry key", "nogeom.geojson",
         js(fc({"type": "Feature", "properties": {"name": "x"}})),
         (ERR, "no features with a geometry"),
         {"scenario": (ERR, "zone or a buffer")}),
    Case("features is not a list", "feats.geojson",
         b'{"type": "FeatureCollection", "features": {"0": {}}}', (ERR, "'features' list")),
    Case("empty FeatureCollection", "empty.geojson", js(fc()), (ERR, "no features"),
         {"scenario": (OK, "")}),
    Case("empty file", "nothing.geojson", b"  \n", (ERR, "is empty")),
    Case("null geometry", "null.geojson", js(fc(feat(None, name="n"))),
         (ERR, "no features with a geometry"), {"scenario": (ERR, "zone or a buffer")}),
    Case("null geometry among polygons (dropped, said)", "somenull.geojson",
         js(fc(feat(None), poly(SQUARE))), (OK, "dropped 1 feature"),
         {"scenario": (ERR, "zone or a buffer"), "points": NOT_POINTS}),
    Case("POLYGON EMPTY", "emptypoly.geojson",
         js(fc(feat({"type": "Polygon", "coordinates": []}))),
         (ERR, "no features with a geometry"), {"scenario": (ERR, "non-empty list of rings")}),
    Case("Web Mercator metres", "3857.geojson",
         js(fc(poly([[2560000, 6500000], [2670000, 6500000], [2670000, 6600000],
                     [2560000, 6500000]]))), (ERR, "projected")),
    Case("UTM metres", "utm.geojson",
         js(fc(poly([[500000, 5500000], [600000, 5500000], [600000, 5600000],
                     [500000, 5500000]]))), (ERR, "projected")),
    Case("latitude beyond 90: swapped", "swap.geojson", js(fc(point(50.4, 123.9))),
         (ERR, "latitude/longitude are swapped")),
    Case("Poland given as [lat, lon] (a layer: accepted, said; a zone: refused)",
         "latlon.geojson", js(fc(poly([[lat, lon] for lon, lat in SQUARE]))),
         (OK, "looks like latitude/longitude are swapped"),
         {"points": NOT_POINTS, "zone": (ERR, "look like [latitude, longitude]"),
          "scenario": (ERR, "look like [latitude, longitude]")}),
    Case("self-intersecting bow-tie (repaired, said)", "bowtie.geojson",
         js(fc(poly(BOWTIE, name="Bow"))), (OK, "repaired"), {"points": NOT_POINTS}),
    Case("3-D coordinates (accepted, height said)", "z.geojson",
         js(fc(poly([[x, y, 250.0] for x, y in SQUARE]))), (OK, "height"),
         {"points": NOT_POINTS}),
    Case("3-D points (accepted, height said)", "zpts.geojson",
         js(fc(feat({"type": "Point", "coordinates": [23.9, 50.4, 210.0]}))), (OK, "height"),
         {"zone": (ERR, "no polygons"), "scenario": (ERR, "zone or a buffer")}),
    Case("GeometryCollection nested 50 deep", "gc50.geojson", nested_collection(50),
         (ERR, "nested more than 8 levels"), {"scenario": (ERR, "not supported")}),
    Case("GeometryCollection nested 5000 deep", "gc5000.geojson", nested_collection(5000),
         (ERR, "nested too deeply")),
    Case("arrays nested 100000 deep", "deep.geojson", b"[" * 100_000 + b"]" * 100_000,
         (ERR, "nested too deeply")),
    Case("coordinates nested 100000 deep", "deepc.geojson",
         b'{"type": "Point", "coordinates": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
         (ERR, "nested too deeply")),
    Case("antimeridian crossing", "dateline.geojson", js(fc(poly(ACROSS_180))),
         (ERR, "antimeridian")),
    Case("NaN", "nan.geojson",
         b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
         b'"geometry":{"type":"Point","coordinates":[NaN, 50]}}]}', (ERR, "NaN is not a JSON")),
    Case("Infinity", "inf.geojson", VALID.replace(b"24.0", b"Infinity", 1),
         (ERR, "Infinity is not a JSON")),
    Case("1e999 overflows to infinity", "big.geojson", VALID.replace(b"24.0", b"1e999", 1),
         (ERR, "not finite"), {"scenario": (ERR, "non-finite")}),
    Case("coordinates as strings", "str.geojson",
         js(fc(poly([[str(x), str(y)] for x, y in SQUARE]))), (ERR, "number")),
    Case("duplicate keys (last wins, said)", "dup.geojson",
         b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
         b'"geometry":{"type":"Point","coordinates":[0,0]},"geometry":{"type":"Polygon",'
         b'"coordinates":' + js([SQUARE]) + b"}}]}", (OK, "appears twice"),
         {"points": NOT_POINTS}),
    Case("a huge property value (cut, said)", "huge.geojson",
         js(fc(poly(SQUARE, name="x" * 200_000))), (OK, "cut 1 text property"),
         {"scenario": (ERR, "at most 120"), "points": NOT_POINTS}),
    Case("over the vertex limit", "many.geojson",
         js(fc(feat({"type": "MultiPoint",
                     "coordinates": [[23.0 + i * 1e-6, 50.0] for i in
                                     range(MAX_UPLOAD_VERTICES + 1)]}))),
         (ERR, f"more than {MAX_UPLOAD_VERTICES:,} vertices"),
         {"path": (OK, ""), "points": NOT_POINTS, "scenario": (ERR, "not supported")}),
    Case("a ZIP renamed .geojson", "zip.geojson", zip_bytes(VALID), (ERR, "ZIP archive")),
    Case("a ZIP bomb renamed .geojson", "bomb.geojson", zip_bomb(), (ERR, "ZIP archive")),
    Case("a real .zip", "zones.zip", zip_bytes(VALID), (ERR, "ZIP archive"),
         {"points": (ERR, "needs a .csv, .geojson or .parquet")}),
    Case("gzip bytes", "gz.geojson", gzip.compress(VALID), (ERR, "gzip")),
    Case("unsupported extension", "zones.kml", b"<kml/>", (ERR, "unsupported file type"),
         {"scenario": (ERR, "not valid JSON"),
          "points": (ERR, "needs a .csv, .geojson or .parquet")}),
    # CSV
    Case("CSV points", "pts.csv", b"name,lat,lon\nPrzewodow,50.47099,23.93432\n", (OK, ""),
         readers=CSV_READERS),
    Case("CSV with a BOM", "bom.csv", b"\xef\xbb\xbflat,lon\n50.47,23.93\n", (OK, ""),
         readers=CSV_READERS),
    Case("CSV without position columns", "cols.csv", b"a,b\n1,2\n",
         (ERR, "looked for lat/latitude/y and lon/lng/long/longitude/x"), readers=CSV_READERS),
    Case("CSV header only", "head.csv", b"lat,lon\n", (ERR, "no data rows"),
         {"points": (ERR, "has no points")}, readers=CSV_READERS),
    Case("CSV lat beyond 90: swapped", "swap.csv", b"lat,lon\n123.9,50.4\n",
         (ERR, "latitude/longitude are swapped"), readers=CSV_READERS),
    Case("CSV lat/lon columns holding lon/lat (accepted, said)", "latlon.csv",
         b"lat,lon\n23.93,50.47\n24.03,49.84\n", (OK, "looks like latitude/longitude are swapped"),
         readers=CSV_READERS),
    Case("CSV in Latin-1", "latin1.csv", "name,lat,lon\nKraków,50.06,19.94\n".encode("latin-1"),
         (ERR, "not UTF-8"), readers=CSV_READERS),
    Case("CSV as binary", "noise.csv", RNG.randbytes(4096), (ERR, "binary data"),
         readers=CSV_READERS),
    Case("CSV in a ZIP", "pts.csv", zip_bytes(b"lat,lon\n50,23\n", "pts.csv"),
         (ERR, "ZIP archive"), readers=CSV_READERS),
    Case("CSV in projected metres", "utm.csv", b"y,x\n5500000,500000\n", (ERR, "projected"),
         readers=CSV_READERS),
    # The audit's classes: reasons, not tracebacks; one policy for bad rows.
    Case("a 5001-digit integer as a coordinate", "digits.geojson",
         VALID.replace(b"24.0", b"1" + b"0" * 5000, 1), (ERR, "a 5,001-digit number")),
    Case("a lone surrogate in a property value", "surrogate.geojson",
         VALID.replace(b'"Square"', b'"Sq\\ud800are"'), (ERR, "lone UTF-16 surrogate")),
    Case("a lone surrogate in a zone name", "surname.geojson",
         js(fc(poly(SQUARE))).replace(b'"properties": {}', b'"properties": {"name": "\\udfff"}'),
         (ERR, "lone UTF-16 surrogate")),
    Case("a surrogate pair (accepted: an emoji)", "emoji.geojson",
         VALID.replace(b'"Square"', b'"Sq\\ud83d\\ude00"'), (OK, ""), {"points": NOT_POINTS}),
    Case("a polygon over most of a hemisphere", "hemi.geojson",
         js(fc(poly([[-10, 0], [170, 0], [170, 85], [-10, 85], [-10, 0]], name="Hemi"))),
         (OK, ""), {"zone": (ERR, "outside the data's coverage"),
                    "scenario": (ERR, "outside the data's coverage"), "points": NOT_POINTS}),
    Case("a zone in Madrid, outside the data", "madrid.geojson",
         js(fc(poly([[-4, 40], [-3, 40], [-3, 41], [-4, 41], [-4, 40]], name="Madrid"))),
         (OK, ""), {"zone": (ERR, "outside the data's coverage"),
                    "scenario": (ERR, "outside the data's coverage"), "points": NOT_POINTS}),
    Case("a crs member naming a projected CRS (read as WGS84, said)", "crs.geojson",
         js(fc(poly(SQUARE), crs={"type": "name", "properties": {"name": "EPSG:2180"}})),
         (OK, "declares CRS EPSG:2180"), {"points": NOT_POINTS}),
    Case("CSV with a 5001-digit coordinate", "digits.csv",
         b"lat,lon\n50.1,23.9\n50," + b"1" * 5001 + b"\n", (ERR, "a 5,001-digit number"),
         readers=CSV_READERS),
    Case("CSV with one bad row among good ones", "onebad.csv",
         b"lat,lon\n50.1,23.9\nx,1\n50.2,24.0\n", (ERR, "1 row has no numeric lat/lon: data row 2"),
         readers=CSV_READERS),
    Case("CSV with seven bad rows", "sevenbad.csv",
         b"lat,lon\n" + b"".join(b"50,24\nx%d,1\n" % i for i in range(7)),
         (ERR, "7 rows have no numeric lat/lon: data rows 2 "), readers=CSV_READERS),
    Case("CSV with a ragged row", "ragged.csv", b"lat,lon\n50.1,23.9\n50.2,24.0,7,8\n",
         (ERR, "ragged row"), readers=CSV_READERS),
    Case("CSV whose first row is longer than its header", "ragged1.csv",
         b"lat,lon\n50.2,24.0,7,8\n50.1,23.9\n", (ERR, "ragged row"), readers=CSV_READERS),
    Case("tab-separated CSV (accepted)", "tabs.csv", b"lat\tlon\n50.1\t23.9\n", (OK, ""),
         readers=CSV_READERS),
    Case("CSV with a true/false lon column", "bool.csv", b"lat,lon\n50.1,true\n", (ERR, "true/false"),
         readers=CSV_READERS),
]


# ------------------------------------------------------------------ running a reader
def run_reader(reader: str, data: bytes, filename: str, tmp_path: Path) -> list[str]:
    """Read the file with ``reader``; the messages it said (InputError propagates)."""
    if reader == "layer":
        return read_user_layer(data, filename).messages
    if reader == "zone":
        return list(read_zone_file(data, filename).messages)
    if reader == "scenario":
        notes: list[str] = []
        from_geojson(data, default_name="Imported", notes=notes)
        return notes
    path = tmp_path / filename
    path.write_bytes(data)
    if reader == "path":
        return load_layer(str(path)).attrs["messages"]
    source = open_points(path)
    for _ in source.chunks(1000):
        pass
    return source.messages


def check_one(case: Case, reader: str, tmp_path: Path) -> None:
    outcome, fragment = case.wanted(reader)
    try:
        messages = run_reader(reader, case.data, case.filename, tmp_path)
    except InputError as exc:
        text = str(exc)
        assert outcome == ERR, f"{reader} refused {case.id}: {text}"
        assert fragment in text, f"{reader}: {text!r} does not say {fragment!r}"
        assert "\n" not in text and len(text) < 400, text
        assert not any(w in text for w in PYTHON_WORDS), text
        if reader != "scenario":  # the scenario reader is told no file name; its callers add it
            assert Path(case.filename).name in text, f"{reader}: {text!r} names no file"
        return
    assert outcome == OK, f"{reader} accepted {case.id} (said {messages}); wanted {fragment!r}"
    assert not fragment or any(fragment in m for m in messages), (reader, messages)


#: Cases that take seconds (every reader builds and walks the whole file).
SLOW_CASES = {"over the vertex limit"}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow) if c.id in SLOW_CASES
                                  else c for c in CASES], ids=[c.id for c in CASES])
def test_every_reader_refuses_or_says(case: Case, tmp_path: Path) -> None:
    for reader in case.readers:
        check_one(case, reader, tmp_path / reader)


@pytest.fixture(autouse=True)
def _dirs(tmp_path: Path) -> None:
    for r in READERS:
        (tmp_path / r).mkdir()


# ------------------------------------------------------------------ correct results
def test_accepted_files_give_the_right_geometry() -> None:
    bom = read_user_layer(b"\xef\xbb\xbf" + VALID, "bom.geojson").gdf
    assert shapely.equals_exact(bom.geometry.iloc[0], shapely.Polygon(SQUARE), 0)
    z = read_user_layer(js(fc(poly([[x, y, 9.0] for x, y in SQUARE]))), "z.geojson").gdf
    assert not z.geometry.iloc[0].has_z
    assert np.array_equal(shapely.get_coordinates(z.geometry.iloc[0]), np.asarray(SQUARE))
    (bow,) = read_zone_file(js(fc(poly(BOWTIE))), "b.geojson").zones
    assert bow.geometry.is_valid and bow.geometry.area == pytest.approx(0.5)
    dup = read_user_layer(
        b'{"type":"Feature","properties":{"n":1,"n":2},"geometry":{"type":"Point",'
        b'"coordinates":[23.9,50.4]}}', "dup.geojson").gdf
    assert dup["n"].tolist() == [2]  # the last value, as browsers and GIS read it
    swapped = read_user_layer(b"lat,lon\n23.93,50.47\n", "s.csv").gdf
    # read as the columns say (lon 50.47, lat 23.93): the hint never changes the data
    assert (swapped.geometry.iloc[0].x, swapped.geometry.iloc[0].y) == (50.47, 23.93)
    sc_notes: list[str] = []
    sc = from_geojson(js(fc(poly(BOWTIE, name="Bow"))), notes=sc_notes)
    assert sc.zones[0].geometry.is_valid and any("repaired" in n for n in sc_notes)


def test_without_someone_to_tell_a_scenario_bowtie_is_refused() -> None:
    with pytest.raises(InputError, match="invalid"):
        from_geojson(js(fc(poly(BOWTIE))))


def test_messages_are_the_same_wherever_the_file_enters(tmp_path: Path) -> None:
    """The same bytes, the same problem sentence in every reader (after the file's name)."""
    for data, name in ((b"\x1f\x8b\x08\x00rest", "x.geojson"), (zip_bytes(VALID), "y.geojson"),
                       (VALID[:40], "z.geojson")):
        texts = set()
        for reader in ("layer", "zone", "path", "points"):
            with pytest.raises(InputError) as info:
                run_reader(reader, data, name, tmp_path / reader)
            texts.add(str(info.value).split(name, 1)[1])
        assert len(texts) == 1, texts


# ------------------------------------------------------------------ huge files, by path
def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.truncate(size)
    return path


def _fast_and_small(action, max_s: float = 2.0, max_mb: float = 64.0) -> str:
    """Run ``action``, which must raise InputError within ``max_s`` seconds while tracing
    less than ``max_mb`` MB; return its message."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(InputError) as info:
            action()
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < max_s, f"{elapsed:.2f} s"
    assert peak < max_mb * 2**20, f"peak {peak / 2**20:.1f} MB"
    text = str(info.value)
    assert "\n" not in text
    return text


@pytest.mark.parametrize("ext", [".geojson", ".csv"])
def test_a_1gb_single_line_file_is_refused_without_reading_it(tmp_path: Path, ext: str) -> None:
    big = _sparse(tmp_path / f"big{ext}", 1 << 30)
    limit = f"the limit is {MAX_FILE_LAYER_BYTES:,} bytes ({MAX_FILE_LAYER_BYTES / 2**20:,.0f} MB)"
    assert limit in _fast_and_small(lambda: load_layer(str(big)))
    assert "binary data" in _fast_and_small(lambda: list(open_points(big).chunks()))
    assert "the limit is" in _fast_and_small(lambda: filecheck.read_path(big, MAX_UPLOAD_BYTES))
    assert "the limit is" in _fast_and_small(
        lambda: filecheck.read_path(big, MAX_GEOJSON_BYTES))


def test_a_300mb_line_of_text_is_refused_after_a_few_mb(tmp_path: Path) -> None:
    """A real 300 MB line: --points (CSV) stops at the line limit; a LAYER path under the
    500 MB cap is refused from its first bytes; neither reads it whole."""
    line = tmp_path / "line.csv"
    chunk = b"a" * (1 << 24)
    with line.open("wb") as f:
        for _ in range(300 // 16):
            f.write(chunk)
    assert line.stat().st_size >= 300 * 2**20 - 2**24
    text = _fast_and_small(lambda: open_points(line))
    assert "line longer than 4 MB" in text
    as_json = line.rename(tmp_path / "line.geojson")
    text = _fast_and_small(lambda: load_layer(str(as_json)))
    assert "is not GeoJSON: it does not start with a JSON object" in text and "aaaa" not in text


# ------------------------------------------------------------------ hypothesis
# Generated GeoJSON-ish documents (valid and not: random types, nesting, junk values) and
# damaged share links, through every reader: an InputError or a correct result, never
# anything else.  Runs under the "ci" profile of tests/conftest.py in CI (derandomized).
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                 st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6))
NUMBER = st.one_of(st.floats(-200, 200, allow_nan=False), st.integers(-200, 200))
POSITION = st.one_of(st.lists(NUMBER, min_size=2, max_size=3), st.lists(JUNK, max_size=3), JUNK)
COORDS = st.recursive(st.lists(POSITION, max_size=6),
                      lambda inner: st.lists(inner, max_size=3), max_leaves=20)
GEOM_TYPE = st.sampled_from(list(filecheck.GEOMETRY_TYPES) + ["Feature", "Circle", "", None])
GEOMETRY = st.recursive(
    st.fixed_dictionaries({"type": GEOM_TYPE, "coordinates": st.one_of(COORDS, JUNK)}),
    lambda inner: st.fixed_dictionaries({"type": st.just("GeometryCollection"),
                                         "geometries": st.lists(inner, max_size=3)}),
    max_leaves=6)
PROPS = st.one_of(st.none(), st.dictionaries(st.sampled_from(["name", "kind", "id", "radius_km",
                                                              "layer", "x"]),
                                             st.one_of(JUNK, st.lists(JUNK, max_size=3)),
                                             max_size=4), JUNK)
FEATURE = st.one_of(st.fixed_dictionaries({"type": st.sampled_from(["Feature", "feature"]),
                                           "geometry": st.one_of(GEOMETRY, JUNK),
                                           "properties": PROPS}), GEOMETRY, JUNK)
DOCUMENT = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(["FeatureCollection", "Feature", 7]),
                           "features": st.one_of(st.lists(FEATURE, max_size=4), JUNK)}),
    FEATURE, st.lists(FEATURE, max_size=2), JUNK)
IN_MEMORY = ("layer", "zone", "scenario")


def _encode(doc: object, mangle: int) -> bytes:
    text = json.dumps(doc).encode()
    if mangle == 1:  # cut short
        return text[: len(text) // 2]
    if mangle == 2:  # a byte flipped
        return text[:3] + bytes([text[3] ^ 0x80]) + text[4:] if len(text) > 4 else text
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=DOCUMENT, mangle=st.sampled_from([0, 0, 0, 1, 2]))
def test_generated_geojson_gives_an_input_error_or_a_layer(doc: object, mangle: int) -> None:
    data = _encode(doc, mangle)
    for reader in IN_MEMORY:
        try:
            run_reader(reader, data, "gen.geojson", Path("/nonexistent"))
        except InputError as exc:
            assert "\n" not in str(exc) and not any(w in str(exc) for w in PYTHON_WORDS), exc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(doc=DOCUMENT, mangle=st.sampled_from([0, 0, 1, 2]))
def test_generated_geojson_by_path(doc: object, mangle: int, tmp_path: Path) -> None:
    data = _encode(doc, mangle)
    for reader in ("path", "points"):
        try:
            run_reader(reader, data, f"gen{random.random():.12f}.geojson", tmp_path / reader)
        except InputError as exc:
            assert "\n" not in str(exc) and not any(w in str(exc) for w in PYTHON_WORDS), exc


LON = st.floats(14.0, 40.0, allow_nan=False)
LAT = st.floats(44.0, 70.0, allow_nan=False)
LONLAT = st.tuples(LON, LAT)


@st.composite
def valid_shapes(draw, kinds: tuple[str, ...] = ("Point", "LineString", "Polygon", "Triangle")
                 ) -> dict:
    """A valid Point, LineString or (box or triangle) Polygon in the region, (lon, lat)."""
    kind = draw(st.sampled_from(kinds))
    if kind == "Point":
        return {"type": "Point", "coordinates": list(draw(LONLAT))}
    if kind == "LineString":
        pts = draw(st.lists(LONLAT, min_size=2, max_size=8, unique=True))
        return {"type": "LineString", "coordinates": [list(p) for p in pts]}
    if kind == "Polygon":
        (x0, y0), (x1, y1) = draw(LONLAT), draw(LONLAT)
        if abs(x1 - x0) < 1e-3 or abs(y1 - y0) < 1e-3:
            x1, y1 = x0 + 0.5, y0 + 0.5
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        return {"type": "Polygon", "coordinates": [ring]}
    a = draw(LONLAT)  # a triangle: two offsets of at least 0.1 degree, never collinear
    dx = draw(st.floats(0.1, 2.0))
    ox, oy = draw(st.floats(-2.0, 2.0)), draw(st.floats(0.1, 2.0))
    b, c = [a[0] + dx, a[1]], [a[0] + ox, a[1] + oy]
    return {"type": "Polygon", "coordinates": [[list(a), b, c, list(a)]]}


def _flat(coords) -> np.ndarray:
    return np.asarray(coords, dtype=float).reshape(-1, 2)


#: One to four shapes in any order, at least one of them a polygon (the zone readers'
#: half of the test needs one).
SHAPES_WITH_A_POLYGON = st.tuples(
    st.lists(valid_shapes(("Polygon", "Triangle")), min_size=1, max_size=2),
    st.lists(valid_shapes(), max_size=2),
).flatmap(lambda parts: st.permutations(parts[0] + parts[1]))


@settings(max_examples=150, deadline=None)
@given(shapes=SHAPES_WITH_A_POLYGON)
def test_valid_generated_geometry_keeps_its_vertices_in_lon_lat_order(shapes: list) -> None:
    data = js(fc(*[feat(g, name=f"f{i}") for i, g in enumerate(shapes)]))
    gdf = read_user_layer(data, "gen.geojson").gdf
    assert len(gdf) == len(shapes)
    for g, shape in zip(gdf.geometry.values, shapes):
        assert g.geom_type == shape["type"]
        assert np.array_equal(shapely.get_coordinates(g), _flat(shape["coordinates"]))
    polys = [s for s in shapes if s["type"] == "Polygon"]
    assert polys  # the strategy draws at least one
    zones = read_zone_file(data, "gen.geojson").zones
    notes: list[str] = []
    sc = from_geojson(js(fc(*[feat(g) for g in polys])), notes=notes)
    for z, zone, shape in zip(zones, sc.zones, polys):
        ring = _flat(shape["coordinates"])
        assert np.array_equal(shapely.get_coordinates(z.geometry), ring)
        assert np.array_equal(shapely.get_coordinates(zone.geometry), ring)
        assert (zone.geometry.bounds[0], zone.geometry.bounds[1]) == tuple(ring.min(axis=0))
    assert not any("repaired" in n for n in notes)


def _real_link() -> str:
    sc = Scenario(name="West UA", zones=[Zone("a", "Box", box(23.0, 50.0, 24.5, 51.0)),
                                         Zone("b", "Tri", shapely.Polygon(
                                             [(25, 49), (26, 49), (25.5, 49.8)]))],
                  buffers=[Buffer(23.93432, 50.47099, 75.0), Buffer.around_layer("nato_border",
                                                                                 20.0)])
    return to_url_param(sc)


LINK = _real_link()
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@st.composite
def damaged_links(draw) -> str:
    s = LINK
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["flip", "cut", "append", "insert", "delete"]))
        i = draw(st.integers(0, max(len(s) - 1, 0)))
        c = draw(st.sampled_from(B64 + "=+/ %"))
        s = {"flip": s[:i] + c + s[i + 1:], "cut": s[:i], "append": s + c * draw(
            st.integers(1, 50)), "insert": s[:i] + c + s[i:], "delete": s[:i] + s[i + 1:]}[how]
    return s


PAYLOAD = json.loads(zlib.decompress(base64.urlsafe_b64decode(LINK + "=" * (-len(LINK) % 4))))


def _pack(obj: object) -> str:
    raw = json.dumps(obj).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode()


@st.composite
def mutated_payloads(draw) -> str:
    """The real link's JSON with one value anywhere replaced by junk, re-packed: a link
    that passes the checksum and reaches the decoder's every branch."""
    payload = json.loads(json.dumps(PAYLOAD))
    node, path = payload, []
    while isinstance(node, (dict, list)) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else
                                   list(range(len(node)))))
        path.append((node, key))
        node = node[key]
    junk = draw(st.one_of(JUNK, st.lists(JUNK, max_size=8), st.dictionaries(
        st.text(max_size=2), JUNK, max_size=2), st.just([[0] * 7])))
    if path:
        parent, key = path[-1]
        parent[key] = junk
    else:
        payload = junk
    return _pack(payload)


def _decodes_or_refuses(param: str) -> None:
    try:
        sc = from_url_param(param)
    except InputError as exc:
        assert "\n" not in str(exc) and not any(w in str(exc) for w in PYTHON_WORDS), exc
        return
    validate_scenario(sc)  # a correct result: a scenario every writer accepts


@settings(max_examples=150, deadline=None)
@given(param=damaged_links())
def test_damaged_share_links_are_refused_cleanly(param: str) -> None:
    _decodes_or_refuses(param)


@settings(max_examples=150, deadline=None)
@given(param=mutated_payloads())
def test_mutated_link_payloads_are_refused_or_valid(param: str) -> None:
    _decodes_or_refuses(param)


def test_a_zlib_bomb_link_is_refused_without_inflating_it() -> None:
    bomb = base64.urlsafe_b64encode(zlib.compress(b"[" * (4 * 2**20), 9)).rstrip(b"=").decode()
    assert len(bomb) <= 6000  # 4 MB in a link that fits the URL cap: the 1 MB inflate cap stops it
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="more than 1 MB"):
            from_url_param(bomb)
        assert tracemalloc.get_traced_memory()[1] < 8 * 2**20
    finally:
        tracemalloc.stop()
    with pytest.raises(InputError, match="nested too deeply"):
        from_url_param(base64.urlsafe_b64encode(zlib.compress(b"[" * 100_000, 9)).rstrip(
            b"=").decode())


# ------------------------------------------------------------------ special files, by type
def _within(action, seconds: float = 10.0):
    """Run ``action`` in a daemon thread; the InputError it raises (fails if it blocks: a
    regression hangs the thread, not the test run)."""
    import threading

    out: dict[str, BaseException | None] = {}

    def run() -> None:
        try:
            action()
            out["exc"] = None
        except BaseException as exc:
            out["exc"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"blocked for more than {seconds} s"
    assert isinstance(out["exc"], InputError), out["exc"]
    return str(out["exc"])


@pytest.fixture()
def special_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    import os

    fifo = tmp_path / "pipe.geojson"
    os.mkfifo(fifo)
    fifo_csv = tmp_path / "pipe.csv"
    os.mkfifo(fifo_csv)
    zero = tmp_path / "zero.geojson"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.geojson"
    folder.mkdir()
    return {"fifo": (fifo, "a FIFO (named pipe), not a regular file"),
            "fifo csv": (fifo_csv, "a FIFO (named pipe), not a regular file"),
            "device": (zero, "a device, not a regular file"),
            "folder": (folder, "a folder, not a regular file")}


@pytest.mark.parametrize("kind", ["fifo", "fifo csv", "device", "folder"])
@pytest.mark.parametrize("entry", ["read_path", "load_layer", "open_points"])
def test_special_files_are_refused_by_type_unopened(special_files, kind: str, entry: str) -> None:
    """FIFOs blocked four entries forever; /dev/zero never ends; the same sentence in each."""
    path, sentence = special_files[kind]
    action = {"read_path": lambda: filecheck.read_path(path, MAX_UPLOAD_BYTES),
              "load_layer": lambda: load_layer(str(path)),
              "open_points": lambda: open_points(path)}[entry]
    text = _within(action)
    assert text == f"cannot read {path}: it is {sentence}", text


def test_a_symlink_is_named_as_given_never_its_target_or_content(tmp_path: Path) -> None:
    secret = tmp_path / "private" / "passwd"
    secret.parent.mkdir()
    secret.write_bytes(b"SECRET-CONTENT:x:0:0\n")
    link = tmp_path / "zones.geojson"
    link.symlink_to(secret)
    for action in (lambda: load_layer(str(link)), lambda: open_points(link),
                   lambda: filecheck.read_path(link, MAX_UPLOAD_BYTES, filecheck.json_head)):
        with pytest.raises(InputError) as info:
            action()
        text = str(info.value)
        rest = text.replace(str(link), "")
        assert str(link) in text and "passwd" not in rest and "SECRET" not in rest, text


def test_one_byte_over_is_visibly_over(tmp_path: Path) -> None:
    over = tmp_path / "over.geojson"
    over.write_bytes(b" " * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(InputError) as info:
        filecheck.read_path(over, MAX_UPLOAD_BYTES)
    assert str(info.value) == (f"{over} is 20,971,521 bytes (20.0 MB); the limit is "
                               "20,971,520 bytes (20 MB)")


def test_long_numbers_are_never_printed(tmp_path: Path) -> None:
    data = b"lat,lon\n50," + b"9" * 309 + b"\n"
    for reader in CSV_READERS:
        with pytest.raises(InputError) as info:
            run_reader(reader, data, "n.csv", tmp_path / reader)
        assert "a 309-digit number" in str(info.value) and "9" * 20 not in str(info.value)


def test_bad_rows_are_named_first_five_then_how_many_more(tmp_path: Path) -> None:
    rows = [f"{50 + i / 100},24" if i % 3 else f"bad{i},24" for i in range(30)]
    data = ("lat,lon\n" + "\n".join(rows) + "\n").encode()
    for reader in CSV_READERS:
        with pytest.raises(InputError) as info:
            run_reader(reader, data, "rows.csv", tmp_path / reader)
        text = str(info.value)
        assert ("10 rows have no numeric lat/lon: data rows 1 (lat='bad0', lon='24'), "
                "4 (lat='bad3', lon='24'), 7 (lat='bad6', lon='24'), 10 (lat='bad9', lon='24'), "
                "13 (lat='bad12', lon='24') and 5 more") in text, (reader, text)


# ------------------------------------------------------------------ Parquet
def _parquet(tmp_path: Path, name: str, table) -> Path:
    import pyarrow.parquet as pq

    path = tmp_path / name
    pq.write_table(table, path)
    return path


def test_a_boolean_lon_column_is_not_degrees(tmp_path: Path) -> None:
    import pyarrow as pa

    path = _parquet(tmp_path, "bool.parquet", pa.table({"lat": [50.0, 51.0], "lon": [True, False]}))
    with pytest.raises(InputError, match="column 'lon' holds true/false values, not degrees"):
        list(open_points(path).chunks())


@pytest.mark.parametrize(("crs", "refused"), [
    ({"id": {"authority": "EPSG", "code": 3857}}, "EPSG:3857"),
    ("EPSG:2180", "EPSG:2180"),
    ({"id": {"authority": "OGC", "code": "CRS84"}}, None),
    (None, None),
])
def test_geoparquet_crs_other_than_wgs84_is_refused(tmp_path: Path, crs, refused) -> None:
    import pyarrow as pa

    lon, lat = (2_664_000.0, 6_540_000.0) if refused else (23.93, 50.47)
    col = {"encoding": "WKB", "geometry_types": ["Point"]}
    if crs is not None:
        col["crs"] = crs
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": col}}
    t = pa.table({"geometry": [shapely.Point(lon, lat).wkb]})
    path = _parquet(tmp_path, "g.parquet",
                    t.replace_schema_metadata({b"geo": json.dumps(geo).encode()}))
    if refused:
        with pytest.raises(InputError, match=f"names the CRS {refused}, not WGS84"):
            open_points(path)
    else:
        assert [len(t) for t, _, _ in open_points(path).chunks()] == [1]
