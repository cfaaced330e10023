"""The one map in the real app, in real headless Chromium: layout, search, clicks on a
city and on a polygon, the hover readout, drawing on the zones page, the brief of a
zoomed view, HTML in uploaded properties, and no request leaving the app.

Every figure the page shows is checked against an independent computation:
``pyproj.Geod`` on the committed geometry in ``geodata/*.geojson`` (read
with ``json`` and ``shapely``), by brute force, never through the project's core.
Positions come from the map's hover readout (what the user sees under the
pointer); the search box puts places at the map's centre.

The tests of one module share two browser sessions (Explore, then No-fly zones)
and run in file order; each sets up the view it needs (search, wheel).
"""
from __future__ import annotations

import json
import math
import re
import uuid
from datetime import date
from functools import cache

import numpy as np
import pytest
from geo_reference import GEOD
from shapely.geometry import shape

from conftest import (
    MAP,
    PRZEWODOW_ID,
    REQUESTS,
    SOCKETS,
    VIEWPORT,
    centre,
    download_brief,
    frame_of,
    geodata_features,
    hover,
    map_box,
    open_app_page,
    readout,
    script_errors,
    search,
    settle,
    snap,
    wait_ready,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PRZEWODOW = PRZEWODOW_ID
AS_OF = date(2022, 11, 15)  # the default incident's date: the panel's NATO border


# ------------------------------------------------------------------ reference
@cache
def _features(layer: str) -> tuple[dict, ...]:
    return tuple(geodata_features(layer))


def _feature(layer: str, key: str, value: str) -> dict:
    return next(f for f in _features(layer) if f["properties"].get(key) == value)


def _lines(geom: dict) -> list[np.ndarray]:
    return ([np.asarray(geom["coordinates"], float)] if geom["type"] == "LineString"
            else [np.asarray(c, float) for c in geom["coordinates"]])


def nato_border_km(lon: float, lat: float, as_of: date = AS_OF) -> tuple[str, float]:
    """(segment id, km) of the NATO land border nearest to (lon, lat), by brute force:
    Geod to every vertex, then every segment that could hold a nearer point sampled
    along its geodesic every ~2 m."""
    best: tuple[float, str] = (math.inf, "")
    cands: list[tuple[str, float, float, float, float, float]] = []
    for f in _features("nato_border"):
        if date.fromisoformat(f["properties"]["nato_since"]) > as_of:
            continue
        for xy in _lines(f["geometry"]):
            _, _, d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
            _, _, seg = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
            i = int(np.argmin(d))
            best = min(best, (float(d[i]), f["properties"]["id"]))
            near = np.minimum(d[:-1], d[1:]) - seg
            for j in np.flatnonzero(near <= d.min()):
                cands.append((f["properties"]["id"], *xy[j], *xy[j + 1], float(seg[j])))
    for fid, x0, y0, x1, y1, seg_m in cands:
        n = max(int(seg_m / 2.0), 1)
        pts = GEOD.npts(x0, y0, x1, y1, n) if n > 1 else []
        xs = np.array([x0, x1] + [p[0] for p in pts])
        ys = np.array([y0, y1] + [p[1] for p in pts])
        _, _, d = GEOD.inv(np.full(len(xs), lon), np.full(len(xs), lat), xs, ys)
        best = min(best, (float(d.min()), fid))
    return best[1], best[0] / 1000.0


def ring_area_km2(lons, lats) -> float:
    """|area| of one ring with geodesic edges, km²."""
    area, _ = GEOD.polygon_area_perimeter(np.asarray(lons, float), np.asarray(lats, float))
    return abs(area) / 1e6


def geometry_area_km2(geom: dict) -> float:
    """Area of a GeoJSON (Multi)Polygon: exteriors less holes, geodesic edges, km²."""
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    total = 0.0
    for rings in polys:
        ext, *holes = (np.asarray(r, float) for r in rings)
        total += ring_area_km2(ext[:, 0], ext[:, 1])
        total -= sum(ring_area_km2(h[:, 0], h[:, 1]) for h in holes)
    return total


def rectangle_area_km2(w: float, s: float, e: float, n: float) -> float:
    """A lon/lat box whose north and south edges follow the parallels (densified), km²."""
    t = np.linspace(w, e, 2001)
    lons = np.concatenate([t, t[::-1]])
    lats = np.concatenate([np.full_like(t, s), np.full_like(t, n)])
    return ring_area_km2(lons, lats)


def circle_area_km2(lon: float, lat: float, edge_lon: float, edge_lat: float) -> tuple[float, float]:
    """(area km², radius km) of the geodesic circle about (lon, lat) through the edge point."""
    _, _, r = GEOD.inv(lon, lat, edge_lon, edge_lat)
    az = np.linspace(0.0, 360.0, 7200, endpoint=False)
    x, y, _ = GEOD.fwd(np.full_like(az, lon), np.full_like(az, lat), az, np.full_like(az, r))
    return ring_area_km2(x, y), r / 1000.0


def dms_to_deg(text: str) -> tuple[float, float]:
    """(lon, lat) of ``50°28'16"N 23°56'04"E``."""
    vals = {}
    for d, m, s, h in re.findall(r"(\d+)°(\d+)'(\d+)\"([NSEW])", text):
        v = int(d) + int(m) / 60 + int(s) / 3600
        vals["lat" if h in "NS" else "lon"] = -v if h in "SW" else v
    return vals["lon"], vals["lat"]


# ------------------------------------------------------------------ the browser
def click_until(page, x: float, y: float, expect_text: str, tries: int = 3) -> None:
    """Click as a person does (hover, then a press) and wait for ``expect_text``; a
    busy machine may lose a click, and a person clicks again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    x, y = snap(page, x, y)
    for attempt in range(tries):
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y, delay=120)
        try:
            page.get_by_text(expect_text).first.wait_for(timeout=15_000)
            settle(page)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


class Calibration:
    """Page pixels <-> (lon, lat) from two readouts (Web Mercator is linear in x and in
    the Mercator y): our own projection, no call into the map."""

    def __init__(self, page, fx: tuple[float, float] = (0.3, 0.7)):
        b = map_box(page)
        pts = [(b["x"] + b["width"] * f, b["y"] + b["height"] * f) for f in fx]
        ll = [hover(page, x, y)[0] for x, y in pts]
        (x0, y0), (x1, y1) = pts
        (lon0, lat0), (lon1, lat1) = ll
        self.ax = (x1 - x0) / (lon1 - lon0)
        self.ay = (y1 - y0) / (self._my(lat1) - self._my(lat0))
        self.x0, self.y0, self.lon0, self.my0 = x0, y0, lon0, self._my(lat0)

    @staticmethod
    def _my(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.x0 + (lon - self.lon0) * self.ax,
                self.y0 + (self._my(lat) - self.my0) * self.ay)


def panel(page) -> str:
    return page.locator(".st-key-pick-panel").first.inner_text()


def panel_position(text: str) -> tuple[float, float]:
    m = re.search(r"Position\s+(-?[\d.]+),\s*(-?[\d.]+)", text)
    assert m, text
    return float(m.group(2)), float(m.group(1))


def panel_nato(text: str) -> tuple[str, float]:
    m = re.search(r"NATO border\s+(\S+)\s+([\d.]+)", text)
    assert m, text
    return m.group(1), float(m.group(2))


def screenshot(page):
    from io import BytesIO

    from PIL import Image

    return Image.open(BytesIO(page.screenshot())).convert("RGB")


def _near(c1, c2, tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c1, c2))


# ------------------------------------------------------------------ Explore
@pytest.fixture(scope="module")
def explore(browser, app_url):
    ctx, page, dialogs = open_app_page(browser, app_url + "/")
    yield page, dialogs
    ctx.close()


def test_the_page_loads_without_a_script_error(explore):
    # The first layers were once set before deck.gl had its device: getViewports()
    # asserted, the error went uncaught, and no layer was built until the server
    # answered the first view (about a second later on every load).
    page, _ = explore
    assert script_errors(page) == []
    assert frame_of(page).evaluate("() => window.nfzMap.firstPaint().phase") == "gl"


def test_map_fills_the_page_and_the_panel_sits_beside_it(explore):
    page, _ = explore
    vw, vh = VIEWPORT["width"], VIEWPORT["height"]
    b = map_box(page)
    visible_w = max(0.0, min(b["x"] + b["width"], vw) - max(b["x"], 0.0))
    visible_h = max(0.0, min(b["y"] + b["height"], vh) - max(b["y"], 0.0))
    assert visible_w * visible_h >= 0.6 * vw * vh, (b, visible_w * visible_h / (vw * vh))
    right = b["x"] + b["width"]
    for loc in (page.get_by_role("textbox", name="Search", exact=True),
                page.get_by_role("tab", name="Selection"), page.get_by_role("tab", name="Measure"),
                page.get_by_role("tab", name="Export"), page.locator(".st-key-pick-panel")):
        box = loc.first.bounding_box()
        assert box is not None and box["x"] >= right - 1, (box, b)
        assert box["y"] < vh, box  # above the fold, beside the map


def test_strike_marker_and_border_are_drawn_where_they_are(explore):
    page, _ = explore
    cal = Calibration(page)
    page.mouse.move(VIEWPORT["width"] - 5, VIEWPORT["height"] - 5)  # no tooltip over the map
    page.wait_for_timeout(300)
    img = screenshot(page)
    frame, b = frame_of(page), map_box(page)

    def on_canvas(x: float, y: float) -> bool:  # not under the toolbar, legend or readout
        return frame.evaluate("([x, y]) => document.elementFromPoint(x, y)?.tagName === 'CANVAS'",
                              [x - b["x"], y - b["y"]])

    inc_lon, inc_lat = _feature("incidents", "id", PRZEWODOW)["geometry"]["coordinates"]
    x, y = cal.xy(inc_lon, inc_lat)
    px = img.getpixel((round(x), round(y)))
    assert _near(px, (220, 20, 30)), px

    # A stretch of the PL-UA border away from the marker: some pixel within 2 px of
    # each sampled vertex has the NATO-Ukraine colour.
    xy = _lines(_feature("nato_border", "id", "PL-UA")["geometry"])[0]
    samples = [(lon, lat) for lon, lat in xy[:: max(len(xy) // 24, 1)] if abs(lat - inc_lat) >= 0.3]
    samples = [cal.xy(lon, lat) for lon, lat in samples]
    samples = [(sx, sy) for sx, sy in samples
               if b["x"] + 4 < sx < b["x"] + b["width"] - 4 and b["y"] + 4 < sy < b["y"] + b["height"] - 4
               and on_canvas(sx, sy)]
    assert len(samples) >= 6, samples
    hits = sum(any(_near(img.getpixel((round(sx + dx), round(sy + dy))), (0, 87, 183), 45)
                   for dx in range(-2, 3) for dy in range(-2, 3)) for sx, sy in samples)
    assert hits >= len(samples) // 2, f"border seen at {hits} of {len(samples)} samples"


def test_click_on_strike_shows_its_distance_to_the_border(explore):
    page, _ = explore
    inc_lon, inc_lat = _feature("incidents", "id", PRZEWODOW)["geometry"]["coordinates"]
    x, y = Calibration(page).xy(inc_lon, inc_lat)
    hover(page, x, y, "Przewodów")
    click_until(page, x, y, "Selected on map: Przewodów")
    text = panel(page)
    seg, km = nato_border_km(inc_lon, inc_lat)
    assert panel_nato(text) == ("PL-UA", pytest.approx(km, abs=0.01)) and seg == "PL-UA"


def _brief_labels(svg: str) -> tuple[list[float], list[float]]:
    """Longitudes and latitudes of the brief's graticule labels (``23.5°E``, ``50°N``)."""
    lons, lats = [], []
    for v, h in re.findall(r">\s*(\d+(?:\.\d+)?)°([EWNS])\s*<", svg):
        (lons if h in "EW" else lats).append(float(v) * (-1 if h in "WS" else 1))
    return sorted(set(lons)), sorted(set(lats))


def test_brief_of_a_zoomed_view_covers_that_view(explore):
    page, _ = explore
    settle(page)
    x, y = centre(page)
    page.mouse.move(x, y)
    for _ in range(3):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(350)
    settle(page, quiet_ms=1500)
    b = map_box(page)
    (w, n), _ = hover(page, b["x"] + 3, b["y"] + 3)
    (e, s), _ = hover(page, b["x"] + b["width"] - 3, b["y"] + b["height"] - 3)
    assert e - w < 2.0, (w, s, e, n)  # zoomed in well past the default view
    settle(page)

    page.get_by_role("tab", name="Export").click()
    # what was picked on the map now heads the panel, so the Export tab sits lower: scroll
    # the menu to the middle first, as a person would (one opened at the window's bottom
    # edge scrolls the page to show its options, which closes it)
    page.locator(".st-key-brief_fmt").evaluate("(el) => el.scrollIntoView({block: 'center'})")
    page.locator(".st-key-brief_fmt").click()
    page.get_by_role("option", name="svg").click()
    settle(page)
    svg = download_brief(page).read_text(encoding="utf-8")
    lons, lats = _brief_labels(svg)
    assert len(lons) >= 2 and len(lats) >= 2, (lons, lats)
    for vals, lo, hi in ((lons, w, e), (lats, s, n)):
        step = min(np.diff(vals))
        tol = 0.05 * (hi - lo)
        assert lo - tol <= vals[0] <= lo + step + tol, (vals, lo, hi)
        assert hi - step - tol <= vals[-1] <= hi + tol, (vals, lo, hi)
    page.get_by_role("tab", name="Selection").click()


def test_search_flies_to_lviv_and_a_click_reports_it(explore):
    page, _ = explore
    lon, lat = _feature("cities", "name", "Lviv")["geometry"]["coordinates"]
    search(page, "Lviv")
    x, y = centre(page)
    (rlon, rlat), _ = hover(page, x, y, "Lviv")
    assert abs(rlon - lon) < 0.002 and abs(rlat - lat) < 0.002, (rlon, rlat)
    # the topmost feature there is the proposals' Lviv; a click again on the same spot
    # picks the next one down, the city (the search picked it as "city"; a click says "cities")
    click_until(page, x, y, "layer: proposal_places")
    click_until(page, x, y, "layer: cities")
    text = panel(page)
    assert "Selected on map: Lviv" in text, text
    assert panel_position(text) == (pytest.approx(lon, abs=1e-5), pytest.approx(lat, abs=1e-5))
    seg, km = nato_border_km(lon, lat)
    assert panel_nato(text) == (seg, pytest.approx(km, abs=0.01))


def test_click_on_a_candidate_zone_reports_the_polygon_and_the_position(explore):
    page, _ = explore
    zone = _feature("zones", "id", "ua-border-oblasts")
    name = zone["properties"]["name"]
    assert shape(zone["geometry"]).contains(shape({"type": "Point", "coordinates": [25.3, 50.9]}))
    search(page, "50.9, 25.3")
    x, y = centre(page)
    (clon, clat), _ = hover(page, x, y, name)
    click_until(page, x, y, f"Selected on map: {name}")
    text = panel(page)
    m = re.search(r"\barea\s+([\d,.]+)\s*km²", text)
    assert m, text
    assert float(m.group(1).replace(",", "")) == pytest.approx(
        geometry_area_km2(zone["geometry"]), rel=1e-3)
    assert re.search(r"edge to NATO border \([^)]+\)\s+touches or overlaps", text), text
    # ...and the clicked position's own report
    plon, plat = panel_position(text)
    assert abs(plon - clon) < 2e-5 and abs(plat - clat) < 2e-5, ((plon, plat), (clon, clat))
    seg, km = nato_border_km(plon, plat)
    assert panel_nato(text) == (seg, pytest.approx(km, abs=0.01))


def test_the_nato_border_answers_hover_and_click_with_what_lies_under_it(explore):
    # A vertex of PL-UA away from the marker: its tooltip, and a click lists the border
    # and the features under it (deck.gl's depth picking must step past the border)
    page, _ = explore
    border = _feature("nato_border", "id", "PL-UA")
    inc_lon, inc_lat = _feature("incidents", "id", PRZEWODOW)["geometry"]["coordinates"]
    lon, lat = min(_lines(border["geometry"])[0], key=lambda p: abs(p[1] - (inc_lat + 0.5)))
    search(page, f"{lat}, {lon - 0.1}")  # the searched point's marker beside it, in Poland
    x, y = Calibration(page).xy(lon, lat)
    _, tip = hover(page, x, y, "PL-UA")
    assert f"{border['properties']['length_km']} km" in tip and "in NATO since" in tip, tip
    click_until(page, x, y, "Selected on map: PL-UA")
    here = frame_of(page).evaluate("""() => [...document.querySelectorAll('.here:not([hidden]) .here-item')]
        .map((b) => b.dataset.layer)""")
    assert here[:1] == ["nato_border"] and len(set(here)) >= 2, here


def test_hover_readout_shows_the_position_under_the_pointer(explore):
    page, _ = explore
    search(page, "50.47099, 23.93432")
    x, y = centre(page)
    (lon, lat), _ = hover(page, x, y)
    assert abs(lon - 23.93432) < 0.002 and abs(lat - 50.47099) < 0.002, (lon, lat)
    shown = readout(page)
    dlon, dlat = dms_to_deg(shown["dms"])
    assert abs(dlon - 23.93432) < 0.002 and abs(dlat - 50.47099) < 0.002, shown
    assert shown["mgrs"].replace(" ", "").startswith("34UGA"), shown


ASLEEP = "() => window.nfzMap.loop().asleep"


def _quiet_second(frame) -> bool:
    """The map's loop asleep through one second: no tick asked of the browser. Tries
    up to five seconds (tiles or a rerun arriving late wake it, as they should)."""
    for _ in range(5):
        frame.wait_for_function(ASLEEP, timeout=10_000)
        ticks = frame.evaluate("() => window.nfzMap.loop().ticks")
        frame.page.wait_for_timeout(1000)
        if frame.evaluate("() => window.nfzMap.loop().ticks") == ticks:
            return True
    return False


def test_an_idle_map_asks_for_no_frames_and_the_wheel_wakes_it(explore):
    """deck.gl's loop asks the browser for a frame 60 times a second, moving or not (a
    tenth of a core on an open page): once settled the map's loop sleeps (idle-loop.js),
    the pointer wakes it to zoom and draw, and it sleeps again."""
    page, _ = explore
    settle(page)
    frame = frame_of(page)
    assert _quiet_second(frame)
    before = frame.evaluate("() => ({...window.nfzMap.loop(), frames: window.nfzMap.framesDrawn(),"
                            " zoom: window.nfzMap.view().zoom})")
    page.mouse.move(*centre(page))
    page.mouse.wheel(0, -240)
    frame.wait_for_function(f"() => window.nfzMap.view().zoom > {before['zoom']} + 0.2",
                            timeout=30_000)
    settle(page)
    frame.wait_for_function(ASLEEP, timeout=10_000)
    after = frame.evaluate("() => ({...window.nfzMap.loop(), frames: window.nfzMap.framesDrawn()})")
    assert after["wakes"]["event"] > before["wakes"]["event"], (before, after)  # not the poll
    assert after["ticks"] > before["ticks"] and after["frames"] > before["frames"], (before, after)


def test_a_flight_after_a_sleep_starts_where_the_map_was(explore):
    """deck.gl's transitions run on a timeline that advances by the time between ticks:
    unless it stands still while the loop sleeps, a flight asked for after seconds of
    sleep would begin that far along, or be over at its first frame."""
    page, _ = explore
    settle(page)
    frame = frame_of(page)
    assert _quiet_second(frame)
    page.wait_for_timeout(3000)  # asleep longer than the flight lasts
    frame.evaluate("""() => { window.__lons = [];
        window.__sampler = setInterval(() => window.__lons.push(window.nfzMap.view().lon), 20); }""")
    start = frame.evaluate("() => window.nfzMap.view().lon")
    search(page, "50.45, 30.52")  # Kyiv: about 470 km east
    lons = frame.evaluate("() => { clearInterval(window.__sampler); return window.__lons; }")
    end = lons[-1]
    assert end == pytest.approx(30.52, abs=0.01) and start < 25, (start, end)
    way = [(lon - start) / (end - start) for lon in lons]
    moving = [w for w in way if 0.02 < w < 0.98]
    assert moving and moving[0] < 0.5, way  # drawn from near its start, not jumped along


def test_a_tooltip_at_the_map_edge_stays_inside_the_map(explore):
    """Near the right and bottom edges the tooltip turns inward instead of being cut off."""
    page, _ = explore
    search(page, "Lviv")
    b = map_box(page)
    x, y = b["x"] + b["width"] - 6, b["y"] + b["height"] - 40  # land: Ukraine's tooltip
    _, shown = hover(page, x, y, text="UA")
    assert shown is not None
    frame = page.frame_locator(MAP)
    tip = frame.locator(".tooltip").bounding_box()
    root = frame.locator("#root").bounding_box()
    assert tip["x"] >= root["x"] - 1 and tip["x"] + tip["width"] <= root["x"] + root["width"] + 1
    assert tip["y"] >= root["y"] - 1 and tip["y"] + tip["height"] <= root["y"] + root["height"] + 1


def test_uploaded_html_is_shown_as_text(explore, tmp_path):
    page, dialogs = explore
    img = "<img src=x onerror=alert(1)>"
    script = "<script>alert(2)</script>"
    pwn = '<img src=x onerror="window.__pwned=1">'
    fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": img, "note": script, "about": pwn},
        "geometry": {"type": "Polygon", "coordinates": [[
            [23.0, 50.9], [24.4, 50.9], [24.4, 51.3], [23.0, 51.3], [23.0, 50.9]]]}}]}
    path = tmp_path / "evil.geojson"
    path.write_text(json.dumps(fc))
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    page.get_by_text("On the map: evil.geojson").wait_for(state="attached", timeout=30_000)
    settle(page)
    search(page, "51.1, 23.7")
    x, y = centre(page)
    _, text = hover(page, x + 40, y + 30, "<img")
    assert img in text and script in text and pwn in text, text
    tip = page.frame_locator(MAP).locator(".tooltip")
    assert tip.locator("img, script").count() == 0
    frame = frame_of(page)
    assert frame.evaluate("() => document.querySelectorAll('img, .tooltip script').length") == 0
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert frame.evaluate("() => window.__pwned === undefined")
    assert page.evaluate("() => window.__pwned === undefined")
    assert dialogs == []


