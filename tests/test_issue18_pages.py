"""Issue 18, small defects: what the pages show, read through AppTest as a person reads it.

The incident table's cells as displayed (the Styler's display values the browser draws),
the chart's colour scale and data, the search's title and error, the measured distance.
"""
from __future__ import annotations

import json
from datetime import date

import pyarrow as pa
import pytest
from geo_reference import GEOD
from streamlit.testing.v1 import AppTest

from conftest import APP, catalogue

INCIDENTS = "ui/incidents.py"
EXPLORE = "ui/explore.py"
ZONES = "ui/zones.py"


def run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def shown_cells(at: AppTest) -> list[list[str]]:
    """The incident table's cells as the browser draws them (display values)."""
    df = next(d for d in at.dataframe if "NATO segment" in d.value.columns)
    table = pa.ipc.open_stream(df.proto.arrow_data.styler.display_values).read_all()
    return [[str(v) for v in row.values()] for row in table.to_pylist()]


def chart(at: AppTest) -> tuple[dict, list[dict]]:
    """The monthly chart's spec and its rows."""
    proto = at.get("vega_lite_chart")[0].proto
    rows = pa.ipc.open_stream(proto.datasets[0].data.data).read_all().to_pylist()
    return json.loads(proto.spec), rows


def colour_of(spec: dict) -> dict[str, str]:
    scale = spec["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"]))


def test_the_incident_table_never_shows_none():
    at = go(run_app(), INCIDENTS)
    cells = shown_cells(at)
    assert cells and not any(c in ("None", "nan", "NaN", "<NA>") for row in cells for c in row)
    unsourced = [r for r in cells if "position not sourced" in r]
    assert unsourced and all("—" in r for r in unsourced)  # missing distances read "—"


def test_country_colours_do_not_change_with_the_filter():
    at = go(run_app(), INCIDENTS)
    every = colour_of(chart(at)[0])
    at.date_input(key="inc_from").set_value(date(2025, 1, 1))
    at.date_input(key="inc_to").set_value(date(2025, 12, 31)).run()
    assert not at.exception
    only_2025 = colour_of(chart(at)[0])
    countries = {r["country"] for r in catalogue()}
    assert countries <= set(every) and countries <= set(only_2025)
    assert {c: every[c] for c in countries} == {c: only_2025[c] for c in countries}
    assert len({every[c] for c in countries}) == len(countries)  # one colour each


def test_the_monthly_chart_shows_every_month_of_the_range_with_zeros():
    at = go(run_app(), INCIDENTS)
    at.date_input(key="inc_from").set_value(date(2025, 1, 1))
    at.date_input(key="inc_to").set_value(date(2025, 12, 31)).run()
    _, rows = chart(at)
    per_month: dict[str, int] = {}
    for r in rows:
        m = str(r["month"])[:7]
        per_month[m] = per_month.get(m, 0) + int(r["incidents"])
    assert sorted(per_month) == [f"2025-{m:02d}" for m in range(1, 13)]
    expected: dict[str, int] = {}
    for r in catalogue():
        if "2025-01-01" <= r["date"] <= "2025-12-31":
            expected[r["date"][:7]] = expected.get(r["date"][:7], 0) + 1
    assert per_month == {m: expected.get(m, 0) for m in per_month}
    assert 0 in per_month.values()  # the empty months are there, at zero


def test_a_position_search_is_titled_with_the_full_position():
    at = run_app()
    at.text_input(key="search_text").set_value("50.47099 23.93432").run()
    assert not at.exception
    titles = [s.value for s in at.subheader if s.value.startswith("Selected on map")]
    assert titles == ["Selected on map: 50.47099, 23.93432"]


def test_a_failed_search_error_does_not_follow_to_other_pages():
    at = run_app()
    at.text_input(key="search_text").set_value("Nowhere-at-all-xyz").run()
    assert any("Nowhere-at-all-xyz" in e.value for e in at.error)
    go(at, ZONES)
    assert not any("Nowhere-at-all-xyz" in e.value for e in at.error)
    go(at, EXPLORE)
    assert not any("Nowhere-at-all-xyz" in e.value for e in at.error)
    at.text_input(key="search_text").set_value("Lviv").run()  # a new search: no old error
    assert not at.error


def test_a_measurement_on_the_map_shows_its_result_outside_the_tabs():
    at = run_app()
    a, b = (23.93432, 50.47099), (24.0297222, 49.8397222)
    at.session_state["explore_map"] = {"seq": 7, "events": [
        {"seq": 7, "type": "measure", "points": [list(a), list(b)]}]}
    at.run()
    assert not at.exception
    in_tabs = [m.label for t in at.tabs for m in t.metric]
    assert "Measured distance" not in in_tabs
    shown = [m.value for m in at.metric if m.label == "Measured distance"]
    _, _, d_m = GEOD.inv(*a, *b)
    assert len(shown) == 1
    assert float(shown[0].split()[0].replace(",", "")) == pytest.approx(d_m / 1000, abs=0.05)
