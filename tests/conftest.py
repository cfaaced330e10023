"""Shared fixtures and helpers: the real app server, a real headless Chromium, a real
PostgreSQL, the committed catalogue, scenario builders, and the suite's policies.

Machine set-up
    ``bash scripts/setup_test_machine.sh`` installs what the suite needs (Debian's
    ``chromium`` with Mesa's llvmpipe to draw WebGL, ``postgresql`` and
    ``postgresql-<version>-postgis-3``, and the project with its ``test`` extra); it is
    idempotent, and ``.ci/run`` calls it. Nothing here installs anything: the fixtures
    only look for what is there. When chromium or PostgreSQL with PostGIS is missing,
    the tests that need it are skipped with a message naming that script, except in CI
    (``CI=true``), where a missing browser or database fails them: CI never skips.

Tiers
    Markers ``browser`` (drives the app in headless Chromium with Playwright) and
    ``slow`` (more than ~3 s, or starts servers or processes).  Besides the marks in
    the modules, :func:`pytest_collection_modifyitems` marks every test that uses a
    browser fixture (``browser``, ``chromium_path``, ``app_url``) ``browser`` and
    ``slow``, and every test that uses PostgreSQL (``pg_server``, ``pg_url``,
    ``fresh_pg_url``, the ``postgres`` side of ``store_url``) ``slow``.  The fast
    tier for local work is ``python -m pytest -m "not slow and not browser"``; CI
    runs everything (``python -m pytest``).

Timeouts
    ``pytest-timeout`` (in the ``test`` extra) stops any test after ``timeout`` in
    ``pytest.ini`` (300 s); ``browser`` tests get :data:`BROWSER_TIMEOUT_S` unless
    they carry their own ``@pytest.mark.timeout``.  Without the plugin the marks
    and the ini option are registered here, so ``--strict-markers`` still passes,
    and the report header says that timeouts are off.

Hypothesis
    Every run loads a profile: ``ci`` by default, so every run (CI's and yours)
    draws the same examples (``derandomize=True``, no example database,
    ``max_examples=100`` unless a test sets its own, ``deadline=None``: a loaded CI
    machine is no reason to fail, ``print_blob=True``: a failure prints the line
    that reproduces it).  ``HYPOTHESIS_PROFILE=dev python -m pytest ...`` picks the
    ``dev`` profile instead: new random examples every run, and the example
    database replays the failures it found.

Shared helpers
    Test modules import the plain helpers and constants below with ``from conftest
    import ...`` (pytest puts ``tests/`` on ``sys.path``, as for ``appserver``,
    ``pgserver`` and ``geo_reference``); fixtures need no import.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from appserver import CHROMIUM_ARGS, start_app, stop_app  # tests/ is on pytest's path
from geo_reference import GEOD
from hypothesis import settings
from pgserver import PgServer, find_bindir, start_server

# --------------------------------------------------------------------- Hypothesis
settings.register_profile("ci", derandomize=True, database=None, max_examples=100,
                          deadline=None, print_blob=True)
settings.register_profile("dev", derandomize=False, max_examples=100, deadline=None,
                          print_blob=True)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(HYPOTHESIS_PROFILE)


# --------------------------------------------------------------------- AppTest
def scan_installed_components_once() -> None:
    """Every new ``AppTest`` scans the metadata of every installed distribution for
    Streamlit component manifests (about 0.45 CPU-s here: 160 distributions, their
    METADATA parsed each time), and the suite makes a few hundred. What is installed
    does not change during a test run, so each test process scans once (the real scan)
    and hands every later AppTest a copy of that answer."""
    from streamlit.components.v2 import manifest_scanner

    once = cache(manifest_scanner.scan_component_manifests)
    manifest_scanner.scan_component_manifests = lambda max_workers=None: list(once())


scan_installed_components_once()

# --------------------------------------------------------------------- paths, data
ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
GEODATA = ROOT / "geodata"
#: The app's entry script, for ``AppTest.from_file`` and ``streamlit run``.
APP = str(ROOT / "dashboard" / "app.py")
#: The command that sets a machine up for the whole suite (named in skip messages).
SETUP_SCRIPT = "bash scripts/setup_test_machine.sh"
#: Per-test ceiling of browser tests (the ini's ``timeout`` is for the others).
BROWSER_TIMEOUT_S = 900

PRZEWODOW_ID = "2022-11-15-przewodow"
PRZEWODOW_LONLAT = (23.93432, 50.47099)


def in_ci() -> bool:
    """True when ``CI`` is set to something other than empty, 0, false or no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(what: str) -> None:
    """Skip the test (fail it in CI) because ``what`` is not installed."""
    msg = f"{what} is not installed: run `{SETUP_SCRIPT}` (root on Debian) to install it"
    if in_ci():
        pytest.fail(msg + "; CI (CI=true) never skips these tests", pytrace=False)
    pytest.skip(msg)


