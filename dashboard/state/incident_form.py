"""The incident form's logic: the form's values <-> an incident record, who saves, what is said.

The Incidents page's form (:mod:`dashboard.ui.incident_form`) keeps its widget
values under ``incf_*`` keys of the session; this module reads them into a
:class:`FormValues`, turns that into the plain dict
:func:`~dashboard.data.incidents.check.check_incident` checks, and writes an
incident (or a map click) back into the keys.  Saving goes through the incident
store: every problem is one line, and nothing is written unless there is none.

Keys (all plain session keys; the widgets' keys are the same names):

- ``incf_mode``: ``"add"`` or ``"edit"``; ``incf_edit_id``: the incident edited;
  ``incf_based_on``: ``(id, version)`` the edit form was loaded from (a stale edit
  is refused by the store naming the newer version);
- ``incf_date``, ``incf_time``, ``incf_place``, ``incf_country``,
  ``incf_object_type``, ``incf_munition``, ``incf_killed``, ``incf_injured``,
  ``incf_attributed_to``, ``incf_attribution``, ``incf_lat``, ``incf_lon``,
  ``incf_position_kind``, ``incf_position_method``, ``incf_precision_m``,
  ``incf_status``, ``incf_group``, ``incf_notes``, ``incf_reason``;
- ``incf_src_n`` sources, each ``incf_src_{url,pub,acc,rel,cred}_<i>``;
- ``incf_track``: a track's GeoJSON kept as it is while its incident is edited;
- ``incf_country_auto``: the country last derived from the position;
- ``incf_msgs``: ``(level, text)`` lines to show once (plain text);
- ``incf_prefill``: ``{"lon", "lat"}`` of a map click, taken by the form on its next run.

No Streamlit here.  Positions are (lon, lat) degrees; precisions metres.

>>> v = from_click(23.93432, 50.47099)
>>> v.position_kind, v.lat, v.lon, v.precision_m, v.country
('map click', '50.47099', '23.93432', '1000', 'PL')
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date as Date
from typing import Any

import pandas as pd

from dashboard.analysis.incident_country import country_at, country_mismatch
from dashboard.data.incidents.check import check_reason, incident_problems
from dashboard.data.incidents.record import (
    CREDIBILITY,
    FIELDS,
    RELIABILITY,
    Incident,
    new_incident_id,
)
from dashboard.data.incidents.version import LOCAL_WHO, IncidentVersion, StaleEdit
from dashboard.data.limits import MAX_INCIDENT_SOURCES
from dashboard.geo.errors import InputError
from dashboard.store.incidents.api import IncidentStore

__all__ = ["FormValues", "SourceValues", "SaveResult", "POSITION_KIND_LABELS",
           "ATTRIBUTED_TO_LABELS", "DEFAULT_PRECISION_M", "grade_label", "reliability_label",
           "credibility_label", "from_incident", "from_click", "from_place", "blank",
           "to_record", "form_problems", "who_of", "save_incident", "read_form",
           "write_form", "history_table", "version_table", "take_prefill", "KEY",
           "set_prefill", "country_note", "derive_country", "load_version", "based_on",
           "retire_incident", "restore_version", "source_key"]

#: The prefix of every key of the form.
KEY = "incf_"
#: How the position was obtained, as the form words it (record value -> label).
POSITION_KIND_LABELS: dict[str, str] = {
    "source": "source coordinates", "gazetteer": "gazetteer place", "map click": "map click",
    "estimate": "estimate", "not sourced": "not positioned"}
#: Whom the statement names, as the form words it.
ATTRIBUTED_TO_LABELS: dict[str, str] = {
    "russian": "Russian", "ukrainian": "Ukrainian", "belarusian": "Belarusian",
    "not stated": "not stated"}
#: The precision a position gets by default, by how it was obtained (m): a click on
#: the map at a usual zoom, a gazetteer place (a village's extent).
DEFAULT_PRECISION_M: dict[str, float] = {"map click": 1000.0, "gazetteer": 2000.0}


def reliability_label(letter: str) -> str:
    """``"B – usually reliable"``; ``""`` reads "not graded"."""
    return f"{letter} – {RELIABILITY[letter]}" if letter else "not graded"


def credibility_label(digit: str) -> str:
    """``"2 – probably true"``; ``""`` reads "not graded"."""
    return f"{digit} – {CREDIBILITY[digit]}" if digit else "not graded"


def grade_label(grade: str | None) -> str:
    """A grade in words.

    >>> grade_label("B2")
    'B2: usually reliable, probably true'
    >>> grade_label(None)
    'not graded'
    """
    if not grade:
        return "not graded"
    return f"{grade}: {RELIABILITY[grade[0]]}, {CREDIBILITY[grade[1]]}"


@dataclass(frozen=True)
class SourceValues:
    """One source row of the form: texts as typed, the grade as its two halves."""

    url: str = ""
    publisher: str = ""
    accessed: str = ""        # YYYY-MM-DD or empty
    reliability: str = ""     # A..F or empty: not graded
    credibility: str = ""     # 1..6 or empty

    def is_blank(self) -> bool:
        return not any(str(v).strip() for v in (self.url, self.publisher, self.accessed,
                                                self.reliability, self.credibility))


@dataclass(frozen=True)
class FormValues:
    """The form as typed: texts are texts (a box may hold anything), numbers are numbers."""

    date: Date | None = None
    time_utc: str = ""
    place: str = ""
    country: str = ""
    object_type: str = "unknown"
    munition: str = ""
    killed: int = 0
    injured: int = 0
    attributed_to: str = "not stated"
    attribution: str = ""
    sources: tuple[SourceValues, ...] = (SourceValues(),)
    lat: str = ""
    lon: str = ""
    track: dict[str, Any] | None = None
    position_kind: str = "not sourced"
    position_method: str = ""
    precision_m: str = ""
    status: str = "reported"
    group: str = ""
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def blank(today: Date | None = None) -> FormValues:
    """An empty form (the date today's, if given)."""
    return FormValues(date=today)


def _num(x: float) -> str:
    """A number as the form shows it: no trailing zeros (``1000``, ``50.47099``)."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def from_click(lon: float, lat: float, precision_m: float | None = None) -> FormValues:
    """A new incident at a map click: the position, its default precision and its country."""
    return FormValues(lat=_num(lat), lon=_num(lon), position_kind="map click",
                      precision_m=_num(precision_m or DEFAULT_PRECISION_M["map click"]),
                      country=country_at(lon, lat) or "",
                      position_method="clicked on the map")


def from_place(values: FormValues, name: str, lon: float, lat: float, country: str) -> FormValues:
    """``values`` placed at a gazetteer place: position, kind, default precision, country.

    >>> v = from_place(blank(), "Przewodów", 23.93432, 50.47099, "PL")
    >>> v.place, v.position_kind, v.precision_m, v.country
    ('Przewodów', 'gazetteer', '2000', 'PL')
    """
    return replace(values, place=values.place.strip() or name, lat=_num(lat), lon=_num(lon),
                   track=None, position_kind="gazetteer",
                   precision_m=_num(DEFAULT_PRECISION_M["gazetteer"]),
                   country=country_at(lon, lat) or country.upper(),
                   position_method=f"gazetteer: {name} (GeoNames)")


def from_incident(inc: Incident) -> FormValues:
    """The form holding ``inc`` (to edit it); a track is kept as it is."""
    lonlat = inc.lonlat if inc.kind == "point" else None
    grades = [(s.grade or "  ")[:2] for s in inc.sources]
    return FormValues(
        date=Date.fromisoformat(inc.date), time_utc=inc.time_utc or "", place=inc.place,
        country=inc.country, object_type=inc.object_type, munition=inc.munition,
        killed=int(inc.killed), injured=int(inc.injured), attributed_to=inc.attributed_to,
        attribution=inc.attribution,
        sources=tuple(SourceValues(s.url, s.publisher, s.accessed or "", g[0].strip(),
                                   g[1].strip()) for s, g in zip(inc.sources, grades))
        or (SourceValues(),),
        lat=_num(lonlat[1]) if lonlat else "", lon=_num(lonlat[0]) if lonlat else "",
        track=inc.to_dict()["geometry"] if inc.kind == "track" else None,
        position_kind=inc.position_kind, position_method=inc.position_method,
        precision_m="" if inc.precision_m is None else _num(inc.precision_m),
        status=inc.status, group=inc.group or "", notes=inc.notes)


# ----------------------------------------------------------------- values -> record
def _coordinate(text: str, name: str, limit: float, problems: list[str]) -> float | None:
    try:
        v = float(text.strip().replace(",", "."))
    except ValueError:
        problems.append(f"{name}: must be a number of degrees, got {text.strip()[:20]}")
        return None
    if not (math.isfinite(v) and -limit <= v <= limit):
        problems.append(f"{name}: must be between -{limit:g} and {limit:g} degrees, got {text.strip()[:20]}")
        return None
    return v


def _geometry(v: FormValues, problems: list[str]) -> dict[str, Any] | None:
    """The position as GeoJSON (a kept track as it is), or None; problems named."""
    if v.track is not None:
        return v.track
    lat_t, lon_t = v.lat.strip(), v.lon.strip()
    if not lat_t and not lon_t:
        if v.position_kind != "not sourced":
            problems.append("position: type a latitude and a longitude (or pick a place or a "
                            "map point), or choose 'not positioned'")
        return None
    if not (lat_t and lon_t):
        problems.append("position: give both a latitude and a longitude")
        return None
    lat = _coordinate(lat_t, "latitude", 90, problems)
    lon = _coordinate(lon_t, "longitude", 180, problems)
    if lat is None or lon is None:
        return None
    if v.position_kind == "not sourced":
        problems.append("position: choose how it was obtained (source coordinates, gazetteer "
                        "place, map click or estimate), or clear it for 'not positioned'")
    return {"type": "Point", "coordinates": [lon, lat]}


def _sources(v: FormValues, problems: list[str]) -> list[dict[str, Any]]:
    out = []
    rows = [s for s in v.sources if not s.is_blank()]
    for i, s in enumerate(rows, 1):
        rel, cred = s.reliability.strip().upper(), s.credibility.strip()
        if bool(rel) != bool(cred):
            problems.append(f"sources {i}: a grade needs both the reliability (A-F) and the "
                            "credibility (1-6), or neither")
        out.append({"url": s.url.strip(), "publisher": s.publisher.strip(),
                    "accessed": s.accessed.strip() or None,
                    "grade": rel + cred if rel and cred else None})
    return out


def to_record(v: FormValues, incident_id: str) -> tuple[dict[str, Any], list[str]]:
    """The record dict :func:`check_incident` checks, and the form's own problems
    (a position that is not two numbers, half a grade)."""
    problems: list[str] = []
    geom = _geometry(v, problems)
    sources = _sources(v, problems)
    record = {
        "id": incident_id, "date": v.date.isoformat() if v.date else "",
        "time_utc": v.time_utc.strip() or None, "place": v.place,
        "country": v.country.strip().upper(), "object_type": v.object_type,
        "munition": v.munition, "killed": v.killed, "injured": v.injured,
        "attributed_to": v.attributed_to, "attribution": v.attribution, "sources": sources,
        "position_kind": v.position_kind, "position_method": v.position_method,
        "precision_m": v.precision_m.strip().replace(",", ".") or None, "status": v.status,
        "group": v.group.strip() or None, "notes": v.notes, "geometry": geom}
    return record, problems


def form_problems(v: FormValues, incident_id: str, reason: str) -> list[str]:
    """Every problem of the form, one line each (empty: it can be saved).

    >>> bad = replace(from_click(23.93432, 50.47099), place="X",
    ...               sources=(SourceValues(url="javascript:alert(1)"),))
    >>> for line in form_problems(bad, "x", ""): print(line)
    date: nothing is not a date (YYYY-MM-DD)
    sources 1: url must start with http:// or https:// and name a host, got javascript:alert(1)
    reason: give a reason for the change (at least 3 characters)
    """
    record, problems = to_record(v, incident_id)
    checked = incident_problems(record)
    if any(p.startswith(("position:", "latitude:", "longitude:")) for p in problems):
        checked = [p for p in checked if not p.startswith(("position_kind:", "precision_m:"))]
    try:
        check_reason(reason)
        why: list[str] = []
    except InputError as exc:
        why = [f"reason: {exc}"]
    return checked + problems + why


# ----------------------------------------------------------------- the session's keys
_SCALARS: tuple[tuple[str, str], ...] = (
    ("date", "date"), ("time_utc", "time"), ("place", "place"), ("country", "country"),
    ("object_type", "object_type"), ("munition", "munition"), ("killed", "killed"),
    ("injured", "injured"), ("attributed_to", "attributed_to"),
    ("attribution", "attribution"), ("lat", "lat"), ("lon", "lon"),
    ("position_kind", "position_kind"), ("position_method", "position_method"),
    ("precision_m", "precision_m"), ("status", "status"), ("group", "group"),
    ("notes", "notes"))
_SOURCE_KEYS: tuple[tuple[str, str], ...] = (
    ("url", "url"), ("publisher", "pub"), ("accessed", "acc"), ("reliability", "rel"),
    ("credibility", "cred"))


def source_key(part: str, i: int) -> str:
    """The key of source ``i``'s ``part`` (url, pub, acc, rel, cred).

    >>> source_key("url", 0)
    'incf_src_url_0'
    """
    return f"{KEY}src_{part}_{i}"


def read_form(state: Mapping[str, Any]) -> FormValues:
    """The form's values from the session's ``incf_*`` keys (defaults where unset)."""
    base = FormValues()
    kw: dict[str, Any] = {}
    for attr, key in _SCALARS:
        value = state.get(KEY + key, getattr(base, attr))
        if attr in ("killed", "injured"):
            value = int(value or 0)
        elif attr != "date":
            value = "" if value is None else str(value)
        kw[attr] = value
    n = int(state.get(KEY + "src_n", 1) or 1)
    kw["sources"] = tuple(
        SourceValues(**{attr: str(state.get(source_key(part, i)) or "")
                        for attr, part in _SOURCE_KEYS}) for i in range(n))
    kw["track"] = state.get(KEY + "track")
    return FormValues(**kw)


def write_form(state: MutableMapping[str, Any], v: FormValues, *, keep_reason: bool = False
               ) -> None:
    """Put ``v`` into the session's ``incf_*`` keys (the widgets then show it); the reason
    is cleared unless ``keep_reason``."""
    for attr, key in _SCALARS:
        state[KEY + key] = getattr(v, attr)
    old_n = int(state.get(KEY + "src_n", 0) or 0)
    for i in range(max(old_n, len(v.sources))):
        s = v.sources[i] if i < len(v.sources) else SourceValues()
        for attr, part in _SOURCE_KEYS:
            state[source_key(part, i)] = getattr(s, attr)
    state[KEY + "src_n"] = max(1, min(len(v.sources), MAX_INCIDENT_SOURCES))
    state[KEY + "track"] = v.track
    state[KEY + "country_auto"] = _derived(v)
    if not keep_reason:
        state[KEY + "reason"] = ""


def _lonlat(v: FormValues) -> tuple[float, float] | None:
    if v.track is not None:
        return None
    try:
        lon, lat = float(v.lon.replace(",", ".")), float(v.lat.replace(",", "."))
    except ValueError:
        return None
    return (lon, lat) if math.isfinite(lon) and math.isfinite(lat) and abs(lat) <= 90 \
        and abs(lon) <= 180 else None


def _derived(v: FormValues) -> str | None:
    lonlat = _lonlat(v)
    return None if lonlat is None else country_at(*lonlat)


def derive_country(state: MutableMapping[str, Any]) -> None:
    """After the position changed: the country becomes the position's, unless the user
    typed another one than the last derived (then the warning says they disagree)."""
    v = read_form(state)
    derived = _derived(v)
    typed, last = v.country.strip().upper(), state.get(KEY + "country_auto")
    if derived and (not typed or typed == last):
        state[KEY + "country"] = derived
    state[KEY + "country_auto"] = derived


def country_note(v: FormValues) -> str | None:
    """The warning line when the typed country is not the position's."""
    return country_mismatch(v.country, _lonlat(v))


def set_prefill(state: MutableMapping[str, Any], lon: float, lat: float) -> None:
    """Ask the Incidents page's form to open on a new incident at (lon, lat)."""
    state[KEY + "prefill"] = {"lon": float(lon), "lat": float(lat)}


def take_prefill(state: MutableMapping[str, Any]) -> bool:
    """Load a waiting map click into the form as a new incident (once); True if one was."""
    pre = state.pop(KEY + "prefill", None)
    if not isinstance(pre, Mapping):
        return False
    write_form(state, replace(from_click(float(pre["lon"]), float(pre["lat"])),
                              date=state.get(KEY + "date") or None))
    state[KEY + "mode"] = "add"
    state[KEY + "based_on"] = None
    return True


# ----------------------------------------------------------------- who, saving
def who_of(login_on: bool, user: Mapping[str, Any] | None) -> str:
    """Who makes a change: the signed-in user's name (else e-mail) when login is on,
    else ``"local"``.

    >>> who_of(False, None), who_of(True, {"name": "A. Analyst", "email": "a@x"})
    ('local', 'A. Analyst')
    """
    if not login_on or not user:
        return LOCAL_WHO
    return str(user.get("name") or user.get("email") or LOCAL_WHO).strip()[:200] or LOCAL_WHO


@dataclass(frozen=True)
class SaveResult:
    """What saving said: ``ok`` and the success line, or every problem (nothing saved)."""

    ok: bool
    lines: tuple[str, ...]
    incident_id: str | None = None
    version: int | None = None


def _version(result: Any, store: IncidentStore, incident_id: str) -> int:
    if isinstance(result, IncidentVersion):
        return result.version
    return store.history(incident_id)[-1].version


def save_incident(store: IncidentStore, v: FormValues, *, reason: str, who: str,
                  based_on: tuple[str, int] | None = None) -> SaveResult:
    """Add the form's incident (``based_on`` None) or save it as a new version of the one
    it was loaded from (``(id, version)``); every problem one line, nothing saved half."""
    from dashboard.data.incidents.check import check_incident

    if based_on is None:
        taken = {x.incident_id for x in store.current(include_retired=True)}
        ident = new_incident_id(v.date.isoformat() if v.date else "", v.place, taken)
    else:
        ident = based_on[0]
    problems = form_problems(v, ident, reason)
    if based_on is None:  # the id is made here, not typed: its problems are the date's/place's
        problems = [p for p in problems if not p.startswith("id:")]
    if problems:
        return SaveResult(False, tuple(problems))
    record, _ = to_record(v, ident)
    try:
        inc = check_incident(record)
        why = check_reason(reason)
        if based_on is None:
            result = store.add(inc, who=who, reason=why)
        else:
            result = store.edit(ident, inc, based_on=based_on[1], who=who, reason=why)
    except StaleEdit as exc:
        return SaveResult(False, (str(exc),))
    except InputError as exc:
        return SaveResult(False, tuple(getattr(exc, "problems", ()) or (str(exc),)))
    version = _version(result, store, ident)
    verb = "Added" if based_on is None else "Saved"
    return SaveResult(True, (f"{verb} incident {ident}, version {version}.",), ident, version)


# ----------------------------------------------------------------- history
def _short(value: Any, limit: int = 60) -> str:
    if value is None or value == "":
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def history_table(versions: Sequence[IncidentVersion]) -> pd.DataFrame:
    """One row per version, oldest first: version, when, who, action, reason, and the
    changed fields as ``field: old -> new`` (long values shortened)."""
    rows = [{"version": v.version, "when": v.at, "who": v.who, "action": v.action,
             "reason": v.reason,
             "changes": "; ".join(f"{c.field}: {_short(c.old)} -> {_short(c.new)}"
                                  for c in v.changes)}
            for v in versions]
    return pd.DataFrame(rows, columns=["version", "when", "who", "action", "reason", "changes"])


def version_table(version: IncidentVersion) -> pd.DataFrame:
    """A version's record, one row per field (values as text)."""
    d = version.record.to_dict()
    return pd.DataFrame([{"field": f, "value": _short(d[f], 400)} for f in FIELDS],
                        columns=["field", "value"])


# ----------------------------------------------------------------- edit, retire, restore
def load_version(state: MutableMapping[str, Any], version: IncidentVersion) -> None:
    """Open ``version`` in the form: its values, and the version an edit is based on."""
    write_form(state, from_incident(version.record))
    state[KEY + "based_on"] = (version.incident_id, version.version)


def based_on(state: Mapping[str, Any]) -> tuple[str, int] | None:
    """``(id, version)`` the edit form was loaded from, or None (a new incident)."""
    b = state.get(KEY + "based_on")
    if isinstance(b, (tuple, list)) and len(b) == 2:
        return str(b[0]), int(b[1])
    return None


def _change(store: IncidentStore, incident_id: str, verb: str, write: Any, reason: str
            ) -> SaveResult:
    try:
        why = check_reason(reason)
    except InputError as exc:
        return SaveResult(False, (f"reason: {exc}",))
    try:
        result = write(why)
    except InputError as exc:
        return SaveResult(False, (str(exc),))
    version = _version(result, store, incident_id)
    return SaveResult(True, (f"{verb} incident {incident_id}: version {version}.",),
                      incident_id, version)


def retire_incident(store: IncidentStore, incident_id: str, *, based_on: int, who: str,
                    reason: str) -> SaveResult:
    """Retire ``incident_id`` (kept with its history, hidden from every view), made on
    version ``based_on``; a stale one is refused naming the newer version."""
    return _change(store, incident_id, "Retired", lambda why: store.retire(
        incident_id, based_on=based_on, who=who, reason=why), reason)


def restore_version(store: IncidentStore, incident_id: str, version: int, *, based_on: int,
                    who: str, reason: str) -> SaveResult:
    """Make version ``version``'s record the newest again (a new version)."""
    return _change(store, incident_id, f"Restored version {version} of", lambda why:
                   store.restore(incident_id, version, based_on=based_on, who=who,
                                 reason=why), reason)
