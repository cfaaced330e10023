"""The pages' icons are Streamlit's built-in Material Symbols (``:material/map:``), never
emoji, which render as empty boxes on a machine without an emoji font (issue 20 item 6).

Every ``icon=`` and ``page_icon=`` given as text in ``dashboard/app.py`` and
``dashboard/ui`` (``st.Page``, ``st.button``, …) is read with ``ast`` and must be
``:material/<name>:``.  (The browser tab's icon is Streamlit's own favicon: a
``:material/...:`` ``page_icon`` would be fetched from fonts.gstatic.com, and the app
makes no request off its own server.)
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT

SOURCES = [ROOT / "dashboard" / "app.py", *sorted((ROOT / "dashboard" / "ui").rglob("*.py"))]
MATERIAL = re.compile(r":material/[a-z0-9_]+:")


def icon_values(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every ``icon=`` / ``page_icon=`` keyword given as a string."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in ("icon", "page_icon") and isinstance(kw.value, ast.Constant) \
                        and isinstance(kw.value.value, str):
                    out.append((node.lineno, kw.value.value))
    return out


def test_every_icon_is_a_material_symbol():
    found = {f"{p.relative_to(ROOT)}:{line}": v for p in SOURCES for line, v in icon_values(p)}
    assert len([k for k in found if k.startswith("dashboard/app.py")]) >= 3, found  # the pages
    bad = {k: v for k, v in found.items() if not MATERIAL.fullmatch(v)}
    assert not bad, f"not a :material/...: icon (emoji render as boxes without an emoji font): {bad}"


def test_the_scan_sees_an_emoji(tmp_path):
    src = tmp_path / "page.py"
    src.write_text('import streamlit as st\nst.Page("p.py", icon="🗺️")\n'
                   'st.button("Go", icon=":material/map:")\n', encoding="utf-8")
    assert icon_values(src) == [(2, "🗺️"), (3, ":material/map:")]
