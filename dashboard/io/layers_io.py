"""Reading layers: the built-in ``geodata/`` files and the user's own files.

Built-in layers are read once per process (cached on path, size and
modification time) and handed out as copies.  Files from users go through
:func:`read_user_layer`, which caps their size, checks that coordinates are
WGS84 longitude/latitude, repairs invalid polygons and explains every change in
``messages``; anything wrong becomes an :class:`InputError` with one line a user
understands, never a traceback.  The checks on bytes, text, JSON and GeoJSON
geometry are shared with every other reader (:mod:`dashboard.io.filecheck`);
a file named on the command line is stat-ed and refused before it is read when
it is over :data:`~dashboard.data.limits.MAX_FILE_LAYER_BYTES`.  A CSV file's
points are read by :func:`dashboard.io.points_table.read_points_table`, which
drops rows without numeric coordinates (and says so).  The caps are defined in
:mod:`dashboard.data.limits` and imported here under the same names.
"""
from __future__ import annotations

import io
import json
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.data.catalogue import CATALOGUE as LAYERS
from dashboard.data.limits import (
    MAX_FILE_LAYER_BYTES,
    MAX_FILE_LAYER_VERTICES,
    MAX_PROPERTY_CHARS,
    MAX_PROPERTY_DEPTH,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_VERTICES,
)
from dashboard.geo.cache import memoize
from dashboard.geo.errors import InputError
from dashboard.io.filecheck import (
    GEOMETRY_TYPES,
    HEAD_BYTES,
    VertexBudget,
    check_depth,
    check_lonlat,
    check_size,
    decode_text,
    json_head,
    kind_of,
    load_json,
    parse_geometry,
    read_path,
    regular_file,
    shown,
    sniff,
    swapped_hint,
)
from dashboard.io.points_table import find_lonlat_columns, read_points_table
from dashboard.io.wording import crs_note, csv_reason, declared_crs

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".geojson", ".json", ".csv")


@dataclass
class UserLayer:
    """A layer read from a user's file.

    Attributes
    ----------
    gdf : GeoDataFrame
        Features in WGS84 lon/lat (EPSG:4326).
    messages : list of str
        What was changed or dropped while reading, one sentence each.
    name : str
        A short layer name derived from the file name.
    """

    gdf: gpd.GeoDataFrame
    messages: list[str] = field(default_factory=list)
    name: str = "user"


# ------------------------------------------------------------------ built-in layers
def layer_path(name_or_path: str) -> Path:
    """Path of a built-in layer name or of a GeoJSON file; :class:`InputError` if neither."""
    if name_or_path in LAYERS:
        path = LAYERS[name_or_path].path
        if path is None or not path.exists():
            raise InputError(f"built-in layer {name_or_path!r} is missing: {path} does not exist")
        return path
    p = Path(str(name_or_path)).expanduser()
    if os.path.lexists(p) or p.suffix.lower() in SUPPORTED_EXTENSIONS:
        regular_file(p)  # a FIFO, device or folder: refused by its type, named as given
        return p
    raise InputError(f"unknown layer {name_or_path!r}: use one of {', '.join(LAYERS)} "
                     "or the path of a GeoJSON file")


def load_layer(name_or_path: str) -> gpd.GeoDataFrame:
    """A built-in layer by name (``"nato_border"``) or a GeoJSON file by path.

    Results are cached per file (path, size, modification time); each call
    returns a copy, so callers may modify it.  Columns keep GeoJSON types (lists
    and objects stay Python lists and dicts).

    A file is read as :func:`read_user_layer` reads an upload, with the caps
    :data:`MAX_FILE_LAYER_BYTES` and :data:`MAX_FILE_LAYER_VERTICES`; its size
    is checked before it is read.  What was repaired or dropped is in
    ``gdf.attrs["messages"]`` (a list of str; empty for built-in layers).

    Raises
    ------
    InputError
        Unknown name, missing or unreadable file, or a file :func:`read_user_layer` refuses.
    """
    path = layer_path(name_or_path).resolve()
    st = regular_file(path) if name_or_path in LAYERS else _stat_as(path, str(name_or_path))
    builtin = name_or_path in LAYERS
    shown_as = str(name_or_path) if not builtin else path.name
    return _load_cached(str(path), st.st_size, st.st_mtime_ns, builtin, shown_as).copy()


