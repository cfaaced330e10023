"""The incident timeline's state: which incidents the filters leave, and the steps around it.

The sidebar's incident filters (:mod:`dashboard.ui.timeline`) keep their values
under ``inc_*`` keys; everything that reads them goes through here, so the map
(:attr:`~dashboard.scene.request.SceneRequest.incident_ids`), the incidents page's
chart and table and the origin analysis see the same incidents:

- ``inc_from`` / ``inc_to`` (dates): the range, inclusive (default the
  catalogue's full span); a range that ends before it starts is reported and
  the dates are then not filtered on;
- ``inc_countries``, ``inc_objects``, ``inc_attribution`` (lists): the
  countries (ISO alpha-2), object types and attribution groups kept
  (default all);
- ``inc_as_of_user`` (bool): the user set "NATO border as of" themselves; until
  then it is the selected incident's own date, whatever the filters
  (``inc_as_of_last`` and ``inc_incident_last`` are the bookkeeping that tells);
- ``origin`` (an :data:`~dashboard.analysis.origin.OriginSpec`: (incident id, min_km,
  max_km[, bearing, launch countries]) or None): the launch area (or range fan) on the
  map, and the ``origin_*`` keys of the incidents page's form (:data:`ORIGIN_KEYS` for
  the bearing sector and launch countries).

No Streamlit here: ``state`` is any mutable mapping.

>>> attribution_group("Latvian authorities: a Russian drone that entered from Belarus")
'Russian'
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from dashboard.analysis.incident_catalogue import catalogue_token
from dashboard.analysis.incident_table import check_date_range, incident_records
from dashboard.analysis.origin import OriginAreas, OriginSpec, origin_spec
from dashboard.data.incidents.record import OBJECT_TYPES, RELIABILITY, STATUSES
from dashboard.geo.cache import memoize
from dashboard.geo.errors import InputError
from dashboard.geo.munitions import PRESETS, munition_range
from dashboard.geo.nato import parse_date
from dashboard.geo.units import from_km, round_significant, to_km
from dashboard.io.layers_io import load_layer
from dashboard.scene.compose.incidents import origin_result
from dashboard.state.fields import Session, StateLike, widget_key

#: The filter widgets' keys.
FILTER_KEYS: tuple[str, ...] = ("inc_from", "inc_to", "inc_countries", "inc_objects",
                                "inc_attribution", "inc_status", "inc_grades", "inc_groups")
#: The grade filter's choice for an incident none of whose sources is graded.
NOT_GRADED: str = "not graded"
#: The group filter's choice for an incident that belongs to no group.
NO_GROUP: str = "(no group)"
#: Attribution groups, read from the wording of each incident's ``attribution``:
#: a report that names no launcher (or calls it unconfirmed) first, then a
#: Ukrainian munition, then a Russian one; anything else names no launcher.
ATTRIBUTION_GROUPS: tuple[str, ...] = ("Russian", "Ukrainian", "Not stated or unconfirmed")
_NOT_STATED = ("unconfirmed", "not established", "not named", "not officially named",
               "does not name", "do not name")
_UKRAINIAN = ("ukrainian air-defence", "ukrainian drone")
_RUSSIAN = ("russia",)
#: The launch range the origin form opens on, km (the 5V55 preset's).
DEFAULT_ORIGIN_RANGE_KM: tuple[float, float] = (75.0, 90.0)


def attribution_group(text: str | None) -> str:
    """The attribution group (:data:`ATTRIBUTION_GROUPS`) of an ``attribution`` text.

    >>> attribution_group("Ukrainian air-defence missile fired at incoming Russian missiles")
    'Ukrainian'
    >>> attribution_group("Unconfirmed: TVP Info's sources called it a Russian Gerbera")
    'Not stated or unconfirmed'
    """
    low = str(text or "").lower()
    if any(w in low for w in _NOT_STATED):
        return ATTRIBUTION_GROUPS[2]
    if any(w in low for w in _UKRAINIAN):
        return ATTRIBUTION_GROUPS[1]
    if any(w in low for w in _RUSSIAN):
        return ATTRIBUTION_GROUPS[0]
    return ATTRIBUTION_GROUPS[2]


@dataclass(frozen=True)
class FilterOptions:
    """What the filters can choose from: the catalogue's span (dates) and values present."""

    start: date
    end: date
    countries: tuple[str, ...]
    objects: tuple[str, ...]
    attributions: tuple[str, ...]
    statuses: tuple[str, ...] = STATUSES
    grades: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@memoize(maxsize=2)
