"""The checks every file reader shares: size, type, text encoding, JSON, GeoJSON geometry.

Every reader of a user's file (the app's layer upload and zone import, the
scenario importer, the CLI's ``--file``/``--zone``/``--scenario``/``--points``
and ``LAYER`` arguments) goes through these functions, so a broken or hostile
file gets the same one-line :class:`~dashboard.geo.errors.InputError` wherever it
enters, naming the file and the problem:

- :func:`read_path` stats a file before opening it and reads at most
  ``max_bytes + 1`` bytes: a 1 GB file is refused without being read;
- :func:`sniff` names archives, compressed, binary and UTF-16 files from their
  first bytes (a ZIP bomb is never decompressed);
- :func:`decode_text` and :func:`load_json` turn bytes into text and JSON
  (UTF-8 with or without BOM; no NaN/Infinity; nesting too deep is an error,
  not a ``RecursionError``; duplicate keys are said);
- :func:`parse_geometry` turns a GeoJSON geometry into shapely with
  numbers-only positions, a vertex budget, nesting and antimeridian checks;
- :func:`swapped_hint` says when (lon, lat) look like (lat, lon).

>>> load_json(b'{"a": 1, "a": 2}', "x.json")
({'a': 2}, ["x.json: key 'a' appears twice in one object; the last value was used"])
>>> load_json(b'{"type": "Featu', "cut.geojson")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dashboard.geo.errors.InputError: cut.geojson is not valid JSON: it ends early (cut short?) ...
"""
from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from shapely.geometry.base import BaseGeometry

from dashboard.data.limits import MAX_COLLECTION_DEPTH, MAX_LINE_BYTES
from dashboard.geo.errors import InputError

__all__ = ["MAX_COLLECTION_DEPTH", "MAX_LINE_BYTES", "REGION_LONLAT", "VertexBudget",
           "check_edges", "check_lonlat",
           "decode_text", "kind_of", "load_json", "not_utf8",
           "parse_geometry", "read_path", "regular_file", "shown", "size_text",
           "sniff", "swapped_hint"]

#: The dashboard's region (west, south, east, north) in degrees: Europe and its east.
REGION_LONLAT: tuple[float, float, float, float] = (-25.0, 34.0, 45.0, 72.0)
#: Bytes looked at to tell a file's type.
HEAD_BYTES: int = 4096

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive; archives are not opened: unzip it and give the file inside"),
    (b"PK\x05\x06", "a ZIP archive; archives are not opened: unzip it and give the file inside"),
    (b"\x1f\x8b", "gzip-compressed; decompress it first (gunzip)"),
    (b"BZh", "bzip2-compressed; decompress it first"),
    (b"\xfd7zXZ\x00", "xz-compressed; decompress it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; archives are not opened"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed; decompress it first"),
    (b"PAR1", "a Parquet file, not text"),
    (b"SQLite format 3\x00", "an SQLite database (GeoPackage?), not text; export it as GeoJSON"),
    (b"%PDF", "a PDF document, not data"),
    (b"\x89PNG", "a PNG image, not data"),
    (b"\xff\xd8\xff", "a JPEG image, not data"),
    (b"\x00\x00\x27\x0a", "an ESRI shapefile; convert it to GeoJSON"),
    (b"\xff\xfe\x00\x00", "UTF-32 text; save it as UTF-8"),
    (b"\x00\x00\xfe\xff", "UTF-32 text; save it as UTF-8"),
    (b"\xff\xfe", "UTF-16 text; save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text; save it as UTF-8"),
)


def shown(name: Any) -> str:
    """A file name fit for a one-line message: no control characters, at most 120 characters.

    >>> shown("evil\\nname.geojson")
    'evilname.geojson'
    """
    text = _CONTROL.sub("", str(name or "the file"))
    return text if len(text) <= 120 else text[:117] + "..."


