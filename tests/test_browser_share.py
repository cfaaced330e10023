"""Issue 18: the share link offered for copying is an absolute address built from the
page's own origin (a relative path pasted elsewhere opens nothing).

The copy button is clicked in a real browser and the clipboard read back.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from shapely.geometry import box

from conftest import open_app_page
from dashboard.store import Scenario, Zone, to_url_param

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_copied_share_link_is_absolute(browser, app_url) -> None:
    param = to_url_param(Scenario(name="Shared square", zones=[
        Zone("s1", "Linked square", box(23.0, 50.0, 24.0, 51.0))]))
    ctx, page, _ = open_app_page(browser, f"{app_url}/zones?scenario={param}")
    try:
        origin = page.evaluate("() => location.origin")
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page.get_by_role("button", name="Open the shared scenario").click()
        page.locator('[class*="st-key-zone_card_"]').filter(has_text="Linked square").first \
            .wait_for(timeout=60_000)
        page.get_by_role("button", name="Make a share link").click()
        code = page.locator("[data-testid='stCode']").filter(has_text="?scenario=").first
        code.wait_for(timeout=60_000)
        shown = code.locator("code").inner_text().strip()
        page.wait_for_function("() => location.search.includes('scenario=')", timeout=30_000)
        here = urlsplit(page.url)
        link = parse_qs(here.query)["scenario"][0]
        assert shown == f"{origin}{here.path}?scenario={link}"
        assert shown.startswith(("http://", "https://"))
        code.hover()
        code.get_by_role("button").first.click()  # Streamlit's copy button
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied.strip() == shown
    finally:
        ctx.close()