# ------------------------------------------------------------------ No-fly zones
# corners to click, (lon, lat): a box over Lviv/Volyn oblasts and Przewodów
CORNERS = [(23.6, 50.9), (25.0, 50.9), (25.0, 49.8), (23.6, 49.8)]
RECTANGLE = [(26.2, 51.05), (27.4, 50.35)]
CIRCLE = [(26.8, 49.3), (27.45, 49.3)]


def _tool(page, name: str) -> None:
    button = page.frame_locator(MAP).get_by_role("button", name=name, exact=True)
    button.click()
    assert button.get_attribute("aria-pressed") == "true"


def _draw(page, cal: Calibration, tool: str, positions) -> list[tuple[float, float]]:
    """Pick ``tool``, click each position (hovering first); the readout's positions."""
    _tool(page, tool)
    seen = []
    for lon, lat in positions:
        x, y = snap(page, *cal.xy(lon, lat))
        seen.append(hover(page, x, y)[0])
        page.mouse.click(x, y, delay=80)
        page.wait_for_timeout(250)
    return seen


CARDS_JS = """([n, titles]) => {
    const out = {};
    for (const c of document.querySelectorAll('[class*="st-key-zone_card_"]')) {
        const text = c.innerText;
        if (!/Area [\\d,]+ km²/.test(text)) continue;
        out[[...c.classList].find(k => k.startsWith('st-key-zone_card_'))] = text;
    }
    const texts = Object.values(out);
    const whole = texts.length === n && titles.every(t => texts.some(x => x.includes(t)));
    return whole ? out : null;
}"""


