"""SceneRequest: one typed value for what a map shows, and the one way a scenario becomes one."""
from __future__ import annotations

import json
from datetime import date

import pytest
from shapely.geometry import Polygon

from conftest import PRZEWODOW_LONLAT
from dashboard import store as scenarios
from dashboard.geo.errors import InputError
from dashboard.scene.model import View
from dashboard.scene.request import MAX_RINGS, SceneRequest, scenario_request

PRZ = PRZEWODOW_LONLAT
KNOWN = {"2022-11-15-przewodow": PRZ, "2023-12-14-grindu": (28.2, 45.4)}
BOX = Polygon([(23, 49), (25, 49), (25, 51), (23, 51)])


def test_request_is_frozen_and_normalised():
    r = SceneRequest(ring_radii_km=[90, 75, 75], zone_ids=["lviv-volyn"], band_km=0)
    assert r.ring_radii_km == (75.0, 90.0) and r.zone_ids == ("lviv-volyn",)
    assert r.band_km is None  # 0 = off
    with pytest.raises(AttributeError):
        r.units = "nm"  # type: ignore[misc]
    assert r.replace(units="nm").units == "nm" and r.units == "km"


@pytest.mark.parametrize("kwargs,fragment", [
    ({"ring_radii_km": (0,)}, "positive"),
    ({"ring_radii_km": (float("nan"),)}, "positive"),
    ({"band_km": -5}, "positive"),
    ({"units": "furlong"}, "unknown distance unit"),
    ({"visible_layers": ("roads",)}, "unknown layer"),
])
def test_bad_requests_are_refused_with_one_line(kwargs, fragment):
    with pytest.raises(InputError, match=fragment):
        SceneRequest(**kwargs)


def test_user_layers_do_not_decide_equality():
    a = SceneRequest(user_layers={"a": object()})
    b = SceneRequest()
    assert a == b and a.user_layers[0][0] == "a"


def _scenario(**kw) -> scenarios.Scenario:
    base = dict(name="S", incident_id="2022-11-15-przewodow", units="nm",
                as_of=date(2023, 5, 1),
                zones=[scenarios.Zone("z1", "West box", BOX)],
                buffers=[scenarios.Buffer(*PRZ, 75.0), scenarios.Buffer(*PRZ, 90.0),
                         scenarios.Buffer.around_layer("nato_border", 40.0)],
                view=scenarios.ScenarioView(lon=24.0, lat=50.0, zoom=6.0))
    base.update(kw)
    return scenarios.Scenario(**base)


def test_scenario_request_takes_every_part():
    req, msgs = scenario_request(_scenario(), KNOWN)
    assert msgs == []
    assert req.extra_zones == (("West box", BOX),)
    assert req.ring_radii_km == (75.0, 90.0) and req.ring_center == PRZ
    assert req.band_km == 40.0 and req.units == "nm" and req.as_of == date(2023, 5, 1)
    assert req.incident_id == "2022-11-15-przewodow" and req.title == "S"
    assert req.view == View.around(24.0, 50.0, 6.0)


def test_scenario_request_says_what_it_leaves_out():
    sc = _scenario(incident_id="1999-01-01-nowhere",
                   buffers=[scenarios.Buffer(*PRZ, 75.0), scenarios.Buffer(20.0, 50.0, 10.0),
                            scenarios.Buffer.around_layer("cities", 5.0)])
    base = SceneRequest(incident_id="2023-12-14-grindu", zone_ids=())
    req, msgs = scenario_request(sc, KNOWN, base=base)
    assert req.incident_id == "2023-12-14-grindu"  # kept the selected one
    assert req.ring_radii_km == (75.0,) and req.band_km is None and req.zone_ids == ()
    assert any("not in this dashboard" in m for m in msgs)
    assert any("1 ring(s) around other points" in m for m in msgs)
    assert any("'cities'" in m for m in msgs)


def test_scenario_request_caps_the_rings():
    sc = _scenario(buffers=[scenarios.Buffer(*PRZ, float(r)) for r in range(1, 20)])
    req, msgs = scenario_request(sc, KNOWN)
    assert len(req.ring_radii_km) == MAX_RINGS and any("first 12 rings" in m for m in msgs)


def test_brief_scenario_file_goes_through_the_same_function(tmp_path):
    from dashboard.cli.brief import scenario_file_request

    sc = _scenario()
    f = tmp_path / "s.geojson"
    f.write_text(json.dumps(scenarios.to_geojson(sc)))
    req, msgs = scenario_file_request(f)
    expected, _ = scenario_request(sc, KNOWN, base=SceneRequest(zone_ids=()))
    assert msgs == [] and req == expected


def test_zones_page_and_brief_make_the_same_request_from_one_scenario_file(tmp_path):
    """The page opens a scenario file and builds its map request from the session state;
    ``brief --scenario`` reads the same file: band, rings, zones, date, units and view agree."""
    from dashboard.cli.brief import scenario_file_request
    from dashboard.state import session as appstate
    from dashboard.state import zone_choices, zone_scenario, zonemap

    f = tmp_path / "s.geojson"
    f.write_text(json.dumps(scenarios.to_geojson(_scenario())))
    state: dict = {}
    appstate.init(state)
    zonemap.init(state)
    opened = scenarios.from_geojson(f.read_bytes(), default_name="s")
    assert zone_scenario.apply_scenario(state, opened, zone_choices.incident_lonlats()) == []
    v = state["zones_view"]
    page = appstate.scene_request(state, appstate.incidents_by_id(),
                                  view=View.around(v["lon"], v["lat"], v["zoom"]))
    cli, messages = scenario_file_request(f)
    assert messages == []
    for field in ("band_km", "ring_radii_km", "ring_center", "extra_zones", "as_of", "units",
                  "view", "incident_id"):
        assert getattr(page, field) == getattr(cli, field), field
    assert page.band_km == 40.0 and page.ring_radii_km == (75.0, 90.0) and page.units == "nm"
