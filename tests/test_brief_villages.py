"""The brief names villages at village scale (issue 20 item 1): the detail inset around
the incident, and the main map when its frame is at most 60 km wide.

Every check is against an independent computation: the places inside the inset's
extent are read from ``geodata/places.tsv`` with :mod:`csv` and projected with our own
pyproj transformer of the brief's CRS; the order of importance is written here
(population where known, then the seats PPLC, PPLA..PPLA4 before other places, then
name and geonameid); overlaps are checked on the labels' rendered extents; the cities
layer's places are read from ``geodata/cities.geojson`` with :mod:`json`.
"""
from __future__ import annotations

import csv
import itertools
import json
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from pyproj import Transformer

from conftest import PRZEWODOW_LONLAT
from dashboard.data.catalogue import GEODATA_DIR
from dashboard.render.brief import build_figure, panel
from dashboard.render.labels import boxes_overlap
from dashboard.scene.compose import build_scene
from dashboard.scene.model import View
from dashboard.scene.request import SceneRequest

WHEN = datetime(2022, 11, 16, 9, 0, tzinfo=UTC)
SEATS = ("PPLC", "PPLA", "PPLA2", "PPLA3", "PPLA4")


def _gazetteer() -> list[dict]:
    with open(GEODATA_DIR / "places.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _importance(row: dict) -> tuple:
    code = row["feature_code"]
    return (-int(row["population"]), SEATS.index(code) if code in SEATS else len(SEATS), row["name"],
            int(row["geonameid"]))


def _city_ids() -> set[int]:
    cities = json.loads((GEODATA_DIR / "cities.geojson").read_text(encoding="utf-8"))
    return {int(f["properties"]["geonameid"]) for f in cities["features"]}


def _in_extent(ax, crs) -> list[tuple[dict, float, float]]:
    """The gazetteer's places inside the axes' extent, most important first, with their pixels."""
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    out = []
    for row in sorted(_gazetteer(), key=_importance):
        lon, lat = float(row["lon"]), float(row["lat"])
        if not (20.0 < lon < 28.0 and 48.0 < lat < 53.0):
            continue  # far away: no need to project it
        x, y = to_map.transform(lon, lat)
        if x0 <= x <= x1 and y0 <= y <= y1:
            px, py = ax.transData.transform((x, y))
            out.append((row, float(px), float(py)))
    return out


def _match(label, extent) -> tuple[dict, float, float]:
    """The gazetteer row a village label names: same name, anchored within 1 px of it."""
    ax = label.artist.axes
    ax_px = ax.transData.transform(label.artist.xy)
    hits = [(r, px, py) for r, px, py in extent
            if r["name"] == label.text and np.hypot(px - ax_px[0], py - ax_px[1]) <= 1.0]
    assert len(hits) == 1, (label.text, ax_px)
    return hits[0]


@pytest.fixture(scope="module")
def przewodow():
    """The default brief (the Przewodów strike) and what its detail inset drew."""
    seen = []
    real = panel.detail_inset

    def spy(*args, **kw):
        seen.append(real(*args, **kw))
        return seen[-1]

    mp = pytest.MonkeyPatch()
    mp.setattr(panel, "detail_inset", spy)
    try:
        layout = build_figure(build_scene(SceneRequest()), "slide", generated_at=WHEN)
    finally:
        mp.undo()
    assert len(seen) == 1
    return layout, seen[0]


@pytest.fixture(scope="module")
def village_scale():
    """A brief whose main map is about 58 km wide around Przewodów."""
    lon, lat = PRZEWODOW_LONLAT
    scene = build_scene(SceneRequest())
    scene = replace(scene, view=View((lon - 0.34, lat - 0.17, lon + 0.34, lat + 0.17), lon, lat, 11.0))
    return build_figure(scene, "slide", generated_at=WHEN)


def _villages(labels) -> list:
    return [lab for lab in labels if lab.layer == "places"]


def test_detail_names_villages_near_przewodow_by_importance(przewodow):
    layout, detail = przewodow
    ax = detail.view.ax
    extent = _in_extent(ax, layout.projection.crs)
    names = [lab.text for lab in _villages(detail.labels)]
    assert len(names) >= 3, names
    assert len({"Dołhobyczów", "Telatyn", "Ulhówek", "Belz", "Mircze"} & set(names)) >= 3, names
    rows = [_match(lab, extent)[0] for lab in _villages(detail.labels)]
    ranks = [[r["geonameid"] for r, _, _ in extent].index(r["geonameid"]) for r in rows]
    assert ranks == sorted(ranks), names  # a subset of the extent's places, in order of importance
    # the most important place of the extent whose dot is clear of the strike's marker is named
    assert extent[0][0]["name"] in names


def test_detail_village_anchors_are_the_gazetteer_positions(przewodow):
    layout, detail = przewodow
    ax = detail.view.ax
    to_map = Transformer.from_crs("EPSG:4326", layout.projection.crs, always_xy=True)
    by_name = {}
    for row in _gazetteer():
        by_name.setdefault(row["name"], []).append(row)
    for lab in _villages(detail.labels):
        got = ax.transData.transform(lab.artist.xy)
        want = [ax.transData.transform(to_map.transform(float(r["lon"]), float(r["lat"])))
                for r in by_name[lab.text]]
        assert min(np.hypot(*(got - w)) for w in want) <= 1.0, lab.text


def test_detail_labels_do_not_overlap_each_other_the_marker_or_the_incident_label(przewodow):
    layout, detail = przewodow
    ax = detail.view.ax
    renderer = layout.fig.canvas.get_renderer()
    texts = [lab.text for lab in detail.labels]
    assert "Przewodów" in texts and "6.4 km" in texts  # the incident's village, the distance
    extents = []
    for lab in detail.labels:
        bb = lab.artist.get_window_extent(renderer)
        extents.append((bb.x0, bb.y0, bb.x1, bb.y1))
    for (a, ta), (b, tb) in itertools.combinations(zip(extents, texts), 2):
        assert not boxes_overlap(a, b), (ta, tb)
    # the strike's marker: our own projection of its position, its radius as drawn (about 10 px)
    to_map = Transformer.from_crs("EPSG:4326", layout.projection.crs, always_xy=True)
    sx, sy = ax.transData.transform(to_map.transform(*PRZEWODOW_LONLAT))
    marker = (sx - 10, sy - 10, sx + 10, sy + 10)
    for a, t in zip(extents, texts):
        assert not boxes_overlap(a, marker), t
    # and each village's dot is clear of every label
    for lab in _villages(detail.labels):
        px, py = ax.transData.transform(lab.artist.xy)
        dot = (px - 3, py - 3, px + 3, py + 3)
        for a, t in zip(extents, texts):
            assert not boxes_overlap(a, dot), (lab.text, t)


def test_a_dot_marks_each_named_village(przewodow):
    _, detail = przewodow
    ax = detail.view.ax
    anchors = sorted(tuple(np.round(lab.artist.xy, 3)) for lab in _villages(detail.labels))
    dots = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_zorder() == 38]
    assert len(dots) == 1
    assert sorted(tuple(np.round(p, 3)) for p in dots[0].get_offsets()) == anchors


