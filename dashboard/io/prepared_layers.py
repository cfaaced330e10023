"""Built-in layers prepared once for measuring, and kept in a cache folder between runs.

``python -m dashboard distance LAT,LON`` measures to one or two built-in layers.
Reading their GeoJSON (geopandas) and building their segment indices takes one
to two seconds, every run.  So the first run stores what measuring needs, and
every later run loads it in tens of milliseconds, without geopandas:

- the layer's :class:`~dashboard.geo.segindex.SegmentIndex`, as plain arrays
  (:func:`~dashboard.geo.segindex.index_arrays`);
- its features' labels (what :func:`~dashboard.geo.distance.nearest`'s ``feature``
  column holds), as JSON;
- for the NATO border, each feature's ``nato_since`` as a day number, so the border
  on a date is chosen without reading the GeoJSON; each distinct border (set of
  features kept on some date) is stored once too.

All of it is built by the code the full path runs (:func:`~dashboard.io.layers_io.load_layer`,
:func:`~dashboard.geo.nato.nato_border_on`, :func:`~dashboard.geo.distance.pick_id_field`,
:func:`~dashboard.geo.segindex.get_index`: :func:`measured_layer`), so the answers are
the same; ``tests/test_prepared_layers.py`` compares the two on many points.

**Where.** ``$DASHBOARD_CACHE_DIR`` when set (``off`` stores nothing), else
``$XDG_CACHE_HOME/dashboard`` (``~/.cache/dashboard``), else a private folder in
the system's temporary folder; when none is writable nothing is stored and each
run builds in memory, as before.  One file a layer (and NATO border) and version
of the code; the folder keeps at most
:data:`~dashboard.data.limits.PREPARED_CACHE_MAX_BYTES` (the oldest files go first).

**When a stored file is used.** Only when everything it was built from still
matches: the format (:data:`FORMAT`), the source of the modules that build it, the
shapely/GEOS, pyproj/PROJ and numpy versions, and the layer's GeoJSON (size and
modification time, or else its SHA-256, so a fresh clone reuses nothing stale
and a touched file is rehashed, not rebuilt).  Anything else (a stale file, a
truncated or corrupt one: every array carries a CRC-32; arrays that do not fit
together) is rebuilt silently and replaced atomically (:mod:`dashboard.io.atomic`);
a failure to store is ignored.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import tempfile
import threading
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dashboard.data.catalogue import CATALOGUE
from dashboard.geo.errors import InputError
from dashboard.geo.segindex import SegmentIndex, index_arrays, index_from_arrays

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["FORMAT", "PreparedLayer", "cache_dir", "code_key", "forget",
           "measured_layer", "prepared_layer"]

#: Format of the stored files; a change makes every stored file stale.
FORMAT: int = 1
#: Environment variable naming the cache folder (``off``: store nothing).
ENV_DIR: str = "DASHBOARD_CACHE_DIR"
#: The modules whose source decides what is stored (paths under the package).
BUILT_BY: tuple[str, ...] = (
    "geo/segindex.py", "geo/edges.py", "geo/geodesy.py", "geo/nato.py", "geo/distance.py",
    "io/layers_io.py", "io/filecheck.py", "io/prepared_layers.py", "data/catalogue.py",
)

_PACKAGE = Path(__file__).resolve().parents[1]
_LOCK = threading.Lock()
_MEMORY: dict[tuple[str, str, int, int], PreparedLayer] = {}


@dataclass(frozen=True)
class PreparedLayer:
    """What measuring to one built-in layer (as of one date) needs.

    Attributes
    ----------
    name : str
        The layer's name.
    index : SegmentIndex
        Its features as geodesic segments in the ECEF capsule tree.
    labels : ndarray of object
        Each feature's label (its id field's value, or its row number), in layer order.
    since_days : tuple of (int or None), or None
        For a layer with ``nato_since``: each feature's date as ``date.toordinal()``
        (None where it is not a date).
    """

    name: str
    index: SegmentIndex
    labels: np.ndarray
    since_days: tuple[int | None, ...] | None = None


# ------------------------------------------------------------------ the layer measured
def measured_layer(spec: str, gdf: gpd.GeoDataFrame, on: date | None,
                   ) -> tuple[gpd.GeoDataFrame, str | None]:
    """The features of layer ``spec`` (already loaded as ``gdf``) that a measurement
    uses, and the field naming them (None: row labels): the NATO border as of ``on``,
    the catalogue's id field when the layer has it, else the first usual one.

    The one rule, for the full path (:func:`dashboard.cli.common.target_layer`)
    and for what is stored here.
    """
    from dashboard.geo.distance import pick_id_field
    from dashboard.geo.nato import nato_border_on

    if spec == "nato_border" and on is not None:
        gdf = nato_border_on(on, gdf)
        if len(gdf) == 0:
            raise InputError(f"no NATO border segment existed on {on.isoformat()}")
    id_field = CATALOGUE[spec].id_field if spec in CATALOGUE else None
    if id_field is not None and id_field not in gdf.columns:
        id_field = None
    return gdf, pick_id_field(gdf, id_field)


def _labels(gdf: gpd.GeoDataFrame, field: str | None) -> list[Any]:
    """Each feature's label as a plain JSON value (what the full path prints)."""
    values = gdf[field].to_numpy() if field else gdf.index.to_numpy()
    return [v.item() if hasattr(v, "item") else v for v in values]


