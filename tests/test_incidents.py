"""The incident table (core and CLI), checked against independent computations.

Distances are brute force with ``pyproj.Geod`` to the committed geometry
densified with ``Geod.npts`` (``tests/geo_reference.py``), the NATO border's
segments filtered by date from the raw GeoJSON, and zones tested with shapely
on polygons densified the same way: nothing goes through ``dashboard.geo``.
"""
from __future__ import annotations

import csv
import io
import json
import math
from datetime import date

import pytest
import shapely
from geo_reference import brute_distance_km, densified_points, territory_km
from shapely.geometry import Point, Polygon, shape

from conftest import PRZEWODOW_ID, catalogue, geodata_features, run_cli
from dashboard.analysis.incident_table import (
    POSITION_NOT_SOURCED,
    TABLE_COLUMNS,
    incident_ids,
    incident_table,
    unlocated_incidents,
)
from dashboard.geo.errors import InputError

PRZEWODOW = PRZEWODOW_ID
_features = geodata_features


@pytest.fixture(scope="module")
def table():
    return incident_table()


@pytest.fixture(scope="module")
def positioned(table):
    """The point incidents (tracks are tests/test_track_figures.py's)."""
    return table[table["kind"] == "point"]


# ---------------------------------------------------------------------- contents
def test_every_incident_of_the_catalogue_once_by_date(table):
    src = catalogue()
    assert sorted(table["id"]) == sorted(i["id"] for i in src)
    assert list(table.columns) == list(TABLE_COLUMNS)
    keys = list(zip(table["date"], table["id"]))
    assert keys == sorted(keys)
    assert all(isinstance(d, date) for d in table["date"])
    assert tuple(table["id"]) == incident_ids()


def test_unpositioned_incidents_say_so_and_have_no_distances(table):
    unloc = {p["id"] for p in unlocated_incidents()}
    assert len(unloc) >= 10
    rows = table[table["id"].isin(unloc)]
    assert len(rows) == len(unloc)
    assert (rows["position"] == POSITION_NOT_SOURCED).all()
    for col in ("lon", "lat", "nato_border_km", "ua_km", "by_km", "ru_km"):
        assert rows[col].isna().all(), col
    assert rows["nato_segment"].isna().all() and rows["precision_m"].isna().all()
    assert all(z == () for z in rows["zones"])
    # their facts are there all the same
    z = rows.set_index("id").loc["2022-12-16-zamosc"]
    assert z["object_type"] == "missile" and z["country"] == "PL" and "Kh-55" in z["munition"]


def test_the_facts_come_from_the_layer(positioned):
    layer = {f["properties"]["id"]: f for f in _features("incidents")}
    assert set(positioned["id"]) == set(layer)
    for _, row in positioned.iterrows():
        f = layer[row["id"]]
        p = f["properties"]
        assert [row["lon"], row["lat"]] == f["geometry"]["coordinates"]
        for col in ("place", "country", "object_type", "killed", "injured", "precision_m", "munition",
                    "attribution", "time_utc"):
            assert row[col] == p[col], (row["id"], col)
        assert row["position"] == p["position_kind"] == p["position_method"].split(":")[0]
    g = positioned.set_index("id").loc["2026-05-29-galati"]
    assert g["injured"] == 2 and g["killed"] == 0


# ---------------------------------------------------------------------- distances
@pytest.fixture(scope="module")
def border_points():
    """Every NATO border segment densified to 50 m (Geod.npts): (nato_since, id, points)."""
    return [(f["properties"]["nato_since"], f["properties"]["id"],
             densified_points(shape(f["geometry"]), 0.05)) for f in _features("nato_border")]


def test_nato_border_distance_as_of_the_incident_date(positioned, border_points):
    for _, row in positioned.iterrows():
        day = row["date"].isoformat()
        best = (math.inf, None)
        for since, sid, pts in border_points:
            if since <= day:
                d, _ = brute_distance_km(row["lon"], row["lat"], pts)
                best = min(best, (d, sid))
        assert row["nato_border_km"] == pytest.approx(best[0], abs=0.003), row["id"]
        assert row["nato_segment"] == best[1], row["id"]
    prz = positioned.set_index("id").loc[PRZEWODOW]
    assert prz["nato_segment"] == "PL-UA" and 6.0 < prz["nato_border_km"] < 7.0


def test_finland_counts_only_after_it_joined(border_points):
    """Gaigalava (2024, LV) may measure to FI-RU; the border before 2023-04-04 had no FI-RU."""
    t = incident_table(end="2023-04-03")
    assert "FI-RU" not in set(t["nato_segment"].dropna())
    assert [s for s, sid, _ in border_points if sid == "FI-RU"] == ["2023-04-04"]




def test_distances_to_ukraine_belarus_and_russia(positioned):
    countries = {f["properties"]["iso_a2"]: shape(f["geometry"]) for f in _features("countries")}
    for _, row in positioned.iterrows():
        for iso in ("UA", "BY", "RU"):
            got = row[f"{iso.lower()}_km"]
            want = territory_km(row["lon"], row["lat"], countries[iso], got + 5.0)
            assert got == pytest.approx(want, abs=0.003), (row["id"], iso)
    # Naslavcea (MD) lies on the Dniester, half a kilometre from Ukraine
    assert positioned.set_index("id").loc["2022-10-31-naslavcea", "ua_km"] < 1.0


# ---------------------------------------------------------------------- zones
def _geodesic_polygon(coords: list[tuple[float, float]]) -> Polygon:
    return Polygon(densified_points(shapely.LineString(coords), 1.0))


