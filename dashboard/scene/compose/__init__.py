"""The one scene builder: every output gets its Scene from :func:`build_scene`.

:func:`build_scene` turns a :class:`~dashboard.scene.request.SceneRequest` into a
:class:`~dashboard.scene.model.Scene` in four named steps: *measure* the parts
(:mod:`dashboard.scene.compose.parts`: strike figures, zones, rings, band;
:mod:`dashboard.scene.compose.incidents`: the incidents drawn, their precision
circles, the launch area), *frame* the view, *stack* them into layers bottom to
top (precision circles too small to see at the view's zoom left out), and
*word* the title, subtitle and sources (:mod:`dashboard.scene.compose.words`).  All geometry comes from
the core (:mod:`dashboard.geo`); this package only chooses, orders, labels and
formats.  No Streamlit, no rendering here.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.incident_catalogue import catalogue_token
from dashboard.analysis.origin import OriginAreas, OriginSpec
from dashboard.data.catalogue import CATALOGUE
from dashboard.geo.cache import memoize
from dashboard.geo.geodesy import inverse_km
from dashboard.geo.measure import area_km2
from dashboard.geo.units import format_area, format_distance, format_radius
from dashboard.scene.compose import incidents as incident_parts
from dashboard.scene.compose import parts
from dashboard.scene.compose import reach as reach_parts
from dashboard.scene.compose.reuse import by_identity, layer_file_token, nato_on, shared_layer
from dashboard.scene.compose.words import (
    as_date,
    long_date,
    sources_for,
    subtitle_for,
    title_for,
    today,
)
from dashboard.scene.incident_labels import incident_label
from dashboard.scene.model import STRIKE_LINE, Scene, SceneLayer, View
from dashboard.scene.names import changes_when_shown, shown_name
from dashboard.scene.request import SceneRequest
from dashboard.scene.styles import LayerStyle, style_for

__all__ = ["build_scene", "default_view", "format_area", "TOOLTIP_FIELDS", "LABELLED"]

#: Properties shown on hover in the live map, per built-in layer.
TOOLTIP_FIELDS: dict[str, tuple[str, ...]] = {
    "countries": ("name", "iso_a2", "nato_member_since"),
    "regions": ("name", "name_local", "iso_3166_2", "country"),
    "zones": ("name", "rule", "area_km2"),
    "nato_border": ("id", "member", "neighbour", "length_km", "nato_since"),
    "cities": ("name", "country", "population"),
    "proposal_places": ("name", "kind", "proposal", "source", "precision_m"),
    "air_bases": ("icao", "name", "country", "role", "pseudo_code"),
    # ``date`` and ``group`` also drive the map's clusters and timeline play
    # (docs/map-protocol.md, "Clusters and timeline play").
    "incidents": ("place", "date", "time_utc", "munition", "killed", "attribution", "precision_m",
                  "group"),
    "incident_tracks": ("place", "date", "time_utc", "munition", "attribution", "precision_m",
                        "group"),
    "precision": incident_parts.PRECISION_FIELDS,
    "origin": incident_parts.ORIGIN_FIELDS,
    "reach": ("band", "from_km", "to_km", "share"),
    "gbad": ("launcher", "range_km"),
}

#: Built-in layers whose names are drawn on the map.
LABELLED: frozenset[str] = frozenset({"countries", "zones", "nato_border", "cities", "incidents",
                                      "incident_tracks", "origin"})

#: Where the view falls back to without anything to frame: around Ukraine's NATO border.
FALLBACK_BOUNDS_DEG: tuple[float, float, float, float] = (22.0, 44.0, 33.0, 53.0)

_USER_KINDS = {"point": ("Point", "MultiPoint"),
               "line": ("LineString", "MultiLineString", "LinearRing"),
               "polygon": ("Polygon", "MultiPolygon")}


@dataclass
class _Parts:
    """What the measuring step found: frames by layer name, figures, what to frame."""

    incident: dict | None
    as_of: date
    countries: gpd.GeoDataFrame
    nato: gpd.GeoDataFrame
    frames: dict[str, gpd.GeoDataFrame | None] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    origin_label: str | None = None

    def add(self, layer: str, figures: dict[str, str]) -> None:
        """Keep ``figures`` as those of ``layer`` (a figure leaves the brief with its layer)."""
        self.metrics.update(figures)
        self.owners.update(dict.fromkeys(figures, layer))

    def extent(self) -> list[BaseGeometry]:
        geoms: list[BaseGeometry] = []
        if self.incident:
            geoms.append(shapely.Point(self.incident["lon"], self.incident["lat"]))
        for name in ("zones", "drawn", "buffers", "band", "origin"):
            if self.frames.get(name) is not None:
                geoms += list(self.frames[name].geometry.values)
        return geoms


def build_scene(request: SceneRequest | None = None) -> Scene:
    """Build the scene every renderer draws.

    Parameters
    ----------
    request : SceneRequest, optional
        What to show (default: the default incident and candidate zone).

    Returns
    -------
    Scene
        Layers bottom to top, view, metrics (formatted with units), sources.

    Raises
    ------
    InputError
        Unknown incident or zone id, rings without a centre, no NATO border with
        Ukraine on the date of a band (bad radii, depths, units and layer names
        are refused when the request is made).
    """
    req = request or SceneRequest()
    found = _measure(req)
    view = req.view or default_view(found.extent(), _fallback_bounds(found.nato))
    found.frames["precision"] = _visible_precision(found.frames.get("precision"), view)
    layers = _stack(req, found)
    used = [lyr.name for lyr in layers if lyr.name in CATALOGUE]
    return Scene(layers=layers, view=view, title=req.title or title_for(found.incident),
                 subtitle=subtitle_for(found.incident, found.countries, found.as_of),
                 incident=found.incident, as_of=found.as_of, metrics=found.metrics,
                 sources=sources_for(used, found.incident), units=req.units,
                 locator=found.countries, figure_layers=found.owners,
                 custom_title=bool(req.title))


# ------------------------------------------------------------------ measure
def _measure(req: SceneRequest) -> _Parts:
    """Step 1: the incident, the date, and every measured part with its figures.

    The parts a rerun asks for again unchanged come from process-wide caches keyed by
    their inputs (:mod:`dashboard.scene.compose.reuse`): the same figures and the very
    same frames as the last scene that had them."""
    incident = _incident_props(req.incident_id) if req.incident_id else None
    as_of = req.as_of or (as_date(incident.get("date")) if incident else None) or today()
    found = _Parts(incident, as_of, shared_layer("countries"), nato_on(as_of))
    units = req.units
    if incident:
        line, figures = _strike(incident["lon"], incident["lat"], as_of, units)
        found.frames[STRIKE_LINE] = line
        found.add(STRIKE_LINE, figures)
    if req.zone_ids and "zones" in req.visible_layers:
        zones, figures = _zones(tuple(req.zone_ids), units)
        found.frames["zones"] = zones if len(zones) else None
        found.add("zones", figures)
    steps = (("drawn", lambda: parts.drawn_zones(req.extra_zones, units)),
             ("buffers", lambda: _rings(tuple(req.ring_radii_km), req.ring_center,
                                        (incident["lon"], incident["lat"]) if incident else None,
                                        units)),
             ("band", lambda: _band(req.band_km, as_of, units)))
    for name, step in steps:
        found.frames[name], figures = step()
        found.add(name, figures)
    _measure_incidents(req, found)
    found.frames["reach"], figures = reach_parts.reach_frame(req.reach, units)
    found.add("reach", figures)
    found.frames["gbad"], figures = reach_parts.gbad_frame(req.reach, as_of, units)
    found.add("gbad", figures)
    return found


def _incident_props(incident_id: str) -> dict:
    """:func:`~dashboard.scene.compose.parts.incident_props`, a fresh dict of the cached one."""
    return dict(_cached_props(incident_id, catalogue_token()))


@memoize(maxsize=32)
def _cached_props(incident_id: str, token: str) -> dict:
    return parts.incident_props(incident_id)


@memoize(maxsize=64)
def _strike(lon: float, lat: float, as_of: date, units: str,
            ) -> tuple[gpd.GeoDataFrame | None, dict[str, str]]:
    """:func:`~dashboard.scene.compose.parts.strike_figures` of a strike at (lon, lat) on
    ``as_of``'s border (the built-in layers), cached: a strike is measured once per units."""
    return parts.strike_figures({"lon": lon, "lat": lat}, nato_on(as_of),
                                shared_layer("countries"), units)


