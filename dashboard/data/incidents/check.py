"""Checking an incident: a plain dict in, an :class:`Incident` out, or every problem named.

Every field is checked and each problem is one line that names the field, so a
form, a CSV import and the CLI can show them all at once; nothing half-checked
is ever returned.  Text is text: control characters are refused, nothing is
interpreted as markup.

>>> from dashboard.data.incidents.record import EXAMPLE
>>> check_incident(EXAMPLE).id
'2022-11-15-przewodow'
>>> bad = dict(EXAMPLE, date="2022-13-40", killed=-1, sources=[{"url": "ftp://x"}])
>>> for line in incident_problems(bad): print(line)
date: 2022-13-40 is not a date (YYYY-MM-DD)
killed: must be a whole number of 0 or more, got -1
sources 1: url must start with http:// or https:// and name a host, got ftp://x
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date as Date
from typing import Any

from shapely.geometry import LineString, Point, shape
from shapely.geometry.base import BaseGeometry

from dashboard.data.coverage import position_outside, zone_outside
from dashboard.data.incidents.record import (
    ATTRIBUTED_TO,
    GRADE_RE,
    OBJECT_TYPES,
    POSITION_KINDS,
    STATUSES,
    Incident,
    Source,
)
from dashboard.data.limits import (
    MAX_INCIDENT_SOURCES,
    MAX_INCIDENT_TEXT_CHARS,
    MAX_PRECISION_M,
    MAX_TRACK_VERTICES,
)
from dashboard.geo.errors import InputError

__all__ = ["IncidentInvalid", "check_incident", "incident_problems", "check_reason",
           "check_url"]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_CC_RE = re.compile(r"^[A-Z]{2}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Shortest and longest reason a change must give (characters).
MIN_REASON_CHARS: int = 3


class IncidentInvalid(InputError):
    """An incident failed its checks; ``problems`` has one line per problem."""

    def __init__(self, problems: list[str], label: str = "incident") -> None:
        self.problems = tuple(problems)
        super().__init__(f"{label} not saved: " + "; ".join(problems))


def check_url(url: object) -> str | None:
    """None for an http(s) URL with a host; else why not (one line)."""
    text = str(url or "").strip()
    if not re.match(r"^https?://[^\s/?#]+\.[^\s/?#]+", text, re.IGNORECASE):
        return f"url must start with http:// or https:// and name a host, got {text[:80] or 'nothing'}"
    if _CONTROL_RE.search(text) or " " in text:
        return "url must not contain spaces or control characters"
    return None


def check_reason(reason: object) -> str:
    """The stripped reason for a change, or InputError: every change says why.

    >>> check_reason("  new source  ")
    'new source'
    """
    text = str(reason or "").strip()
    if len(text) < MIN_REASON_CHARS:
        raise InputError(f"give a reason for the change (at least {MIN_REASON_CHARS} characters)")
    if len(text) > MAX_INCIDENT_TEXT_CHARS or _CONTROL_RE.search(text):
        raise InputError(f"the reason must be plain text of at most {MAX_INCIDENT_TEXT_CHARS} characters")
    return text


def _text(d: Mapping[str, Any], key: str, problems: list[str], *, required: bool = False,
          max_chars: int = MAX_INCIDENT_TEXT_CHARS) -> str:
    v = d.get(key)
    text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
    if required and not text:
        problems.append(f"{key}: required")
    elif len(text) > max_chars:
        problems.append(f"{key}: at most {max_chars} characters, got {len(text)}")
    elif _CONTROL_RE.search(text):
        problems.append(f"{key}: control characters are not allowed")
    return text


def _choice(d: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str,
            problems: list[str]) -> str:
    v = str(d.get(key) or default).strip().lower()
    if v not in allowed:
        problems.append(f"{key}: must be one of {', '.join(allowed)}, got {v[:40]}")
    return v


def _count(d: Mapping[str, Any], key: str, problems: list[str]) -> int:
    v = d.get(key)
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return 0
    try:
        n = int(str(v).strip()) if not isinstance(v, (int, float)) else v
        if isinstance(n, float) and not n.is_integer():
            raise ValueError
        n = int(n)
    except (TypeError, ValueError):
        problems.append(f"{key}: must be a whole number of 0 or more, got {str(v)[:20]}")
        return 0
    if n < 0 or n > 100_000:
        problems.append(f"{key}: must be a whole number of 0 or more, got {n}")
    return n


def _date(d: Mapping[str, Any], problems: list[str]) -> str:
    v = str(d.get("date") or "").strip()
    try:
        day = Date.fromisoformat(v)
        if len(v) != 10:
            raise ValueError
    except ValueError:
        problems.append(f"date: {v[:20] or 'nothing'} is not a date (YYYY-MM-DD)")
        return v
    if day.year < 2014:
        problems.append(f"date: {v} is before 2014")
    return v


def _sources(d: Mapping[str, Any], problems: list[str]) -> tuple[Source, ...]:
    raw = d.get("sources") or []
    if not isinstance(raw, (list, tuple)):
        problems.append("sources: must be a list")
        return ()
    if not raw:
        problems.append("sources: at least one source (an http(s) URL) is required")
    if len(raw) > MAX_INCIDENT_SOURCES:
        problems.append(f"sources: at most {MAX_INCIDENT_SOURCES}, got {len(raw)}")
        raw = raw[:MAX_INCIDENT_SOURCES]
    out = []
    for i, s in enumerate(raw, 1):
        s = {"url": s} if isinstance(s, str) else (s if isinstance(s, Mapping) else {})
        why = check_url(s.get("url"))
        if why:
            problems.append(f"sources {i}: {why}")
        grade = str(s.get("grade") or "").strip().upper() or None
        if grade is not None and not GRADE_RE.match(grade):
            problems.append(f"sources {i}: grade must be a reliability letter A-F and a "
                            f"credibility digit 1-6 (e.g. B2), got {grade[:10]}")
        accessed = str(s.get("accessed") or "").strip() or None
        if accessed is not None:
            try:
                Date.fromisoformat(accessed)
            except ValueError:
                problems.append(f"sources {i}: accessed must be a date (YYYY-MM-DD), got {accessed[:20]}")
        sub: list[str] = []
        publisher = _text(s, "publisher", sub, max_chars=200)
        problems += [f"sources {i}: {p}" for p in sub]
        out.append(Source(str(s.get("url") or "").strip(), publisher, accessed, grade))
    return tuple(out)


def _geometry(d: Mapping[str, Any], problems: list[str]) -> BaseGeometry | None:
    g = d.get("geometry")
    if g is None:
        return None
    try:
        geom = g if isinstance(g, BaseGeometry) else shape(g)
    except (KeyError, TypeError, ValueError, AttributeError):
        problems.append("geometry: must be a GeoJSON Point or LineString")
        return None
    if not isinstance(geom, (Point, LineString)) or geom.is_empty:
        problems.append(f"geometry: must be a Point or a LineString (a track), got {geom.geom_type}")
        return None
    coords = list(geom.coords)
    if len(coords) > MAX_TRACK_VERTICES:
        problems.append(f"geometry: a track has at most {MAX_TRACK_VERTICES} vertices, got {len(coords)}")
        return None
    if not all(math.isfinite(c) for xy in coords for c in xy[:2]):
        problems.append("geometry: coordinates must be finite numbers")
        return None
    if isinstance(geom, Point):
        why = position_outside(float(geom.x), float(geom.y))
    else:
        why = zone_outside(geom.bounds, "track")
    if why:
        problems.append(f"position: {why}")
    return geom


def _precision(d: Mapping[str, Any], geom: BaseGeometry | None, problems: list[str]) -> float | None:
    v = d.get("precision_m")
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        if geom is not None:
            problems.append("precision_m: required for a positioned incident (metres)")
        return None
    try:
        p = float(v)
    except (TypeError, ValueError):
        problems.append(f"precision_m: must be a number of metres, got {str(v)[:20]}")
        return None
    if not (math.isfinite(p) and 0 < p <= MAX_PRECISION_M):
        problems.append(f"precision_m: must be more than 0 and at most {MAX_PRECISION_M:g} m, got {v}")
    if geom is None:
        problems.append("precision_m: an incident without a position has no precision")
    return p


def incident_problems(d: Mapping[str, Any]) -> list[str]:
    """Every problem of ``d`` as one line each (empty: it is a valid incident)."""
    problems: list[str] = []
    _build(d, problems)
    return problems


def check_incident(d: Mapping[str, Any]) -> Incident:
    """``d`` as a checked :class:`Incident`, or :class:`IncidentInvalid` naming every problem."""
    problems: list[str] = []
    inc = _build(d, problems)
    if problems:
        raise IncidentInvalid(problems, f"incident {str(d.get('id') or d.get('place') or '')[:60]}".strip())
    return inc


def _build(d: Mapping[str, Any], problems: list[str]) -> Incident:
    ident = str(d.get("id") or "").strip()
    if not _ID_RE.match(ident):
        problems.append(f"id: lower-case letters, digits and hyphens, at most 64, got {ident[:70] or 'nothing'}")
    day = _date(d, problems)
    t = str(d.get("time_utc") or "").strip() or None
    if t is not None and not _TIME_RE.match(t):
        problems.append(f"time_utc: must be HH:MM (UTC), got {t[:10]}")
    country = str(d.get("country") or "").strip().upper()
    if not _CC_RE.match(country):
        problems.append(f"country: must be an ISO 3166 two-letter code, got {country[:10] or 'nothing'}")
    geom = _geometry(d, problems)
    kind = _choice(d, "position_kind", POSITION_KINDS,
                   "not sourced" if geom is None else "estimate", problems)
    if (kind == "not sourced") != (geom is None) and kind in POSITION_KINDS:
        problems.append("position_kind: 'not sourced' if and only if there is no position")
    group = _text(d, "group", problems, max_chars=120) or None
    return Incident(
        id=ident, date=day, time_utc=t, place=_text(d, "place", problems, required=True, max_chars=200),
        country=country, object_type=_choice(d, "object_type", OBJECT_TYPES, "unknown", problems),
        munition=_text(d, "munition", problems), killed=_count(d, "killed", problems),
        injured=_count(d, "injured", problems),
        attributed_to=_choice(d, "attributed_to", ATTRIBUTED_TO, "not stated", problems),
        attribution=_text(d, "attribution", problems), sources=_sources(d, problems),
        position_kind=kind, position_method=_text(d, "position_method", problems),
        precision_m=_precision(d, geom, problems),
        status=_choice(d, "status", STATUSES, "reported", problems), group=group,
        notes=_text(d, "notes", problems), geometry=geom)