def _catalogue(token: str) -> tuple[Mapping[str, Any], ...]:
    return tuple(incident_records())


def catalogue_records() -> tuple[Mapping[str, Any], ...]:
    """Every current incident (points, tracks, unpositioned) as read-only property mappings,
    by date then id: the store's catalogue
    (:func:`dashboard.analysis.incident_table.incident_records`, cached per store token)."""
    return _catalogue(catalogue_token())


def grade_letters(record: Mapping[str, Any]) -> set[str]:
    """The source-reliability letters (A-F) of a record's graded sources, or {:data:`NOT_GRADED`}.

    >>> sorted(grade_letters({"sources": [{"grade": "B2"}, {"grade": None}, {"grade": "C3"}]}))
    ['B', 'C']
    >>> grade_letters({"sources": [{"url": "https://x.org"}]})
    {'not graded'}
    """
    letters = {str(s.get("grade"))[0] for s in record.get("sources") or ()
               if isinstance(s, Mapping) and s.get("grade")}
    return letters or {NOT_GRADED}


def status_of(record: Mapping[str, Any]) -> str:
    """A record's status (``reported`` when it has none)."""
    return str(record.get("status") or "reported")


def group_of(record: Mapping[str, Any]) -> str:
    """A record's group, or :data:`NO_GROUP`."""
    return str(record.get("group") or "") or NO_GROUP


def _records(records: Sequence[Mapping[str, Any]] | None) -> Sequence[Mapping[str, Any]]:
    return catalogue_records() if records is None else records


def _day(record: Mapping[str, Any]) -> date:
    """A catalogue record's date."""
    day = parse_date(str(record["date"]))
    if day is None:
        raise InputError(f"incident {record.get('id')!r} has no date")
    return day


def filter_options(records: Sequence[Mapping[str, Any]] | None = None) -> FilterOptions:
    """The span and the countries, object types and attribution groups of the catalogue
    (the store's, cached per catalogue version, when ``records`` is None)."""
    if records is None:
        return _catalogue_options(catalogue_token())
    return _options(records)


_catalogue_options = memoize(maxsize=4)(lambda token: _options(_catalogue(token)))


def _options(recs: Sequence[Mapping[str, Any]]) -> FilterOptions:
    days = [_day(r) for r in recs]
    objects = {str(r.get("object_type") or "unknown") for r in recs}
    groups = {attribution_group(r.get("attribution")) for r in recs}
    letters = set().union(*(grade_letters(r) for r in recs)) if recs else set()
    named = {group_of(r) for r in recs}
    return FilterOptions(
        start=min(days), end=max(days),
        countries=tuple(sorted({str(r["country"]) for r in recs})),
        objects=tuple(o for o in OBJECT_TYPES if o in objects)
        + tuple(sorted(objects - set(OBJECT_TYPES))),
        attributions=tuple(g for g in ATTRIBUTION_GROUPS if g in groups),
        statuses=tuple(st for st in STATUSES if st in {status_of(r) for r in recs}),
        grades=tuple(g for g in (*RELIABILITY, NOT_GRADED) if g in letters),
        groups=tuple(sorted(named - {NO_GROUP})) + ((NO_GROUP,) if NO_GROUP in named else ()))


def init_filters(state: StateLike, records: Sequence[Mapping[str, Any]] | None = None) -> None:
    """Put the filter keys (everything shown) and the origin keys into ``state``, once."""
    state = Session.of(state)
    opts = filter_options(records)
    state.set_default(Session.inc_from, opts.start)
    state.set_default(Session.inc_to, opts.end)
    state.set_default(Session.inc_countries, list(opts.countries))
    state.set_default(Session.inc_objects, list(opts.objects))
    state.set_default(Session.inc_attribution, list(opts.attributions))
    state.set_default(Session.inc_status, list(opts.statuses))
    state.set_default(Session.inc_grades, list(opts.grades))
    state.set_default(Session.inc_groups, list(opts.groups))
    state.set_default(Session.inc_seen, _snapshot(opts))
    state.set_default(Session.inc_as_of_user, False)
    state.set_default(Session.inc_as_of_last, None)
    state.set_default(Session.inc_incident_last, None)
    state.set_default(Session.origin, None)
    state.set_default(Session.origin_error, None)
    state.set_default(Session.origin_range_km, DEFAULT_ORIGIN_RANGE_KM)


