"""``python -m dashboard scenarios``: the CLI against both stores.

The GeoPackage store is chosen with ``--store PATH``, the PostgreSQL one with
``DASHBOARD_STORE_URL`` (as an operator's script would set it), so both ways of
choosing are exercised; what the CLI wrote is checked through the library.

The CLI runs in this process as a fresh ``python -m dashboard`` would
(``tests/clirun.py``); the calls with ``real=True`` run the real one in a subprocess:
a scenario piped through stdin and out through stdout as bytes, the store named by
the environment of a new process, and a refused store URL.
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from clirun import cli_in_process, cli_subprocess
from pgserver import APP_PASSWORD

from conftest import make_scenario, small_scenario
from dashboard.store import Scenario, from_geojson, open_store, to_geojson


def cli(store_url: str | None, *args: str, stdin: bytes | None = None,
        env_url: str | None = None, real: bool = False) -> subprocess.CompletedProcess:
    """Run ``python -m dashboard scenarios ...``: a GeoPackage via ``--store``, a
    PostgreSQL URL via ``DASHBOARD_STORE_URL``; in this process, or (``real``) in a
    new interpreter."""
    env: dict[str, str | None] = {"DASHBOARD_STORE_URL": None}
    pre: list[str] = []
    if env_url is not None:
        env["DASHBOARD_STORE_URL"] = env_url
    elif store_url is not None and store_url.startswith("postgresql://"):
        env["DASHBOARD_STORE_URL"] = store_url
    elif store_url is not None:
        pre = ["--store", store_url]
    if real:
        return cli_subprocess(["scenarios", *pre, *args], stdin=stdin, env=env, timeout=60)
    return cli_in_process(["scenarios", *pre, *args], stdin=stdin, env=env)


def one_error_line(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 2, out
    lines = out.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


@pytest.mark.slow  # two real processes
def test_import_list_export_delete(store_url: str, tmp_path: Path) -> None:
    s = make_scenario()
    src = tmp_path / "in.geojson"
    src.write_text(json.dumps(to_geojson(s), ensure_ascii=False), encoding="utf-8")
    out = cli(store_url, "import", str(src))
    assert out.returncode == 0, out.stderr
    assert f"imported {s.name!r} (3 zones, 2 buffers)" in out.stderr.decode()
    store = open_store(store_url)
    saved = store.load(s.name)
    assert replace_updated(saved) == replace_updated(s)  # exactly what the file held

    out = cli(store_url, "list", "--json")
    assert out.returncode == 0 and json.loads(out.stdout) == [
        {"name": s.name, "updated": saved.updated, "n_zones": 3}]
    table = cli(store_url, "list").stdout.decode().splitlines()
    assert table[0].split() == ["name", "updated", "(UTC)", "zones"]
    assert table[1].startswith(s.name) and table[1].split()[-2:] == [saved.updated, "3"]

    dest = tmp_path / "out.geojson"
    assert cli(store_url, "export", s.name, "-o", str(dest)).returncode == 0
    expected = json.dumps(to_geojson(saved), ensure_ascii=False).encode("utf-8")
    assert dest.read_bytes() == expected  # the app's export format, byte for byte
    assert from_geojson(dest.read_bytes()) == saved
    # a real process: the bytes on stdout, and below a scenario piped in on stdin
    assert cli(store_url, "export", s.name, "-o", "-", real=True).stdout == expected

    line = one_error_line(cli(store_url, "import", str(src)))
    assert "already exists" in line and "--overwrite" in line
    assert cli(store_url, "import", str(src), "--overwrite").returncode == 0
    out = cli(store_url, "import", "-", "--name", "Copy of A", stdin=expected, real=True)
    assert out.returncode == 0, out.stderr
    assert store.load("Copy of A").zones == s.zones
    assert cli(store_url, "rename", "Copy of A", "Kopie").returncode == 0

    assert cli(store_url, "delete", s.name).returncode == 0
    assert "no saved scenario named" in one_error_line(cli(store_url, "delete", s.name))
    assert [r["name"] for r in json.loads(cli(store_url, "list", "--json").stdout)] == ["Kopie"]


def replace_updated(s: Scenario) -> Scenario:
    return replace(s, updated="")


def test_a_plain_feature_collection_imports_under_its_file_name(store_url: str,
                                                                tmp_path: Path) -> None:
    src = tmp_path / "Volyn zones.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Box"},
         "geometry": {"type": "Polygon", "coordinates": [[[24, 50], [25, 50], [25, 51],
                                                          [24, 50]]]}}]}))
    assert cli(store_url, "import", str(src)).returncode == 0
    assert [z.name for z in open_store(store_url).load("Volyn zones").zones] == ["Box"]


def test_bad_input_is_one_line_and_exit_2(store_url: str, tmp_path: Path) -> None:
    assert "no saved scenario named 'ghost'" in one_error_line(
        cli(store_url, "export", "ghost", "-o", str(tmp_path / "x.geojson")))
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    assert "not valid JSON" in one_error_line(cli(store_url, "import", str(bad)))
    assert "cannot read" in one_error_line(cli(store_url, "import", str(tmp_path / "no.json")))
    good = tmp_path / "good.geojson"
    good.write_text(json.dumps(to_geojson(small_scenario("x", 0))))
    assert "control characters" in one_error_line(
        cli(store_url, "import", str(good), "--name", "a\tb"))
    assert "required" in one_error_line(cli(store_url))  # no action
    assert open_store(store_url).list() == []


@pytest.mark.slow  # a real process
def test_store_choice_errors(pg_server, fresh_pg_url: str, tmp_path: Path) -> None:
    line = one_error_line(cli(None, "list", env_url="mysql://root:hunter2@db/x", real=True))
    assert "DASHBOARD_STORE_URL must be postgresql://" in line and "hunter2" not in line
    from appserver import free_port

    closed = fresh_pg_url.replace(f":{pg_server.port}/", f":{free_port()}/")
    line = one_error_line(cli(closed, "list"))
    assert "is not reachable (connection refused)" in line and APP_PASSWORD not in line
    # --store wins over the variable
    out = cli(None, "--store", str(tmp_path / "t.gpkg"), "list", "--json", env_url=closed)
    assert out.returncode == 0 and json.loads(out.stdout) == []
