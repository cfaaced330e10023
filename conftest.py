"""Collection rules for the whole repository (shared fixtures live in tests/conftest.py).

The doctests of every module of ``dashboard`` are collected (``pytest.ini``'s
``testpaths``), except the Streamlit page scripts: they draw a page when
imported, so they run under AppTest and in the browser tests instead.

Every test process keeps its store (scenarios and incidents) in a fresh
temporary directory (``DASHBOARD_DATA_DIR``), never in the user's own data
directory, and ignores a ``DASHBOARD_STORE_URL`` of the shell: a test that adds
an incident cannot change what another test, or the user, sees.

The prepared layers the CLI stores (``DASHBOARD_CACHE_DIR``) go to one temporary
directory for the whole run, made by the first process (pytest-xdist's workers
inherit it), never to the user's ``~/.cache/dashboard``.
"""
import os
import tempfile

os.environ["DASHBOARD_DATA_DIR"] = tempfile.mkdtemp(prefix="nfz-test-data-")
os.environ.pop("DASHBOARD_STORE_URL", None)
_CACHE = os.environ.get("NFZ_TEST_CACHE_DIR") or tempfile.mkdtemp(prefix="nfz-test-cache-")
os.environ["NFZ_TEST_CACHE_DIR"] = os.environ["DASHBOARD_CACHE_DIR"] = _CACHE

collect_ignore = [
    "dashboard/app.py",
    "dashboard/ui/explore.py",
    "dashboard/ui/home.py",
    "dashboard/ui/incidents.py",
    "dashboard/ui/zones.py",
]
