"""Store URLs: which backend a URL names, and how to show one without its password.

No network, no file access: text in, text out.
"""
from __future__ import annotations

import re

__all__ = ["SCHEME", "is_postgres_url", "mask_url", "url_password"]

_PG_SCHEMES = ("postgresql", "postgres")
#: A URL scheme of two letters or more ("C:\\x" is a Windows path, not a URL).
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


def is_postgres_url(url: str) -> bool:
    """True for a ``postgresql://`` or ``postgres://`` URL."""
    m = SCHEME.match(url.strip())
    return bool(m) and m.group(1).lower() in _PG_SCHEMES and url.strip()[m.end():
                                                                        ].startswith("//")


def _userinfo_split(rest: str) -> tuple[str, str]:
    """``user:password`` and the rest of a URL after ``//``: the user info ends at the
    last ``@`` (a password may hold ``/``, ``?`` or ``#`` unencoded)."""
    userinfo, at, after = rest.rpartition("@")
    return (userinfo, after) if at else ("", rest)


def mask_url(url: str) -> str:
    """``url`` fit to show: the password and the query (which may hold one) removed.

    Anything that is not a ``scheme://`` URL shows as its scheme only.

    >>> mask_url("postgresql://nfz:s3cret@db.example:5432/nfz?sslmode=require")
    'postgresql://nfz@db.example:5432/nfz'
    >>> mask_url("postgresql://nfz:a/b?c#d@db/nfz"), mask_url("postgresql:/nfz:secret@db/x")
    ('postgresql://nfz@db/nfz', 'postgresql:…')
    """
    text = url.strip()
    m = SCHEME.match(text)
    if not m or not text[m.end():].startswith("//"):
        return f"{m.group(1)}:…" if m else "(a value that is not a URL)"
    userinfo, after = _userinfo_split(text[m.end() + 2:])
    hosts, _, path = after.split("?", 1)[0].split("#", 1)[0].partition("/")
    user = userinfo.split(":", 1)[0]
    shown = f"{user}@{hosts}" if user else hosts
    return f"{m.group(1)}://{shown}" + (f"/{path}" if path else "")


def url_password(url: str) -> str:
    """The password written in a ``scheme://user:password@host`` URL ('' if none)."""
    text = url.strip()
    m = SCHEME.match(text)
    if not m or not text[m.end():].startswith("//"):
        return ""
    return _userinfo_split(text[m.end() + 2:])[0].partition(":")[2]
