"""Session state of the dashboard page, and the small pure steps between the
widgets and the core.

Nothing here imports Streamlit: ``state`` is any mutable mapping (Streamlit's
``st.session_state`` in the app, a plain dict in tests).  Canonical values are
kept in km; widgets show them in the chosen unit.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd

from dashboard.analysis.incident_catalogue import catalogue_token, incident_layer
from dashboard.analysis.report import PointReport
from dashboard.data.catalogue import BUILTIN_LAYERS, CATALOGUE
from dashboard.data.limits import MAX_USER_LAYERS, MAX_USER_LAYERS_BYTES
from dashboard.geo.cache import approx_bytes, memoize
from dashboard.geo.errors import InputError
from dashboard.geo.units import KM_PER_UNIT, from_km, to_km
from dashboard.io.filecheck import size_text
from dashboard.io.layers_io import load_layer
from dashboard.scene.model import Scene, View
from dashboard.scene.request import (
    DEFAULT_INCIDENT_ID,
    DEFAULT_ZONE_IDS,
    MAX_RINGS,
    Marker,
    SceneRequest,
)
from dashboard.state import incidents as incidentfilter
from dashboard.state.fields import Session, StateLike, widget_key
from dashboard.state.mapevents import Click, Measure, ViewChange


def incidents_by_id() -> dict[str, dict[str, Any]]:
    """The point incidents as ``{id: properties + geometry}``, by date (shared: read only)."""
    return _incidents_by_id(catalogue_token())


@memoize(maxsize=2)
def _incidents_by_id(token: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in incident_layer().to_dict("records")}


def init(state: StateLike, incidents: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Put every key the page uses into ``state`` with its default, once.

    The NATO-border date starts at the default incident's date, as it follows
    the incident afterwards (:func:`on_incident_change`).  ``incidents`` is the
    catalogue by id (:func:`incidents_by_id`, loaded when not given).
    """
    state = Session.of(state)
    state.set_default(Session.incident, DEFAULT_INCIDENT_ID)
    if state.peek(Session.as_of) is None:
        incidents = incidents if incidents is not None else incidents_by_id()
        state.as_of = _incident_date(incidents[state.incident])
    state.set_default(Session.units, "km")
    state.set_default(Session.layers_on, list(BUILTIN_LAYERS))
    state.set_default(Session.zone_ids, list(DEFAULT_ZONE_IDS))
    state.set_default(Session.rings_km, [])
    state.set_default(Session.rings_error, None)
    state.set_default(Session.band_km, 0.0)
    state.set_default(Session.user_layers, {})
    state.set_default(Session.drawn_zones, [])
    state.set_default(Session.picked, None)
    state.set_default(Session.map_view, None)
    state.set_default(Session.view_request, None)
    state.set_default(Session.measure_a, "")
    state.set_default(Session.measure_b, "")
    incidentfilter.init_filters(state)  # the incident filters (inc_*) and the origin (origin*)
    sync_unit_widgets(state)


#: Widgets of the shared sidebar whose values live under these keys.
SIDEBAR_KEYS: tuple[str, ...] = ("incident", "as_of", "units", "layers_on", "zone_ids")


def keep_widget_values(state: StateLike) -> None:
    """Re-assign the sidebar's widget values, so that a page switch started before the
    previous run finished cannot drop them (Streamlit forgets widget values it did not
    see rendered in the last complete run)."""
    state = Session.of(state)
    for key in (*SIDEBAR_KEYS, rings_text_key(state.units), band_key(state.units)):
        if key in state:
            state[key] = state[key]


# ------------------------------------------------------------------ units ---
def rings_text_key(units: str) -> str:
    return widget_key("rings_text", units)


def band_key(units: str) -> str:
    return widget_key("band_input", units)


def _fmt_num(x: float) -> str:
    """A radius for the rings box: 4 significant digits (75 km is "40.5" nm, not "40.4968").

    >>> _fmt_num(75 / 1.852), _fmt_num(90.0)
    ('40.5', '90')
    """
    return f"{x:.4g}"


def sync_unit_widgets(state: StateLike) -> None:
    """Show the canonical km values in the current unit's widgets.

    Widget keys carry the unit, so switching units re-creates the widgets with
    converted values instead of reinterpreting old numbers in a new unit.
    """
    state = Session.of(state)
    units = state.units
    for u in KM_PER_UNIT:
        if u != units:
            state.pop(rings_text_key(u), None)
            state.pop(band_key(u), None)
    if rings_text_key(units) not in state:
        state[rings_text_key(units)] = ", ".join(_fmt_num(from_km(r, units))
                                                 for r in state.rings_km)
    if band_key(units) not in state:
        state[band_key(units)] = round(from_km(state.band_km, units), 3)


