#!/usr/bin/env python
"""Write the live map's static layer files, byte for byte.

Usage::

    python scripts/build_map_layers.py            # rewrite dashboard/ui/mapview/frontend/layers/
    python scripts/build_map_layers.py --check    # exit 1 if the committed files are stale
    python scripts/build_map_layers.py --out DIR  # build elsewhere

Every built-in layer of :data:`dashboard.data.catalogue.CATALOGUE` but the dynamic ones
(:data:`~dashboard.data.catalogue.DYNAMIC_LAYERS`: the incidents, which come from
the store and go to the browser with the page) becomes one binary
GeoTable (:mod:`dashboard.render.geotable`) named ``<name>.<sha12>.bin`` (the
first 12 hex digits of the sha1 of its bytes, so a file never changes without
changing its name and the browser may cache it forever), plus ``index.json``
(``{name: {url, bytes, features, kind, tolerance_deg, fields}}``).  Files of
older builds are removed.  The same geodata always gives the same bytes: the
test ``tests/test_map_layers.py`` fails when ``geodata/`` changes
without a rebuild.

Display tolerances (degrees): at web-map zoom 10 a pixel is 0.0014 degree of
longitude and 0.0009 degree of latitude at 50 N, so 0.0005 degree (about 55 m)
keeps outlines within about half a pixel there; the NATO border is kept at its
committed resolution (the line every distance is measured to).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dashboard.data.catalogue import CATALOGUE, DYNAMIC_LAYERS, TILED_LAYERS
from dashboard.io.layers_io import load_layer
from dashboard.render.deck import layer_table, map_fields
from dashboard.render.geotable import STATIC_DIR, file_hash, to_bin
from dashboard.scene.compose import LABELLED, TOOLTIP_FIELDS
from dashboard.scene.model import SceneLayer
from dashboard.scene.styles import style_for

#: Display simplification per layer, degrees (0: every committed vertex).
TOLERANCE_DEG: dict[str, float] = {
    "countries": 0.0005, "regions": 0.0005, "zones": 0.0005, "nato_border": 0.0,
}
#: Tolerance of a built-in polygon or line layer not named above, degrees.
DEFAULT_TOLERANCE_DEG = 0.0005
INDEX_NAME = "index.json"


def static_layer(name: str) -> SceneLayer:
    """The built-in layer ``name`` as the scene builder draws it (all features)."""
    gdf = load_layer(name)
    fields = TOOLTIP_FIELDS.get(name, tuple(c for c in gdf.columns if c != gdf.geometry.name))
    return SceneLayer(name, gdf, style_for(name), tooltip_fields=fields,
                      show_labels=name in LABELLED)


def tolerance_for(name: str) -> float:
    """Display tolerance of a built-in layer, degrees (points are never simplified)."""
    if CATALOGUE[name].kind == "point":
        return 0.0
    return TOLERANCE_DEG.get(name, DEFAULT_TOLERANCE_DEG)


def expected_files() -> dict[str, bytes]:
    """Every file the layers directory should hold, by name, with its bytes."""
    files: dict[str, bytes] = {}
    index: dict[str, dict] = {}
    for name in (n for n in CATALOGUE if n not in DYNAMIC_LAYERS | TILED_LAYERS):
        layer = static_layer(name)
        ids = layer.gdf[layer.style.id_field].astype(str)
        if not ids.is_unique:
            raise SystemExit(f"{name}: ids in {layer.style.id_field!r} are not unique")
        tol = tolerance_for(name)
        table = layer_table(layer, tol)
        data = to_bin(table)
        fname = f"{name}.{file_hash(data)}.bin"
        files[fname] = data
        index[name] = {"url": f"layers/{fname}", "bytes": len(data), "features": len(table),
                       "kind": table.kind, "tolerance_deg": tol,
                       "fields": list(map_fields(layer))}
    files[INDEX_NAME] = (json.dumps(index, indent=1, sort_keys=True, ensure_ascii=False)
                         + "\n").encode("utf-8")
    return files


def stale(out_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Names in ``out_dir`` that differ from ``files``, are missing or are left over."""
    have = {p.name for p in out_dir.glob("*.bin")} | ({INDEX_NAME} if (out_dir / INDEX_NAME)
                                                      .exists() else set())
    wrong = [n for n, data in files.items()
             if not (out_dir / n).is_file() or (out_dir / n).read_bytes() != data]
    return sorted(set(wrong) | (have - set(files)))


def build(out_dir: Path = STATIC_DIR) -> dict[str, bytes]:
    """Write the files into ``out_dir`` and remove older ``.bin`` files; returns the files."""
    files = expected_files()
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = out_dir / name
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    for path in out_dir.glob("*.bin"):
        if path.name not in files:
            path.unlink()
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=STATIC_DIR, help="output directory")
    ap.add_argument("--check", action="store_true",
                    help="only compare; exit 1 when the directory is out of date")
    args = ap.parse_args(argv)
    if args.check:
        wrong = stale(args.out, expected_files())
        for name in wrong:
            print(f"stale: {name}", file=sys.stderr)
        return 1 if wrong else 0
    files = build(args.out)
    total = sum(len(d) for d in files.values())
    for name, data in sorted(files.items()):
        print(f"{len(data):>10,} {name}")
    print(f"{total:>10,} bytes in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
