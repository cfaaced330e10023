"""The map's first paint without WebGL (``frontend/src/firstpaint.js``).

Where WebGL runs on the CPU (SwiftShader, as here) deck.gl's first frame costs
seconds of shader compiling, so the opening view's static layers are first drawn on a
2D canvas over deck's, from deck's own layers and viewport; deck.gl's first real frame
removes it.  These tests check that the 2D paint came first, that it is gone once
deck.gl has drawn (``data-painted`` goes ``"2d"`` -> ``"gl"``; ``data-ready`` keeps
its meaning), and that it shows the static layers at the pixels deck.gl then draws
them: the whole map, and the NATO border, the incidents' markers and the bordering
oblasts' outline by their colours, within 2 px.  The 2D image is kept for the check
by a ``localStorage`` switch the bundle reads (``nfz-keep-first-paint``).
"""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from conftest import MAP, VIEWPORT, frame_of, settle

KEEP_KEY = "nfz-keep-first-paint"  # frontend/src/firstpaint.js KEEP_KEY
DONE = '#root[data-ready="1"][data-painted="gl"]'
#: Colours of static layers in the opening view (dashboard/scene/styles.py): the NATO
#: border's line, the incidents' fill, the bordering oblasts' outline.
FEATURES = {"NATO border": (0, 61, 165), "incidents": (220, 20, 30), "oblasts' outline": (210, 95, 0)}

STATE = """() => {
  const root = document.getElementById('root');
  const fp = window.nfzMap && window.nfzMap.firstPaint();
  return {painted: root.dataset.painted, ready: root.dataset.ready, fp,
          canvases: document.querySelectorAll('canvas.first-paint').length,
          shown: [...document.querySelectorAll('canvas.first-paint')]
            .filter((c) => getComputedStyle(c).display !== 'none').length,
          view: window.nfzMap.view(),
          background: getComputedStyle(root).backgroundColor};
}"""


