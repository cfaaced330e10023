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


def test_areas_keep_four_significant_digits():
    # issue 18: areas were shown to 0.1 km², 0.2 % of a 50 km² piece and all of a 0.04 km² one
    from dashboard.geo.units import format_area, round_significant

    assert format_area(12.3456) == "12.35 km²"
    assert format_area(0.57632) == "0.5763 km²"
    assert format_area(110559.7) == "110,560 km²"
    assert format_area(1.852 ** 2 * 1000, "nm") == "1,000 nm²"
    assert format_area(1.609344 ** 2 * 0.25, "mi") == "0.2500 mi²"
    assert format_area(0.0) == "0 km²"
    assert format_area(float("nan")) == "n/a"
    for v in (0.0123456, 0.57632, 49.99, 12345.6, 987654.3):
        shown = float(format_area(v).split()[0].replace(",", ""))
        assert abs(shown - v) <= 5e-4 * v  # half a unit of the 4th digit
        assert abs(round_significant(v, 6) - v) <= 5e-6 * v
    assert round_significant(0.0) == 0.0 and round_significant(-12.3456) == -12.35
