"""Write ``tests/slow_tests.txt``, the tests the fast tier leaves out, from a timed run.

    python -m pytest -p no:randomly --durations=0 > durations.log   # the whole suite
    python scripts/slow_tests.py durations.log [more.log ...] [--over 1.0] [--load-factor 1.0]

A test is slow when its setup, call and teardown together took more than ``--over``
seconds in any of the logs (divided by ``--load-factor`` when the run shared the machine: a run at twice
the usual wall time gives 2).  Tests marked ``slow`` or ``browser`` in their code stay
marked whatever the list says; the list adds to them.  ``tests/conftest.py`` reads the
list at collection and marks each test on it ``slow``, so
``python -m pytest -m "not slow and not browser"`` (the fast tier) leaves it out.
"""
from __future__ import annotations

import argparse
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "tests" / "slow_tests.txt"
HEADER = ("# Tests over {over:g} s in a timed run of the whole suite: tests/conftest.py marks\n"
          "# them slow, so the fast tier (-m \"not slow and not browser\") leaves them out.\n"
          "# Rebuilt by scripts/slow_tests.py from a --durations=0 log; one node id a line.\n")
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
