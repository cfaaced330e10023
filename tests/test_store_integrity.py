"""The scenario store checks a file before writing into it: an empty (0-byte) file, a damaged
file (``PRAGMA quick_check``) or an SQLite file that is not a GeoPackage is refused, with the
file named and how to recover; nothing in it is changed.  Real damaged files, no mocks."""
from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import run_cli, small_scenario
from dashboard.geo.errors import InputError
from dashboard.store import ScenarioStore


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_empty_file_is_not_taken_for_an_empty_store(tmp_path: Path) -> None:
    path = tmp_path / "scenarios.gpkg"
    path.write_bytes(b"")
    store = ScenarioStore(path)
    for action in (lambda: store.save(small_scenario("a", 1)), store.list,
                   lambda: store.delete("a")):
        with pytest.raises(InputError) as info:
            action()
        text = str(info.value)
        assert str(path) in text and "empty file (0 bytes)" in text and "Move it aside" in text
    assert path.stat().st_size == 0  # not overwritten


def _damaged_store(tmp_path: Path, n: int = 8) -> Path:
    path = tmp_path / "damaged.gpkg"
    store = ScenarioStore(path)
    for i in range(n):
        store.save(small_scenario(f"s{i}", i))
    with sqlite3.connect(path) as con:
        page = con.execute("PRAGMA page_size").fetchone()[0]
    size = path.stat().st_size
    with path.open("r+b") as f:  # the last two pages: random bytes (a torn write, a bad disk)
        f.seek(size - 2 * page)
        f.write(os.urandom(2 * page))
    return path


def test_a_store_damaged_in_its_last_pages_refuses_writes(tmp_path: Path) -> None:
    path = _damaged_store(tmp_path)
    before = _digest(path)
    store = ScenarioStore(path)
    for action in (lambda: store.delete("s0"), lambda: store.save(small_scenario("new", 9)),
                   lambda: store.rename("s1", "renamed")):
        with pytest.raises(InputError) as info:
            action()
        text = str(info.value)
        assert f"the scenario store {path} is damaged" in text, text
        assert f"mv '{path}' '{path}.damaged'" in text and ".recover" in text
        assert "\n" not in text
    assert _digest(path) == before


def test_the_cli_says_the_damage_in_one_line(tmp_path: Path) -> None:
    path = _damaged_store(tmp_path)
    code, out, err = run_cli("scenarios", "--store", str(path), "delete", "s0")
    assert code == 2 and out == ""
    assert err.startswith(f"error: the scenario store {path} is damaged") and err.count("\n") == 1


def test_a_foreign_sqlite_file_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (x)")
        con.execute("INSERT INTO t VALUES (1)")
    before = _digest(path)
    with pytest.raises(InputError, match="SQLite database but not a GeoPackage"):
        ScenarioStore(path).save(small_scenario("a", 1))
    assert _digest(path) == before


def test_a_new_store_file_is_created_whole(tmp_path: Path) -> None:
    path = tmp_path / "new" / "scenarios.gpkg"
    store = ScenarioStore(path)
    store.save(small_scenario("a", 1))
    assert [r.name for r in store.list()] == ["a"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["scenarios.gpkg"]
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
