"""Names as a person reads them: one function, :func:`shown_name`, for every name shown.

A name (a zone's, a scenario's, an uploaded file's features) is the user's text and
is shown as text, in the order it was typed: bidirectional controls (U+202A-U+202E
embeddings and overrides, U+2066-U+2069 isolates, U+200E/U+200F and U+061C marks) are
taken out, so "Box\\u202eevil" cannot show as "Boxlive"; a lone UTF-16 surrogate (not
text; the entries refuse it) shows as U+FFFD instead of breaking the page.  The pages
(Markdown helpers, tables, choice lists) and the brief call it.

>>> shown_name("Box\\u202eevil\\u202c"), shown_name("a\\u2066b\\u2069\\u200fc")
('Boxevil', 'abc')
>>> shown_name("x\\ud800y"), shown_name(5)
('x\\ufffdy', '5')
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: Characters that reorder the text around them when shown.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Anything :func:`shown_name` changes.
UNSHOWN = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff]")


def shown_name(text: Any) -> str:
    """``text`` as shown: bidi controls taken out, lone surrogates as U+FFFD."""
    return _SURROGATE.sub("\ufffd", BIDI_CONTROLS.sub("", str(text)))


def changes_when_shown(texts: Iterable[Any]) -> bool:
    """True if :func:`shown_name` would change any of the ``str`` values of ``texts``
    (one regex pass over them all; other values are skipped).

    >>> changes_when_shown(["Lviv", 5, None]), changes_when_shown(["Box\u202eevil"])
    (False, True)
    """
    return UNSHOWN.search("\x00".join(v for v in texts if isinstance(v, str))) is not None


def has_lone_surrogate(text: Any) -> bool:
    """True when ``text`` holds a lone UTF-16 surrogate (not text).

    >>> has_lone_surrogate("a\\udfffb"), has_lone_surrogate("Przewodów ✈")
    (True, False)
    """
    return isinstance(text, str) and _SURROGATE.search(text) is not None
