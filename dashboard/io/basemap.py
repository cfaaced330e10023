"""The basemap a user brings: a local PMTiles or MBTiles file, or an XYZ tile URL template.

Nothing is drawn under the map's layers unless a basemap is configured, and nothing
is fetched by default.  One basemap serves the whole app process (the live map, the
brief and the CLI), chosen by the first of:

1. the sidebar's text box (:func:`set_sidebar_source`; admin-gated when login is on);
2. the environment: ``DASHBOARD_BASEMAP`` (a path or an ``http(s)`` URL template
   with ``{z}``, ``{x}`` and ``{y}``) and ``DASHBOARD_BASEMAP_ATTRIBUTION``;
3. ``.streamlit/secrets.toml`` (the working directory's, then the home directory's)::

       [basemap]
       source = "/data/poland.pmtiles"
       attribution = "Protomaps © OpenStreetMap"

A local file must be an existing regular ``.pmtiles`` (v3; raster PNG/JPEG/WebP or
vector MVT tiles) or ``.mbtiles`` file (SQLite, raster or ``pbf`` tiles): the app
reads its tiles itself (:meth:`Basemap.tile`) and serves them under a token that
names only this file (``dashboard/ui/basemap_server.py``), so the browser never
gets a path and nothing else on disk can be asked for.  An XYZ URL's tiles are
fetched by the app from that host and served the same way: the browser still talks
to the app only (the map's Content-Security-Policy allows nothing else), and the
only host the app asks is the one configured.

The attribution is the configured text, else the file's own (``attribution`` in its
metadata, HTML tags removed: it is shown as text, never as markup), else the file
name or the URL's host.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import sqlite3
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from dashboard.geo.errors import InputError

__all__ = ["ENV_ATTRIBUTION", "ENV_SOURCE", "FILE_SUFFIXES", "Basemap", "basemap_for_token",
           "check_source", "configured_basemap", "resolve_basemap", "secrets_basemap",
           "set_sidebar_source", "sidebar_source", "plain_text", "sniff_media_type"]

ENV_SOURCE = "DASHBOARD_BASEMAP"
ENV_ATTRIBUTION = "DASHBOARD_BASEMAP_ATTRIBUTION"
FILE_SUFFIXES = (".pmtiles", ".mbtiles")
#: Deepest zoom a tile may be asked for (a z/x/y beyond it is refused unread).
MAX_ZOOM = 24
#: Longest attribution kept, characters.
MAX_ATTRIBUTION_CHARS = 300

Kind = Literal["pmtiles", "mbtiles", "xyz"]
TileType = Literal["raster", "vector"]

_PMTILES_TYPES = {1: ("vector", "mvt"), 2: ("raster", "png"), 3: ("raster", "jpeg"), 4: ("raster", "webp")}
_MBTILES_FORMATS = {"png": ("raster", "png"), "jpg": ("raster", "jpeg"), "jpeg": ("raster", "jpeg"),
                    "webp": ("raster", "webp"), "pbf": ("vector", "mvt")}
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp",
               "mvt": "application/vnd.mapbox-vector-tile"}


def plain_text(text: object, limit: int = MAX_ATTRIBUTION_CHARS) -> str:
    """``text`` without HTML tags, entities decoded, whitespace folded (shown as text only).

    >>> plain_text('<a href="https://x">Protomaps</a> &copy; <b>OpenStreetMap</b>')
    'Protomaps © OpenStreetMap'
    """
    out = html.unescape(re.sub(r"<[^>]*>", "", str(text or "")))
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


@dataclass(frozen=True)
class Basemap:
    """A configured basemap: where its tiles are and what they are.

    ``source`` is the absolute file path (``pmtiles``/``mbtiles``) or the URL template
    (``xyz``); ``bounds_deg`` is (west, south, east, north), degrees; zooms are tile
    zoom levels (256/512-px tiles, as in the file); ``tile_px`` the raster tiles' size
    in pixels (512 for vector tiles); ``token`` names this file at this size and
    modification time (12 hex digits; a changed file gets a new one).
    """

    kind: Kind
    source: str
    attribution: str
    tile_type: TileType
    tile_format: str
    min_zoom: int = 0
    max_zoom: int = 22
    bounds_deg: tuple[float, float, float, float] = (-180.0, -85.0511, 180.0, 85.0511)
    tile_px: int = 256
    token: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def local(self) -> bool:
        """True for a file the app reads and serves itself."""
        return self.kind != "xyz"

    @property
    def name(self) -> str:
        """The file's name, or the URL's host."""
        return Path(self.source).name if self.local else (urlsplit(self.source).hostname or self.source)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES.get(self.tile_format, "application/octet-stream")

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile ``z/x/y`` (XYZ numbering, y down from the north) as served:
        image bytes, or an uncompressed MVT; None when the source has no such tile."""
        if not (0 <= z <= MAX_ZOOM and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
            return None
        if not self.local:
            return _fetch_tile(self.source, z, x, y)
        with self._lock:
            data = _read_tile(self.kind, self.source, z, x, y)
        if data is None:
            return None
        data = bytes(data)
        if data[:2] == b"\x1f\x8b":  # gzip (MVT in PMTiles/MBTiles usually is)
            data = gzip.decompress(data)
        return data


# ------------------------------------------------------------------ reading tiles
#: Largest remote tile accepted, bytes; seconds to wait for one.
MAX_REMOTE_TILE_BYTES = 4 * 1024 * 1024
REMOTE_TIMEOUT_S = 10.0


def sniff_media_type(data: bytes) -> str | None:
    """The image type of tile bytes by their magic number (None: not PNG, JPEG or WebP).

    >>> sniff_media_type(b"RIFF....WEBPVP8 "), sniff_media_type(b"<html>")
    ('image/webp', None)
    """
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _fetch_tile(template: str, z: int, x: int, y: int) -> bytes | None:
    """A remote XYZ tile (an image only), or None when the host has none or fails."""
    import urllib.error
    import urllib.request
    url = template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    req = urllib.request.Request(url, headers={"User-Agent": "nfz-dashboard basemap"})
    try:
        with urllib.request.urlopen(req, timeout=REMOTE_TIMEOUT_S) as r:  # http(s) only: check_source
            data = r.read(MAX_REMOTE_TILE_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    if len(data) > MAX_REMOTE_TILE_BYTES or sniff_media_type(data) is None:
        return None
    return data


_READERS: dict[tuple[str, str], Any] = {}


def _reader(kind: str, path: str) -> Any:
    key = (kind, path)
    if key not in _READERS:
        if kind == "pmtiles":
            from pmtiles.reader import MmapSource, Reader
            f = open(path, "rb")  # noqa: SIM115 - kept open for the mmap, one per file
            _READERS[key] = Reader(MmapSource(f))
        else:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            _READERS[key] = con
    return _READERS[key]


def _read_tile(kind: str, path: str, z: int, x: int, y: int) -> bytes | None:
    r = _reader(kind, path)
    if kind == "pmtiles":
        out = r.get(z, x, y)
        return None if out is None else bytes(out)
    row = r.execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                    (z, x, (1 << z) - 1 - y)).fetchone()  # MBTiles rows count from the south (TMS)
    return None if row is None else bytes(row[0])


def _token(source: str, st: os.stat_result | None) -> str:
    raw = f"{source}\0{st.st_size if st else ''}\0{st.st_mtime_ns if st else ''}"
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def _open_pmtiles(path: str) -> dict[str, Any]:
    from pmtiles.reader import MmapSource, Reader
    with open(path, "rb") as f:
        head = f.read(8)
        if head[:7] != b"PMTiles" or head[7] != 3:
            raise InputError(f"{Path(path).name} is not a PMTiles v3 file")
        reader = Reader(MmapSource(f))
        h = reader.header()
        meta = reader.metadata()
    code = getattr(h["tile_type"], "value", h["tile_type"])
    if code not in _PMTILES_TYPES:
        raise InputError(f"{Path(path).name}: tile type {h['tile_type']} is not supported "
                         "(PNG, JPEG, WebP or MVT)")
    tile_type, fmt = _PMTILES_TYPES[code]
    bounds = (h["min_lon_e7"] / 1e7, h["min_lat_e7"] / 1e7, h["max_lon_e7"] / 1e7, h["max_lat_e7"] / 1e7)
    return {"tile_type": tile_type, "tile_format": fmt, "min_zoom": int(h["min_zoom"]),
            "max_zoom": int(h["max_zoom"]), "bounds_deg": bounds,
            "attribution": meta.get("attribution", "") if isinstance(meta, dict) else ""}


def _open_mbtiles(path: str) -> dict[str, Any]:
    with open(path, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise InputError(f"{Path(path).name} is not an MBTiles (SQLite) file")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
            zooms = con.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise InputError(f"{Path(path).name} is not a readable MBTiles file ({exc})") from None
    fmt = str(meta.get("format", "png")).lower()
    if fmt not in _MBTILES_FORMATS:
        raise InputError(f"{Path(path).name}: tile format {fmt!r} is not supported (png, jpg, webp or pbf)")
    tile_type, tile_format = _MBTILES_FORMATS[fmt]
    out: dict[str, Any] = {"tile_type": tile_type, "tile_format": tile_format,
                           "attribution": meta.get("attribution", "")}
    lo, hi = zooms if zooms and zooms[0] is not None else (meta.get("minzoom", 0), meta.get("maxzoom", 22))
    out["min_zoom"], out["max_zoom"] = int(lo), int(hi)
    try:
        w, s, e, n = (float(v) for v in str(meta["bounds"]).split(","))
        out["bounds_deg"] = (w, s, e, n)
    except (KeyError, ValueError):
        pass
    return out


def _raster_px(bm: Basemap) -> int:
    """The size of the file's raster tiles, px (from its shallowest tile; 256 if none)."""
    import io

    from PIL import Image
    for z in range(bm.min_zoom, min(bm.max_zoom, bm.min_zoom + 3) + 1):
        for x in range(2 ** z):
            for y in range(2 ** z):
                data = bm.tile(z, x, y)
                if data:
                    with Image.open(io.BytesIO(data)) as im:
                        return int(im.size[0])
    return 256


_FILES: dict[tuple[str, str], Basemap] = {}


def check_source(text: str, attribution: str | None = None) -> Basemap:
    """The basemap ``text`` names: a ``.pmtiles``/``.mbtiles`` path or an ``http(s)``
    XYZ URL template; raises :class:`InputError` (one line) when it is not usable."""
    text = str(text or "").strip()
    if not text:
        raise InputError("no basemap given: a .pmtiles or .mbtiles path, or an https URL with {z}, {x} and {y}")
    attribution = plain_text(attribution) if attribution else ""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError("a basemap URL must be http or https with a host, e.g. https://host/{z}/{x}/{y}.png")
        if any(ch.isspace() for ch in text) or not all(k in text for k in ("{z}", "{x}", "{y}")):
            raise InputError("a basemap URL needs {z}, {x} and {y} and no spaces, e.g. https://host/{z}/{x}/{y}.png")
        return Basemap("xyz", text, attribution or f"Basemap: {parts.hostname}", "raster",
                       "png", token=_token(text, None))
    path = Path(text).expanduser()
    suffix = path.suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise InputError(f"a basemap file must end in .pmtiles or .mbtiles, not {path.name!r}")
    try:
        st = path.stat()
    except OSError:
        raise InputError(f"no such basemap file: {path}") from None
    if not path.is_file():
        raise InputError(f"the basemap must be a regular file: {path}")
    if not os.access(path, os.R_OK):
        raise InputError(f"the basemap file is not readable: {path}")
    real = str(path.resolve())
    token = _token(real, st)
    key = (token, attribution)
    if key not in _FILES:
        kind: Kind = "pmtiles" if suffix == ".pmtiles" else "mbtiles"
        try:
            info = _open_pmtiles(real) if kind == "pmtiles" else _open_mbtiles(real)
        except InputError:
            raise
        except Exception as exc:  # a corrupt file: one line, never a traceback
            raise InputError(f"{path.name} could not be read as {kind.upper()}: {exc}") from None
        file_attr = plain_text(info.pop("attribution", ""))
        bm = Basemap(kind, real, attribution or file_attr or f"Basemap: {path.name}", token=token, **info)
        if bm.tile_type == "raster":
            bm = Basemap(bm.kind, bm.source, bm.attribution, bm.tile_type, bm.tile_format, bm.min_zoom,
                         bm.max_zoom, bm.bounds_deg, _raster_px(bm), token)
        else:
            bm = Basemap(bm.kind, bm.source, bm.attribution, bm.tile_type, bm.tile_format, bm.min_zoom,
                         bm.max_zoom, bm.bounds_deg, 512, token)
        _FILES[key] = bm
    return _FILES[key]


# ------------------------------------------------------------------ configuration
_SIDEBAR: dict[str, str | None] = {"source": None}
_SIDEBAR_LOCK = threading.Lock()


def set_sidebar_source(text: str | None) -> Basemap | None:
    """Make ``text`` (checked first) this process's basemap; None or blank: back to the
    environment's or the secrets' choice.  Raises :class:`InputError` for a bad ``text``
    and then keeps the previous choice."""
    text = (text or "").strip()
    bm = check_source(text) if text else None
    with _SIDEBAR_LOCK:
        _SIDEBAR["source"] = text or None
    return bm


def sidebar_source() -> str | None:
    """The source the sidebar chose, or None."""
    return _SIDEBAR["source"]


def secrets_basemap(paths: tuple[Path, ...] | None = None) -> Mapping[str, Any]:
    """The ``[basemap]`` table of ``.streamlit/secrets.toml`` (working directory first,
    then home; where Streamlit looks too), or ``{}``."""
    if paths is None:
        paths = (Path.cwd() / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml")
    for p in paths:
        try:
            table = tomllib.loads(p.read_text(encoding="utf-8")).get("basemap")
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        if isinstance(table, dict):
            return table
    return {}


def resolve_basemap(env: Mapping[str, str] | None = None) -> tuple[Basemap | None, str | None]:
    """The configured basemap and the problem with the configuration (one line), if any.

    A configured source that is not usable gives ``(None, problem)``: the map is then
    drawn without a basemap, never with something else.
    """
    env = os.environ if env is None else env
    sidebar = sidebar_source()
    secrets = secrets_basemap()
    if sidebar:
        text, attribution, where = sidebar, env.get(ENV_ATTRIBUTION) or secrets.get("attribution"), "sidebar"
    elif env.get(ENV_SOURCE, "").strip():
        text, attribution, where = env[ENV_SOURCE], env.get(ENV_ATTRIBUTION), ENV_SOURCE
    elif str(secrets.get("source", "")).strip():
        text, attribution, where = str(secrets["source"]), secrets.get("attribution"), "secrets.toml [basemap]"
    else:
        return None, None
    try:
        return check_source(text, str(attribution) if attribution else None), None
    except InputError as exc:
        return None, f"Basemap ({where}) not used: {exc}"


def configured_basemap() -> Basemap | None:
    """This process's basemap, or None (none configured, or not usable)."""
    return resolve_basemap()[0]


def basemap_for_token(token: str) -> Basemap | None:
    """The configured basemap if ``token`` names it (the only source ever served)."""
    bm = configured_basemap()
    return bm if bm is not None and token == bm.token else None


def describe(bm: Basemap) -> str:
    """One line about ``bm`` for people, e.g. ``poland.pmtiles: raster png tiles, z0–12``."""
    return (f"{bm.name}: {bm.tile_type} {bm.tile_format} tiles, z{bm.min_zoom}–{bm.max_zoom}"
            if bm.local else f"{bm.name}: XYZ tiles, fetched by the app")


def to_json(bm: Basemap) -> str:
    """``bm`` as JSON (for logs and tests)."""
    return json.dumps({"kind": bm.kind, "source": bm.source, "attribution": bm.attribution,
                       "tile_type": bm.tile_type, "tile_format": bm.tile_format,
                       "min_zoom": bm.min_zoom, "max_zoom": bm.max_zoom, "tile_px": bm.tile_px})
