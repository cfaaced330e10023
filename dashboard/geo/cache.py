"""The one caching policy of the dashboard.

Every cache in the package is a :func:`memoize`-d function:

- **process-wide**: one cache per function, shared by every Streamlit session
  thread, the CLI and the tests (results depend only on their arguments);
- **bounded**: least-recently-used entries go past ``maxsize``;
- **bounded in bytes too**: all caches together keep at most
  :data:`PROCESS_MAX_BYTES` (estimated by :func:`approx_bytes`), least recently
  used first, so what sessions upload cannot grow the process without limit;
- **safe across threads**: one lock guards every read and write of the tables, so
  concurrent sessions never see a half-updated cache (the computation itself
  runs outside the lock, so a slow miss does not block other keys);
- **keyed on content**: arguments must be hashable values (numbers, text,
  dates, tuples, bytes) that *describe the content*, or the function names a
  ``key`` that turns its arguments into such a value (a :func:`content_token`
  of geometries and frames), never their identity or address;
- **read-only results**: callers must not modify what a cached function
  returns (functions that hand out mutable frames return a copy).

>>> @memoize(maxsize=2)
... def square(x: int) -> int:
...     return x * x
>>> square(3), square(3), square.cache_info().hits
(9, 9, 1)
>>> content_token(b"abc") == content_token(b"abc"), content_token(b"abc") == content_token(b"abd")
(True, False)
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, ParamSpec, TypeVar

import numpy as np

P = ParamSpec("P")
R = TypeVar("R")

_MISSING = object()
_REGISTRY: list[Any] = []


#: Most bytes (estimated by :func:`approx_bytes`) that every memoised result of the
#: process may hold together; past it the least recently used entries, across all
#: caches, go first.  One result larger than a quarter of it is returned, not kept.
PROCESS_MAX_BYTES: int = 512 * 1024 * 1024

#: Guards every table and the byte total (one lock: each operation under it is tiny).
_LOCK = threading.Lock()
_TICK = itertools.count()
_TOTAL_BYTES = [0]


class CacheInfo(NamedTuple):
    """Counters of one memoised function (``currbytes``: estimated bytes held)."""

    hits: int
    misses: int
    maxsize: int
    currsize: int
    currbytes: int = 0


class _Memo:
    """A bounded LRU table in front of one function (entries: value, bytes, last use)."""

    def __init__(self, fn: Callable[..., Any], maxsize: int,
                 key: Callable[..., Hashable] | None) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._fn = fn
        self._key = key
        self._maxsize = maxsize
        self._table: OrderedDict[Hashable, tuple[Any, int, int]] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._key is not None:
            key = self._key(*args, **kwargs)
        else:
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        with _LOCK:
            entry: Any = self._table.get(key, _MISSING)
            if entry is not _MISSING:
                self._table[key] = (entry[0], entry[1], next(_TICK))
                self._table.move_to_end(key)
                self._hits += 1
                return entry[0]
            self._misses += 1
        value = self._fn(*args, **kwargs)
        nbytes = approx_bytes(value)
        if nbytes > PROCESS_MAX_BYTES // 4:
            return value
        with _LOCK:
            old = self._table.pop(key, None)
            if old is not None:
                self._forget(old[1])
            self._table[key] = (value, nbytes, next(_TICK))
            self._bytes += nbytes
            _TOTAL_BYTES[0] += nbytes
            while len(self._table) > self._maxsize:
                self._pop_oldest()
            _evict_to_budget()
        return value

    def _forget(self, nbytes: int) -> None:
        self._bytes -= nbytes
        _TOTAL_BYTES[0] -= nbytes

    def _pop_oldest(self) -> None:
        """Drop the least recently used entry (caller holds the lock)."""
        _, (_, nbytes, _) = self._table.popitem(last=False)
        self._forget(nbytes)

    def _oldest_tick(self) -> int | None:
        return next(iter(self._table.values()))[2] if self._table else None

    def cache_info(self) -> CacheInfo:
        with _LOCK:
            return CacheInfo(self._hits, self._misses, self._maxsize, len(self._table),
                             self._bytes)

    def cache_clear(self) -> None:
        with _LOCK:
            _TOTAL_BYTES[0] -= self._bytes
            self._table.clear()
            self._bytes = self._hits = self._misses = 0


def _evict_to_budget() -> None:
    """Drop the least recently used entries of all caches until the total fits
    :data:`PROCESS_MAX_BYTES` (caller holds the lock)."""
    while _TOTAL_BYTES[0] > PROCESS_MAX_BYTES:
        ticks = [(t, m) for m in _REGISTRY if (t := m._oldest_tick()) is not None]
        if not ticks:
            return
        min(ticks, key=lambda tm: tm[0])[1]._pop_oldest()


def memoize(maxsize: int, key: Callable[..., Hashable] | None = None,
            ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a pure function with the dashboard's cache (see the module docstring).

    Parameters
    ----------
    maxsize : int
        Most entries kept; the least recently used go first.  All caches together
        also keep at most :data:`PROCESS_MAX_BYTES`.
    key : callable, optional
        Called with the function's arguments; returns the hashable cache key
        (default: the arguments themselves, which must then be hashable).
    """
    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        memo = _Memo(fn, maxsize, key)
        _REGISTRY.append(memo)
        return memo

    return wrap


