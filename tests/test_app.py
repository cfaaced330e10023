"""The dashboard page driven through Streamlit's AppTest.

Every figure the page shows is checked against an independent computation:
pyproj.Geod on the committed geometry, densified, without the project's core.
"""
from __future__ import annotations

import json
import re
import struct
from datetime import date
from pathlib import Path

import mgrs
import numpy as np
import pandas as pd
import pytest
import shapely
from geo_reference import GEOD
from streamlit.testing.v1 import AppTest

from conftest import APP, run_app
from dashboard.io.layers_io import load_layer

PRZ = (23.93432, 50.47099)


def brute_distance_km(lon: float, lat: float, geom, step_km: float = 0.05) -> float:
    """Minimum Geod distance from a point to lines densified every ``step_km``."""
    return brute_nearest(lon, lat, geom, step_km)[0]


def brute_nearest(lon: float, lat: float, geom, step_km: float = 0.05,
                  ) -> tuple[float, float, float]:
    """(distance km, lon, lat) of the nearest sample on lines densified every ``step_km``."""
    best, best_xy = np.inf, (np.nan, np.nan)
    for part in getattr(geom, "geoms", [geom]):
        rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
        for ring in rings:
            xy = np.asarray(ring.coords)
            for (a, b), (c, d) in zip(xy[:-1], xy[1:]):
                _, _, s = GEOD.inv(a, b, c, d)
                n = max(int(s / 1000 / step_km), 0)
                pts = np.array(GEOD.npts(a, b, c, d, n)).reshape(-1, 2) if n else np.empty((0, 2))
                cand = np.vstack([[a, b], pts, [c, d]])
                _, _, dist = GEOD.inv(np.full(len(cand), lon), np.full(len(cand), lat),
                                      cand[:, 0], cand[:, 1])
                if dist.min() / 1000 < best:
                    best, best_xy = dist.min() / 1000, tuple(cand[dist.argmin()])
    return float(best), float(best_xy[0]), float(best_xy[1])


def near(geom, lon: float, lat: float, half_deg: float):
    return geom.intersection(shapely.box(lon - half_deg, lat - half_deg,
                                         lon + half_deg, lat + half_deg))


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def number(text: str) -> float:
    return float(re.search(r"-?[\d.]+", text.replace(",", "")).group())


#: The directory the map component serves (its built files and static layers/).
MAPVIEW = Path(__file__).resolve().parent.parent / "dashboard" / "ui" / "mapview" / "frontend"
#: Every blob a test session was sent (hash-addressed, so one table serves all sessions).
BLOBS: dict[str, dict] = {}


def map_args(at: AppTest) -> dict:
    """The args of the page's map component in the last run (its blobs remembered)."""
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    BLOBS.update(args["blobs"])
    return args


def deck_spec(at: AppTest) -> dict:
    """The deck spec the map component draws."""
    return map_args(at)["spec"]


def layer_table(layer: dict) -> dict:
    """A layer's GeoTable as the browser reads it: a blob, or a static file's header and
    arrays (read here with struct and json, not with the project's decoder)."""
    data = layer["data"]
    if data.startswith("blob:"):
        return BLOBS[data[5:]]
    raw = (MAPVIEW / data).read_bytes()
    assert raw[:4] == b"NFZ1"
    (size,) = struct.unpack("<I", raw[4:8])
    return json.loads(raw[8:8 + size])


def drawn_ids(layer: dict) -> set[str]:
    """The feature ids a layer spec draws (its visibleIds, else every id of its table)."""
    if layer.get("visibleIds") is not None:
        return set(layer["visibleIds"])
    return set(layer_table(layer)["ids"])


def polygon_rings(blob: dict) -> list[np.ndarray]:
    """Each ring of a blob's polygons as an (n, 2) array of lon, lat."""
    xy = np.asarray(blob["coords"], dtype=float).reshape(-1, 2)
    starts = blob["rings"]
    return [xy[a:b] for a, b in zip(starts[:-1], starts[1:])]


def md_tables(at: AppTest) -> list[pd.DataFrame]:
    """The page's Markdown tables (:func:`dashboard.ui.widgets.markdown_table`), read back:
    the first column is the index, every cell unescaped."""
    def cells(line: str) -> list[str]:
        parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        return [re.sub(r"\\(.)", r"\1", c.strip()) for c in parts]

    out = []
    for m in at.markdown:
        lines = m.value.splitlines()
        if len(lines) >= 2 and lines[0].startswith("| ") and set(lines[1]) <= {"|", "-"}:
            head, *rows = [cells(ln) for ln in lines[:1] + lines[2:]]
            out.append(pd.DataFrame([r[1:] for r in rows], columns=head[1:],
                                    index=pd.Index([r[0] for r in rows], name=head[0])))
    return out


