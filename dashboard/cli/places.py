"""``python -m dashboard places``: search the offline gazetteer by name.

::

    python -m dashboard places NAME [--country CC] [--limit N] [--json]

Case, accents and punctuation are ignored and Ukrainian, Russian, Belarusian or
Bulgarian names may be typed in Cyrillic or Latin letters (``Przewodow``,
``Львів``, ``Lwow``).  Places named exactly so come first, then names starting
with the text, then names with a later word starting with it; each group most
populous first.  Exit status 1 when nothing matches (``--json`` then prints ``[]``).
"""
from __future__ import annotations

import argparse
import json
import sys

from dashboard.analysis.incident_catalogue import incident_rows
from dashboard.cli.common import text_arg
from dashboard.data.gazetteer import GazetteerPlace, gazetteer_size, search_places
from dashboard.data.textfold import fold

#: Alternate names shown per place in the table (``--json`` lists them all).
SHOWN_ALT_NAMES: int = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("places", help="search the offline gazetteer of populated places",
                       description="Populated places (GeoNames cities500: 500+ inhabitants or "
                                   "an administrative seat) of BG, BY, EE, FI, HU, LT, LV, MD, "
                                   "PL, RO, SK and UA by name, in Latin or Cyrillic letters.")
    p.add_argument("name", nargs="+", type=text_arg, metavar="NAME",
                   help="a place name, or its start (words may be given unquoted)")
    p.add_argument("--country", metavar="CC", help="only this country (ISO 3166-1 alpha-2, e.g. PL)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N places (default 20)")
    p.add_argument("--json", action="store_true",
                   help="print JSON: a list of {name, lat, lon, country, admin1, feature_code, "
                        "population, geonameid, alt_names}")
    p.set_defaults(func=run)


def to_text(places: list[GazetteerPlace]) -> str:
    """A fixed-width table for the terminal, one place a line."""
    w = max(len("name"), *(len(p.name) for p in places))
    lines = [f"{'name':<{w}}  cc  adm1  code   {'population':>10}  {'lat':>9}  {'lon':>9}  "
             f"{'geonameid':>9}  also"]
    for p in places:
        also = ", ".join(p.alt_names[:SHOWN_ALT_NAMES])
        if len(p.alt_names) > SHOWN_ALT_NAMES:
            also += f" (+{len(p.alt_names) - SHOWN_ALT_NAMES})"
        lines.append(f"{p.name:<{w}}  {p.country:<2}  {p.admin1:<4}  {p.feature_code:<5}  "
                     f"{p.population:>10,}  {p.lat:>9.5f}  {p.lon:>9.5f}  {p.geonameid:>9}  {also}")
    lines.append(f"{len(places)} place(s) of {gazetteer_size():,} in the gazetteer "
                 "(GeoNames, CC BY 4.0); positions WGS84 degrees")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    name = " ".join(args.name)
    places = search_places(name, country=args.country, limit=args.limit)
    if args.json:
        sys.stdout.write(json.dumps([p.as_json() for p in places], indent=2,
                                    ensure_ascii=False) + "\n")
    elif places:
        sys.stdout.write(to_text(places))
    if not places:
        where = f" in {args.country.strip().upper()}" if args.country else ""
        print(f"no place called {name!r}{where} in the gazetteer of {gazetteer_size():,} "
              "populated places (500+ inhabitants or an administrative seat)", file=sys.stderr)
        for line in incident_hints(name):
            print(line, file=sys.stderr)
        return 1
    return 0


def incident_hints(name: str) -> list[str]:
    """Incidents of the catalogue whose place names ``name`` (a village in no gazetteer may
    still have one), each with how its position was obtained and its precision."""
    key = fold(name)
    hits = [r for r in incident_rows() if key and key in fold(str(r["place"]))]
    return [f"incident {r['id']} names it: position {r['position_kind']}"
            + (f" ±{float(r['precision_m']) / 1000:g} km" if r["precision_m"] else "")
            for r in hits]
