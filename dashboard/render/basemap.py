"""The basemap as the live map's ``basemap`` arg (docs/map-protocol.md, "basemap").

>>> from dashboard.io.basemap import Basemap
>>> bm = Basemap("xyz", "https://tiles.example/{z}/{x}/{y}.png", "© Example", "raster", "png", token="abc")
>>> basemap_arg(bm)["url"], basemap_arg(bm)["local"]
('https://tiles.example/{z}/{x}/{y}.png', False)
>>> basemap_arg(None) is None
True
"""
from __future__ import annotations

from typing import Any

from dashboard.io.basemap import Basemap, configured_basemap

__all__ = ["basemap_arg", "current_basemap_arg"]

#: The tile route's first path segment (dashboard/ui/basemap_server.py serves it).
ROUTE_PREFIX = "_basemap"


def basemap_arg(bm: Basemap | None) -> dict[str, Any] | None:
    """The JSON the browser draws ``bm`` from, or None for no basemap.

    ``url`` is a template with ``{z}``, ``{x}``, ``{y}``: for a local file it is relative
    to the app's root (``_basemap/<token>/{z}/{x}/{y}``, ``local`` true), for XYZ the
    user's URL.  Zooms are the file's tile zooms; ``tileSize`` its tiles' px.
    """
    if bm is None:
        return None
    url = f"{ROUTE_PREFIX}/{bm.token}/{{z}}/{{x}}/{{y}}" if bm.local else bm.source
    return {"url": url, "local": bm.local, "type": bm.tile_type, "format": bm.tile_format,
            "attribution": bm.attribution, "minZoom": bm.min_zoom, "maxZoom": bm.max_zoom,
            "bounds": [round(float(v), 6) for v in bm.bounds_deg], "tileSize": bm.tile_px,
            "token": bm.token}


def current_basemap_arg() -> dict[str, Any] | None:
    """:func:`basemap_arg` of this process's configured basemap."""
    return basemap_arg(configured_basemap())