def panel(at: AppTest) -> pd.DataFrame:
    """The selection's distance table (the panel's first table with a "to" column)."""
    return next(t for t in md_tables(at) if t.index.name == "to")


def figures(at: AppTest) -> dict[str, str]:
    """The Figures tab's table (the last of the page's figure/value tables: a picked
    polygon's own table, above it in the panel, has the same columns)."""
    df = [t for t in md_tables(at) if t.index.name == "figure" and list(t.columns) == ["value"]][-1]
    return dict(zip(df.index, df["value"]))


@pytest.fixture(scope="module")
def prz_border() -> tuple[float, float, float]:
    border = load_layer("nato_border").set_index("id").loc["PL-UA"].geometry
    return brute_nearest(*PRZ, near(border, *PRZ, 0.3))


@pytest.fixture(scope="module")
def prz_border_km(prz_border) -> float:
    return prz_border[0]


def test_bearing_to_the_border_matches_geod(prz_border):
    at = run_app()
    _, blon, blat = prz_border
    az, _, _ = GEOD.inv(*PRZ, blon, blat)
    assert float(panel(at).loc["NATO border", "bearing (°)"]) == pytest.approx(az % 360, abs=1.0)


def test_opens_on_przewodow_with_every_layer(prz_border_km):
    at = run_app()
    ids = {layer["id"] for layer in deck_spec(at)["layers"]}
    assert {"countries", "regions", "zones", "nato_border", "cities", "incidents"} <= ids
    assert metric(at, "Strike → NATO border") == f"{prz_border_km:.1f} km"
    row = panel(at).loc["NATO border"]
    assert row["feature"] == "PL-UA"
    assert float(row["distance (km)"]) == pytest.approx(prz_border_km, abs=0.005)
    assert "Przewodów" in at.caption[0].value
    position = next(m.value for m in at.markdown if "**MGRS**" in m.value)
    assert mgrs.MGRS().toMGRS(PRZ[1], PRZ[0], MGRSPrecision=5) in position
    assert "50°28'16\"N 23°56'04\"E" in position  # 50.47099 N = 50°28'15.6"


def test_distances_to_belarus_and_russia_match_geod():
    at = run_app()
    countries = load_layer("countries").set_index("iso_a2")
    for label, iso in (("Ukraine", "UA"), ("Belarus", "BY"), ("Russia", "RU")):
        geom = countries.loc[iso].geometry
        got = float(panel(at).loc[label, "distance (km)"])
        # Look only at the country's boundary within 1° more than the answer's reach.
        window = near(geom.boundary, *PRZ, got / 70 + 0.5)
        want = brute_distance_km(*PRZ, window, step_km=0.2)
        assert got == pytest.approx(want, abs=0.02), label
        assert metric(at, f"Strike → {label}") == f"{want:.1f} km"


def test_candidate_zones_chosen_in_the_sidebar_show_with_their_areas():
    zones = load_layer("zones")
    at = run_app()
    at.multiselect(key="zone_ids").set_value(list(zones["id"])).run()
    assert not at.exception
    drawn = {i for layer in deck_spec(at)["layers"] if layer["id"] == "zones"
             for i in drawn_ids(layer)}
    assert drawn == set(zones["id"])
    for _, zone in zones.iterrows():
        area_m2, _ = GEOD.geometry_area_perimeter(zone.geometry)
        assert number(figures(at)[zone["name"]]) == pytest.approx(abs(area_m2) / 1e6, abs=1.0)


def test_units_change_everywhere(prz_border_km):
    at = run_app(units="nm")
    text = metric(at, "Strike → NATO border")
    assert text.endswith("nm")
    assert number(text) == pytest.approx(prz_border_km / 1.852, abs=0.05)
    assert float(panel(at).loc["NATO border", "distance (nm)"]) == pytest.approx(
        prz_border_km / 1.852, abs=0.005)
    at = run_app(units="mi")
    assert number(metric(at, "Strike → NATO border")) == pytest.approx(
        prz_border_km / 1.609344, abs=0.05)


def test_layer_toggle_removes_it_from_the_map():
    at = run_app(layers_on=["countries", "incidents"])
    ids = {layer["id"] for layer in deck_spec(at)["layers"]}
    assert "cities" not in ids and "nato_border" not in ids and "incidents" in ids


def _border_ids(at: AppTest) -> set[str]:
    return {i for layer in deck_spec(at)["layers"]
            if layer["id"] == "nato_border" for i in drawn_ids(layer)}


def test_nato_border_as_of_date():
    assert "FI-RU" not in _border_ids(run_app(as_of=date(2022, 11, 15)))
    assert "FI-RU" in _border_ids(run_app(as_of=date(2023, 5, 1)))