def kind_of(value: Any) -> str:
    """The JSON word for a parsed value's type (``object``, ``array``, ``string``, ...)."""
    if value is None:
        return "null"
    for t, word in ((bool, "boolean"), (dict, "object"), (list, "array"), (str, "string"),
                    (int, "number"), (float, "number")):
        if isinstance(value, t):
            return word
    return type(value).__name__


# ------------------------------------------------------------------ bytes
def sniff(head: bytes, name: str) -> None:
    """Raise :class:`InputError` if ``head`` (a file's first bytes) is not plain UTF-8 text:
    an archive, compressed, a database, an image, UTF-16/32 text or other binary data."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise InputError(f"{shown(name)} is {what}")
    sample = head[:HEAD_BYTES]
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if max(even, odd) > 0.3 * len(sample) / 2 and min(even, odd) < 0.05 * len(sample) / 2:
            raise InputError(f"{shown(name)} is UTF-16 text; save it as UTF-8")
        raise InputError(f"{shown(name)} is binary data, not text (GeoJSON and CSV are UTF-8 "
                         "text)")


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text of ``data`` (a leading BOM is dropped); :class:`InputError` for anything else."""
    sniff(data[:HEAD_BYTES], name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1]
        controls = sum(1 for b in data[:HEAD_BYTES] if b < 9 or 13 < b < 32)
        if controls > 0.02 * min(len(data), HEAD_BYTES):
            raise InputError(f"{shown(name)} is binary data, not text (GeoJSON and CSV are "
                             "UTF-8 text)") from None
        raise not_utf8(name, exc.start, bad) from None


def not_utf8(name: str, offset: int | None = None, byte: bytes = b"") -> InputError:
    """The one error for text that is not UTF-8 (``offset``: where, when known)."""
    where = f"byte 0x{byte.hex().upper()} at offset {offset:,}; " if byte and offset is not None \
        else ""
    return InputError(f"{shown(name)} is not UTF-8 text ({where}Latin-1 or Windows-1252?); "
                      "save it as UTF-8")


def size_text(n_bytes: float) -> str:
    """Bytes as MB (MiB) with one decimal.

    >>> size_text(48 * 1024 * 1024)
    '48.0 MB'
    """
    return f"{n_bytes / 2**20:,.1f} MB"


def check_size(n_bytes: int, max_bytes: int, name: str) -> None:
    """Raise :class:`InputError` if ``n_bytes`` is over ``max_bytes``; both are said in
    bytes, so one byte over is visibly over.

    >>> check_size(20 * 2**20 + 1, 20 * 2**20, "a.geojson")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dashboard.geo.errors.InputError: a.geojson is 20,971,521 bytes (20.0 MB); the limit is 20,971,520 bytes (20 MB)
    """
    if n_bytes > max_bytes:
        raise InputError(f"{shown(name)} is {n_bytes:,} bytes ({size_text(n_bytes)}); the limit "
                         f"is {max_bytes:,} bytes ({max_bytes / 2**20:,.0f} MB)")


def regular_file(path: str | Path) -> os.stat_result:
    """``os.stat`` of ``path`` if it is a regular file (a symlink is followed); otherwise
    :class:`InputError` naming the path as given (never a symlink's target or content).

    A FIFO, a device, a socket or a folder is refused from its type before anything
    opens it: opening a FIFO blocks forever, a device such as ``/dev/zero`` never ends.
    """
    name = shown(str(path))
    try:
        st = os.stat(path)
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else \
            (exc.strerror or type(exc).__name__).lower()
        raise InputError(f"cannot read {name}: {reason}") from None
    except ValueError:  # a NUL byte in the name
        raise InputError(f"cannot read {name}: not a valid file name") from None
    if stat.S_ISREG(st.st_mode):
        return st
    what = ("a folder" if stat.S_ISDIR(st.st_mode) else
            "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else
            "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
            "a socket" if stat.S_ISSOCK(st.st_mode) else "a special file")
    raise InputError(f"cannot read {name}: it is {what}, not a regular file")


