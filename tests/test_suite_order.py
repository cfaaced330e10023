"""The suite's schedule: the longest test files start first (tests/file_seconds.txt)."""
from __future__ import annotations

from dataclasses import dataclass

from conftest import ROOT, file_seconds, longest_files_first


@dataclass
class Item:
    nodeid: str


def test_longest_files_first_keeps_each_files_order(monkeypatch) -> None:
    import conftest

    monkeypatch.setattr(conftest, "file_seconds", lambda: {"t/b.py": 50.0, "t/c.py": 9.0})
    items = [Item("t/a.py::x"), Item("t/c.py::y"), Item("t/b.py::z[2]"), Item("t/a.py::w"),
             Item("t/b.py::z[1]"), Item("d/m.py::d.m.f")]
    longest_files_first(items)  # type: ignore[arg-type]
    assert [i.nodeid for i in items] == ["t/b.py::z[2]", "t/b.py::z[1]", "t/c.py::y",
                                         "t/a.py::x", "t/a.py::w", "d/m.py::d.m.f"]


def test_every_timed_file_exists_and_the_long_ones_are_timed() -> None:
    seconds = file_seconds()
    missing = sorted(name for name in seconds if not (ROOT / name).is_file())
    assert not missing, f"renamed or removed, rebuild with scripts/slow_tests.py: {missing}"
    browser_files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("test_browser_*.py"))
    assert all(seconds.get(name, 0.0) > 5.0 for name in browser_files), \
        [name for name in browser_files if seconds.get(name, 0.0) <= 5.0]
