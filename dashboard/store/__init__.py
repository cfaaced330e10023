"""Scenarios: named sets of hypothetical no-fly zones that can be kept and shared.

A :class:`Scenario` is a named set of zones (polygons in WGS84 lon/lat), buffers
(geodesic rings of ``radius_km`` around a point or a layer), the selected
incident, the map view, the date the NATO border is drawn for and the display
unit.  This package moves scenarios in and out of three forms, with no Streamlit
in it:

* **GeoJSON** -- :func:`to_geojson` / :func:`from_geojson`: one RFC 7946
  FeatureCollection.  Zones are Polygon/MultiPolygon features with
  ``properties.kind = "zone"``; buffers are Point features (``null`` geometry
  for a buffer around a layer) with ``kind = "buffer"`` and ``radius_km``.  The
  scenario's own fields travel in a top-level foreign member ``"scenario"``
  (RFC 7946 section 6.1), so a GIS opens the file as an ordinary layer of zones
  and buffers.  Coordinates are written at full float precision (exact round
  trip).
* **URL parameter** -- :func:`to_url_param` / :func:`from_url_param`: compact
  JSON with coordinates as difference-encoded integers of 1e-5 degree (1.1 m),
  zlib-compressed, URL-safe base64 without padding.  Scenarios whose parameter
  would exceed :data:`MAX_URL_PARAM_CHARS` are refused with an
  :class:`~dashboard.geo.errors.InputError`.
* **A store** -- :func:`open_store` returns a :class:`Store` chosen by
  ``DASHBOARD_STORE_URL``: the GeoPackage file below (the default), or
  PostgreSQL/PostGIS (``postgresql://...``,
  :class:`~dashboard.store.pg_store.PostgresStore`) that a team's app
  processes share.  A server that cannot be reached raises
  :class:`StoreUnavailable`.  Both record their schema version; an older store
  is upgraded on its first write, a newer one refused.
* **GeoPackage** -- :class:`ScenarioStore`: a real OGC GeoPackage (SQLite)
  with feature tables ``zones`` and ``buffers`` (EPSG:4326, GeoPackage binary
  geometries) and an attributes table ``scenarios`` holding each scenario's
  metadata as JSON.  Every write is one ``BEGIN IMMEDIATE`` transaction, so a
  process killed mid-save leaves the previous state, and concurrent writers
  wait for each other (``busy_timeout``) instead of failing.

Everything that enters from outside (a file, a URL, the store) is validated;
bad input raises :class:`~dashboard.geo.errors.InputError` with a one-line
message (the store's :class:`ScenarioExists`, :class:`ScenarioNotFound` and
:class:`StoreBusy`, :class:`StoreUnavailable` are InputErrors too).

Modules: :mod:`~dashboard.store.model` (the dataclasses, caps, errors),
:mod:`~dashboard.store.validate`, :mod:`~dashboard.store.meta` (the
metadata every form shares), :mod:`~dashboard.store.geojson`,
:mod:`~dashboard.store.urlcodec`, :mod:`~dashboard.store.gpkg`
(GeoPackage geometry blobs), :mod:`~dashboard.store.schema` (the store's
tables), :mod:`~dashboard.store.gpkg_store`, :mod:`~dashboard.store.backends`
(the interface and :func:`open_store`), :mod:`~dashboard.store.pg_schema` and
:mod:`~dashboard.store.pg_store` (PostgreSQL, imported only when used).  Settings are read where they
are defined; a store's busy timeout is its ``busy_timeout_s`` argument (default
:data:`~dashboard.data.limits.BUSY_TIMEOUT_S`).
"""
from __future__ import annotations

from dashboard.store.backends import STORE_URL_ENV, Store, mask_url, open_store
from dashboard.store.geojson import from_geojson, to_geojson
from dashboard.store.gpkg import (
    GPKG_APPLICATION_ID,
    GPKG_USER_VERSION,
    SRS_ID,
    geometry_from_gpkg_blob,
    gpkg_geometry_blob,
)
from dashboard.store.gpkg_store import (
    APP_DIR_NAME,
    STORE_FILENAME,
    ScenarioStore,
    default_store_path,
)
from dashboard.store.model import (
    FORMAT,
    FORMAT_VERSION,
    MAX_BUFFERS,
    MAX_GEOJSON_BYTES,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    MAX_VERTICES,
    MAX_ZONES,
    UNITS,
    Buffer,
    Scenario,
    ScenarioExists,
    ScenarioNotFound,
    ScenarioSummary,
    ScenarioView,
    StoreBusy,
    StoreUnavailable,
    Zone,
    utc_now_iso,
)
from dashboard.store.urlcodec import (
    MAX_URL_PARAM_CHARS,
    URL_PRECISION_DEG,
    from_url_param,
    to_url_param,
)
from dashboard.store.validate import validate_scenario

__all__ = [
    "ScenarioExists", "ScenarioNotFound", "StoreBusy", "StoreUnavailable",
    "Store", "open_store", "mask_url", "STORE_URL_ENV",
    "FORMAT", "FORMAT_VERSION", "MAX_URL_PARAM_CHARS", "URL_PRECISION_DEG", "UNITS",
    "Zone", "Buffer", "ScenarioView", "Scenario", "ScenarioSummary", "ScenarioStore",
    "utc_now_iso", "validate_scenario", "to_geojson", "from_geojson",
    "to_url_param", "from_url_param", "default_store_path",
    # Public constants and the blob codec, importable as before (not in the old __all__).
    "MAX_ZONES", "MAX_BUFFERS", "MAX_VERTICES", "MAX_GEOJSON_BYTES", "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS", "STORE_FILENAME", "APP_DIR_NAME", "GPKG_APPLICATION_ID",
    "GPKG_USER_VERSION", "SRS_ID", "gpkg_geometry_blob", "geometry_from_gpkg_blob",
]
