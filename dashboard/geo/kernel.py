"""The nearest-segment search: a compiled branch-and-bound over the ECEF capsule tree.

For each point (ECEF, km) the kernel walks :class:`~dashboard.geo.segindex.SegmentIndex`'s
tree depth first, nearest capsule first, and keeps every segment that may hold
the *geodesic* nearest point.  Chords rank candidates almost as geodesics do:
between two targets at chord distance ``c`` seen from the point in directions
``dtheta`` apart (radians), the geodesic order can differ from the chord order
only when their chords differ by less than :func:`rank_tolerance_km` (the
ellipsoid's curvature varies with direction, by at most 1 %).  So a capsule is
pruned when its lower bound exceeds the best chord found plus that tolerance;
targets next to the best one (small ``dtheta``) need almost none, which keeps the
search to about a hundred capsule tests a point even 1,000 km from a detailed
border.  Of the surviving segments only local minima along their line are
returned (the rest have a neighbour at least as near).

Points are searched in Z-order, each starting from the previous point's answer,
so the bound is tight from the first capsule.

The search is written once, as plain Python, and runs two ways:

- **compiled** (the default): :func:`compiled` builds numba twins of these
  functions on first use (``nogil``, so callers run chunks in threads; ``cache=True``,
  so a later process loads the machine code instead of compiling: numba keeps it in
  ``NUMBA_CACHE_DIR`` when set, else in ``__pycache__`` beside this file, else, when
  the package is read-only, in its user-wide cache folder (``~/.cache/numba``); with
  none writable it compiles in every process).  Loading numba and its
  cached code costs about a second per process;
- **plain** (``jit=False``): the same functions run by the interpreter, some
  thousand times slower a point but with no numba import at all: for a handful of
  points (one typed position) that is milliseconds instead of that second.

Both give the same answers, bit for bit: the same IEEE operations in the same
order, products instead of powers, and ``math`` functions (the C library's, which
numba calls too; numpy's own ``arctan2`` differs from it in the last bit for some
inputs).  ``tests/test_prepared_layers.py`` compares them on many points.
"""
from __future__ import annotations

import math
import threading
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from dashboard.geo.segindex import SegmentIndex, morton_key

#: Candidate segments returned per point on the first pass (more are fetched on a second).
FIRST_PASS_CANDIDATES: int = 4
#: Segments a point may keep while searching before a second pass with room for all.
SCRATCH_SEGMENTS: int = 2048
#: Rank tolerance: fixed part (km) beyond twice the arc-chord gap.
RANK_BASE_KM: float = 1e-6
#: Rank tolerance: part proportional to the chord (km per km).
RANK_LINEAR: float = 1e-9
#: Rank tolerance: cubic part (km per km³), the curvature of the ellipsoid varying with
#: direction by up to (1/M - 1/N) ≤ 1.06e-6 /km: |Δ(geodesic - chord)| ≤ 1.4e-11 c³ Δaz.
RANK_CUBIC: float = 5e-11
#: Azimuth difference per radian between two chords seen from the point (margin included).
RANK_ANGLE_FACTOR: float = 2.0


def rank_tolerance_km(chord_km: np.ndarray | float, dtheta: np.ndarray | float = np.pi,
                      sag_km: float = 0.0) -> np.ndarray | float:
    """How much longer (km) a chord may be than another and still be the geodesic nearer.

    Parameters
    ----------
    chord_km : float or ndarray
        Chord distance from the point to the nearer target, km.
    dtheta : float or ndarray
        Angle at the point between the two chords, radians (pi when unknown).
    sag_km : float
        Largest gap between a segment's arc and its chord, km.
    """
    f = np.minimum(1.0, RANK_ANGLE_FACTOR * np.maximum(dtheta, 0.0))
    c = np.asarray(chord_km, dtype=float)
    return 2 * sag_km + RANK_BASE_KM + RANK_LINEAR * c + RANK_CUBIC * c**3 * f