def clear_all() -> None:
    """Empty every memoised function's table (tests; a reloaded data folder)."""
    for memo in _REGISTRY:
        memo.cache_clear()


def cache_bytes() -> int:
    """Estimated bytes held by every memoised result of this process."""
    with _LOCK:
        return _TOTAL_BYTES[0]


def cache_report() -> list[tuple[str, int, int]]:
    """``(function, entries, estimated bytes)`` of every cache, largest first."""
    rows = [(f"{m._fn.__module__}.{m._fn.__qualname__}", *m.cache_info()[3:5])
            for m in _REGISTRY]
    return sorted(rows, key=lambda r: -r[2])


# ------------------------------------------------------------------ sizes ---
#: Bytes per coordinate and per geometry that GEOS holds (2-3 doubles; object header).
_COORD_BYTES, _GEOM_BYTES = 24, 120
#: Items of a container measured before the rest are extrapolated.
_SAMPLE = 256


def approx_bytes(obj: Any, _seen: set[int] | None = None, _depth: int = 0) -> int:
    """Estimated bytes held by ``obj`` and what it refers to (each object once).

    Arrays count their buffers, geometries their coordinates (GEOS memory that
    ``sys.getsizeof`` does not see), frames their columns, containers and plain
    objects their items and attributes (a sample of large containers, scaled).

    >>> approx_bytes(b"x" * 1000) >= 1000, approx_bytes(np.zeros(1000)) >= 8000
    (True, True)
    >>> import shapely
    >>> approx_bytes(shapely.LineString([(0, 0), (1, 1), (2, 0)])) >= 3 * 16
    True
    """
    import shapely

    seen = set() if _seen is None else _seen
    if id(obj) in seen or obj is None or isinstance(obj, (bool, int, float)):
        return 0 if id(obj) in seen else sys.getsizeof(obj)
    seen.add(id(obj))
    if isinstance(obj, (bytes, bytearray, str, memoryview)):
        return sys.getsizeof(obj)
    if isinstance(obj, shapely.Geometry):
        return _COORD_BYTES * int(shapely.get_num_coordinates(obj)) + _GEOM_BYTES
    if isinstance(obj, np.ndarray):
        return obj.nbytes + (_object_items(obj.ravel(), seen, _depth) if obj.dtype == object else 0)
    if hasattr(obj, "columns") and hasattr(obj, "iloc"):
        return _frame_size(obj, seen, _depth)
    if hasattr(obj, "dtype") and hasattr(obj, "iloc"):  # a Series
        return _frame_size(obj.to_frame(), seen, _depth)
    if _depth > 8:
        return sys.getsizeof(obj)
    if isinstance(obj, dict):
        return sys.getsizeof(obj) + _items(list(obj.items()), seen, _depth)
    if isinstance(obj, (list, tuple, set, frozenset)):
        return sys.getsizeof(obj) + _items(list(obj), seen, _depth)
    attrs = getattr(obj, "__dict__", None)
    slots = [getattr(obj, s) for c in type(obj).__mro__ for s in getattr(c, "__slots__", ())
             if isinstance(s, str) and hasattr(obj, s)]
    size = sys.getsizeof(obj) + _items(slots, seen, _depth)
    return size + (approx_bytes(attrs, seen, _depth + 1) if isinstance(attrs, dict) else 0)


