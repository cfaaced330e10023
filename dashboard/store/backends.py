"""One interface, two backends: where saved scenarios live, chosen by ``DASHBOARD_STORE_URL``.

:class:`Store` is what the app and the CLI use: ``save``, ``list``, ``exists``,
``load``, ``rename``, ``delete`` and ``where`` (the store for messages, never
with a password).  :func:`open_store` picks the backend:

* unset or empty: the GeoPackage file at
  :func:`~dashboard.store.gpkg_store.default_store_path` (the embedded default);
* ``postgresql://USER:PASSWORD@HOST:PORT/DB`` (or ``postgres://``; any libpq
  URI, e.g. ``?sslmode=require``): :class:`~dashboard.store.pg_store.PostgresStore`,
  PostgreSQL with PostGIS, shared by a team's app processes;
* ``gpkg:PATH``, ``file:PATH``, ``file:///ABS/PATH`` or a plain path
  (``/data/team.gpkg``, ``~/s.gpkg``): the GeoPackage file at that path.

Anything else (``mysql://...``, ``http://...``) is an
:class:`~dashboard.geo.errors.InputError` naming the variable.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from dashboard.data.limits import BUSY_TIMEOUT_S
from dashboard.geo.errors import InputError
from dashboard.store.gpkg_store import ScenarioStore, default_store_path
from dashboard.store.model import Scenario, ScenarioSummary
from dashboard.store.urls import SCHEME, is_postgres_url, mask_url, url_password

__all__ = ["STORE_URL_ENV", "Store", "open_store", "store_target", "mask_url", "url_password",
           "is_postgres_url"]

#: The environment variable that chooses the store.
STORE_URL_ENV: str = "DASHBOARD_STORE_URL"



@runtime_checkable
class Store(Protocol):
    """A place that keeps named scenarios (a GeoPackage file, a PostgreSQL database).

    Every method opens and closes its own connection, so one store object may
    be shared by threads; errors are :class:`~dashboard.geo.errors.InputError`
    subclasses (``ScenarioExists``, ``ScenarioNotFound``, ``StoreBusy``,
    ``StoreUnavailable``) with one-line messages.
    """

    #: ``"GeoPackage"`` or ``"PostgreSQL"``, for captions.
    kind: str

    @property
    def where(self) -> str:
        """The store for messages: a file path, or a URL without its password."""
        ...

    def save(self, scenario: Scenario, *, overwrite: bool = True) -> Scenario:
        """Store ``scenario`` under its name (all or nothing); returns it with ``updated`` set."""
        ...

    def list(self) -> list[ScenarioSummary]:
        """``(name, updated, n_zones)`` of every scenario, most recently updated first."""
        ...

    def exists(self, name: str) -> bool:
        """True if a scenario called ``name`` is saved."""
        ...

    def load(self, name: str) -> Scenario:
        """The saved scenario called ``name``, exactly as saved."""
        ...

    def rename(self, old: str, new: str) -> None:
        """Rename a saved scenario (``new`` must be free)."""
        ...

    def delete(self, name: str) -> None:
        """Delete a saved scenario with its zones and buffers."""
        ...


def _gpkg_path(url: str) -> Path | None:
    """The file of a ``gpkg:``/``file:`` URL or a plain path; None for other schemes."""
    m = SCHEME.match(url)
    if m is None:
        return Path(url).expanduser()
    scheme = m.group(1).lower()
    if scheme == "gpkg":
        return Path(url[m.end():]).expanduser()
    if scheme == "file":
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        return Path(unquote(parts.path)).expanduser()
    return None


def store_target(url: str | None = None) -> Path | str:
    """Where ``url`` (or ``$DASHBOARD_STORE_URL`` when None) points: a GeoPackage file as a
    :class:`~pathlib.Path`, or a PostgreSQL URL as ``str`` (the rules of :func:`open_store`).

    >>> store_target("gpkg:/data/team.gpkg")
    PosixPath('/data/team.gpkg')
    >>> store_target("postgresql://nfz@db/nfz")
    'postgresql://nfz@db/nfz'

    Raises
    ------
    InputError
        ``url`` is neither a PostgreSQL URL nor a GeoPackage path (the message
        names ``DASHBOARD_STORE_URL`` and shows the value without a password).
    """
    source = "the store URL" if url is not None else STORE_URL_ENV
    text = (os.environ.get(STORE_URL_ENV, "") if url is None else url).strip()
    if not text:
        return default_store_path()
    if is_postgres_url(text):
        return text
    if "=" in text and (" " in text or "password" in text.lower()):
        raise InputError(f"{source} must be a postgresql://USER:PASSWORD@HOST:PORT/DB URL; "
                         "libpq keyword strings (host=... password=...) are not read")
    path = _gpkg_path(text)
    if path is None or not str(path).strip():
        raise InputError(f"{source} must be postgresql://USER@HOST:PORT/DB, "
                         f"gpkg:PATH or a GeoPackage file path; got {mask_url(text)!r}")
    return path


def open_store(url: str | None = None, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Store:
    """The scenario store for ``url``, or for ``$DASHBOARD_STORE_URL`` when ``url`` is None,
    whose writes wait ``busy_timeout_s`` s for another writer before
    :class:`~dashboard.store.model.StoreBusy`.

    Opening connects to nothing: a store that cannot be reached fails on its
    first operation (:class:`~dashboard.store.model.StoreUnavailable`).

    Raises
    ------
    InputError
        ``url`` is neither a PostgreSQL URL nor a GeoPackage path (the message
        names ``DASHBOARD_STORE_URL`` and shows the value without a password).
    """
    target = store_target(url)
    if isinstance(target, str):
        from dashboard.store.pg_store import PostgresStore

        return PostgresStore(target, busy_timeout_s=busy_timeout_s)
    return ScenarioStore(target, busy_timeout_s=busy_timeout_s)
