"""Reading an incident import: a CSV or GeoJSON file as candidate rows, each checked.

No store here: :func:`read_incident_file` turns the bytes of a file into one
:class:`ParsedRow` per data row (CSV) or feature (GeoJSON), each either a checked
:class:`~dashboard.data.incidents.record.Incident` or every problem of the row,
one line each (from :func:`~dashboard.data.incidents.check.check_incident` and
from reading the cells).  A file with bad rows still yields its good ones; only a
file that cannot be read at all (not UTF-8, not CSV or GeoJSON, too many rows, a
mapping to an unknown field) is one :class:`InputError` line.
:func:`dashboard.analysis.incident_import.preview_import` sorts the rows into new,
duplicates and invalid.

Columns (CSV) and properties (GeoJSON) are named as the record names its fields
(:data:`INPUT_FIELDS`, what :mod:`dashboard.io.incident_export` writes, so an
export reads back as the same records) or as ACLED names them
(:data:`ACLED_COLUMNS`: ``event_date``, ``latitude``, ``longitude``,
``location``, ``country``, ``notes``, ``source``); names are matched without
regard to case; other names are mapped with ``columns`` (``{"Datum": "date"}``;
a target ``""`` ignores a column); columns that match nothing are listed in
:attr:`ParsedImport.ignored`.

>>> csv = (b"event_date;location;country;latitude;longitude;source;source_url\\n"
...        b"15 November 2022;Przew\\xc3\\xb3d\\xc3\\xb3w;Poland;50.47099;23.93432;PAP;"
...        b"https://example.org/a\\n"
...        b"2022-11-16;Nowhere;Narnia;50.0;24.0;javascript:alert(1);\\n")
>>> parsed = read_incident_file(csv, "acled.csv", defaults={"precision_m": 1000})
>>> ok, bad = parsed.rows
>>> ok.record.id, ok.record.country, ok.record.lonlat, ok.record.sources[0].publisher
('2022-11-15-przewodow', 'PL', (23.93432, 50.47099), 'PAP')
>>> for p in bad.problems: print(p)  # doctest: +ELLIPSIS
country: Narnia is not a country this import knows; give its ISO 3166 two-letter code
sources 1: url must start with http:// or https:// and name a host, got javascript:alert(1)
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from dashboard.data.incidents.check import IncidentInvalid, check_incident
from dashboard.data.incidents.record import Incident, new_incident_id
from dashboard.data.limits import MAX_IMPORT_ROWS, MAX_TRACK_VERTICES, MAX_UPLOAD_BYTES
from dashboard.data.textfold import fold
from dashboard.geo.errors import InputError
from dashboard.io.csvsafe import inert_cell
from dashboard.io.filecheck import (
    VertexBudget,
    check_size,
    decode_text,
    kind_of,
    load_json,
    parse_geometry,
    shown,
)

__all__ = ["ACLED_COLUMNS", "COUNTRY_NAMES", "INPUT_FIELDS", "RECORD_COLUMNS",
           "NO_URL", "ParsedImport", "ParsedRow", "guard_cell", "parse_event_date",
           "read_incident_file", "unguard_cell"]

#: Record fields a column or property may give directly (not geometry or sources).
RECORD_COLUMNS: tuple[str, ...] = (
    "id", "date", "time_utc", "place", "country", "object_type", "munition", "killed",
    "injured", "attributed_to", "attribution", "position_kind", "position_method",
    "precision_m", "status", "group", "notes")
#: Every field name an import reads: the record's, the position's (``lat``, ``lon``
#: degrees; ``track_wkt`` a WKT LineString) and the sources' (``source``: a URL or a
#: publisher; ``sources`` / ``sources_json``: the full list as JSON).
INPUT_FIELDS: tuple[str, ...] = RECORD_COLUMNS + (
    "lat", "lon", "track_wkt", "source", "source_url", "publisher", "grade", "accessed",
    "sources", "sources_json")
#: ACLED's (and other common) column names and the field each gives.
ACLED_COLUMNS: dict[str, str] = {
    "event_date": "date", "latitude": "lat", "longitude": "lon", "location": "place",
    "url": "source_url", "fatalities": "killed"}
#: English country names (folded: lower case, no diacritics) and their ISO 3166 codes.
COUNTRY_NAMES: dict[str, str] = {
    "poland": "PL", "ukraine": "UA", "romania": "RO", "moldova": "MD",
    "republic of moldova": "MD", "belarus": "BY", "lithuania": "LT", "latvia": "LV",
    "estonia": "EE", "slovakia": "SK", "hungary": "HU", "bulgaria": "BG", "finland": "FI",
    "croatia": "HR", "czechia": "CZ", "czech republic": "CZ", "germany": "DE",
    "russia": "RU", "russian federation": "RU", "austria": "AT", "slovenia": "SI",
    "serbia": "RS", "turkey": "TR", "turkiye": "TR", "norway": "NO", "sweden": "SE",
    "denmark": "DK", "georgia": "GE", "bosnia and herzegovina": "BA", "montenegro": "ME",
    "north macedonia": "MK", "albania": "AL", "greece": "GR", "kosovo": "XK"}
#: The reason of a row whose source names a publisher but no URL.
NO_URL: str = ("sources: no http(s) source URL (the source column names a publisher; give the "
               "URL in a source_url or url column)")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ].*)?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_NEEDS_SOURCE = "sources: at least one source"
_NO_POSITION = "precision_m: an incident without a position"
Format = Literal["csv", "geojson"]


@dataclass(frozen=True)
class ParsedRow:
    """One data row (CSV, 1-based after the header) or feature (GeoJSON, 1-based).

    ``record`` is the checked incident, or None and ``problems`` says why (one line
    each, all of them); ``raw`` holds the row's cells as the file gave them;
    ``candidate`` the dict that was checked; ``id_generated`` is True when the file
    gave no id and one was made from the date and place.
    """

    row: int
    record: Incident | None
    problems: tuple[str, ...] = ()
    raw: dict[str, str] = field(default_factory=dict)
    candidate: dict[str, Any] = field(default_factory=dict, repr=False)
    id_generated: bool = False

    def value(self, key: str) -> Any:
        """The record's ``key`` (id, date, place ...), else the candidate's (invalid rows)."""
        if self.record is not None:
            return getattr(self.record, key)
        return self.candidate.get(key)


@dataclass(frozen=True)
class ParsedImport:
    """What :func:`read_incident_file` read: the rows, and how columns were understood."""

    rows: list[ParsedRow]
    format: Format = "csv"
    #: Column or property name -> the field it gave.
    columns: dict[str, str] = field(default_factory=dict)
    #: Names of columns (properties) that gave no field.
    ignored: tuple[str, ...] = ()

    @property
    def valid(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.record is not None]

    @property
    def invalid(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.record is None]


# ------------------------------------------------------------------ cells
def _guarded(cell: str) -> bool:
    rest = cell.lstrip("'")
    return len(rest) < len(cell) and inert_cell(rest) != rest


def guard_cell(value: Any) -> Any:
    """``value`` made inert for a spreadsheet (:func:`~dashboard.io.csvsafe.inert_cell`),
    reversibly: text that would read back as guarded gets an apostrophe too, so
    :func:`unguard_cell` always restores it.

    >>> guard_cell("=1+1"), guard_cell("'=1+1"), guard_cell("it's"), guard_cell(-2)
    ("'=1+1", "''=1+1", "it's", -2)
    >>> all(unguard_cell(guard_cell(t)) == t for t in ("=x", "'=x", "''@x", "'a", "-2"))
    True
    """
    if isinstance(value, str) and (inert_cell(value) != value or _guarded(value)):
        return "'" + value
    return value


def unguard_cell(cell: str) -> str:
    """A CSV cell without the apostrophe :func:`guard_cell` put before a formula."""
    return cell[1:] if _guarded(cell) else cell


def parse_event_date(text: Any) -> str:
    """An event date as ``YYYY-MM-DD``: ISO (a time after it is dropped) or ACLED's
    ``15 November 2022``; anything else is returned stripped (the check names it).

    >>> parse_event_date("15 November 2022"), parse_event_date("2022-11-15T13:40:00Z")
    ('2022-11-15', '2022-11-15')
    >>> parse_event_date("3 Sep 2025"), parse_event_date("yesterday")
    ('2025-09-03', 'yesterday')
    """
    t = str(text or "").strip()
    if _ISO_DATE.match(t):
        return t[:10]
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(t, fmt).date().isoformat()
        except ValueError:
            continue
    return t


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or \
        (isinstance(v, float) and math.isnan(v))


def _number(v: Any, key: str, problems: list[str]) -> float | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    text = str(v).strip()
    if _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    try:
        x = float(text)
    except ValueError:
        problems.append(f"{key}: must be a number of degrees, got {text[:30]}")
        return None
    if not math.isfinite(x):
        problems.append(f"{key}: must be a finite number, got {text[:30]}")
        return None
    return x


def _country(v: Any, problems: list[str]) -> str:
    text = str(v).strip()
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    code = COUNTRY_NAMES.get(re.sub(r"\s+", " ", fold(text)))
    if code is None:
        problems.append(f"country: {text[:40]} is not a country this import knows; give its "
                        "ISO 3166 two-letter code")
        return ""
    return code


# ------------------------------------------------------------------ a row
def _geometry(f: dict[str, Any], geom: BaseGeometry | None,
              problems: list[str]) -> BaseGeometry | None:
    """The row's position: a GeoJSON geometry, else ``track_wkt``, else ``lat``/``lon``."""
    if geom is not None:
        return geom
    if not _blank(f.get("track_wkt")):
        try:
            return shapely.from_wkt(str(f["track_wkt"]).strip())
        except shapely.errors.GEOSException:
            problems.append(f"track_wkt: not WKT, got {str(f['track_wkt'])[:40]}")
            return None
    lat, lon = f.get("lat"), f.get("lon")
    if _blank(lat) and _blank(lon):
        return None
    if _blank(lat) or _blank(lon):
        problems.append(f"position: {'lat' if _blank(lat) else 'lon'} is missing "
                        "(give both or neither)")
        return None
    y, x = _number(lat, "lat", problems), _number(lon, "lon", problems)
    if y is None or x is None:
        return None
    bad = [f"{k}: must be between -{m} and {m} degrees, got {v:g}"
           for k, v, m in (("lat", y, 90), ("lon", x, 180)) if abs(v) > m]
    problems.extend(bad)
    return None if bad else Point(x, y)


