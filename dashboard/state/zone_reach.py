"""The zones page's "Reach from NATO soil" section as plain data: what the user chose, checked.

The section's widgets keep their values under the keys below; :func:`reach_inputs`
reads them into a :class:`ReachInputs` (km, km/h, degrees) or raises one
InputError line; :func:`reach_layers` is what the map draws over the selected
zone.  The figures are memoised in :mod:`dashboard.state.zone_choices`.  No
Streamlit here.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboard.analysis.air_bases import base_positions
from dashboard.data.reach_presets import AircraftProfile, aircraft_profile, gbad_system
from dashboard.geo.coords import parse_position
from dashboard.geo.errors import InputError
from dashboard.scene.request import ReachLayers
from dashboard.state.fields import Session, StateLike
from dashboard.state.zonemap import zone_by_id
from dashboard.store import Zone

__all__ = ["AIRCRAFT_KEY", "BASES_KEY", "GBAD_KEY", "RADIUS_KEY", "SPEED_KEY", "TYPED",
           "ReachInputs", "parse_launchers", "reach_inputs", "reach_layers", "selected_zone"]

BASES_KEY = "zone_reach_bases"
AIRCRAFT_KEY = "zone_reach_aircraft"
RADIUS_KEY = "zone_reach_radius"
SPEED_KEY = "zone_reach_speed"
GBAD_KEY = "zone_reach_gbad"
#: The aircraft choice that means "the radius typed below".
TYPED = "typed"


@dataclass(frozen=True)
class ReachInputs:
    """The section's choices: bases (code, lon, lat), combat radius km (None: no bases),
    speed km/h (None: not given), launchers (lon, lat, km), the aircraft preset if any."""

    bases: tuple[tuple[str, float, float], ...]
    radius_km: float | None
    speed_kmh: float | None
    launchers: tuple[tuple[float, float, float], ...]
    aircraft: AircraftProfile | None


def parse_launchers(text: str | None) -> list[tuple[float, float, float]]:
    """One launcher a line, ``LAT, LON, KM`` or ``LAT, LON, PRESET`` (the position in any
    notation :func:`~dashboard.geo.coords.parse_position` reads), as (lon, lat, km).

    >>> parse_launchers("50.11, 22.02, patriot\\n47.69, 26.25, 100")
    [(22.02, 50.11, 160.0), (26.25, 47.69, 100.0)]
    """
    out = []
    for k, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        pos, sep, last = line.rpartition(",")
        if not sep or not pos.strip():
            raise InputError(f"launcher line {k}: write LAT, LON, KM or LAT, LON, PRESET "
                             f"(e.g. 50.11, 22.02, patriot)")
        try:
            lon, lat = parse_position(pos)
            try:
                km = float(last)
            except ValueError:
                km = gbad_system(last).range_km
        except InputError as exc:
            raise InputError(f"launcher line {k}: {exc}") from None
        out.append((lon, lat, km))
    return out


def reach_inputs(state: StateLike) -> ReachInputs:
    """The section's choices, checked (bases by code, the aircraft preset or the typed
    radius in km, the speed in km/h, the launchers' lines)."""
    state = Session.of(state)
    codes: Sequence[str] = state.get(BASES_KEY) or []
    bases = tuple(base_positions(codes)) if codes else ()
    choice = state.get(AIRCRAFT_KEY) or TYPED
    plane = None if choice == TYPED else aircraft_profile(choice)
    radius: float | None = None
    if bases:
        radius = plane.radius_km if plane else float(state.get(RADIUS_KEY) or 0.0)
    speed = float(state.get(SPEED_KEY) or 0.0) or (plane.speed_kmh if plane else None)
    launchers = tuple(parse_launchers(state.get(GBAD_KEY)))
    return ReachInputs(bases, radius, speed, launchers, plane)


def selected_zone(state: StateLike) -> Zone | None:
    """The zone "Work on a zone" has selected (the last one before any choice), or None."""
    state = Session.of(state)
    zones = state.drawn_zones
    if not zones:
        return None
    return zone_by_id(zones, str(state.get("zone_sel") or "")) or zones[-1]


def reach_layers(state: StateLike) -> ReachLayers | None:
    """What the map draws for the section: bands and discs over the selected zone; None
    when nothing is chosen or a choice is bad (the section shows why)."""
    z = selected_zone(state)
    if z is None:
        return None
    try:
        got = reach_inputs(state)
    except InputError:
        return None
    if not got.bases and not got.launchers:
        return None
    return ReachLayers(z.name, z.geometry, got.bases, got.radius_km, got.speed_kmh,
                       got.launchers)
