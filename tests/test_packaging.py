"""Packaging: the lock matches pyproject.toml, and a wheel carries everything the app needs.

Fast tests (no network): ``requirements.txt`` is pip-compile's output for
``pyproject.toml`` (every line pinned, every runtime dependency pinned within its
range, the same top-level names); ``pyproject.toml`` lists every folder of
``dashboard/`` and ``geodata/`` as a package (the list is explicit because
``geodata/`` and ``.streamlit/`` are mapped into the package); ``nfz-dashboard app``
passes every setting of ``.streamlit/config.toml`` to ``streamlit run``.

The slow test builds the wheel offline from a copy of the checkout, installs it
into a fresh venv (which borrows the heavy dependencies from this environment),
and from a directory outside the repository measures a distance with the
installed CLI and serves the installed app, checking over Streamlit's own
websocket that the upload limit of ``.streamlit/config.toml`` is in force.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shlex
import shutil
import site
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = ROOT / "requirements.txt"
STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"

#: The command pip-compile names in the lock's header (it writes its options sorted).
LOCK_COMMAND = ("pip-compile --no-emit-find-links --no-emit-index-url "
                "--output-file=requirements.txt --strip-extras pyproject.toml")
#: What follows pip-compile's output: the project itself, editable.
PROJECT_LINES = ("# The project itself (appended after pip-compile), so that "
                 "pip install -r requirements.txt installs it too:", "-e .")
#: How to bring the lock up to date, from the repository root.
REGENERATE = (f"{LOCK_COMMAND} && printf '%s\\n' "
              + " ".join(shlex.quote(line) for line in PROJECT_LINES) + " >> requirements.txt")
STALE = f"requirements.txt is out of date: run {REGENERATE}"
#: Who pip-compile says asked for a top-level requirement.
FROM_PYPROJECT = "nfz-dashboard (pyproject.toml)"


# --------------------------------------------------------------------------- the lock
def read_lock(text: str) -> tuple[list[str], dict[str, tuple[Requirement, set[str]]], list[str]]:
    """(header comment lines, name -> (pinned requirement, its 'via' names), bad lines).

    A bad line is any line that is neither a comment nor an ``==`` pin (``-e .`` aside).
    """
    header: list[str] = []
    pins: dict[str, tuple[Requirement, set[str]]] = {}
    bad: list[str] = []
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if not pins:
                header.append(stripped)
            elif current and line.startswith("    #"):  # pip-compile's "# via ..." notes
                via = stripped.lstrip("#").strip().removeprefix("via").strip()
                if via:
                    pins[current][1].add(via)
            else:
                current = None
            continue
        current = None
        if stripped == "-e .":
            continue
        try:
            req = Requirement(stripped)
        except InvalidRequirement:
            bad.append(stripped)
            continue
        specs = list(req.specifier)
        if req.url or req.marker or req.extras or len(specs) != 1 or specs[0].operator != "==":
            bad.append(stripped)
            continue
        current = canonicalize_name(req.name)
        pins[current] = (req, set())
    return header, pins, bad


def runtime_requirements() -> list[Requirement]:
    return [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]


def test_lock_header_names_the_pip_compile_command():
    header, _pins, _bad = read_lock(LOCK.read_text(encoding="utf-8"))
    assert f"#    {LOCK_COMMAND}" in header, f"{STALE}\n(header: {header})"


def test_every_line_of_the_lock_is_pinned():
    text = LOCK.read_text(encoding="utf-8")
    _header, pins, bad = read_lock(text)
    assert pins and not bad, f"{STALE}\n(not pinned with ==: {bad})"
    tail = [line.strip() for line in text.splitlines() if line.strip()][-2:]
    assert tuple(tail) == PROJECT_LINES, f"{STALE}\n(the lock should end with {PROJECT_LINES})"


def test_every_runtime_dependency_is_pinned_within_its_range():
    _header, pins, _bad = read_lock(LOCK.read_text(encoding="utf-8"))
    problems = []
    for req in runtime_requirements():
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name} is not in the lock")
            continue
        pinned = Version(next(iter(pins[name][0].specifier)).version)
        if not req.specifier.contains(pinned, prereleases=True):
            problems.append(f"{req.name}=={pinned} does not satisfy {req}")
    assert not problems, STALE + "\n" + "\n".join(problems)


def test_the_lock_has_the_same_top_level_names_as_pyproject():
    _header, pins, _bad = read_lock(LOCK.read_text(encoding="utf-8"))
    in_lock = {name for name, (_req, via) in pins.items() if FROM_PYPROJECT in via}
    wanted = {canonicalize_name(r.name) for r in runtime_requirements()}
    assert in_lock == wanted, (f"{STALE}\n(only in the lock: {sorted(in_lock - wanted)}; "
                               f"only in pyproject.toml: {sorted(wanted - in_lock)})")


def test_read_lock_refuses_what_is_not_a_pin():
    text = ("#    pip-compile x\nfoo==1.0\n    # via bar\nbaz>=2\n--extra-index-url u\n"
            "qux[extra]==1\n-e .\n")
    header, pins, bad = read_lock(text)
    assert header == ["#    pip-compile x"]
    assert set(pins) == {"foo"} and pins["foo"][1] == {"bar"}
    assert bad == ["baz>=2", "--extra-index-url u", "qux[extra]==1"]


# --------------------------------------------------------------------------- pyproject
def _package_names(folder: Path, package: str) -> set[str]:
    names = {package}
    for d in folder.rglob("*"):
        rel = d.relative_to(folder).parts
        if d.is_dir() and not any(p == "__pycache__" or p.startswith(".") for p in rel):
            names.add(".".join((package, *rel)))
    return names


def test_pyproject_lists_every_folder_that_ships():
    tool = PYPROJECT["tool"]["setuptools"]
    listed = set(tool["packages"])
    expected = (_package_names(ROOT / "dashboard", "dashboard")
                | _package_names(ROOT / "geodata", "dashboard.geodata")
                | {"dashboard._streamlit"})
    assert listed == expected, (
        f"[tool.setuptools] packages in pyproject.toml: add {sorted(expected - listed)}, "
        f"remove {sorted(listed - expected)}")
    assert tool["package-dir"] == {"dashboard.geodata": "geodata",
                                   "dashboard._streamlit": ".streamlit"}
    data = tool["package-data"]
    assert data["dashboard._streamlit"] == ["config.toml"]  # never secrets.toml
    assert {"*.geojson", "*.json"} <= set(data["dashboard.geodata"])


def test_license_is_mit_and_ships():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "geodata/MANIFEST.json" in text


def test_the_checkout_reads_the_root_geodata():
    from dashboard.data.catalogue import GEODATA_DIR

    assert GEODATA_DIR == ROOT / "geodata"


# --------------------------------------------------------------------------- nfz-dashboard app
def test_app_passes_every_setting_of_the_repository_config():
    from streamlit.web.cli import main as streamlit_main

    from dashboard.cli import app

    assert app.config_file() == STREAMLIT_CONFIG
    config = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    args = app.streamlit_args(["--server.port", "8599"])
    assert args[:2] == ["run", str(ROOT / "dashboard" / "app.py")]
    assert args[-2:] == ["--server.port", "8599"]  # the user's come last, so they win
    flags = args[2:-2]
    wanted = {f"{section}.{key}" for section, table in config.items() for key in table}
    assert {f.split("=", 1)[0].removeprefix("--") for f in flags} == wanted
    assert f"--server.maxUploadSize={config['server']['maxUploadSize']}" in flags
    known = {o for p in streamlit_main.commands["run"].params for o in getattr(p, "opts", ())}
    unknown = [f for f in flags if f.split("=", 1)[0] not in known]
    assert not unknown, f"streamlit run has no such option: {unknown}"


def test_app_help_shows_the_command(capsys):
    from dashboard.cli import main

    assert main(["app", "--help"]) == 0
    out = capsys.readouterr().out
    assert "runs: streamlit run " in out and "--server.maxUploadSize=" in out


# --------------------------------------------------------------------------- the wheel
#: Longest wait for one build, install or command, s.
STEP_TIMEOUT_S = 300
#: Longest wait for the served app to answer, s.
SERVE_TIMEOUT_S = 90
#: Not copied to the build: git, build output, caches and virtualenvs at the top...
TOP_IGNORE = {".git", "build", "dist", "out", ".cache", ".hypothesis", ".benchmarks",
              ".pytest_cache", ".mypy_cache", ".ruff_cache", ".venv", "venv", ".tox", ".nox"}
#: ... and anywhere: bytecode, egg-info, the front-end's npm packages.
DEEP_IGNORE = shutil.ignore_patterns("__pycache__", "*.egg-info", "node_modules")


def _build_ignore(folder: str, names: list[str]) -> set[str]:
    ignored = set(DEEP_IGNORE(folder, names))
    return ignored | (TOP_IGNORE & set(names) if Path(folder) == ROOT else set())


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = STEP_TIMEOUT_S) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _setuptools_builds_offline() -> bool:
    """Is this environment's setuptools new enough for pyproject's build-system?"""
    try:
        import setuptools
    except ImportError:
        return False
    need = next(Requirement(r) for r in PYPROJECT["build-system"]["requires"]
                if canonicalize_name(Requirement(r).name) == "setuptools")
    return need.specifier.contains(setuptools.__version__, prereleases=True)


def build_wheel(work: Path) -> Path:
    """The wheel of a copy of the checkout (never the checkout itself: no build/ in it).

    Offline (``--no-build-isolation``) when this environment's setuptools is new
    enough (the ``test`` extra asks for it); otherwise pip fetches it for an isolated build.
    """
    src, dist = work / "src", work / "dist"
    shutil.copytree(ROOT, src, ignore=_build_ignore, symlinks=True)
    isolation = ["--no-build-isolation"] if _setuptools_builds_offline() else []
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", str(dist),
          str(src)], cwd=work)
    (wheel,) = dist.glob("nfz_dashboard-*.whl")
    return wheel


def check_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        config = zf.read("dashboard/_streamlit/config.toml")
    manifest = json.loads((ROOT / "geodata" / "MANIFEST.json").read_text(encoding="utf-8"))
    layers = {f"dashboard/geodata/{f}" for f in [*manifest["files"], "MANIFEST.json"]}
    assert layers <= names, f"layers missing from the wheel: {sorted(layers - names)}"
    mapview = {f"dashboard/{p.relative_to(ROOT / 'dashboard').as_posix()}"
               for p in (ROOT / "dashboard" / "ui" / "mapview").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert mapview <= names, f"map front-end missing: {sorted(mapview - names)}"
    assert config == STREAMLIT_CONFIG.read_bytes()
    assert [n for n in names if n.startswith("dashboard/_streamlit/")] == [
        "dashboard/_streamlit/config.toml"]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def clean_env(venv: Path) -> dict[str, str]:
    """This environment without anything that would put the checkout or other settings first."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("STREAMLIT_") and k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def make_venv(work: Path, wheel: Path) -> Path:
    """A venv that sees this environment's packages, with the wheel's dashboard installed.

    The venv's own site-packages comes first on its sys.path, so the wheel's
    ``dashboard`` wins over this environment's (an editable install's finder is
    a meta-path hook appended after the normal path search).  pip runs from this
    environment but installs into the venv, and never uninstalls the outer copy.
    When this environment is itself a venv, ``--system-site-packages`` would reach
    only the base interpreter's packages, so a ``.pth`` file adds this venv's
    site-packages after the new venv's own (the same order).
    """
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
         cwd=work)
    if sys.prefix != sys.base_prefix:
        purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv),
                                                           "platbase": str(venv)}))
        lines = [f"import site; site.addsitedir({d!r})\n" for d in site.getsitepackages()]
        (purelib / "zz_outer_environment.pth").write_text("".join(lines), encoding="utf-8")
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
          "--force-reinstall", str(wheel)], cwd=work, env=clean_env(venv))
    return venv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVE_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the app exited early:\n{log.read_text(errors='replace')}"
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url} in {SERVE_TIMEOUT_S} s:\n"
                         f"{log.read_text(errors='replace')}")


