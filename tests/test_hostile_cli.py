"""The CLI on hostile and broken files: exit status 2, exactly one line on stderr
starting ``error:`` and naming the problem, no traceback; files it accepts with a
change say so as ``warning:`` lines.

Most cases call the CLI in this process as a fresh ``python -m dashboard`` would run
(``tests/clirun.py``: its streams, warnings, logging and exit codes); the cases in
:data:`REAL_PROCESS` run the real ``python -m dashboard`` in a subprocess: a FIFO that
blocks must fail, not hang, under a timeout that kills; argv bytes that are not UTF-8
arrive through ``os.fsdecode``; deep nesting meets the interpreter's own stack."""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from clirun import cli_in_process, cli_subprocess
from test_hostile_input import (
    ACROSS_180,
    BOWTIE,
    SQUARE,
    VALID,
    fc,
    js,
    nested_collection,
    poly,
    zip_bomb,
)


def cli(*args: str, timeout_s: float = 120.0, real: bool = False) -> subprocess.CompletedProcess:
    """``python -m dashboard *args``: in this process, or (``real``) in a new interpreter."""
    if real:
        return cli_subprocess(args, text=True, timeout=timeout_s)
    return cli_in_process(args, text=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("hostile")
    contents = {
        "noise.geojson": bytes(range(256)) * 16,
        "cut.geojson": VALID[: len(VALID) // 2],
        "utm.geojson": js(fc(poly([[500000, 5500000], [600000, 5500000], [600000, 5600000],
                                   [500000, 5500000]]))),
        "bomb.geojson": zip_bomb(50),
        "u16.geojson": json.dumps(fc(poly(SQUARE))).encode("utf-16"),
        "nan.geojson": VALID.replace(b"24.0", b"NaN", 1),
        "dateline.geojson": js(fc(poly(ACROSS_180))),
        "gc5000.geojson": nested_collection(5000),
        "bowtie.geojson": js(fc(poly(BOWTIE, name="Bow"))),
        "cols.csv": b"name,x1,y1\na,1,2\n",
        "latin1.csv": "name,lat,lon\nKraków,50.06,19.94\n".encode("latin-1"),
        "deep.geojson": b"[" * 100_000 + b"]" * 100_000,
    }
    out = {}
    for name, data in contents.items():
        (d / name).write_bytes(data)
        out[name] = d / name
    big = d / "big.geojson"
    with big.open("wb") as f:
        f.truncate(1 << 30)  # 1 GB, sparse: instant to make, refused from its size
    out["big.geojson"] = big
    big_csv = d / "big.csv"
    with big_csv.open("wb") as f:
        f.truncate(1 << 30)
    out["big.csv"] = big_csv
    out.update(_audit_files(d))
    out["png"] = d / "out.png"
    out["store"] = d / "store.gpkg"
    out["dir"] = d
    return out


def _audit_files(d: Path) -> dict[str, Path]:
    """The independent audit's hostile inputs, as real files (a FIFO, a /dev/zero link)."""
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely

    hemi = [[-10, 0], [170, 0], [170, 85], [-10, 85], [-10, 0]]
    contents = {
        "digits.geojson": VALID.replace(b"24.0", b"1" + b"0" * 5000, 1),
        "digits.csv": b"lat,lon\n50.1,23.9\n50," + b"1" * 5001 + b"\n",
        "surrogate.geojson": VALID.replace(b'"Square"', b'"Sq\\ud800are"'),
        "hemi.geojson": js(fc(poly(hemi, name="Hemi"))),
        "badrows.csv": b"lat,lon\n" + b"".join(b"50,24\nx%d,1\n" % i for i in range(7)),
        "ragged.csv": b"lat,lon\n50.1,23.9\n50.2,24.0,7,8\n",
        "crs.geojson": js(fc(poly(SQUARE, name="Sq"),
                             crs={"type": "name", "properties": {"name": "EPSG:2180"}})),
        "over.geojson": b" " * (20 * 2**20 + 1),
    }
    out = {}
    for name, data in contents.items():
        (d / name).write_bytes(data)
        out[name] = d / name
    os.mkfifo(d / "fifo.geojson")
    out["fifo.geojson"] = d / "fifo.geojson"
    (d / "zero.geojson").symlink_to("/dev/zero")
    out["zero.geojson"] = d / "zero.geojson"
    pq.write_table(pa.table({"lat": [50.0], "lon": [True]}), d / "bool.parquet")
    out["bool.parquet"] = d / "bool.parquet"
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": {
        "encoding": "WKB", "geometry_types": ["Point"],
        "crs": {"id": {"authority": "EPSG", "code": 3857}}}}}
    t = pa.table({"geometry": [shapely.Point(2_664_000.0, 6_540_000.0).wkb]})
    pq.write_table(t.replace_schema_metadata({b"geo": json.dumps(geo).encode()}),
                   d / "merc.parquet")
    out["merc.parquet"] = d / "merc.parquet"
    return out


