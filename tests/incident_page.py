"""Driving the Incidents page in a real browser: shared by the incident browser tests.

Plain helpers over a Playwright page (no fixtures): wait until the app is idle, reach a
widget by its key, type, choose, set a date, read the incident table's ids through its
own CSV download, and fill the incident form.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import wait_quiet

MAIN = "[data-testid='stMain']"


def idle(page, quiet_ms: int = 800, timeout_ms: int = 90_000) -> None:
    """Until the app has not run for ``quiet_ms`` (the page polls itself)."""
    if not wait_quiet(page, quiet_ms, timeout_ms, map_selector=None):
        raise AssertionError("the app never stopped running")


def reach(loc):
    """``loc`` scrolled to the middle of the window (clear of the app's sticky header)."""
    loc.first.wait_for(timeout=60_000)
    loc.first.evaluate("e => e.scrollIntoView({block: 'center'})")
    return loc.first


def type_in(page, key: str, text: str) -> None:
    box = reach(page.locator(f".st-key-{key} input"))
    box.fill(text)
    box.press("Tab")
    idle(page)


def choose(page, key: str, option: str) -> None:
    reach(page.locator(f".st-key-{key}")).click()
    page.get_by_role("option", name=option, exact=True).click()
    idle(page)


def set_date(page, key: str, day: str) -> None:
    """Type ``day`` (YYYY-MM-DD) into a date field's year, month and day segments."""
    year, month, dom = day.split("-")
    for part, digits in (("year", year), ("month", month), ("day", dom)):
        seg = reach(page.locator(f".st-key-{key} [role='spinbutton'][data-type='{part}']"))
        seg.click()
        seg.press_sequentially(digits, delay=40)
    page.keyboard.press("Tab")
    idle(page)
    spins = page.locator(f".st-key-{key} [role='spinbutton']")
    assert "-".join(spins.nth(i).inner_text() for i in range(3)) == day


def table_ids(page) -> list[str]:
    """The incident table's ids, from its own "Download the table (CSV)" button."""
    with page.expect_download(timeout=60_000) as dl:
        reach(page.locator(".st-key-inc_csv button")).click()
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    return [row["id"] for row in csv.DictReader(io.StringIO(text))]


def shown(page, text: str, timeout_ms: int = 60_000) -> str:
    loc = page.locator(MAIN).get_by_text(text, exact=False).first
    loc.wait_for(timeout=timeout_ms)
    return loc.inner_text()


def add_incident(page, *, day: str, place: str, lat: str, lon: str, url: str,
                 reason: str) -> None:
    """Fill the incident form with a graded drone at (lat, lon) and save it."""
    set_date(page, "incf_date", day)
    type_in(page, "incf_place", place)
    choose(page, "incf_object_type", "drone")
    type_in(page, "incf_lat", lat)
    type_in(page, "incf_lon", lon)
    choose(page, "incf_position_kind", "source coordinates")
    type_in(page, "incf_precision_m", "3000")
    type_in(page, "incf_src_url_0", url)
    type_in(page, "incf_src_pub_0", "Example News")
    choose(page, "incf_src_rel_0", "B – usually reliable")
    choose(page, "incf_src_cred_0", "2 – probably true")
    type_in(page, "incf_reason", reason)
    reach(page.locator(".st-key-incf_save button")).click()
    idle(page)
