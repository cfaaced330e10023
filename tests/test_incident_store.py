"""The incident store (issue 19, item 1) behind one interface, against a GeoPackage file and a
real PostgreSQL/PostGIS server (the ``store_url`` fixture): versions with who, when, why and
the field diff; stale edits refused naming the newer version (also when two stores race);
imports all or nothing; the shipped catalogue merged in and never written; a killed
writer leaves the previous state; the scenario store keeps working in the same place.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import GEODATA, ROOT, make_scenario, same_except_updated
from dashboard.data.incidents.check import IncidentInvalid, check_incident
from dashboard.data.incidents.record import EXAMPLE
from dashboard.data.incidents.version import StaleEdit
from dashboard.geo.errors import InputError
from dashboard.store import open_store
from dashboard.store.incidents import (
    GpkgIncidentStore,
    IncidentExists,
    IncidentNotFound,
    IncidentRetired,
    IncidentStore,
    NothingChanged,
    open_incident_store,
    shipped_versions,
)
from dashboard.store.incidents.gpkg_schema import INCIDENT_METADATA_URI

SHIPPED_ID = "2022-11-15-przewodow"


def rec(i: int, **changes) -> dict:
    """A valid new incident (Przewodów's record under a new id and date)."""
    day = f"2026-11-{i % 28 + 1:02d}"
    return {**EXAMPLE, "id": f"{day}-test-{i}", "date": day, **changes}


def shipped_hashes() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(GEODATA.iterdir()) if p.is_file()}


@pytest.fixture
def store(store_url: str) -> IncidentStore:
    return open_incident_store(store_url)


# ---------------------------------------------------------------- shared behaviour
def test_add_edit_retire_restore_keep_every_version(store: IncidentStore) -> None:
    before = shipped_hashes()
    assert isinstance(store, IncidentStore)
    v1 = store.add(rec(1), who="analyst@example.org", reason="new report")
    assert (v1.version, v1.action, v1.who, v1.reason, v1.retired) == (
        1, "add", "analyst@example.org", "new report", False)
    assert {c.field for c in v1.changes} >= {"id", "date", "place", "sources", "geometry"}
    iid = v1.incident_id
    v2 = store.edit(iid, rec(1, killed=3, status="disputed"), based_on=1, who="local",
                    reason="casualty count corrected")
    assert [(c.field, c.old, c.new) for c in v2.changes] == [
        ("killed", 2, 3), ("status", "confirmed", "disputed")]
    v3 = store.retire(iid, based_on=2, who="local", reason="duplicate of another report")
    assert v3.retired and v3.record == v2.record
    assert [(c.field, c.old, c.new) for c in v3.changes] == [("retired", False, True)]
    assert iid not in {v.incident_id for v in store.current()}
    assert store.get(iid).retired and iid in {v.incident_id for v in
                                              store.current(include_retired=True)}
    with pytest.raises(IncidentRetired, match="restore it first"):
        store.edit(iid, rec(1, killed=9), based_on=3, who="local", reason="more")
    with pytest.raises(IncidentRetired, match="retired already"):
        store.retire(iid, based_on=3, who="local", reason="again")
    v4 = store.restore(iid, 1, based_on=3, who="local", reason="not a duplicate after all")
    assert (v4.version, v4.action, v4.retired, v4.record) == (4, "restore", False, v1.record)
    assert "restores version 1" in v4.reason
    assert [(c.field, c.old, c.new) for c in v4.changes] == [
        ("killed", 3, 2), ("status", "disputed", "confirmed"), ("retired", True, False)]
    history = store.history(iid)
    assert [(v.version, v.action) for v in history] == [
        (1, "add"), (2, "edit"), (3, "retire"), (4, "restore")]
    assert history == [v1, v2, v3, v4]  # read back exactly as written
    assert all(a.at <= b.at for a, b in zip(history, history[1:]))
    assert store.get(iid) == v4
    with pytest.raises(NothingChanged):
        store.edit(iid, rec(1), based_on=4, who="local", reason="same again")
    with pytest.raises(NothingChanged):
        store.restore(iid, 1, based_on=4, who="local", reason="same again")
    with pytest.raises(InputError, match="no version 7"):
        store.restore(iid, 7, based_on=4, who="local", reason="no such")
    with pytest.raises(IncidentNotFound):
        store.get("2026-01-01-nowhere")
    with pytest.raises(IncidentNotFound):
        store.history("2026-01-01-nowhere")
    assert shipped_hashes() == before


