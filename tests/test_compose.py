"""build_scene: the layers, figures and words every renderer shows.

Figures are checked against independent computations on the committed GeoJSON
read with plain json + shapely + pyproj.Geod (not through the core).
"""
from __future__ import annotations

import io
import math
import re
from datetime import date

import geopandas as gpd
import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from PIL import Image
from pyproj import Transformer
from shapely.geometry import Point, Polygon, shape

from conftest import geodata_features
from dashboard.geo.errors import InputError
from dashboard.scene.compose import build_scene, format_area
from dashboard.scene.request import SceneRequest
from dashboard.scene.styles import LAYERS as STYLES

STRIKE = (23.93432, 50.47099)


_features = geodata_features


def _geom(name: str, key: str, value: str):
    return next(shape(f["geometry"]) for f in _features(name) if f["properties"][key] == value)


def _min_distance_km(lon: float, lat: float, geom, window_deg: float = 0.6, step_m: float = 20.0) -> float:
    """Brute force: densify every edge near the point to ``step_m`` and take the least Geod.inv."""
    best = math.inf
    lines = [geom] if geom.geom_type == "LineString" else (
        list(geom.geoms) if geom.geom_type == "MultiLineString" else
        [r for p in getattr(geom, "geoms", [geom]) for r in (p.exterior, *p.interiors)])
    for line in lines:
        xy = np.asarray(line.coords)
        for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
            if min(x0, x1) > lon + window_deg or max(x0, x1) < lon - window_deg or \
               min(y0, y1) > lat + window_deg or max(y0, y1) < lat - window_deg:
                continue
            seg_m = GEOD.inv(x0, y0, x1, y1)[2]
            n = max(int(seg_m / step_m), 1)
            pts = [(x0, y0), *GEOD.npts(x0, y0, x1, y1, n - 1), (x1, y1)] if n > 1 else [(x0, y0), (x1, y1)]
            px, py = np.array(pts).T
            d = GEOD.inv(np.full(len(px), lon), np.full(len(px), lat), px, py)[2]
            best = min(best, float(d.min()))
    return best / 1000.0


def _number(text: str) -> float:
    return float(re.match(r"[-\d,.]+", text).group(0).replace(",", ""))


def _geod_area_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


@pytest.fixture(scope="module")
def default_scene():
    return build_scene(SceneRequest(ring_radii_km=(75, 90)))


def test_layers_in_drawing_order(default_scene):
    names = [lyr.name for lyr in default_scene.layers]
    assert names[0] == "countries" and names[-1] == "incidents"
    assert names.index("zones") < names.index("buffers") < names.index("nato_border") < names.index("cities")
    for lyr in default_scene.layers:
        assert lyr.gdf.crs is None or lyr.gdf.crs.to_epsg() == 4326
    assert list(default_scene.layer("zones").gdf["id"]) == ["ua-border-oblasts"]


def test_strike_to_nato_border_matches_geod(default_scene):
    key = next(k for k in default_scene.metrics if k.startswith("Strike → NATO border"))
    assert key == "Strike → NATO border (PL-UA)"
    shown = _number(default_scene.metrics[key])
    expected = _min_distance_km(*STRIKE, _geom("nato_border", "id", "PL-UA"))
    assert 6.0 < expected < 7.0
    assert shown == pytest.approx(expected, abs=0.051)  # shown to 0.1 km
    assert default_scene.metrics[key].endswith(" km")


def test_strike_line_ends_on_the_border_at_the_stated_distance(default_scene):
    line = default_scene.layer("strike_border").gdf.geometry.iloc[0]
    (lon0, lat0), (lon1, lat1) = line.coords[0], line.coords[-1]
    assert (lon0, lat0) == pytest.approx(STRIKE, abs=1e-9)
    d_km = GEOD.inv(lon0, lat0, lon1, lat1)[2] / 1000
    assert d_km == pytest.approx(_min_distance_km(*STRIKE, _geom("nato_border", "id", "PL-UA")), abs=0.005)
    assert _geom("nato_border", "id", "PL-UA").distance(Point(lon1, lat1)) < 1e-6  # on the border line
    assert default_scene.layer("strike_border").legend_label == "Strike → NATO border: 6.4 km"


def test_strike_to_ukraine_matches_geod(default_scene):
    shown = _number(default_scene.metrics["Strike → Ukraine"])
    expected = _min_distance_km(*STRIKE, _geom("countries", "iso_a2", "UA"))
    assert shown == pytest.approx(expected, abs=0.051)


