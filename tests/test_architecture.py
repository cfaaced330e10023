"""The shape of the code, enforced: layers point down, the core stays pure, modules stay small.

Layers, top to bottom: shells (pages, CLI) -> compose/state -> render -> core
(``dashboard.geo``) and the data catalogue.  A module may import its own layer
or a lower one, never a higher one.  The core, compose and state modules never
load Streamlit, pydeck, folium, branca or matplotlib, which a fresh interpreter
proves.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "dashboard"

CORE, RENDER, STATE, SHELL = 0, 1, 2, 3
LAYER_NAMES = {CORE: "core", RENDER: "render", STATE: "compose/state", SHELL: "shell"}
#: Every module of the package has a layer; the longest matching prefix wins.
RANKS: dict[str, int] = {
    "dashboard.geo": CORE, "dashboard.catalogue": CORE, "dashboard.cache": CORE,
    "dashboard.render": RENDER, "dashboard.scene": RENDER,
    "dashboard.compose": STATE, "dashboard.request": STATE, "dashboard.appstate": STATE,
    "dashboard.zonestate": STATE, "dashboard.zonemap": STATE, "dashboard.vertices": STATE,
    "dashboard.drawing": STATE, "dashboard.scenarios": STATE,
    "dashboard.mapevents": STATE, "dashboard.incidentfilter": STATE,
    "dashboard.app": SHELL, "dashboard.ui": SHELL,
    "dashboard.cli": SHELL, "dashboard.__main__": SHELL, "dashboard": SHELL,
}
#: Libraries for drawing and serving pages: never below the render layer.
HEAVY = ("streamlit", "streamlit_folium", "pydeck", "folium", "branca", "matplotlib")
#: Renderers that load those libraries: never imported by compose or state modules.
HEAVY_RENDERERS = ("dashboard.render.deck", "dashboard.render.brief",
                   "dashboard.render.export")

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def rank(module: str) -> int | None:
    best = max((p for p in RANKS if module == p or module.startswith(p + ".")), key=len,
               default=None)
    return None if best is None else RANKS[best]


def sources() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if "node_modules" not in p.parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, function-level ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[int, str]] = []
    own = module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = own.split(".")[: len(own.split(".")) - node.level
                                       + (1 if path.name == "__init__.py" else 0)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            modules = {module_name(p) for p in sources()}
            subs = [f"{name}.{a.name}" for a in node.names if f"{name}.{a.name}" in modules]
            out += [(node.lineno, t) for t in (subs or [name])]
    return out


def test_every_module_has_a_layer():
    missing = [module_name(p) for p in sources() if rank(module_name(p)) is None]
    assert not missing, f"give these modules a layer in RANKS: {missing}"


def test_no_import_points_up_the_stack():
    wrong = []
    for path in sources():
        me = module_name(path)
        mine = rank(me)
        for line, target in imports(path):
            if not target.startswith("dashboard"):
                continue
            theirs = rank(target)
            if theirs is not None and theirs > mine:
                wrong.append(f"{path.relative_to(PKG.parent)}:{line} ({LAYER_NAMES[mine]}) "
                             f"imports {target} ({LAYER_NAMES[theirs]})")
    assert not wrong, "imports pointing up the stack:\n" + "\n".join(wrong)


def test_core_compose_and_state_never_name_drawing_libraries():
    wrong = []
    for path in sources():
        me = module_name(path)
        if rank(me) not in (CORE, STATE) and me not in ("dashboard.scene",
                                                        "dashboard.render.styles"):
            continue
        for line, target in imports(path):
            root = target.split(".")[0]
            if root in HEAVY or any(target == r or target.startswith(r + ".")
                                    for r in HEAVY_RENDERERS):
                wrong.append(f"{path.relative_to(PKG.parent)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def _pure_modules() -> list[str]:
    return [m for m in map(module_name, sources())
            if rank(m) in (CORE, STATE) or m in ("dashboard.scene", "dashboard.render.styles")]


def test_fresh_interpreter_loads_no_drawing_library():
    """Import the core, compose, state and scenario modules; none of the heavy libraries load."""
    mods = _pure_modules()
    assert {"dashboard.geo.distance", "dashboard.compose", "dashboard.appstate",
            "dashboard.zonestate", "dashboard.request"} <= set(mods)
    code = ("import importlib, sys\n"
            f"for m in {mods!r}:\n    importlib.import_module(m)\n"
            f"print(sorted({{k.split('.')[0] for k in sys.modules}} & {set(HEAVY)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PKG.parent)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PKG.parent)))
def test_module_and_functions_are_short(path: Path):
    text = path.read_text(encoding="utf-8")
    n_lines = text.count("\n") + 1
    assert n_lines <= MAX_MODULE_LINES, f"{n_lines} lines; split the module"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"
