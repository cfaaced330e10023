"""Shared fixtures: the real app server, a real headless Chromium, a real PostgreSQL.

Browser tests use Debian's ``chromium`` driven by Playwright.  When the browser
is missing and we are root on Debian, it is installed with apt-get (the README's
test command covers the browser tests); in CI (``CI=true``) a browser test never
skips: a missing browser is an error.

Store tests use a PostgreSQL server with PostGIS (:mod:`pgserver`), started
once per session from Debian's binaries (installed with apt-get when missing
and we are root) and stopped at the end; likewise never skipped in CI.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# CI explores the same examples every run (a green main stays green); local runs
# keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent

from appserver import CHROMIUM_ARGS, start_app, stop_app  # noqa: E402,F401  (tests/ is on pytest's path)
from pgserver import PgServer, find_bindir, install_postgres, start_server  # noqa: E402

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def _find_chromium() -> str | None:
    for c in CHROMIUM_CANDIDATES:
        if Path(c).exists():
            return c
    return shutil.which("chromium")


def _install_chromium() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env,
                   stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _find_chromium()
    if path is None:
        _install_chromium()
        path = _find_chromium()
    if path is None:
        msg = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg + "; browser tests never skip in CI")
        pytest.skip(msg)
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


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True,
                              args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL + PostGIS server on 127.0.0.1 for this session (restartable by tests)."""
    bindir = find_bindir()
    if bindir is None:
        install_postgres()
        bindir = find_bindir()
    if bindir is None:
        msg = ("PostgreSQL with PostGIS is not installed (apt-get install -y postgresql "
               "postgresql-15-postgis-3)")
        if os.environ.get("CI"):
            pytest.fail(msg + "; store tests never skip in CI")
        pytest.skip(msg)
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
