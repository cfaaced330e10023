"""Would a zone have stopped it? (issue 21 item 4), checked against independent computations.

The reference Monte Carlo here uses its own sampler (latitudes by the inverse of the
cumulative geodesic area of thin strips, ``Geod.polygon_area_perimeter``), its own seed,
paths from ``Geod.npts`` every ~1 km, the committed country and zone polygons with their
edges densified by ``Geod.npts`` here, and shapely point tests: nothing goes through
``dashboard.geo`` or the module's sampler.
"""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import Point, Polygon, shape

from conftest import PRZEWODOW_ID, geodata_features
from dashboard.analysis.effectiveness import (
    ASSUMPTION,
    EffectivenessRow,
    OriginHypothesis,
    default_hypotheses,
    effectiveness,
    effectiveness_summary,
    hypothesis_for,
    hypothesis_rule,
    preset_for,
    skipped_hypotheses,
)
from dashboard.analysis.incident_catalogue import incident_rows
from dashboard.geo.errors import InputError

CZESNIKI = "2025-09-10-czesniki"


def npts_densified(geom, step_m: float = 1000.0):
    """``geom`` (polygonal) with Geod.npts points every ``step_m`` along its edges."""
    def ring(xy):
        out = []
        for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:]):
            out.append((x1, y1))
            k = int(GEOD.inv(x1, y1, x2, y2)[2] / step_m)
            if k:
                out.extend(GEOD.npts(x1, y1, x2, y2, k))
        out.append(tuple(xy[-1]))
        return out
    parts = [shapely.Polygon(ring(np.asarray(p.exterior.coords)), [ring(np.asarray(h.coords)) for h in p.interiors])
             for p in shapely.get_parts(geom)]
    out = shapely.union_all([p if p.is_valid else shapely.make_valid(p) for p in parts])
    return out


