"""What the rivers and wide water cost over the wire: the first load and a pan at village scale.

    python -m benchmarks.bench_context_layers            # from the tile index (no browser)
    python -m benchmarks.bench_context_layers --browser  # the real app in headless Chromium

**From the index** (default): the files ``context.js`` fetches for a view, chosen by the
same rule (a band is fetched when ``minZoom <= zoom < maxZoom``; a tiled band's 2-degree
tiles that meet the view's bounds), for a 1280 x 800 px map (the browser tests' window,
so a little larger than the map itself) on deck.gl's Web Mercator (512 px world at zoom
0).  Reports raw bytes of each view's files, and raw and gzip bytes of those an earlier
view has not fetched (the browser caches them), beside the baseline: the static
layers every first load fetches (``layers/index.json``'s files) and what the default
view fetched before the context tiles (no context files).

**--browser**: like ``benchmarks/bench_places.py``, the app twice, once with every request
under ``context/`` refused (the baseline), counting HTTP bodies and websocket frames to
the first ready map, then the context files fetched after searching Przemyśl and zooming
to 9, and after a half-view pan east.  Needs the deck spec to carry ``spec.context``
(:func:`dashboard.render.context_tiles.context_spec`) and a bundle built with
``frontend/src/context.js``.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

MAPVIEW = ROOT / "dashboard" / "ui" / "mapview" / "frontend"
#: The first load may grow by at most this much (issue 20).
BUDGET_BYTES = 300_000
#: (label, lon, lat, zoom) of the views measured; the map is WIDTH x HEIGHT px.
VIEWS: tuple[tuple[str, float, float, float], ...] = (
    ("default view (24, 50.2, zoom 5.5)", 24.0, 50.2, 5.5),
    ("zoom 7.9 over the Carpathians", 24.0, 48.5, 7.9),
    ("Przemyśl, zoom 9", 22.76728, 49.78498, 9.0),
    ("Przemyśl, zoom 9, panned half a view east", 22.76728 + 640 / (512 * 2 ** 9) * 360, 49.78498, 9.0),
    ("Przemyśl, zoom 12", 22.76728, 49.78498, 12.0),
    ("Galați, zoom 10", 28.05028, 45.43687, 10.0),
)
WIDTH, HEIGHT = 1280, 800


def bounds(lon: float, lat: float, zoom: float, width: int = WIDTH,
           height: int = HEIGHT) -> tuple[float, float, float, float]:
    """(west, south, east, north) degrees of a Web Mercator view (512 px world at zoom 0)."""
    world = 512 * 2 ** zoom
    x = (lon + 180) / 360 * world
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * world

    def lat_of(py: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / world))))

    return ((x - width / 2) / world * 360 - 180, lat_of(y + height / 2),
            (x + width / 2) / world * 360 - 180, lat_of(y - height / 2))


def files_for(browser_index: dict, lon: float, lat: float, zoom: float) -> list[str]:
    """The context files the browser fetches for the view (``context.js``'s rule)."""
    w, s, e, n = bounds(lon, lat, zoom)
    out = []
    for lyr in browser_index["layers"]:
        for b in lyr["bands"]:
            if zoom < b["minZoom"] or (b["maxZoom"] is not None and zoom >= b["maxZoom"]):
                continue
            d = b["tileDeg"]
            if not d:
                out += list(b["tiles"].values())
                continue
            x = math.floor(w / d) * d
            while x < e:
                y = math.floor(s / d) * d
                while y < n:
                    if f"{x}_{y}" in b["tiles"]:
                        out.append(b["tiles"][f"{x}_{y}"])
                    y += d
                x += d
    return out


def _sizes(paths: list[Path]) -> tuple[int, int]:
    data = [p.read_bytes() for p in paths]
    return sum(map(len, data)), sum(len(gzip.compress(d, 6, mtime=0)) for d in data)


def static_report() -> int:
    index = json.loads((MAPVIEW / "context" / "index.json").read_text(encoding="utf-8"))
    browser_name = index["url"]
    browser = json.loads((MAPVIEW / browser_name).read_text(encoding="utf-8"))
    layers = json.loads((MAPVIEW / "layers" / "index.json").read_text(encoding="utf-8"))
    base_raw, base_gz = _sizes([MAPVIEW / e["url"] for e in layers.values()])
    print(f"baseline first load, static layer files: {base_raw:>10,} B raw {base_gz:>10,} B gzip")
    print(f"{'view (in this order; fetched = not fetched by an earlier view)':64} {'files':>5} "
          f"{'raw bytes':>10} {'fetched':>7} {'raw bytes':>10} {'gzip bytes':>10}")
    first, seen = 0, set()
    for k, (label, lon, lat, zoom) in enumerate(VIEWS):
        names = files_for(browser, lon, lat, zoom)
        paths = [MAPVIEW / "context" / n for n in names]
        if k == 0:
            paths.append(MAPVIEW / browser_name)  # the index comes with the first view
        new = [p for p in paths if p not in seen]
        seen |= set(paths)
        raw, _ = _sizes(paths)
        new_raw, new_gz = _sizes(new)
        if k == 0:
            first = new_raw
        print(f"{label:64} {len(paths):>5} {raw:>10,} {len(new):>7} {new_raw:>10,} {new_gz:>10,}")
    print(f"first-load growth: {first:,} B raw (budget {BUDGET_BYTES:,}); with the baseline "
          f"{base_raw + first:,} B")
    return 0 if first <= BUDGET_BYTES else 1


def _session(browser, url: str, block: bool) -> dict[str, int]:
    from conftest import MAP, VIEWPORT, frame_of, map_box, search, settle, wait_ready

    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    got = {"http": 0, "ws": 0, "context": 0}
    out: dict[str, int] = {}

    def on_response(resp) -> None:
        try:
            n = len(resp.body())
        except Exception:  # redirects, aborted requests
            return
        got["http"] += n
        if "/context/" in resp.url:
            got["context"] += n

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda payload: got.__setitem__(
            "ws", got["ws"] + len(payload if isinstance(payload, (bytes, str)) else b"")))

    if block:
        page.route("**/context/**", lambda route: route.abort())
    page.on("response", on_response)
    page.on("websocket", on_ws)
    page.goto(url + "/")
    wait_ready(page)
    out["first_load"] = got["http"] + got["ws"]
    out["first_context"] = got["context"]
    search(page, "Przemyśl")
    frame = frame_of(page)
    inn = page.frame_locator(MAP).get_by_role("button", name="Zoom in")
    out_btn = page.frame_locator(MAP).get_by_role("button", name="Zoom out")
    for _ in range(12):
        z = frame.evaluate("() => window.nfzMap.view().zoom")
        if 8.99 <= z < 9.5:
            break
        (inn if z < 9 else out_btn).click()
        page.wait_for_timeout(200)
    settle(page)
    out["zoom9_context"] = got["context"] - out["first_context"]
    before = got["context"]
    b = map_box(page)
    x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - b["width"] / 2, y, steps=8)
    page.mouse.up()
    settle(page)
    page.wait_for_timeout(1500)
    out["pan_context"] = got["context"] - before
    ctx.close()
    return out


def browser_report() -> int:
    from appserver import start_app, stop_app
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM_ARGS, find_chromium

    proc, url = start_app({"DASHBOARD_DATA_DIR": tempfile.mkdtemp(prefix="bench-context-")})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), headless=True,
                                        args=CHROMIUM_ARGS)
            base = _session(browser, url, block=True)
            ours = _session(browser, url, block=False)
            browser.close()
    finally:
        stop_app(proc)
    rows = [("first load, all bytes (HTTP bodies + websocket)", "first_load"),
            ("  of which context files", "first_context"),
            ("search Przemyśl + zoom to 9: context files", "zoom9_context"),
            ("pan half a view east at zoom 9: context files", "pan_context")]
    print(f"{'':52} {'baseline':>12} {'with context':>12}")
    for label, key in rows:
        print(f"{label:52} {base[key]:>12,} {ours[key]:>12,}")
    print(f"first-load growth: {ours['first_load'] - base['first_load']:,} bytes (budget {BUDGET_BYTES:,})")
    return 0 if ours["first_context"] <= BUDGET_BYTES else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--browser", action="store_true", help="measure the real app in Chromium")
    args = ap.parse_args(argv)
    return browser_report() if args.browser else static_report()


if __name__ == "__main__":
    sys.exit(main())
