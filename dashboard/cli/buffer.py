"""``python -m dashboard buffer``: a geodesic buffer of a point or of layer features."""
from __future__ import annotations

import argparse
import json

import geopandas as gpd

from dashboard.cli.common import layer, layer_name, plain, position, positive_km, write_text
from dashboard.geo.buffer import buffer_geometry, buffer_point
from dashboard.geo.distance import pick_id_field
from dashboard.geo.errors import InputError
from dashboard.geo.measure import area_km2
from dashboard.io.layers_io import to_geojson_dict


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("buffer", help="geodesic buffer of a point or of layer features",
                       description="Geodesic buffer written as GeoJSON.")
    p.add_argument("--point", metavar="LAT,LON", help="centre of a geodesic circle")
    p.add_argument("--layer", metavar="LAYER", help="layer name or GeoJSON path")
    p.add_argument("--where", metavar="FIELD=VALUE", help="only features whose FIELD is VALUE")
    p.add_argument("--km", type=positive_km, required=True, help="buffer distance, km")
    p.add_argument("--side", choices=("outside", "inside", "both"), default="outside",
                   help="polygons: grow, shrink or band around the boundary (default outside)")
    p.add_argument("-o", "--output", metavar="OUT.geojson", default="-",
                   help="output GeoJSON (default stdout)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if (args.point is None) == (args.layer is None):
        raise InputError("give either --point LAT,LON or --layer LAYER")
    if args.where and args.layer is None:
        raise InputError("--where needs --layer")
    rows, geoms = _point_buffer(args) if args.point is not None else _layer_buffers(args)
    for r, g in zip(rows, geoms):
        r.update({"distance_km": args.km, "side": args.side, "area_km2": round(area_km2(g), 3)})
    out = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    write_text(args.output, json.dumps(to_geojson_dict(out), ensure_ascii=False) + "\n")
    if args.output != "-":
        total = sum(r["area_km2"] for r in rows)
        print(f"wrote {len(rows)} buffer(s) of {args.km:g} km ({args.side}), "
              f"{total:,.1f} km² in all, to {args.output}")
    return 0


def _point_buffer(args: argparse.Namespace) -> tuple[list[dict], list]:
    lon, lat = position(args.point)
    if args.side == "inside":
        raise InputError("a point has no inside; use --side outside")
    return [{"source": "point", "lat": lat, "lon": lon}], [buffer_point(lon, lat, args.km)]


def _selected(args: argparse.Namespace) -> gpd.GeoDataFrame:
    gdf = layer(args.layer)
    if not args.where:
        return gdf
    field, sep, value = args.where.partition("=")
    if not sep or not field:
        raise InputError(f"--where needs FIELD=VALUE, not {args.where!r}")
    if field not in gdf.columns:
        raise InputError(f"layer {args.layer} has no field {field!r}; fields: "
                         f"{', '.join(c for c in gdf.columns if c != 'geometry')}")
    gdf = gdf[gdf[field].astype(str) == value]
    if gdf.empty:
        raise InputError(f"no feature of {args.layer} has {field} = {value!r}")
    return gdf


def _layer_buffers(args: argparse.Namespace) -> tuple[list[dict], list]:
    gdf = _selected(args)
    id_field = pick_id_field(gdf)
    rows, geoms = [], []
    for i in range(len(gdf)):
        geom = gdf.geometry.iloc[i]
        if geom.geom_type not in ("Polygon", "MultiPolygon") and args.side == "inside":
            raise InputError(f"{args.layer} has lines or points, which have no inside")
        geoms.append(buffer_geometry(geom, args.km, args.side))
        rows.append({"source": layer_name(args.layer),
                     "feature": plain(gdf[id_field].iloc[i]) if id_field else i})
    return rows, geoms
