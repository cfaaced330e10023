"""Serve the configured basemap file's tiles from the app's own address.

The browser cannot read a local file, and a PMTiles or MBTiles file can be far larger
than Streamlit's static serving allows (200 MB, and only files below the app's
``static/`` folder), so the app serves *tiles*, not the file:

    GET <base>/_basemap/<token>/<z>/<x>/<y>

``token`` names the one configured file (:attr:`dashboard.io.basemap.Basemap.token`:
path, size and modification time hashed); ``z``, ``x``, ``y`` are integers (anything
else never reaches the handler).  Any other token answers 404: the URL never carries
a path, so nothing but the configured file can be read.  A tile the file lacks
answers 204.  Raster tiles go as they are stored (PNG/JPEG/WebP); vector tiles are
un-gzipped MVT.  An XYZ URL's tiles come the same way, fetched by the app from the
configured host (the browser talks to the app only).

Streamlit (1.67, on Starlette) has no hook for extra routes under ``streamlit run``
(``st.App(routes=...)`` would need another entry script), so :func:`install_route`
adds this one route to the running server's router once per process, at the front
of its list.  Under AppTest or the CLI there is no server and it does nothing.
"""
from __future__ import annotations

import gc
import threading
from typing import Any

from dashboard.io.basemap import basemap_for_token, sniff_media_type

__all__ = ["ROUTE_PREFIX", "install_route", "route_installed"]

#: The route's first path segment (below the server's baseUrlPath).
ROUTE_PREFIX = "_basemap"

_STATE: dict[str, Any] = {"installed": False}
_LOCK = threading.Lock()


def route_installed() -> bool:
    """True once this process's server answers ``/_basemap/...``."""
    return bool(_STATE["installed"])


async def _tile(request: Any) -> Any:
    from anyio import to_thread
    from starlette.responses import Response

    p = request.path_params
    bm = basemap_for_token(str(p["token"]))
    if bm is None:
        return Response("no such basemap", status_code=404, media_type="text/plain")
    data = await to_thread.run_sync(bm.tile, int(p["z"]), int(p["x"]), int(p["y"]))
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"}
    if data is None:
        return Response(status_code=204, headers=headers)
    media = sniff_media_type(data) if bm.tile_type == "raster" else bm.media_type
    return Response(data, media_type=media or bm.media_type, headers=headers)


def _route(base: str) -> Any:
    from starlette.routing import Route
    path = f"/{base.strip('/')}/{ROUTE_PREFIX}" if base.strip("/") else f"/{ROUTE_PREFIX}"
    return Route(path + "/{token:str}/{z:int}/{x:int}/{y:int}", _tile, methods=["GET"])


def _starlette_apps() -> list[Any]:
    try:
        from starlette.applications import Starlette
    except ImportError:
        return []
    return [o for o in gc.get_objects() if type(o) is Starlette]


def install_route() -> bool:
    """Add the tile route to the running Streamlit server (once); True when it answers."""
    if _STATE["installed"]:
        return True
    with _LOCK:
        if _STATE["installed"]:
            return True
        try:
            from streamlit import config, runtime
            if not runtime.exists():
                return False
            apps = _starlette_apps()
            if not apps:
                return False
            route = _route(str(config.get_option("server.baseUrlPath") or ""))
            for app in apps:
                app.router.routes.insert(0, route)
        except Exception:  # an unknown server shape: no basemap tiles, never a broken page
            return False
        _STATE["installed"] = True
        return True