CASES = [
    (["zone", "--file", "noise.geojson"], "binary data"),
    (["zone", "--file", "cut.geojson"], "cut short"),
    (["zone", "--file", "utm.geojson"], "projected"),
    (["zone", "--file", "bomb.geojson"], "ZIP archive"),
    (["zone", "--file", "big.geojson"], "1,073,741,824 bytes (1,024.0 MB); the limit is 20,971,520 bytes (20 MB)"),
    (["zone", "--file", "dateline.geojson"], "antimeridian"),
    (["zone", "--file", "missing.geojson"], "no such file"),
    (["brief", "--scenario", "cut.geojson", "-o", "png"], "cut short"),
    (["brief", "--scenario", "nan.geojson", "-o", "png"], "NaN is not a JSON number"),
    (["brief", "--scenario", "bomb.geojson", "-o", "png"], "ZIP archive"),
    (["brief", "--scenario", "big.geojson", "-o", "png"], "the limit is 67,108,864 bytes (64 MB)"),
    (["brief", "--scenario", "gc5000.geojson", "-o", "png"], "nested too deeply"),
    (["brief", "--zone", "u16.geojson", "-o", "png"], "UTF-16"),
    (["distance", "--points", "cols.csv", "-o", "-"], "looked for lat/latitude/y"),
    (["distance", "--points", "latin1.csv", "-o", "-"], "not UTF-8"),
    (["distance", "--points", "big.csv", "-o", "-"], "binary data"),
    (["distance", "--points", "deep.geojson", "-o", "-"], "nested too deeply"),
    (["distance", "--points", "bomb.geojson", "-o", "-"], "ZIP archive"),
    (["distance", "50.47,23.93", "--to", "utm.geojson"], "projected"),
    (["distance", "50.47,23.93", "--to", "big.geojson"], "the limit is 524,288,000 bytes (500 MB)"),
    (["buffer", "--layer", "noise.geojson", "--km", "5"], "binary data"),
    (["buffer", "--layer", "dateline.geojson", "--km", "5"], "antimeridian"),
    (["zone", "--file", "over.geojson"],
     "is 20,971,521 bytes (20.0 MB); the limit is 20,971,520 bytes (20 MB)"),
]

#: Every entry that takes a GeoJSON file.
GEOJSON_ENTRIES = [["zone", "--file", "F"], ["brief", "--zone", "F", "-o", "png"],
                   ["brief", "--scenario", "F", "-o", "png"], ["distance", "--points", "F", "-o", "-"],
                   ["distance", "50.47,23.93", "--to", "F"], ["buffer", "--layer", "F", "--km", "5"],
                   ["scenarios", "--store", "store", "import", "F"]]
#: Every entry that takes zones (a zone file or a scenario).
ZONE_ENTRIES = [GEOJSON_ENTRIES[i] for i in (0, 1, 2, 6)]
CSV_ENTRIES = [["distance", "--points", "F", "-o", "-"], ["distance", "50.47,23.93", "--to", "F"]]


def _each(entries: list[list[str]], name: str, fragment: str) -> list:
    return [([name if a == "F" else a for a in e], fragment) for e in entries]


