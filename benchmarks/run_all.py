"""Run every benchmark and write ``benchmarks/RESULTS.md`` (machine, versions, date).

    python -m benchmarks.run_all            # about 4 minutes on 2 cores
    python -m benchmarks.run_all --quick    # smaller sizes, to try the runner

Sections: distance at 10^3 / 10^5 / 10^6 points against EPSG:3035, the previous
core and Geod brute force (time, peak memory, max error); streaming 10^7 rows
(time, peak memory) against reading the whole file; buffers against a degree
buffer and an EPSG:3035 buffer (time, edge error, area); how time grows with
points and with border detail, and where the time goes; then the app and brief
benchmarks (``bench_app.py``, ``bench_brief.py``) as they print.  Timing is
measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import (
    bench_batch,
    bench_buffer,
    bench_cli,
    bench_distance,
    bench_scaling,
    bench_stream,
    speed_targets,
)
from benchmarks.common import ROOT, machine

HERE = Path(__file__).resolve().parent



def _ratio(rows: list[dict], method: str, other: str, n: int) -> float | None:
    a = next((r for r in rows if r["method"] == method and r["n"] == n), None)
    b = next((r for r in rows if r["method"] == other and r["n"] == n), None)
    return b["time_s"] / a["time_s"] if a and b else None


def distance_section(quick: bool) -> tuple[str, dict]:
    sizes = [1_000, 100_000] if quick else [1_000, 100_000, 1_000_000]
    rows = bench_distance.measure(sizes, ["core", "previous", "laea"], sample=100)
    brute = bench_distance.measure([1_000], ["brute"], sample=100, brute_n=100)[0]
    for n in sizes:  # the brute force is timed once and scaled: it is linear in points
        rows.append({**brute, "n": n, "time_s": brute["us_per_point"] * n / 1e6,
                     "extrapolated": True})
    big = sizes[-1]
    ratios = {"previous": _ratio(rows, "core", "previous", big),
              "laea": _ratio(rows, "core", "laea", big), "n": big,
              "core_s": next(r["time_s"] for r in rows if r["method"] == "core" and r["n"] == big),
              "laea_err": max(r["max_err_m"] for r in rows if r["method"] == "laea"),
              "core_err": max(r["max_err_m"] for r in rows if r["method"] == "core")}
    text = (bench_distance.table(rows) + "\n\n* timed on 100 points and scaled (brute force is "
            "linear in points).  Errors: against Geod.inv to the border densified every 20 m, "
            "on 100 other random points.  Peak memory is the whole process's (Python, numpy, "
            "shapely, pyproj, numba: ~190-320 MB before any work).")
    return text, ratios


def stream_section(quick: bool) -> str:
    rows = bench_stream.measure([200_000] if quick else [1_000_000, 10_000_000])
    return bench_stream.table(rows)


def other_benchmarks(quick: bool) -> str:
    out = []
    for script, args in (("bench_app.py", ["--reruns", "2" if quick else "4"]),
                         ("bench_brief.py", ["--repeat", "1" if quick else "2"])):
        proc = subprocess.run([sys.executable, "-m", f"benchmarks.{Path(script).stem}", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=300, check=False)
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        if proc.returncode != 0:
            err = (proc.stderr.strip().splitlines() or ["?"])[-1]
            lines.append(f"(exited {proc.returncode}: {err})")
        out.append(f"### {script} {' '.join(args)}\n\n```\n" + "\n".join(lines) + "\n```")
    return "\n\n".join(out)


NOTES = """\
### What limits the speed

Profiled first (py-spy on the previous core, pyinstrument on the CLI): the previous
core spent its time in numpy's pair arrays (every point tested against all 64 top
capsules, then `np.take` gathers: ~60 %) and in four `Geod` calls per candidate
segment (~20 %).  Now the tree search is compiled (numba, `nogil`), points are
searched in Z-order starting from the previous point's answer, near-duplicate
candidates along the same stretch are dropped by a direction-aware ranking
tolerance, and the answer is one `Geod.inv` to the chord foot lifted onto the
ellipsoid.  What is left (table above): the search and `Geod.inv` (GeographicLib
in C, ~0.7 µs a call) in about equal parts, then the Z-order sort.  Chunks run in
2 threads (the kernel, `Geod` and shapely release the GIL).

### Where it stops being linear, and why

- *Points*: below ~10^4 points fixed costs per call (the thread pool, the layer's
  fingerprint, the DataFrame) dominate, so µs a point falls as points grow; from
  ~10^5 it is flat (linear time).  At 3x10^6 the cost a point creeps up: the
  arrays of a call (~0.3 KB a point) no longer fit the 32 MB L3 cache.
