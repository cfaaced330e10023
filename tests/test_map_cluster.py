"""The map's marker clustering and timeline periods, run in node from their sources.

``frontend/src/cluster.js`` (screen-space clustering per integer zoom) and
``frontend/src/timeline-play.js`` (week and month periods) are pure modules; each
test imports them with ``node --input-type=module`` and checks what they return as
JSON.  Distances are checked against our own Web Mercator pixels (512-px world at
zoom 0), not the module's.  Without ``node`` the tests skip, except in CI
(``CI=true``), where they fail.
"""
from __future__ import annotations

import json
import math
from datetime import date, timedelta

import pytest

from conftest import ROOT, node_json

SRC = ROOT / "frontend" / "src"


def run_node(script: str) -> object:
    """The JSON a node ES-module script prints (it imports ``cluster`` and ``timeline``)."""
    head = (f"import * as cluster from {json.dumps((SRC / 'cluster.js').as_uri())};\n"
            f"import * as timeline from {json.dumps((SRC / 'timeline-play.js').as_uri())};\n")
    return node_json(head + script, "frontend/src/cluster.js and timeline-play.js")


def world_px(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Web Mercator world pixels of (lon, lat) at ``zoom`` (512-px world at zoom 0)."""
    scale = 512 * 2 ** zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lon + 180) / 360 * scale, (1 - y / math.pi) / 2 * scale


def cluster(points: list[dict], zoom: float, **options) -> dict:
    return run_node(f"console.log(JSON.stringify(cluster.clusterPoints("
                    f"{json.dumps(points)}, {zoom}, {json.dumps(options)})));")


# The shipped catalogue's positions (two pairs share one spot) and a scatter.
CATALOGUE = [(15.95, 45.784), (27.583, 48.467), (23.934, 50.471), (26.843, 48.372),
             (26.843, 48.372), (28.804, 45.329), (28.917, 45.15), (28.583, 43.483),
             (28.783, 45.283), (28.217, 45.4), (27.071, 56.757), (25.722, 54.611),
             (24.363, 55.01), (20.039, 51.37), (20.576, 51.618), (21.676, 50.796),
             (22.786, 51.756), (23.0, 51.563), (21.139, 54.17), (28.217, 45.4),
             (27.49, 46.429), (28.05, 45.437)]


@pytest.mark.parametrize("zoom", [3, 4, 5, 5.9, 7, 9, 11, 12, 14])
def test_counts_add_up_and_every_incident_is_in_one_cluster(zoom):
    pts = [{"lon": lon, "lat": lat} for lon, lat in CATALOGUE]
    out = cluster(pts, zoom)
    members = [i for c in out["clusters"] for i in c["members"]] + out["singles"]
    assert sorted(members) == list(range(len(pts)))
    assert all(c["count"] == len(c["members"]) >= 2 for c in out["clusters"])
    assert out["zoom"] == math.floor(zoom)
    if zoom >= 12:  # the last clustered zoom is 11
        assert out["clusters"] == []
    else:  # the two pairs at one spot are always together
        together = [sorted(c["members"]) for c in out["clusters"]]
        assert any({3, 4} <= set(m) for m in together) and any({9, 19} <= set(m) for m in together)


def test_within_the_radius_merge_and_far_ones_do_not():
    z = 6
    x0, y0 = world_px(24.0, 50.0, z)
    scale = 512 * 2 ** z

    def at(dx: float, dy: float) -> dict:  # the point dx, dy world px from (24, 50)
        lon = (x0 + dx) / scale * 360 - 180
        lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y0 + dy) / scale))))
        return {"lon": lon, "lat": lat}

    near = cluster([at(0, 0), at(29, 0)], z)
    assert [c["members"] for c in near["clusters"]] == [[0, 1]] and near["singles"] == []
    far = cluster([at(0, 0), at(31, 0)], z)
    assert far["clusters"] == [] and far["singles"] == [0, 1]
    diag = cluster([at(0, 0), at(20, 20)], z)  # 28.3 px apart
    assert diag["singles"] == []
    # The same pair one zoom out is 15 px apart: one cluster; a radius of 10 px parts them.
    assert cluster([at(0, 0), at(31, 0)], z - 1)["singles"] == []
    assert cluster([at(0, 0), at(31, 0)], z - 1, radiusPx=10)["clusters"] == []
    # A cluster sits at its members' mean on screen.
    [c] = near["clusters"]
    assert world_px(c["lon"], c["lat"], z) == pytest.approx((x0 + 14.5, y0), abs=1e-6)


def test_a_compact_group_is_one_cluster_and_splits_when_zoomed_in():
    """The 10 September 2025 sites as one group: one cluster with their count at low
    zoom, however far apart on screen they are within 240 px; apart once zoomed in."""
    sites = CATALOGUE[13:18]  # Mniszków ... Wyryki
    pts = [{"lon": lon, "lat": lat, "group": "2025-09-10 incursion"} for lon, lat in sites]
    pts.append({"lon": 21.139, "lat": 54.17, "group": None})  # Korsze: no group, far north
    low = cluster(pts, 5)
    assert [(c["count"], c["group"]) for c in low["clusters"]] == [(5, "2025-09-10 incursion")]
    assert low["singles"] == [5]
    xs = [world_px(lon, lat, 5)[0] for lon, lat in sites]
    assert 30 < max(xs) - min(xs) <= 240  # wider than the radius: merged as a group
    high = cluster(pts, 7)
    assert all(c["group"] in (None, "2025-09-10 incursion") for c in high["clusters"])
    assert len(high["singles"]) + len(high["clusters"]) > 2
    n = run_node(f"const p = {json.dumps(pts)};"
                 "console.log(JSON.stringify([cluster.expansionZoom(p, [0, 1, 2, 3, 4], 5),"
                 " cluster.overlapAtMaxZoom(p, [0, 1]),"
                 " cluster.membersBounds(p, [0, 4])]));")
    assert n[0] == 6 and n[1] is False
    # An expanded group (as after a click on it) is not merged as one: its sites
    # cluster by distance alone.
    apart = cluster(pts, 5, ungrouped=["2025-09-10 incursion"])
    assert all(c["count"] < 5 for c in apart["clusters"])
    assert sum(c["count"] for c in apart["clusters"]) + len(apart["singles"]) == 6
    assert n[2] == [20.039, 51.37, 23.0, 51.563]  # Mniszków and Wyryki


def test_one_spot_overlaps_at_max_zoom_and_bad_positions_are_left_out():
    pts = [{"lon": 26.843, "lat": 48.372}, {"lon": 26.843, "lat": 48.372},
           {"lon": None, "lat": 48.0}, {"lon": 26.8431, "lat": 48.3721}]
    out = run_node(f"const p = {json.dumps(pts)};"
                   "console.log(JSON.stringify([cluster.overlapAtMaxZoom(p, [0, 1, 3]),"
                   " cluster.expansionZoom(p, [0, 1, 3], 5), cluster.clusterPoints(p, 8)]));")
    assert out[0] is True and out[1] == 12
    assert out[2]["clusters"][0]["members"] == [0, 1, 3] and out[2]["singles"] == []


def test_many_points_cluster_fast_and_add_up():
    out = run_node("""
      const pts = [];
      let s = 7;
      const rnd = () => { s = (s * 16807) % 2147483647; return s / 2147483647; };
      for (let i = 0; i < 20000; i++) pts.push({lon: 14 + 16 * rnd(), lat: 44 + 12 * rnd()});
      const t0 = Date.now();
      const r = cluster.clusterPoints(pts, 6);
      const ms = Date.now() - t0;
      const n = r.singles.length + r.clusters.reduce((a, c) => a + c.count, 0);
      console.log(JSON.stringify({n, ms, clusters: r.clusters.length}));""")
    assert out["n"] == 20000 and out["clusters"] > 10
    assert out["ms"] < 3000


# ------------------------------------------------------------------ periods
@pytest.mark.parametrize("step", ["week", "month"])
def test_periods_cover_every_date_once(step):
    dates = ["2022-03-10", "2022-11-15", "2023-01-01", "2024-02-29", "2024-12-30",
             "2025-09-10", "2025-09-10", "2026-01-04", "2026-05-29", "not a date", "2023-02-30"]
    periods = run_node(f"console.log(JSON.stringify(timeline.periodsFor({json.dumps(dates)},"
                       f" {json.dumps(step)})));")
    first, last = date(2022, 3, 10), date(2026, 5, 29)
    starts = [date.fromisoformat(p["start"]) for p in periods]
    ends = [date.fromisoformat(p["end"]) for p in periods]
    assert starts[0] <= first <= ends[0] and starts[-1] <= last <= ends[-1]
    for e, s in zip(ends, starts[1:]):  # contiguous: no gap, no overlap
        assert s == e + timedelta(days=1)
    assert len({p["key"] for p in periods}) == len(periods)
    day = starts[0]
    while day <= ends[-1]:  # every day in exactly one period
        assert sum(s <= day <= e for s, e in zip(starts, ends)) == 1
        day += timedelta(days=1)
    if step == "month":
        assert all(s.day == 1 for s in starts) and periods[0]["key"] == "2022-03"
        assert len(periods) == 51 and "2025-09" in [p["label"] for p in periods]
    else:
        assert all(s.weekday() == 0 and (e - s).days == 6 for s, e in zip(starts, ends))
        for p, s in zip(periods, starts):
            year, week, _ = (s + timedelta(days=3)).isocalendar()
            assert p["key"] == f"{year}-W{week:02d}"


def test_period_of_a_date_and_its_index():
    out = run_node("""
      const w = timeline.periodOf('2025-09-10', 'week');
      const m = timeline.periodOf('2024-02-10', 'month');
      const ps = timeline.periodsFor(['2025-08-30', '2025-10-02'], 'month');
      console.log(JSON.stringify([w, m, timeline.periodOf('2021-01-03', 'week').key,
        timeline.periodIndex(ps, '2025-09-30'), timeline.periodIndex(ps, '2025-11-01'),
        timeline.periodOf('', 'month'), timeline.periodsFor([], 'week')]));""")
    w, m, wk, i, j, none, empty = out
    assert w == {"key": "2025-W37", "label": "2025-W37 (09-08 – 09-14)", "start": "2025-09-08",
                 "end": "2025-09-14"}
    assert m == {"key": "2024-02", "label": "2024-02", "start": "2024-02-01", "end": "2024-02-29"}
    assert wk == "2020-W53" and i == 1 and j == -1 and none is None and empty == []
