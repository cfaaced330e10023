"""Markup stays text on every surface of the real app, in real headless Chromium.

Script, event-handler, ``javascript:`` and external-image payloads (HTML and
Markdown), template syntax, ``$...$`` maths, a very long name and bidi/zero-width
characters go in where a user can put them: an uploaded GeoJSON's file name,
feature names and property names and values; an uploaded CSV's columns and values;
the search box; an imported scenario's name and its zones' names and descriptions;
the saved scenario and its share link.  The test drives the page until each
surface shows them (the map's tooltip on hover, the click panel and its tables,
the legend, the sidebar, search errors, zone cards, scenario messages, the brief
downloaded as SVG) and checks that each shows the payload *as literal text*, so
it cannot pass because nothing was shown.

Every page and frame is watched: a dialog (``alert``), a popup, or any request
that leaves the app's own origin (the Markdown image points at 127.0.0.9) fails
the test.
"""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from test_markup_export import (
    BIDI,
    IMG,
    JS_LINK,
    LONG,
    MATH,
    MD_IMAGE,
    MD_JS,
    SCRIPT,
    SVG_ONLOAD,
    TEMPLATE,
)

from conftest import MAP, VIEWPORT, download_brief, frame_of, search, settle, wait_ready

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The uploaded GeoJSON: its file name and its one polygon's properties.
GEO_NAME = f"{SCRIPT}{MD_IMAGE}{MATH}.geojson"
FEATURE_NAME = f"{IMG}{MD_IMAGE} {MATH}"
PROPS = {"name": FEATURE_NAME, "note": SCRIPT, "about": SVG_ONLOAD, "link": JS_LINK,
         "md": f"{MD_IMAGE} {MD_JS}", "tmpl": TEMPLATE, "bidi": BIDI, IMG: "payload key"}
POLYGON = [[23.0, 50.9], [24.4, 50.9], [24.4, 51.3], [23.0, 51.3], [23.0, 50.9]]
#: The uploaded CSV: a point whose columns and values are payloads.
CSV_NAME = f"{MD_JS}{TEMPLATE}.csv"
CSV_POINT = (25.6, 51.05)  # lon, lat: north of Lutsk, away from the polygon
CSV_ROW = {"lat": CSV_POINT[1], "lon": CSV_POINT[0], "name": LONG, f"<b>{MD_IMAGE}</b>": BIDI,
           "cmd": '=HYPERLINK("http://127.0.0.9/csv","x")'}
#: The imported scenario (names are at most 120 characters).
SCENARIO = f"{IMG} {MD_IMAGE} {MATH}"
ZONES = [(f"{SCRIPT} {MD_JS}", f"{JS_LINK} {MD_IMAGE}", [(24.6, 50.0), (25.4, 50.0), (25.4, 50.5),
                                                        (24.6, 50.5)]),
         (f"{SVG_ONLOAD}{TEMPLATE}{BIDI}", f"{MATH} {IMG}", [(26.0, 49.6), (26.8, 49.6),
                                                            (26.8, 50.1), (26.0, 50.1)])]


# ------------------------------------------------------------------ the watch
class Watch:
    """Everything the browser did that it must not: dialogs, popups, foreign requests."""

    def __init__(self, origin: str):
        self.origin = origin
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.popups: list[str] = []
        self.pages: list = []

    def attach(self, ctx) -> None:
        ctx.on("request", lambda r: self.requests.append(r.url))
        ctx.on("page", self._page)

    def _page(self, page) -> None:
        self.pages.append(page)
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("popup", lambda p: self.popups.append(p.url))

    def foreign(self) -> list[str]:
        return sorted({u for u in self.requests if not u.startswith(("data:", "blob:", "about:"))
                       and not (u == self.origin or u.startswith(self.origin + "/"))})

    def check(self) -> None:
        assert self.dialogs == [], f"a payload ran: dialogs {self.dialogs}"
        assert self.popups == [], self.popups
        assert not [u for u in self.requests if "127.0.0.9" in u], self.foreign()
        assert self.foreign() == [], self.foreign()


@pytest.fixture(scope="module")
def session(browser, app_url):
    watch = Watch(app_url)
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    watch.attach(ctx)
    page = ctx.new_page()
    assert watch.pages == [page]  # the context's "page" event watches every page it opens
    page.goto(app_url + "/")
    wait_ready(page)
    yield page, watch
    ctx.close()


# ------------------------------------------------------------------ helpers
def on_page(page, lon: float, lat: float) -> tuple[float, float]:
    """The page pixel of (lon, lat) on the map, as the map projects it."""
    b = page.locator(MAP).bounding_box()
    x, y = frame_of(page).evaluate("([lon, lat]) => window.nfzMap.project(lon, lat)", [lon, lat])
    return b["x"] + round(x), b["y"] + round(y)


def hover_tooltip(page, x: float, y: float, expect: str, tries: int = 20) -> str:
    """Move onto (x, y) until the map's tooltip holds ``expect``; the tooltip's text."""
    tip = page.frame_locator(MAP).locator(".tooltip")
    for _ in range(tries):
        page.mouse.move(x - 4, y - 3)
        page.mouse.move(x, y)
        page.wait_for_timeout(400)
        if tip.is_visible() and expect in tip.inner_text():
            return tip.inner_text()
    raise AssertionError(f"no tooltip with {expect!r} at ({x:.0f}, {y:.0f})")


