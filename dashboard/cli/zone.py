"""``python -m dashboard zone``: the metrics of a candidate no-fly zone, and what it would take
to enforce it from NATO soil.

``--bases ICAO[,ICAO…] (--aircraft NAME | --radius-km R) [--speed-kmh V]`` adds
``"reach": {"share", "farthest_km", "minutes", …}`` (:func:`dashboard.analysis.reach.reach_figures`);
``--gbad LAT,LON,KM`` (repeatable; KM may be a preset such as ``patriot``) adds
``"gbad": {"zone_share", "border_km", …}`` (:func:`dashboard.analysis.gbad.gbad_cover`).
``--effectiveness`` adds ``"effectiveness": [{"id", "paths_crossing_share", "km_inside",
"impact_inside"}, …]`` and ``"effectiveness_summary"`` for the catalogue's incidents
(:mod:`dashboard.analysis.effectiveness`, which states its assumption: straight
geodesic flight).  Shares are 0–1.  A preset with sources (``sky-shield-2025``) carries ``rule`` and
``sources`` in ``--json``.
"""
from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.analysis import effectiveness as eff
from dashboard.analysis.gbad import gbad_cover
from dashboard.analysis.incident_catalogue import incident_rows
from dashboard.analysis.reach import reach_figures
from dashboard.analysis.zones import builtin_zone_layers, preset_zone, zone_metrics
from dashboard.cli.analysis_args import (
    ReachChoice,
    add_effectiveness_argument,
    add_reach_arguments,
    launchers,
    reach_choice,
)
from dashboard.cli.common import about, iso_date, warn, zone_file
from dashboard.geo.errors import InputError
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("zone", help="metrics of a candidate no-fly zone")
    p.add_argument("--preset", metavar="ID", help="candidate zone id (python -m dashboard layers)")
    p.add_argument("--file", metavar="ZONE.geojson",
                   help="GeoJSON file with the zone polygon(s); several are measured as one")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="NATO border as of this date (default today)")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_reach_arguments(p)
    add_effectiveness_argument(p)
    p.set_defaults(func=run)


def _zone(args: argparse.Namespace) -> tuple[BaseGeometry, str, dict[str, Any]]:
    if (args.preset is None) == (args.file is None):
        raise InputError("give either --preset ID or --file ZONE.geojson")
    if args.preset is not None:
        return preset_zone(args.preset), args.preset, _preset_about(args.preset)
    zf = zone_file(args.file)
    warn(about(args.file, zf.messages))
    geom = shapely.union_all(np.asarray([z.geometry for z in zf.zones], dtype=object))
    return geom, Path(args.file).name, {}


def _preset_about(zone_id: str) -> dict[str, Any]:
    """``rule`` and ``sources`` (URLs) of a preset that cites sources; {} for one that does not."""
    zones = load_layer("zones")
    row = zones[zones["id"] == zone_id].iloc[0]
    sources = row.get("sources") if "sources" in zones.columns else None
    if not isinstance(sources, list) or not sources:
        return {}
    return {"rule": str(row.get("rule") or ""), "sources": [str(s) for s in sources]}


def _reach(inputs: ReachChoice, geom: BaseGeometry) -> dict[str, Any]:
    bases, radius, speed, plane = inputs
    out = reach_figures(geom, bases, radius, speed).to_dict()
    if plane is not None:
        out["aircraft"] = {"id": plane.id, "name": plane.name, "radius": plane.range_text,
                           "source": plane.url, "note": plane.note}
    return out


def run(args: argparse.Namespace) -> int:
    geom, label, preset = _zone(args)
    on = iso_date(args.date)
    day = on or date.today()
    found = launchers(args)
    reach = reach_choice(args)
    m = zone_metrics(geom, day, builtin_zone_layers()).to_dict()
    m.update(preset)
    if reach is not None:
        m["reach"] = _reach(reach, geom)
    if found:
        border = nato_border_on(day, load_layer("nato_border"))
        m["gbad"] = gbad_cover(geom, found, border).to_dict()
    if args.effectiveness:
        m.update(_effectiveness(geom))
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
    if m.get("rule"):
        print(f"  rule: {m['rule']}")
        for url in m.get("sources", []):
            print(f"      {url}")
    if "reach" in m:
        _print_reach(m["reach"])
    if "gbad" in m:
        _print_gbad(m["gbad"])
    if "effectiveness" in m:
        _print_effectiveness(m)


def _print_reach(r: dict) -> None:
    bases = ", ".join(b["code"] for b in r["bases"])
    plane = r.get("aircraft")
    what = f"{plane['name']}, {plane['radius']}" if plane else f"{r['radius_km']:g} km"
    print(f"  reach from {bases} ({what})")
    if plane:
        print(f"      {plane['note']}")
    print(f"    share of the zone in reach  {100 * r['share']:>10,.1f} %")
    f = r["farthest_point"]
    print(f"    farthest point              {r['farthest_km']:>10,.1f} km from "
          f"{f['nearest_base']} ({f['lat']:.5f}, {f['lon']:.5f})")
    if r["minutes"] is None:
        print("    time to reach it            n/a (give --speed-kmh)")
    else:
        print(f"    time to reach it            {r['minutes']:>10,.1f} min at "
              f"{r['speed_kmh']:g} km/h")


def _print_gbad(g: dict) -> None:
    print(f"  air defence ({len(g['launchers'])} launcher{'s' if len(g['launchers']) != 1 else ''})")
    print(f"    share of the zone covered   {100 * g['zone_share']:>10,.1f} %")
    if not g["border_km"]:
        print("    NATO border covered         none")
    for sid, km in g["border_km"].items():
        print(f"    NATO border {sid:<16}{km:>10,.1f} km ({100 * g['border_share'][sid]:.1f} %)")


def _effectiveness(geom: BaseGeometry) -> dict[str, Any]:
    """The effectiveness rows of the catalogue's incidents against the zone, the summary
    line, the assumption and the incidents without a hypothesis (with why)."""
    rows = incident_rows()
    found = eff.effectiveness(geom, eff.default_hypotheses(rows))
    return {"effectiveness": [{"id": r.id, "paths_crossing_share": r.paths_crossing_share,
                               "km_inside": r.km_inside, "impact_inside": r.impact_inside,
                               "n_paths": r.n_paths, "hypothesis": r.label} for r in found],
            "effectiveness_summary": eff.effectiveness_summary(found),
            "effectiveness_assumption": eff.ASSUMPTION,
            "effectiveness_skipped": [{"id": i, "why": why}
                                      for i, why in eff.skipped_hypotheses(rows)]}


def _print_effectiveness(m: dict) -> None:
    print(f"  effectiveness: {m['effectiveness_summary']}")
    print(f"      {m['effectiveness_assumption']}")
    for r in m["effectiveness"]:
        km = "—" if r["km_inside"] is None else f"{r['km_inside']:,.1f} km"
        inside = "impact inside" if r["impact_inside"] else ""
        print(f"      {r['id']:<28} {100 * r['paths_crossing_share']:>5.1f} % of paths cross, "
              f"median {km} inside {inside}".rstrip())
    if m["effectiveness_skipped"]:
        print(f"      {len(m['effectiveness_skipped'])} incidents without an origin hypothesis")
