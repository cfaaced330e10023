"""An incident import's bookkeeping: the column mapping, the preview, the confirmed write.

The Incidents page's import (:mod:`dashboard.ui.incident_io`) reads an uploaded
CSV or GeoJSON (:func:`~dashboard.io.incident_import.read_incident_file`), sorts
its rows against the store (:func:`~dashboard.analysis.incident_import.preview_import`)
and shows them in three tables; nothing is written until the user confirms, and
then only the new rows, in one transaction (``add_many``).  A confirm checks the
preview again first: if the store changed so that other rows would be new, it
writes nothing and shows the new preview.

Keys: ``inci_file`` (the uploader), ``inci_km`` (duplicate distance, km),
``inci_map_<i>`` (the mapping's choice for the file's column ``i``),
``inci_reason``, ``inci_plan`` (the last :class:`ImportPlan`), ``inci_msgs``.

No Streamlit here.  Distances are geodesic km (shown in the user's units).

>>> mapping_from_choices({"Datum": "date", "Ort": AUTO, "junk": IGNORE})
{'Datum': 'date', 'junk': ''}
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from dashboard.analysis.incident_import import (
    DEFAULT_DUPLICATE_KM,
    ImportPreview,
    preview_import,
)
from dashboard.data.incidents.check import check_reason
from dashboard.data.incidents.record import Incident
from dashboard.geo.errors import InputError
from dashboard.geo.units import from_km
from dashboard.io.incident_import import ACLED_COLUMNS, INPUT_FIELDS, read_incident_file

__all__ = ["KEY", "AUTO", "IGNORE", "MAP_CHOICES", "DEFAULT_DUPLICATE_KM", "ImportPlan",
           "mapping_from_choices", "make_plan", "preview_tables", "confirm_import",
           "ImportResult", "summary_line", "file_columns", "read_as", "signature"]

KEY = "inci_"
#: The mapping's choice "as the column is named" (ACLED or our names, else ignored).
AUTO = "(as named)"
#: The mapping's choice "ignore this column".
IGNORE = "(ignore)"
#: What a file's column may be mapped to.
MAP_CHOICES: tuple[str, ...] = (AUTO, IGNORE, *INPUT_FIELDS)


def mapping_from_choices(choices: Mapping[str, str]) -> dict[str, str]:
    """The ``columns`` argument of :func:`read_incident_file` from the mapping's choices:
    "as named" columns left out, ignored ones mapped to ``""``."""
    out = {}
    for column, choice in choices.items():
        if choice == IGNORE:
            out[column] = ""
        elif choice and choice != AUTO:
            out[column] = choice
    return out


#: Most columns (properties) the mapping lists.
MAX_MAPPED_COLUMNS: int = 200


def file_columns(data: bytes, filename: str) -> list[str]:
    """The names of a file's columns (CSV header) or properties (GeoJSON, in order of
    first use), for the mapping dialog; empty when the file cannot be read (the reader
    then says why).

    >>> file_columns(b"Datum;Ort\\n2026-01-01;X\\n", "a.csv")
    ['Datum', 'Ort']
    >>> file_columns(b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
    ...              b'"properties": {"when": 1, "where": 2}, "geometry": null}]}', "a.geojson")
    ['when', 'where']
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    if filename.lower().endswith((".geojson", ".json")) or text.lstrip().startswith("{"):
        try:
            feats = json.loads(text).get("features") or []
        except (ValueError, AttributeError):
            return []
        names: dict[str, None] = {}
        for f in feats[:10_000]:
            props = f.get("properties") if isinstance(f, dict) else None
            if isinstance(props, dict):
                names.update(dict.fromkeys(str(k) for k in props))
        return list(names)[:MAX_MAPPED_COLUMNS]
    head = text.split("\n", 1)[0]
    delim = max((",", ";", "\t"), key=lambda d: (head.count(d), d == ","))
    try:
        row = next(csv.reader(io.StringIO(head), delimiter=delim), [])
    except csv.Error:
        return []
    return [c.strip() for c in row if c.strip()][:MAX_MAPPED_COLUMNS]


def read_as(column: str) -> str | None:
    """The field a column gives by its name alone (ours, or ACLED's), or None.

    >>> read_as("event_date"), read_as("Latitude"), read_as("Datum")
    ('date', 'lat', None)
    """
    key = column.strip().lower()
    if key in INPUT_FIELDS:
        return key
    return ACLED_COLUMNS.get(key)


@dataclass(frozen=True)
class ImportPlan:
    """A previewed import: the file and choices it was made of, and the preview."""

    signature: str
    filename: str
    preview: ImportPreview
    #: The file's columns (properties), in file order, and the field each gives.
    columns: tuple[str, ...]
    fields: dict[str, str]

    @property
    def counts(self) -> tuple[int, int, int]:
        """(new, duplicates, invalid) rows."""
        p = self.preview
        return len(p.new), len(p.duplicates), len(p.invalid)


def signature(data: bytes, filename: str, mapping: Mapping[str, str], duplicate_km: float,
              store_token: str = "", defaults: Mapping[str, Any] | None = None) -> str:
    """What a preview depends on, hashed: the file, its name, the mapping, the distance,
    the defaults and the store's contents (its change token)."""
    h = hashlib.sha256(data)
    h.update(json.dumps([filename, sorted(mapping.items()), float(duplicate_km), store_token,
                         sorted((defaults or {}).items())],
                        ensure_ascii=False, default=str).encode("utf-8"))
    return h.hexdigest()


