"""The map's first paint against a bare Streamlit page, and bytes per rerun, in headless Chromium.

    python -m benchmarks.bench_map [--runs 5] [--reruns 10]     # ~4 minutes
    python -m benchmarks.bench_map --legacy                     # + the st.pydeck_chart page

Starts ``streamlit run`` servers from the repository root (its .streamlit/config.toml):
the app (``dashboard/app.py``) and the bare page (``benchmarks/bare_page.py``: one
``st.title``), and drives them with Debian's Chromium through Playwright (software
WebGL, as in the browser tests):

* **first paint**, ``--runs`` cold loads of each page, alternating (a new browser
  context each: empty HTTP cache and Cache Storage; each server is warm after one
  discarded load).  Measured inside the page (:mod:`benchmarks.paint_timing`: the
  animation frame after the thing is in the DOM, ms since navigation start): the bare
  page's title; the Explore panel's first figure table; the map painted (its root's
  ``data-painted``: every static layer fetched, decoded and drawn, on the 2D first paint
  or by deck.gl, whichever came first); deck.gl's WebGL frame (``data-ready="1"``); the map's loading
  indicator; and, from the bundle's ``performance.mark("nfz:…")`` marks and resource
  timings, where the map's time goes (breakdown).  Ratios are to the bare page's
  median of the same run;
* **bytes over the websocket per rerun** after the first load, ``--reruns`` times
  each: every frame both ways from the action until the app has been idle for a
  second, for a units change (nautical miles -> statute miles -> km -> ... in the
  sidebar) and for a click on a city (Lviv, Lublin, Lutsk, ...; also the time to the
  panel saying "Selected on map: <city>").  Three of each in turn, because Streamlit
  lets a browser reuse a message it got in the last two reruns (its message cache);
* with ``--legacy``, the same cold load, clicks and units changes, and a page switch
  Explore -> No-fly zones, against the old page that drew the scene with
  ``st.pydeck_chart`` (``benchmarks/legacy_pydeck_page.py``).

Prints a markdown section (for ``benchmarks/RESULTS.md``) and writes it to
``benchmarks/MAP_RESULTS.md`` (machine, versions, date).  Timing is measured here,
never asserted in tests.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import numpy as np

from benchmarks.paint_timing import PROBE, STAGES, breakdown, collect, map_painted
from tests.appserver import CHROMIUM_ARGS, start_app, stop_app  # the browser tests' Chromium flags

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"


VIEWPORT = {"width": 1280, "height": 800}
MAP = 'iframe[title*="mapview.map"]'
DECK = "[data-testid='stDeckGlJsonChart']"
RED = (220, 20, 30)  # the incidents' fill
CITIES = (("Lviv", 24.02324, 49.83826), ("Lublin", 22.56667, 51.25), ("Lutsk", 25.34244, 50.75932))
UNITS = ("nautical miles", "statute miles", "km")  # the sidebar radio, km first selected
RESULTS = HERE / "MAP_RESULTS.md"
TARGETS = {"cold_s": "", "click_s": "p95 < 1.5 s", "bytes_units": "p95 < 50 kB",
           "bytes_click": "p95 < 50 kB", "switch_s": "", "red_s": "", "frame_s": ""}
#: Issue 22's targets, as ratios to the bare page's first paint (same run).
PAINT_TARGETS = {"map": 2.5, "panel": 1.5}


# ---------------------------------------------------------------- servers
def serve(script: str, log: Path) -> tuple[subprocess.Popen, str]:
    """``streamlit run script`` from the repository root (its .streamlit/config.toml)."""
    data = tempfile.mkdtemp(prefix="bench-map-")
    return start_app({"DASHBOARD_DATA_DIR": data}, script=script, timeout_s=90, log=log)


# ---------------------------------------------------------------- the page
def merc(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator world pixels at zoom 0 (deck.gl's 512-pixel world)."""
    y = math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))
    return (lon + 180.0) / 360.0 * 512.0, (180.0 - y) / 360.0 * 512.0


