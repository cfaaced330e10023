"""``python -m dashboard brief``: a briefing map from the command line.

::

    python -m dashboard brief [--preset ID | --zone FILE | --scenario FILE]
        [--incident ID|none] [--title TEXT] [--marking TEXT] [--size slide|a4]
        [--rings KM[,KM...]] [--band KM] [--date YYYY-MM-DD] [--units km|nm|mi]
        -o OUT.png|OUT.pdf|OUT.svg

The format comes from the output's extension.  Bad input prints ``error: ...``
on stderr and exits 2.  ``SOURCE_DATE_EPOCH`` fixes the generation time (and so
the bytes).  The dashboard's CLI calls :func:`register`; the module also runs on
its own (``python -m dashboard.render.brief_cli ...``).
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from dashboard.geo.errors import InputError

FORMATS_BY_SUFFIX = {".png": "png", ".pdf": "pdf", ".svg": "svg"}

DESCRIPTION = ("Render a print-quality briefing map (title, date-time group, legend, scale bar, "
               "north arrow, locator, key figures, sources) as PNG, PDF or SVG; the format comes "
               "from the output's extension. SOURCE_DATE_EPOCH fixes the generation time, and so "
               "the bytes.")


def _km_list(text: str) -> list[float]:
    try:
        vals = [float(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers of km: {text!r}") from None
    if not vals or any(not (v > 0) for v in vals):
        raise argparse.ArgumentTypeError(f"ring radii must be positive km: {text!r}")
    return vals


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``brief`` options (shared by :func:`register` and :func:`main`)."""
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", metavar="ID",
                     help="candidate zone from geodata/zones.geojson (default ua-border-oblasts)")
    src.add_argument("--zone", metavar="FILE", type=Path, help="GeoJSON file of zone polygons")
    src.add_argument("--scenario", metavar="FILE", type=Path,
                     help="scenario GeoJSON exported by the app (zones, rings, incident, date, units)")
    p.add_argument("--incident", metavar="ID", default=None,
                   help="incident id (default 2022-11-15-przewodow; 'none' for no incident)")
    p.add_argument("--title", metavar="TEXT", help="title (default from the incident)")
    p.add_argument("--marking", metavar="TEXT", help='banner top and bottom, e.g. "UNCLASSIFIED"')
    p.add_argument("--size", choices=("slide", "a4"), default="slide",
                   help="slide = 1920x1080 px; a4 = A4 landscape at 300 dpi (default slide)")
    p.add_argument("--rings", metavar="KM[,KM]", type=_km_list, default=None,
                   help="geodesic range rings around the incident, km (e.g. 75,90)")
    p.add_argument("--band", metavar="KM", type=float, default=None,
                   help="band this deep along the NATO border on the Ukrainian side, km")
    p.add_argument("--date", metavar="YYYY-MM-DD", type=_iso_date, default=None,
                   help="NATO border as of this date (default the incident's date)")
    p.add_argument("--units", choices=("km", "nm", "mi"), default=None, help="distance units (default km)")
    p.add_argument("-o", "--output", metavar="OUT", type=Path, required=True,
                   help="output file: .png, .pdf or .svg")


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``brief`` subcommand to the dashboard CLI's subparsers.

    The parser's default ``func`` is :func:`run` (``args -> exit code``; it raises
    :class:`InputError` for bad input, which the dashboard CLI turns into exit 2).
    """
    p = subparsers.add_parser("brief", help="render a briefing map (PNG, PDF or SVG)",
                              description=DESCRIPTION)
    add_arguments(p)
    p.set_defaults(func=run)
    return p


def _zone_file(path: Path) -> list[tuple[str, object]]:
    from dashboard.geo.layers_io import load_layer

    gdf = load_layer(str(path))
    polys = gdf[gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if not len(polys):
        raise InputError(f"{path} has no polygons to use as a zone")
    out = []
    for i, (_, row) in enumerate(polys.iterrows()):
        name = row.get("name") if "name" in polys.columns else None
        if not isinstance(name, str) or not name.strip():
            name = path.stem if len(polys) == 1 else f"{path.stem} {i + 1}"
        out.append((name, row.geometry))
    return out


def scene_kwargs(args: argparse.Namespace) -> tuple[dict, list[str]]:
    """``build_scene`` keyword arguments for parsed ``brief`` options, and warnings."""
    warnings: list[str] = []
    kw: dict = {}
    if args.scenario is not None:
        from dashboard import scenarios

        try:
            data = args.scenario.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {args.scenario}: {exc.strerror or exc}") from None
        sc = scenarios.from_geojson(data, default_name=args.scenario.stem)
        kw["zone_ids"] = ()
        kw["extra_zones"] = [(z.name, z.geometry) for z in sc.zones]
        rings = [b for b in sc.buffers if b.lon is not None and b.lat is not None]
        if len(sc.buffers) > len(rings):
            warnings.append("buffers around layers are not drawn in briefs")
        if rings:
            centre = (rings[0].lon, rings[0].lat)
            same = [b for b in rings if (b.lon, b.lat) == centre]
            if len(same) < len(rings):
                warnings.append("rings with other centres than the first are not drawn")
            kw["buffer_radii_km"] = [b.radius_km for b in same]
            kw["buffer_center"] = centre
        if sc.incident_id:
            kw["incident_id"] = sc.incident_id
        if sc.as_of:
            kw["as_of"] = sc.as_of
        kw["units"] = sc.units or "km"
        if kw.get("title") is None and sc.name:
            kw["title"] = sc.name
    elif args.zone is not None:
        kw["zone_ids"] = ()
        kw["extra_zones"] = _zone_file(args.zone)
    elif args.preset is not None:
        kw["zone_ids"] = (args.preset,)
    if args.incident is not None:
        kw["incident_id"] = None if args.incident.lower() == "none" else args.incident
    if args.title is not None:
        kw["title"] = args.title
    if args.rings:
        kw["buffer_radii_km"] = args.rings
        kw.pop("buffer_center", None)
    if args.band is not None:
        kw["band_km"] = args.band
    if args.date is not None:
        kw["as_of"] = args.date
    if args.units is not None:
        kw["units"] = args.units
    return kw, warnings


def run(args: argparse.Namespace) -> int:
    """Build the scene, render the brief, write it; returns 0.

    Raises
    ------
    InputError
        Bad input; the dashboard CLI (and :func:`main`) print ``error: ...`` and exit 2.
    """
    out: Path = args.output
    fmt = FORMATS_BY_SUFFIX.get(out.suffix.lower())
    if fmt is None:
        raise InputError(f"output must end in .png, .pdf or .svg, not {out.name!r}")
    if out.exists() and out.is_dir():
        raise InputError(f"{out} is a directory")
    kw, warnings = scene_kwargs(args)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    from dashboard.compose import build_scene
    from dashboard.render.brief import render_brief

    scene = build_scene(**kw)
    try:
        render_brief(scene, out, fmt, args.size, marking=args.marking)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(str(out))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``brief`` on its own: ``python -m dashboard.render.brief_cli -o out.png``; returns the exit status."""
    p = argparse.ArgumentParser(prog="python -m dashboard brief", description=DESCRIPTION)
    add_arguments(p)
    args = p.parse_args(argv)
    try:
        return run(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