def _sources(f: dict[str, Any], problems: list[str]) -> list[Any] | None:
    """The row's sources: a JSON list (``sources``/``sources_json``) or one from the
    ``source``/``source_url``/``publisher``/``grade``/``accessed`` cells."""
    full = f.get("sources", f.get("sources_json"))
    if isinstance(full, list):
        return full
    if not _blank(full):
        try:
            value = json.loads(str(full))
        except ValueError:
            problems.append("sources_json: not a JSON list of sources")
            return None
        if not isinstance(value, list):
            problems.append(f"sources_json: must be a JSON list, not a JSON {kind_of(value)}")
            return None
        return value
    urls = [] if _blank(f.get("source_url")) else [str(f["source_url"]).strip()]
    publisher = "" if _blank(f.get("publisher")) else str(f["publisher"]).strip()
    src = "" if _blank(f.get("source")) else str(f["source"]).strip()
    if src and _SCHEME.match(src):
        urls = [src] + [u for u in urls if u != src]
    elif src and not publisher:
        publisher = src
    extra = {k: None if _blank(f.get(k)) else str(f[k]).strip() for k in ("grade", "accessed")}
    if not urls:
        if publisher:
            problems.append(NO_URL)
        return None
    return [{"url": u, "publisher": publisher, **extra} for u in urls]


