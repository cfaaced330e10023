"""The one caching policy of the dashboard.

Every cache in the package is a :func:`memoize`-d function:

- **process-wide**: one cache per function, shared by every Streamlit session
  thread, the CLI and the tests (results depend only on their arguments);
- **bounded**: least-recently-used entries go past ``maxsize``;
- **safe across threads**: a lock guards every read and write of the table, so
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
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, ParamSpec, TypeVar

import numpy as np

P = ParamSpec("P")
R = TypeVar("R")

_MISSING = object()
_REGISTRY: list[Any] = []


class CacheInfo(NamedTuple):
    """Counters of one memoised function."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class _Memo:
    """A bounded, lock-guarded LRU table in front of one function."""

    def __init__(self, fn: Callable[..., Any], maxsize: int,
                 key: Callable[..., Hashable] | None) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._fn = fn
        self._key = key
        self._maxsize = maxsize
        self._table: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._key is not None:
            key = self._key(*args, **kwargs)
        else:
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        with self._lock:
            value = self._table.get(key, _MISSING)
            if value is not _MISSING:
                self._table.move_to_end(key)
                self._hits += 1
                return value
            self._misses += 1
        value = self._fn(*args, **kwargs)
        with self._lock:
            self._table[key] = value
            self._table.move_to_end(key)
            while len(self._table) > self._maxsize:
                self._table.popitem(last=False)
        return value

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, self._maxsize, len(self._table))

    def cache_clear(self) -> None:
        with self._lock:
            self._table.clear()
            self._hits = self._misses = 0


def memoize(maxsize: int, key: Callable[..., Hashable] | None = None,
            ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a pure function with the dashboard's cache (see the module docstring).

    Parameters
    ----------
    maxsize : int
        Most entries kept; the least recently used go first.
    key : callable, optional
        Called with the function's arguments; returns the hashable cache key
        (default: the arguments themselves, which must then be hashable).
    """
    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        memo = _Memo(fn, maxsize, key)
        _REGISTRY.append(memo)
        return memo  # type: ignore[return-value]

    return wrap


def clear_all() -> None:
    """Empty every memoised function's table (tests; a reloaded data folder)."""
    for memo in _REGISTRY:
        memo.cache_clear()


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
