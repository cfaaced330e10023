"""The CPU an open, idle map page costs: the app's map against deck.gl's own loop and a bare page.

    python -m benchmarks.bench_idle [--runs 3] [--seconds 10]      # about 3-4 minutes

Starts three ``streamlit run`` servers from the repository root: the app
(``dashboard/app.py``, its Explore page), the page that drew the same scene with
``st.pydeck_chart`` before the map component (``benchmarks/legacy_pydeck_page.py``:
deck.gl with its own animation loop, which asks for a frame 60 times a second) and the
bare page (``benchmarks/bare_page.py``: one ``st.title``). Each page is opened alone in
Debian's Chromium (headless, software WebGL, as in the browser tests), left to settle
(``--settle`` seconds after it is drawn), and then the CPU time of every Chromium
process it started (``/proc/<pid>/stat``: user + system) is read over ``--seconds`` of doing
nothing, ``--runs`` times in turn. The app's loop sleeps while idle
(``frontend/src/idle-loop.js``).

Prints a markdown section (for ``benchmarks/RESULTS.md``). Linux only (``/proc``).
Timing is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import descendants, process_cpu_s
from tests.appserver import CHROMIUM_ARGS, start_app, stop_app

VIEWPORT = {"width": 1280, "height": 800}
MAP = 'iframe[title*="mapview.map"]'
DECK = "[data-testid='stDeckGlJsonChart'] canvas"


def chromium_cpu_s() -> float:
    """User + system CPU seconds of the Chromium processes this benchmark started
    (descendants of this process: not another browser on the machine)."""
    total = 0.0
    for pid in descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"chrom" not in f.read().split(b"\0", 1)[0]:
                    continue
        except OSError:  # gone meanwhile
            continue
        cpu = process_cpu_s(pid)
        total += 0.0 if math.isnan(cpu) else cpu
    return total


def open_page(browser, url: str, kind: str, settle_s: float):
    """A new context at ``url``, drawn and left ``settle_s`` seconds; (context, page)."""
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(url)
    if kind == "app":
        page.frame_locator(MAP).locator('#root[data-ready="1"]').wait_for(timeout=120_000)
    elif kind == "pydeck":
        page.locator(DECK).first.wait_for(timeout=120_000)
    else:
        page.get_by_text("Bare page").wait_for(timeout=60_000)
    page.wait_for_timeout(settle_s * 1000)
    return ctx, page


def idle_cpu(browser, url: str, kind: str, seconds: float, settle_s: float) -> float:
    """Chromium's CPU seconds over ``seconds`` with the page open and nothing done."""
    ctx, page = open_page(browser, url, kind, settle_s)
    try:
        before = chromium_cpu_s()
        page.wait_for_timeout(seconds * 1000)
        return chromium_cpu_s() - before
    finally:
        ctx.close()


def section(rows: dict[str, list[float]], args: argparse.Namespace) -> str:
    legacy = statistics.median(rows["pydeck"])
    names = {"bare": "bare page (`st.title`)", "pydeck": "`st.pydeck_chart` (deck.gl's own loop)",
             "app": "the app's Explore map"}
    lines = ["## An idle map page", "",
             f"Written by `python -m benchmarks.bench_idle --runs {args.runs} --seconds "
             f"{args.seconds:g}`: Chromium's CPU (every process) over {args.seconds:g} s with "
             f"the page open, drawn, settled {args.settle:g} s and left alone; each page alone, "
             "in turn.", "",
             f"| page | CPU s per {args.seconds:g} s (median) | runs | share of a core | ratio to pydeck |",
             "|---|---:|---|---:|---:|"]
    for kind in ("bare", "pydeck", "app"):
        xs = rows[kind]
        med = statistics.median(xs)
        lines.append(f"| {names[kind]} | {med:.2f} | {', '.join(f'{x:.2f}' for x in xs)} | "
                     f"{100 * med / args.seconds:.1f} % | {med / legacy:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0, help="idle time measured per run")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds after the page is drawn")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    logs = Path(tempfile.mkdtemp(prefix="bench-idle-"))  # servers' logs and data, removed after
    scripts = {"bare": "benchmarks/bare_page.py", "pydeck": "benchmarks/legacy_pydeck_page.py",
               "app": "dashboard/app.py"}
    procs, urls = [], {}
    try:
        for kind, script in scripts.items():
            data = logs / f"data-{kind}"
            data.mkdir()
            proc, url = start_app({"DASHBOARD_DATA_DIR": str(data)}, script=script, timeout_s=90,
                                  log=logs / f"{kind}.log")
            procs.append(proc)
            urls[kind] = url + ("/explore" if kind == "app" else "/")
        rows: dict[str, list[float]] = {k: [] for k in scripts}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, headless=True,
                                         args=CHROMIUM_ARGS)
            for kind in scripts:  # one discarded load each: warm servers
                open_page(browser, urls[kind], kind, 0)[0].close()
            for _ in range(args.runs):
                for kind in scripts:
                    rows[kind].append(idle_cpu(browser, urls[kind], kind, args.seconds, args.settle))
            browser.close()
    finally:
        for p in procs:
            stop_app(p)
        shutil.rmtree(logs, ignore_errors=True)
    print(section(rows, args))
    return 0


if __name__ == "__main__":
    t0 = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    sys.exit(code)
