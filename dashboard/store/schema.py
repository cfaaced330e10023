"""The layout of the scenario store: a GeoPackage 1.3 with tables zones, buffers, scenarios.

* ``zones`` -- features, EPSG:4326, GEOMETRY: one row per zone with
  ``scenario``, ``zone_index``, ``zone_id``, ``name``, ``rule``,
  ``description``, ``params`` (JSON), ``center_lon``, ``center_lat`` (degrees),
  ``radius_km`` (km).
* ``buffers`` -- features, EPSG:4326, POINT (null for a layer buffer):
  ``scenario``, ``buffer_index``, ``radius_km``, ``layer``, ``label``.
* ``scenarios`` -- attributes: ``name`` (unique), ``created``, ``updated``,
  ``n_zones``, ``meta`` (JSON: format, version, incident_id, view, as_of, units).

The store's schema version (:data:`STORE_SCHEMA_VERSION`) is recorded with
the GeoPackage metadata extension (``gpkg_metadata`` + ``gpkg_metadata_reference``,
registered in ``gpkg_extensions``): one row whose ``md_standard_uri`` is
:data:`STORE_METADATA_URI` and whose ``metadata`` is JSON
``{"schema_version": 2, "written_by": "nfz-dashboard 0.9.0"}``, referenced to the
``scenarios`` table.  ``gpkg_contents`` still lists only the three store tables.
Schema 1 is the layout of nfz-dashboard 0.9.0 and earlier: the same three
tables, no metadata row.

:func:`check_schema` tells which schema a file holds (0: none yet; it refuses
files that are not GeoPackages and stores of a newer schema);
:func:`create_schema` adds the tables, with the GeoPackage core tables, or
upgrades an older store, in one transaction.  :func:`version_record`,
:func:`register_metadata_extension` and :func:`insert_version_record` read and write
such a version row for any layer (the incident layer records its own with them).
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from dashboard.geo.errors import InputError
from dashboard.store.gpkg import (
    GPKG_APPLICATION_ID,
    GPKG_APPLICATION_IDS,
    GPKG_USER_VERSION,
    SRS_ID,
    wgs84_wkt,
)
from dashboard.store.model import utc_now_iso

__all__ = ["STORE_SCHEMA_VERSION", "STORE_METADATA_URI", "check_schema", "create_schema",
           "touch",
           # a layer's schema-version row (the incident layer's too)
           "version_record", "register_metadata_extension", "insert_version_record"]

#: Schema version this code writes (1: no version recorded, 0.9.0 and earlier).
STORE_SCHEMA_VERSION: int = 2
#: ``gpkg_metadata.md_standard_uri`` of the row that records the schema version.
STORE_METADATA_URI: str = "urn:nfz-dashboard:scenario-store"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
CREATE TABLE IF NOT EXISTS gpkg_metadata (
  id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
  md_scope TEXT NOT NULL DEFAULT 'dataset',
  md_standard_uri TEXT NOT NULL,
  mime_type TEXT NOT NULL DEFAULT 'text/xml',
  metadata TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
  reference_scope TEXT NOT NULL,
  table_name TEXT,
  column_name TEXT,
  row_id_value INTEGER,
  timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  md_file_id INTEGER NOT NULL,
  md_parent_id INTEGER,
  CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
  CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id)
);
CREATE TABLE IF NOT EXISTS scenarios (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  created DATETIME NOT NULL,
  updated DATETIME NOT NULL,
  n_zones INTEGER NOT NULL,
  meta TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS zones (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom GEOMETRY NOT NULL,
  scenario TEXT NOT NULL,
  zone_index INTEGER NOT NULL,
  zone_id TEXT NOT NULL,
  name TEXT,
  rule TEXT,
  description TEXT,
  params TEXT,
  center_lon DOUBLE,
  center_lat DOUBLE,
  radius_km DOUBLE,
  CONSTRAINT uk_zones_order UNIQUE (scenario, zone_index)
);
CREATE TABLE IF NOT EXISTS buffers (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom POINT,
  scenario TEXT NOT NULL,
  buffer_index INTEGER NOT NULL,
  radius_km DOUBLE NOT NULL,
  layer TEXT,
  label TEXT,
  CONSTRAINT uk_buffers_order UNIQUE (scenario, buffer_index)
);
"""
_TABLES = ("scenarios", "zones", "buffers")
_METADATA_EXTENSION = "http://www.geopackage.org/spec/#extension_metadata"
_REQUIRED_COLUMNS = {
    "scenarios": {"name", "created", "updated", "n_zones", "meta"},
    "zones": {"geom", "scenario", "zone_index", "zone_id", "name", "rule", "description",
              "params", "center_lon", "center_lat", "radius_km"},
    "buffers": {"geom", "scenario", "buffer_index", "radius_km", "layer", "label"},
}