def _cards(page, n: int, *titles: str) -> dict[str, str]:
    """{zone card key: text} once ``n`` cards show an area and ``titles`` are among them.

    Read in the same evaluation that checks them: a rerun may redraw a card between two
    reads, and a card read half-drawn has lost its title line.
    """
    found = page.wait_for_function(CARDS_JS, arg=[n, list(titles)], timeout=30_000)
    return found.json_value()


def _area(text: str) -> float:
    m = re.search(r"Area ([\d,]+) km²", text)
    assert m, text
    return float(m.group(1).replace(",", ""))


def _card(cards: dict[str, str], title: str) -> tuple[str, str]:
    return next((k, t) for k, t in cards.items() if title in t)


def _draw_polygon(page, cal: Calibration) -> tuple[str, float, np.ndarray]:
    """Four clicks, then the first vertex again to close it; (card key, area, ring)."""
    x0, y0 = snap(page, *cal.xy(*CORNERS[0]))
    clicked = _draw(page, cal, "Draw polygon", CORNERS)
    hover(page, x0, y0)
    page.mouse.click(x0, y0, delay=80)
    key, text = _card(_cards(page, 1, "Polygon 1"), "Polygon 1")
    assert "4 vertices" in text, text
    area = _area(text)
    assert area == pytest.approx(ring_area_km2(*zip(*clicked, clicked[0])), rel=5e-3)
    assert 11_000 < area < 13_500, area  # 1.4° x 1.1° at 50° N
    (feat,) = frame_of(page).evaluate("() => window.nfzMap.zones().features")
    ring = np.asarray(feat["geometry"]["coordinates"][0])
    assert len(ring) == 5 and feat["properties"]["shape"] == "polygon"
    assert str(feat["properties"]["zone_id"]).startswith("new-")  # the map's id for a new zone
    # each vertex where we clicked (within a pixel, < 0.01° at zoom 6), as the readout said
    for lon, lat in clicked:
        assert np.abs(ring[:, 0] - lon).min() < 1e-5 and np.abs(ring[:, 1] - lat).min() < 1e-5
    assert np.abs(np.sort(ring[:-1], axis=0) - np.sort(np.asarray(CORNERS), axis=0)).max() < 0.01
    assert abs(area - ring_area_km2(ring[:, 0], ring[:, 1])) <= 1.0  # the vertices' own area
    return key, area, ring


