"""``python -m dashboard distance``: the nearest feature of each layer, geodesic, from
one position or from every point of a file."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.cli.common import (
    DEFAULT_TARGETS,
    iso_date,
    num,
    plain,
    position,
    progress,
    target_layer,
    write_text,
)
from dashboard.geo.coords import format_dms, to_mgrs
from dashboard.geo.distance import nearest
from dashboard.geo.errors import InputError
from dashboard.geo.layers_io import (
    MAX_FILE_LAYER_BYTES,
    MAX_FILE_LAYER_VERTICES,
    read_user_layer,
    table_to_points,
    to_geojson_dict,
)


def register(sub: argparse._SubParsersAction) -> None:
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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.points and args.position:
        raise InputError("give either a position or --points FILE, not both")
    if args.points:
        return _points(args)
    if not args.position:
        raise InputError("give a position (LAT,LON) or --points FILE")
    return _one(args)


def _one(args: argparse.Namespace) -> int:
    lon, lat = position(" ".join(args.position))
    on = iso_date(args.date)
    results = []
    for spec in args.to or DEFAULT_TARGETS:
        name, gdf, field = target_layer(spec, on)
        row = nearest([lon], [lat], gdf, id_field=field).iloc[0]
        results.append({
            "layer": name, "feature": plain(row["feature"]),
            "distance_km": num(row["distance_km"]),
            "nearest": {"lat": num(row["nearest_lat"], 6), "lon": num(row["nearest_lon"], 6)},
            "azimuth_deg": num(row["azimuth_deg"], 1), "inside": bool(row["inside"]),
            "boundary_km": num(row["boundary_km"]),
        })
    if args.json:
        out = {"point": {"lat": lat, "lon": lon}, "date": on.isoformat() if on else None,
               "results": results}
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    _print_one(lon, lat, on, results)
    return 0


def _print_one(lon: float, lat: float, on, results: list[dict]) -> None:
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


def read_points(path: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, str]:
    """(table, lon, lat, kind) of a CSV or GeoJSON points file; degrees."""
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
        gdf = read_user_layer(data, p.name, max_bytes=MAX_FILE_LAYER_BYTES,
                              max_vertices=MAX_FILE_LAYER_VERTICES).gdf
        types = set(gdf.geometry.geom_type)
        if types != {"Point"}:
            raise InputError(f"{path} must hold points only (found {', '.join(sorted(types))})")
        return gdf, np.asarray(gdf.geometry.x), np.asarray(gdf.geometry.y), "geojson"
    raise InputError(f"--points needs a .csv or .geojson file, not {p.name!r}")


def _points(args: argparse.Namespace) -> int:
    if not args.output:
        raise InputError("--points needs -o OUT.csv or -o OUT.geojson (or -o - for CSV on stdout)")
    out_ext = Path(args.output).suffix.lower() if args.output != "-" else ".csv"
    if out_ext not in (".csv", ".geojson", ".json"):
        raise InputError(f"output must end in .csv or .geojson, not {args.output!r}")
    table, lon, lat, kind = read_points(args.points)
    on = iso_date(args.date)
    table = table.copy()
    for spec in args.to or DEFAULT_TARGETS:
        name, gdf, field = target_layer(spec, on)
        res = nearest(lon, lat, gdf, id_field=field,
                      progress=progress(f"distance to {name}", len(lon)))
        table[f"{name}_km"] = res["distance_km"].round(4).to_numpy()
        table[f"{name}_feature"] = res["feature"].to_numpy()
    if out_ext == ".csv":
        if kind == "geojson":
            table = table.drop(columns=table.geometry.name).assign(lon=lon, lat=lat)
        write_text(args.output, table.to_csv(index=False))
    else:
        if kind == "csv":
            table = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        write_text(args.output, json.dumps(to_geojson_dict(table), ensure_ascii=False))
    if args.output != "-":
        print(f"wrote {len(lon):,} points to {args.output}", file=sys.stderr)
    return 0