def _stat_as(path: Path, name: str):
    """:func:`regular_file` of a resolved path, its messages naming the path as given."""
    try:
        return regular_file(path)
    except InputError as exc:
        raise InputError(str(exc).replace(shown(str(path)), shown(name))) from None


def _extension(filename: str) -> str:
    """The file's extension, if it is one this reader reads."""
    ext = Path(filename or "").suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise InputError(f"{shown(filename)}: unsupported file type {ext or '(none)'}; "
                         "use .geojson, .json or .csv")
    return ext


def _layer_head(head: bytes, name: str) -> None:
    """A layer file's type from its name and first bytes, before the rest is read."""
    if _extension(name) != ".csv":
        json_head(head, name)


@memoize(maxsize=32)
def _load_cached(path: str, size: int, mtime_ns: int, builtin: bool,
                 shown_as: str) -> gpd.GeoDataFrame:
    if builtin:
        try:
            with open(path, "rb") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {path}: {exc}") from exc
        return _geojson_to_gdf(data, Path(path).name, VertexBudget(10**9, path))[0]
    data = read_path(path, MAX_FILE_LAYER_BYTES, _layer_head, name=shown_as)
    layer = read_user_layer(data, shown_as, max_bytes=MAX_FILE_LAYER_BYTES,
                            max_vertices=MAX_FILE_LAYER_VERTICES)
    layer.gdf.attrs["messages"] = list(layer.messages)
    return layer.gdf


# ---------------------------------------------------------------------- GeoJSON
_EXPECTED = "expected a FeatureCollection, a Feature or a geometry"


def _features(data: object, name: str) -> list:
    """The features of a parsed GeoJSON document (a lone geometry is one feature)."""
    if not isinstance(data, dict):
        raise InputError(f"{shown(name)} is JSON but not GeoJSON: a JSON {kind_of(data)}; "
                         f"{_EXPECTED} object")
    t = data.get("type")
    if t == "FeatureCollection":
        feats = data.get("features")
        if not isinstance(feats, list):
            raise InputError(f"{shown(name)}: the FeatureCollection has no 'features' list "
                             f"(found a JSON {kind_of(feats)})")
        if not feats:
            raise InputError(f"{shown(name)} has no features (an empty FeatureCollection)")
        return feats
    if t == "Feature":
        return [data]
    if t in GEOMETRY_TYPES:
        return [{"type": "Feature", "properties": {}, "geometry": data}]
    if t is None:
        raise InputError(f"{shown(name)} is JSON but not GeoJSON: the object has no "
                         f"\"type\"; {_EXPECTED}")
    raise InputError(f"{shown(name)} is not GeoJSON: type is {str(t)[:40]!r}; {_EXPECTED}")


def _properties(f: dict, where: str, cut: list[int]) -> dict:
    """A feature's properties (``id`` from the feature if it has none); long texts cut."""
    p = f.get("properties")
    if p is None:
        p = {}
    if not isinstance(p, dict):
        raise InputError(f"{where}: 'properties' must be an object or null, not a JSON "
                         f"{kind_of(p)}")
    p = dict(p)
    if any(isinstance(v, (list, dict)) for v in p.values()):
        check_depth(p, MAX_PROPERTY_DEPTH, f"{where}: a property")
    for k, v in p.items():
        if isinstance(v, str) and len(v) > MAX_PROPERTY_CHARS:
            p[k] = v[:MAX_PROPERTY_CHARS] + "…"
            cut[0] += 1
    if "id" not in p and f.get("id") is not None:
        p["id"] = f["id"]
    return p


