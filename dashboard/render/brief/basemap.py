"""The configured basemap on the brief: raster tiles of a local PMTiles/MBTiles file
reprojected into the map's frame under every layer, and its line in the sources.

Vector tiles (MVT) and remote XYZ tiles are not drawn on the brief (styling vector
tiles well, or fetching from the web while printing, is out of its scope): the
sources line says so, with the attribution.

The image is resampled per output pixel: each pixel centre of the frame (projected
metres) is unprojected to lon/lat and looked up in the Web Mercator tiles of the zoom
whose pixels are about as fine as the page's (nearest neighbour), so the basemap
lies exactly under the layers in the brief's own projection.
"""
from __future__ import annotations

import io
import math
from dataclasses import replace

import numpy as np

from dashboard.io.basemap import Basemap
from dashboard.render.brief.layout import MapView
from dashboard.scene.model import Scene, SceneLayer

__all__ = ["BASEMAP_Z", "LAND_LAYERS", "draws_basemap", "draw_basemap", "over_basemap", "source_line"]

#: Under every layer (polygons start at 2) and above the sea's face colour.
BASEMAP_Z = 1.0
#: Layers whose opaque fill would hide the basemap: drawn as outlines over it.
LAND_LAYERS = frozenset({"countries"})
#: Most tiles read for one brief (the zoom is lowered until the frame needs no more).
MAX_TILES = 256
#: Largest image drawn, pixels per side (the page's map box is smaller).
MAX_PX = 2400
#: Web Mercator's latitude limit, degrees.
MERC_LAT = 85.0511287798


def draws_basemap(bm: Basemap | None) -> bool:
    """True when the brief draws ``bm`` (a local raster file)."""
    return bm is not None and bm.local and bm.tile_type == "raster"


def source_line(bm: Basemap) -> str:
    """The basemap's entry in the brief's sources line.

    >>> source_line(Basemap("xyz", "http://127.0.0.1:8080/{z}/{x}/{y}.png", "© T", "raster", "png"))
    'Basemap: © T (shown on the live map, not drawn here)'
    """
    text = bm.attribution if bm.attribution.lower().startswith("basemap") else f"Basemap: {bm.attribution}"
    return text if draws_basemap(bm) else f"{text} (shown on the live map, not drawn here)"


def over_basemap(layer: SceneLayer) -> SceneLayer:
    """``layer`` as drawn over a basemap: a land layer keeps its outline, not its fill."""
    if layer.name not in LAND_LAYERS or layer.style.fill is None:
        return layer
    r, g, b = layer.style.fill[:3]
    return replace(layer, style=replace(layer.style, fill=(r, g, b, 0)))


def with_basemap_source(scene: Scene, bm: Basemap | None) -> Scene:
    """``scene`` with the basemap's attribution last in its sources."""
    return scene if bm is None else replace(scene, sources=[*scene.sources, source_line(bm)])


def _zoom(bm: Basemap, m_per_px: float, lat_deg: float) -> int:
    """The tile zoom whose pixels are about ``m_per_px`` metres at ``lat_deg``."""
    ground = 2 * math.pi * 6378137.0 * math.cos(math.radians(lat_deg)) / bm.tile_px  # m per tile px at z0
    z = math.ceil(math.log2(max(ground / max(m_per_px, 1e-6), 1.0)))
    return max(bm.min_zoom, min(bm.max_zoom, z))


def _tile_image(bm: Basemap, z: int, x: int, y: int) -> np.ndarray | None:
    from PIL import Image
    data = bm.tile(z, x, y)
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im.convert("RGBA").resize((bm.tile_px, bm.tile_px)))
    except OSError:
        return None


def draw_basemap(view: MapView, bm: Basemap | None) -> bool:
    """Draw ``bm``'s raster tiles under the layers of ``view``; True when some were drawn."""
    if not draws_basemap(bm):
        return False
    assert bm is not None
    x0, y0, x1, y1 = view.frame
    bx0, by0, bx1, by1 = view.box_px
    w = int(min(MAX_PX, max(2, round(bx1 - bx0))))
    h = int(min(MAX_PX, max(2, round(by1 - by0))))
    xs = x0 + (np.arange(w) + 0.5) * (x1 - x0) / w
    ys = y1 - (np.arange(h) + 0.5) * (y1 - y0) / h  # top row first
    gx, gy = np.meshgrid(xs, ys)
    lon, lat = view.proj.to_lonlat(gx.ravel(), gy.ravel())
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -MERC_LAT, MERC_LAT)
    ok = np.isfinite(lon) & np.isfinite(lat)
    lon_c = float(np.nanmedian(lat[ok])) if ok.any() else 0.0
    z = _zoom(bm, (x1 - x0) / w, lon_c)
    tp = bm.tile_px
    while True:
        n = 2 ** z
        px = (lon + 180.0) / 360.0 * n * tp
        py = (1.0 - np.arcsinh(np.tan(np.radians(lat))) / math.pi) / 2.0 * n * tp
        tx = np.clip(np.floor(px / tp), 0, n - 1).astype(np.int64)
        ty = np.clip(np.floor(py / tp), 0, n - 1).astype(np.int64)
        keys = np.unique(tx[ok] * n + ty[ok])
        if len(keys) <= MAX_TILES or z <= bm.min_zoom:
            break
        z -= 1
    out = np.zeros((w * h, 4), dtype=np.uint8)
    drawn = False
    for key in keys[:MAX_TILES]:
        tx_k, ty_k = int(key // n), int(key % n)
        img = _tile_image(bm, z, tx_k, ty_k)
        if img is None:
            continue
        sel = ok & (tx == tx_k) & (ty == ty_k)
        ix = np.clip((px[sel] - tx_k * tp).astype(np.int64), 0, tp - 1)
        iy = np.clip((py[sel] - ty_k * tp).astype(np.int64), 0, tp - 1)
        out[sel] = img[iy, ix]
        drawn = True
    if drawn:
        view.ax.imshow(out.reshape(h, w, 4), extent=(x0, x1, y0, y1), origin="upper",
                       interpolation="nearest", zorder=BASEMAP_Z)
        view.ax.set_xlim(x0, x1)
        view.ax.set_ylim(y0, y1)
    return drawn
