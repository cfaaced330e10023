"""The Incidents page and the incident timeline, driven through Streamlit's AppTest.

Every figure the page shows is checked against an independent computation:
the committed files read with json + shapely, distances and areas with
pyproj.Geod (brute force), not through the project's core.  The filters are
checked where they act: the map's incidents layer, the table, the chart and
the NATO-border date.
"""
from __future__ import annotations

import itertools
import json
import struct
from datetime import date

import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from conftest import GEODATA, ROOT, catalogue, errors, run_app, unlocated_incidents
from dashboard import store as scenarios
from dashboard.analysis.origin import origin_areas
from dashboard.scene.model import View

MAPVIEW = ROOT / "dashboard" / "ui" / "mapview" / "frontend"  # what the component serves
PAGE = "ui/incidents.py"
PRZ_ID, PRZ = "2022-11-15-przewodow", (23.93432, 50.47099)
NOT_SOURCED = "position not sourced"
#: Every blob a test session was sent (hash-addressed, so one table serves all sessions).
BLOBS: dict[str, dict] = {}


# ----------------------------------------------------------- committed data
def _load(name: str) -> list[dict]:
    with open(GEODATA / name, encoding="utf-8") as fh:
        return json.load(fh)["features"]


def incidents() -> list[dict]:
    """Every incident of the committed files, by date then id (json, not the core)."""
    rows = [dict(f["properties"], lon=f["geometry"]["coordinates"][0],
                 lat=f["geometry"]["coordinates"][1]) for f in _load("incidents.geojson")]
    rows += [dict(f["properties"], lon=None, lat=None, track=True)
             for f in _load("incident_tracks.geojson")]
    with open(GEODATA / "incidents_unlocated.json", encoding="utf-8") as fh:
        rows += [dict(p, lon=None, lat=None) for p in json.load(fh)["incidents"]]
    return sorted(rows, key=lambda r: (r["date"], r["id"]))


def positioned_ids(pred=lambda r: True) -> set[str]:
    return {r["id"] for r in incidents() if r["lon"] is not None and pred(r)}


@pytest.fixture(scope="module")
def border_samples() -> list[tuple[str, date, np.ndarray]]:
    """Each NATO border segment sampled every 100 m along its geodesic edges."""
    out = []
    for f in _load("nato_border.geojson"):
        geom = shape(f["geometry"])
        pts = []
        for part in getattr(geom, "geoms", [geom]):
            xy = np.asarray(part.coords)
            for (a, b), (c, d) in itertools.pairwise(xy):
                n = int(GEOD.inv(a, b, c, d)[2] / 100.0)
                pts += [(a, b), *(GEOD.npts(a, b, c, d, n) if n else [])]
            pts.append(tuple(xy[-1]))
        out.append((f["properties"]["id"], date.fromisoformat(f["properties"]["nato_since"]),
                    np.asarray(pts)))
    return out


def brute_border(lon: float, lat: float, day: date, samples) -> tuple[float, str]:
    """(km, segment id) to the nearest sample of the border as it stood on ``day``."""
    best = (np.inf, "")
    for seg, since, xy in samples:
        if since > day:
            continue
        _, _, d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
        best = min(best, (float(d.min()) / 1000, seg))
    return best


def brute_to_boundary(lon: float, lat: float, geom, half_deg: float, step_m: float = 50.0) -> float:
    """km from a point to a polygon's boundary near it, edges sampled every ``step_m``."""
    window = geom.boundary.intersection(shapely.box(lon - half_deg, lat - half_deg,
                                                    lon + half_deg, lat + half_deg))
    best = np.inf
    for part in getattr(window, "geoms", [window]):
        xy = np.asarray(part.coords)
        for (a, b), (c, d) in itertools.pairwise(xy):
            n = int(GEOD.inv(a, b, c, d)[2] / step_m)
            cand = np.asarray([(a, b), *(GEOD.npts(a, b, c, d, n) if n else []), (c, d)])
            _, _, dist = GEOD.inv(np.full(len(cand), lon), np.full(len(cand), lat),
                                  cand[:, 0], cand[:, 1])
            best = min(best, float(dist.min()) / 1000)
    return best


