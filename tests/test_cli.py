"""``python -m dashboard``: output formats, exit codes and one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import shapely
from clirun import cli_in_process
from geo_reference import GEOD, brute_distance_km, densified_points
from shapely.geometry import shape

from conftest import ROOT
from dashboard.cli import main

PRZ = "50.47099,23.93432"


@pytest.fixture(autouse=True, scope="module")
def _own_cache_folder(tmp_path_factory):
    """Prepared layers go to a folder of this module's, not the user's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("DASHBOARD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_layers_json(capsys):
    code, out, _ = run(capsys, "layers", "--json")
    rows = json.loads(out)
    assert code == 0
    assert {r["name"] for r in rows} == {"countries", "water", "regions", "zones", "nato_border",
                                         "cities", "incidents", "air_bases", "proposal_places",
                                         "rivers", "wide_water"}
    assert all(r["features"] > 0 for r in rows)
    code, out, _ = run(capsys, "layers")
    assert code == 0 and "nato_border" in out


def test_distance_json_schema_and_values(capsys):
    code, out, _ = run(capsys, "distance", PRZ, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["point"] == {"lat": 50.47099, "lon": 23.93432}
    by_layer = {r["layer"]: r for r in data["results"]}
    assert {"nato_border", "countries"} <= set(by_layer)
    for r in data["results"]:
        assert {"layer", "feature", "distance_km", "nearest", "azimuth_deg", "inside"} <= set(r)
        assert set(r["nearest"]) == {"lat", "lon"}
    nb = by_layer["nato_border"]
    assert nb["feature"] == "PL-UA" and 6.0 < nb["distance_km"] < 7.0 and not nb["inside"]
    _, _, d = GEOD.inv(23.93432, 50.47099, nb["nearest"]["lon"], nb["nearest"]["lat"])
    assert d / 1000 == pytest.approx(nb["distance_km"], abs=0.001)
    assert by_layer["countries"]["feature"] == "PL" and by_layer["countries"]["inside"]
    assert by_layer["countries"]["distance_km"] == 0


def test_distance_date_and_other_forms(capsys):
    # Imatra (Finland): the FI-RU border became NATO's on 2023-04-04
    code, out, _ = run(capsys, "distance", "61.19,28.77", "--to", "nato_border",
                       "--date", "2022-11-15", "--json")
    before = json.loads(out)["results"][0]
    code, out, _ = run(capsys, "distance", "61.19,28.77", "--to", "nato_border",
                       "--date", "2023-04-04", "--json")
    after = json.loads(out)["results"][0]
    assert before["feature"] != "FI-RU" and after["feature"] == "FI-RU"
    # unquoted "LAT LON", DMS and MGRS all name Przewodow
    for argv in (["50.47099", "23.93432"], ["50°28'16\"N 23°56'04\"E"], ["34UGA0821595113"]):
        code, out, _ = run(capsys, "distance", *argv, "--to", "nato_border", "--json")
        assert code == 0 and 6.0 < json.loads(out)["results"][0]["distance_km"] < 7.0
    code, out, _ = run(capsys, "distance", PRZ)
    assert code == 0 and "PL-UA" in out and "inside" in out


def test_distance_points_csv(tmp_path, capsys):
    src = tmp_path / "pts.csv"
    pd.DataFrame({"name": ["prz", "lviv", "vilnius"], "lat": [50.47099, 49.84, 54.687],
                  "lon": [23.93432, 24.03, 25.28]}).to_csv(src, index=False)
    out_csv = tmp_path / "out.csv"
    code, _, _ = run(capsys, "distance", "--points", str(src), "--to", "nato_border",
                     "--to", "incidents", "-o", str(out_csv))
    assert code == 0
    res = pd.read_csv(out_csv)
    assert list(res.columns) == ["name", "lat", "lon", "nato_border_km", "nato_border_feature",
                                 "incidents_km", "incidents_feature"]
    assert res.loc[0, "nato_border_feature"] == "PL-UA" and 6 < res.loc[0, "nato_border_km"] < 7
    assert res.loc[0, "incidents_km"] == pytest.approx(0, abs=1e-6)
    assert res.loc[2, "nato_border_feature"] == "LT-BY"
    out_gj = tmp_path / "out.geojson"
    assert main(["distance", "--points", str(src), "-o", str(out_gj)]) == 0
    fc = json.loads(out_gj.read_text())
    props = fc["features"][1]["properties"]
    assert props["name"] == "lviv" and "countries_km" in props and props["countries_feature"] == "UA"


def test_distance_points_geojson_large_shows_progress(tmp_path, capsys):
    rng = np.random.default_rng(5)
    n = 12_000
    lon, lat = rng.uniform(20, 30, n), rng.uniform(48, 56, n)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"i": i},
         "geometry": {"type": "Point", "coordinates": [float(lon[i]), float(lat[i])]}}
        for i in range(n)]}
    src = tmp_path / "many.geojson"
    src.write_text(json.dumps(fc))
    out = tmp_path / "many.csv"
    code, _, err = run(capsys, "distance", "--points", str(src), "--to", "nato_border",
                       "-o", str(out))
    assert code == 0 and "12,000/12,000 points" in err
    res = pd.read_csv(out)
    assert len(res) == n and list(res["i"][:3]) == [0, 1, 2]
    border = shapely.union_all(
        [shape(f["geometry"]) for f in json.loads(
            (ROOT / "geodata" / "nato_border.geojson").read_text())["features"]])
    ref = densified_points(border, 0.05)
    for i in (0, 777, 11_999):
        best, _ = brute_distance_km(res["lon"][i], res["lat"][i], ref)
        assert res["nato_border_km"][i] == pytest.approx(best, abs=0.002)


