"""The map's search box finds villages of the gazetteer, after incidents, cities,
regions and countries (issue 19 item 3)."""
from __future__ import annotations

import pytest

from dashboard.geo.errors import InputError
from dashboard.state import search
from dashboard.state.search import ZOOM_BY_KIND, find_place


def test_przewodow_finds_the_incident_with_or_without_accents():
    for text in ("Przewodow", "Przewodów", "PRZEWODOW", "2022-11-15-przewodow"):
        hit = find_place(text)
        assert hit.kind == "incident" and "Przewodów" in hit.name, text
        assert (round(hit.lon, 5), round(hit.lat, 5)) == (23.93432, 50.47099)


def test_a_village_is_a_place_at_village_zoom():
    hit = find_place("Ustrzyki Dolne")
    assert (hit.kind, hit.name) == ("place", "Ustrzyki Dolne, PL")
    assert ZOOM_BY_KIND["place"] == 12.0 and hit.view_request(3)["zoom"] == 12.0
    assert (hit.lon, hit.lat) == pytest.approx((22.59381, 49.4304))


def test_cities_regions_countries_come_before_the_gazetteer():
    assert find_place("Lviv").kind == "city"
    assert find_place("Львів").kind == "city"  # Cyrillic reaches the cities layer too
    assert find_place("Lviv Oblast").kind == "region"
    assert find_place("Poland").kind == "country"
    assert find_place("lubl").name == "Lublin"


def test_an_incident_village_goes_to_the_incident():
    hit = find_place("Grindu")
    assert hit.kind == "incident" and "Grindu" in hit.name


def test_alternate_names_and_cyrillic_find_villages():
    assert find_place("Lwow").name == "Lviv, UA"
    hit = find_place("Кривий Ріг")
    assert hit.kind == "place" and hit.name.startswith("Kryv")


def test_the_incident_source_is_one_function(monkeypatch):
    """The lead swaps the layer for the store-backed catalogue in ``incidents()`` only."""
    real = search.incidents()
    monkeypatch.setattr(search, "incidents", lambda: real[real["id"] != "2022-11-15-przewodow"])
    with pytest.raises(InputError):
        find_place("Przewodow")


def test_unpositioned_incidents_are_skipped(monkeypatch):
    real = search.incidents().copy()
    real.loc[real["id"] == "2022-11-15-przewodow", "geometry"] = None
    monkeypatch.setattr(search, "incidents", lambda: real)
    with pytest.raises(InputError):
        find_place("Przewodow")


@pytest.mark.parametrize("text, message", [
    ("", "type a place"), ("!!!", "no letters or digits"),
    ("Nowhere-at-all-xyz", "found no city, region, country, incident or place"),
])
def test_bad_input(text, message):
    with pytest.raises(InputError) as exc:
        find_place(text)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_positions_still_work():
    assert find_place("50.47099, 23.93432").kind == "position"
