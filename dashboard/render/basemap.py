"""The basemap as the live map's ``basemap`` arg (docs/map-protocol.md, "basemap").

>>> from dashboard.io.basemap import Basemap
>>> local_server = "http://127.0.0.1:8080/{z}/{x}/{y}.png"  # a tile server the user runs
>>> bm = Basemap("xyz", local_server, "© Example", "raster", "png", token="abc")
>>> basemap_arg(bm)["url"], basemap_arg(bm)["local"]
('_basemap/abc/{z}/{x}/{y}', False)
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

    ``url`` is a template with ``{z}``, ``{x}``, ``{y}`` relative to the app's root
    (``_basemap/<token>/{z}/{x}/{y}``): the app serves a file's tiles and an XYZ
    URL's alike (``local`` says which).  Zooms are the tile zooms; ``tileSize`` px.
    """
    if bm is None:
        return None
    url = f"{ROUTE_PREFIX}/{bm.token}/{{z}}/{{x}}/{{y}}"
    return {"url": url, "local": bm.local, "type": bm.tile_type, "format": bm.tile_format,
            "attribution": bm.attribution, "minZoom": bm.min_zoom, "maxZoom": bm.max_zoom,
            "bounds": [round(float(v), 6) for v in bm.bounds_deg], "tileSize": bm.tile_px,
            "token": bm.token}


def current_basemap_arg() -> dict[str, Any] | None:
    """:func:`basemap_arg` of this process's configured basemap."""
    return basemap_arg(configured_basemap())