def _capsule(x, y, z, nd, k):
    """(distance to capsule k's axis, parameter t on it, distance to its first vertex)."""
    wx = x - nd[k, 0]
    wy = y - nd[k, 1]
    wz = z - nd[k, 2]
    vx = nd[k, 3]
    vy = nd[k, 4]
    vz = nd[k, 5]
    t = (wx * vx + wy * vy + wz * vz) * nd[k, 6]
    t = min(max(t, 0.0), 1.0)
    dx = wx - t * vx
    dy = wy - t * vy
    dz = wz - t * vz
    return math.sqrt(dx * dx + dy * dy + dz * dz), t, math.sqrt(wx * wx + wy * wy + wz * wz)


def _tol(best, base, f):
    return base + RANK_LINEAR * best + RANK_CUBIC * best * best * best * f


def _angle_factor(dq, glob, best):
    ang = (dq - glob) / (best + glob)
    return min(1.0, max(0.0, RANK_ANGLE_FACTOR * ang))


def _local_minimum(x, y, z, nd, prev, nxt, s, t):
    """False when a neighbouring segment of ``s`` along its line is at least as near."""
    if t >= 1.0 and nxt[s] >= 0:
        return False
    if t <= 0.0 and prev[s] >= 0:
        _, tp, _ = _capsule(x, y, z, nd, prev[s])
        if tp < 1.0:
            return False
    return True


def _foot(nd, k, t):
    return nd[k, 0] + t * nd[k, 3], nd[k, 1] + t * nd[k, 4], nd[k, 2] + t * nd[k, 5]


def _walk(x, y, z, nd, off, count, group, base, best, q, stack, kids, cand):
    """Depth-first walk from the root; fills ``cand`` (segment, chord, t rows) with
    the segments within the global tolerance of the best chord.

    ``q`` holds the best point so far (ECEF km, updated in place).  Returns
    (best chord km, candidates found, overflowed).
    """
    st_l, st_i, st_b = stack
    ch_b, ch_i = kids
    c_s, c_d, c_t = cand
    cap = len(c_s)
    glob = _tol(best, base, 1.0)
    top, ns, nc, overflow = len(count) - 1, 0, 0, False
    for j in range(count[top]):
        st_l[ns], st_i[ns], st_b[ns] = top, j, 0.0
        ns += 1
    while ns > 0:
        ns -= 1
        lvl, i = st_l[ns], st_i[ns]
        if st_b[ns] > best + glob:
            continue
        m = 0
        for c in range(i * group, min(i * group + group, count[lvl - 1])):
            k = off[lvl - 1] + c
            d, t, dfirst = _capsule(x, y, z, nd, k)
            if lvl == 1:  # a segment
                if d < best:
                    best = d
                    q[0], q[1], q[2] = _foot(nd, k, t)
                    glob = _tol(best, base, 1.0)
                if d <= best + glob:
                    if nc < cap:
                        c_s[nc], c_d[nc], c_t[nc] = c, d, t
                        nc += 1
                    else:
                        overflow = True
                continue
            if dfirst < best:  # the group's first vertex is a point of the layer
                best, q[0], q[1], q[2] = dfirst, nd[k, 0], nd[k, 1], nd[k, 2]
                glob = _tol(best, base, 1.0)
            lb = d - nd[k, 7]
            keep = lb <= best + base
            if not keep and lb <= best + glob:
                dq, _, _ = _capsule(q[0], q[1], q[2], nd, k)
                keep = lb <= best + _tol(best, base, _angle_factor(dq - nd[k, 7], glob, best))
            if keep:
                ch_b[m], ch_i[m] = lb, c
                m += 1
        for a in range(1, m):  # children by lower bound, descending: nearest popped first
            vb, vi, b = ch_b[a], ch_i[a], a - 1
            while b >= 0 and ch_b[b] < vb:
                ch_b[b + 1], ch_i[b + 1] = ch_b[b], ch_i[b]
                b -= 1
            ch_b[b + 1], ch_i[b + 1] = vb, vi
        for a in range(m):
            st_l[ns], st_i[ns], st_b[ns] = lvl - 1, ch_i[a], ch_b[a]
            ns += 1
    return best, nc, overflow


