"""Positions: decimal, DMS and MGRS; MGRS checked against the independent ``mgrs`` package."""
from __future__ import annotations

import mgrs
import pytest
from geo_reference import geodesic_km
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dashboard.geo.coords import format_dms, from_mgrs, parse_position, to_mgrs
from dashboard.geo.errors import InputError

_M = mgrs.MGRS()


@pytest.mark.parametrize("text,expected", [
    ("50.471, 23.934", (50.471, 23.934)),
    ("50.471,23.934", (50.471, 23.934)),
    ("50.471 23.934", (50.471, 23.934)),
    ("50.471 N 23.934 E", (50.471, 23.934)),
    ("50.471N, 23.934E", (50.471, 23.934)),
    ("N50.471 E23.934", (50.471, 23.934)),
    ("23.934 E 50.471 N", (50.471, 23.934)),  # letters decide the axis
    ("-33.9, 18.4", (-33.9, 18.4)),
    ("33.9 S 18.4 W", (-33.9, -18.4)),
    ("50,471 23,934", (50.471, 23.934)),  # decimal commas
    ("50°28'16\"N 23°56'03\"E", (50 + 28 / 60 + 16 / 3600, 23 + 56 / 60 + 3 / 3600)),
    ("50°28′16″N, 23°56′03″E", (50 + 28 / 60 + 16 / 3600, 23 + 56 / 60 + 3 / 3600)),
    ("50 28 16 N 23 56 03 E", (50 + 28 / 60 + 16 / 3600, 23 + 56 / 60 + 3 / 3600)),
    ("50 28 16 23 56 03", (50 + 28 / 60 + 16 / 3600, 23 + 56 / 60 + 3 / 3600)),
    ("50°28.27'N 23°56.05'E", (50 + 28.27 / 60, 23 + 56.05 / 60)),
    ("  50.471 ;  23.934 ", (50.471, 23.934)),
])
def test_parse_decimal_and_dms(text, expected):
    lon, lat = parse_position(text)
    assert lat == pytest.approx(expected[0], abs=1e-9)
    assert lon == pytest.approx(expected[1], abs=1e-9)


@pytest.mark.parametrize("text", [
    "", "hello", "50.471", "95, 23", "50, 190", "50°61'00\"N 23°00'00\"E", "50.5 30 N 23 E",
    "50 N 23 N", "-50 S 23 E", "50, 23, 24", "34UZZ1234", "34UGA123", "1,2,3,4",
])
def test_bad_text_raises_one_line_input_error(text):
    with pytest.raises(InputError) as exc:
        parse_position(text)
    msg = str(exc.value)
    assert msg and "\n" not in msg


def test_swapped_order_hint():
    with pytest.raises(InputError, match="latitude first"):
        parse_position("95.1, 23.9")


def test_przewodow_mgrs_against_mgrs_package():
    lat, lon = 50.47099, 23.93432
    assert to_mgrs(lon, lat) == _M.toMGRS(lat, lon) == "34UGA0821595113"
    assert to_mgrs(lon, lat, spaced=True) == "34U GA 08215 95113"
    assert parse_position("34U GA 08215 95113") == from_mgrs("34UGA0821595113")
    assert geodesic_km(lon, lat, *from_mgrs("34UGA0821595113")) < 0.0015


@pytest.mark.parametrize("lat,lon,zone_band", [
    (60.0, 5.0, "32V"),      # Norway exception
    (78.0, 15.0, "33X"),     # Svalbard
    (78.0, 8.0, "31X"),
    (-33.9, 18.4, "34H"),    # Cape Town
    (0.0, -179.9, "01N"),
    (83.9, 23.0, "35X"),
])
def test_special_zones(lat, lon, zone_band):
    ref = to_mgrs(lon, lat)
    assert ref.startswith(zone_band)
    assert ref[:5] == _M.toMGRS(lat, lon)[:5]


def _same_or_last_digit(a: str, b: str) -> bool:
    """Equal, or the numeric parts differ by one in the last digit (float truncation)."""
    if a == b:
        return True
    if a[:5] != b[:5]:
        return False
    p = (len(a) - 5) // 2
    ea, na, eb, nb = int(a[5:5 + p]), int(a[5 + p:]), int(b[5:5 + p]), int(b[5 + p:])
    return abs(ea - eb) <= 1 and abs(na - nb) <= 1


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-79.9, 83.9), lon=st.floats(-179.9, 179.9), precision=st.integers(1, 5))
def test_property_to_mgrs_matches_mgrs_package(lat, lon, precision):
    # on a zone or band edge both neighbours are right; the packages may differ
    assume(abs((lon + 180) / 6 - round((lon + 180) / 6)) > 1e-9)
    assume(abs((lat + 80) / 8 - round((lat + 80) / 8)) > 1e-9)
    ours = to_mgrs(lon, lat, precision)
    theirs = _M.toMGRS(lat, lon, MGRSPrecision=precision)
    assert _same_or_last_digit(ours, theirs), (ours, theirs)


@settings(max_examples=150, deadline=None)
@given(lat=st.floats(-79.5, 83.5), lon=st.floats(-179.5, 179.5))
def test_property_from_mgrs_round_trip(lat, lon):
    # a hair south of the equator the reference package rejects its own northing
    # ("Northing Error" for 9999999.99 m); ours reads it, the comparison cannot
    assume(abs(lat) > 1e-6)
    ref = to_mgrs(lon, lat, 5)
    back_lon, back_lat = from_mgrs(ref)
    # the reference names its 1 m square's south-west corner
    assert geodesic_km(lon, lat, back_lon, back_lat) < 0.0015
    c_lat, c_lon = _M.toLatLon(ref)  # the package returns the square's centre
    assert geodesic_km(c_lon, c_lat, back_lon, back_lat) < 0.0012


@settings(max_examples=100, deadline=None)
@given(lat=st.floats(-89.9, 89.9), lon=st.floats(-179.9, 179.9))
def test_property_dms_round_trip(lat, lon):
    text = format_dms(lon, lat, decimals=1)
    back = parse_position(text)
    assert back[0] == pytest.approx(lon, abs=0.06 / 3600)
    assert back[1] == pytest.approx(lat, abs=0.06 / 3600)


def test_format_dms_examples():
    assert format_dms(23.93432, 50.47099) == "50°28'16\"N 23°56'04\"E"
    assert format_dms(-18.4, -33.9) == "33°54'00\"S 18°24'00\"W"
    assert format_dms(10.0, 59.99999) == "60°00'00\"N 10°00'00\"E"  # seconds carry over


def test_mgrs_outside_band_rejected():
    with pytest.raises(InputError):
        to_mgrs(10.0, 85.0)
    with pytest.raises(InputError):
        from_mgrs("34UGA082159511")  # odd number of digits
