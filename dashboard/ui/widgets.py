"""What the pages' widgets share: one try/except for every action, user text made inert
for Markdown (:func:`md`, :func:`md_html`, :func:`inert_table`)."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from dashboard.geo.errors import InputError
from dashboard.scene.names import shown_name
from dashboard.state.fields import Session, StateLike

T = TypeVar("T")
log = logging.getLogger("dashboard.ui.zones")

#: What Markdown (CommonMark, GFM, KaTeX ``$...$``, Streamlit's ``:colour[...]`` and
#: ``:shortcode:``) can read as syntax in one line of text: inline markers anywhere,
#: block markers (heading, list, quote) at the start.  ``(`` needs an escape only after
#: ``]`` (a link's target) once ``[`` and ``]`` have one; ``6.37`` or ``PL-UA`` stay as
#: they are.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~$&]|(?<=\])\()|(:)(?=[\w/])|^(\s*(?:\d+(?=[.)](?:\s|$)))?)"
                         r"([#>]|[+\-=](?=[\s+\-=]|$)|(?<=\d)[.)])")


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
    except Exception as exc:
        err = user_error(exc)
        hint = next((h for t, h in (hints or {}).items() if isinstance(exc, t)), "")
        if show is None:  # Markdown: the message (which may quote user text) made inert
            st.error(f"{prefix}{md(err)}{md(hint)}")
        else:  # plain text (a queue shown by :func:`show_queued`)
            show(f"{prefix}{err}{hint}")
        return False, None


def md(text: Any) -> str:
    r"""User text made inert for Markdown (no links, images, maths or emphasis).

    Every character Markdown could read as syntax is backslash-escaped, and line
    breaks become spaces (no new block can start), so the text shows as it is.

    >>> print(md("![p](http://x/y.png) $a$ <b> :red[x] 6.37 PL-UA"))
    \!\[p\]\(http\://x/y.png) \$a\$ \<b\> \:red\[x\] 6.37 PL-UA
    >>> print(md("# 1. - x"), md("12. x"), md("- x"), md("-2.5"), md("1.5"))
    \# 1. - x 12\. x \- x -2.5 1.5
    """
    return _MD_SPECIAL.sub(lambda m: _escaped(m, lambda c: "\\" + c), _one_line(text))


def md_html(text: Any) -> str:
    r"""User text made inert for Markdown *with HTML allowed* (``unsafe_allow_html``).

    As :func:`md`, but ``<``, ``>`` and ``&`` become numeric character references
    (``<`` -> ``&#60;``): Markdown and HTML both show them as those characters, and
    no parser reads a tag, an entity, a link or emphasis in the text.

    >>> print(md_html('<img src=x onerror="a()"> *b* &amp; ![x](y)'))
    &#60;img src=x onerror="a()"&#62; \*b\* &#38;amp; \!\[x\]\(y)
    """
    return _MD_SPECIAL.sub(lambda m: _escaped(m, _html_or_md_escape), _one_line(text))


def _html_or_md_escape(c: str) -> str:
    return f"&#{ord(c)};" if c in "<>&" else "\\" + c


def _escaped(m: re.Match, escape: Callable[[str], str]) -> str:
    """The match of :data:`_MD_SPECIAL` with its syntax character(s) escaped."""
    if m.group(1) or m.group(2):
        return escape(m.group(1) or m.group(2))
    return m.group(3) + escape(m.group(4))


def _one_line(text: Any) -> str:
    return re.sub(r"[\r\n\u2028\u2029]+", " ", shown_name(text))


def inert_table(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells, column names and index are made inert for
    Markdown (``st.table`` renders Markdown in its cells; ``st.dataframe`` does not)."""
    def cell(v: Any) -> Any:
        return md(v) if isinstance(v, str) else v

    out = df.map(cell)
    out.columns = [cell(c) for c in df.columns]
    out.index = df.index.map(cell)
    out.index.name = cell(df.index.name) if df.index.name is not None else None
    return out


def markdown_table(df: pd.DataFrame) -> str:
    r"""``df`` as a Markdown table, its index first, every cell inert (:func:`md`).

    What ``st.markdown`` draws with the page's own code: ``st.table`` sends Arrow data,
    and a browser must first load about 1 MB of JavaScript to show the first one.

    >>> df = pd.DataFrame({"value": ["6.37 km", "a|b *c*"]}, index=["NATO border", "x"])
    >>> print(markdown_table(df.rename_axis("figure")))
    | figure | value |
    |---|---|
    | NATO border | 6.37 km |
    | x | a\|b \*c\* |
    """
    def cell(v: Any) -> str:
        return md("" if v is None else v)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    head = [cell(df.index.name or ""), *(cell(c) for c in df.columns)]
    rows = [line([cell(i), *(cell(v) for v in row)])
            for i, row in zip(df.index, df.itertuples(index=False))]
    return "\n".join([line(head), "|" + "---|" * len(head), *rows])


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


def pressed(where: Any, label: str, *, key: str, target: str = "", **kwargs: Any) -> bool:
    """A button whose click is not lost: True once, in the first run that reaches it
    after the click, if it is still enabled and for the same ``target`` (the zone or the
    position it acts on); ``where`` is ``st`` or a column, ``kwargs`` go to its ``button``.

    A plain ``st.button`` is True only in the run its click starts, and a run the next one
    interrupts (the map reporting its view) before it reaches the button drops the click:
    "Make a share link" did nothing, seen in a browser. The click is noted by a callback,
    which Streamlit runs before the script whatever becomes of the run, and taken here;
    a click for another target (the selection changed meanwhile) is dropped, not turned
    on the new one, and a run that ends without reaching the button forgets it
    (:func:`run_ended`). Set the state an action changes before any ``st`` call in it:
    each such call is where a run can be interrupted.
    """
    where.button(label, key=key, on_click=_note_click, args=(key, target), **kwargs)
    clicked_for = Session.of(st.session_state).clicks.pop(key, None)
    return clicked_for == target and not kwargs.get("disabled")


def _note_click(key: str, target: str) -> None:
    Session.of(st.session_state).clicks[key] = target


def run_ended(state: StateLike) -> None:
    """The last line of a whole-page run: what it showed was sent, so the messages it
    showed (:func:`show_queued`) go at the user's next action (:func:`drop_sent`); the
    clicks of buttons it did not draw are forgotten (:func:`pressed`).

    >>> state = {"q": [("info", "a")], "notes_shown": {"q": 1}, "clicks": {"gone": ""}}
    >>> run_ended(state); state["q"], state["notes_sent"], state["clicks"]
    ([('info', 'a')], {'q': 1}, {})
    """
    session = Session.of(state)
    session.notes_sent = {**session.notes_sent, **session.notes_shown}
    session.notes_shown = {}
    session.clicks = {}


def run_started(state: StateLike) -> None:
    """Before a whole page runs: no message is shown yet (one an interrupted run showed
    was never sent, so :func:`run_ended` must not count it)."""
    Session.of(state).notes_shown = {}


def show_queued(state: StateLike, key: str) -> None:
    """Show the ``(level, text)`` messages queued under ``key``; they stay queued, and
    shown, until the user's next action (other than moving the map) after a run that
    sent them (:func:`drop_sent`).

    A message goes neither with a run the next one interrupts (it never sent what it had
    not sent yet) nor with the run the map starts when it reports its view: either took
    "Opened scenario ..." off the page before a busy browser had drawn it (seen in a
    browser). Queued texts are plain text (they quote zone and scenario names): each is
    shown inert (:func:`md`), so put no Markdown, and no :func:`md`, in them.
    """
    queued = list(state.get(key) or [])
    for level, text in queued:
        getattr(st, level if level in ("error", "warning", "info", "success") else "info")(md(text))
    Session.of(state).notes_shown[key] = len(queued)


def drop_sent(state: StateLike) -> None:
    """A run the user started (not the map reporting its view): take the messages a
    finished run sent (:func:`run_ended`) off their queues; those queued since stay.

    >>> state = {"q": [("info", "a"), ("info", "b")], "notes_sent": {"q": 1}}
    >>> drop_sent(state); state["q"], state["notes_sent"]
    ([('info', 'b')], {})
    """
    session = Session.of(state)
    for key, n in session.notes_sent.items():
        state[key] = list(state.get(key) or [])[n:]
    session.notes_sent = {}


