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
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from shapely.geometry import box
from test_hostile_input import BOWTIE, SQUARE, VALID, fc, js, poly

from conftest import centre, hover, open_app_page, search, settle
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


SIDEBAR, MAIN = "[data-testid='stSidebar']", "[data-testid='stMain']"
#: True once the app is not running its script (a run's stale elements are gone then).
IDLE = ("document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') !== 'running'")
#: True once the page holds exactly one map frame and that frame has drawn its layers.
MAP_READY = ("(() => { const f = document.querySelectorAll('iframe[title*=\"mapview.map\"]');"
             " return f.length === 1 && !!f[0].contentDocument"
             "?.querySelector('#root[data-ready=\"1\"]'); })()")
#: Each text (lower case) is in the element ``where``, whitespace as Playwright's text
#: matching normalises it.
SHOWN = ("(([where, texts]) => { const el = document.querySelector(where);"
         " const t = (el ? el.textContent : '').replace(/\\s+/g, ' ').toLowerCase();"
         " return texts.every((x) => t.includes(x)); })")


def wait_for(page, condition: str, texts: tuple[str, ...] = (), where: str = MAIN,
             timeout_ms: int = 60_000) -> None:
    """Until, in ONE evaluation, the app is idle, ``condition`` holds and every one of
    ``texts`` is shown in ``where`` (no sleeps: the page is polled every 100 ms)."""
    texts = tuple(" ".join(t.split()).lower() for t in texts)
    page.wait_for_function(f"(arg) => {IDLE} && {condition} && {SHOWN}(arg)",
                           arg=[where, list(texts)], polling=100, timeout=timeout_ms)


def one_message(page, text: str, where: str = MAIN, timeout_ms: int = 60_000) -> None:
    """``text`` is shown in ``where`` (the sidebar or the main area), exactly once, once
    the run that shows it is over."""
    wait_for(page, "true", (text,), where, timeout_ms)
    loc = page.locator(where).get_by_text(text, exact=False)
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
    """Choose ``path`` in the zones page's importer and add it, once it is uploaded (its
    chip offers "Remove", not "Cancel upload") and the run it started is over."""
    page.locator(IMPORTER).set_input_files(str(path))
    chip = f".st-key-build_import_file button[aria-label={json.dumps('Remove ' + path.name)}]"
    wait_for(page, f"!!document.querySelector({json.dumps(chip)})")
    page.get_by_role("button", name="Add its polygons as zones").click()


def test_hostile_zone_files_then_a_good_one_adds_its_zone(session, files: Path) -> None:
    page, _ = session
    page.get_by_role("link", name="No-fly zones").click()
    wait_for(page, MAP_READY, ("No zones yet",))
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


def _open_link(page, url: str, said: str, map_drawn: bool) -> None:
    """Open ``url`` (a new session, as a pasted link opens) and check its two messages, once
    each, no traceback; with ``map_drawn``, the map's layers drawn first, as a person sees."""
    page.goto(url)
    first = "The scenario link in the address could not be read"
    wait_for(page, MAP_READY if map_drawn else "true", (first, said))
    one_message(page, first)
    one_message(page, said)
    no_traceback(page)


def _ignore_then_the_page_works(page) -> None:
    """"Ignore the link" takes the message away, one map is left, the importer opens.

    Once in a full suite run (the zlib-bomb link) the message was still there a minute
    after the click; it never happened again in 30 tries alone or under load. The likely
    cause is the click landing while the map's first view event was rerunning the page.
    So a page that is idle with the message still up after 20 s gets one more click (the
    message must then go); a page that never settles still fails."""
    done = (f"() => {IDLE} && !document.querySelector({json.dumps(MAIN)}).textContent"
            ".includes('could not be read') && document.querySelectorAll("
            "'iframe[title*=\"mapview.map\"]').length === 1")
    page.get_by_role("button", name="Ignore the link").click()
    # the rerun is over: the message is gone and one map again (no stale copy above it)
    try:
        page.wait_for_function(done, polling=100, timeout=20_000)
    except PlaywrightTimeoutError:
        page.wait_for_function(f"() => {IDLE}", polling=100, timeout=30_000)
        again = page.get_by_role("button", name="Ignore the link")
        if again.count() and again.first.is_visible():  # still up on an idle page
            again.first.click()
        page.wait_for_function(done, polling=100, timeout=60_000)
    page.get_by_role("tab", name="Import a file").first.click()
    assert page.get_by_role("button", name="Add its polygons as zones").first.is_visible()


#: Links whose bytes pass through the browser in ways AppTest cannot show: percent
#: escapes, a zlib bomb that fits a URL, a lone UTF-16 surrogate (JSON's "\ud800" escape)
#: in the address. The other hostile links (not a scenario, not in the expected form, a
#: number beyond 2^63) are read through AppTest in tests/test_issue18_names.py, and the
#: nested one below, with the map drawn.
@pytest.mark.parametrize(("param", "said"), [
    ("not-a-link%21%21", "damaged or incomplete (unexpected characters)"),
    (_link(b"[" * (4 * 2**20)), "expands to more than 1 MB"),
    (_link(json.dumps({"v": 1, "n": "A\ud800B", "z": [], "b": []}).encode()),
     "lone UTF-16 surrogate"),
])
def test_a_hostile_share_link_says_so_and_the_page_works(session, app_url, param: str,
                                                         said: str) -> None:
    """Each link is opened in the module's page (a navigation: a new session).  The map's
    first WebGL frame, seconds of CPU in SwiftShader and unrelated to the link, is not
    waited for here: the next test waits for it once, with a hostile link."""
    page, dialogs = session
    seen = len(dialogs)
    _open_link(page, f"{app_url}/zones?scenario={param}", said, map_drawn=False)
    _ignore_then_the_page_works(page)
    assert dialogs[seen:] == []


def test_with_a_hostile_link_the_map_is_drawn(session, app_url) -> None:
    page, dialogs = session
    seen = len(dialogs)
    _open_link(page, f"{app_url}/zones?scenario={_link(b'[' * 100_000)}", "nested too deeply",
               map_drawn=True)
    _ignore_then_the_page_works(page)
    assert dialogs[seen:] == []


def test_a_valid_share_link_still_opens(session, app_url) -> None:
    page, _ = session
    param = to_url_param(Scenario(name="Shared square", zones=[
        Zone("s1", "Linked square", box(23.0, 50.0, 24.0, 51.0))]))
    page.goto(f"{app_url}/zones?scenario={param}")
    wait_for(page, MAP_READY, ("This link carries the scenario",))
    page.get_by_role("button", name="Open the shared scenario").click()
    page.locator('[class*="st-key-zone_card_"]').filter(has_text="Linked square").first \
        .wait_for(timeout=60_000)
    # The rerun streams its elements in order: the cards may show before the name box.
    expect(page.get_by_label("Scenario name")).to_have_value("Shared square",
                                                             timeout=30_000)
    no_traceback(page)
