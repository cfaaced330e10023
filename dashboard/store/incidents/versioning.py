"""The rules every incident store follows, written once: what a change may do and which
version it makes.  A backend supplies four primitives (read the newest stored
versions, read one incident's stored history, write versions in one transaction,
a change token); :class:`VersionedIncidents` does the rest.

* ids: an added incident's id is neither shipped nor stored; stored versions count
  from 1 (version 0 is the shipped record of a shipped incident);
* ``based_on``: an edit, retire or restore made on a version that is not the newest
  raises :class:`~dashboard.data.incidents.version.StaleEdit` naming the newer one.
  The backend checks it inside its write transaction and the store's
  ``UNIQUE (incident_id, version)`` backs it: of two writers racing from one base,
  the loser's insert fails and it gets the same StaleEdit (:class:`VersionTaken`);
* a retired incident is kept: it is hidden from :meth:`~VersionedIncidents.current`
  unless asked, refuses edits and retires, and comes back by a restore.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from dashboard.data.incidents.check import IncidentInvalid, check_incident, check_reason
from dashboard.data.incidents.record import Incident
from dashboard.data.incidents.version import IncidentVersion, StaleEdit, field_diff
from dashboard.data.limits import MAX_IMPORT_ROWS
from dashboard.geo.cache import content_token
from dashboard.geo.errors import InputError
from dashboard.store.incidents.api import (
    IncidentExists,
    IncidentLike,
    IncidentNotFound,
    IncidentRetired,
    NothingChanged,
    check_based_on,
    check_who,
)
from dashboard.store.incidents.codec import retire_change
from dashboard.store.incidents.shipped import shipped_token, shipped_versions
from dashboard.store.model import utc_now_iso

__all__ = ["VersionedIncidents", "VersionTaken", "Plan"]

#: Inside the write transaction: the newest *stored* version of each id asked for (None:
#: none stored) -> the versions to insert.
Plan = Callable[[Mapping[str, IncidentVersion | None]], list[IncidentVersion]]


class VersionTaken(Exception):
    """A backend's insert hit ``UNIQUE (incident_id, version)``: another writer won."""

    def __init__(self, incident_id: str) -> None:
        super().__init__(incident_id)
        self.incident_id = incident_id


def _checked(incident: IncidentLike, label: str = "") -> Incident:
    d = incident.to_dict() if isinstance(incident, Incident) else dict(incident)
    try:
        return check_incident(d)
    except IncidentInvalid as exc:
        if not label:
            raise
        raise IncidentInvalid(list(exc.problems), f"{label}: incident {str(d.get('id'))[:60]}"
                              ) from None


