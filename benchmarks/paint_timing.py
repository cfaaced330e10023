"""First-paint timing in Chromium, from inside the page: what ``bench_map`` reports.

The page gets :data:`PROBE`, an init script that watches, once per animation frame, for what a
person waits for and notes the wall-clock time (``performance.timeOrigin +
performance.now()``, ms since the epoch) at which it was first there:

* the bare page's title (``h1``), the map's iframe element, the Explore panel's
  first figure table (``.st-key-pick-panel table``: a Markdown table or ``st.table``);
* inside the map's iframe (read from the top page, same origin): its ``#root``, its
  loading indicator (``.loading`` shown), the deck canvas, the root's ``data-painted``
  (set to ``"2d"`` when every static layer of the opening view is drawn on the 2D
  canvas of ``frontend/src/firstpaint.js``, to ``"gl"`` when deck.gl's WebGL frame
  replaces it: the first of the two is *the map painted*), and the root's
  ``data-ready="1"`` (deck.gl's frame with every static layer fetched, decoded and drawn).

:func:`collect` then reads those, each frame's navigation and resource timings and
the bundle's ``performance.mark("nfz:…")`` marks, all as ms since the top page's
navigation start, and :func:`breakdown` turns one load's numbers into the stages
the map's first paint goes through.  Nothing here asserts; it measures.
"""
from __future__ import annotations

import contextlib
from typing import Any

#: Runs in every frame before its own scripts (Playwright's ``add_init_script``).
PROBE = r"""
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const seen = {};
  window.__paint = seen;
  const shown = (el) => !!el && !el.hidden && el.getClientRects().length > 0;
  const frameDoc = () => {
    const f = document.querySelector('iframe[title*="mapview.map"]');
    try { return f && f.contentDocument; } catch (e) { return null; }
  };
  const inFrame = (sel) => { const d = frameDoc(); return d ? d.querySelector(sel) : null; };
  // The map's iframe is read from here (same origin): an init script runs in an
  // iframe only for its first about:blank document, whose window the component reuses.
  const checks = window !== window.top ? {} : {
    title: () => { const h = document.querySelector('h1'); return !!h && h.textContent.trim().length > 0; },
    iframe: () => !!document.querySelector('iframe[title*="mapview.map"]'),
    panel: () => shown(document.querySelector('.st-key-pick-panel table')),
    map_root: () => !!inFrame('#root'),
    loading: () => shown(inFrame('#root .loading')),
    canvas: () => !!inFrame('#root canvas'),
    painted: () => !!inFrame('#root')?.dataset.painted,
    ready: () => inFrame('#root')?.dataset.ready === '1',
  };
  // Painted = the animation frame after the one in which it was first in the DOM: that
  // frame's rendering (and, for the map, the canvas's readback where WebGL runs on the
  // CPU) is done before the next frame starts on this thread.
  const dom = {};
  const tick = () => {
    let left = 0;
    for (const [k, f] of Object.entries(checks)) {
      if (seen[k] !== undefined) continue;
      if (dom[k] !== undefined) { seen[k] = now(); seen[`${k}_dom`] = dom[k]; continue; }
      let ok = false;
      try { ok = f(); } catch (e) { ok = false; }
      if (ok) dom[k] = now();
      left += 1;
    }
    if (left) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""

COLLECT = r"""
() => {
  const origin = performance.timeOrigin;
  const rel = (t) => origin + t;
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource').map((r) => ({
    name: r.name, start: rel(r.startTime), responseStart: rel(r.responseStart),
    end: rel(r.responseEnd), bytes: r.transferSize, decoded: r.decodedBodySize,
    encoded: r.encodedBodySize}));
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('nfz:'))
    .map((m) => ({name: m.name, t: rel(m.startTime)}));
  const paint = performance.getEntriesByType('paint').map((p) => ({name: p.name, t: rel(p.startTime)}));
  return {origin, seen: window.__paint || {}, marks, paint, res,
          nav: nav ? {responseStart: rel(nav.responseStart), responseEnd: rel(nav.responseEnd),
                      domInteractive: rel(nav.domInteractive), load: rel(nav.loadEventEnd)} : null};
}
"""


def _shift(value: Any, t0: float) -> Any:
    """Epoch ms -> ms since ``t0`` (recursively over dicts and lists)."""
    if isinstance(value, dict):
        return {k: (v if k in ("name", "bytes", "decoded", "encoded") else _shift(v, t0))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, t0) for v in value]
    if isinstance(value, (int, float)) and value > 1e12:
        return value - t0
    return value


def collect(page, frame_url_part: str = "mapview.map") -> dict:
    """The top page's and the map iframe's timings, in ms since navigation start."""
    top = page.evaluate(COLLECT)
    t0 = top["origin"]
    out = {"top": _shift(top, t0)}
    for fr in page.frames:
        if fr is not page.main_frame and frame_url_part in fr.url:
            with contextlib.suppress(Exception):  # a frame gone mid-read: nothing to add
                out["map"] = _shift(fr.evaluate(COLLECT), t0)
    return out


def map_painted(row: dict[str, float]) -> float | None:
    """When the map was painted (every static layer drawn), ms: the first of the 2D
    paint and deck.gl's frame (``t_painted``; an older bundle without it: ``t_ready``)."""
    return row.get("t_painted", row.get("t_ready"))


