"""A point outside the built-in layers' coverage is said to be, not measured to the clip edge.

The countries are clipped to 4–45° E, 40–72° N (``dashboard.data.coverage``): from
Madrid the "nearest Ukraine" would be a point of the clip edge.  The report says so
and leaves the neighbour legs out; the NATO-border leg (the border lies wholly inside)
is still measured, and matches pyproj.Geod against the border's vertices.
"""
from __future__ import annotations

import numpy as np
from geo_reference import GEOD

from dashboard.analysis.report import point_report
from dashboard.io.layers_io import load_layer

MADRID = (-3.70379, 40.41678)
PRZEWODOW = (23.93432, 50.47099)


def test_outside_the_coverage_the_report_says_so_and_measures_no_neighbour():
    r = point_report(*MADRID)
    assert r.outside_coverage and "outside the data's coverage" in r.outside_coverage
    assert {leg.target for leg in r.legs} == {"NATO border"}
    border = load_layer("nato_border")
    xy = np.concatenate([np.asarray(g.coords) for geom in border.geometry
                         for g in getattr(geom, "geoms", [geom])])
    _, _, d = GEOD.inv(np.full(len(xy), MADRID[0]), np.full(len(xy), MADRID[1]),
                       xy[:, 0], xy[:, 1])
    # the vertices bound the true (segment) distance from above, within the densest gap
    assert r.leg("NATO border").distance_km <= d.min() / 1000 + 1e-6
    assert r.leg("NATO border").distance_km > d.min() / 1000 - 5.0


def test_a_swapped_position_is_said_with_the_swap():
    r = point_report(PRZEWODOW[1], PRZEWODOW[0])
    assert r.outside_coverage and "did you mean" in r.outside_coverage


def test_inside_the_coverage_every_leg_is_measured():
    r = point_report(*PRZEWODOW)
    assert r.outside_coverage is None
    assert {leg.target for leg in r.legs} == {"NATO border", "Ukraine", "Belarus", "Russia"}
