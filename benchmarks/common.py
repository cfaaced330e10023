"""What the benchmarks share: random points, brute-force truth, peak memory, subprocesses.

Every measurement that reports memory runs in its own Python process
(:func:`run_json`), so its peak resident set (``ru_maxrss``) is its own.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BBOX = (14.0, 44.0, 40.0, 70.0)  # lon/lat box around the eastern flank


def random_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform in lon/lat over :data:`BBOX`, degrees."""
    rng = np.random.default_rng(seed)
    return rng.uniform(BBOX[0], BBOX[2], n), rng.uniform(BBOX[1], BBOX[3], n)


def peak_mb() -> float:
    """Peak resident memory of this process so far, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def dense_reference(geoms, step_m: float = 20.0) -> np.ndarray:
    """Every vertex of the lines/rings of ``geoms`` plus points every ``step_m`` along
    each edge's geodesic (``Geod.npts``): (n, 2) lon/lat."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    out = []
    for g in geoms:
        for part in getattr(g, "geoms", [g]):
            rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
            for ring in rings:
                xy = np.asarray(ring.coords)[:, :2]
                _, _, d = geod.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
                for (x1, y1), (x2, y2), dd in zip(xy[:-1], xy[1:], d):
                    out.append([(x1, y1)])
                    k = int(dd / step_m)
                    if k:
                        out.append(geod.npts(x1, y1, x2, y2, k))
                out.append([tuple(xy[-1])])
    return np.asarray([p for chunk in out for p in chunk], dtype=float)


def _ecef(lon, lat) -> np.ndarray:
    a, f = 6378.137, 1 / 298.257223563
    e2 = f * (2 - f)
    lo, la = np.radians(lon), np.radians(lat)
    n = a / np.sqrt(1 - e2 * np.sin(la) ** 2)
    return np.stack([n * np.cos(la) * np.cos(lo), n * np.cos(la) * np.sin(lo),
                     n * (1 - e2) * np.sin(la)], axis=-1)


def brute_force_km(lon: np.ndarray, lat: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Geodesic distance (km) from each point to the nearest of ``ref`` (lon/lat rows):
    ``Geod.inv`` to every reference point whose chord could make it the nearest
    (chord <= geodesic <= chord * (1 + chord^2 / (24 * 6335^2)) + 1 m)."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    R = _ecef(ref[:, 0], ref[:, 1])
    P = _ecef(lon, lat)
    out = np.empty(len(lon))
    for i in range(len(lon)):
        chord = np.sqrt(((R - P[i]) ** 2).sum(axis=1))
        c = chord.min()
        keep = chord <= c * (1 + c**2 / (24 * 6335.0**2)) * 1.001 + 0.001
        m = int(keep.sum())
        _, _, d = geod.inv(np.full(m, lon[i]), np.full(m, lat[i]), ref[keep, 0], ref[keep, 1])
        out[i] = d.min() / 1000.0
    return out


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process ``pid`` has used so far, from ``/proc``
    (its own threads, not its children); NaN where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid`` (``/proc/<pid>/task/*/children``), not ``pid``."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for t in Path(f"/proc/{p}/task").iterdir():
                kids = [int(c) for c in (t / "children").read_text().split()]
                out += kids
                todo += kids
        except (OSError, ValueError):
            continue
    return out


def run_json(args: list[str], timeout: float = 600) -> dict:
    """Run ``python <args>`` from the repository root; the last stdout line is JSON."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.setdefault("wall_s", time.perf_counter() - t)
    return out


def emit(result: dict) -> None:
    """Print one JSON result line (what :func:`run_json` reads)."""
    result.setdefault("peak_mb", peak_mb())
    print(json.dumps(result))


def machine() -> dict:
    """Machine, versions and date for RESULTS.md."""
    import numba
    import pyproj
    import shapely

    with open("/proc/cpuinfo", encoding="utf-8") as f:
        model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")),
                     platform.processor())
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{model}, {os.cpu_count()} cores",
        "load": f"{os.getloadavg()[0]:.1f}",
        "python": platform.python_version(),
        "versions": f"numpy {np.__version__}, shapely {shapely.__version__} "
                    f"(GEOS {shapely.geos_version_string}), pyproj {pyproj.__version__} "
                    f"(PROJ {pyproj.proj_version_str}), numba {numba.__version__}",
    }
