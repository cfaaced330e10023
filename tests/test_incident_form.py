"""The incident form: the country a position lies in, the form's values <-> a record, saving.

Countries are checked against the committed ``countries.geojson`` read with json +
shapely (not through the layer loader); the form's logic on plain dicts; the page
through Streamlit's AppTest on a temporary store (``DASHBOARD_DATA_DIR``).
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from functools import cache

import pytest
from geo_reference import GEOD
from shapely.geometry import Point, shape

from conftest import APP, GEODATA, PRZEWODOW_LONLAT, errors, run_app
from dashboard.analysis.incident_country import country_at, country_mismatch
from dashboard.data.incidents.check import check_incident
from dashboard.data.incidents.record import EXAMPLE, Incident
from dashboard.geo.errors import InputError
from dashboard.state import incident_form as form
from dashboard.state import incident_import as imp
from dashboard.store.incidents import open_incident_store

#: Inside the shipped catalogue's span: the sidebar's date filter ends at its last date.
NEW_ID = "2026-05-01-zosin"


def _good_values() -> form.FormValues:
    """A new incident as typed into the form: a drone near Zosin, PL, one graded source."""
    return form.FormValues(
        date=date(2026, 5, 1), time_utc="02:10", place="Zosin", country="PL",
        object_type="drone", munition="Gerbera decoy", attributed_to="russian",
        attribution="Polish Operational Command: a Russian drone",
        sources=(form.SourceValues("https://example.org/zosin", "Example News", "2026-12-02",
                                   "B", "2"),),
        lat="50.45", lon="23.95", position_kind="estimate", precision_m="3000",
        status="reported")


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


# ----------------------------------------------------------------- the form's logic
def test_an_incident_goes_through_the_form_and_back_unchanged():
    inc = Incident.from_dict(EXAMPLE)
    values = form.from_incident(inc)
    record, problems = form.to_record(values, inc.id)
    assert problems == [] and check_incident(record) == inc
    assert form.form_problems(values, inc.id, "a reason") == []


def test_every_problem_of_the_form_is_one_line_naming_its_field():
    v = replace(form.from_click(*PRZEWODOW_LONLAT), date=date(2026, 12, 1), place="X",
                time_utc="25:00", killed=-1,
                sources=(form.SourceValues(url="ftp://x", reliability="B"),),
                precision_m="-5")
    lines = form.form_problems(v, "2026-12-01-x", "")
    assert lines == [
        "time_utc: must be HH:MM (UTC), got 25:00",
        "killed: must be a whole number of 0 or more, got -1",
        "sources 1: url must start with http:// or https:// and name a host, got ftp://x",
        "precision_m: must be more than 0 and at most 200000 m, got -5",
        "sources 1: a grade needs both the reliability (A-F) and the credibility (1-6), "
        "or neither",
        "reason: give a reason for the change (at least 3 characters)"]


def test_a_position_is_two_numbers_or_none_and_says_how_it_was_obtained():
    base = replace(_good_values(), position_kind="estimate")
    assert form.form_problems(replace(base, lat="50.4", lon=""), "a-b", "why") == \
        ["position: give both a latitude and a longitude"]
    assert form.form_problems(replace(base, lat="north", lon="23.9"), "a-b", "why") == \
        ["latitude: must be a number of degrees, got north"]
    assert form.form_problems(replace(base, lat="", lon="", precision_m=""), "a-b", "why") \
        == ["position: type a latitude and a longitude (or pick a place or a map point), "
            "or choose 'not positioned'"]
    unpositioned = replace(base, lat="", lon="", precision_m="", position_kind="not sourced")
    assert form.form_problems(unpositioned, "a-b", "why") == []
    far = form.form_problems(replace(base, lat="23.9", lon="50.4"), "a-b", "why")
    assert len(far) == 1 and "outside the data's coverage" in far[0]


def test_a_map_click_and_a_gazetteer_place_fill_the_position_its_kind_and_country():
    v = form.from_click(24.0297, 49.8397)
    assert (v.lat, v.lon, v.position_kind, v.precision_m, v.country) == \
        ("49.8397", "24.0297", "map click", "1000", "UA")
    g = form.from_place(form.blank(), "Lviv", 24.0297, 49.8397, "UA")
    assert (g.place, g.position_kind, g.precision_m, g.country) == \
        ("Lviv", "gazetteer", "2000", "UA")


def test_the_country_follows_the_position_until_the_user_types_another():
    state: dict = {}
    form.write_form(state, form.blank())
    state.update(incf_lat="50.47099", incf_lon="23.93432")
    form.derive_country(state)
    assert state["incf_country"] == "PL"
    state.update(incf_lat="49.8397", incf_lon="24.0297")
    form.derive_country(state)
    assert state["incf_country"] == "UA"  # it was the derived one: it follows
    state["incf_country"] = "PL"
    state.update(incf_lat="50.0", incf_lon="24.2")
    form.derive_country(state)
    assert state["incf_country"] == "PL"  # typed by the user: kept, and the warning says so
    assert form.country_note(form.read_form(state)) == \
        "the position 50.00000, 24.20000 lies in UA, not in PL"


def test_who_is_the_signed_in_user_or_local():
    assert form.who_of(False, {"name": "x"}) == "local"
    assert form.who_of(True, {"name": "", "email": "a@example.org"}) == "a@example.org"
    assert form.who_of(True, {"name": "Anna Nowak", "email": "a@example.org"}) == "Anna Nowak"


def test_grades_are_shown_with_their_meanings():
    assert form.grade_label("A1") == "A1: completely reliable, confirmed by other sources"
    assert form.reliability_label("F") == "F – reliability cannot be judged"
    assert form.credibility_label("6") == "6 – truth cannot be judged"
    assert form.reliability_label("") == "not graded"


def test_saving_adds_edits_and_refuses_a_stale_edit(tmp_path):
    store = open_incident_store(str(tmp_path / "s.gpkg"))
    shipped = len(store.current())
    bad = replace(_good_values(), sources=(form.SourceValues(url="javascript:alert(1)"),))
    r = form.save_incident(store, bad, reason="new incident", who="local")
    assert not r.ok and r.lines == ("sources 1: url must start with http:// or https:// and "
                                    "name a host, got javascript:alert(1)",)
    assert len(store.current()) == shipped
    r = form.save_incident(store, _good_values(), reason="new incident", who="local")
    assert r.ok and r.lines == (f"Added incident {NEW_ID}, version 1.",)
    got = store.get(NEW_ID)
    assert (got.version, got.who, got.action, got.reason) == (1, "local", "add", "new incident")
    assert got.record.lonlat == (23.95, 50.45) and got.record.sources[0].grade == "B2"
    other = got.record.with_changes(notes="someone else's note")
    store.edit(NEW_ID, other, based_on=1, who="someone", reason="their change")
    mine = replace(_good_values(), notes="my note")
    r = form.save_incident(store, mine, reason="my change", who="local", based_on=(NEW_ID, 1))
    assert not r.ok and len(r.lines) == 1
    assert f"incident {NEW_ID} changed since you opened it: you edited version 1, the " \
        "newest is version 2 (edit by someone" in r.lines[0]
    assert store.get(NEW_ID).record.notes == "someone else's note"
    r = form.save_incident(store, mine, reason="my change", who="local", based_on=(NEW_ID, 2))
    assert r.ok and r.lines == (f"Saved incident {NEW_ID}, version 3.",)
    r = form.retire_incident(store, NEW_ID, based_on=3, who="local", reason="a duplicate")
    assert r.ok and NEW_ID not in {v.incident_id for v in store.current()}
    r = form.restore_version(store, NEW_ID, 1, based_on=4, who="local", reason="not a dup")
    assert r.ok and store.get(NEW_ID).record.notes == ""
    table = form.history_table(store.history(NEW_ID))
    assert list(table["version"]) == [1, 2, 3, 4, 5]
    assert list(table["action"]) == ["add", "edit", "edit", "retire", "restore"]
    assert "notes: someone else's note -> my note" in table["changes"][2]


# ----------------------------------------------------------------- import bookkeeping
#: One good row, one within 5 km of Przewodów on its date, one outside the coverage.
IMPORT_CSV = (
    b"event_date,location,country,latitude,longitude,precision_m,source_url\n"
    b"2026-11-20,Dorohusk,PL,51.166,23.803,1000,https://example.org/a\n"
    b"2022-11-15,Near Przewodow,PL,50.48,23.94,1000,https://example.org/b\n"
    b"2026-11-21,Nowhere,PL,52.0,99.0,1000,https://example.org/c\n")


MAPPED_CSV = ("Datum;Ort;Land;Breite;Länge;Quelle;egal\n"
              "2026-05-02;Hrubieszów;PL;50.81;23.89;https://example.org/h;x\n").encode()
MAPPING = {"Datum": "date", "Ort": "place", "Land": "country", "Breite": "lat",
           "Länge": "lon", "Quelle": "source_url", "egal": imp.IGNORE}


def test_a_column_mapping_reads_a_file_with_other_names(tmp_path):
    existing = [v.record for v in open_incident_store(str(tmp_path / "s.gpkg")).current()]
    with pytest.raises(InputError, match="no column is an incident field"):
        imp.make_plan(MAPPED_CSV, "de.csv", existing)
    assert imp.file_columns(MAPPED_CSV, "de.csv") == list(MAPPING)
    assert [imp.read_as(c) for c in ("event_date", "LONGITUDE", "Ort")] == ["date", "lon", None]
    columns = imp.mapping_from_choices({**MAPPING, "Quelle": imp.AUTO})
    assert columns == {"Datum": "date", "Ort": "place", "Land": "country", "Breite": "lat",
                       "Länge": "lon", "egal": ""}
    plan = imp.make_plan(MAPPED_CSV, "de.csv", existing,
                         mapping=imp.mapping_from_choices(MAPPING))
    assert plan.counts == (0, 0, 1)  # no precision: the reason says so
    assert plan.preview.invalid[0].problems == (
        "precision_m: required for a positioned incident (metres)",)
    plan = imp.make_plan(MAPPED_CSV, "de.csv", existing,
                         mapping=imp.mapping_from_choices(MAPPING),
                         defaults={"precision_m": 2000})
    assert plan.counts == (1, 0, 0)
    (inc,) = plan.preview.records
    assert (inc.id, inc.place, inc.lonlat, inc.precision_m) == (
        "2026-05-02-hrubieszow", "Hrubieszów", (23.89, 50.81), 2000.0)


def test_the_preview_tables_give_distances_in_the_users_units(tmp_path):
    existing = [v.record for v in open_incident_store(str(tmp_path / "s.gpkg")).current()]
    plan = imp.make_plan(IMPORT_CSV, "mine.csv", existing)
    assert plan.counts == (1, 1, 1)
    km = GEOD.inv(23.94, 50.48, *PRZEWODOW_LONLAT)[2] / 1000
    for units, per_km in (("km", 1.0), ("nm", 1 / 1.852), ("mi", 1 / 1.609344)):
        new, dups, bad = imp.preview_tables(plan, units)
        assert dups[f"distance ({units})"].iloc[0] == pytest.approx(km * per_km, abs=1e-3)
    assert list(new["id"]) == ["2026-11-20-dorohusk"]
    assert list(dups["duplicate of"]) == ["2022-11-15-przewodow"]
    assert bad["row"].tolist() == [3] and "outside the data's coverage" in bad["reasons"][0]
    assert imp.summary_line(plan) == ("mine.csv: 1 new, 1 duplicate, 1 invalid row; Confirm "
                                      "writes the 1 new row only")


def test_confirm_writes_the_new_rows_once_and_not_on_a_changed_store(tmp_path):
    store = open_incident_store(str(tmp_path / "s.gpkg"))
    existing = lambda: [v.record for v in store.current(include_retired=True)]
    plan = imp.make_plan(IMPORT_CSV, "mine.csv", existing())
    r = imp.confirm_import(store, plan, plan, reason="", who="local")
    assert not r.ok and r.lines[0].startswith("reason: give a reason")
    other = check_incident(dict(EXAMPLE, id="2026-11-20-elsewhere", date="2026-11-20",
                                place="Elsewhere",
                                geometry={"type": "Point", "coordinates": [23.81, 51.17]}))
    store.add(other, who="colleague", reason="reported first")
    fresh = imp.make_plan(IMPORT_CSV, "mine.csv", existing())
    r = imp.confirm_import(store, plan, fresh, reason="weekly file", who="local")
    assert not r.ok and r.plan is fresh and fresh.counts == (0, 2, 1)
    assert "2026-11-20-dorohusk" not in {v.incident_id for v in store.current()}
    store = open_incident_store(str(tmp_path / "t.gpkg"))  # no colleague: the row is new
    plan = imp.make_plan(IMPORT_CSV, "mine.csv", existing())
    r = imp.confirm_import(store, plan, plan, reason="weekly file", who="local")
    assert r.ok and r.ids == ("2026-11-20-dorohusk",)
    assert r.lines == ("Imported 1 incident in one transaction (2026-11-20-dorohusk); skipped "
                       "1 duplicate and 1 invalid row.",)
    got = store.get("2026-11-20-dorohusk")
    assert (got.who, got.reason, got.action) == ("local", "weekly file", "import")


# ----------------------------------------------------------------- the page (AppTest)
PAGE = "ui/incidents.py"
HOSTILE = "<img src=x onerror=alert(1)>"


def _page():
    """The Incidents page, run once (not Explore first: its run would only be thrown away)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _fill(at, values: form.FormValues, reason: str):
    """Type ``values`` into the form (one source) and the reason."""
    at.date_input(key="incf_date").set_value(values.date)
    for key, v in (("incf_time", values.time_utc), ("incf_place", values.place),
                   ("incf_munition", values.munition), ("incf_attribution", values.attribution),
                   ("incf_lat", values.lat), ("incf_lon", values.lon),
                   ("incf_precision_m", values.precision_m), ("incf_notes", values.notes),
                   ("incf_reason", reason)):
        (at.text_area if key == "incf_notes" else at.text_input)(key=key).set_value(v)
    for key, v in (("incf_object_type", values.object_type),
                   ("incf_attributed_to", values.attributed_to),
                   ("incf_position_kind", values.position_kind),
                   ("incf_status", values.status)):
        at.selectbox(key=key).set_value(v)
    s = values.sources[0]
    for part, v in (("url", s.url), ("pub", s.publisher), ("acc", s.accessed)):
        at.text_input(key=form.source_key(part, 0)).set_value(v)
    at.selectbox(key=form.source_key("rel", 0)).set_value(s.reliability)
    at.selectbox(key=form.source_key("cred", 0)).set_value(s.credibility)
    at.run()
    assert not at.exception, at.exception
    return at