def _regular_as(path: Path, name: str) -> os.stat_result:
    try:
        return regular_file(path)
    except InputError as exc:
        raise InputError(str(exc).replace(shown(str(path)), shown(name))) from None


def read_path(path: str | Path, max_bytes: int,
              check_head: Callable[[bytes, str], None] | None = None,
              name: str | None = None) -> bytes:
    """The bytes of a file, refused before it is read if it is over ``max_bytes``.

    The file's type and size are taken from ``stat`` first (:func:`regular_file`:
    FIFOs, devices and folders are refused unopened); then the first
    :data:`HEAD_BYTES` are read and checked (:func:`sniff`, then
    ``check_head(head, name)``), and only then the rest, at most
    ``max_bytes + 1`` bytes in all.

    Raises
    ------
    InputError
        Missing, not a regular file, unreadable, over ``max_bytes``, or refused by
        the head checks.  Messages name ``name`` (default: ``path`` as given).
    """
    p = Path(path)
    name = str(path) if name is None else name
    st = regular_file(p) if name == str(path) else _regular_as(p, name)
    check_size(st.st_size, max_bytes, name)
    try:
        with p.open("rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped since the stat
                raise InputError(f"cannot read {shown(name)}: it is not a regular file")
            head = fh.read(HEAD_BYTES)
            if head:
                sniff(head, name)
                if check_head is not None:
                    check_head(head, name)
            data = head + fh.read(max_bytes + 1 - len(head))
    except OSError as exc:
        raise InputError(f"cannot read {shown(name)}: {exc.strerror or exc}") from None
    check_size(len(data), max_bytes, name)
    return data


def json_head(head: bytes, name: str) -> None:
    """Raise :class:`InputError` unless ``head`` starts (after BOM and spaces) like JSON."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text and text[0] not in "{[":
        raise InputError(f"{shown(name)} is not GeoJSON: it does not start with a JSON object "
                         "('{' or '[')")


# ------------------------------------------------------------------ JSON
class _BadConstant(ValueError):
    pass


class _BadNumber(ValueError):
    pass


#: Digits of the longest integer a JSON file may hold (a float has 17 significant digits;
#: 10**400 is beyond any float; Python refuses to convert more than 4,300).
MAX_INT_DIGITS: int = 400
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _no_constant(word: str) -> Any:
    raise _BadConstant(word)


def _int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise _BadNumber(f"a {len(text.lstrip('-')):,}-digit number")
    return int(text)


def _lone_surrogate(value: Any) -> bool:
    """True if a string anywhere in ``value`` (keys too) holds a lone UTF-16 surrogate."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if _LONE_SURROGATE.search(v):
                return True
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def load_json(data: bytes | str, name: str, max_bytes: int | None = None,
              ) -> tuple[Any, list[str]]:
    """Parse a JSON document; returns (value, notes about what was tolerated).

    Raises
    ------
    InputError
        Over ``max_bytes``; not UTF-8 text; empty; not JSON (cut short, a syntax
        error); ``NaN``/``Infinity`` (not JSON numbers); nested too deeply.
    """
    if max_bytes is not None:
        check_size(len(data), max_bytes, name)
    text = data if isinstance(data, str) else decode_text(bytes(data), name)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{shown(name)} is empty")
    dups: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items) and len(dups) < 1:
            seen: set[str] = set()
            for k, _ in items:
                if k in seen:
                    dups.append(k)
                seen.add(k)
        return out

    try:
        value = json.loads(text, parse_constant=_no_constant, object_pairs_hook=pairs,
                           parse_int=_int)
    except _BadConstant as exc:
        raise InputError(f"{shown(name)} is not valid JSON: {exc} is not a JSON number") from None
    except _BadNumber as exc:
        raise InputError(f"{shown(name)} holds {exc}; coordinates and values must be numbers "
                         f"of at most {MAX_INT_DIGITS} digits") from None
    except RecursionError:
        raise InputError(f"{shown(name)} is nested too deeply (arrays or objects about "
                         "1,000 levels inside each other)") from None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated string"):
            raise InputError(f"{shown(name)} is not valid JSON: it ends early (cut short?) at "
                             f"line {exc.lineno}, column {exc.colno}") from None
        raise InputError(f"{shown(name)} is not valid JSON ({exc.msg} at line {exc.lineno}, "
                         f"column {exc.colno})") from None
    if _SURROGATE_ESCAPE.search(text) and _lone_surrogate(value):
        raise InputError(f"{shown(name)} holds a lone UTF-16 surrogate (a \\ud800-\\udfff "
                         "escape without its pair), which is not text; fix the text in the file")
    notes = [f"{shown(name)}: key {dups[0][:40]!r} appears twice in one object; the last "
             "value was used"] if dups else []
    return value, notes