def _draw_rectangle_and_circle(page, cal: Calibration) -> dict[str, str]:
    """One corner then the opposite one; a centre then a point on the edge; the cards."""
    (alon, alat), (blon, blat) = _draw(page, cal, "Draw rectangle", RECTANGLE)
    w, e, s, n = min(alon, blon), max(alon, blon), min(alat, blat), max(alat, blat)
    _, rect_text = _card(_cards(page, 2, "Polygon 1", "Rectangle 1"), "Rectangle 1")
    assert _area(rect_text) == pytest.approx(rectangle_area_km2(w, s, e, n), rel=5e-3)

    (clon, clat), (elon, elat) = _draw(page, cal, "Draw circle", CIRCLE)
    cards = _cards(page, 3, "Polygon 1", "Rectangle 1", "Circle 1")
    _, circ_text = _card(cards, "Circle 1")
    area, radius_km = circle_area_km2(clon, clat, elon, elat)
    assert _area(circ_text) == pytest.approx(area, rel=5e-3)
    m = re.search(r"radius ([\d.]+) km", circ_text)
    assert m and float(m.group(1)) == pytest.approx(radius_km, rel=5e-3), circ_text
    return cards


def _card_figures(cards: dict[str, str]) -> dict[str, tuple[float, str]]:
    return {k: (_area(t), re.search(r"(\d+) vertices", t).group(1)) for k, t in cards.items()}


