"""Scenarios: GeoJSON, URL and GeoPackage round trips, bad input, crash safety, concurrency.

Geometry checks are independent of the module under test: circles are built
with ``pyproj.Geod.fwd`` and their radius re-measured with ``Geod.inv``; the
GeoPackage is read back with GDAL (pyogrio/geopandas) and raw ``sqlite3``.
"""
from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from hypothesis import example, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from conftest import (
    CREATED,
    PRZEWODOW_LONLAT,
    ROOT,
    TESTS,
    big_scenario,
    make_scenario,
    same_except_updated,
    small_scenario,
    star,
    wavy,
)
from dashboard import store as sc
from dashboard.data.limits import BUSY_TIMEOUT_S
from dashboard.geo.errors import InputError
from dashboard.store import (
    Buffer,
    Scenario,
    ScenarioExists,
    ScenarioNotFound,
    ScenarioStore,
    ScenarioView,
    StoreBusy,
    Zone,
    from_geojson,
    from_url_param,
    to_geojson,
    to_url_param,
)
from dashboard.store import gpkg_store as scenario_store
from dashboard.store.sqlite_file import connect_file

PRZEWODOW = PRZEWODOW_LONLAT
HALF_QUANTUM_DEG = sc.URL_PRECISION_DEG / 2 + 1e-12


# ------------------------------------------------------------------ builders
def nan_polygon() -> Polygon:
    with np.errstate(invalid="ignore"):  # shapely warns about the NaN it is asked to make
        return Polygon([(0, 0), (1, 0), (float("nan"), 1)])


def max_coord_diff_deg(a: Scenario, b: Scenario) -> float:
    worst = 0.0
    for za, zb in zip(a.zones, b.zones, strict=True):
        ca, cb = shapely.get_coordinates(za.geometry), shapely.get_coordinates(zb.geometry)
        assert za.geometry.geom_type == zb.geometry.geom_type
        # The URL form drops rounding duplicates; compare vertex sets both ways.
        # Each vertex against its closest counterpart in the per-axis (Chebyshev) sense:
        # a Euclidean nearest neighbour can be the wrong one where vertices sit two
        # quanta apart.
        for p, q in ((ca, cb), (cb, ca)):
            cheb = np.abs(p[:, None, :] - q[None, :, :]).max(axis=2)
            worst = max(worst, float(cheb.min(axis=1).max()))
    return worst


# -------------------------------------------------------------------- GeoJSON
def test_geojson_round_trip_is_exact() -> None:
    s = make_scenario()
    gj = to_geojson(s)
    assert from_geojson(gj) == s
    text = json.dumps(gj, allow_nan=False)  # strict RFC 8259 JSON
    assert from_geojson(text) == s
    assert from_geojson(text.encode("utf-8")) == s


def test_geojson_layout() -> None:
    s = make_scenario()
    gj = to_geojson(s)
    assert gj["type"] == "FeatureCollection"
    assert gj["scenario"] == {
        "format": "nfz-dashboard-scenario", "version": 1, "name": s.name,
        "incident_id": "2022-11-15-przewodow", "view": {"lon": 24.1, "lat": 50.2, "zoom": 6.25},
        "as_of": "2022-11-15", "units": "nm", "created": CREATED, "updated": CREATED}
    kinds = [f["properties"]["kind"] for f in gj["features"]]
    assert kinds == ["zone", "zone", "zone", "buffer", "buffer"]
    circle = gj["features"][0]
    assert circle["id"] == "circle-75"
    assert circle["geometry"]["type"] == "Polygon"
    assert circle["properties"]["radius_km"] == 75.0
    assert circle["properties"]["center_lon"] == PRZEWODOW[0]
    assert "radius_km" not in gj["features"][1]["properties"]  # not a circle
    assert gj["features"][2]["geometry"]["type"] == "MultiPolygon"
    assert len(gj["features"][2]["geometry"]["coordinates"][0]) == 2  # shell + hole
    assert gj["features"][3]["geometry"] == {"type": "Point", "coordinates": list(PRZEWODOW)}
    assert gj["features"][3]["properties"]["radius_km"] == 75.0
    assert gj["features"][4]["geometry"] is None
    assert gj["features"][4]["properties"]["layer"] == "nato_border"


def test_geojson_opens_in_gdal_as_a_plain_layer(tmp_path: Path) -> None:
    import geopandas as gpd

    path = tmp_path / "scenario.geojson"
    s = make_scenario()
    path.write_text(json.dumps(to_geojson(s)))
    gdf = gpd.read_file(path)
    assert list(gdf["kind"]) == ["zone"] * 3 + ["buffer"] * 2
    for z, geom in zip(s.zones, gdf.geometry[:3], strict=True):
        assert shapely.equals_exact(z.geometry, geom, tolerance=1e-9)


