"""Shared fixtures: the real app server and a real headless Chromium.

Browser tests use Debian's ``chromium`` driven by Playwright.  When the browser
is missing and we are root on Debian, it is installed with apt-get (the README's
test command covers the browser tests); in CI (``CI=true``) a browser test never
skips: a missing browser is an error.
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
