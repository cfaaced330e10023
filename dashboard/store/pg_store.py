"""Saved scenarios in PostgreSQL with PostGIS: one store a team shares.

:class:`PostgresStore` behaves like the GeoPackage
:class:`~dashboard.store.gpkg_store.ScenarioStore` (same methods, same errors,
the same :meth:`~PostgresStore.load` result to the last bit) for every app
process and CLI pointed at the same database with
``DASHBOARD_STORE_URL=postgresql://USER:PASSWORD@HOST:PORT/DB``.

* One short connection per operation (``connect_timeout`` of
  :data:`CONNECT_TIMEOUT_S` s), so an app holds no connection between clicks
  and a restarted server is simply used again on the next operation.
* Every write is one transaction: a save upserts the ``scenarios`` row
  (``INSERT ... ON CONFLICT (name) DO UPDATE``, which also locks it, so
  concurrent saves of one name queue and the last one wins whole), then
  replaces its zones and buffers.  Deadlocks and serialization failures are
  retried; a lock held longer than :data:`BUSY_TIMEOUT_S` s is :class:`StoreBusy`.
* A server that is down, restarting or drops the connection raises
  :class:`StoreUnavailable` ("... is not reachable (connection refused);
  nothing was saved; try again"); the transaction was rolled back by the
  server, so nothing half-written remains.
* Geometries go in as WKB (``ST_GeomFromWKB(..., 4326)``) and come out with
  ``ST_AsBinary``: the exact doubles.  They are the vertices of geodesic
  polygons; PostGIS ``geometry`` functions must not be used to measure them
  (see :mod:`dashboard.store.pg_schema`).
* Messages show :attr:`PostgresStore.where`, the URL without its password.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import psycopg
import shapely
from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from dashboard.data.limits import BUSY_TIMEOUT_S, CONNECT_TIMEOUT_S
from dashboard.geo.errors import InputError
from dashboard.store.gpkg_store import buffers_from_rows, fields_from_row, zones_from_rows
from dashboard.store.meta import meta_to_dict
from dashboard.store.model import (
    Scenario,
    ScenarioExists,
    ScenarioNotFound,
    ScenarioSummary,
    StoreBusy,
    StoreUnavailable,
    format_ts,
)
from dashboard.store.pg_connect import PgWords, parse_pg_url, scrub
from dashboard.store.pg_schema import (
    PG_SCHEMA,
    PG_SCHEMA_VERSION,
    ensure_schema,
    schema_version,
)
from dashboard.store.schema import app_version
from dashboard.store.validate import check_name, validate_scenario

__all__ = ["CONNECT_TIMEOUT_S", "BUSY_TIMEOUT_S", "PostgresStore"]

#: Attempts for a transaction that hits a deadlock or a serialization failure.
_ATTEMPTS = 4
#: How the scenario store's messages name its database.
_WORDS = PgWords(noun="scenario store", writer="another save")

T = TypeVar("T")
S = PG_SCHEMA
_NOW_MS = "date_trunc('milliseconds', clock_timestamp())"
_UPSERT = (f"INSERT INTO {S}.scenarios AS s (name, created, updated, n_zones, meta) "
           f"VALUES (%s, %s, {_NOW_MS}, %s, %s) ON CONFLICT (name) DO UPDATE SET "
           f"created = EXCLUDED.created, updated = {_NOW_MS}, n_zones = EXCLUDED.n_zones, "
           "meta = EXCLUDED.meta RETURNING id, updated")
_INSERT_NEW = (f"INSERT INTO {S}.scenarios (name, created, updated, n_zones, meta) "
               f"VALUES (%s, %s, {_NOW_MS}, %s, %s) ON CONFLICT (name) DO NOTHING "
               "RETURNING id, updated")
_INSERT_ZONES = (f"INSERT INTO {S}.zones (scenario_id, zone_index, zone_id, name, rule, "
                 "description, params, center_lon, center_lat, radius_km, geom) VALUES "
                 "(%s, %s, %s, %s, %s, %s, %s::json, %s, %s, %s, ST_GeomFromWKB(%b, 4326))")
_INSERT_BUFFERS = (f"INSERT INTO {S}.buffers (scenario_id, buffer_index, radius_km, layer, "
                   "label, geom) VALUES (%s, %s, %s, %s, %s, ST_GeomFromWKB(%b, 4326))")
_SELECT_ZONES = ("SELECT ST_AsBinary(geom), zone_id, name, rule, description, params, "
                 f"center_lon, center_lat, radius_km FROM {S}.zones WHERE scenario_id = %s "
                 "ORDER BY zone_index")
_SELECT_BUFFERS = (f"SELECT ST_AsBinary(geom), radius_km, layer, label FROM {S}.buffers "
                   "WHERE scenario_id = %s ORDER BY buffer_index")

def _wkb(geom: BaseGeometry) -> bytes:
    return shapely.to_wkb(geom, byte_order=1, output_dimension=2)


def _from_wkb(data: bytes, where: str) -> BaseGeometry:
    try:
        return shapely.from_wkb(bytes(data))
    except shapely.errors.GEOSException as exc:
        raise InputError(f"{where} has damaged WKB ({exc})") from None


def _opt(v: float | None) -> float | None:
    return None if v is None else float(v)


class _Op:
    """What an operation is doing, for its error message if the server goes away."""

    def __init__(self, undone: str) -> None:
        self.undone = undone  # "nothing was saved", "the list could not be read"...
        self.committing = False


class PostgresStore:
    """Saved scenarios in a PostgreSQL database with PostGIS (schema ``nfz_dashboard``).

    Parameters
    ----------
    url : str
        A libpq URI, ``postgresql://USER:PASSWORD@HOST:PORT/DB`` (``postgres://``
        too; query parameters such as ``?sslmode=require`` are passed on).
    busy_timeout_s : float
        Seconds a write waits for another writer's row lock before
        :class:`StoreBusy` (default :data:`BUSY_TIMEOUT_S`).

    Notes
    -----
    The tables are created on the first save (the user needs ``CREATE`` on the
    database, or an administrator runs the first save once); PostGIS must be
    installed in the database or creatable by the user.  Tables:
    :mod:`dashboard.store.pg_schema`.

    Raises
    ------
    InputError
        ``url`` is not a valid PostgreSQL URI (shown without its password).
    """

    kind: str = "PostgreSQL"

    def __init__(self, url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self._target = parse_pg_url(url, busy_timeout_s)
        self._where = self._target.where

    def __repr__(self) -> str:
        return f"PostgresStore({self._where!r})"

    @property
    def where(self) -> str:
        """The database as ``postgresql://USER@HOST:PORT/DB`` (no password, no query)."""
        return self._where

    # -- connections and errors ---------------------------------------------------
    def _unavailable(self, exc: BaseException, op: _Op) -> InputError:
        reason = self._target.reason(exc)
        if op.committing:
            return StoreUnavailable(f"the scenario store {self._where} went away during the "
                                    f"commit ({reason}); the change may or may not have "
                                    "landed: check the saved list before trying again")
        return StoreUnavailable(f"the scenario store {self._where} is not reachable "
                                f"({reason}); {op.undone}; try again")

    def _connect(self, op: _Op) -> psycopg.Connection:
        try:
            return self._target.connect()
        except psycopg.OperationalError as exc:
            if self._target.refused_for_good(exc):
                raise InputError(f"cannot connect to the scenario store {self._where}: "
                                 f"{self._target.reason(exc)}") from None
            raise self._unavailable(exc, op) from None

    @contextmanager
    def _session(self, op: _Op, *, write: bool) -> Iterator[psycopg.Connection | None]:
        """A connection with the schema checked (created on a write); ``None`` for a
        read of a database without a store yet.  Maps psycopg errors to InputErrors
        (deadlocks and serialization failures pass, for :meth:`_run` to retry)."""
        with self._target.session(self._connect(op), _WORDS,
                                  gone=lambda exc: self._unavailable(exc, op),
                                  detail=lambda exc: scrub(str(exc), self._target.password),
                                  keep=(pg_errors.SerializationFailure,
                                        pg_errors.DeadlockDetected)) as conn:
            version = schema_version(conn, self._where)
            if write and version < PG_SCHEMA_VERSION:  # new or older: reads change nothing
                ensure_schema(conn, self._where, f"nfz-dashboard {app_version()}")
                version = PG_SCHEMA_VERSION
            yield conn if version else None

    def _run(self, undone: str, write: bool, work: Callable[[Any, _Op], T],
             empty: Callable[[], T]) -> T:
        """``work(conn, op)`` in a session, retried on deadlocks; ``empty()`` with no store."""
        for attempt in range(_ATTEMPTS):
            op = _Op(undone)
            try:
                with self._session(op, write=write) as conn:
                    return empty() if conn is None else work(conn, op)
            except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected):
                if attempt == _ATTEMPTS - 1:
                    raise StoreBusy(f"the scenario store {self._where} is busy (conflicting "
                                    "saves); try again") from None
        raise AssertionError("unreachable")

    # -- public API -------------------------------------------------------------------
    def save(self, scenario: Scenario, *, overwrite: bool = True) -> Scenario:
        """Store ``scenario`` under its name in one transaction; see
        :meth:`dashboard.store.gpkg_store.ScenarioStore.save` (same contract).

        Raises
        ------
        InputError
            Invalid scenario; :class:`ScenarioExists`; :class:`StoreBusy`;
            :class:`StoreUnavailable` (server down or restarting: nothing saved).
        """
        validate_scenario(scenario)
        meta = meta_to_dict(scenario)
        created = meta["created"]
        meta_obj = Jsonb({k: v for k, v in meta.items() if k not in ("name", "created",
                                                                    "updated")})
        zones = [(i, z.id, z.name, z.rule, z.description, json.dumps(z.params, allow_nan=False),
                  _opt(z.center_lon), _opt(z.center_lat), _opt(z.radius_km), _wkb(z.geometry))
                 for i, z in enumerate(scenario.zones)]
        buffers = [(i, float(b.radius_km), b.layer, b.label,
                    None if b.layer is not None else _wkb(Point(b.lon, b.lat)))
                   for i, b in enumerate(scenario.buffers)]
        row = (scenario.name, datetime.fromisoformat(created), len(zones), meta_obj)

        def work(conn: psycopg.Connection, op: _Op) -> str:
            with conn.transaction():
                got = conn.execute(_UPSERT if overwrite else _INSERT_NEW, row).fetchone()
                if got is None:
                    raise ScenarioExists(f"a scenario named {scenario.name!r} already exists")
                sid, updated = got
                conn.execute(f"DELETE FROM {S}.zones WHERE scenario_id = %s", (sid,))
                conn.execute(f"DELETE FROM {S}.buffers WHERE scenario_id = %s", (sid,))
                with conn.cursor() as cur:
                    cur.executemany(_INSERT_ZONES, [(sid, *z) for z in zones])
                    cur.executemany(_INSERT_BUFFERS, [(sid, *b) for b in buffers])
                op.committing = True
            return format_ts(updated)

        now = self._run("nothing was saved", True, work, lambda: "")
        return replace(scenario, zones=list(scenario.zones), buffers=list(scenario.buffers),
                       created=created, updated=now)

    def list(self) -> list[ScenarioSummary]:
        """All saved scenarios as ``(name, updated, n_zones)``, most recently updated first."""
        def work(conn: psycopg.Connection, op: _Op) -> list[ScenarioSummary]:
            rows = conn.execute(f"SELECT name, updated, n_zones FROM {S}.scenarios "
                                'ORDER BY updated DESC, name COLLATE "C"').fetchall()
            return [ScenarioSummary(str(n), format_ts(u), int(k)) for n, u, k in rows]

        return self._run("the saved scenarios could not be read", False, work, list)

    def exists(self, name: str) -> bool:
        """True if a scenario called ``name`` is saved."""
        def work(conn: psycopg.Connection, op: _Op) -> bool:
            return conn.execute(f"SELECT 1 FROM {S}.scenarios WHERE name = %s",
                                (name,)).fetchone() is not None

        return self._run("the saved scenarios could not be read", False, work, lambda: False)

    def load(self, name: str) -> Scenario:
        """The saved scenario called ``name``, exactly as saved (one consistent snapshot).

        Raises
        ------
        InputError
            :class:`ScenarioNotFound`; damaged content; :class:`StoreUnavailable`.
        """
        def work(conn: psycopg.Connection, op: _Op) -> Scenario:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.transaction():
                row = conn.execute(f"SELECT id, created, updated, meta FROM {S}.scenarios "
                                   "WHERE name = %s", (name,)).fetchone()
                if row is None:
                    raise ScenarioNotFound(f"no saved scenario named {name!r}")
                with conn.cursor(binary=True) as cur:
                    zone_rows = cur.execute(_SELECT_ZONES, (row[0],)).fetchall()
                    buffer_rows = cur.execute(_SELECT_BUFFERS, (row[0],)).fetchall()
            where = f"saved scenario {name!r}"
            fields = fields_from_row(format_ts(row[1]), format_ts(row[2]), row[3], where)
            scenario = Scenario(name=name, zones=zones_from_rows(zone_rows, where, _from_wkb),
                                buffers=buffers_from_rows(buffer_rows, where, _from_wkb),
                                **fields)
            validate_scenario(scenario)
            return scenario

        return self._run(f"{name!r} could not be read", False, work, lambda: self._missing(name))

    @staticmethod
    def _missing(name: str) -> Any:
        raise ScenarioNotFound(f"no saved scenario named {name!r}")

    def rename(self, old: str, new: str) -> None:
        """Rename scenario ``old`` to ``new`` (sets ``updated``); same name is a no-op.

        Raises
        ------
        InputError
            :class:`ScenarioNotFound`, an invalid ``new``, :class:`ScenarioExists`,
            :class:`StoreUnavailable`.
        """
        check_name(new, "new scenario name")
        taken = ScenarioExists(f"a scenario named {new!r} already exists; "
                               "delete or rename it first")

        def work(conn: psycopg.Connection, op: _Op) -> None:
            with conn.transaction():
                row = conn.execute(f"SELECT id FROM {S}.scenarios WHERE name = %s FOR UPDATE",
                                   (old,)).fetchone()
                if row is None:
                    raise ScenarioNotFound(f"no saved scenario named {old!r}")
                if new == old:
                    return
                if conn.execute(f"SELECT 1 FROM {S}.scenarios WHERE name = %s",
                                (new,)).fetchone():
                    raise taken
                try:
                    with conn.transaction():
                        conn.execute(f"UPDATE {S}.scenarios SET name = %s, updated = {_NOW_MS} "
                                     "WHERE id = %s", (new, row[0]))
                except pg_errors.UniqueViolation:
                    raise taken from None
                op.committing = True

        self._run("nothing was renamed", False, work, lambda: self._missing(old))

    def delete(self, name: str) -> None:
        """Delete the scenario called ``name`` with its zones and buffers (cascade).

        Raises
        ------
        InputError
            :class:`ScenarioNotFound`, :class:`StoreUnavailable`.
        """
        def work(conn: psycopg.Connection, op: _Op) -> None:
            with conn.transaction():
                if conn.execute(f"DELETE FROM {S}.scenarios WHERE name = %s RETURNING id",
                                (name,)).fetchone() is None:
                    raise ScenarioNotFound(f"no saved scenario named {name!r}")
                op.committing = True

        self._run("nothing was deleted", False, work, lambda: self._missing(name))
