"""The rivers and wide water in the real app (issue 20 item 3): the default view fetches the
context tile index only (the rivers' overview is drawn from zoom 7, no 2-degree tile, well
under the 300 kB budget); at zoom 9 near Przemyśl it fetches the river tiles of that view, and among them
the tile holding Przemyśl (the San), and only tiles that meet the view.

Skipped until the map is wired to the tiles (``spec.context`` from
``dashboard.render.context_tiles.context_spec`` in the deck spec, and a bundle built with
``frontend/src/context.js``)."""
from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

import pytest

from conftest import MAP, REQUESTS, ROOT, frame_of, open_app_page, search, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAPVIEW = ROOT / "dashboard" / "ui" / "mapview" / "frontend"
CONTEXT = MAPVIEW / "context"
FIRST_LOAD_BUDGET_BYTES = 300_000
PRZEMYSL = (22.76728, 49.78498)  # GeoNames 761168, geodata/places.tsv


def _wired() -> bool:
    from dashboard.render import deck

    bundle = (MAPVIEW / "main.js").read_text(encoding="utf-8", errors="replace")
    return "context_spec" in inspect.getsource(deck) and "\\/context\\/tiles" in bundle  # context.js's regex


pytestmark.append(pytest.mark.skipif(not _wired(), reason="map not wired to the context tiles yet"))


def _context(requests: list[str]) -> list[str]:
    return sorted({Path(u.split("?")[0]).name for u in requests if "/context/" in u})


def test_default_view_then_przemysl_at_zoom_9(browser, app_url):
    start = len(REQUESTS)  # open_app_page records every request of the page there
    ctx, page, _ = open_app_page(browser, app_url + "/")
    try:
        settle(page)
        first = _context(REQUESTS[start:])
        browser_index = json.loads((CONTEXT / "index.json").read_text(encoding="utf-8"))["url"]
        assert Path(browser_index).name in first
        assert [n for n in first if not n.startswith("tiles.")] == []  # the overview: from zoom 7
        assert sum((CONTEXT / n).stat().st_size for n in first) <= FIRST_LOAD_BUDGET_BYTES
        search(page, "Przemyśl")
        frame = frame_of(page)
        inn = page.frame_locator(MAP).get_by_role("button", name="Zoom in")
        out = page.frame_locator(MAP).get_by_role("button", name="Zoom out")
        for _ in range(14):
            z = frame.evaluate("() => window.nfzMap.view().zoom")
            if 9 <= z < 9.9:
                break
            (inn if z < 9 else out).click()
            page.wait_for_timeout(250)
        settle(page)
        view = frame.evaluate("() => window.nfzMap.view()")
        tiles = [n for n in _context(REQUESTS[start:]) if n.startswith("rivers_full_")]
        key = f"{math.floor(PRZEMYSL[0] / 2) * 2}_{math.floor(PRZEMYSL[1] / 2) * 2}"
        assert any(n.startswith(f"rivers_full_{key}.") for n in tiles), (key, tiles)
        w, s, e, n = view["bounds"]
        for name in tiles:  # only tiles meeting the view (or an earlier view on the way)
            x, y = (int(v) for v in name.split(".")[0].split("_")[-2:])
            assert x < e + 2 and x + 2 > w - 2 and y < n + 2 and y + 2 > s - 2, (name, view["bounds"])
    finally:
        ctx.close()
