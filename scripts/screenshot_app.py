"""Make docs/app.png, the screenshot in the README, from the real app.

    python -m scripts.screenshot_app [--out docs/app.png]   (from the repository root)

Starts ``streamlit run dashboard/app.py`` on loopback, opens it in Debian's
headless Chromium (Playwright), waits for the one map to be ready, turns on the
5V55 range rings from the sidebar, and saves a PNG of the page.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.appserver import CHROMIUM_ARGS, ROOT, start_app, stop_app


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "app.png")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    proc, url = start_app()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 900})
            page.goto(url)
            map_frame = page.frame_locator("iframe[title*='mapview.map']")
            map_frame.locator("[data-ready='1']").wait_for(timeout=60_000)
            page.get_by_test_id("stExpandSidebarButton").click()
            page.get_by_role("button", name="5V55 range: 75 and 90 km").click()
            page.wait_for_timeout(1500)
            page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
            page.wait_for_timeout(1500)
            map_frame.locator("[data-ready='1']").wait_for(timeout=60_000)
            page.wait_for_timeout(2500)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        stop_app(proc)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