def _zones(zone_ids: tuple[str, ...], units: str) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """The candidate zones and their areas in ``units``
    (:func:`~dashboard.scene.compose.parts.zone_figures`): one frame for every units."""
    zones, areas = _zone_areas(zone_ids, layer_file_token("zones"))
    return zones, {name: format_area(a, units) for name, a in areas}


@memoize(maxsize=32)
def _zone_areas(zone_ids: tuple[str, ...], token: tuple[str, int, int],
                ) -> tuple[gpd.GeoDataFrame, tuple[tuple[str, float], ...]]:
    zones = parts.candidate_zones(zone_ids)
    return zones, tuple((str(z["name"]), area_km2(z.geometry)) for _, z in zones.iterrows())


@memoize(maxsize=32)
def _rings(radii_km: tuple[float, ...], center: tuple[float, float] | None,
           incident: tuple[float, float] | None, units: str,
           ) -> tuple[gpd.GeoDataFrame | None, dict[str, str]]:
    """:func:`~dashboard.scene.compose.parts.range_rings` (only the incident's position is read)."""
    inc = None if incident is None else {"lon": incident[0], "lat": incident[1]}
    return parts.range_rings(radii_km, center, inc, units)


@memoize(maxsize=16)
def _band(depth_km: float | None, as_of: date, units: str,
          ) -> tuple[gpd.GeoDataFrame | None, dict[str, str]]:
    """:func:`~dashboard.scene.compose.parts.border_band` on ``as_of``'s border."""
    return parts.border_band(depth_km, nato_on(as_of), shared_layer("countries"),
                             as_of.isoformat(), units)


