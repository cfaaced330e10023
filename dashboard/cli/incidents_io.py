"""``incidents import | export``: incident files in and out of the store, for scripts.

::

    incidents import FILE [--dry-run] [--json] [--duplicate-km K] [--map SRC=FIELD ...]
                          [--precision-m M] --reason TEXT [--who NAME]
    incidents export --format geojson|csv|kml|gpkg [-o FILE] [--from D] [--to D]

An import (CSV or GeoJSON, :func:`~dashboard.io.incident_import.read_incident_file`)
is always previewed first (:func:`~dashboard.state.incident_import.make_plan`
against every stored incident, retired ones too): new rows, duplicates (same date
and within ``--duplicate-km`` of an existing incident) and invalid rows with
their reasons.  ``--dry-run --json`` prints exactly ``{"new": [...],
"duplicates": [...], "invalid": [...]}`` and writes nothing; without
``--dry-run`` the new rows are written in one transaction (all or none) and the
skipped ones are reported.

An export writes the current catalogue (the dates filtered), all at once or
not at all (:func:`~dashboard.io.incident_export.write_export`); KML and
GeoPackage leave out incidents without a position and name them.  Text formats
go to stdout without ``-o``.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from dashboard.analysis.incident_catalogue import current_incidents, forget_token, incident_store
from dashboard.analysis.incident_import import DEFAULT_DUPLICATE_KM, MAX_DUPLICATE_KM
from dashboard.analysis.incident_table import check_date_range
from dashboard.cli.common import text_arg
from dashboard.data.incidents.check import check_reason
from dashboard.data.incidents.version import LOCAL_WHO
from dashboard.data.limits import MAX_UPLOAD_BYTES
from dashboard.geo.errors import InputError
from dashboard.io.filecheck import read_path
from dashboard.io.incident_export import EXPORT_FORMATS, build_export, write_export
from dashboard.state.incident_import import ImportPlan, make_plan

#: Formats that may be printed to stdout (GeoPackage is binary: ``-o`` required).
TEXT_FORMATS: tuple[str, ...] = ("geojson", "csv", "kml")


def register(actions: argparse._SubParsersAction) -> None:
    """The ``import`` and ``export`` actions."""
    a = actions.add_parser("import", help="import incidents from CSV or GeoJSON (previewed)")
    a.add_argument("file", metavar="FILE", help="a .csv or .geojson file")
    a.add_argument("--dry-run", action="store_true", help="only preview; write nothing")
    a.add_argument("--json", action="store_true",
                   help='print {"new": [...], "duplicates": [...], "invalid": [...]}')
    a.add_argument("--duplicate-km", type=float, default=DEFAULT_DUPLICATE_KM, metavar="K",
                   help=f"same date and within K km is a duplicate (default "
                        f"{DEFAULT_DUPLICATE_KM:g}, at most {MAX_DUPLICATE_KM:g})")
    a.add_argument("--map", action="append", default=[], type=text_arg, metavar="SRC=FIELD",
                   help="read column SRC as FIELD (e.g. Datum=date; SRC= ignores it); repeat")
    a.add_argument("--precision-m", type=float, metavar="M",
                   help="precision (metres) of positioned rows that give none")
    a.add_argument("--reason", type=text_arg, metavar="TEXT",
                   help="why (required unless --dry-run; kept with each version)")
    a.add_argument("--who", default=LOCAL_WHO, type=text_arg, metavar="NAME",
                   help=f"who imports (default {LOCAL_WHO!r})")
    a.set_defaults(action_func=run_import)
    a = actions.add_parser("export", help="write the current catalogue as GeoJSON, CSV, KML "
                                          "or GeoPackage")
    a.add_argument("--format", required=True, choices=EXPORT_FORMATS, dest="fmt")
    a.add_argument("-o", "--output", default="-", metavar="FILE",
                   help="the file to write (default: stdout, text formats only)")
    a.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day")
    a.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day")
    a.set_defaults(action_func=run_export)


# ----------------------------------------------------------------- import
def column_map(specs: list[str]) -> dict[str, str]:
    """``--map SRC=FIELD`` options as ``{SRC: FIELD}`` (``SRC=`` ignores the column).

    >>> column_map(["Datum=date", "Ort = place", "junk="])
    {'Datum': 'date', 'Ort': 'place', 'junk': ''}
    """
    out = {}
    for spec in specs:
        src, eq, field = spec.rpartition("=")
        if not eq or not src.strip():
            raise InputError(f"--map: give SOURCE=FIELD (a column of the file and the field "
                             f"it gives), got {spec[:60]!r}")
        out[src.strip()] = field.strip()
    return out


def _plan(args: argparse.Namespace) -> ImportPlan:
    data = read_path(args.file, MAX_UPLOAD_BYTES)
    existing = [v.record for v in incident_store().current(include_retired=True)]
    defaults = None if args.precision_m is None else {"precision_m": args.precision_m}
    return make_plan(data, args.file, existing, mapping=column_map(args.map),
                     duplicate_km=args.duplicate_km, defaults=defaults)


def preview_text(preview: dict[str, list[dict[str, Any]]]) -> str:
    """The preview for the terminal: one line per row (text printed as it is)."""
    lines = []
    for r in preview["new"]:
        lines.append(f"new        row {r['row']}: {r['id']}  {r['date']}  {r['place']}")
    for r in preview["duplicates"]:
        km = "" if r["distance_km"] is None else f", {r['distance_km']:.3f} km"
        where = " (earlier in the file)" if r["in_file"] else ""
        lines.append(f"duplicate  row {r['row']}: {r['id']} of {r['of_id']}{where}{km}")
    for r in preview["invalid"]:
        lines.append(f"invalid    row {r['row']}: " + "; ".join(r["reasons"]))
    n, d, i = (len(preview[k]) for k in ("new", "duplicates", "invalid"))
    lines.append(f"{n} new, {d} duplicate(s), {i} invalid")
    return "\n".join(lines) + "\n"


def run_import(args: argparse.Namespace) -> int:
    reason = ""
    if not args.dry_run:
        try:
            reason = check_reason(args.reason)
        except InputError as exc:
            raise InputError(f"reason: {exc} (--reason TEXT; or --dry-run to preview)") from None
    plan = _plan(args)
    preview = plan.preview.to_json()
    if args.dry_run:
        sys.stdout.write(json.dumps(preview, indent=2, ensure_ascii=False) + "\n" if args.json
                         else preview_text(preview))
        print("dry run: nothing written", file=sys.stderr)
        return 0
    records = plan.preview.records
    store = incident_store()
    written = store.add_many(records, who=args.who, reason=reason) if records else []
    forget_token()  # this process's views see the import at once
    done = [{"id": v.incident_id, "version": v.version} for v in written]
    if args.json:
        sys.stdout.write(json.dumps({"written": done, **preview}, indent=2,
                                    ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(preview_text(preview))
    skipped = len(preview["duplicates"]) + len(preview["invalid"])
    print(f"imported {len(done)} incident(s) in one transaction into {store.where}; "
          f"skipped {skipped} row(s)" if done else
          f"nothing imported: no new row; skipped {skipped} row(s)", file=sys.stderr)
    return 0


# ----------------------------------------------------------------- export
def run_export(args: argparse.Namespace) -> int:
    start, end = check_date_range(args.start, args.end)
    chosen = [inc for inc in current_incidents()
              if (start is None or inc.date >= start.isoformat())
              and (end is None or inc.date <= end.isoformat())]
    if args.output in ("-", ""):
        if args.fmt not in TEXT_FORMATS:
            raise InputError(f"{args.fmt} is a binary format: give -o FILE")
        out = build_export(chosen, args.fmt)
        if hasattr(sys.stdout, "buffer"):
            sys.stdout.flush()
            sys.stdout.buffer.write(out.data)
        else:  # a text stream (tests, redirect_stdout)
            sys.stdout.write(out.data.decode("utf-8"))
        sys.stdout.flush()
        where = "stdout"
    else:
        out = write_export(chosen, args.fmt, args.output)
        where = args.output
    print(f"exported {out.written} incident(s) as {args.fmt} to {where}", file=sys.stderr)
    if out.omitted:
        print(f"omitted {len(out.omitted)} without a position: {', '.join(out.omitted)}",
              file=sys.stderr)
    return 0
