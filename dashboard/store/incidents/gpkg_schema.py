"""The incident layer of the GeoPackage store: feature table ``incident_versions``.

One row per version, never updated or deleted: ``fid``, ``geom`` (GEOMETRY,
EPSG:4326, GeoPackage binary; null for an incident without a position),
``incident_id``, ``version`` (1, 2 ...; version 0 is the shipped record, never
stored), ``at`` (UTC ISO 8601 with milliseconds), ``who``, ``action``,
``reason``, ``retired`` (BOOLEAN), ``date`` and ``place`` (the record's, for a
GIS's labels and filters), ``record`` (the incident as JSON) and ``changes``
(the field diff as JSON), with ``UNIQUE (incident_id, version)``.  The table is
registered in ``gpkg_contents`` and ``gpkg_geometry_columns``, so a GIS opening
the file shows the layer (every version's geometry).

Its schema version is recorded like the scenario store's
(:mod:`dashboard.store.schema`): a ``gpkg_metadata`` row whose
``md_standard_uri`` is :data:`INCIDENT_METADATA_URI`, referenced to the table.
It lives in the scenario store's file and leaves the scenario tables alone.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from dashboard.geo.errors import InputError
from dashboard.store.gpkg import GPKG_APPLICATION_IDS, SRS_ID
from dashboard.store.schema import (
    insert_version_record,
    register_metadata_extension,
    version_record,
)

__all__ = ["INCIDENT_SCHEMA_VERSION", "INCIDENT_METADATA_URI", "TABLE", "incident_schema",
           "create_incident_table"]

#: Schema version of the incident layer this code writes.
INCIDENT_SCHEMA_VERSION: int = 1
#: ``gpkg_metadata.md_standard_uri`` of the row that records it.
INCIDENT_METADATA_URI: str = "urn:nfz-dashboard:incident-store"
#: The feature table.
TABLE: str = "incident_versions"

_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom GEOMETRY,
  incident_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  at DATETIME NOT NULL,
  who TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  retired BOOLEAN NOT NULL,
  date DATE,
  place TEXT,
  record TEXT NOT NULL,
  changes TEXT NOT NULL,
  CONSTRAINT uk_incident_versions UNIQUE (incident_id, version))"""
_REQUIRED = {"geom", "incident_id", "version", "at", "who", "action", "reason", "retired",
             "record", "changes"}


def incident_schema(conn: sqlite3.Connection, path: Path) -> int:
    """Inside a transaction: the incident layer's schema version (0: no layer yet).

    Raises
    ------
    InputError
        Not a GeoPackage; an ``incident_versions`` table that is not this layer; a
        layer written by a newer nfz-dashboard.
    """
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if app_id not in GPKG_APPLICATION_IDS:
        if tables:
            raise InputError(f"{path} is an SQLite database but not a GeoPackage; "
                             "choose another store")
        return 0
    if TABLE not in tables:
        return 0
    cols = {r[1] for r in conn.execute(f"PRAGMA table_info({TABLE})")}
    if not cols >= _REQUIRED:
        raise InputError(f"{path} has an {TABLE!r} table that is not the incident store's "
                         f"(missing {', '.join(sorted(_REQUIRED - cols))})")
    return version_record(conn, path, uri=INCIDENT_METADATA_URI,
                          newest=INCIDENT_SCHEMA_VERSION, store="incident store",
                          schema="incident schema")


def create_incident_table(conn: sqlite3.Connection, now: str) -> None:
    """Inside the write transaction, on a GeoPackage with its core tables: the layer, its
    registration and its version record (idempotent)."""
    conn.execute(_DDL)
    conn.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_at ON {TABLE} (at)")
    conn.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                 "description, last_change, srs_id) VALUES (?, 'features', ?, ?, ?, ?)",
                 (TABLE, TABLE, "Incidents: every version (who, when, why, field diff); "
                  "the newest version of each incident_id is current", now, SRS_ID))
    conn.execute("INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, 'geom', 'GEOMETRY', "
                 "?, 0, 0)", (TABLE, SRS_ID))
    register_metadata_extension(conn)
    if conn.execute("SELECT 1 FROM gpkg_metadata WHERE md_standard_uri = ?",
                    (INCIDENT_METADATA_URI,)).fetchone():
        return
    insert_version_record(conn, uri=INCIDENT_METADATA_URI, version=INCIDENT_SCHEMA_VERSION,
                          table=TABLE, now=now)