# ----------------------------------------------------------------- the app


def open_page(at: AppTest) -> AppTest:
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def map_args(at: AppTest) -> dict:
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    BLOBS.update(args["blobs"])
    return args


def map_layer(at: AppTest, layer_id: str) -> dict | None:
    return next((lyr for lyr in map_args(at)["spec"]["layers"] if lyr["id"] == layer_id), None)


def layer_table(layer: dict) -> dict:
    """A layer's GeoTable: its blob, or a static file's header (struct + json)."""
    data = layer["data"]
    if data.startswith("blob:"):
        return BLOBS[data[5:]]
    raw = (MAPVIEW / data).read_bytes()
    (size,) = struct.unpack("<I", raw[4:8])
    return json.loads(raw[8:8 + size])


def drawn_ids(layer: dict) -> set[str]:
    if layer.get("visibleIds") is not None:
        return set(layer["visibleIds"])
    return set(layer_table(layer)["ids"])


#: A column that tells each of the page's tables apart.
TABLE_MARKS = {"inc_table_view": "NATO segment", "origin_areas_view": "share (%)",
               "origin_cities_view": "city"}


def table(at: AppTest, key: str):
    """The page's table ``key`` (found by a column only it has)."""
    return next(d.value for d in at.dataframe if TABLE_MARKS[key] in d.value.columns)


@pytest.fixture(scope="module")
def page() -> AppTest:
    """The Incidents page as it opens (read only: tests that change it make their own)."""
    return open_page(run_app())


# ------------------------------------------------------------ chart, table
def test_chart_counts_every_incident_by_month_and_country(page):
    import pyarrow as pa

    chart = page.get("vega_lite_chart")[0].proto
    data = pa.ipc.open_stream(chart.datasets[0].data.data).read_all().to_pandas()
    got = {(m.strftime("%Y-%m"), c): int(n) for m, c, n in
           zip(data["month"], data["country"], data["incidents"]) if n}  # months at 0 aside
    want: dict[tuple[str, str], int] = {}
    for r in incidents():
        want[(r["date"][:7], r["country"])] = want.get((r["date"][:7], r["country"]), 0) + 1
    assert got == want and sum(got.values()) == len(catalogue())
    spec = json.loads(chart.spec)
    assert spec["encoding"]["y"]["aggregate"] == "sum" and spec["encoding"]["color"]["field"] \
        == "country"


def test_table_lists_every_incident_and_the_unsourced_ones(page):
    df = table(page, "inc_table_view")
    recs = incidents()
    assert list(df["id"]) == [r["id"] for r in recs]
    for (_, row), r in zip(df.iterrows(), recs):
        assert (row["date"], row["country"], row["object"], row["killed"], row["injured"]) == \
            (r["date"], r["country"], r["object_type"], r["killed"], r["injured"])
        if r.get("track"):
            assert row["position"].endswith("(track: closest approach)")
            assert row["NATO border (km)"] > 0 and row["track length (km)"] > 0
        elif r["lon"] is None:
            assert row["position"] == NOT_SOURCED and np.isnan(row["NATO border (km)"])
        else:
            assert row["position"] != NOT_SOURCED
            assert row["precision (± km)"] == pytest.approx(r["precision_m"] / 1000)
    assert (df["position"] == NOT_SOURCED).sum() == len(unlocated_incidents())
    assert any(b.label == "Download the table (CSV)" for b in page.get("download_button"))


