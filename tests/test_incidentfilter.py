"""The incident timeline's state helpers, and the scene parts they drive.

The helpers are pure (a plain dict is the session state); the scene parts are
checked against pyproj.Geod on the committed geometry.
"""
from __future__ import annotations

import io
import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import shape

from conftest import GEODATA, catalogue, shipped_tracks, unlocated_incidents
from dashboard.analysis.incident_table import incident_table
from dashboard.analysis.origin import origin_areas
from dashboard.geo.errors import InputError
from dashboard.scene.compose import build_scene
from dashboard.scene.compose.incidents import metres_per_px, visible_precision
from dashboard.scene.model import View
from dashboard.scene.request import SceneRequest
from dashboard.state import incidents as flt

PRZ_ID = "2022-11-15-przewodow"

RECORDS = [
    {"id": "a", "date": "2022-11-15", "country": "PL", "object_type": "missile",
     "attribution": "Ukrainian air-defence missile"},
    {"id": "b", "date": "2023-09-04", "country": "RO", "object_type": "debris",
     "attribution": "fragments of a Russian drone"},
    {"id": "c", "date": "2023-09-30", "country": "RO", "object_type": "drone",
     "attribution": "Not named in the cited report"},
    {"id": "d", "date": "2025-09-10", "country": "PL", "object_type": "drone",
     "attribution": "Russian drones of the incursion"},
]


def committed_incidents() -> list[dict]:
    """Every incident of the committed files, read with json (not through the core)."""
    with open(GEODATA / "incidents.geojson", encoding="utf-8") as fh:
        located = [dict(f["properties"], lon=f["geometry"]["coordinates"][0],
                        lat=f["geometry"]["coordinates"][1]) for f in json.load(fh)["features"]]
    with open(GEODATA / "incidents_unlocated.json", encoding="utf-8") as fh:
        unlocated = [dict(p, lon=None, lat=None) for p in json.load(fh)["incidents"]]
    return located + unlocated


# ------------------------------------------------------------------ filters
@pytest.mark.parametrize("text,group", [
    ("Ukrainian air-defence missile fired at incoming Russian missiles", "Ukrainian"),
    ("probably a Ukrainian drone diverted off course by Russian GPS jamming", "Ukrainian"),
    ("a Russian missile aimed at Ukraine, downed by Ukrainian air defence", "Russian"),
    ("Unconfirmed: sources called it a Russian Gerbera", "Not stated or unconfirmed"),
    ("the launcher is not named in the cited report", "Not stated or unconfirmed"),
    ("Romanian defence ministry", "Not stated or unconfirmed"),
    (None, "Not stated or unconfirmed"),
])
def test_attribution_groups_follow_the_wording(text, group):
    assert flt.attribution_group(text) == group


def test_options_cover_the_records():
    o = flt.filter_options(RECORDS)
    assert (o.start, o.end) == (date(2022, 11, 15), date(2025, 9, 10))
    assert o.countries == ("PL", "RO")
    assert o.objects == ("missile", "drone", "debris")
    assert o.attributions == flt.ATTRIBUTION_GROUPS


def test_defaults_show_everything():
    state: dict = {}
    flt.init_filters(state, RECORDS)
    f = flt.apply_filters(state, RECORDS)
    assert f.ids == ("a", "b", "c", "d") and f.everything and f.error is None
    assert (f.start, f.end) == (date(2022, 11, 15), date(2025, 9, 10))
    assert flt.apply_filters({}, RECORDS).everything  # no keys: no filter


def test_date_range_is_inclusive_and_other_filters_combine():
    state: dict = {}
    flt.init_filters(state, RECORDS)
    state.update(inc_from=date(2023, 9, 4), inc_to=date(2025, 9, 10))
    assert flt.apply_filters(state, RECORDS).ids == ("b", "c", "d")
    state["inc_countries"] = ["RO"]
    assert flt.apply_filters(state, RECORDS).ids == ("b", "c")
    state["inc_objects"] = ["drone"]
    assert flt.apply_filters(state, RECORDS).ids == ("c",)
    state["inc_attribution"] = ["Russian"]
    f = flt.apply_filters(state, RECORDS)
    assert f.ids == () and not f.everything


