"""Issue 22's speed targets, each against its baseline in the same run, into ``RESULTS.md``.

    python -m benchmarks.speed_targets            # about 15 minutes on 2 cores
    python -m benchmarks.speed_targets --only cli batch

Runs, one after the other (each benchmark alternates its own two sides, so both share
the machine's load of the moment):

map     ``bench_map --runs 5 --reruns 10``: a bare Streamlit page's title against the
        Explore panel's first figure and the map painted, cold loads in Chromium;
        websocket bytes of 10 units changes and 10 clicks (also writes MAP_RESULTS.md).
load    ``bench_load --sessions 20 --seconds 60 --browsers 0``: briefs and every rerun
        with 20 sessions against one session alone (also writes LOAD_RESULTS.md).
cli     ``bench_cli``: one position through the CLI against ``import geopandas``.
batch   ``bench_batch``: 10^6 points CSV to CSV against EPSG:3035 + STRtree through
        the same reader and writer, and 10^7 rows streamed (peak memory).

and writes the section "Speed targets (issue 22)" of ``benchmarks/RESULTS.md`` (the
other sections, written by ``run_all``, are kept): each figure, its baseline, the
ratio, the target and whether this run met it.  Nothing here is asserted in tests.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
TITLE = "## Speed targets (issue 22)"
STEPS = ("map", "load", "cli", "batch")


def p95(xs: list[float]) -> float:
    """95th percentile, linear interpolation (numpy's default).

    >>> p95([1.0, 2.0, 3.0, 4.0, 5.0])
    4.8
    """
    return round(float(np.percentile(xs, 95)), 10)


def _run(args: list[str], timeout_s: float, stream: str = "stdout") -> str:
    proc = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout_s, check=False)
    if proc.returncode not in (0, 1):  # bench_load says 1 when a session saw an error
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {tail}")
    return proc.stdout if stream == "stdout" else proc.stderr


def _row(item: str, figure: str, value: str, base: str, ratio: float | None, target: str,
         met: bool | None) -> str:
    r = "–" if ratio is None else f"{ratio:.2f}"
    said = "–" if met is None else "yes" if met else "**no**"
    return f"| {item} | {figure} | {value} | {base} | {r} | {target} | {said} |"


def map_rows() -> list[str]:
    err = _run(["benchmarks.bench_map", "--runs", "5", "--reruns", "10"], 1800, "stderr")
    data = json.loads(next(ln for ln in reversed(err.splitlines()) if ln.startswith("{")))
    bare = statistics.median(data["paint"]["bare"]) / 1000
    app = data["paint"]["app"]
    painted = statistics.median(a["t_map_painted"] for a in app) / 1000
    ready = statistics.median(a["t_ready"] for a in app) / 1000
    panel = statistics.median(a["t_panel"] for a in app) / 1000
    loading = statistics.median(a["t_loading"] for a in app) / 1000
    frame = statistics.median(a["t_iframe"] for a in app) / 1000
    units = p95(data["map component"]["bytes_units"]) / 1000
    click = p95(data["map component"]["bytes_click"]) / 1000
    base = f"bare page's title {bare:.2f} s"
    return [
        _row("1", "map painted (every static layer drawn), median of 5 cold loads",
             f"{painted:.2f} s", base, painted / bare, "≤ 2.5×", painted / bare <= 2.5),
        _row("1", "deck.gl's WebGL frame shown (every static layer), median of 5",
             f"{ready:.2f} s", base, ready / bare, "–", None),
        _row("1", "panel's first figure, median of 5", f"{panel:.2f} s", base, panel / bare,
             "≤ 1.5×", panel / bare <= 1.5),
        _row("1", "loading indicator after the map's frame shows", f"{loading - frame:.2f} s",
             f"frame at {frame:.2f} s", None, "from the first frame", loading - frame < 0.5),
        _row("5", "websocket bytes, units change, p95 of 10", f"{units:.1f} kB", "–", None,
             "< 50 kB", units < 50),
        _row("5", "websocket bytes, click, p95 of 10", f"{click:.1f} kB", "–", None,
             "< 50 kB", click < 50),
    ]


def load_rows() -> list[str]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "load.json"
        _run(["benchmarks.bench_load", "--sessions", "20", "--seconds", "60", "--browsers", "0",
              "--json", str(path)], 1800)
        data = json.loads(path.read_text(encoding="utf-8"))
    many, one = data["many"], data["one"]
    brief, rerun = p95(many["brief"]), p95(many["rerun"])
    b1, r1 = p95(one["brief"]), p95(one["rerun"])
    n = data["sessions"]
    return [
        _row("2", f"brief p95, {n} sessions", f"{brief:.2f} s", f"alone {b1:.2f} s", brief / b1,
             "≤ 3 s", brief <= 3.0),
        _row("2", f"every rerun p95, {n} sessions", f"{rerun:.2f} s", f"alone {r1:.2f} s",
             rerun / r1, "≤ 1.5 s", rerun <= 1.5),
        _row("2", "errors; most server RSS", f"{data['errors']}; {data['max_rss_mb']:.0f} MB", "–",
             None, "0 errors", data["errors"] == 0),
    ]


def cli_rows() -> list[str]:
    from benchmarks import bench_cli

    r = bench_cli.measure(7)
    base = statistics.median(r["sides"]["import geopandas"])
    cli = statistics.median(r["sides"]["CLI"])
    return [_row("3", "`distance 50.47099,23.93432`, median of 7", f"{cli:.2f} s",
                 f"`import geopandas` {base:.2f} s", cli / base, "≤ 1.5×", cli / base <= 1.5),
            _row("3", "the same, first run (empty cache folder)", f"{r['first']:.2f} s",
                 f"`import geopandas` {base:.2f} s", r["first"] / base, "–", None)]


def batch_rows() -> list[str]:
    from benchmarks import bench_batch

    with tempfile.TemporaryDirectory() as d:
        s = bench_batch.compare(1_000_000, 3, Path(d))
        b = bench_batch.big(10_000_000, Path(d))
    cli, planar = s["cli"], s["planar"]
    return [
        _row("4", "10^6 points CSV → CSV, median of 3", f"{cli['time_s']:.2f} s",
             f"EPSG:3035 + STRtree {planar['time_s']:.2f} s", s["ratio"], "≤ 0.25×",
             s["ratio"] <= 0.25),
        _row("4", "CPU use (user+sys / wall) of the CLI", f"{cli['cpu_use']:.2f}", "2 cores",
             None, "both cores", cli["cpu_use"] > 1.0),
        _row("4", "10^7 rows streamed, peak memory", f"{b['peak_mb']:,.0f} MB",
             f"{b['time_s']:.0f} s", None, "≤ 1 GB", b["peak_mb"] <= 1024),
    ]


def replace_section(text: str, section: str) -> str:
    """``text`` with its ``TITLE`` section (up to the next ``## ``) replaced by ``section``,
    or ``section`` inserted before the first ``## `` when there is none.

    >>> replace_section("# R\\n\\n## A\\nold\\n\\n## B\\nb\\n", "## A\\nnew\\n")
    '# R\\n\\n## A\\nnew\\n\\n## B\\nb\\n'
    """
    head = section.splitlines()[0]
    lines = text.splitlines(keepends=True)
    starts = [i for i, ln in enumerate(lines) if ln.startswith("## ")]
    mine = [i for i in starts if lines[i].rstrip("\n") == head]
    if mine:
        i = mine[0]
        j = next((k for k in starts if k > i), len(lines))
        return "".join(lines[:i]) + section + ("\n" if j < len(lines) else "") + "".join(lines[j:])
    i = starts[0] if starts else len(lines)
    return "".join(lines[:i]) + section + "\n" + "".join(lines[i:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="+", choices=STEPS, default=list(STEPS))
    args = ap.parse_args(argv)
    makers = {"map": map_rows, "load": load_rows, "cli": cli_rows, "batch": batch_rows}
    rows, notes = [], []
    for name in args.only:
        t, load = time.perf_counter(), os.getloadavg()[0]
        print(f"{name} ...", file=sys.stderr, flush=True)
        rows += makers[name]()
        notes.append(f"{name} {time.perf_counter() - t:.0f} s (load {load:.1f} → "
                     f"{os.getloadavg()[0]:.1f})")
    section = "\n".join([
        TITLE, "", f"Written by `python -m benchmarks.speed_targets` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, 2 cores; "
        + "; ".join(notes) + ".  Each benchmark alternates its two sides in one run; "
        "ratios are this figure over its baseline.", "",
        "| item | figure | this run | baseline, same run | ratio | target | met |",
        "|---|---|---:|---|---:|---|---|", *rows, ""])
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    RESULTS.write_text(replace_section(old, section), encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
