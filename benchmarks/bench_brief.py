"""How long a brief takes, what reusing its text buys, and what display simplification buys.

Run from the repository root::

    python -m benchmarks.bench_brief [--repeat 5]

First, the text tables (:mod:`dashboard.render.brief.textcache`): the default PNG slide
drawn by matplotlib's own renderer (stock), with empty tables (cold) and with warm
tables (warm), alternating in one run, ``--repeat`` times each: median wall and CPU
time, the ratio to stock, and whether the three files are byte-identical (they must be).

Then builds the default scene (Przewodów strike, Ukrainian oblasts bordering NATO,
75/90 km rings) once with :func:`dashboard.scene.compose.build_scene`, then renders it
``--repeat`` times per case and prints the median wall time of building the
figure and of writing the file, the process CPU time, the vertices drawn on the map
and the file size:

* PNG slide with display-simplified geometry (the default: Douglas-Peucker at
  0.4 px in degrees, before projecting);
* PNG slide at full resolution (no simplification);
* A4 PNG, slide PDF and slide SVG (simplified).

Issue 6 asks for a PNG in under 2 s. Timing is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import time

from matplotlib.collections import LineCollection, PathCollection

from dashboard.render.brief import build_figure, save_figure, textcache
from dashboard.scene.compose import build_scene
from dashboard.scene.request import SceneRequest


def drawn_vertices(layout) -> int:
    """Vertices in the map axes' path and line collections (what Agg has to rasterise)."""
    n = 0
    for coll in layout.map_ax.collections:
        if isinstance(coll, (PathCollection, LineCollection)):
            n += sum(len(p.vertices) for p in coll.get_paths())
    return n


def bench(scene, fmt: str, size: str, simplify: bool, repeat: int) -> dict:
    builds, saves, total, cpu = [], [], [], []
    nbytes = verts = 0
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        layout = build_figure(scene, size, marking="UNCLASSIFIED", simplify=simplify)
        t1 = time.perf_counter()
        buf = io.BytesIO()
        save_figure(layout, buf, fmt)
        t2 = time.perf_counter()
        cpu.append(time.process_time() - c0)
        builds.append(t1 - t0)
        saves.append(t2 - t1)
        total.append(t2 - t0)
        nbytes = len(buf.getvalue())
        verts = drawn_vertices(layout)
    return {"build_s": statistics.median(builds), "save_s": statistics.median(saves),
            "total_s": statistics.median(total), "max_total_s": max(total),
            "cpu_s": statistics.median(cpu),
            "bytes": nbytes, "vertices": verts}


def text_tables(scene, repeat: int) -> None:
    """Stock, cold and warm text tables, alternating; medians, ratios, byte identity."""
    def one() -> tuple[float, float, bytes]:
        c0, t0 = time.process_time(), time.perf_counter()
        layout = build_figure(scene, "slide", marking="UNCLASSIFIED")
        buf = io.BytesIO()
        save_figure(layout, buf, "png")
        return time.perf_counter() - t0, time.process_time() - c0, buf.getvalue()

    runs: dict[str, list[tuple[float, float, bytes]]] = {"stock": [], "cold": [], "warm": []}
    for _ in range(repeat):
        with textcache.stock_text():
            runs["stock"].append(one())
        textcache.clear()
        runs["cold"].append(one())
        runs["warm"].append(one())
    stock_cpu = statistics.median(r[1] for r in runs["stock"])
    print(f"{'PNG slide, text tables':34} {'wall s':>8} {'CPU s':>8} {'CPU ratio':>10} {'same bytes':>11}")
    first = runs["stock"][0][2]
    for name, rs in runs.items():
        cpu = statistics.median(r[1] for r in rs)
        same = all(r[2] == first for r in rs)
        print(f"{name:34} {statistics.median(r[0] for r in rs):8.3f} {cpu:8.3f} {cpu / stock_cpu:10.2f} "
              f"{'yes' if same else 'NO':>11}")
    entries, hits, misses = zip(*textcache.stats().values())
    print(f"(warm tables after the run: {sum(entries):,} entries; hits {sum(hits):,}, misses {sum(misses):,})\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1668523200")

    t0 = time.perf_counter()
    scene = build_scene(SceneRequest(ring_radii_km=(75, 90)))
    t_scene_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    scene = build_scene(SceneRequest(ring_radii_km=(75, 90)))
    t_scene = time.perf_counter() - t0
    print(f"build_scene: first {t_scene_first:.3f} s (loads layers), then {t_scene:.3f} s (cached layers)")

    build_figure(scene, "slide")  # warm caches (fonts, transformers)
    print()
    text_tables(scene, args.repeat)
    cases = [
        ("PNG slide, simplified (default)", "png", "slide", True),
        ("PNG slide, full resolution", "png", "slide", False),
        ("PNG A4 300 dpi, simplified", "png", "a4", True),
        ("PDF slide, simplified", "pdf", "slide", True),
        ("SVG slide, simplified", "svg", "slide", True),
    ]
    print(f"\n{'case':34} {'build s':>8} {'save s':>8} {'total s':>8} {'worst s':>8} {'CPU s':>7} "
          f"{'vertices':>9} {'KiB':>7}")
    for name, fmt, size, simplify in cases:
        r = bench(scene, fmt, size, simplify, args.repeat)
        print(f"{name:34} {r['build_s']:8.3f} {r['save_s']:8.3f} {r['total_s']:8.3f} "
              f"{r['max_total_s']:8.3f} {r['cpu_s']:7.3f} {r['vertices']:9,d} {r['bytes'] / 1024:7.0f}")
    print(f"\nload average while measuring: {', '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs (wall times grow with load; CPU s much less)")


if __name__ == "__main__":
    main()
