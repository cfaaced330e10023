"""A basemap the user brings, in headless Chromium: the app started with
``DASHBOARD_BASEMAP`` on a small PMTiles file, a small MBTiles file (both built here)
and an XYZ URL on a local ``http.server`` serving the same kind of tiles.  Each time the
tiles are drawn under the layers (their colour fills much of the map where the
countries are now outlines), the attribution is on the map, and no request of the
browser leaves the app: the app serves the tiles, fetching an XYZ URL's from the
host the user configured (which sees them asked for).  The tile route serves only
the configured source's tiles."""
from __future__ import annotations

import http.server
import io
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import tilefiles
from appserver import free_port, start_app, stop_app
from PIL import Image

from conftest import MAP, VIEWPORT, frame_of, wait_ready

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def tiles(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("basemap")
    return {"pmtiles": tilefiles.write_pmtiles(d / "test.pmtiles"),
            "mbtiles": tilefiles.write_mbtiles(d / "test.mbtiles")}


@pytest.fixture(scope="module")
def xyz_server():
    """A local XYZ tile server with a tile at every zoom, like a real one: (URL template,
    paths it was asked for)."""
    asked: list[str] = []
    tile = re.compile(r"^/(\d+)/(\d+)/(\d+)\.png$")

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            asked.append(self.path)
            m = tile.match(self.path)
            if not m:
                self.send_error(404)
                return
            body = tilefiles.png(tilefiles.XYZ_RGB, mark=tuple(int(v) % 256 for v in m.groups()))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png", asked
    finally:
        server.shutdown()
        server.server_close()


CASES = {
    "pmtiles": (tilefiles.PMTILES_RGB, "Test PMTiles © magenta"),
    "mbtiles": (tilefiles.MBTILES_RGB, "Test MBTiles © green tiles"),
    "xyz": (tilefiles.XYZ_RGB, "Orange test tiles"),
}


def _colour_share(png: bytes, rgb) -> float:
    with Image.open(io.BytesIO(png)) as im:
        a = np.asarray(im.convert("RGB")).astype(int)
    return float((np.abs(a - np.array(rgb)).sum(axis=2) < 16).mean())


def _basemap_state(page, timeout_s: float = 60.0) -> dict:
    """The map's basemap hook once some tiles are loaded (polled)."""
    state = None
    for _ in range(int(timeout_s * 5)):
        frame = frame_of(page)
        state = frame.evaluate("() => window.nfzMap && window.nfzMap.basemap()") if frame else None
        ready = frame.evaluate("() => document.getElementById('root').dataset.ready") if frame else None
        if state and state["loaded"] >= 1 and ready == "1":
            return state
        page.wait_for_timeout(200)
    raise AssertionError(f"no basemap tile was loaded: {state}")


def _drawn_share(page, rgb, timeout_s: float = 60.0) -> float:
    """The share of the map's pixels in the basemap's colour, looked at again (not after a
    fixed wait) until it is over 0.2 or ``timeout_s`` has passed: the rest of the view's
    tiles may still be arriving after the first one."""
    deadline = time.monotonic() + timeout_s
    while True:
        share = _colour_share(page.locator(MAP).screenshot(), rgb)
        if share > 0.2 or time.monotonic() > deadline:
            return share
        page.wait_for_timeout(250)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("kind", list(CASES))
def test_basemap_is_drawn_attributed_and_served_by_the_app(browser, tiles, xyz_server, tmp_path, kind):
    rgb, attribution = CASES[kind]
    env = {"DASHBOARD_DATA_DIR": str(tmp_path)}
    if kind == "xyz":
        env.update(DASHBOARD_BASEMAP=xyz_server[0], DASHBOARD_BASEMAP_ATTRIBUTION=attribution)
        xyz_server[1].clear()
    else:
        env["DASHBOARD_BASEMAP"] = str(tiles[kind])
    proc, url = start_app(env)
    requests: list[str] = []
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        page = ctx.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("websocket", lambda ws: requests.append(ws.url))
        page.goto(url)
        wait_ready(page)
        state = _basemap_state(page)
        assert state["type"] == "raster" and state["failed"] == 0
        frame = frame_of(page)
        shown = frame.evaluate("() => document.querySelector('.basemap-attribution').textContent")
        assert shown == attribution
        assert frame.locator(".basemap-attribution").is_visible()
        share = _drawn_share(page, rgb)
        assert share > 0.2, f"basemap colour covers only {share:.1%} of the map"

        app = urlsplit(url).netloc
        outside = [r for r in requests if urlsplit(r).netloc != app]
        served = [r for r in requests if "/_basemap/" in r]
        assert outside == [], outside
        assert served and all(urlsplit(r).path.startswith("/_basemap/") for r in served)
        if kind == "xyz":  # the app asked the configured host, for tiles only
            assert xyz_server[1] and all(p.endswith(".png") for p in xyz_server[1])
        else:
            _only_the_configured_tiles_are_served(url, served[0])
    finally:
        ctx.close()
        stop_app(proc)


def _status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", "")


def _only_the_configured_tiles_are_served(base: str, tile_url: str) -> None:
    token = urlsplit(tile_url).path.split("/")[2]
    assert _status(f"{base}/_basemap/{token}/0/0/0") == (200, "image/png")
    assert _status(f"{base}/_basemap/{token}/9/0/0")[0] == 204  # not in the file
    assert _status(f"{base}/_basemap/{token}/0/5/5")[0] == 204  # not a tile of zoom 0
    assert _status(f"{base}/_basemap/{'0' * 12}/0/0/0")[0] == 404  # another token: nothing
    for bad in (f"/_basemap/{token}/0/0/..%2F..%2Fetc%2Fpasswd", f"/_basemap/{token}/0/0/0.png",
                "/_basemap/..%2F..%2F/0/0/0", f"/_basemap/{token}/-1/0/0"):
        status, ctype = _status(base + bad)
        assert not ctype.startswith("image/") and "protobuf" not in ctype, (bad, status, ctype)
