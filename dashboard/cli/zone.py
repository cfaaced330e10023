"""``python -m dashboard zone``: the metrics of a candidate no-fly zone."""
from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np
import shapely

from dashboard.analysis.zones import builtin_zone_layers, preset_zone, zone_metrics
from dashboard.cli.common import about, iso_date, warn, zone_file
from dashboard.geo.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("zone", help="metrics of a candidate no-fly zone")
    p.add_argument("--preset", metavar="ID", help="candidate zone id (python -m dashboard layers)")
    p.add_argument("--file", metavar="ZONE.geojson",
                   help="GeoJSON file with the zone polygon(s); several are measured as one")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="NATO border as of this date (default today)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if (args.preset is None) == (args.file is None):
        raise InputError("give either --preset ID or --file ZONE.geojson")
    if args.preset is not None:
        geom, label = preset_zone(args.preset), args.preset
    else:
        zf = zone_file(args.file)
        warn(about(args.file, zf.messages))
        zones = zf.zones
        geom = shapely.union_all(np.asarray([z.geometry for z in zones], dtype=object))
        label = Path(args.file).name
    on = iso_date(args.date)
    m = zone_metrics(geom, on or date.today(), builtin_zone_layers()).to_dict()
    if args.json:
        print(json.dumps(m, indent=2, ensure_ascii=False))
    else:
        _print(m, label, on)
    return 0


def _print(m: dict, label: str, on) -> None:
    ci = m["cities_inside"]
    print(f"zone {label}" + (f" (NATO border as of {on.isoformat()})" if on else ""))
    print(f"  area                        {m['area_km2']:>12,.1f} km²")
    print(f"  perimeter                   {m['perimeter_km']:>12,.1f} km")
    print(f"  NATO border within 1 km     {m['nato_border_km']:>12,.1f} km")
    for key, name in (("closest_belarus_km", "Belarus"), ("closest_russia_km", "Russia")):
        v = m[key]
        print(f"  closest approach to {name:<8}{'n/a' if v is None else f'{v:>12,.1f} km'}")
    print(f"  cities inside               {ci['count']:>12,} (population {ci['population']:,})")
    for c in ci["largest"]:
        print(f"      {c['name']} ({c['country']}) {c['population']:,}")
    if m["incidents"]:
        print("  incidents (distance to the zone)")
        for inc in m["incidents"]:
            print(f"      {inc['id']:<28} {inc['distance_km']:>9,.1f} km  {inc['place']}")
