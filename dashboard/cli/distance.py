"""``python -m dashboard distance``: the nearest feature of each layer, geodesic, from
one or more positions or from every point of a file of any length.

Typed positions measured to built-in layers take the fast path: the layers come
prepared from the cache folder (:mod:`dashboard.io.prepared_layers`) and, for up to
:data:`PLAIN_SEARCH_MAX_POINTS` positions, the search runs as plain Python
(:func:`dashboard.geo.distance.nearest_records` with ``jit=False``), so neither
geopandas nor numba is imported.  The numbers are the full path's (:func:`nearest`
on the loaded layer), to the last digit.  ``--to FILE`` layers are read and indexed
in the process (geopandas), then searched the same way.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys

from dashboard.cli.common import (
    DEFAULT_TARGETS,
    about,
    iso_date,
    num,
    plain,
    position,
    progress,
    target_layer,
    warn,
)
from dashboard.data.catalogue import CATALOGUE
from dashboard.data.coverage import position_outside
from dashboard.geo.coords import format_dms, to_mgrs
from dashboard.geo.distance import as_points, nearest, nearest_records
from dashboard.geo.errors import InputError

#: Typed positions up to this many are searched in plain Python (no numba to load:
#: a few milliseconds a position and layer); more go to the compiled search.
PLAIN_SEARCH_MAX_POINTS: int = 64
#: Typed positions are measured to prepared built-in layers (False: the full path,
#: as before; the tests compare the two).
PREPARED: bool = True


def chunk_rows_default() -> int:
    """:data:`~dashboard.data.limits.CHUNK_ROWS`, imported when needed: ``data.limits``
    imports the buffer module and with it geopandas, which one position never needs."""
    from dashboard.data.limits import CHUNK_ROWS

    return CHUNK_ROWS


class _Limit:
    """``--chunk-rows``'s default as its help shows it (``200,000``), read when shown."""

    def __str__(self) -> str:
        return f"{chunk_rows_default():,}"