def keep_filter_values(state: StateLike) -> None:
    """Re-assign the filter widgets' values (a page switch must not drop them)."""
    for key in FILTER_KEYS:
        if key in state:
            state[key] = state[key]


#: The filters whose values are lists of choices, and the FilterOptions field of each.
_CHOICES: tuple[tuple[str, str], ...] = (
    ("inc_countries", "countries"), ("inc_objects", "objects"),
    ("inc_attribution", "attributions"), ("inc_status", "statuses"), ("inc_grades", "grades"),
    ("inc_groups", "groups"))


def _snapshot(opts: FilterOptions) -> dict[str, list[str]]:
    """What the filters could choose from: every choice list and the span (ISO dates)."""
    now = {field: list(getattr(opts, field)) for _, field in _CHOICES}
    now["span"] = [opts.start.isoformat(), opts.end.isoformat()]
    return now


def follow_catalogue(state: StateLike, records: Sequence[Mapping[str, Any]] | None = None,
                     ) -> None:
    """Let the filters follow a catalogue that grows: a choice that appears after the
    session started (a new country, object type, grade or group) is selected, and a date
    range the user left at the catalogue's span widens with it.  Call before the filter
    widgets are drawn.

    >>> st = {}; init_filters(st, [{"id": "a", "date": "2024-01-01", "country": "PL"}])
    >>> follow_catalogue(st, [{"id": "a", "date": "2024-01-01", "country": "PL"},
    ...                       {"id": "b", "date": "2026-11-30", "country": "RO"}])
    >>> st["inc_countries"], st["inc_to"].isoformat()
    (['PL', 'RO'], '2026-11-30')
    """
    state = Session.of(state)
    opts = filter_options(records)
    seen = state.peek(Session.inc_seen)
    now = _snapshot(opts)
    if seen is None or seen == now:
        state.inc_seen = now
        return
    for key, field in _CHOICES:
        new = [v for v in now[field] if v not in seen.get(field, [])]
        if new and key in state:
            state[key] = list(state[key]) + [v for v in new if v not in state[key]]
    old_start, old_end = (parse_date(d) for d in seen["span"])
    if state.peek(Session.inc_to) == old_end and opts.end != old_end:
        state.inc_to = opts.end
    if state.peek(Session.inc_from) == old_start and opts.start != old_start:
        state.inc_from = opts.start
    state.inc_seen = now


@dataclass(frozen=True)
class IncidentFilter:
    """What the filters leave.

    Attributes
    ----------
    ids : tuple of str
        Visible incidents (positioned or not), by date then id.
    start, end : date
        The range applied (the catalogue's span when the range is bad).
    error : str or None
        Why the dates are not filtered on (a range that ends before it starts).
    everything : bool
        Every incident of the catalogue is visible.
    """

    ids: tuple[str, ...]
    start: date
    end: date
    error: str | None
    everything: bool


def apply_filters(state: StateLike,
                  records: Sequence[Mapping[str, Any]] | None = None) -> IncidentFilter:
    """The incidents the ``inc_*`` keys of ``state`` leave (missing keys: no filter); of the
    store's catalogue (no ``records``), cached per catalogue token and filter values."""
    state = Session.of(state)
    chosen = tuple(None if k not in state else frozenset(state[k]) for k, _ in _CHOICES)
    start, end = state.peek(Session.inc_from), state.peek(Session.inc_to)
    if records is None:
        return _catalogue_filter(catalogue_token(), start, end, chosen)
    return _filter(records, _options(records), start, end, chosen)


_catalogue_filter = memoize(maxsize=64)(lambda token, start, end, chosen: _filter(
    _catalogue(token), _catalogue_options(token), start, end, chosen))


