"""The incident form: the country a position lies in, the form's values <-> a record, saving.

Countries are checked against the committed ``countries.geojson`` read with json +
shapely (not through the layer loader); the form's logic on plain dicts; the page
through Streamlit's AppTest on a temporary store (``DASHBOARD_DATA_DIR``).
"""
from __future__ import annotations

import json
from functools import cache

import pytest
from shapely.geometry import Point, shape

from conftest import GEODATA
from dashboard.analysis.incident_country import country_at, country_mismatch


# ----------------------------------------------------------------- country_at
@cache
def _countries() -> list[tuple[str, object]]:
    with open(GEODATA / "countries.geojson", encoding="utf-8") as fh:
        return [(f["properties"]["iso_a2"], shape(f["geometry"]))
                for f in json.load(fh)["features"]]


@pytest.mark.parametrize(("lonlat", "iso"), [
    ((23.93432, 50.47099), "PL"), ((21.0122, 52.2297), "PL"), ((24.0297, 49.8397), "UA"),
    ((27.5615, 53.9045), "BY"), ((28.8638, 47.0105), "MD"), ((26.1025, 44.4268), "RO"),
    ((24.1052, 56.9496), "LV"), ((25.2797, 54.6872), "LT"), ((24.7536, 59.437), "EE"),
    ((20.51, 54.71), "RU"), ((28.18, 45.45), "RO"),  # Kaliningrad; Galați
])
def test_country_at_names_the_country_that_holds_the_point(lonlat, iso):
    assert country_at(*lonlat) == iso
    assert [c for c, g in _countries() if g.contains(Point(lonlat))] == [iso]


def test_country_at_is_none_at_sea_outside_the_coverage_and_for_junk():
    for lonlat in ((19.0, 56.5), (31.0, 43.5), (60.0, 50.0), (-3.7, 40.4)):
        assert country_at(*lonlat) is None, lonlat
        assert not any(g.contains(Point(lonlat)) for _, g in _countries() if lonlat[0] < 45)
    assert country_at(float("nan"), 50.0) is None


def test_country_at_agrees_with_the_polygons_on_a_grid():
    """Every point of a 0.5° grid over the flank: the polygon that holds it, or none."""
    polys = _countries()
    for lon in [14.0 + 0.5 * i for i in range(40)]:
        for lat in [43.0 + 0.5 * j for j in range(30)]:
            want = [c for c, g in polys if g.intersects(Point(lon, lat))]
            got = country_at(lon, lat)
            assert (got is None and not want) or got in want, (lon, lat, got, want)


def test_a_typed_country_that_disagrees_with_the_position_is_one_line():
    assert country_mismatch("UA", (23.93432, 50.47099)) == \
        "the position 50.47099, 23.93432 lies in PL, not in UA"
    assert country_mismatch("pl", (23.93432, 50.47099)) is None
    assert country_mismatch("", (23.93432, 50.47099)) is None
    assert country_mismatch("PL", None) is None
    assert country_mismatch("PL", (19.0, 56.5)) is None  # at sea: nothing to compare