def test_zone_area_matches_geod(default_scene):
    z = next(f for f in _features("zones") if f["properties"]["id"] == "ua-border-oblasts")
    expected = _geod_area_km2(shape(z["geometry"]))
    shown = _number(default_scene.metrics[z["properties"]["name"]])
    assert shown == pytest.approx(expected, abs=0.51)
    assert default_scene.metrics[z["properties"]["name"]].endswith(" km²")


def test_rings_are_geodesic_and_their_areas_match(default_scene):
    rings = default_scene.layer("buffers").gdf
    assert sorted(rings["radius_km"]) == [75.0, 90.0]
    for _, row in rings.iterrows():
        xy = np.asarray(row.geometry.exterior.coords)
        d_km = GEOD.inv(np.full(len(xy), STRIKE[0]), np.full(len(xy), STRIKE[1]), xy[:, 0], xy[:, 1])[2] / 1000
        assert np.allclose(d_km, row["radius_km"], rtol=1e-3)
        shown = _number(default_scene.metrics[f"Within {row['radius_km']:g} km of strike"])
        assert shown == pytest.approx(_geod_area_km2(row.geometry), abs=0.51)
        # and close to the spherical cap of the same geodesic radius (R = 6371 km): within 0.5 %
        r = row["radius_km"] / 6371.0
        assert shown == pytest.approx(2 * math.pi * 6371.0 ** 2 * (1 - math.cos(r)), rel=5e-3)
    assert default_scene.layer("buffers").legend_label == "Range rings 75/90 km"


def test_as_of_defaults_to_incident_date_and_filters_border(default_scene):
    assert default_scene.as_of == date(2022, 11, 15)
    ids = set(default_scene.layer("nato_border").gdf["id"])
    assert "FI-RU" not in ids and "PL-UA" in ids
    later = build_scene(SceneRequest(as_of=date(2024, 1, 1), visible_layers=("nato_border",)))
    assert "FI-RU" in set(later.layer("nato_border").gdf["id"])
    assert "NATO border as of 1 Jan 2024" in later.subtitle


def test_sources_from_manifest(default_scene):
    for line in ("© OpenStreetMap contributors, ODbL", "GeoNames, CC BY 4.0", "Natural Earth (public domain)"):
        assert line in default_scene.sources
    assert any(s.startswith("Incident reports: ") for s in default_scene.sources)


def test_incident_words_and_dtg_fields(default_scene):
    inc = default_scene.incident
    assert inc["id"] == "2022-11-15-przewodow"
    assert (inc["lon"], inc["lat"]) == pytest.approx(STRIKE, abs=1e-6)
    assert inc["date"].startswith("2022-11-15") and inc["time_utc"].startswith("14:40")
    assert default_scene.title == "Przewodów strike, 15 Nov 2022"
    assert "50.4710°N 23.9343°E" in default_scene.subtitle


def test_default_view_covers_zone_rings_and_strike(default_scene):
    w, s, e, n = default_scene.view.bounds_deg
    zb = _geom("zones", "id", "ua-border-oblasts").bounds
    assert w < zb[0] and s < zb[1] and e > zb[2] and n > zb[3]
    assert w < STRIKE[0] < e and s < STRIKE[1] < n
    assert w < default_scene.view.lon < e and s < default_scene.view.lat < n


def test_units_nm():
    sc = build_scene(SceneRequest(units="nm", ring_radii_km=(92.6,)))
    km = _min_distance_km(*STRIKE, _geom("nato_border", "id", "PL-UA"))
    assert _number(sc.metrics["Strike → NATO border (PL-UA)"]) == pytest.approx(km / 1.852, abs=0.051)
    assert sc.metrics["Strike → NATO border (PL-UA)"].endswith(" nm")
    assert "Within 50 nm of strike" in sc.metrics
    assert sc.metrics["Ukrainian oblasts bordering NATO members"].endswith(" nm²")
    assert sc.units == "nm"


def test_band_on_the_ukrainian_side():
    sc = build_scene(SceneRequest(band_km=50, zone_ids=()))
    band = sc.layer("band").gdf.geometry.iloc[0]
    ua = _geom("countries", "iso_a2", "UA")
    assert band.difference(ua.buffer(0.01)).area < 1e-3 * band.area  # inside Ukraine
    shown = _number(sc.metrics["Band 50 km deep (UA side)"])
    assert shown == pytest.approx(_geod_area_km2(band), abs=0.51)
    # 50 km deep along ~1,275 km of UA border with PL, SK, HU, RO: order of magnitude check
    assert 30_000 < shown < 80_000


