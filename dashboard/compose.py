"""The one scene builder: the app, the CLI and the brief all get their Scene here.

:func:`build_scene` turns a few choices (incident, zones, buffers, a border band,
visible layers, the user's layers, a date, units) into a :class:`~dashboard.scene.Scene`.
All geometry comes from the core (:mod:`dashboard.geo`): layers from
``load_layer``, the NATO border on a date from ``nato_border_on``, geodesic
rings from ``buffer_point``, the border band from ``side_band``,
distances from ``distance.nearest`` and areas from ``measure.area_km2``.
This module only chooses, orders, labels and formats.  No Streamlit here.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timezone

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.cache import memoize
from dashboard.geo.buffer import buffer_point, side_band
from dashboard.geo.distance import nearest
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import geodesic_line
from dashboard.geo.layers_io import load_layer
from dashboard.geo.measure import area_km2
from dashboard.geo.nato import nato_border_on
from dashboard.geo.units import KM_PER_UNIT, format_distance, from_km
from dashboard.catalogue import BUILTIN_LAYERS, CATALOGUE, GEODATA_DIR
from dashboard.render.styles import LAYERS, LayerStyle, style_for
from dashboard.scene import STRIKE_LINE, Scene, SceneLayer, View

DEFAULT_INCIDENT_ID = "2022-11-15-przewodow"
DEFAULT_ZONE_IDS: tuple[str, ...] = ("ua-border-oblasts",)

#: Short attribution lines, by the publisher named in a MANIFEST source's attribution.
ATTRIBUTIONS: dict[str, str] = {
    "OpenStreetMap": "© OpenStreetMap contributors, ODbL",
    "GeoNames": "GeoNames, CC BY 4.0",
    "Natural Earth": "Natural Earth (public domain)",
}

#: Properties shown on hover in the live map, per built-in layer.
TOOLTIP_FIELDS: dict[str, tuple[str, ...]] = {
    "countries": ("name", "iso_a2", "nato_member_since"),
    "regions": ("name", "name_local", "iso_3166_2", "country"),
    "zones": ("name", "rule", "area_km2"),
    "nato_border": ("id", "member", "neighbour", "length_km", "nato_since"),
    "cities": ("name", "country", "population"),
    "incidents": ("place", "date", "time_utc", "munition", "killed", "attribution", "precision_m"),
}


#: Built-in layers whose names are drawn on the map.
LABELLED: frozenset[str] = frozenset({"countries", "zones", "nato_border", "cities", "incidents"})

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ------------------------------------------------------------------------ formatting

def format_area(value_km2: float, unit: str = "km") -> str:
    """An area given in km² shown in ``unit``² (``"110,560 km²"``, ``"32,233 nm²"``)."""
    if unit not in KM_PER_UNIT:
        raise InputError(f"unknown distance unit {unit!r}; use one of {', '.join(KM_PER_UNIT)}")
    if value_km2 != value_km2:
        return "n/a"
    v = value_km2 / KM_PER_UNIT[unit] ** 2
    return f"{v:,.0f} {unit}²" if v >= 100 else f"{v:,.1f} {unit}²"


def _radius_text(radius_km: float, unit: str) -> str:
    """A ring radius in ``unit``: ``"75 km"``, ``"40.5 nm"`` (no needless decimals)."""
    v = from_km(radius_km, unit)
    return f"{v:,.0f} {unit}" if abs(v - round(v)) < 0.05 else f"{v:,.1f} {unit}"


def _long_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _as_date(v) -> date | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, datetime):  # incl. pandas Timestamp
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _today() -> date:
    """Today (UTC), or the day of ``SOURCE_DATE_EPOCH`` when set, so scripted briefs reproduce."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return datetime.now(timezone.utc).date()


# ------------------------------------------------------------------------ sources