def test_incident_change_moves_the_border_date():
    at = run_app()
    other = "2022-03-10-zagreb-tu141"
    ids = list(load_layer("incidents")["id"])
    other = next(i for i in ids if "zagreb" in i)
    at.selectbox(key="incident").set_value(other).run()
    assert not at.exception
    inc = load_layer("incidents").set_index("id").loc[other]
    assert at.session_state["as_of"] == date.fromisoformat(str(inc["date"]))


def _geod_circle_area_km2(lon: float, lat: float, r_km: float) -> float:
    az = np.linspace(0, 360, 4000, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(az.size, lon), np.full(az.size, lat), az,
                             np.full(az.size, r_km * 1000))
    area, _ = GEOD.polygon_area_perimeter(lons, lats)
    return abs(area) / 1e6


def test_5v55_preset_draws_geodesic_rings_with_their_areas():
    at = run_app()
    at.button(key="preset_5v55").click().run()
    assert not at.exception
    rings = layer_table(next(layer for layer in deck_spec(at)["layers"]
                             if layer["id"] == "buffers"))
    assert len(rings["ids"]) == 2
    figs = figures(at)
    for r_km in (75, 90):
        shown = number(figs[f"Within {r_km} km of strike"])
        want = _geod_circle_area_km2(*PRZ, r_km)
        assert shown == pytest.approx(want, rel=0.001), r_km
        # Every vertex of the drawn ring lies r_km from the strike.
    for xy in polygon_rings(rings):
        _, _, d = GEOD.inv(np.full(len(xy), PRZ[0]), np.full(len(xy), PRZ[1]), xy[:, 0], xy[:, 1])
        # Display simplification and rounding are all the spread there is.
        assert np.allclose(d / 1000, d.mean() / 1000, atol=0.15)


def test_rings_typed_in_nautical_miles_are_converted():
    at = run_app(units="nm")
    at.text_input(key="rings_text_nm").set_value("50").run()
    assert not at.exception
    assert at.session_state["rings_km"] == [pytest.approx(92.6)]


def test_bad_ring_text_is_a_message():
    at = run_app()
    at.text_input(key="rings_text_km").set_value("75, ninety").run()
    assert not at.exception
    assert any("ninety" in e.value for e in at.error)


def _independent_band_km2(depth_km: float) -> float:
    """Ukraine within ``depth_km`` of its NATO border, built another way: one
    azimuthal equidistant projection centred on the border (distance error under
    0.2 % this close to the centre), planar buffer, area by Geod."""
    from pyproj import Transformer

    border = load_layer("nato_border")
    ua_side = shapely.union_all(border[border["neighbour"] == "UA"].geometry.values)
    ukraine = load_layer("countries").set_index("iso_a2").loc["UA"].geometry
    c = ua_side.centroid
    aeqd = f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m"
    fwd = Transformer.from_crs(4326, aeqd, always_xy=True)
    inv = Transformer.from_crs(aeqd, 4326, always_xy=True)
    def project(t: Transformer, g):
        return shapely.transform(g, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))

    line_m = project(fwd, ua_side)
    window = project(fwd, near(ukraine, c.x, c.y, 9.0))
    band_m = line_m.buffer(depth_km * 1000, quad_segs=32).intersection(window)
    area, _ = GEOD.geometry_area_perimeter(project(inv, band_m))
    return abs(area) / 1e6


def test_border_band_area_matches_an_independent_construction():
    at = run_app()
    at.number_input(key="band_input_km").set_value(50.0).run()
    assert not at.exception
    ids = {layer["id"] for layer in deck_spec(at)["layers"]}
    assert "band" in ids
    shown = next(v for k, v in figures(at).items() if k.startswith("Band 50 km"))
    assert number(shown) == pytest.approx(_independent_band_km2(50.0), rel=0.01)


def test_measure_tool_matches_geod():
    at = run_app(measure_a="50.47099, 23.93432", measure_b="49°50'23\"N 24°01'47\"E")
    az, _, d = GEOD.inv(23.93432, 50.47099, 24.0297222, 49.8397222)
    assert number(metric(at, "Measured distance")) == pytest.approx(d / 1000, abs=0.05)
    shown = next(c.value for c in at.caption if "initial azimuth" in c.value)
    assert float(re.search(r"initial azimuth ([\d.]+)", shown).group(1)) == \
        pytest.approx(az % 360, abs=0.05)
    assert any(layer["id"] == "measure" for layer in deck_spec(at)["layers"])


def test_measure_tool_bad_input_is_a_message_not_a_traceback():
    at = run_app(measure_a="not a place", measure_b="50, 24")
    assert any("not a place" in e.value and "decimal degrees" in e.value for e in at.error)