def check_depth(value: Any, max_depth: int, where: str) -> None:
    """Raise :class:`InputError` if lists/dicts in ``value`` nest deeper than ``max_depth``
    (an explicit stack: no recursion)."""
    stack = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, list):
            if d >= max_depth:
                raise InputError(f"{where} nests lists or objects more than {max_depth} "
                                 "levels deep")
            stack.extend((x, d + 1) for x in v if isinstance(x, (list, dict)))


# ------------------------------------------------------------------ geometry
@dataclass
class VertexBudget:
    """Vertices a reader may still take (``left``), and whether any position had a height."""

    left: int
    name: str
    limit: int = 0
    has_z: bool = False

    def __post_init__(self) -> None:
        self.limit = self.limit or self.left

    def take(self, n: int) -> None:
        """Spend ``n`` vertices; :class:`InputError` once over the limit."""
        self.left -= n
        if self.left < 0:
            raise InputError(f"{shown(self.name)} has more than {self.limit:,} vertices, the "
                             "limit (simplify it first)")


def _has_bool(raw: list, arr: np.ndarray | None = None) -> bool:
    """True if a position holds ``true``/``false`` (NumPy would read them as 1 and 0).

    With ``arr``, the positions read as a 2-d array, only the values NumPy read as 0 or
    1 are looked at (a boolean becomes one of them).

    >>> _has_bool([[23.0, 50.0], [1, 0]], np.array([[23.0, 50.0], [1, 0]]))
    False
    >>> _has_bool([[23.0, 50.0], [True, 0]], np.array([[23.0, 50.0], [1, 0]]))
    True
    """
    if arr is None or arr.ndim != 2 or arr.dtype.kind not in "iuf":
        return any(isinstance(v, bool) for p in raw if isinstance(p, list) for v in p[:3])
    head = arr[:, :3]
    rows, cols = np.nonzero((head == 0) | (head == 1))
    return any(isinstance(raw[i][j], bool) for i, j in zip(rows.tolist(), cols.tolist()))


def _positions(raw: Any, where: str, budget: VertexBudget, min_len: int) -> np.ndarray:
    """A GeoJSON position list as an (n, 2) float array (heights dropped, noted in ``budget``)."""
    if not isinstance(raw, list):
        raise InputError(f"{where}: coordinates must be a list of [lon, lat] positions, "
                         f"not a JSON {kind_of(raw)}")
    if not raw:
        return np.empty((0, 2))
    whole = True  # arr holds every value of every position
    try:
        arr = np.asarray(raw)
    except ValueError:  # ragged: some positions have a height, some not
        if not all(isinstance(p, list) and len(p) >= 2 for p in raw):
            raise InputError(f"{where}: coordinates must be [lon, lat] positions") from None
        try:
            arr = np.asarray([p[:2] for p in raw])
        except ValueError:
            raise InputError(f"{where}: coordinates must be [lon, lat] positions") from None
        budget.has_z, whole = True, False
    if arr.dtype.kind not in "iuf" or _has_bool(raw, arr if whole else None):
        found = "text" if arr.dtype.kind in "US" else "values that are not numbers"
        raise InputError(f"{where}: coordinates must be numbers, found {found}")
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise InputError(f"{where}: coordinates must be a list of [lon, lat] positions")
    if arr.shape[1] > 2:
        budget.has_z = True
    budget.take(len(arr))
    if len(arr) < min_len:
        raise InputError(f"{where}: invalid GeoJSON geometry: needs at least {min_len} "
                         f"positions, got {len(arr)}")
    return arr[:, :2].astype(float)


