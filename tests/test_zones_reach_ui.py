"""The zones page's "Reach from NATO soil" section in AppTest: bases, aircraft preset, speed and
launchers give the core's figures, the bands and discs reach the map, the compare table gains
its reach, GBAD and effectiveness columns, and a bad launcher line is one message."""
from __future__ import annotations

import html
import json
import re

import pytest
from test_zones_ui import ok, open_page, table, zones

from conftest import errors
from dashboard.analysis.gbad import gbad_cover
from dashboard.analysis.reach import reach_figures
from dashboard.analysis.zones import preset_zone
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer
from dashboard.state.zone_reach import AIRCRAFT_KEY, BASES_KEY, GBAD_KEY, SPEED_KEY

EPRZ, EPLK = ("EPRZ", 22.019, 50.11), ("EPLK", 19.1791, 51.5517)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.slow
def test_reach_section_figures_map_and_compare_table():
    at = open_page()
    at.selectbox(key="build_preset").set_value("ua-border-oblasts")
    at.button(key="build_preset_add").click().run()
    ok(at)
    at.multiselect(key=BASES_KEY).set_value(["EPRZ", "EPLK"])
    at.selectbox(key=AIRCRAFT_KEY).set_value("f-16")
    at.number_input(key=SPEED_KEY).set_value(900.0)
    at.text_area(key=GBAD_KEY).input("50.11, 22.02, patriot")
    ok(at.run())
    (z,) = zones(at)
    r = reach_figures(z.geometry, [EPRZ, EPLK], 805.0, 900.0)
    shown = " ".join(m.value for m in at.markdown)
    assert f"**In reach** {round(100 * r.share, 1):g} % of the zone" in shown
    assert f"**{r.minutes:,.0f} min** at 900 km/h" in shown and "lower bound" in " ".join(
        c.value for c in at.caption)
    g = gbad_cover(z.geometry, [(22.02, 50.11, 160.0)],
                   nato_border_on(at.session_state["as_of"], load_layer("nato_border")))
    assert f"**Air defence covers** {round(100 * g.zone_share, 1):g} % of the zone" in shown
    args = json.dumps(next(c for c in at.get("component_instance")).proto.json_args)
    assert "reach" in args and "gbad" in args
    t = table(at)
    row = t.iloc[0]
    assert row["in reach (%)"] == pytest.approx(round(100 * r.share, 1))
    assert row["GBAD cover (%)"] == pytest.approx(round(100 * g.zone_share, 1))
    assert row["effectiveness (hits of N)"] == ""


@pytest.mark.slow
def test_bad_launcher_line_is_one_message_and_effectiveness_column():
    at = open_page()
    at.selectbox(key="build_preset").set_value("lviv-volyn")
    at.button(key="build_preset_add").click().run()
    at.text_area(key=GBAD_KEY).input("50.11, 22.02")
    ok(at.run())
    assert any("launcher line 1" in e for e in errors(at))
    at.text_area(key=GBAD_KEY).input("23.93, 50.47, 100")
    ok(at.run())
    assert any("did you mean 50.47000, 23.93000" in e for e in errors(at))
    at.checkbox(key="zone_compare_eff").check()
    ok(at.run())
    cell = table(at).iloc[0]["effectiveness (hits of N)"]
    from dashboard.analysis import effectiveness as eff
    from dashboard.analysis.incident_catalogue import incident_rows
    rows = eff.effectiveness(preset_zone("lviv-volyn"), eff.default_hypotheses(incident_rows()))
    hits = sum(x.share_at_least(eff.MIN_KM) >= eff.MIN_SHARE for x in rows)
    assert cell == f"{hits} of {len(rows)}"


@pytest.mark.slow
def test_the_pages_brief_carries_the_reach_and_air_defence_figures():
    at = open_page()
    at.selectbox(key="build_preset").set_value("ua-border-oblasts")
    at.button(key="build_preset_add").click().run()
    at.multiselect(key=BASES_KEY).set_value(["EPRZ", "EPLK"])
    at.selectbox(key=AIRCRAFT_KEY).set_value("f-16")
    at.text_area(key=GBAD_KEY).input("50.11, 22.02, patriot")
    at.selectbox(key="brief_fmt").set_value("svg")
    ok(at.run())
    at.button(key="brief_make").click()
    ok(at.run())
    raw = at.session_state["brief_file"][1].decode("utf-8")
    svg = " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", raw))
    (z,) = zones(at)
    r = reach_figures(z.geometry, [EPRZ, EPLK], 805.0, None)
    g = gbad_cover(z.geometry, [(22.02, 50.11, 160.0)],
                   nato_border_on(at.session_state["as_of"], load_layer("nato_border")))
    assert f"{100 * r.share:.1f} % of " in svg, svg[:2000]
    assert f"{100 * g.zone_share:.1f} % of " in svg
    assert "Reach from NATO soil" in svg and "Air-defence discs" in svg
