"""A briefing map describes the view it was made from (issue 18, defect 1).

Each brief is made on the Explore page through AppTest in SVG, whose text is the text a
person reads on the page (title, date-time group, key figures); the file name is the one
the page names next to the download button.  Expected titles and groups are written from
the incident catalogue by hand, not with the project's formatting code.
"""
from __future__ import annotations

import re
from html import unescape

import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP, PRZEWODOW_LONLAT, geodata_feature

KORSZE = "2025-09-20-korsze"


def _lonlat(incident_id: str) -> tuple[float, float]:
    lon, lat = geodata_feature("incidents", "id", incident_id)["geometry"]["coordinates"][:2]
    return float(lon), float(lat)


def _view_event(seq: int, lon: float, lat: float, half_lon: float = 3.0,
                half_lat: float = 1.5) -> dict:
    return {"seq": seq, "type": "view", "lon": lon, "lat": lat, "zoom": 7,
            "bounds": [lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat],
            "width": 1200, "height": 700}


def make_brief(origin=None, events=()) -> tuple[list[str], str]:
    """The SVG brief's text runs and the file name the page gives it."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if origin is not None:
        at.session_state["origin"] = origin
    if events:
        at.session_state["explore_map"] = {"seq": events[-1]["seq"], "events": list(events)}
    at.run()
    at.selectbox(key="brief_fmt").select("svg").run()
    at.button(key="brief_make").click().run()
    assert not at.exception, at.exception
    svg = at.session_state["brief_file"][1].decode()
    texts = [unescape(re.sub(r"<[^>]+>", "", t)).strip()
             for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)]
    files = [c.value.removeprefix("File: ").replace("\\", "") for c in at.caption
             if c.value.startswith("File: ")]
    assert len(files) == 1
    return texts, files[0]


def test_a_launch_area_of_another_incident_is_the_subject():
    lon, lat = _lonlat(KORSZE)
    texts, name = make_brief(origin=(KORSZE, 0.0, 150.0), events=[_view_event(5, lon, lat)])
    place = geodata_feature("incidents", "id", KORSZE)["properties"]["place"].split(",")[0]
    assert f"Launch area: {place} strike, 20 Sep 2025" in texts
    assert not any("Przewodów" in t for t in texts)
    assert "20 SEP 25" in texts and "151440Z NOV 22" not in texts
    assert name == f"brief-{KORSZE}-launch-area.svg"
    assert not any(t.startswith("Strike →") for t in texts)  # Przewodów's distances left
    assert any(t.startswith("Launch area in PL") for t in texts)


def test_a_view_without_an_incident_is_titled_by_its_centre():
    # Over the Baltic coast west of Gdańsk: no incident, no launch area in view.
    texts, name = make_brief(events=[_view_event(5, 17.0, 54.5, 1.0, 0.5)])
    assert "Situation map, 54.50°N 17.00°E" in texts
    assert "DATE-TIME GROUP (UTC)" not in texts and "151440Z NOV 22" not in texts
    assert not any("Przewodów" in t or t.startswith("Strike →") for t in texts)
    assert name == "brief-view-54.50N-17.00E.svg"


@pytest.mark.parametrize("hidden", ["zones"])
def test_the_selected_incident_in_view_keeps_its_words_and_hidden_layers_leave_the_figures(
        hidden):
    lon, lat = PRZEWODOW_LONLAT
    at_ids = ["countries", "water", "regions", "zones", "nato_border", "cities", "incidents",
              "strike_border", "precision"]
    events = [_view_event(5, lon, lat),
              {"seq": 6, "type": "layers", "visible": [i for i in at_ids if i != hidden]}]
    texts, name = make_brief(events=events)
    assert "Przewodów strike, 15 Nov 2022" in texts and "151440Z NOV 22" in texts
    assert name == "brief-2022-11-15-przewodow.svg"
    assert any(t.startswith("Strike → NATO border") for t in texts)
    zone_name = geodata_feature("zones", "id", "ua-border-oblasts")["properties"]["name"]
    assert not any(t.startswith(zone_name) for t in texts)


def test_the_hidden_zone_figure_is_there_when_the_zones_are_shown():
    """The counter-check: the zone's figure is in the key figures while its layer is on."""
    lon, lat = PRZEWODOW_LONLAT
    texts, _ = make_brief(events=[_view_event(5, lon, lat)])
    zone_name = geodata_feature("zones", "id", "ua-border-oblasts")["properties"]["name"]
    assert any(t.startswith(zone_name) for t in texts)
