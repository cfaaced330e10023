"""Events from the one map: parsing tolerates junk and never raises."""
from __future__ import annotations

import dataclasses
import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.state import mapevents
from dashboard.state.mapevents import (
    Click,
    Drawn,
    LayersToggled,
    Measure,
    Missing,
    ViewChange,
    new_events,
    parse_event,
    parse_events,
)

H1, H2 = "a" * 40, "0123456789abcdef0123456789abcdef01234567"


def _square(w=23.0, s=50.0, e=24.0, n=51.0) -> dict:
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _value(*events) -> dict:
    return {"seq": max((e.get("seq", 0) for e in events if isinstance(e, dict)), default=0),
            "events": list(events)}


def test_module_doctests():
    assert doctest.testmod(mapevents).failed == 0


def test_every_event_type():
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _square(), "properties": {"zone_id": "new-1",
                                                                  "shape": "rectangle",
                                                                  "bounds": [23, 50, 24, 51]}}]}
    value = _value(
        {"seq": 1, "type": "click", "lon": 23.9, "lat": 50.4, "layer": None, "feature": None,
         "index": None},
        {"seq": 2, "type": "view", "lon": 24, "lat": 50, "zoom": 6.5,
         "bounds": [18, 47, 30, 53], "width": 1200, "height": 640.0},
        {"seq": 3, "type": "measure", "points": [[23, 50], [24.5, 51]]},
        {"seq": 4, "type": "drawn", "features": fc},
        {"seq": 5, "type": "layers", "visible": ["countries", "cities"]},
        {"seq": 6, "type": "missing", "hashes": [H1, "not-a-hash", H2]},
    )
    events = parse_events(value)
    assert [type(e) for e in events] == [Click, ViewChange, Measure, Drawn, LayersToggled, Missing]
    click, view, measure, drawn, layers, missing = events
    assert click == Click(1, 23.9, 50.4)
    assert view == ViewChange(2, 24.0, 50.0, 6.5, (18.0, 47.0, 30.0, 53.0), 1200, 640)
    assert measure.points == ((23.0, 50.0), (24.5, 51.0))
    props = drawn.features["features"][0]["properties"]
    assert props == {"zone_id": "new-1", "shape": "rectangle", "bounds": [23.0, 50.0, 24.0, 51.0]}
    assert layers.visible == ("countries", "cities")
    assert missing.hashes == (H1, H2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        click.lon = 0.0  # type: ignore[misc]


@pytest.mark.parametrize("event", [
    None, 3, "click", [], {}, {"type": "click"},
    {"seq": True, "type": "click", "lon": 1, "lat": 1},
    {"seq": 1.5, "type": "click", "lon": 1, "lat": 1},
    {"seq": 1, "type": "hover", "lon": 1, "lat": 1},
    {"seq": 1, "type": "click", "lon": float("nan"), "lat": 1},
    {"seq": 1, "type": "click", "lon": "23.9", "lat": 50},
    {"seq": 1, "type": "click", "lon": 190, "lat": 50},
    {"seq": 1, "type": "click", "lon": 10 ** 400, "lat": 50},
    {"seq": 10 ** 400, "type": "click", "lon": 23, "lat": 50},
    {"seq": 1, "type": "click", "lon": 23, "lat": 50, "index": 1.5},
    {"seq": 1, "type": "click", "lon": 23, "lat": 50, "layer": {"x": 1}},
    {"seq": 1, "type": "view", "lon": 23, "lat": 50, "zoom": None, "bounds": [1, 2, 3, 4]},
    {"seq": 1, "type": "view", "lon": 23, "lat": 50, "zoom": 5, "bounds": [3, 2, 1, 4]},
    {"seq": 1, "type": "view", "lon": 23, "lat": 50, "zoom": 5, "bounds": [1, 2, 3]},
    {"seq": 1, "type": "measure", "points": [[23, 50]]},
    {"seq": 1, "type": "measure", "points": [[23, 50], [23, 95]]},
    {"seq": 1, "type": "drawn", "features": None},
    {"seq": 1, "type": "drawn", "features": {"features": "x"}},
    {"seq": 1, "type": "layers", "visible": "countries"},
    {"seq": 1, "type": "layers", "visible": ["countries", 3]},
    {"seq": 1, "type": "missing", "hashes": H1},
], ids=repr)
def test_malformed_events_are_dropped(event):
    assert parse_event(event) is None
    assert parse_events({"seq": 1, "events": [event]}) == []


def test_view_bounds_are_clamped_to_the_globe():
    ev = parse_event({"seq": 9, "type": "view", "lon": 0, "lat": 0, "zoom": 0.5,
                      "bounds": [-400, -100, 400, 100]})
    assert ev.bounds == (-180.0, -90.0, 180.0, 90.0) and ev.width is None


def test_drawn_keeps_good_features_and_drops_bad_ones():
    good = {"type": "Feature", "geometry": _square(),
            "properties": {"zone_id": "z1", "shape": "circle", "center": [23.5, 50.5],
                           "edge": ["x", 1], "name": "<b>Z</b>"}}
    bad = [
        "junk", {"type": "Feature", "geometry": _square()},  # no zone_id
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]},
         "properties": {"zone_id": "p"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "x"},
         "properties": {"zone_id": "q"}},
        {"type": "Feature", "geometry": _square(200, 50, 210, 51), "properties": {"zone_id": "r"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []},
         "properties": {"zone_id": "s"}},
    ]
    ev = parse_event({"seq": 4, "type": "drawn",
                      "features": {"type": "FeatureCollection", "features": [*bad, good]}})
    (kept,) = ev.features["features"]
    assert kept["properties"] == {"zone_id": "z1", "shape": "circle", "center": [23.5, 50.5],
                                  "name": "<b>Z</b>"}
    odd = parse_event({"seq": 5, "type": "drawn", "features": {"features": [
        {"geometry": _square(), "properties": {"zone_id": "z", "shape": "hexagon"}}]}})
    assert odd.features["features"][0]["properties"]["shape"] == "polygon"


