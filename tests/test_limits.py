"""One table of limits: ``dashboard.data.limits.LIMITS`` is the README's limits table,
the Streamlit config agrees with it, and each limit is defined once.

After changing a limit, regenerate the README's table with::

    python -c "from dashboard.data.limits import limits_markdown; print(limits_markdown())"
"""
from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from dashboard.data import limits
from dashboard.data.limits import CONFIG, LIMITS, LIMITS_BY_NAME, format_limit, limits_markdown

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "dashboard"
REGENERATE = ('regenerate it: python -c "from dashboard.data.limits import limits_markdown; '
              'print(limits_markdown())"')
#: Modules that still define their own copy of a limit instead of importing it from
#: dashboard/data/limits.py (their values are checked below).  Remove an entry once
#: the module imports the constant; a copy not listed here fails the test.
KNOWN_COPIES: dict[str, set[str]] = {}


def readme_limits_table() -> list[str]:
    """The lines of the table under "### Limits" in the section "Running it for a team"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Running it for a team\n", 1)[1].split("\n## ", 1)[0]
    after = section.split("\n### Limits\n", 1)[1].split("\n### ", 1)[0]
    lines = after.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return lines[start:end]


def _number(node: ast.expr) -> float | None:
    """The value of a constant arithmetic expression (``48 * 1024 * 1024``), else None."""
    ops = {ast.Mult: lambda a, b: a * b, ast.Add: lambda a, b: a + b,
           ast.Sub: lambda a, b: a - b, ast.Pow: lambda a, b: a ** b,
           ast.FloorDiv: lambda a, b: a // b, ast.Div: lambda a, b: a / b}
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in ops:
        a, b = _number(node.left), _number(node.right)
        return None if a is None or b is None else ops[type(node.op)](a, b)
    return None


def definitions() -> dict[tuple[str, str], tuple[int, float | None]]:
    """(file, limit name) -> (line, value) of every module-level assignment in
    ``dashboard/`` to a limit's name (or the name with a leading underscore)."""
    found: dict[tuple[str, str], tuple[int, float | None]] = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            for t in targets:
                if isinstance(t, ast.Name) and t.id.lstrip("_") in LIMITS_BY_NAME:
                    found[(rel, t.id.lstrip("_"))] = (node.lineno, _number(value))
    return found


def test_every_limit_once_with_a_known_unit_and_a_real_place():
    assert len(LIMITS_BY_NAME) == len(LIMITS), "a limit is listed twice"
    for lim in LIMITS:
        assert (ROOT / lim.where_set).is_file(), f"{lim.name}: no file {lim.where_set}"
        assert lim.help and "|" not in lim.help and lim.value > 0
        assert format_limit(lim.value, lim.unit)


def test_the_readme_table_is_the_limits_table():
    lines = readme_limits_table()
    rows = {}
    for line in lines[2:]:
        what, value, where = (c.strip() for c in line.strip("|").split("|"))
        rows[re.match(r"`([^`]+)`", where).group(1)] = value
    listed = {lim.name: format_limit(lim.value, lim.unit) for lim in LIMITS}
    assert rows.keys() == listed.keys(), (
        f"README lists {sorted(rows.keys() - listed.keys())} that LIMITS has not, and misses "
        f"{sorted(listed.keys() - rows.keys())}; {REGENERATE}")
    wrong = {k: (rows[k], v) for k, v in listed.items() if rows[k] != v}
    assert not wrong, f"README (left) and LIMITS (right) differ: {wrong}; {REGENERATE}"
    assert "\n".join(lines) == limits_markdown(), f"the README's limits table is stale; {REGENERATE}"


def test_streamlit_config_agrees():
    config = tomllib.loads((ROOT / CONFIG).read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_BYTES / 2**20
    for lim in LIMITS:
        if lim.where_set == CONFIG:
            section, key = lim.name.split(".")
            assert config[section][key] == lim.value, lim.name


def test_each_limit_is_defined_where_the_table_says():
    found = definitions()
    for lim in LIMITS:
        if lim.where_set.endswith(".py"):
            assert (lim.where_set, lim.name) in found, \
                f"{lim.name} is not assigned in {lim.where_set}"
            assert found[(lim.where_set, lim.name)][1] == lim.value, lim.name


def test_no_other_module_defines_a_limit_again():
    """Modules import a limit from dashboard/data/limits.py (or where the table says);
    the copies not switched yet (KNOWN_COPIES) at least hold the same value."""
    extra, differ = [], []
    for (rel, name), (line, value) in definitions().items():
        lim = LIMITS_BY_NAME[name]
        if rel == lim.where_set:
            continue
        if name not in KNOWN_COPIES.get(rel, set()):
            extra.append(f"{rel}:{line} defines {name}; import it from {lim.where_set}")
        elif value != lim.value:
            differ.append(f"{rel}:{line} {name} = {value}, LIMITS says {lim.value}")
    assert not extra, "\n".join(extra)
    assert not differ, "\n".join(differ)


@pytest.mark.parametrize("module, names", [
    ("dashboard.io.layers_io", ["MAX_UPLOAD_BYTES", "MAX_UPLOAD_VERTICES", "MAX_FILE_LAYER_BYTES",
                                "MAX_FILE_LAYER_VERTICES", "MAX_PROPERTY_CHARS",
                                "MAX_PROPERTY_DEPTH"]),
    ("dashboard.io.filecheck", ["MAX_COLLECTION_DEPTH", "MAX_LINE_BYTES"]),
    ("dashboard.io.pointio", ["CHUNK_ROWS"]),
])
def test_old_names_still_import(module, names):
    import importlib

    mod = importlib.import_module(module)
    for name in names:
        assert getattr(mod, name) is getattr(limits, name), f"{module}.{name}"


def test_zone_files_name_zones_within_the_scenario_name_limit():
    from dashboard.io.zonefile import MAX_ZONE_NAME_CHARS

    assert MAX_ZONE_NAME_CHARS == limits.MAX_NAME_CHARS