def test_picking_a_city_reports_its_distances():
    at = run_app()
    cities = load_layer("cities")
    lviv = cities[cities["name"] == "Lviv"].iloc[0]
    lon, lat = float(lviv.geometry.x), float(lviv.geometry.y)
    click = {"seq": 7, "type": "click", "lon": lon + 0.001, "lat": lat - 0.001,
             "layer": "cities", "feature": str(lviv["geonameid"]), "index": 0}
    at.session_state["explore_map"] = {"seq": 7, "events": [click]}
    at.run()
    assert not at.exception
    assert any("Selected on map: Lviv" in s.value for s in at.subheader)
    border = load_layer("nato_border").set_index("id").loc["PL-UA"].geometry
    want = brute_distance_km(lon, lat, near(border, lon, lat, 1.5), step_km=0.1)
    assert float(panel(at).loc["NATO border", "distance (km)"]) == pytest.approx(want, abs=0.01)
    _, _, d = GEOD.inv(lon, lat, *PRZ)
    assert float(panel(at).loc["selected incident", "distance (km)"]) == pytest.approx(
        d / 1000, abs=0.005)
    assert float(panel(at).loc["Ukraine", "distance (km)"]) == 0.0


#: The first render carries the store's incidents (a blob the browser then keeps), so it
#: may be larger than a rerun, which sends only what changed.
FIRST_RENDER_MAX_BYTES = 120_000
RERUN_MAX_BYTES = 50_000


def test_map_args_stay_small_and_offline():
    at = run_app()
    raw = at.get("component_instance")[0].proto.json_args
    assert len(raw) < FIRST_RENDER_MAX_BYTES
    assert any(k for k in json.loads(raw)["blobs"])
    at.run()
    again = at.get("component_instance")[0].proto.json_args
    assert len(again) < RERUN_MAX_BYTES and json.loads(again)["blobs"] == {}
    assert "http" not in raw and "mapStyle" not in json.loads(raw)["spec"]
    static = [lyr["data"] for lyr in deck_spec(at)["layers"] if not lyr["data"].startswith("blob:")]
    assert static and all(d.startswith("layers/") and (MAPVIEW / d).is_file() for d in static)


def test_tooltips_name_fields_not_html():
    at = run_app()
    for layer in deck_spec(at)["layers"]:
        for f in layer["tooltip"]:  # {field, label, factor, suffix, decimals}
            assert all(isinstance(f[k], str) and "<" not in f[k]
                       for k in ("field", "label", "suffix")), f


def test_briefing_download_renders_the_page_scene():
    from io import BytesIO

    from PIL import Image

    from dashboard.scene.compose import build_scene
    from dashboard.scene.request import SceneRequest
    from dashboard.state import session as appstate

    scene = build_scene(SceneRequest(ring_radii_km=[75.0, 90.0], view=appstate.incident_view(*PRZ)))
    from dashboard.render.export import brief_bytes
    png = brief_bytes(scene, "png", "slide", "UNCLASSIFIED")
    assert Image.open(BytesIO(png)).size == (1920, 1080)
    at = run_app()
    assert not at.get("download_button") or not any(
        b.label == "Download briefing map" for b in at.get("download_button"))
    at.button(key="brief_make").click().run()
    assert not at.exception, at.exception
    assert any(b.label == "Download briefing map" for b in at.get("download_button"))
    made = at.session_state["brief_file"][1]
    assert made[:8] == b"\x89PNG\r\n\x1a\n" and Image.open(BytesIO(made)).size == (1920, 1080)
    at.selectbox(key="brief_fmt").select("svg").run()  # another format: make it again
    assert not any(b.label == "Download briefing map" for b in at.get("download_button"))
    assert at.session_state["brief_file"] is None


def test_an_old_form_share_link_opens_the_zones_page():
    """Links made before the pages had paths (``/?scenario=...``) open ``/zones``."""
    from shapely.geometry import Polygon

    from dashboard import store as scenarios

    sc = scenarios.Scenario(name="Link", zones=[scenarios.Zone(
        "z1", "Box", Polygon([(23, 49), (25, 49), (25, 51), (23, 51)]))])
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["scenario"] = scenarios.to_url_param(sc)
    at.run()
    assert not at.exception
    assert any("carries the scenario “Link” with 1 zone" in i.value for i in at.info)


def test_legend_toggles_hide_a_layer_on_the_map_and_in_the_brief():
    at = run_app()
    ids = [lyr["id"] for lyr in deck_spec(at)["layers"]]
    at.session_state["explore_map"] = {"seq": 9, "events": [
        {"seq": 9, "type": "layers", "visible": [i for i in ids if i != "cities"]}]}
    at.run()
    assert not at.exception
    layers = {lyr["id"]: lyr for lyr in deck_spec(at)["layers"]}
    assert layers["cities"]["visible"] is False and layers["regions"]["visible"] is True
    from dashboard.scene.compose import build_scene
    from dashboard.state import session as appstate

    shown = appstate.without_layers(build_scene(), at.session_state["map_hidden"])
    assert shown.layer("cities") is None and shown.layer("regions") is not None
