"""Incident clusters and timeline play on the Explore page's map, in headless Chromium.

Zoomed out, incidents that overlap on screen are one disc with their count (the two
Larga incidents share one spot, so they are always one); a click on a cluster flies
in until it parts, or lists incidents that share one spot; the play control steps
the incidents through the months in the browser alone (no event, so no rerun, while
it plays). The clusters are read through the map's test hook ``nfzMap.clusters()``.
"""
from __future__ import annotations

import re

import pytest

from conftest import MAP, VIEWPORT, frame_of, map_box, open_app_page, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LARGA = {"2023-01-14-larga", "2023-02-16-larga"}


@pytest.fixture(scope="module")
def explore(browser, app_url):
    ctx, page, _ = open_app_page(browser, app_url + "/")
    yield page
    ctx.close()


def _map(page, script: str):
    return frame_of(page).evaluate(script)


def _zoom_out_to(page, zoom: float) -> None:
    out = page.frame_locator(MAP).get_by_role("button", name="Zoom out")
    for _ in range(8):
        if _map(page, "() => window.nfzMap.view().zoom") < zoom:
            break
        out.click()
        page.wait_for_timeout(150)
    settle(page)


def _in_view(page, clusters: list[dict]) -> list[dict]:
    """The clusters on the visible map clear of its panels (toolbar, legend, play
    control, readout, scale bar), nearest the centre first."""
    b = map_box(page)
    w, h = b["width"], min(b["height"], VIEWPORT["height"] - b["y"])
    panels = _map(page, """() => ['.toolbar', '.legend', '.play', '.readout', '.scale'].map((s) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return [r.left - 20, r.top - 20, r.right + 20, r.bottom + 20]; })""")
    ok = [c for c in clusters if 20 < c["x"] < w - 20 and 20 < c["y"] < h - 20
          and not any(x0 < c["x"] < x1 and y0 < c["y"] < y1 for x0, y0, x1, y1 in panels)]
    return sorted(ok, key=lambda c: (c["x"] - w / 2) ** 2 + (c["y"] - h / 2) ** 2)


def _click_cluster(page, pick) -> dict:
    """Click the cluster ``pick(clusters in view)`` chooses, as a person does; it is returned."""
    clusters = _map(page, "() => window.nfzMap.clusters()")
    c = pick(_in_view(page, clusters))
    assert c is not None, clusters
    b = map_box(page)
    x, y = b["x"] + c["x"], b["y"] + c["y"]
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y, delay=80)
    return c


def test_clusters_count_expand_and_list(explore):
    page = explore
    _zoom_out_to(page, 6)
    clusters = _map(page, "() => window.nfzMap.clusters()")
    assert clusters, "no cluster at zoom < 6"
    assert all(c["count"] == len(c["ids"]) >= 2 for c in clusters)
    larga = next(c for c in clusters if set(c["ids"]) >= LARGA)
    labels = _map(page, "() => window.nfzMap.labels()")
    assert str(larga["count"]) in labels  # the count is drawn
    assert not any(t.startswith("Larga") for t in labels)  # and not the members' labels
    zoom0 = _map(page, "() => window.nfzMap.view().zoom")

    # Larga's two incidents share one spot: the click lists them (no flight).
    _click_cluster(page, lambda cs: next((c for c in cs if set(c["ids"]) == LARGA), None))
    items = page.frame_locator(MAP).locator(".cluster-list-item")
    items.first.wait_for(timeout=15_000)
    assert sorted(items.evaluate_all("els => els.map(e => e.dataset.feature)")) == sorted(LARGA)
    page.keyboard.press("Escape")
    page.frame_locator(MAP).locator(".cluster-list").wait_for(state="hidden", timeout=5_000)

    # A cluster of incidents apart (a group's, when one is in view): the click flies in
    # until it parts.
    target = _click_cluster(page, lambda cs: next(
        (c for c in sorted(cs, key=lambda c: c["group"] is None) if not set(c["ids"]) <= LARGA), None))
    frame_of(page).wait_for_function(f"() => window.nfzMap.view().zoom > {zoom0 + 0.5}",
                                     timeout=20_000)
    settle(page)
    after = _map(page, "() => window.nfzMap.clusters()")
    assert not any(set(c["ids"]) == set(target["ids"]) for c in after), (target, after)


def test_play_steps_through_the_months_without_reruns(explore):
    page = explore
    fr = page.frame_locator(MAP)
    period = fr.locator(".play-period")
    assert period.inner_text() == "All dates"
    last_seq = _map(page, "() => Math.max(0, ...window.nfzMap.events().map(e => e.seq))")
    play = fr.get_by_role("button", name="Play the incident timeline")
    play.focus()
    play.press("Space")  # keyboard reachable
    seen: list[str] = []
    for _ in range(40):
        text = period.inner_text()
        if re.fullmatch(r"\d{4}-\d{2}", text) and text not in seen:
            seen.append(text)
        if len(seen) >= 3:
            break
        page.wait_for_timeout(250)
    assert len(seen) >= 3 and seen == sorted(seen), seen
    state = _map(page, "() => window.nfzMap.timeline()")
    # still playing: by the time the state is read it may have moved on (an empty month
    # lasts 0.3 s), never back
    assert state["playing"] and state["step"] == "month" and state["period"]["key"] >= seen[-1]
    sent = _map(page, f"() => window.nfzMap.events().filter(e => e.seq > {last_seq})")
    assert sent == []  # playing sends nothing: no rerun
    fr.get_by_role("button", name="Pause the incident timeline").click()
    assert _map(page, "() => window.nfzMap.timeline().playing") is False
    fr.get_by_role("button", name="Show all incidents").click()
    assert period.inner_text() == "All dates"
