"""Air-defence cover (dashboard.analysis.gbad) against independent computations: Monte Carlo
by area on the ellipsoid for the zone share, the border densified to 50 m with Geod.inv for
the border km; bad input one line each; base codes read through one function."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from geo_reference import GEOD
from reach_reference import area_samples, min_distance_km
from shapely.geometry import box

from dashboard.analysis import air_bases
from dashboard.analysis.gbad import gbad_cover
from dashboard.analysis.zones import preset_zone
from dashboard.geo.errors import InputError
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer

#: A Patriot at Rzeszów-Jasionka and a SAMP/T near Suceava (Romania).
LAUNCHERS = [(22.0190, 50.1100, 160.0), (26.25, 47.69, 100.0)]


@pytest.fixture(scope="module")
def border():
    return nato_border_on(date(2026, 12, 1), load_layer("nato_border"))


@pytest.fixture(scope="module")
def cover(border):
    return gbad_cover(preset_zone("ua-border-oblasts"), LAUNCHERS, border)


def test_zone_share_against_monte_carlo(cover):
    x, y, w = area_samples(preset_zone("ua-border-oblasts"), cell_deg=0.02, seed=7)
    g = min_distance_km(x, y, [l[:2] for l in LAUNCHERS], [l[2] for l in LAUNCHERS])
    mc = float(w[g <= 0].sum() / w.sum())
    assert 0.05 < cover.zone_share < 0.8
    assert cover.zone_share == pytest.approx(mc, abs=0.002)


def _border_reference(line, step_km=0.05):
    """Covered and total km of a line: its geodesics sampled every 50 m (Geod.npts), each
    step counted by how many of its two ends lie inside a disc (Geod.inv)."""
    covered = total = 0.0
    for part in getattr(line, "geoms", [line]):
        xy = np.asarray(part.coords)[:, :2]
        pts = [tuple(xy[0])]
        for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:]):
            n = int(GEOD.inv(x1, y1, x2, y2)[2] / 1000.0 / step_km)
            pts.extend(GEOD.npts(x1, y1, x2, y2, n) if n else [])
            pts.append((x2, y2))
        p = np.asarray(pts)
        inside = min_distance_km(p[:, 0], p[:, 1], [l[:2] for l in LAUNCHERS],
                                 [l[2] for l in LAUNCHERS]) <= 0
        step = GEOD.inv(p[:-1, 0], p[:-1, 1], p[1:, 0], p[1:, 1])[2] / 1000.0
        covered += float((step * (inside[:-1].astype(float) + inside[1:]) / 2).sum())
        total += float(step.sum())
    return covered, total


def test_border_km_against_the_border_densified_to_50_m(cover, border):
    assert {"PL-UA", "RO-UA"} <= set(cover.border_km)
    for sid, line in zip(border["id"], border.geometry):
        ref, total = _border_reference(line)
        got = cover.border_km.get(sid, 0.0)
        assert got == pytest.approx(ref, abs=0.1), sid
        if ref > 0:
            assert cover.border_share[sid] == pytest.approx(ref / total, abs=1e-3), sid


def test_discs_for_the_map(cover):
    assert list(cover.discs["range_km"]) == [160.0, 100.0]
    d = cover.to_dict()
    assert list(d)[:2] == ["zone_share", "border_km"]


@pytest.mark.parametrize("launchers, words", [
    ([(23.93, 50.47, 0.0)], "more than 0 km"),
    ([(23.93, 50.47, 9000.0)], "too large"),
    ([(50.47, 23.93, 100.0)], "did you mean 50.47000, 23.93000"),
    ([(60.0, 55.0, 100.0)], "outside the data's coverage"),
    ([], "at least one"),
    ([(23.93, 50.47)], "(lon, lat, range km)"),
])
def test_bad_launchers_one_line(border, launchers, words):
    with pytest.raises(InputError) as exc:
        gbad_cover(box(23.0, 50.0, 24.0, 51.0), launchers, border)
    assert words in str(exc.value) and "\n" not in str(exc.value)


def test_unknown_base_code_names_the_nearest(monkeypatch):
    table = pd.DataFrame({"code": ["EPLK", "EPRZ", "LZSL"], "name": ["Łask", "Rzeszów", "Sliač"],
                          "country": ["PL", "PL", "SK"], "lon": [19.18, 22.02, 19.14],
                          "lat": [51.55, 50.11, 48.64]})
    monkeypatch.setattr(air_bases, "air_base_table", lambda: table)
    assert air_bases.base_positions(["eprz", "LZSL"]) == [("EPRZ", 22.02, 50.11),
                                                          ("LZSL", 19.14, 48.64)]
    with pytest.raises(InputError) as exc:
        air_bases.base_positions(["EPRX"])
    assert "unknown air base code 'EPRX'; nearest known codes: EPRZ" in str(exc.value)
    assert "\n" not in str(exc.value)
    with pytest.raises(InputError, match="at least one"):
        air_bases.base_positions([" "])