class _ChunkRows(argparse.Action):
    """``--chunk-rows N``; not given, it stays None (:func:`chunk_rows_default` applies)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limit = _Limit()  # the help's %(limit)s

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, values)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("distance", help="nearest feature and geodesic distance from points",
                       description="Geodesic distance from one or more positions, or from "
                                   "every point of a file, to the nearest feature of each layer.")
    p.add_argument("position", nargs="*", metavar="LAT,LON",
                   help='one or more positions: "50.471,23.934", DMS or MGRS '
                        '(e.g. 50.47,23.93 49.84,24.03)')
    p.add_argument("--points", metavar="FILE",
                   help="CSV (lat, lon columns), GeoJSON or (Geo)Parquet points, any length")
    p.add_argument("--to", action="append", metavar="LAYER",
                   help="layer name or GeoJSON path (repeatable; default nato_border, countries)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="NATO border as of this date")
    p.add_argument("--json", action="store_true", help="print JSON (positions)")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="with --points: output .csv, .geojson or .parquet (- for CSV on stdout)")
    p.add_argument("--chunk-rows", type=int, action=_ChunkRows, metavar="N",
                   help="with --points: rows read, measured and written at a time "
                        "(default %(limit)s; memory grows with it, not with the file)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="with --points: this machine's threads (default), or a dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: a running scheduler (tcp://host:8786); "
                        "default: a LocalCluster on this machine")
    p.add_argument("--workers", type=int, metavar="N",
                   help="threads (local) or LocalCluster workers (dask); default: all cores")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.points and args.position:
        raise InputError("give either a position or --points FILE, not both")
    if args.points:
        return _points(args)
    if not args.position:
        raise InputError("give a position (LAT,LON) or --points FILE")
    return _positions(args)


def parse_positions(tokens: list[str]) -> list[tuple[float, float]]:
    """(lon, lat) of each position typed on the command line.

    A token that is a whole position (``50.47,23.93``, DMS, MGRS) stands alone;
    otherwise it is read together with the next one (``50.47 23.93``).
    """
    out: list[tuple[float, float]] = []
    i = 0
    while i < len(tokens):
        try:
            out.append(position(tokens[i]))
            i += 1
            continue
        except InputError as exc:
            error = exc
        if i + 1 < len(tokens):
            try:
                out.append(position(f"{tokens[i]} {tokens[i + 1]}"))
                i += 2
                continue
            except InputError:
                pass
        raise error
    return out


def _nearest_row(lon: float, lat: float, on, spec: str, prepared: bool, jit: bool,
                 ) -> tuple[str, dict]:
    """(layer name, :func:`nearest`'s columns for the one point) to layer ``spec``."""
    if prepared and spec in CATALOGUE:
        from dashboard.io.prepared_layers import prepared_layer

        layer = prepared_layer(spec, on)
        x, y = as_points([lon], [lat])
        rec = nearest_records(x, y, layer.index, layer.labels, jit=jit)
        return spec, {k: v[0] for k, v in rec.items()}
    name, gdf, field = target_layer(spec, on)
    return name, dict(nearest([lon], [lat], gdf, id_field=field, jit=jit).iloc[0])


def measure_position(lon: float, lat: float, on, specs: list[str], *, prepared: bool = True,
                     jit: bool = True) -> list[dict]:
    """What ``distance`` reports for one position and each layer of ``specs``, as
    JSON-ready dicts.  ``prepared=False`` takes the full path (the layers read and
    indexed in this process, :func:`nearest`), which gives the same dicts;
    ``jit=False`` searches in plain Python (the same numbers, no numba)."""
    results = []
    for spec in specs:
        name, row = _nearest_row(lon, lat, on, spec, prepared, jit)
        results.append({
            "layer": name, "feature": plain(row["feature"]),
            "distance_km": num(row["distance_km"]),
            "nearest": {"lat": num(row["nearest_lat"], 6), "lon": num(row["nearest_lon"], 6)},
            "azimuth_deg": num(row["azimuth_deg"], 1), "inside": bool(row["inside"]),
            "boundary_km": num(row["boundary_km"]),
        })
    return results


def check_coverage(points: list[tuple[float, float]], specs: list[str]) -> None:
    """Refuse a typed position outside the built-in layers' coverage (their clip box):
    the nearest "country" there is the clip edge.  Only files given with ``--to``
    (no built-in layer) are measured anywhere."""
    if not any(spec in CATALOGUE for spec in specs):
        return
    for lon, lat in points:
        outside = position_outside(lon, lat)
        if outside:
            raise InputError(outside)


def _positions(args: argparse.Namespace) -> int:
    points = parse_positions(args.position)
    on = iso_date(args.date)
    specs = args.to or list(DEFAULT_TARGETS)
    check_coverage(points, specs)
    jit = len(points) > PLAIN_SEARCH_MAX_POINTS or not PREPARED  # the full path: compiled
    measured = [(lon, lat, measure_position(lon, lat, on, specs, prepared=PREPARED, jit=jit))
                for lon, lat in points]
    date_text = on.isoformat() if on else None
    if args.json:
        blocks = [{"point": {"lat": lat, "lon": lon}, "results": res} for lon, lat, res in measured]
        out = ({"point": blocks[0]["point"], "date": date_text, "results": blocks[0]["results"]}
               if len(blocks) == 1 else {"date": date_text, "points": blocks})
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    for k, (lon, lat, res) in enumerate(measured):
        if k:
            print()
        _print_one(lon, lat, on, res)
    return 0


def _print_one(lon: float, lat: float, on, results: list[dict]) -> None:
    mgrs = ""
    with contextlib.suppress(InputError):
        mgrs = f", MGRS {to_mgrs(lon, lat)}"
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


def _points(args: argparse.Namespace) -> int:
    from dashboard.io.pointio import CLIPPED_TO_COVERAGE, PointSink, open_points, stream_distances

    if not args.output:
        raise InputError("--points needs -o OUT.csv, OUT.geojson or OUT.parquet "
                         "(or -o - for CSV on stdout)")
    if args.chunk_rows is None:
        args.chunk_rows = chunk_rows_default()
    if args.chunk_rows < 1:
        raise InputError(f"--chunk-rows must be at least 1, not {args.chunk_rows}")
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    source = open_points(args.points)
    on = iso_date(args.date)
    targets = [target_layer(spec, on) for spec in args.to or DEFAULT_TARGETS]
    for spec, (_, gdf, _) in zip(args.to or DEFAULT_TARGETS, targets):
        if spec in CATALOGUE and spec != "nato_border":  # the border is NATO's whole edge
            gdf.attrs[CLIPPED_TO_COVERAGE] = True
    report = progress(f"distance to {', '.join(t[0] for t in targets)}", source.total_rows)
    with PointSink(args.output, source.has_geometry) as sink:
        if args.engine == "dask":
            from dashboard.io.dask_engine import stream_distances_dask

            rows = stream_distances_dask(source, sink, targets, scheduler=args.scheduler,
                                         n_workers=args.workers, chunk_rows=args.chunk_rows,
                                         progress=report)
        else:
            rows = stream_distances(source, sink, targets, chunk_rows=args.chunk_rows,
                                    progress=report, workers=args.workers)
    if report is not None and rows != source.total_rows:
        report(rows, rows)
    warn(about(args.points, source.messages))
    outside = source.coverage_message(rows)
    if outside and any(t[1].attrs.get(CLIPPED_TO_COVERAGE) for t in targets):
        warn([outside])
    if args.output != "-":
        print(f"wrote {rows:,} points to {args.output}", file=sys.stderr)
    return 0
