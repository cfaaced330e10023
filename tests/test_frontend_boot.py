"""The map's start: the loading indicator in ``index.html`` and the boot's wait for layers.

The component's ``index.html`` carries the loading indicator itself, and loads
``ready.js`` before ``main.js``: Streamlit shows a component's frame only once it has
said componentReady, which ``ready.js`` does at once (keeping early render messages
for the bundle), so the indicator shows while ``main.js`` is still on its way (the
bundle adopts it, ``frontend/src/ui.js``).  On its first render the bundle requests the static layers
and the context tiles' index and waits for them (``store.whenLoaded``) before it
starts WebGL and draws once (``frontend/src/main.js``, ``boot``): where WebGL runs on
the CPU a frame drawn before the layers are here only delays the map.  ``store.js``
is run in node with a stubbed ``fetch``; without ``node`` those tests skip, except
in CI (``CI=true``), where they fail.  The browser test holds ``main.js`` back and
reads the indicator in the frame.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from conftest import MAP, ROOT, node_json, wait_ready

SRC = ROOT / "frontend" / "src"
INDEX = ROOT / "dashboard" / "ui" / "mapview" / "frontend" / "index.html"


class _Tree(HTMLParser):
    """Start tags in document order with their attributes and the path of open tags."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.tags: list[tuple[str, dict, list[str]]] = []
        self.text: dict[int, str] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a, [f"{t}#{x.get('id', '')}.{x.get('class', '')}" for t, x in self.stack]))
        if tag not in ("meta", "link", "br", "img", "input"):
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if data.strip():
            self.text[len(self.tags) - 1] = self.text.get(len(self.tags) - 1, "") + data


def test_index_html_holds_the_loading_indicator_before_the_bundle():
    tree = _Tree()
    tree.feed(INDEX.read_text(encoding="utf-8"))
    names = [t for t, _, _ in tree.tags]
    loading = next(i for i, (t, a, _) in enumerate(tree.tags) if "loading" in a.get("class", "").split())
    tag, attrs, path = tree.tags[loading]
    assert attrs.get("role") == "status" and attrs.get("aria-live") == "polite"
    assert any(p.startswith("div#root.") for p in path), "the indicator is inside #root"
    text = "".join(v for k, v in tree.text.items() if k >= loading)
    assert "Loading the map layers" in text
    scripts = [(i, a.get("src")) for i, (t, a, _) in enumerate(tree.tags) if t == "script"]
    # ready.js says componentReady (Streamlit shows the frame only then), then the bundle;
    # no inline script: the CSP allows only 'self'
    assert [src for _, src in scripts] == ["ready.js", "main.js"]
    assert all(i > loading for i, _ in scripts)
    assert names.count("script") == 2
    # its look before main.css arrives: an inline style for .loading and the spinner
    html = INDEX.read_text(encoding="utf-8")
    assert re.search(r"<style>[^<]*\.loading\b[^<]*\.loading-spinner", html)
    assert "style-src 'self' 'unsafe-inline'" in html


def test_the_bundle_adopts_the_indicator_of_index_html():
    ui = (SRC / "ui.js").read_text(encoding="utf-8")
    assert "root.querySelector('.loading')" in ui
    bundle = (ROOT / "dashboard" / "ui" / "mapview" / "frontend" / "main.js").read_text(encoding="utf-8")
    assert "querySelector(\".loading\")" in bundle or "querySelector('.loading')" in bundle


def run_node(script: str) -> object:
    """The JSON a node script prints after importing ``store.js`` with a held ``fetch``."""
    head = ("globalThis.window = globalThis; globalThis.document = {baseURI: 'http://app/c/index.html'};\n"
            "globalThis.performance = globalThis.performance || {mark() {}};\n"
            "const started = []; let release;\n"
            "const gate = new Promise((r) => { release = r; });\n"
            "globalThis.fetch = async (url) => { started.push(url); await gate;\n"
            "  return {ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0)}; };\n"
            f"const store = await import({json.dumps((SRC / 'store.js').as_uri())});\n"
            "const origError = console.error; console.error = () => {};\n")
    return node_json(head + script, "frontend/src/store.js")


def test_when_loaded_waits_for_every_layer_to_load_or_fail():
    out = run_node(
        "const urls = ['layers/a.0123456789ab.bin', 'layers/b.0123456789ab.bin'];\n"
        "for (const u of urls) store.lookup(u, null);\n"
        "let done = false; const w = store.whenLoaded(urls).then(() => { done = true; });\n"
        "await new Promise((r) => setTimeout(r, 400));\n"
        "const before = {done, started: started.length, failed: store.failedCount()};\n"
        "release(); await w;\n"
        "const never = await Promise.race([store.whenLoaded(['layers/none.bin']).then(() => 'now'),\n"
        "  new Promise((r) => setTimeout(() => r('late'), 50))]);\n"
        "console.log(JSON.stringify({before, done, failed: store.failedCount(),\n"
        "  failedA: store.hasFailed(urls[0]), never}));\n")
    assert out["before"] == {"done": False, "started": 2, "failed": 0}  # held: still waiting
    assert out["done"] is True and out["failed"] == 2 and out["failedA"] is True
    assert out["never"] == "now"  # a URL never requested does not hold the map back


@pytest.mark.browser
@pytest.mark.slow
def test_the_indicator_shows_before_the_bundle_runs(browser, app_url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    held = []
    pattern = re.compile(r".*/component/dashboard\.ui\.mapview\.map/main\.js(\?.*)?$")
    page.route(pattern, lambda route: held.append(route))
    try:
        page.goto(app_url + "/explore")
        for _ in range(600):
            if held:
                break
            page.wait_for_timeout(100)
        assert held, "the frame never asked for main.js"
        loading = page.frame_locator(MAP).locator("#root > .loading")
        loading.wait_for(state="visible", timeout=30_000)
        box = loading.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 10
        assert loading.get_attribute("role") == "status"
        assert "Loading" in loading.inner_text()
        frame = next(f for f in page.frames if "mapview.map" in f.url)
        assert frame.evaluate("() => typeof window.nfzMap") == "undefined"  # the bundle has not run
        for route in held:
            route.continue_()
        page.unroute(pattern)
        wait_ready(page)
        assert loading.is_hidden()
    finally:
        ctx.close()
