"""``python -m dashboard brief``: a briefing map from the command line.

::

    python -m dashboard brief [--preset ID | --zone FILE | --scenario FILE]
        [--incident ID|none] [--title TEXT] [--marking TEXT] [--size slide|a4]
        [--rings KM[,KM...]] [--band KM] [--date YYYY-MM-DD] [--units km|nm|mi]
        [--bases ICAO[,ICAO...] (--aircraft NAME | --radius-km R) [--speed-kmh V]]
        [--gbad LAT,LON,KM ...] [--effectiveness]
        [--origin ID (--munition NAME | --range-km MIN MAX) [--bearing FROM TO] [--from CC,CC]]
        -o OUT.png|OUT.pdf|OUT.svg

The format comes from the output's extension.  Bad input prints ``error: ...``
on stderr and exits 2.  ``SOURCE_DATE_EPOCH`` fixes the generation time (and so
the bytes).  A scenario becomes a request exactly as on the zones page
(:func:`dashboard.scene.request.scenario_request`); the options given after it win.

The analysis flags are ``zone``'s and ``origin``'s (:mod:`dashboard.cli.analysis_args`),
measured over *the brief's zone* (the preset, the zones of ``--zone`` or of the scenario,
as one): ``--bases``/``--gbad`` draw the time-to-reach bands and the air-defence discs
(:class:`~dashboard.scene.request.ReachLayers`) and the panel gives the share in reach,
the farthest point with its minutes, the share covered and each NATO-border segment
covered; ``--origin`` draws the incident's launch area, a range fan with ``--bearing``
(``--munition`` is ``origin``'s ``--preset``: here ``--preset`` is the zone), with the
preset's stated range and sources; ``--effectiveness`` adds the one-line summary for
the catalogue's incidents, the most-crossed ones and the assumption (straight geodesic
flight).  The NATO border is the one of ``--date`` (default the incident's date).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.analysis import effectiveness as eff
from dashboard.analysis.incident_catalogue import incident_layer, incident_rows
from dashboard.cli.analysis_args import (
    ReachChoice,
    add_effectiveness_argument,
    add_origin_arguments,
    add_reach_arguments,
    launchers,
    origin_range,
    reach_choice,
)
from dashboard.cli.common import about, date_arg, km_list, text_arg, zone_file
from dashboard.geo.errors import InputError
from dashboard.geo.munitions import MunitionRange
from dashboard.io.atomic import atomic_output, check_output_target
from dashboard.io.filecheck import json_head, read_path
from dashboard.io.layers_io import load_layer
from dashboard.io.zonefile import file_stem
from dashboard.scene.compose import build_scene
from dashboard.scene.compose.reach import gbad_for
from dashboard.scene.model import Scene
from dashboard.scene.request import ReachLayers, SceneRequest, scenario_request
from dashboard.store import MAX_GEOJSON_BYTES, from_geojson

FORMATS_BY_SUFFIX = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
#: The munition preset's flag (``origin`` calls it ``--preset``; here that is the zone).
MUNITION_FLAG = "--munition"

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
    add_reach_arguments(p)
    add_effectiveness_argument(p)
    g = p.add_argument_group("origin: a launch area or range fan")
    g.add_argument("--origin", metavar="ID", type=text_arg,
                   help="incident whose candidate launch area to draw (needs --munition or "
                        "--range-km)")
    add_origin_arguments(g, preset_flags=(MUNITION_FLAG,))


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


class Analyses:
    """What the analysis flags asked for, checked: the reach choice, the launchers
    (lon, lat, km), the origin's munition preset, whether to measure effectiveness."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.reach: ReachChoice | None = reach_choice(args)
        self.launchers = launchers(args)
        self.effectiveness = bool(args.effectiveness)
        self.munition: MunitionRange | None = None
        self.origin = None
        wants_origin = any(getattr(args, k) is not None for k in
                           ("munition", "range_km", "bearing", "launch_countries"))
        if args.origin is None:
            if wants_origin:
                raise InputError(f"{MUNITION_FLAG}, --range-km, --bearing and --from need "
                                 "--origin INCIDENT_ID")
            return
        lo, hi, self.munition = origin_range(args, MUNITION_FLAG)
        self.origin = (args.origin, lo, hi, None if args.bearing is None else tuple(args.bearing),
                       args.launch_countries or ())