def first_page(url: str) -> tuple[object, list[int]]:
    """Open the app as a browser does: (the session's client config, uploaders' MB limits).

    Streamlit's websocket protocol: the health check sets the XSRF cookie, the
    websocket takes it as its second subprotocol, a ``rerun_script`` runs the page. A
    session's first run leaves the sidebar (and its uploader) out, so a second
    ``rerun_script`` follows it, as the map's first view does in a browser.
    """
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(url + "/_stcore/health", timeout=10).read()
    xsrf = next((c.value for c in jar if c.name == "_streamlit_xsrf"), "")
    config, limits = None, []
    with connect(url.replace("http", "ws", 1) + "/_stcore/stream",
                 subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
                 additional_headers={"Cookie": f"_streamlit_xsrf={xsrf}"} if xsrf else {},
                 origin=url, max_size=2**28, open_timeout=10, close_timeout=5) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.context_info.timezone = "UTC"
        msg.rerun_script.context_info.url = url + "/"
        ws.send(msg.SerializeToString())
        deadline = time.monotonic() + SERVE_TIMEOUT_S
        while time.monotonic() < deadline and (config is None or not limits):
            fwd = ForwardMsg()
            fwd.ParseFromString(ws.recv(timeout=max(1.0, deadline - time.monotonic())))
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                config = fwd.new_session.config
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                if element.WhichOneof("type") == "file_uploader":
                    limits.append(element.file_uploader.max_upload_size_mb)
            elif (kind == "script_finished"
                  and fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY):
                # a first run holds the sidebar back: the browser's next run (the map's
                # first view) draws it.  Not after a run that ended early for a rerun
                # ("/" switching to /explore): a message then would interrupt the next
                # run, and every later one, as long as each is answered so
                ws.send(msg.SerializeToString())
    return config, limits


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def check_served_app(venv: Path, cwd: Path, env: dict[str, str]) -> None:
    """``nfz-dashboard app`` serves the installed app with the repository's upload limit."""
    from streamlit.proto.NewSession_pb2 import Config

    settings = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = cwd / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(venv / "bin" / "nfz-dashboard"), "app", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc, log)
        config, limits = first_page(url)
    finally:
        stop(proc)
    assert limits and set(limits) == {settings["server"]["maxUploadSize"]}, (
        f"uploaders' limits {limits} (MB), config.toml says "
        f"{settings['server']['maxUploadSize']}:\n{log.read_text(errors='replace')}")
    toolbar = settings["client"]["toolbarMode"].upper()
    assert config is not None and Config.ToolbarMode.Name(config.toolbar_mode) == toolbar