- *Border detail*: the search walks a tree, so time grows with the log of the
  segment count, and since every point ends with about one `Geod.inv` whatever the
  detail, going from 1,500 to 1.2 million segments changes the time a point very
  little; past ~450,000 segments the tree (about 73 bytes a segment) outgrows the
  32 MB L3 cache and each descent waits on memory.  Index build time is linear in
  segments (once per layer, cached).
- *Streaming*: linear in rows by construction (fixed-size chunks); peak memory
  is set by the chunk size (200,000 rows by default), not by the file (it creeps
  up a little with rows as pyarrow's allocator keeps freed pages; Python-level
  allocations are flat, which `tests/test_streaming.py` checks).
- *Load*: the machine's 2 cores are shared with other work (load average per
  section above).  The core runs 2 threads, so it loses more than the
  single-threaded alternatives when the cores are busy; compare ratios within
  a section, not across runs.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a minute)")
    ap.add_argument("-o", "--output", default=str(HERE / "RESULTS.md"))
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    info = machine()
    parts = []
    steps = (("Distance to the NATO border", lambda: distance_section(args.quick)),
             ("Streaming `distance --points`", lambda: stream_section(args.quick)),
             ("Batch CSV to CSV against EPSG:3035 + STRtree", lambda: _batch(args.quick)),
             ("Buffers", lambda: bench_buffer.table(bench_buffer.measure())),
             ("Scaling", lambda: _scaling(args.quick)),
             ("App and brief", lambda: other_benchmarks(args.quick)),
             ("CLI: one position", lambda: bench_cli.markdown(args.quick)))
    ratios = None
    for title, fn in steps:
        t = time.perf_counter()
        load = os.getloadavg()[0]
        print(f"{title} ...", file=sys.stderr, flush=True)
        res = fn()
        if isinstance(res, tuple):
            res, ratios = res
        parts.append(f"## {title}\n\n{res}\n\n_{time.perf_counter() - t:.0f} s; load average "
                     f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
                     f"(2 cores)_")
    total = time.perf_counter() - t0
    head = [f"# Benchmark results\n\nWritten by `python -m benchmarks.run_all` in {total:.0f} s.\n",
            f"- date: {info['date']}", f"- machine: {info['cpu']} (load {info['load']} at start; "
            "other work was running)", f"- Python {info['python']}; {info['versions']}"]
    if ratios:
        head.append(f"- {ratios['n']:,} points to the NATO border: core {ratios['core_s']:.2f} s, "
                    f"{ratios['previous']:.1f}x faster than the previous core and "
                    f"{ratios['laea']:.1f}x faster than EPSG:3035 + STRtree; max error "
                    f"{ratios['core_err']:.3f} m (EPSG:3035: {ratios['laea_err']:,.0f} m)")
    text = "\n".join(head) + "\n\n" + "\n\n".join(parts) + "\n\n" + NOTES
    text = keep_speed_targets(Path(args.output), text)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output} in {total:.0f} s", file=sys.stderr)
    return 0


def _batch(quick: bool) -> str:
    if quick:
        return bench_batch.section(1, 100_000, 0)
    return bench_batch.section(3, 1_000_000, 10_000_000)


def keep_speed_targets(path: Path, text: str) -> str:
    """``text`` with the speed-targets section of the file at ``path`` (written by
    ``benchmarks/speed_targets.py``, which takes about 15 minutes) kept in it."""
    old = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []
    start = next((i for i, ln in enumerate(old) if ln.rstrip("\n") == speed_targets.TITLE), None)
    if start is None:
        return text
    end = next((i for i in range(start + 1, len(old)) if old[i].startswith("## ")), len(old))
    return speed_targets.replace_section(text, "".join(old[start:end]).rstrip("\n") + "\n")


def _scaling(quick: bool) -> str:
    pts = bench_scaling.POINTS[:3] if quick else bench_scaling.POINTS
    detail = bench_scaling.DETAIL[:4] if quick else bench_scaling.DETAIL
    text = bench_scaling.tables(bench_scaling.by_points(pts), bench_scaling.by_detail(detail))
    st = bench_scaling.stages(100_000 if quick else 1_000_000)
    text += "\n\n| stage (1 thread, all points of the last row above) | time |\n|---|---:|\n"
    text += "\n".join(f"| {name} | {t:.3f} s |" for name, t in st)
    return text


if __name__ == "__main__":
    raise SystemExit(main())
