"""What the village-scale places cost over the wire: the first load and a pan at village scale.

    python -m benchmarks.bench_places

Runs the real app (``streamlit run``, as the browser tests do) in headless Chromium twice:

* **with places** - the app as shipped;
* **baseline** - the same app with every request under ``places/`` refused (what the map
  fetched before the place tiles existed; the args' few hundred bytes of ``spec.places``
  and the bundle's label code stay in both).

For each it reports the bytes of every HTTP response body plus the websocket frames
received until the map is ready at the default view (**first load**), and the bytes of
the place files fetched when the view is set to Przewodów at zoom 12 and then panned
by half a view east (**pan at zoom 12**).  Needs Debian's chromium and playwright.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from appserver import start_app, stop_app  # noqa: E402

from conftest import (  # noqa: E402
    CHROMIUM_ARGS,
    MAP,
    PRZEWODOW_LONLAT,
    VIEWPORT,
    find_chromium,
    frame_of,
    map_box,
    search,
    settle,
    wait_ready,
)

#: The first load may grow by at most this much (issue 20).
BUDGET_BYTES = 300_000


def _session(browser, url: str, block: bool) -> dict[str, int]:
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    got: dict[str, int] = {"http": 0, "ws": 0, "places": 0}
    phase = {"name": "first"}
    out: dict[str, int] = {}

    def on_response(resp) -> None:
        try:
            n = len(resp.body())
        except Exception:  # redirects, aborted requests
            return
        got["http"] += n
        if "/places/" in resp.url:
            got["places"] += n

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda payload: got.__setitem__(
            "ws", got["ws"] + len(payload if isinstance(payload, (bytes, str)) else b"")))

    if block:
        page.route("**/places/**", lambda route: route.abort())
    page.on("response", on_response)
    page.on("websocket", on_ws)
    page.goto(url + "/")
    wait_ready(page)
    out["first_load"] = got["http"] + got["ws"]
    out["first_places"] = got["places"]
    phase["name"] = "pan"
    search(page, "Przewodów")
    inn = page.frame_locator(MAP).get_by_role("button", name="Zoom in")
    for _ in range(12):
        if frame_of(page).evaluate("() => window.nfzMap.view().zoom") >= 11.99:
            break
        inn.click()
        page.wait_for_timeout(200)
    settle(page)
    before = got["places"]
    b = map_box(page)
    x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - b["width"] / 2, y, steps=8)
    page.mouse.up()
    settle(page)
    page.wait_for_timeout(1500)
    out["pan_places"] = got["places"] - before
    out["zoom12_places"] = before - out["first_places"]
    view = frame_of(page).evaluate("() => window.nfzMap.view()")
    out["pan_lon"] = round(view["lon"] - PRZEWODOW_LONLAT[0], 3)
    ctx.close()
    return out


def main() -> int:
    from playwright.sync_api import sync_playwright

    proc, url = start_app({"DASHBOARD_DATA_DIR": tempfile.mkdtemp(prefix="bench-places-")})
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
            ("  of which place files", "first_places"),
            ("search Przewodów + zoom to 12: place files", "zoom12_places"),
            ("pan half a view east at zoom 12: place files", "pan_places")]
    print(f"{'':52} {'baseline':>12} {'with places':>12}")
    for label, key in rows:
        print(f"{label:52} {base[key]:>12,} {ours[key]:>12,}")
    growth = ours["first_load"] - base["first_load"]
    print(f"first-load growth: {growth:,} bytes (budget {BUDGET_BYTES:,}; the two loads also "
          "differ by Streamlit's own traffic)")
    return 0 if ours["first_places"] <= BUDGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
