"""The layout of the PostgreSQL/PostGIS scenario store: schema ``nfz_dashboard``, four tables.

* ``store_version`` -- one row: ``schema_version`` (an integer,
  :data:`PG_SCHEMA_VERSION`), ``written_by`` (``"nfz-dashboard 0.9.0"``), ``updated``.
* ``scenarios`` -- ``id``, ``name`` (unique), ``created``/``updated``
  (``timestamptz``, millisecond precision), ``n_zones``, ``meta`` (``jsonb``:
  format, version, incident_id, view, as_of, units).
* ``zones`` -- ``scenario_id`` (FK, ``ON DELETE CASCADE``), ``zone_index``,
  ``zone_id``, ``name``, ``rule``, ``description``, ``params`` (``json``: the
  text exactly as written, so floats and key order come back unchanged),
  ``center_lon``/``center_lat`` (degrees), ``radius_km`` (km),
  ``geom geometry(Geometry, 4326)``.
* ``buffers`` -- ``scenario_id`` (FK, cascade), ``buffer_index``, ``radius_km``
  (km), ``layer``, ``label``, ``geom geometry(Point, 4326)`` (null around a layer).

Geometries are WGS84 lon/lat vertices only.  A zone's edges are geodesics,
which PostGIS ``geometry`` functions (``ST_Area``, ``ST_Distance``,
``ST_Buffer``...) do not know: they treat edges as straight lines in degrees.
Use the store to keep and share zones (QGIS can show the tables), never its
geometry functions for metrics; the app measures with ``pyproj.Geod``.

:func:`ensure_schema` creates the schema, or upgrades an older one, in one
transaction under an advisory lock, so processes starting together do not race.
"""
from __future__ import annotations

from typing import Any

import psycopg

from dashboard.geo.errors import InputError

__all__ = ["PG_SCHEMA", "PG_SCHEMA_VERSION", "MIGRATIONS", "schema_version", "ensure_schema"]

#: The PostgreSQL schema (namespace) that holds the store's tables.
PG_SCHEMA: str = "nfz_dashboard"
#: Schema version this code writes and reads.
PG_SCHEMA_VERSION: int = 1
#: SQL that upgrades schema ``n`` to ``n + 1``, by ``n`` (none yet: 1 is the first).
MIGRATIONS: dict[int, tuple[str, ...]] = {}
#: ``pg_advisory_xact_lock`` key held while the schema is created or upgraded.
_LOCK_KEY = 0x6E667A5F73746F72  # "nfz_stor"

_DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA}",
    f"""CREATE TABLE {PG_SCHEMA}.store_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  schema_version integer NOT NULL,
  written_by text NOT NULL,
  updated timestamptz NOT NULL DEFAULT now())""",
    f"""CREATE TABLE {PG_SCHEMA}.scenarios (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL,
  n_zones integer NOT NULL,
  meta jsonb NOT NULL)""",
    f"""CREATE TABLE {PG_SCHEMA}.zones (
  scenario_id bigint NOT NULL REFERENCES {PG_SCHEMA}.scenarios (id) ON DELETE CASCADE,
  zone_index integer NOT NULL,
  zone_id text NOT NULL,
  name text NOT NULL,
  rule text NOT NULL,
  description text NOT NULL,
  params json NOT NULL,
  center_lon double precision,
  center_lat double precision,
  radius_km double precision,
  geom geometry(Geometry, 4326) NOT NULL,
  PRIMARY KEY (scenario_id, zone_index))""",
    f"""CREATE TABLE {PG_SCHEMA}.buffers (
  scenario_id bigint NOT NULL REFERENCES {PG_SCHEMA}.scenarios (id) ON DELETE CASCADE,
  buffer_index integer NOT NULL,
  radius_km double precision NOT NULL,
  layer text,
  label text NOT NULL,
  geom geometry(Point, 4326),
  PRIMARY KEY (scenario_id, buffer_index))""",
    f"CREATE INDEX zones_geom_idx ON {PG_SCHEMA}.zones USING gist (geom)",
    f"COMMENT ON SCHEMA {PG_SCHEMA} IS 'nfz-dashboard saved scenarios (WGS84 lon/lat "
    "vertices of geodesic polygons: do not measure them with PostGIS geometry functions)'",
)


def newer_error(where: str, version: int) -> InputError:
    """The error for a store written by a newer nfz-dashboard."""
    return InputError(f"the scenario store {where} was written by a newer nfz-dashboard "
                      f"(schema {version}; this one knows {PG_SCHEMA_VERSION}); upgrade "
                      "nfz-dashboard")


def schema_version(conn: Any, where: str) -> int:
    """The store's schema version in the connected database (0: no store yet).

    Raises
    ------
    InputError
        The store was written by a newer nfz-dashboard, or its version row is missing.
    """
    row = conn.execute(f"SELECT to_regclass('{PG_SCHEMA}.store_version') IS NOT NULL"
                       ).fetchone()
    if not row[0]:
        return 0
    row = conn.execute(f"SELECT schema_version FROM {PG_SCHEMA}.store_version").fetchone()
    if row is None:
        raise InputError(f"the scenario store {where} has no schema version record; "
                         f"ask an administrator to check the {PG_SCHEMA} schema")
    version = int(row[0])
    if version > PG_SCHEMA_VERSION:
        raise newer_error(where, version)
    return version


def _check_database(conn: Any, where: str) -> None:
    """PostGIS installed (or installable by this user) and a UTF8 database."""
    enc = conn.execute("SELECT pg_encoding_to_char(encoding) FROM pg_database "
                       "WHERE datname = current_database()").fetchone()[0]
    if enc != "UTF8":
        raise InputError(f"the scenario store {where} uses the {enc} encoding; scenario "
                         "names need a UTF8 database (CREATE DATABASE ... ENCODING 'UTF8')")
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        return
    try:
        with conn.transaction():  # a savepoint: a refusal leaves the outer transaction usable
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error:
        raise InputError(f"PostGIS is not installed in the scenario store {where}; an "
                         "administrator runs CREATE EXTENSION postgis in that database"
                         ) from None


def ensure_schema(conn: Any, where: str, written_by: str) -> None:
    """Create the store's schema, or upgrade an older one, in one transaction.

    ``conn`` is a psycopg connection in autocommit mode.  A session advisory
    lock, taken *before* the transaction begins, makes concurrent first uses
    wait for each other instead of racing on ``CREATE TABLE``; the transaction
    then starts after the winner's commit and sees its tables (a lock taken
    inside it would leave the catalog lookups of the waiting session stale).

    Raises
    ------
    InputError
        No PostGIS and no right to create it; not a UTF8 database; a newer schema.
    """
    conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        with conn.transaction():
            _create_or_upgrade(conn, where, written_by)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))


def _create_or_upgrade(conn: Any, where: str, written_by: str) -> None:
    version = schema_version(conn, where)
    if version == PG_SCHEMA_VERSION:
        return
    _check_database(conn, where)
    if version == 0:
        for stmt in _DDL:
            conn.execute(stmt)
        conn.execute(f"INSERT INTO {PG_SCHEMA}.store_version (schema_version, written_by)"
                     " VALUES (%s, %s)", (PG_SCHEMA_VERSION, written_by))
        return
    for v in range(version, PG_SCHEMA_VERSION):
        for stmt in MIGRATIONS[v]:
            conn.execute(stmt)
    conn.execute(f"UPDATE {PG_SCHEMA}.store_version SET schema_version = %s, "
                 "written_by = %s, updated = now()", (PG_SCHEMA_VERSION, written_by))