def make_plan(data: bytes, filename: str, existing: Sequence[Incident], *,
              mapping: Mapping[str, str] | None = None,
              duplicate_km: float = DEFAULT_DUPLICATE_KM, store_token: str = "",
              defaults: Mapping[str, Any] | None = None) -> ImportPlan:
    """Read and preview the file against ``existing`` (the store's incidents, retired
    ones too: their ids are taken); ``defaults`` fill fields rows leave empty (e.g.
    ``{"precision_m": 2000}``).  InputError when the file cannot be read at all."""
    mapping = dict(mapping or {})
    parsed = read_incident_file(data, filename, columns=mapping or None,
                                defaults=dict(defaults) if defaults else None)
    preview = preview_import(parsed, existing, duplicate_km=duplicate_km)
    columns = tuple(dict.fromkeys([*parsed.columns, *parsed.ignored]))
    return ImportPlan(signature(data, filename, mapping, duplicate_km, store_token, defaults),
                      filename, preview, columns, dict(parsed.columns))


def _num(v: float | None) -> float | None:
    return None if v is None else round(float(v), 6)


def preview_tables(plan: ImportPlan, units: str) -> tuple[pd.DataFrame, pd.DataFrame,
                                                          pd.DataFrame]:
    """The three tables of the preview: new rows, duplicates (with the incident they
    duplicate and the distance in ``units``), invalid rows (with every reason)."""
    p = plan.preview

    def base(row: Any) -> dict[str, Any]:
        inc = row.record
        ll = inc.lonlat if inc is not None else None
        return {"row": row.row, "id": row.value("id"), "date": row.value("date"),
                "place": row.value("place"), "country": row.value("country"),
                "lat": _num(ll[1]) if ll else None, "lon": _num(ll[0]) if ll else None}

    new = pd.DataFrame([base(r) for r in p.new],
                       columns=["row", "id", "date", "place", "country", "lat", "lon"])
    dist = f"distance ({units})"
    dups = pd.DataFrame(
        [{**base(d.row), "duplicate of": d.of_id,
          dist: None if d.distance_km is None else round(from_km(d.distance_km, units), 3),
          "of": "an earlier row of the file" if d.in_file else "the catalogue"}
         for d in p.duplicates],
        columns=["row", "id", "date", "place", "country", "lat", "lon", "duplicate of", dist,
                 "of"])
    bad = pd.DataFrame([{"row": r.row, "date": _text(r.value("date")),
                         "place": _text(r.value("place")), "reasons": "; ".join(r.problems)}
                        for r in p.invalid], columns=["row", "date", "place", "reasons"])
    return new, dups, bad


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def summary_line(plan: ImportPlan) -> str:
    """The preview in one line.

    >>> from dashboard.analysis.incident_import import ImportPreview
    >>> summary_line(ImportPlan("s", "a.csv", ImportPreview(), (), {}))
    'a.csv: 0 new, 0 duplicates, 0 invalid rows; nothing to import'
    """
    n, d, i = plan.counts
    tail = "; nothing to import" if not n else \
        f"; Confirm writes the {n} new row{'s' if n != 1 else ''} only"
    return (f"{plan.filename}: {n} new, {d} duplicate{'s' if d != 1 else ''}, "
            f"{i} invalid row{'s' if i != 1 else ''}{tail}")


class ImportStore(Protocol):
    """What a confirmed import needs of the incident store."""

    def add_many(self, incidents: Sequence[Incident], *, who: str, reason: str) -> Any: ...


@dataclass(frozen=True)
class ImportResult:
    """What confirming said; ``plan`` is a newer preview when the store had changed."""

    ok: bool
    lines: tuple[str, ...]
    ids: tuple[str, ...] = ()
    plan: ImportPlan | None = None


def confirm_import(store: ImportStore, plan: ImportPlan, fresh: ImportPlan, *, reason: str,
                   who: str) -> ImportResult:
    """Write ``plan``'s new rows in one transaction, if ``fresh`` (the same file previewed
    against the store as it is now) agrees; else write nothing and return ``fresh``."""
    try:
        why = check_reason(reason)
    except InputError as exc:
        return ImportResult(False, (f"reason: {exc}",))
    ids = tuple(r.id for r in plan.preview.records)
    if tuple(r.id for r in fresh.preview.records) != ids or fresh.counts != plan.counts:
        return ImportResult(False, ("the catalogue changed since the preview: nothing was "
                                    "written; look at the new preview and confirm again",),
                            plan=fresh)
    if not ids:
        return ImportResult(False, ("nothing to import: the file has no new row",))
    try:
        store.add_many(list(plan.preview.records), who=who, reason=why)
    except InputError as exc:
        return ImportResult(False, (f"nothing was imported: {exc}",))
    _, d, i = plan.counts
    return ImportResult(True, (f"Imported {len(ids)} incident{'s' if len(ids) != 1 else ''} "
                               f"in one transaction ({', '.join(ids[:10])}"
                               f"{', …' if len(ids) > 10 else ''}); skipped {d} duplicate"
                               f"{'s' if d != 1 else ''} and {i} invalid row"
                               f"{'s' if i != 1 else ''}.",), ids)
