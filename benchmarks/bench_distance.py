"""Distance of many random points to the NATO border: the core's vectorised
``nearest`` against the two obvious alternatives.

    python benchmarks/bench_distance.py            # N = 100,000 and 1,000,000
    python benchmarks/bench_distance.py --n 10000 100000 --loop-n 100

Methods
-------
vectorised   dashboard.geo.distance.nearest (ECEF branch-and-bound over border
             segments + exact Geod refinement), all points at once.
python loop  for each point, Geod.inv to every border vertex and the minimum
             (distance to vertices only); run on --loop-n points and extrapolated.
EPSG:3035    project points and border to LAEA Europe and take the planar
             distance (border as segments in a shapely STRtree); fast, not geodesic.

Accuracy is measured against brute force (Geod.inv to the border densified
every 20 m along its geodesics) on a random sample of the points.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from dashboard.geo.distance import get_index, nearest
from dashboard.geo.geodesy import GEOD
from dashboard.geo.layers_io import load_layer

BBOX = (14.0, 44.0, 40.0, 70.0)  # lon/lat box around the eastern flank


def random_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(BBOX[0], BBOX[2], n), rng.uniform(BBOX[1], BBOX[3], n)


def reference_km(lon: np.ndarray, lat: np.ndarray, border) -> np.ndarray:
    """Brute force: Geod.inv to the border densified every 20 m."""
    pts = []
    for g in border.geometry:
        for part in getattr(g, "geoms", [g]):
            xy = np.asarray(part.coords)
            for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:]):
                pts.append((x1, y1))
                n = int(GEOD.inv(x1, y1, x2, y2)[2] / 20.0)
                if n:
                    pts.extend(GEOD.npts(x1, y1, x2, y2, n))
            pts.append(tuple(xy[-1]))
    ref = np.asarray(pts)
    out = np.empty(len(lon))
    for i in range(len(lon)):
        m = len(ref)
        out[i] = GEOD.inv(np.full(m, lon[i]), np.full(m, lat[i]), ref[:, 0], ref[:, 1])[2].min()
    return out / 1000.0


def python_loop_km(lon: np.ndarray, lat: np.ndarray, border) -> np.ndarray:
    verts = shapely.get_coordinates(np.asarray(border.geometry.values))
    out = np.empty(len(lon))
    for i in range(len(lon)):  # the loop the core avoids
        m = len(verts)
        out[i] = GEOD.inv(np.full(m, lon[i]), np.full(m, lat[i]), verts[:, 0], verts[:, 1])[2].min()
    return out / 1000.0


def laea_km(lon: np.ndarray, lat: np.ndarray, border) -> np.ndarray:
    """Planar distance in EPSG:3035, done as fast as planar gets: the border cut
    into 2-point segments in a shapely STRtree (sjoin_nearest against the 14 whole
    lines is ~20x slower)."""
    b = border[["geometry"]].to_crs(3035).explode(index_parts=False)
    xy, idx = shapely.get_coordinates(np.asarray(b.geometry.values), return_index=True)
    same = idx[1:] == idx[:-1]
    segs = shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1))
    tree = shapely.STRtree(segs)
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(3035).values
    pts = np.asarray(pts)
    (pi, _), d = tree.query_nearest(pts, return_distance=True, all_matches=False)
    out = np.empty(len(lon))
    out[pi] = d
    return out / 1000.0


def fmt_err(err_km: np.ndarray) -> str:
    e = np.abs(err_km) * 1000
    return f"{e.max():>10.3f} {e.mean():>10.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000],
                    help="numbers of points (default 100000 1000000)")
    ap.add_argument("--loop-n", type=int, default=200, help="points for the Python loop")
    ap.add_argument("--sample", type=int, default=50, help="points checked by brute force")
    args = ap.parse_args()

    border = load_layer("nato_border")
    n_vert = len(shapely.get_coordinates(np.asarray(border.geometry.values)))
    print(f"nato_border: {len(border)} segments, {n_vert:,} vertices; points uniform in "
          f"lon {BBOX[0]}..{BBOX[2]}, lat {BBOX[1]}..{BBOX[3]}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    t = time.perf_counter()
    get_index(border)
    print(f"index build (once per layer, cached): {time.perf_counter() - t:.2f} s\n")

    s_lon, s_lat = random_points(args.sample, seed=99)
    t = time.perf_counter()
    truth = reference_km(s_lon, s_lat, border)
    print(f"brute-force reference for {args.sample} points: {time.perf_counter() - t:.1f} s")
    err_vec = nearest(s_lon, s_lat, border)["distance_km"].to_numpy() - truth
    err_loop = python_loop_km(s_lon, s_lat, border) - truth
    err_laea = laea_km(s_lon, s_lat, border) - truth

    head = f"{'method':<14}{'N':>11}{'time s':>10}{'us/point':>10}{'max err m':>11}{'mean err m':>11}"
    print("\n" + head + "\n" + "-" * len(head))
    l_lon, l_lat = random_points(args.loop_n, seed=1)
    t = time.perf_counter()
    python_loop_km(l_lon, l_lat, border)
    loop_per_point = (time.perf_counter() - t) / args.loop_n
    for n in args.n:
        lon, lat = random_points(n)
        t = time.perf_counter()
        res = nearest(lon, lat, border)
        tv = time.perf_counter() - t
        assert len(res) == n
        print(f"{'vectorised':<14}{n:>11,}{tv:>10.2f}{1e6 * tv / n:>10.1f}{fmt_err(err_vec)}")
        t = time.perf_counter()
        laea_km(lon, lat, border)
        tl = time.perf_counter() - t
        print(f"{'EPSG:3035':<14}{n:>11,}{tl:>10.2f}{1e6 * tl / n:>10.1f}{fmt_err(err_laea)}")
        print(f"{'python loop*':<14}{n:>11,}{loop_per_point * n:>10.0f}"
              f"{1e6 * loop_per_point:>10.0f}{fmt_err(err_loop)}")
    print(f"\n* measured on {args.loop_n} points and extrapolated; distance to vertices only.")
    print(f"errors: against brute force on {args.sample} other random points.")


if __name__ == "__main__":
    main()
