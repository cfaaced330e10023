"""A track's figures: its geodesic length, and how much of it lies inside a country.

A track (an airspace violation with a published route) is a LineString whose
edges are geodesics.  It is densified along its geodesics to
:data:`TRACK_STEP_KM` before it is cut by the country's polygon (the
``countries`` layer: territory incl. the 12 nm territorial sea, i.e. the
airspace), and the pieces inside are measured geodesically on WGS84.

>>> from shapely.geometry import LineString
>>> t = LineString([(26.6, 59.85), (26.2, 59.80)])
>>> f = track_figures(t, "EE")
>>> round(f.length_km, 2) == round(length_km(t), 2), f.inside_km <= f.length_km
(True, True)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString

from dashboard.geo.geodesy import densify
from dashboard.geo.measure import length_km
from dashboard.io.layers_io import load_layer

__all__ = ["TRACK_STEP_KM", "TrackFigures", "track_figures", "track_vertices"]

#: Densify step (km) along a track's geodesics before it is cut or measured against layers.
TRACK_STEP_KM: float = 0.5


@dataclass(frozen=True)
class TrackFigures:
    """``length_km``: the whole track; ``inside_km``: the part inside the country's airspace."""

    length_km: float
    inside_km: float


def track_vertices(track: LineString) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) arrays of the track densified to :data:`TRACK_STEP_KM` along its geodesics."""
    dense = densify(track, TRACK_STEP_KM)
    xy = np.asarray(dense.coords, dtype=float)[:, :2]
    return xy[:, 0], xy[:, 1]


def track_figures(track: LineString, country: str) -> TrackFigures:
    """The geodesic length of ``track`` and of its part inside ``country`` (ISO alpha-2), km."""
    countries = load_layer("countries")
    sel = countries[countries["iso_a2"] == country]
    dense = densify(track, TRACK_STEP_KM)
    inside = 0.0
    if len(sel):
        area = shapely.union_all(sel.geometry.values)
        inside = length_km(dense.intersection(area))
    return TrackFigures(length_km=length_km(track), inside_km=inside)
