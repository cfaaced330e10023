"""Incident versions to and from the columns both stores share (JSON text for the record
and the field diff, the geometry apart for a GIS).

Decoding is cached by the row's own text (rows are never changed), so reading the
same versions again costs a dictionary lookup.

>>> from dashboard.data.incidents.record import EXAMPLE, Incident
>>> from dashboard.data.incidents.version import IncidentVersion, field_diff
>>> rec = Incident.from_dict(EXAMPLE)
>>> v = IncidentVersion(rec.id, 1, "2026-12-06T08:00:00.000Z", "local", "add", "new",
...                     field_diff(None, rec), rec)
>>> version_from_row(version_row(v)) == v
True
"""
from __future__ import annotations

import json
from typing import Any

from dashboard.data.incidents.record import Incident
from dashboard.data.incidents.version import FieldChange, IncidentVersion
from dashboard.geo.cache import memoize
from dashboard.geo.errors import InputError

__all__ = ["Row", "ROW_COLUMNS", "version_row", "version_from_row", "retire_change"]

#: The shared columns, in :data:`Row` order.
ROW_COLUMNS: tuple[str, ...] = ("incident_id", "version", "at", "who", "action", "reason",
                                "retired", "record", "changes")
#: ``(incident_id, version, at, who, action, reason, retired, record JSON, changes JSON)``.
Row = tuple[str, int, str, str, str, str, bool, str, str]


def retire_change(retired: bool) -> FieldChange:
    """The pseudo-field change a retire (True) or a restore of a retired incident records."""
    return FieldChange("retired", not retired, retired)


def version_row(v: IncidentVersion) -> Row:
    """``v`` as the shared columns (JSON text without NaN)."""
    return (v.incident_id, v.version, v.at, v.who, v.action, v.reason, bool(v.retired),
            json.dumps(v.record.to_dict(), ensure_ascii=False, allow_nan=False),
            json.dumps([c.to_dict() for c in v.changes], ensure_ascii=False, allow_nan=False))


def version_from_row(row: tuple[Any, ...]) -> IncidentVersion:
    """The version of a row of :data:`ROW_COLUMNS` (``at`` as text, JSON as text).

    Raises
    ------
    InputError
        The row's JSON is damaged.
    """
    iid, version, at, who, action, reason, retired, record, changes = row
    return _decode(str(iid), int(version), str(at), str(who), str(action), str(reason),
                   bool(retired), str(record), str(changes))


@memoize(maxsize=8192)
def _decode(iid: str, version: int, at: str, who: str, action: str, reason: str,
            retired: bool, record: str, changes: str) -> IncidentVersion:
    try:
        rec = Incident.from_dict(json.loads(record))
        diff = tuple(FieldChange(str(c["field"]), c.get("old"), c.get("new"))
                     for c in json.loads(changes))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InputError(f"version {version} of incident {iid} is damaged in the store "
                         f"({str(exc)[:80]})") from None
    return IncidentVersion(iid, version, at, who, action, reason, diff, rec, retired)