def _candidate(f: dict[str, Any], geom: BaseGeometry | None, defaults: Mapping[str, Any],
               problems: list[str]) -> dict[str, Any]:
    """The dict :func:`check_incident` checks, built from a row's fields (and ``defaults``)."""
    f = {**{k: v for k, v in defaults.items() if k not in RECORD_COLUMNS},
         **{k: v for k, v in f.items() if not _blank(v)}}
    d: dict[str, Any] = {k: f[k] for k in RECORD_COLUMNS if k in f}
    d["geometry"] = _geometry(f, geom, problems)
    for k, v in defaults.items():
        if k in RECORD_COLUMNS and k not in d and (
                d["geometry"] is not None or k not in ("precision_m", "position_kind")):
            d[k] = v
    if d["geometry"] is not None:
        d.setdefault("position_kind", "source")
    if "date" in d:
        d["date"] = parse_event_date(d["date"])
    if "country" in d:
        d["country"] = _country(d["country"], problems)
    sources = _sources(f, problems)
    if sources is not None:
        d["sources"] = sources
    return d


def _check_row(n: int, f: dict[str, Any], raw: dict[str, str], geom: BaseGeometry | None,
               defaults: Mapping[str, Any], taken: set[str],
               problems: list[str]) -> ParsedRow:
    """One :class:`ParsedRow`: the candidate checked; an id made if the row has none."""
    d = _candidate(f, geom, defaults, problems)
    generated = _blank(d.get("id"))
    if generated:
        day = str(d.get("date") or "")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            d["id"] = new_incident_id(day, str(d.get("place") or ""), taken)
    if not _blank(d.get("id")):
        taken.add(str(d["id"]).strip())
    mine = list(problems)
    try:
        record: Incident | None = check_incident(d)
        found: tuple[str, ...] = ()
    except IncidentInvalid as exc:
        record, found = None, exc.problems
    checked = [p for p in found
               if not (p.startswith(_NEEDS_SOURCE) and NO_URL in mine)
               and not (p.startswith(_NO_POSITION) and any(
                   p.startswith(("lat", "lon", "position", "track_wkt", "geometry"))
                   for p in mine))
               and not (p.startswith("id:") and generated)
               and not (p.startswith("country:") and any(p.startswith("country:")
                                                           for p in mine))]
    problems = mine + checked
    return ParsedRow(n, None if problems else record, tuple(problems), raw, d, generated)