def search(px, py, pz, nd, off, count, group, prev, nxt, sag, k_out, cap, out_seg, out_t,
           out_n):
    """Candidate segments for each point; see the module docstring.

    ``out_seg``/``out_t`` (n, k_out) get up to ``k_out`` candidates (segment, chord
    parameter); ``out_n`` the number found, -1 when ``cap`` was too small.
    """
    depth = 64 * group  # levels x children: far more than any tree needs
    stack = (np.empty(depth, np.int64), np.empty(depth, np.int64), np.empty(depth))
    kids = (np.empty(group), np.empty(group, np.int64))
    cand = (np.empty(cap, np.int64), np.empty(cap), np.empty(cap))
    c_s, c_d, c_t = cand
    q = np.zeros(3)
    base = 2.0 * sag + RANK_BASE_KM
    last = -1
    for p in range(len(px)):
        x, y, z = px[p], py[p], pz[p]
        best = np.inf
        if last >= 0:  # start from the previous (nearby, Z-ordered) point's answer
            best, t, _ = _capsule(x, y, z, nd, last)
            q[0], q[1], q[2] = _foot(nd, last, t)
        best, nc, overflow = _walk(x, y, z, nd, off, count, group, base, best, q, stack, kids,
                                   cand)
        glob = _tol(best, base, 1.0)
        n_out = 0
        for j in range(nc):
            s, t, d = c_s[j], c_t[j], c_d[j]
            if d > best + glob:
                continue
            if d > best + base:
                fx, fy, fz = _foot(nd, s, t)
                ex, ey, ez = fx - q[0], fy - q[1], fz - q[2]
                dq = math.sqrt(ex * ex + ey * ey + ez * ez)
                if d > best + _tol(best, base, _angle_factor(dq, glob, best)):
                    continue
            if not _local_minimum(x, y, z, nd, prev, nxt, s, t):
                continue
            if n_out < k_out:
                out_seg[p, n_out], out_t[p, n_out] = s, t
            if d <= best:
                last = s
            n_out += 1
        out_n[p] = -1 if overflow else n_out
    return 0


def lift_feet(seg, t, nd, a_lonlat, b_lonlat, a_km, b_km, e2):
    """Lon/lat (degrees) of each candidate's chord foot, lifted onto the ellipsoid
    along its normal (Bowring's formula; segment ends exactly as given).  Plain
    Python; :func:`compiled` ``("lift_feet")`` is its numba twin."""
    n = len(seg)
    lon = np.empty(n)
    lat = np.empty(n)
    ep2 = e2 / (1.0 - e2)
    for i in range(n):
        s = seg[i]
        if t[i] <= 0.0:
            lon[i], lat[i] = a_lonlat[s, 0], a_lonlat[s, 1]
            continue
        if t[i] >= 1.0:
            lon[i], lat[i] = b_lonlat[s, 0], b_lonlat[s, 1]
            continue
        x, y, z = _foot(nd, s, t[i])
        p = math.sqrt(x * x + y * y)
        th = math.atan2(z * a_km, p * b_km)
        st, ct = math.sin(th), math.cos(th)
        # products, not powers: ``**`` rounds differently compiled and interpreted
        lat[i] = math.degrees(math.atan2(z + ep2 * b_km * (st * st * st),
                                       p - e2 * a_km * (ct * ct * ct)))
        lon[i] = math.degrees(math.atan2(y, x))
    return lon, lat


#: How each kernel function is compiled (``numba.njit`` options; all get ``cache=True``).
JIT_OPTIONS: dict[str, dict[str, Any]] = {
    "_capsule": {"inline": "always"}, "_tol": {"inline": "always"},
    "_angle_factor": {"inline": "always"}, "_local_minimum": {"inline": "always"},
    "_foot": {"inline": "always"}, "_walk": {"nogil": True}, "search": {"nogil": True},
    "lift_feet": {"nogil": True},
}
_COMPILED: dict[str, Any] = {}
_COMPILE_LOCK = threading.Lock()