@cache
def _geodata_json(name: str) -> str:
    return (GEODATA / name).read_text(encoding="utf-8")


def geodata_features(layer: str) -> list[dict]:
    """The features of ``geodata/<layer>.geojson`` read with ``json`` (a fresh copy)."""
    return json.loads(_geodata_json(f"{layer}.geojson"))["features"]


def geodata_feature(layer: str, key: str, value: str) -> dict:
    """The first feature of ``layer`` whose property ``key`` is ``value``."""
    return next(f for f in geodata_features(layer) if f["properties"].get(key) == value)


def catalogue() -> list[dict]:
    """Every incident of the source catalogue (``geodata/src/incidents.json``)."""
    return json.loads(_geodata_json("src/incidents.json"))["incidents"]


def unlocated_incidents() -> list[dict]:
    """The incidents whose position no source states (``incidents_unlocated.json``)."""
    return json.loads(_geodata_json("incidents_unlocated.json"))["incidents"]


def script_module(name: str):
    """``scripts/<name>.py`` loaded as a module (registered while it loads: dataclasses
    need it), without running its ``main``."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(f"script_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module


def node_json(script: str, needed_for: str) -> object:
    """The JSON that ``script``, an ES module run by ``node``, prints.  Without node the
    test skips, except in CI (``CI=true``), where it fails; ``needed_for`` names what
    the test checks."""
    node = shutil.which("node")
    if node is None:
        msg = f"node is needed to test {needed_for}"
        if in_ci():
            pytest.fail(msg + "; CI (CI=true) never skips these tests", pytrace=False)
        pytest.skip(msg)
    done = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def shipped_tracks() -> list[dict]:
    """The track incidents (LineStrings) of ``incident_tracks.geojson`` as GeoJSON features."""
    path = GEODATA / "incident_tracks.geojson"
    return json.loads(path.read_text(encoding="utf-8"))["features"] if path.is_file() else []


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``dashboard.cli.main(argv)`` in-process: (exit code, stdout, stderr)."""
    from dashboard.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------- pytest hooks
_BROWSER_FIXTURES = {"browser", "chromium_path", "app_url"}
_PG_FIXTURES = {"pg_server", "pg_url", "fresh_pg_url"}


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if not pluginmanager.hasplugin("timeout"):  # keep pytest.ini's option known without it
        parser.addini("timeout", "per-test timeout (pytest-timeout is not installed)")


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.hasplugin("timeout"):
        config.addinivalue_line("markers", "timeout(seconds): per-test timeout (pytest-timeout)")


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"hypothesis profile: {HYPOTHESIS_PROFILE} (HYPOTHESIS_PROFILE=dev explores)"]
    if not config.pluginmanager.hasplugin("timeout"):
        lines.append(f"pytest-timeout is not installed: no per-test timeouts (run {SETUP_SCRIPT})")
    return lines


@cache
def listed_slow_tests() -> frozenset[str]:
    """The node ids of ``tests/slow_tests.txt`` (over a second in a timed run; see
    ``scripts/slow_tests.py``): marked ``slow``, out of the fast tier."""
    path = TESTS / "slow_tests.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return frozenset(line for line in lines if line and not line.startswith("#"))


def file_seconds() -> dict[str, float]:
    """{test file: seconds} of ``tests/file_seconds.txt`` (a timed run; see
    ``scripts/slow_tests.py``)."""
    path = TESTS / "file_seconds.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    pairs = (line.split(" ", 1) for line in lines if line and not line.startswith("#"))
    return {name: float(s) for s, name in pairs}


