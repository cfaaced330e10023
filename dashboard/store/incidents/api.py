"""What an incident store does (:class:`IncidentStore`), its errors, and who may write.

Every store (the GeoPackage file, PostgreSQL/PostGIS) keeps incidents as
versions: a change never updates or deletes a row, it adds one.  The shipped
catalogue is version 0 of each shipped incident and is never written; a stored
version of a shipped id overrides it.  Errors are
:class:`~dashboard.geo.errors.InputError` subclasses with one-line messages.

>>> check_who("  analyst@example.org ")
'analyst@example.org'
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from dashboard.data.incidents.record import Incident
from dashboard.data.incidents.version import IncidentVersion
from dashboard.geo.errors import InputError

__all__ = ["IncidentStore", "IncidentNotFound", "IncidentExists", "IncidentRetired",
           "NothingChanged", "MAX_WHO_CHARS", "check_who", "check_based_on", "IncidentLike"]

#: Longest ``who`` (a user name or e-mail), characters.
MAX_WHO_CHARS: int = 200
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

#: An incident as a record or as a plain dict (checked on every write).
IncidentLike = Incident | Mapping[str, Any]


class IncidentNotFound(InputError):
    """No incident (shipped or stored) has that id."""


class IncidentExists(InputError):
    """Adding an id that is shipped or stored already."""


class IncidentRetired(InputError):
    """Editing or retiring a retired incident (restore it first)."""


class NothingChanged(InputError):
    """An edit or restore that would store the record the incident holds now."""


def check_who(who: object) -> str:
    """The stripped ``who`` of a change (a signed-in user, or ``"local"``), or InputError."""
    text = str(who or "").strip()
    if not text:
        raise InputError("say who makes the change (the signed-in user, or 'local')")
    if len(text) > MAX_WHO_CHARS or _CONTROL_RE.search(text):
        raise InputError(f"who: plain text of at most {MAX_WHO_CHARS} characters")
    return text


def check_based_on(based_on: object) -> int:
    """The version number an edit was made on (a whole number >= 0), or InputError."""
    if isinstance(based_on, bool) or not isinstance(based_on, int) or based_on < 0:
        raise InputError(f"based_on: the version the change was made on (0, 1, 2 ...), "
                         f"got {str(based_on)[:20]}")
    return based_on


@runtime_checkable
class IncidentStore(Protocol):
    """Versioned incidents: the shipped catalogue merged with the stored versions.

    Every method opens and closes its own connection (one object may be shared
    by threads).  Every write checks the record
    (:func:`~dashboard.data.incidents.check.check_incident`), the reason
    (:func:`~dashboard.data.incidents.check.check_reason`) and ``who``, and is one
    transaction: all of it lands or none.  ``based_on`` is the version the user
    saw; if another change landed since, the write raises
    :class:`~dashboard.data.incidents.version.StaleEdit` naming the newer version.
    """

    #: ``"GeoPackage"`` or ``"PostgreSQL"``, for captions.
    kind: str

    @property
    def where(self) -> str:
        """The store for messages: a file path, or a URL without its password."""
        ...

    def current(self, *, include_retired: bool = False) -> list[IncidentVersion]:
        """The newest version of every incident, by (date, id); retired ones only if asked."""
        ...

    def get(self, incident_id: str) -> IncidentVersion:
        """The newest version of ``incident_id`` (retired or not); :class:`IncidentNotFound`."""
        ...

    def history(self, incident_id: str) -> list[IncidentVersion]:
        """Every version of ``incident_id``, oldest first (version 0: the shipped record)."""
        ...

    def add(self, incident: IncidentLike, *, who: str, reason: str) -> IncidentVersion:
        """Version 1 of a new incident (its id neither shipped nor stored)."""
        ...

    def add_many(self, incidents: Sequence[IncidentLike], *, who: str, reason: str
                 ) -> list[IncidentVersion]:
        """An import: version 1 of each new incident, in one transaction (all or nothing)."""
        ...

    def edit(self, incident_id: str, new: IncidentLike, *, based_on: int, who: str,
             reason: str) -> IncidentVersion:
        """A new version holding ``new`` (same id), made on version ``based_on``."""
        ...

    def retire(self, incident_id: str, *, based_on: int, who: str, reason: str
               ) -> IncidentVersion:
        """A new version that retires the incident (kept, hidden from :meth:`current`)."""
        ...

    def restore(self, incident_id: str, version: int, *, based_on: int, who: str,
                reason: str) -> IncidentVersion:
        """A new version holding version ``version``'s record, not retired."""
        ...

    def token(self) -> str:
        """A cheap token that changes whenever a version is added or the shipped data change."""
        ...