class VersionedIncidents:
    """The public methods of :class:`~dashboard.store.incidents.api.IncidentStore` over a
    backend's primitives (:meth:`_stored_newest`, :meth:`_stored_history`,
    :meth:`_write`, :meth:`_stored_token`)."""

    kind: str = ""

    @property
    def where(self) -> str:
        raise NotImplementedError

    # -- backend primitives -----------------------------------------------------------
    def _stored_newest(self, incident_id: str | None = None) -> dict[str, IncidentVersion]:
        """The newest stored version of every incident (or of ``incident_id`` only)."""
        raise NotImplementedError

    def _stored_history(self, incident_id: str) -> list[IncidentVersion]:
        """The stored versions of ``incident_id``, oldest first."""
        raise NotImplementedError

    def _write(self, ids: Sequence[str], plan: Plan) -> list[IncidentVersion]:
        """In one write transaction: read the newest stored version of ``ids``, run
        ``plan`` on them, insert what it returns, commit; :class:`VersionTaken` if an
        insert hits the unique (incident_id, version)."""
        raise NotImplementedError

    def _stored_token(self) -> str:
        raise NotImplementedError

    # -- reads ----------------------------------------------------------------------------
    def token(self) -> str:
        """Changes whenever a version is stored or the shipped files change."""
        return content_token(self._stored_token(), shipped_token())

    def current(self, *, include_retired: bool = False) -> list[IncidentVersion]:
        merged = shipped_versions()
        merged.update(self._stored_newest())
        return sorted((v for v in merged.values() if include_retired or not v.retired),
                      key=lambda v: (v.record.date, v.incident_id))

    def get(self, incident_id: str) -> IncidentVersion:
        stored = self._stored_newest(incident_id)
        return self._newest(incident_id, stored.get(incident_id))

    def history(self, incident_id: str) -> list[IncidentVersion]:
        shipped = shipped_versions().get(incident_id)
        versions = ([shipped] if shipped else []) + self._stored_history(incident_id)
        if not versions:
            raise self._missing(incident_id)
        return versions

    @staticmethod
    def _missing(incident_id: str) -> IncidentNotFound:
        return IncidentNotFound(f"no incident {str(incident_id)[:70]!r} (neither shipped nor "
                                "stored)")

    def _newest(self, incident_id: str, stored: IncidentVersion | None) -> IncidentVersion:
        newest = stored or shipped_versions().get(incident_id)
        if newest is None:
            raise self._missing(incident_id)
        return newest

    # -- writes -------------------------------------------------------------------------
    def add(self, incident: IncidentLike, *, who: str, reason: str) -> IncidentVersion:
        return self._add([incident], who=who, reason=reason, action="add")[0]

    def add_many(self, incidents: Sequence[IncidentLike], *, who: str, reason: str
                 ) -> list[IncidentVersion]:
        return self._add(list(incidents), who=who, reason=reason, action="import")

    def _add(self, incidents: list[IncidentLike], *, who: str, reason: str, action: str
             ) -> list[IncidentVersion]:
        who, reason = check_who(who), check_reason(reason)
        if not incidents:
            return []
        if len(incidents) > MAX_IMPORT_ROWS:
            raise InputError(f"an import holds at most {MAX_IMPORT_ROWS} incidents, "
                             f"got {len(incidents)}; nothing was imported")
        many = action == "import"
        records = [_checked(inc, f"row {i}" if many else "") for i, inc in
                   enumerate(incidents, 1)]
        seen: dict[str, int] = {}
        shipped = shipped_versions()
        for i, rec in enumerate(records, 1):
            if rec.id in seen:
                raise IncidentExists(f"row {i}: incident {rec.id} is also row {seen[rec.id]}; "
                                     "nothing was imported")
            seen[rec.id] = i
            if rec.id in shipped:
                raise self._exists(rec.id, "is in the shipped catalogue (edit it to override "
                                   "it)", f"row {i}: " if many else "", many)

        def plan(newest: Mapping[str, IncidentVersion | None]) -> list[IncidentVersion]:
            for i, rec in enumerate(records, 1):
                if newest.get(rec.id) is not None:
                    raise self._exists(rec.id, "exists already", f"row {i}: " if many else "",
                                       many)
            now = utc_now_iso()
            return [IncidentVersion(r.id, 1, now, who, action, reason, field_diff(None, r), r)
                    for r in records]

        try:
            return self._write([r.id for r in records], plan)
        except VersionTaken as exc:
            raise self._exists(exc.incident_id, "was just added by someone else", "",
                               many) from None

    @staticmethod
    def _exists(incident_id: str, why: str, row: str, many: bool) -> IncidentExists:
        tail = "; nothing was imported" if many else ""
        return IncidentExists(f"{row}incident {incident_id} {why}{tail}")

    def _change(self, incident_id: str, based_on: int,
                make: Callable[[IncidentVersion, str], IncidentVersion]) -> IncidentVersion:
        """Write ``make(newest, now)`` if ``based_on`` is the newest version."""
        based_on = check_based_on(based_on)

        def plan(stored: Mapping[str, IncidentVersion | None]) -> list[IncidentVersion]:
            newest = self._newest(incident_id, stored.get(incident_id))
            if newest.version != based_on:
                raise StaleEdit(incident_id, based_on, newest)
            return [make(newest, utc_now_iso())]

        try:
            return self._write([incident_id], plan)[0]
        except VersionTaken:
            raise StaleEdit(incident_id, based_on, self.get(incident_id)) from None

    def edit(self, incident_id: str, new: IncidentLike, *, based_on: int, who: str,
             reason: str) -> IncidentVersion:
        who, reason = check_who(who), check_reason(reason)
        record = _checked(new)
        if record.id != incident_id:
            raise InputError(f"an incident's id does not change (editing {incident_id}, "
                             f"the record says {record.id}); add a new incident instead")

        def make(newest: IncidentVersion, now: str) -> IncidentVersion:
            if newest.retired:
                raise IncidentRetired(f"incident {incident_id} is retired; restore it first")
            changes = field_diff(newest.record, record)
            if not changes:
                raise NothingChanged(f"nothing changed: version {newest.version} of "
                                     f"{incident_id} already holds this record")
            return IncidentVersion(incident_id, newest.version + 1, now, who, "edit", reason,
                                   changes, record)

        return self._change(incident_id, based_on, make)

    def retire(self, incident_id: str, *, based_on: int, who: str, reason: str
               ) -> IncidentVersion:
        who, reason = check_who(who), check_reason(reason)

        def make(newest: IncidentVersion, now: str) -> IncidentVersion:
            if newest.retired:
                raise IncidentRetired(f"incident {incident_id} is retired already (version "
                                      f"{newest.version})")
            return IncidentVersion(incident_id, newest.version + 1, now, who, "retire", reason,
                                   (retire_change(True),), newest.record, True)

        return self._change(incident_id, based_on, make)

    def restore(self, incident_id: str, version: int, *, based_on: int, who: str,
                reason: str) -> IncidentVersion:
        who, reason = check_who(who), check_reason(reason)
        old = {v.version: v for v in self.history(incident_id)}
        if isinstance(version, bool) or version not in old:
            raise InputError(f"incident {incident_id} has no version {str(version)[:20]} "
                             f"(versions {min(old)} to {max(old)})")
        target = old[version].record

        def make(newest: IncidentVersion, now: str) -> IncidentVersion:
            changes = field_diff(newest.record, target) + (
                (retire_change(False),) if newest.retired else ())
            if not changes:
                raise NothingChanged(f"nothing changed: version {newest.version} of "
                                     f"{incident_id} already holds version {version}'s record")
            return IncidentVersion(incident_id, newest.version + 1, now, who, "restore",
                                   f"{reason} (restores version {version})", changes,
                                   target, False)

        return self._change(incident_id, based_on, make)