def _save_reload_reopen(page) -> dict[str, str]:
    """Save the zones as a scenario, reload the page (a new session), reopen it: the cards."""
    settle(page)
    name = f"browser draw {uuid.uuid4().hex[:8]}"
    page.get_by_label("Scenario name").fill(name)
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text(f"Saved scenario “{name}” (3 zones)").wait_for(timeout=30_000)
    page.reload()
    wait_ready(page)
    if not page.get_by_text("No zones yet").count():
        page.get_by_role("link", name="No-fly zones").click()
    page.get_by_text("No zones yet").wait_for(timeout=60_000)
    pick = page.locator(".st-key-scn_pick")
    shown = pick.inner_text() + " ".join(i.input_value() for i in pick.locator("input").all())
    assert name in shown, shown
    page.locator(".st-key-scn_open button").click()
    page.get_by_text(f"Opened scenario “{name}”").wait_for(timeout=30_000)
    cards = _cards(page, 3, "Polygon 1", "Rectangle 1", "Circle 1")
    wait_ready(page)
    return cards


def _frames_over_moves(page, x: float, y: float) -> int:
    """WebGL frames the map drew while the pointer moved over (x, y) six times."""
    frame = frame_of(page)
    before = frame.evaluate("() => window.nfzMap.framesDrawn()")
    for k in range(6):
        page.mouse.move(x + 4 * k, y + 3 * k)
        page.wait_for_timeout(60)
    page.wait_for_timeout(300)
    return frame.evaluate("() => window.nfzMap.framesDrawn()") - before


