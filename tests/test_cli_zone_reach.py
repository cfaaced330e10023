"""``zone … --bases … (--aircraft | --radius-km) [--speed-kmh] --gbad LAT,LON,KM``: the JSON shape
scripts rely on (issue 21 item 6), its figures against brute-force Geod.inv, the text output,
and bad input as one line with exit code 2."""
from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from geo_reference import GEOD
from reach_reference import boundary_points, min_distance_km

from dashboard.analysis import air_bases
from dashboard.analysis.zones import preset_zone
from dashboard.cli import main
from dashboard.data.catalogue import CATALOGUE
from dashboard.io.layers_io import load_layer

#: Stand-ins (airportsdata, rounded) used until the air-bases layer is in the build.
STAND_INS = pd.DataFrame({"code": ["EPLK", "EPRZ", "LZSL"], "name": ["Łask", "Rzeszów", "Sliač"],
                          "country": ["PL", "PL", "SK"], "lon": [19.1791, 22.0190, 19.1369],
                          "lat": [51.5517, 50.1100, 48.6378]})
ZONE = ["zone", "--preset", "ua-border-oblasts", "--date", "2026-12-01"]


@pytest.fixture(autouse=True)
def bases(monkeypatch):
    """The air-bases layer when the build has it, else the stand-ins."""
    if "air_bases" in CATALOGUE:
        return air_bases.air_base_table()
    monkeypatch.setattr(air_bases, "air_base_table", lambda: STAND_INS)
    return STAND_INS


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def f16_json():
    with pytest.MonkeyPatch.context() as mp:
        if "air_bases" not in CATALOGUE:
            mp.setattr(air_bases, "air_base_table", lambda: STAND_INS)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = main([*ZONE, "--bases", "EPRZ,EPLK", "--aircraft", "f-16", "--speed-kmh", "900",
                         "--gbad", "50.11,22.02,patriot", "--gbad", "47.69,26.25,100", "--json"])
    assert code == 0
    return json.loads(buf.getvalue())


def test_reach_json_shape_and_figures(f16_json, bases):
    r = f16_json["reach"]
    assert list(r)[:3] == ["share", "farthest_km", "minutes"]
    assert 0.0 <= r["share"] <= 1.0 and r["radius_km"] == 805.0
    assert r["aircraft"]["id"] == "f-16" and "lower bound" in r["aircraft"]["note"]
    centres = bases.set_index("code").loc[["EPRZ", "EPLK"], ["lon", "lat"]].to_numpy()
    pts = boundary_points(preset_zone("ua-border-oblasts"), 0.1)
    brute = float(min_distance_km(pts[:, 0], pts[:, 1], centres).max())
    assert brute - 0.05 <= r["farthest_km"] <= brute + r["farthest_error_km"]
    assert r["minutes"] == pytest.approx(r["farthest_km"] / 900.0 * 60.0)
    assert r["share"] == 1.0  # 805 km reaches all of it from EPRZ and EPLK


def test_gbad_json_shape_and_border_km(f16_json):
    g = f16_json["gbad"]
    assert list(g)[:2] == ["zone_share", "border_km"]
    assert 0.0 < g["zone_share"] < 1.0
    assert [lc["range_km"] for lc in g["launchers"]] == [160.0, 100.0]
    assert {"PL-UA", "RO-UA"} <= set(g["border_km"])
    assert all(0.0 < s <= 1.0 for s in g["border_share"].values())
    # PL-UA by brute force: the border every 50 m, each point's distance to the Patriot
    line = load_layer("nato_border").set_index("id").geometry["PL-UA"]
    pts = boundary_points(line, 0.05)
    inside = min_distance_km(pts[:, 0], pts[:, 1], [(22.02, 50.11), (26.25, 47.69)],
                             [160.0, 100.0]) <= 0
    step = GEOD.inv(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])[2] / 1000.0
    ref = float((step * (inside[:-1].astype(float) + inside[1:]) / 2).sum())
    assert g["border_km"]["PL-UA"] == pytest.approx(ref, abs=0.1)


def test_radius_and_text_output(capsys):
    code, out, err = run(capsys, *ZONE, "--bases", "eprz", "--radius-km", "300",
                         "--gbad", "50.11,22.02,160")
    assert code == 0, err
    assert "reach from EPRZ (300 km)" in out and "share of the zone in reach" in out
    assert "time to reach it            n/a (give --speed-kmh)" in out
    assert "NATO border PL-UA" in out and "share of the zone covered" in out


def test_without_flags_the_json_is_unchanged(capsys):
    code, out, _ = run(capsys, "zone", "--preset", "lviv-volyn", "--date", "2022-11-15", "--json")
    assert code == 0 and "reach" not in json.loads(out) and "gbad" not in json.loads(out)


@pytest.mark.parametrize("argv, fragment", [
    (["--bases", "EPRX", "--aircraft", "f-16"], "nearest known codes: EPRZ"),
    (["--bases", "EPRZ"], "either --aircraft NAME or --radius-km R"),
    (["--bases", "EPRZ", "--aircraft", "f-16", "--radius-km", "300"], "either --aircraft"),
    (["--aircraft", "f-16"], "need --bases"),
    (["--bases", "EPRZ", "--aircraft", "f-35a"], "unknown aircraft 'f-35a'"),
    (["--bases", "EPRZ", "--radius-km", "6000"], "too large"),
    (["--bases", "EPRZ", "--radius-km", "0"], "more than 0 km"),
    (["--bases", "EPRZ", "--radius-km", "300", "--speed-kmh", "-5"], "speed"),
    (["--gbad", "23.93,50.47,100"], "did you mean 50.47000, 23.93000"),
    (["--gbad", "55,60,100"], "outside the data's coverage"),
    (["--gbad", "50.1,22.0"], "LAT,LON,KM"),
    (["--gbad", "50.1,22.0,0"], "more than 0 km"),
    (["--gbad", "50.1,22.0,nasams"], "unknown air-defence system 'nasams'"),
])
def test_bad_input_exit_2_one_line(capsys, argv, fragment):
    try:
        code = main([*ZONE, *argv])
    except SystemExit as exc:  # argparse's own checks exit directly
        code = exc.code
    _, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and fragment in err, err


def test_share_partial_with_a_short_radius(capsys, bases):
    code, out, _ = run(capsys, *ZONE, "--bases", "EPRZ,EPLK", "--radius-km", "400", "--json")
    r = json.loads(out)["reach"]
    assert code == 0 and 0.2 < r["share"] < 0.9 and r["minutes"] is None
    assert np.isclose(r["covered_km2"] / json.loads(out)["area_km2"], r["share"], rtol=1e-3)


def test_effectiveness_json(capsys):
    from dashboard.analysis import effectiveness as eff
    from dashboard.analysis.incident_catalogue import incident_rows

    code, out, err = run(capsys, "zone", "--preset", "lviv-volyn", "--date", "2026-12-01",
                         "--effectiveness", "--json")
    assert code == 0, err
    m = json.loads(out)
    rows = m["effectiveness"]
    assert rows and all({"id", "paths_crossing_share", "km_inside", "impact_inside"} <= set(r)
                        for r in rows)
    assert all(0.0 <= r["paths_crossing_share"] <= 1.0 for r in rows)
    want = eff.effectiveness(preset_zone("lviv-volyn"), eff.default_hypotheses(incident_rows()))
    assert [r["id"] for r in rows] == [w.id for w in want]
    assert [r["paths_crossing_share"] for r in rows] == [w.paths_crossing_share for w in want]
    assert m["effectiveness_summary"] == eff.effectiveness_summary(want)
    assert "geodesic" in m["effectiveness_assumption"]