def uniform_on_ellipsoid(area, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform by geodesic area inside ``area``: latitude by the inverse of the
    strips' cumulative area, longitude uniform, points outside rejected."""
    x0, y0, x1, y1 = area.bounds
    edges = np.linspace(y0, y1, 2001)
    strip = np.array([abs(GEOD.polygon_area_perimeter([0, 1, 1, 0], [a, a, b, b])[0])
                      for a, b in zip(edges[:-1], edges[1:])])
    cum = np.r_[0, np.cumsum(strip)]
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    while sum(map(len, xs)) < n:
        lat = np.interp(rng.uniform(0, cum[-1], 20000), cum, edges)
        lon = rng.uniform(x0, x1, 20000)
        ok = shapely.contains_xy(area, lon, lat)
        xs.append(lon[ok])
        ys.append(lat[ok])
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def reference_km_inside(lon, lat, impact, zone, nato) -> np.ndarray:
    """Km inside ``zone`` of each Geod.npts path before its first point in ``nato``."""
    out = np.zeros(len(lon))
    for i, (x, y) in enumerate(zip(lon, lat)):
        length = GEOD.inv(x, y, *impact)[2]
        k = max(int(length / 1000.0), 1)
        pts = np.array([(x, y), *GEOD.npts(x, y, impact[0], impact[1], k), impact])
        mid_nato = shapely.contains_xy(nato, pts[:, 0], pts[:, 1])
        stop = int(np.argmax(mid_nato)) if mid_nato.any() else len(pts)
        if stop < 1:
            continue
        line = shapely.LineString(pts[: stop + 1]) if stop < len(pts) else shapely.LineString(pts)
        inside = line.intersection(zone)
        out[i] = sum(GEOD.geometry_length(g) for g in shapely.get_parts(inside)
                     if g.geom_type == "LineString") / 1000.0
    return out


@pytest.fixture(scope="module")
def countries():
    return {f["properties"]["iso_a2"]: f for f in geodata_features("countries")}


def nato_on(countries, day: str):
    return shapely.union_all([npts_densified(shape(f["geometry"])) for f in countries.values()
                              if f["properties"].get("nato_member_since")
                              and f["properties"]["nato_member_since"] <= day])


@pytest.fixture(scope="module")
def border_oblasts():
    (f,) = [f for f in geodata_features("zones") if f["properties"]["id"] == "ua-border-oblasts"]
    return shape(f["geometry"])


@pytest.fixture(scope="module")
def hypotheses():
    return {h.incident_id: h for h in default_hypotheses(incident_rows())}


# ---------------------------------------------------------------------- the rule
def test_default_hypotheses_follow_the_stated_rule(hypotheses):
    rows = incident_rows()
    prz = hypotheses[PRZEWODOW_ID]
    assert prz.label == "S-300 5V55-series surface-to-air missile 75–90 km from UA"
    assert hypotheses[CZESNIKI].label == "Gerbera decoy drone 0–600 km from BY, RU"
    assert hypotheses[CZESNIKI].date == "2025-09-10"
    assert preset_for("fragments of a Geran (Shahed-type) drone").id == "shahed-136"
    assert preset_for("Kh-55 cruise missile without a warhead") is None
    skipped = dict(skipped_hypotheses(rows))
    assert set(skipped) | set(hypotheses) == {r["id"] for r in rows}
    assert not set(skipped) & set(hypotheses)
    assert skipped["2022-12-16-zamosc"].startswith("no position")
    assert skipped["2022-03-10-zagreb"].startswith("no munition preset for 'Tu-141")
    # a Gerbera with no stated attribution: Russia's munition, so Russia and Belarus
    gerbera = next(r for r in rows if r["attributed_to"] == "not stated" and "Gerbera" in r["munition"]
                   and r["lon"] is not None)
    assert hypothesis_rule(gerbera)[1] == ("BY", "RU")
    # a Tochka-U is fired by both sides: no launch country without an attribution
    assert "fired by both sides" in hypothesis_rule({"id": "x", "lon": 24, "lat": 50, "munition": "Tochka-U",
                                                     "attributed_to": "not stated"})
    # the launch area lies in the launch countries and the range
    for h in hypotheses.values():
        ring = shapely.buffer(h.launch_area, 0)
        assert not ring.is_empty


# ---------------------------------------------------------------------- one share by Monte Carlo
def test_one_share_against_an_independent_monte_carlo(hypotheses, border_oblasts, countries):
    h = hypotheses[CZESNIKI]
    n1, n2 = 1000, 1500
    (row,) = effectiveness(border_oblasts, [h], n_paths=n1)
    lon, lat = uniform_on_ellipsoid(h.launch_area, n2, seed=777)
    km = reference_km_inside(lon, lat, h.impact, npts_densified(border_oblasts),
                             nato_on(countries, "2025-09-10"))
    p_ref = float((km > 0).mean())
    p = row.paths_crossing_share
    # two independent binomial estimates of one share: 4 standard errors of their difference,
    # plus the paths whose few km inside may be missed by the 2 km steps' midpoints
    se = np.sqrt(max(p_ref * (1 - p_ref), 0.01) * (1 / n1 + 1 / n2))
    grazing = float(((km > 0) & (km < 2.0)).mean())
    assert abs(p - p_ref) <= 4 * se + grazing, (p, p_ref, se, grazing)
    assert 0.5 < p < 1.0  # Gerbera paths from Belarus often pass Volyn on their way
    # the median km inside over crossing paths: the 2 km steps add at most 2 km per crossing;
    # two medians of n1 and n2 draws differ by sampling as well (10 %)
    assert row.km_inside == pytest.approx(float(np.median(km[km > 0])), rel=0.1, abs=4.0)
    assert row.n_paths == n1 and len(row.path_km) == n1 and row.impact_inside is False


# ---------------------------------------------------------------------- exact cases
def test_km_inside_of_one_path_and_the_nato_cut(countries):
    """A launch area 1 km across, a zone band across the path: km inside within a step of
    the geodesic length of the path inside the zone; a path in NATO before it counts nothing."""
    launch = Point(30.0, 53.0).buffer(0.005)               # in Belarus
    impact = (22.5, 52.0)                                  # in Poland
    band = Polygon([(26.0, 50.0), (27.0, 50.0), (27.0, 56.0), (26.0, 56.0)])  # across Belarus
    h = OriginHypothesis("t", impact, launch, "test", "2025-01-01")
    (row,) = effectiveness(band, [h], n_paths=50)
    want = reference_km_inside(np.array([30.0]), np.array([53.0]), impact, npts_densified(band),
                               nato_on(countries, "2025-01-01"))[0]
    assert 60 < want < 80 and row.paths_crossing_share == 1.0
    assert row.km_inside == pytest.approx(want, abs=2.0 * 2 + 1.0)  # 2 km steps, a 1 km launch area
    # the same band moved into Poland, past the NATO border: nothing counts
    inside_pl = Polygon([(22.7, 50.0), (23.2, 50.0), (23.2, 54.0), (22.7, 54.0)])
    (row,) = effectiveness(inside_pl, [h], n_paths=20)
    assert row.paths_crossing_share == 0.0 and row.km_inside is None


def test_nato_is_the_members_of_the_incidents_date():
    """Finland joined on 2023-04-04: a path from Russia over Finland to an impact in Sweden
    counts its km over a zone in Finland before that day, and none from that day on."""
    launch = Point(33.0, 63.0).buffer(0.005)
    impact = (17.0, 63.5)
    zone = Polygon([(26.0, 60.0), (27.0, 60.0), (27.0, 67.0), (26.0, 67.0)])
    before = OriginHypothesis("a", impact, launch, "t", "2023-04-03")
    after = OriginHypothesis("b", impact, launch, "t", "2023-04-04")
    (r1, r2) = effectiveness(zone, [before, after], n_paths=10)
    assert r1.paths_crossing_share == 1.0 and r1.km_inside > 40
    assert r2.paths_crossing_share == 0.0


def test_impact_inside_against_shapely_on_the_densified_zone(border_oblasts):
    dense = npts_densified(border_oblasts)
    lviv, lublin, edge = (24.03, 49.84), (22.57, 51.25), None
    # a point a few hundred metres inside the zone's long straight edge (if any) is the hard case
    xy = np.asarray(max(shapely.get_parts(border_oblasts), key=lambda p: p.area).exterior.coords)
    d = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2]
    i = int(np.argmax(d))
    edge = GEOD.npts(xy[i, 0], xy[i, 1], xy[i + 1, 0], xy[i + 1, 1], 1)[0]
    launch = Point(30.0, 53.0).buffer(0.005)
    hyps = [OriginHypothesis(str(k), p, launch, "t", "2025-01-01") for k, p in
            enumerate((lviv, lublin, edge))]
    rows = effectiveness(border_oblasts, hyps, n_paths=5)
    for h, r in zip(hyps, rows):
        assert r.impact_inside == dense.contains(Point(h.impact)), h.impact
    assert rows[0].impact_inside and not rows[1].impact_inside


