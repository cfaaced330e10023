"""A version of an incident: who changed what, when and why, and the field diff.

Every change to an incident (add, edit, retire, restore, import) is kept as a
new version; the shipped catalogue's record is version 0 of a shipped incident
(``who`` = ``"catalogue"``).  A version is never changed or deleted.

>>> from dashboard.data.incidents.record import EXAMPLE, Incident
>>> a = Incident.from_dict(EXAMPLE)
>>> b = a.with_changes(killed=3, notes="new count")
>>> [(c.field, c.old, c.new) for c in field_diff(a, b)]
[('killed', 2, 3), ('notes', '', 'new count')]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from dashboard.data.incidents.record import FIELDS, Incident
from dashboard.geo.errors import InputError

__all__ = ["ACTIONS", "Action", "FieldChange", "IncidentVersion", "StaleEdit",
           "field_diff", "SHIPPED_WHO", "LOCAL_WHO"]

Action = Literal["shipped", "add", "edit", "retire", "restore", "import"]
ACTIONS: tuple[str, ...] = ("shipped", "add", "edit", "retire", "restore", "import")
#: ``who`` of a shipped incident's version 0.
SHIPPED_WHO: str = "catalogue"
#: ``who`` of a change made without a signed-in user.
LOCAL_WHO: str = "local"


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value (JSON-ready: geometry as GeoJSON, sources as dicts)."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class IncidentVersion:
    """Version ``version`` (0, 1, 2 ...) of incident ``incident_id``.

    ``record`` is the incident as it stood after this change; ``retired`` is
    True from a retire until a restore.  ``at`` is ISO 8601 UTC
    (``2026-12-06T08:00:00.000Z``).
    """

    incident_id: str
    version: int
    at: str
    who: str
    action: str
    reason: str
    changes: tuple[FieldChange, ...]
    record: Incident
    retired: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the CLI's ``incidents history --json``)."""
        return {"id": self.incident_id, "version": self.version, "at": self.at, "who": self.who,
                "action": self.action, "reason": self.reason, "retired": self.retired,
                "changes": [c.to_dict() for c in self.changes], "record": self.record.to_dict()}


class StaleEdit(InputError):
    """An edit made on a version that is no longer the newest (no silent last-writer-wins)."""

    def __init__(self, incident_id: str, based_on: int, newest: IncidentVersion) -> None:
        self.newest = newest
        super().__init__(
            f"incident {incident_id} changed since you opened it: you edited version {based_on}, "
            f"the newest is version {newest.version} ({newest.action} by {newest.who} at "
            f"{newest.at}: {newest.reason}); reload it and make your change again")


def field_diff(old: Incident | None, new: Incident) -> tuple[FieldChange, ...]:
    """The fields that differ between ``old`` and ``new`` (all of ``new`` when old is None)."""
    a = {} if old is None else old.to_dict()
    b = new.to_dict()
    return tuple(FieldChange(f, a.get(f), b[f]) for f in FIELDS
                 if old is None and b[f] not in (None, "", [], 0) or old is not None and a[f] != b[f])