def version_record(conn: sqlite3.Connection, path: Path, *, uri: str, newest: int,
                   store: str, schema: str = "schema") -> int:
    """The schema version recorded by the ``gpkg_metadata`` row whose ``md_standard_uri``
    is ``uri`` (JSON ``{"schema_version": N, ...}``); 1 when there is none (no row, or no
    ``gpkg_metadata`` table: a layout older than its version record).

    ``store`` and ``schema`` name it in messages ("scenario store", "schema").

    Raises
    ------
    InputError
        The row is damaged, or records a version newer than ``newest``.
    """
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                    "name='gpkg_metadata'").fetchone() is None:
        return 1
    row = conn.execute("SELECT metadata FROM gpkg_metadata WHERE md_standard_uri = ? "
                       "ORDER BY id LIMIT 1", (uri,)).fetchone()
    if row is None:
        return 1
    try:
        version = json.loads(row[0])["schema_version"]
    except (ValueError, TypeError, KeyError):
        version = None
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InputError(f"{path} has a damaged {store} version record")
    if version > newest:
        raise InputError(f"{path} was written by a newer nfz-dashboard ({schema} {version}; "
                         f"this one knows {newest}); upgrade nfz-dashboard")
    return version


def recorded_version(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version a store's metadata row records; 1 when there is none (0.9.0).

    Raises
    ------
    InputError
        The row is damaged, or records a schema newer than :data:`STORE_SCHEMA_VERSION`.
    """
    return version_record(conn, path, uri=STORE_METADATA_URI, newest=STORE_SCHEMA_VERSION,
                          store="scenario store")


def check_schema(conn: sqlite3.Connection, path: Path) -> int:
    """The store's schema version in ``conn`` (0: no store tables yet); raise if unusable.

    Parameters
    ----------
    conn : sqlite3.Connection
        An open connection in autocommit mode (``isolation_level=None``).
    path : Path
        The file behind ``conn``, for messages.

    Returns
    -------
    int
        0 when the tables are missing, 1 for a store of nfz-dashboard 0.9.0 or
        earlier (no version recorded), else the recorded version.

    Raises
    ------
    InputError
        An SQLite database that is not a GeoPackage, a GeoPackage whose
        ``scenarios``/``zones``/``buffers`` table lacks a required column, or
        a store written by a newer nfz-dashboard.
    """
    # One read transaction, so the header, the table list and the version come from
    # the same commit: another process may be creating the schema right now.
    conn.execute("BEGIN")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id not in GPKG_APPLICATION_IDS:
            if tables:
                raise InputError(f"{path} is an SQLite database but not a GeoPackage; "
                                 "choose another scenario store")
            return 0
        if not set(_TABLES) <= tables:
            return 0
        for table, required in _REQUIRED_COLUMNS.items():
            cols = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if not required <= cols:
                raise InputError(f"{path} has a {table!r} table that is not a scenario "
                                 f"table (missing {', '.join(sorted(required - cols))})")
        return recorded_version(conn, path)
    finally:
        conn.execute("COMMIT")


def create_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Add the GeoPackage core tables and the scenario tables, or upgrade an older
    store to :data:`STORE_SCHEMA_VERSION`, in one transaction.

    Safe on an existing GeoPackage (``CREATE TABLE IF NOT EXISTS``, ``INSERT
    OR IGNORE``): its own layers stay as they are.  Safe when another process
    does the same at the same time (the write lock is taken first).

    Raises
    ------
    InputError
        The store was written by a newer nfz-dashboard meanwhile.
    """
    wkt = wgs84_wkt()
    now = utc_now_iso()
    conn.execute("BEGIN IMMEDIATE")
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id not in GPKG_APPLICATION_IDS:
        conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    for stmt in _SCHEMA.split(";"):
        if stmt.strip():
            conn.execute(stmt)
    conn.executemany(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [("Undefined cartesian SRS", -1, "NONE", -1, "undefined",
          "undefined cartesian coordinate reference system"),
         ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
          "undefined geographic coordinate reference system"),
         ("WGS 84 geodetic", SRS_ID, "EPSG", SRS_ID, wkt,
          "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid")])
    conn.executemany(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
        "description, last_change, srs_id) VALUES (?, ?, ?, ?, ?, ?)",
        [("zones", "features", "zones", "Zones of saved no-fly-zone scenarios", now, SRS_ID),
         ("buffers", "features", "buffers", "Buffers (radius_km) of saved scenarios", now,
          SRS_ID),
         ("scenarios", "attributes", "scenarios", "Saved scenarios: name, times, metadata "
          "JSON", now, None)])
    conn.executemany(
        "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
        [("zones", "geom", "GEOMETRY", SRS_ID), ("buffers", "geom", "POINT", SRS_ID)])
    _record_version(conn, path, now)
    conn.execute("COMMIT")


