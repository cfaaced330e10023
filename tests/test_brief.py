"""Tests of the briefing renderer on a hand-made scene (no geodata needed).

Every figure is checked against an independent computation: the strike's pixel
from our own pyproj transform of the brief's CRS; the scale bar's ground length
from Geod.inv on its unprojected end points; the north arrow against PROJ's own
meridian convergence; the PDF's text with pypdf.
"""
from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from geo_reference import GEOD
from PIL import Image
from pyproj import Proj, Transformer
from shapely.geometry import LineString, Point, Polygon

from dashboard.geo.errors import InputError
from dashboard.render import brief, mapframe
from dashboard.render.brief import format_dtg, render_brief
from dashboard.render.labels import LabelPlacer, LabelRequest, boxes_overlap
from dashboard.render.mapframe import nice_scale_length
from dashboard.scene.model import Scene, SceneLayer, View
from dashboard.scene.styles import LAYERS, style_for

STRIKE = (23.93432, 50.47099)
SOURCES = ["© OpenStreetMap contributors, ODbL", "GeoNames, CC BY 4.0", "Natural Earth (public domain)"]


def _gdf(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def make_scene(units: str = "km") -> Scene:
    """A small eastern-flank-like scene: two countries, a border, a zone, crowded cities, the strike."""
    border = LineString([(24.05, 48.6), (24.0, 49.6), (24.1, 50.5), (23.7, 51.5), (23.6, 52.3)])
    west = Polygon([(14.0, 48.6), *border.coords, (14.0, 52.3)])
    east = Polygon([*border.coords, (32.0, 52.3), (32.0, 48.6)])
    countries = _gdf([
        {"iso_a2": "PL", "name": "Poland", "geometry": west},
        {"iso_a2": "UA", "name": "Ukraine", "geometry": east},
    ])
    nato = _gdf([{"id": "PL-UA", "member": "PL", "neighbour": "UA", "geometry": border}])
    zone = _gdf([{"id": "test-zone", "name": "Test zone",
                  "geometry": Polygon([(24.3, 48.9), (27.5, 48.9), (27.5, 51.4), (24.3, 51.4)])}])
    # a crowded cluster around (25.5, 50) so labels must move or be dropped
    cities = [{"geonameid": i, "name": f"Town {i}", "country": "UA", "population": 60_000 + 1000 * i,
               "geometry": Point(25.5 + 0.08 * (i % 4), 50.0 + 0.06 * (i // 4))} for i in range(12)]
    cities += [{"geonameid": 100, "name": "Lviv", "country": "UA", "population": 720_000,
                "geometry": Point(24.03, 49.84)},
               {"geonameid": 101, "name": "Lublin", "country": "PL", "population": 340_000,
                "geometry": Point(22.57, 51.25)},
               {"geonameid": 102, "name": "Hrubieszów", "country": "PL", "population": 18_000,
                "geometry": Point(23.89, 50.81)}]
    incidents = _gdf([{"id": "2022-11-15-przewodow", "date": "2022-11-15", "time_utc": "14:40",
                       "place": "Przewodów, Lublin voivodeship", "country": "PL",
                       "geometry": Point(*STRIKE)}])
    strike_line = _gdf([{"id": "strike-nato-border", "name": "Strike → NATO border: 11.1 km",
                         "geometry": LineString([STRIKE, (24.0855, 50.4713)])}])
    layers = [
        SceneLayer("countries", countries, style_for("countries"), show_labels=True),
        SceneLayer("zones", zone, style_for("zones"), show_labels=True),
        SceneLayer("nato_border", nato, style_for("nato_border"), show_labels=True),
        SceneLayer("strike_border", strike_line, style_for("measure"), label="Strike → NATO border: 11.1 km"),
        SceneLayer("cities", _gdf(cities), style_for("cities"), show_labels=True),
        SceneLayer("incidents", incidents, style_for("incidents"), show_labels=True),
    ]
    inc = {"id": "2022-11-15-przewodow", "date": "2022-11-15", "time_utc": "14:40",
           "place": "Przewodów", "country": "PL", "lon": STRIKE[0], "lat": STRIKE[1]}
    return Scene(layers=layers, view=View((21.0, 48.8, 28.0, 52.0), 24.5, 50.4, 6.0),
                 title="Test brief: Przewodów", subtitle="hand-made scene", incident=inc,
                 metrics={"Strike to NATO border (PL-UA)": "6.4 km", "Test zone area": "41,000 km²"},
                 sources=list(SOURCES), units=units, locator=countries)


@pytest.fixture(scope="module")
def slide_png():
    buf = io.BytesIO()
    layout = render_brief(make_scene(), buf, "png", "slide", marking="UNCLASSIFIED",
                          generated_at=datetime(2022, 11, 16, 9, 0, tzinfo=UTC))
    return layout, Image.open(io.BytesIO(buf.getvalue())).convert("RGBA")


# ----------------------------------------------------------------------------- pure helpers

@pytest.mark.parametrize("day,time_utc,expected", [
    ("2022-11-15", "14:40", "151440Z NOV 22"),
    ("2022-11-15", "14:40:59", "151440Z NOV 22"),
    ("2022-11-15", "1440Z", "151440Z NOV 22"),
    ("2023-01-05", "00:07", "050007Z JAN 23"),
    ("2024-12-31", "23:59", "312359Z DEC 24"),
    ("2022-11-15", None, "15 NOV 22"),
    ("2022-11-15", "", "15 NOV 22"),
])
def test_format_dtg(day, time_utc, expected):
    assert format_dtg(day, time_utc) == expected


@pytest.mark.parametrize("day,time_utc", [("2022-13-01", "14:40"), ("2022-11-15", "25:00"),
                                          ("2022-11-15", "14:61"), ("2022-11-15", "noon")])
def test_format_dtg_rejects_bad_input(day, time_utc):
    with pytest.raises(InputError):
        format_dtg(day, time_utc)


@pytest.mark.parametrize("max_value,expected", [(317.0, 250.0), (250.0, 250.0), (199.9, 100.0),
                                                (120.0, 100.0), (57.0, 50.0), (23.0, 20.0), (7.3, 5.0),
                                                (1.4, 1.0), (0.7, 0.5)])
def test_nice_scale_length(max_value, expected):
    assert nice_scale_length(max_value) == expected


@pytest.mark.parametrize("value,lon,expected", [(24.0, True, "24°E"), (-15.0, True, "15°W"), (0.0, True, "0°"),
                                                (180.0, True, "180°"), (345.0, True, "15°W"),
                                                (50.5, False, "50.5°N"), (-33.25, False, "33.25°S"),
                                                (0.0, False, "0°")])
def test_graticule_label_format(value, lon, expected):
    assert (mapframe.fmt_lon if lon else mapframe.fmt_lat)(value) == expected


def test_generation_time_prefers_explicit_then_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668523200")  # 2022-11-15T14:40:00Z
    assert brief.generation_time() == datetime(2022, 11, 15, 14, 40, tzinfo=UTC)
    explicit = datetime(2020, 1, 2, 3, 4, tzinfo=UTC)
    assert brief.generation_time(explicit) == explicit
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError):
        brief.generation_time()


def test_marking_colours():
    assert brief.marking_colours("UNCLASSIFIED")[0] == "#007a33"
    assert brief.marking_colours("NATO UNCLASSIFIED")[0] == "#007a33"
    assert brief.marking_colours("SECRET//REL TO NATO")[0] == "#c8102e"
    assert brief.marking_colours("TOP SECRET")[0] == "#ff8c00"


def test_projection_is_conformal_conic_centred_on_view():
    proj = mapframe.projection_for((21.0, 48.8, 28.0, 52.0))
    assert proj.crs.is_projected
    assert "Lambert Conic Conformal" in proj.crs.to_wkt()
    x, y = proj.to_xy(24.5, 50.4)
    assert abs(x) < 1e-6 and abs(y) < 1e-6  # origin at the view's centre
    # a view across the equator gets the azimuthal equal-area projection
    assert "Lambert Azimuthal Equal Area" in mapframe.projection_for((-10, -5, 10, 5)).crs.to_wkt()


def test_true_north_matches_proj_meridian_convergence():
    proj = mapframe.projection_for((21.0, 48.8, 28.0, 52.0))
    p = Proj(proj.crs)
    assert abs(mapframe.true_north_deg(proj, 24.5, 50.4)) < 1e-6  # on the central meridian
    for lon, lat in [(30.0, 50.0), (18.0, 52.0), (27.0, 46.0)]:
        gamma = p.get_factors(lon, lat).meridian_convergence
        assert abs(gamma) > 1.0  # far enough from the central meridian to matter
        # east of the central meridian true north leans left (anticlockwise) of grid north
        assert mapframe.true_north_deg(proj, lon, lat) == pytest.approx(-gamma, abs=1e-3)


def test_scale_bar_span_is_geodesic_everywhere():
    proj = mapframe.projection_for((21.0, 48.8, 28.0, 52.0))
    inv = Transformer.from_crs(proj.crs, "EPSG:4326", always_xy=True)
    for x_c, y_c, km in [(0, 0, 100.0), (300_000, -200_000, 250.0), (-400_000, 250_000, 50.0)]:
        span = mapframe.scale_bar_span_m(proj, x_c, y_c, km)
        lon0, lat0 = inv.transform(x_c - span / 2, y_c)
        lon1, lat1 = inv.transform(x_c + span / 2, y_c)
        assert GEOD.inv(lon0, lat0, lon1, lat1)[2] / 1000 == pytest.approx(km, rel=1e-7)


# ----------------------------------------------------------------------------- label placement

def test_label_placer_never_overlaps_and_respects_bounds():
    rng = np.random.default_rng(7)
    pts = rng.uniform(0, 400, size=(120, 2))  # deliberately crowded
    markers = [(x - 4, y - 4, x + 4, y + 4) for x, y in pts]
    placer = LabelPlacer((0, 0, 400, 400), markers, lambda t, p: (8.0 * len(t), 12.0), pad_px=1.0)
    placed = []
    for i, (x, y) in enumerate(pts):
        req = LabelRequest(f"L{i:03d}", "t", [(x, y)], [(x, y)], 1.0, gap_px=6.0, props={})
        res = placer.place(req)
        if res is not None:
            placed.append(res[-1])
    assert 10 < len(placed) < len(pts)  # some fit, some are dropped
    for a, b in itertools.combinations(placed, 2):
        assert not boxes_overlap(a, b)
    for a in placed:
        assert all(not boxes_overlap(a, m) for m in markers)
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= 400 and a[3] <= 400


def test_label_placer_moves_label_off_a_neighbour():
    # a marker directly east of the point: the first choice (east) is taken, so the label moves
    placer = LabelPlacer((0, 0, 300, 300), [(150 - 4, 150 - 4, 150 + 4, 150 + 4), (166, 144, 260, 156)],
                         lambda t, p: (60.0, 12.0), pad_px=1.0)
    res = placer.place(LabelRequest("X", "t", [(150, 150)], [(150, 150)], 1.0, gap_px=7.0, props={}))
    assert res is not None
    box_ = res[-1]
    assert not boxes_overlap(box_, (166, 144, 260, 156))
    assert res[3] != "left" or res[4] != "center"


def test_rendered_labels_do_not_overlap_each_other_or_markers(slide_png):
    layout, _ = slide_png
    renderer = layout.fig.canvas.get_renderer()
    extents = []
    for lab in layout.labels:
        bb = lab.artist.get_window_extent(renderer)  # the text as actually rendered
        extents.append((bb.x0, bb.y0, bb.x1, bb.y1))
    texts = [lab.text for lab in layout.labels]
    assert "Przewodów · 2022-11-15" in texts and "Lviv" in texts
    for (a, ta), (b, tb) in itertools.combinations(zip(extents, texts), 2):
        assert not boxes_overlap(a, b), (ta, tb)
    for a, t in zip(extents, texts):
        for m in layout.markers_px + layout.furniture_px:  # markers, scale bar, north arrow
            assert not boxes_overlap(a, m), t
    # the crowded cluster cannot hold every name: some are left out rather than overlapped
    assert any(t.startswith("Town") for t in layout.dropped_labels)


def test_strike_marker_is_an_obstacle_at_its_projected_position(slide_png):
    layout, _ = slide_png
    to_map = Transformer.from_crs("EPSG:4326", layout.projection.crs, always_xy=True)
    px, py = layout.map_ax.transData.transform(to_map.transform(*STRIKE))
    assert any(m[0] < px < m[2] and m[1] < py < m[3] for m in layout.markers_px)


# ----------------------------------------------------------------------------- the image

def test_slide_is_1920_by_1080(slide_png):
    _, img = slide_png
    assert img.size == (1920, 1080)


def test_a4_is_3508_by_2480_at_300_dpi():
    buf = io.BytesIO()
    render_brief(make_scene(), buf, "png", "a4")
    img = Image.open(io.BytesIO(buf.getvalue()))
    assert img.size == (3508, 2480)
    assert img.info.get("dpi", (300, 300))[0] == pytest.approx(300, abs=0.5)


def test_pixel_at_strike_is_incident_colour(slide_png):
    layout, img = slide_png
    to_map = Transformer.from_crs("EPSG:4326", layout.projection.crs, always_xy=True)
    x, y = to_map.transform(*STRIKE)
    dx, dy = layout.map_ax.transData.transform((x, y))
    col, row = int(dx), img.size[1] - 1 - int(dy)  # display y runs up, image rows run down
    expected = LAYERS["incidents"].fill
    got = img.getpixel((col, row))
    assert all(abs(g - e) <= 3 for g, e in zip(got[:3], expected[:3])), (got, expected)
    # and well away from the marker (in open Ukraine) it is not red
    bx, by = layout.map_ax.transData.transform(to_map.transform(30.5, 49.0))
    assert img.getpixel((int(bx), img.size[1] - 1 - int(by)))[:3] != expected[:3]


def test_scale_bar_is_geodesically_right_at_the_centre(slide_png):
    layout, img = slide_png
    sb = layout.scale_bar
    assert sb.length in (50, 100, 150, 200, 250, 500) and sb.unit == "km"
    inv = Transformer.from_crs(layout.projection.crs, "EPSG:4326", always_xy=True)
    (x0, y0), (x1, y1) = sb.centre_xy
    # the measured bar is centred on the map centre ...
    clon, clat = inv.transform((x0 + x1) / 2, (y0 + y1) / 2)
    assert (clon, clat) == pytest.approx(layout.centre_lonlat, abs=1e-9)
    lon0, lat0 = inv.transform(x0, y0)
    lon1, lat1 = inv.transform(x1, y1)
    assert GEOD.inv(lon0, lat0, lon1, lat1)[2] / 1000 == pytest.approx(sb.length_km, rel=1e-6)
    # ... and the drawn bar is the same vector, translated into the corner
    (d0x, d0y), (d1x, d1y) = sb.drawn_xy
    assert (d1x - d0x, d1y - d0y) == pytest.approx((x1 - x0, y1 - y0), rel=1e-12, abs=1e-6)
    # and it is really drawn there: first quarter dark, second quarter white
    ax = layout.map_ax
    for frac, dark in [(0.125, True), (0.375, False), (0.625, True)]:
        px, py = ax.transData.transform((d0x + frac * (d1x - d0x), d0y))
        r, g, b, _ = img.getpixel((int(px), img.size[1] - 1 - int(py + 3)))
        assert (r + g + b < 200) == dark, (frac, (r, g, b))


def test_scale_bar_in_nautical_miles():
    layout = brief.build_figure(make_scene(units="nm"), "slide")
    sb = layout.scale_bar
    assert sb.unit == "nm"
    assert sb.length_km == pytest.approx(sb.length * 1.852)
    inv = Transformer.from_crs(layout.projection.crs, "EPSG:4326", always_xy=True)
    (x0, y0), (x1, y1) = sb.centre_xy
    d_m = GEOD.inv(*inv.transform(x0, y0), *inv.transform(x1, y1))[2]
    assert d_m / 1852 == pytest.approx(sb.length, rel=1e-6)


def test_pdf_has_real_text(monkeypatch):
    pypdf = pytest.importorskip("pypdf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668523200")
    buf = io.BytesIO()
    render_brief(make_scene(), buf, "pdf", "slide", marking="NATO UNCLASSIFIED")
    reader = pypdf.PdfReader(io.BytesIO(buf.getvalue()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Test brief: Przewodów" in text
    assert text.count("NATO UNCLASSIFIED") == 2  # top and bottom banner
    for src in SOURCES:
        assert src in text
    assert "151440Z NOV 22" in text
    assert "Generated 15 Nov 2022 14:40 UTC" in text
    assert "Lviv" in text  # labels are text too, not outlines
    assert str(reader.metadata.get("/CreationDate", "")).startswith("D:20221115144000")
    # vector: page size is 19.2 x 10.8 in
    w, h = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (w, h) == pytest.approx((1920 * 0.72, 1080 * 0.72), abs=0.5)


def test_svg_has_real_text_and_vector_paths():
    buf = io.BytesIO()
    render_brief(make_scene(), buf, "svg", "slide", marking="UNCLASSIFIED")
    svg = buf.getvalue().decode("utf-8")
    assert "<text" in svg and "Test brief: Przewodów" in svg
    assert "<path" in svg and "<image" not in svg


@pytest.mark.slow  # renders in fresh interpreters
def test_deterministic_bytes_across_processes(tmp_path):
    """Same scene + SOURCE_DATE_EPOCH -> same bytes, for PNG, PDF and SVG, from two fresh
    interpreters with different hash seeds (so no set or dict order can leak in)."""
    code = ("import sys; from test_brief import make_scene; "
            "from dashboard.render.brief import render_brief; sc = make_scene(); "
            "[render_brief(sc, sys.argv[1] + '.' + f, f, 'slide', marking='UNCLASSIFIED') "
            "for f in ('png', 'pdf', 'svg')]")
    for seed in ("1", "2"):
        env = dict(os.environ, SOURCE_DATE_EPOCH="1668589200", PYTHONHASHSEED=seed,
                   PYTHONPATH=str(Path(__file__).resolve().parent))
        subprocess.run([sys.executable, "-c", code, str(tmp_path / f"b{seed}")], check=True, env=env,
                       cwd=Path(__file__).resolve().parent.parent)
    for fmt in ("png", "pdf", "svg"):
        one, two = ((tmp_path / f"b{seed}.{fmt}").read_bytes() for seed in ("1", "2"))
        assert len(one) > 10_000 and one == two, fmt


def test_generation_time_comes_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668523200")
    a, b = io.BytesIO(), io.BytesIO()
    render_brief(make_scene(), a, "svg", "slide")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    render_brief(make_scene(), b, "svg", "slide")
    assert "Generated 15 Nov 2022 14:40 UTC" in a.getvalue().decode()
    assert "Generated 14 Nov 2023 22:13 UTC" in b.getvalue().decode()
    assert a.getvalue() != b.getvalue()


def test_bad_format_and_size_are_input_errors():
    with pytest.raises(InputError):
        render_brief(make_scene(), io.BytesIO(), "jpg")
    with pytest.raises(InputError):
        render_brief(make_scene(), io.BytesIO(), "png", size="poster")


def test_legend_lists_only_what_is_on_the_map():
    sc = make_scene()
    far = _gdf([{"id": "NO-RU", "member": "NO", "neighbour": "RU",
                 "geometry": LineString([(30.0, 69.0), (31.0, 69.8)])}])
    nato = sc.layer("nato_border")
    nato.gdf = gpd.GeoDataFrame(
        [*nato.gdf.to_dict("records"), *far.to_dict("records")], geometry="geometry", crs="EPSG:4326")
    layout = brief.build_figure(sc, "slide", None, datetime(2022, 11, 16, tzinfo=UTC))
    labels = [lab for lab, _ in layout.legend_rows]
    assert "NATO border with Ukraine" in labels
    assert "NATO border with Russia" not in labels  # NO-RU is far outside the frame


def test_empty_scene_renders():
    sc = Scene(layers=[], view=View((21.0, 48.8, 28.0, 52.0), 24.5, 50.4, 6.0))
    buf = io.BytesIO()
    layout = render_brief(sc, buf, "png")
    assert layout.dtg is None and buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"