def _filter(recs: Sequence[Mapping[str, Any]], opts: FilterOptions, start: Any, end: Any,
            chosen: tuple[frozenset[str] | None, ...]) -> IncidentFilter:
    """:func:`apply_filters` of ``recs``; ``chosen``: the :data:`_CHOICES` keys' values (None: all)."""
    error = None
    try:
        start, end = check_date_range(start or opts.start, end or opts.end)
    except InputError as exc:
        error = f"{exc}; dates are not filtered until it is fixed"
        start, end = opts.start, opts.end
    start, end = start or opts.start, end or opts.end
    keep = {k: set(getattr(opts, field)) if got is None else set(got)
            for (k, field), got in zip(_CHOICES, chosen)}
    ids = tuple(str(r["id"]) for r in recs
                if start <= _day(r) <= end
                and str(r["country"]) in keep["inc_countries"]
                and str(r.get("object_type") or "unknown") in keep["inc_objects"]
                and attribution_group(r.get("attribution")) in keep["inc_attribution"]
                and status_of(r) in keep["inc_status"]
                and bool(grade_letters(r) & keep["inc_grades"])
                and group_of(r) in keep["inc_groups"])
    return IncidentFilter(ids, start, end, error, everything=len(ids) == len(recs))


def request_incident_ids(state: StateLike) -> tuple[str, ...] | None:
    """The ``incident_ids`` of the page's SceneRequest: None when every incident is visible."""
    flt = apply_filters(state)
    return None if flt.everything else flt.ids


# ------------------------------------------------------------ NATO border date
def _incident_day(incident_id: Any) -> date | None:
    rec = next((r for r in catalogue_records() if str(r["id"]) == str(incident_id)), None)
    return None if rec is None else parse_date(str(rec["date"]))


def note_as_of(state: StateLike) -> None:
    """Notice a "NATO border as of" the user set themselves (call once per run).

    A date that differs from the one last seen is the user's, unless the incident
    changed too and the date is the new incident's (the incident sets it).
    """
    state = Session.of(state)
    last, now = state.inc_as_of_last, state.peek(Session.as_of)
    if last is not None and now != last:
        by_incident = (state.peek(Session.incident) != state.inc_incident_last
                       and now == _incident_day(state.peek(Session.incident)))
        if not by_incident:
            state.inc_as_of_user = True
    state.inc_as_of_last, state.inc_incident_last = now, state.peek(Session.incident)


def incident_date_again(state: StateLike) -> None:
    """Measure as of the selected incident's own date again (the user's date is dropped)."""
    state = Session.of(state)
    state.inc_as_of_user = False
    day = _incident_day(state.peek(Session.incident))
    if day is not None:
        state.as_of = day
        state.inc_as_of_last = day


def as_of_words(state: StateLike) -> str:
    """Which NATO-border date the figures use, in words: the incident's own or the user's."""
    state = Session.of(state)
    as_of, own = state.peek(Session.as_of), _incident_day(state.peek(Session.incident))
    if as_of is None:
        return ""
    if own is None or as_of == own:
        return f"NATO border as of {as_of.isoformat()} (the incident's date)"
    return (f"NATO border as of {as_of.isoformat()} (your date; the incident's is "
            f"{own.isoformat()})")


