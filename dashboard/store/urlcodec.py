"""Scenarios as one URL parameter: compact JSON, integer coordinates, zlib, URL-safe base64.

Coordinates are difference-encoded integers of :data:`URL_PRECISION_DEG`
(1e-5 degree, about 1.1 m); the JSON is zlib-compressed and written as URL-safe
base64 without padding.  Scenarios whose parameter would exceed
:data:`MAX_URL_PARAM_CHARS` are refused with an :class:`InputError` that
points to GeoJSON instead.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Any

import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from dashboard.data.limits import MAX_URL_JSON_BYTES, MAX_URL_PARAM_CHARS
from dashboard.geo.errors import InputError
from dashboard.store.meta import check_version, meta_fields, meta_to_dict
from dashboard.store.model import FORMAT_VERSION, Buffer, Scenario, Zone
from dashboard.store.validate import check_name, validate_scenario, value_kind

__all__ = ["MAX_URL_PARAM_CHARS", "URL_PRECISION_DEG", "to_url_param", "from_url_param"]

#: Coordinate quantum of the URL form, in degrees (1e-5 deg is 1.1 m of latitude).
URL_PRECISION_DEG: float = 1e-5

_URL_SCALE = round(1 / URL_PRECISION_DEG)  # integer units per degree
_BAD = "the scenario link is damaged or incomplete"


# ------------------------------------------------------------------- rings
def _q(x: float) -> int:
    """Degrees -> integer units of :data:`URL_PRECISION_DEG`."""
    return int(round(float(x) * _URL_SCALE))


def _encode_ring(ring: Any, where: str) -> list[int]:
    """Ring -> flat ints ``[x0, y0, dx0, dy0, ddx0, ddy0, ...]`` in units of 1e-5 degree.

    First vertex, first step, then second differences (steps of the steps): on
    smooth curves such as geodesic circles these are tiny numbers that deflate
    to about half the size of plain deltas.  The closing vertex is implied.
    """
    q = np.rint(np.asarray(ring.coords, dtype=float)[:, :2] * _URL_SCALE).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = (np.diff(q, axis=0) != 0).any(axis=1)  # drop repeats made by rounding
    q = q[keep]
    if len(q) > 1 and (q[0] == q[-1]).all():
        q = q[:-1]
    if len(q) < 3:
        raise InputError(f"{where} is too small to share as a URL at 1e-5° (about 1 m); "
                         "export the scenario as GeoJSON instead")
    steps = np.diff(q, axis=0)
    return np.vstack([q[:1], steps[:1], np.diff(steps, axis=0)]).ravel().tolist()


def _decode_ring(flat: Any, where: str) -> np.ndarray:
    """Inverse of :func:`_encode_ring`: an (n + 1, 2) closed ring in degrees."""
    if (not isinstance(flat, list) or len(flat) < 6 or len(flat) % 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in flat)):
        raise InputError(f"{where}: a ring must be an even list of at least 6 integers")
    v = np.asarray(flat, dtype=np.int64).reshape(-1, 2)
    steps = np.cumsum(v[1:], axis=0)
    q = np.cumsum(np.vstack([v[:1], steps]), axis=0)
    xy = q / _URL_SCALE
    return np.vstack([xy, xy[:1]])


def _encode_polygon(p: Polygon, where: str) -> list[list[int]]:
    return [_encode_ring(p.exterior, where)] + [_encode_ring(r, where) for r in p.interiors]


def _decode_polygon(raw: Any, where: str) -> Polygon:
    if not isinstance(raw, list) or not raw:
        raise InputError(f"{where}: a polygon must be a non-empty list of rings")
    rings = [_decode_ring(r, where) for r in raw]
    return Polygon(rings[0], rings[1:])


# ----------------------------------------------------------------- encoding
def _zone_payload(z: Zone) -> list[Any]:
    """``[id, name, rule, description, params, circle, geometry]`` of one zone."""
    where = f"zone {z.id!r}"
    if isinstance(z.geometry, Polygon):
        g: dict[str, Any] = {"p": _encode_polygon(z.geometry, where)}
    else:
        g = {"m": [_encode_polygon(p, where) for p in z.geometry.geoms]}
    circle = None if not z.is_circle else [_q(z.center_lon), _q(z.center_lat),
                                           round(float(z.radius_km), 6)]
    return [z.id, z.name, z.rule, z.description, z.params, circle, g]


def _url_payload(s: Scenario) -> dict[str, Any]:
    meta = meta_to_dict(s)
    payload: dict[str, Any] = {"v": FORMAT_VERSION, "n": s.name, "c": meta["created"],
                               "u": meta["updated"], "un": s.units}
    if s.incident_id is not None:
        payload["i"] = s.incident_id
    if s.view is not None:
        payload["w"] = [_q(s.view.lon), _q(s.view.lat), round(float(s.view.zoom), 2)]
    if s.as_of is not None:
        payload["d"] = meta["as_of"]
    payload["z"] = [_zone_payload(z) for z in s.zones]
    payload["b"] = [[None if b.lon is None else _q(b.lon), None if b.lat is None else _q(b.lat),
                     round(float(b.radius_km), 6), b.layer, b.label] for b in s.buffers]
    return payload


def to_url_param(scenario: Scenario) -> str:
    """Encode ``scenario`` as a compact URL-safe string (for ``?scenario=...``).

    Coordinates (zones, circle centres, buffers, view) are rounded to
    :data:`URL_PRECISION_DEG` (1e-5 degree, about 1.1 m); radii to 1e-6 km;
    zoom to 0.01.  Format: compact JSON (version ``v``), ring coordinates as
    integers of 1e-5 degree (first vertex, first step, then second
    differences), zlib level 9, URL-safe base64 without ``=`` padding.  A
    typical scenario (a 256-vertex circle, a rectangle, a 100-vertex two-part
    zone, two buffers) takes about 2,000 characters.

    Raises
    ------
    InputError
        If the scenario is invalid, if rounding to 1e-5 degree would make a zone
        invalid, or if the result would be longer than :data:`MAX_URL_PARAM_CHARS`
        characters (share such a scenario as a GeoJSON file instead).
    """
    n_vertices = scenario.n_vertices if isinstance(scenario, Scenario) else 0
    if n_vertices > 20 * MAX_URL_PARAM_CHARS:  # cannot possibly fit; skip the work
        raise InputError(f"scenario {scenario.name!r} has {n_vertices:,} vertices, too many "
                         "for a shareable URL; export it as GeoJSON instead")
    validate_scenario(scenario)
    text = json.dumps(_url_payload(scenario), separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    packed = zlib.compress(text.encode("utf-8"), 9)
    param = base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")
    if len(param) > MAX_URL_PARAM_CHARS:
        raise InputError(f"scenario {scenario.name!r} needs {len(param):,} characters as a URL, "
                         f"more than the {MAX_URL_PARAM_CHARS:,} allowed; export it as "
                         "GeoJSON instead")
    try:
        from_url_param(param)
    except InputError as exc:
        raise InputError(f"scenario {scenario.name!r} cannot travel as a URL: {exc}; "
                         "export it as GeoJSON instead") from None
    return param


# ----------------------------------------------------------------- decoding
def from_url_param(param: str) -> Scenario:
    """Decode a string made by :func:`to_url_param` into a :class:`Scenario`.

    Raises
    ------
    InputError
        If the string is too long, not URL-safe base64, corrupted (zlib
        checksum), not a scenario, of a newer format version, or decodes to an
        invalid scenario.
    """
    payload = _unpack(_check_param(param))
    meta = _payload_meta(payload)
    try:
        zones = [_zone_from_payload(item, f"zone {k + 1}")
                 for k, item in enumerate(payload.get("z", []))]
        buffers = [Buffer(None if lon is None else lon / _URL_SCALE,
                          None if lat is None else lat / _URL_SCALE,
                          radius, layer=layer, label=label)
                   for lon, lat, radius, layer, label in payload.get("b", [])]
    except OverflowError:
        raise InputError(f"{_BAD} (it holds a number out of range)") from None
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{_BAD} (its zones or buffers are not in the expected form)") from None
    fields = meta_fields(meta, "scenario link")
    scenario = Scenario(name=check_name(meta["name"]), zones=zones, buffers=buffers,
                        **fields)
    validate_scenario(scenario)
    return scenario


def _check_param(param: Any) -> str:
    """Step 1: text of at most :data:`MAX_URL_PARAM_CHARS` URL-safe base64 characters."""
    if not isinstance(param, str):
        raise InputError(f"{_BAD} (expected text, got {value_kind(param)})")
    param = param.strip()
    if len(param) > MAX_URL_PARAM_CHARS:
        raise InputError(f"the scenario link is {len(param):,} characters; at most "
                         f"{MAX_URL_PARAM_CHARS:,} allowed")
    if not param or not re.fullmatch(r"[A-Za-z0-9_-]+", param):
        raise InputError(f"{_BAD} (unexpected characters)")
    return param


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON number")


def _unpack(param: str) -> dict[str, Any]:
    """Step 2: base64 -> zlib (at most 1 MB, complete, nothing after) -> a JSON payload."""
    try:
        packed = base64.urlsafe_b64decode(param + "=" * (-len(param) % 4))
        d = zlib.decompressobj()
        raw = d.decompress(packed, MAX_URL_JSON_BYTES)
        if d.unconsumed_tail:
            raise InputError(f"{_BAD} (it expands to more than 1 MB)")
        if not d.eof:
            raise InputError(f"{_BAD} (it is cut short)")
        if d.unused_data:
            raise InputError(f"{_BAD} (unexpected data at the end)")
        payload = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise InputError(f"{_BAD} (it is nested too deeply)") from None
    except binascii.Error:
        raise InputError(f"{_BAD} (it is not base64 text)") from None
    except zlib.error:
        raise InputError(f"{_BAD} (its compressed data or checksum is broken)") from None
    except UnicodeDecodeError:
        raise InputError(f"{_BAD} (it is not UTF-8 text inside)") from None
    except ValueError as exc:  # json.JSONDecodeError, NaN or Infinity
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{_BAD} (not JSON inside: {str(exc).split(':')[0][:80]})") from None
    if not isinstance(payload, dict) or "v" not in payload or "n" not in payload:
        raise InputError(f"{_BAD} (not a scenario)")
    return payload


def _payload_meta(payload: dict[str, Any]) -> dict[str, Any]:
    """Step 3: the payload's short keys as metadata (view back in degrees); version checked."""
    meta: dict[str, Any] = {"version": payload["v"], "name": payload["n"],
                            "created": payload.get("c"), "updated": payload.get("u"),
                            "units": payload.get("un", "km"),
                            "incident_id": payload.get("i"), "as_of": payload.get("d")}
    check_version(meta, "scenario link")
    try:
        if payload.get("w") is not None:
            lon, lat, zoom = payload["w"]
            meta["view"] = {"lon": lon / _URL_SCALE, "lat": lat / _URL_SCALE, "zoom": zoom}
    except (TypeError, ValueError, KeyError):
        raise InputError(f"{_BAD} (its view is not in the expected form)") from None
    return meta


def _zone_from_payload(item: Any, where: str) -> Zone:
    """Step 4: ``[id, name, rule, description, params, circle, geometry]`` as a :class:`Zone`."""
    zid, name, rule, desc, params, circle, g = item
    if not isinstance(g, dict) or len(g) != 1:
        raise InputError(f"{_BAD} ({where} geometry)")
    if "p" in g:
        geom: BaseGeometry = _decode_polygon(g["p"], where)
    elif "m" in g and isinstance(g["m"], list) and g["m"]:
        geom = MultiPolygon([_decode_polygon(p, where) for p in g["m"]])
    else:
        raise InputError(f"{_BAD} ({where} geometry)")
    clon = clat = radius = None
    if circle is not None:
        clon, clat, radius = circle[0] / _URL_SCALE, circle[1] / _URL_SCALE, circle[2]
    return Zone(id=zid, name=name, geometry=geom, rule=rule, description=desc,
                params=params, center_lon=clon, center_lat=clat, radius_km=radius)