def _record_version(conn: sqlite3.Connection, path: Path, now: str) -> None:
    """Inside the write transaction: register the metadata extension and record
    :data:`STORE_SCHEMA_VERSION` (migrating schema 1 needs nothing else)."""
    register_metadata_extension(conn)
    if recorded_version(conn, path) == STORE_SCHEMA_VERSION and conn.execute(
            "SELECT 1 FROM gpkg_metadata WHERE md_standard_uri = ?",
            (STORE_METADATA_URI,)).fetchone():
        return
    conn.execute("DELETE FROM gpkg_metadata_reference WHERE md_file_id IN (SELECT id FROM "
                 "gpkg_metadata WHERE md_standard_uri = ?)", (STORE_METADATA_URI,))
    conn.execute("DELETE FROM gpkg_metadata WHERE md_standard_uri = ?", (STORE_METADATA_URI,))
    insert_version_record(conn, uri=STORE_METADATA_URI, version=STORE_SCHEMA_VERSION,
                          table="scenarios", now=now)


def register_metadata_extension(conn: sqlite3.Connection) -> None:
    """Inside a write transaction: register the GeoPackage metadata extension (its two
    tables) in ``gpkg_extensions`` (idempotent)."""
    conn.executemany(
        "INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_metadata', ?, "
        "'read-write')", [(t, _METADATA_EXTENSION) for t in ("gpkg_metadata",
                                                            "gpkg_metadata_reference")])


def insert_version_record(conn: sqlite3.Connection, *, uri: str, version: int, table: str,
                          now: str) -> None:
    """Inside a write transaction: a ``gpkg_metadata`` row ``uri`` recording schema
    ``version`` and this nfz-dashboard, referenced to ``table`` at ``now`` (UTC ISO)."""
    record = json.dumps({"schema_version": version,
                         "written_by": f"nfz-dashboard {app_version()}"})
    cur = conn.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, "
                       "metadata) VALUES ('dataset', ?, 'application/json', ?)",
                       (uri, record))
    conn.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, "
                 "timestamp, md_file_id) VALUES ('table', ?, ?, ?)", (table, now, cur.lastrowid))


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nfz-dashboard")
    except PackageNotFoundError:
        return "unknown"


def touch(conn: sqlite3.Connection, now: str) -> None:
    """Set ``gpkg_contents.last_change`` of the three tables to ``now`` (UTC ISO)."""
    conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN "
                 "('zones', 'buffers', 'scenarios')", (now,))