def parse_radii(text: str, units: str) -> list[float]:
    """``"75, 90"`` in ``units`` -> radii in km (sorted, unique, 0 < r <= 2000 km)."""
    out: list[float] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise InputError(f"'{part}' is not a number; give radii like 75, 90") from None
        km = to_km(value, units)
        if not 0 < km <= 2000:
            raise InputError(f"radius {part} {units} is outside 0–2000 km")
        out.append(km)
    if len(out) > MAX_RINGS:
        raise InputError(f"at most {MAX_RINGS} rings")
    return sorted(set(out))


def on_rings_text(state: StateLike, units: str) -> None:
    """The rings box of ``units`` changed: its radii, in km, become the rings.

    A box whose unit is no longer shown has no value any more (a units switch
    removed it while the browser still sent it: two reruns in quick succession,
    seen under load); its change is ignored.
    """
    state = Session.of(state)
    text = state.get(rings_text_key(units))
    if text is None:
        return
    try:
        state.rings_km = parse_radii(text, units)
        state.rings_error = None
    except InputError as exc:
        state.rings_error = str(exc)


def set_rings_km(state: StateLike, radii_km: list[float]) -> None:
    state = Session.of(state)
    state.rings_km = sorted(set(radii_km))
    state.rings_error = None
    state.pop(rings_text_key(state.units), None)
    sync_unit_widgets(state)


def on_band(state: StateLike, units: str) -> None:
    """The band box of ``units`` changed (ignored when that box is gone, as above)."""
    state = Session.of(state)
    if state.get(band_key(units)) is None:
        return
    state.band_km = to_km(float(state[band_key(units)] or 0.0), units)


# --------------------------------------------------------------- incident ---
def on_incident_change(state: StateLike, incidents: Mapping[str, Mapping[str, Any]]) -> None:
    """A new incident: the NATO border date follows it, the map pick resets and the
    map flies to it."""
    state = Session.of(state)
    incident = incidents[state.incident]
    state.as_of = _incident_date(incident)
    state.picked = None
    state.map_view = None
    fly_to(state, {"bounds": list(incident_view(float(incident["geometry"].x),
                                                float(incident["geometry"].y)).bounds_deg)})


def _incident_date(incident: Mapping[str, Any]) -> date:
    return date.fromisoformat(str(incident["date"])[:10])


def incident_pick(incident: Mapping[str, Any]) -> dict:
    g = incident["geometry"]
    return {"layer": "incidents", "id": str(incident["id"]), "name": str(incident["place"]),
            "lon": float(g.x), "lat": float(g.y)}


#: Half-size (degrees lon, lat) of the map window the page opens on, around the incident.
INCIDENT_VIEW_HALF_DEG: tuple[float, float] = (4.5, 2.6)


def incident_view(lon: float, lat: float) -> View:
    """The opening view: the incident in the centre, its region around it."""
    dx, dy = INCIDENT_VIEW_HALF_DEG
    return View.for_bounds((lon - dx, lat - dy, lon + dx, lat + dy))


def visible_zone_ids(state: StateLike) -> list[str]:
    state = Session.of(state)
    return list(state.zone_ids) if "zones" in state.layers_on else []


def extra_zones(state: StateLike) -> list[tuple[str, Any]]:
    """Zones the user drew or built: ``(name, shapely geometry)`` pairs."""
    state = Session.of(state)
    return [(z.name, z.geometry) for z in state.drawn_zones]