def test_events_are_sorted_and_deduplicated_by_seq():
    value = {"seq": 3, "events": [{"seq": 3, "type": "click", "lon": 3, "lat": 3},
                                  {"seq": 1, "type": "click", "lon": 1, "lat": 1},
                                  {"seq": 3, "type": "click", "lon": 9, "lat": 9}]}
    assert [(e.seq, e.lon) for e in parse_events(value)] == [(1, 1.0), (3, 3.0)]


def test_new_events_hands_out_each_event_once():
    e1 = {"seq": 10, "type": "click", "lon": 23, "lat": 50}
    e2 = {"seq": 11, "type": "view", "lon": 23, "lat": 50, "zoom": 7, "bounds": [22, 49, 24, 51]}
    fresh, seen = new_events(_value(e1), frozenset())
    assert [e.seq for e in fresh] == [10]
    fresh, seen = new_events(_value(e1), seen)  # a rerun with the same value
    assert fresh == []
    fresh, seen = new_events(_value(e1, e2), seen)  # a fast click then pan: both kept
    assert [e.seq for e in fresh] == [11]
    # a re-mounted map starts at another random seq, even a lower one
    remount = {"seq": 5, "type": "click", "lon": 24, "lat": 51}
    fresh, seen = new_events(_value(remount), seen)
    assert [e.seq for e in fresh] == [5] and seen == frozenset({5})
    assert new_events(None, seen) == ([], seen)
    assert new_events({"events": ["junk"]}, seen) == ([], seen)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["seq", "type", "lon", "lat", "zoom", "bounds", "points",
                                       "features", "visible", "hashes", "geometry",
                                       "properties", "coordinates", "zone_id", "events"]),
                      children, max_size=6),
    max_leaves=25)
_types = st.sampled_from(["click", "view", "measure", "drawn", "layers", "missing", "x"])


@settings(max_examples=200, deadline=None)
@given(_json, st.lists(st.tuples(_types, st.integers(-5, 5), _json), max_size=5))
def test_parsing_never_raises(junk, typed):
    parse_events(junk)
    parse_events({"events": junk})
    events = [{"type": t, "seq": s, "lon": j, "lat": j, "zoom": j, "bounds": j, "points": j,
               "features": j, "visible": j, "hashes": j} for t, s, j in typed]
    for ev in parse_events({"seq": 1, "events": events}):
        assert isinstance(ev.seq, int)
