"""Incident import (issue 19 item 5): CSV (ACLED-like) and GeoJSON rows, checked, previewed.

Bad rows keep every reason and never hide the good ones; duplicates are judged by
date and a geodesic distance that the tests compute on their own with
``pyproj.Geod`` (never with the function under test).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString

import dashboard.io.incident_import as imp
from dashboard.analysis.incident_import import preview_import
from dashboard.data.incidents.record import EXAMPLE, Incident
from dashboard.geo.errors import InputError
from dashboard.io.incident_import import read_incident_file

WGS84 = Geod(ellps="WGS84")
P_LON, P_LAT = 23.93432, 50.47099          # Przewodów, the EXAMPLE record
URL = "https://example.org/report"

HEADER = "event_date,location,country,latitude,longitude,source,source_url,notes"
ROWS = [
    "15 November 2022,Przewodów,Poland,50.47099,23.93432,PAP,https://example.org/a,good",
    "2022-13-40,Bad date,PL,50.1,23.5,,https://example.org/b,",
    "2022-11-16,Bad lat,PL,fifty,23.5,,https://example.org/c,",
    "2022-11-16,Script,PL,50.2,23.6,javascript:alert(1),,",
    "2022-11-16,Ftp,PL,50.2,23.6,,ftp://example.org/x,",
    "2022-11-16,Tokyo,PL,35.68,139.69,,https://example.org/d,",
    "2022-11-16,Publisher only,PL,50.3,23.7,Reuters,,",
    "2022-11-16,No source at all,PL,50.3,23.7,,,",
    "2022-11-17T08:00:00Z,Hrubieszów,Poland,50.8,23.89,https://example.org/e,,second good",
]


def acled_csv(rows: list[str] = ROWS, header: str = HEADER, sep: str = ",") -> bytes:
    return ("\n".join([header] + rows).replace(",", sep) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def acled():
    return read_incident_file(acled_csv(), "acled.csv", defaults={"precision_m": 1000})


def by_place(parsed):
    return {r.value("place"): r for r in parsed.rows}


# ------------------------------------------------------------------ CSV
def test_good_rows_survive_bad_ones(acled):
    assert [r.row for r in acled.rows] == list(range(1, 10))
    good = [r.record for r in acled.rows if r.record is not None]
    assert [g.place for g in good] == ["Przewodów", "Hrubieszów"]
    a, b = good
    assert (a.id, a.date, a.country, a.lonlat, a.precision_m, a.position_kind) == (
        "2022-11-15-przewodow", "2022-11-15", "PL", (23.93432, 50.47099), 1000.0, "source")
    assert a.sources[0].url == "https://example.org/a" and a.sources[0].publisher == "PAP"
    assert (b.date, b.sources[0].url, b.notes) == ("2022-11-17", "https://example.org/e",
                                                    "second good")
    assert acled.columns["event_date"] == "date" and acled.ignored == ()


@pytest.mark.parametrize("place, reason", [
    ("Bad date", "date: 2022-13-40 is not a date"),
    ("Bad lat", "lat: must be a number of degrees, got fifty"),
    ("Script", "sources 1: url must start with http:// or https://"),
    ("Ftp", "sources 1: url must start with http:// or https://"),
    ("Tokyo", "outside the data's coverage (4° to 45° E, 40° to 72° N)"),
    ("Publisher only", "no http(s) source URL"),
    ("No source at all", "sources: at least one source (an http(s) URL) is required"),
])
def test_each_bad_row_is_named_with_its_reason(acled, place, reason):
    row = by_place(acled)[place]
    assert row.record is None
    assert any(reason in p for p in row.problems), row.problems
    assert row.raw["location"] == place


def test_a_row_keeps_every_problem_and_only_real_ones():
    csv = acled_csv(["2022-13-40,X,Narnia,fifty,23.5,ftp://x.org/a,,",
                     "2022-11-16,Y,PL,50.2,23.6,Reuters,,"])
    bad, pub = read_incident_file(csv, "a.csv", defaults={"precision_m": 50}).rows
    assert [p.split(":")[0] for p in bad.problems] == ["lat", "country", "date", "sources 1"]
    assert pub.problems == (imp.NO_URL,)


def test_precision_is_required_without_a_default():
    row = read_incident_file(acled_csv(ROWS[:1]), "a.csv").rows[0]
    assert row.record is None
    assert row.problems == ("precision_m: required for a positioned incident (metres)",)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_delimiter_and_bom_and_decimal_comma(sep):
    rows = [ROWS[0].replace("50.47099", "50,47099" if sep == ";" else "50.47099")]
    if sep == ";":
        rows = [rows[0].replace(",", ";").replace("50;47099", '"50,47099"')]
        data = b"\xef\xbb\xbf" + (HEADER.replace(",", ";") + "\n" + rows[0] + "\n").encode()
    else:
        data = b"\xef\xbb\xbf" + acled_csv(rows, sep="\t")
    rec = read_incident_file(data, "a.csv", defaults={"precision_m": 1000}).rows[0].record
    assert rec is not None and rec.lonlat == (23.93432, 50.47099)


def test_made_ids_avoid_each_other_and_given_ids():
    rows = ["2022-11-15,Przewodów,PL,50.47,23.93,,https://a.org/1,",
            "2022-11-15,Przewodów,PL,50.48,23.94,,https://a.org/2,"]
    csv = acled_csv(rows)
    ids = [r.record.id for r in read_incident_file(csv, "a.csv", defaults={
        "precision_m": 100}).rows]
    assert ids == ["2022-11-15-przewodow", "2022-11-15-przewodow-2"]
    given = ("id," + HEADER + "\n,"
             + rows[0] + "\n2022-11-15-przewodow," + rows[1] + "\n").encode()
    got = [(r.record.id, r.id_generated) for r in read_incident_file(
        given, "a.csv", defaults={"precision_m": 100}).rows]
    assert got == [("2022-11-15-przewodow-2", True), ("2022-11-15-przewodow", False)]


def test_column_mapping_and_its_errors():
    data = ("Datum,Ort,Land,Breite,Laenge,Quelle,Genauigkeit,Extra\n"
            "2022-11-15,Przewodów,PL,50.47,23.93,https://a.org/1,250,x\n").encode()
    cols = {"Datum": "date", "ort": "place", "Land": "country", "Breite": "latitude",
            "Laenge": "lon", "Quelle": "source", "Genauigkeit": "precision_m"}
    parsed = read_incident_file(data, "de.csv", columns=cols)
    rec = parsed.rows[0].record
    assert rec is not None and (rec.place, rec.precision_m) == ("Przewodów", 250.0)
    assert parsed.ignored == ("Extra",)
    with pytest.raises(InputError, match="cannot map 'Datum' to 'when'"):
        read_incident_file(data, "de.csv", columns={"Datum": "when"})
    with pytest.raises(InputError, match="has no column 'missing'"):
        read_incident_file(data, "de.csv", columns={"missing": "date"})
    with pytest.raises(InputError, match="no column is an incident field"):
        read_incident_file(data, "de.csv")
    with pytest.raises(InputError, match="no default for 'colour'"):
        read_incident_file(data, "de.csv", columns=cols, defaults={"colour": "red"})


def test_two_columns_giving_one_field_is_one_line():
    data = b"lat,latitude\n1,2\n"
    with pytest.raises(InputError, match="columns 'lat' and 'latitude' both give lat"):
        read_incident_file(data, "a.csv")
    rows = read_incident_file(data, "a.csv", columns={"latitude": ""}).rows
    assert rows[0].record is None


@pytest.mark.parametrize("data, name, message", [
    (b"date,place\n2022-11-15,\xe9t\xe9\n", "latin1.csv", "is not UTF-8 text"),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), "x.csv", "a PNG image"),
    (b"PK\x03\x04" + bytes(64), "x.xlsx", "unsupported file type .xlsx"),
    (b"", "empty.csv", "is empty"),
    (b"date,place\n", "head.csv", "no data rows"),
    (b'{"type": "Feature"', "cut.geojson", "not valid JSON"),
    (b'[1, 2]', "list.geojson", "not a GeoJSON FeatureCollection"),
    (b'{"a": 1}', "x.csv", "holds JSON, not CSV"),
])
def test_unreadable_files_are_one_line(data, name, message):
    with pytest.raises(InputError, match=message) as exc:
        read_incident_file(data, name)
    assert "\n" not in str(exc.value)


def test_too_many_rows_is_one_line(monkeypatch):
    monkeypatch.setattr(imp, "MAX_IMPORT_ROWS", 3)
    with pytest.raises(InputError, match="more than 3 rows"):
        read_incident_file(acled_csv(ROWS[:4]), "a.csv")
    feats = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": None}] * 4}
    with pytest.raises(InputError, match="has 4 features; the limit of one import is 3"):
        read_incident_file(json.dumps(feats).encode(), "a.geojson")


def test_event_date_forms():
    assert [imp.parse_event_date(t) for t in (
        "2022-11-15", "15 November 2022", "15 Nov 2022", "2022-11-15T23:59:00+00:00",
        "November 15, 2022", "15.11.2022")] == [
        "2022-11-15", "2022-11-15", "2022-11-15", "2022-11-15", "2022-11-15", "15.11.2022"]


# ------------------------------------------------------------------ GeoJSON
def feature(props, geometry=None):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_geojson_with_acled_names_tracks_and_null_geometry():
    track = {"type": "LineString", "coordinates": [[27.5, 59.4], [27.0, 59.6]]}
    fc = {"type": "FeatureCollection", "features": [
        feature({"event_date": "19 September 2025", "location": "Vaindloo", "country": "Estonia",
                 "source": URL, "precision_m": 5000, "object_type": "aircraft"}, track),
        feature({"event_date": "2025-09-20", "location": "Somewhere", "country": "EE",
                 "source": URL}),
        feature({"event_date": "2025-09-21", "location": "Pin", "country": "EE",
                 "source": URL, "latitude": 59.4, "longitude": 27.5, "precision_m": 10}),
        feature({"event_date": "2025-09-22", "location": "Bad geometry", "country": "EE",
                 "source": URL}, {"type": "Point", "coordinates": ["a", "b"]}),
        "not a feature",
    ]}
    rows = read_incident_file(json.dumps(fc).encode(), "a.geojson").rows
    a, b, c, d, e = rows
    assert a.record.kind == "track" and a.record.country == "EE"
    assert a.record.position_kind == "source" and a.record.precision_m == 5000.0
    assert b.record.kind == "none" and b.record.position_kind == "not sourced"
    assert c.record.lonlat == (27.5, 59.4)
    assert d.record is None and d.problems[0].startswith("geometry: ")
    assert e.record is None and e.problems == ("feature 5: not a GeoJSON Feature",)


# ------------------------------------------------------------------ preview
def at(km: float, az: float = 90.0) -> tuple[float, float]:
    lon, lat, _ = WGS84.fwd(P_LON, P_LAT, az, km * 1000.0)
    return float(lon), float(lat)


def rows_csv(points: list[tuple[str, str, tuple[float, float]]], ids: bool = False) -> bytes:
    head = ("id," if ids else "") + "date,place,country,lat,lon,precision_m,source_url"
    lines = [head] + [("" if not ids else f"{i},") + f"{d},{p},PL,{xy[1]!r},{xy[0]!r},100,{URL}"
                      for i, (d, p, xy) in enumerate(points)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def existing():
    return [Incident.from_dict(EXAMPLE)]


def test_duplicates_at_4_9_km_but_not_5_1_km(existing):
    near, far = at(4.9), at(5.1, az=200.0)
    data = rows_csv([("2022-11-15", "Near", near), ("2022-11-15", "Far", far),
                     ("2022-11-16", "Near next day", near)])
    pv = preview_import(read_incident_file(data, "a.csv"), existing)
    assert [r.record.place for r in pv.new] == ["Far", "Near next day"]
    (dup,) = pv.duplicates
    expected = WGS84.inv(P_LON, P_LAT, *near)[2] / 1000.0
    assert dup.of_id == "2022-11-15-przewodow" and not dup.in_file
    assert dup.distance_km == pytest.approx(expected, abs=1e-9) and expected == pytest.approx(4.9)
    assert WGS84.inv(P_LON, P_LAT, *far)[2] / 1000.0 == pytest.approx(5.1)
    wider = preview_import(read_incident_file(data, "a.csv"), existing, duplicate_km=5.2)
    assert [d.row.record.place for d in wider.duplicates] == ["Near", "Far"]


def test_duplicates_within_the_same_file(existing):
    a, b = at(50.0), at(51.0)
    data = rows_csv([("2022-11-15", "First", a), ("2022-11-15", "Second", b),
                     ("2022-11-15", "Third", at(70.0))])
    pv = preview_import(read_incident_file(data, "a.csv"), existing)
    assert [r.record.place for r in pv.new] == ["First", "Third"]
    (dup,) = pv.duplicates
    assert dup.in_file and dup.of_id == "2022-11-15-first"
    assert dup.distance_km == pytest.approx(WGS84.inv(*a, *b)[2] / 1000.0, abs=1e-9)


def test_an_existing_id_is_a_duplicate(existing):
    data = rows_csv([("2022-11-15", "Przewodów", (P_LON, P_LAT)),
                     ("2023-01-01", "Elsewhere", at(30.0))], ids=True)
    data = data.replace(b"\n0,", b"\n2022-11-15-przewodow,").replace(b"\n1,", b"\n2023-x,")
    pv = preview_import(read_incident_file(data, "a.csv"), existing)
    assert [(d.of_id, d.distance_km) for d in pv.duplicates] == [("2022-11-15-przewodow", 0.0)]
    assert [r.record.id for r in pv.new] == ["2023-x"]


def test_a_made_id_that_is_taken_moves_on(existing):
    data = rows_csv([("2022-11-15", "Przewodów", at(80.0))])
    (row,) = preview_import(read_incident_file(data, "a.csv"), existing).new
    assert row.record.id == "2022-11-15-przewodow-2"


def test_a_track_near_an_incident_is_a_duplicate(existing):
    west = [at(4.0, az=270.0 + s) for s in (-60.0, 60.0)]   # a chord passing 2 km west of P
    track = LineString(west)
    dense = np.array(WGS84.npts(*west[0], *west[1], 20000))
    expected = min(WGS84.inv(np.full(len(dense), P_LON), np.full(len(dense), P_LAT),
                             dense[:, 0], dense[:, 1])[2]) / 1000.0
    fc = {"type": "FeatureCollection", "features": [feature(
        {"date": "2022-11-15", "place": "Track", "country": "PL", "sources": [{"url": URL}],
         "precision_m": 100}, json.loads(json.dumps(track.__geo_interface__)))]}
    pv = preview_import(read_incident_file(json.dumps(fc).encode(), "t.geojson"), existing)
    (dup,) = pv.duplicates
    assert 1.9 < expected < 2.1 and dup.distance_km == pytest.approx(expected, abs=0.002)


def test_preview_json_shape(existing):
    data = rows_csv([("2022-11-15", "Near", at(1.0)), ("2022-11-16", "New", at(1.0)),
                     ("2022-11-16", "Out", (139.7, 35.7))])
    out = preview_import(read_incident_file(data, "a.csv"), existing).to_json()
    assert json.loads(json.dumps(out)) == out and set(out) == {"new", "duplicates", "invalid"}
    assert out["new"] == [{"row": 2, "id": "2022-11-16-new", "date": "2022-11-16",
                           "place": "New"}]
    (dup,) = out["duplicates"]
    assert dup["row"] == 1 and dup["of_id"] == "2022-11-15-przewodow" and not dup["in_file"]
    assert dup["distance_km"] == round(WGS84.inv(P_LON, P_LAT, *at(1.0))[2] / 1000.0, 3)
    (bad,) = out["invalid"]
    assert (bad["row"], bad["place"]) == (3, "Out") and "coverage" in bad["reasons"][0]


def test_unpositioned_rows_match_by_place_and_date():
    old = Incident.from_dict(dict(EXAMPLE, geometry=None, precision_m=None,
                                  position_kind="not sourced", place="Zamość"))
    data = f"date,place,country,source_url\n2022-11-15,ZAMOSC,PL,{URL}\n".encode()
    (dup,) = preview_import(read_incident_file(data, "a.csv"), [old]).duplicates
    assert (dup.of_id, dup.distance_km) == (old.id, None)


@pytest.mark.parametrize("km", [0, -1, 100.5, float("nan"), "x"])
def test_duplicate_distance_is_checked(existing, km):
    parsed = read_incident_file(rows_csv([("2022-11-15", "A", at(1.0))]), "a.csv")
    with pytest.raises(InputError, match="duplicate distance"):
        preview_import(parsed, existing, duplicate_km=km)


def test_preview_agrees_with_a_brute_force_over_random_points(existing):
    rng = np.random.default_rng(19)
    n = 400
    dates = [f"2022-11-{d}" for d in rng.choice(["14", "15", "16"], n)]
    km = rng.uniform(0.0, 30.0, n)
    pts = [at(float(k), float(a)) for k, a in zip(km, rng.uniform(0.0, 360.0, n))]
    data = rows_csv([(d, f"P{i}", xy) for i, (d, xy) in enumerate(zip(dates, pts))])
    pv = preview_import(read_incident_file(data, "r.csv"), existing, duplicate_km=3.0)
    want: dict[int, str | None] = {}
    kept: list[tuple[str, tuple[float, float], str]] = []
    for i, (d, xy) in enumerate(zip(dates, pts)):
        pool = ([(d, (P_LON, P_LAT), "2022-11-15-przewodow")] if d == "2022-11-15" else [])
        for group in (pool, [k for k in kept if k[0] == d]):
            dist = [(WGS84.inv(*xy, *other)[2], oid) for _, other, oid in group]
            close = [t for t in dist if t[0] <= 3000.0]
            if close:
                want[i + 1] = min(close)[1]
                break
        else:
            want[i + 1] = None
            kept.append((d, xy, f"{d}-p{i}"))
    got = {r.row: None for r in pv.new} | {d.row.row: d.of_id for d in pv.duplicates}
    assert got == want and len(pv.duplicates) > 20 and len(pv.new) > 20
