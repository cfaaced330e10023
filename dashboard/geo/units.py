"""Distance units: kilometres, nautical miles and statute miles.

Everything in the core computes in kilometres; these helpers convert only for
display and for user input.

>>> from_km(1.852, "nm")
1.0
>>> format_distance(6.4321, "km")
'6.4 km'
"""
from __future__ import annotations

import math

from dashboard.geo.errors import InputError

#: Kilometres in one unit (international nautical mile, international mile).
KM_PER_UNIT: dict[str, float] = {"km": 1.0, "nm": 1.852, "mi": 1.609344}

#: Long names for labels.
UNIT_LABELS: dict[str, str] = {"km": "kilometres", "nm": "nautical miles", "mi": "statute miles"}


def _factor(unit: str) -> float:
    try:
        return KM_PER_UNIT[unit]
    except (KeyError, TypeError):
        raise InputError(
            f"unknown distance unit {unit!r}; use one of {', '.join(KM_PER_UNIT)}") from None


def from_km(value_km: float, unit: str) -> float:
    """Convert a distance in km to ``unit`` ("km", "nm" or "mi")."""
    return value_km / _factor(unit)


def to_km(value: float, unit: str) -> float:
    """Convert a distance given in ``unit`` ("km", "nm" or "mi") to km."""
    return value * _factor(unit)


def format_distance(value_km: float, unit: str = "km", decimals: int = 1) -> str:
    """Format a distance given in km in ``unit``, e.g. ``"6.4 km"`` or ``"3.5 nm"``.

    A non-finite value (no answer) formats as ``"n/a"``.
    """
    value = from_km(value_km, unit)
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.{decimals}f} {unit}"
