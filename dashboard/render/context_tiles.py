"""The context layers the live map draws from zoom tiles: rivers and wide water.

``scripts/build_context_tiles.py`` writes them into the map component's ``context/``
folder (an overview of the rivers below zoom 8, 2-degree tiles of the full rivers from
zoom 8 and of the wide water from zoom 9, content-hashed names, a browser index and
``index.json``).  :func:`context_spec` is what the deck spec carries for the browser's
``context.js`` (``spec["context"]``): the browser index's URL, the layer the context goes
above (under the zones and the borders) and each layer's colours from
:mod:`dashboard.scene.styles`.  The layers are never clickable and have no tooltip.

>>> spec = context_spec()
>>> spec is None or spec["index"].startswith("context/tiles.")
True
"""
from __future__ import annotations

import json
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.render.geotable import MAPVIEW_DIR
from dashboard.scene.styles import LAYERS

#: Where the tiles are served from, and Python's index of them.
CONTEXT_DIR: Path = MAPVIEW_DIR / "context"
CONTEXT_INDEX_FILE: Path = CONTEXT_DIR / "index.json"
#: The context layers, bottom to top.
CONTEXT_LAYERS: tuple[str, ...] = ("wide_water", "rivers")


@lru_cache(maxsize=2)
def _read_index(path: str, size: int, mtime_ns: int) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def context_index() -> dict[str, Any]:
    """``context/index.json``: ``{url, bytes, layers}`` of the built tiles (``url``: the
    browser's index), empty when they are not built.  Do not modify."""
    if not CONTEXT_INDEX_FILE.is_file():
        return {}
    stat = CONTEXT_INDEX_FILE.stat()
    return _read_index(str(CONTEXT_INDEX_FILE), stat.st_size, stat.st_mtime_ns)


def context_spec(hidden: Collection[str] = (), after: str = "water") -> dict[str, Any] | None:
    """The browser's context spec (``{index, after, styles: {layer: {fill, line,
    lineWidthPx, visible}}}``), or None when the tiles are not built or no style names
    the layers.  ``after``: the layer id the context goes above (the browser falls back
    to ``countries`` when it is absent)."""
    index = context_index()
    styles = {name: LAYERS[name] for name in CONTEXT_LAYERS if name in LAYERS}
    if not index or not styles:
        return None
    return {"index": index["url"], "after": after,
            "styles": {name: {"fill": list(s.fill), "line": list(s.line),
                              "lineWidthPx": float(s.line_width_px), "visible": name not in hidden}
                       for name, s in styles.items()}}
