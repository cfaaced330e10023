"""``python -m dashboard incidents add | edit | retire | restore | history | import | export``.

Every test works on its own store (``DASHBOARD_DATA_DIR`` = a temporary
directory; the catalogue's cache keys on it).  The distances of an added
incident are checked against brute force with ``pyproj.Geod`` to the committed
``nato_border`` and ``countries`` layers densified with ``Geod.npts``
(``tests/geo_reference.py``), and the duplicate distance of an import against
``Geod.inv``: nothing here goes through ``dashboard.geo``.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from clirun import cli_in_process
from geo_reference import GEOD, brute_distance_km, densified_points, territory_km
from shapely.geometry import shape

from conftest import ROOT, geodata_features, run_cli

#: An added incident: 50.80 N 23.89 E, near Hrubieszów, a few km from the PL-UA border.
LAT, LON = 50.80, 23.89
DAY = "2026-12-01"
ADD = ("incidents", "add", "--date", DAY, "--place", "Hrubieszów", "--country", "PL",
       "--position", f"{LAT},{LON}", "--precision-m", "1000", "--object-type", "drone",
       "--source", "https://example.org/report|PAP|B2", "--reason", "new report")
_KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """A fresh, empty incident store for the test (the shipped catalogue only)."""
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DASHBOARD_STORE_URL", raising=False)
    return tmp_path


def _ok(*argv: str) -> str:
    code, out, err = run_cli(*argv)
    assert code == 0, err
    return out


def _listing() -> dict[str, dict]:
    return {r["id"]: r for r in json.loads(_ok("incidents", "--json"))}


def _add(*extra: str) -> str:
    return json.loads(_ok(*ADD, *extra, "--json"))["id"]


# ---------------------------------------------------------------------- independent
def _border_km(lon: float, lat: float, day: str) -> tuple[float, str]:
    """Brute force: the NATO border segments that existed on ``day``, densified to 50 m."""
    best = (math.inf, "")
    for f in geodata_features("nato_border"):
        if f["properties"]["nato_since"] <= day:
            d, _ = brute_distance_km(lon, lat, densified_points(shape(f["geometry"]), 0.05))
            best = min(best, (d, f["properties"]["id"]))
    return best




# ---------------------------------------------------------------------- add, --json
@pytest.mark.slow
def test_added_incident_is_listed_with_independently_checked_distances(store_dir):
    before = _listing()  # warms the catalogue cache: the add must still show at once
    new_id = _add("--grade", "A1", "--accessed", "2026-12-02")
    assert new_id == f"{DAY}-hrubieszow" and new_id not in before
    rec = _listing()[new_id]
    assert (rec["lat"], rec["lon"], rec["version"], rec["kind"]) == (LAT, LON, 1, "point")
    assert rec["sources"] == [{"url": "https://example.org/report", "publisher": "PAP",
                               "accessed": "2026-12-02", "grade": "A1"}]
    assert (rec["status"], rec["group"], rec["attributed_to"]) == ("reported", None, "not stated")
    # Tolerance: the reference samples each edge every 50 m, which overestimates a
    # distance d by at most 0.05²/(8·d) km (< 0.0001 km here); the JSON rounds to
    # 0.001 km.  0.003 km, as for the shipped incidents (tests/test_incidents.py).
    km, seg = _border_km(LON, LAT, DAY)
    assert rec["nato_border_km"] == pytest.approx(km, abs=0.003) and rec["nato_segment"] == seg
    assert seg == "PL-UA" and 1.0 < km < 10.0
    for iso in ("UA", "BY"):
        want = territory_km(LON, LAT, _country(iso), rec[f"{iso.lower()}_km"] + 5.0)
        assert rec[f"{iso.lower()}_km"] == pytest.approx(want, abs=0.003), iso


def _country(iso: str):
    return next(shape(f["geometry"]) for f in geodata_features("countries")
                if f["properties"]["iso_a2"] == iso)


def test_json_keeps_the_table_columns_and_gives_tracks_their_closest_approach(store_dir):
    recs = json.loads(_ok("incidents", "--json"))
    from dashboard.analysis.incident_table import TABLE_COLUMNS

    for r in recs:
        assert set(TABLE_COLUMNS) <= set(r) and isinstance(r["sources"], list)
        assert isinstance(r["version"], int)
        if r["kind"] == "track":
            assert r["lat"] is None and r["lon"] is None and r["nato_border_km"] is not None
        if r["kind"] == "none":
            assert r["lat"] is None and r["nato_border_km"] is None


def test_bad_add_is_one_line_per_problem_and_stores_nothing(store_dir):
    code, out, err = run_cli("incidents", "add", "--date", DAY, "--place", "X", "--country",
                             "PL", "--position", "30.0,23.9", "--precision-m", "1000",
                             "--object-type", "drone", "--source", "javascript:alert(1)",
                             "--grade", "Z9", "--reason", "new report")
    lines = err.splitlines()
    assert code == 2 and out == "" and len(lines) == 3 and all(s.startswith("error: ") for s in lines)
    assert "outside the data's coverage (4° to 45° E, 40° to 72° N)" in lines[0]
    assert "http:// or https://" in lines[1] and "Z9" in lines[2]
    assert not any(r["date"] == DAY for r in _listing().values())
    code, _, err = run_cli("incidents", "add", "--date", DAY, "--place", "X", "--country", "PL",
                           "--object-type", "drone", "--source", "https://example.org/a",
                           "--reason", "x")
    assert code == 2 and "position: required" in err and "reason:" in err


def test_text_stays_text(store_dir):
    new_id = _add("--place", "<script>alert(1)</script>", "--notes", "=HYPERLINK(\"x\")")
    assert _listing()[new_id]["place"] == "<script>alert(1)</script>"
    table = next(csv.DictReader(io.StringIO(_ok("incidents", "--from", DAY, "--csv"))))
    assert table["place"] == "<script>alert(1)</script>"
    out = _ok("incidents", "export", "--format", "csv", "--from", DAY)
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["id"] == new_id and row["notes"] == "'=HYPERLINK(\"x\")"


# ---------------------------------------------------------------------- edit, retire, history
def test_stale_edit_is_refused_naming_the_newer_version(store_dir):
    new_id = _add()
    assert _ok("incidents", "edit", new_id, "--killed", "3", "--reason", "new count") == \
        new_id + "\n"
    code, out, err = run_cli("incidents", "edit", new_id, "--injured", "1", "--based-on", "1",
                             "--reason", "from an old page")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "you edited version 1, the newest is version 2" in err
    assert _listing()[new_id]["injured"] == 0


def test_retire_hides_restore_brings_back_history_oldest_first(store_dir):
    new_id = _add()
    _ok("incidents", "edit", new_id, "--killed", "3", "--grade", "C3", "--reason", "new count")
    _ok("incidents", "retire", new_id, "--reason", "duplicate of another")
    assert new_id not in _listing()
    code, _, err = run_cli("incidents", "edit", new_id, "--killed", "4", "--reason", "again")
    assert code == 2 and err.count("\n") == 1
    assert json.loads(_ok("incidents", "restore", new_id, "2", "--reason", "not a duplicate",
                          "--json")) == {"id": new_id, "version": 4}
    assert _listing()[new_id]["killed"] == 3
    hist = json.loads(_ok("incidents", "history", new_id, "--json"))
    assert [(v["version"], v["action"], v["retired"]) for v in hist] == [
        (1, "add", False), (2, "edit", False), (3, "retire", True), (4, "restore", False)]
    changes = {c["field"]: (c["old"], c["new"]) for c in hist[1]["changes"]}
    assert set(changes) == {"killed", "sources"} and changes["killed"] == (0, 3)
    assert changes["sources"][1][0]["grade"] == "C3"
    text = _ok("incidents", "history", new_id)
    assert text.index("version 1") < text.index("version 2") < text.index("version 4")
    assert "    killed: 0 -> 3" in text and "reason: not a duplicate" in text


# ---------------------------------------------------------------------- import
def _import_csv(tmp_path, lon: float, lat: float) -> str:
    path = tmp_path / "events.csv"
    path.write_text(
        "event_date,location,country,latitude,longitude,source\n"
        f"{DAY},Werbkowice,Poland,50.75,23.77,https://example.org/w\n"
        f"{DAY},Near it,Poland,{lat},{lon},https://example.org/n\n"
        f"{DAY},Bad,Poland,50.7,23.8,javascript:alert(1)\n", encoding="utf-8")
    return str(path)


def test_import_dry_run_sorts_rows_and_writes_nothing(store_dir, tmp_path):
    new_id = _add()
    lon, lat, _ = GEOD.fwd(LON, LAT, 60.0, 3000.0)  # 3 km north-east of the added incident
    km = GEOD.inv(LON, LAT, lon, lat)[2] / 1000.0
    path = _import_csv(tmp_path, round(float(lon), 6), round(float(lat), 6))
    out = json.loads(_ok("incidents", "import", path, "--dry-run", "--json",
                         "--precision-m", "2000"))
    assert set(out) == {"new", "duplicates", "invalid"}
    assert [r["row"] for r in out["new"]] == [1] and out["new"][0]["place"] == "Werbkowice"
    (dup,) = out["duplicates"]
    assert dup["row"] == 2 and dup["of_id"] == new_id
    assert dup["distance_km"] == pytest.approx(km, abs=0.0005)  # rounded to 0.001 km
    (bad,) = out["invalid"]
    assert bad["row"] == 3 and any("javascript:alert(1)" in r for r in bad["reasons"])
    assert sum(r["date"] == DAY for r in _listing().values()) == 1
    code, _, err = run_cli("incidents", "import", path, "--duplicate-km", "1")
    assert code == 2 and "reason" in err  # no --reason, no --dry-run: refused


def test_import_writes_the_new_rows_in_one_transaction(store_dir, tmp_path, monkeypatch):
    from dashboard.analysis.incident_catalogue import incident_store

    _add()
    store = incident_store()
    calls = []
    real = store.add_many

    def spy(incidents, **kw):
        calls.append([i.id for i in incidents])
        return real(incidents, **kw)

    monkeypatch.setattr(store, "add_many", spy)
    path = _import_csv(tmp_path, 23.95, 50.60)  # 22 km away: not a duplicate at 5 km
    code, out, err = run_cli("incidents", "import", path, "--precision-m", "2000", "--json",
                             "--reason", "weekly import")
    assert code == 0, err
    report = json.loads(out)
    ids = [f"{DAY}-werbkowice", f"{DAY}-near-it"]
    assert calls == [ids] and [w["id"] for w in report["written"]] == ids
    assert [r["row"] for r in report["invalid"]] == [3] and report["duplicates"] == []
    listed = _listing()
    assert all(listed[i]["precision_m"] == 2000 for i in ids)
    hist = json.loads(_ok("incidents", "history", ids[0], "--json"))
    assert [(v["action"], v["reason"]) for v in hist] == [("import", "weekly import")]


# ---------------------------------------------------------------------- export
def test_export_kml_one_placemark_per_positioned_incident(store_dir, tmp_path):
    new_id = _add("--place", "<b>Hrubieszów</b>")
    listed = _listing()
    positioned = {i for i, r in listed.items() if r["kind"] != "none"}
    path = tmp_path / "out.kml"
    code, out, err = run_cli("incidents", "export", "--format", "kml", "-o", str(path))
    assert code == 0 and out == "" and f"exported {len(positioned)} incident(s)" in err
    marks = ET.parse(path).getroot().iter(f"{_KML}Placemark")
    names = {m.get("id", "").removeprefix("incident-"): m.findtext(f"{_KML}name") for m in marks}
    assert set(names) == positioned and names[new_id] == "<b>Hrubieszów</b>"
    unpositioned = sorted(set(listed) - positioned)
    if unpositioned:
        assert unpositioned[0] in err
    code, _, err = run_cli("incidents", "export", "--format", "gpkg")
    assert code == 2 and err.count("\n") == 1


def test_places_cli_is_untouched():
    places = json.loads(_ok("places", "Hrubieszow", "--json"))
    assert places[0]["name"] == "Hrubieszów" and places[0]["country"] == "PL"
    assert {"name", "lat", "lon", "country"} <= set(places[0])


# ---------------------------------------------------------------------- a real process
@pytest.mark.slow
def test_real_process_exit_codes_and_stderr(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_STORE_URL"}
    env["DASHBOARD_DATA_DIR"] = str(tmp_path)

    def cli(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dashboard", *argv], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    bad = cli("incidents", "add", "--date", DAY, "--place", "X", "--country", "PL",
              "--position", "50.8,60.0", "--precision-m", "1000", "--object-type", "drone",
              "--source", "ftp://example.org/x", "--reason", "new report")
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
    assert [s.split(":")[1].strip() for s in bad.stderr.splitlines()] == ["position", "sources 1"]
    good = cli(*ADD)
    assert good.returncode == 0 and good.stdout == f"{DAY}-hrubieszow\n", good.stderr
    # that id is taken now (in this process: what the real one stored is read back)
    again = cli_in_process([*ADD, "--id", f"{DAY}-hrubieszow"], text=True,
                           env={"DASHBOARD_DATA_DIR": str(tmp_path), "DASHBOARD_STORE_URL": None})
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "Traceback" not in again.stderr
