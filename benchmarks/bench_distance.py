"""Distance of many random points to the NATO border: the core against the obvious
alternatives, each in its own process (time, peak memory, max error).

    python -m benchmarks.bench_distance                  # N = 1,000, 100,000 and 1,000,000
    python -m benchmarks.bench_distance --n 1000000 --methods core laea

Methods
-------
core      dashboard.geo.distance.nearest: compiled branch-and-bound over ECEF
          capsules, then one vectorised Geod.inv a point (2 threads here).
previous  the core before issue 12 (benchmarks/legacy_distance.py): numpy
          branch-and-bound, four Geod calls per candidate.
laea      EPSG:3035 (LAEA Europe): project points and border, planar distance to
          the border's 2-point segments in a shapely STRtree.  Fast-ish, not geodesic.
brute     Geod.inv from each point to every border vertex (exact distances to the
          vertices, so it misses points between them); timed on --brute-n points and
          extrapolated.

Errors are against brute force to the border densified every 20 m along its
geodesics (``Geod.npts``), on --sample other random points.  Times are the best
of up to three runs (other work shares the machine; every method gets the same).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.common import brute_force_km, dense_reference, emit, random_points, run_json

METHODS = ("core", "previous", "laea", "brute")
#: Each method runs up to this many times (the best counts: other work shares the machine) ...
REPEATS: int = 3
#: ... while its runs so far took less than this (s).
REPEAT_BUDGET_S: float = 6.0


def _border():
    from dashboard.io.layers_io import load_layer

    return load_layer("nato_border")


def laea_km(lon: np.ndarray, lat: np.ndarray, border) -> np.ndarray:
    """Planar distance in EPSG:3035 with the border as 2-point segments in an STRtree."""
    import geopandas as gpd
    import shapely

    b = border[["geometry"]].to_crs(3035).explode(index_parts=False)
    xy, idx = shapely.get_coordinates(np.asarray(b.geometry.values), return_index=True)
    same = idx[1:] == idx[:-1]
    tree = shapely.STRtree(shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1)))
    pts = np.asarray(gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(3035).values)
    (pi, _), d = tree.query_nearest(pts, return_distance=True, all_matches=False)
    out = np.empty(len(lon))
    out[pi] = d
    return out / 1000.0


def brute_vertices_km(lon: np.ndarray, lat: np.ndarray, border) -> np.ndarray:
    """Geod.inv from each point to every border vertex: the loop the core avoids."""
    import shapely
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    v = shapely.get_coordinates(np.asarray(border.geometry.values))
    out = np.empty(len(lon))
    for i in range(len(lon)):
        out[i] = geod.inv(np.full(len(v), lon[i]), np.full(len(v), lat[i]), v[:, 0], v[:, 1])[2].min()
    return out / 1000.0


def _method(name: str):
    if name == "core":
        from dashboard.geo.distance import nearest
        return lambda lon, lat, b: nearest(lon, lat, b)["distance_km"].to_numpy()
    if name == "previous":
        from benchmarks import legacy_distance
        return lambda lon, lat, b: legacy_distance.nearest(lon, lat, b)["distance_km"].to_numpy()
    return {"laea": laea_km, "brute": brute_vertices_km}[name]


def _truth(lon: np.ndarray, lat: np.ndarray, border) -> np.ndarray:
    """Brute-force distances (km) for the error sample, cached in the temp folder by
    the border's content and the sample."""
    import tempfile

    from dashboard.geo.cache import content_token
    from dashboard.geo.segindex import fingerprint, geometry_array

    key = content_token(fingerprint(geometry_array(border)), lon, lat)
    path = Path(tempfile.gettempdir()) / f"nfz_bench_truth_{key}.npy"
    if path.exists():
        return np.load(path)
    truth = brute_force_km(lon, lat, dense_reference(border.geometry.values))
    np.save(path, truth)
    return truth


def one(method: str, n: int, sample: int, brute_n: int) -> dict:
    """Time ``method`` on ``n`` points (after a warm-up on the error sample)."""
    border = _border()
    fn = _method(method)
    s_lon, s_lat = random_points(sample, seed=99)
    t = time.perf_counter()
    got = fn(s_lon, s_lat, border)  # warm-up: index build, compilation, layer load
    warm = time.perf_counter() - t
    truth = _truth(s_lon, s_lat, border)
    err_m = float(np.abs(got - truth).max() * 1000)
    m = min(n, brute_n) if method == "brute" else n
    lon, lat = random_points(m)
    times: list[float] = []
    while len(times) < REPEATS and sum(times) < REPEAT_BUDGET_S:  # best of up to 3
        t = time.perf_counter()
        res = fn(lon, lat, border)
        times.append(time.perf_counter() - t)
        assert len(res) == m
    dt = min(times)
    return {"method": method, "n": n, "time_s": dt * n / m, "extrapolated": m < n,
            "us_per_point": 1e6 * dt / m, "max_err_m": err_m, "warmup_s": warm,
            "runs": len(times)}


def measure(n_values, methods, sample: int = 100, brute_n: int = 200) -> list[dict]:
    """Every (method, n) in a fresh process."""
    rows = []
    for n in n_values:
        for m in methods:
            rows.append(run_json(["-m", f"benchmarks.{Path(__file__).stem}", "--one", m, "--n", str(n),
                                  "--sample", str(sample), "--brute-n", str(brute_n)]))
    return rows


def table(rows: list[dict]) -> str:
    """Markdown table of :func:`measure` rows."""
    head = "| method | points | time | per point | peak memory | max error |\n|---|---:|---:|---:|---:|---:|"
    lines = [head]
    for r in rows:
        t = f"{r['time_s']:,.2f} s" + (" *" if r["extrapolated"] else "")
        lines.append(f"| {r['method']} | {r['n']:,} | {t} | {r['us_per_point']:,.1f} µs | "
                     f"{r['peak_mb']:,.0f} MB | {r['max_err_m']:,.3f} m |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    ap.add_argument("--sample", type=int, default=100, help="points checked by brute force")
    ap.add_argument("--brute-n", type=int, default=200, help="points the brute force is timed on")
    ap.add_argument("--one", choices=METHODS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        emit(one(args.one, args.n[0], args.sample, args.brute_n))
        return 0
    print(table(measure(args.n, args.methods, args.sample, args.brute_n)))
    print("\n* timed on --brute-n points and extrapolated.  Peak memory: the whole process.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
