"""Positions: decimal, DMS and MGRS; MGRS checked against the independent ``mgrs`` package."""
from __future__ import annotations

import functools
import math

import mgrs
import pytest
from geo_reference import geodesic_km
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

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


# ---------------------------------------------------------------- MGRS edges
# The reference package ``mgrs`` (GeoTrans code) does not truncate everywhere: at
# four kinds of edge it names the square, zone or band on the far side for points
# a hair short of the edge.  MGRS names the square that contains the point (its
# south-west corner), i.e. it truncates; the project does.  The property test
# excludes exactly these slivers (with the margins below) and the example tests
# after it check the project's answer inside each sliver by independent reasoning.
#
# 1. Latitude bands (every mgrs version): Get_Latitude_Letter truncates
#    (lat + 80) / 8 + 1e-12, so a point less than 8e-12 degrees (< 1 micrometre)
#    south of a band edge gets the band to the north.
# 2. Equator (every version): Convert_Geodetic_To_UTM sets a latitude in
#    (-1e-9 rad, 0) to 0, so a point less than 5.73e-8 degrees (6.3 mm) south of
#    the equator gets the northern hemisphere's northing 0 with band M.
# 3. Zones: mgrs 1.6 computes the natural zone from longitude + EPSILON2 / a rad
#    (4.99e-4 m / 6378137 m = 4.48e-9 degrees); mgrs 1.4 and 1.5 add 2 pi + 1e-10
#    rad to a western longitude (libmgrs/utm.c; 5.73e-9 degrees).  A point less
#    than 5.73e-9 degrees (0.64 mm) west of a zone edge gets the zone to the east.
# 4. Grid lines (mgrs 1.6): easting and northing get + EPSILON2 = 4.99e-4 m before
#    they are truncated to the precision, so a point less than 0.5 mm south or west
#    of a grid line of that precision gets the square beyond it.
REF_EPSILON2_M = 4.99e-4  # mgrs 1.6 libmgrs/mgrs.c EPSILON2
REF_EQUATOR_SNAP_RAD = 1.0e-9  # libmgrs/utm.c
REF_BAND_NUDGE = 1.0e-12  # libmgrs/mgrs.c Get_Latitude_Letter, in band widths
REF_ZONE_NUDGE_RAD = max(REF_EPSILON2_M / 6378137.0, 1.0e-10)  # mgrs 1.6, mgrs 1.4-1.5
# Margins: the project rounds eastings and northings to 1 micrometre, and PROJ's
# and GeoTrans's transverse Mercator agree to a few nanometres (measured), so 10
# micrometres of slack covers both; angles get 1 % (degrees/radians round-off).
_SLACK_M = 1e-5
_SLACK = 1.01


def _reference_sliver(lon: float, lat: float, precision: int) -> str | None:
    """Which of the reference package's documented slivers ``(lon, lat)`` is in, if any."""
    band_pos = (lat + 80.0) / 8.0
    if 0.0 < math.ceil(band_pos) - band_pos <= REF_BAND_NUDGE * _SLACK:
        return "band"
    if -math.degrees(REF_EQUATOR_SNAP_RAD) * _SLACK < lat < 0.0:
        return "equator"
    zone_pos = (lon + 180.0) / 6.0
    pad_deg = math.degrees(REF_ZONE_NUDGE_RAD) * _SLACK
    if 0.0 < (math.ceil(zone_pos) - zone_pos) * 6.0 <= pad_deg:
        return "zone"
    zone = int(to_mgrs(lon, lat, 0)[:2])
    e, n = _utm_fwd(zone, lat >= 0.0).transform(lon, lat)
    scale = 10 ** (5 - precision)
    for v in (e, n):
        if scale - v % scale <= REF_EPSILON2_M + _SLACK_M:
            return "grid"
    return None


@functools.cache
def _utm_fwd(zone: int, north: bool) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"EPSG:{(32600 if north else 32700) + zone}",
                                always_xy=True)


@settings(max_examples=300)
@given(lat=st.floats(-79.9, 83.9), lon=st.floats(-179.9, 179.9), precision=st.integers(1, 5))
def test_property_to_mgrs_matches_mgrs_package(lat, lon, precision):
    assume(_reference_sliver(lon, lat, precision) is None)
    ours = to_mgrs(lon, lat, precision)
    theirs = _M.toMGRS(lat, lon, MGRSPrecision=precision)
    assert ours == theirs


