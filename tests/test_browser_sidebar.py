"""The sidebar of a session's first run comes after the map (dashboard/ui/sidebar.py).

A browser session's first run leaves the folded sidebar out (its widgets held up the
map's first paint by about 0.45 s); the map's first view, sent once the map is painted,
reruns the page and draws it. If the map never paints, a timer in the first run reruns
the page after ``DRAW_SOON_S`` seconds. Both paths, in real Chromium.
"""
from __future__ import annotations

import pytest

from conftest import MAP, VIEWPORT
from dashboard.ui.sidebar import DRAW_SOON_S

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: A widget of the sidebar's (its incident picker) and of the page (the panel's search).
SIDEBAR_WIDGET = '[data-testid="stSidebar"] .stSelectbox'
PAGE_WIDGET = ".st-key-search_text"


#: Records whether the map was painted (its root's ``data-painted``) when the sidebar's
#: first widget appeared: a MutationObserver set before anything loads.
SEEN_SCRIPT = """
window.__sidebarSeen = [];
new MutationObserver(() => {
  if (window.__sidebarSeen.length) return;
  if (!document.querySelector(SIDEBAR)) return;
  const f = document.querySelector(MAP);
  const root = f && f.contentDocument && f.contentDocument.getElementById('root');
  window.__sidebarSeen.push(root && root.dataset.painted ? root.dataset.painted : 'not painted');
}).observe(document, {childList: true, subtree: true});
""".replace("SIDEBAR", repr(SIDEBAR_WIDGET)).replace("MAP", repr(MAP))


def test_the_sidebar_comes_once_the_map_is_painted(browser, app_url):
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        page = ctx.new_page()
        page.add_init_script(SEEN_SCRIPT)
        page.goto(app_url + "/explore")
        page.locator(SIDEBAR_WIDGET).first.wait_for(state="attached", timeout=90_000)
        seen = page.evaluate("() => window.__sidebarSeen")
        assert seen and seen[0] in ("2d", "gl"), seen  # never before the map's paint
        assert page.locator(PAGE_WIDGET).count() == 1
    finally:
        ctx.close()


def test_without_the_map_the_sidebar_still_comes(browser, app_url):
    """The map's bundle is refused: no paint, no first view; the timer draws the sidebar."""
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        page = ctx.new_page()
        page.route("**/component/dashboard.ui.mapview.map/main.js", lambda r: r.abort())
        page.goto(app_url + "/explore")
        page.locator(PAGE_WIDGET).wait_for(timeout=90_000)  # the first run is there
        page.locator(SIDEBAR_WIDGET).first.wait_for(state="attached",
                                                    timeout=(DRAW_SOON_S + 60) * 1000)
        root = page.frame_locator(MAP).locator("#root")
        assert root.get_attribute("data-painted") is None  # the map never painted
    finally:
        ctx.close()