def no_markup_in(page) -> None:
    """No element a payload would have made, in the page or the map's frame."""
    for target in (page, frame_of(page)):
        assert target.evaluate("() => document.querySelectorAll("
                               "'img[src=\"x\"], img[src*=\"127.0.0.9\"], a[href^=\"javascript\"], "
                               "svg[onload], [onerror], .katex').length") == 0
        assert target.evaluate("() => window.__pwned === undefined")


#: The bidirectional controls no name may carry when shown (U+202A-E, U+2066-9, U+200E/F).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def as_shown(name: str) -> str:
    """``name`` as a person should read it: its bidi controls taken out, all else kept."""
    return "".join(c for c in name if c not in BIDI_CONTROLS)


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def text_of(page, selector: str) -> str:
    return " ".join(e.inner_text() for e in page.locator(selector).all())


def _csv_bytes() -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CSV_ROW))
    w.writeheader()
    w.writerow(CSV_ROW)
    return buf.getvalue().encode()


def _geojson_bytes() -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": PROPS,
        "geometry": {"type": "Polygon", "coordinates": [POLYGON]}}]}).encode()


def _scenario_bytes() -> bytes:
    from shapely.geometry import Polygon

    from dashboard.store import Scenario, Zone
    from dashboard.store.geojson import to_geojson

    zones = [Zone(f"imp-{k}", name, Polygon(ring), description=desc)
             for k, (name, desc, ring) in enumerate(ZONES)]
    sc = Scenario(name=SCENARIO, zones=zones, incident_id="2022-11-15-przewodow")
    return json.dumps(to_geojson(sc), ensure_ascii=False).encode()


# ------------------------------------------------------------------ Explore
def test_uploaded_names_and_properties_show_as_text(session):
    """Upload both files: the sidebar, the legend and the tooltips show every payload."""
    page, watch = session
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():  # the uploader is in the sidebar: open it, as a person would
        expand.click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(files=[
        {"name": GEO_NAME, "mimeType": "application/geo+json", "buffer": _geojson_bytes()},
        {"name": CSV_NAME, "mimeType": "text/csv", "buffer": _csv_bytes()}])
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("On the map:").wait_for(timeout=90_000)
    settle(page)
    shown = sidebar.get_by_text("On the map:").inner_text()
    assert GEO_NAME in shown and CSV_NAME in shown, shown
    wait_ready(page)
    head = page.frame_locator(MAP).locator(".legend-head")
    if head.get_attribute("aria-expanded") != "true":  # a long legend starts folded
        head.click()
    legend = page.frame_locator(MAP).locator('[aria-label="Legend"]').inner_text()
    assert as_shown(GEO_NAME) in legend and as_shown(CSV_NAME) in legend, legend

    search(page, "51.1, 23.7")  # over the polygon
    b = page.locator(MAP).bounding_box()
    x, y = b["x"] + b["width"] / 2 + 40, b["y"] + b["height"] / 2 + 30
    tip = hover_tooltip(page, x, y, FEATURE_NAME)
    for key, value in PROPS.items():
        if key != "name":
            assert as_shown(f"{key}: {value}") in tip, (key, tip)  # bidi controls out (issue 18)
    assert page.frame_locator(MAP).locator(".tooltip *:not(div)").count() == 0

    search(page, f"{CSV_POINT[1]}, {CSV_POINT[0]}")  # the CSV's point at the map's centre
    px, py = on_page(page, *CSV_POINT)
    tip = hover_tooltip(page, px, py, LONG[:40])
    assert as_shown(LONG) in tip and as_shown(f"<b>{MD_IMAGE}</b>: {BIDI}") in tip, tip
    assert as_shown(f'cmd: {CSV_ROW["cmd"]}') in tip
    no_markup_in(page)
    watch.check()


def test_clicked_feature_panel_and_tables_show_the_names_as_text(session):
    page, watch = session
    search(page, "51.1, 23.7")
    b = page.locator(MAP).bounding_box()
    x, y = b["x"] + b["width"] / 2 + 40, b["y"] + b["height"] / 2 + 30
    hover_tooltip(page, x, y, FEATURE_NAME)
    panel = page.locator(".st-key-pick-panel")
    for _ in range(3):  # a busy machine may lose a click; a person clicks again
        page.mouse.click(x, y, delay=120)
        try:
            panel.get_by_text(f"Selected on map: {FEATURE_NAME}").wait_for(timeout=15_000)
            break
        except Exception:
            continue
    settle(page)
    text = panel.inner_text()
    assert f"Selected on map: {FEATURE_NAME}" in text, text
    assert f"layer: {GEO_NAME}" in text, text
    # the distance table: a row for the uploaded layer, named by its file and its feature
    tables = text_of(page, ".st-key-pick-panel table")  # Markdown tables (no Arrow code)
    assert GEO_NAME in tables and FEATURE_NAME in tables, tables
    no_markup_in(page)
    watch.check()