def test_buffer_point_and_layer(tmp_path, capsys):
    out = tmp_path / "ring.geojson"
    code, msg, _ = run(capsys, "buffer", "--point", PRZ, "--km", "90", "-o", str(out))
    assert code == 0 and "90 km" in msg
    feat = json.loads(out.read_text())["features"][0]
    ring = np.asarray(feat["geometry"]["coordinates"][0])
    _, _, d = GEOD.inv(np.full(len(ring), 23.93432), np.full(len(ring), 50.47099),
                       ring[:, 0], ring[:, 1])
    np.testing.assert_allclose(d / 1000, 90.0, rtol=1e-6)
    assert feat["properties"]["distance_km"] == 90 and feat["properties"]["area_km2"] > 25_000
    out2 = tmp_path / "band.geojson"
    code, _, _ = run(capsys, "buffer", "--layer", "nato_border", "--where", "id=PL-UA",
                     "--km", "25", "-o", str(out2))
    feats = json.loads(out2.read_text())["features"]
    assert code == 0 and len(feats) == 1 and feats[0]["properties"]["feature"] == "PL-UA"
    code, out3, _ = run(capsys, "buffer", "--layer", "zones", "--where", "id=lviv-volyn",
                        "--km", "10", "--side", "inside")
    assert code == 0 and json.loads(out3)["features"][0]["properties"]["side"] == "inside"


def test_zone_json_keys(tmp_path, capsys):
    code, out, _ = run(capsys, "zone", "--preset", "lviv-volyn", "--date", "2022-11-15", "--json")
    m = json.loads(out)
    assert code == 0
    assert set(m) == {"area_km2", "perimeter_km", "nato_border_km", "closest_belarus_km",
                      "closest_russia_km", "cities_inside", "incidents"}
    assert m["cities_inside"]["largest"][0]["name"] == "Lviv"
    zf = tmp_path / "z.geojson"
    zf.write_text(json.dumps({"type": "Feature", "properties": {},
                              "geometry": shapely.geometry.mapping(shapely.box(23, 49, 25, 51))}))
    code, out, _ = run(capsys, "zone", "--file", str(zf))
    assert code == 0 and "area" in out and "Przew" in out


@pytest.mark.parametrize("argv,fragment", [
    (["distance", "95,23"], "latitude"),
    (["distance", "hello"], "position"),
    (["distance", PRZ, "--to", "no_such_layer"], "unknown layer"),
    (["distance", PRZ, "--date", "yesterday"], "date"),
    (["distance", "--points", "/nonexistent/x.csv", "-o", "/tmp/o.csv"], "cannot read"),
    (["distance"], "position"),
    (["buffer", "--point", PRZ, "--km", "0"], "more than 0"),
    (["buffer", "--layer", "nato_border", "--where", "id=XX", "--km", "5"], "no feature"),
    (["buffer", "--layer", "nato_border", "--where", "nope", "--km", "5"], "FIELD=VALUE"),
    (["buffer", "--km", "5"], "either"),
    (["zone", "--preset", "atlantis"], "unknown zone"),
    (["zone"], "either"),
    (["frobnicate"], "invalid choice"),
])
def test_user_errors_exit_2_one_line(capsys, argv, fragment):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own checks exit directly
        code = exc.code
    assert code == 2
    _, err = capsys.readouterr()
    assert err.startswith("error: ") and err.count("\n") == 1 and fragment in err
    assert "Traceback" not in err