def screen_xy(lon: float, lat: float, view: tuple[float, float, float], box: dict):
    """Page pixel of (lon, lat) on a map box whose view is (lon, lat, zoom)."""
    scale = 2.0 ** view[2]
    (cx, cy), (px, py) = merc(view[0], view[1]), merc(lon, lat)
    return (box["x"] + box["width"] / 2 + (px - cx) * scale,
            box["y"] + box["height"] / 2 + (py - cy) * scale)


def is_red(page, x: float, y: float) -> bool:
    """Whether a 5x5 patch around (x, y) holds the incidents' red."""
    from PIL import Image

    png = page.screenshot(clip={"x": x - 2, "y": y - 2, "width": 5, "height": 5})
    img = Image.open(BytesIO(png)).convert("RGB")
    return any(all(abs(a - b) <= 45 for a, b in zip(img.getpixel((i, j)), RED))
               for i in range(5) for j in range(5))


def wait_red(page, locate: Callable[[], tuple[float, float] | None], t0: float,
             timeout_s: float = 120.0) -> float:
    """Seconds from ``t0`` until the red shows where ``locate`` says (polled)."""
    while time.perf_counter() - t0 < timeout_s:
        xy = locate()
        if xy is not None and is_red(page, *xy):
            return time.perf_counter() - t0
        page.wait_for_timeout(50)
    raise TimeoutError("the map never showed the incident")