def test_who_reason_and_record_are_checked(store: IncidentStore) -> None:
    with pytest.raises(InputError, match="reason"):
        store.add(rec(2), who="local", reason="  ")
    with pytest.raises(InputError, match="who"):
        store.add(rec(2), who="", reason="new report")
    with pytest.raises(IncidentInvalid, match="url must start with http"):
        store.add(rec(2, sources=[{"url": "ftp://x.org/a"}]), who="local", reason="new")
    with pytest.raises(InputError, match="id does not change"):
        store.add(rec(2), who="local", reason="new report")
        store.edit(rec(2)["id"], rec(3), based_on=1, who="local", reason="wrong id")
    with pytest.raises(InputError, match="based_on"):
        store.edit(rec(2)["id"], rec(2, killed=5), based_on=-1, who="local", reason="x y z")
    assert [v.version for v in store.history(rec(2)["id"])] == [1]


def test_a_stale_edit_is_refused_naming_the_newer_version(store: IncidentStore) -> None:
    iid = store.add(rec(4), who="ann", reason="new report").incident_id
    store.edit(iid, rec(4, killed=5), based_on=1, who="bob", reason="bob's count")
    with pytest.raises(StaleEdit) as err:
        store.edit(iid, rec(4, injured=1), based_on=1, who="ann", reason="ann's count")
    msg = str(err.value)
    assert "version 1" in msg and "newest is version 2" in msg and "bob" in msg
    assert "bob's count" in msg and err.value.newest.version == 2
    with pytest.raises(StaleEdit):
        store.retire(iid, based_on=1, who="ann", reason="retire it")
    assert store.get(iid).record.killed == 5 and len(store.history(iid)) == 2


def test_shipped_incidents_appear_and_a_new_version_overrides_one(store: IncidentStore
                                                                  ) -> None:
    before = shipped_hashes()
    shipped = shipped_versions()
    current = {v.incident_id: v for v in store.current()}
    assert set(current) == set(shipped) and len(shipped) >= 37
    v0 = store.get(SHIPPED_ID)
    assert (v0.version, v0.who, v0.action) == (0, "catalogue", "shipped")
    with pytest.raises(IncidentExists, match="shipped catalogue"):
        store.add(v0.record, who="local", reason="copy")
    v1 = store.edit(SHIPPED_ID, v0.record.with_changes(notes="re-read the source"),
                    based_on=0, who="local", reason="note added")
    assert [(c.field, c.new) for c in v1.changes] == [("notes", "re-read the source")]
    assert {v.incident_id: v for v in store.current()}[SHIPPED_ID] == v1
    assert [v.version for v in store.history(SHIPPED_ID)] == [0, 1]
    with pytest.raises(StaleEdit):
        store.edit(SHIPPED_ID, v0.record.with_changes(killed=1), based_on=0, who="local",
                   reason="stale")
    back = store.restore(SHIPPED_ID, 0, based_on=1, who="local", reason="back to shipped")
    assert back.record == v0.record and back.version == 2
    store.retire(SHIPPED_ID, based_on=2, who="local", reason="not an incident")
    assert SHIPPED_ID not in {v.incident_id for v in store.current()}
    assert shipped_hashes() == before


def test_add_many_is_all_or_nothing(store: IncidentStore) -> None:
    token = store.token()
    rows = [rec(i) for i in range(10, 20)]
    bad = rows[:5] + [rec(99, date="2026-13-01")] + rows[5:]
    with pytest.raises(IncidentInvalid, match="row 6"):
        store.add_many(bad, who="local", reason="import of a CSV")
    with pytest.raises(IncidentExists, match="row 4.*also row 2"):
        store.add_many(rows[:3] + [rows[1]], who="local", reason="import")
    existing = store.add(rec(50), who="local", reason="one first")
    with pytest.raises(IncidentExists, match="row 11: .*exists already; nothing was imported"):
        store.add_many(rows + [rec(50)], who="local", reason="import")
    assert [v.incident_id for v in store.current() if "-test-" in v.incident_id] == [
        existing.incident_id]
    assert store.token() != token
    got = store.add_many(rows, who="importer", reason="import of a CSV")
    assert [v.action for v in got] == ["import"] * 10
    assert len({v.at for v in got}) == 1
    assert {v.incident_id for v in store.current()} >= {r["id"] for r in rows}