def test_table_distances_match_brute_force(page, border_samples):
    df = table(page, "inc_table_view").set_index("id")
    for r in incidents():
        if r["lon"] is None:
            continue
        km, seg = brute_border(r["lon"], r["lat"], date.fromisoformat(r["date"]), border_samples)
        assert df.loc[r["id"], "NATO border (km)"] == pytest.approx(km, abs=0.011), r["id"]
        assert df.loc[r["id"], "NATO segment"] == seg, r["id"]
    countries = {f["properties"]["iso_a2"]: shape(f["geometry"])
                 for f in _load("countries.geojson")}
    for fid, iso in ((PRZ_ID, "UA"), ("2023-01-14-larga", "UA"), ("2025-07-10-sumskas", "BY"),
                     ("2024-09-07-gaigalava", "RU")):
        r = next(x for x in incidents() if x["id"] == fid)
        shown = df.loc[fid, f"to {iso} (km)"]
        want = brute_to_boundary(r["lon"], r["lat"], countries[iso], shown / 70 + 0.3)
        assert shown == pytest.approx(want, abs=0.011), (fid, iso)


def test_zones_column_names_the_drawn_and_builtin_zones_that_contain_each():
    box = shapely.box(22.0, 50.0, 24.2, 52.0)
    at = open_page(run_app(drawn_zones=[scenarios.Zone("z1", "East Poland box", box)]))
    df = table(at, "inc_table_view").set_index("id")
    zones = [(f["properties"]["id"], shape(f["geometry"])) for f in _load("zones.geojson")]
    zones.append(("East Poland box", box))
    inside_box = set()
    for r in incidents():
        if r["lon"] is None:
            assert df.loc[r["id"], "zones"] == ""
            continue
        want = [name for name, g in zones if g.contains(shapely.Point(r["lon"], r["lat"]))]
        assert df.loc[r["id"], "zones"] == ", ".join(want), r["id"]
        if "East Poland box" in want:
            inside_box.add(r["id"])
    assert PRZ_ID in inside_box and len(inside_box) >= 3


# ---------------------------------------------------------------- filters
def test_date_range_and_country_filter_the_map_and_the_table():
    at = run_app()
    assert drawn_ids(map_layer(at, "incidents")) == positioned_ids()
    at.date_input(key="inc_from").set_value(date(2023, 1, 1))
    at.date_input(key="inc_to").set_value(date(2024, 12, 31)).run()
    assert not at.exception

    def in_range(r: dict) -> bool:
        return "2023-01-01" <= r["date"] <= "2024-12-31"

    assert drawn_ids(map_layer(at, "incidents")) == positioned_ids(in_range)
    assert at.session_state["as_of"] == date(2022, 11, 15)  # the incident's own date
    at.multiselect(key="inc_countries").set_value(["RO"]).run()

    def ro(r: dict) -> bool:
        return in_range(r) and r["country"] == "RO"

    assert drawn_ids(map_layer(at, "incidents")) == positioned_ids(ro)
    assert drawn_ids(map_layer(at, "precision")) <= positioned_ids(ro)
    open_page(at)
    assert list(table(at, "inc_table_view")["id"]) == [r["id"] for r in incidents() if ro(r)]
    assert NOT_SOURCED in set(table(at, "inc_table_view")["position"])


def test_the_date_filter_leaves_the_headline_as_of_the_incident_date():
    """Issue 18: a range ending 2025-12-31 moved Przewodów's headline to that date."""
    at = run_app()
    before = {m.label: m.value for m in at.metric}
    at.date_input(key="inc_to").set_value(date(2025, 12, 31)).run()
    assert not at.exception
    words = [c.value for c in at.caption if "NATO border as of" in c.value]
    assert any("NATO border as of 2022-11-15 (the incident's date)" in w for w in words)
    assert not any("2025-12-31" in w for w in words)
    assert {m.label: m.value for m in at.metric} == before


def test_a_nato_border_date_the_user_sets_stays_put_and_is_named():
    at = run_app()
    at.date_input(key="as_of").set_value(date(2023, 6, 1)).run()
    at.date_input(key="inc_to").set_value(date(2024, 12, 31)).run()
    assert not at.exception
    assert at.session_state["as_of"] == date(2023, 6, 1)
    assert any("NATO border as of 2023-06-01 (your date; the incident's is 2022-11-15)"
               in c.value for c in at.caption)
    at.button(key="inc_follow").click().run()
    assert at.session_state["as_of"] == date(2022, 11, 15)
    assert not at.session_state["inc_as_of_user"]
    assert any("NATO border as of 2022-11-15 (the incident's date)" in c.value
               for c in at.caption)


