"""Buffers of NATO-border lines: the core against a degree buffer and an EPSG:3035 buffer.

    python -m benchmarks.bench_buffer

For each case every edge of the result is sampled (its vertices and the points a
quarter, half and three quarters along each geodesic edge) and the geodesic
distance of each sample to the line is measured (``dashboard.geo.distance``,
exact to a millimetre against brute force in the tests); the error is how far
that is from the requested distance.  Areas are compared with a brute-force
buffer: the union of 360-gon geodesic circles around the line's vertices and
points every 1 km along it (``tests/geo_reference.circle_union``).

Methods
-------
core      dashboard.geo.buffer.buffer_geometry
degrees   geopandas ``GeoSeries.buffer(d / 111.32)`` in lon/lat degrees
EPSG:3035 ``to_crs(3035).buffer(d * 1000).to_crs(4326)`` (LAEA Europe)
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.common import emit, run_json

CASES = (("PL-UA", 10.0), ("PL-UA", 50.0), ("PL-UA", 200.0), ("whole border", 100.0))
METHODS = ("core", "degrees", "EPSG:3035")


def _line(name: str):
    import shapely

    from dashboard.io.layers_io import load_layer

    border = load_layer("nato_border")
    if name == "whole border":
        return shapely.union_all(np.asarray(border.geometry.values))
    return border.set_index("id").geometry[name]


def _buffer(method: str, line, d_km: float):
    import geopandas as gpd

    from dashboard.geo.buffer import buffer_geometry

    if method == "core":
        return buffer_geometry(line, d_km)
    s = gpd.GeoSeries([line], crs="EPSG:4326")
    if method == "degrees":
        return s.buffer(d_km / 111.32).iloc[0]
    return s.to_crs(3035).buffer(d_km * 1000.0).to_crs(4326).iloc[0]


def edge_errors_m(buf, line, d_km: float) -> np.ndarray:
    """Signed error (m) of vertices and quarter points of every edge of ``buf``."""
    import geopandas as gpd
    import shapely

    from dashboard.geo.distance import nearest
    from tests.geo_reference import edge_samples

    pts = np.vstack([shapely.get_coordinates(buf), edge_samples(buf)])
    res = nearest(pts[:, 0], pts[:, 1], gpd.GeoDataFrame(geometry=[line], crs="EPSG:4326"))
    return (res["boundary_km"].to_numpy() - d_km) * 1000.0


def one(method: str, name: str, d_km: float, with_area: bool) -> dict:
    import shapely

    from dashboard.geo.measure import area_km2

    line = _line(name)
    t = time.perf_counter()
    buf = _buffer(method, line, d_km)
    dt = time.perf_counter() - t
    err = edge_errors_m(buf, line, d_km)
    out = {"method": method, "case": f"{name} {d_km:g} km", "time_s": dt,
           "vertices": len(shapely.get_coordinates(buf)), "err_min_m": float(err.min()),
           "err_max_m": float(err.max()), "d_km": d_km, "area_err": None}
    if with_area:
        from tests.geo_reference import circle_union

        truth = area_km2(circle_union(line, d_km))
        out["area_err"] = area_km2(buf) / truth - 1.0
    return out


def measure(cases=CASES, methods=METHODS) -> list[dict]:
    rows = []
    for name, d in cases:
        for m in methods:
            args = ["-m", f"benchmarks.{Path(__file__).stem}", "--one", m, name, str(d)]
            if name == "PL-UA" and d == 50.0:
                args.append("--area")
            rows.append(run_json(args))
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| case | method | time | vertices | edge error (min … max) | worst, % of d | area vs brute force |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        worst = max(abs(r["err_min_m"]), abs(r["err_max_m"]))
        area = "" if r["area_err"] is None else f"{100 * r['area_err']:+.3f} %"
        lines.append(f"| {r['case']} | {r['method']} | {r['time_s']:.2f} s | {r['vertices']:,} | "
                     f"{r['err_min_m']:+,.0f} … {r['err_max_m']:+,.0f} m | "
                     f"{100 * worst / (r['d_km'] * 1000):.3f} % | {area} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--one", nargs=3, metavar=("METHOD", "LINE", "KM"), help=argparse.SUPPRESS)
    ap.add_argument("--area", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        m, name, d = args.one
        emit(one(m, name, float(d), args.area))
        return 0
    print(table(measure()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
