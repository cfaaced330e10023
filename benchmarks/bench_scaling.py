"""How the core's distance time grows with the number of points and with border detail.

    python -m benchmarks.bench_scaling

* points: 10^3 .. 3x10^6 random points to the NATO border (2 threads);
* detail: 10^5 points to the NATO border simplified (fewer segments) or densified
  along its geodesics (more segments), from ~2,000 to ~1,200,000 segments.

Time per point, index build time (once per layer, cached) and the kernel's
candidates per point (each costs one ``Geod.inv``).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.common import random_points

POINTS = (1_000, 10_000, 100_000, 1_000_000, 3_000_000)
#: (label, operation, parameter): simplify tolerance in degrees, densify step in km
DETAIL = (("simplified 0.01°", "simplify", 0.01), ("simplified 0.001°", "simplify", 0.001),
          ("as published", None, None), ("densified 100 m", "densify", 0.1),
          ("densified 20 m", "densify", 0.02), ("densified 5 m", "densify", 0.005))


def _timed(fn, *args, repeat: int = 1) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t)
    return best


def by_points(points=POINTS) -> list[dict]:
    from dashboard.geo.distance import get_index, nearest
    from dashboard.io.layers_io import load_layer

    border = load_layer("nato_border")
    get_index(border)
    nearest(*random_points(100, 5), border)
    rows = []
    for n in points:
        lon, lat = random_points(n, seed=n)
        t = _timed(nearest, lon, lat, border, repeat=3 if n <= 100_000 else 1)
        rows.append({"n": n, "time_s": t, "us": 1e6 * t / n})
    return rows


def _variant(border, op, param):
    import shapely

    from dashboard.geo.geodesy import densify

    if op == "simplify":
        return border.assign(geometry=shapely.simplify(np.asarray(border.geometry.values), param))
    if op == "densify":
        return border.assign(geometry=[densify(g, param) for g in border.geometry.values])
    return border


def by_detail(detail=DETAIL, n: int = 100_000) -> list[dict]:
    from dashboard.geo.distance import build_index, nearest_arrays
    from dashboard.geo.geodesy import to_ecef_km
    from dashboard.geo.kernel import candidates
    from dashboard.io.layers_io import load_layer

    border = load_layer("nato_border")
    lon, lat = random_points(n, seed=7)
    rows = []
    for label, op, param in detail:
        layer = _variant(border, op, param)
        t = time.perf_counter()
        index = build_index(layer)
        build = time.perf_counter() - t
        nearest_arrays(lon[:1000], lat[:1000], index)
        dt = _timed(nearest_arrays, lon, lat, index, repeat=2)
        pi, _, _ = candidates(lon[:20_000], lat[:20_000], to_ecef_km(lon[:20_000], lat[:20_000]),
                              index)
        rows.append({"detail": label, "segments": index.n_segments, "build_s": build,
                     "us": 1e6 * dt / n, "cand": len(pi) / 20_000,
                     "tree_mb": index.nodes.nbytes / 1e6})
    return rows


def stages(n: int = 1_000_000) -> list[tuple[str, float]]:
    """Where one thread's time goes for ``n`` points to the NATO border (s per stage)."""
    from dashboard.geo import distance as D
    from dashboard.geo import kernel as K
    from dashboard.geo.geodesy import to_ecef_km
    from dashboard.io.layers_io import load_layer

    index = D.get_index(load_layer("nato_border"))
    lon, lat = random_points(n, seed=3)
    D.nearest_arrays(lon[:1000], lat[:1000], index)
    out = []
    t = time.perf_counter()
    P = to_ecef_km(lon, lat)
    out.append(("points to ECEF", time.perf_counter() - t))
    t = time.perf_counter()
    order = np.argsort(K.morton_key(lon, lat))
    Ps = P[order]
    out.append(("Z-order sort", time.perf_counter() - t))
    t = time.perf_counter()
    K._run(Ps, index, K.FIRST_PASS_CANDIDATES, K.SCRATCH_SEGMENTS)
    out.append(("kernel: tree search (compiled)", time.perf_counter() - t))
    t = time.perf_counter()
    pi, seg, tt = K.candidates(lon, lat, P, index)
    out.append(("candidates (sort + search + gather)", time.perf_counter() - t))
    t = time.perf_counter()
    d = D._refine(lon[pi], lat[pi], seg, tt, index)
    out.append(("refine: lift + Geod.inv", time.perf_counter() - t))
    t = time.perf_counter()
    D._best_per_point(pi, d[0])
    out.append(("best per point", time.perf_counter() - t))
    return out


def tables(points_rows: list[dict], detail_rows: list[dict]) -> str:
    a = ["| points | time | per point |", "|---:|---:|---:|"]
    a += [f"| {r['n']:,} | {r['time_s']:,.3f} s | {r['us']:.2f} µs |" for r in points_rows]
    b = ["| border | segments | tree | index build | per point (10^5 points) | candidates a point |",
         "|---|---:|---:|---:|---:|---:|"]
    b += [f"| {r['detail']} | {r['segments']:,} | {r['tree_mb']:.1f} MB | {r['build_s']:.2f} s | "
          f"{r['us']:.2f} µs | {r['cand']:.3f} |" for r in detail_rows]
    return "\n".join(a) + "\n\n" + "\n".join(b)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.parse_args(argv)
    print(tables(by_points(), by_detail()))
    print("\n| stage (1 thread, 10^6 points) | time |\n|---|---:|")
    for name, t in stages():
        print(f"| {name} | {t:.3f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
