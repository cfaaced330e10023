"""Saved scenarios in one GeoPackage (SQLite) file: save, list, load, rename, delete.

Every write is one ``BEGIN IMMEDIATE`` transaction, so a process killed
mid-save leaves the previous state, and concurrent writers wait for each other
(``busy_timeout`` of :data:`BUSY_TIMEOUT_S` seconds) instead of failing.  The
table layout is :mod:`dashboard.store.schema`; its version is recorded in
the file (``gpkg_metadata``).  A store of an older version (0.9.0's, schema 1)
is read as it is and upgraded, in the same transaction as the first write; one
of a newer version is refused with a message to upgrade.  This is the embedded
default store; :mod:`dashboard.store.backends` chooses between it and the
shared PostgreSQL one.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from dashboard.data.limits import BUSY_TIMEOUT_S
from dashboard.geo.errors import InputError
from dashboard.store.gpkg import geometry_from_gpkg_blob, gpkg_geometry_blob
from dashboard.store.meta import meta_fields, meta_to_dict
from dashboard.store.model import (
    Buffer,
    Scenario,
    ScenarioExists,
    ScenarioNotFound,
    ScenarioSummary,
    Zone,
    utc_now_iso,
)
from dashboard.store.schema import (
    STORE_SCHEMA_VERSION,
    check_schema,
    create_schema,
    touch,
)
from dashboard.store.sqlite_file import FileWords, StoreFile, connect_file
from dashboard.store.validate import check_name, validate_scenario

__all__ = ["BUSY_TIMEOUT_S", "STORE_FILENAME", "APP_DIR_NAME", "ScenarioStore",
           "default_store_path"]

#: File name of the default store inside the data directory.
STORE_FILENAME: str = "scenarios.gpkg"
APP_DIR_NAME: str = "nfz-dashboard"

#: Geometry bytes and a "where" for messages -> shapely geometry.
GeometryDecoder = Callable[[bytes, str], BaseGeometry]

_INSERT_ZONES = ("INSERT INTO zones (geom, scenario, zone_index, zone_id, name, rule, "
                 "description, params, center_lon, center_lat, radius_km) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_BUFFERS = ("INSERT INTO buffers (geom, scenario, buffer_index, radius_km, layer, "
                   "label) VALUES (?, ?, ?, ?, ?, ?)")
_SELECT_ZONES = ("SELECT geom, zone_id, name, rule, description, params, center_lon, "
                 "center_lat, radius_km FROM zones WHERE scenario = ? ORDER BY zone_index")
_SELECT_BUFFERS = ("SELECT geom, radius_km, layer, label FROM buffers WHERE scenario = ? "
                   "ORDER BY buffer_index")
#: How the scenario store's messages name its file (the long form, with how to recover).
_WORDS = FileWords(noun="scenario store", folder="scenario folder", writer="another save",
                   busy_undone="", instead="another scenario store", recovery=True)


def default_store_path() -> Path:
    """Where scenarios are kept unless told otherwise.

    ``$DASHBOARD_DATA_DIR/scenarios.gpkg`` if that variable is set, else
    ``$XDG_DATA_HOME/nfz-dashboard/scenarios.gpkg`` (absolute ``XDG_DATA_HOME``
    only), else ``~/.local/share/nfz-dashboard/scenarios.gpkg``.
    """
    data_dir = os.environ.get("DASHBOARD_DATA_DIR")
    if data_dir:
        return Path(data_dir).expanduser() / STORE_FILENAME
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / APP_DIR_NAME / STORE_FILENAME


# ------------------------------------------------------ rows <-> scenario parts
def _opt_float(v: float | None) -> float | None:
    return None if v is None else float(v)


def _zone_rows(s: Scenario) -> list[tuple[Any, ...]]:
    """One ``zones`` row per zone, in :data:`_INSERT_ZONES` column order."""
    return [(gpkg_geometry_blob(z.geometry), s.name, i, z.id, z.name, z.rule, z.description,
             json.dumps(z.params, allow_nan=False), _opt_float(z.center_lon),
             _opt_float(z.center_lat), _opt_float(z.radius_km))
            for i, z in enumerate(s.zones)]


def _buffer_rows(s: Scenario) -> list[tuple[Any, ...]]:
    """One ``buffers`` row per buffer (null geometry around a layer)."""
    return [(None if b.layer is not None else gpkg_geometry_blob(Point(b.lon, b.lat)), s.name,
             i, float(b.radius_km), b.layer, b.label)
            for i, b in enumerate(s.buffers)]


def zones_from_rows(rows: Sequence[tuple[Any, ...]], where: str,
                     decode: GeometryDecoder = geometry_from_gpkg_blob) -> list[Zone]:
    """Rows of :data:`_SELECT_ZONES` as zones (``decode``: geometry bytes -> shapely;
    ``params`` may be JSON text or the decoded object)."""
    zones = []
    for geom, zid, zname, rule, desc, params, clon, clat, radius in rows:
        try:
            params_obj = (json.loads(params) if isinstance(params, (str, bytes)) else params
                          ) or {}
        except ValueError:
            raise InputError(f"{where}: zone {zid!r} has damaged params") from None
        zones.append(Zone(id=zid, name=zname or "", rule="drawn" if rule is None else rule,
                          description=desc or "", params=params_obj,
                          geometry=decode(geom, f"{where} zone {zid!r}"),
                          center_lon=clon, center_lat=clat, radius_km=radius))
    return zones


def buffers_from_rows(rows: Sequence[tuple[Any, ...]], where: str,
                       decode: GeometryDecoder = geometry_from_gpkg_blob) -> list[Buffer]:
    """Rows of :data:`_SELECT_BUFFERS` as buffers (a null point is a layer buffer)."""
    buffers = []
    for geom, radius, layer, label in rows:
        pt = None if geom is None else decode(geom, f"{where} buffer")
        buffers.append(Buffer(None if pt is None else pt.x, None if pt is None else pt.y,
                              radius, layer=layer if pt is None else None,
                              label=label or ""))
    return buffers


def fields_from_row(created: str, updated: str, meta_json: str | dict[str, Any], where: str
                     ) -> dict[str, Any]:
    """The ``scenarios`` row's times and ``meta`` JSON (text or decoded) as
    :class:`Scenario` keywords."""
    try:
        meta = json.loads(meta_json) if isinstance(meta_json, str) else dict(meta_json)
    except (ValueError, TypeError):
        raise InputError(f"{where} has damaged metadata") from None
    if not isinstance(meta, dict):
        raise InputError(f"{where} has damaged metadata")
    meta.update(created=created, updated=updated)
    return meta_fields(meta, where)


def _replace_rows(conn: sqlite3.Connection, name: str, *, created: str, updated: str,
                  meta_json: str, zone_rows: list[tuple[Any, ...]],
                  buffer_rows: list[tuple[Any, ...]], overwrite: bool) -> None:
    """Inside a write transaction: replace scenario ``name``'s row, zones and buffers.

    ``created``/``updated`` are UTC ISO times; ``meta_json`` the ``meta`` column.

    Raises
    ------
    ScenarioExists
        ``name`` is saved already and ``overwrite`` is False.
    """
    row = conn.execute("SELECT id FROM scenarios WHERE name = ?", (name,)).fetchone()
    if row is not None and not overwrite:
        raise ScenarioExists(f"a scenario named {name!r} already exists")
    conn.execute("DELETE FROM zones WHERE scenario = ?", (name,))
    conn.execute("DELETE FROM buffers WHERE scenario = ?", (name,))
    if row is None:
        conn.execute("INSERT INTO scenarios (name, created, updated, n_zones, meta) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (name, created, updated, len(zone_rows), meta_json))
    else:
        conn.execute("UPDATE scenarios SET created = ?, updated = ?, n_zones = ?, "
                     "meta = ? WHERE id = ?",
                     (created, updated, len(zone_rows), meta_json, row[0]))
    conn.executemany(_INSERT_ZONES, zone_rows)
    conn.executemany(_INSERT_BUFFERS, buffer_rows)


class ScenarioStore:
    """Saved scenarios in one GeoPackage file.

    Parameters
    ----------
    path : Path | str | None
        The ``.gpkg`` file; ``None`` means :func:`default_store_path`.  The file
        and its folder are created on the first save; an existing GeoPackage
        gets the three tables added.
    busy_timeout_s : float
        Seconds a write waits for another writer before :class:`StoreBusy`
        (default :data:`BUSY_TIMEOUT_S`).

    Notes
    -----
    Layout (a valid GeoPackage 1.3: ``application_id`` "GPKG", ``user_version``
    10300, ``gpkg_spatial_ref_sys``/``gpkg_contents``/``gpkg_geometry_columns``):
    feature tables ``zones`` and ``buffers`` and an attributes table
    ``scenarios``, described in :mod:`dashboard.store.schema`.

    Every operation opens its own SQLite connection (safe across threads and
    processes).  Writes run in one ``BEGIN IMMEDIATE`` transaction with a
    :data:`BUSY_TIMEOUT_S` busy timeout, in SQLite's default rollback-journal
    mode, so the file stays a single portable ``.gpkg``: a killed writer leaves
    a hot journal that the next opener rolls back, and concurrent writers queue.
    No spatial index (the R-tree triggers need SpatiaLite/GDAL functions).
    """

    def __init__(self, path: Path | str | None = None, *,
                 busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path: Path = Path(path).expanduser() if path is not None else default_store_path()
        self.busy_timeout_s: float = busy_timeout_s

    def __repr__(self) -> str:
        return f"ScenarioStore({str(self.path)!r})"

    #: What kind of store this is, for captions.
    kind: str = "GeoPackage"

    @property
    def where(self) -> str:
        """The store's file, for messages."""
        return str(self.path)

    # -- connection ------------------------------------------------------------
    @property
    def _file(self) -> StoreFile:
        return StoreFile(self.path, _WORDS, self.busy_timeout_s)

    def _connect(self) -> sqlite3.Connection:
        return connect_file(self.path, self.busy_timeout_s)

    def _open(self, *, write: bool) -> AbstractContextManager[sqlite3.Connection | None]:
        """A connection with the schema checked (added or upgraded on a write); ``None``
        for a read of a missing store or of a file without the scenario tables."""
        def ready(conn: sqlite3.Connection) -> bool:
            version = check_schema(conn, self.path)
            if write and version < STORE_SCHEMA_VERSION:  # new, or older: add or upgrade
                create_schema(conn, self.path)
                version = STORE_SCHEMA_VERSION
            return bool(version)

        return self._file.opened(write=write, init=lambda conn: create_schema(conn, self.path),
                                 ready=ready, connect=self._connect)

    # Updates gpkg_contents.last_change; the last statement of every write
    # (tests replace it to fail a save after all its rows are written).
    _touch = staticmethod(touch)

    # -- public API --------------------------------------------------------------
    def save(self, scenario: Scenario, *, overwrite: bool = True) -> Scenario:
        """Store ``scenario`` under its name, replacing any scenario of that name.

        Atomic: the old version stays until the new one is completely written.

        Parameters
        ----------
        scenario : Scenario
        overwrite : bool
            When False, refuse to replace an existing scenario of the same name.

        Returns
        -------
        Scenario
            A copy with ``updated`` set to the commit time (UTC ISO).

        Raises
        ------
        InputError
            Invalid scenario; name taken and ``overwrite`` is False
            (:class:`ScenarioExists`); the file is not a GeoPackage, not
            writable, or locked for longer than the busy timeout (``busy_timeout_s``,
            by default :data:`BUSY_TIMEOUT_S` seconds; :class:`StoreBusy`).
        """
        validate_scenario(scenario)
        # Encode before taking the write lock, so the lock is held only for I/O.
        zone_rows, buffer_rows = _zone_rows(scenario), _buffer_rows(scenario)
        meta = meta_to_dict(scenario)
        created = meta["created"]
        meta_json = json.dumps({k: v for k, v in meta.items()
                                if k not in ("name", "created", "updated")})
        with self._open(write=True) as conn:
            assert conn is not None
            conn.execute("BEGIN IMMEDIATE")
            now = utc_now_iso()
            _replace_rows(conn, scenario.name, created=created, updated=now,
                          meta_json=meta_json, zone_rows=zone_rows, buffer_rows=buffer_rows,
                          overwrite=overwrite)
            self._touch(conn, now)
            conn.execute("COMMIT")
        return replace(scenario, zones=list(scenario.zones), buffers=list(scenario.buffers),
                       created=created, updated=now)

    def list(self) -> list[ScenarioSummary]:
        """All saved scenarios as ``(name, updated, n_zones)``, most recently updated first.

        A store file that does not exist yet is empty.
        """
        with self._open(write=False) as conn:
            if conn is None:
                return []
            rows = conn.execute("SELECT name, updated, n_zones FROM scenarios "
                                "ORDER BY updated DESC, name").fetchall()
        return [ScenarioSummary(str(n), str(u), int(k)) for n, u, k in rows]

    def exists(self, name: str) -> bool:
        """True if a scenario called ``name`` is saved."""
        with self._open(write=False) as conn:
            if conn is None:
                return False
            return conn.execute("SELECT 1 FROM scenarios WHERE name = ?",
                                (name,)).fetchone() is not None

    def load(self, name: str) -> Scenario:
        """The saved scenario called ``name``, exactly as saved (full precision).

        Raises
        ------
        InputError
            No scenario of that name (:class:`ScenarioNotFound`), or its stored
            content is damaged/invalid.
        """
        with self._open(write=False) as conn:
            if conn is None:
                raise ScenarioNotFound(f"no saved scenario named {name!r}")
            conn.execute("BEGIN")  # one consistent snapshot for the three reads
            row = conn.execute("SELECT created, updated, meta FROM scenarios WHERE name = ?",
                               (name,)).fetchone()
            if row is None:
                raise ScenarioNotFound(f"no saved scenario named {name!r}")
            zone_rows = conn.execute(_SELECT_ZONES, (name,)).fetchall()
            buffer_rows = conn.execute(_SELECT_BUFFERS, (name,)).fetchall()
            conn.execute("COMMIT")
        where = f"saved scenario {name!r}"
        fields = fields_from_row(*row, where)
        scenario = Scenario(name=name, zones=zones_from_rows(zone_rows, where),
                            buffers=buffers_from_rows(buffer_rows, where), **fields)
        validate_scenario(scenario)
        return scenario

    def rename(self, old: str, new: str) -> None:
        """Rename scenario ``old`` to ``new`` (sets ``updated``); same name is a no-op.

        Raises
        ------
        InputError
            ``old`` is not saved (:class:`ScenarioNotFound`), ``new`` is not a
            valid name, or ``new`` is already taken by another scenario
            (:class:`ScenarioExists`).
        """
        check_name(new, "new scenario name")
        if not self.path.exists():
            raise ScenarioNotFound(f"no saved scenario named {old!r}")
        with self._open(write=True) as conn:
            assert conn is not None
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT 1 FROM scenarios WHERE name = ?", (old,)).fetchone() is None:
                raise ScenarioNotFound(f"no saved scenario named {old!r}")
            if new == old:
                conn.execute("ROLLBACK")
                return
            if conn.execute("SELECT 1 FROM scenarios WHERE name = ?", (new,)).fetchone():
                raise ScenarioExists(f"a scenario named {new!r} already exists; "
                                     "delete or rename it first")
            now = utc_now_iso()
            conn.execute("UPDATE scenarios SET name = ?, updated = ? WHERE name = ?",
                         (new, now, old))
            conn.execute("UPDATE zones SET scenario = ? WHERE scenario = ?", (new, old))
            conn.execute("UPDATE buffers SET scenario = ? WHERE scenario = ?", (new, old))
            self._touch(conn, now)
            conn.execute("COMMIT")

    def delete(self, name: str) -> None:
        """Delete the scenario called ``name`` with its zones and buffers.

        Raises
        ------
        InputError
            No scenario of that name (:class:`ScenarioNotFound`).
        """
        if not self.path.exists():
            raise ScenarioNotFound(f"no saved scenario named {name!r}")
        with self._open(write=True) as conn:
            assert conn is not None
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.execute("DELETE FROM scenarios WHERE name = ?", (name,))
            if cur.rowcount == 0:
                raise ScenarioNotFound(f"no saved scenario named {name!r}")
            conn.execute("DELETE FROM zones WHERE scenario = ?", (name,))
            conn.execute("DELETE FROM buffers WHERE scenario = ?", (name,))
            self._touch(conn, utc_now_iso())
            conn.execute("COMMIT")