# ------------------------------------------------------------------ columns
def _targets(columns: Mapping[str, str] | None) -> dict[str, str]:
    """``columns`` with folded names and each target checked (``""``: ignore the column)."""
    out: dict[str, str] = {}
    for name, target in (columns or {}).items():
        t = str(target or "").strip().lower()
        t = ACLED_COLUMNS.get(t, t)
        if t and t not in INPUT_FIELDS:
            raise InputError(f"cannot map {shown(name)!r} to {str(target)[:40]!r}: not an "
                             f"incident field (use one of {', '.join(INPUT_FIELDS)})")
        out[str(name).strip().lower()] = t
    return out


def _field_of(name: str, targets: dict[str, str]) -> str:
    key = str(name).strip().lstrip("\ufeff").lower()
    if key in targets:
        return targets[key]
    if key in INPUT_FIELDS:
        return key
    return ACLED_COLUMNS.get(key, "")


def _check_defaults(defaults: Mapping[str, Any] | None) -> dict[str, Any]:
    allowed = RECORD_COLUMNS + ("publisher", "grade", "accessed")
    for k in defaults or {}:
        if k not in allowed:
            raise InputError(f"no default for {str(k)[:40]!r}: defaults may be given for "
                             f"{', '.join(allowed)}")
    return dict(defaults or {})


