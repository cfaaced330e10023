"""deploy/nginx.conf in front of the real app: security headers, closed internal
endpoints, and the app with its map working under the Content-Security-Policy.

nginx (Debian's package, installed by ``scripts/setup_test_machine.sh``) runs with
a configuration rendered from the template on loopback ports, as root with
``-p <tmp> -c <conf>`` in the foreground (``daemon off``), in front of the browser
tests' own app server (the ``app_url`` fixture, ``tests/appserver.py``: these tests
only read pages, so they need no server of their own).  A missing nginx skips
locally and fails in CI.
"""
from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from appserver import free_port

from conftest import MAP, ROOT, missing

pytestmark = pytest.mark.slow

TEMPLATE = ROOT / "deploy" / "nginx.conf"
#: Every header the proxy must add, with its value (CSP is checked part by part).
HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
#: Endpoints that must not answer through the proxy.
CLOSED = ("/_stcore/metrics", "/_stcore/agent/openapi.json", "/_stcore/agent/interact",
          "/_stcore/script-health-check")


def render(template: str, listen: str, upstream: str, public_host: str, prefix: Path) -> str:
    out = (template.replace("@@LISTEN@@", listen).replace("@@UPSTREAM@@", upstream)
           .replace("@@PUBLIC_HOST@@", public_host).replace("@@PREFIX@@", str(prefix)))
    assert "@@" not in out, "a placeholder of deploy/nginx.conf was left unrendered"
    return "daemon off;\n" + out


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (one value per name, repeated names joined by ', ') and body."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, _headers(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, _headers(e.headers), e.read()


def _headers(msg) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in msg.items():
        out[k.lower()] = f"{out[k.lower()]}, {v}" if k.lower() in out else v
    return out


def csp_directives(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.fixture(scope="module")
def nginx_bin() -> str:
    path = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if path is None:
        missing("Debian's nginx (for the reverse-proxy test)")
    return path


@pytest.fixture(scope="module")
def proxy(nginx_bin: str, app_url: str, tmp_path_factory: pytest.TempPathFactory):
    """(proxy base URL, app base URL): the app behind nginx on loopback ports."""
    prefix = tmp_path_factory.mktemp("nginx")
    (prefix / "logs").mkdir()  # nginx opens <prefix>/logs/error.log before reading the conf
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(render(TEMPLATE.read_text(), f"127.0.0.1:{port}", app_url.split("//")[1],
                           f"127.0.0.1:{port}", prefix))
    check = subprocess.run([nginx_bin, "-t", "-p", str(prefix), "-c", str(conf)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    ng = subprocess.Popen([nginx_bin, "-p", str(prefix), "-c", str(conf)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:  # until nginx answers (it proxies the health check)
            assert ng.poll() is None, (prefix / "error.log").read_text()
            try:
                if get(url + "/_stcore/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "nginx did not answer within 30 s"
            time.sleep(0.2)
        yield url, app_url
    finally:
        ng.terminate()
        try:
            ng.wait(timeout=10)
        except subprocess.TimeoutExpired:
            ng.kill()


def _static_file(proxy_url: str) -> str:
    """The path of one of Streamlit's JavaScript files, from the page's own HTML."""
    import re

    _, _, body = get(proxy_url + "/")
    m = re.search(r'src="\./(static/js/[^"]+\.js)"', body.decode())
    assert m, "no script in Streamlit's index.html"
    return "/" + m.group(1)


def test_pages_and_static_files_carry_the_security_headers(proxy):
    url, _ = proxy
    for path in ("/", "/explore", _static_file(url), "/favicon.png"):
        status, headers, _ = get(url + path)
        assert status == 200, path
        for name, value in HEADERS.items():
            assert headers.get(name.lower()) == value, (path, name, headers.get(name.lower()))
        csp = csp_directives(headers["content-security-policy"])
        assert "," not in headers["content-security-policy"], "two policies sent"
        host = url.split("//")[1]
        assert csp["script-src"][0] == "'self'" and "'unsafe-inline'" not in csp["script-src"]
        assert "'unsafe-eval'" not in csp["script-src"]
        assert csp["frame-ancestors"] == ["'self'"] and csp["object-src"] == ["'none'"]
        assert csp["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"]
        assert csp["default-src"] == ["'self'"]
        assert "server" not in headers or "nginx/" not in headers["server"]


def test_internal_endpoints_are_closed_through_the_proxy(proxy):
    url, app_url = proxy
    # the point of the proxy: Streamlit itself answers /_stcore/metrics to anyone
    assert get(app_url + "/_stcore/metrics")[0] == 200
    for path in CLOSED:
        status, headers, body = get(url + path)
        assert status in (403, 404), (path, status)
        assert headers.get("x-content-type-options") == "nosniff"
        assert b"cache_memory" not in body and b"session_state" not in body
    assert get(url + "/_stcore/health")[0] == 200  # what a load balancer may ask


def test_the_app_and_its_map_work_under_the_policy(proxy, browser):
    """Through the proxy: the page loads, its websocket connects, the map draws its
    layers, and Chromium reports no Content-Security-Policy violation."""
    url, _ = proxy
    console: list[str] = []
    violations: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        frames: list[dict[str, str]] = []  # headers of the map's iframe document
        page.on("response", lambda r: frames.append(r.all_headers())
                if r.request.resource_type == "document" and "/component/" in r.url else None)
        # every frame (the map is an iframe) reports violations to this binding
        ctx.expose_binding("reportCsp", lambda source, text: violations.append(text))
        ctx.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => window.reportCsp("
            "`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));")
        page.goto(url + "/")
        page.frame_locator(MAP).locator('#root[data-ready="1"]').wait_for(timeout=120_000)
        # the map drew: every layer it references reported ready, on a canvas
        frame = page.locator(MAP).element_handle().content_frame()
        assert frame.evaluate("() => !!document.querySelector('canvas')")
        page.goto(url + "/explore")
        page.frame_locator(MAP).locator('#root[data-ready="1"]').wait_for(timeout=120_000)
    finally:
        ctx.close()
    # the map's iframe came through the proxy with the same policy, and same-origin
    # framing is what let it show
    assert frames and all(h.get("x-frame-options") == "SAMEORIGIN" for h in frames)
    assert all(csp_directives(h["content-security-policy"])["frame-ancestors"] == ["'self'"]
               for h in frames)
    csp_console = [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert not violations and not csp_console, (violations, csp_console)

