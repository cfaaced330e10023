"""GeoTable: the one compact feature format the live map reads.

A GeoTable holds the features of one layer as flat columns instead of verbose
GeoJSON: ``coords`` (x0, y0, x1, y1, ... in longitude/latitude degrees),
``rings`` (vertex index where each polygon ring or line path starts, plus the
total), ``parts`` (polygons only: ring index where each polygon part starts,
plus the number of rings; the first ring of a part is its exterior, the rest
its holes) and ``partFeature`` (the feature of each part, path or point),
beside ``ids`` and ``props`` (one entry per feature).  It travels two ways
(see ``docs/map-protocol.md``, "GeoTable"):

- **binary** (:func:`to_bin`), the static ``layers/*.bin`` files: magic
  ``NFZ1``, uint32 header length H, H bytes of UTF-8 JSON header (padded with
  spaces to a multiple of 4), then the arrays back to back, little endian
  (float32 coordinates, uint32 indices).  The header's ``arrays`` gives each
  array's ``dtype``, ``offset`` (bytes from the start of the array section) and
  ``length`` (number of elements, not bytes);
- **JSON** (:func:`to_blob`), the dynamic layers sent with the component's
  args: the same object with the arrays inline, coordinates rounded to 5
  decimals (about 1 m).

Geometry is simplified here *for display only* (``shapely.simplify`` with
``preserve_topology``, a tolerance in degrees); measurements always use the
full-resolution layers.  No Streamlit, no pydeck.

>>> import geopandas as gpd, shapely
>>> square = shapely.box(20.0, 50.0, 21.0, 51.0)
>>> gdf = gpd.GeoDataFrame({"id": ["a"], "name": ["Square"]}, geometry=[square], crs=4326)
>>> t = encode(gdf, "polygon", id_field="id", fields=("name",))
>>> t.ids, t.props, t.rings.tolist(), t.parts.tolist(), t.part_feature.tolist()
(('a',), ({'name': 'Square'},), [0, 5], [0, 1], [0])
>>> from_bin(to_bin(t)).geometries()[0].equals(square)
True
>>> blob = to_blob(t)
>>> blob["coords"][:4], len(blob_hash(blob))
([21.0, 50.0, 21.0, 51.0], 40)
"""
from __future__ import annotations

import hashlib
import json
import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.geo.cache import content_token, memoize

Kind = Literal["polygon", "line", "point"]

#: First four bytes of every binary GeoTable.
MAGIC = b"NFZ1"
#: Decimal places of coordinates in JSON blobs (1e-5 degree is about 1 m).
BLOB_DECIMALS = 5
#: Array names in the order they are written, with their little-endian dtypes.
ARRAYS: tuple[tuple[str, str], ...] = (("coords", "<f4"), ("rings", "<u4"), ("parts", "<u4"),
                                        ("partFeature", "<u4"))
_DTYPE_NAMES = {"<f4": "float32", "<u4": "uint32"}
#: shapely type ids of the single parts each kind keeps.
_POINT, _LINEAR, _POLYGONAL = (0,), (1, 2), (3,)


@dataclass(frozen=True, eq=False)
class GeoTable:
    """The features of one layer as flat columns (see the module docstring).

    Attributes
    ----------
    kind : {"polygon", "line", "point"}
        Geometry kind.
    ids : tuple of str
        One id per feature.
    props : tuple of dict
        One dict of JSON values per feature (only the fields the map needs).
    coords : ndarray of float64, shape (2 n,)
        Flat longitude/latitude pairs, degrees.
    rings : ndarray of uint32, shape (n_rings + 1,), or None
        Start vertex of each ring (polygon) or path (line), plus the vertex count.
    parts : ndarray of uint32, shape (n_parts + 1,), or None
        Polygons only: start ring of each polygon part, plus the ring count.
    part_feature : ndarray of uint32
        Feature index of each polygon part, each path or each point.
    """

    kind: Kind
    ids: tuple[str, ...]
    props: tuple[dict[str, Any], ...]
    coords: np.ndarray
    rings: np.ndarray | None
    parts: np.ndarray | None
    part_feature: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_vertices(self) -> int:
        """Number of (lon, lat) vertices."""
        return len(self.coords) // 2

    def arrays(self) -> dict[str, np.ndarray]:
        """The table's arrays by their contract names (absent ones left out)."""
        out = {"coords": self.coords, "rings": self.rings, "parts": self.parts,
               "partFeature": self.part_feature}
        return {k: v for k, v in out.items() if v is not None}

    def geometries(self) -> list[BaseGeometry | None]:
        """Shapely geometries per feature, rebuilt from the columns (None when it has none).

        Polygon features become (Multi)Polygons, line features (Multi)LineStrings,
        point features (Multi)Points.
        """
        xy = self.coords.reshape(-1, 2)
        pieces: list[list[BaseGeometry]] = [[] for _ in self.ids]
        if self.kind == "point":
            for f, p in zip(self.part_feature, xy):
                pieces[f].append(shapely.Point(p))
        elif self.kind == "line":
            for i, f in enumerate(self.part_feature):
                pieces[f].append(shapely.LineString(xy[self.rings[i]:self.rings[i + 1]]))
        else:
            for i, f in enumerate(self.part_feature):
                rings = [xy[self.rings[r]:self.rings[r + 1]]
                         for r in range(self.parts[i], self.parts[i + 1])]
                pieces[f].append(shapely.Polygon(rings[0], rings[1:]))
        multi = {"point": shapely.MultiPoint, "line": shapely.MultiLineString,
                 "polygon": shapely.MultiPolygon}[self.kind]
        return [None if not p else p[0] if len(p) == 1 else multi(p) for p in pieces]


