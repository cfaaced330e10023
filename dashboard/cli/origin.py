"""``python -m dashboard origin``: where could the munition that hit an incident have been fired from?

::

    python -m dashboard origin INCIDENT_ID (--range-km MIN MAX | --preset NAME) [--json]

The candidate launch area is the geodesic annulus MIN..MAX km around the impact
point, widened by the point's precision, cut to each country's territory.
``--json`` prints exactly ``{"incident", "min_km", "max_km", "areas":
[{"country", "area_km2"}], "cities": [{"name", "country", "population",
"distance_km"}]}``; countries with no area are left out.
"""
from __future__ import annotations

import argparse
import json

from dashboard.analysis.origin import OriginAreas, origin_areas
from dashboard.geo.errors import InputError
from dashboard.geo.munitions import PRESETS, munition_range

#: Cities the text output lists (the JSON lists all).
TEXT_CITIES: int = 15


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("origin", help="candidate launch area of an incident for a munition range")
    p.add_argument("incident", metavar="INCIDENT_ID", help="incident id (python -m dashboard incidents)")
    p.add_argument("--range-km", nargs=2, type=float, metavar=("MIN", "MAX"),
                   help="the munition's range, km (e.g. 75 90)")
    p.add_argument("--preset", metavar="NAME",
                   help=f"a munition with a stated range instead of --range-km: {', '.join(PRESETS)}")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _range(args: argparse.Namespace) -> tuple[float, float]:
    if (args.range_km is None) == (args.preset is None):
        raise InputError("give either --range-km MIN MAX or --preset NAME")
    if args.preset is not None:
        m = munition_range(args.preset)
        return m.min_km, m.max_km
    return args.range_km[0], args.range_km[1]


def to_text(o: OriginAreas) -> str:
    """The areas per country and the largest cities, for the terminal."""
    widened = (f" (widened by the point's ±{o.precision_km:g} km: {o.inner_km:g}–{o.outer_km:g} km)"
               if o.precision_km else "")
    lines = [f"origin of {o.incident_id}: {o.min_km:g}–{o.max_km:g} km{widened}",
             f"  annulus                 {o.annulus_km2:>14,.1f} km²"]
    for a in o.areas:
        lines.append(f"  {a.country}  {a.name[:20]:<20}{a.area_km2:>14,.1f} km²")
    if o.outside_km2 >= 0.05:
        lines.append(f"  in no country's territory {o.outside_km2:>12,.1f} km²")
    lines.append(f"  cities inside: {len(o.cities)}")
    for c in o.cities[:TEXT_CITIES]:
        lines.append(f"      {c.name} ({c.country}) {c.population:,}  {c.distance_km:,.1f} km")
    if len(o.cities) > TEXT_CITIES:
        lines.append(f"      ... and {len(o.cities) - TEXT_CITIES} more (--json lists all)")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    lo, hi = _range(args)
    o = origin_areas(args.incident, lo, hi)
    if args.json:
        print(json.dumps(o.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(to_text(o), end="")
    return 0