def _items(items: list[Any], seen: set[int], depth: int, n: int | None = None) -> int:
    """Bytes of ``items`` (a sample of ``n`` items when given: scaled to ``n``)."""
    n = len(items) if n is None else n
    sample = items[:_SAMPLE]
    total = sum(approx_bytes(x, seen, depth + 1) for x in sample)
    return total if n <= len(sample) else int(total * n / len(sample))


def _object_items(arr: np.ndarray, seen: set[int], depth: int) -> int:
    """Bytes behind an object array: geometries by their coordinates, else a sample."""
    import shapely

    if len(arr) and all(isinstance(g, shapely.Geometry) or g is None for g in arr[:_SAMPLE]):
        try:
            n = shapely.get_num_coordinates(arr)
            return int(n.sum()) * _COORD_BYTES + len(arr) * _GEOM_BYTES
        except (TypeError, shapely.errors.GEOSException):
            pass
    return _items(arr[:_SAMPLE].tolist(), seen, depth, len(arr))


def _frame_size(df: Any, seen: set[int], depth: int) -> int:
    """A (Geo)DataFrame: numeric buffers, text by a sample, geometry by coordinates."""
    total = int(df.index.memory_usage(deep=False))
    for name in df.columns:
        col = df[name]
        if str(col.dtype) == "geometry":
            total += _object_items(np.asarray(col.values, dtype=object), seen, depth)
        elif col.dtype == object:
            total += 8 * len(col) + _items(col.iloc[:_SAMPLE].tolist(), seen, depth, len(col))
        else:
            total += int(col.memory_usage(index=False, deep=False))
    return total


def content_token(*parts: Any) -> str:
    """A sha1 hex digest of content: bytes, text, numpy arrays, shapely geometries,
    or (Geo)DataFrames (geometry as WKB, other columns as text), in order.

    >>> import shapely
    >>> content_token(shapely.Point(1, 2)) == content_token(shapely.Point(1, 2))
    True
    >>> import geopandas as gpd
    >>> len(content_token(gpd.GeoDataFrame({"a": [1, 2]}, geometry=[None, shapely.Point(0, 0)])))
    40
    """
    h = hashlib.sha1()
    for part in parts:
        h.update(type(part).__name__.encode())
        h.update(_bytes_of(part))
    return h.hexdigest()


def _bytes_of(part: Any) -> bytes:
    import shapely

    if isinstance(part, bytes):
        return part
    if isinstance(part, str):
        return part.encode("utf-8")
    if isinstance(part, np.ndarray):
        if part.dtype == object:  # geometries; a missing one counts as an empty marker
            return b"".join(b"\x00" if w is None else w
                            for w in shapely.to_wkb(part, hex=False).tolist())
        return part.tobytes() + str(part.dtype).encode()
    if isinstance(part, shapely.Geometry):
        return shapely.to_wkb(part)
    if hasattr(part, "columns") and hasattr(part, "iloc"):
        return _frame_bytes(part)
    return repr(part).encode("utf-8")


def _frame_bytes(df: Any) -> bytes:
    import pandas as pd

    geom_name = getattr(df, "_geometry_column_name", None)
    chunks = [repr(tuple(df.columns)).encode(), str(len(df)).encode()]
    if geom_name is not None and geom_name in df.columns:
        chunks.append(_bytes_of(np.asarray(df[geom_name].values, dtype=object)))
        df = df.drop(columns=[geom_name])
    if len(df.columns):
        chunks.append(pd.util.hash_pandas_object(df.astype(str), index=False).values.tobytes())
    return b"".join(chunks)