def _save(at):
    at.button(key="incf_save").click().run()
    assert not at.exception, at.exception
    return at


def _shown_markdown(at) -> list[str]:
    """Every Markdown text the page shows (these render; dataframes do not)."""
    out = []
    for kind in ("markdown", "caption", "success", "error", "warning", "info", "subheader"):
        out += [e.value for e in at.get(kind)]
    return out


def test_the_page_refuses_a_bad_url_with_one_line_and_stores_nothing(data_dir):
    at = _page()
    shipped = len(open_incident_store().current())
    bad = replace(_good_values(), sources=(form.SourceValues("javascript:alert(1)", "X"),))
    _save(_fill(at, bad, "new incident"))
    assert errors(at) == ["Not saved: sources 1: url must start with http\\:// or https\\:// "
                          "and name a host, got javascript\\:alert(1)"]
    assert len(open_incident_store().current()) == shipped
    assert at.session_state["incf_mode"] == "add"


def test_the_page_adds_a_good_incident_to_the_store_and_the_table(data_dir):
    at = _fill(_page(), _good_values(), "new incident reported")
    assert at.session_state["incf_country"] == "PL"  # derived from the position
    _save(at)
    assert not errors(at), errors(at)
    assert [s.value for s in at.success] == [f"Added incident {NEW_ID}, version 1."]
    got = open_incident_store().get(NEW_ID)  # a new store object reads the file
    assert (got.version, got.who, got.action, got.reason) == \
        (1, "local", "add", "new incident reported")
    want = check_incident(form.to_record(_good_values(), NEW_ID)[0])
    assert got.record == want
    table = next(d.value for d in at.dataframe if "NATO segment" in d.value.columns)
    assert NEW_ID in set(table["id"])
    assert at.session_state["incf_mode"] == "edit"
    assert at.session_state["incf_based_on"] == (NEW_ID, 1)
    labels = {b.label for b in at.get("download_button")}
    assert {"GeoJSON", "CSV", "KML (Google Earth)", "GeoPackage"} <= labels


