"""Incidents in PostgreSQL/PostGIS, shared by a team's app processes: every version a row of
``nfz_dashboard.incident_versions``.

Table (created idempotently on the first write, beside the scenario tables of
:mod:`dashboard.store.pg_schema`, whose schema, PostGIS and UTF8 checks it reuses):
``id`` (identity), ``incident_id``, ``version``, ``at`` (timestamptz, ms),
``who``, ``action``, ``reason``, ``retired``, ``date``, ``place``, ``record`` and
``changes`` (jsonb), ``geom geometry(Geometry, 4326)`` (null unpositioned), with
``UNIQUE (incident_id, version)``; its version is the row of
``nfz_dashboard.incident_store_version``, and a newer one is refused.

One short connection per operation, like
:class:`~dashboard.store.pg_store.PostgresStore`: a server that is down raises
:class:`~dashboard.store.model.StoreUnavailable`, a lock held past
:data:`~dashboard.data.limits.BUSY_TIMEOUT_S` s :class:`~dashboard.store.model.StoreBusy`;
messages show the URL without its password.  Every write is one transaction; two
writers racing from one version both read it, the second's insert waits on the
unique index and fails when the first commits: it gets
:class:`~dashboard.data.incidents.version.StaleEdit`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import psycopg
import shapely
from psycopg import errors as pg_errors

from dashboard.data.incidents.version import IncidentVersion
from dashboard.data.limits import BUSY_TIMEOUT_S
from dashboard.geo.errors import InputError
from dashboard.store.incidents.codec import version_from_row, version_row
from dashboard.store.incidents.versioning import Plan, VersionedIncidents, VersionTaken
from dashboard.store.model import StoreUnavailable, format_ts
from dashboard.store.pg_connect import PgWords, parse_pg_url
from dashboard.store.pg_schema import PG_SCHEMA, ensure_schema
from dashboard.store.schema import app_version

__all__ = ["PgIncidentStore", "PG_INCIDENT_SCHEMA_VERSION"]

#: Schema version of the incident table this code writes.
PG_INCIDENT_SCHEMA_VERSION: int = 1
T = TypeVar("T")
S = PG_SCHEMA
TABLE = f"{S}.incident_versions"
_LOCK_KEY = 0x6E667A5F696E6364  # "nfz_incd"
_DDL = (
    f"""CREATE TABLE IF NOT EXISTS {S}.incident_store_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  schema_version integer NOT NULL,
  written_by text NOT NULL,
  updated timestamptz NOT NULL DEFAULT now())""",
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id text NOT NULL,
  version integer NOT NULL,
  at timestamptz NOT NULL,
  who text NOT NULL,
  action text NOT NULL,
  reason text NOT NULL,
  retired boolean NOT NULL,
  date date,
  place text,
  record jsonb NOT NULL,
  changes jsonb NOT NULL,
  geom geometry(Geometry, 4326),
  CONSTRAINT incident_versions_uk UNIQUE (incident_id, version))""",
    f"CREATE INDEX IF NOT EXISTS incident_versions_geom_idx ON {TABLE} USING gist (geom)",
)
_COLS = "incident_id, version, at, who, action, reason, retired, record::text, changes::text"
_NEWEST = (f"SELECT DISTINCT ON (incident_id) {_COLS} FROM {TABLE} {{}} "
           "ORDER BY incident_id, version DESC")
_INSERT = (f"INSERT INTO {TABLE} (incident_id, version, at, who, action, reason, retired, "
           "record, changes, date, place, geom) VALUES (%s, %s, %s::timestamptz, %s, %s, %s, "
           "%s, %s::jsonb, %s::jsonb, %s::date, %s, ST_GeomFromWKB(%s, 4326))")


def _row(r: tuple[Any, ...]) -> IncidentVersion:
    at = r[2]
    return version_from_row((r[0], r[1], format_ts(at) if isinstance(at, datetime) else at,
                             *r[3:]))