def test_two_stores_racing_from_one_version_exactly_one_wins(store_url: str) -> None:
    a, b = open_incident_store(store_url), open_incident_store(store_url)
    iid = a.add(rec(5), who="ann", reason="new report").incident_id
    if a.kind == "PostgreSQL":  # both read version 1 before either inserts
        barrier = threading.Barrier(2, timeout=20)
        a._hook = b._hook = (lambda stage: barrier.wait() if stage == "insert" else None)
    results: dict[str, object] = {}

    def edit(who: str, s: IncidentStore, killed: int) -> None:
        try:
            results[who] = s.edit(iid, rec(5, killed=killed), based_on=1, who=who,
                                  reason=f"{who}'s edit")
        except InputError as exc:
            results[who] = exc

    threads = [threading.Thread(target=edit, args=("ann", a, 7)),
               threading.Thread(target=edit, args=("bob", b, 8))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [w for w, r in results.items() if not isinstance(r, Exception)]
    lost = [r for r in results.values() if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], StaleEdit) and "newest is version 2" in str(lost[0])
    assert [(v.version, v.who) for v in a.history(iid)] == [(1, "ann"), (2, won[0])]


_KILL = """
import os, sys
from dashboard.data.incidents.record import EXAMPLE
from dashboard.store.incidents import open_incident_store
s = open_incident_store(sys.argv[1])
def die(stage):
    if stage == "commit":
        os._exit(3)
s._hook = die
rows = [dict(EXAMPLE, id=f"2026-10-01-killed-{i}", date="2026-10-01") for i in range(50)]
s.add_many(rows, who="local", reason="never lands")
"""