def _first(marks: list[dict], name: str) -> float | None:
    return next((m["t"] for m in marks if m["name"] == name), None)


#: The map's first paint in stages: (key, what ends it, what it is).  Each stage runs
#: from the previous measured end to its own (ms); a stage whose end was not measured
#: (an older bundle without the marks) is merged into the next.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("streamlit", "top:iframe", "Streamlit: page, websocket, script run up to the map's element"),
    ("html", "nav:responseEnd", "the iframe's index.html"),
    ("bundle_fetch", "res:main.js", "main.js on the wire"),
    ("bundle_parse", "mark:start", "main.js parsed and compiled, until its first line runs"),
    ("bundle_run", "mark:component-ready", "the bundle's modules run, componentReady sent"),
    ("args", "mark:render", "Streamlit sends the first args"),
    ("layers", "mark:layers-loaded", "static layers and the context index fetched and decoded"),
    ("deck_init", "mark:deck", "deck.gl and WebGL created"),
    ("webgl", "mark:webgl", "deck.gl's WebGL context created"),
    ("build", "mark:layers-built", "deck.gl's layers and sub-layers built (JavaScript: "
     "geometry, outlines, clusters, labels, font atlas)"),
    ("paint_2d", "mark:paint-2d", "the layers drawn on a 2D canvas (JavaScript)"),
    ("shown_2d", "top:painted", "the 2D paint shown: the map painted"),
    ("first_draw", "mark:first-draw", "deck.gl's WebGL frame drawn (JavaScript)"),
    ("paint", "top:ready", "deck.gl's frame rasterised and shown (WebGL on the CPU, readback)"),
)


def _end(t: dict, spec: str) -> float | None:
    kind, name = spec.split(":", 1)
    top, m = t.get("top", {}), t.get("map") or {}
    if kind == "top":
        return top.get("seen", {}).get(name)
    if kind == "nav":
        return (m.get("nav") or {}).get(name)
    if kind == "res":
        r = next((r for r in m.get("res", []) if r["name"].split("?")[0].endswith("/" + name)), None)
        return r and r["end"]
    return _first(m.get("marks", []), f"nfz:{name}")


def breakdown(t: dict) -> dict[str, float]:
    """One cold load: each :data:`STAGES` key -> ms, plus absolute times (``t_*``, ms
    since navigation start) and the layers' and bundle's bytes on the wire."""
    out: dict[str, float] = {}
    seen = t.get("top", {}).get("seen", {})
    for k in ("title", "iframe", "panel", "map_root", "loading", "canvas", "painted", "ready"):
        if k in seen:
            out[f"t_{k}"] = seen[k]
    m = t.get("map")
    if not m:
        return out
    prev = 0.0
    for key, spec, _ in STAGES:
        end = _end(t, spec)
        if end is None or end < prev:
            continue
        out[key] = end - prev
        prev = end
    res = m["res"]
    data = [r for r in res if "/layers/" in r["name"] or "/context/" in r["name"]
            or "/places/" in r["name"]]
    if data:
        out["t_layers_first_request"] = min(r["start"] for r in data)
        out["t_layers_last_byte"] = max(r["end"] for r in data)
        out["layer_bytes"] = float(sum(r["bytes"] or 0 for r in data))
        out["layer_files"] = float(len(data))
    js = next((r for r in res if r["name"].split("?")[0].endswith("/main.js")), None)
    if js:
        out["bundle_bytes"] = float(js["bytes"] or 0)
    fcp = next((p["t"] for p in m.get("paint", []) if p["name"] == "first-contentful-paint"), None)
    if fcp is not None:
        out["t_map_fcp"] = fcp
    return out
