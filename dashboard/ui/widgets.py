"""What the zones page's widgets share: one try/except for every action, inert user text."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any, TypeVar

import streamlit as st

from dashboard.geo.errors import InputError

State = MutableMapping[str, Any]
T = TypeVar("T")
log = logging.getLogger("dashboard.ui.zones")

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


# ----------------------------------------------------------------- one try/except
def user_error(exc: Exception) -> InputError:
    """The one-line message a user sees; anything but an InputError is logged in full."""
    if isinstance(exc, InputError):
        return exc
    log.exception("unexpected error on the no-fly-zones page")
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return InputError(f"could not do that ({type(exc).__name__}{': ' + first if first else ''})")


def attempt(action: Callable[[], T], show: Callable[[str], Any] | None = None, *,
            prefix: str = "", hints: Mapping[type[Exception], str] | None = None,
            ) -> tuple[bool, T | None]:
    """Run one command; on failure show its one-line message and return ``(False, None)``.

    Parameters
    ----------
    action : callable
        The command, called without arguments.
    show : callable, optional
        Where the message goes (default ``st.error``).
    prefix : str
        Put before the message (``"Not saved: "``).
    hints : mapping of exception type -> str, optional
        Appended to the message of an error of that type.
    """
    try:
        return True, action()
    except Exception as exc:  # noqa: BLE001 - shown as a message
        err = user_error(exc)
        hint = next((h for t, h in (hints or {}).items() if isinstance(exc, t)), "")
        (show or st.error)(f"{prefix}{err}{hint}")
        return False, None


def md(text: Any) -> str:
    """User text made inert for Markdown (no links, images or emphasis)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def swatch(rgba: Sequence[int]) -> str:
    """A small square of a zone's colour (numbers only: no user text in it)."""
    r, g, b = (int(c) for c in rgba[:3])
    return (f'<span style="display:inline-block;width:0.85em;height:0.85em;'
            f'background:rgb({r},{g},{b});border-radius:2px;vertical-align:-0.1em"></span>')


def add_row() -> tuple[Any, Any]:
    """Two columns: an input (3/4) beside its button (1/4)."""
    return st.columns([3, 1], vertical_alignment="bottom")


def show_queued(state: State, key: str) -> None:
    """Show the ``(level, text)`` messages queued under ``key``, once."""
    queued, state[key] = list(state.get(key) or []), []
    for level, text in queued:
        getattr(st, level if level in ("error", "warning", "info", "success") else "info")(text)