def test_the_page_names_the_newer_version_of_a_stale_edit(data_dir):
    at = _save(_fill(_page(), _good_values(), "new incident reported"))
    assert at.session_state["incf_based_on"] == (NEW_ID, 1)
    store = open_incident_store()
    store.edit(NEW_ID, store.get(NEW_ID).record.with_changes(killed=1), based_on=1,
               who="colleague", reason="one killed")
    at.text_area(key="incf_notes").set_value("my note")
    at.text_input(key="incf_reason").set_value("add a note").run()
    _save(at)
    msg = " ".join(errors(at))
    assert f"incident {NEW_ID} changed since you opened it" in msg
    assert "you edited version 1, the newest is version 2" in msg and "colleague" in msg
    assert store.get(NEW_ID).version == 2 and store.get(NEW_ID).record.notes == ""
    at.button(key="incf_reload").click().run()
    assert at.session_state["incf_based_on"] == (NEW_ID, 2)
    assert at.session_state["incf_killed"] == 1


def test_hostile_text_is_stored_and_shown_as_text(data_dir):
    v = replace(_good_values(), place=HOSTILE, notes=f"**bold** {HOSTILE}",
                attribution=HOSTILE, munition="[x](javascript:alert(1))")
    at = _save(_fill(_page(), v, f"reason {HOSTILE}"))
    assert not errors(at), errors(at)
    ident = at.session_state["incf_based_on"][0]
    got = open_incident_store().get(ident)
    assert (got.record.place, got.record.notes, got.reason) == \
        (HOSTILE, f"**bold** {HOSTILE}", f"reason {HOSTILE}")
    shown = _shown_markdown(at)
    assert not any("<img" in t or "](javascript" in t for t in shown), shown
    history = next(d.value for d in at.dataframe if "changes" in d.value.columns)
    assert history["reason"].tolist() == [f"reason {HOSTILE}"]
    assert at.text_input(key="incf_place").value == HOSTILE


