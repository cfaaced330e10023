"""Aircraft and ground-based air-defence presets for the reach analysis, each with its source.

Only figures a source gives are listed (``shared/NFZ_AND_ORIGIN_FACTS.md``,
"Aircraft and air-defence reach"); for any other aircraft or system, type the
figure.  No source there gives a cruise speed, so no preset has one: the time to
reach a point needs a typed speed (``--speed-kmh``).  Left out for lack of a
verified figure: F-35A and Gripen combat radius, NASAMS range.

>>> aircraft_profile("F-16").radius_km, aircraft_profile("f-16").speed_kmh
(805.0, None)
>>> aircraft_profile("eurofighter").range_text
'465–555 km (465 km used)'
>>> gbad_system("samp-t").range_km
100.0
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from dashboard.geo.errors import InputError

__all__ = ["AIRCRAFT", "GBAD_SYSTEMS", "AircraftProfile", "GbadSystem",
           "aircraft_profile", "gbad_system"]



@dataclass(frozen=True)
class AircraftProfile:
    """An aircraft's published combat radius.

    Attributes
    ----------
    id, name : str
        Short key (``"f-16"``) and label.
    radius_km : float
        The radius the analysis uses, km (the low end of a stated range).
    radius_max_km : float or None
        The high end of a stated range, km; None for a single figure.
    speed_kmh : float or None
        Cruise speed, km/h, where a source gives one (none does yet).
    source, url : str
        Where the figure is stated.
    note : str
        How to read it.
    """

    id: str
    name: str
    radius_km: float
    radius_max_km: float | None
    speed_kmh: float | None
    source: str
    url: str
    note: str

    @property
    def range_text(self) -> str:
        """``"805 km"`` or ``"465–555 km (465 km used)"``."""
        if self.radius_max_km is None:
            return f"{self.radius_km:g} km"
        return f"{self.radius_km:g}–{self.radius_max_km:g} km ({self.radius_km:g} km used)"


@dataclass(frozen=True)
class GbadSystem:
    """A ground-based air-defence system's stated engagement range, km, and its source."""

    id: str
    name: str
    range_km: float
    source: str
    url: str
    note: str


AIRCRAFT: dict[str, AircraftProfile] = {p.id: p for p in (
    AircraftProfile(
        "f-16", "F-16 Fighting Falcon", 805.0, None, None,
        source="US military reference (about.com): combat radius \"more than 500 miles\"",
        url="http://usmilitary.about.com/od/fighter/a/f16fightingfal.htm",
        note="805 km is 500 statute miles (804.7 km) rounded up: the source says \"more than "
             "500 miles\", so this is a lower bound; the real radius depends on load and "
             "profile."),
    AircraftProfile(
        "eurofighter", "Eurofighter Typhoon", 465.0, 555.0, None,
        source="Jane's (janes.migavia.com): combat radius 465–555 km",
        url="http://janes.migavia.com/inter/eurofighter/typhoon.html",
        note="The low end of the stated 465–555 km is used; the radius depends on the "
             "mission profile."),
)}

GBAD_SYSTEMS: dict[str, GbadSystem] = {s.id: s for s in (
    GbadSystem("patriot", "Patriot", 160.0,
               source="tech.wp.pl: Patriot range \"up to 160 km\"",
               url="https://tech.wp.pl/szukaja-patriotow-dla-ukrainy-na-calym-swiecie-nie-"
                   "znajda-ani-jednego,7013605719042816a",
               note="Up to 160 km, the interceptor's maximum; against low cruise missiles and "
                    "drones the radar horizon makes it much shorter."),
    GbadSystem("samp-t", "SAMP/T (Aster 30)", 100.0,
               source="tech.wp.pl: SAMP/T range \"about 100 km\"",
               url="https://tech.wp.pl/system-przeciwlotniczy-samp-t-francja-i-wlochy-"
                   "dostarcza-go-ukrainie,6829051052120576a",
               note="About 100 km; shorter against low targets (radar horizon)."),
)}


def _lookup(table: dict, key: str, what: str, hint: str):
    k = str(key).strip().lower()
    if k in table:
        return table[k]
    close = difflib.get_close_matches(k, list(table), n=3, cutoff=0.3)
    near = f"did you mean {', '.join(close)}? " if close else ""
    raise InputError(f"unknown {what} {key!r}; {near}presets: {', '.join(table)} ({hint})")


def aircraft_profile(name: str) -> AircraftProfile:
    """The aircraft preset ``name`` (case-insensitive), or one InputError line naming the known."""
    return _lookup(AIRCRAFT, name, "aircraft", "for another aircraft type its combat radius")


def gbad_system(name: str) -> GbadSystem:
    """The air-defence preset ``name`` (case-insensitive), or one InputError line."""
    return _lookup(GBAD_SYSTEMS, name, "air-defence system", "for another system type its range")