def check_edges(xy: np.ndarray, where: str) -> None:
    """Raise :class:`InputError` if an edge of a line or ring (lon, lat degrees) jumps more
    than 180° of longitude: it crosses the antimeridian (or goes the long way round)."""
    x = xy[:, 0]
    on_globe = (np.abs(x[:-1]) <= 180) & (np.abs(x[1:]) <= 180)
    if (on_globe & (np.abs(np.diff(x)) > 180)).any():
        raise InputError(f"{where} crosses the antimeridian (an edge jumps more than 180° of "
                         "longitude); this dashboard covers Europe: split it at ±180° "
                         "(RFC 7946 3.1.9)")


def _ring(raw: Any, where: str, budget: VertexBudget) -> np.ndarray:
    arr = _positions(raw, where, budget, 3)
    if not np.array_equal(arr[0], arr[-1]):
        arr = np.vstack([arr, arr[:1]])  # RFC 7946 rings are closed; be lenient
    if len(arr) < 4:
        raise InputError(f"{where}: invalid GeoJSON geometry: a ring needs at least 4 "
                         f"positions, got {len(arr)}")
    check_edges(arr, where)
    return arr


def _polygon(raw: Any, where: str, budget: VertexBudget) -> Polygon:
    if not isinstance(raw, list):
        raise InputError(f"{where}: Polygon coordinates must be a list of rings, not a JSON "
                         f"{kind_of(raw)}")
    if not raw:
        return Polygon()
    rings = [_ring(r, where, budget) for r in raw]
    return Polygon(rings[0], rings[1:])


def _line(raw: Any, where: str, budget: VertexBudget) -> LineString:
    arr = _positions(raw, where, budget, 2)
    if len(arr) == 0:
        return LineString()
    check_edges(arr, where)
    return LineString(arr)


def _list_of(raw: Any, where: str, what: str) -> list:
    if not isinstance(raw, list):
        raise InputError(f"{where}: {what} coordinates must be a list, not a JSON "
                         f"{kind_of(raw)}")
    return raw


def _simple(gtype: str, coords: Any, where: str, budget: VertexBudget) -> BaseGeometry:
    if gtype == "Point":
        if isinstance(coords, list) and not coords:
            return Point()
        return Point(_positions([coords], where, budget, 1)[0])
    if gtype == "MultiPoint":
        arr = _positions(coords, where, budget, 0)
        return MultiPoint(arr) if len(arr) else MultiPoint()
    if gtype == "LineString":
        return _line(coords, where, budget)
    if gtype == "MultiLineString":
        lines = [_line(c, where, budget) for c in _list_of(coords, where, gtype)]
        return MultiLineString([g for g in lines if not g.is_empty])
    if gtype == "Polygon":
        return _polygon(coords, where, budget)
    polys = [_polygon(c, where, budget) for c in _list_of(coords, where, gtype)]
    return MultiPolygon([p for p in polys if not p.is_empty])


_SIMPLE = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
GEOMETRY_TYPES: tuple[str, ...] = _SIMPLE + ("GeometryCollection",)