# ----------------------------------------------------------------- the page
def monthly_counts(records: Sequence[Mapping[str, Any]], ids: Sequence[str],
                   start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Incidents per month and country: ``month`` (first day, Timestamp), ``country``,
    ``incidents`` (count), by month then country; only the incidents of ``ids``.

    Every month from ``start`` to ``end`` (default: the first and last incident's) is
    there: a month without an incident is one row with ``country`` "" and 0 incidents,
    so a chart shows the empty months.
    """
    keep = set(map(str, ids))
    rows = [(_day(r).replace(day=1), str(r["country"])) for r in records
            if str(r["id"]) in keep]
    df = pd.DataFrame(rows, columns=["month", "country"])
    out = df.groupby(["month", "country"]).size().rename("incidents").reset_index()
    first = (start or (min(m for m, _ in rows) if rows else None))
    last = (end or (max(m for m, _ in rows) if rows else None))
    if first is not None and last is not None:
        seen = set(out["month"])
        empty = [m.date() for m in pd.date_range(first.replace(day=1), last.replace(day=1),
                                                 freq="MS") if m.date() not in seen]
        out = pd.concat([out, pd.DataFrame({"month": empty, "country": [""] * len(empty),
                                            "incidents": [0] * len(empty)})],
                        ignore_index=True)
    out["month"] = pd.to_datetime(out["month"])
    out["incidents"] = out["incidents"].astype(int)
    return out.sort_values(["month", "country"]).reset_index(drop=True)


#: Distance columns of the incident table (core name -> shown name before the unit).
_KM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("nato_border_km", "NATO border"), ("ua_km", "to UA"), ("by_km", "to BY"),
    ("ru_km", "to RU"))


def _in_units(values: pd.Series, units: str, decimals: int) -> list[float | None]:
    return [None if pd.isna(v) else round(from_km(float(v), units), decimals) for v in values]


def display_table(table: pd.DataFrame, units: str) -> pd.DataFrame:
    """The incident table as the page shows it: distances and precision in ``units``
    (2 and 3 decimals; empty for "position not sourced"), zones joined by ``, ``.

    A track's distances are its closest approach; its geodesic length and the length
    inside its country's airspace have their own columns (empty for points).
    """
    out = pd.DataFrame({
        "date": [d.isoformat() for d in table["date"]], "place": table["place"],
        "country": table["country"], "object": table["object_type"],
        "killed": table["killed"].astype(int), "injured": table["injured"].astype(int),
        f"precision (± {units})": [None if pd.isna(p) else
                                   round(from_km(float(p) / 1000, units), 3)
                                   for p in table["precision_m"]],
        "position": [f"{p} (track: closest approach)" if k == "track" else p
                     for p, k in zip(table["position"], table["kind"])]})
    for col, name in _KM_COLUMNS:
        out[f"{name} ({units})"] = _in_units(table[col], units, 2)
        if col == "nato_border_km":
            out["NATO segment"] = table["nato_segment"]
    out[f"track length ({units})"] = _in_units(table["track_km"], units, 2)
    out[f"track inside the country ({units})"] = _in_units(table["inside_km"], units, 2)
    out["status"] = table["status"]
    out["group"] = table["group"]
    out["zones"] = [", ".join(z) for z in table["zones"]]
    out["attribution"] = table["attribution"]
    out["id"] = table["id"]
    out["lon"], out["lat"] = table["lon"], table["lat"]
    return out.reset_index(drop=True)


def table_csv(table: pd.DataFrame) -> bytes:
    """CSV (UTF-8, header row) of a :func:`display_table`."""
    buf = io.StringIO()
    table.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


# ------------------------------------------------------------------- origin
def origin_keys(units: str) -> tuple[str, str]:
    """Keys of the origin form's free-range inputs in ``units``."""
    return widget_key("origin_min", units), widget_key("origin_max", units)


def sync_origin_inputs(state: StateLike, units: str) -> None:
    """Show the kept range (km) in ``units``' inputs; other units' inputs are dropped."""
    state = Session.of(state)
    lo_km, hi_km = state.peek(Session.origin_range_km) or DEFAULT_ORIGIN_RANGE_KM
    for u in ("km", "nm", "mi"):
        if u != units:
            for k in origin_keys(u):
                state.pop(k, None)
    kmin, kmax = origin_keys(units)
    state.setdefault(kmin, round(from_km(lo_km, units), 3))
    state.setdefault(kmax, round(from_km(hi_km, units), 3))


def on_origin_input(state: StateLike, units: str) -> None:
    """Keep the free range in km when either input changes."""
    state = Session.of(state)
    kmin, kmax = origin_keys(units)
    state.origin_range_km = (to_km(float(state[kmin] or 0.0), units),
                                to_km(float(state[kmax] or 0.0), units))


#: Keys of the origin form's bearing sector (a checkbox, from and to azimuths in degrees)
#: and launch countries (a list of ISO alpha-2 codes).
ORIGIN_KEYS: dict[str, str] = {"bearing_on": "origin_bearing_on", "from": "origin_bearing_from",
                               "to": "origin_bearing_to", "countries": "origin_countries"}
#: The bearing sector the form opens on, degrees (came from the north-east).
DEFAULT_BEARING: tuple[float, float] = (20.0, 80.0)


def init_fan_inputs(state: StateLike) -> None:
    """Open the bearing sector's inputs on :data:`DEFAULT_BEARING` (once)."""
    state = Session.of(state)
    state.setdefault(ORIGIN_KEYS["from"], DEFAULT_BEARING[0])
    state.setdefault(ORIGIN_KEYS["to"], DEFAULT_BEARING[1])


def launch_country_codes() -> list[str]:
    """The launch countries the origin form offers: ISO alpha-2 codes of the ``countries`` layer."""
    return sorted(str(c) for c in load_layer("countries")["iso_a2"])


def origin_choice(state: StateLike) -> OriginSpec:
    """The :data:`~dashboard.analysis.origin.OriginSpec` the origin form asks for: a preset's
    launch area radii (:attr:`~dashboard.geo.munitions.MunitionRange.area_km`), or the free
    range typed in the chosen units; the bearing sector when ticked; the launch countries."""
    state = Session.of(state)
    incident_id = str(state.origin_incident or "")
    if state.origin_mode == "preset":
        lo, hi = munition_range(state.origin_preset or next(iter(PRESETS))).area_km
    else:
        units = state.units
        kmin, kmax = origin_keys(units)
        lo = to_km(float(state.get(kmin) or 0.0), units)
        hi = to_km(float(state.get(kmax) or 0.0), units)
    bearing = None
    if state.get(ORIGIN_KEYS["bearing_on"]):
        bearing = (state.get(ORIGIN_KEYS["from"], DEFAULT_BEARING[0]),
                   state.get(ORIGIN_KEYS["to"], DEFAULT_BEARING[1]))
    countries = tuple(state.get(ORIGIN_KEYS["countries"]) or ())
    if bearing is None and not countries:
        return incident_id, lo, hi
    return incident_id, lo, hi, bearing, countries


def set_origin(state: StateLike, incident_id: str, min_km: float, max_km: float,
               bearing: tuple[float, float] | None = None, countries: Sequence[str] = (),
               ) -> OriginAreas | None:
    """Put the launch area (or range fan) on the map (``state.origin``) once it is known to be
    drawable; else keep the message in ``state.origin_error``.  Returns the analysis or None."""
    state = Session.of(state)
    try:
        spec = origin_spec((str(incident_id), min_km, max_km, bearing, tuple(countries)))
        result = origin_result(*spec)
    except (InputError, TypeError, ValueError) as exc:
        state.origin_error = str(exc)
        return None
    state.origin = result.spec  # an OriginSpec: 3 items, or 5 with a fan or countries
    state.origin_error = None
    return result


def clear_origin(state: StateLike) -> None:
    state = Session.of(state)
    state.origin = None
    state.origin_error = None


def usable_origin(state: StateLike) -> OriginSpec | None:
    """``state.origin`` when it can be drawn (a known positioned incident, a range of
    0-5000 km, a good bearing and countries), else None: the map never fails on it."""
    state = Session.of(state)
    origin = state.origin
    if not origin:
        return None
    try:
        spec = origin_spec(origin)
        origin_result(*spec)
    except (InputError, TypeError, ValueError):
        return None
    return spec


def origin_tables(o: OriginAreas, units: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis as two tables: area per country (``units``², share of the annulus, %)
    and the cities inside (population, distance from the impact point in ``units``)."""
    u2 = f"area ({units}²)"
    f2 = from_km(1.0, units) ** 2
    areas = pd.DataFrame(
        [{"country": a.country, "name": a.name, u2: round_significant(a.area_km2 * f2, 6),
          "share (%)": round(100 * a.area_km2 / o.annulus_km2, 2)} for a in o.areas]
        + ([{"country": "–", "name": "outside any country", u2: round(o.outside_km2 * f2, 1),
             "share (%)": round(100 * o.outside_km2 / o.annulus_km2, 2)}]
           if o.outside_km2 >= 0.05 else []),
        columns=["country", "name", u2, "share (%)"])
    cities = pd.DataFrame(
        [{"city": c.name, "country": c.country, "population": c.population,
          f"distance ({units})": round(from_km(c.distance_km, units), 2)} for c in o.cities],
        columns=["city", "country", "population", f"distance ({units})"])
    return areas, cities


__all__ = [
    "ATTRIBUTION_GROUPS",
    "DEFAULT_BEARING",
    "ORIGIN_KEYS",
    "init_fan_inputs",
    "launch_country_codes",
    "FILTER_KEYS",
    "OBJECT_TYPES",
    "FilterOptions",
    "IncidentFilter",
    "apply_filters",
    "attribution_group",
    "catalogue_records",
    "clear_origin",
    "display_table",
    "filter_options",
    "init_filters",
    "keep_filter_values",
    "follow_catalogue",
    "monthly_counts",
    "note_as_of",
    "incident_date_again",
    "as_of_words",
    "on_origin_input",
    "origin_choice",
    "origin_keys",
    "origin_tables",
    "request_incident_ids",
    "set_origin",
    "sync_origin_inputs",
    "table_csv",
    "usable_origin",
]