# ---------------------------------------------------------------------- summary, errors, shapes
def test_summary_counts_paths_of_at_least_min_km():
    rows = [EffectivenessRow("a", 1.0, 80.0, False, 4, path_km=(80.0, 60.0, 55.0, 0.0)),
            EffectivenessRow("b", 0.5, 40.0, False, 4, path_km=(60.0, 40.0, 0.0, 0.0)),
            EffectivenessRow("c", 0.0, None, True, 4, path_km=(0.0,) * 4)]
    assert effectiveness_summary(rows) == \
        "1 of 3 incidents: at least half the plausible paths cross the zone for ≥ 50 km"
    assert effectiveness_summary(rows, min_share=0.25, min_km=60).startswith("2 of 3 incidents: at least 25% of")
    assert effectiveness_summary([]) == "no incident has an origin hypothesis"
    assert rows[2].as_dict() == {"id": "c", "paths_crossing_share": 0.0, "km_inside": None,
                                 "impact_inside": True}
    assert list(rows[0].as_dict()) == ["id", "paths_crossing_share", "km_inside", "impact_inside"]
    assert "geodesic" in ASSUMPTION and "route around air defence" in ASSUMPTION


def test_bad_input_is_one_line(hypotheses):
    h = hypotheses[PRZEWODOW_ID]
    for call, message in [
        (lambda: effectiveness(Polygon(), [h]), "the zone is empty"),
        (lambda: effectiveness(Point(24, 50).buffer(1), [h], n_paths=0), "at least one flight path"),
        (lambda: effectiveness(Point(24, 50).buffer(1), [OriginHypothesis("x", (24, 50), Polygon(), "t")]),
         "the launch area is empty"),
    ]:
        with pytest.raises(InputError) as exc:
            call()
        assert str(exc.value).startswith(message) and "\n" not in str(exc.value)


