"""A scenario's metadata (everything but zones and buffers) as JSON, shared by every form.

The GeoJSON ``"scenario"`` member, the URL payload and the store's ``meta``
column all carry the same fields: format, version, name, incident id, view
(lon/lat in degrees, zoom), ``as_of`` date, units and the two timestamps.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from dashboard.geo.errors import InputError
from dashboard.store.model import (
    FORMAT,
    FORMAT_VERSION,
    MAX_NAME_CHARS,
    UNITS,
    Scenario,
    ScenarioView,
    utc_now_iso,
)
from dashboard.store.validate import (
    check_number,
    check_position,
    check_text,
    normalise_ts,
    value_kind,
)


def meta_to_dict(s: Scenario) -> dict[str, Any]:
    """Scenario fields other than zones and buffers, as JSON values."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "name": s.name,
        "incident_id": s.incident_id,
        "view": None if s.view is None else {
            "lon": float(s.view.lon), "lat": float(s.view.lat), "zoom": float(s.view.zoom)},
        "as_of": None if s.as_of is None else s.as_of.isoformat(),
        "units": s.units,
        "created": normalise_ts(s.created, "created"),
        "updated": normalise_ts(s.updated, "updated"),
    }


def check_version(meta: Mapping[str, Any], where: str) -> None:
    fmt = meta.get("format", FORMAT)
    if fmt != FORMAT:
        raise InputError(f"{where}: format {fmt!r} is not a scenario ({FORMAT!r})")
    version = meta.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InputError(f"{where}: version must be a positive integer, got {version!r}")
    if version > FORMAT_VERSION:
        raise InputError(f"{where}: scenario format version {version} is newer than this "
                         f"app understands ({FORMAT_VERSION}); update the app")


def meta_fields(meta: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Parse the metadata dict into :class:`Scenario` keyword arguments (not name)."""
    if not isinstance(meta, Mapping):
        raise InputError(f"{where} must be an object, got {value_kind(meta)}")
    check_version(meta, where)
    out: dict[str, Any] = {}
    incident = meta.get("incident_id")
    out["incident_id"] = None if incident is None else check_text(
        incident, "incident id", max_chars=MAX_NAME_CHARS, allow_empty=False)
    if meta.get("view") is not None:
        out["view"] = _parse_view(meta["view"], where)
    if meta.get("as_of") is not None:
        out["as_of"] = _parse_as_of(meta["as_of"], where)
    units = meta.get("units", "km")
    if units not in UNITS:
        raise InputError(f"{where}: units must be one of {', '.join(UNITS)}, got {units!r}")
    out["units"] = units
    now = utc_now_iso()
    out["created"] = normalise_ts(meta.get("created") or now, "created")
    out["updated"] = normalise_ts(meta.get("updated") or out["created"], "updated")
    return out


def _parse_view(view: Any, where: str) -> ScenarioView:
    """``{"lon", "lat", "zoom"}`` (degrees, web-map zoom 0-24) as a :class:`ScenarioView`."""
    if not isinstance(view, Mapping) or not {"lon", "lat", "zoom"} <= set(view):
        raise InputError(f"{where}: view must be an object with lon, lat and zoom")
    lon, lat = check_position(view["lon"], view["lat"], "view centre")
    return ScenarioView(lon, lat, check_number(view["zoom"], "view zoom", lo=0.0, hi=24.0))


def _parse_as_of(as_of: Any, where: str) -> date:
    """An ISO date string such as ``"2022-11-15"`` as a :class:`datetime.date`."""
    try:
        return date.fromisoformat(as_of)
    except (TypeError, ValueError):
        raise InputError(f"{where}: as_of {as_of!r} is not a date like 2022-11-15") from None
