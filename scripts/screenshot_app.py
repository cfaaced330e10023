"""Make docs/app.png, the screenshot in the README, from the real app.

    python -m scripts.screenshot_app [--out docs/app.png]   (from the repository root)
    python -m scripts.screenshot_app --przewodow-z12 --out docs/przewodow-z12.png

The second form searches "Przewodów" and zooms the map to 12: the village-scale view
(incident label, gazetteer villages, rivers) of issue 20.

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
    ap.add_argument("--przewodow-z12", action="store_true",
                    help="search Przewodów and zoom to 12 instead of the rings view")
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
            if args.przewodow_z12:
                _zoom_to_przewodow(page, map_frame)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
                print(f"wrote {args.out}")
                return 0
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


def _zoom_to_przewodow(page, map_frame) -> None:
    """Search "Przewodów" (the map flies to zoom 10), then zoom in to 12 with the map's button."""
    box = page.get_by_role("textbox", name="Search", exact=True)
    box.fill("Przewodów")
    box.press("Enter")
    page.wait_for_timeout(4000)
    frame = next(f for f in page.frames if "mapview" in (f.url or ""))
    for _ in range(6):
        if frame.evaluate("() => window.nfzMap.view().zoom") >= 11.95:
            break
        map_frame.get_by_role("button", name="Zoom in").click()
        page.wait_for_timeout(1500)
    map_frame.locator("[data-ready='1']").wait_for(timeout=60_000)
    page.wait_for_timeout(3000)


if __name__ == "__main__":
    sys.exit(main())