def _near(img: np.ndarray, colour: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    return np.abs(img - np.array(colour)).max(axis=2) <= tol


def _grow(mask: np.ndarray, r: int) -> np.ndarray:
    out = mask.copy()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            out |= np.roll(np.roll(mask, dy, 0), dx, 1)
    return out


def _agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels of ``a`` with a pixel of ``b`` within 1 px differing by <= 40 per channel."""
    best = np.full(a.shape[:2], 255)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            best = np.minimum(best, np.abs(a - np.roll(np.roll(b, dy, 0), dx, 1)).max(axis=2))
    return float((best <= 40).mean())


def _match(a: np.ndarray, b: np.ndarray, colour: tuple[int, int, int]) -> tuple[int, float]:
    """Pixels of ``colour`` in ``a``, and the share of them with that colour in ``b`` within 2 px."""
    ma, mb = _near(a, colour), _near(b, colour)
    return int(ma.sum()), float(_grow(mb, 2)[ma].mean()) if ma.any() else 0.0


def _rgb(text: str) -> tuple[int, int, int]:
    r, g, b = (int(v) for v in text[text.index("(") + 1:text.index(")")].split(",")[:3])
    return r, g, b


#: After every animation frame callback of the page and its observers (an init script wraps
#: requestAnimationFrame: the frame's window outlives the navigation of its initial
#: about:blank, so a loop started here would be dropped), whether the "preparing" line
#: shows, by data-painted.
PREPARING = """(() => {
  const seen = {'2d': [], 'gl': []};
  window.__preparingSeen = seen;
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => raf((time) => {
    callback(time);
    queueMicrotask(() => { // after the attribute's observers (queued when it changed)
      const root = document.getElementById('root');
      const line = document.querySelector('.preparing');
      const phase = root && root.dataset.painted;
      if (line && seen[phase]) seen[phase].push(getComputedStyle(line).display !== 'none');
    });
  });
})()"""


def test_the_2d_paint_comes_first_and_is_gone_after_decks_frame(browser, app_url):
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        ctx.add_init_script(PREPARING)
        page = ctx.new_page()
        page.goto(app_url + "/explore")
        page.frame_locator(MAP).locator(DONE).wait_for(timeout=120_000)
        s = page.frame_locator(MAP).locator("#root").evaluate(f"(el) => ({STATE})()")
        assert s["painted"] == "gl" and s["ready"] == "1"
        assert s["canvases"] == 0  # removed, not hidden
        # while the map is the 2D paint a line says it is not interactive yet; then it goes
        seen = frame_of(page).evaluate("() => window.__preparingSeen")
        assert seen["2d"] and all(seen["2d"]), seen
        page.wait_for_timeout(100)  # a frame or two with deck's frame shown
        seen = frame_of(page).evaluate("() => window.__preparingSeen")
        assert seen["gl"] and not any(seen["gl"]), seen
        fp = s["fp"]
        assert fp["phase"] == "gl"
        assert fp["drawn"] >= 5 and fp["skipped"] == []  # every layer type the map uses is drawn in 2D
        assert fp["times"]["paint2d"] < fp["times"]["paintGl"]
    finally:
        ctx.close()


def test_the_2d_paint_shows_the_static_layers_where_deck_draws_them(browser, app_url):
    ctx = browser.new_context(viewport=VIEWPORT)
    layer_files: list[str] = []  # requests for static layer files (ready.js starts them)
    try:
        page = ctx.new_page()
        page.on("request", lambda r: layer_files.append(r.url) if r.url.endswith(".bin") else None)
        page.goto(app_url + "/explore")
        page.frame_locator(MAP).locator(DONE).wait_for(timeout=120_000)
        assert len(layer_files) >= 5 and len(set(layer_files)) == len(layer_files), layer_files
        frame_of(page).evaluate(f"() => localStorage.setItem('{KEEP_KEY}', '1')")
        layer_files.clear()
        page.reload()
        page.frame_locator(MAP).locator(DONE).wait_for(timeout=120_000)
        # the reload takes them from Cache Storage (or, when it is slow to open on a busy
        # machine, 300 ms at most, from the network): never one file twice
        assert len(set(layer_files)) == len(layer_files), layer_files
        settle(page)
        frame = frame_of(page)
        s = frame.evaluate(f"({STATE})")
        fp = s["fp"]
        assert fp["phase"] == "gl" and fp["image"], fp and {k: v for k, v in fp.items() if k != "image"}
        assert s["shown"] == 0 and s["canvases"] == 1  # kept for this test, hidden
        # the view deck drew last is the one the 2D paint was made in
        assert [fp["view"][k] for k in ("lon", "lat", "zoom")] == pytest.approx(
            [s["view"][k] for k in ("lon", "lat", "zoom")], abs=1e-9)
        # deck's frame alone: the map element without the panels over it (legend, tools, scale)
        frame.add_style_tag(content="#root > :not(#map) { visibility: hidden !important; }")
        gl = np.asarray(Image.open(io.BytesIO(frame.locator("#map").screenshot())).convert("RGB"), int)
        png = Image.open(io.BytesIO(base64.b64decode(fp["image"].split(",", 1)[1]))).convert("RGBA")
        under = Image.new("RGBA", png.size, (*_rgb(s["background"]), 255))
        under.alpha_composite(png)
        two_d = np.asarray(under.convert("RGB"), int)
        h, w = min(gl.shape[0], two_d.shape[0]), min(gl.shape[1], two_d.shape[1])
        assert abs(gl.shape[0] - two_d.shape[0]) <= 1 and abs(gl.shape[1] - two_d.shape[1]) <= 1
        gl, two_d = gl[:h, :w], two_d[:h, :w]

        assert _agreement(two_d, gl) >= 0.95
        for name, colour in FEATURES.items():
            n2, in_gl = _match(two_d, gl, colour)
            ng, in_2d = _match(gl, two_d, colour)
            assert n2 >= 200 and ng >= 200, (name, n2, ng)
            assert in_gl >= 0.9 and in_2d >= 0.9, (name, in_gl, in_2d)
        # the check can fail: the same paint 12 px off does not match the border
        _, shifted = _match(np.roll(two_d, 12, axis=1), gl, FEATURES["NATO border"])
        assert shifted < 0.5
    finally:
        ctx.close()