def test_same_hypothesis_same_figures_whatever_the_order(hypotheses, border_oblasts):
    hs = [hypotheses[PRZEWODOW_ID], hypotheses[CZESNIKI]]
    a = effectiveness(border_oblasts, hs, n_paths=60)
    b = effectiveness(border_oblasts, hs[::-1], n_paths=60)
    assert a == b[::-1] and a[0].paths_crossing_share == 1.0  # the 5V55 fired inside Ukraine


def test_another_zone_is_measured_on_the_same_steps_and_a_moved_area_on_new_ones(hypotheses, border_oblasts):
    """A hypothesis' flight steps do not depend on the zone: a second zone reuses them (no
    new sampling or walking) and gets the km of paths walked afresh; the same incident with
    another launch area gets steps of its own."""
    from dataclasses import replace

    import shapely.affinity

    from dashboard.analysis import effectiveness as eff
    from dashboard.geo.cache import clear_all

    def fresh_km(h, zone, n):
        lon, lat = eff.sample_launch_points(h.launch_area, n, eff._seed(h.incident_id, eff.SEED))
        nato = eff.nato_territory(eff.nato_members(h.date))
        km = eff.path_km_inside(lon, lat, h.impact, eff._prepared_zone(zone), nato)
        walked = one_pass_km(lon, lat, h.impact, eff._prepared_zone(zone), nato)
        assert km == pytest.approx(walked, rel=1e-9, abs=1e-9)
        return tuple(km)

    clear_all()
    h = hypotheses[PRZEWODOW_ID]
    other = Polygon([(22.0, 49.0), (25.0, 49.0), (25.0, 51.5), (22.0, 51.5)])
    (first,) = effectiveness(border_oblasts, [h], n_paths=80)
    walked = eff.hypothesis_steps.cache_info().misses
    (second,) = effectiveness(other, [h], n_paths=80)
    assert eff.hypothesis_steps.cache_info().misses == walked
    assert first.path_km == fresh_km(h, border_oblasts, 80)
    assert second.path_km == fresh_km(h, other, 80) != first.path_km
    smaller = replace(h, launch_area=shapely.affinity.scale(h.launch_area, 0.5, 0.5))
    (third,) = effectiveness(other, [smaller], n_paths=80)
    assert eff.hypothesis_steps.cache_info().misses == walked + 1
    assert third.path_km == fresh_km(smaller, other, 80) != second.path_km
    assert eff.hypothesis_steps(h, 80) is eff.hypothesis_steps(h, 80, eff.SEED)  # seed by default


