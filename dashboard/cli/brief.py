"""``python -m dashboard brief``: a briefing map from the command line.

::

    python -m dashboard brief [--preset ID | --zone FILE | --scenario FILE]
        [--incident ID|none] [--title TEXT] [--marking TEXT] [--size slide|a4]
        [--rings KM[,KM...]] [--band KM] [--date YYYY-MM-DD] [--units km|nm|mi]
        -o OUT.png|OUT.pdf|OUT.svg

The format comes from the output's extension.  Bad input prints ``error: ...``
on stderr and exits 2.  ``SOURCE_DATE_EPOCH`` fixes the generation time (and so
the bytes).  A scenario becomes a request exactly as on the zones page
(:func:`dashboard.scene.request.scenario_request`); the options given after it win.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.analysis.incident_catalogue import incident_layer
from dashboard.cli.common import about, date_arg, km_list, text_arg, zone_file
from dashboard.geo.errors import InputError
from dashboard.io.atomic import atomic_output, check_output_target
from dashboard.io.filecheck import json_head, read_path
from dashboard.io.zonefile import file_stem
from dashboard.scene.compose import build_scene
from dashboard.scene.request import SceneRequest, scenario_request
from dashboard.store import MAX_GEOJSON_BYTES, from_geojson

FORMATS_BY_SUFFIX = {".png": "png", ".pdf": "pdf", ".svg": "svg"}

DESCRIPTION = ("Render a print-quality briefing map (title, date-time group, legend, scale bar, "
               "north arrow, locator, key figures, sources) as PNG, PDF or SVG; the format comes "
               "from the output's extension. SOURCE_DATE_EPOCH fixes the generation time, and so "
               "the bytes.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``brief`` options."""
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", metavar="ID",
                     help="candidate zone id (default ua-border-oblasts)")
    src.add_argument("--zone", metavar="FILE", type=Path, help="GeoJSON file of zone polygons")
    src.add_argument("--scenario", metavar="FILE", type=Path,
                     help="scenario GeoJSON exported by the app (zones, rings, band, incident, "
                          "date, units, view)")
    p.add_argument("--incident", metavar="ID", default=None, type=text_arg,
                   help="incident id (default 2022-11-15-przewodow; 'none' for no incident)")
    p.add_argument("--title", metavar="TEXT", type=text_arg, help="title (default from the incident)")
    p.add_argument("--marking", metavar="TEXT", type=text_arg, help='banner top and bottom, e.g. "UNCLASSIFIED"')
    p.add_argument("--size", choices=("slide", "a4"), default="slide",
                   help="slide = 1920x1080 px; a4 = A4 landscape at 300 dpi (default slide)")
    p.add_argument("--rings", metavar="KM[,KM]", type=km_list, default=None,
                   help="geodesic range rings around the incident, km (e.g. 75,90)")
    p.add_argument("--band", metavar="KM", type=float, default=None,
                   help="band this deep along the NATO border on the Ukrainian side, km")
    p.add_argument("--date", metavar="YYYY-MM-DD", type=date_arg, default=None,
                   help="NATO border as of this date (default the incident's date)")
    p.add_argument("--units", choices=("km", "nm", "mi"), default=None,
                   help="distance units (default km)")
    p.add_argument("-o", "--output", metavar="OUT", type=Path, required=True,
                   help="output file: .png, .pdf or .svg")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("brief", help="render a briefing map (PNG, PDF or SVG)",
                       description=DESCRIPTION)
    add_arguments(p)
    p.set_defaults(func=run)


def scenario_file_request(path: Path) -> tuple[SceneRequest, list[str]]:
    """The request of a scenario file, made as the zones page makes it, and warnings
    (what reading the file repaired or ignored first).  At most
    :data:`~dashboard.store.MAX_GEOJSON_BYTES` are read; errors name the path."""
    data = read_path(path, MAX_GEOJSON_BYTES, json_head)
    notes: list[str] = []
    try:
        sc = from_geojson(data, default_name=file_stem(str(path)) or "Imported scenario", notes=notes)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    inc = incident_layer()
    known = {str(i): (float(g.x), float(g.y)) for i, g in zip(inc["id"], inc.geometry.values)}
    req, warnings = scenario_request(sc, known, base=SceneRequest(zone_ids=()))
    return req, about(path, notes) + list(warnings)


def request_for(args: argparse.Namespace) -> tuple[SceneRequest, list[str]]:
    """The request for parsed ``brief`` options, and warnings."""
    warnings: list[str] = []
    req = SceneRequest()
    if args.scenario is not None:
        req, warnings = scenario_file_request(args.scenario)
    elif args.zone is not None:
        zones = zone_file(args.zone)
        warnings += about(args.zone, zones.messages)
        req = req.replace(zone_ids=(), extra_zones=tuple((z.name, z.geometry) for z in zones.zones))
    elif args.preset is not None:
        req = req.replace(zone_ids=(args.preset,))
    changes: dict = {}
    if args.incident is not None:
        changes["incident_id"] = None if args.incident.lower() == "none" else args.incident
    if args.rings:
        changes.update(ring_radii_km=tuple(args.rings), ring_center=None)
    for field, value in (("title", args.title), ("band_km", args.band), ("as_of", args.date),
                         ("units", args.units)):
        if value is not None:
            changes[field] = value
    return req.replace(**changes), warnings


def run(args: argparse.Namespace) -> int:
    """Build the scene, render the brief, write it; returns 0 (InputError for bad input)."""
    from dashboard.render.brief import render_brief  # matplotlib: only when a brief is made

    out: Path = args.output
    fmt = FORMATS_BY_SUFFIX.get(out.suffix.lower())
    if fmt is None:
        raise InputError(f"output must end in .png, .pdf or .svg, not {out.name!r}")
    check_output_target(out)
    req, warnings = request_for(args)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    scene = build_scene(req)
    with atomic_output(out, "wb") as fh:  # all or nothing; an old file kept
        render_brief(scene, fh, fmt, args.size, marking=args.marking)
    print(str(out))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``brief`` on its own; returns the exit status (2 for bad input)."""
    p = argparse.ArgumentParser(prog="python -m dashboard brief", description=DESCRIPTION)
    add_arguments(p)
    args = p.parse_args(argv)
    try:
        return run(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