@memoize(maxsize=4)
def _manifest(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def attribution_lines(layer_names: Sequence[str]) -> list[str]:
    """Attribution lines for the built-in layers used, from ``geodata/MANIFEST.json``.

    Each MANIFEST source is reduced to one short line (e.g. ``"© OpenStreetMap
    contributors, ODbL"``); duplicates are dropped, order follows the layers.
    """
    manifest = _manifest(str(GEODATA_DIR / "MANIFEST.json"))
    files = manifest.get("files", {})
    out: list[str] = []
    for name in layer_names:
        style = CATALOGUE.get(name)
        if style is None:
            continue
        for src in files.get(style.file, {}).get("sources", []):
            text = str(src.get("attribution", ""))
            line = next((v for k, v in ATTRIBUTIONS.items() if k in text), None)
            if line is None:
                line = text.split(";")[0].strip()
            if line and line not in out:
                out.append(line)
    return out


def _incident_sources(incident: Mapping) -> str | None:
    pubs: list[str] = []
    for s in incident.get("sources") or []:
        p = s.get("publisher") if isinstance(s, Mapping) else None
        if p and p not in pubs:
            pubs.append(str(p))
    return f"Incident reports: {', '.join(pubs)}" if pubs else None


# ------------------------------------------------------------------------ pieces

def _incident(incident_id: str) -> dict:
    inc = load_layer("incidents")
    hit = inc[inc["id"] == incident_id]
    if not len(hit):
        raise InputError(f"unknown incident {incident_id!r}; known: {', '.join(map(str, inc['id']))}")
    row = hit.iloc[0]
    props = {k: _plain(row[k]) for k in inc.columns if k != inc.geometry.name}
    props["lon"], props["lat"] = float(row.geometry.x), float(row.geometry.y)
    return props


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _zones(zone_ids: Sequence[str]) -> gpd.GeoDataFrame:
    zones = load_layer("zones")
    known = list(zones["id"])
    missing = [z for z in zone_ids if z not in known]
    if missing:
        raise InputError(f"unknown zone {missing[0]!r}; known: {', '.join(known)}")
    order = {z: i for i, z in enumerate(zone_ids)}
    sel = zones[zones["id"].isin(order)].copy()
    sel["_order"] = sel["id"].map(order)
    return sel.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def _user_layer(name: str, gdf: gpd.GeoDataFrame, taken: set[str]) -> list[SceneLayer]:
    """A user's layer as one scene layer per geometry kind, in the ``user`` style."""
    base = style_for("user")
    out: list[SceneLayer] = []
    kinds = {"point": ("Point", "MultiPoint"), "line": ("LineString", "MultiLineString", "LinearRing"),
             "polygon": ("Polygon", "MultiPolygon")}
    gt = gdf.geometry.geom_type
    parts = [(k, gdf[gt.isin(v)]) for k, v in kinds.items()]
    parts = [(k, g) for k, g in parts if len(g)]
    for kind, part in parts:
        lname = name if len(parts) == 1 else f"{name} ({kind}s)"
        while lname in taken:
            lname = f"user:{lname}"
        taken.add(lname)
        label_field = next((c for c in ("name", "title", "label", "id") if c in part.columns), "name")
        style = replace(base, kind=kind, label_field=label_field)
        fields = tuple(c for c in part.columns if c != part.geometry.name)[:8]
        out.append(SceneLayer(lname, part, style, label=lname, tooltip_fields=fields,
                              show_labels=kind == "point" and len(part) <= 30))
    return out


def _pad_bounds(bounds: Sequence[float], frac: float = 0.08, min_span_deg: float = 1.0,
                ) -> tuple[float, float, float, float]:
    w, s, e, n = (float(v) for v in bounds)
    cx, cy = (w + e) / 2, (s + n) / 2
    hw = max((e - w) / 2 * (1 + 2 * frac), min_span_deg / 2)
    hh = max((n - s) / 2 * (1 + 2 * frac), min_span_deg / 2)
    return (round(cx - hw, 4), round(max(cy - hh, -85.0), 4),
            round(cx + hw, 4), round(min(cy + hh, 85.0), 4))


def default_view(geoms: Sequence[BaseGeometry], fallback_bounds: Sequence[float]) -> View:
    """View covering ``geoms`` with an 8 % margin (at least 1 degree across)."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    bounds = shapely.total_bounds(np.asarray(geoms, dtype=object)) if geoms else fallback_bounds
    from dashboard.render.deck import view_for_bounds
    return view_for_bounds(_pad_bounds(bounds))


# ------------------------------------------------------------------------ the builder

def build_scene(
    *,
    incident_id: str | None = DEFAULT_INCIDENT_ID,
    zone_ids: Sequence[str] = DEFAULT_ZONE_IDS,
    extra_zones: Sequence[tuple[str, BaseGeometry]] = (),
    buffer_radii_km: Sequence[float] = (),
    buffer_center: tuple[float, float] | None = None,
    band_km: float | None = None,
    visible_layers: Collection[str] = BUILTIN_LAYERS,
    user_layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    as_of: date | None = None,
    units: str = "km",
    title: str | None = None,
    view: View | None = None,
) -> Scene:
    """Build the scene every renderer draws.

    Parameters
    ----------
    incident_id : str or None
        Selected incident (``geodata/incidents.geojson`` id); None for none.
    zone_ids : sequence of str
        Candidate zones from ``geodata/zones.geojson`` to show (and measure).
    extra_zones : sequence of (name, geometry)
        Zones the user drew or built (WGS84 lon/lat polygons), drawn in the
        ``drawn`` style and measured like the presets.
    buffer_radii_km : sequence of float
        Radii (km) of geodesic rings around ``buffer_center``.
    buffer_center : (lon, lat), optional
        Centre of the rings (degrees); default the incident.
    band_km : float, optional
        Depth (km) of a band along the NATO border on the Ukrainian side, clipped
        to Ukraine (segments whose neighbour is UA on ``as_of``).
    visible_layers : collection of str
        Built-in layers to show; default all.  ``zones`` off hides the presets.
    user_layers : mapping of name to GeoDataFrame
        The user's own layers (WGS84), drawn in the ``user`` style.
    as_of : date, optional
        Date for the NATO border; default the incident's date, else today (UTC;
        the day of ``SOURCE_DATE_EPOCH`` when that is set).
    units : {"km", "nm", "mi"}
        Units of every distance and area in ``metrics``.
    title : str, optional
        Title; default from the incident.
    view : View, optional
        What to show; default the zones, rings, band and incident with a margin.

    Returns
    -------
    Scene
        Layers bottom to top, view, metrics (formatted with units), sources.

    Raises
    ------
    InputError
        Unknown incident or zone id, bad radius or depth, rings without a centre,
        unknown unit.
    """
    if units not in KM_PER_UNIT:
        raise InputError(f"unknown distance unit {units!r}; use one of {', '.join(KM_PER_UNIT)}")
    unknown = [n for n in visible_layers if n not in LAYERS]
    if unknown:
        raise InputError(f"unknown layer {unknown[0]!r}; use one of {', '.join(BUILTIN_LAYERS)}")
    visible = set(visible_layers)
    user_layers = dict(user_layers or {})

    incident = _incident(incident_id) if incident_id else None
    inc_date = _as_date(incident.get("date")) if incident else None
    as_of = as_of or inc_date or _today()

    countries = load_layer("countries")
    nato = nato_border_on(as_of, load_layer("nato_border"))
    zones = _zones(list(zone_ids)) if (zone_ids and "zones" in visible) else None

    metrics: dict[str, str] = {}
    extent: list[BaseGeometry] = []
    strike_line = None

    # --- the strike's distances (always measured on the full-resolution layers) -----------
    if incident:
        p = shapely.Point(incident["lon"], incident["lat"])
        extent.append(p)
        if len(nato):
            r = nearest([incident["lon"]], [incident["lat"]], nato, id_field="id").iloc[0]
            d_text = format_distance(float(r["distance_km"]), units)
            metrics[f"Strike → NATO border ({r['feature']})"] = d_text
            line = geodesic_line(incident["lon"], incident["lat"], float(r["nearest_lon"]),
                                 float(r["nearest_lat"]), n_points=16)
            strike_line = gpd.GeoDataFrame(
                [{"id": "strike-nato-border", "name": f"Strike → NATO border: {d_text}",
                  "segment": str(r["feature"]), "distance_km": round(float(r["distance_km"]), 3),
                  "azimuth_deg": round(float(r["azimuth_deg"]), 1), "geometry": line}],
                geometry="geometry", crs="EPSG:4326")
        ua = countries[countries["iso_a2"] == "UA"]
        if len(ua):
            r = nearest([incident["lon"]], [incident["lat"]], ua, id_field="iso_a2").iloc[0]
            metrics["Strike → Ukraine"] = format_distance(float(r["distance_km"]), units)

    # --- zones -------------------------------------------------------------------------
    if zones is not None and len(zones):
        for _, z in zones.iterrows():
            metrics[str(z["name"])] = format_area(area_km2(z.geometry), units)
        extent += list(zones.geometry.values)
    drawn = None
    if extra_zones:
        rows = []
        for name, geom in extra_zones:
            if geom is None or geom.is_empty:
                continue
            if not geom.is_valid:  # e.g. a hand-drawn bow-tie: measure and draw the repaired shape
                geom = shapely.make_valid(geom)
            a = area_km2(geom)
            rows.append({"id": str(name), "name": str(name), "area_km2": round(a, 1), "geometry": geom})
            metrics[str(name)] = format_area(a, units)
        if rows:
            drawn = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
            extent += list(drawn.geometry.values)

    # --- range rings -------------------------------------------------------------------
    rings = None
    radii = [float(r) for r in buffer_radii_km]
    if radii:
        if any(not (r > 0) or not math.isfinite(r) for r in radii):
            raise InputError("ring radii must be positive numbers of km")
        if buffer_center is None:
            if not incident:
                raise InputError("rings need a centre: choose an incident or give a position")
            c_lon, c_lat = incident["lon"], incident["lat"]
            where = "strike"
        else:
            c_lon, c_lat = float(buffer_center[0]), float(buffer_center[1])
            at_incident = incident and abs(c_lon - incident["lon"]) < 1e-7 and abs(c_lat - incident["lat"]) < 1e-7
            where = "strike" if at_incident else f"{abs(c_lat):.2f}°{'N' if c_lat >= 0 else 'S'} " \
                                                    f"{abs(c_lon):.2f}°{'E' if c_lon >= 0 else 'W'}"
        rows = []
        for r in sorted(set(radii), reverse=True):  # largest first, so smaller rings draw on top
            g = buffer_point(c_lon, c_lat, r)
            a = area_km2(g)
            label = _radius_text(r, units)
            rows.append({"id": f"ring-{r:g}km", "name": label, "radius_km": r, "area_km2": round(a, 1),
                         "center_lon": c_lon, "center_lat": c_lat, "geometry": g, "_a": a})
        for row in sorted(rows, key=lambda d: d["radius_km"]):
            metrics[f"Within {row['name']} of {where}"] = format_area(row.pop("_a"), units)
        rings = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
        extent += list(rings.geometry.values)

    # --- band along the NATO border, Ukrainian side ---------------------------------------
    band = None
    if band_km:
        depth = float(band_km)
        if not (depth > 0) or not math.isfinite(depth):
            raise InputError("the band depth must be a positive number of km")
        ua_segments = nato[nato["neighbour"] == "UA"]
        seg_ids = [str(s) for s in ua_segments["id"]]
        if not seg_ids:
            raise InputError(f"no NATO border with Ukraine on {as_of.isoformat()}")
        ukraine = countries[countries["iso_a2"] == "UA"]
        g = side_band(shapely.union_all(np.asarray(ua_segments.geometry.values)), depth, ukraine)
        a = area_km2(g)
        label = _radius_text(depth, units)
        band = gpd.GeoDataFrame([{"id": f"band-{depth:g}km", "name": f"{label} band",
                                  "depth_km": depth, "segments": ", ".join(seg_ids),
                                  "area_km2": round(a, 1), "geometry": g}],
                                geometry="geometry", crs="EPSG:4326")
        metrics[f"Band {label} deep (UA side)"] = format_area(a, units)
        extent.append(g)

    # --- layers, bottom to top --------------------------------------------------------------
    layers: list[SceneLayer] = []

    def add(name: str, gdf: gpd.GeoDataFrame, style: LayerStyle | None = None, label: str | None = None):
        st = style or style_for(name)
        layers.append(SceneLayer(name, gdf, st, label=label,
                                 tooltip_fields=TOOLTIP_FIELDS.get(name, tuple(
                                     c for c in gdf.columns if c != gdf.geometry.name)),
                                 show_labels=name in LABELLED))

    if "countries" in visible:
        add("countries", countries)
    if "regions" in visible:
        add("regions", load_layer("regions"))
    if zones is not None and len(zones):
        add("zones", zones)
    if drawn is not None:
        add("drawn", drawn)
    if band is not None:
        add("band", band, label=f"Border band, {_radius_text(float(band_km), units)} (UA side)")
    if rings is not None:
        add("buffers", rings, label="Range rings " + "/".join(
            _radius_text(r, units).split()[0] for r in sorted(set(radii))) + f" {units}")
    taken = {lyr.name for lyr in layers} | set(LAYERS)
    user_scene: list[SceneLayer] = []
    for name, gdf in user_layers.items():
        user_scene += _user_layer(str(name), gdf, taken)
    layers += [u for u in user_scene if u.style.kind == "polygon"]
    if "nato_border" in visible:
        add("nato_border", nato, label=f"NATO border on {_long_date(as_of)}")
    if strike_line is not None:
        layers.append(SceneLayer(STRIKE_LINE, strike_line,
                                 replace(style_for("measure"), name=STRIKE_LINE, label="Strike → NATO border",
                                         id_field="id", label_field="name"),
                                 label=strike_line["name"].iloc[0],
                                 tooltip_fields=("name", "segment", "azimuth_deg"), pickable=False))
    layers += [u for u in user_scene if u.style.kind == "line"]
    if "cities" in visible:
        add("cities", load_layer("cities"))
    layers += [u for u in user_scene if u.style.kind == "point"]
    if "incidents" in visible:
        add("incidents", load_layer("incidents"))

    # --- words -----------------------------------------------------------------------------
    if title is None:
        if incident:
            place = str(incident.get("place") or incident["id"]).split(",")[0].strip()
            title = f"{place} strike, {_long_date(inc_date)}" if inc_date else f"{place} strike"
        else:
            title = "NATO eastern flank: candidate no-fly zones"
    sub: list[str] = []
    if incident:
        country = countries.loc[countries["iso_a2"] == incident.get("country"), "name"]
        place = str(incident.get("place") or "")
        sub.append(", ".join(x for x in (place, str(country.iloc[0]) if len(country) else "") if x))
        pos = f"{abs(incident['lat']):.4f}°{'N' if incident['lat'] >= 0 else 'S'} " \
              f"{abs(incident['lon']):.4f}°{'E' if incident['lon'] >= 0 else 'W'}"
        if incident.get("precision_m"):
            pos += f" (±{int(incident['precision_m'])} m)"
        sub.append(pos)
    sub.append(f"NATO border as of {_long_date(as_of)}")

    used = [lyr.name for lyr in layers if lyr.name in LAYERS] + ["countries"]
    sources = attribution_lines(used)
    if incident:
        line = _incident_sources(incident)
        if line:
            sources.append(line)

    if view is None:
        view = default_view(extent, nato[nato["neighbour"] == "UA"].total_bounds
                            if len(nato) else (22.0, 44.0, 33.0, 53.0))

    return Scene(layers=layers, view=view, title=title, subtitle=" · ".join(sub), incident=incident,
                 as_of=as_of, metrics=metrics, sources=sources, units=units, locator=countries)