def longest_files_first(items: list[pytest.Item]) -> None:
    """Files in the order of their timed seconds, longest first; tests keep their order
    within a file.  The workers take whole files (``--dist loadfile``, with
    ``--no-loadscope-reorder``): a long file handed out last would keep one worker busy
    while the other idles."""
    cost = file_seconds()
    first: dict[str, int] = {}
    for k, item in enumerate(items):
        first.setdefault(item.nodeid.split("::", 1)[0], k)

    def rank(item: pytest.Item) -> tuple[float, int]:
        name = item.nodeid.split("::", 1)[0]
        return -cost.get(name, 0.0), first[name]

    items.sort(key=rank)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    longest_files_first(items)
    listed = listed_slow_tests()
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if item.nodeid in listed and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)
        if names & _BROWSER_FIXTURES:
            for mark in ("browser", "slow"):
                if item.get_closest_marker(mark) is None:
                    item.add_marker(getattr(pytest.mark, mark))
        if names & _PG_FIXTURES and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("browser") and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(BROWSER_TIMEOUT_S))


# --------------------------------------------------------------------- browser
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def find_chromium() -> str | None:
    for c in CHROMIUM_CANDIDATES:
        if Path(c).exists():
            return c
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        missing("Debian's chromium (for the browser tests)")
    return path


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app, served by ``streamlit run`` with a private data directory."""
    data_dir = tmp_path_factory.mktemp("appdata")
    proc, url = start_app({"DASHBOARD_DATA_DIR": str(data_dir)})
    try:
        yield url
    finally:
        stop_app(proc)


#: The tests' browser draws WebGL without multisampling: where WebGL runs on the CPU
#: it is about a sixth of every frame and of a page load's GPU work (a cold /explore
#: 3.4-3.8 against 2.8 s of the GPU process's CPU under SwiftShader), and no test reads
#: an anti-aliased edge. The app asks for it as before; screenshots and benchmarks keep it.
TEST_ONLY_ARGS = ["--webgl-antialiasing-mode=none"]

#: Where Mesa's llvmpipe is installed (``scripts/setup_test_machine.sh`` installs it),
#: the tests' Chromium draws WebGL with it, through ANGLE on EGL, instead of with
#: SwiftShader; the page itself is composited in software as before. Both are real
#: WebGL 2 on the CPU; llvmpipe costs about a third of SwiftShader's CPU per map frame
#: (0.08-0.10 against 0.29 s at 1280x800 here) and a tenth of its GPU-process CPU per
#: cold page load (0.4-0.7 against 3.4-4.9 s: SwiftShader compiles a pipeline for every
#: draw state), and the browser tests are mostly page loads and frames. Benchmarks and
#: screenshots keep :data:`CHROMIUM_ARGS` (their recorded figures are SwiftShader's).
SWIFTSHADER_ONLY = {"--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"}
LLVMPIPE_ARGS = [*(a for a in CHROMIUM_ARGS if a not in SWIFTSHADER_ONLY),  # keeps --use-gl=angle
                 "--use-angle=gl-egl", "--ignore-gpu-blocklist", "--disable-gpu-compositing"]
#: What WebGL 2 says it runs on (the unmasked renderer string), or why there is none.
WEBGL_RENDERER_JS = """() => {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'no WebGL 2';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}"""


def webgl_renderer(browser) -> str:
    """The WebGL 2 renderer a page of ``browser`` gets (e.g. ``ANGLE (Mesa/X.org, llvmpipe ...)``)."""
    page = browser.new_page()
    try:
        page.set_content("<p>WebGL probe</p>")
        return page.evaluate(WEBGL_RENDERER_JS)
    finally:
        page.close()


def launch_test_chromium(playwright, chromium_path: str):
    """Headless Chromium for the tests: WebGL on llvmpipe where it works, else on
    SwiftShader (with a warning: the browser tests then take about twice the CPU)."""
    launch = playwright.chromium.launch
    b = launch(executable_path=chromium_path, headless=True, args=[*LLVMPIPE_ARGS, *TEST_ONLY_ARGS])
    renderer = webgl_renderer(b)
    if "llvmpipe" in renderer:
        return b
    b.close()
    warnings.warn(f"WebGL on llvmpipe unavailable ({renderer}); the browser tests draw with "
                  f"SwiftShader, about twice the CPU: run {SETUP_SCRIPT}", stacklevel=1)
    return launch(executable_path=chromium_path, headless=True, args=[*CHROMIUM_ARGS, *TEST_ONLY_ARGS])


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_test_chromium(p, chromium_path)
        try:
            yield b
        finally:
            b.close()


#: The browser tests' window, and the map's iframe.
VIEWPORT = {"width": 1280, "height": 800}
MAP = 'iframe[title*="mapview.map"]'
#: Every request and websocket a page opened with :func:`open_app_page` made
#: (test_browser_map checks last that none left the app).
REQUESTS: list[str] = []
SOCKETS: list[str] = []
#: Uncaught script errors per page opened with :func:`open_app_page` (by ``id(page)``).
_SCRIPT_ERRORS: dict[int, list[str]] = {}


def script_errors(page) -> list[str]:
    """The uncaught script errors (``pageerror``: any frame) of a page from :func:`open_app_page`."""
    return list(_SCRIPT_ERRORS.get(id(page), []))


def open_app_page(browser, url: str):
    """A new context and page at ``url``, ready; (context, page, dialog messages).
    Requests and websockets are recorded in :data:`REQUESTS` and :data:`SOCKETS`."""
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = ctx.new_page()
    page.on("request", lambda r: REQUESTS.append(r.url))
    page.on("websocket", lambda ws: SOCKETS.append(ws.url))
    errors = _SCRIPT_ERRORS.setdefault(id(page), [])
    page.on("pageerror", lambda e: errors.append(str(e)))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    wait_ready(page)
    return ctx, page, dialogs


def frame_of(page):
    """The map's iframe, or None while a rerun is replacing it."""
    handle = page.locator(MAP).element_handle()
    return None if handle is None else handle.content_frame()