def test_paths_with_no_step_before_nato_fly_zero_km():
    """Every path's first step in NATO territory: no step counts, every path 0.0 km (floats)."""
    from dashboard.analysis.effectiveness import FlightSteps, km_inside

    none = FlightSteps(2, np.empty(0, np.int32), np.array([1.5, 2.0]), np.empty(0), np.empty(0))
    km = km_inside(none, Polygon([(21.0, 48.0), (27.0, 48.0), (27.0, 53.0)]))
    assert km.dtype == np.float64 and km.tolist() == [0.0, 0.0]


def one_pass_km(lon, lat, impact, zone, nato) -> np.ndarray:
    """Km inside ``zone`` of each path, walked path by path with ``pyproj.Geod`` (steps of at
    most PATH_STEP_KM counted by their midpoints, up to the path's first step in ``nato``)."""
    from dashboard.analysis.effectiveness import PATH_STEP_KM

    out = np.zeros(len(lon))
    for p, (x, y) in enumerate(zip(lon, lat)):
        az, _, m = GEOD.inv(x, y, *impact)
        k = max(int(np.ceil(m / 1000.0 / PATH_STEP_KM)), 1)
        mx, my, _ = GEOD.fwd(np.full(k, x), np.full(k, y), np.full(k, az), (np.arange(k) + 0.5) * m / k)
        in_nato = np.zeros(k, dtype=bool)
        for g in nato:
            in_nato |= shapely.contains_xy(g, mx, my)
        stop = int(np.argmax(in_nato)) if in_nato.any() else k
        out[p] = m / 1000.0 / k * shapely.contains_xy(zone, mx[:stop], my[:stop]).sum()
    return out


# ---------------------------------------------------------------------- app
def test_app_section_shows_the_summary_the_table_and_the_assumption(border_oblasts):
    from test_incident_page import open_page

    from conftest import run_app

    at = open_page(run_app(eff_zone="ua-border-oblasts"))
    want = effectiveness_summary(effectiveness(border_oblasts, default_hypotheses(incident_rows())))
    shown = [m.value.replace("\\", "") for m in at.markdown]
    assert any(want in m for m in shown), want
    assert any(ASSUMPTION in c.value for c in at.caption)
    table = next(d.value for d in at.dataframe if "paths crossing (%)" in d.value.columns)
    assert PRZEWODOW_ID in set(table["incident"])


def test_an_edited_incident_recomputes_only_its_own_hypothesis(monkeypatch):
    """The page's hypotheses are kept per row content: a new catalogue token with one row
    moved recomputes that row only, and every figure is the uncached computation's."""
    from dashboard.geo.cache import clear_all
    from dashboard.state import effectiveness as state_eff

    rows = [r for r in incident_rows() if isinstance(hypothesis_for(r), OriginHypothesis)][:5]
    ids = [str(r["id"]) for r in rows]
    calls: list[str] = []

    def counted(row):
        calls.append(str(row["id"]))
        return hypothesis_for(row)

    clear_all()
    monkeypatch.setattr(state_eff, "hypothesis_for", counted)
    monkeypatch.setattr(state_eff, "incident_rows", lambda: current)
    zone = Polygon([(21.0, 48.0), (27.0, 48.0), (27.0, 53.0), (21.0, 53.0)])
    current, token = rows, "t1"
    monkeypatch.setattr(state_eff, "catalogue_token", lambda: token)
    got, _ = state_eff.effectiveness_result(zone, ids)
    assert sorted(calls) == sorted(ids)
    assert got == tuple(effectiveness(zone, default_hypotheses(rows)))

    moved = dict(rows[2], lon=float(rows[2]["lon"]) + 0.05)
    current, token, calls[:] = [*rows[:2], moved, *rows[3:]], "t2", []
    got, _ = state_eff.effectiveness_result(zone, ids)
    assert calls == [ids[2]]  # the others came from the cache
    assert got == tuple(effectiveness(zone, default_hypotheses(current)))
    assert got != tuple(effectiveness(zone, default_hypotheses(rows)))
