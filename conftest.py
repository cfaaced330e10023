"""Collection rules for the whole repository (shared fixtures live in tests/conftest.py).

The doctests of every module of ``dashboard`` are collected (``pytest.ini``'s
``testpaths``), except the Streamlit page scripts: they draw a page when
imported, so they run under AppTest and in the browser tests instead.
"""
collect_ignore = [
    "dashboard/app.py",
    "dashboard/ui/explore.py",
    "dashboard/ui/home.py",
    "dashboard/ui/incidents.py",
    "dashboard/ui/zones.py",
]