def test_retire_and_restore_through_the_page(data_dir):
    at = _save(_fill(_page(), _good_values(), "new incident reported"))
    at.text_input(key="incf_reason").set_value("a duplicate of another report").run()
    at.button(key="incf_retire").click().run()
    assert not at.exception and not errors(at), errors(at)
    store = open_incident_store()
    assert store.get(NEW_ID).retired and NEW_ID not in {v.incident_id for v in store.current()}
    at.selectbox(key="inch_id").set_value(NEW_ID).run()
    at.selectbox(key="inch_version").set_value(1).run()
    at.text_input(key="inch_reason").set_value("not a duplicate after all").run()
    at.button(key="inch_restore").click().run()
    assert not at.exception and not errors(at), errors(at)
    got = store.get(NEW_ID)
    assert (got.version, got.action, got.retired) == (3, "restore", False)


def test_add_an_incident_here_opens_the_form_on_the_map_click(data_dir):
    lon, lat = 24.0297, 49.8397
    at = run_app(picked={"layer": "position", "id": None, "name": "49.83970, 24.02970",
                         "lon": lon, "lat": lat, "kind": "point", "geometry": None})
    at.button(key="add_incident_here").click().run()
    assert not at.exception, at.exception
    s = at.session_state
    assert (s["incf_lat"], s["incf_lon"], s["incf_position_kind"], s["incf_precision_m"],
            s["incf_country"], s["incf_mode"]) == \
        ("49.8397", "24.0297", "map click", "1000", "UA", "add")
    assert any("point you picked on the map" in i.value for i in at.info)