def wait_ready(page, timeout_ms: int = 90_000) -> None:
    """The map iframe is there and every layer it references is loaded and drawn."""
    page.frame_locator(MAP).locator('#root[data-ready="1"]').wait_for(timeout=timeout_ms)
    settle(page)


#: The wait of :func:`wait_quiet`, run in the page. With a map selector, the map's frame
#: is looked up at every poll (a page switch or a rerun replaces it); while it is
#: missing, detached, not ready, or there is more than one, nothing is settled.
_QUIET_JS = """async ([quietMs, timeoutMs, mapSelector]) => {
  const view = () => {
    if (mapSelector === null) return 'no map';
    try {
      const frames = document.querySelectorAll(mapSelector);
      if (frames.length !== 1) return null;
      const w = frames[0].contentWindow, d = frames[0].contentDocument;
      const ready = d && d.getElementById('root')?.dataset.ready === '1';
      return ready && w.nfzMap ? JSON.stringify(w.nfzMap.view()) : null;
    } catch (e) { return null; }
  };
  const running = () => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'running';
  const start = performance.now();
  let last = null, since = null;  // since: when the page was first seen settled as now
  while (performance.now() - start < timeoutMs) {
    const now = view(), t = performance.now();
    since = (!running() && now !== null && now === last) ? (since ?? t) : null;
    if (since !== null && t - since >= quietMs) return true;
    last = now;
    await new Promise(r => setTimeout(r, 100));
  }
  return false;
}"""


def wait_quiet(page, quiet_ms: int, timeout_ms: int, map_selector: str | None) -> bool:
    """Whether, within ``timeout_ms``, the app stayed idle for ``quiet_ms`` (and, given a
    ``map_selector``, that map's view stayed put with every layer drawn).

    The page polls itself every 100 ms (:data:`_QUIET_JS`): one call, not a few round
    trips to the browser per poll (those cost about a third of a core while waiting).
    A navigation that replaces the page's document starts the wait again, in the time left.
    """
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_ms / 1000
    while (left_ms := int((deadline - time.monotonic()) * 1000)) > 0:
        try:
            if page.evaluate(_QUIET_JS, [quiet_ms, left_ms, map_selector]):
                return True
        except PlaywrightError as e:  # the document was replaced mid-wait: look again
            if "context was destroyed" not in str(e) and "navigat" not in str(e):
                raise
            page.wait_for_timeout(100)
    return False


def settle(page, quiet_ms: int = 700, timeout_ms: int = 60_000) -> None:
    """Until the map's view has stopped moving, every layer it was last given is drawn
    (its ``data-ready``) and the app has not run for ``quiet_ms``."""
    if not wait_quiet(page, quiet_ms, timeout_ms, MAP):
        raise AssertionError("the map or the app never settled")


def map_box(page) -> dict:
    return page.locator(MAP).bounding_box()