def test_the_wide_main_map_names_no_villages(przewodow):
    layout, _ = przewodow
    assert not _villages(layout.labels)  # 1,000 km across: the cities layer is enough


def test_a_village_scale_main_map_names_villages_but_not_its_cities_twice(village_scale):
    layout = village_scale
    assert layout.frame_xy[2] - layout.frame_xy[0] <= 60_000
    villages = _villages(layout.labels)
    extent = _in_extent(layout.map_ax, layout.projection.crs)
    rows = [_match(lab, extent)[0] for lab in villages]
    assert {"Dołhobyczów", "Telatyn", "Ulhówek", "Belz"} <= {r["name"] for r in rows}
    cities = _city_ids()
    assert not {int(r["geonameid"]) for r in rows} & cities  # places drawn as cities are left out
    texts = [lab.text for lab in layout.labels]
    assert texts.count("Chervonohrad") == 1 and texts.count("Sokal") == 1  # labelled once, as cities
    order = [[r["geonameid"] for r, _, _ in extent].index(r["geonameid"]) for r in rows]
    assert order == sorted(order)
    renderer = layout.fig.canvas.get_renderer()
    extents = [lab.artist.get_window_extent(renderer) for lab in layout.labels]
    for (a, ta), (b, tb) in itertools.combinations(zip(extents, texts), 2):
        assert not boxes_overlap((a.x0, a.y0, a.x1, a.y1), (b.x0, b.y0, b.x1, b.y1)), (ta, tb)
    for a, t in zip(extents, texts):
        for m in layout.markers_px + layout.furniture_px:
            assert not boxes_overlap((a.x0, a.y0, a.x1, a.y1), m), t


def test_village_labels_are_deterministic(przewodow):
    _, detail = przewodow
    seen = []
    real = panel.detail_inset
    mp = pytest.MonkeyPatch()
    mp.setattr(panel, "detail_inset", lambda *a, **k: seen.append(real(*a, **k)) or seen[-1])
    try:
        build_figure(build_scene(SceneRequest()), "slide", generated_at=WHEN)
    finally:
        mp.undo()
    again = [(lab.text, tuple(np.round(lab.bbox_px, 6))) for lab in seen[0].labels]
    assert again == [(lab.text, tuple(np.round(lab.bbox_px, 6))) for lab in detail.labels]