def test_a_range_that_ends_before_it_starts_is_one_line_and_filters_no_dates():
    state: dict = {}
    flt.init_filters(state, RECORDS)
    state.update(inc_from=date(2024, 1, 1), inc_to=date(2023, 1, 1))
    f = flt.apply_filters(state, RECORDS)
    assert f.error is not None and "\n" not in f.error
    assert "2023-01-01" in f.error and "before it starts on 2024-01-01" in f.error
    assert f.ids == ("a", "b", "c", "d")


def test_request_ids_are_none_when_every_incident_shows():
    state: dict = {}
    flt.init_filters(state)
    assert flt.request_incident_ids(state) is None
    state["inc_countries"] = ["LV"]
    want = tuple(sorted(r["id"] for r in committed_incidents() if r["country"] == "LV"))
    assert tuple(sorted(flt.request_incident_ids(state))) == want


# ------------------------------------------------------------- as_of follows
def _state() -> dict:
    state = {"incident": PRZ_ID, "as_of": date(2022, 11, 15)}
    flt.init_filters(state)
    flt.note_as_of(state)
    return state


def test_the_range_never_moves_the_nato_border_date():
    """Issue 18: the filters choose incidents; distances stay as of the incident's date."""
    state = _state()
    state["inc_to"] = date(2025, 12, 31)
    flt.apply_filters(state)
    flt.note_as_of(state)
    assert state["as_of"] == date(2022, 11, 15) and not state["inc_as_of_user"]
    assert flt.as_of_words(state) == "NATO border as of 2022-11-15 (the incident's date)"


def test_a_date_the_user_sets_stays_until_they_ask_for_the_incident_date():
    state = _state()
    state["as_of"] = date(2024, 5, 1)  # the user's edit of the widget
    flt.note_as_of(state)
    assert state["inc_as_of_user"]
    assert flt.as_of_words(state) == ("NATO border as of 2024-05-01 (your date; the "
                                      "incident's is 2022-11-15)")
    flt.incident_date_again(state)
    assert state["as_of"] == date(2022, 11, 15) and not state["inc_as_of_user"]


def test_a_new_incident_moving_the_date_is_not_the_user():
    state = _state()
    state["incident"], state["as_of"] = "2023-12-14-grindu", date(2023, 12, 14)
    flt.note_as_of(state)
    assert not state["inc_as_of_user"]


# ------------------------------------------------------------------- tables
def test_monthly_counts_match_a_plain_count():
    recs = committed_incidents()
    ids = [r["id"] for r in recs if r["country"] in ("PL", "RO")]
    got = flt.monthly_counts(recs, ids)
    want: dict[tuple[str, str], int] = {}
    for r in recs:
        if r["country"] in ("PL", "RO"):
            key = (r["date"][:7], r["country"])
            want[key] = want.get(key, 0) + 1
    assert {(m.strftime("%Y-%m"), c): int(n) for m, c, n in got.itertuples(index=False)
            if n} == want
    assert int(got["incidents"].sum()) == len(ids)
    # the months between without one of these incidents are there, at zero (issue 18)
    empty = {m.strftime("%Y-%m") for m, c, n in got.itertuples(index=False) if not n}
    assert empty and all(c == "" for m, c, n in got.itertuples(index=False) if not n)
    assert not empty & {m for m, _ in want}
    months = sorted({m.strftime("%Y-%m") for m in got["month"]})
    first, last = min(m for m, _ in want), max(m for m, _ in want)
    y, mo = int(first[:4]), int(first[5:])
    every = []
    while f"{y}-{mo:02d}" <= last:
        every.append(f"{y}-{mo:02d}")
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    assert months == every


def test_display_table_converts_every_distance():
    table = incident_table()
    km, nm = flt.display_table(table, "km"), flt.display_table(table, "nm")
    for name in ("NATO border", "to UA", "to BY", "to RU"):
        a, b = km[f"{name} (km)"].to_numpy(float), nm[f"{name} (nm)"].to_numpy(float)
        ok = ~np.isnan(a)
        assert np.allclose(a[ok] / 1.852, b[ok], atol=0.006)
        assert np.isnan(b[~ok]).all()
    prz = nm.set_index("id").loc[PRZ_ID]
    assert prz["precision (± nm)"] == pytest.approx(0.5 / 1.852, abs=5e-4)
    unsourced = km[km["position"] == "position not sourced"]
    assert len(unsourced) == len(unlocated_incidents())
    assert unsourced["NATO border (km)"].isna().all()


def test_csv_round_trips():
    shown = flt.display_table(incident_table(), "mi")
    back = pd.read_csv(io.BytesIO(flt.table_csv(shown)), keep_default_na=False)
    assert list(back.columns) == list(shown.columns) and len(back) == len(shown)
    assert list(back["id"]) == list(shown["id"])