def test_zones_contain_by_geodesic_edges(positioned):
    # a box whose northern edge runs from 15 E to 35 E at 50.2 N: as a geodesic it bows north
    # to ~50.6 N and takes in Przewodów (50.47 N), which the lon/lat box would leave out
    box = [(15.0, 45.0), (35.0, 45.0), (35.0, 50.2), (15.0, 50.2), (15.0, 45.0)]
    square = [(28.0, 45.2), (28.4, 45.2), (28.4, 45.6), (28.0, 45.6), (28.0, 45.2)]
    zones = [("wide box", Polygon(box)), ("Grindu square", Polygon(square))]
    t = incident_table(zones=zones).set_index("id")
    truth = {"wide box": _geodesic_polygon(box), "Grindu square": _geodesic_polygon(square)}
    builtin = {f["properties"]["id"]: shape(f["geometry"]) for f in _features("zones")}
    for iid, row in positioned.set_index("id").iterrows():
        p = Point(row["lon"], row["lat"])
        want = tuple([z for z, g in builtin.items() if g.contains(p)]
                     + [z for z, g in truth.items() if g.contains(p)])
        assert t.loc[iid, "zones"] == want, iid
    assert not Polygon(box).contains(Point(23.93432, 50.47099))
    assert "wide box" in t.loc[PRZEWODOW, "zones"]
    assert t.loc["2023-12-14-grindu", "zones"] == ("wide box", "Grindu square")
    # the built-in zones lie in Ukraine: no incident on NATO territory is inside one
    assert all(not set(z) & set(builtin) for z in t["zones"])


# ---------------------------------------------------------------------- dates
def _catalogue_ids(start: str = "0000-00-00", end: str = "9999-99-99") -> list[str]:
    """The catalogue's ids dated start..end (ISO text, inclusive), by date then id."""
    return [i["id"] for i in sorted(catalogue(), key=lambda i: (i["date"], i["id"]))
            if start <= i["date"] <= end]


def test_date_range_is_inclusive(table):
    t = incident_table("2025-09-10", date(2025, 9, 12))
    # both ends hold incidents, and the range holds every day between
    assert {date(2025, 9, 10), date(2025, 9, 12)} <= set(t["date"])
    assert sorted(t["id"]) == sorted(_catalogue_ids("2025-09-10", "2025-09-12"))
    assert len(t) == sum(date(2025, 9, 10) <= d <= date(2025, 9, 12) for d in table["date"])
    # an open end: from the day of Galați's incident, and up to the day of Zagreb's
    # (both on their range's edge day: the edges are inclusive)
    assert list(incident_table(start="2026-05-29")["id"]) == _catalogue_ids("2026-05-29")
    assert "2026-05-29-galati" in _catalogue_ids("2026-05-29")
    assert list(incident_table(end="2022-03-10")["id"]) == _catalogue_ids(end="2022-03-10")
    assert "2022-03-10-zagreb" in _catalogue_ids(end="2022-03-10")


@pytest.mark.parametrize("start, end, message", [
    ("2025-01-01", "2024-12-31", "ends on 2024-12-31, before it starts on 2025-01-01"),
    ("yesterday", None, "is not a date"),
    (None, "2025-13-01", "is not a date"),
])
def test_bad_dates_are_one_line_errors(start, end, message):
    with pytest.raises(InputError) as exc:
        incident_table(start, end)
    assert message in str(exc.value) and "\n" not in str(exc.value)


# ---------------------------------------------------------------------- CLI
def test_cli_json_matches_the_table(table):
    code, out, _ = run_cli("incidents", "--json")
    assert code == 0
    recs = json.loads(out)
    assert [r["id"] for r in recs] == list(table["id"])
    # the table's columns, and from each incident's version its sources, version and position
    assert set(recs[0]) == set(TABLE_COLUMNS) | {"sources", "version", "position_kind",
                                                 "position_method", "notes"}
    by_id = table.set_index("id")
    for r in recs:
        row = by_id.loc[r["id"]]
        assert r["date"] == row["date"].isoformat() and r["zones"] == list(row["zones"])
        for col in ("nato_border_km", "ua_km", "by_km", "ru_km"):
            if r["position"] == POSITION_NOT_SOURCED:
                assert r[col] is None
            else:
                assert r[col] == pytest.approx(row[col], abs=0.0005)
    prz = next(r for r in recs if r["id"] == PRZEWODOW)
    assert prz["killed"] == 2 and prz["precision_m"] == 500 and prz["nato_segment"] == "PL-UA"


def test_cli_csv_and_text():
    code, out, _ = run_cli("incidents", "--from", "2025-09-10", "--to", "2025-09-21", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and all("2025-09-10" <= r["date"] <= "2025-09-21" for r in rows)
    assert {r["position"] for r in rows} >= {POSITION_NOT_SOURCED, "gazetteer", "source"}
    lan = next(r for r in rows if r["id"] == "2025-09-10-wielki-lan")
    assert lan["nato_border_km"] == "" and lan["lon"] == ""
    code, out, _ = run_cli("incidents", "--to", "2022-12-31")
    assert code == 0 and PRZEWODOW in out and POSITION_NOT_SOURCED in out  # the Kh-55 of 2022-12-16
    assert "PL-UA" in out and "2023-" not in out


def test_cli_reversed_range_is_one_line_exit_2():
    code, out, err = run_cli("incidents", "--from", "2025-01-01", "--to", "2024-01-01")
    assert code == 2 and out == ""
    assert err == "error: the date range ends on 2024-01-01, before it starts on 2025-01-01\n"

