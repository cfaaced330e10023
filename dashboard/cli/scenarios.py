"""``python -m dashboard scenarios``: manage the saved scenarios of either store, for scripts.

::

    python -m dashboard scenarios list [--json]
    python -m dashboard scenarios export NAME -o FILE|-
    python -m dashboard scenarios import FILE|- [--name NAME] [--overwrite]
    python -m dashboard scenarios delete NAME
    python -m dashboard scenarios rename OLD NEW

The store is the app's: ``DASHBOARD_STORE_URL`` (a GeoPackage file by default,
``postgresql://USER:PASSWORD@HOST:PORT/DB`` for a shared PostgreSQL), or
``--store URL`` before the action.  The export is the app's "Export as GeoJSON"
file, byte for byte; an import reads such a file (or a plain FeatureCollection
of polygons).  Errors exit 2 with one line (an existing name without
``--overwrite``, an unknown name, a server that is down).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from dashboard.cli.common import text_arg, warn
from dashboard.geo.errors import InputError
from dashboard.io.atomic import write_bytes_atomic
from dashboard.io.filecheck import json_head, read_path
from dashboard.io.zonefile import file_stem
from dashboard.store import (
    MAX_GEOJSON_BYTES,
    ScenarioExists,
    Store,
    from_geojson,
    open_store,
    to_geojson,
    validate_scenario,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenarios", help="list, export, import or delete saved scenarios",
                       description="Manage the saved scenarios of the app's store "
                                   "(DASHBOARD_STORE_URL: a GeoPackage file by default, "
                                   "or postgresql://USER:PASSWORD@HOST:PORT/DB).")
    p.add_argument("--store", metavar="URL",
                   help="the store to use instead of DASHBOARD_STORE_URL "
                        "(postgresql://..., gpkg:PATH or a .gpkg path)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("list", help="the saved scenarios, most recently updated first")
    a.add_argument("--json", action="store_true",
                   help="print a JSON list of {name, updated, n_zones}")
    a = actions.add_parser("export", help="write a saved scenario as GeoJSON")
    a.add_argument("name", metavar="NAME", type=text_arg)
    a.add_argument("-o", "--output", metavar="FILE", required=True,
                   help="the .geojson file to write; - for stdout")
    a = actions.add_parser("import", help="save a scenario GeoJSON file into the store")
    a.add_argument("file", metavar="FILE", help="a scenario .geojson file; - for stdin")
    a.add_argument("--name", metavar="NAME", type=text_arg, help="save under this name (default: the "
                   "file's scenario name, else the file name)")
    a.add_argument("--overwrite", action="store_true",
                   help="replace a saved scenario of the same name")
    a = actions.add_parser("delete", help="delete a saved scenario")
    a.add_argument("name", metavar="NAME", type=text_arg)
    a = actions.add_parser("rename", help="rename a saved scenario")
    a.add_argument("old", metavar="OLD", type=text_arg)
    a.add_argument("new", metavar="NEW", type=text_arg)
    p.set_defaults(func=run)


def _list(store: Store, as_json: bool) -> None:
    rows = store.list()
    if as_json:
        print(json.dumps([{"name": r.name, "updated": r.updated, "n_zones": r.n_zones}
                          for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        print(f"no saved scenarios in {store.where}", file=sys.stderr)
        return
    width = max(4, *(len(r.name) for r in rows))
    print(f"{'name':<{width}}  {'updated (UTC)':<24}  zones")
    for r in rows:
        print(f"{r.name:<{width}}  {r.updated:<24}  {r.n_zones:>5}")


def _export(store: Store, name: str, output: str) -> None:
    data = json.dumps(to_geojson(store.load(name)), ensure_ascii=False).encode("utf-8")
    if output in ("-", ""):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_bytes_atomic(output, data)  # all or nothing; an old file kept
    print(f"exported {name!r} to {output}", file=sys.stderr)


def _read_input(path: str) -> bytes:
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_GEOJSON_BYTES + 1)
        else:
            return read_path(path, MAX_GEOJSON_BYTES, json_head)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_GEOJSON_BYTES:
        raise InputError(f"{path} is larger than {MAX_GEOJSON_BYTES // (1024 * 1024)} MB")
    return data


def _import(store: Store, path: str, name: str | None, overwrite: bool) -> None:
    notes: list[str] = []
    default = "Imported scenario" if path == "-" else (file_stem(path) or "Imported scenario")
    shown = "standard input" if path == "-" else path
    try:
        sc = from_geojson(_read_input(path), default_name=default, notes=notes)
    except InputError as exc:
        raise InputError(f"{shown}: {exc}" if shown not in str(exc) else str(exc)) from None
    warn(notes)
    if name is not None:
        sc = replace(sc, name=name.strip())
        validate_scenario(sc)
    try:
        saved = store.save(sc, overwrite=overwrite)
    except ScenarioExists as exc:
        raise ScenarioExists(f"{exc} in {store.where}; add --overwrite to replace it") from None
    print(f"imported {saved.name!r} ({len(saved.zones)} zones, {len(saved.buffers)} buffers) "
          f"into {store.where}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    if args.action == "list":
        _list(store, args.json)
    elif args.action == "export":
        _export(store, args.name, args.output)
    elif args.action == "import":
        _import(store, args.file, args.name, args.overwrite)
    elif args.action == "delete":
        store.delete(args.name)
        print(f"deleted {args.name!r} from {store.where}", file=sys.stderr)
    elif args.action == "rename":
        store.rename(args.old, args.new.strip())
        print(f"renamed {args.old!r} to {args.new.strip()!r} in {store.where}", file=sys.stderr)
    return 0
