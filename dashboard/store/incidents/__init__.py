"""Incidents as versioned records in the store, next to scenarios.

:func:`open_incident_store` chooses the backend with the rules of
:func:`~dashboard.store.backends.open_store` (``DASHBOARD_STORE_URL``): the
GeoPackage file by default (:class:`~.gpkg_incidents.GpkgIncidentStore`, the
scenario store's file), PostgreSQL/PostGIS for a team
(:class:`~.pg_incidents.PgIncidentStore`, imported only when used).  Both follow
:class:`~.api.IncidentStore`: the shipped catalogue (:mod:`.shipped`, read-only)
is version 0 of each shipped incident; users add, edit, retire and restore, each
change a new version with who, when, why and the field diff; an edit made on a
stale version is refused naming the newer one.

Modules: :mod:`.api` (the interface, errors), :mod:`.shipped`, :mod:`.codec`
(rows), :mod:`.versioning` (the rules, once), :mod:`.gpkg_schema`,
:mod:`.gpkg_incidents`, :mod:`.pg_incidents`.
"""
from __future__ import annotations

from dashboard.store.backends import store_target
from dashboard.store.incidents.api import (
    IncidentExists,
    IncidentNotFound,
    IncidentRetired,
    IncidentStore,
    NothingChanged,
)
from dashboard.store.incidents.gpkg_incidents import GpkgIncidentStore
from dashboard.store.incidents.shipped import shipped_versions

__all__ = ["IncidentStore", "IncidentNotFound", "IncidentExists", "IncidentRetired",
           "NothingChanged", "GpkgIncidentStore", "open_incident_store", "shipped_versions"]


def open_incident_store(url: str | None = None) -> IncidentStore:
    """The incident store for ``url``, or for ``$DASHBOARD_STORE_URL`` when None.

    Connects to nothing: an unreachable server fails on the first operation.

    Raises
    ------
    InputError
        ``url`` is neither a PostgreSQL URL nor a GeoPackage path.
    """
    target = store_target(url)
    if isinstance(target, str):
        from dashboard.store.incidents.pg_incidents import PgIncidentStore

        return PgIncidentStore(target)
    return GpkgIncidentStore(target)