#: Band edges (8 degree bands from 80 S; X spans 72-84 N, the equator among them)
#: and zone edges (6 degree zones from 180 W), for draws that hug them.
_BAND_EDGES = [-80.0 + 8.0 * k for k in range(1, 20)]
_ZONE_EDGES = [-180.0 + 6.0 * k for k in range(1, 60)]
_HAIR = st.sampled_from([0.0, 1e-13, 2e-12, 4e-12, 1e-11, 1e-10, 1e-9, 4e-9, 1e-8, 3.3e-8,
                         5e-8, 6e-8, 1e-7]) | st.floats(0.0, 1e-6)


@settings(max_examples=300)
@given(edge=st.sampled_from(_BAND_EDGES), lat_hair=_HAIR, south=st.booleans(),
       lon=st.floats(-179.9, 179.9), zone_edge=st.sampled_from(_ZONE_EDGES), lon_hair=_HAIR,
       west=st.booleans(), on_zone_edge=st.booleans(), precision=st.integers(1, 5))
def test_property_to_mgrs_matches_mgrs_package_next_to_edges(edge, lat_hair, south, lon,
                                                             zone_edge, lon_hair, west,
                                                             on_zone_edge, precision):
    # a hair either side of a band edge (the equator among them), and half the
    # time a hair either side of a zone edge too: everywhere outside the reference
    # package's slivers the two agree exactly
    lat = edge - lat_hair if south else edge + lat_hair
    if on_zone_edge:
        lon = zone_edge - lon_hair if west else zone_edge + lon_hair
    assume(_reference_sliver(lon, lat, precision) is None)
    assert to_mgrs(lon, lat, precision) == _M.toMGRS(lat, lon, MGRSPrecision=precision)


def test_mgrs_just_south_of_the_equator_is_in_the_southern_square():
    # 3.3e-8 degrees south of the equator at 1 E: 3.65 mm south (a degree of the
    # meridian is 110,574 m at the equator, UTM's scale there 0.9996), inside the
    # reference package's equator sliver.  In the southern hemisphere UTM's false
    # northing is 10,000,000 m, so the northing is 9,999,999.996 m; MGRS truncates
    # to 9,999,999 m: 100 km row 99, i.e. 99 % 20 = 19 = "V" in an odd zone (rows
    # A-V from northing 0), digits 99999; band M (0-8 S).  The easting (2 degrees
    # west of zone 31's central meridian, 3 E) does not depend on the sign of the
    # latitude: column B, 77404, as the package says on the equator itself.
    lat, lon = -3.3e-8, 1.0
    assert _reference_sliver(lon, lat, 5) == "equator"
    assert pytest.approx(3.3e-8 * 110_574 * 0.9996, abs=1e-5) == 0.00365
    on_equator = _M.toMGRS(0.0, lon)
    assert on_equator == to_mgrs(lon, 0.0) == "31NBA7740400000"
    ours = to_mgrs(lon, lat)
    assert ours == "31M" + "B" + "V" + on_equator[5:10] + "99999"
    assert to_mgrs(lon, lat, 1) == "31MBV79"  # the failing draw of the issue
    assert to_mgrs(lon, lat, 2) == "31MBV7799"
    # the square we name lies south of the equator (its centre or south-west
    # corner, as the package decodes it, is south), ...
    assert _M.toLatLon(ours)[0] < 0.0
    # ... while the package's answer is row A, digits 00000: northing 0 modulo
    # 2,000,000 m, which in band M is 10,000,000 m, the equator, as the square's
    # south edge: the square lies north of the equator and the point is not in it
    # (mgrs 1.6 cannot even read it back: "Northing Error")
    theirs = _M.toMGRS(lat, lon)
    assert theirs[:5] == "31MBA" and theirs[10:] == "00000"
    assert from_mgrs(theirs)[1] == pytest.approx(0.0, abs=1e-9) and lat < 0.0
    # and the square we name contains the point: its south-west corner is at most
    # one metre south and its north edge is the equator
    c_lon, c_lat = from_mgrs(ours)
    assert -1.0 < (c_lat - lat) * 110_574 < 0.0
    # just outside the sliver the package agrees
    assert to_mgrs(lon, -1e-7) == _M.toMGRS(-1e-7, lon) == ours


