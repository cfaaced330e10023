"""Write ``tests/slow_tests.txt`` (the tests the fast tier leaves out) and
``tests/file_seconds.txt`` (what each test file costs) from a timed run.

    python -m pytest -p no:randomly --durations=0 > durations.log   # the whole suite
    python scripts/slow_tests.py durations.log [more.log ...] [--over 1.0] [--load-factor 1.0]

A test is slow when its setup, call and teardown together took more than ``--over``
seconds in any of the logs (divided by ``--load-factor`` when the run shared the machine: a run at twice
the usual wall time gives 2).  Tests marked ``slow`` or ``browser`` in their code stay
marked whatever the list says; the list adds to them.  ``tests/conftest.py`` reads the
list at collection and marks each test on it ``slow``, so
``python -m pytest -m "not slow and not browser"`` (the fast tier) leaves it out.

``file_seconds.txt`` gives each file's seconds (its tests' setup, call and teardown).
The test workers take whole files (``--dist loadfile``); ``tests/conftest.py`` hands them
out longest first, so no long file starts last while the other worker idles.
"""
from __future__ import annotations

import argparse
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "tests" / "slow_tests.txt"
FILES = ROOT / "tests" / "file_seconds.txt"
HEADER = ("# Tests over {over:g} s in a timed run of the whole suite: tests/conftest.py marks\n"
          "# them slow, so the fast tier (-m \"not slow and not browser\") leaves them out.\n"
          "# Rebuilt by scripts/slow_tests.py from a --durations=0 log; one node id a line.\n")
FILES_HEADER = ("# Seconds per test file (setup, call and teardown of its tests) in a timed run of the\n"
                "# whole suite: tests/conftest.py runs the longest files first. Rebuilt by\n"
                "# scripts/slow_tests.py with slow_tests.txt.\n")
_LINE = re.compile(r"^([\d.]+)s (?:setup|call|teardown)\s+(\S.*?)\s*$")


def durations(log_text: str) -> dict[str, float]:
    """Seconds per test node id (setup + call + teardown) from pytest's ``--durations`` lines.

    >>> durations("1.50s call     tests/test_a.py::test_x\\n0.50s setup    tests/test_a.py::test_x\\n")
    {'tests/test_a.py::test_x': 2.0}
    """
    total: dict[str, float] = defaultdict(float)
    for line in log_text.splitlines():
        m = _LINE.match(line)
        if m:
            total[m.group(2)] += float(m.group(1))
    return dict(total)


def slow_ids(seconds: dict[str, float], over_s: float) -> list[str]:
    """The node ids over ``over_s`` seconds, sorted.

    >>> slow_ids({"t::a": 0.2, "t::b": 3.0}, 1.0)
    ['t::b']
    """
    return sorted(k for k, v in seconds.items() if v > over_s)


def file_seconds(seconds: dict[str, float]) -> dict[str, float]:
    """Seconds per file: the sum over its node ids.

    >>> file_seconds({"t/a.py::x": 1.0, "t/a.py::y[1]": 0.5, "t/b.py::z": 2.0})
    {'t/a.py': 1.5, 't/b.py': 2.0}
    """
    total: dict[str, float] = defaultdict(float)
    for node_id, s in seconds.items():
        total[node_id.split("::", 1)[0]] += s
    return dict(total)


def file_lines(seconds: dict[str, float]) -> str:
    """``seconds path`` lines, the longest file first.

    >>> print(file_lines({"t/a.py": 1.25, "t/b.py": 20.0}), end="")
    20.0 t/b.py
    1.2 t/a.py
    """
    ranked = sorted(seconds.items(), key=lambda kv: (-kv[1], kv[0]))
    return "".join(f"{s:.1f} {path}\n" for path, s in ranked)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("logs", type=Path, nargs="+", help="outputs of python -m pytest --durations=0")
    ap.add_argument("--over", type=float, default=1.0, help="seconds (default 1.0)")
    ap.add_argument("--load-factor", type=float, default=1.0,
                    help="how many times slower than usual the timed run was (default 1)")
    args = ap.parse_args(argv)
    seconds: dict[str, float] = {}
    for log in args.logs:
        for k, v in durations(log.read_text(encoding="utf-8", errors="replace")).items():
            seconds[k] = max(v, seconds.get(k, 0.0))
    ids = slow_ids({k: v / args.load_factor for k, v in seconds.items()}, args.over)
    LIST.write_text(HEADER.format(over=args.over) + "".join(i + "\n" for i in ids), encoding="utf-8")
    print(f"{len(ids)} of {len(seconds)} timed tests over {args.over:g} s -> {LIST.relative_to(ROOT)}")
    per_file = file_seconds({k: v / args.load_factor for k, v in seconds.items()})
    FILES.write_text(FILES_HEADER + file_lines(per_file), encoding="utf-8")
    print(f"{len(per_file)} files -> {FILES.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
