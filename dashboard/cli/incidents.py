"""``python -m dashboard incidents``: the incident table, and the catalogue's changes.

::

    python -m dashboard incidents [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json | --csv]
    python -m dashboard incidents add --date D --place TEXT --country CC --position LAT,LON
                                      --precision-m M --object-type T --source URL ... --reason TEXT
    python -m dashboard incidents edit ID --FIELD VALUE ... --reason TEXT [--based-on N]
    python -m dashboard incidents retire ID --reason TEXT
    python -m dashboard incidents restore ID VERSION --reason TEXT
    python -m dashboard incidents history ID [--json]
    python -m dashboard incidents import FILE [--dry-run] [--json] [--duplicate-km K]
                                         [--map SRC=FIELD ...] --reason TEXT
    python -m dashboard incidents export --format geojson|csv|kml|gpkg [-o FILE]

Without an action: one row per current incident of the catalogue (the shipped
incidents and the ones users added, from the store), by date: place, country,
object, killed, injured, precision, the distance (km) to the nearest NATO border
segment as of the incident's date and to UA, BY and RU territory (a track's
closest approach), and the candidate zones that contain it.  Incidents whose
position no source states are listed as ``position not sourced``, without
distances.  ``--json`` adds each incident's ``sources``, ``version``,
``position_kind``, ``position_method`` and ``notes``.

The actions (:mod:`dashboard.cli.incidents_edit`, :mod:`dashboard.cli.incidents_io`)
write to the incident store (``DASHBOARD_STORE_URL``: the GeoPackage file by
default, or PostgreSQL); every change is a new version with who, when and why.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys

import pandas as pd

from dashboard.analysis.incident_catalogue import current_versions
from dashboard.analysis.incident_table import POSITION_NOT_SOURCED, TABLE_COLUMNS, incident_table
from dashboard.cli import incidents_edit, incidents_io
from dashboard.cli.common import num
from dashboard.io.csvsafe import inert_cell

KM_COLUMNS: tuple[str, ...] = ("nato_border_km", "ua_km", "by_km", "ru_km")
#: What ``--json`` adds to the table's columns, from each incident's current version.
JSON_EXTRA: tuple[str, ...] = ("sources", "version", "position_kind", "position_method", "notes")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("incidents", help="the incident table (distances to the NATO border, UA, "
                                         "BY, RU); add, edit, retire, import, export incidents",
                       description="Without an action: the incident table.  Actions change the "
                                   "catalogue in the store (each change a version with a reason).")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (default: the first incident)")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (default: the last incident)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true",
                     help="print JSON (a list of incidents, with their sources and version)")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    incidents_edit.register(actions)
    incidents_io.register(actions)
    p.set_defaults(func=run, action_func=None)


def records(df: pd.DataFrame) -> list[dict]:
    """The table as plain JSON-ready dicts: ISO dates, km to 0.001, zones as lists, None for missing."""
    out = []
    for row in df.to_dict("records"):
        rec = {}
        for col in TABLE_COLUMNS:
            v = row[col]
            if col == "date":
                v = v.isoformat()
            elif col == "zones":
                v = list(v)
            elif col in KM_COLUMNS or col in ("lon", "lat"):
                v = num(v, 3 if col in KM_COLUMNS else 5)
            elif col in ("killed", "injured"):
                v = int(v)
            elif col == "precision_m":
                v = None if v is None or v is pd.NA else int(v)
            elif isinstance(v, float) and math.isnan(v):
                v = None
            rec[col] = v
        out.append(rec)
    return out


def to_csv(df: pd.DataFrame) -> str:
    """CSV text with a header; zones joined by ``;``, missing values empty; text a
    spreadsheet would run as a formula gets a leading apostrophe."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(TABLE_COLUMNS)
    for rec in records(df):
        w.writerow([inert_cell("" if rec[c] is None else
                               (";".join(rec[c]) if c == "zones" else rec[c]))
                    for c in TABLE_COLUMNS])
    return buf.getvalue()


def _km(v: float) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.1f}"


def to_text(df: pd.DataFrame) -> str:
    """A fixed-width table for the terminal."""
    head = (f"{'date':<10}  {'id':<34} {'cc':<2}  {'object':<7} {'killed':>6} {'injured':>7} "
            f"{'±km':>5}  {'NATO border':>17}  {'UA km':>7} {'BY km':>7} {'RU km':>7}  zones")
    lines = [head]
    for rec in records(df):
        prec = "" if rec["precision_m"] is None else f"{rec['precision_m'] / 1000:g}"
        base = (f"{rec['date']:<10}  {rec['id']:<34} {rec['country']:<2}  {rec['object_type']:<7} "
                f"{rec['killed']:>6} {rec['injured']:>7} {prec:>5}  ")
        if rec["position"] == POSITION_NOT_SOURCED:
            lines.append(base + POSITION_NOT_SOURCED)
            continue
        border = f"{_km(rec['nato_border_km'])} km {rec['nato_segment'] or ''}"
        lines.append(base + f"{border:>17}  {_km(rec['ua_km']):>7} {_km(rec['by_km']):>7} "
                            f"{_km(rec['ru_km']):>7}  {', '.join(rec['zones'])}")
    n_located = sum(1 for r in records(df) if r["position"] != POSITION_NOT_SOURCED)
    lines.append(f"{len(df)} incident(s), {n_located} positioned; distances geodesic (WGS84), "
                 "NATO border as of each incident's date")
    return "\n".join(lines) + "\n"


def with_versions(recs: list[dict]) -> list[dict]:
    """``recs`` (:func:`records`) with :data:`JSON_EXTRA` from each incident's current
    version: ``sources`` a list of ``{url, publisher, accessed, grade}``."""
    current = {v.incident_id: v for v in current_versions()}
    out = []
    for rec in recs:
        v = current.get(rec["id"])
        d = {} if v is None else v.record.to_dict()
        out.append({**rec, "sources": d.get("sources", []),
                    "version": None if v is None else v.version,
                    **{k: d.get(k) for k in JSON_EXTRA[2:]}})
    return out


def run(args: argparse.Namespace) -> int:
    if args.action_func is not None:
        return int(args.action_func(args) or 0)
    df = incident_table(args.start, args.end)
    if args.json:
        sys.stdout.write(json.dumps(with_versions(records(df)), indent=2, ensure_ascii=False) + "\n")
    elif args.csv:
        sys.stdout.write(to_csv(df))
    else:
        sys.stdout.write(to_text(df))
    return 0