# -------------------------------------------------------------- selection ---
_KIND = {"Point": "point", "MultiPoint": "point", "LineString": "line",
         "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}


def _clicked_row(state: StateLike, layer: str, feature: str | None, index: int | None,
                 ) -> tuple[Any, str] | None:
    """(full-resolution geometry, name) of a clicked feature, found by layer and id."""
    state = Session.of(state)
    if layer in CATALOGUE:
        info = CATALOGUE[layer]
        gdf = load_layer(layer)
        hit = gdf[gdf[info.id_field].astype(str) == str(feature)]
        if not len(hit):
            return None
        name = hit[info.label_field].iloc[0] if info.label_field in hit.columns else feature
        return hit.geometry.iloc[0], str(name)
    if layer == "drawn":
        z = next((z for z in state.drawn_zones or [] if z.name == feature), None)
        return None if z is None else (z.geometry, z.name)
    base = layer.removeprefix("user:").rsplit(" (", 1)[0]
    gdf = (state.user_layers or {}).get(base)
    if gdf is None or index is None or not 0 <= index < len(gdf):
        return None
    row = gdf.iloc[index]
    label = next((c for c in ("name", "title", "label", "id") if c in gdf.columns), None)
    return row.geometry, str(row[label]) if label else f"{base} #{index + 1}"


def pick_from_click(state: StateLike, click: Click) -> dict:
    """What a click on the map picked: ``{layer, id, name, lon, lat, kind, geometry}``.

    A point feature is picked at its own position; a polygon or line keeps the
    clicked position (the panel measures from there) and its own geometry (it is
    also measured as itself).  A click on nothing picks the position (``kind`` "map").
    """
    found = _clicked_row(state, click.layer, click.feature, click.index) if click.layer else None
    pick = {"layer": click.layer or "map", "id": click.feature, "name":
            f"{click.lat:.5f}, {click.lon:.5f}", "lon": click.lon, "lat": click.lat,
            "kind": "map", "geometry": None}
    if found is None:
        return pick
    geom, name = found
    kind = _KIND.get(geom.geom_type, "map")
    pick.update(name=name, kind=kind, geometry=geom)
    if kind == "point":
        p = geom if geom.geom_type == "Point" else geom.representative_point()
        pick.update(lon=float(p.x), lat=float(p.y))
    return pick


def take_map_events(state: StateLike, events: Sequence[Any]) -> None:
    """Fold the map's events into the state: clicks pick, the measure tool fills the
    measuring form, view changes are remembered (the brief and share links use them)."""
    state = Session.of(state)
    for ev in events:
        if isinstance(ev, Click):
            state.picked = pick_from_click(state, ev)
        elif isinstance(ev, Measure):
            (alon, alat), (blon, blat) = ev.points
            state.measure_a, state.measure_b = f"{alat:.5f}, {alon:.5f}", \
                f"{blat:.5f}, {blon:.5f}"
        elif isinstance(ev, ViewChange):
            state.map_view = {"lon": ev.lon, "lat": ev.lat, "zoom": ev.zoom,
                                 "bounds": list(ev.bounds)}


def current_view(state: StateLike, fallback: View) -> View:
    """The view the user left the map at, else ``fallback``."""
    state = Session.of(state)
    v = state.map_view
    if not v:
        return fallback
    return View(bounds_deg=tuple(v["bounds"]), lon=v["lon"], lat=v["lat"], zoom=v["zoom"])


def fly_to(state: StateLike, request: Mapping[str, Any]) -> None:
    """Ask the map to fly somewhere (a ``view_request`` without its id; one is added)."""
    state = Session.of(state)
    n = int(state.view_request_seq) + 1  # never reset: the map flies on a new id
    state.view_request_seq = n
    state.view_request = {**request, "id": n}


def set_measure(state: StateLike, key: str, picked: Mapping[str, Any]) -> None:
    state[key] = f"{picked['lat']:.5f}, {picked['lon']:.5f}"


# -------------------------------------------------------------- downloads ---
def to_geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """RFC 7946 GeoJSON (WGS84) of a layer or result."""
    return gdf.to_crs(4326).to_json(drop_id=True, to_wgs84=True).encode()


def to_csv_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """CSV with lon/lat for points, WKT for other geometries."""
    df = gdf.drop(columns=[gdf.geometry.name]).copy()
    geoms = gdf.geometry
    if len(gdf) and bool(geoms.geom_type.eq("Point").all()):
        df["lon"] = geoms.x
        df["lat"] = geoms.y
    else:
        df["wkt"] = geoms.to_wkt()
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return buf.getvalue().encode()


# ----------------------------------------------------------------- panels ---
def report_table(report: PointReport, units: str) -> pd.DataFrame:
    """The selection panel's table: one row per target, distances in ``units``."""
    rows = [{
        "to": leg.target if leg.target != "incident" else "selected incident",
        "feature": leg.feature,
        f"distance ({units})": f"{from_km(leg.distance_km, units):.2f}",
        "bearing (°)": f"{leg.azimuth_deg:.0f}" if leg.distance_km > 1e-6 else "–",
        "inside": "yes" if leg.inside else "",
    } for leg in report.legs]
    return pd.DataFrame(rows).set_index("to")


def figures_table(scene: Scene) -> pd.DataFrame:
    """The scene's key figures (already formatted with units) as a two-column table."""
    return pd.DataFrame({"figure": list(scene.metrics), "value": list(scene.metrics.values())}
                        ).set_index("figure")


def without_layers(scene: Scene, hidden: Sequence[str] | frozenset[str]) -> Scene:
    """The scene less the layers switched off in the map's legend (for the brief)."""
    if not hidden:
        return scene
    return replace(scene, layers=[lyr for lyr in scene.layers if lyr.name not in hidden])


def unpick(state: StateLike) -> None:
    state = Session.of(state)
    state.picked = None


# ------------------------------------------------------- session bounds ---
# A session's state lives in the server's memory while its tab is open and for
# ``server.disconnectedSessionTTL`` seconds after (.streamlit/config.toml).  What a
# user brings is the large part: uploaded layers, each capped by
# dashboard.io.layers_io (MAX_UPLOAD_BYTES, MAX_UPLOAD_VERTICES) and together
# capped here, in number and estimated memory, so N sessions hold at most N times
# a known amount.  Process-wide caches are bounded in dashboard.geo.cache.


def user_layers_bytes(layers: Mapping[str, Any]) -> int:
    """Estimated memory of a session's uploaded layers together, bytes."""
    return sum(approx_bytes(g) for g in layers.values())


def refusal(layers: Mapping[str, Any], name: str, gdf: Any) -> str | None:
    """Why ``gdf`` may not join ``layers`` under ``name`` (one line), or None if it may.

    A layer already kept under ``name`` is replaced, so it does not count twice.
    """
    others = {k: v for k, v in layers.items() if k != name}
    if len(others) >= MAX_USER_LAYERS:
        return (f"not added: a session keeps at most {MAX_USER_LAYERS} of your layers; "
                "remove one from the uploader first")
    size, held = approx_bytes(gdf), user_layers_bytes(others)
    if held + size > MAX_USER_LAYERS_BYTES:
        return (f"not added: it takes about {size_text(size)} in memory and your layers "
                f"already hold {size_text(held)} of the {size_text(MAX_USER_LAYERS_BYTES)} a "
                "session may keep; "
                "remove a layer first")
    return None


def keep_user_layer(layers: MutableMapping[str, Any], name: str, gdf: Any) -> str | None:
    """Keep ``gdf`` in ``layers`` under ``name`` if the session's caps allow it.

    Parameters
    ----------
    layers : mutable mapping
        The session's uploaded layers (``state.user_layers``), name -> GeoDataFrame.
    name : str
        The file's name.
    gdf : GeoDataFrame
        The layer read from it.

    Returns
    -------
    str or None
        None when kept; else the one-line reason, and ``layers`` is unchanged.
    """
    why = refusal(layers, name, gdf)
    if why is None:
        layers[name] = gdf
    return why


def footprint(state: StateLike) -> list[tuple[str, int]]:
    """``(key, estimated bytes)`` of every entry of a session's state, largest first.

    Objects shared with other sessions or with the process-wide caches (the
    catalogue's layers a pick refers to) are counted here too: this is an upper
    bound on what the session adds.
    """
    rows = [(str(k), approx_bytes(v)) for k, v in state.items()]
    return sorted(rows, key=lambda r: -r[1])


# ---------------------------------------------------------------- request ---
def scene_request(state: StateLike, incidents: Mapping[str, Mapping[str, Any]], *,
                  view: View | None = None,
                  measure: tuple[tuple[float, float], tuple[float, float]] | None = None,
                  ) -> SceneRequest:
    """What the page's map shows, from the session state: the one request both pages use.

    Rings go around the point picked on the map, else the incident; the pick is
    marked unless it is the incident itself.  The incidents drawn are those the
    sidebar's filters leave (:mod:`dashboard.state.incidents`), each with its
    precision circle, and the launch area the incidents page chose is drawn.
    """
    state = Session.of(state)
    incident = incidents[state.incident]
    picked = state.picked or incident_pick(incident)
    marker = None if picked["layer"] == "incidents" else \
        Marker(str(picked["name"]), float(picked["lon"]), float(picked["lat"]))
    selected = (str(picked["layer"]), str(picked["id"])) \
        if picked.get("kind") in ("polygon", "line") and picked.get("id") is not None else None
    return SceneRequest(
        incident_id=str(incident["id"]), zone_ids=tuple(visible_zone_ids(state)),
        extra_zones=tuple(extra_zones(state)), ring_radii_km=tuple(state.rings_km),
        ring_center=(float(picked["lon"]), float(picked["lat"])),
        band_km=state.band_km or None, visible_layers=tuple(state.layers_on),
        user_layers=tuple(state.user_layers.items()), as_of=state.as_of,
        units=state.units, view=view, measure=measure, marker=marker, selected=selected,
        incident_ids=incidentfilter.request_incident_ids(state), precision_circles=True,
        origin=incidentfilter.usable_origin(state))