@pytest.mark.slow
def test_a_killed_writer_leaves_the_previous_state(store: IncidentStore, store_url: str
                                                   ) -> None:
    first = store.add(rec(6), who="local", reason="before the crash")
    token = store.token()
    out = subprocess.run([sys.executable, "-c", _KILL, store_url], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 3, out.stderr
    assert store.token() == token
    assert not [v for v in store.current() if "killed" in v.incident_id]
    assert store.get(first.incident_id) == first
    again = store.edit(first.incident_id, rec(6, killed=4), based_on=1, who="local",
                       reason="after the crash")
    assert again.version == 2
    if store.kind == "GeoPackage":
        conn = sqlite3.connect(store_url)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


def test_the_scenario_store_works_alongside(store_url: str) -> None:
    incidents = open_incident_store(store_url)
    incidents.add(rec(7), who="local", reason="incident first")  # creates the store
    scenarios = open_store(store_url)
    s = make_scenario("Eastern flank")
    scenarios.save(s)
    incidents.edit(rec(7)["id"], rec(7, killed=1), based_on=1, who="local", reason="edit")
    assert same_except_updated(scenarios.load("Eastern flank"), s)
    assert [x.name for x in scenarios.list()] == ["Eastern flank"]
    scenarios.delete("Eastern flank")
    assert incidents.get(rec(7)["id"]).version == 2


# ---------------------------------------------------------------- GeoPackage only
def test_shipped_records_are_valid_and_cached() -> None:
    shipped = shipped_versions()
    for v in shipped.values():
        assert check_incident(v.record.to_dict()) == v.record
        assert v.record.position_kind in ("source", "gazetteer", "not sourced", "map click",
                                          "estimate")
        assert (v.record.position_kind == "not sourced") == (v.record.geometry is None)
    assert shipped_versions() == shipped  # cached: the same frozen versions again
    assert all(a is b for a, b in zip(shipped.values(), shipped_versions().values()))


def test_the_unique_version_backs_the_newest_check(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = GpkgIncidentStore(tmp_path / "s.gpkg")
    iid = store.add(rec(8), who="ann", reason="new report").incident_id
    store.edit(iid, rec(8, killed=5), based_on=1, who="bob", reason="bob's count")
    # a writer whose newest-version read is stale (as if another process raced it)
    real, calls = GpkgIncidentStore._newest_of, []

    def stale_once(conn, ids):
        calls.append(ids)
        return {i: store.history(i)[0] for i in ids} if len(calls) == 1 else real(conn, ids)

    monkeypatch.setattr(GpkgIncidentStore, "_newest_of", staticmethod(stale_once))
    with pytest.raises(StaleEdit, match="newest is version 2"):
        store.edit(iid, rec(8, injured=3), based_on=1, who="ann", reason="ann's count")
    monkeypatch.undo()
    assert [v.version for v in store.history(iid)] == [1, 2]


def test_a_gis_sees_the_versions_layer_and_a_newer_schema_is_refused(tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "s.gpkg"
    store = GpkgIncidentStore(path)
    store.add(rec(9), who="local", reason="positioned")
    store.add(rec(10, geometry=None, precision_m=None, position_kind="not sourced"),
              who="local", reason="unpositioned")
    layers = dict(pyogrio.list_layers(path))
    assert "incident_versions" in layers
    frame = pyogrio.read_dataframe(path, layer="incident_versions")
    assert frame.crs.to_epsg() == 4326 and len(frame) == 2
    pos = frame[frame.incident_id == rec(9)["id"]].geometry.iloc[0]
    assert (pos.x, pos.y) == tuple(EXAMPLE["geometry"]["coordinates"])
    assert frame[frame.incident_id == rec(10)["id"]].geometry.iloc[0] is None
    conn = sqlite3.connect(path)
    conn.execute("UPDATE gpkg_metadata SET metadata = ? WHERE md_standard_uri = ?",
                 (json.dumps({"schema_version": 99}), INCIDENT_METADATA_URI))
    conn.commit()
    conn.close()
    for op in (store.current, lambda: store.add(rec(11), who="local", reason="new")):
        with pytest.raises(InputError, match="newer nfz-dashboard"):
            op()


def test_open_incident_store_reads_the_store_url(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("DASHBOARD_STORE_URL", f"gpkg:{tmp_path}/team.gpkg")
    s = open_incident_store()
    assert s.kind == "GeoPackage" and s.where == f"{tmp_path}/team.gpkg"
    assert s.where == str(open_store().where)
    pg = open_incident_store("postgresql://nfz:Secret-123@127.0.0.1:1/x")
    assert pg.kind == "PostgreSQL" and "Secret-123" not in pg.where
    with pytest.raises(InputError, match="DASHBOARD_STORE_URL"):
        monkeypatch.setenv("DASHBOARD_STORE_URL", "mysql://db/x")
        open_incident_store()


@pytest.mark.slow  # 120 write transactions (fsync each)
def test_current_is_fast_on_a_hundred_incidents(tmp_path: Path) -> None:
    store = GpkgIncidentStore(tmp_path / "s.gpkg")
    rows = [rec(i) for i in range(100, 160)]
    store.add_many(rows, who="local", reason="import")
    for k in range(1, 3):
        for r in rows:
            store.edit(r["id"], dict(r, killed=k + 10), based_on=k, who="local",
                       reason="count")
    store.current()
    t = time.perf_counter()
    for _ in range(10):
        current = store.current()
        store.token()
    per_call = (time.perf_counter() - t) / 10
    assert len(current) == len(shipped_versions()) + 60
    assert per_call < 0.05, f"current() + token() took {per_call * 1000:.1f} ms"


def test_shipped_tracks_and_new_fields_are_read_when_present(tmp_path: Path) -> None:
    """The tracks file is optional; fields today's files lack get honest defaults, and are
    read when a rebuilt catalogue carries them."""
    for name in ("incidents.geojson", "incidents_unlocated.json", "MANIFEST.json"):
        (tmp_path / name).write_bytes((GEODATA / name).read_bytes())
    plain, everything = shipped_versions(tmp_path), shipped_versions()
    assert all(everything[k] == v for k, v in plain.items())
    assert all(v.record.kind != "track" for v in plain.values())
    track = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [
        [27.6, 59.4], [27.0, 59.6]]}, "properties": {
        **{k: v for k, v in EXAMPLE.items() if k != "geometry"}, "id": "2025-09-19-estonia",
        "date": "2025-09-19", "country": "EE", "object_type": "aircraft",
        "position_method": "source: route published by the Estonian Defence Forces",
        "status": "reported", "group": "2025-09-19 violation"}}
    (tmp_path / "incident_tracks.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": [track]}))
    got = shipped_versions(tmp_path)["2025-09-19-estonia"]
    assert got.record.kind == "track" and got.record.position_kind == "source"
    assert (got.record.status, got.record.group) == ("reported", "2025-09-19 violation")
    assert check_incident(got.record.to_dict()) == got.record


def test_an_unreachable_server_is_store_unavailable_without_the_password() -> None:
    from dashboard.store.model import StoreUnavailable

    store = open_incident_store("postgresql://nfz:Pg-secret-77@127.0.0.1:1/nfz")
    for op in (store.current, lambda: store.add(rec(12), who="local", reason="new")):
        with pytest.raises(StoreUnavailable) as err:
            op()
        assert "Pg-secret-77" not in str(err.value) and "127.0.0.1:1" in str(err.value)
