"""``python -m dashboard layers``: the built-in layers."""
from __future__ import annotations

import argparse
import json

from dashboard.data.catalogue import CATALOGUE
from dashboard.geo.errors import InputError
from dashboard.io.layers_io import load_layer


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("layers", help="list the built-in layers")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rows = []
    for name, info in CATALOGUE.items():
        try:
            n = len(load_layer(name))
        except InputError:
            n = None
        rows.append({"name": name, "label": info.label, "kind": info.kind,
                     "file": f"geodata/{info.file}", "features": n,
                     "id_field": info.id_field, "description": info.description})
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    w = max(len(r["name"]) for r in rows)
    for r in rows:
        count = "missing" if r["features"] is None else f"{r['features']:>5} features"
        print(f"{r['name']:<{w}}  {r['kind']:<7}  {count:<14}  {r['description']}")
    return 0
