"""``python -m dashboard incidents``: the incident table with its geodesic distances.

::

    python -m dashboard incidents [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json | --csv]

One row per incident of the catalogue, by date: place, country, object,
killed, injured, precision, the distance (km) to the nearest NATO border
segment as of the incident's date and to UA, BY and RU territory, and the
candidate zones that contain it.  Incidents whose position no source states are
listed as ``position not sourced``, without distances.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys

import pandas as pd

from dashboard.analysis.incident_table import POSITION_NOT_SOURCED, TABLE_COLUMNS, incident_table
from dashboard.cli.common import num
from dashboard.io.csvsafe import inert_cell

KM_COLUMNS: tuple[str, ...] = ("nato_border_km", "ua_km", "by_km", "ru_km")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("incidents", help="the incident table: distances to the NATO border, UA, BY, RU")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (default: the first incident)")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (default: the last incident)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON (a list of incidents)")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=run)


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


def run(args: argparse.Namespace) -> int:
    df = incident_table(args.start, args.end)
    if args.json:
        sys.stdout.write(json.dumps(records(df), indent=2, ensure_ascii=False) + "\n")
    elif args.csv:
        sys.stdout.write(to_csv(df))
    else:
        sys.stdout.write(to_text(df))
    return 0