# ------------------------------------------------------------------ encode
def json_value(v: Any) -> Any:
    """A property value as plain JSON: numpy scalars unwrapped, NaN as None, dates as ISO
    text, sequences as lists, anything else as its text.

    >>> json_value(np.int64(3)), json_value(float("nan")), json_value((1, np.float32(0.5)))
    (3, None, [1, 0.5])
    """
    if v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return None if not math.isfinite(v) else v
    if isinstance(v, (str, int, bool)) or v is None:
        return v
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, (list, tuple, np.ndarray)):
        return [json_value(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): json_value(x) for k, x in v.items()}
    return str(v)


def _explode(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single-part geometries and the index of the feature each comes from."""
    index = np.arange(len(geoms))
    while True:
        types = shapely.get_type_id(geoms)
        if not np.isin(types, (4, 5, 6, 7)).any():  # Multi* and GeometryCollection
            return geoms, index
        parts, where = shapely.get_parts(geoms, return_index=True)
        geoms, index = parts, index[where]


def _single_parts(geoms: np.ndarray, kind: Kind) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty parts a ``kind`` table keeps (line tables take polygon rings as paths)."""
    parts, index = _explode(geoms)
    if kind == "line":
        poly = np.isin(shapely.get_type_id(parts), (3,))
        if poly.any():
            rings, where = shapely.get_rings(parts[poly], return_index=True)
            parts = np.concatenate([parts[~poly], rings])
            index = np.concatenate([index[~poly], index[poly][where]])
            order = np.argsort(index, kind="stable")
            parts, index = parts[order], index[order]
    wanted = {"polygon": _POLYGONAL, "line": _LINEAR, "point": _POINT}[kind]
    keep = np.isin(shapely.get_type_id(parts), wanted) & ~shapely.is_empty(parts)
    return parts[keep], index[keep]


def _offsets(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.uint32)


def _columns(geoms: np.ndarray, kind: Kind) -> dict[str, np.ndarray | None]:
    """The flat arrays of single-part ``geoms`` (see :class:`GeoTable`)."""
    parts, feature = _single_parts(geoms, kind)
    if kind == "point":
        xy = shapely.get_coordinates(parts) if len(parts) else np.empty((0, 2))
        return {"coords": xy.ravel(), "rings": None, "parts": None, "part_feature": feature}
    if kind == "polygon":
        rings, _ = shapely.get_rings(parts, return_index=True) if len(parts) else ([], [])
        rings = np.asarray(rings, dtype=object)
        n_rings = shapely.get_num_interior_rings(parts) + 1 if len(parts) else np.empty(0, int)
        part_offsets = _offsets(n_rings)
    else:
        rings, part_offsets = parts, None
    counts = shapely.get_num_coordinates(rings) if len(rings) else np.empty(0, int)
    xy = shapely.get_coordinates(rings) if len(rings) else np.empty((0, 2))
    return {"coords": xy.ravel(), "rings": _offsets(counts), "parts": part_offsets,
            "part_feature": feature}


def _encode_key(gdf: gpd.GeoDataFrame, kind: Kind, id_field: str | None = None,
                fields: Sequence[str] = (), tolerance_deg: float = 0.0) -> str:
    wkb = shapely.to_wkb(np.asarray(gdf.geometry.values, dtype=object), hex=False)
    geom_bytes = b"".join(b"-" if w is None else w for w in wkb.tolist())  # None: no geometry
    return content_token(repr((kind, id_field, tuple(fields), float(tolerance_deg))),
                         geom_bytes, _attributes(gdf))


def _attributes(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """The non-geometry columns of ``gdf`` (a plain DataFrame)."""
    return pd.DataFrame(gdf.drop(columns=gdf.geometry.name))


@memoize(maxsize=128, key=_encode_key)
def encode(gdf: gpd.GeoDataFrame, kind: Kind, id_field: str | None = None,
           fields: Sequence[str] = (), tolerance_deg: float = 0.0) -> GeoTable:
    """A layer (WGS84 lon/lat) as a GeoTable, simplified for display.

    Parameters
    ----------
    gdf : GeoDataFrame
        The features, longitude/latitude degrees.
    kind : {"polygon", "line", "point"}
        What the table holds: polygon parts, line paths (polygons give their
        rings) or points; other geometry parts are left out.
    id_field : str, optional
        Column of the feature ids (as text); default the row position.
    fields : sequence of str
        Columns kept in ``props`` (missing ones are skipped).
    tolerance_deg : float
        Display simplification tolerance, degrees (0 keeps every vertex);
        topology is preserved, so rings stay closed and valid.

    Returns
    -------
    GeoTable
        One id and props dict per row of ``gdf`` (features without geometry
        keep theirs and have no parts).  Memoised on content; do not modify.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if tolerance_deg > 0 and kind != "point":
        geoms = shapely.simplify(geoms, float(tolerance_deg), preserve_topology=True)
    if id_field is not None and id_field in gdf.columns:
        ids = tuple(str(i) if json_value(v) is None else str(v)  # no id: the row position
                    for i, v in enumerate(gdf[id_field].tolist()))
    else:
        ids = tuple(str(i) for i in range(len(gdf)))
    keep = [f for f in dict.fromkeys(fields) if f in gdf.columns and f != gdf.geometry.name]
    records = gdf[keep].to_dict("records") if keep else [{} for _ in range(len(gdf))]
    props = tuple({k: json_value(v) for k, v in rec.items()} for rec in records)
    cols = _columns(geoms, kind)
    for a in cols.values():
        if a is not None:
            a.flags.writeable = False
    return GeoTable(kind=kind, ids=ids, props=props, coords=np.asarray(cols["coords"], float),
                    rings=cols["rings"], parts=cols["parts"],
                    part_feature=np.asarray(cols["part_feature"], dtype=np.uint32))


# ------------------------------------------------------------------ binary
def _dumps(obj: Any) -> str:
    """Canonical JSON text: sorted keys, no spaces, UTF-8 (not ASCII-escaped), no NaN."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def to_bin(table: GeoTable) -> bytes:
    """The binary form (static ``.bin`` files); the same table always gives the same bytes.

    >>> import geopandas as gpd, shapely
    >>> pts = gpd.GeoDataFrame(geometry=[shapely.Point(24.0, 50.0)], crs=4326)
    >>> data = to_bin(encode(pts, "point"))
    >>> data[:4], len(data) % 4
    (b'NFZ1', 0)
    """
    chunks, arrays, offset = [], {}, 0
    for name, dtype in ARRAYS:
        values = table.arrays().get(name)
        if values is None:
            continue
        raw = np.ascontiguousarray(values, dtype=dtype).tobytes()
        arrays[name] = {"dtype": _DTYPE_NAMES[dtype], "offset": offset, "length": len(values)}
        chunks.append(raw)
        offset += len(raw)
    header = _dumps({"kind": table.kind, "ids": list(table.ids), "props": list(table.props),
                     "arrays": arrays}).encode("utf-8")
    header += b" " * (-len(header) % 4)
    return MAGIC + struct.pack("<I", len(header)) + header + b"".join(chunks)


def read_header(data: bytes) -> dict[str, Any]:
    """The JSON header of a binary GeoTable (``kind``, ``ids``, ``props``, ``arrays``)."""
    if data[:4] != MAGIC:
        raise ValueError("not a GeoTable: the file does not start with NFZ1")
    (size,) = struct.unpack("<I", data[4:8])
    return json.loads(data[8:8 + size].decode("utf-8"))


def from_bin(data: bytes) -> GeoTable:
    """Decode :func:`to_bin` bytes (coordinates come back at float32 precision)."""
    header = read_header(data)
    start = 8 + struct.unpack("<I", data[4:8])[0]
    dtypes = dict(ARRAYS)
    arrays: dict[str, np.ndarray] = {}
    for name, info in header["arrays"].items():
        dtype = np.dtype(dtypes[name])
        arrays[name] = np.frombuffer(data, dtype=dtype, count=int(info["length"]),
                                     offset=start + int(info["offset"]))
    return _table(header, arrays)


def _table(obj: Mapping[str, Any], arrays: Mapping[str, Any]) -> GeoTable:
    def arr(name: str, dtype: Any) -> np.ndarray | None:
        return None if arrays.get(name) is None else np.asarray(arrays[name], dtype=dtype)

    return GeoTable(kind=obj["kind"], ids=tuple(obj["ids"]), props=tuple(obj["props"]),
                    coords=arr("coords", float), rings=arr("rings", np.uint32),
                    parts=arr("parts", np.uint32), part_feature=arr("partFeature", np.uint32))


# -------------------------------------------------------------------- JSON
def to_blob(table: GeoTable) -> dict[str, Any]:
    """The JSON form (dynamic layers): arrays inline, coordinates rounded to 5 decimals."""
    out: dict[str, Any] = {"kind": table.kind, "ids": list(table.ids),
                           "props": [dict(p) for p in table.props]}
    for name, values in table.arrays().items():
        if name == "coords":
            out[name] = np.round(values, BLOB_DECIMALS).tolist()
        else:
            out[name] = np.asarray(values).astype(int).tolist()
    return out


def from_blob(blob: Mapping[str, Any]) -> GeoTable:
    """Decode a :func:`to_blob` object."""
    return _table(blob, {name: blob.get(name) for name, _ in ARRAYS})


def blob_hash(blob: Mapping[str, Any]) -> str:
    """The sha1 (40 hex digits) of a blob's canonical JSON: its key in ``args.blobs``."""
    return hashlib.sha1(_dumps(blob).encode("utf-8")).hexdigest()


def file_hash(data: bytes) -> str:
    """The 12 hex digits of a static file's name (sha1 of its bytes)."""
    return hashlib.sha1(data).hexdigest()[:12]


def editable_geojson(zones: gpd.GeoDataFrame | Mapping[str, Any] | None,
                     decimals: int = 6) -> dict[str, Any] | None:
    """The zones page's editable features as a GeoJSON FeatureCollection (lon/lat degrees
    rounded to ``decimals``; 1e-6 degree is about 0.1 m), or None."""
    if zones is None:
        return None
    if isinstance(zones, gpd.GeoDataFrame):
        gdf = zones.copy()
        gdf[zones.geometry.name] = shapely.transform(np.asarray(zones.geometry.values),
                                                     lambda xy: np.round(xy, decimals))
        return json.loads(gdf.to_json(drop_id=True))
    return json_value(dict(zones))


# ------------------------------------------------------------ static files
#: The map component's served directory (``dashboard/ui/mapview/frontend``: the built front
#: end only, never the Python package) and its static layer files,
#: written by ``scripts/build_map_layers.py``.
MAPVIEW_DIR: Path = Path(__file__).resolve().parent.parent / "ui" / "mapview" / "frontend"
STATIC_DIR: Path = MAPVIEW_DIR / "layers"
INDEX_FILE: Path = STATIC_DIR / "index.json"
#: The village-scale place tiles, written by ``scripts/build_place_tiles.py``.
PLACES_DIR: Path = MAPVIEW_DIR / "places"
PLACES_INDEX_FILE: Path = PLACES_DIR / "index.json"


@memoize(maxsize=4)
def _read_index(path: str, size: int, mtime_ns: int) -> dict[str, dict[str, Any]]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def static_index() -> dict[str, dict[str, Any]]:
    """``layers/index.json``: ``{name: {url, bytes, features, kind, tolerance_deg, fields}}``
    of the built static layers (empty when they are not built).  Do not modify."""
    if not INDEX_FILE.is_file():
        return {}
    stat = INDEX_FILE.stat()
    return _read_index(str(INDEX_FILE), stat.st_size, stat.st_mtime_ns)


@memoize(maxsize=32)
def static_ids(url: str) -> frozenset[str]:
    """The feature ids of the static file at ``url`` (relative to the component's directory;
    its name carries its content hash, so the answer never goes stale)."""
    return frozenset(read_header((MAPVIEW_DIR / url).read_bytes())["ids"])


def places_index() -> dict[str, Any]:
    """``places/index.json``: ``{url, bytes, minZoom, fields, places, bands}`` of the built
    place tiles (``url``: the browser's tile index); empty when they are not built.
    Do not modify."""
    if not PLACES_INDEX_FILE.is_file():
        return {}
    stat = PLACES_INDEX_FILE.stat()
    return _read_index(str(PLACES_INDEX_FILE), stat.st_size, stat.st_mtime_ns)