def test_a_range_that_ends_before_it_starts_is_one_line_and_breaks_nothing():
    at = run_app()
    map_args(at)  # the blobs of the first render: a browser keeps them, later args name them
    at.date_input(key="inc_from").set_value(date(2025, 1, 1))
    at.date_input(key="inc_to").set_value(date(2023, 1, 1)).run()
    assert not at.exception
    msgs = [m for m in errors(at) if "before it starts" in m]
    assert msgs == [("the date range ends on 2023-01-01, before it starts on 2025-01-01; "
                     "dates are not filtered until it is fixed")]
    assert drawn_ids(map_layer(at, "incidents")) == positioned_ids()
    open_page(at)
    assert len(table(at, "inc_table_view")) == len(catalogue())


def test_precision_circles_show_on_the_zoomed_in_map():
    v = View.around(*PRZ, 12.0)
    at = run_app(map_view={"lon": v.lon, "lat": v.lat, "zoom": v.zoom,
                           "bounds": list(v.bounds_deg)})
    ids = [lyr["id"] for lyr in map_args(at)["spec"]["layers"]]
    assert ids.index("precision") < ids.index("incidents")
    blob = layer_table(map_layer(at, "precision"))
    assert set(blob["ids"]) == positioned_ids()
    k = blob["ids"].index(PRZ_ID)
    part = blob["partFeature"].index(k)
    ring = blob["parts"][part]
    xy = np.asarray(blob["coords"]).reshape(-1, 2)[blob["rings"][ring]:blob["rings"][ring + 1]]
    _, _, d = GEOD.inv(np.full(len(xy), PRZ[0]), np.full(len(xy), PRZ[1]), xy[:, 0], xy[:, 1])
    assert len(xy) >= 8 and np.allclose(d, 500.0, atol=2.0)  # blob coordinates: 1e-5 degree


# ----------------------------------------------------------------- origin
def _independent_areas(lon: float, lat: float, r0_km: float, r1_km: float) -> dict[str, float]:
    """km² of each country inside the Geod annulus (4,000 vertices a ring)."""
    az = np.linspace(0, 360, 4000, endpoint=False)
    rings = [np.column_stack(GEOD.fwd(np.full(az.size, lon), np.full(az.size, lat), az,
                                      np.full(az.size, r * 1000))[:2]) for r in (r1_km, r0_km)]
    annulus = shapely.geometry.polygon.orient(shapely.Polygon(rings[0], [rings[1]]), 1.0)
    out = {"total": abs(GEOD.geometry_area_perimeter(annulus)[0]) / 1e6}
    for f in _load("countries.geojson"):
        piece = annulus.intersection(shape(f["geometry"]))
        if not piece.is_empty:
            out[f["properties"]["iso_a2"]] = abs(GEOD.geometry_area_perimeter(piece)[0]) / 1e6
    return out


