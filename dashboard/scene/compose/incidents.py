"""The incident parts of a scene: which incidents are drawn, their precision, the launch area.

- :func:`incident_frame`: the ``incidents`` layer, or the subset a timeline
  filter asks for (:attr:`~dashboard.scene.request.SceneRequest.incident_ids`);
- :func:`precision_frame`: each drawn incident's position precision as a
  geodesic circle of radius ``precision_m`` (the ``precision`` layer, drawn
  under the markers); :func:`visible_precision` keeps those big enough to see
  at the view's zoom, so a 500 m circle shows once the map is zoomed in;
- :func:`origin_frame`: the candidate launch area of an incident for a range
  (:func:`dashboard.analysis.origin.origin_areas`), or its range fan between two
  azimuths, limited to launch countries when asked, one feature per country piece
  with its area in its label, and the figures ``Launch area in UA`` etc.

No Streamlit, no rendering here.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from dashboard.analysis.incident_catalogue import catalogue_token, incident_layer, track_layer
from dashboard.analysis.incident_table import incident_ids
from dashboard.analysis.origin import OriginAreas, OriginSpec, find_incident, origin_areas
from dashboard.geo.buffer import buffer_point
from dashboard.geo.cache import memoize
from dashboard.geo.errors import InputError
from dashboard.geo.units import format_area, format_radius, round_significant
from dashboard.scene.model import View

Figures = dict[str, str]

#: Vertices of a precision circle (a 10 km circle's chords sag 12 m inside it).
PRECISION_VERTICES: int = 64
#: Tooltip fields of the derived incident layers.
PRECISION_FIELDS: tuple[str, ...] = ("name", "precision_m")
ORIGIN_FIELDS: tuple[str, ...] = ("name", "country_name", "area_km2", "incident")
#: Precision circles smaller than this radius (screen px at the view's web-map zoom) are
#: left out of a scene: they would hide under the incident's marker.
MIN_PRECISION_RADIUS_PX: float = 1.5
#: The equator's length on the web map's sphere, metres (2 pi x 6,378,137 m).
EARTH_CIRCUMFERENCE_M: float = 2 * math.pi * 6_378_137.0


def incident_frame(ids: Sequence[str] | None) -> gpd.GeoDataFrame:
    """The positioned incidents to draw: every one when ``ids`` is None, else those of ``ids``.

    Raises
    ------
    InputError
        An id that is no incident of the catalogue (ids of incidents whose
        position is not sourced are accepted; they have nothing to draw).
    """
    inc = incident_layer()
    if ids is None:
        return inc
    known = set(incident_ids())
    unknown = sorted(set(map(str, ids)) - known)
    if unknown:
        raise InputError(f"unknown incident {unknown[0]!r} in the incident filter")
    return inc[inc["id"].astype(str).isin(set(map(str, ids)))].reset_index(drop=True)


def track_frame(ids: Sequence[str] | None) -> gpd.GeoDataFrame:
    """The track incidents (LineStrings) to draw: every one when ``ids`` is None, else
    those of ``ids`` (unknown ids are :func:`incident_frame`'s to refuse)."""
    tracks = track_layer()
    if ids is None:
        return tracks
    return tracks[tracks["id"].astype(str).isin(set(map(str, ids)))].reset_index(drop=True)


def _precision_key(incidents: gpd.GeoDataFrame) -> tuple:
    return tuple((str(i), round(float(g.x), 7), round(float(g.y), 7), p)
                 for i, g, p in zip(incidents["id"], incidents.geometry.values,
                                    incidents["precision_m"].astype(object)))


@memoize(maxsize=16, key=_precision_key)
def precision_frame(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """A geodesic circle of radius ``precision_m`` (m) around each incident that states one.

    Returns None when no incident has a precision (shared with the cache: do not modify).
    """
    rows = []
    for i, place, g, p in zip(incidents["id"], incidents["place"], incidents.geometry.values,
                              incidents["precision_m"]):
        if pd.isna(p) or float(p) <= 0:  # no radius stated
            continue
        rows.append({"id": str(i), "name": str(place), "precision_m": int(p),
                     "geometry": buffer_point(float(g.x), float(g.y), float(p) / 1000.0,
                                              n_vertices=PRECISION_VERTICES)})
    if not rows:
        return None
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def metres_per_px(view: View) -> float:
    """Ground metres per screen pixel at the centre of ``view`` (web-map zoom; a display measure).

    >>> round(metres_per_px(View.around(24.0, 50.0, 10.0)))
    98
    """
    return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(view.lat)) / (256 * 2 ** view.zoom)


def visible_precision(frame: gpd.GeoDataFrame | None, view: View,
                      min_radius_px: float = MIN_PRECISION_RADIUS_PX) -> gpd.GeoDataFrame | None:
    """The precision circles at least ``min_radius_px`` pixels in radius at ``view``'s zoom.

    A circle smaller than that is a speck under its marker: the map and the brief
    leave it (and its legend row) out until the view is zoomed in far enough.
    """
    if frame is None or not len(frame):
        return None
    keep = frame["precision_m"].to_numpy(dtype=float) >= min_radius_px * metres_per_px(view)
    return frame[keep].reset_index(drop=True) if keep.any() else None


def _origin_key(incident_id: str, min_km: float, max_km: float,
                bearing: tuple[float, float] | None = None,
                countries: tuple[str, ...] = ()) -> tuple:
    return (str(incident_id), float(min_km), float(max_km),
            None if bearing is None else tuple(float(b) for b in bearing),
            tuple(str(c).upper() for c in countries or ()), catalogue_token())


@memoize(maxsize=16, key=_origin_key)
def origin_result(incident_id: str, min_km: float, max_km: float,
                  bearing: tuple[float, float] | None = None,
                  countries: tuple[str, ...] = ()) -> OriginAreas:
    """:func:`dashboard.analysis.origin.origin_areas` (widened by the incident's precision), cached;
    ``origin_result(*spec)`` for an :data:`~dashboard.analysis.origin.OriginSpec`.

    Raises
    ------
    InputError
        A bad range, bearing or country, an unknown incident (with the nearest ids) or
        one with no position.
    """
    return origin_areas(str(incident_id), float(min_km), float(max_km),
                        bearing=None if bearing is None else (float(bearing[0]), float(bearing[1])),
                        countries=tuple(countries or ()))


def range_text(min_km: float, max_km: float, units: str) -> str:
    """``"75–90 km"`` in ``units`` (``"0–300 km"``).

    >>> range_text(75, 90, "km"), range_text(75, 90, "nm")
    ('75–90 km', '40.5–48.6 nm')
    """
    lo, hi = format_radius(min_km, units).split()[0], format_radius(max_km, units)
    return f"{lo}–{hi}"


def origin_label(o: OriginAreas, units: str) -> str:
    """The legend label: ``"Launch area 75–90 km from Przewodów"`` (the incident's place);
    a fan ``"Launch fan 0–2,500 km from Przewodów, bearing 20°–80°"``, launch countries
    ``"… in BY, RU"``."""
    place = str(find_incident(o.incident_id).get("place") or o.incident_id).split(",")[0]
    kind = "fan" if o.bearing is not None else "area"
    text = f"Launch {kind} {range_text(o.min_km, o.max_km, units)} from {place}"
    if o.bearing is not None:
        text += f", bearing {o.bearing[0]:g}°–{o.bearing[1]:g}°"
    if o.launch_countries:
        text += f" in {', '.join(o.launch_countries)}"
    return text


def origin_frame(origin: OriginSpec | None, units: str,
                 ) -> tuple[gpd.GeoDataFrame | None, Figures, OriginAreas | None]:
    """The candidate launch area: one feature per country piece, its figures, the analysis.

    Parameters
    ----------
    origin : OriginSpec, optional
        The incident and the munition's range, km (and a bearing sector and launch
        countries).
    units : {"km", "nm", "mi"}
        Units of the labels and figures.

    Returns
    -------
    (GeoDataFrame or None, dict, OriginAreas or None)
        Pieces with ``id`` (``origin-UA``), ``name`` (``"UA 5,372 km²"``),
        ``country``, ``country_name``, ``area_km2`` and ``incident``, largest
        first; the figures (the range, ``± precision`` when widened; ``Launch area
        in UA`` per country; the cities inside); the full analysis.  All None / empty
        without an origin.
    """
    if origin is None:
        return None, {}, None
    o = origin_result(*origin)
    rows = [{"id": f"origin-{a.country}", "name": f"{a.country} {format_area(a.area_km2, units)}",
             "country": a.country, "country_name": a.name, "area_km2": round_significant(a.area_km2, 6),
             "incident": o.incident_id, "geometry": a.geometry} for a in o.areas]
    widened = f" ± {format_radius(o.precision_km, units)}" if o.precision_km > 0 else ""
    figures: Figures = {"Launch area range": f"{range_text(o.min_km, o.max_km, units)}{widened}"}
    if o.bearing is not None:
        figures["Launch fan bearing"] = f"{o.bearing[0]:g}° to {o.bearing[1]:g}° (came from)"
    if o.launch_countries:
        figures["Launch countries"] = ", ".join(o.launch_countries)
    figures.update({f"Launch area in {a.country}": format_area(a.area_km2, units)
                    for a in o.areas})
    if o.outside_km2 >= 0.05:
        figures["Launch area outside any country"] = format_area(o.outside_km2, units)
    figures["Cities in launch area"] = f"{len(o.cities):,}"
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326") if rows else None
    return frame, figures, o


__all__ = [
    "incident_frame",
    "origin_frame",
    "origin_label",
    "origin_result",
    "precision_frame",
    "range_text",
    "visible_precision",
]