def test_search_box_input_is_echoed_as_text(session):
    page, watch = session
    query = f"{IMG} {MD_IMAGE} {MATH} {MD_JS}"
    search(page, query)
    alert = page.locator("[data-testid='stMain'] [data-testid='stAlert']").first
    alert.wait_for(timeout=15_000)
    shown = alert.inner_text()  # the message quotes the query as Python's repr does
    assert query in shown or repr(query) in shown, shown
    no_markup_in(page)
    watch.check()


def test_brief_svg_of_the_view_keeps_the_names_as_text(session):
    page, watch = session
    page.get_by_role("tab", name="Export").click()
    settle(page)
    layer_box = page.locator(".st-key-dl_layer input")  # the export's layer list names the upload
    # the picked feature heads the panel, so the Export tab sits lower: bring the list to the
    # middle first (a list opened at the window's bottom edge closes as the page scrolls)
    layer_box.evaluate("(el) => el.scrollIntoView({block: 'center'})")
    layer_box.click()
    option = page.get_by_role("option").filter(has_text=GEO_NAME)
    option.first.wait_for(timeout=15_000)
    assert GEO_NAME in option.first.inner_text()
    page.keyboard.press("Escape")
    no_markup_in(page)
    fmt = page.locator(".st-key-brief_fmt")
    fmt.evaluate("(el) => el.scrollIntoView({block: 'center'})")
    for _ in range(3):  # a rerun may re-draw the select as it opens: choose again
        fmt.locator("input").click()
        page.keyboard.type("svg")
        page.keyboard.press("Enter")
        settle(page)
        if fmt.locator("input").input_value() == "svg":
            break
    settle(page)
    svg = download_brief(page).read_bytes()
    root = ET.fromstring(svg)
    assert not re.search(rb"<(script|img|a|iframe|foreignObject)\b", svg)
    for e in root.iter():
        assert not any(k.rsplit("}", 1)[-1].lower().startswith("on") for k in e.attrib), e.attrib
    text = " ".join(t for e in root.iter() if e.tag.endswith("}text") for t in e.itertext())
    assert GEO_NAME[:24] in text, text[:3000]  # the legend row (ellipsized when long)
    page.get_by_role("tab", name="Selection").click()
    watch.check()


# ------------------------------------------------------------------ No-fly zones
def test_zone_and_scenario_names_show_as_text(session):
    page, watch = session
    page.get_by_role("link", name="No-fly zones").click()
    page.get_by_text("No zones yet").wait_for(timeout=60_000)
    wait_ready(page)
    page.locator(".st-key-scn_import_file [data-testid='stFileUploaderDropzoneInput']"
                 ).set_input_files(files=[{"name": f"{MD_IMAGE}.geojson",
                                           "mimeType": "application/geo+json",
                                           "buffer": _scenario_bytes()}])
    settle(page)
    page.locator(".st-key-scn_import_open button").click()
    page.locator('[class*="st-key-zone_card_"]').nth(len(ZONES) - 1).wait_for(timeout=60_000)
    settle(page)
    assert f"Opened scenario “{SCENARIO}”" in main_text(page), main_text(page)[:2000]
    cards = text_of(page, '[class*="st-key-zone_card_"]')
    for name, desc, _ in ZONES:  # bidi controls are taken out of every name shown (issue 18)
        assert as_shown(name) in cards and desc in cards, (as_shown(name), desc, cards)
    assert not any(c in cards for c in BIDI_CONTROLS), cards

    # the map's tooltip on a zone
    page.locator(MAP).scroll_into_view_if_needed()
    wait_ready(page)
    (lon0, lat0), (lon1, lat1) = ZONES[0][2][0], ZONES[0][2][2]
    x, y = on_page(page, (lon0 + lon1) / 2, (lat0 + lat1) / 2)
    hover_tooltip(page, x, y, ZONES[0][0])

    # saved, listed, shared, opened from the link
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text(f"Saved scenario “{SCENARIO}”").wait_for(timeout=30_000)
    settle(page)
    pick = page.locator(".st-key-scn_pick")
    listed = pick.inner_text() + " ".join(i.input_value() for i in pick.locator("input").all())
    assert SCENARIO in listed, listed
    page.get_by_role("button", name="Make a share link").click()
    page.wait_for_function("() => new URL(location.href).searchParams.has('scenario')",
                           timeout=30_000)
    settle(page)
    link = page.url
    other = page.context.new_page()
    other.goto(link)
    other.get_by_text("This link carries the scenario").wait_for(timeout=60_000)
    info = other.get_by_text("This link carries the scenario").inner_text()
    assert f"“{SCENARIO}”" in info, info
    no_markup_in(other)
    other.close()
    no_markup_in(page)
    watch.check()


def test_nothing_ran_and_nothing_left_the_app(session):
    """Last: across every page and frame of this module, no dialog, no popup, and every
    request went to the app itself (and something was requested)."""
    page, watch = session
    assert any(u.startswith(watch.origin + "/component/") for u in watch.requests)
    watch.check()