CASES += (_each(GEOJSON_ENTRIES, "fifo.geojson", "it is a FIFO (named pipe), not a regular file")
          + _each(GEOJSON_ENTRIES, "zero.geojson", "it is a device, not a regular file")
          + _each(GEOJSON_ENTRIES, "digits.geojson", "a 5,001-digit number")
          + _each(CSV_ENTRIES, "digits.csv", "a 5,001-digit number")
          + _each(GEOJSON_ENTRIES, "surrogate.geojson", "lone UTF-16 surrogate")
          + _each(ZONE_ENTRIES, "hemi.geojson", "outside the data's coverage")
          + _each(CSV_ENTRIES, "badrows.csv", "7 rows have no numeric lat/lon: data rows 2 ")
          + _each(CSV_ENTRIES, "ragged.csv", "line 3 has 4 fields")
          + [(["distance", "--points", "bool.parquet", "-o", "-"], "holds true/false values"),
             (["distance", "--points", "merc.parquet", "-o", "-"], "names the CRS EPSG:3857"),
             (["distance", "23.93432,50.47099"], "did you mean 50.47099, 23.93432"),
             (["distance", "40.4168,-3.7038"], "outside the data's coverage"),
             (["distance", "--", "-33.8688,151.2093"], "outside the data's coverage"),
             (["distance", "32XMH1234512345"], "grid zone 32X does not exist"),
             (["distance", "50.47,23.93", "--date", "2023-04-031"], "'2023-04-031' is not a date"),
             (["distance", "50.47,23.93", "--date", "2023-04-04junk"], "is not a date"),
             # bytes that are not UTF-8 in argv arrive as lone surrogates (os.fsdecode)
             (["brief", "--preset", "lviv-volyn", "--title", "T\udcff", "-o", "png"],
              "argument --title: not UTF-8 text"),
             (["scenarios", "--store", "store", "rename", "a", "N\udcff"],
              "argument NEW: not UTF-8 text")])


def _args(argv: list[str], files: dict[str, Path]) -> list[str]:
    return [str(files[a]) if a in files and a != "dir" else
            str(files["dir"] / a) if a.endswith((".geojson", ".csv")) else a for a in argv]


#: Cases run by a real ``python -m dashboard`` (slow: a new interpreter each), for what only
#: a process shows: a FIFO that would block is killed by the timeout, not waited on forever;
#: argv bytes that are not UTF-8 come through ``os.fsdecode``; nesting meets a fresh stack.
REAL_PROCESS = frozenset({"zone --file fifo.geojson",
                          "brief --preset lviv-volyn --title T\udcff -o png",
                          "distance --points deep.geojson -o -",
                          "brief --scenario gc5000.geojson -o png"})
assert REAL_PROCESS.issubset(" ".join(a) for a, _ in CASES)


def _case(argv: list[str], fragment: str):
    name = " ".join(argv)
    real = name in REAL_PROCESS
    return pytest.param(argv, fragment, real, id=name, marks=[pytest.mark.slow] if real else [])


@pytest.mark.parametrize(("argv", "fragment", "real"), [_case(a, f) for a, f in CASES])
def test_bad_file_exits_2_with_one_line(argv: list[str], fragment: str, real: bool,
                                        files: dict[str, Path]) -> None:
    t0 = time.perf_counter()
    # a FIFO that blocks fails, never hangs
    res = cli(*_args(argv, files), timeout_s=60.0, real=real)
    elapsed = time.perf_counter() - t0
    assert res.returncode == 2, (res.returncode, res.stderr[-2000:])
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr[-2000:]
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in res.stderr and res.stdout == ""
    name = next((a for a in argv if a.endswith((".geojson", ".csv"))), None)
    assert name is None or name in lines[0], lines[0]  # the file is named
    assert elapsed < 60, elapsed


def test_a_repaired_zone_file_is_measured_and_the_repair_said(files: dict[str, Path]) -> None:
    res = cli("zone", "--file", str(files["bowtie.geojson"]), "--json")
    assert res.returncode == 0, res.stderr
    (line,) = res.stderr.splitlines()
    assert line.startswith("warning: ") and "bowtie.geojson" in line and "repaired" in line
    assert json.loads(res.stdout)["area_km2"] > 0


def test_a_declared_crs_is_warned_in_scenario_import_too(files: dict[str, Path]) -> None:
    """The layer readers warned of a GeoJSON crs member naming a projected CRS; the scenario
    import said nothing: the same warning everywhere."""
    for argv in (["zone", "--file", "crs.geojson", "--json"],
                 ["distance", "50.47,23.93", "--to", "crs.geojson"],
                 ["scenarios", "--store", "store", "import", "crs.geojson", "--overwrite"]):
        res = cli(*_args(argv, files))
        assert res.returncode == 0, res.stderr
        assert any(line.startswith("warning: ") and "declares CRS EPSG:2180" in line
                   for line in res.stderr.splitlines()), (argv, res.stderr)
