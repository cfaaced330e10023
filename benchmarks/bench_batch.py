"""10^6 points CSV in -> CSV out through the CLI against the planar way, same I/O.

    python -m benchmarks.bench_batch                    # 10^6 rows x 3 runs, then 10^7
    python -m benchmarks.bench_batch --runs 1 --big-rows 0

Both sides run in one session, alternating (the machine's 2 cores are shared, so
absolute times move with the load; the ratio of the same run is the figure), each
run in its own process, timed from outside with its start-up (imports, layers):

cli      ``python -m dashboard distance --points in.csv -o out.csv`` (the default
         targets, nato_border and countries: geodesic, the compiled core).
planar   the same rows through the same reader and writer
         (:func:`dashboard.io.pointio.stream_distances` with ``measure=``, so the
         same chunked CSV reader, writer and read/measure/write overlap): points
         projected to EPSG:3035 (LAEA Europe) with pyproj, then for each layer a
         shapely ``STRtree`` of its 2-point segments (``query_nearest``: planar
         distance) and, for polygons, a bounding-box ``STRtree`` query and
         ``contains_xy`` on each polygon (prepared) for the points inside (distance 0).
         What an analyst writes with shapely and EPSG:3035; not geodesic.

For each: median wall time of ``--runs`` runs, peak resident memory (``wait4``),
CPU use ((user + system) / wall: 2.0 is both cores busy the whole run).  Then
``--big-rows`` rows (10^7) through the CLI once: time and peak memory, to show the
stream stays bounded.  The planar side's distances are compared with the CLI's
(max difference, m) as a check that both measured the same rows.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_stream import make_input
from benchmarks.common import ROOT

#: Default targets of ``distance`` (the CLI's ``DEFAULT_TARGETS``).
TARGETS: tuple[str, ...] = ("nato_border", "countries")


# ---------------------------------------------------------------------- the planar way
class Planar:
    """EPSG:3035 + shapely STRtree nearest to the target layers, chunk by chunk, with the
    same output columns as :func:`dashboard.io.pointio.measure_table`."""

    def __init__(self, targets) -> None:
        import shapely
        from pyproj import Transformer

        self.to_laea = Transformer.from_crs(4326, 3035, always_xy=True)
        self.layers = []
        for name, gdf, field in targets:
            g = gdf.to_crs(3035)
            geoms = np.asarray(g.geometry.values)
            ids = (np.asarray(g[field], dtype=object) if field else
                   np.asarray(g.index, dtype=object))
            poly = np.isin(shapely.get_type_id(geoms), [3, 6])
            lines = np.where(poly, shapely.boundary(geoms), geoms)
            parts, part_of = shapely.get_parts(lines, return_index=True)
            xy, idx = shapely.get_coordinates(parts, return_index=True)
            same = idx[1:] == idx[:-1]
            segs = shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1))
            seg_feature = part_of[idx[:-1][same]]
            polys, poly_feature = shapely.get_parts(geoms[poly], return_index=True)
            shapely.prepare(polys)
            self.layers.append((name, shapely.STRtree(segs), seg_feature,
                                shapely.STRtree(polys) if len(polys) else None, polys,
                                np.flatnonzero(poly)[poly_feature], ids,
                                bool(gdf.attrs.get("clipped_to_coverage"))))

    def measure(self, table, lon, lat):
        import shapely

        from dashboard.data.coverage import COVERAGE_LONLAT

        x, y = self.to_laea.transform(lon, lat)
        pts = shapely.points(x, y)
        w, s, e, n = COVERAGE_LONLAT
        outside = ~((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n))
        out = table.copy()
        for name, tree, seg_feature, ptree, polys, poly_feature, ids, clipped in self.layers:
            (pi, si), d = tree.query_nearest(pts, return_distance=True, all_matches=False)
            dist = np.empty(len(lon))
            feat = np.empty(len(lon), dtype=np.int64)
            dist[pi], feat[pi] = d, seg_feature[si]
            if ptree is not None:
                qi, gi = ptree.query(pts)
                order = np.argsort(gi, kind="stable")
                qi, gi = qi[order], gi[order]
                cuts = np.flatnonzero(np.r_[True, gi[1:] != gi[:-1], True])
                for a, b in zip(cuts[:-1], cuts[1:]):
                    if a == b:
                        continue
                    q = qi[a:b]
                    hit = q[shapely.contains_xy(polys[gi[a]], x[q], y[q])]
                    dist[hit], feat[hit] = 0.0, poly_feature[gi[a]]
            km = (dist / 1000.0).round(4)
            feature = ids[feat]
            if clipped and outside.any():
                km = np.where(outside, np.nan, km)
                feature = np.where(outside, None, feature)
            out[f"{name}_km"] = km
            out[f"{name}_feature"] = feature
        return out


def planar_main(src: str, out: str) -> int:
    """The planar way as a program: the CLI's ``_points`` with the planar measure."""
    from dashboard.cli.common import target_layer
    from dashboard.data.catalogue import CATALOGUE
    from dashboard.io.pointio import CLIPPED_TO_COVERAGE, PointSink, open_points, stream_distances

    source = open_points(src)
    targets = [target_layer(spec, None) for spec in TARGETS]
    for spec, (_, gdf, _) in zip(TARGETS, targets):
        if spec in CATALOGUE and spec != "nato_border":
            gdf.attrs[CLIPPED_TO_COVERAGE] = True
    planar = Planar(targets)
    with PointSink(out, source.has_geometry) as sink:
        rows = stream_distances(source, sink, targets, measure=planar.measure)
    print(f"wrote {rows:,} points to {out}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------------- measuring
def run_process(args: list[str], timeout: float = 3600, cwd: Path = ROOT) -> dict:
    """Run ``python <args>`` from ``cwd`` (the repository root) in its own process: wall
    time, peak resident memory (MB) and CPU seconds (user + system) of that process."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, *args], cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=err)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{' '.join(args)} timed out")
            time.sleep(0.01)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(args)} failed:\n{err.read().decode()[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"time_s": wall, "peak_mb": usage.ru_maxrss / 1024.0, "cpu_s": cpu,
            "cpu_use": cpu / wall}


def cli_args(src: Path, out: Path) -> list[str]:
    return ["-m", "dashboard", "distance", "--points", str(src), "-o", str(out)]


def planar_args(src: Path, out: Path) -> list[str]:
    return ["-m", "benchmarks.bench_batch", "--planar", str(src), str(out)]


def compare(rows: int, runs: int, tmp: Path, before: Path | None = None) -> dict:
    src = tmp / f"in{rows}.csv"
    if not src.exists():
        make_input(src, rows)
    sides = ("cli", "planar") + (("before",) if before else ())
    res: dict[str, list[dict]] = {side: [] for side in sides}
    outs = {side: tmp / f"{side}.csv" for side in sides}
    make = {"cli": cli_args, "planar": planar_args, "before": cli_args}
    for i in range(runs):
        order = sides if i % 2 == 0 else sides[::-1]
        for side in order:
            r = run_process(make[side](src, outs[side]),
                            cwd=before if side == "before" and before else ROOT)
            print(f"  {side} run {i + 1}: {r['time_s']:.2f} s, {r['peak_mb']:.0f} MB, "
                  f"CPU {r['cpu_use']:.2f}", file=sys.stderr, flush=True)
            res[side].append(r)
    diff_m = _max_diff_m(outs["cli"], outs["planar"])
    summary = {side: {k: statistics.median(r[k] for r in runs_) for k in runs_[0]}
               for side, runs_ in res.items()}
    summary["ratio"] = summary["cli"]["time_s"] / summary["planar"]["time_s"]
    summary["run_ratios"] = [c["time_s"] / p["time_s"] for c, p in zip(res["cli"], res["planar"])]
    if before:
        summary["before_ratio"] = summary["before"]["time_s"] / summary["planar"]["time_s"]
        summary["same_output"] = outs["before"].read_bytes() == outs["cli"].read_bytes()
    summary.update(rows=rows, runs=runs, mb_in=src.stat().st_size / 1e6, diff_m=diff_m,
                   load=os.getloadavg()[0])
    src.unlink()
    return summary


def _max_diff_m(a: Path, b: Path) -> dict:
    import pandas as pd

    ca = [f"{t}_km" for t in TARGETS]
    x, y = pd.read_csv(a, usecols=ca), pd.read_csv(b, usecols=ca)
    return {c: float(np.nanmax(np.abs(x[c] - y[c]))) * 1000.0 for c in ca}


def big(rows: int, tmp: Path) -> dict:
    src = tmp / f"in{rows}.csv"
    make_input(src, rows)
    r = run_process(cli_args(src, tmp / "big_out.csv"))
    r.update(rows=rows, mb_in=src.stat().st_size / 1e6)
    src.unlink()
    (tmp / "big_out.csv").unlink()
    return r


def section(runs: int = 3, rows: int = 1_000_000, big_rows: int = 10_000_000,
            before: Path | None = None) -> str:
    """The markdown section (without its heading); ``before``: a checkout of the code
    before the change, whose CLI runs as a third side."""
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        s = compare(rows, runs, tmp, before)
        b = big(big_rows, tmp) if big_rows else None
    lines = [f"{s['rows']:,} random points ({s['mb_in']:.0f} MB CSV) to {' and '.join(TARGETS)}, "
             f"CSV out; median of {s['runs']} alternating runs, each in its own process "
             "(start-up included).",
             "",
             "| way | time | CPU use (user+sys / wall) | peak memory |",
             "|---|---:|---:|---:|"]
    for side, label in (("cli", "CLI `distance --points` (geodesic)"),
                        ("planar", "EPSG:3035 + STRtree, same reader/writer"),
                        ("before", f"CLI before (`{before}`)")):
        if side not in s:
            continue
        r = s[side]
        lines.append(f"| {label} | {r['time_s']:.2f} s | {r['cpu_use']:.2f} | "
                     f"{r['peak_mb']:,.0f} MB |")
    lines += ["", f"**CLI / planar = {s['ratio']:.2f}** (runs: "
              f"{', '.join(f'{x:.2f}' for x in s['run_ratios'])}; goal <= 0.25); "
              f"load average {s['load']:.1f} at the end.  Planar against geodesic: max "
              + ", ".join(f"{k} {v:,.0f} m" for k, v in s["diff_m"].items()) + "."]
    if "before_ratio" in s:
        lines.append(f"The CLI before: {s['before_ratio']:.2f} of the planar way's time; its "
                     f"output {'is' if s['same_output'] else 'is NOT'} byte-identical to now.")
    if b is not None:
        lines += ["", f"{b['rows']:,} rows ({b['mb_in']:,.0f} MB CSV) streamed through the CLI: "
                  f"{b['time_s']:.1f} s ({b['rows'] / b['time_s']:,.0f} rows/s), CPU use "
                  f"{b['cpu_use']:.2f}, **peak memory {b['peak_mb']:,.0f} MB** (goal <= 1 GB)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--big-rows", type=int, default=10_000_000,
                    help="rows of the streaming run (0: skip it)")
    ap.add_argument("--before", type=Path, metavar="DIR",
                    help="a checkout of the code before, its CLI run as a third side")
    ap.add_argument("--planar", nargs=2, metavar=("SRC", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.planar:
        return planar_main(*args.planar)
    print("## Batch: `distance --points` CSV to CSV against EPSG:3035 + STRtree\n")
    print(section(args.runs, args.rows, args.big_rows, args.before))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
