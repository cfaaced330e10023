"""Scenarios as GeoJSON: one RFC 7946 FeatureCollection a GIS opens as a plain layer.

Zones are Polygon/MultiPolygon features with ``properties.kind = "zone"``;
buffers are Point features (``null`` geometry for a buffer around a layer) with
``kind = "buffer"`` and ``radius_km`` (km).  The scenario's own fields travel
in a top-level foreign member ``"scenario"`` (RFC 7946 section 6.1).
Coordinates are WGS84 lon/lat degrees at full float precision (exact round trip).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from dashboard.data.coverage import zone_outside
from dashboard.geo.errors import InputError
from dashboard.geo.validate import repair_polygon
from dashboard.io.filecheck import check_edges, load_json, shown, swapped_hint
from dashboard.io.wording import crs_note
from dashboard.store.meta import meta_fields, meta_to_dict
from dashboard.store.model import (
    MAX_BUFFERS,
    MAX_GEOJSON_BYTES,
    MAX_ZONES,
    Buffer,
    Scenario,
    Zone,
)
from dashboard.store.validate import (
    check_json_dict,
    check_name,
    check_number,
    check_position,
    validate_scenario,
    value_kind,
)

__all__ = ["to_geojson", "from_geojson"]


# ------------------------------------------------------------------- writing
def _ring_coords(ring: Any) -> list[list[float]]:
    return np.asarray(ring.coords, dtype=float)[:, :2].tolist()


def _polygon_coords(p: Polygon) -> list[list[list[float]]]:
    return [_ring_coords(p.exterior)] + [_ring_coords(r) for r in p.interiors]


def _geometry_to_geojson(geom: BaseGeometry | None) -> dict[str, Any] | None:
    if geom is None:
        return None
    if isinstance(geom, Point):
        return {"type": "Point", "coordinates": [float(geom.x), float(geom.y)]}
    if isinstance(geom, Polygon):
        return {"type": "Polygon", "coordinates": _polygon_coords(geom)}
    if isinstance(geom, MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [_polygon_coords(p) for p in geom.geoms]}
    raise InputError(f"cannot write a {geom.geom_type} into a scenario")


def _zone_feature(z: Zone) -> dict[str, Any]:
    props: dict[str, Any] = {"kind": "zone", "id": z.id, "name": z.name, "rule": z.rule,
                             "description": z.description, "params": z.params}
    if z.is_circle:
        props.update(center_lon=float(z.center_lon), center_lat=float(z.center_lat),
                     radius_km=float(z.radius_km))
    return {"type": "Feature", "id": z.id, "geometry": _geometry_to_geojson(z.geometry),
            "properties": props}


def _buffer_feature(b: Buffer) -> dict[str, Any]:
    geom = None if b.layer is not None else Point(float(b.lon), float(b.lat))
    return {"type": "Feature", "geometry": _geometry_to_geojson(geom),
            "properties": {"kind": "buffer", "radius_km": float(b.radius_km),
                           "layer": b.layer, "label": b.label}}


def to_geojson(scenario: Scenario) -> dict[str, Any]:
    """Export ``scenario`` as one GeoJSON FeatureCollection (a JSON-ready dict).

    Zones become Polygon/MultiPolygon features (``id`` = zone id) with
    properties ``kind="zone"``, ``id``, ``name``, ``rule``, ``description``,
    ``params`` and, for circles, ``center_lon``/``center_lat`` (degrees) and
    ``radius_km``.  Buffers become Point features (``null`` geometry when
    around a layer) with ``kind="buffer"``, ``radius_km``, ``layer``, ``label``.
    The scenario's metadata is the top-level member ``"scenario"``:
    ``{"format", "version", "name", "incident_id", "view": {lon, lat, zoom},
    "as_of", "units", "created", "updated"}``.  Coordinates keep full precision.

    Raises
    ------
    InputError
        If the scenario does not pass :func:`validate_scenario`.
    """
    validate_scenario(scenario)
    features = [_zone_feature(z) for z in scenario.zones] + \
        [_buffer_feature(b) for b in scenario.buffers]
    return {"type": "FeatureCollection", "scenario": meta_to_dict(scenario),
            "features": features}


# ------------------------------------------------------------------- reading
@dataclass
class _Reading:
    """What one read noticed: heights dropped; notes for the caller (None: nobody to tell,
    so invalid polygons are refused instead of repaired)."""

    notes: list[str] | None = None
    has_z: bool = False
    repaired: list[str] = field(default_factory=list)


def _positions(raw: Any, where: str, rd: _Reading, *, min_len: int) -> np.ndarray:
    """A GeoJSON position list as an (n, 2) float array; Z is dropped (and noted in ``rd``)."""
    try:
        arr = np.asarray(raw)
    except ValueError:
        arr = None
    if arr is None or arr.dtype.kind not in "iuf" or arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise InputError(f"{where}: coordinates must be a list of [lon, lat] number pairs")
    rd.has_z = rd.has_z or arr.shape[1] == 3
    arr = arr[:, :2].astype(float)
    if len(arr) < min_len:
        raise InputError(f"{where}: a ring needs at least {min_len} positions, got {len(arr)}")
    return arr


def _parse_polygon(raw: Any, where: str, rd: _Reading) -> Polygon:
    if not isinstance(raw, (list, tuple)) or not raw:
        raise InputError(f"{where}: Polygon coordinates must be a non-empty list of rings")
    rings = []
    for k, ring in enumerate(raw):
        arr = _positions(ring, f"{where} ring {k + 1}", rd, min_len=3)
        if not np.array_equal(arr[0], arr[-1]):
            arr = np.vstack([arr, arr[:1]])  # RFC 7946 wants closed rings; be lenient
        if len(arr) < 4:
            raise InputError(f"{where} ring {k + 1}: a ring needs at least 3 distinct corners")
        check_edges(arr, f"{where} ring {k + 1}")
        rings.append(arr)
    poly = Polygon(rings[0], rings[1:])
    if rd.notes is not None and _on_globe(rings) and not poly.is_valid:
        poly, said = repair_polygon(poly, where)
        rd.repaired.extend(said)
    return poly


def _on_globe(rings: list[np.ndarray]) -> bool:
    """Every (lon, lat) finite and within ±180/±90: only such polygons are repaired (the
    others are refused by :func:`validate_scenario` with the reason)."""
    xy = np.vstack(rings)
    return bool(np.isfinite(xy).all() and (np.abs(xy[:, 0]) <= 180).all()
                and (np.abs(xy[:, 1]) <= 90).all())


def _parse_geojson_geometry(raw: Any, where: str, rd: _Reading) -> BaseGeometry | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or "type" not in raw:
        raise InputError(f"{where}: geometry must be a GeoJSON geometry object or null")
    gtype = raw["type"]
    coords = raw.get("coordinates")
    if gtype == "Polygon":
        geom: BaseGeometry = _parse_polygon(coords, where, rd)
    elif gtype == "MultiPolygon":
        if not isinstance(coords, (list, tuple)) or not coords:
            raise InputError(f"{where}: MultiPolygon coordinates must be a non-empty list")
        geom = _multipolygon([_parse_polygon(p, f"{where} part {k + 1}", rd)
                              for k, p in enumerate(coords)], where, rd)
    elif gtype == "Point":
        arr = _positions([coords] if isinstance(coords, (list, tuple)) else None, where, rd,
                         min_len=1)
        lon, lat = check_position(arr[0, 0], arr[0, 1], where)
        geom = Point(lon, lat)
    else:
        raise InputError(f"{where}: {str(gtype)[:40]!r} geometries are not supported; a "
                         "scenario holds zones (Polygon, MultiPolygon) and buffers (Point)")
    return geom


def _multipolygon(parts: list[BaseGeometry], where: str, rd: _Reading) -> BaseGeometry:
    """Parts (each maybe repaired into a MultiPolygon) as one MultiPolygon, repaired if
    the parts overlap and someone is told (``rd.notes``)."""
    polys = [q for p in parts for q in (p.geoms if isinstance(p, MultiPolygon) else [p])]
    geom = MultiPolygon(polys)
    if rd.notes is not None and not geom.is_valid and _on_globe([shapely.get_coordinates(geom)]):
        geom, said = repair_polygon(geom, where)
        rd.repaired.extend(said)
    return geom


def _opt_number(props: Mapping[str, Any], key: str, where: str) -> float | None:
    v = props.get(key)
    return None if v is None else check_number(v, f"{where} {key}")


def from_geojson(obj: Mapping[str, Any] | str | bytes,
                 default_name: str = "Imported scenario", *,
                 notes: list[str] | None = None) -> Scenario:
    """Read a scenario from a GeoJSON FeatureCollection (dict, JSON text or bytes).

    Accepts what :func:`to_geojson` writes, and also a plain FeatureCollection of
    polygons (no ``"scenario"`` member, no ``kind``): every Polygon/MultiPolygon
    becomes a zone (rule ``"import"``, name from ``properties.name``) and the
    scenario is called ``default_name``.  Rings that are not closed are closed;
    Z coordinates are dropped.

    Parameters
    ----------
    notes : list of str, optional
        When given (an import of a user's file), what reading tolerated is appended
        to it, one sentence each (heights dropped, duplicate keys, a declared
        non-WGS84 CRS, polygons whose outline crossed itself, which are then
        repaired with ``make_valid``), and a zone reaching outside the data's
        coverage (:data:`~dashboard.data.coverage.COVERAGE_LONLAT`) is refused.
        Without it an invalid polygon is refused: nobody would be told of the repair.

    Raises
    ------
    InputError
        Not JSON (cut short, not UTF-8, NaN, nested too deeply, an archive or
        binary bytes), not a FeatureCollection, an unsupported or invalid
        geometry, coordinates outside lon ±180 / lat ±90 or crossing the
        antimeridian, a missing ``radius_km`` on a buffer, duplicate zone ids, a
        newer format version, or over a cap.
    """
    rd = _Reading(notes)
    collection = _read_collection(obj, rd)
    crs = crs_note(collection, "the scenario file")
    name, kwargs = _read_header(collection, default_name)
    zones: list[Zone] = []
    buffers: list[Buffer] = []
    for i, feat in enumerate(collection["features"]):
        item = _read_feature(feat, i, rd)
        (zones if isinstance(item, Zone) else buffers).append(item)
    scenario = Scenario(name=name, zones=zones, buffers=buffers, **kwargs)
    validate_scenario(scenario)
    if notes is not None:  # a user's file: its zones must lie where the data is
        for z in zones:
            outside = zone_outside(z.geometry.bounds, repr(shown(z.name)))
            if outside:
                raise InputError(outside)
        if crs:
            notes.append(crs)
        notes.extend(rd.repaired)
        if rd.has_z:
            notes.append("ignored the third (height) coordinate")
        xy = np.vstack([np.empty((0, 2))] + [shapely.get_coordinates(z.geometry)
                                             for z in zones])
        hint = swapped_hint(xy[:, 0], xy[:, 1], "the scenario file")
        if hint:
            notes.append(hint)
    return scenario


def _read_collection(obj: Any, rd: _Reading) -> Mapping[str, Any]:
    """Step 1: JSON text or bytes (at most :data:`MAX_GEOJSON_BYTES`) to a FeatureCollection."""
    if isinstance(obj, (bytes, bytearray, str)):
        obj, said = load_json(obj, "the scenario file", MAX_GEOJSON_BYTES)
        if rd.notes is not None:
            rd.notes.extend(said)
    if not isinstance(obj, Mapping) or obj.get("type") != "FeatureCollection":
        got = obj.get("type") if isinstance(obj, Mapping) else value_kind(obj)
        raise InputError(f"a scenario must be a GeoJSON FeatureCollection, got {got!r}")
    features = obj.get("features")
    if not isinstance(features, list):
        raise InputError("the FeatureCollection has no 'features' list")
    if len(features) > MAX_ZONES + MAX_BUFFERS:
        raise InputError(f"the scenario file has {len(features):,} features; at most "
                         f"{MAX_ZONES} zones and {MAX_BUFFERS} buffers allowed")
    return obj


def _read_header(collection: Mapping[str, Any], default_name: str
                 ) -> tuple[str, dict[str, Any]]:
    """Step 2: the name and the other :class:`Scenario` fields from ``"scenario"``."""
    meta = collection.get("scenario")
    if meta is None:
        return check_name(default_name), meta_fields({}, "scenario")
    kwargs = meta_fields(meta, "scenario")
    return check_name(meta.get("name"), "scenario name"), kwargs


def _read_feature(feat: Any, i: int, rd: _Reading) -> Zone | Buffer:
    """Step 3: feature ``i`` (0-based) as a zone or a buffer, by ``kind`` or by geometry."""
    where = f"feature {i + 1}"
    if not isinstance(feat, Mapping) or feat.get("type") != "Feature":
        raise InputError(f"{where} is not a GeoJSON Feature")
    props = feat.get("properties") or {}
    if not isinstance(props, Mapping):
        raise InputError(f"{where}: properties must be an object or null")
    geom = _parse_geojson_geometry(feat.get("geometry"), where, rd)
    kind = props.get("kind")
    if kind is None:
        if isinstance(geom, (Polygon, MultiPolygon)):
            kind = "zone"
        elif "radius_km" in props:
            kind = "buffer"
    if kind == "zone":
        return _zone_from_feature(feat, props, geom, i, where)
    if kind == "buffer":
        return _buffer_from_feature(props, geom, where)
    if kind is None:
        raise InputError(f"{where}: cannot tell whether it is a zone or a buffer "
                         "(set properties.kind to 'zone' or 'buffer')")
    raise InputError(f"{where}: unknown kind {kind!r} (expected 'zone' or 'buffer')")


def _zone_from_feature(feat: Mapping[str, Any], props: Mapping[str, Any],
                       geom: BaseGeometry | None, i: int, where: str) -> Zone:
    """A zone feature; id from ``properties.id``, the feature ``id`` or ``zone-<i+1>``."""
    fid = feat.get("id")
    default_id = f"zone-{i + 1}" if fid is None or isinstance(fid, bool) else str(fid)
    zid = props.get("id", default_id)
    if isinstance(zid, (int, float)) and not isinstance(zid, bool):
        zid = str(zid)
    where = f"{where} (zone {zid!r})"
    if geom is None:
        raise InputError(f"{where}: a zone needs a Polygon or MultiPolygon geometry")
    params = props.get("params")
    return Zone(
        id=zid,
        name=props.get("name") if props.get("name") is not None else str(zid),
        geometry=geom,
        rule=props.get("rule") or ("import" if props.get("kind") is None else "drawn"),
        description=props.get("description") or "",
        params=check_json_dict(params, f"{where} params") if params is not None else {},
        center_lon=_opt_number(props, "center_lon", where),
        center_lat=_opt_number(props, "center_lat", where),
        radius_km=_opt_number(props, "radius_km", where),
    )


def _buffer_from_feature(props: Mapping[str, Any], geom: BaseGeometry | None,
                         where: str) -> Buffer:
    """A buffer feature: a Point centre (degrees) or ``properties.layer``, and ``radius_km``."""
    if "radius_km" not in props:
        raise InputError(f"{where}: a buffer needs properties.radius_km (km)")
    layer = props.get("layer")
    if geom is not None and not isinstance(geom, Point):
        raise InputError(f"{where}: a buffer's geometry must be a Point (or null "
                         "with properties.layer)")
    if geom is None and layer is None:
        raise InputError(f"{where}: a buffer needs a Point geometry or properties.layer")
    return Buffer(
        lon=None if geom is None else geom.x, lat=None if geom is None else geom.y,
        radius_km=check_number(props["radius_km"], f"{where} radius_km", positive=True),
        layer=layer if geom is None else None, label=props.get("label") or "")