def snap(page, x: float, y: float) -> tuple[float, float]:
    """The page point nearest (x, y) on a whole pixel of the map's frame: the readout
    and the tools then see the same pixel (the frame sits at a fractional offset)."""
    b = map_box(page)
    return b["x"] + round(x - b["x"]), b["y"] + round(y - b["y"])


def centre(page) -> tuple[float, float]:
    b = map_box(page)
    return b["x"] + b["width"] / 2, b["y"] + b["height"] / 2


def search(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Search", exact=True)
    box.fill(text)
    box.press("Enter")
    page.wait_for_timeout(300)
    settle(page)


def readout(page) -> dict[str, str]:
    fr = page.frame_locator(MAP)
    return {fmt: fr.locator(f'[aria-label="Pointer position"] [data-fmt="{fmt}"]').inner_text()
            for fmt in ("dd", "dms", "mgrs")}


def hover(page, x: float, y: float, text: str | None = None, timeout_ms: int = 15_000):
    """Move onto (x, y) until the readout shows a position there (and, with ``text``,
    a tooltip holding it): proof that the map answers at that pixel.
    Returns ((lon, lat) from the readout, tooltip text or None)."""
    x, y = snap(page, x, y)
    tip = page.frame_locator(MAP).locator(".tooltip")
    for _ in range(max(timeout_ms // 600, 1)):
        page.mouse.move(x - 3, y - 2)  # two moves, each a frame where a tool draws the pointer:
        page.mouse.move(x, y)  # 0.3-0.6 s of CPU each where WebGL runs on the CPU
        page.wait_for_timeout(350)
        first = readout(page)["dd"]
        page.wait_for_timeout(250)  # the same twice: the readout has caught up with the pointer
        m = re.fullmatch(r"(-?[\d.]+), (-?[\d.]+)", readout(page)["dd"])
        shown = tip.inner_text() if tip.is_visible() else None
        if m and m.group(0) == first and (text is None or (shown is not None and text in shown)):
            return (float(m.group(2)), float(m.group(1))), shown
    raise AssertionError(f"no readout/tooltip {text!r} at ({x:.0f}, {y:.0f})")


def download_brief(page) -> Path:
    """Export tab open: "Make briefing map", then download it; the file's path."""
    page.get_by_role("button", name="Make briefing map").click()
    download = page.get_by_role("button", name="Download briefing map")
    download.wait_for(timeout=120_000)
    with page.expect_download(timeout=120_000) as dl:
        download.click()
    return Path(dl.value.path())


# --------------------------------------------------------------------- PostgreSQL
@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL + PostGIS server on 127.0.0.1 for this session (restartable by tests)."""
    bindir = find_bindir()
    if bindir is None:
        missing("PostgreSQL with PostGIS (Debian's postgresql and postgresql-<version>-postgis-3,"
                " for the shared-store tests)")
    server = start_server(bindir)
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """The URL (with a password) of one database with PostGIS shared by the session."""
    return pg_server.create_database("nfz_session")


@pytest.fixture
def fresh_pg_url(pg_server: PgServer) -> str:
    """The URL of a new, empty database with PostGIS for one test."""
    if not pg_server.running:  # a test that stopped the server failed before restarting it
        pg_server.start()
    return pg_server.create_database()


@pytest.fixture(params=["gpkg", pytest.param("postgres", marks=pytest.mark.slow)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty scenario store of each kind: a GeoPackage path or a PostgreSQL URL."""
    if request.param == "gpkg":
        return str(tmp_path / "s.gpkg")
    return request.getfixturevalue("fresh_pg_url")


# --------------------------------------------------------------------- scenarios
#: The creation time of the built scenarios (fixed: saves compare exactly).
CREATED = "2024-03-01T08:00:00.000Z"


def geodesic_circle(lon: float, lat: float, radius_km: float, n: int = 256):
    """A geodesic circle from ``Geod.fwd`` (independent of the core's buffer code)."""
    from shapely.geometry import Polygon

    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_km * 1000))
    return Polygon(np.column_stack([lons, lats]))


def star(lon: float, lat: float, n: int, seed: int, r_deg: tuple[float, float] = (0.2, 0.5)):
    """A random star-shaped (hence simple) polygon of ``n`` vertices around (lon, lat)."""
    from shapely.geometry import Polygon

    rng = np.random.default_rng(seed)
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False) + rng.uniform(0, 0.5, n) * 2 * np.pi / n
    r = rng.uniform(*r_deg, n)
    return Polygon(np.column_stack([lon + r * np.cos(ang) / np.cos(np.radians(lat)),
                                    lat + r * np.sin(ang)]))


