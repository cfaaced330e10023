"""The scenario store behind one interface: the same tests against a GeoPackage file and a
real PostgreSQL/PostGIS server (tests/pgserver.py), plus what only one backend has.

Shared: save/list/load/rename/delete, typed errors, an exact round trip (also of
random scenarios), concurrent writer processes.  PostgreSQL only: a stopped or
restarting server gives a clear message and loses no zones on the page; the
password never shows.  GeoPackage only: a store written by 0.9.0 (schema 1,
tests/data/scenarios_v1.gpkg) opens, reads exactly and is upgraded by a save.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pgserver import APP_PASSWORD
from shapely.geometry import MultiPolygon, Polygon, box
from test_zonestate import INCIDENTS

from conftest import (
    PRZEWODOW_LONLAT as PRZEWODOW,
)
from conftest import (
    ROOT,
    TESTS,
    big_scenario,
    make_scenario,
    same_except_updated,
    small_scenario,
    star,
)
from dashboard.data.limits import BUSY_TIMEOUT_S
from dashboard.geo.errors import InputError
from dashboard.state import session as appstate
from dashboard.state import zone_scenario
from dashboard.state import zonemap as zm
from dashboard.state import zones as zs
from dashboard.store import (
    Buffer,
    Scenario,
    ScenarioExists,
    ScenarioNotFound,
    ScenarioStore,
    ScenarioView,
    Store,
    StoreUnavailable,
    Zone,
    open_store,
)
from dashboard.store.model import format_ts
from dashboard.store.pg_store import PostgresStore

V1_STORE = TESTS / "data" / "scenarios_v1.gpkg"


@pytest.fixture
def store(store_url: str) -> Store:
    return open_store(store_url)


# ------------------------------------------------------------ shared behaviour
def test_round_trip_is_exact(store: Store) -> None:
    assert isinstance(store, Store)
    assert store.list() == [] and not store.exists("x")  # a store nobody wrote yet is empty
    s = make_scenario()
    saved = store.save(s)
    assert same_except_updated(saved, s) and saved.updated >= s.created
    loaded = store.load(s.name)
    assert loaded == saved  # every coordinate, parameter and field, to the last bit
    assert store.list() == [(s.name, saved.updated, 3)]
    assert store.exists(s.name) and not store.exists("other")


def test_both_backends_load_the_same_scenario(tmp_path: Path, fresh_pg_url: str) -> None:
    s = make_scenario()
    a = open_store(str(tmp_path / "s.gpkg"))
    b = open_store(fresh_pg_url)
    a.save(s), b.save(s)
    got_a, got_b = a.load(s.name), b.load(s.name)
    assert replace(got_a, updated="") == replace(got_b, updated="")
    assert [z.params for z in got_b.zones] == [z.params for z in s.zones]
    assert list(got_b.zones[2].params) == ["segment_ids", "depth_km"]  # key order kept


def test_overwrite_and_missing_names(store: Store) -> None:
    kept = store.save(small_scenario("a", 1))
    store.save(small_scenario("b", 2))
    with pytest.raises(ScenarioExists, match="a scenario named 'a' already exists"):
        store.save(small_scenario("a", 3), overwrite=False)
    assert store.load("a") == kept
    newer = store.save(make_scenario("a"))  # overwrite (the default) replaces it whole
    assert store.load("a") == newer and len(store.load("a").zones) == 3
    assert store.load("a").buffers == make_scenario().buffers
    for missing_op in (store.load, store.delete, lambda n: store.rename(n, "y")):
        with pytest.raises(ScenarioNotFound, match="no saved scenario named 'ghost'"):
            missing_op("ghost")
    with pytest.raises(InputError, match="control characters"):
        store.save(small_scenario("bad\nname", 0))
    zone = small_scenario("n", 1).zones[0]
    for nul in (replace(small_scenario("n", 1), zones=[replace(zone, description="a\x00b")]),
                replace(small_scenario("n", 1), zones=[replace(zone, name="z\x00")])):
        with pytest.raises(InputError, match="contains a NUL character"):
            store.save(nul)  # refused alike by both backends (PostgreSQL text has no NUL)
    assert not store.exists("n")


def test_rename_delete_and_order(store: Store) -> None:
    for name in ("a", "b", "c"):
        store.save(small_scenario(name, 0))
        time.sleep(0.002)  # distinct millisecond stamps
    first = store.save(small_scenario("a", 1))
    assert [n for n, _, _ in store.list()] == ["a", "c", "b"]
    store.rename("a", "renamed")
    got = store.load("renamed")
    assert got.zones == first.zones and got.updated >= first.updated
    assert [n for n, _, _ in store.list()][0] == "renamed"
    with pytest.raises(ScenarioExists, match="'b' already exists; delete or rename it first"):
        store.rename("renamed", "b")
    with pytest.raises(InputError, match="must not be empty"):
        store.rename("renamed", " ")
    before = store.list()
    store.rename("b", "b")  # same name: nothing happens
    assert store.list() == before
    store.delete("renamed")
    assert {n for n, _, _ in store.list()} == {"b", "c"}
    with pytest.raises(ScenarioNotFound):
        store.load("renamed")
    store.save(small_scenario("renamed", 5))  # the name is free again, with new zones only
    assert store.load("renamed").zones == small_scenario("renamed", 5).zones


# ------------------------------------------------------------- random scenarios
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=30)
_JSON_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-2**53, 2**53),
                        st.floats(allow_nan=False, allow_infinity=False), _TEXT)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Random valid scenarios: stars and two-part zones anywhere off the antimeridian,
    odd floats in parameters, circles, point and layer buffers, every optional field."""
    zones = []
    for k in range(draw(st.integers(0, 4))):
        lon, lat = draw(st.floats(-160, 160)), draw(st.floats(-70, 70))
        r = draw(st.floats(1e-4, 1.0))
        geom = star(lon, lat, draw(st.integers(3, 80)), draw(st.integers(0, 10**6)), (r / 2, r))
        if draw(st.booleans()):
            geom = MultiPolygon([geom, star(lon, lat + 2.5 * r, 5, k, (r / 4, r / 2))])
        circle = draw(st.booleans())
        rule = draw(_TEXT.filter(lambda t: len(t) < 60))
        zones.append(Zone(f"z{k}", draw(_TEXT), geom, rule=rule,
                          description=draw(_TEXT),
                          params=draw(st.dictionaries(_TEXT, _JSON_VALUE, max_size=4)),
                          center_lon=lon if circle else None, center_lat=lat if circle else None,
                          radius_km=draw(st.floats(0.001, 5000)) if circle else None))
    buffers = [Buffer(draw(st.floats(-180, 180)), draw(st.floats(-90, 90)),
                      draw(st.floats(0.001, 20000)), label=draw(_TEXT))
               for _ in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        buffers.append(Buffer.around_layer("nato_border", draw(st.floats(0.1, 500)), "band"))
    created = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(
        milliseconds=draw(st.integers(0, 10**11)))
    return Scenario(
        name=draw(st.text(st.characters(min_codepoint=32, blacklist_categories=("Cs", "Cc")),
                          min_size=1, max_size=40).map(str.strip).filter(bool)),
        zones=zones, buffers=buffers,
        incident_id=draw(st.none() | st.sampled_from(["2022-11-15-przewodow", "x"])),
        view=draw(st.none() | st.builds(ScenarioView, st.floats(-180, 180), st.floats(-90, 90),
                                        st.floats(0, 24))),
        as_of=draw(st.none() | st.dates(date(1990, 1, 1), date(2030, 12, 31))),
        units=draw(st.sampled_from(["km", "nm", "mi"])), created=format_ts(created))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(s=scenarios())
def test_random_scenarios_round_trip_exactly(store: Store, s: Scenario) -> None:
    saved = store.save(s)
    assert store.load(s.name) == saved
    assert same_except_updated(saved, s)


# ------------------------------------------------------------------ concurrency
CHILD = r"""
import json, pickle, sys, time
from pathlib import Path
from dashboard.store import open_store

store, who, go = open_store(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
own, shared = pickle.loads(Path(sys.argv[4]).read_bytes())[who]  # built by the test
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
t0 = time.time()
for scenario in own:
    store.save(scenario)
    store.save(shared)
print(json.dumps([t0, time.time()]), flush=True)
"""


@pytest.mark.slow  # four writer processes
def test_concurrent_writer_processes_lose_nothing(store_url: str, tmp_path: Path) -> None:
    """Four processes start on a store nobody has written (the schema is created by a race),
    each saves 15 scenarios of its own and 15 versions of one contested name."""
    script, go, n, who = tmp_path / "child.py", tmp_path / "go", 15, ["p0", "p1", "p2", "p3"]
    script.write_text(CHILD)
    scenarios = tmp_path / "scenarios.pickle"  # the children need not import conftest
    scenarios.write_bytes(pickle.dumps({w: ([small_scenario(f"{w}-{k:02d}", k) for k in range(n)],
                                            small_scenario("shared", 0, tag=w)) for w in who}))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    procs = [subprocess.Popen([sys.executable, str(script), store_url, w, str(go), str(scenarios)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for w in who]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    go.touch()
    spans = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        spans.append(json.loads(out.strip().splitlines()[-1]))
    assert max(t0 for t0, _ in spans) < min(t1 for _, t1 in spans)  # they overlapped

    store = open_store(store_url)
    names = {n for n, _, _ in store.list()}
    assert names == {f"{w}-{k:02d}" for w in who for k in range(n)} | {"shared"}
    for w in who:
        for k in range(n):
            assert same_except_updated(store.load(f"{w}-{k:02d}"),
                                       small_scenario(f"{w}-{k:02d}", k))
    shared = store.load("shared")  # one writer's version, whole: never a mix of zones
    assert sum(same_except_updated(shared, small_scenario("shared", 0, tag=w))
               for w in who) == 1
    assert _zone_rows(store_url) == 3 * (4 * n + 1)  # no orphan or duplicate rows


def _zone_rows(store_url: str) -> int:
    if store_url.startswith("postgresql://"):
        with psycopg.connect(store_url) as conn:
            return conn.execute("SELECT count(*) FROM nfz_dashboard.zones").fetchone()[0]
    with sqlite3.connect(store_url) as con:
        return con.execute("SELECT count(*) FROM zones").fetchone()[0]


# --------------------------------------------------------------- schema versions
def test_schema_version_is_recorded_and_a_newer_one_refused(store_url: str) -> None:
    store = open_store(store_url)
    store.save(small_scenario("a", 0))
    if store_url.startswith("postgresql://"):
        with psycopg.connect(store_url, autocommit=True) as conn:
            assert conn.execute("SELECT schema_version, written_by FROM "
                                "nfz_dashboard.store_version").fetchall() == [
                (1, "nfz-dashboard 0.9.0")]
            conn.execute("UPDATE nfz_dashboard.store_version SET schema_version = 7")
    else:
        with sqlite3.connect(store_url) as con:
            (meta,) = con.execute("SELECT metadata FROM gpkg_metadata WHERE md_standard_uri"
                                  " = 'urn:nfz-dashboard:scenario-store'").fetchone()
            assert json.loads(meta)["schema_version"] == 2
            con.execute("UPDATE gpkg_metadata SET metadata = '{\"schema_version\": 7}'")
    for op in (store.list, lambda: store.load("a"), lambda: store.save(small_scenario("b", 1))):
        with pytest.raises(InputError, match=r"written by a newer nfz-dashboard \(schema 7;"
                                             r".*upgrade") as info:
            op()
        assert "\n" not in str(info.value)


def _v1_expected() -> tuple[Scenario, Scenario]:
    """What tests/data/scenarios_v1.gpkg holds: written by nfz-dashboard 0.9.0's store
    (schema 1: no version recorded) from exactly these values, before schema versions."""
    band = Polygon([(23.5 + k / 7, 50.0 + k / 9) for k in range(5)] + [(24.0, 51.0 + 1 / 3)])
    outer = [(25.0, 49.0), (26.0 + 1 / 7, 49.0), (26.0 + 1 / 7, 50.0 + 1 / 11),
             (25.0, 50.0 + 1 / 11)]
    hole = [(25.25, 49.25), (25.5 + 1 / 13, 49.25), (25.5 + 1 / 13, 49.5 + 1 / 17)]
    two = MultiPolygon([Polygon(outer, [hole]), box(27.0, 49.0, 27.0 + 1 / 3, 49.0 + 2 / 3)])
    ring = Polygon([(23.93432 + 0.5 * x, 50.47099 + 0.3 * y) for x, y in
                    [(1, 0), (0.5, 6 / 7), (-0.5, 6 / 7), (-1, 0), (-0.5, -6 / 7),
                     (0.5, -6 / 7)]])
    first = Scenario(
        name="Przewodów v1 — «A»",
        zones=[Zone("band", "West band", band, rule="border_band", description="band along "
                    "PL-UA", params={"segment_ids": ["PL-UA"], "depth_km": 50.0}),
               Zone("two", "Two parts", two, rule="regions", params={"iso_codes": ["UA-46"]}),
               Zone("ring", "Ring", ring, rule="circle", description="circle",
                    center_lon=23.93432, center_lat=50.47099, radius_km=33.3)],
        buffers=[Buffer(23.93432, 50.47099, 75.0, label="75 km"),
                 Buffer.around_layer("nato_border", 100.0, label="100 km of NATO")],
        incident_id="2022-11-15-przewodow", view=ScenarioView(24.1, 50.2, 6.25),
        as_of=date(2022, 11, 15), units="nm", created="2024-03-01T08:00:00.000Z",
        updated="2026-12-02T05:35:24.489Z")
    second = Scenario(name="Draft", zones=[Zone("zone-1", "Box", box(30.0, 50.0, 30.5, 50.5))],
                      created="2024-03-02T09:30:00.000Z", updated="2026-12-02T05:35:24.499Z")
    return first, second


def test_a_store_of_the_previous_version_opens_and_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "old.gpkg"
    shutil.copyfile(V1_STORE, path)
    with sqlite3.connect(path) as con:  # really the old layout: no version recorded
        assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'gpkg_metadata'"
                           ).fetchone()[0] == 0
    first, second = _v1_expected()
    store = open_store(f"gpkg:{path}")
    before = path.read_bytes()
    assert store.list() == [("Draft", second.updated, 1), (first.name, first.updated, 3)]
    assert store.load(first.name) == first and store.load("Draft") == second
    assert path.read_bytes() == before  # reading does not rewrite an old store

    third = store.save(small_scenario("new", 3))  # the first save upgrades, then saves
    assert store.load(first.name) == first and store.load("new") == third
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (meta,) = con.execute("SELECT metadata FROM gpkg_metadata").fetchone()
        assert json.loads(meta) == {"schema_version": 2, "written_by": "nfz-dashboard 0.9.0"}
        assert con.execute("SELECT reference_scope, table_name FROM gpkg_metadata_reference"
                           ).fetchall() == [("table", "scenarios")]
        assert {r[0] for r in con.execute("SELECT table_name FROM gpkg_extensions")} == {
            "gpkg_metadata", "gpkg_metadata_reference"}
        assert dict(con.execute("SELECT table_name, data_type FROM gpkg_contents")) == {
            "zones": "features", "buffers": "features", "scenarios": "attributes"}
    import geopandas as gpd  # GDAL still reads it as a GeoPackage of two layers

    assert len(gpd.read_file(path, layer="zones")) == 7


# ---------------------------------------------------------------- choosing a store
def test_open_store_reads_the_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DASHBOARD_STORE_URL", raising=False)
    assert open_store().where == str(tmp_path / "data" / "scenarios.gpkg")
    monkeypatch.setenv("DASHBOARD_STORE_URL", "  ")
    assert open_store().where == str(tmp_path / "data" / "scenarios.gpkg")
    for url in (f"gpkg:{tmp_path}/t.gpkg", f"file://{tmp_path}/t.gpkg", f"{tmp_path}/t.gpkg",
                f"file:{tmp_path}/t.gpkg"):
        monkeypatch.setenv("DASHBOARD_STORE_URL", url)
        got = open_store()
        assert isinstance(got, ScenarioStore) and got.path == tmp_path / "t.gpkg", url
    for url in ("postgresql://u:pw@db.example:5433/team", "postgres://u:pw@db.example:5433/team"):
        monkeypatch.setenv("DASHBOARD_STORE_URL", url)
        got = open_store()
        assert isinstance(got, PostgresStore) and got.kind == "PostgreSQL"
        assert got.where == url.split(":pw")[0] + "@db.example:5433/team"
    monkeypatch.setenv("DASHBOARD_STORE_URL", "mysql://u:hunter2@db/x")
    with pytest.raises(InputError, match="DASHBOARD_STORE_URL must be postgresql://") as info:
        open_store()
    assert "hunter2" not in str(info.value) and "mysql://u@db/x" in str(info.value)
    with pytest.raises(InputError, match="is not a valid PostgreSQL URL"):
        open_store("postgresql://u:hunter2@db/x?nosuchoption=1")
    for raw in ("postgresql://u:a/b?c#d@db/x", "postgresql://u:a/b?c#d@db/x?nosuchoption=1"):
        try:  # a password with unencoded / ? #: never shown, whatever happens
            shown = open_store(raw).where
        except InputError as exc:
            shown = str(exc)
        assert "a/b" not in shown and "c#d" not in shown, shown
    for raw, expect in (("postgresql:/u:hunter2@db/x", "'postgresql:…'"),
                        ("host=db user=u password=hunter2 dbname=x", "keyword strings")):
        with pytest.raises(InputError, match=expect) as info:
            open_store(raw)
        assert "hunter2" not in str(info.value)


def test_unreachable_server_is_store_unavailable_without_the_password(
        pg_server, fresh_pg_url: str) -> None:
    from appserver import free_port

    closed = fresh_pg_url.replace(f":{pg_server.port}/", f":{free_port()}/")
    store = open_store(closed)
    for op, undone in ((lambda: store.save(small_scenario("a", 0)), "nothing was saved"),
                       (store.list, "the saved scenarios could not be read"),
                       (lambda: store.delete("a"), "nothing was deleted")):
        with pytest.raises(StoreUnavailable, match=rf"the scenario store postgresql://nfz_app@"
                           rf"127\.0\.0\.1:\d+/\w+ is not reachable \(connection refused\); "
                           rf"{undone}; try again") as info:
            op()
        assert APP_PASSWORD not in str(info.value)
    wrong = open_store(fresh_pg_url.replace(APP_PASSWORD, "not-the-password"))
    with pytest.raises(InputError, match="password authentication failed") as info:
        wrong.list()
    assert not isinstance(info.value, StoreUnavailable) and "not-the-password" not in str(
        info.value)
    missing_db = open_store(fresh_pg_url.rsplit("/", 1)[0] + "/no_such_db")
    with pytest.raises(InputError, match='database "no_such_db" does not exist'):
        missing_db.list()


# ------------------------------------------------------- a server that goes away
def _page_with_zones() -> dict:
    page: dict = {}
    appstate.init(page)
    zm.init(page)
    zs.add_zone(page, Polygon([(23.0, 50.0), (24.0 + 1 / 3, 50.0), (24.0, 51.0 + 1 / 7)]),
                rule="coordinates", name="West")
    zs.add_zone(page, box(25.0, 49.0, 26.0, 50.0), rule="rectangle", name="East")
    return page


def test_a_stopped_server_gives_a_clear_message_and_the_page_keeps_its_zones(
        pg_server, fresh_pg_url: str) -> None:
    store = open_store(fresh_pg_url)
    page = _page_with_zones()
    zs.save_scenario(page, store, "before", PRZEWODOW)
    zones = [zone_scenario.copy_zone(z) for z in page["drawn_zones"]]
    pg_server.stop()
    try:
        with pytest.raises(StoreUnavailable, match=r"^the scenario store postgresql://nfz_app@"
                           r"127\.0\.0\.1:\d+/\w+ is not reachable \(connection refused\); "
                           r"nothing was saved; try again$") as info:
            zs.save_scenario(page, store, "during", PRZEWODOW)
        assert APP_PASSWORD not in str(info.value)
        assert page["drawn_zones"] == zones  # the session's zones are all still there
        with pytest.raises(StoreUnavailable, match="'before' could not be read"):
            zs.open_saved(page, store, "before", INCIDENTS)
        assert page["drawn_zones"] == zones and [z.name for z in zones] == ["West", "East"]
        with pytest.raises(StoreUnavailable):
            zs.rename_saved(store, "before", "after")
    finally:
        pg_server.start()
    zs.save_scenario(page, store, "during", PRZEWODOW)  # the same save, once it is back
    assert {n for n, _, _ in store.list()} == {"before", "during"}
    assert store.load("during").zones == zones and store.load("before").zones == zones


def test_a_restart_during_saves_loses_nothing(pg_server, fresh_pg_url: str) -> None:
    """A writer saves new versions of "B" in a loop while the server stops (``-m fast``
    ends its sessions, mid-transaction or not) and starts again: every save either
    landed whole or raised StoreUnavailable, and "B" is always one complete version."""
    store = open_store(fresh_pg_url)
    a = store.save(small_scenario("A", 1))
    outcomes: list[tuple[str, int, str]] = []
    done = threading.Event()

    def writer() -> None:
        for k in range(400):
            if done.is_set():
                return
            try:
                store.save(big_scenario("B", k, n_zones=8, n_vertices=5000))
                outcomes.append(("ok", k, ""))
            except StoreUnavailable as exc:
                outcomes.append(("down", k, str(exc)))
                time.sleep(0.02)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        _wait_until(lambda: sum(o[0] == "ok" for o in outcomes) >= 3)
        pg_server.stop()
        _wait_until(lambda: any(o[0] == "down" for o in outcomes))  # the writer saw it go
    finally:
        pg_server.start()
    _wait_until(lambda: any(o[0] == "ok" for o in outcomes[-3:]) and
                any(o[0] == "down" for o in outcomes))
    done.set()
    thread.join(timeout=60)
    downs = [m for kind, _, m in outcomes if kind == "down"]
    assert downs and all(("nothing was saved; try again" in m or "during the commit" in m)
                         and APP_PASSWORD not in m for m in downs)
    got = store.load("B")
    version = int(got.zones[0].name.split()[1].split("-")[0])
    last_ok = max(k for kind, k, _ in outcomes if kind == "ok")
    assert version >= last_ok  # the last reported save (or a later one cut off in commit)
    assert same_except_updated(got, big_scenario("B", version, n_zones=8, n_vertices=5000))
    assert store.load("A") == a
    assert _zone_rows(fresh_pg_url) == 3 + 8


def _wait_until(cond, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def test_a_held_row_makes_a_save_wait_then_land_or_report_busy(fresh_pg_url: str) -> None:
    from dashboard.store import StoreBusy
    store = open_store(fresh_pg_url)  # the default wait (BUSY_TIMEOUT_S, 30 s)
    store.save(small_scenario("a", 0))
    holder = psycopg.connect(fresh_pg_url)  # another writer, in a transaction on "a"
    released: list[float] = []

    def waiting_on_a_lock(watch: psycopg.Connection) -> bool:
        return watch.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                             "current_database() AND application_name = 'nfz-dashboard' "
                             "AND wait_event_type = 'Lock'").fetchone()[0] > 0

    def release() -> None:  # once the save waits on the row lock, hold it 0.3 s more
        with psycopg.connect(fresh_pg_url, autocommit=True) as watch:
            _wait_until(lambda: waiting_on_a_lock(watch), timeout_s=60)
        time.sleep(0.3)
        released.append(time.monotonic())
        holder.commit()

    try:
        holder.execute("SELECT 1 FROM nfz_dashboard.scenarios WHERE name = 'a' FOR UPDATE")
        releaser = threading.Thread(target=release)
        releaser.start()
        saved = store.save(small_scenario("a", 1))  # waits for the holder, then lands
        saved_at = time.monotonic()
        releaser.join()
        assert released and saved_at > released[0]  # it landed after the lock was freed
        assert store.load("a") == saved
        for wait, quick in ((f"{BUSY_TIMEOUT_S:g}s", PostgresStore(fresh_pg_url)),  # default
                            ("200ms", PostgresStore(fresh_pg_url, busy_timeout_s=0.2))):
            with quick._target.connect() as conn:  # the server's own wait
                assert conn.execute("SHOW lock_timeout").fetchone()[0] == wait
        holder.execute("SELECT 1 FROM nfz_dashboard.scenarios WHERE name = 'a' FOR UPDATE")
        t0 = time.monotonic()
        with pytest.raises(StoreBusy, match=r"is busy \(another save held it for 0.2 s\)"):
            open_store(fresh_pg_url, busy_timeout_s=0.2).save(small_scenario("a", 2))
        assert time.monotonic() - t0 >= 0.15  # it waited before giving up
        holder.rollback()
    finally:
        holder.close()
    assert store.load("a") == saved
