"""Units: the three distance units and their formatting."""
from __future__ import annotations

import pytest

from dashboard.geo.errors import InputError
from dashboard.geo.units import KM_PER_UNIT, format_distance, from_km, to_km


def test_definitions():
    assert KM_PER_UNIT == {"km": 1.0, "nm": 1.852, "mi": 1.609344}
    assert from_km(1.852, "nm") == pytest.approx(1.0)
    assert to_km(1.0, "mi") == pytest.approx(1.609344)
    for unit in KM_PER_UNIT:
        assert to_km(from_km(123.4, unit), unit) == pytest.approx(123.4)


def test_format():
    assert format_distance(6.4321, "km") == "6.4 km"
    assert format_distance(6.4321 * 1.852, "nm") == "6.4 nm"
    assert format_distance(1609.344, "mi", 0) == "1,000 mi"
    assert format_distance(float("nan"), "km") == "n/a"


def test_unknown_unit():
    with pytest.raises(InputError):
        from_km(1.0, "furlong")