def test_bad_file_contents_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["distance", "--points", str(bad), "-o", str(tmp_path / "o.csv")]) == 2
    assert "lat" in capsys.readouterr().err
    proj = tmp_path / "proj.geojson"
    proj.write_text(json.dumps({"type": "Point", "coordinates": [500000, 5600000]}))
    assert main(["distance", PRZ, "--to", str(proj)]) == 2
    assert "projected" in capsys.readouterr().err


@pytest.mark.slow  # two interpreters start
def test_real_process_exit_codes():
    ok = subprocess.run([sys.executable, "-m", "dashboard", "distance", PRZ, "--json"],
                        cwd=ROOT, capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and json.loads(ok.stdout)["results"]
    bad = subprocess.run([sys.executable, "-m", "dashboard", "distance", "north of here"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1
    assert "Traceback" not in bad.stderr
    # the CLI tests that run in-process (tests/clirun.py) get what the process gave
    for real in (ok, bad):
        here = cli_in_process(real.args[3:], text=True)
        assert (here.returncode, here.stdout, here.stderr) == (real.returncode, real.stdout,
                                                               real.stderr)


def test_in_process_runs_answer_as_a_new_interpreter_would(monkeypatch):
    """``tests/clirun.py``: stdout bytes, stdin, warnings, log records, tracebacks, exit codes
    and the environment of one call, as ``python -m dashboard`` would have them."""
    import logging
    import os
    import warnings

    import dashboard.cli

    def fake_main(argv):
        if argv == ["raise"]:
            raise RuntimeError("boom")
        if argv == ["exit"]:
            raise SystemExit("bye")
        if argv == ["help"]:
            raise SystemExit(0)
        sys.stdout.write("text ")
        sys.stdout.buffer.write(b"\xffbytes")
        print(os.environ.get("CLIRUN_X"), os.environ.get("CLIRUN_GONE"), sys.stdin.read(),
              file=sys.stderr)
        warnings.warn("a warning", UserWarning, stacklevel=1)
        warnings.warn("a deprecation", DeprecationWarning, stacklevel=1)  # hidden by default
        logging.getLogger("clirun.test").warning("a log record")
        logging.getLogger("clirun.test").info("not shown")
        return 3

    monkeypatch.setattr(dashboard.cli, "main", fake_main)
    monkeypatch.setenv("CLIRUN_GONE", "here")
    monkeypatch.delenv("CLIRUN_X", raising=False)
    res = cli_in_process(["go"], stdin=b"piped", env={"CLIRUN_X": "set", "CLIRUN_GONE": None})
    assert res.returncode == 3 and res.stdout == b"text \xffbytes"
    lines = res.stderr.decode().splitlines()
    assert lines[0] == "set None piped"
    assert any("UserWarning: a warning" in line for line in lines), lines
    assert "a log record" in lines and "deprecation" not in res.stderr.decode()
    assert "not shown" not in res.stderr.decode()
    assert os.environ["CLIRUN_GONE"] == "here" and "CLIRUN_X" not in os.environ
    crash = cli_in_process(["raise"], text=True)
    assert crash.returncode == 1 and "Traceback" in crash.stderr
    assert crash.stderr.splitlines()[-1] == "RuntimeError: boom"
    bye = cli_in_process(["exit"], text=True)
    assert (bye.returncode, bye.stderr) == (1, "bye\n")
    assert cli_in_process(["help"]).returncode == 0


def test_distance_several_positions(capsys):
    code, out, _ = run(capsys, "distance", PRZ, "49.84,24.03", "--to", "nato_border", "--json")
    assert code == 0
    data = json.loads(out)
    assert [p["point"] for p in data["points"]] == [{"lat": 50.47099, "lon": 23.93432},
                                                   {"lat": 49.84, "lon": 24.03}]
    for p in data["points"]:
        _, one, _ = run(capsys, "distance", f"{p['point']['lat']},{p['point']['lon']}",
                        "--to", "nato_border", "--json")
        assert json.loads(one)["results"] == p["results"]
    # unquoted pairs, and DMS next to decimal
    code, out, _ = run(capsys, "distance", "50.47099", "23.93432", "49.84", "24.03",
                       "--to", "nato_border")
    assert code == 0 and out.count("PL-UA") == 2 and "49.84000, 24.03000" in out
    code, out, _ = run(capsys, "distance", "50°28'16\"N 23°56'04\"E", "49.84,24.03",
                       "--to", "nato_border", "--json")
    assert code == 0 and len(json.loads(out)["points"]) == 2
    code, _, err = run(capsys, "distance", PRZ, "hello", "--to", "nato_border")
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1


def test_distance_help_names_several_positions(capsys):
    with pytest.raises(SystemExit):
        main(["distance", "--help"])
    out = capsys.readouterr().out
    assert "one or more positions" in out and "--engine" in out and ".parquet" in out
