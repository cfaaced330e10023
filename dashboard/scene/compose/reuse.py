"""What one scene shares with the next: the parts a rerun would otherwise rebuild unchanged.

A page reruns its script on every widget change and map event, and each run builds
its scene again (:func:`dashboard.scene.compose.build_scene`).  Most of a scene does
not change between two runs (a units change relabels it, a click moves the marker, a
pan changes the view): the parts here are kept process-wide, keyed by cheap values
(ids, dates, units, the incident catalogue's token, a built-in layer file's size and
modification time), never by hashing a frame.  Frames handed out are shared by every
session and by the next scene: read only, as the scene's frames always are.

Two kinds of keys:

- **by value**: :func:`shared_layer` (a built-in layer, keyed by its file),
  :func:`nato_on` (the border on a date);
- **by identity** (:func:`by_identity`): a frame derived from a frame that is itself
  shared (the incidents' labels, the precision circles visible at a zoom) is kept while
  its source is the very same object; the entry holds its source, so no other object
  can take the source's ``id`` while the entry lives.

Every cache is a :func:`dashboard.geo.cache.memoize` table (bounded, cleared by
:func:`dashboard.geo.cache.clear_all`).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

import geopandas as gpd

from dashboard.geo.cache import memoize
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import layer_path, load_layer

__all__ = ["by_identity", "layer_file_token", "nato_on", "shared_layer"]

R = TypeVar("R")


def layer_file_token(name: str) -> tuple[str, int, int]:
    """``(name, size, mtime_ns)`` of a built-in layer's file: a new file is a new token."""
    st = layer_path(name).stat()
    return name, int(st.st_size), int(st.st_mtime_ns)


@memoize(maxsize=32)
def _shared_layer(token: tuple[str, int, int]) -> gpd.GeoDataFrame:
    return load_layer(token[0])


def shared_layer(name: str) -> gpd.GeoDataFrame:
    """The built-in layer ``name`` (:func:`~dashboard.io.layers_io.load_layer`), one
    object per file version, shared: do not modify (``load_layer`` gives a copy to change)."""
    return _shared_layer(layer_file_token(name))


@memoize(maxsize=16)
def _nato_on(on: date, token: tuple[str, int, int]) -> gpd.GeoDataFrame:
    return nato_border_on(on, shared_layer("nato_border"))


def nato_on(on: date) -> gpd.GeoDataFrame:
    """:func:`~dashboard.geo.nato.nato_border_on` of the built-in border (shared: read only)."""
    return _nato_on(on, layer_file_token("nato_border"))


def by_identity(maxsize: int, extra: Callable[..., Hashable] | None = None,
                ) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Memoise ``fn(source, *args)`` on the identity of ``source`` (and ``extra(source,
    *args)``, e.g. the other arguments), for sources that are shared and never modified.

    >>> calls = []
    >>> @by_identity(4)
    ... def double(xs):
    ...     calls.append(1)
    ...     return [2 * x for x in xs]
    >>> a = [1, 2]
    >>> double(a) is double(a), len(calls), double([1, 2]) == double(a), len(calls)
    (True, 1, True, 2)
    """
    def wrap(fn: Callable[..., R]) -> Callable[..., R]:
        def key(source: Any, *args: Any) -> Hashable:
            return id(source), None if extra is None else extra(source, *args)

        @memoize(maxsize=maxsize, key=key)
        def held(source: Any, *args: Any) -> tuple[Any, R]:
            return source, fn(source, *args)  # the entry holds its source: its id stays its own

        def call(source: Any, *args: Any) -> R:
            kept, value = held(source, *args)
            if kept is not source:  # cannot happen while the entry lives; never trust an id
                return fn(source, *args)
            return value

        call.__doc__, call.__name__ = fn.__doc__, fn.__name__
        call.cache_clear = held.cache_clear  # type: ignore[attr-defined]
        return call

    return wrap
