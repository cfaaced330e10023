"""One position through the CLI against importing geopandas, in the same run.

    python -m benchmarks.bench_cli [--runs 7] [--position 50.47099,23.93432]

Each run is a new Python process, timed from start to exit, sides alternating:

* **import geopandas**: ``python -c "import geopandas"`` (the baseline: the CLI's
  heaviest dependency);
* **CLI**: ``python -m dashboard distance LAT,LON`` with the prepared layers in the
  cache folder (the usual case from the second run on);
* **full path**: the same command with ``dashboard.cli.distance.PREPARED = False``:
  each layer read and indexed in the process and the compiled search, as every run
  did before the layers were prepared.

Before those, **first run**: the CLI once with an empty cache folder (it builds and
stores the prepared layers).  The cache folder is a temporary one (``DASHBOARD_CACHE_DIR``),
removed at the end; the user's own is not touched.  Then one more CLI run under
``python -X importtime`` says where the remaining time goes.

Prints a markdown section: min / median / max per side and the ratio of medians to
the baseline.  Timing is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSITION = "50.47099,23.93432"
BASELINE = "import geopandas"
FULL_PATH = ("import sys\n"
             "from dashboard.cli import distance\n"
             "distance.PREPARED = False\n"
             "from dashboard.cli import main\n"
             "raise SystemExit(main(sys.argv[1:]))\n")


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of one new process running ``python <args>``, and its stdout."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


#: Packages whose import time the section names (each as imported, nested or not).
PACKAGES: tuple[str, ...] = ("numpy", "shapely", "pyproj", "pandas", "geopandas", "numba")


def import_breakdown(position: str, env: dict[str, str]) -> dict[str, float]:
    """Seconds of one CLI run's imports (``-X importtime``): ``all`` (every top-level
    import) and each of :data:`PACKAGES` it imported (cumulative, where first imported)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "dashboard", "distance",
                           position], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    out = {"all": 0.0}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _, cumulative, name = line.split("|")
        if not cumulative.strip().isdigit():
            continue
        seconds = int(cumulative) / 1e6
        if not name.startswith("  "):  # top level
            out["all"] += seconds
        if name.strip() in PACKAGES:
            out[name.strip()] = seconds
    return out


def measure(runs: int = 7, position: str = POSITION) -> dict:
    """Times (s) of each side; see the module docstring."""
    cache = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    env = {**os.environ, "DASHBOARD_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    cli = ["-m", "dashboard", "distance", position]
    try:
        load0 = os.getloadavg()[0]
        first, answer = _timed(cli, env)
        sides: dict[str, list[float]] = {"import geopandas": [], "CLI": [], "full path": []}
        for _ in range(runs):
            sides["import geopandas"].append(_timed(["-c", BASELINE], env)[0])
            t, out = _timed(cli, env)
            if out != answer:
                raise RuntimeError(f"the CLI's answer changed between runs:\n{answer}\n{out}")
            sides["CLI"].append(t)
            t, out = _timed(["-c", FULL_PATH, "distance", position], env)
            if out != answer:
                raise RuntimeError(f"the full path answers differently:\n{answer}\n{out}")
            sides["full path"].append(t)
        breakdown = import_breakdown(position, env)
        return {"runs": runs, "position": position, "first": first, "sides": sides,
                "answer": answer, "imports": breakdown,
                "load": (load0, os.getloadavg()[0])}
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def section(r: dict) -> str:
    """The markdown section for ``benchmarks/RESULTS.md``."""
    base = statistics.median(r["sides"]["import geopandas"])
    imports = r["imports"]
    lines = [f"`python -m dashboard distance {r['position']}` against "
             f"`python -c \"{BASELINE}\"`, a new process each, {r['runs']} runs a side "
             "alternating (load average "
             f"{r['load'][0]:.1f} at the start, {r['load'][1]:.1f} at the end; 2 cores).", "",
             "| side | min | median | max | median / import geopandas |",
             "|---|---:|---:|---:|---:|"]
    for name, times in r["sides"].items():
        med = statistics.median(times)
        lines.append(f"| {name} | {min(times):.2f} s | {med:.2f} s | {max(times):.2f} s | "
                     f"{med / base:.2f} |")
    lines += ["", f"- First run with an empty cache folder (builds and stores the prepared "
              f"layers): {r['first']:.2f} s ({r['first'] / base:.2f}x the median import).",
              "- *CLI*: prepared layers loaded from the cache folder, plain-Python search.  "
              "*full path*: each layer read (geopandas) and indexed in the process, compiled "
              "search (numba's cached code), as every run did before; the same output, "
              "checked each run.",
              f"- Where a CLI run's time goes (`-X importtime`, one more run): imports "
              f"{imports['all']:.2f} s in all, of which "
              + ", ".join(f"{n} {imports[n]:.2f} s" for n in PACKAGES if n in imports)
              + "; not imported: " + (", ".join(n for n in PACKAGES if n not in imports)
                                      or "none") + ".  The rest is Python's start, loading "
              "the two prepared layers (about 35 MB of arrays, CRC-checked) and the search.",
              "", "```", r["answer"].rstrip(), "```"]
    return "\n".join(lines)


def markdown(quick: bool = False) -> str:
    """The section as ``benchmarks/run_all.py`` collects it (3 runs a side when quick)."""
    return section(measure(3 if quick else 7))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="runs a side (default 7)")
    ap.add_argument("--position", default=POSITION, help=f"LAT,LON (default {POSITION})")
    args = ap.parse_args(argv)
    print("## One position through the CLI\n")
    print(section(measure(args.runs, args.position)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
