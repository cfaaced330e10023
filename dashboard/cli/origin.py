"""``python -m dashboard origin``: where could the munition that hit an incident have been fired from?

::

    python -m dashboard origin INCIDENT_ID (--range-km MIN MAX | --preset NAME)
        [--bearing FROM TO] [--from CC[,CC...]] [--json]

The candidate launch area is the geodesic annulus MIN..MAX km around the impact
point, widened by the point's precision, cut to each country's territory.  A
preset's area is everywhere within its highest stated range (the S-300 5V55's
75–90 km annulus: it flies its range before it falls); its source is printed.
``--bearing FROM TO`` (degrees clockwise from north, the direction the object came
from as seen from the impact point, clockwise from FROM to TO: ``340 20`` passes
through north) cuts the annulus to that range fan; ``--from RU,BY`` keeps only
those launch countries.
``--json`` prints exactly ``{"incident", "min_km", "max_km", "areas":
[{"country", "area_km2"}], "cities": [{"name", "country", "population",
"distance_km"}]}``; countries with no area are left out; a fan adds
``"bearing_deg": [FROM, TO]`` and ``--from`` adds ``"launch_countries"``, both
before ``areas``.
"""
from __future__ import annotations

import argparse
import json

from dashboard.analysis.origin import OriginAreas, origin_areas
from dashboard.cli.analysis_args import add_origin_arguments, origin_range
from dashboard.geo.munitions import MunitionRange

#: Cities the text output lists (the JSON lists all).
TEXT_CITIES: int = 15


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("origin", help="candidate launch area of an incident for a munition range")
    p.add_argument("incident", metavar="INCIDENT_ID", help="incident id (python -m dashboard incidents)")
    add_origin_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def preset_text(m: MunitionRange) -> str:
    """The preset's stated range and its sources, one line."""
    return f"  preset {m.label}; {m.source} ({' ; '.join(m.urls)})"


def to_text(o: OriginAreas, preset: MunitionRange | None = None) -> str:
    """The areas per country and the largest cities, for the terminal."""
    widened = (f" (widened by the point's ±{o.precision_km:g} km: {o.inner_km:g}–{o.outer_km:g} km)"
               if o.precision_km else "")
    lines = [f"origin of {o.incident_id}: {o.min_km:g}–{o.max_km:g} km{widened}"]
    if preset is not None:
        lines.append(preset_text(preset))
    if o.drawn_km < o.outer_km:
        lines.append(f"  drawn to {o.drawn_km:,.0f} km, the farthest point of the map's coverage")
    shape = "annulus"
    if o.bearing is not None:
        lines.append(f"  range fan: came from between {o.bearing[0]:g}° and {o.bearing[1]:g}° "
                     "(clockwise from north)")
        shape = "fan"
    lines.append(f"  {shape:<24}{o.annulus_km2:>14,.1f} km²")
    for a in o.areas:
        lines.append(f"  {a.country}  {a.name[:20]:<20}{a.area_km2:>14,.1f} km²")
    if o.outside_km2 >= 0.05:
        where = (f"in none of {', '.join(o.launch_countries)}" if o.launch_countries
                 else "in no country's territory")
        lines.append(f"  {where:<25} {o.outside_km2:>12,.1f} km²")
    lines.append(f"  cities inside: {len(o.cities)}")
    for c in o.cities[:TEXT_CITIES]:
        lines.append(f"      {c.name} ({c.country}) {c.population:,}  {c.distance_km:,.1f} km")
    if len(o.cities) > TEXT_CITIES:
        lines.append(f"      ... and {len(o.cities) - TEXT_CITIES} more (--json lists all)")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    lo, hi, preset = origin_range(args)
    bearing = tuple(args.bearing) if args.bearing is not None else None
    o = origin_areas(args.incident, lo, hi, bearing=bearing, countries=args.launch_countries)
    if args.json:
        print(json.dumps(o.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(to_text(o, preset), end="")
    return 0
