"""A track's figures, checked against independent computations.

Length: the sum of pyproj ``Geod.inv`` over its vertices.  Inside: the track
sampled every ~20 m along its geodesics with ``Geod.npts`` and each sample
tested against the country polygon (brute force).  Closest approach to the
NATO border: the smallest ``Geod.inv`` distance from those samples to the
border's vertices densified to ~100 m (brute force, both sides sampled finely
enough that the tolerance below covers the sampling).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import LineString

from dashboard.analysis.incident_table import incident_table
from dashboard.analysis.track_figures import track_figures
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer

#: A track across the Estonian territorial sea near Vaindloo and back out (lon, lat).
TRACK = LineString([(26.75, 59.95), (26.36, 59.80), (25.95, 59.93)])


def _samples(line: LineString, step_m: float) -> np.ndarray:
    pts = []
    xy = list(line.coords)
    for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
        d = GEOD.inv(x0, y0, x1, y1)[2]
        n = max(int(d // step_m), 1)
        pts.append((x0, y0))
        pts += GEOD.npts(x0, y0, x1, y1, n - 1) if n > 1 else []
    pts.append(xy[-1])
    return np.asarray(pts)


def _length_m(line: LineString) -> float:
    xy = np.asarray(line.coords)
    return float(sum(GEOD.inv(a[0], a[1], b[0], b[1])[2] for a, b in zip(xy[:-1], xy[1:])))


def test_length_and_inside_match_brute_force():
    f = track_figures(TRACK, "EE")
    assert f.length_km == pytest.approx(_length_m(TRACK) / 1000, abs=1e-6)
    countries = load_layer("countries")
    ee = shapely.union_all(countries[countries["iso_a2"] == "EE"].geometry.values)
    pts = _samples(TRACK, 20.0)
    inside = shapely.contains_xy(ee, pts[:, 0], pts[:, 1])
    seg_m = np.array([GEOD.inv(a[0], a[1], b[0], b[1])[2] for a, b in zip(pts[:-1], pts[1:])])
    brute_km = float(seg_m[inside[:-1] & inside[1:]].sum()) / 1000
    assert 0 < f.inside_km < f.length_km
    assert f.inside_km == pytest.approx(brute_km, abs=0.1)  # 20 m samples, a few crossings


def test_a_track_outside_the_country_has_nothing_inside():
    f = track_figures(LineString([(20.0, 44.0), (20.5, 44.2)]), "EE")
    assert f.inside_km == 0.0 and f.length_km > 40


def test_the_table_gives_a_tracks_closest_approach(monkeypatch):
    from dashboard.analysis import incident_table as it

    row = {"id": "2025-09-19-test-track", "date": "2025-09-19", "time_utc": None,
           "place": "Gulf of Finland", "country": "EE", "object_type": "aircraft",
           "munition": "", "killed": 0, "injured": 0, "attributed_to": "russian",
           "attribution": "", "sources": [], "position_kind": "estimate",
           "position_method": "test", "precision_m": 5000.0, "status": "confirmed",
           "group": None, "notes": "", "version": 1, "kind": "track", "lon": None,
           "lat": None, "track": TRACK}
    monkeypatch.setattr(it, "incident_records", lambda: [row])
    monkeypatch.setattr(it, "_data_token", lambda: ("test-track",))
    t = incident_table()
    got = t.iloc[0]
    border = nato_border_on(date(2025, 9, 19), load_layer("nato_border"))
    verts = []
    for g in border.geometry.values:
        for part in getattr(g, "geoms", [g]):
            verts.append(_samples(part, 100.0))
    bv = np.concatenate(verts)
    near = bv[(np.abs(bv[:, 0] - 27.5) < 3) & (np.abs(bv[:, 1] - 59.0) < 2)]
    pts = _samples(TRACK, 100.0)
    d = min(float(np.min(GEOD.inv(np.full(len(near), x), np.full(len(near), y),
                                  near[:, 0], near[:, 1])[2])) for x, y in pts) / 1000
    assert got["kind"] == "track" and got["nato_segment"] in ("EE-RU", "FI-RU")
    assert float(got["nato_border_km"]) == pytest.approx(d, abs=0.15)
    assert float(got["track_km"]) == pytest.approx(_length_m(TRACK) / 1000, abs=1e-6)
    assert 0 < float(got["inside_km"]) < float(got["track_km"])
