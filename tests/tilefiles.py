"""Small tile files the basemap tests build themselves: solid-colour 256-px PNG tiles
at zooms 0-3 (85 tiles), as MBTiles (SQLite, TMS rows) and as PMTiles (the ``pmtiles``
writer); :func:`png` is an XYZ server's tile too."""
from __future__ import annotations

import io
import sqlite3
from pathlib import Path

from PIL import Image

MAX_ZOOM = 3
PMTILES_RGB = (200, 40, 160)   # magenta: nothing else on the map has it
MBTILES_RGB = (40, 170, 90)    # green
XYZ_RGB = (250, 140, 0)        # orange


def png(rgb: tuple[int, int, int], px: int = 256, mark: tuple[int, int, int] | None = None) -> bytes:
    """A solid tile; ``mark`` colours its top-left pixel (so no two tiles are equal)."""
    buf = io.BytesIO()
    im = Image.new("RGB", (px, px), rgb)
    if mark is not None:
        im.putpixel((0, 0), mark)
    im.save(buf, format="PNG")
    return buf.getvalue()


def tiles(max_zoom: int = MAX_ZOOM):
    for z in range(max_zoom + 1):
        for x in range(2 ** z):
            for y in range(2 ** z):
                yield z, x, y


def write_mbtiles(path: Path, rgb: tuple[int, int, int] = MBTILES_RGB,
                  attribution: str = "Test MBTiles © green tiles") -> Path:
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                    "tile_data BLOB)")
        con.executemany("INSERT INTO metadata VALUES (?, ?)", [
            ("name", "test"), ("format", "png"), ("minzoom", "0"), ("maxzoom", str(MAX_ZOOM)),
            ("bounds", "-180,-85.05113,180,85.05113"), ("attribution", attribution)])
        con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                        [(z, x, (1 << z) - 1 - y, png(rgb, mark=(z, x, y))) for z, x, y in tiles()])
    con.close()
    return path


def write_pmtiles(path: Path, rgb: tuple[int, int, int] = PMTILES_RGB,
                  attribution: str = '<a href="https://example.org">Test PMTiles</a> &copy; magenta') -> Path:
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    with open(path, "wb") as f:
        w = Writer(f)
        for tid, zxy in sorted((zxy_to_tileid(*zxy), zxy) for zxy in tiles()):
            w.write_tile(tid, png(rgb, mark=zxy))
        w.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE,
                    "min_zoom": 0, "max_zoom": MAX_ZOOM, "min_lon_e7": -1800000000,
                    "min_lat_e7": -850511300, "max_lon_e7": 1800000000, "max_lat_e7": 850511300,
                    "center_zoom": 0, "center_lon_e7": 0, "center_lat_e7": 0},
                   {"attribution": attribution, "name": "test"})
    return path
