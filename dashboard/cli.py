"""``python -m dashboard``: the geodesic core from the command line.

::

    python -m dashboard layers [--json]
    python -m dashboard distance LAT,LON [--to LAYER ...] [--date YYYY-MM-DD] [--json]
    python -m dashboard distance --points FILE.csv|FILE.geojson [--to LAYER ...] -o OUT.csv|OUT.geojson
    python -m dashboard buffer (--point LAT,LON | --layer LAYER [--where FIELD=VALUE]) --km N
                               [--side both|inside|outside] -o OUT.geojson
    python -m dashboard zone (--preset ID | --file ZONE.geojson) [--date YYYY-MM-DD] [--json]

``LAYER`` is a built-in layer name or the path of a GeoJSON file.  Positions
may be decimal (``50.471,23.934``), DMS or MGRS; a negative latitude needs
``--`` before it (``distance -- -33.9,18.4``).  Exit status: 0 success, 2 bad
input (one line ``error: ...`` on stderr).

Adding a subcommand from another module: give it a ``register(subparsers)``
that calls ``subparsers.add_parser(...)`` and ``set_defaults(func=run)`` with
``run(args) -> int``; :func:`build_parser` calls the registrations listed in
:data:`PLUGINS` when they import.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from dashboard.geo.errors import InputError

#: Modules whose ``register(subparsers)`` adds subcommands (skipped if absent).
PLUGINS: tuple[str, ...] = ("dashboard.render.brief_cli",)

DEFAULT_TARGETS: tuple[str, ...] = ("nato_border", "countries")
#: Inputs with at least this many points report progress on stderr.
PROGRESS_MIN_POINTS: int = 10_000


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line ``error: ...`` and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


# ---------------------------------------------------------------------- helpers
def _position(text: str) -> tuple[float, float]:
    from dashboard.geo.coords import parse_position

    return parse_position(text)


def _iso_date(text: str | None) -> date | None:
    from dashboard.geo.nato import parse_date

    return parse_date(text) if text else None


def _layer_name(spec: str) -> str:
    from dashboard.catalogue import CATALOGUE as LAYERS

    return spec if spec in LAYERS else Path(spec).stem


def _target_layer(spec: str, on: date | None):
    """(name, GeoDataFrame, id_field) for a ``--to`` argument."""
    from dashboard.geo.distance import pick_id_field
    from dashboard.geo.layers_io import load_layer
    from dashboard.geo.nato import nato_border_on
    from dashboard.catalogue import CATALOGUE as LAYERS

    gdf = load_layer(spec)
    if spec == "nato_border" and on is not None:
        gdf = nato_border_on(on, gdf)
        if len(gdf) == 0:
            raise InputError(f"no NATO border segment existed on {on.isoformat()}")
    id_field = LAYERS[spec].id_field if spec in LAYERS else None
    if id_field is not None and id_field not in gdf.columns:
        id_field = None
    return _layer_name(spec), gdf, pick_id_field(gdf, id_field)


def _num(v: float, nd: int = 3) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), nd)


def _plain(v):
    return v.item() if hasattr(v, "item") else v


def _write_text(path: str, text: str) -> None:
    if path in ("-", ""):
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _progress(label: str, total: int) -> Callable[[int, int], None] | None:
    if total < PROGRESS_MIN_POINTS:
        return None

    def report(done: int, n: int) -> None:
        end = "\n" if done >= n else ""
        print(f"\r{label}: {done:,}/{n:,} points ({100 * done / n:.0f}%)", end=end,
              file=sys.stderr, flush=True)

    return report


# ---------------------------------------------------------------------- layers
def cmd_layers(args: argparse.Namespace) -> int:
    from dashboard.geo.layers_io import load_layer
    from dashboard.catalogue import CATALOGUE as LAYERS

    rows = []
    for name, style in LAYERS.items():
        try:
            n = len(load_layer(name))
        except InputError:
            n = None
        rows.append({"name": name, "label": style.label, "kind": style.kind,
                     "file": f"dashboard/geodata/{style.file}", "features": n,
                     "id_field": style.id_field, "description": style.description})
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    w = max(len(r["name"]) for r in rows)
    for r in rows:
        count = "missing" if r["features"] is None else f"{r['features']:>5} features"
        print(f"{r['name']:<{w}}  {r['kind']:<7}  {count:<14}  {r['description']}")
    return 0


# ---------------------------------------------------------------------- distance
def _distance_one(args: argparse.Namespace) -> int:
    from dashboard.geo.coords import format_dms, to_mgrs
    from dashboard.geo.distance import nearest

    lon, lat = _position(" ".join(args.position))
    on = _iso_date(args.date)
    results = []
    for spec in args.to or DEFAULT_TARGETS:
        name, gdf, field = _target_layer(spec, on)
        row = nearest([lon], [lat], gdf, id_field=field).iloc[0]
        results.append({
            "layer": name,
            "feature": _plain(row["feature"]),
            "distance_km": _num(row["distance_km"]),
            "nearest": {"lat": _num(row["nearest_lat"], 6), "lon": _num(row["nearest_lon"], 6)},
            "azimuth_deg": _num(row["azimuth_deg"], 1),
            "inside": bool(row["inside"]),
            "boundary_km": _num(row["boundary_km"]),
        })
    if args.json:
        out = {"point": {"lat": lat, "lon": lon}, "date": on.isoformat() if on else None,
               "results": results}
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    mgrs = ""
    try:
        mgrs = f", MGRS {to_mgrs(lon, lat)}"
    except InputError:
        pass
    print(f"{lat:.5f}, {lon:.5f}  ({format_dms(lon, lat)}{mgrs})"
          + (f"  NATO border as of {on.isoformat()}" if on else ""))
    w = max(len(r["layer"]) for r in results)
    fw = max(len(str(r["feature"])) for r in results)
    for r in results:
        if r["inside"]:
            what = f"inside; {r['boundary_km']:.2f} km to its edge"
        elif r["azimuth_deg"] is None:
            what = "at the feature"
        else:
            what = (f"azimuth {r['azimuth_deg']:5.1f}°  nearest {r['nearest']['lat']:.5f}, "
                    f"{r['nearest']['lon']:.5f}")
        print(f"{r['layer']:<{w}}  {r['feature']!s:<{fw}}  {r['distance_km']:10.3f} km  {what}")
    return 0


def _read_points(path: str):
    """(table, lon, lat, kind) of a CSV or GeoJSON points file."""
    import numpy as np
    import pandas as pd

    from dashboard.geo.layers_io import (
        MAX_FILE_LAYER_BYTES,
        MAX_FILE_LAYER_VERTICES,
        read_user_layer,
        table_to_points,
    )

    p = Path(path)
    if not p.is_file():
        raise InputError(f"cannot read {path}: no such file")
    ext = p.suffix.lower()
    if ext == ".csv":
        try:
            df = pd.read_csv(p, low_memory=False)
            if df.shape[1] == 1 and ";" in str(df.columns[0]):
                df = pd.read_csv(p, sep=";", low_memory=False)
        except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InputError(f"{path} is not a readable CSV: {str(exc).splitlines()[0]}") from None
        gdf, _ = table_to_points(df, drop_bad_rows=False)
        return df, gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy(), "csv"
    if ext in (".geojson", ".json"):
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
        layer = read_user_layer(data, p.name, max_bytes=MAX_FILE_LAYER_BYTES,
                                max_vertices=MAX_FILE_LAYER_VERTICES)
        gdf = layer.gdf
        types = set(gdf.geometry.geom_type)
        if types != {"Point"}:
            raise InputError(f"{path} must hold points only (found {', '.join(sorted(types))})")
        return gdf, np.asarray(gdf.geometry.x), np.asarray(gdf.geometry.y), "geojson"
    raise InputError(f"--points needs a .csv or .geojson file, not {p.name!r}")


def _distance_points(args: argparse.Namespace) -> int:
    import geopandas as gpd

    from dashboard.geo.distance import nearest
    from dashboard.geo.layers_io import to_geojson_dict

    if not args.output:
        raise InputError("--points needs -o OUT.csv or -o OUT.geojson (or -o - for CSV on stdout)")
    out_ext = Path(args.output).suffix.lower() if args.output != "-" else ".csv"
    if out_ext not in (".csv", ".geojson", ".json"):
        raise InputError(f"output must end in .csv or .geojson, not {args.output!r}")
    table, lon, lat, kind = _read_points(args.points)
    on = _iso_date(args.date)
    table = table.copy()
    for spec in args.to or DEFAULT_TARGETS:
        name, gdf, field = _target_layer(spec, on)
        res = nearest(lon, lat, gdf, id_field=field,
                      progress=_progress(f"distance to {name}", len(lon)))
        table[f"{name}_km"] = res["distance_km"].round(4).to_numpy()
        table[f"{name}_feature"] = res["feature"].to_numpy()
    if out_ext == ".csv":
        if kind == "geojson":
            table = table.drop(columns=table.geometry.name).assign(lon=lon, lat=lat)
        _write_text(args.output, table.to_csv(index=False))
    else:
        if kind == "csv":
            table = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        _write_text(args.output, json.dumps(to_geojson_dict(table), ensure_ascii=False))
    if args.output != "-":
        print(f"wrote {len(lon):,} points to {args.output}", file=sys.stderr)
    return 0


def cmd_distance(args: argparse.Namespace) -> int:
    if args.points and args.position:
        raise InputError("give either a position or --points FILE, not both")
    if args.points:
        return _distance_points(args)
    if not args.position:
        raise InputError("give a position (LAT,LON) or --points FILE")
    return _distance_one(args)


# ---------------------------------------------------------------------- buffer
def cmd_buffer(args: argparse.Namespace) -> int:
    import geopandas as gpd

    from dashboard.geo.buffer import buffer_geometry, buffer_point
    from dashboard.geo.distance import pick_id_field
    from dashboard.geo.layers_io import load_layer, to_geojson_dict
    from dashboard.geo.measure import area_km2

    if (args.point is None) == (args.layer is None):
        raise InputError("give either --point LAT,LON or --layer LAYER")
    if args.where and args.layer is None:
        raise InputError("--where needs --layer")
    rows, geoms = [], []
    if args.point is not None:
        lon, lat = _position(args.point)
        if args.side == "inside":
            raise InputError("a point has no inside; use --side outside")
        geoms.append(buffer_point(lon, lat, args.km))
        rows.append({"source": "point", "lat": lat, "lon": lon})
    else:
        gdf = load_layer(args.layer)
        if args.where:
            field, sep, value = args.where.partition("=")
            if not sep or not field:
                raise InputError(f"--where needs FIELD=VALUE, not {args.where!r}")
            if field not in gdf.columns:
                raise InputError(f"layer {args.layer} has no field {field!r}; fields: "
                                 f"{', '.join(c for c in gdf.columns if c != 'geometry')}")
            gdf = gdf[gdf[field].astype(str) == value]
            if gdf.empty:
                raise InputError(f"no feature of {args.layer} has {field} = {value!r}")
        id_field = pick_id_field(gdf)
        for i in range(len(gdf)):
            geom = gdf.geometry.iloc[i]
            side = args.side
            if geom.geom_type not in ("Polygon", "MultiPolygon") and side == "inside":
                raise InputError(f"{args.layer} has lines or points, which have no inside")
            geoms.append(buffer_geometry(geom, args.km, side))
            rows.append({"source": _layer_name(args.layer),
                         "feature": _plain(gdf[id_field].iloc[i]) if id_field else i})
    for r, g in zip(rows, geoms):
        r.update({"distance_km": args.km, "side": args.side, "area_km2": round(area_km2(g), 3)})
    out = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    _write_text(args.output, json.dumps(to_geojson_dict(out), ensure_ascii=False) + "\n")
    if args.output != "-":
        total = sum(r["area_km2"] for r in rows)
        print(f"wrote {len(rows)} buffer(s) of {args.km:g} km ({args.side}), "
              f"{total:,.1f} km² in all, to {args.output}")
    return 0


# ---------------------------------------------------------------------- zone
def cmd_zone(args: argparse.Namespace) -> int:
    import numpy as np
    import shapely

    from dashboard.geo.layers_io import load_layer
    from dashboard.geo.zones import preset_zone, zone_metrics

    if (args.preset is None) == (args.file is None):
        raise InputError("give either --preset ID or --file ZONE.geojson")
    if args.preset is not None:
        geom, label = preset_zone(args.preset), args.preset
    else:
        gdf = load_layer(str(args.file))
        polys = gdf[gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        if polys.empty:
            raise InputError(f"{args.file} has no polygons to use as a zone")
        geom, label = shapely.union_all(np.asarray(polys.geometry.values)), Path(args.file).name
    on = _iso_date(args.date)
    m = zone_metrics(geom, on)
    if args.json:
        print(json.dumps(m, indent=2, ensure_ascii=False))
        return 0
    ci = m["cities_inside"]
    print(f"zone {label}" + (f" (NATO border as of {on.isoformat()})" if on else ""))
    print(f"  area                        {m['area_km2']:>12,.1f} km²")
    print(f"  perimeter                   {m['perimeter_km']:>12,.1f} km")
    print(f"  NATO border within 1 km     {m['nato_border_km']:>12,.1f} km")
    for key, label2 in (("closest_belarus_km", "Belarus"), ("closest_russia_km", "Russia")):
        v = m[key]
        print(f"  closest approach to {label2:<8}{'n/a' if v is None else f'{v:>12,.1f} km'}")
    print(f"  cities inside               {ci['count']:>12,} (population {ci['population']:,})")
    for c in ci["largest"]:
        print(f"      {c['name']} ({c['country']}) {c['population']:,}")
    if m["incidents"]:
        print("  incidents (distance to the zone)")
        for inc in m["incidents"]:
            print(f"      {inc['id']:<28} {inc['distance_km']:>9,.1f} km  {inc['place']}")
    return 0


# ---------------------------------------------------------------------- parser
def _positive_km(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of km: {text!r}") from None
    if not (v > 0 and math.isfinite(v)):
        raise argparse.ArgumentTypeError(f"must be more than 0 km: {text!r}")
    return v


def build_parser() -> argparse.ArgumentParser:
    """The full parser, including subcommands registered by :data:`PLUGINS`."""
    parser = _Parser(prog="python -m dashboard",
                     description="Geodesic distances, buffers and zone metrics for the "
                                 "NATO eastern flank (WGS84, km).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("layers", help="list the built-in layers")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_layers)

    p = sub.add_parser("distance", help="nearest feature and geodesic distance from points",
                       description="Geodesic distance from a position, or from every point of "
                                   "a file, to the nearest feature of each layer.")
    p.add_argument("position", nargs="*", metavar="LAT,LON",
                   help='position: "50.471,23.934", DMS or MGRS')
    p.add_argument("--points", metavar="FILE", help="CSV (lat, lon columns) or GeoJSON points")
    p.add_argument("--to", action="append", metavar="LAYER",
                   help="layer name or GeoJSON path (repeatable; default nato_border, countries)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="NATO border as of this date")
    p.add_argument("--json", action="store_true", help="print JSON (single position)")
    p.add_argument("-o", "--output", metavar="OUT", help="output .csv or .geojson (with --points)")
    p.set_defaults(func=cmd_distance)

    p = sub.add_parser("buffer", help="geodesic buffer of a point or of layer features",
                       description="Geodesic buffer written as GeoJSON.")
    p.add_argument("--point", metavar="LAT,LON", help="centre of a geodesic circle")
    p.add_argument("--layer", metavar="LAYER", help="layer name or GeoJSON path")
    p.add_argument("--where", metavar="FIELD=VALUE", help="only features whose FIELD is VALUE")
    p.add_argument("--km", type=_positive_km, required=True, help="buffer distance, km")
    p.add_argument("--side", choices=("outside", "inside", "both"), default="outside",
                   help="polygons: grow, shrink or band around the boundary (default outside)")
    p.add_argument("-o", "--output", metavar="OUT.geojson", default="-",
                   help="output GeoJSON (default stdout)")
    p.set_defaults(func=cmd_buffer)

    p = sub.add_parser("zone", help="metrics of a candidate no-fly zone")
    p.add_argument("--preset", metavar="ID", help="zone id from geodata/zones.geojson")
    p.add_argument("--file", metavar="ZONE.geojson", help="GeoJSON file with the zone polygon(s)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="NATO border as of this date (default today)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_zone)

    _register_plugins(sub)
    return parser


def _register_plugins(sub) -> None:
    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # the module is not there (yet)
            raise
        module.register(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