def _preview_tables(at):
    """The import preview's tables (new, duplicates, invalid), told apart by their columns."""
    frames = [d.value for d in at.dataframe]
    new = next(f for f in frames if list(f.columns) == ["row", "id", "date", "place", "country",
                                                        "lat", "lon"])
    dups = next(f for f in frames if "duplicate of" in f.columns)
    bad = next(f for f in frames if "reasons" in f.columns)
    return new, dups, bad


def test_import_previews_then_writes_the_new_rows_only_on_confirm(data_dir):
    at = _page()
    shipped = len(open_incident_store().current())
    at.file_uploader(key="inci_file").set_value(("mine.csv", IMPORT_CSV, "text/csv")).run()
    assert not at.exception, at.exception
    new, dups, bad = _preview_tables(at)
    assert (len(new), len(dups), len(bad)) == (1, 1, 1)
    assert list(dups["duplicate of"]) == ["2022-11-15-przewodow"]
    km = GEOD.inv(23.94, 50.48, *PRZEWODOW_LONLAT)[2] / 1000
    assert dups["distance (km)"].iloc[0] == pytest.approx(km, abs=0.001)
    assert "outside the data's coverage" in bad["reasons"].iloc[0]
    assert len(open_incident_store().current()) == shipped  # nothing before Confirm
    at.button(key="inci_confirm").click().run()
    assert any("reason" in e for e in errors(at))
    assert len(open_incident_store().current()) == shipped
    at.text_input(key="inci_reason").set_value("ACLED weekly file").run()
    at.button(key="inci_confirm").click().run()
    assert not at.exception and any("Imported 1 incident" in s.value for s in at.success)
    ids = {v.incident_id for v in open_incident_store().current()}
    assert len(ids) == shipped + 1 and "2026-11-20-dorohusk" in ids


def test_the_gazetteer_fills_the_position_and_a_wrong_country_is_warned(data_dir):
    at = _page()
    at.text_input(key="incf_place").set_value("Hrubieszow").run()
    at.button(key="incf_gaz_go").click().run()
    assert not at.exception, at.exception
    hits = at.session_state["incf_gaz_hits"]
    assert hits and hits[0]["name"] == "Hrubieszów" and hits[0]["country"] == "PL"
    at.button(key="incf_gaz_use").click().run()
    s = at.session_state
    assert (float(s["incf_lat"]), float(s["incf_lon"])) == \
        pytest.approx((hits[0]["lat"], hits[0]["lon"]), abs=1e-6)
    assert (s["incf_position_kind"], s["incf_precision_m"], s["incf_country"]) == \
        ("gazetteer", "2000", "PL")
    assert s["incf_place"] == "Hrubieszow"  # what the user typed stays
    at.text_input(key="incf_country").set_value("UA").run()
    assert [w.value for w in at.warning if "lies in" in w.value] == [
        f"the position {hits[0]['lat']:.5f}, {hits[0]['lon']:.5f} lies in PL, not in UA"]
