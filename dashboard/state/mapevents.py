"""Events from the one map: the component's value parsed into typed, frozen records.

The map component (``dashboard/ui/mapview``) sets its value to
``{"seq": n, "events": [event, ...]}``: the last 20 events since the iframe
mounted, oldest first, each with its own ``seq`` (see the contract,
``docs/map-protocol.md``, "Events").  :func:`parse_events` turns that
value into :class:`Click`, :class:`ViewChange`, :class:`Measure`,
:class:`Drawn`, :class:`LayersToggled` and :class:`Missing` records; the value
comes from a browser, so anything malformed (wrong types, NaN, positions off
the globe, unknown event types) is dropped, and parsing never raises.
:func:`new_events` keeps only the events not handled yet.

Positions are (lon, lat) in degrees.  No Streamlit here.

>>> value = {"seq": 8, "events": [
...     {"seq": 7, "type": "click", "lon": 23.93, "lat": 50.47, "layer": "regions",
...      "feature": "PL-06", "index": 3},
...     {"seq": 8, "type": "hover"}]}
>>> parse_events(value)
[Click(seq=7, lon=23.93, lat=50.47, layer='regions', feature='PL-06', index=3)]
>>> events, seen = new_events(value, frozenset())
>>> len(events), new_events(value, seen)[0]
(1, [])
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import shapely.geometry

from dashboard.data.limits import MAX_DRAWN_FEATURES
from dashboard.state.drawing import SHAPES

LonLat = tuple[float, float]
Bounds = tuple[float, float, float, float]

_HASH = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Click:
    """A click on the map at (``lon``, ``lat``) degrees, with the picked feature if any."""

    seq: int
    lon: float
    lat: float
    layer: str | None = None
    feature: str | None = None
    index: int | None = None


@dataclass(frozen=True)
class ViewChange:
    """The view after it stopped moving: centre (degrees), web-map zoom, bounds
    (west, south, east, north; degrees, clamped to the globe) and size in px."""

    seq: int
    lon: float
    lat: float
    zoom: float
    bounds: Bounds
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Measure:
    """Two points clicked with the measure tool, (lon, lat) degrees each."""

    seq: int
    points: tuple[LonLat, LonLat]


@dataclass(frozen=True, eq=False)
class Drawn:
    """All editable features after an edit (zones page), as a GeoJSON FeatureCollection.

    Every kept feature has a non-empty polygonal geometry within lon/lat range
    and ``properties`` with a ``zone_id`` text and a ``shape`` in :data:`SHAPES`
    (circles carry ``center`` and ``edge`` [lon, lat], rectangles ``bounds``
    [w, s, e, n], each kept only when well formed).
    """

    seq: int
    features: dict[str, Any]
    rejected: tuple[int, ...] = ()          # 1-based positions of unreadable features
    rejected_ids: tuple[str, ...] = ()      # the zone ids those carried


@dataclass(frozen=True)
class LayersToggled:
    """The layer ids visible after a legend toggle."""

    seq: int
    visible: tuple[str, ...]


@dataclass(frozen=True)
class Missing:
    """Blob hashes the browser does not hold (to be sent again)."""

    seq: int
    hashes: tuple[str, ...]


MapEvent = Click | ViewChange | Measure | Drawn | LayersToggled | Missing


# ------------------------------------------------------------------ values
class _Bad(Exception):
    """A malformed field: the event is dropped."""


def _number(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise _Bad
    return float(v)


def _integer(v: Any) -> int:
    f = _number(v)
    if f != int(f):
        raise _Bad
    return int(f)


def _optional(v: Any, convert: Callable[[Any], Any]) -> Any:
    return None if v is None else convert(v)


def _text(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise _Bad
    return str(v)


def _lonlat(v: Any) -> LonLat:
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        raise _Bad
    lon, lat = _number(v[0]), _number(v[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _Bad
    return lon, lat


def _bounds(v: Any) -> Bounds:
    if not isinstance(v, (list, tuple)) or len(v) != 4:
        raise _Bad
    w, s, e, n = (_number(x) for x in v)
    w, e = max(w, -180.0), min(e, 180.0)
    s, n = max(s, -90.0), min(n, 90.0)
    if not (w < e and s < n):
        raise _Bad
    return w, s, e, n


def _features(v: Any) -> tuple[dict[str, Any], tuple[int, ...], tuple[str, ...]]:
    """The well-formed features, the positions of those that were not, and their zone ids."""
    if not isinstance(v, Mapping) or not isinstance(v.get("features"), list):
        raise _Bad
    kept, rejected, ids = [], [], []
    for i, f in enumerate(v["features"][:MAX_DRAWN_FEATURES], start=1):
        try:
            kept.append(_feature(f))
        except Exception:
            rejected.append(i)
            zid = (f.get("properties") or {}).get("zone_id") if isinstance(f, Mapping) else None
            if isinstance(zid, str):
                ids.append(zid)
    return {"type": "FeatureCollection", "features": kept}, tuple(rejected), tuple(ids)


def _feature(f: Any) -> dict[str, Any]:
    if not isinstance(f, Mapping) or not isinstance(f.get("geometry"), Mapping):
        raise _Bad
    props = f.get("properties") or {}
    if not isinstance(props, Mapping) or not isinstance(props.get("zone_id"), str):
        raise _Bad
    geom = shapely.geometry.shape(f["geometry"])
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise _Bad
    w, s, e, n = geom.bounds
    if not all(math.isfinite(x) for x in (w, s, e, n)) \
            or not (w >= -180 and e <= 180 and s >= -90 and n <= 90):
        raise _Bad
    return {"type": "Feature", "geometry": dict(f["geometry"]), "properties": _shape_props(props)}


def _shape_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """Properties with ``shape`` one of polygon/rectangle/circle (default polygon) and
    malformed ``center``/``edge`` ([lon, lat]) or ``bounds`` ([w, s, e, n]) dropped."""
    out = dict(props)
    if out.get("shape") not in SHAPES:
        out["shape"] = "polygon"
    for name, check in (("center", _lonlat), ("edge", _lonlat), ("bounds", _bounds)):
        if name in out:
            try:
                out[name] = list(check(out[name]))
            except _Bad:
                del out[name]
    return out


# ------------------------------------------------------------------ events
def _click(e: Mapping[str, Any], seq: int) -> Click:
    lon, lat = _lonlat([e.get("lon"), e.get("lat")])
    return Click(seq, lon, lat, _optional(e.get("layer"), _text),
                 _optional(e.get("feature"), _text), _optional(e.get("index"), _integer))


def _view(e: Mapping[str, Any], seq: int) -> ViewChange:
    lon, lat = _lonlat([e.get("lon"), e.get("lat")])
    return ViewChange(seq, lon, lat, _number(e.get("zoom")), _bounds(e.get("bounds")),
                      _optional(e.get("width"), _integer), _optional(e.get("height"), _integer))


def _measure(e: Mapping[str, Any], seq: int) -> Measure:
    pts = e.get("points")
    if not isinstance(pts, (list, tuple)) or len(pts) != 2:
        raise _Bad
    return Measure(seq, (_lonlat(pts[0]), _lonlat(pts[1])))


def _drawn(e: Mapping[str, Any], seq: int) -> Drawn:
    features, rejected, ids = _features(e.get("features"))
    return Drawn(seq, features, rejected, ids)


def _layers(e: Mapping[str, Any], seq: int) -> LayersToggled:
    visible = e.get("visible")
    if not isinstance(visible, list) or not all(isinstance(v, str) for v in visible):
        raise _Bad
    return LayersToggled(seq, tuple(visible))


def _missing(e: Mapping[str, Any], seq: int) -> Missing:
    hashes = e.get("hashes")
    if not isinstance(hashes, list):
        raise _Bad
    return Missing(seq, tuple(h for h in hashes if isinstance(h, str) and _HASH.match(h)))


_PARSERS: dict[str, Callable[[Mapping[str, Any], int], MapEvent]] = {
    "click": _click, "view": _view, "measure": _measure, "drawn": _drawn,
    "layers": _layers, "missing": _missing,
}


def parse_event(event: Any) -> MapEvent | None:
    """One event of the component's value, or None when it is malformed or unknown."""
    if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
        return None
    parser = _PARSERS.get(event["type"])
    try:
        return None if parser is None else parser(event, _integer(event.get("seq")))
    except (_Bad, TypeError, ValueError, KeyError, OverflowError):
        return None


