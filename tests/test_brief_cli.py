"""The ``brief`` subcommand: files of the right kind and size, user errors exit 2."""
from __future__ import annotations

import argparse
import json

import pytest
from PIL import Image

from dashboard.cli import brief as brief_cli


def run(argv: list[str]) -> int:
    try:
        return brief_cli.main(argv)
    except SystemExit as exc:
        return int(exc.code)


def test_png_from_preset(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668523200")
    out = tmp_path / "b.png"
    assert run(["--preset", "lviv-volyn", "--rings", "75,90", "--marking", "UNCLASSIFIED", "-o", str(out)]) == 0
    assert Image.open(out).size == (1920, 1080)
    assert capsys.readouterr().out.strip() == str(out)


def test_svg_from_zone_file_has_title_and_zone_area(tmp_path):
    zone = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "Box zone"},
        "geometry": {"type": "Polygon", "coordinates": [[[24, 49], [26, 49], [26, 50.5], [24, 50.5], [24, 49]]]}}]}
    zf = tmp_path / "zone.geojson"
    zf.write_text(json.dumps(zone))
    out = tmp_path / "b.svg"
    assert run(["--zone", str(zf), "--title", "Box zone brief", "--units", "nm", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Box zone brief" in text and ">Box zone<" in text and "nm²" in text


def test_scenario_file(tmp_path):
    from shapely.geometry import Polygon

    from dashboard import store as scenarios

    sc = scenarios.Scenario(
        name="Two rings", incident_id="2022-11-15-przewodow", units="km",
        zones=[scenarios.Zone("z1", "West box", Polygon([(23, 49), (25, 49), (25, 51), (23, 51)]))],
        buffers=[scenarios.Buffer(23.93432, 50.47099, 75.0), scenarios.Buffer(23.93432, 50.47099, 90.0)])
    f = tmp_path / "s.geojson"
    f.write_text(json.dumps(scenarios.to_geojson(sc)))
    out = tmp_path / "s.svg"
    assert run(["--scenario", str(f), "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "Two rings" in svg and "West box" in svg and "Within 75 km of strike" in svg


@pytest.mark.parametrize("argv,fragment", [
    (["-o", "x.jpg"], "must end in .png, .pdf or .svg"),
    (["--preset", "nope", "-o", "x.png"], "unknown zone"),
    (["--incident", "nope", "-o", "x.png"], "unknown incident"),
    (["--zone", "/does/not/exist.geojson", "-o", "x.png"], "exist.geojson"),
])
def test_user_errors_exit_2(argv, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err
    assert "Traceback" not in err


def test_dashboard_cli_runs_brief(tmp_path, capsys):
    cli = pytest.importorskip("dashboard.cli")
    assert cli.main(["brief", "-o", str(tmp_path / "x.gif")]) == 2
    assert capsys.readouterr().err.startswith("error: output must end in .png, .pdf or .svg")
    out = tmp_path / "ok.svg"
    assert cli.main(["brief", "--preset", "lviv-volyn", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_register_adds_brief_subcommand():
    parser = argparse.ArgumentParser(prog="dashboard")
    sub = parser.add_subparsers(dest="command")
    brief_cli.register(sub)
    args = parser.parse_args(["brief", "--size", "a4", "-o", "out.pdf"])
    assert args.command == "brief" and args.size == "a4" and args.func is brief_cli.run
