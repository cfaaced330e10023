"""The layout of the scenario store: a GeoPackage 1.3 with tables zones, buffers, scenarios.

* ``zones`` -- features, EPSG:4326, GEOMETRY: one row per zone with
  ``scenario``, ``zone_index``, ``zone_id``, ``name``, ``rule``,
  ``description``, ``params`` (JSON), ``center_lon``, ``center_lat`` (degrees),
  ``radius_km`` (km).
* ``buffers`` -- features, EPSG:4326, POINT (null for a layer buffer):
  ``scenario``, ``buffer_index``, ``radius_km``, ``layer``, ``label``.
* ``scenarios`` -- attributes: ``name`` (unique), ``created``, ``updated``,
  ``n_zones``, ``meta`` (JSON: format, version, incident_id, view, as_of, units).

:func:`check_schema` tells whether a file already holds these tables (and
refuses files that are not GeoPackages); :func:`create_schema` adds them, with
the GeoPackage core tables, in one transaction.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from dashboard.geo.errors import InputError
from dashboard.scenarios.gpkg import (
    GPKG_APPLICATION_ID,
    GPKG_APPLICATION_IDS,
    GPKG_USER_VERSION,
    SRS_ID,
    wgs84_wkt,
)
from dashboard.scenarios.model import utc_now_iso

__all__ = ["check_schema", "create_schema", "touch"]

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
_REQUIRED_COLUMNS = {
    "scenarios": {"name", "created", "updated", "n_zones", "meta"},
    "zones": {"geom", "scenario", "zone_index", "zone_id", "name", "rule", "description",
              "params", "center_lon", "center_lat", "radius_km"},
    "buffers": {"geom", "scenario", "buffer_index", "radius_km", "layer", "label"},
}


def check_schema(conn: sqlite3.Connection, path: Path) -> bool:
    """True when the store tables exist in ``conn``; raise if the file is not usable.

    Parameters
    ----------
    conn : sqlite3.Connection
        An open connection in autocommit mode (``isolation_level=None``).
    path : Path
        The file behind ``conn``, for messages.

    Raises
    ------
    InputError
        An SQLite database that is not a GeoPackage, or a GeoPackage whose
        ``scenarios``/``zones``/``buffers`` table lacks a required column.
    """
    # One read transaction, so the header and the table list come from the same
    # commit: another process may be creating the schema right now.
    conn.execute("BEGIN")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.execute("COMMIT")
    if app_id not in GPKG_APPLICATION_IDS:
        if tables:
            raise InputError(f"{path} is an SQLite database but not a GeoPackage; "
                             "choose another scenario store")
        return False
    if not set(_TABLES) <= tables:
        return False
    for table, required in _REQUIRED_COLUMNS.items():
        cols = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if not required <= cols:
            raise InputError(f"{path} has a {table!r} table that is not a scenario "
                             f"table (missing {', '.join(sorted(required - cols))})")
    return True


def create_schema(conn: sqlite3.Connection) -> None:
    """Add the GeoPackage core tables and the three scenario tables, in one transaction.

    Safe on an existing GeoPackage (``CREATE TABLE IF NOT EXISTS``, ``INSERT
    OR IGNORE``): its own layers stay as they are.
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
    conn.execute("COMMIT")


def touch(conn: sqlite3.Connection, now: str) -> None:
    """Set ``gpkg_contents.last_change`` of the three tables to ``now`` (UTC ISO)."""
    conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN "
                 "('zones', 'buffers', 'scenarios')", (now,))
