"""Munition range presets for the origin analysis, each with its stated range and source.

Only ranges the project's sourced notes state are listed (``shared/DATA_SOURCES.md``
and ``shared/INCIDENTS.md``); for any other munition, type the range in km.

>>> r = munition_range("5v55")
>>> r.min_km, r.max_km
(75.0, 90.0)
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from dashboard.geo.errors import InputError


@dataclass(frozen=True)
class MunitionRange:
    """A munition's stated range.

    Attributes
    ----------
    id : str
        Short key (``"5v55"``).
    name : str
        What it is, for labels.
    min_km, max_km : float
        The stated range, km; the origin analysis uses it as the annulus
        ``min_km``..``max_km`` around the impact point.
    source : str
        Where the range is stated.
    url : str
        A public page on the incident it was stated for.
    note : str
        How to read the range.
    """

    id: str
    name: str
    min_km: float
    max_km: float
    source: str
    url: str
    note: str

    @property
    def label(self) -> str:
        """``"S-300 5V55-series missile: 75–90 km"``."""
        return f"{self.name}: {self.min_km:g}–{self.max_km:g} km"


PRESETS: dict[str, MunitionRange] = {
    p.id: p
    for p in (
        MunitionRange(
            "5v55", "S-300 5V55-series surface-to-air missile", 75.0, 90.0,
            source="public reporting on the 2022-11-15 Przewodów strike, as compiled in the "
                   "project's sourced notes (DATA_SOURCES.md: 'Stated 5V55 range: 75–90 km')",
            url="https://en.wikipedia.org/wiki/2022_missile_explosion_in_Poland",
            note="75–90 km is the stated range of the 5V55 missiles (by variant). As an annulus it "
                 "assumes the missile flew its full range before it came down; set the minimum "
                 "to 0 km for 'anywhere within range'."),
    )
}


def munition_range(preset_id: str) -> MunitionRange:
    """The preset named ``preset_id`` (case-insensitive).

    Raises
    ------
    InputError
        Unknown preset, with the known ones.
    """
    key = str(preset_id).strip().lower()
    if key in PRESETS:
        return PRESETS[key]
    close = difflib.get_close_matches(key, list(PRESETS), n=3, cutoff=0.3)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise InputError(f"unknown munition preset {preset_id!r}; {hint}presets: {', '.join(PRESETS)}")


__all__ = ["PRESETS", "MunitionRange", "munition_range"]
