"""Incidents in the GeoPackage store file (the scenario store's, by default): every version
a row of the feature table ``incident_versions`` (:mod:`.gpkg_schema`).

Like the scenario store: one SQLite connection per operation; every write is one
``BEGIN IMMEDIATE`` transaction with a busy timeout of
:data:`~dashboard.data.limits.BUSY_TIMEOUT_S` s, in the rollback-journal mode, so a
writer killed mid-transaction leaves the previous state and concurrent writers
queue.  The newest-version check of an edit runs under that write lock, and
``UNIQUE (incident_id, version)`` backs it.  A missing file is created whole
(written beside it, then linked into place) with the scenario tables too, so
either store can use it next.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

from dashboard.data.incidents.version import IncidentVersion
from dashboard.data.limits import BUSY_TIMEOUT_S
from dashboard.store.gpkg import gpkg_geometry_blob
from dashboard.store.gpkg_store import default_store_path
from dashboard.store.incidents.codec import version_from_row, version_row
from dashboard.store.incidents.gpkg_schema import (
    TABLE,
    create_incident_table,
    incident_schema,
)
from dashboard.store.incidents.versioning import Plan, VersionedIncidents, VersionTaken
from dashboard.store.model import utc_now_iso
from dashboard.store.schema import STORE_SCHEMA_VERSION, check_schema, create_schema
from dashboard.store.sqlite_file import FileWords, StoreFile

__all__ = ["GpkgIncidentStore"]

T = TypeVar("T")
_COLS = "incident_id, version, at, who, action, reason, retired, record, changes"
_INSERT = (f"INSERT INTO {TABLE} (geom, date, place, {_COLS}) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_NEWEST_ALL = (f"SELECT {', '.join('v.' + c for c in _COLS.split(', '))} FROM {TABLE} v JOIN "
               f"(SELECT incident_id AS i, MAX(version) AS m FROM {TABLE} GROUP BY incident_id)"
               " ON v.incident_id = i AND v.version = m")
_NEWEST_OF = (f"SELECT {_COLS} FROM {TABLE} v WHERE incident_id IN ({{}}) AND version = "
              f"(SELECT MAX(version) FROM {TABLE} w WHERE w.incident_id = v.incident_id)")
#: Ids per ``IN (...)`` list (well under SQLite's variable limit).
_CHUNK = 500
#: How the incident store's messages name its file (the short form).
_WORDS = FileWords(noun="incident store", folder="store folder", writer="another change",
                   busy_undone="nothing was saved; ", instead="another store")


class GpkgIncidentStore(VersionedIncidents):
    """Versioned incidents in a GeoPackage file.

    Parameters
    ----------
    path : Path | str | None
        The ``.gpkg`` file; ``None``:
        :func:`~dashboard.store.gpkg_store.default_store_path` (the scenario store's).
    busy_timeout_s : float
        Seconds a write waits for another writer before
        :class:`~dashboard.store.model.StoreBusy` (default
        :data:`~dashboard.data.limits.BUSY_TIMEOUT_S`).
    """

    kind: str = "GeoPackage"

    def __init__(self, path: Path | str | None = None, *,
                 busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path: Path = Path(path).expanduser() if path is not None else default_store_path()
        self.busy_timeout_s: float = busy_timeout_s

    def __repr__(self) -> str:
        return f"GpkgIncidentStore({str(self.path)!r})"

    @property
    def where(self) -> str:
        return str(self.path)

    #: Called with ``"insert"`` before a write's rows go in and ``"commit"`` before its
    #: commit (tests replace it to race or kill a writer).
    _hook: Callable[[str], None] = staticmethod(lambda stage: None)

    # -- files and connections --------------------------------------------------------
    @property
    def _file(self) -> StoreFile:
        return StoreFile(self.path, _WORDS, self.busy_timeout_s)

    def _open(self, *, write: bool) -> AbstractContextManager[sqlite3.Connection | None]:
        def ready(conn: sqlite3.Connection) -> bool:
            if write and check_schema(conn, self.path) < STORE_SCHEMA_VERSION:
                create_schema(conn, self.path)  # GeoPackage core tables (and scenarios')
            return True

        return self._file.opened(write=write, init=self._init, ready=ready)

    def _init(self, conn: sqlite3.Connection) -> None:
        """A new file's tables: the scenario store's (GeoPackage core too) and the layer."""
        create_schema(conn, self.path)
        conn.execute("BEGIN IMMEDIATE")
        create_incident_table(conn, utc_now_iso())
        conn.execute("COMMIT")

    def _read(self, work: Callable[[sqlite3.Connection], T], empty: T) -> T:
        """``work(conn)`` in one read transaction; ``empty`` when there is no layer yet."""
        with self._open(write=False) as conn:
            if conn is None:
                return empty
            conn.execute("BEGIN")
            if incident_schema(conn, self.path) == 0:
                return empty
            out = work(conn)
            conn.execute("COMMIT")
            return out

    # -- primitives -------------------------------------------------------------------
    @staticmethod
    def _newest_of(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, IncidentVersion]:
        out: dict[str, IncidentVersion] = {}
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), _CHUNK):
            part = unique[i:i + _CHUNK]
            sql = _NEWEST_OF.format(", ".join("?" * len(part)))
            out.update((r[0], version_from_row(r)) for r in conn.execute(sql, part))
        return out

    def _stored_newest(self, incident_id: str | None = None) -> dict[str, IncidentVersion]:
        if incident_id is not None:
            return self._read(lambda conn: self._newest_of(conn, [incident_id]), {})
        return self._read(lambda conn: {r[0]: version_from_row(r)
                                        for r in conn.execute(_NEWEST_ALL)}, {})

    def _stored_history(self, incident_id: str) -> list[IncidentVersion]:
        return self._read(lambda conn: [version_from_row(r) for r in conn.execute(
            f"SELECT {_COLS} FROM {TABLE} WHERE incident_id = ? ORDER BY version",
            (incident_id,))], [])

    def _stored_token(self) -> str:
        def work(conn: sqlite3.Connection) -> str:
            n, top = conn.execute(f"SELECT count(*), max(fid) FROM {TABLE}").fetchone()
            return f"{n}:{top}"

        try:
            ino = os.stat(self.path).st_ino
        except OSError:
            ino = 0
        return f"{self.path}:{ino}:" + self._read(work, "0:0")

    def _write(self, ids: Sequence[str], plan: Plan) -> list[IncidentVersion]:
        with self._open(write=True) as conn:
            assert conn is not None
            conn.execute("BEGIN IMMEDIATE")
            now = utc_now_iso()
            incident_schema(conn, self.path)  # refuses a newer layer
            create_incident_table(conn, now)
            newest: Mapping[str, IncidentVersion | None] = self._newest_of(conn, ids)
            versions = plan(newest)
            rows = [_insert_row(v) for v in versions]
            self._hook("insert")
            try:
                conn.executemany(_INSERT, rows)
            except sqlite3.IntegrityError:
                raise VersionTaken(self._taken(conn, versions)) from None
            conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
                         (now, TABLE))
            self._hook("commit")
            conn.execute("COMMIT")
        return versions

    @staticmethod
    def _taken(conn: sqlite3.Connection, versions: list[IncidentVersion]) -> str:
        for v in versions:
            if conn.execute(f"SELECT 1 FROM {TABLE} WHERE incident_id = ? AND version = ?",
                            (v.incident_id, v.version)).fetchone():
                return v.incident_id
        return versions[0].incident_id


def _insert_row(v: IncidentVersion) -> tuple[Any, ...]:
    g = v.record.geometry
    return (None if g is None else gpkg_geometry_blob(g), v.record.date, v.record.place,
            *version_row(v))
