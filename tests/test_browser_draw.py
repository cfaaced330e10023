"""Drawing in a real browser: a polygon drawn with the mouse on the offline Leaflet map
shows its geodesic area on the page, survives a save, a page reload and a reopen, and
nothing is fetched from anywhere but the app itself."""
from __future__ import annotations

import re
import uuid

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Polygon, shape
from shapely.geometry.polygon import orient

from dashboard.geo.zones import zone_metrics

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1600, "height": 1100}
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
# corners to click, (lat, lon): a box over Lviv/Volyn oblasts and Przewodów
CORNERS = [(50.9, 23.6), (50.9, 25.0), (49.8, 25.0), (49.8, 23.6)]
GEOD = Geod(ellps="WGS84")


def _open_zones_page(page, url: str):
    page.goto(url)
    page.get_by_role("link", name="No-fly zones").click()
    page.frame_locator(f"{MAP_IFRAME} >> nth=-1").locator(".leaflet-draw-draw-polygon").wait_for(
        timeout=60_000)
    page.wait_for_function(
        f"() => document.querySelectorAll(\"{MAP_IFRAME}\").length === 1", timeout=30_000)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    frame.wait_for_function("() => window.map && window.drawnItems", timeout=30_000)
    return frame


def _drawn(frame) -> list[dict]:
    return frame.evaluate("() => window.drawnItems.toGeoJSON().features")


def _area_on_page(page, zone_id: str) -> tuple[str, float]:
    card = page.locator(f".st-key-zone_card_{zone_id}")
    card.get_by_text("Area").first.wait_for(timeout=30_000)
    text = card.inner_text()
    m = re.search(r"Area ([\d,]+) km²", text)
    assert m, text
    return text, float(m.group(1).replace(",", ""))


def test_draw_save_reload_reopen(browser, app_url):
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        frame = _open_zones_page(page, app_url)
        page.get_by_text("No zones yet").wait_for()

        # draw: polygon tool, four clicks, click the first vertex to close
        px = frame.evaluate(
            "pts => pts.map(p => { const q = window.map.latLngToContainerPoint(p);"
            " return [q.x, q.y]; })", [list(c) for c in CORNERS])
        box = frame.locator("#map_div").bounding_box()
        page.frame_locator(MAP_IFRAME).locator(".leaflet-draw-draw-polygon").click()
        for x, y in [*px, px[0]]:
            page.mouse.click(box["x"] + x, box["y"] + y)
            page.wait_for_timeout(120)
        (feat,) = _drawn(frame)
        poly = shape(feat["geometry"])
        assert isinstance(poly, Polygon) and len(poly.exterior.coords) == 5
        xy = np.asarray(poly.exterior.coords)[:-1]
        # each vertex within a pixel (< 0.01° at zoom 6) of where we clicked
        assert np.abs(xy[:, ::-1] - np.asarray(CORNERS)).max() < 0.01
        zone_id = feat["properties"]["zone_id"]
        assert feat["properties"]["shape"] == "polygon" and zone_id.startswith("map-")

        # the page shows the zone's geodesic area at once
        text, area = _area_on_page(page, zone_id)
        geod_area = abs(GEOD.geometry_area_perimeter(orient(poly))[0]) / 1e6
        assert area == round(geod_area) == round(zone_metrics(poly)["area_km2"])
        assert "Polygon 1" in text and "4 vertices" in text
        assert 11_000 < area < 13_500  # 1.4° x 1.1° at 50° N

        # save it, reload the page (a new session), reopen it
        name = f"browser draw {uuid.uuid4().hex[:8]}"
        page.get_by_label("Scenario name").fill(name)
        page.get_by_role("button", name="Save scenario").click()
        page.get_by_text(f"Saved scenario “{name}” (1 zone)").wait_for(timeout=30_000)

        page.reload()
        page.get_by_role("link", name="No-fly zones").click()
        page.get_by_text("No zones yet").wait_for(timeout=60_000)
        pick = page.locator(".st-key-scn_pick")
        shown = pick.inner_text() + " ".join(
            i.input_value() for i in pick.locator("input").all())
        assert name in shown, shown
        page.locator(".st-key-scn_open button").click()
        page.get_by_text(f"Opened scenario “{name}”").wait_for(timeout=30_000)
        page.wait_for_function(
            f"() => document.querySelectorAll(\"{MAP_IFRAME}\").length === 1",
            timeout=30_000)
        frame = page.locator(MAP_IFRAME).element_handle().content_frame()
        frame.wait_for_function(
            "() => window.drawnItems && window.drawnItems.getLayers().length === 1",
            timeout=30_000)

        # the same polygon: on the map (editable again) and in the page
        (again,) = _drawn(frame)
        assert again["properties"]["zone_id"] == zone_id
        back = shape(again["geometry"])
        assert len(back.exterior.coords) == 5
        assert np.abs(np.asarray(back.exterior.coords) - np.asarray(poly.exterior.coords)
                      ).max() < 1e-6
        text2, area2 = _area_on_page(page, zone_id)
        assert area2 == area and "4 vertices" in text2
    finally:
        ctx.close()

    # everything came from the app's own address (Leaflet, Leaflet.draw, their images)
    network = [u for u in requests if not u.startswith(("data:", "blob:"))]
    assert network and all(u.startswith(app_url + "/") or u == app_url for u in network), \
        sorted({u for u in network if not u.startswith(app_url)})
    assert any(u.endswith("/app/static/vendor/leaflet-draw/leaflet.draw.js") for u in network)
    assert any(u.endswith("/app/static/vendor/leaflet/leaflet.js") for u in network)
