"""Hostile files and links in the real app, in real headless Chromium.

Several bad files in a row go into the sidebar's layer uploader and into the zones
page's importer (binary bytes, truncated JSON, projected metres, a self-crossing
bow-tie, more vertices than allowed), and bad share links are opened (garbage and a
zlib bomb).  Each gets one clear message naming the problem, no Python traceback
shows, and the page keeps working: a valid file uploaded afterwards is drawn on the
map (its tooltip answers under the pointer), a valid zone file adds its zone, a
valid link opens its scenario.
"""
from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import expect
from shapely.geometry import box
from test_hostile_input import BOWTIE, SQUARE, VALID, fc, js, poly

from conftest import centre, hover, open_app_page, search, settle, wait_ready
from dashboard.io.layers_io import MAX_UPLOAD_VERTICES
from dashboard.store import Scenario, Zone, to_url_param

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GOOD = [[23.0, 50.9], [24.4, 50.9], [24.4, 51.3], [23.0, 51.3], [23.0, 50.9]]
FAR_BOWTIE = [[x + 7.0, y - 2.0] for x, y in BOWTIE]  # 30-31 E, 48-49 N: away from GOOD
#: (file name, content, what its one message must say)
HOSTILE = [
    ("noise.geojson", bytes(range(256)) * 8, "is binary data, not text"),
    ("cut.geojson", VALID[: len(VALID) // 2], "it ends early (cut short?)"),
    ("utm.geojson", js(fc(poly([[500000, 5500000], [600000, 5500000], [600000, 5600000],
                                [500000, 5500000]]))), "this looks like a projected file"),
    ("many.geojson", js(fc({"type": "Feature", "properties": {}, "geometry": {
        "type": "MultiPoint", "coordinates": [[23.0 + i * 1e-6, 50.0]
                                              for i in range(MAX_UPLOAD_VERTICES + 1)]}})),
     f"more than {MAX_UPLOAD_VERTICES:,} vertices"),
]
BOW = ("bowtie.geojson", js(fc(poly(FAR_BOWTIE, name="Bow"))), "repaired 1 invalid geometry")
#: A zone file whose zone name is a lone UTF-16 surrogate (JSON's "\ud800" escape, not text).
SURROGATE_ZONE = ("surrogate.geojson",
                  json.dumps({"type": "FeatureCollection", "features": [{
                      "type": "Feature", "properties": {"name": "Zone \ud800"},
                      "geometry": {"type": "Polygon", "coordinates": [GOOD]}}]}).encode(),
                  "lone UTF-16 surrogate")
UPLOADER = ".st-key-uploads [data-testid='stFileUploaderDropzoneInput']"
IMPORTER = ".st-key-build_import_file [data-testid='stFileUploaderDropzoneInput']"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hostile_browser")
    for name, data, _ in [*HOSTILE, BOW, SURROGATE_ZONE]:
        (d / name).write_bytes(data)
    (d / "good.geojson").write_bytes(js(fc(poly(GOOD, name="GoodLayer"))))
    (d / "zone_ok.geojson").write_bytes(js(fc(poly(SQUARE, name="Imported square"))))
    return d


@pytest.fixture(scope="module")
def session(browser, app_url):
    ctx, page, dialogs = open_app_page(browser, app_url + "/")
    yield page, dialogs
    ctx.close()


def no_traceback(page) -> None:
    html = page.content()
    assert "Traceback (most recent call last)" not in html
    assert page.locator("[data-testid='stException']").count() == 0
    for word in ("NoneType", "RecursionError", "object has no attribute"):
        assert word not in html, word


def calm(page, tries: int = 3) -> None:
    """:func:`settle`, again if a rerun replaced the map's frame meanwhile."""
    from playwright.sync_api import Error as PlaywrightError

    for k in range(tries):
        try:
            settle(page)
            return
        except PlaywrightError as exc:
            if "detached" not in str(exc) and "strict mode" not in str(exc) or k == tries - 1:
                raise
            page.wait_for_timeout(500)


SIDEBAR, MAIN = "[data-testid='stSidebar']", "[data-testid='stMain']"


def one_message(page, text: str, where: str = MAIN, timeout_ms: int = 60_000) -> None:
    """``text`` is shown in ``where`` (the sidebar or the main area), exactly once."""
    loc = page.locator(where).get_by_text(text, exact=False)
    loc.first.wait_for(state="attached", timeout=timeout_ms)
    calm(page)
    assert loc.count() == 1, (text, loc.count())


def test_hostile_uploads_in_a_row_then_a_good_one_is_drawn(session, files: Path) -> None:
    page, dialogs = session
    uploader = page.locator(UPLOADER)
    for name, _, said in [*HOSTILE, BOW]:
        uploader.set_input_files(str(files / name))
        one_message(page, said, SIDEBAR)
        no_traceback(page)
    # every earlier message is still there, once each: nothing read twice, nothing lost
    for _, _, said in HOSTILE:
        assert page.locator(SIDEBAR).get_by_text(said).count() == 1, said
    uploader.set_input_files(str(files / "good.geojson"))
    page.get_by_text("good.geojson", exact=False).filter(has_text="On the map").first.wait_for(
        state="attached", timeout=30_000)
    settle(page)
    search(page, "51.1, 23.7")
    x, y = centre(page)
    _, tip = hover(page, x + 40, y + 30, "GoodLayer")
    assert tip is not None and "GoodLayer" in tip
    no_traceback(page)
    assert dialogs == []


def _import(page, path: Path) -> None:
    page.locator(IMPORTER).set_input_files(str(path))
    page.wait_for_timeout(500)
    calm(page)
    page.get_by_role("button", name="Add its polygons as zones").click()


def test_hostile_zone_files_then_a_good_one_adds_its_zone(session, files: Path) -> None:
    page, _ = session
    page.get_by_role("link", name="No-fly zones").click()
    page.get_by_text("No zones yet").wait_for(timeout=60_000)
    wait_ready(page)
    page.get_by_role("tab", name="Import a file").click()
    for name, _, said in [*HOSTILE, SURROGATE_ZONE]:
        _import(page, files / name)
        one_message(page, said)
        no_traceback(page)
    _import(page, files / "bowtie.geojson")
    one_message(page, "Added 1 zone(s) from bowtie.geojson.")
    one_message(page, "bowtie.geojson: repaired 1 invalid geometry")  # the repair is said
    page.get_by_role("tab", name="Import a file").click()
    _import(page, files / "zone_ok.geojson")
    one_message(page, "Added 1 zone(s) from zone_ok.geojson.")
    page.locator('[class*="st-key-zone_card_"]').filter(has_text="Imported square").first \
        .wait_for(timeout=30_000)
    no_traceback(page)


def _link(payload: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(payload, 9)).rstrip(b"=").decode()


@pytest.mark.parametrize(("param", "said"), [
    ("not-a-link%21%21", "damaged or incomplete (unexpected characters)"),
    (_link(b'{"hello": 1}'), "not a scenario"),
    (_link(b"[" * (4 * 2**20)), "expands to more than 1 MB"),  # a zlib bomb that fits a URL
    (_link(b"[" * 100_000), "nested too deeply"),
    (_link(json.dumps({"v": 1, "n": "x", "z": [[1, 2]]}).encode()), "not in the expected form"),
    # a scenario name that is a lone UTF-16 surrogate (JSON's "\ud800" escape), and an
    # integer beyond 2^63 among the coordinates
    (_link(json.dumps({"v": 1, "n": "A\ud800B", "z": [], "b": []}).encode()),
     "lone UTF-16 surrogate"),
    (_link(json.dumps({"v": 1, "n": "x", "z": [["z1", "Box", "drawn", "", {}, None, {"p": [[
        2 ** 64, 4900000, 200000, 0, -200000, 200000, -200000, -200000]]}]], "b": []}).encode()),
     "number out of range"),
])
def test_a_hostile_share_link_says_so_and_the_page_works(browser, app_url, param: str,
                                                         said: str) -> None:
    ctx, page, dialogs = open_app_page(browser, f"{app_url}/zones?scenario={param}")
    try:
        one_message(page, "The scenario link in the address could not be read")
        one_message(page, said)
        no_traceback(page)
        page.get_by_role("button", name="Ignore the link").click()
        page.get_by_text("could not be read").wait_for(state="detached", timeout=30_000)
        page.wait_for_function(  # the rerun is over: one map again (no stale copy above it)
            "() => document.querySelectorAll('iframe[title*=\"mapview.map\"]').length === 1",
            timeout=60_000)
        calm(page)
        page.get_by_role("tab", name="Import a file").first.click()
        assert page.get_by_role("button", name="Add its polygons as zones").first.is_visible()
        assert dialogs == []
    finally:
        ctx.close()


def test_a_valid_share_link_still_opens(browser, app_url) -> None:
    param = to_url_param(Scenario(name="Shared square", zones=[
        Zone("s1", "Linked square", box(23.0, 50.0, 24.0, 51.0))]))
    ctx, page, _ = open_app_page(browser, f"{app_url}/zones?scenario={param}")
    try:
        page.get_by_text("This link carries the scenario").wait_for(timeout=30_000)
        page.get_by_role("button", name="Open the shared scenario").click()
        page.locator('[class*="st-key-zone_card_"]').filter(has_text="Linked square").first \
            .wait_for(timeout=60_000)
        # The rerun streams its elements in order: the cards may show before the name box.
        expect(page.get_by_label("Scenario name")).to_have_value("Shared square",
                                                                 timeout=30_000)
        no_traceback(page)
    finally:
        ctx.close()
