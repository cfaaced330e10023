"""The real app in headless Chromium: it renders offline, draws the strike and
the border where they are, answers a click with the right distance, and keeps
other people's data out of the page's HTML."""
from __future__ import annotations

import json
import math
import re

import pytest
import shapely

from dashboard.appstate import incident_view
from dashboard.geo.layers_io import load_layer
from dashboard.geo.report import point_report

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1600, "height": 1100}
PRZEWODOW = "2022-11-15-przewodow"


def _merc(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator world coordinates in deck.gl's 512-pixel world at zoom 0."""
    x = (lon + 180.0) / 360.0 * 512.0
    y = (180.0 - math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))) \
        / 360.0 * 512.0
    return x, y


def screen_xy(lon: float, lat: float, view: dict, box: dict) -> tuple[float, float]:
    """Page pixel of (lon, lat) on a deck map with the given initial view and box."""
    scale = 2.0 ** view["zoom"]
    cx, cy = _merc(view["longitude"], view["latitude"])
    px, py = _merc(lon, lat)
    return (box["x"] + box["width"] / 2 + (px - cx) * scale,
            box["y"] + box["height"] / 2 + (py - cy) * scale)


def _open(browser, url: str):
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=60_000)
    try:  # a loaded machine may keep fetching past the budget; the canvas is what counts
        page.wait_for_load_state("networkidle", timeout=15_000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError
        pass
    page.wait_for_timeout(1500)
    return ctx, page, requests, dialogs


def _pixel(img, x: float, y: float) -> tuple[int, int, int]:
    return img.getpixel((int(round(x)), int(round(y))))[:3]


def _near(c1, c2, tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c1, c2))


def hover_until_tooltip(page, x: float, y: float, text: str, timeout_ms: int = 15_000) -> str:
    """Move onto (x, y) until deck.gl shows a tooltip containing ``text``: proof
    that picking at that pixel works before anything is clicked."""
    tip = page.locator(".deck-tooltip")
    deadline = timeout_ms
    while deadline > 0:
        page.mouse.move(x - 3, y - 2)
        page.mouse.move(x, y, steps=3)
        page.wait_for_timeout(500)
        deadline -= 500
        if tip.is_visible() and text in tip.inner_text():
            return tip.inner_text()
    raise AssertionError(f"no tooltip with {text!r} at ({x:.0f}, {y:.0f})")


def click_until(page, x: float, y: float, expect_text: str, tries: int = 3) -> None:
    """Click as a person does (hover, then a press long enough for deck.gl's tap
    recogniser) and wait for ``expect_text``; a busy machine may lose a click,
    and a person clicks again (a repeated click on the same object deselects it,
    which leaves the page's pick as it was)."""
    for attempt in range(tries):
        page.mouse.move(x, y, steps=4)
        page.wait_for_timeout(300)
        page.mouse.click(x, y, delay=120)
        try:
            page.get_by_text(expect_text).first.wait_for(timeout=15_000)
            return
        except Exception:
            if attempt == tries - 1:
                raise


@pytest.fixture(scope="module")
def session(browser, app_url):
    ctx, page, requests, dialogs = _open(browser, app_url)
    yield page, requests, dialogs
    ctx.close()


def _map_geometry(page) -> tuple[dict, dict]:
    """The map's initial view (what the server's default scene asks for) and its box."""
    box = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.bounding_box()
    inc = load_layer("incidents").set_index("id").loc[PRZEWODOW].geometry
    v = incident_view(inc.x, inc.y)
    return {"longitude": v.lon, "latitude": v.lat, "zoom": v.zoom}, box


def _screenshot(page):
    from io import BytesIO

    from PIL import Image

    return Image.open(BytesIO(page.screenshot())).convert("RGB")


def test_offline_every_request_stays_on_the_app(session, app_url):
    page, requests, _ = session
    assert requests, "no requests recorded"
    outside = [u for u in requests
               if not (u.startswith(app_url) or u.startswith("data:") or u.startswith("blob:"))]
    assert outside == []


def test_strike_marker_and_border_are_drawn_where_they_are(session):
    page, _, _ = session
    view, box = _map_geometry(page)
    img = _screenshot(page)
    inc = load_layer("incidents").set_index("id").loc[PRZEWODOW].geometry
    x, y = screen_xy(inc.x, inc.y, view, box)
    assert _near(_pixel(img, x, y), (220, 20, 30)), _pixel(img, x, y)

    # A stretch of the PL-UA border well away from the marker: some pixel within
    # 2 px of each sampled vertex has the NATO–Ukraine colour.
    border = load_layer("nato_border").set_index("id").loc["PL-UA"].geometry
    coords = shapely.get_coordinates(border)
    hits = 0
    samples = coords[:: max(len(coords) // 12, 1)]
    for lon, lat in samples:
        if abs(lat - inc.y) < 0.3:
            continue
        bx, by = screen_xy(lon, lat, view, box)
        found = any(
            _near(_pixel(img, bx + dx, by + dy), (0, 87, 183), 45)
            for dx in range(-2, 3) for dy in range(-2, 3)
        )
        hits += found
    assert hits >= len(samples) // 2, f"border seen at {hits} of {len(samples)} samples"


def test_click_on_strike_shows_its_distance_to_the_border(session):
    page, _, _ = session
    view, box = _map_geometry(page)
    inc = load_layer("incidents").set_index("id").loc[PRZEWODOW].geometry
    x, y = screen_xy(inc.x, inc.y, view, box)
    hover_until_tooltip(page, x, y, "Przewodów")
    click_until(page, x, y, "Selected on map: Przewodów")
    panel = page.locator(".st-key-pick-panel").first.inner_text()
    expected = point_report(inc.x, inc.y).leg("NATO border").distance_km
    m = re.search(r"NATO border\s+(\S+)\s+([\d.]+)", panel)
    assert m, panel
    assert m.group(1) == "PL-UA"
    assert float(m.group(2)) == pytest.approx(expected, abs=0.01)


def test_uploaded_property_cannot_inject_html(browser, app_url, tmp_path):
    evil = '<img src=x onerror="window.__pwned=1">'
    fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": evil},
        "geometry": {"type": "Polygon", "coordinates": [[
            [23.0, 50.9], [24.4, 50.9], [24.4, 51.3], [23.0, 51.3], [23.0, 50.9]]]}}]}
    path = tmp_path / "evil.geojson"
    path.write_text(json.dumps(fc))
    ctx, page, _, dialogs = _open(browser, app_url)
    try:
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
        page.get_by_text("Remove evil.geojson").wait_for(timeout=30_000)
        page.wait_for_timeout(2000)
        view, box = _map_geometry(page)
        x, y = screen_xy(23.7, 51.1, view, box)
        text = hover_until_tooltip(page, x, y, "<img")
        tip = page.locator(".deck-tooltip")
        assert evil in text
        assert tip.locator("img").count() == 0
        assert page.evaluate("() => window.__pwned === undefined")
        assert dialogs == []
    finally:
        ctx.close()
