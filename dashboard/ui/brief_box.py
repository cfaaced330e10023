"""The briefing-map controls every page with a map offers: format, size, marking, make, download.

Widgets only: the brief is drawn from the page's own scene, so it shows what the
page's map shows (its layers, its figures), by a worker process of
:mod:`dashboard.render.brief_pool` while the page shows how many briefs are ahead
of it; other sessions' reruns go on meanwhile.
"""
from __future__ import annotations

import time

import streamlit as st

from dashboard.geo.errors import InputError
from dashboard.render import brief_pool
from dashboard.render.export import BRIEF_MIME
from dashboard.scene.compose.subject import brief_file_name
from dashboard.scene.model import Scene
from dashboard.state.fields import Session
from dashboard.ui.widgets import md, pressed

SIZES: dict[str, str] = {"slide": "Slide 1920×1080", "a4": "A4 landscape, 300 dpi"}


def brief_controls(scene: Scene) -> None:
    """Format, size and marking, then :func:`brief_box` for ``scene``."""
    fmt = st.selectbox("Format", list(BRIEF_MIME), key="brief_fmt")
    size = st.selectbox("Size", list(SIZES), key="brief_size", format_func=SIZES.__getitem__)
    marking = st.text_input("Marking banner", key="brief_marking", placeholder="e.g. UNCLASSIFIED")
    brief_box(scene, fmt, size, marking, brief_file_name(scene, fmt))


def _brief_signature(scene: Scene, fmt: str, size: str, marking: str | None) -> str:
    """What a brief depends on, as text: a made brief is offered while this stays."""
    return repr((fmt, size, (marking or "").strip(), scene.view, scene.title, scene.subtitle,
                 sorted(scene.metrics.items()), [lyr.name for lyr in scene.layers],
                 scene.units, scene.as_of))


def brief_box(scene: Scene, fmt: str, size: str, marking: str | None, file_name: str) -> None:
    """"Make briefing map", then "Download briefing map" for as long as the view stays.

    The file is made in the run the button asks for and offered with its bytes, so it
    stays this session's until the view changes.  (A download made on click belongs
    to no session: under load another session's rerun can drop it before the
    browser fetches it.)  A session keeps its last brief only.
    """
    state = Session.of(st.session_state)
    sig = _brief_signature(scene, fmt, size, marking)
    if pressed(st, "Make briefing map", key="brief_make"):
        try:
            state.brief_file = (sig, make_brief(scene, fmt, size, marking))
        except InputError as exc:  # timed out, a worker stopped, a bad format: one line
            st.error(str(exc), icon=":material/error:")
    made = state.brief_file
    if made and made[0] == sig:
        st.download_button("Download briefing map", made[1], file_name=file_name,
                           key="dl_brief", on_click="ignore", mime=BRIEF_MIME[fmt])
        st.caption(f"File: {md(file_name)}")
    else:
        state.brief_file = None
        st.caption("Make the map of the view as it is now, then download it.")


#: Longest the page waits without news before it looks again, s (it wakes at once when the
#: brief is ready or one ahead of it finishes; the first look is short, for a kept brief).
POLL_S: float = 2.0


def waiting_label(ahead: int) -> str:
    """The status line while a brief is drawn.

    >>> waiting_label(0), waiting_label(2)
    ('Drawing the briefing map…', 'Waiting to draw the briefing map: 2 ahead of it…')
    """
    return "Drawing the briefing map…" if ahead <= 0 else \
        f"Waiting to draw the briefing map: {ahead} ahead of it…"


def make_brief(scene: Scene, fmt: str, size: str, marking: str | None) -> bytes:
    """The brief's bytes, drawn by the brief pool while a status line says how many are ahead.

    Raises :class:`~dashboard.geo.errors.InputError` (one line) when it cannot be made.
    """
    t0 = time.perf_counter()
    with st.spinner("Drawing the briefing map…"):  # drawn here when no worker can be started
        ticket = brief_pool.submit(scene, fmt, size, marking)
    data = brief_pool.wait(ticket, 0.05)
    if data is not None:
        return data
    ahead = brief_pool.ahead(ticket)
    with st.status(waiting_label(ahead), expanded=False) as status:
        while data is None:
            data = brief_pool.wait(ticket, POLL_S)
            now = brief_pool.ahead(ticket) if data is None else 0
            if now != ahead:
                ahead = now
                status.update(label=waiting_label(ahead))
        status.update(label=f"Briefing map drawn in {time.perf_counter() - t0:.1f} s", state="complete")
    return data
