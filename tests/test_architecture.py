"""The shape of the code, enforced: packages rank by layer, imports point down, no cycles.

Packages, top to bottom (each names its layer)::

    6 shells     dashboard.app, dashboard.__main__, dashboard.ui, dashboard.cli
    5 state      dashboard.state     typed session state, zone/incident commands, map events
    4 render     dashboard.render    Scene -> live map args, brief, exports
    3 scene      dashboard.scene     SceneRequest -> compose -> Scene, and the styles
    2 analysis   dashboard.analysis  measurements against the catalogue's layers
      store      dashboard.store     scenarios (GeoPackage, PostGIS)
    1 data       dashboard.data      the layer catalogue
      io         dashboard.io        the one gate for untrusted files, readers, writers
    0 core       dashboard.geo       pure geodesy on geometries and arrays

A module may import its own rank or a lower one, never a higher one; the
module graph has no cycle; no module takes a ``_private`` name from another.
Only ``app.py``, ``__main__.py`` and ``__init__.py`` sit at the package root.
The core never does file I/O, never reads the clock and never loads a layer,
and the core, data, io, analysis, store, scene and state packages never load
Streamlit, pydeck, folium or matplotlib, which a fresh interpreter proves.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "dashboard"

CORE, DATA, ANALYSIS, SCENE, RENDER, STATE, SHELL = range(7)
LAYER_NAMES = {CORE: "core", DATA: "data/io", ANALYSIS: "analysis/store", SCENE: "scene",
               RENDER: "render", STATE: "state", SHELL: "shell"}
#: Every package of the project has a rank; the longest matching prefix wins.
RANKS: dict[str, int] = {
    "dashboard.geo": CORE,
    "dashboard.data": DATA, "dashboard.io": DATA,
    "dashboard.analysis": ANALYSIS, "dashboard.store": ANALYSIS,
    "dashboard.scene": SCENE,
    "dashboard.render": RENDER,
    "dashboard.state": STATE,
    "dashboard.ui": SHELL, "dashboard.cli": SHELL, "dashboard.app": SHELL,
    "dashboard.__main__": SHELL, "dashboard": SHELL,
}
#: The only modules at the package root.
ROOT_MODULES = {"dashboard", "dashboard.app", "dashboard.__main__"}
#: Libraries for drawing and serving pages: never below the render layer.
HEAVY = ("streamlit", "streamlit_folium", "pydeck", "folium", "branca", "matplotlib")
#: Renderers that load those libraries: never imported by the state layer either.
HEAVY_RENDERERS = ("dashboard.render.deck", "dashboard.render.brief",
                   "dashboard.render.export")
#: Packages that stay free of drawing libraries.
PURE = (CORE, DATA, ANALYSIS, SCENE, STATE)
#: What the core must not touch: file I/O, the clock, the layers.
CORE_FORBIDDEN_IMPORTS = ("dashboard.data", "dashboard.io", "dashboard.analysis", "pathlib",
                          "io", "time", "pyogrio", "json", "shutil", "tempfile")
CORE_FORBIDDEN_CALLS = ("open", "today", "now", "utcnow", "time", "read_text", "read_bytes",
                        "write_text", "write_bytes", "load_layer", "read_file", "stat",
                        "listdir", "getenv", "scandir")

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
    modules = {module_name(p) for p in sources()}
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


def test_pure_packages_never_name_drawing_libraries():
    wrong = []
    for path in sources():
        if rank(module_name(path)) not in PURE:
            continue
        for line, target in imports(path):
            root = target.split(".")[0]
            if root in HEAVY or any(target == r or target.startswith(r + ".")
                                    for r in HEAVY_RENDERERS):
                wrong.append(f"{path.relative_to(PKG.parent)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def _pure_modules() -> list[str]:
    return [m for m in map(module_name, sources()) if rank(m) in PURE]


def test_fresh_interpreter_loads_no_drawing_library():
    """Import the core, compose, state and scenario modules; none of the heavy libraries load."""
    mods = _pure_modules()
    assert {"dashboard.geo.distance", "dashboard.scene.compose", "dashboard.state.session",
            "dashboard.state.zones", "dashboard.scene.request"} <= set(mods)
    code = ("import importlib, sys\n"
            f"for m in {mods!r}:\n    importlib.import_module(m)\n"
            f"print(sorted({{k.split('.')[0] for k in sys.modules}} & {set(HEAVY)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PKG.parent)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_only_the_entry_points_sit_at_the_package_root():
    loose = sorted(m for m in map(module_name, sources())
                   if m.count(".") == 1 and m not in ROOT_MODULES
                   and not (PKG / m.split(".")[1]).is_dir())
    assert not loose, f"move these into the package of their layer: {loose}"


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (packages resolve to their __init__)."""
    known = set(map(module_name, sources()))
    graph: dict[str, set[str]] = {}
    for path in sources():
        targets = set()
        for _line, target in imports(path):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target.startswith("dashboard"):
                targets.add(target)
        me = module_name(path)
        graph[me] = targets - {me}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (its modules in order), or [] when it has none.

    >>> find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    ['a', 'b', 'c', 'a']
    >>> find_cycle({"a": {"b"}, "b": set()})
    []
    """
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_import_cycle():
    """A package's ``__init__`` re-exporting its modules is not a cycle of theirs."""
    graph = _graph()
    for node, targets in graph.items():  # a module importing its own package's __init__
        graph[node] = {t for t in targets if not node.startswith(t + ".")}
    cycle = find_cycle(graph)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_no_private_name_crosses_a_module():
    wrong = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dashboard"):
                wrong += [f"{path.relative_to(PKG.parent)}:{node.lineno} takes {a.name} "
                          f"from {node.module}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert not wrong, "private names imported across modules:\n" + "\n".join(wrong)


def test_core_does_no_file_io_reads_no_clock_loads_no_layer():
    wrong = []
    for path in sorted((PKG / "geo").rglob("*.py")):
        where = path.relative_to(PKG.parent)
        for line, target in imports(path):
            if any(target == f or target.startswith(f + ".") for f in CORE_FORBIDDEN_IMPORTS):
                wrong.append(f"{where}:{line} imports {target}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in CORE_FORBIDDEN_CALLS:
                    wrong.append(f"{where}:{node.lineno} calls {name}()")
    assert not wrong, "the core must stay pure:\n" + "\n".join(wrong)


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


def test_the_readmes_diagram_names_every_package():
    """The README's Architecture diagram names every package of dashboard/ by its path."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Architecture"):]
    start = section.index("```")
    block = section[start:section.index("```", start + 3)]
    packages = sorted(p.parent.relative_to(ROOT / "dashboard").as_posix()
                      for p in (ROOT / "dashboard").rglob("__init__.py")
                      if "frontend" not in p.parts and p.parent != ROOT / "dashboard")
    missing = [p for p in packages if f"{p}/" not in block]
    assert not missing, f"name these packages in the README's diagram: {missing}"
