"""One store, every view, across processes: two real app servers on one PostGIS.

Two ``streamlit run`` servers (tests/appserver.py), each with its own data directory
and the same ``DASHBOARD_STORE_URL`` (a fresh PostgreSQL database with PostGIS),
driven by a real Chromium.  An incident added through the form of the first appears in
the second's incident table and on its map (the map's own clusters name it), and its
distance to the NATO border in the second's table is the brute-force geodesic one.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from geo_reference import GEOD, densified_points
from incident_page import add_incident, idle, shown, table_ids
from shapely.geometry import shape

from conftest import VIEWPORT, frame_of, geodata_features, wait_ready
from dashboard.store.incidents import open_incident_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_ID = "2026-05-02-kryliv"
LAT, LON = 50.6555, 24.0645  # Kryłów on the Bug, Hrubieszów county (a test position)


def _incidents_page(browser, url: str):
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = ctx.new_page()
    page.goto(url + "/incidents")
    page.locator(".st-key-incf_save").wait_for(timeout=120_000)
    idle(page)
    return ctx, page


def _map_ids(page) -> set[str]:
    """Every incident id in the Explore map's clusters (a single marker is a cluster of 1)."""
    wait_ready(page, timeout_ms=120_000)
    return set(frame_of(page).evaluate("() => window.nfzMap.clusters().flatMap(c => c.ids)"))


def _brute_border_km(lon: float, lat: float) -> float:
    """Geodesic km to the PL-UA segment densified to 50 m (the nearest one here)."""
    seg = next(f for f in geodata_features("nato_border") if f["properties"]["id"] == "PL-UA")
    pts = densified_points(shape(seg["geometry"]), 0.05)
    d = GEOD.inv(np.full(len(pts), lon), np.full(len(pts), lat), pts[:, 0], pts[:, 1])[2]
    return float(d.min()) / 1000


def test_an_incident_added_in_one_app_is_in_the_others_table_and_map(browser, two_apps,
                                                                     fresh_pg_url):
    pg_url, (first, second) = fresh_pg_url, two_apps
    ctx1, p1 = _incidents_page(browser, first)
    ctx2, p2 = _incidents_page(browser, second)
    try:
        before = table_ids(p2)
        assert NEW_ID not in before
        add_incident(p1, day="2026-05-02", place="Kryliv", lat=str(LAT), lon=str(LON),
                     url="https://example.org/kryliv", reason="seen by both teams")
        assert f"Added incident {NEW_ID}, version 1." in shown(p1, "Added incident")
        assert open_incident_store(pg_url).get(NEW_ID).who == "local"
        p2.reload()
        p2.locator(".st-key-incf_save").wait_for(timeout=120_000)
        idle(p2)
        assert sorted(table_ids(p2)) == sorted([*before, NEW_ID])
        with p2.expect_download(timeout=60_000) as dl:
            p2.locator(".st-key-inc_csv button").first.click()
        text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
        km = float(rows[NEW_ID]["NATO border (km)"])
        assert km == pytest.approx(_brute_border_km(LON, LAT), abs=0.01)  # shown to 2 decimals
        p2.goto(second + "/explore")
        assert NEW_ID in _map_ids(p2)
    finally:
        ctx1.close()
        ctx2.close()
