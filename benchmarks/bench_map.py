"""The one map against the old ``st.pydeck_chart`` page, side by side in headless Chromium.

    python -m benchmarks.bench_map [--runs 5]      # from the repository root, ~5 minutes

Starts two servers with ``streamlit run`` (the app, ``dashboard/app.py``, and the
old Explore page, ``benchmarks/legacy_pydeck_page.py``, which draws the same
scene with ``st.pydeck_chart``), drives both with Debian's Chromium through
Playwright (software WebGL, as in the browser tests) and measures, ``--runs``
times each, alternating the two so they share the machine's load:

* **cold load to an interactive map**: navigation start to the map drawn, in a
  new browser context each time (empty HTTP cache and Cache Storage; the server
  is warm after one discarded load).  The component: its root says
  ``data-ready="1"`` (every layer loaded and drawn); pydeck: the strike marker's
  red is on the canvas at the map centre.  Also, for both, the time until that
  red pixel shows (the same test for both);
* **click -> panel updated**: a click on Lviv, Lublin, Lutsk, Lviv, ... (their
  pixels from the opening view, Web Mercator), to the panel saying
  "Selected on map: <city>";
* **bytes over the websocket per rerun** after the first load: every frame both
  ways from the action until the app has been idle for a second, for a units
  change (nautical miles -> statute miles -> km -> ... in the sidebar) and for a
  click.  Three of each, because Streamlit lets a browser reuse a message it got
  in the last two reruns (its message cache): toggling between two states would
  make every other pydeck rerun a cache hit;
* **page switch Explore -> No-fly zones**: the link's click to the zones map
  drawn (component: the new frame ready in zones mode; pydeck: the incident's red
  on the zones page's canvas).  The old zones page was a Leaflet map that no
  longer exists: the legacy side draws the zones page's scene with pydeck.

Writes the table to stdout and to ``benchmarks/MAP_RESULTS.md`` (machine,
versions, date).  Timing is measured here, never asserted in tests.
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
TARGETS = {"cold_s": "p50 < 6 s", "click_s": "p95 < 1.5 s", "bytes_units": "< 50 kB",
           "bytes_click": "< 50 kB", "switch_s": "", "red_s": "", "frame_s": ""}


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


def clicks(side: Side, browser, runs: int) -> None:
    """Click Lviv, Lublin, Lutsk, Lviv...: time to the panel, websocket bytes per click."""
    ctx, page, frames = side.open(browser)
    try:
        page.goto(side.url + "/")
        side.wait_ready(page, time.perf_counter())
        idle(page, 1.5, frames)
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


def units(side: Side, page, frames: list, runs: int) -> None:
    """Switch the sidebar's units nm -> mi -> km -> ...: websocket bytes per rerun."""
    for sel in ('[data-testid="stExpandSidebarButton"]',
                '[data-testid="stSidebarCollapsedControl"] button'):
        if page.locator(sel).count():
            page.locator(sel).first.click()
            break
    bar = page.locator('[data-testid="stSidebar"]')
    bar.get_by_text("nautical miles", exact=True).wait_for(timeout=30_000)
    idle(page, 1.0, frames)
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
        cells = " | ".join(fmt(s.times.get(key), unit) for s in sides)
        lines.append(f"| {label} | {cells} | {TARGETS[key]} |")
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


def write(sides: list[Side], info: dict[str, str], runs: int, wall_s: float) -> str:
    outside = {s.name: sorted(s.outside) for s in sides}
    text = "\n".join([
        "# The one map against st.pydeck_chart", "",
        f"Written by `python -m benchmarks.bench_map --runs {runs}` in {wall_s:.0f} s.", "",
        f"- date: {info['date']}", f"- machine: {info['machine']}",
        f"- Python {info['python']}; {info['versions']}",
        (f"- {runs} runs of each measure per side, cold loads alternating between the "
         "sides; p95 by linear interpolation; viewport 1280×800"), "",
        table(sides), "",
        ("Cold load: a new browser context per run (empty HTTP cache and Cache Storage), "
        "warm server.  Component ready = its root's `data-ready=\"1\"` (every layer "
        "fetched, decoded and drawn); pydeck ready = the strike marker's red on its canvas.  "
        "Bytes: websocket payloads both ways from the action until the app has been idle "
        "for 1 s (after the first load, so static layers and blobs already sent are not "
        "counted again); three cities and three units in turn, so that no rerun repeats "
        "one of the two before it (Streamlit's message cache).  The legacy No-fly zones page is the zones scene in "
        "st.pydeck_chart (the old Leaflet page is gone)."), "",
        "Requests to any other address: " + "; ".join(
            f"{k}: {len(v)}" + (f" ({', '.join(v[:3])})" if v else "") for k, v in outside.items()),
        ""])
    RESULTS.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of each measure per side")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
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
        p2, u2 = serve("benchmarks/legacy_pydeck_page.py", logs / "legacy.log")
        procs.append(p2)
        sides = [Side("map component", "component", u1, (v.lon, v.lat, v.zoom), zv),
                 Side("st.pydeck_chart (before)", "pydeck", u2, (v.lon, v.lat, v.zoom), zv)]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, headless=True,
                                         args=CHROMIUM_ARGS)
            info = versions(browser)
            for s in sides:
                cold_load(s, browser, keep=False)  # warm the server's caches
            for _ in range(args.runs):
                for s in sides:
                    cold_load(s, browser)
            for s in sides:
                clicks(s, browser, args.runs)
            for s in sides:
                switches(s, browser, args.runs)
            browser.close()
    finally:
        for p in procs:
            stop_app(p)
    text = write(sides, info, args.runs, time.perf_counter() - t_start)
    print(text)
    print(json.dumps({s.name: s.times for s in sides}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