def test_plain_feature_collection_imports_as_zones() -> None:
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Volyn"},
         "geometry": {"type": "Polygon",  # not closed, with Z: closed and flattened
                      "coordinates": [[[24, 51, 100], [25, 51, 100], [25, 52, 100]]]}},
        {"type": "Feature", "properties": None, "id": "x7",
         "geometry": box(30, 50, 31, 51).__geo_interface__},
        {"type": "Feature", "properties": {"name": "Kyiv"}, "id": 12,
         "geometry": json.loads(json.dumps(box(30, 50.5, 31, 51.5).__geo_interface__))},
    ]}
    s = from_geojson(fc, default_name="From file")
    assert s.name == "From file"
    assert [z.id for z in s.zones] == ["zone-1", "x7", "12"]
    assert [z.name for z in s.zones] == ["Volyn", "x7", "Kyiv"]
    assert {z.rule for z in s.zones} == {"import"}
    assert s.zones[0].geometry.equals(Polygon([(24, 51), (25, 51), (25, 52)]))
    assert not s.zones[0].geometry.has_z
    # Area from the parsed polygon matches pyproj on the raw coordinates.
    area = abs(GEOD.polygon_area_perimeter([24, 25, 25], [51, 51, 52])[0])
    assert abs(abs(GEOD.geometry_area_perimeter(s.zones[0].geometry)[0]) - area) < 1e-3


def _fc(*features: dict, **extra: object) -> dict:
    return {"type": "FeatureCollection", "features": list(features), **extra}


def _zone(geometry: dict, **props: object) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": {"kind": "zone", **props}}


SQUARE = box(24, 50, 25, 51).__geo_interface__
BAD_GEOJSON = [
    ("{not json", "not valid JSON"),
    ({"type": "Feature", "geometry": SQUARE, "properties": {}}, "FeatureCollection"),
    ({"type": "FeatureCollection"}, "'features'"),
    (_fc({"type": "Feature", "properties": {},
          "geometry": {"type": "LineString", "coordinates": [[24, 50], [25, 51]]}}),
     "LineString"),
    (_fc(_zone(box(500_000, 5_500_000, 510_000, 5_510_000).__geo_interface__)), "projected"),
    (_fc(_zone({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})),
     "invalid"),
    (_fc(_zone({"type": "Polygon", "coordinates": [[["24", "50"], ["25", "50"], ["25", "51"]]]})),
     "number pairs"),
    (_fc(_zone({"type": "Polygon", "coordinates": [[[24, 50], [25, 50]]]})), "at least 3"),
    (_fc(_zone(SQUARE, id="a"), _zone(SQUARE, id="a")), "appears twice"),
    (_fc(_zone(SQUARE, center_lon=24.5)), "circle needs"),
    (_fc(_zone(SQUARE, params=[1, 2])), "params"),
    (_fc({"type": "Feature", "properties": {"kind": "buffer"},
          "geometry": {"type": "Point", "coordinates": [24, 50]}}), "radius_km"),
    (_fc({"type": "Feature", "properties": {"kind": "buffer", "radius_km": -5},
          "geometry": {"type": "Point", "coordinates": [24, 50]}}), "greater than 0"),
    (_fc({"type": "Feature", "properties": {"kind": "buffer", "radius_km": 5},
          "geometry": None}), "Point geometry or properties.layer"),
    (_fc({"type": "Feature", "properties": {},
          "geometry": {"type": "Point", "coordinates": [24, 50]}}), "zone or a buffer"),
    (_fc(_zone(SQUARE), scenario={"name": "x", "version": 99}), "newer"),
    (_fc(_zone(SQUARE), scenario={"name": "x", "as_of": "yesterday"}), "2022-11-15"),
    (_fc(_zone(SQUARE), scenario={"name": "x", "units": "furlong"}), "units"),
    (_fc(_zone(SQUARE), scenario={"name": "  "}), "empty"),
    (_fc(_zone(SQUARE), scenario={"name": "x", "view": {"lon": 24}}), "view"),
    (_fc(_zone(SQUARE), scenario={"name": "x", "created": "noon"}), "ISO 8601"),
    (_fc({"type": "Feature", "properties": {"kind": "meta"}, "geometry": None}), "unknown kind"),
    (_fc(*[_zone(SQUARE)] * 1001), "1,001 features"),
]


