"""``distance LAT,LON``'s fast path and the CLI's lazy subcommands.

The fast path (prepared layers, the plain-Python search) must print what the full
path prints (each layer read and indexed in the process, ``nearest()``), to the last
digit, in text and JSON; the lazy parser must offer what the full one offers.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, run_cli
from dashboard import cli
from dashboard.cli import distance as distance_cli
from dashboard.io import prepared_layers
from dashboard.io.layers_io import load_layer


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(prepared_layers.ENV_DIR, str(tmp_path / "cache"))
    prepared_layers.forget()
    yield
    prepared_layers.forget()


def both(monkeypatch, *argv: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(fast, full) results of the same command line."""
    monkeypatch.setattr(distance_cli, "PREPARED", True)
    fast = run_cli(*argv)
    monkeypatch.setattr(distance_cli, "PREPARED", False)
    full = run_cli(*argv)
    return fast, full


def _positions() -> list[str]:
    """Positions typed as ``LAT,LON``: inside countries, at sea, near and exactly on the
    border (its vertices and the midpoints of its edges), in the far north and south."""
    rng = np.random.default_rng(17)
    lon, lat = rng.uniform(14.0, 40.0, 24), rng.uniform(44.0, 70.0, 24)
    out = [f"{float(y)!r},{float(x)!r}" for x, y in zip(lon, lat)]
    xy = np.concatenate([np.asarray(g.coords) for g in
                         load_layer("nato_border").geometry.explode().to_numpy()])
    pick = np.random.default_rng(5).integers(0, len(xy) - 1, 12)
    out += [f"{float(xy[i, 1])!r},{float(xy[i, 0])!r}" for i in pick]  # on the border
    mid = (xy[pick] + xy[pick + 1]) / 2
    out += [f"{float(y)!r},{float(x)!r}" for x, y in mid]  # on the border, between vertices
    out += ["50.47099,23.93432", "54.5,19.0", "55.0,20.0", "59.5,24.0", "69.7,30.8",
            "45.2,29.7", "52.1,23.6", "50.0,14.0"]  # Przewodów, the Baltic, Narva Bay, ...
    return out


@pytest.mark.parametrize("extra", [[], ["--date", "1999-03-12"], ["--date", "2004-01-01"],
                                   ["--date", "2022-11-15"], ["--date", "2023-04-04"],
                                   ["--to", "countries", "--to", "water"]])
def test_fast_path_prints_the_full_paths_answers(monkeypatch, extra):
    positions = _positions()
    for fmt in ([], ["--json"]):
        fast, full = both(monkeypatch, "distance", *positions, *extra, *fmt)
        assert fast == full
        assert fast[0] == 0
    (code, out, _), _ = both(monkeypatch, "distance", positions[0], *extra, "--json")
    assert code == 0 and json.loads(out)["point"]  # the one-position JSON too


def test_many_positions_go_to_the_compiled_search_with_the_same_answers(monkeypatch):
    rng = np.random.default_rng(23)
    n = distance_cli.PLAIN_SEARCH_MAX_POINTS + 6
    lon, lat = rng.uniform(14, 40, n), rng.uniform(44, 70, n)
    positions = [f"{float(y)!r},{float(x)!r}" for x, y in zip(lon, lat)]
    fast, full = both(monkeypatch, "distance", *positions, "--json")
    assert fast == full and fast[0] == 0


def test_a_geojson_file_and_the_forms_of_a_position(monkeypatch, tmp_path):
    path = tmp_path / "mine.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "line"},
         "geometry": {"type": "LineString", "coordinates": [[23.0, 50.0], [24.5, 51.0]]}},
        {"type": "Feature", "properties": {"name": "box"},
         "geometry": {"type": "Polygon", "coordinates": [[[21, 52], [22, 52], [22, 53],
                                                          [21, 53], [21, 52]]]}}]}))
    for argv in (["50.47099,23.93432", "--to", str(path), "--to", "nato_border"],
                 ["52.5,21.5", "--to", str(path), "--json"],
                 ["50°28'16\"N 23°56'04\"E", "34UGA0821595113", "50.47", "23.93"]):
        fast, full = both(monkeypatch, "distance", *argv)
        assert fast == full and fast[0] == 0


def test_errors_are_the_full_paths(monkeypatch):
    for argv in (["50.47,23.93", "--date", "1940-01-01"], ["50.47,23.93", "--to", "nowhere"],
                 ["23.93,50.47"], ["91,20"]):
        fast, full = both(monkeypatch, "distance", *argv)
        assert fast == full and fast[0] == 2 and fast[2].count("\n") == 1


# ------------------------------------------------------------------ lazy subcommands
def _sub_help(parser) -> dict[str, str]:
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return {a.dest: a.help for a in sub._choices_actions}


def test_each_commands_listed_help_is_its_modules():
    full = cli.build_parser()
    assert _sub_help(full) == dict(cli.COMMANDS)
    assert list(_sub_help(full)) == [name for name, _ in cli.COMMANDS]
    assert cli.build_parser(None).format_help() == full.format_help()


@pytest.mark.parametrize("name", [name for name, _ in cli.COMMANDS])
def test_each_commands_help_is_the_same_alone(name):
    def help_of(parser) -> str:
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        return sub.choices[name].format_help()

    assert help_of(cli.build_parser(name)) == help_of(cli.build_parser())
    assert cli.chosen_command(["--help", name, "x"]) == name
    assert cli.chosen_command(["nosuch"]) is None


def test_one_position_imports_only_what_it_needs(tmp_path):
    # the first run builds the prepared layers (geopandas); the second loads them
    code = ("import sys\n"
            "from dashboard.cli import main\n"
            "main(['distance', '50.47099,23.93432'])\n"
            "print(sorted(m for m in ('numba', 'geopandas', 'pandas', 'dashboard.cli.brief', "
            "'dashboard.analysis', 'dashboard.store', 'dashboard.render', "
            "'dashboard.io.pointio', 'dashboard.data.limits') if m in sys.modules))\n")
    env = {**os.environ, prepared_layers.ENV_DIR: str(tmp_path / "cache"),
           "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120, check=True).stdout for _ in range(2)]
    assert runs[0].splitlines()[:-1] == runs[1].splitlines()[:-1]
    assert runs[1].splitlines()[-1] == "[]"
    assert "PL-UA       6.366 km" in runs[1]


def test_chunk_rows_default_is_the_limit_shown_and_used():
    from dashboard.data.limits import CHUNK_ROWS

    parser = cli.build_parser("distance")
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    text = " ".join(sub.choices["distance"].format_help().split())
    assert f"(default {CHUNK_ROWS:,}; memory grows with it" in text
    assert parser.parse_args(["distance", "--points", "x.csv"]).chunk_rows is None
    assert parser.parse_args(["distance", "--chunk-rows", "7"]).chunk_rows == 7
    assert distance_cli.chunk_rows_default() == CHUNK_ROWS