class PgIncidentStore(VersionedIncidents):
    """Versioned incidents in a PostgreSQL database with PostGIS (schema ``nfz_dashboard``).

    Parameters
    ----------
    url : str
        ``postgresql://USER:PASSWORD@HOST:PORT/DB`` (any libpq URI).
    busy_timeout_s : float
        Seconds a write waits for another writer's lock before
        :class:`~dashboard.store.model.StoreBusy` (default
        :data:`~dashboard.data.limits.BUSY_TIMEOUT_S`).
    """

    kind: str = "PostgreSQL"
    #: Called with ``"insert"`` and ``"commit"`` inside a write (tests race writers).
    _hook: Callable[[str], None] = staticmethod(lambda stage: None)

    def __init__(self, url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self._target = parse_pg_url(url, busy_timeout_s)
        self._where = self._target.where

    def __repr__(self) -> str:
        return f"PgIncidentStore({self._where!r})"

    @property
    def where(self) -> str:
        return self._where

    # -- connections and errors -----------------------------------------------------
    @contextmanager
    def _session(self, undone: str) -> Iterator[psycopg.Connection]:
        try:
            conn = self._target.connect()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"the incident store {self._where} is not reachable "
                                   f"({self._target.reason(exc)}); {undone}; try again") from None

        def gone(exc: psycopg.OperationalError) -> InputError:
            return StoreUnavailable(f"the incident store {self._where} went away "
                                    f"({self._target.reason(exc)}); {undone}; try again")

        words = PgWords(noun="incident store", writer="another change",
                        busy_undone=f"{undone}; ")
        with self._target.session(conn, words, gone=gone, detail=self._target.reason) as conn:
            yield conn

    def _version(self, conn: psycopg.Connection) -> int:
        """The incident table's schema version (0: none yet); a newer one is refused."""
        found = conn.execute(f"SELECT to_regclass('{S}.incident_store_version') IS NOT NULL"
                             ).fetchone()
        if not (found and found[0]):
            return 0
        row = conn.execute(f"SELECT schema_version FROM {S}.incident_store_version").fetchone()
        version = int(row[0]) if row else 0
        if version > PG_INCIDENT_SCHEMA_VERSION:
            raise InputError(f"the incident store {self._where} was written by a newer "
                             f"nfz-dashboard (incident schema {version}; this one knows "
                             f"{PG_INCIDENT_SCHEMA_VERSION}); upgrade nfz-dashboard")
        return version

    def _ensure(self, conn: psycopg.Connection) -> None:
        """Create the table once (under an advisory lock, so first uses do not race)."""
        if self._version(conn) == PG_INCIDENT_SCHEMA_VERSION:
            return
        written_by = f"nfz-dashboard {app_version()}"
        ensure_schema(conn, self._where, written_by)  # schema, PostGIS, UTF8
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            with conn.transaction():
                if self._version(conn) == 0:
                    for stmt in _DDL:
                        conn.execute(stmt)
                    conn.execute(f"INSERT INTO {S}.incident_store_version (schema_version, "
                                 "written_by) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                                 (PG_INCIDENT_SCHEMA_VERSION, written_by))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))

    def _read(self, work: Callable[[psycopg.Connection], T], empty: T) -> T:
        with self._session("nothing was read") as conn:
            if self._version(conn) == 0:
                return empty
            conn.read_only = True
            with conn.transaction():
                return work(conn)

    # -- primitives -------------------------------------------------------------------
    @staticmethod
    def _newest_of(conn: psycopg.Connection, ids: Sequence[str] | None
                   ) -> dict[str, IncidentVersion]:
        if ids is None:
            rows = conn.execute(_NEWEST.format("")).fetchall()
        else:
            rows = conn.execute(_NEWEST.format("WHERE incident_id = ANY(%s)"),
                                (list(ids),)).fetchall()
        return {r[0]: _row(r) for r in rows}

    def _stored_newest(self, incident_id: str | None = None) -> dict[str, IncidentVersion]:
        ids = None if incident_id is None else [incident_id]
        return self._read(lambda conn: self._newest_of(conn, ids), {})

    def _stored_history(self, incident_id: str) -> list[IncidentVersion]:
        return self._read(lambda conn: [_row(r) for r in conn.execute(
            f"SELECT {_COLS} FROM {TABLE} WHERE incident_id = %s ORDER BY version",
            (incident_id,)).fetchall()], [])

    def _stored_token(self) -> str:
        def work(conn: psycopg.Connection) -> str:
            row = conn.execute(f"SELECT count(*), max(id) FROM {TABLE}").fetchone()
            return f"{row[0]}:{row[1]}" if row else "0:0"

        return f"{self._where}:" + self._read(work, "0:0")

    def _write(self, ids: Sequence[str], plan: Plan) -> list[IncidentVersion]:
        with self._session("nothing was saved") as conn:
            self._ensure(conn)
            try:
                with conn.transaction():
                    versions = plan(self._newest_of(conn, ids))
                    rows = [_insert_row(v) for v in versions]
                    self._hook("insert")
                    with conn.cursor() as cur:
                        cur.executemany(_INSERT, rows)
                    self._hook("commit")
            except pg_errors.UniqueViolation as exc:
                taken = getattr(exc.diag, "message_detail", "") or ""
                hit = next((v.incident_id for v in versions if f"({v.incident_id}," in taken),
                           versions[0].incident_id)
                raise VersionTaken(hit) from None
        return versions


def _insert_row(v: IncidentVersion) -> tuple[Any, ...]:
    g = v.record.geometry
    return (*version_row(v), v.record.date, v.record.place,
            None if g is None else shapely.to_wkb(g, byte_order=1, output_dimension=2))