@pytest.mark.parametrize(("obj", "message"), BAD_GEOJSON,
                         ids=[m for _, m in BAD_GEOJSON])
def test_bad_geojson_raises_input_error_with_a_message(obj: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        from_geojson(obj)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------------ URL
def test_url_round_trip_within_half_a_quantum() -> None:
    s = make_scenario()
    param = to_url_param(s)
    assert len(param) <= sc.MAX_URL_PARAM_CHARS
    assert param.isascii() and all(c.isalnum() or c in "-_" for c in param)
    back = from_url_param(param)
    assert max_coord_diff_deg(s, back) <= HALF_QUANTUM_DEG
    # Names and metadata survive exactly; coordinates to 1e-5 degree.
    assert back.name == s.name
    assert [(z.id, z.name, z.rule, z.description, z.params) for z in back.zones] == \
        [(z.id, z.name, z.rule, z.description, z.params) for z in s.zones]
    assert (back.incident_id, back.as_of, back.units, back.created, back.updated) == \
        (s.incident_id, s.as_of, s.units, s.created, s.updated)
    assert back.view == ScenarioView(24.1, 50.2, 6.25)
    assert back.buffers[0].radius_km == 75.0 and back.buffers[1].layer == "nato_border"
    assert abs(back.buffers[0].lon - PRZEWODOW[0]) <= HALF_QUANTUM_DEG
    # Decoding is stable: a second trip is exact.
    assert from_url_param(to_url_param(back)) == back


def test_url_circle_keeps_its_geodesic_radius() -> None:
    back = from_url_param(to_url_param(make_scenario())).zones[0]
    assert back.radius_km == 75.0
    xy = shapely.get_coordinates(back.geometry)
    _, _, dist_m = GEOD.inv(np.full(len(xy), back.center_lon), np.full(len(xy), back.center_lat),
                            xy[:, 0], xy[:, 1])
    # 1e-5 degree rounding of centre and vertices moves points by < 1.5 m.
    assert np.abs(dist_m - 75_000.0).max() < 1.5


@settings(max_examples=25, deadline=None)
@example(n=309, seed=0, lon=0.0, lat=0.0, r=0.001)  # vertices two quanta apart
@given(n=st.integers(3, 400), seed=st.integers(0, 10_000),
       lon=st.floats(-170.0, 170.0), lat=st.floats(-75.0, 75.0),
       r=st.floats(1e-3, 1.0))
def test_url_round_trip_random_polygons(n: int, seed: int, lon: float, lat: float,
                                        r: float) -> None:
    s = Scenario(name="random", zones=[Zone("z", "z", star(lon, lat, n, seed, (r / 2, r)))])
    try:
        param = to_url_param(s)
    except InputError as exc:  # refused: must say why and point to GeoJSON
        assert "GeoJSON" in str(exc)
    else:
        assert len(param) <= sc.MAX_URL_PARAM_CHARS
        assert max_coord_diff_deg(s, from_url_param(param)) <= HALF_QUANTUM_DEG


def test_url_refuses_a_large_scenario() -> None:
    s = Scenario(name="big", zones=[Zone("z", "z", star(24.0, 50.0, 3000, 1))])
    with pytest.raises(InputError, match=r"characters as a URL.*GeoJSON"):
        to_url_param(s)
    with pytest.raises(InputError, match="vertices"):
        to_url_param(big_scenario("huge", 0, n_zones=1, n_vertices=200_000))


def test_url_refuses_a_zone_that_rounding_would_destroy() -> None:
    tiny = Scenario(name="tiny", zones=[Zone("z", "z", box(24.0, 50.0, 24.000001, 50.000001))])
    with pytest.raises(InputError, match="too small to share"):
        to_url_param(tiny)


def _damaged_params() -> list[tuple[str, str]]:
    import base64
    import zlib

    good = to_url_param(make_scenario())

    def pack(data: bytes) -> str:
        return base64.urlsafe_b64encode(zlib.compress(data)).rstrip(b"=").decode()

    return [
        ("", "unexpected characters"),
        ("abc!def", "unexpected characters"),
        ("A" * (sc.MAX_URL_PARAM_CHARS + 1), "at most"),
        (good[: len(good) // 2], "damaged or incomplete"),
        (good[:40] + ("B" if good[40] != "B" else "C") + good[41:], "damaged"),
        (base64.urlsafe_b64encode(b"plain text").decode().rstrip("="), "damaged"),
        (pack(b"not json"), "damaged"),
        (pack(b'{"hello": 1}'), "not a scenario"),
        (pack(json.dumps({"v": 99, "n": "x"}).encode()), "newer"),
        (pack(json.dumps({"v": 1, "n": "x", "z": [["a", "a", "drawn", "", {}, None,
                                                   {"p": [[0, 0, 1, 1]]}]]}).encode()),
         "at least 6 integers"),
        (pack(json.dumps({"v": 1, "n": "x", "z": [[1, 2]]}).encode()), "damaged"),
        (pack(b"0" * (2 * 1024 * 1024)), "more than 1 MB"),
        (base64.urlsafe_b64encode(zlib.compress(b'{"v":1}') + b"xx").decode().rstrip("="),
         "at the end"),
    ]


@pytest.mark.parametrize(("param", "message"), _damaged_params(),
                         ids=lambda v: v if len(v) < 30 else None)
def test_damaged_url_raises_input_error(param: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        from_url_param(param)
    assert "\n" not in str(info.value)


# ----------------------------------------------------------------- validation
@pytest.mark.parametrize(("scenario", "message"), [
    (Scenario(name=""), "must not be empty"),
    (Scenario(name="a\nb"), "control characters"),
    (Scenario(name="x" * 200), "at most 120"),
    (Scenario(name="x", zones=[Zone("z", "z", shapely.LineString([(0, 0), (1, 1)]))]),
     "Polygon or MultiPolygon"),
    (Scenario(name="x", zones=[Zone("z", "z", Polygon())]), "empty"),
    (Scenario(name="x", zones=[Zone("z", "z", box(0, 0, 1, 1), center_lon=0.5,
                                    center_lat=0.5)]), "together"),
    (Scenario(name="x", zones=[Zone("z", "z", box(0, 0, 1, 1), center_lon=0.5,
                                    center_lat=0.5, radius_km=0.0)]), "greater than 0"),
    (Scenario(name="x", zones=[Zone("z", "z", nan_polygon())]), "non-finite"),
    (Scenario(name="x", buffers=[Buffer(24.0, 50.0, 10.0, layer="cities")]), "not both"),
    (Scenario(name="x", buffers=[Buffer(None, 50.0, 10.0)]), "centre"),
    (Scenario(name="x", units="furlong"), "units"),
    (Scenario(name="x", zones=[Zone(f"z{k}", "z", wavy(24.0 + k, 50.0, 170_000, k))
                               for k in range(3)]), "510,003 vertices"),
    (Scenario(name="x", view=ScenarioView(24.0, 50.0, 30.0)), "zoom"),
])
def test_invalid_scenarios_are_refused_everywhere(scenario: Scenario, message: str,
                                                  tmp_path: Path) -> None:
    for write in (to_geojson, to_url_param, ScenarioStore(tmp_path / "s.gpkg").save):
        with pytest.raises(InputError, match=message):
            write(scenario)


# ------------------------------------------------------------------ GeoPackage
def test_store_round_trip_is_exact(tmp_path: Path) -> None:
    store = ScenarioStore(tmp_path / "s.gpkg")
    s = make_scenario()
    saved = store.save(s)
    assert same_except_updated(saved, s)
    assert saved.updated >= s.created
    loaded = store.load(s.name)
    assert loaded == saved
    assert store.list() == [(s.name, saved.updated, 3)]
    assert store.exists(s.name) and not store.exists("other")


def test_store_is_a_real_geopackage(tmp_path: Path) -> None:
    import geopandas as gpd

    path = tmp_path / "s.gpkg"
    s = make_scenario()
    ScenarioStore(path).save(s)
    ScenarioStore(path).save(small_scenario("second", 1))

    zones = gpd.read_file(path, layer="zones")
    assert zones.crs.to_epsg() == 4326
    mine = zones[zones["scenario"] == s.name].sort_values("zone_index")
    assert list(mine["zone_id"]) == ["circle-75", "lviv-box", "two-part"]
    for z, geom in zip(s.zones, mine.geometry, strict=True):
        assert geom.equals_exact(z.geometry, tolerance=0.0)
    assert mine.iloc[0]["radius_km"] == 75.0
    assert json.loads(mine.iloc[2]["params"]) == {"segment_ids": ["PL-UA", "SK-UA"],
                                                  "depth_km": 50.0}
    buffers = gpd.read_file(path, layer="buffers")
    assert list(buffers["radius_km"]) == [75.0, 100.0]
    assert buffers.geometry.iloc[0].coords[0] == PRZEWODOW and buffers.geometry.iloc[1] is None
    meta = gpd.read_file(path, layer="scenarios")
    assert sorted(meta["name"]) == sorted([s.name, "second"])

    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10300
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        assert contents == {"zones": "features", "buffers": "features",
                            "scenarios": "attributes"}
        assert set(con.execute("SELECT table_name, geometry_type_name, srs_id "
                               "FROM gpkg_geometry_columns")) == {
            ("zones", "GEOMETRY", 4326), ("buffers", "POINT", 4326)}
        assert {r[0] for r in con.execute("SELECT srs_id FROM gpkg_spatial_ref_sys")} >= \
            {-1, 0, 4326}
        blob = con.execute("SELECT geom FROM zones WHERE zone_id = 'lviv-box'").fetchone()[0]
    finally:
        con.close()
    # GeoPackage binary: "GP", version 0, flags (little-endian, xy envelope), srs_id, envelope.
    assert blob[:3] == b"GP\x00" and blob[3] == 0b011
    srs_id, minx, maxx, miny, maxy = struct.unpack("<i4d", blob[4:40])
    assert (srs_id, minx, maxx, miny, maxy) == (4326, 23.5, 24.5, 49.5, 50.0)
    assert shapely.from_wkb(blob[40:]).equals(box(23.5, 49.5, 24.5, 50.0))


def test_store_overwrites_by_name_without_leftovers(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    store = ScenarioStore(path)
    store.save(make_scenario("same"))
    newer = store.save(small_scenario("same", 7))
    assert store.load("same") == newer
    assert [(n, k) for n, _, k in store.list()] == [("same", 3)]
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT count(*) FROM zones").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM buffers").fetchone()[0] == 0
    with pytest.raises(InputError, match="already exists"):
        store.save(make_scenario("same"), overwrite=False)
    assert store.load("same") == newer


def test_list_is_most_recent_first(tmp_path: Path) -> None:
    store = ScenarioStore(tmp_path / "s.gpkg")
    for name in ("a", "b", "c"):
        store.save(small_scenario(name, 0))
        time.sleep(0.002)  # distinct millisecond stamps
    store.save(small_scenario("a", 1))
    assert [n for n, _, _ in store.list()] == ["a", "c", "b"]


def test_rename_and_delete(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    store = ScenarioStore(path)
    first = store.save(small_scenario("first", 1))
    second = store.save(small_scenario("second", 2))

    store.rename("first", "renamed")
    assert {n for n, _, _ in store.list()} == {"renamed", "second"}
    got = store.load("renamed")
    assert got.name == "renamed" and got.zones == first.zones and got.updated >= first.updated
    with pytest.raises(InputError, match="no saved scenario named 'first'"):
        store.load("first")

    with pytest.raises(InputError, match="'second' already exists"):
        store.rename("renamed", "second")
    assert store.load("second") == second and store.load("renamed").zones == first.zones
    with pytest.raises(InputError, match="no saved scenario named 'ghost'"):
        store.rename("ghost", "x")
    with pytest.raises(InputError, match="must not be empty"):
        store.rename("renamed", " ")
    before = store.list()
    store.rename("second", "second")  # same name: nothing happens
    assert store.list() == before

    store.delete("renamed")
    assert [n for n, _, _ in store.list()] == ["second"]
    with pytest.raises(InputError, match="no saved scenario named 'renamed'"):
        store.delete("renamed")
    with sqlite3.connect(path) as con:  # no orphan rows left behind
        assert {r[0] for r in con.execute("SELECT DISTINCT scenario FROM zones")} == {"second"}


def test_store_raises_typed_errors_that_are_input_errors(tmp_path: Path) -> None:
    assert issubclass(ScenarioExists, InputError) and issubclass(ScenarioNotFound, InputError)
    assert issubclass(StoreBusy, InputError)
    store = ScenarioStore(tmp_path / "s.gpkg")
    for missing_op in (store.load, store.delete, lambda n: store.rename(n, "y")):
        with pytest.raises(ScenarioNotFound, match="no saved scenario named 'x'"):
            missing_op("x")  # the file does not exist yet
    kept = store.save(small_scenario("a", 1))
    store.save(small_scenario("b", 2))
    with pytest.raises(ScenarioExists, match="a scenario named 'a' already exists"):
        store.save(small_scenario("a", 3), overwrite=False)
    with pytest.raises(ScenarioExists, match="'b' already exists; delete or rename it first"):
        store.rename("a", "b")
    for missing_op in (store.load, store.delete, lambda n: store.rename(n, "y")):
        with pytest.raises(ScenarioNotFound, match="no saved scenario named 'ghost'") as info:
            missing_op("ghost")  # the file exists, the name does not
        assert isinstance(info.value, InputError)
    assert store.load("a") == kept


def test_busy_store_raises_store_busy(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    store = ScenarioStore(path)
    store.save(small_scenario("a", 0))
    assert store.busy_timeout_s == BUSY_TIMEOUT_S  # the default wait: the documented limit
    quick = ScenarioStore(path, busy_timeout_s=0.05)
    for wait_s, one in ((BUSY_TIMEOUT_S, store), (0.05, quick)):
        conn = one._connect()
        try:  # SQLite's own wait, in ms
            assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == int(wait_s * 1000)
        finally:
            conn.close()
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreBusy, match=r"is busy \(another save held it for 0.05 s\)"):
            quick.save(small_scenario("b", 1))
    finally:
        holder.close()


def test_radius_over_the_cap_is_an_input_error() -> None:
    # A bound with only a maximum once crashed formatting its message (TypeError).
    fc = _fc({"type": "Feature", "properties": {"kind": "buffer", "radius_km": 30_000},
              "geometry": {"type": "Point", "coordinates": [24, 50]}})
    with pytest.raises(InputError, match="radius_km must be at most 20000, got 30000"):
        from_geojson(fc)


def test_package_keeps_every_public_name() -> None:
    import dashboard.store.geojson
    import dashboard.store.model
    import dashboard.store.urlcodec

    for name in sc.__all__:
        assert getattr(sc, name) is not None, name
    assert sc.Scenario is dashboard.store.model.Scenario
    assert sc.from_geojson is dashboard.store.geojson.from_geojson
    assert sc.URL_PRECISION_DEG is dashboard.store.urlcodec.URL_PRECISION_DEG
    assert sc.ScenarioStore is scenario_store.ScenarioStore


def test_missing_store_reads_as_empty_without_creating_it(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "s.gpkg"
    store = ScenarioStore(path)
    assert store.list() == [] and not store.exists("x")
    with pytest.raises(InputError, match="no saved scenario"):
        store.load("x")
    with pytest.raises(InputError, match="no saved scenario"):
        store.delete("x")
    with pytest.raises(InputError, match="no saved scenario"):
        store.rename("x", "y")
    assert not path.parent.exists()
    store.save(small_scenario("x", 0))  # the first save creates folders and file
    assert path.exists() and store.exists("x")


def test_default_store_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert ScenarioStore().path == tmp_path / "data" / "scenarios.gpkg"
    monkeypatch.delenv("DASHBOARD_DATA_DIR")
    assert ScenarioStore().path == tmp_path / "xdg" / "nfz-dashboard" / "scenarios.gpkg"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ScenarioStore().path == \
        tmp_path / "home" / ".local" / "share" / "nfz-dashboard" / "scenarios.gpkg"
    assert ScenarioStore(tmp_path / "x.gpkg").path == tmp_path / "x.gpkg"  # argument wins


def test_files_that_are_not_scenario_stores(tmp_path: Path) -> None:
    text = tmp_path / "notes.gpkg"
    text.write_text("this is not a database, just text that is long enough " * 20)
    with pytest.raises(InputError, match="not a GeoPackage"):
        ScenarioStore(text).save(small_scenario("x", 0))
    with pytest.raises(InputError, match="not a GeoPackage"):
        ScenarioStore(text).list()

    plain = tmp_path / "plain.sqlite"
    with sqlite3.connect(plain) as con:
        con.execute("CREATE TABLE t (x)")
    with pytest.raises(InputError, match="SQLite database but not a GeoPackage"):
        ScenarioStore(plain).save(small_scenario("x", 0))

    clash = tmp_path / "clash.gpkg"
    ScenarioStore(clash).save(small_scenario("x", 0))
    with sqlite3.connect(clash) as con:
        con.execute("ALTER TABLE zones RENAME COLUMN zone_id TO something_else")
    with pytest.raises(InputError, match="missing zone_id"):
        ScenarioStore(clash).list()


def test_scenarios_are_added_to_an_existing_geopackage(tmp_path: Path) -> None:
    import geopandas as gpd

    path = tmp_path / "project.gpkg"
    other = gpd.GeoDataFrame({"label": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    other.to_file(path, layer="my_layer", driver="GPKG")
    store = ScenarioStore(path)
    saved = store.save(make_scenario())
    assert store.load(saved.name) == saved
    assert gpd.read_file(path, layer="my_layer").geometry[0].equals(box(0, 0, 1, 1))


def test_failed_save_keeps_the_previous_version(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = ScenarioStore(tmp_path / "s.gpkg")
    old = store.save(small_scenario("s", 1))

    def boom(conn: sqlite3.Connection, now: str) -> None:
        raise RuntimeError("disk on fire")  # fails after all rows are written

    monkeypatch.setattr(ScenarioStore, "_touch", staticmethod(boom))
    with pytest.raises(RuntimeError):
        store.save(big_scenario("s", 2, n_zones=3, n_vertices=1000))
    monkeypatch.undo()
    assert store.load("s") == old
    store.save(small_scenario("t", 3))  # the store is not left locked
    assert {n for n, _, _ in store.list()} == {"s", "t"}


def test_busy_store_waits_then_saves_or_reports(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    store = ScenarioStore(path)  # the default wait (BUSY_TIMEOUT_S, 30 s)
    store.save(small_scenario("a", 0))
    begun, released = threading.Event(), []

    def traced() -> sqlite3.Connection:  # says when the save asks for the write lock
        conn = connect_file(path)
        conn.set_trace_callback(lambda sql: begun.set() if sql == "BEGIN IMMEDIATE" else None)
        return conn

    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def release() -> None:  # once the save waits for the lock, hold it 0.3 s more
        assert begun.wait(60)
        time.sleep(0.3)
        released.append(time.monotonic())
        holder.execute("COMMIT")

    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock...
        releaser = threading.Thread(target=release)
        releaser.start()
        store._connect = traced  # type: ignore[method-assign]
        store.save(small_scenario("b", 1))  # ...so this save waits, then succeeds
        saved_at = time.monotonic()
        releaser.join()
        assert released and saved_at > released[0]  # it landed after the lock was freed
        holder.execute("BEGIN IMMEDIATE")
        t0 = time.monotonic()
        with pytest.raises(StoreBusy, match=r"is busy \(another save held it for 0.2 s\)"):
            ScenarioStore(path, busy_timeout_s=0.2).save(small_scenario("c", 2))
        assert time.monotonic() - t0 >= 0.15  # it waited before giving up
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert {n for n, _, _ in store.list()} == {"a", "b"}


# ----------------------------------------------------- killed saves, concurrency
CHILD = r"""
import json, sys, time
from pathlib import Path
from conftest import big_scenario, small_scenario
from dashboard import store as sc

store = sc.ScenarioStore(sys.argv[2])
mode = sys.argv[3]
if mode == "pause":  # save A, then stop inside B's transaction after N zone rows
    store.save(small_scenario("A", 1))
    pause_after = int(sys.argv[4])
    connect = sc.ScenarioStore._connect

    def traced(self):
        conn = connect(self)
        count = [0]

        def trace(sql):
            if sql.startswith("INSERT INTO zones"):
                count[0] += 1
                if count[0] == pause_after:
                    print("paused", flush=True)
                    time.sleep(60)
        conn.set_trace_callback(trace)
        return conn

    sc.ScenarioStore._connect = traced
    store.save(big_scenario("B", 0))
elif mode == "loop":  # save versions of B until killed
    k = int(sys.argv[4])
    while True:
        print("saving", k, flush=True)
        store.save(big_scenario("B", k, n_zones=10, n_vertices=10_000))
        print("saved", k, flush=True)
        k += 1
elif mode == "concurrent":
    who, go = sys.argv[4], Path(sys.argv[5])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.002)
    t0 = time.time()
    for k in range(20):
        store.save(small_scenario(f"{who}-{k:02d}", k))
        store.save(small_scenario("shared", 0, tag=who))
    print(json.dumps([t0, time.time()]), flush=True)
"""


def _child(tmp_path: Path, *args: str) -> subprocess.Popen:
    script = tmp_path / "child.py"
    if not script.exists():
        script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=str(TESTS), PYTHONUNBUFFERED="1")  # for conftest
    return subprocess.Popen([sys.executable, str(script), str(TESTS), *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_line(proc: subprocess.Popen, prefix: str, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            line = proc.stdout.readline()
            if line.startswith(prefix):
                return line
            if not line and proc.poll() is not None:
                break
    proc.kill()
    raise AssertionError(f"child never printed {prefix!r}: {proc.stderr.read()}")


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow  # child processes
def test_save_killed_mid_transaction_loses_nothing(tmp_path: Path) -> None:
    import geopandas as gpd

    path = tmp_path / "s.gpkg"
    proc = _child(tmp_path, str(path), "pause", "15")
    _wait_for_line(proc, "paused")
    journal = path.with_name(path.name + "-journal")
    size_during = path.stat().st_size
    _kill(proc)
    # The kill left a hot journal, and B's first pages had already spilled into
    # the database file (6.4 MB of B > SQLite's 2 MB page cache): recovery is real.
    assert journal.exists() and journal.stat().st_size > 0
    assert size_during > 1_000_000

    store = ScenarioStore(path)
    assert [n for n, _, _ in store.list()] == ["A"]
    assert same_except_updated(store.load("A"), small_scenario("A", 1))
    assert not journal.exists() or journal.stat().st_size == 0  # rolled back
    zones = gpd.read_file(path, layer="zones")
    assert set(zones["scenario"]) == {"A"} and len(zones) == 3
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    b = big_scenario("B", 0, n_zones=2, n_vertices=500)
    saved = store.save(b)  # the recovered store takes new saves
    assert same_except_updated(saved, b) and store.load("B") == saved


@pytest.mark.slow  # child processes
def test_saves_killed_at_random_moments_are_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    store = ScenarioStore(path)
    store.save(small_scenario("A", 1))
    rng = np.random.default_rng(5)
    start = 0
    for _ in range(3):
        proc = _child(tmp_path, str(path), "loop", str(start))
        _wait_for_line(proc, f"saving {start + 1}")  # one version saved, next under way
        time.sleep(float(rng.uniform(0.0, 0.15)))
        _kill(proc)
        assert same_except_updated(store.load("A"), small_scenario("A", 1))
        got = store.load("B")
        version = int(got.zones[0].name.split()[1].split("-")[0])
        assert version >= start
        assert same_except_updated(got, big_scenario("B", version, n_zones=10,
                                                     n_vertices=10_000))
        with sqlite3.connect(path) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("SELECT count(*) FROM zones WHERE scenario='B'"
                               ).fetchone()[0] == 10
        start = version + 10


@pytest.mark.slow  # child processes
def test_concurrent_processes_all_saves_land(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    go = tmp_path / "go"
    procs = [_child(tmp_path, str(path), "concurrent", who, str(go)) for who in ("p0", "p1")]
    for p in procs:  # both imported and waiting at the gate (start-up times vary)
        _wait_for_line(p, "ready")
    go.touch()
    spans = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        spans.append(json.loads(out.strip().splitlines()[-1]))
    # The two writers really overlapped in time (else this test proves nothing).
    assert max(t0 for t0, _ in spans) < min(t1 for _, t1 in spans)

    store = ScenarioStore(path)
    names = {n for n, _, _ in store.list()}
    assert names == {f"p{i}-{k:02d}" for i in range(2) for k in range(20)} | {"shared"}
    for i in range(2):
        for k in range(20):
            name = f"p{i}-{k:02d}"
            assert same_except_updated(store.load(name), small_scenario(name, k))
    shared = store.load("shared")  # last writer wins, never a mix of the two
    assert any(same_except_updated(shared, small_scenario("shared", 0, tag=who))
               for who in ("p0", "p1"))
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM zones").fetchone()[0] == 41 * 3


def test_concurrent_threads_all_saves_land(tmp_path: Path) -> None:
    store = ScenarioStore(tmp_path / "s.gpkg")  # Streamlit sessions are threads

    def work(t: int) -> None:
        for k in range(10):
            store.save(small_scenario(f"t{t}-{k}", k))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    assert len(store.list()) == 40
    assert same_except_updated(store.load("t3-9"), small_scenario("t3-9", 9))


def test_a_link_with_an_integer_beyond_2_63_is_one_line():
    """A coordinate of 2**64 in a link's payload (JSON allows any integer) is a damaged
    link, said in one line, from every caller of the decoder, not an OverflowError."""
    import base64
    import zlib

    from shapely.geometry import box as _box

    from dashboard.store import Scenario, Zone, from_url_param, to_url_param

    param = to_url_param(Scenario(name="Big", zones=[Zone("z", "Z", _box(23, 50, 24, 51))]))
    raw = zlib.decompress(base64.urlsafe_b64decode(param + "=" * (-len(param) % 4)))
    payload = json.loads(raw)

    def huge(obj):  # every integer coordinate of the payload's zones becomes 2**64
        if isinstance(obj, list):
            return [huge(v) for v in obj]
        if isinstance(obj, dict):
            return {k: huge(v) for k, v in obj.items()}
        return 2**64 if isinstance(obj, int) and not isinstance(obj, bool) and abs(obj) > 1000 \
            else obj

    payload["z"] = huge(payload["z"])
    bad = base64.urlsafe_b64encode(zlib.compress(json.dumps(payload).encode(), 9)) \
        .decode().rstrip("=")
    with pytest.raises(InputError) as err:
        from_url_param(bad)
    assert "number out of range" in str(err.value) and "Overflow" not in str(err.value)
    assert "\n" not in str(err.value)