def _since_days(gdf: gpd.GeoDataFrame) -> list[int | None] | None:
    """``nato_since`` of each feature as a day number, read as :func:`nato_border_on` reads it."""
    import pandas as pd

    if "nato_since" not in gdf.columns:
        return None
    since = pd.to_datetime(gdf["nato_since"], errors="coerce").dt.date
    return [None if pd.isna(d) else d.toordinal() for d in since]


def _object_array(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


# ------------------------------------------------------------------ where and what
def cache_dir() -> Path | None:
    """The folder prepared layers are kept in, created if needed (None: store nothing).

    ``$DASHBOARD_CACHE_DIR`` (``off``/``0``/empty: None), else ``$XDG_CACHE_HOME/dashboard``
    or ``~/.cache/dashboard``, else ``dashboard-<uid>`` in the temporary folder; each
    only when it is a folder this user owns and may write, not writable by others.
    """
    env = os.environ.get(ENV_DIR)
    if env is not None:
        if env.strip().lower() in ("", "0", "off", "no", "false"):
            return None
        candidates = [Path(env).expanduser()]
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
        uid = os.getuid() if hasattr(os, "getuid") else 0
        candidates = [Path(xdg) / "dashboard",
                      Path(tempfile.gettempdir()) / f"dashboard-{uid}"]
    for folder in candidates:
        d = folder / "prepared"
        if _usable(d):
            return d
    return None


def _usable(d: Path) -> bool:
    """``d`` exists (made private if new), is a folder of this user, writable by it only."""
    try:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(d)
    except OSError:
        return False
    if os.name == "posix" and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        return False  # another user's, or others may write: they could plant answers
    return stat.S_ISDIR(st.st_mode) and os.access(d, os.W_OK | os.X_OK)


def code_key() -> str:
    """A hash of what decides the stored content: :data:`FORMAT`, the source of
    :data:`BUILT_BY` and the versions of the libraries that compute it."""
    import pyproj
    import shapely

    h = hashlib.sha256(f"format {FORMAT}".encode())
    for part in (np.__version__, shapely.__version__, shapely.geos_version_string,
                 pyproj.__version__, pyproj.proj_version_str):
        h.update(part.encode() + b"\0")
    for rel in BUILT_BY:
        try:
            h.update(rel.encode() + b"\0" + (_PACKAGE / rel).read_bytes())
        except OSError:
            h.update(rel.encode() + b"\0missing")
    return h.hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _source(name: str) -> tuple[Path, os.stat_result]:
    """The built-in layer's GeoJSON file and its stat (InputError as the full path says it)."""
    path = CATALOGUE[name].path
    if path is None or not path.is_file():
        from dashboard.io.layers_io import layer_path

        layer_path(name)  # raises the full path's error
    return path, os.stat(path)


# ------------------------------------------------------------------ store and load
def _entry_path(folder: Path, name: str, variant: str, key: str) -> Path:
    return folder / f"{name}.{variant}.{key[:16]}.npz"


def _crc(array: np.ndarray) -> int:
    """CRC-32 of an array's bytes."""
    return zlib.crc32(np.ascontiguousarray(array).data.cast("B"))


def _pack(layer: PreparedLayer, meta: dict[str, Any]) -> bytes:
    arrays = index_arrays(layer.index)
    meta = {**meta, "labels": list(layer.labels), "since_days": layer.since_days,
            "crc32": {k: _crc(v) for k, v in arrays.items()}}
    text = json.dumps(meta, ensure_ascii=False, allow_nan=True).encode("utf-8")
    arrays["meta"] = np.frombuffer(text, dtype=np.uint8)
    buf = io.BytesIO()
    savez: Any = np.savez  # uncompressed: loads at disk/memory speed
    savez(buf, **arrays)
    return buf.getvalue()


def _unpack(path: Path, name: str, key: str, src: Path, st: os.stat_result,
            ) -> PreparedLayer | None:
    """The stored layer at ``path``, or None when it is missing, stale or damaged."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
        if meta.get("format") != FORMAT or meta.get("code") != key or meta.get("layer") != name:
            return None
        source = meta["source"]
        if (source["size"], source["mtime_ns"]) != (st.st_size, st.st_mtime_ns) \
                and source["sha256"] != _file_sha256(src):
            return None
        crc = meta["crc32"]
        if set(crc) != set(arrays) or any(_crc(v) != crc[k] for k, v in arrays.items()):
            return None
        index = index_from_arrays(arrays)
        labels = meta["labels"]
        if len(labels) != index.n_features:
            return None
        since = meta.get("since_days")
        return PreparedLayer(name, index, _object_array(labels),
                             None if since is None else tuple(since))
    except Exception:  # any damage means: build it again
        return None


def _store(folder: Path, path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, then drop the oldest other files until the
    folder holds at most :data:`~dashboard.data.limits.PREPARED_CACHE_MAX_BYTES`.  A failure
    is ignored (the next run builds again).  Files of other code are not dropped for being
    other: two checkouts of different versions may share the folder without rebuilding
    each other's files."""
    from dashboard.data import limits  # here: a run that only loads needs none of it
    from dashboard.io.atomic import write_bytes_atomic

    try:
        write_bytes_atomic(path, data)
        files = sorted(((p.stat(), p) for p in folder.glob("*.npz") if p != path),
                       key=lambda sp: sp[0].st_mtime_ns)
        total = len(data) + sum(st.st_size for st, _ in files)
        for st, old in files:
            if total <= limits.PREPARED_CACHE_MAX_BYTES:
                break
            old.unlink(missing_ok=True)
            total -= st.st_size
    except (OSError, InputError):
        pass


def _build(name: str, on: date | None, kept: tuple[int, ...] | None) -> PreparedLayer:
    """Build the prepared layer as the full path does (geopandas, the index)."""
    from dashboard.geo.segindex import get_index
    from dashboard.io.layers_io import load_layer

    full = load_layer(name)
    gdf, field = measured_layer(name, full, on)
    if kept is not None and len(gdf) != len(kept):
        raise RuntimeError(f"{name}: the border on {on} has {len(gdf)} features, "
                           f"not the {len(kept)} its dates say")  # pragma: no cover
    since = _since_days(full) if kept is None else None
    return PreparedLayer(name, get_index(gdf), _object_array(_labels(gdf, field)),
                         None if since is None else tuple(since))


def _prepared(name: str, variant: str, on: date | None,
              kept: tuple[int, ...] | None) -> PreparedLayer:
    """From memory, else from the cache folder, else built (and stored)."""
    src, st = _source(name)
    mem_key = (name, variant, st.st_size, st.st_mtime_ns)
    with _LOCK:
        hit = _MEMORY.get(mem_key)
    if hit is not None:
        return hit
    folder = cache_dir()
    key = code_key() if folder is not None else ""
    layer = None
    if folder is not None:
        path = _entry_path(folder, name, variant, key)
        layer = _unpack(path, name, key, src, st)
    if layer is None:
        layer = _build(name, on, kept)
        if folder is not None:
            meta = {"format": FORMAT, "code": key, "layer": name, "variant": variant,
                    "source": {"size": st.st_size, "mtime_ns": st.st_mtime_ns,
                               "sha256": _file_sha256(src)}}
            _store(folder, path, _pack(layer, meta))
    with _LOCK:
        _MEMORY[mem_key] = layer
    return layer


def forget() -> None:
    """Drop the prepared layers this process holds (the cache folder is left as it is)."""
    with _LOCK:
        _MEMORY.clear()


def prepared_layer(name: str, on: date | None = None) -> PreparedLayer:
    """The built-in layer ``name`` (the NATO border as of ``on``) ready to measure to.

    Loaded from the cache folder when a valid file is there (no geopandas), else
    built as the full path builds it and stored.  Raises :class:`InputError` as the
    full path does: an unknown or missing layer, no NATO border on ``on``.
    """
    if name not in CATALOGUE:
        raise InputError(f"not a built-in layer: {name!r}")
    base = _prepared(name, "all", None, None)
    if name != "nato_border" or on is None:
        return base
    if base.since_days is None:
        raise InputError("the border layer has no 'nato_since' field")
    day = on.toordinal()
    kept = tuple(i for i, d in enumerate(base.since_days) if d is not None and d <= day)
    if not kept:
        raise InputError(f"no NATO border segment existed on {on.isoformat()}")
    if len(kept) == len(base.since_days):
        return base  # every feature: the same layer (the same index and labels)
    variant = "on-" + hashlib.sha256(repr(kept).encode()).hexdigest()[:12]
    return _prepared(name, variant, on, kept)
