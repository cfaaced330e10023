"""The measured parts of a scene: strike figures, zones, rings, band, overlays.

Each function takes what it needs from the request, computes with the core
(:mod:`dashboard.geo`) and returns a GeoDataFrame (WGS84) plus its key figures,
already formatted in the request's units.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.incident_catalogue import incident_layer
from dashboard.geo.buffer import buffer_point, side_band
from dashboard.geo.distance import nearest
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import geodesic_line
from dashboard.geo.measure import area_km2
from dashboard.geo.units import format_area, format_distance, format_radius, round_significant
from dashboard.io.layers_io import load_layer
from dashboard.scene.names import shown_name
from dashboard.scene.styles import zone_colours

Figures = dict[str, str]


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _plain(v: object) -> object:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def incident_props(incident_id: str) -> dict:
    """The incident's properties as plain values, plus ``lon``/``lat`` (degrees)."""
    inc = incident_layer()
    hit = inc[inc["id"] == incident_id]
    if not len(hit):
        raise InputError(f"unknown incident {incident_id!r}; known: {', '.join(map(str, inc['id']))}")
    row = hit.iloc[0]
    props = {k: _plain(row[k]) for k in inc.columns if k != inc.geometry.name}
    props["lon"], props["lat"] = float(row.geometry.x), float(row.geometry.y)
    return props


def candidate_zones(zone_ids: Sequence[str]) -> gpd.GeoDataFrame:
    """The candidate zones with these ids, in the order given."""
    zones = load_layer("zones")
    known = list(zones["id"])
    missing = [z for z in zone_ids if z not in known]
    if missing:
        raise InputError(f"unknown zone {missing[0]!r}; known: {', '.join(known)}")
    order = {z: i for i, z in enumerate(zone_ids)}
    sel = zones[zones["id"].isin(order)].copy()
    sel["_order"] = sel["id"].map(order)
    return sel.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def strike_figures(incident: dict, nato: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
                   units: str) -> tuple[gpd.GeoDataFrame | None, Figures]:
    """The geodesic from the strike to the nearest NATO-border point, and the strike's
    distances to the NATO border and to Ukraine (full-resolution layers)."""
    lon, lat = incident["lon"], incident["lat"]
    figures: Figures = {}
    line = None
    if len(nato):
        r = nearest([lon], [lat], nato, id_field="id").iloc[0]
        d_text = format_distance(float(r["distance_km"]), units)
        figures[f"Strike → NATO border ({r['feature']})"] = d_text
        geom = geodesic_line(lon, lat, float(r["nearest_lon"]), float(r["nearest_lat"]),
                             n_points=16)
        line = _frame([{"id": "strike-nato-border", "name": f"Strike → NATO border: {d_text}",
                        "segment": str(r["feature"]),
                        "distance_km": round(float(r["distance_km"]), 3),
                        "azimuth_deg": round(float(r["azimuth_deg"]), 1), "geometry": geom}])
    ua = countries[countries["iso_a2"] == "UA"]
    if len(ua):
        r = nearest([lon], [lat], ua, id_field="iso_a2").iloc[0]
        figures["Strike → Ukraine"] = format_distance(float(r["distance_km"]), units)
    return line, figures


def zone_figures(zones: gpd.GeoDataFrame, units: str) -> Figures:
    """Each candidate zone's geodesic area."""
    return {str(z["name"]): format_area(area_km2(z.geometry), units) for _, z in zones.iterrows()}


def drawn_zones(extra: Sequence[tuple[str, BaseGeometry]], units: str,
                ) -> tuple[gpd.GeoDataFrame | None, Figures]:
    """The user's zones (invalid ones repaired, as they are measured) and their areas; zone k
    in colour k of :data:`dashboard.scene.styles.ZONE_PALETTE`, as on its card."""
    rows, figures = [], {}
    for k, (name, geom) in enumerate(extra):
        if geom is None or geom.is_empty:
            continue
        if not geom.is_valid:  # e.g. a hand-drawn bow-tie: measure and draw the repaired shape
            geom = shapely.make_valid(geom)
        a = area_km2(geom)
        fill, line = zone_colours(k)
        rows.append({"id": str(name), "name": shown_name(name), "area_km2": round_significant(a, 6),
                     "fill_rgba": fill, "line_rgba": line, "geometry": geom})
        figures[shown_name(name)] = format_area(a, units)
    return (_frame(rows) if rows else None), figures


def _place_text(lon: float, lat: float) -> str:
    return f"{abs(lat):.2f}°{'N' if lat >= 0 else 'S'} {abs(lon):.2f}°{'E' if lon >= 0 else 'W'}"


def range_rings(radii_km: Sequence[float], center: tuple[float, float] | None,
                incident: dict | None, units: str) -> tuple[gpd.GeoDataFrame | None, Figures]:
    """Geodesic rings around ``center`` (lon, lat; default the incident), largest first."""
    if not radii_km:
        return None, {}
    if center is None:
        if not incident:
            raise InputError("rings need a centre: choose an incident or give a position")
        center = (incident["lon"], incident["lat"])
    c_lon, c_lat = center
    at_incident = incident and abs(c_lon - incident["lon"]) < 1e-7 \
        and abs(c_lat - incident["lat"]) < 1e-7
    where = "strike" if at_incident else _place_text(c_lon, c_lat)
    rows, figures = [], {}
    for r in sorted(set(radii_km), reverse=True):  # largest first: smaller rings draw on top
        g = buffer_point(c_lon, c_lat, r)
        a = area_km2(g)
        rows.append({"id": f"ring-{r:g}km", "name": format_radius(r, units), "radius_km": r,
                     "area_km2": round_significant(a, 6), "center_lon": c_lon, "center_lat": c_lat,
                     "geometry": g})
        figures[r] = (f"Within {format_radius(r, units)} of {where}", format_area(a, units))
    ordered = dict(figures[r] for r in sorted(figures))
    return _frame(rows), ordered


def border_band(depth_km: float | None, nato: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
                as_of_iso: str, units: str) -> tuple[gpd.GeoDataFrame | None, Figures]:
    """A band ``depth_km`` deep inside Ukraine along its NATO border, clipped to Ukraine."""
    if not depth_km:
        return None, {}
    ua_segments = nato[nato["neighbour"] == "UA"]
    seg_ids = [str(s) for s in ua_segments["id"]]
    if not seg_ids:
        raise InputError(f"no NATO border with Ukraine on {as_of_iso}")
    ukraine = countries[countries["iso_a2"] == "UA"]
    g = side_band(shapely.union_all(np.asarray(ua_segments.geometry.values)), depth_km, ukraine)
    a = area_km2(g)
    label = format_radius(depth_km, units)
    band = _frame([{"id": f"band-{depth_km:g}km", "name": "Border band (UA side)", "depth_km": depth_km,
                    "segments": ", ".join(seg_ids), "area_km2": round_significant(a, 6), "geometry": g}])
    return band, {f"Band {label} deep (UA side)": format_area(a, units)}


def measure_frame(measure: tuple[tuple[float, float], tuple[float, float]]) -> gpd.GeoDataFrame:
    """The measured line, a densified geodesic between two (lon, lat) points."""
    (alon, alat), (blon, blat) = measure
    return _frame([{"name": "measured line", "geometry": geodesic_line(alon, alat, blon, blat)}])


def marker_frame(name: str, lon: float, lat: float) -> gpd.GeoDataFrame:
    """The selected point."""
    return _frame([{"name": name, "geometry": shapely.Point(lon, lat)}])
