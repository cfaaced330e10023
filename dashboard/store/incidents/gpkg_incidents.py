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
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from dashboard.data.incidents.version import IncidentVersion
from dashboard.data.limits import BUSY_TIMEOUT_S
from dashboard.geo.errors import InputError
from dashboard.store.gpkg import gpkg_geometry_blob
from dashboard.store.gpkg_store import default_store_path
from dashboard.store.incidents.codec import version_from_row, version_row
from dashboard.store.incidents.gpkg_schema import (
    TABLE,
    create_incident_table,
    incident_schema,
)
from dashboard.store.incidents.versioning import Plan, VersionedIncidents, VersionTaken
from dashboard.store.model import StoreBusy, utc_now_iso
from dashboard.store.schema import STORE_SCHEMA_VERSION, check_schema, create_schema

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


class GpkgIncidentStore(VersionedIncidents):
    """Versioned incidents in a GeoPackage file.

    Parameters
    ----------
    path : Path | str | None
        The ``.gpkg`` file; ``None``:
        :func:`~dashboard.store.gpkg_store.default_store_path` (the scenario store's).
    """

    kind: str = "GeoPackage"

    def __init__(self, path: Path | str | None = None) -> None:
        self.path: Path = Path(path).expanduser() if path is not None else default_store_path()

    def __repr__(self) -> str:
        return f"GpkgIncidentStore({str(self.path)!r})"

    @property
    def where(self) -> str:
        return str(self.path)

    #: Called with ``"insert"`` before a write's rows go in and ``"commit"`` before its
    #: commit (tests replace it to race or kill a writer).
    _hook: Callable[[str], None] = staticmethod(lambda stage: None)

    # -- files and connections --------------------------------------------------------
    def _fail(self, exc: sqlite3.Error) -> InputError:
        msg = str(exc)
        if "locked" in msg or "busy" in msg:
            return StoreBusy(f"the incident store {self.path} is busy (another change held it "
                             f"for {BUSY_TIMEOUT_S:.0f} s); nothing was saved; try again")
        if "not a database" in msg:
            return InputError(f"{self.path} is not a GeoPackage (SQLite) file; "
                              "choose another store")
        if "malformed" in msg or "corrupt" in msg:
            return InputError(f"the incident store {self.path} is damaged ({msg[:120]}); "
                              "nothing was written to it")
        return InputError(f"cannot use the incident store {self.path}: {msg}")

    def _check_file(self) -> bool:
        """True if the file exists; refuse one that is not a regular file or is empty."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise InputError(f"cannot use the incident store {self.path}: "
                             f"{exc.strerror or exc}") from None
        if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
            raise InputError(f"the incident store {self.path} is "
                             f"{'an empty file' if stat.S_ISREG(st.st_mode) else 'not a file'}"
                             ", not a GeoPackage; nothing was written to it")
        return True

    def _create_file(self) -> None:
        """A new store file made whole beside its place, then linked in (never over a
        file another process made meanwhile)."""
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name[:60]}.", suffix=".new",
                                   dir=self.path.parent)
        os.close(fd)
        try:
            os.unlink(tmp)
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                create_schema(conn, self.path)
                conn.execute("BEGIN IMMEDIATE")
                create_incident_table(conn, utc_now_iso())
                conn.execute("COMMIT")
            finally:
                conn.close()
            with suppress(FileExistsError):
                os.link(tmp, self.path)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"cannot create the incident store {self.path}: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
        finally:
            with suppress(OSError):
                os.unlink(tmp)

    @contextmanager
    def _open(self, *, write: bool) -> Iterator[sqlite3.Connection | None]:
        exists = self._check_file()
        if not write and not exists:
            yield None
            return
        if write:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot create the store folder {self.path.parent}: "
                                 f"{exc.strerror}") from None
            if not exists:
                self._create_file()
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        try:
            if write:
                rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
                if rows != ["ok"]:
                    raise InputError(f"the incident store {self.path} is damaged (SQLite "
                                     f"integrity check: {'; '.join(map(str, rows))[:100]}); "
                                     "nothing was written to it")
                if check_schema(conn, self.path) < STORE_SCHEMA_VERSION:
                    create_schema(conn, self.path)  # GeoPackage core tables (and scenarios')
            yield conn
        except sqlite3.Error as exc:
            if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):
                raise
            raise self._fail(exc) from None
        finally:
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            conn.close()

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