def test_origin_preset_fills_the_tables_and_goes_on_the_map():
    at = open_page(run_app())
    assert at.selectbox(key="origin_incident").value == PRZ_ID
    assert any("Stated range 75–90 km" in c.value and "Source:" in c.value for c in at.caption)
    at.button(key="origin_go").click().run()
    assert not at.exception and at.session_state["origin"] == (PRZ_ID, 75.0, 90.0)
    areas = table(at, "origin_areas_view").set_index("country")
    want = _independent_areas(*PRZ, 74.5, 90.5)  # widened by the point's ±500 m
    core = origin_areas(PRZ_ID, 75, 90)
    assert list(areas.index) == [a.country for a in core.areas] == ["UA", "PL"]
    for a in core.areas:
        assert areas.loc[a.country, "area (km²)"] == pytest.approx(a.area_km2, abs=0.06)
        assert areas.loc[a.country, "area (km²)"] == pytest.approx(want[a.country], rel=2e-3)
    assert areas["area (km²)"].sum() == pytest.approx(want["total"], rel=1e-3)
    cities = table(at, "origin_cities_view")
    with_d = []  # (name, country, km from the strike) of every committed city
    for f in _load("cities.geojson"):
        lon, lat = f["geometry"]["coordinates"]
        p = f["properties"]
        with_d.append((p["name"], p["country"], GEOD.inv(*PRZ, lon, lat)[2] / 1000))
    inside = {(n, c) for n, c, d in with_d if 74.55 < d < 90.45}
    edge = {(n, c) for n, c, d in with_d if abs(d - 74.5) <= 0.05 or abs(d - 90.5) <= 0.05}
    shown_cities = set(zip(cities["city"], cities["country"]))
    assert inside and inside <= shown_cities <= inside | edge
    for name, cc, km in zip(cities["city"], cities["country"], cities["distance (km)"]):
        assert min(abs(km - d) for n, c, d in with_d if (n, c) == (name, cc)) < 0.006, name
    at.switch_page("ui/explore.py").run()
    assert not at.exception
    assert drawn_ids(map_layer(at, "origin")) == {"origin-UA", "origin-PL"}
    shown = {}  # the Figures tab's Markdown table (ui.widgets.markdown_table): | figure | value |
    for m in at.markdown:
        for line in m.value.splitlines():
            cells = [c.strip().replace("\\", "") for c in line.strip("| ").split(" | ")]
            if len(cells) == 2 and cells[0].startswith("Launch"):
                shown[cells[0]] = cells[1]
    assert float(shown["Launch area in UA"].split()[0].replace(",", "")) == pytest.approx(
        want["UA"], rel=2e-3)


def test_origin_free_range_in_nautical_miles():
    at = open_page(run_app(units="nm"))
    at.radio(key="origin_mode").set_value("free").run()
    at.number_input(key="origin_min_nm").set_value(40.0).run()
    at.number_input(key="origin_max_nm").set_value(50.0).run()
    at.button(key="origin_go").click().run()
    assert not at.exception
    oid, lo, hi = at.session_state["origin"]
    assert (oid, lo, hi) == (PRZ_ID, pytest.approx(74.08), pytest.approx(92.6))
    want = _independent_areas(*PRZ, 74.08 - 0.5, 92.6 + 0.5)
    areas = table(at, "origin_areas_view").set_index("country")
    for iso in ("UA", "PL"):
        assert areas.loc[iso, "area (nm²)"] == pytest.approx(want[iso] / 1.852 ** 2, rel=2e-3)
    assert table(at, "inc_table_view").set_index("id").loc[PRZ_ID, "NATO border (nm)"] == \
        pytest.approx(6.366 / 1.852, abs=0.006)


def test_origin_errors_are_one_line_and_keep_the_map():
    at = open_page(run_app())
    at.radio(key="origin_mode").set_value("free").run()
    at.number_input(key="origin_min_km").set_value(90.0).run()
    at.number_input(key="origin_max_km").set_value(75.0).run()
    at.button(key="origin_go").click().run()
    assert "the minimum range 90 km is more than the maximum 75 km" in errors(at)
    at.number_input(key="origin_max_km").set_value(6000.0).run()
    at.button(key="origin_go").click().run()
    assert "a range of 6000 km is beyond 5,000 km, the most this tool measures" in errors(at)
    assert at.session_state["origin"] is None
    at = run_app(origin=("2022-11-15-przewodov", 75.0, 90.0))
    assert map_layer(at, "origin") is None  # the map never fails on it
    open_page(at)
    msg = next(m for m in errors(at) if "unknown incident" in m)
    assert "nearest ids: 2022-11-15-przewodow" in msg and "\n" not in msg