def brief_zone(req: SceneRequest) -> tuple[str, str, BaseGeometry]:
    """(name, layer, geometry) of the brief's zone: the request's candidate zones and its
    own zones as one (their names joined by " + "); the layer is the one that draws it."""
    names: list[str] = []
    geoms: list[BaseGeometry] = []
    if req.zone_ids:
        zones = load_layer("zones")
        for zid in req.zone_ids:
            hit = zones[zones["id"] == zid]
            if hit.empty:
                raise InputError(f"unknown zone {zid!r}; presets: {', '.join(map(str, zones['id']))}")
            names.append(str(hit["name"].iloc[0]) if "name" in hit.columns else zid)
            geoms.append(hit.geometry.iloc[0])
    for name, geom in req.extra_zones:
        names.append(name)
        geoms.append(geom)
    if not geoms:
        raise InputError("--bases, --gbad and --effectiveness measure the brief's zone: give "
                         "--preset ID, --zone FILE or a scenario with zones")
    geom = geoms[0] if len(geoms) == 1 else shapely.union_all(np.asarray(geoms, dtype=object))
    return " + ".join(names), "zones" if req.zone_ids else "drawn", geom


def request_for(args: argparse.Namespace, found: Analyses | None = None,
                ) -> tuple[SceneRequest, list[str]]:
    """The request for parsed ``brief`` options (their analyses ``found``, else read from
    ``args``), and warnings."""
    req, warnings = _base_request(args)
    found = found or Analyses(args)
    changes: dict = {}
    if found.reach is not None or found.launchers:
        name, _, geom = brief_zone(req)
        r = found.reach
        changes["reach"] = ReachLayers(name, geom, tuple(r.bases) if r else (),
                                       r.radius_km if r else None, r.speed_kmh if r else None,
                                       tuple(found.launchers))
    if found.origin is not None:
        changes["origin"] = found.origin
    return req.replace(**changes), warnings


def _base_request(args: argparse.Namespace) -> tuple[SceneRequest, list[str]]:
    """The request of the zone, incident, rings, band, date, units and title options."""
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


def analysis_figures(scene: Scene, req: SceneRequest, found: Analyses) -> Scene:
    """``scene`` with the analyses' figures its own words leave out: the aircraft preset,
    each NATO-border segment covered, the munition preset and its sources, the
    effectiveness summary, top rows and assumption (:mod:`dashboard.render.brief.panel`)."""
    from dashboard.render.brief import panel  # matplotlib: only when a brief is made

    units = req.units
    if found.reach is not None and found.reach.aircraft is not None:
        plane = found.reach.aircraft
        scene = panel.with_figures(scene, {"Aircraft": f"{plane.name}, {plane.range_text}"},
                                   "reach")
    if req.reach is not None and req.reach.launchers and scene.as_of is not None:
        cover = gbad_for(req.reach.zone, tuple(req.reach.launchers), scene.as_of)
        scene = panel.with_figures(scene, panel.gbad_figures(cover, units), "gbad")
    if found.munition is not None:
        scene = panel.with_figures(scene, panel.munition_figures(found.munition), "origin")
    if found.effectiveness:
        _, layer, geom = brief_zone(req)
        rows = eff.effectiveness(geom, eff.default_hypotheses(incident_rows()))
        scene = panel.with_figures(scene, panel.effectiveness_figures(rows, units), layer)
    return scene


def run(args: argparse.Namespace) -> int:
    """Build the scene, render the brief, write it; returns 0 (InputError for bad input)."""
    from dashboard.render.brief import render_brief  # matplotlib: only when a brief is made

    out: Path = args.output
    fmt = FORMATS_BY_SUFFIX.get(out.suffix.lower())
    if fmt is None:
        raise InputError(f"output must end in .png, .pdf or .svg, not {out.name!r}")
    check_output_target(out)
    found = Analyses(args)
    req, warnings = request_for(args, found)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    scene = analysis_figures(build_scene(req), req, found)
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
