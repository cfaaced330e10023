"""The shipped catalogue (``geodata/``) as incident records: version 0 of every shipped incident.

Read-only: these files are never written.  Three files, read when present:
``incidents.geojson`` (points), ``incidents_unlocated.json`` (no position) and
``incident_tracks.geojson`` (LineStrings: airspace violations with a route).
A field a file does not carry gets an honest default: ``position_kind`` from
the prefix of ``position_method`` (``source:`` -> ``source``, ``gazetteer:`` ->
``gazetteer``, ``position not sourced:`` -> ``not sourced``; any other text:
``estimate`` for a position, ``not sourced`` without one), ``status``
``confirmed``, ``attributed_to`` ``not stated``, ``group`` None.

Parsed records are cached by the files' names, sizes and modification times,
so a rebuilt ``geodata/`` is read again and an unchanged one costs a ``stat``.

>>> kind_of_position("gazetteer: GeoNames populated place", positioned=True)
'gazetteer'
>>> kind_of_position("position not sourced: no source states it", positioned=False)
'not sourced'
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dashboard.data.catalogue import GEODATA_DIR
from dashboard.data.incidents.record import POSITION_KINDS, Incident
from dashboard.data.incidents.version import SHIPPED_WHO, IncidentVersion
from dashboard.geo.cache import content_token, memoize
from dashboard.geo.errors import InputError

__all__ = ["INCIDENTS_FILE", "UNLOCATED_FILE", "TRACKS_FILE", "SHIPPED_ACTION",
           "SHIPPED_REASON", "shipped_versions", "shipped_token", "kind_of_position",
           "shipped_files"]

#: Positioned incidents (Points), required.
INCIDENTS_FILE: str = "incidents.geojson"
#: Incidents whose position no source states, required.
UNLOCATED_FILE: str = "incidents_unlocated.json"
#: Incidents whose geometry is a track (LineStrings), optional.
TRACKS_FILE: str = "incident_tracks.geojson"
_OPTIONAL = frozenset({TRACKS_FILE})
_MANIFEST = "MANIFEST.json"
#: ``action`` and ``reason`` of version 0 of a shipped incident.
SHIPPED_ACTION: str = "shipped"
SHIPPED_REASON: str = "shipped catalogue"

#: ``position_method`` prefixes -> ``position_kind``.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("source:", "source"), ("gazetteer:", "gazetteer"), ("position not sourced:", "not sourced"),
    ("map click:", "map click"), ("estimate:", "estimate"))

Token = tuple[tuple[str, int, int], ...]


def kind_of_position(method: str, *, positioned: bool) -> str:
    """``position_kind`` read from the start of ``position_method`` (see the module doc)."""
    text = (method or "").strip().lower()
    for prefix, kind in _PREFIXES:
        if text.startswith(prefix) and (kind == "not sourced") != positioned:
            return kind
    return "estimate" if positioned else "not sourced"


def shipped_files(folder: Path | None = None) -> list[Path]:
    """The catalogue files that exist (the optional tracks file only when present)."""
    base = GEODATA_DIR if folder is None else folder
    return [base / n for n in (INCIDENTS_FILE, UNLOCATED_FILE, TRACKS_FILE)
            if (base / n).exists() or n not in _OPTIONAL]


def _token(folder: Path) -> Token:
    out = []
    for name in (INCIDENTS_FILE, UNLOCATED_FILE, TRACKS_FILE, _MANIFEST):
        try:
            st = (folder / name).stat()
        except FileNotFoundError:
            if name in (INCIDENTS_FILE, UNLOCATED_FILE):
                raise InputError(f"built-in data file {name} is missing: "
                                 f"{folder / name} does not exist") from None
            out.append((name, -1, 0))
            continue
        out.append((name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def shipped_token(folder: Path | None = None) -> str:
    """A cheap token that changes when any shipped incident file changes (a ``stat`` each)."""
    return content_token(repr(_token(GEODATA_DIR if folder is None else folder)))


def _record(props: dict[str, Any], geometry: Any) -> Incident:
    d = dict(props)
    d["geometry"] = geometry
    positioned = geometry is not None
    if not d.get("position_kind"):
        d["position_kind"] = kind_of_position(str(d.get("position_method") or ""),
                                              positioned=positioned)
    elif d["position_kind"] not in POSITION_KINDS:
        raise InputError(f"shipped incident {d.get('id')}: unknown position_kind "
                         f"{str(d['position_kind'])[:30]}")
    d["status"] = d.get("status") or "confirmed"
    d["attributed_to"] = d.get("attributed_to") or "not stated"
    d["group"] = d.get("group") or None
    for key in ("munition", "attribution", "position_method", "notes"):
        d[key] = d.get(key) or ""
    d["killed"], d["injured"] = int(d.get("killed") or 0), int(d.get("injured") or 0)
    return Incident.from_dict(d)


def _geodata_version(folder: Path) -> str:
    """``dataset.version`` of the MANIFEST (or its top-level ``version``); ``shipped`` if none."""
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "shipped"
    dataset = manifest.get("dataset") if isinstance(manifest, dict) else None
    version = (dataset.get("version") if isinstance(dataset, dict) else None) or (
        manifest.get("version") if isinstance(manifest, dict) else None)
    return str(version) if version else "shipped"


def _read_features(path: Path) -> list[tuple[dict[str, Any], Any]]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if path.name == UNLOCATED_FILE:
        return [(p, None) for p in data["incidents"]]
    return [(f["properties"], f.get("geometry")) for f in data["features"]]


@memoize(maxsize=4)
def _load(folder: str, token: Token) -> tuple[IncidentVersion, ...]:
    base = Path(folder)
    at = _geodata_version(base)
    out: dict[str, IncidentVersion] = {}
    for path in shipped_files(base):
        try:
            rows = _read_features(path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"built-in data file {path.name} cannot be read: {exc}") from None
        for props, geom in rows:
            try:
                rec = _record(props, geom)
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError(f"built-in data file {path.name}: incident "
                                 f"{props.get('id')!r} is damaged ({exc})") from None
            if rec.id in out:
                raise InputError(f"built-in data: incident {rec.id} appears twice")
            out[rec.id] = IncidentVersion(rec.id, 0, at, SHIPPED_WHO, SHIPPED_ACTION,
                                          SHIPPED_REASON, (), rec, False)
    return tuple(sorted(out.values(), key=lambda v: (v.record.date, v.incident_id)))


def shipped_versions(folder: Path | None = None) -> dict[str, IncidentVersion]:
    """Version 0 of every shipped incident by id, in (date, id) order (a new dict; the
    versions are frozen and shared).

    ``folder`` is the data folder (default :data:`~dashboard.data.catalogue.GEODATA_DIR`).
    """
    base = GEODATA_DIR if folder is None else folder
    return {v.incident_id: v for v in _load(str(base), _token(base))}