def centre(box: dict | None) -> tuple[float, float] | None:
    return None if box is None else (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def box_of(page, selector: str) -> dict | None:
    loc = page.locator(selector)
    return loc.last.bounding_box() if loc.count() else None


def idle(page, quiet_s: float, frames: list, timeout_s: float = 120.0) -> None:
    """Until the app has not run and no websocket frame moved for ``quiet_s``."""
    t_end = time.perf_counter() + timeout_s
    last_n, quiet_since = -1, time.perf_counter()
    while time.perf_counter() < t_end:
        running = page.evaluate("() => document.querySelector('[data-testid=\"stApp\"]')"
                                "?.getAttribute('data-test-script-state') === 'running'")
        if running or len(frames) != last_n:
            last_n, quiet_since = len(frames), time.perf_counter()
        elif time.perf_counter() - quiet_since >= quiet_s:
            return
        page.wait_for_timeout(100)
    raise TimeoutError("the app never went idle")


@dataclass
class Side:
    """One of the two pages under test and its measurements."""

    name: str
    kind: str  # "component" | "pydeck"
    url: str
    view: tuple[float, float, float]  # the opening view (lon, lat, zoom)
    zones_view: tuple[float, float, float]
    times: dict[str, list[float]] = field(default_factory=dict)
    outside: set[str] = field(default_factory=set)

    def add(self, key: str, value: float) -> None:
        self.times.setdefault(key, []).append(value)

    def map_box(self, page) -> dict | None:
        return box_of(page, MAP if self.kind == "component" else DECK)

    def open(self, browser):
        """A new context (cold caches) with request and websocket recording."""
        ctx = browser.new_context(viewport=VIEWPORT)
        page = ctx.new_page()
        frames: list[int] = []

        def on_ws(ws):
            ws.on("framereceived", lambda p: frames.append(len(p if isinstance(p, bytes)
                                                              else p.encode())))
            ws.on("framesent", lambda p: frames.append(len(p if isinstance(p, bytes)
                                                          else p.encode())))

        page.on("websocket", on_ws)
        page.on("request", lambda r: None if r.url.startswith((self.url, "data:", "blob:"))
                else self.outside.add(r.url))
        return ctx, page, frames

    def wait_ready(self, page, t0: float, mode: str = "explore") -> float:
        """Seconds from ``t0`` until this side's map is interactive."""
        if self.kind == "component":
            page.wait_for_selector(MAP, timeout=120_000)
            page.frame_locator(f"{MAP} >> nth=-1").locator(
                f'#root[data-ready="1"][data-mode="{mode}"]').wait_for(timeout=120_000)
            return time.perf_counter() - t0
        view = self.view if mode == "explore" else self.zones_view
        inc = (23.93432, 50.47099)
        if mode == "zones":  # the explore chart is gone once the zones page has run
            page.get_by_role("heading", name="Zones").wait_for(timeout=120_000)

        def locate():
            box = self.map_box(page)
            return screen_xy(*inc, view, box) if box and box["width"] > 100 else None
        return wait_red(page, locate, t0)


# ---------------------------------------------------------------- measurements
def cold_load(side: Side, browser, keep: bool = True) -> None:
    ctx, page, _ = side.open(browser)
    try:
        t0 = time.perf_counter()
        page.goto(side.url + "/", wait_until="commit")
        page.wait_for_selector(MAP if side.kind == "component" else DECK, state="attached",
                               timeout=120_000)
        frame = time.perf_counter() - t0
        ready = side.wait_ready(page, t0)
        red = ready if side.kind == "pydeck" else wait_red(page, lambda: centre(side.map_box(page)), t0)
        if keep:
            side.add("frame_s", frame)
            side.add("cold_s", ready)
            side.add("red_s", red)
    finally:
        ctx.close()


def paint_load(browser, url: str, bare: bool) -> dict:
    """One cold load timed from inside the page (:mod:`benchmarks.paint_timing`)."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.add_init_script(PROBE)
    try:
        page = ctx.new_page()
        page.goto(url + "/", wait_until="commit")
        done = ("() => window.__paint && window.__paint.title" if bare else
                "() => window.__paint && window.__paint.ready && window.__paint.panel")
        page.wait_for_function(done, timeout=180_000, polling=100)
        return collect(page)
    finally:
        ctx.close()


def first_paint(browser, bare_url: str, app_url: str, runs: int) -> dict[str, list]:
    """``runs`` cold loads of each page, alternating, after one discarded load each."""
    paint_load(browser, bare_url, True)
    paint_load(browser, app_url, False)
    out: dict[str, list] = {"bare": [], "app": []}
    for i in range(runs):
        bare = paint_load(browser, bare_url, True)
        out["bare"].append(bare["top"]["seen"]["title"])
        app = paint_load(browser, app_url, False)
        row = breakdown(app)
        painted = map_painted(row)
        if painted is not None:
            row["t_map_painted"] = painted
        out["app"].append(row)
        print(f"load {i + 1}/{runs}: bare {out['bare'][-1]:.0f} ms, map painted "
              f"{row.get('t_map_painted', float('nan')):.0f} ms (deck.gl's frame "
              f"{row.get('t_ready', float('nan')):.0f} ms), panel "
              f"{out['app'][-1].get('t_panel', float('nan')):.0f} ms", file=sys.stderr, flush=True)
    return out


def clicks(side: Side, browser, runs: int) -> None:
    """Click Lviv, Lublin, Lutsk, Lviv...: time to the panel, websocket bytes per click;
    then ``runs`` units changes (:func:`units`) in the same session."""
    ctx, page, frames = side.open(browser)
    try:
        page.goto(side.url + "/")
        side.wait_ready(page, time.perf_counter())
        settle(page, frames)
        for i in range(runs):
            name, lon, lat = CITIES[i % len(CITIES)]
            x, y = screen_xy(lon, lat, side.view, side.map_box(page))
            page.mouse.move(x - 4, y - 3)
            page.mouse.move(x, y, steps=3)
            page.wait_for_timeout(500)
            frames.clear()
            t0 = time.perf_counter()
            page.mouse.click(x, y, delay=60)
            page.wait_for_function(
                "name => (document.querySelector('.st-key-pick-panel')?.innerText || '')"
                ".includes('Selected on map: ' + name)", arg=name, polling="raf",
                timeout=120_000)
            side.add("click_s", time.perf_counter() - t0)
            idle(page, 1.0, frames)
            side.add("bytes_click", float(sum(frames)))
        units(side, page, frames, runs)
    finally:
        ctx.close()


def map_events(page) -> float:
    """The ``seq`` of the map component's last event (0 without one, -1 unreadable)."""
    last = "() => { const e = window.nfzMap ? window.nfzMap.events() : []; return e.length ? e[e.length - 1].seq : 0; }"
    for fr in page.frames:
        if "mapview.map" in fr.url:
            try:
                return float(fr.evaluate(last))
            except Exception:  # a frame replaced mid-read
                return -1.0
    return 0.0


def settle(page, frames: list, quiet_s: float = 1.0, events_quiet_s: float = 2.0) -> None:
    """Idle, and no new map event for ``events_quiet_s`` (a resize's ``view`` event comes
    600 ms after the resize and reruns the app: it must not land in the next measurement)."""
    for _ in range(20):
        idle(page, quiet_s, frames)
        n = map_events(page)
        page.wait_for_timeout(int(events_quiet_s * 1000))
        if map_events(page) == n:
            idle(page, quiet_s, frames)
            return


def units(side: Side, page, frames: list, runs: int) -> None:
    """Switch the sidebar's units nm -> mi -> km -> ...: websocket bytes per rerun."""
    for sel in ('[data-testid="stExpandSidebarButton"]',
                '[data-testid="stSidebarCollapsedControl"] button'):
        if page.locator(sel).count():
            page.locator(sel).first.click()
            break
    bar = page.locator('[data-testid="stSidebar"]')
    bar.get_by_text("nautical miles", exact=True).wait_for(timeout=30_000)
    settle(page, frames)  # the map narrowed: its view event (600 ms later) reruns the app
    for i in range(runs):
        frames.clear()
        bar.get_by_text(UNITS[i % len(UNITS)], exact=True).click()
        idle(page, 1.0, frames)
        side.add("bytes_units", float(sum(frames)))


def switches(side: Side, browser, runs: int) -> None:
    """Explore -> No-fly zones through the page's link, ``runs`` times."""
    ctx, page, frames = side.open(browser)
    try:
        page.goto(side.url + "/")
        side.wait_ready(page, time.perf_counter())
        for _ in range(runs):
            idle(page, 1.0, frames)
            t0 = time.perf_counter()
            page.get_by_role("link", name="No-fly zones").click()
            side.add("switch_s", side.wait_ready(page, t0, mode="zones"))
            idle(page, 1.0, frames)
            page.get_by_role("link", name="Explore").click()
            side.wait_ready(page, time.perf_counter())
    finally:
        ctx.close()


# ---------------------------------------------------------------- report
ROWS = (("cold_s", "cold load to interactive map", "s"),
        ("frame_s", "cold load: the map's element on the page (Streamlit's part)", "s"),
        ("red_s", "cold load to the strike marker drawn (same pixel test)", "s"),
        ("click_s", "click -> panel updated", "s"),
        ("bytes_units", "websocket bytes per rerun: units change", "kB"),
        ("bytes_click", "websocket bytes per rerun: click", "kB"),
        ("switch_s", "page switch Explore -> No-fly zones", "s"))


def fmt(xs: list[float] | None, unit: str) -> str:
    if not xs:
        return "–"
    p50, p95 = np.percentile(xs, [50, 95])
    if unit == "kB":
        return f"{p50 / 1e3:,.1f} / {p95 / 1e3:,.1f} kB"
    return f"{p50:.2f} / {p95:.2f} s"


def table(sides: list[Side]) -> str:
    head = "| measure (p50 / p95) | " + " | ".join(s.name for s in sides) + " | target |"
    lines = [head, "|---|" + "---:|" * len(sides) + "---|"]
    for key, label, unit in ROWS:
        if not any(s.times.get(key) for s in sides):
            continue
        cells = " | ".join(fmt(s.times.get(key), unit) for s in sides)
        lines.append(f"| {label} | {cells} | {TARGETS[key]} |")
    return "\n".join(lines)


def _median(rows: list[dict], key: str) -> float | None:
    xs = [r[key] for r in rows if key in r]
    return float(np.median(xs)) if xs else None


def paint_table(paint: dict[str, list]) -> tuple[str, dict[str, float]]:
    """The first-paint table (medians, ratios to the bare page) and the ratios."""
    bare = float(np.median(paint["bare"]))
    rows = paint["app"]
    lines = ["| first paint, median of cold loads | time | × bare page | target |",
             "|---|---:|---:|---|",
             f"| bare Streamlit page: its title painted | {bare / 1e3:.2f} s | 1.0× | |"]
    ratios: dict[str, float] = {}
    for key, label, target in (
            ("t_panel", "Explore: the panel's first figure painted", PAINT_TARGETS["panel"]),
            ("t_map_painted", "Explore: the map painted (every static layer drawn)", PAINT_TARGETS["map"]),
            ("t_ready", "Explore: deck.gl's WebGL frame shown (every static layer)", None),
            ("t_iframe", "Explore: the map's frame on the page", None),
            ("t_loading", "Explore: the map's loading indicator shown", None)):
        med = _median(rows, key)
        if med is None:
            continue
        ratios[key] = med / bare
        lines.append(f"| {label} | {med / 1e3:.2f} s | {med / bare:.1f}× | "
                     f"{f'≤ {target}×' if target else ''} |")
    return "\n".join(lines), ratios


def stages_table(rows: list[dict]) -> str:
    lines = ["| stage of the map's first paint | median | what it is |", "|---|---:|---|"]
    for key, _, what in STAGES:
        med = _median(rows, key)
        if med is not None:
            lines.append(f"| {key} | {med / 1e3:.2f} s | {what} |")
    extra = []
    for key, label, unit in (("bundle_bytes", "bundle on the wire", "kB"),
                             ("layer_bytes", "layer files on the wire", "kB"),
                             ("layer_files", "layer files fetched", "")):
        med = _median(rows, key)
        if med is not None:
            extra.append(f"{label} {med / 1e3:,.0f} kB" if unit else f"{label} {med:.0f}")
    return "\n".join(lines) + ("\n\n" + "; ".join(extra) + "." if extra else "")


def bytes_table(side: Side) -> str:
    lines = ["| per rerun, after the first load | p50 | p95 | max | target |",
             "|---|---:|---:|---:|---|"]
    for key, label in (("bytes_units", "websocket bytes: units change"),
                       ("bytes_click", "websocket bytes: click on a city")):
        xs = side.times.get(key)
        if xs:
            p50, p95 = np.percentile(xs, [50, 95])
            lines.append(f"| {label} ({len(xs)} reruns) | {p50 / 1e3:,.1f} kB | {p95 / 1e3:,.1f} kB "
                         f"| {max(xs) / 1e3:,.1f} kB | p95 < 50 kB |")
    xs = side.times.get("click_s")
    if xs:
        p50, p95 = np.percentile(xs, [50, 95])
        lines.append(f"| click -> panel updated | {p50:.2f} s | {p95:.2f} s | {max(xs):.2f} s "
                     "| p95 < 1.5 s |")
    return "\n".join(lines)


def versions(browser) -> dict[str, str]:
    from importlib.metadata import version

    import pydeck
    import streamlit

    with open("/proc/cpuinfo", encoding="utf-8") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")),
                   platform.processor())
    deps = json.loads((ROOT / "frontend" / "package.json").read_text())["dependencies"]
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{cpu}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start",
            "python": platform.python_version(),
            "versions": f"Streamlit {streamlit.__version__}, pydeck {pydeck.__version__}, "
                        f"Playwright {version('playwright')}, Chromium {browser.version} "
                        "(headless, SwiftShader WebGL); component: deck.gl "
                        f"{deps.get('@deck.gl/core', '?')}, editable-layers "
                        f"{deps.get('@deck.gl-community/editable-layers', '?')}"}