@pytest.mark.parametrize("edge", [-72.0, -8.0, 8.0, 56.0, 72.0])
def test_mgrs_a_hair_south_of_a_band_edge_is_in_the_band_below(edge):
    # 4e-12 degrees (0.4 micrometres) south of a band edge: the point is in the band
    # whose northern edge that is (bands of 8 degrees from 80 S lettered C-X without
    # I and O), inside the package's band sliver; everything but the band letter is
    # the same as the package's answer (the easting and northing of the point do not
    # move by a micrometre across the edge)
    lat, lon = edge - 4e-12, 1.0
    assert lat < edge and _reference_sliver(lon, lat, 5) == "band"
    below = "CDEFGHJKLMNPQRSTUVWX"[round((edge + 80.0) / 8.0) - 1]
    ours = to_mgrs(lon, lat)
    assert ours[2] == below
    assert ours[:2] + ours[3:] == (lambda t: t[:2] + t[3:])(_M.toMGRS(lat, lon))
    assert to_mgrs(lon, edge)[2] == _M.toMGRS(edge, lon)[2] == "CDEFGHJKLMNPQRSTUVWX"[
        round((edge + 80.0) / 8.0)]


def test_mgrs_a_hair_west_of_a_zone_edge_is_in_the_zone_to_the_west():
    # 2e-9 degrees (0.14 mm at 50 N) west of 6 E, the edge of zones 31 (0-6 E) and
    # 32: the point is in zone 31, inside the package's zone sliver (mgrs 1.6).  Its
    # reference in zone 31 is the one of a point 1e-6 degrees (7 cm) further west,
    # outside the sliver, where the package agrees, to the metre: zone 31's
    # easting there is 714,984.7 m, 30 cm from a metre line.
    lat, lon = 50.0, 6.0 - 2e-9
    assert _reference_sliver(lon, lat, 5) == "zone"
    e, _ = _utm_fwd(31, True).transform(lon, lat)
    assert 0.1 < e % 1 < 0.9
    ours = to_mgrs(lon, lat)
    assert ours.startswith("31U")
    assert ours == to_mgrs(lon - 1e-6, lat) == _M.toMGRS(lat, lon - 1e-6)
    assert to_mgrs(6.0, lat) == _M.toMGRS(lat, 6.0) == "32UKA8501542944"


@pytest.mark.parametrize("precision", [1, 3, 5])
def test_mgrs_a_hair_south_of_a_grid_line_is_in_the_square_below(precision):
    # 0.1 mm south of northing 1,300,000 m (a 100 km line) in zone 31 N, 0.5 m east
    # of its central meridian: inside the package's grid sliver (mgrs 1.6).  MGRS
    # truncates: northing 1,299,999 m, 100 km row 12 = "N" (rows A-V from northing 0
    # in an odd zone), digits 9s; easting 500,000 m: column 5 of zone 31's set
    # A-H = "E", digits 0s; band P (8-16 N, the point is at 11.75 N).
    inv = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True)
    lon, lat = inv.transform(500_000.5, 1_300_000.0 - 1e-4)
    e, n = _utm_fwd(31, True).transform(lon, lat)
    assert math.floor(n) == 1_299_999 and 1_300_000 - n < REF_EPSILON2_M
    assert _reference_sliver(lon, lat, precision) == "grid"
    assert to_mgrs(lon, lat, precision) == "31PEN" + "0" * precision + "9" * precision
    # 1 mm further south the package agrees
    lon2, lat2 = inv.transform(500_000.5, 1_300_000.0 - 1e-3)
    assert to_mgrs(lon2, lat2, precision) == _M.toMGRS(lat2, lon2, MGRSPrecision=precision) \
        == "31PEN" + "0" * precision + "9" * precision


#: The project's 1 micrometre rounding of northings, as degrees of latitude at the
#: equator (110,574 m a degree, UTM scale 0.9996), with 1 % to spare.
_EQUATOR_ROUNDING_DEG = 0.5e-6 / (110_574 * 0.9996) * _SLACK


@settings(max_examples=150, deadline=None)
@given(lat=st.floats(-79.5, 83.5), lon=st.floats(-179.5, 179.5))
def test_property_from_mgrs_round_trip(lat, lon):
    # The project rounds eastings and northings to 1 micrometre (float noise), so
    # less than 0.5 um south of the equator (4.5e-12 degrees) the southern northing
    # is 10,000,000 m: band M's square on the equator, "...00000", which the
    # package refuses to read (mgrs 1.6: "Northing Error"); ours reads it.
    assume(not -_EQUATOR_ROUNDING_DEG < lat < 0.0)
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