# ------------------------------------------------------------------ CSV
def _delimiter(text: str) -> str:
    """``,``, ``;`` or tab: whichever the header line holds most of (``,`` on a tie)."""
    head = text.split("\n", 1)[0]
    counts = {d: head.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _csv_records(text: str, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank data rows (with their 1-based data row numbers)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        for n, cells in enumerate(reader, 1):
            if any(c.strip() for c in cells):
                if len(rows) >= MAX_IMPORT_ROWS:
                    raise InputError(f"{shown(name)} has more than {MAX_IMPORT_ROWS:,} rows, "
                                     "the limit of one import; split it")
                rows.append((n, cells))
    except csv.Error as exc:
        raise InputError(f"{shown(name)} is not a readable CSV file (line "
                         f"{reader.line_num}: {exc})") from None
    if not header or not any(h.strip() for h in header):
        raise InputError(f"{shown(name)} is empty (no header row)")
    if not rows:
        raise InputError(f"{shown(name)} has a header but no data rows")
    return header, rows


def _csv_columns(header: list[str], targets: dict[str, str],
                 name: str) -> tuple[dict[str, str], tuple[str, ...]]:
    keys = [h.strip().lstrip("\ufeff") for h in header]
    missing = [k for k in targets if k not in {h.lower() for h in keys}]
    if missing:
        raise InputError(f"{shown(name)} has no column {missing[0][:40]!r} (named in the "
                         f"mapping); its columns: {', '.join(k[:30] for k in keys)[:300]}")
    got: dict[str, str] = {}
    for k in keys:
        if (t := _field_of(k, targets)) and t in got.values():
            other = next(c for c, v in got.items() if v == t)
            raise InputError(f"{shown(name)}: columns {other[:30]!r} and {k[:30]!r} both give "
                             f"{t}; map one of them to nothing")
        if t:
            got[k] = t
    if not got:
        raise InputError(f"{shown(name)}: no column is an incident field (e.g. event_date, "
                         "location, country, latitude, longitude, source); map the columns")
    return got, tuple(k for k in keys if k not in got)


def _read_csv(text: str, name: str, targets: dict[str, str],
              defaults: dict[str, Any]) -> ParsedImport:
    header, rows = _csv_records(text, name)
    got, ignored = _csv_columns(header, targets, name)
    keys = [h.strip().lstrip("\ufeff") for h in header]
    taken = {unguard_cell(cells[i]).strip() for _, cells in rows
             for i, k in enumerate(keys) if got.get(k) == "id" and i < len(cells)}
    out = []
    for n, cells in rows:
        problems: list[str] = []
        if len(cells) > len(keys):
            problems.append(f"row has {len(cells)} cells, the header {len(keys)} (a "
                            "delimiter inside an unquoted cell?)")
        raw = {k: c for k, c in zip(keys, cells)}
        f = {got[k]: unguard_cell(c) for k, c in raw.items() if k in got}
        out.append(_check_row(n, f, raw, None, defaults, taken, problems))
    return ParsedImport(out, "csv", got, ignored)


# ------------------------------------------------------------------ GeoJSON
def _features(value: Any, name: str) -> list[Any]:
    if isinstance(value, dict) and value.get("type") == "Feature":
        return [value]
    if not (isinstance(value, dict) and value.get("type") == "FeatureCollection"
            and isinstance(value.get("features"), list)):
        raise InputError(f"{shown(name)} is not a GeoJSON FeatureCollection of incidents")
    feats = value["features"]
    if not feats:
        raise InputError(f"{shown(name)} has no features (an empty FeatureCollection)")
    if len(feats) > MAX_IMPORT_ROWS:
        raise InputError(f"{shown(name)} has {len(feats):,} features; the limit of one "
                         f"import is {MAX_IMPORT_ROWS:,}: split it")
    return feats


def _feature_row(n: int, feat: Any, targets: dict[str, str], defaults: dict[str, Any],
                 taken: set[str], seen: dict[str, str]) -> ParsedRow:
    problems: list[str] = []
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        return ParsedRow(n, None, (f"feature {n}: not a GeoJSON Feature",))
    props = feat.get("properties") or {}
    if not isinstance(props, dict):
        return ParsedRow(n, None, (f"properties: must be an object, not a JSON {kind_of(props)}",))
    raw = {str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
           for k, v in props.items()}
    f: dict[str, Any] = {}
    for k, v in props.items():
        if t := _field_of(k, targets):
            if t in f:
                problems.append(f"properties {k!r} and another both give {t}")
            f[t] = v
            seen[str(k)] = t
    if "id" not in f and isinstance(feat.get("id"), str):
        f["id"] = feat["id"]
    try:
        geom = parse_geometry(feat.get("geometry"), "geometry",
                              VertexBudget(MAX_TRACK_VERTICES, f"feature {n}"))
    except InputError as exc:
        problems.append(f"geometry: {str(exc).removeprefix('geometry: ')}")
        geom = None
    return _check_row(n, f, raw, geom, defaults, taken, problems)


def _read_geojson(data: bytes, name: str, targets: dict[str, str],
                  defaults: dict[str, Any]) -> ParsedImport:
    value, _notes = load_json(data, name)
    feats = _features(value, name)
    taken = {str(p["id"]).strip() for f in feats if isinstance(f, dict)
             and isinstance(p := f.get("properties"), dict) and isinstance(p.get("id"), str)}
    seen: dict[str, str] = {}
    rows = [_feature_row(n, f, targets, defaults, taken, seen) for n, f in enumerate(feats, 1)]
    names = {str(k) for f in feats if isinstance(f, dict)
             and isinstance(f.get("properties"), dict) for k in f["properties"]}
    return ParsedImport(rows, "geojson", seen, tuple(sorted(names - set(seen))))


# ------------------------------------------------------------------ entry
def _format(data: bytes, filename: str) -> Format:
    ext = Path(filename or "").suffix.lower()
    if ext in (".geojson", ".json"):
        return "geojson"
    if ext in (".csv", ".tsv", ".txt"):
        return "csv"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "geojson"
    raise InputError(f"{shown(filename)}: unsupported file type {ext or '(none)'}; import a "
                     ".csv or a .geojson file")


def read_incident_file(data: bytes, filename: str, *, columns: Mapping[str, str] | None = None,
                       defaults: Mapping[str, Any] | None = None) -> ParsedImport:
    """The rows of an incident file (CSV or GeoJSON by its extension, else by its content).

    Parameters
    ----------
    data : bytes
        The file, UTF-8 (a BOM is dropped); at most ``MAX_UPLOAD_BYTES``.
    filename : str
        Its name, for the type (``.csv``/``.tsv``/``.txt``, ``.geojson``/``.json``) and
        for messages.
    columns : mapping, optional
        Column (property) name -> field name (:data:`INPUT_FIELDS` or an ACLED name);
        ``""`` ignores the column.  Names match without regard to case.
    defaults : mapping, optional
        Values for fields a row leaves empty (:data:`RECORD_COLUMNS` and ``publisher``,
        ``grade``, ``accessed``), e.g. ``{"precision_m": 1000}``; ``precision_m`` and
        ``position_kind`` apply to positioned rows only.  A positioned row without a
        ``position_kind`` is ``"source"``.

    A row without an ``id`` gets ``new_incident_id(date, place, taken)``, where
    ``taken`` holds every id of the file before it (given or made).  CSV cells that
    :func:`guard_cell` guarded against formulas lose the apostrophe.

    Raises
    ------
    InputError
        Not UTF-8 text, neither CSV nor GeoJSON, no data rows, more than
        ``MAX_IMPORT_ROWS`` rows, an unknown field in ``columns`` or ``defaults``,
        a mapped column the file lacks, two columns giving one field.
    """
    check_size(len(data), MAX_UPLOAD_BYTES, filename)
    targets = _targets(columns)
    plain = _check_defaults(defaults)
    fmt = _format(data, filename)
    if fmt == "geojson":
        return _read_geojson(data, filename, targets, plain)
    text = decode_text(data, filename)
    if not text.strip():
        raise InputError(f"{shown(filename)} is empty")
    if text.lstrip()[:1] in ("{", "["):
        raise InputError(f"{shown(filename)} holds JSON, not CSV; name it .geojson")
    return _read_csv(text, filename, targets, plain)