def test_extra_zones_and_user_layers():
    square = Polygon([(24.5, 49.5), (25.5, 49.5), (25.5, 50.0), (24.5, 50.0)])
    pts = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[Point(24.0, 50.0), Point(25.0, 49.0)], crs=4326)
    sc = build_scene(SceneRequest(zone_ids=(), extra_zones=[("My zone", square)], user_layers={"sites": pts}))
    assert _number(sc.metrics["My zone"]) == pytest.approx(_geod_area_km2(square), abs=0.51)
    assert sc.layer("drawn") is not None and sc.layer("zones") is None
    user = sc.layer("sites")
    assert user is not None and user.style.kind == "point"
    w, s, e, n = sc.view.bounds_deg
    assert w < 24.5 and e > 25.5 and s < 49.5 and n > 50.0


def test_visible_layers_subset():
    sc = build_scene(SceneRequest(visible_layers=("countries", "incidents")))
    assert [lyr.name for lyr in sc.layers] == ["countries", "strike_border", "incident_tracks",
                                               "incidents"]
    assert "Ukrainian oblasts bordering NATO members" not in sc.metrics  # zones hidden


@pytest.mark.parametrize("kwargs,fragment", [
    ({"incident_id": "nope"}, "unknown incident"),
    ({"zone_ids": ("nope",)}, "unknown zone"),
    ({"units": "furlong"}, "unknown distance unit"),
    ({"visible_layers": ("roads",)}, "unknown layer"),
    ({"incident_id": None, "ring_radii_km": (10,)}, "centre"),
    ({"ring_radii_km": (-5,)}, "positive"),
])
def test_bad_input(kwargs, fragment):
    with pytest.raises(InputError, match=fragment):
        build_scene(SceneRequest(**kwargs))


def test_format_area():
    assert format_area(110559.7, "km") == "110,560 km²"
    assert format_area(1.852 ** 2 * 1000, "nm") == "1,000 nm²"
    assert format_area(12.34, "km") == "12.34 km²"  # 4 significant digits (was 12.3)


def test_no_incident_scene(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1680652800")  # 2023-04-05: Finland joined the day before
    sc = build_scene(SceneRequest(incident_id=None))
    assert sc.incident is None and not any(k.startswith("Strike") for k in sc.metrics)
    assert sc.layer("strike_border") is None
    assert sc.title == "NATO eastern flank: candidate no-fly zones"
    assert sc.as_of == date(2023, 4, 5) and "FI-RU" in set(sc.layer("nato_border").gdf["id"])


def test_invalid_drawn_zone_is_repaired_and_measured():
    bowtie = Polygon([(24, 49), (25, 50), (25, 49), (24, 50)])
    assert not bowtie.is_valid
    sc = build_scene(SceneRequest(zone_ids=(), extra_zones=[("Bow tie", bowtie)]))
    drawn = sc.layer("drawn").gdf.geometry.iloc[0]
    assert drawn.is_valid
    assert _number(sc.metrics["Bow tie"]) == pytest.approx(_geod_area_km2(drawn), abs=0.51)


def test_brief_of_the_real_scene_shows_the_strike_in_incident_red(default_scene):
    from dashboard.render.brief import render_brief

    buf = io.BytesIO()
    layout = render_brief(default_scene, buf, "png", "slide")
    img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    assert img.size == (1920, 1080)
    to_map = Transformer.from_crs("EPSG:4326", layout.projection.crs, always_xy=True)
    px, py = layout.map_ax.transData.transform(to_map.transform(*STRIKE))
    got = img.getpixel((int(px), img.size[1] - 1 - int(py)))
    assert all(abs(g - e) <= 3 for g, e in zip(got, STYLES["incidents"].fill[:3])), got
    # the frame shows the whole zone
    fx0, fy0, fx1, fy1 = layout.frame_xy
    zx, zy = to_map.transform(*shapely.get_coordinates(_geom("zones", "id", "ua-border-oblasts")).T)
    assert fx0 < zx.min() and zx.max() < fx1 and fy0 < zy.min() and zy.max() < fy1