NOTES = (
    "Cold load: a new browser context per load (empty HTTP cache and Cache Storage), warm "
    "servers, the bare page and the app alternating.  Times are from navigation start to the "
    "animation frame after the element is in the DOM (measured in the page, "
    "`benchmarks/paint_timing.py`).  Map painted = the map's root has `data-painted` "
    "(every static layer of the opening view fetched, decoded and drawn: on the 2D canvas of "
    "`frontend/src/firstpaint.js`, or by deck.gl when there was no 2D paint) and that frame is "
    "shown; deck.gl's frame = its root says `data-ready=\"1\"` and that frame is shown.  Stages: from "
    "the bundle's `performance.mark(\"nfz:…\")` marks and resource timings; a stage runs from "
    "the previous one's end to its own.  Bytes: websocket payloads both ways from the action "
    "until the app has been idle for 1 s (after the first load, so static layers and blobs "
    "already sent are not counted again); three cities and three units in turn, so that no "
    "rerun repeats one of the two before it (Streamlit's message cache).  Machine load varies "
    "(2 cores shared): compare ratios within a run.")


def section(paint: dict[str, list], app: Side, legacy: list[Side], info: dict[str, str],
            args: argparse.Namespace, wall_s: float) -> str:
    ptable, _ = paint_table(paint)
    cmd = f"python -m benchmarks.bench_map --runs {args.runs} --reruns {args.reruns}" + (
        " --legacy" if args.legacy else "")
    parts = [
        "## The map's first paint and bytes per rerun", "",
        f"Written by `{cmd}` in {wall_s:.0f} s.", "",
        f"- date: {info['date']}", f"- machine: {info['machine']}",
        f"- Python {info['python']}; {info['versions']}",
        f"- viewport 1280×800; {args.runs} cold loads of each page; p95 by linear interpolation",
        "", ptable, "", stages_table(paint["app"]), "", bytes_table(app)]
    if legacy:
        parts += ["", "Against the page that drew the scene with `st.pydeck_chart` (before the "
                  "map component; same run):", "", table(legacy)]
    outside = {s.name: sorted(s.outside) for s in [app, *legacy]}
    parts += ["", NOTES, "", "Requests to any other address: " + "; ".join(
        f"{k}: {len(v)}" + (f" ({', '.join(v[:3])})" if v else "") for k, v in outside.items()), ""]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="cold loads of each page")
    ap.add_argument("--reruns", type=int, default=10, help="units changes and clicks")
    ap.add_argument("--legacy", action="store_true",
                    help="also time the old st.pydeck_chart page (cold load, clicks, switch)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("-o", "--output", default=str(RESULTS), help="markdown file to write")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from dashboard.state.drawing import DEFAULT_CENTER, DEFAULT_ZOOM
    from dashboard.state.session import incident_view

    t_start = time.perf_counter()
    v = incident_view(23.93432, 50.47099)
    zv = (DEFAULT_CENTER[0], DEFAULT_CENTER[1], float(DEFAULT_ZOOM))
    logs = Path(tempfile.mkdtemp(prefix="bench-map-logs-"))
    procs = []
    try:
        p1, u1 = serve("dashboard/app.py", logs / "app.log")
        procs.append(p1)
        p2, u2 = serve("benchmarks/bare_page.py", logs / "bare.log")
        procs.append(p2)
        app = Side("map component", "component", u1, (v.lon, v.lat, v.zoom), zv)
        legacy: list[Side] = []
        if args.legacy:
            p3, u3 = serve("benchmarks/legacy_pydeck_page.py", logs / "legacy.log")
            procs.append(p3)
            legacy = [Side("st.pydeck_chart (before)", "pydeck", u3, (v.lon, v.lat, v.zoom), zv)]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, headless=True,
                                         args=CHROMIUM_ARGS)
            info = versions(browser)
            paint = first_paint(browser, u2, u1, args.runs)
            clicks(app, browser, args.reruns)
            if legacy:
                sides = [app, *legacy]
                for s in sides:
                    cold_load(s, browser, keep=False)  # warm the server's caches
                for _ in range(args.runs):
                    for s in sides:
                        cold_load(s, browser)
                clicks(legacy[0], browser, args.reruns)
                for s in sides:
                    switches(s, browser, args.runs)
            browser.close()
    finally:
        for p in procs:
            stop_app(p)
    text = section(paint, app, [app, *legacy] if legacy else [], info, args,
                   time.perf_counter() - t_start)
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    print(json.dumps({"paint": paint, **{s.name: s.times for s in [app, *legacy]}}),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