def wavy(lon: float, lat: float, n: int, seed: int):
    """A smooth wavy ring of ``n`` vertices (cheap for GEOS to validate, unlike spikes)."""
    from shapely.geometry import Polygon

    rng = np.random.default_rng(seed)
    th = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = 0.2 * (1 + 0.1 * np.sin(rng.integers(3, 60) * th + rng.uniform(0, 2 * np.pi)))
    return Polygon(np.column_stack([lon + r * np.cos(th) / np.cos(np.radians(lat)),
                                    lat + r * np.sin(th)]))


def make_scenario(name: str = "Przewodów — NFZ «A» ✈", seed: int = 0):
    """A typical scenario: a 75 km circle, a rectangle, a two-part zone with a hole."""
    from shapely.geometry import MultiPolygon, Polygon, box

    from dashboard.store import Buffer, Scenario, ScenarioView, Zone

    lon, lat = PRZEWODOW_LONLAT
    holed = Polygon(star(25.5, 49.0, 40, seed).exterior.coords,
                    [geodesic_circle(25.5, 49.0, 5.0, 32).exterior.coords])
    return Scenario(
        name=name,
        zones=[
            Zone("circle-75", "75 km around Przewodów", geodesic_circle(lon, lat, 75.0),
                 rule="circle", description="geodesic circle", params={"n_vertices": 256},
                 center_lon=lon, center_lat=lat, radius_km=75.0),
            Zone("lviv-box", "Lviv box", box(23.5, 49.5, 24.5, 50.0), rule="rectangle"),
            Zone("two-part", "Two parts", MultiPolygon([holed, star(30.0, 50.0, 30, seed + 1)]),
                 rule="border_band", description="50 km band along PL-UA",
                 params={"segment_ids": ["PL-UA", "SK-UA"], "depth_km": 50.0}),
        ],
        buffers=[Buffer(lon, lat, 75.0, label="75 km"),
                 Buffer.around_layer("nato_border", 100.0, label="100 km of NATO")],
        incident_id=PRZEWODOW_ID,
        view=ScenarioView(24.1, 50.2, 6.25),
        as_of=date(2022, 11, 15),
        units="nm",
        created=CREATED,
    )


def small_scenario(name: str, seed: int, tag: str = ""):
    """Three 50-vertex zones; ``seed``/``tag`` make versions distinguishable."""
    from dashboard.store import Scenario, Zone

    s = seed + sum(map(ord, tag)) * 1000
    return Scenario(name=name, created=CREATED, zones=[
        Zone(f"z{k}", f"{name} {tag} {k}", star(24.0 + k, 50.0, 50, s + k)) for k in range(3)])


def big_scenario(name: str, version: int, n_zones: int = 20, n_vertices: int = 20_000):
    """``n_zones`` zones of ``n_vertices`` each (20 x 20k = 6.4 MB of WKB)."""
    from dashboard.store import Scenario, Zone

    return Scenario(name=name, created=CREATED, zones=[
        Zone(f"b{k}", f"big {version}-{k}", wavy(22.0 + 0.5 * k, 49.0, n_vertices,
                                                  1000 * version + k)) for k in range(n_zones)])


def same_except_updated(a, b) -> bool:
    """Scenarios equal in everything but the ``updated`` time stamp."""
    return replace(a, updated=b.updated) == b


# ------------------------------------------------------------------ AppTest helpers
def run_app(**state):
    """The app (``dashboard/app.py``) run once in AppTest with ``state`` set first; it must
    not raise."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private incident store in ``tmp_path`` (the shipped catalogue only, to begin
    with), its change token forgotten before and after.  Files with a data folder of
    their own (the zones pages) define their own ``data_dir``."""
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DASHBOARD_STORE_URL", raising=False)
    from dashboard.analysis.incident_catalogue import forget_token, incident_store

    forget_token()
    assert str(tmp_path) in incident_store().where
    yield tmp_path
    forget_token()


def errors(at) -> list[str]:
    """The error messages an AppTest run shows."""
    return [e.value for e in at.error]
