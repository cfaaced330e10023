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
#: Short names for choosers and captions.
UNIT_WORDS: dict[str, str] = {"km": "km", "nm": "nautical miles", "mi": "statute miles"}


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


#: Fewest significant digits an area is shown with (0.1 km² steps alone were 0.2 % of a 50 km²
#: piece, beyond the 0.01 % the areas are computed to).
AREA_SIGNIFICANT_DIGITS: int = 4


def round_significant(value: float, digits: int = AREA_SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits, but never to less than a unit
    (a large value keeps all its integer digits); non-finite values and 0 pass through.

    >>> round_significant(12.3456), round_significant(0.0123456), round_significant(110559.7)
    (12.35, 0.01235, 110560.0)
    """
    v = float(value)
    if not math.isfinite(v) or v == 0.0:
        return v
    decimals = max(int(digits) - 1 - math.floor(math.log10(abs(v))), 0)
    return round(v, decimals)


def format_area(value_km2: float, unit: str = "km",
                digits: int = AREA_SIGNIFICANT_DIGITS) -> str:
    """An area given in km² shown in ``unit``² with at least ``digits`` significant digits
    (all integer digits of a large area; a non-finite value is ``"n/a"``).

    >>> format_area(110559.7), format_area(12.3456)
    ('110,560 km²', '12.35 km²')
    >>> format_area(0.0123456), format_area(3429.904, "nm")
    ('0.01235 km²', '1,000 nm²')
    """
    factor = _factor(unit)
    if not math.isfinite(value_km2):
        return "n/a"
    v = value_km2 / factor ** 2
    if v == 0.0:
        return f"0 {unit}²"
    decimals = max(int(digits) - 1 - math.floor(math.log10(abs(v))), 0)
    return f"{v:,.{decimals}f} {unit}²"


def format_radius(radius_km: float, unit: str) -> str:
    """A ring radius in ``unit`` with no needless decimals.

    >>> format_radius(75, "km"), format_radius(75, "nm")
    ('75 km', '40.5 nm')
    """
    v = from_km(radius_km, unit)
    return f"{v:,.0f} {unit}" if abs(v - round(v)) < 0.05 else f"{v:,.1f} {unit}"