def _geojson_to_gdf(data: object, name: str, budget: VertexBudget,
                    ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Features to a GeoDataFrame (EPSG:4326) and notes; geometries parsed and counted
    by :func:`~dashboard.io.filecheck.parse_geometry` (null stays None)."""
    feats = _features(data, name)
    geoms, props, cut = [], [], [0]
    for i, f in enumerate(feats):
        where = f"{shown(name)}: feature {i + 1}"
        if not isinstance(f, dict) or f.get("type") != "Feature":
            what = f"type {str(f.get('type'))[:40]!r}" if isinstance(f, dict) else \
                f"a JSON {kind_of(f)}"
            raise InputError(f"{where} is not a GeoJSON Feature ({what})")
        geoms.append(parse_geometry(f.get("geometry"), where, budget))
        props.append(_properties(f, where, cut))
    notes = [f"cut {cut[0]:,} text propert{'y' if cut[0] == 1 else 'ies'} longer than "
             f"{MAX_PROPERTY_CHARS:,} characters"] if cut[0] else []
    df = pd.DataFrame.from_records(props) if props else pd.DataFrame(index=range(0))
    df = df.reset_index(drop=True)
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(arr, crs="EPSG:4326"), crs="EPSG:4326")
    return gdf, notes


# ---------------------------------------------------------------------- user files
def read_user_layer(data: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES,
                    max_vertices: int = MAX_UPLOAD_VERTICES) -> UserLayer:
    """Read a user's GeoJSON (``.geojson``/``.json``) or CSV (lat/lon columns) file.

    Parameters
    ----------
    data : bytes
        File content (UTF-8 text; a BOM is allowed).
    filename : str
        Original file name; its extension decides the format.
    max_bytes, max_vertices : int
        Caps (defaults :data:`MAX_UPLOAD_BYTES`, :data:`MAX_UPLOAD_VERTICES`).

    Returns
    -------
    UserLayer
        Features in EPSG:4326 and the list of messages about what was repaired,
        dropped or ignored (heights, invalid polygons, null geometries, long
        texts, duplicate keys, a lat/lon order that looks swapped).

    Raises
    ------
    InputError
        One line naming the file and the problem: too big, an archive or binary,
        not UTF-8, not JSON or not GeoJSON, no features, projected or swapped
        coordinates, text coordinates, an antimeridian crossing, too many
        vertices, a CSV without lat/lon columns, ...
    """
    try:
        return _read_user_layer(data, filename, max_bytes, max_vertices)
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"{shown(filename)} is nested too deeply") from None
    except MemoryError:
        raise InputError(f"{shown(filename)} is too large to read in memory") from None
    except Exception as exc:  # never a traceback for a bad file
        raise InputError(f"{shown(filename)} could not be read ({type(exc).__name__})") from exc


def _read_user_layer(data: bytes, filename: str, max_bytes: int, max_vertices: int) -> UserLayer:
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = Path(filename or "user").stem or "user"
    ext = _check_file(data, filename, max_bytes)
    if ext == ".csv":
        gdf, messages = _read_csv(data, filename, max_vertices)
    else:
        gdf, messages = _read_geojson(data, filename, max_vertices)
    if len(gdf):
        xy = shapely.get_coordinates(np.asarray(gdf.geometry.values))
        hint = swapped_hint(xy[:, 0], xy[:, 1], filename)
        if hint:
            messages.append(hint)
    return UserLayer(gdf, messages, name)


def _check_file(data: bytes, filename: str, max_bytes: int) -> str:
    """The file's extension, once its size, type and content pass."""
    check_size(len(data), max_bytes, filename)
    if not data.strip():
        raise InputError(f"{shown(filename)} is empty")
    sniff(data[:HEAD_BYTES], filename)
    return _extension(filename)


def _read_csv(data: bytes, filename: str, max_vertices: int) -> tuple[gpd.GeoDataFrame, list[str]]:
    text = decode_text(data, filename)
    try:
        with warnings.catch_warnings():  # a row longer than the header: refused, not shifted
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(io.StringIO(text), sep=None, engine="python", index_col=False)
    except Exception as exc:
        raise InputError(f"{shown(filename)} is not a readable CSV: {csv_reason(exc)}") from None
    if len(df) > max_vertices:
        raise InputError(f"{shown(filename)} has {len(df):,} rows; the limit is {max_vertices:,}")
    try:
        find_lonlat_columns(df.columns)
        if len(df) == 0:
            raise InputError("it has a header but no data rows")
        table, lon, lat, messages = read_points_table(df)
    except InputError as exc:
        raise InputError(f"{shown(filename)}: {exc}") from None
    gdf = gpd.GeoDataFrame(table.reset_index(drop=True), geometry=gpd.points_from_xy(lon, lat),
                           crs="EPSG:4326")
    return gdf, list(messages)


def _read_geojson(data: bytes, filename: str, max_vertices: int,
                  ) -> tuple[gpd.GeoDataFrame, list[str]]:
    obj, messages = load_json(data, filename)
    crs_name = declared_crs(obj)
    budget = VertexBudget(max_vertices, filename)
    gdf, notes = _geojson_to_gdf(obj, filename, budget)
    messages += notes
    gdf = _drop_missing(gdf, filename, messages)
    arr = np.asarray(gdf.geometry.values)
    if budget.has_z:
        messages.append("ignored the third (height) coordinate")
    xy = shapely.get_coordinates(arr)
    try:
        check_lonlat(xy[:, 0], xy[:, 1])
    except InputError as exc:
        hint = f" (the file declares CRS {str(crs_name)[:60]})" if crs_name else ""
        raise InputError(f"{shown(filename)}: {exc}{hint}") from None
    note = crs_note(obj, filename)
    if note:
        messages.append(note)
    gdf, arr = _repair(gdf, arr, filename, messages)
    return gdf.set_geometry(gpd.GeoSeries(arr, crs="EPSG:4326", index=gdf.index)), messages


def _drop_missing(gdf: gpd.GeoDataFrame, filename: str, messages: list[str]) -> gpd.GeoDataFrame:
    geoms = np.asarray(gdf.geometry.values)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.all():
        raise InputError(f"{shown(filename)} has no features with a geometry "
                         f"({len(geoms):,} null or empty)")
    if missing.any():
        messages.append(f"dropped {int(missing.sum())} feature(s) without geometry "
                        "(null or empty)")
        gdf = gdf.loc[~missing].reset_index(drop=True)
    return gdf


def _repair(gdf: gpd.GeoDataFrame, arr: np.ndarray, filename: str, messages: list[str],
            ) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Invalid geometries repaired with make_valid (and said); collapsed ones dropped."""
    invalid = ~shapely.is_valid(arr)
    if not invalid.any():
        return gdf, arr
    reasons = shapely.is_valid_reason(arr[invalid])
    fixed = shapely.make_valid(arr[invalid], method="structure", keep_collapsed=False)
    arr = arr.copy()
    arr[invalid] = fixed
    still_empty = shapely.is_empty(arr)
    first = str(reasons[0]).split("[")[0].strip()
    messages.append(f"repaired {int(invalid.sum())} invalid geometr"
                    f"{'y' if invalid.sum() == 1 else 'ies'} with make_valid "
                    f"(first problem: {first})")
    if still_empty.any():
        messages.append(f"dropped {int(still_empty.sum())} feature(s) that collapsed "
                        "to nothing when repaired")
        gdf = gdf.loc[~still_empty].reset_index(drop=True)
        arr = arr[~still_empty]
    if len(arr) == 0:
        raise InputError(f"{shown(filename)}: no valid geometry left after repair")
    return gdf, arr


# ---------------------------------------------------------------------- writing
def _json_value(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if not math.isfinite(f) else f
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    if isinstance(v, np.ndarray):
        return [_json_value(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    if v is None or isinstance(v, (str, int, bool)):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def to_geojson_dict(gdf: gpd.GeoDataFrame, precision: int = 7) -> dict:
    """A GeoDataFrame as a GeoJSON FeatureCollection dict (RFC 7946: lon/lat, NaN -> null)."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    feats = []
    geoms = np.asarray(gdf.geometry.values)
    texts = shapely.to_geojson(geoms)
    for i, (text, geom) in enumerate(zip(texts, geoms)):
        props = {str(c): _json_value(gdf[c].iloc[i]) for c in cols}
        g = json.loads(text) if geom is not None else None
        if g is not None:
            g = _round_coords(g, precision)
        feats.append({"type": "Feature", "properties": props, "geometry": g})
    return {"type": "FeatureCollection", "features": feats}


def _round_coords(g, nd: int):
    if isinstance(g, dict):
        return {k: (_round_coords(v, nd) if k in ("coordinates", "geometries") else v)
                for k, v in g.items()}
    if isinstance(g, list):
        if g and isinstance(g[0], (int, float)):
            return [round(float(x), nd) for x in g]
        return [_round_coords(x, nd) for x in g]
    return g