@pytest.mark.slow
def test_the_wheel_installs_and_runs_outside_the_repository(tmp_path: Path):
    wheel = build_wheel(tmp_path)
    check_wheel_contents(wheel)
    venv = make_venv(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(venv)
    site = venv.resolve() / "lib"

    probe = ("import json, dashboard, importlib.metadata as m\n"
             "from dashboard.data.catalogue import GEODATA_DIR\n"
             "from dashboard.cli import app\n"
             "print(json.dumps([dashboard.__file__, str(GEODATA_DIR), str(app.config_file()),"
             " str(m.distribution('nfz-dashboard').locate_file('')),"
             " m.metadata('nfz-dashboard')['License-Expression']]))")
    out = _run([str(venv / "bin" / "python"), "-c", probe], cwd=elsewhere, env=env)
    *paths, licence = json.loads(out.stdout)
    module, geodata, config, dist = map(Path, paths)
    for path in (module, geodata, config, dist):
        assert path.resolve().is_relative_to(site), f"{path} is not the venv's ({site})"
    assert geodata.name == "geodata" and geodata.parent.name == "dashboard"
    assert licence == "MIT"

    out = _run([str(venv / "bin" / "nfz-dashboard"), "distance", "50.47099,23.93432"],
               cwd=elsewhere, env=env)
    found = re.search(r"^nato_border\s+PL-UA\s+([0-9.]+) km", out.stdout, re.MULTILINE)
    assert found, out.stdout
    assert 6.0 <= float(found.group(1)) <= 6.8, out.stdout

    check_served_app(venv, elsewhere, env)
