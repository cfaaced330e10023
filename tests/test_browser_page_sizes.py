"""The page at every size (issue 20 item 6), in real headless Chromium against the real app.

- 1920×1080: the map fills the window's height below its top (it was 700 px with 330 px
  of white below) and stays there while a long panel beside it scrolls the page.
- A click inside Ukraine picks the topmost feature (the candidate zone over the oblast
  over the country), its own figures are read at the top of the panel without scrolling
  the map away, and a click again on the same spot, or "Next feature here", picks the
  next one down (the oblast); names and areas are checked against ``geodata/*.geojson``
  read with ``json`` and ``shapely`` and ``pyproj.Geod``, never through the project's core.
- 390×844 (a phone): the legend starts folded, the document scrolls (a wheel over the
  page outside the map moves it) and the page navigation is reachable from the fixed
  header's sidebar button.
- A loading indicator (role "status", aria-live) stands in the map while the layers
  are held back, and is gone once ``data-ready`` is 1.
- Tab through the page with the sidebar collapsed: focus never goes into the hidden
  sidebar, and every control focused inside the map shows an outline.
"""
from __future__ import annotations

import re
import time

import numpy as np
import pytest
from geo_reference import GEOD
from shapely.geometry import Point, shape

from conftest import (
    MAP,
    centre,
    frame_of,
    geodata_features,
    hover,
    map_box,
    search,
    settle,
    snap,
    wait_ready,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: A spot inside Ukraine under a candidate zone, an oblast and the country (lon, lat).
SPOT = (25.3, 50.9)
WIDE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def geometry_area_km2(geom: dict) -> float:
    """Area of a GeoJSON (Multi)Polygon with geodesic edges (exteriors less holes), km²."""
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    total = 0.0
    for rings in polys:
        for k, ring in enumerate(rings):
            xy = np.asarray(ring, float)
            area, _ = GEOD.polygon_area_perimeter(xy[:, 0], xy[:, 1])
            total += abs(area) / 1e6 * (1 if k == 0 else -1)
    return total


def _containing(layer: str, lon: float, lat: float) -> list[dict]:
    return [f for f in geodata_features(layer) if shape(f["geometry"]).contains(Point(lon, lat))]


def _open(browser, url: str, viewport: dict):
    ctx = browser.new_context(viewport=viewport)
    page = ctx.new_page()
    page.goto(url)
    wait_ready(page)
    return ctx, page


def _main_scroll(page) -> dict:
    """How far the page can scroll: Streamlit's main area and the document."""
    return page.evaluate("""() => {
        const m = document.querySelector('[data-testid="stMain"]');
        const d = document.scrollingElement;
        return {main: m.scrollHeight - m.clientHeight, mainTop: m.scrollTop,
                doc: d.scrollHeight - innerHeight, docTop: scrollY, inner: innerHeight};
    }""")


@pytest.fixture(scope="module")
def wide(browser, app_url):
    ctx, page = _open(browser, app_url + "/explore", WIDE)
    yield page
    ctx.close()


def test_the_map_fills_the_window_at_1920x1080(wide):
    page = wide
    b = map_box(page)
    scroll = _main_scroll(page)
    available = scroll["inner"] - b["y"]
    assert b["y"] < 120, b
    assert available - 40 <= b["height"] <= available, (b, available)
    assert scroll["doc"] <= 2, scroll  # Streamlit's main area scrolls, if anything does
    frame_of(page).wait_for_function(
        f"() => Math.abs(document.getElementById('map').clientHeight - {b['height']}) < 1")
    # the panel beside the map, on screen
    search_box = page.get_by_role("textbox", name="Search", exact=True).bounding_box()
    assert search_box["x"] >= b["x"] + b["width"] - 1 and search_box["y"] < 200, search_box
    # a long panel scrolls the page; the map stays where it is, filling the window
    page.mouse.move(search_box["x"] + 20, search_box["y"] + 300)
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(500)
    after = map_box(page)
    assert (after["y"], after["height"]) == (pytest.approx(b["y"], abs=1), b["height"]), (after, b)
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")


def _here(page) -> list[dict]:
    """The 'features here' list of the map: [{name, layer, pressed}], top first."""
    return frame_of(page).evaluate("""() => [...document.querySelectorAll('.here:not([hidden]) .here-item')]
        .map((b) => ({name: b.querySelector('.here-name').textContent, layer: b.dataset.layer,
                      feature: b.dataset.feature, pressed: b.getAttribute('aria-pressed') === 'true'}))""")


#: Longer than a double click (1.5 s), which would zoom instead of picking (ms).
PAST_DOUBLE_CLICK_MS = 1700
_last_click = [float("-inf")]  # time.monotonic() of the last click on the map


def _past_double_click(page) -> None:
    """Wait until :data:`PAST_DOUBLE_CLICK_MS` have passed since the last click (the
    panel's wait and the settle after it have usually taken most of that already)."""
    left_ms = PAST_DOUBLE_CLICK_MS - 1000 * (time.monotonic() - _last_click[0])
    if left_ms > 0:
        page.wait_for_timeout(left_ms)


def _click(page, x: float, y: float, expect: str, tries: int = 3) -> None:
    """Click as a person does and wait for the panel to name ``expect``; a busy machine
    may lose a click, and a person clicks again (after the double-click time)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y, delay=100)
        _last_click[0] = time.monotonic()
        try:
            page.locator(".st-key-pick-panel").get_by_text(expect).first.wait_for(timeout=20_000)
            settle(page)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
            _past_double_click(page)


def test_a_click_in_ukraine_picks_the_zone_then_the_oblast(wide):
    page = wide
    (zone,) = [f for f in _containing("zones", *SPOT)
               if f["properties"]["id"] == "ua-border-oblasts"]  # the default candidate zone
    (oblast,) = _containing("regions", *SPOT)
    (country,) = _containing("countries", *SPOT)
    zone_name, oblast_name = zone["properties"]["name"], oblast["properties"]["name"]
    search(page, f"{SPOT[1]}, {SPOT[0]}")
    x, y = snap(page, *centre(page))
    hover(page, x, y, zone_name)  # the tooltip names the topmost feature
    _click(page, x, y, f"Selected on map: {zone_name}")
    here = _here(page)
    names = [h["name"] for h in here]
    assert names[:2] == [zone_name, oblast_name], here
    assert country["properties"]["name"] in names, here
    assert here[0]["pressed"] and not any(h["pressed"] for h in here[1:]), here

    # the zone's own figures at the top of the panel, the map where it was
    panel = page.locator(".st-key-pick-panel")
    area = panel.get_by_text(re.compile(r"^area$")).first
    box = area.bounding_box()
    assert box is not None and box["y"] + box["height"] <= WIDE["height"], box
    text = panel.inner_text()
    m = re.search(r"\barea\s+([\d,.]+)\s*km²", text)
    assert m and float(m.group(1).replace(",", "")) == pytest.approx(
        geometry_area_km2(zone["geometry"]), rel=1e-3), text
    b = map_box(page)
    assert 0 <= b["y"] < 120 and b["y"] + b["height"] <= WIDE["height"], b  # all of the map
    assert b["x"] + b["width"] <= panel.bounding_box()["x"] + 1

    # a click again on the same spot: the next feature down, the oblast
    _past_double_click(page)
    _click(page, x, y, f"Selected on map: {oblast_name}")
    here = _here(page)
    assert [h["pressed"] for h in here][:2] == [False, True], here
    text = panel.inner_text()
    m = re.search(r"\barea\s+([\d,.]+)\s*km²", text)
    assert m and float(m.group(1).replace(",", "")) == pytest.approx(
        geometry_area_km2(oblast["geometry"]), rel=1e-3), text
    assert "layer: regions" in text, text

    # "Next feature here" goes on down the list, and wraps round to the zone
    fr = page.frame_locator(MAP)
    for expect in [h["name"] for h in here[2:]] + [zone_name]:
        fr.locator('.here button[data-action="next-here"]').click()
        page.locator(".st-key-pick-panel").get_by_text(
            f"Selected on map: {expect.split(',')[0]}").first.wait_for(timeout=20_000)
        settle(page)
    assert _here(page)[0]["pressed"]


def test_a_phone_folds_the_legend_scrolls_the_page_and_reaches_the_pages(browser, app_url):
    ctx, page = _open(browser, app_url + "/explore", PHONE)
    try:
        fr = page.frame_locator(MAP)
        assert fr.locator(".legend-head").get_attribute("aria-expanded") == "false"
        assert fr.locator(".legend-rows").is_hidden()
        b = map_box(page)
        assert b["height"] < PHONE["height"] - b["y"] - 100, b  # a strip of page below it
        scroll = _main_scroll(page)
        assert scroll["doc"] > 0, scroll  # the document scrolls (not an inner box)
        # a wheel over the page, below the map, scrolls it
        page.mouse.move(PHONE["width"] / 2, b["y"] + b["height"] + 60)
        page.mouse.wheel(0, 400)
        page.wait_for_function("() => scrollY > 100", timeout=10_000)
        # the header stays, and its sidebar button opens the page navigation
        button = page.locator('[data-testid="stExpandSidebarButton"]')
        bb = button.bounding_box()
        assert bb is not None and 0 <= bb["y"] < 60, bb
        button.click()
        link = page.get_by_role("link", name="No-fly zones")
        link.wait_for(state="visible", timeout=10_000)
        page.wait_for_function("""() => [...document.querySelectorAll('a')].some((a) =>
            a.textContent.includes('No-fly zones') && a.getBoundingClientRect().left >= 0)""",
                               timeout=10_000)  # the sidebar has slid in
        lb = link.bounding_box()
        assert 0 <= lb["y"] < PHONE["height"] and 0 <= lb["x"] < PHONE["width"], lb
        link.click()
        page.get_by_text("No zones yet").wait_for(timeout=60_000)
    finally:
        ctx.close()


def test_a_loading_indicator_until_the_layers_are_drawn(browser, app_url):
    ctx = browser.new_context(viewport=WIDE)  # a new context: no layer in its caches
    page = ctx.new_page()
    held = []
    pattern = re.compile(r".*/component/dashboard\.ui\.mapview\.map/layers/.*\.bin$")
    page.route(pattern, lambda route: held.append(route))
    try:
        page.goto(app_url + "/explore")
        loading = page.frame_locator(MAP).locator(".loading")
        loading.wait_for(state="visible", timeout=60_000)
        for _ in range(100):  # the layers are asked for, and held back
            if held:
                break
            page.wait_for_timeout(100)
        assert held
        page.wait_for_timeout(1500)  # past the map's first frame: still loading
        fr = frame_of(page)
        assert fr.evaluate("() => document.getElementById('root').dataset.ready") != "1"
        assert loading.is_visible()
        assert loading.get_attribute("role") == "status"
        assert loading.get_attribute("aria-live") == "polite"
        assert "Loading" in loading.inner_text()
        for route in held:
            route.continue_()
        page.unroute(pattern)
        wait_ready(page)
        assert loading.is_hidden()
    finally:
        ctx.close()


def test_tab_never_enters_the_collapsed_sidebar_and_map_focus_is_visible(browser, app_url):
    ctx, page = _open(browser, app_url + "/explore", {"width": 1280, "height": 800})
    try:
        assert page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
        inside_map = []
        for _ in range(45):
            page.keyboard.press("Tab")
            where = page.evaluate("""() => {
                const a = document.activeElement;
                const bar = document.querySelector('[data-testid="stSidebar"]');
                return {tag: a.tagName, label: a.getAttribute('aria-label') || a.textContent.slice(0, 40),
                        inSidebar: Boolean(bar && bar.contains(a)),
                        map: a.tagName === 'IFRAME' && (a.title || '').includes('mapview.map')};
            }""")
            assert not where["inSidebar"], where
            if where["map"]:
                inner = frame_of(page).evaluate("""() => {
                    const a = document.activeElement;
                    if (!a || a === document.body) return null;
                    const cs = getComputedStyle(a);
                    return {tag: a.tagName, label: a.getAttribute('aria-label') || a.className,
                            style: cs.outlineStyle, width: parseFloat(cs.outlineWidth)};
                }""")
                if inner is not None:
                    assert inner["style"] != "none" and inner["width"] > 0, inner
                    inside_map.append(inner["label"])
        # the toolbar, the legend and the timeline's play control were among them
        assert {"Pan and select", "Measure distance", "Zoom in"} <= set(inside_map), inside_map
        assert any("legend" in str(x) for x in inside_map), inside_map
        assert "Play the incident timeline" in inside_map, inside_map
    finally:
        ctx.close()