def compiled(name: str) -> Callable[..., Any]:
    """The numba-compiled twin of kernel function ``name`` (``"search"``, ``"lift_feet"``).

    numba is imported, and every twin made, on the first call only.  Each twin is the
    plain function's own code object with globals in which the other kernel functions
    are twins too, so the plain functions stay plain (and numba's cache, keyed on this
    file and each function's name and line, finds them again in the next process).
    """
    with _COMPILE_LOCK:
        if not _COMPILED:
            import numba

            ns = dict(globals())
            for fname, options in JIT_OPTIONS.items():
                plain = globals()[fname]
                twin = types.FunctionType(plain.__code__, ns, plain.__name__,
                                          plain.__defaults__, plain.__closure__)
                twin.__qualname__, twin.__doc__ = plain.__qualname__, plain.__doc__
                try:
                    ns[fname] = numba.njit(cache=True, **options)(twin)
                except RuntimeError:  # no writable cache folder at all: compile every process
                    ns[fname] = numba.njit(**options)(twin)
            _COMPILED.update({fname: ns[fname] for fname in JIT_OPTIONS})
    return _COMPILED[name]


def _run(P: np.ndarray, index: SegmentIndex, k_out: int, cap: int,
         jit: bool = True) -> tuple:
    n = len(P)
    out_seg = np.zeros((n, k_out), np.int64)
    out_t = np.zeros((n, k_out))
    out_n = np.zeros(n, np.int64)
    run = compiled("search") if jit else search
    run(np.ascontiguousarray(P[:, 0]), np.ascontiguousarray(P[:, 1]),
           np.ascontiguousarray(P[:, 2]), index.nodes, index.level_off, index.level_count,
           index.group, index.prev, index.next, index.sag_km, k_out, cap, out_seg, out_t, out_n)
    return out_seg, out_t, out_n


def candidates(lon: np.ndarray, lat: np.ndarray, P: np.ndarray, index: SegmentIndex,
               jit: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate (point, segment, chord parameter t) triples for points ``P`` (ECEF km).

    Every point gets at least one; the geodesic nearest point of the layer lies
    on one of its candidates (the foot of the chord perpendicular at ``t``, lifted
    to the ellipsoid, is it to within 0.1 mm up to 1,500 km away).
    ``jit=False`` runs the plain-Python search (same answers; for a few points).
    """
    n = len(P)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    order = np.argsort(morton_key(lon, lat))
    Ps = P[order]
    seg, t, cnt = _run(Ps, index, FIRST_PASS_CANDIDATES, SCRATCH_SEGMENTS, jit)
    redo = np.flatnonzero((cnt < 0) | (cnt > FIRST_PASS_CANDIDATES))
    if len(redo):
        # points equidistant from many segments (the centre of a circle): search
        # again with room for every segment (counting first if the scratch overflowed)
        Pr = Ps[redo]
        need = cnt[redo]
        if (need < 0).any():
            need = _run(Pr, index, 1, index.n_segments, jit)[2]
        k = max(int(need.max()), FIRST_PASS_CANDIDATES)
        s2, t2, c2 = _run(Pr, index, k, index.n_segments, jit)
        seg = np.pad(seg, ((0, 0), (0, k - seg.shape[1])))
        t = np.pad(t, ((0, 0), (0, k - t.shape[1])))
        seg[redo], t[redo], cnt[redo] = s2, t2, c2
    width = seg.shape[1]
    use = np.arange(width)[None, :] < np.minimum(cnt, width)[:, None]
    rows, cols = np.nonzero(use)
    return order[rows], seg[rows, cols], t[rows, cols]


__all__ = ["JIT_OPTIONS", "candidates", "compiled", "lift_feet", "rank_tolerance_km", "search"]
