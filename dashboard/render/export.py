"""Scene -> bytes to download: the briefing map in PNG, PDF or SVG."""
from __future__ import annotations

import io

from dashboard.scene import Scene

#: MIME type of each briefing format.
BRIEF_MIME: dict[str, str] = {"png": "image/png", "pdf": "application/pdf",
                              "svg": "image/svg+xml"}


def brief_bytes(scene: Scene, fmt: str, size: str, marking: str | None) -> bytes:
    """The briefing map of ``scene`` as bytes (rendered only when the user asks)."""
    from dashboard.render.brief import render_brief  # matplotlib loads on first use only

    buf = io.BytesIO()
    render_brief(scene, buf, fmt=fmt, size=size, marking=(marking or "").strip() or None)
    return buf.getvalue()