def parse_geometry(raw: Any, where: str, budget: VertexBudget,
                   depth: int = 0) -> BaseGeometry | None:
    """A GeoJSON geometry object as a shapely geometry in (lon, lat) degrees (None for null).

    Positions must be numbers (text is refused, heights are dropped and noted in
    ``budget.has_z``); rings are closed if open; edges may not cross the
    antimeridian; GeometryCollections nest at most :data:`MAX_COLLECTION_DEPTH`
    deep; every position is counted against ``budget``.  Empty coordinates give
    an empty geometry.  Ranges (lon ±180, lat ±90) are checked by the caller.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InputError(f"{where}: geometry must be a GeoJSON geometry object or null, not a "
                         f"JSON {kind_of(raw)}")
    gtype = raw.get("type")
    if gtype == "GeometryCollection":
        if depth >= MAX_COLLECTION_DEPTH:
            raise InputError(f"{where}: GeometryCollections nested more than "
                             f"{MAX_COLLECTION_DEPTH} levels deep")
        members = raw.get("geometries")
        if not isinstance(members, list):
            raise InputError(f"{where}: a GeometryCollection needs a 'geometries' list")
        parts = [parse_geometry(m, where, budget, depth + 1) for m in members]
        if any(p is None for p in parts):
            raise InputError(f"{where}: a GeometryCollection member is null")
        return GeometryCollection([p for p in parts if p is not None and not p.is_empty])
    if gtype not in _SIMPLE:
        raise InputError(f"{where}: {str(gtype)[:40]!r} is not a GeoJSON geometry type "
                         f"(expected one of {', '.join(GEOMETRY_TYPES)})")
    if "coordinates" not in raw:
        raise InputError(f"{where}: the {gtype} has no 'coordinates'")
    return _simple(gtype, raw["coordinates"], where, budget)


# ------------------------------------------------------------------ lon/lat order
def check_lonlat(x: np.ndarray, y: np.ndarray) -> None:
    """Raise :class:`InputError` unless all ``x`` are within ±180 and ``y`` within ±90."""
    if len(x) == 0:
        return
    ax, ay = np.abs(np.asarray(x, float)), np.abs(np.asarray(y, float))
    if not (np.isfinite(ax).all() and np.isfinite(ay).all()):
        raise InputError("some coordinates are not finite numbers")
    mx, my = float(ax.max()), float(ay.max())
    if mx <= 180.0 and my <= 90.0:
        return
    if mx > 360.0 or my > 360.0:
        raise InputError(f"coordinates reach {max(mx, my):,.0f}: this looks like a projected "
                         "file (metres, e.g. EPSG:3857 or UTM); reproject it to WGS84 "
                         "longitude/latitude (EPSG:4326)")
    if mx <= 90.0 < my <= 180.0:
        raise InputError("latitudes beyond ±90: looks like latitude/longitude are swapped "
                         "(GeoJSON order is [longitude, latitude])")
    raise InputError(f"coordinates outside longitude ±180 / latitude ±90 (up to {mx:g}, {my:g}); "
                     "this looks projected: reproject to WGS84 longitude/latitude (EPSG:4326)")


def _inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    w, s, e, n = REGION_LONLAT
    return (x >= w) & (x <= e) & (y >= s) & (y <= n)


def swapped_hint(x: np.ndarray, y: np.ndarray, name: str) -> str | None:
    """A warning when every (x, y) lies outside :data:`REGION_LONLAT` but inside it when
    swapped: the file most likely gives (lat, lon) where GeoJSON wants (lon, lat).

    >>> print(swapped_hint(np.array([50.47]), np.array([23.93]), "p.csv"))  # doctest: +ELLIPSIS
    p.csv: looks like latitude/longitude are swapped: ...
    >>> swapped_hint(np.array([23.93]), np.array([50.47]), "p.csv") is None
    True
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) == 0 or _inside(x, y).any() or not _inside(y, x).all():
        return None
    return (f"{shown(name)}: looks like latitude/longitude are swapped: every position lies "
            "outside the dashboard's region (Europe) as given and inside it swapped; read "
            "as given (GeoJSON order is [longitude, latitude]; CSV columns by their names)")