def parse_events(value: Any) -> list[MapEvent]:
    """Every well-formed event of the component's value, by ``seq`` (never raises).

    Parameters
    ----------
    value : any
        The component's value, ``{"seq": n, "events": [...]}``, or anything else
        (None before the first event; junk from a broken frontend).

    Returns
    -------
    list of MapEvent
        Sorted by ``seq``; one per ``seq`` (the first of duplicates wins).
    """
    events = value.get("events") if isinstance(value, Mapping) else None
    if not isinstance(events, list):
        return []
    out: dict[int, MapEvent] = {}
    for raw in events:
        ev = parse_event(raw)
        if ev is not None and ev.seq not in out:
            out[ev.seq] = ev
    return [out[s] for s in sorted(out)]


def new_events(value: Any, seen: Collection[int]) -> tuple[list[MapEvent], frozenset[int]]:
    """The events of ``value`` whose ``seq`` is not in ``seen``, and the seqs to remember.

    The value always holds the last events, so an event that has left it never
    comes back: remembering the seqs in the current value is enough (a re-mounted
    map starts at a new random seq).  When ``value`` holds no events, ``seen``
    is kept.
    """
    events = parse_events(value)
    if not events:
        return [], frozenset(seen)
    fresh = [e for e in events if e.seq not in seen]
    return fresh, frozenset(e.seq for e in events)