# ------------------------------------------------------------------- origin
def test_origin_choice_reads_the_preset_or_the_free_range_in_units():
    state = {"origin_incident": PRZ_ID, "origin_mode": "preset", "origin_preset": "5v55",
             "units": "nm"}
    assert flt.origin_choice(state) == (PRZ_ID, 75.0, 90.0)
    state.update(origin_mode="free", origin_min_nm=40.0, origin_max_nm=50.0)
    assert flt.origin_choice(state) == (PRZ_ID, pytest.approx(74.08), pytest.approx(92.6))


def test_free_range_inputs_keep_km_across_units():
    state: dict = {"origin_range_km": (74.08, 92.6)}
    flt.sync_origin_inputs(state, "nm")
    assert (state["origin_min_nm"], state["origin_max_nm"]) == (40.0, 50.0)
    state["origin_max_nm"] = 60.0
    flt.on_origin_input(state, "nm")
    flt.sync_origin_inputs(state, "km")
    assert "origin_min_nm" not in state and state["origin_max_km"] == pytest.approx(111.12)


@pytest.mark.parametrize("args,fragment", [
    (("2022-11-15-przewodov", 75, 90), "nearest ids: 2022-11-15-przewodow"),
    ((PRZ_ID, 90, 75), "minimum range 90 km is more than the maximum 75 km"),
    ((PRZ_ID, 0, 6000), "beyond 5,000 km"),
    (("2022-12-16-zamosc", 75, 90), "no sourced position"),
])
def test_bad_origins_are_one_line_and_never_reach_the_map(args, fragment):
    state: dict = {"origin": None}
    assert flt.set_origin(state, *args) is None
    assert fragment in state["origin_error"] and "\n" not in state["origin_error"]
    assert state["origin"] is None
    assert flt.usable_origin({"origin": args}) is None


def test_a_good_origin_goes_on_the_map_and_its_tables_add_up():
    state: dict = {"origin": None}
    o = flt.set_origin(state, PRZ_ID, 75, 90)
    assert state["origin"] == (PRZ_ID, 75.0, 90.0) and flt.usable_origin(state) == state["origin"]
    areas, cities = flt.origin_tables(o, "km")
    assert list(areas["country"]) == ["UA", "PL"]
    assert areas["area (km²)"].sum() == pytest.approx(o.annulus_km2, rel=1e-4)
    assert areas["share (%)"].sum() == pytest.approx(100.0, abs=0.02)
    assert len(cities) == len(o.cities)


# -------------------------------------------------------------------- scene
def test_the_scene_draws_only_the_filtered_incidents():
    ids = ("2022-11-15-przewodow", "2022-12-16-zamosc", "2025-09-10-wyryki")
    scene = build_scene(SceneRequest(incident_ids=ids))
    assert set(scene.layer("incidents").gdf["id"]) == {"2022-11-15-przewodow",
                                                      "2025-09-10-wyryki"}
    points = len(catalogue()) - len(unlocated_incidents()) - len(shipped_tracks())
    assert len(build_scene(SceneRequest()).layer("incidents").gdf) == points
    assert len(build_scene(SceneRequest(incident_ids=())).layer("incidents").gdf) == 0
    with pytest.raises(InputError, match="unknown incident 'nope'"):
        build_scene(SceneRequest(incident_ids=("nope",)))


def test_precision_circles_are_geodesic_and_under_the_markers():
    view = View.around(23.93432, 50.47099, 12.0)
    scene = build_scene(SceneRequest(view=view, precision_circles=True))
    names = [lyr.name for lyr in scene.layers]
    assert names.index("precision") < names.index("incidents")
    circles = scene.layer("precision").gdf.set_index("id")
    located = {r["id"]: r for r in committed_incidents() if r["lon"] is not None}
    assert set(circles.index) == set(located)
    for fid, row in circles.iterrows():
        xy = np.asarray(row.geometry.exterior.coords)
        r = located[fid]
        _, _, d = GEOD.inv(np.full(len(xy), r["lon"]), np.full(len(xy), r["lat"]),
                           xy[:, 0], xy[:, 1])
        assert np.allclose(d, r["precision_m"], atol=0.01), fid
    assert build_scene(SceneRequest(view=view)).layer("precision") is None  # off unless asked