def _measure_incidents(req: SceneRequest, found: _Parts) -> None:
    """The incidents drawn (the filter's subset), their precision circles, the launch area."""
    if "incidents" in req.visible_layers:
        ids = None if req.incident_ids is None else tuple(req.incident_ids)
        shown, tracks, precision = _incident_frames(ids, catalogue_token())
        found.frames["incidents"] = shown
        found.frames["incident_tracks"] = tracks if len(tracks) else None
        if req.precision_circles and len(shown):
            found.frames["precision"] = precision
    found.frames["origin"], figures, analysis = _origin(req.origin, req.units, catalogue_token())
    found.add("origin", figures)
    if analysis is not None:
        found.origin_label = incident_parts.origin_label(analysis, req.units)


@memoize(maxsize=16)
def _incident_frames(ids: tuple[str, ...] | None, token: str,
                     ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """The incidents and tracks ``ids`` asks for and the incidents' precision circles, per
    catalogue version (``token``)."""
    shown = incident_parts.incident_frame(ids)
    precision = incident_parts.precision_frame(shown) if len(shown) else None
    return shown, incident_parts.track_frame(ids), precision


@memoize(maxsize=16, key=lambda origin, units, token: (repr(origin), units, token))
def _origin(origin: OriginSpec | None, units: str, token: str,
            ) -> tuple[gpd.GeoDataFrame | None, dict[str, str], OriginAreas | None]:
    return incident_parts.origin_frame(origin, units)


@by_identity(16, extra=lambda frame, view: _visible_key(frame, view))
def _visible_precision(frame: gpd.GeoDataFrame | None, view: View) -> gpd.GeoDataFrame | None:
    """:func:`~dashboard.scene.compose.incidents.visible_precision`: the same frame again
    for views that keep the same circles."""
    return incident_parts.visible_precision(frame, view)


def _visible_key(frame: gpd.GeoDataFrame | None, view: View) -> Hashable:
    """Which circles ``view`` keeps (:func:`~dashboard.scene.compose.incidents.visible_precision`)."""
    if frame is None or not len(frame):
        return None
    px = incident_parts.MIN_PRECISION_RADIUS_PX * incident_parts.metres_per_px(view)
    return (frame["precision_m"].to_numpy(dtype=float) >= px).tobytes()


# -------------------------------------------------------------------- stack
#: Layers labelled by their incident's village and date (:mod:`dashboard.scene.incident_labels`):
#: the frame gets a ``label`` column, the style labels by it.
INCIDENT_LABELLED: frozenset[str] = frozenset({"incidents", "incident_tracks"})


def incident_labels(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` (incidents with ``id``, ``date``, ``place``) with a ``label`` column:
    ``"Przewodów · 2022-11-15"`` (:func:`~dashboard.scene.incident_labels.incident_label`)."""
    if not {"id", "place"} <= set(gdf.columns):
        return gdf
    dates = gdf["date"] if "date" in gdf.columns else [None] * len(gdf)
    return gdf.assign(label=[incident_label(str(i), None if d is None or d != d else str(d),
                                            None if p is None or p != p else str(p))
                             for i, d, p in zip(gdf["id"], dates, gdf["place"])])


@by_identity(8)
def _labelled(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """:func:`incident_labels` of a shared incidents frame, once per frame."""
    return incident_labels(gdf)


def _layer(name: str, gdf: gpd.GeoDataFrame, style: LayerStyle | None = None,
           label: str | None = None, pickable: bool = True) -> SceneLayer:
    if name in INCIDENT_LABELLED and style is None and "place" in gdf.columns:
        gdf = _labelled(gdf)
        if "label" in gdf.columns:
            style = replace(style_for(name), label_field="label")
    fields = TOOLTIP_FIELDS.get(name, tuple(c for c in gdf.columns if c != gdf.geometry.name))
    return SceneLayer(name, gdf, style or style_for(name), label=label, tooltip_fields=fields,
                      show_labels=name in LABELLED, pickable=pickable)


def _stack(req: SceneRequest, found: _Parts) -> list[SceneLayer]:
    """Step 2: the layers bottom to top: areas, the user's areas, lines, points, overlays."""
    visible, f, units = set(req.visible_layers), found.frames, req.units
    areas: list[SceneLayer] = []
    if "countries" in visible:
        areas.append(_layer("countries", found.countries))
    if "water" in visible:
        areas.append(_layer("water", shared_layer("water"), pickable=False))
    if "regions" in visible:
        areas.append(_layer("regions", shared_layer("regions")))
    for name in ("zones", "drawn"):
        if f.get(name) is not None:
            areas.append(_layer(name, f[name]))
    if f.get("band") is not None:
        areas.append(_layer("band", f["band"], label=f"Border band, "
                            f"{format_radius(float(req.band_km), units)} (UA side)"))
    if f.get("buffers") is not None:
        areas.append(_layer("buffers", f["buffers"], label=_rings_label(req.ring_radii_km, units)))
    if f.get("origin") is not None:
        areas.append(_layer("origin", f["origin"], label=found.origin_label))
    for name, style in (("reach", reach_parts.reach_style()), ("gbad", reach_parts.gbad_style())):
        if f.get(name) is not None:
            areas.append(_layer(name, f[name], style=style, label=style.label))
    if f.get("precision") is not None:
        areas.append(replace(_layer("precision", f["precision"]), pickable=False))
    user = _user_layers(req.user_layers, {lyr.name for lyr in areas} | set(CATALOGUE))
    lines: list[SceneLayer] = []
    if "nato_border" in visible:
        lines.append(_layer("nato_border", found.nato,
                            label=f"NATO border on {long_date(found.as_of)}"))
    if f.get(STRIKE_LINE) is not None:
        lines.append(_strike_layer(f[STRIKE_LINE]))
    points = [_layer(n, shared_layer(n)) for n in ("cities", "proposal_places", "air_bases")
              if n in visible]
    tops = [_layer(n, f[n]) for n in ("incident_tracks",) if f.get(n) is not None]
    tops += [_layer(n, f[n]) for n in ("incidents",) if n in visible]
    layers = [*areas, *user["polygon"], *lines, *user["line"], *points, *user["point"], *tops]
    return [*layers, *_overlays(req, layers)]


def _rings_label(radii_km: Sequence[float], units: str) -> str:
    return "Range rings " + "/".join(format_radius(r, units).split()[0]
                                     for r in sorted(set(radii_km))) + f" {units}"


def _strike_layer(line: gpd.GeoDataFrame) -> SceneLayer:
    style = replace(style_for("measure"), name=STRIKE_LINE, label="Strike → NATO border",
                    id_field="id", label_field="name")
    return SceneLayer(STRIKE_LINE, line, style, label=line["name"].iloc[0],
                      tooltip_fields=("name", "segment", "azimuth_deg"), pickable=False)


def _user_layers(user_layers: Sequence[tuple[str, gpd.GeoDataFrame]], taken: set[str],
                 ) -> dict[str, list[SceneLayer]]:
    """Each user layer as one scene layer per geometry kind, in the ``user`` style."""
    out: dict[str, list[SceneLayer]] = {k: [] for k in _USER_KINDS}
    for name, gdf in user_layers:
        gt = gdf.geometry.geom_type
        found = [(k, _shown_text(gdf[gt.isin(v)])) for k, v in _USER_KINDS.items()]
        found = [(k, g) for k, g in found if len(g)]
        name = shown_name(name)
        for kind, part in found:
            lname = str(name) if len(found) == 1 else f"{name} ({kind}s)"
            while lname in taken:
                lname = f"user:{lname}"
            taken.add(lname)
            label_field = next((c for c in ("name", "title", "label", "id") if c in part.columns),
                               "name")
            style = replace(style_for("user"), kind=kind, label_field=label_field)
            fields = tuple(c for c in part.columns if c != part.geometry.name)[:8]
            out[kind].append(SceneLayer(lname, part, style, label=lname, tooltip_fields=fields,
                                        show_labels=kind == "point" and len(part) <= 30))
    return out


def _shown_text(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A user layer's text values as shown (:func:`dashboard.scene.names.shown_name`):
    what its tooltips and labels print, never reordered by bidi controls.  This runs on
    every rerun, so a layer with nothing to change is returned as it is, uncopied."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name
            and (gdf[c].dtype == object or pd.api.types.is_string_dtype(gdf[c]))
            and changes_when_shown(gdf[c].to_numpy())]
    if not cols:
        return gdf
    out = gdf.copy()
    for col in cols:
        out[col] = out[col].map(lambda v: shown_name(v) if isinstance(v, str) else v)
    return out


def _selection(req: SceneRequest, layers: Sequence[SceneLayer]) -> SceneLayer | None:
    """The selected feature's outline (polygons, lines), at full resolution."""
    name, fid = req.selected or (None, None)
    lyr = next((lyr for lyr in layers if lyr.name == name), None)
    if lyr is None or lyr.style.kind == "point" or lyr.style.id_field not in lyr.gdf.columns:
        return None
    frame = _outline(lyr.gdf, lyr.style.id_field, lyr.style.label_field, str(fid))
    if frame is None:
        return None
    style = replace(style_for("selection"), kind=lyr.style.kind)
    return SceneLayer("selection", frame, style, tooltip_fields=(), pickable=False)


@by_identity(64, extra=lambda gdf, *args: (len(gdf), tuple(map(str, gdf.columns)), args))
def _outline(gdf: gpd.GeoDataFrame, id_field: str, label_field: str,
             fid: str) -> gpd.GeoDataFrame | None:
    """The outline frame of the feature ``fid`` of a layer's frame (None when absent), one
    per frame object and feature: a rerun that keeps the selection keeps the frame."""
    hit = gdf[gdf[id_field].astype(str) == fid]
    if not len(hit):
        return None
    return gpd.GeoDataFrame({"name": [str(hit[label_field].iloc[0])
                                      if label_field in hit.columns else fid]},
                            geometry=[hit.geometry.iloc[0]], crs="EPSG:4326")


def measured_line(measure: tuple[tuple[float, float], tuple[float, float]],
                  units: str) -> gpd.GeoDataFrame:
    """The measured geodesic (:func:`~dashboard.scene.compose.parts.measure_frame`) named by
    its length in ``units`` ("123.4 km", WGS84 geodesic): the map draws it as the line's
    label at its middle vertex."""
    (alon, alat), (blon, blat) = measure
    _, d_km = inverse_km(alon, alat, blon, blat)
    return parts.measure_frame(measure).assign(name=format_distance(float(d_km), units))


@memoize(maxsize=64)
def _shared_line(measure: tuple[tuple[float, float], tuple[float, float]],
                 units: str) -> gpd.GeoDataFrame:
    """:func:`measured_line`, one frame per pair and units (shared by the reruns that keep
    the pair: read only), so the map's args reuse it as an unchanged frame."""
    return measured_line(measure, units)


@memoize(maxsize=64)
def _shared_marker(name: str, lon: float, lat: float) -> gpd.GeoDataFrame:
    """:func:`~dashboard.scene.compose.parts.marker_frame`, one frame per name and place
    (shared: read only)."""
    return parts.marker_frame(name, lon, lat)


def _overlays(req: SceneRequest, layers: Sequence[SceneLayer]) -> list[SceneLayer]:
    """The selection outline, the measured line and the marker, on top of everything."""
    out: list[SceneLayer] = []
    outline = _selection(req, layers)
    if outline is not None:
        out.append(outline)
    if req.measure is not None:
        (alon, alat), (blon, blat) = req.measure
        line = _shared_line(((float(alon), float(alat)), (float(blon), float(blat))), req.units)
        out.append(SceneLayer("measure", line,
                              style_for("measure"), tooltip_fields=("name",), pickable=False,
                              show_labels=True))
    if req.marker is not None:
        name, lon, lat = req.marker
        out.append(SceneLayer("picked", _shared_marker(name, float(lon), float(lat)),
                              style_for("picked"),
                              tooltip_fields=("name",), pickable=False))
    return out


# -------------------------------------------------------------------- frame
def _pad_bounds(bounds: Sequence[float], frac: float = 0.08, min_span_deg: float = 1.0,
                ) -> tuple[float, float, float, float]:
    w, s, e, n = (float(v) for v in bounds)
    cx, cy = (w + e) / 2, (s + n) / 2
    hw = max((e - w) / 2 * (1 + 2 * frac), min_span_deg / 2)
    hh = max((n - s) / 2 * (1 + 2 * frac), min_span_deg / 2)
    return (round(cx - hw, 4), round(max(cy - hh, -85.0), 4),
            round(cx + hw, 4), round(min(cy + hh, 85.0), 4))


def _fallback_bounds(nato: gpd.GeoDataFrame) -> Sequence[float]:
    ua = nato[nato["neighbour"] == "UA"] if len(nato) else nato
    return ua.total_bounds if len(ua) else FALLBACK_BOUNDS_DEG


def default_view(geoms: Sequence[BaseGeometry], fallback_bounds: Sequence[float]) -> View:
    """Step 4: a view covering ``geoms`` with an 8 % margin (at least 1 degree across)."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    bounds = shapely.total_bounds(np.asarray(geoms, dtype=object)) if geoms else fallback_bounds
    return View.for_bounds(_pad_bounds(bounds))