def _pointer_moves_redraw_only_when_a_tool_draws_them(page, cal: Calibration) -> None:
    """Each frame is a whole redraw (about 0.5 s of CPU where WebGL runs on the CPU):
    moves redraw the zones map only once something follows the pointer."""
    settle(page)
    x, y = snap(page, *cal.xy(*CORNERS[0]))
    assert _frames_over_moves(page, x, y) == 0  # no tool: the editor's layer ignores moves
    _tool(page, "Draw polygon")
    page.wait_for_timeout(300)
    assert _frames_over_moves(page, x, y) == 0  # a tool, no vertex yet: nothing follows
    page.mouse.click(x, y, delay=80)  # a first vertex: the rubber band follows the pointer
    page.wait_for_timeout(300)
    assert _frames_over_moves(page, x + 40, y + 30) >= 3
    _tool(page, "Pan and select")  # the tentative polygon dropped; the test draws its own
    settle(page)


def test_draw_polygon_rectangle_circle_save_reload_reopen(explore):
    page, dialogs = explore  # switch pages as a user does; the reload starts a new session
    page.get_by_role("link", name="No-fly zones").click()
    page.get_by_text("No zones yet").wait_for(timeout=60_000)
    wait_ready(page)
    cal = Calibration(page)
    _pointer_moves_redraw_only_when_a_tool_draws_them(page, cal)
    key, _, ring = _draw_polygon(page, cal)
    cards = _draw_rectangle_and_circle(page, cal)
    drawn = frame_of(page).evaluate("() => window.nfzMap.zones().features")

    again = _save_reload_reopen(page)
    assert _card_figures(again) == _card_figures(cards) and key in again
    frame = frame_of(page)
    frame.wait_for_function("() => window.nfzMap.zones().features.length === 3", timeout=30_000)
    back = frame.evaluate("() => window.nfzMap.zones().features")
    ids = sorted(f["properties"]["zone_id"] for f in back)
    assert ids == sorted(f["properties"]["zone_id"] for f in drawn)
    # the same polygon, editable again on the map
    (poly,) = [f for f in back if f["properties"].get("name") == "Polygon 1"]
    back_ring = np.asarray(poly["geometry"]["coordinates"][0])
    assert len(back_ring) == 5
    gap = np.abs(back_ring[:, None, :] - ring[None, :, :]).max(axis=2)  # vertex to vertex, °
    assert gap.min(axis=1).max() < 1e-6 and gap.min(axis=0).max() < 1e-6, (back_ring, ring)
    assert dialogs == []


# ------------------------------------------------------------------ offline
def test_every_request_stays_on_the_app(browser, app_url):
    if not REQUESTS:  # run alone: load both pages here
        ctx, page, _ = open_app_page(browser, app_url + "/")
        page.get_by_role("link", name="No-fly zones").click()
        wait_ready(page)
        ctx.close()
    network = [u for u in REQUESTS if not u.startswith(("data:", "blob:", "about:"))]
    assert network and all(u == app_url or u.startswith(app_url + "/") for u in network), \
        sorted({u for u in network if not u.startswith(app_url)})
    host = app_url.split("://", 1)[1]
    assert SOCKETS and all(u.split("://", 1)[1].startswith(host + "/") for u in SOCKETS), SOCKETS
    component = f"{app_url}/component/dashboard.ui.mapview.map/"
    assert any(u.startswith(component) and u.split("?")[0].endswith("/main.js") for u in network)
    assert any(re.match(re.escape(component) + r"layers/\w+\.[0-9a-f]{12}\.bin$", u) for u in network)