def test_small_precision_circles_wait_for_the_zoom():
    view = View.around(23.93432, 50.47099, 6.0)
    scene = build_scene(SceneRequest(view=view, precision_circles=True))
    m_px = metres_per_px(view)
    kept = scene.layer("precision").gdf
    assert (kept["precision_m"] >= 1.5 * m_px).all() and "2022-11-15-przewodow" not in set(
        kept["id"])
    assert visible_precision(None, view) is None


def _geod_annulus(lon: float, lat: float, r0_km: float, r1_km: float, n: int = 4000):
    az = np.linspace(0, 360, n, endpoint=False)
    rings = []
    for r in (r1_km, r0_km):
        x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, r * 1000))
        rings.append(np.column_stack([x, y]))
    # exterior anticlockwise, hole clockwise: Geod then subtracts the hole
    return shapely.geometry.polygon.orient(shapely.Polygon(rings[0], [rings[1]]), 1.0)


def test_origin_layer_and_figures_match_an_independent_annulus():
    scene = build_scene(SceneRequest(origin=(PRZ_ID, 75, 90)))
    o = origin_areas(PRZ_ID, 75, 90)
    pieces = scene.layer("origin").gdf.set_index("country")
    assert list(pieces.index) == [a.country for a in o.areas] == ["UA", "PL"]
    ring = _geod_annulus(23.93432, 50.47099, 74.5, 90.5)
    assert abs(GEOD.geometry_area_perimeter(ring)[0]) / 1e6 == pytest.approx(
        sum(a.area_km2 for a in o.areas), rel=1e-3)
    with open(GEODATA / "countries.geojson", encoding="utf-8") as fh:
        countries = {f["properties"]["iso_a2"]: shape(f["geometry"])
                     for f in json.load(fh)["features"]}
    for iso in ("UA", "PL"):
        want = abs(GEOD.geometry_area_perimeter(ring.intersection(countries[iso]))[0]) / 1e6
        assert pieces.loc[iso, "area_km2"] == pytest.approx(want, rel=2e-3), iso
        shown = scene.metrics[f"Launch area in {iso}"]
        assert float(shown.split()[0].replace(",", "")) == pytest.approx(want, rel=2e-3)
        assert pieces.loc[iso, "name"] == f"{iso} {shown}"
    assert scene.metrics["Launch area range"] == "75–90 km ± 0.5 km"
    assert scene.layer("origin").legend_label == "Launch area 75–90 km from Przewodów"


def test_the_scene_draws_the_tracks_the_filter_keeps():
    tracks = [f["properties"]["id"] for f in shipped_tracks()]
    assert tracks, "the catalogue has a track (Estonia, 2025-09-19)"
    drawn = build_scene(SceneRequest()).layer("incident_tracks").gdf
    assert sorted(drawn["id"]) == sorted(tracks)
    assert all(g.geom_type == "LineString" for g in drawn.geometry.values)
    only = build_scene(SceneRequest(incident_ids=(tracks[0],)))
    assert list(only.layer("incident_tracks").gdf["id"]) == [tracks[0]]
    assert len(only.layer("incidents").gdf) == 0
    none = build_scene(SceneRequest(incident_ids=("2022-11-15-przewodow",)))
    assert none.layer("incident_tracks") is None


def test_filters_follow_a_growing_catalogue_but_keep_the_users_choices():
    old = [{"id": "a", "date": "2024-01-01", "country": "PL", "object_type": "drone",
            "sources": [{"grade": "B2"}], "status": "confirmed", "group": None}]
    new = old + [{"id": "b", "date": "2026-11-30", "country": "PL", "object_type": "balloon",
                  "sources": [{"url": "https://x.org"}], "status": "reported",
                  "group": "2026-11 balloons"}]
    state: dict = {}
    flt.init_filters(state, old)
    flt.follow_catalogue(state, new)
    f = flt.apply_filters(state, new)
    assert f.ids == ("a", "b") and f.everything  # the new incident is not hidden
    state["inc_objects"] = ["drone"]  # the user narrows the filter ...
    flt.follow_catalogue(state, new)
    assert flt.apply_filters(state, new).ids == ("a",)  # ... and it stays narrowed
    state["inc_to"] = date(2025, 1, 1)
    newer = new + [dict(new[1], id="c", date="2026-12-05")]
    flt.follow_catalogue(state, newer)
    assert state["inc_to"] == date(2025, 1, 1)  # a date the user set is kept
