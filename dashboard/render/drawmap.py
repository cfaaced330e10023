"""The drawing map: reference layers and zones -> an offline ``folium.Map`` with Leaflet.draw.

Leaflet 1.9.4 and Leaflet.draw 1.0.4 are vendored from npm under
``dashboard/static/vendor/`` and served by Streamlit's static file server at
``/app/static/vendor/...``.  folium's default asset lists (Leaflet, jQuery,
Bootstrap, Font Awesome and awesome-markers from five CDNs) are replaced *per
instance* by those local files, no tile layer is added, and the reference
layers are drawn with plain Leaflet code (``L.geoJSON`` on a canvas renderer),
so the map needs nothing but the app's own address.

Zones travel to the browser as a JSON spec and come back through
``streamlit_folium.st_folium(..., returned_objects=["all_drawings"])`` as a list
of GeoJSON features.  Every feature on the draw layer carries
``properties.zone_id`` (set here for zones we send, and by a ``draw:created``
hook for new shapes) and ``properties.shape`` (``polygon``, ``rectangle`` or
``circle``), so an edit or a delete in the browser maps back to the right zone.
Reading those features back into zone geometry lives in
:mod:`dashboard.drawing` (no folium there), as does
:class:`dashboard.drawing.MapZone`, the zones this module draws.

Geometry sent for display only (reference layers, read-only zones) is
simplified; zones that can be edited on the map are sent at full precision.
No Streamlit in this module.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Protocol

import folium
import numpy as np
import shapely
from branca.element import Element, MacroElement
from folium.plugins import Draw
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from dashboard.cache import memoize
from dashboard.render.styles import DERIVED_STYLES, LAYERS, NEIGHBOUR_COLOURS, LayerStyle

#: URL prefix of the vendored front-end files (Streamlit static serving).
VENDOR_URL: str = "/app/static/vendor"
LEAFLET_JS: list[tuple[str, str]] = [("leaflet", f"{VENDOR_URL}/leaflet/leaflet.js")]
LEAFLET_CSS: list[tuple[str, str]] = [("leaflet_css", f"{VENDOR_URL}/leaflet/leaflet.css")]
DRAW_JS: list[tuple[str, str]] = [("leaflet_draw_js",
                                   f"{VENDOR_URL}/leaflet-draw/leaflet.draw.js")]
DRAW_CSS: list[tuple[str, str]] = [("leaflet_draw_css",
                                    f"{VENDOR_URL}/leaflet-draw/leaflet.draw.css")]

#: Area the reference layers are cut to (west, south, east, north), degrees:
#: the NATO eastern flank from the Adriatic to the Barents Sea.
REFERENCE_BBOX_DEG: tuple[float, float, float, float] = (12.0, 40.0, 42.0, 71.0)
#: Display simplification of reference layers, degrees (about 1 km).
REFERENCE_TOLERANCE_DEG: float = 0.01
#: Display simplification of read-only zones, degrees (about 200 m).
ZONE_TOLERANCE_DEG: float = 0.002
#: Decimals kept for display geometry (1e-4 degree is about 10 m).
DISPLAY_DECIMALS: int = 4
#: Decimals kept for editable zones (1e-7 degree is about 1 cm).
EDIT_DECIMALS: int = 7
#: How many of the largest cities the drawing map labels.
N_CITIES: int = 60
#: Default view of the drawing map: western Ukraine and eastern Poland (the same
#: as :data:`dashboard.drawing.DEFAULT_CENTER`, which the page state starts from;
#: a renderer cannot import the state layer, and a test keeps the two equal).
DEFAULT_CENTER: tuple[float, float] = (26.0, 50.2)  # (lon, lat), degrees
DEFAULT_ZOOM: int = 6
#: Map background (sea; the countries layer includes the 12 nm territorial sea).
SEA_COLOUR: str = "#d6e6f2"


# ------------------------------------------------------------------ reference layers
@dataclass(frozen=True)
class RefLayer:
    """One read-only layer of the drawing map, ready for the browser.

    Attributes
    ----------
    name : str
        Layer name (``countries``, ``nato_border``...).
    label : str
        Name in the map's layer switcher.
    data : dict
        GeoJSON FeatureCollection (simplified, rounded); each feature's
        ``properties`` hold only ``tip`` (plain-text tooltip) and optionally
        ``color`` (CSS colour overriding the layer's line colour).
    style : dict
        Leaflet path options (``color``, ``weight``, ``fillColor``...).
    tooltip : bool
        Whether features answer the mouse with their ``tip``.
    """

    name: str
    label: str
    data: dict
    style: dict
    tooltip: bool = True

    @cached_property
    def js(self) -> str:
        """The layer as a JavaScript object literal (HTML-safe JSON), serialised once."""
        return htmlsafe_json_dumps({"label": self.label, "data": self.data,
                                    "style": self.style, "tooltip": self.tooltip})


def css_rgb(rgba: Sequence[int]) -> str:
    """``(r, g, b, a)`` 0-255 -> ``"rgb(r,g,b)"`` (the alpha goes into an opacity option)."""
    return f"rgb({int(rgba[0])},{int(rgba[1])},{int(rgba[2])})"


def leaflet_style(style: LayerStyle, *, dashed: bool = False) -> dict:
    """Leaflet path options for a :class:`~dashboard.layers.LayerStyle`."""
    out = {"color": css_rgb(style.line), "opacity": round(style.line[3] / 255, 3),
           "weight": max(float(style.line_width_px), 0.5),
           "fillColor": css_rgb(style.fill), "fillOpacity": round(style.fill[3] / 255, 3),
           "fill": style.kind != "line" and style.fill[3] > 0}
    if style.kind == "point":
        out.update(radius=float(style.point_radius_px), fill=True,
                   fillOpacity=max(out["fillOpacity"], 0.8))
    if dashed:
        out["dashArray"] = "6 4"
    return out


def display_geometries(geoms: Iterable[BaseGeometry], tolerance_deg: float,
                       decimals: int = DISPLAY_DECIMALS,
                       clip_bbox: tuple[float, float, float, float] | None = None,
                       ) -> np.ndarray:
    """Simplify (topology-preserving), clip and round geometries for display only.

    Parameters
    ----------
    geoms : iterable of shapely geometries, WGS84 degrees
    tolerance_deg : float
        Douglas-Peucker tolerance in degrees (0 keeps every vertex).
    decimals : int
        Decimal places kept.
    clip_bbox : (west, south, east, north) in degrees, optional
    """
    arr = np.asarray(list(geoms), dtype=object)
    if clip_bbox is not None and len(arr):
        arr = shapely.clip_by_rect(arr, *clip_bbox)
    if tolerance_deg > 0 and len(arr):
        arr = shapely.simplify(arr, tolerance_deg, preserve_topology=True)
    if len(arr):
        arr = shapely.transform(arr, lambda xy: np.round(xy, decimals))
    return arr


def _fc(geoms: np.ndarray, props: Sequence[dict]) -> dict:
    feats = []
    for g, p in zip(geoms, props):
        if g is None or shapely.is_empty(g):
            continue
        feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(g),
                      "properties": p})
    return {"type": "FeatureCollection", "features": feats}


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


@memoize(maxsize=8)
def reference_layers(as_of: date | None = None) -> tuple[RefLayer, ...]:
    """The drawing map's read-only layers, simplified for display.

    Countries (land), oblasts and voivodeships, the candidate zones of
    ``geodata/zones.geojson``, the NATO border as of ``as_of`` (coloured by the
    neighbour across it), the :data:`N_CITIES` largest cities and the
    incidents, cut to :data:`REFERENCE_BBOX_DEG`.  Cached per date.
    """
    from dashboard.geo.layers_io import load_layer
    from dashboard.geo.nato import nato_border_on

    out: list[RefLayer] = []
    bbox = REFERENCE_BBOX_DEG
    tol = REFERENCE_TOLERANCE_DEG

    countries = load_layer("countries")
    geoms = display_geometries(countries.geometry.values, tol, clip_bbox=bbox)
    out.append(RefLayer("countries", LAYERS["countries"].label,
                        _fc(geoms, [{"tip": _text(n)} for n in countries["name"]]),
                        leaflet_style(LAYERS["countries"]), tooltip=False))

    regions = load_layer("regions")
    geoms = display_geometries(regions.geometry.values, tol, clip_bbox=bbox)
    out.append(RefLayer("regions", LAYERS["regions"].label,
                        _fc(geoms, [{"tip": f"{_text(n)} ({_text(c)})"} for n, c in
                                    zip(regions["name"], regions["iso_3166_2"])]),
                        leaflet_style(LAYERS["regions"])))

    zones = load_layer("zones")
    geoms = display_geometries(zones.geometry.values, ZONE_TOLERANCE_DEG)
    out.append(RefLayer("zones", LAYERS["zones"].label,
                        _fc(geoms, [{"tip": f"{_text(n)} [{_text(i)}]"} for n, i in
                                    zip(zones["name"], zones["id"])]),
                        dict(leaflet_style(LAYERS["zones"]), fillOpacity=0.08,
                             dashArray="2 6")))

    border = nato_border_on(as_of) if as_of is not None else load_layer("nato_border")
    geoms = display_geometries(border.geometry.values, tol / 4, clip_bbox=bbox)
    props = []
    for _, r in border.iterrows():
        label, colour = NEIGHBOUR_COLOURS.get(str(r.get("neighbour")),
                                              ("NATO border", LAYERS["nato_border"].line))
        props.append({"tip": f"{_text(r.get('id'))}: {label} "
                             f"({float(r.get('length_km') or 0):.0f} km)",
                      "color": css_rgb(colour)})
    out.append(RefLayer("nato_border", LAYERS["nato_border"].label, _fc(geoms, props),
                        leaflet_style(LAYERS["nato_border"])))

    cities = load_layer("cities")
    inside = cities.geometry.within(box(*bbox))
    top = cities[inside].sort_values("population", ascending=False).head(N_CITIES)
    geoms = display_geometries(top.geometry.values, 0.0)
    out.append(RefLayer("cities", f"Cities (largest {N_CITIES})",
                        _fc(geoms, [{"tip": f"{_text(n)} ({_text(c)}), "
                                            f"{int(p):,} inhabitants"}
                                    for n, c, p in zip(top["name"], top["country"],
                                                       top["population"])]),
                        leaflet_style(LAYERS["cities"])))

    incidents = load_layer("incidents")
    geoms = display_geometries(incidents.geometry.values, 0.0, decimals=6)
    out.append(RefLayer("incidents", LAYERS["incidents"].label,
                        _fc(geoms, [{"tip": f"{_text(d)} · {_text(p)}"} for d, p in
                                    zip(incidents["date"], incidents["place"])]),
                        leaflet_style(LAYERS["incidents"])))
    return tuple(out)


def overlay_layer(name: str, label: str, geoms: Sequence[BaseGeometry],
                  tips: Sequence[str], style: LayerStyle) -> RefLayer:
    """A read-only overlay (e.g. buffer rings) from full-resolution geometries."""
    arr = display_geometries(geoms, ZONE_TOLERANCE_DEG / 4, decimals=5)
    return RefLayer(name, label, _fc(arr, [{"tip": t} for t in tips]),
                    leaflet_style(style, dashed=True))


# ------------------------------------------------------------------------- zones
class ZoneOnMap(Protocol):
    """What the drawing map needs of a zone (:class:`dashboard.drawing.MapZone` has it).

    Attributes
    ----------
    zone_id : str
        Stable id; comes back as ``properties.zone_id`` of the drawn feature.
    name : str
        Tooltip text (shown as text, never as HTML).
    geometry : Polygon | MultiPolygon
        WGS84 lon/lat degrees.
    shape : {"polygon", "rectangle", "circle"}
        How Leaflet.draw should treat it when editable.
    center_lon, center_lat : float | None
        Circle centre in degrees (circles only).
    radius_km : float | None
        Geodesic radius in km (circles only).
    bounds_deg : (west, south, east, north) | None
        Rectangle bounds in degrees (rectangles only).
    editable : bool
        On the Leaflet.draw layer (editable, deletable) or read-only.
    """

    @property
    def zone_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def geometry(self) -> BaseGeometry: ...
    @property
    def shape(self) -> str: ...
    @property
    def center_lon(self) -> float | None: ...
    @property
    def center_lat(self) -> float | None: ...
    @property
    def radius_km(self) -> float | None: ...
    @property
    def bounds_deg(self) -> tuple[float, float, float, float] | None: ...
    @property
    def editable(self) -> bool: ...


def _latlngs(poly: Polygon, decimals: int) -> list:
    rings = [poly.exterior, *poly.interiors]
    out = []
    for ring in rings:
        xy = np.round(np.asarray(ring.coords)[:-1, :2], decimals)
        out.append([[float(y), float(x)] for x, y in xy])
    return out


def zone_spec(z: ZoneOnMap) -> dict:
    """JSON spec of one zone for the browser (``latlngs`` in Leaflet's [lat, lon] order)."""
    style = DERIVED_STYLES["drawn"]
    spec: dict[str, Any] = {"id": z.zone_id, "name": z.name, "shape": z.shape,
                            "editable": bool(z.editable),
                            "style": leaflet_style(style, dashed=not z.editable)}
    if z.editable and z.radius_km is not None and z.center_lon is not None:
        spec["circle"] = [float(z.center_lon), float(z.center_lat), float(z.radius_km) * 1000.0]
        return spec
    if z.editable and z.bounds_deg is not None:
        w, s, e, n = (float(v) for v in z.bounds_deg)
        spec["rect"] = [[s, w], [n, e]]
        return spec
    if z.editable:
        geom = z.geometry
        spec["latlngs"] = _latlngs(geom, EDIT_DECIMALS)
        return spec
    geom = display_geometries([z.geometry], ZONE_TOLERANCE_DEG, decimals=5)[0]
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    spec["latlngs"] = [_latlngs(p, 5) for p in polys if isinstance(p, Polygon) and not p.is_empty]
    return spec


class _RawText(Element):
    """Text that is already rendered (branca would compile it as a Jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class _ZoneMapScript(MacroElement):
    """Reference layers, zones and the Leaflet.draw hooks, as one script block."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var drawn = {{ this.feature_group.get_name() }};
            function text(s) {
                var el = document.createElement("span");
                el.textContent = s;
                return el;
            }
            // Circles report their current radius (m), also after an edit.
            if (!L.Circle.prototype.__nfzRadius) {
                var circleToGeoJSON = L.Circle.prototype.toGeoJSON;
                L.Circle.prototype.toGeoJSON = function (precision) {
                    var f = circleToGeoJSON.call(this, precision);
                    f.properties = Object.assign({}, f.properties, {radius: this.getRadius()});
                    return f;
                };
                L.Circle.prototype.__nfzRadius = true;
            }
            function tag(layer, zoneId, shape) {
                layer.feature = layer.feature || {type: "Feature", properties: {}};
                layer.feature.properties = layer.feature.properties || {};
                layer.feature.properties.zone_id = zoneId;
                layer.feature.properties.shape = shape;
            }
            var canvas = L.canvas({padding: 0.5});
            var overlays = {};
            [{{ this.reference_js }}].forEach(function (ref) {
                var g = L.geoJSON(ref.data, {
                    renderer: canvas,
                    interactive: ref.tooltip,
                    style: function (f) {
                        var s = Object.assign({}, ref.style);
                        if (f && f.properties && f.properties.color) { s.color = f.properties.color; }
                        return s;
                    },
                    pointToLayer: function (f, ll) {
                        return L.circleMarker(ll, Object.assign({renderer: canvas,
                            interactive: ref.tooltip}, ref.style));
                    },
                    onEachFeature: function (f, layer) {
                        if (ref.tooltip && f.properties && f.properties.tip) {
                            layer.bindTooltip(text(f.properties.tip), {sticky: true});
                        }
                    }
                }).addTo(map);
                overlays[ref.label] = g;
            });
            var fixed = L.featureGroup().addTo(map);
            overlays["Zones (read-only here)"] = fixed;
            {{ this.zones|tojson }}.forEach(function (z) {
                var layer;
                if (z.circle) {
                    layer = L.circle([z.circle[1], z.circle[0]],
                                     Object.assign({radius: z.circle[2]}, z.style));
                } else if (z.rect) {
                    layer = L.rectangle(z.rect, z.style);
                } else {
                    layer = L.polygon(z.latlngs, z.style);
                }
                tag(layer, z.id, z.shape);
                layer.bindTooltip(text(z.name), {sticky: true});
                if (z.editable) { drawn.addLayer(layer); } else { fixed.addLayer(layer); }
            });
            map.on("draw:created", function (e) {
                tag(e.layer, "map-" + Date.now().toString(36) + "-" +
                    Math.random().toString(36).slice(2, 8), e.layerType);
            });
            L.control.layers(null, overlays, {collapsed: true, position: "topright"}).addTo(map);
            L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
        })();
        {% endmacro %}
    """)

    def __init__(self, feature_group: folium.FeatureGroup, reference: Sequence[RefLayer],
                 zones: list[dict]) -> None:
        super().__init__()
        self._name = "ZoneMapScript"
        self.feature_group = feature_group
        # pre-serialised (HTML-safe, like Jinja's tojson): the reference layers are
        # large and the template is rendered three times per run by streamlit-folium
        self.reference_js = ",".join(r.js for r in reference)
        self.zones = zones

    def render(self, **kwargs) -> None:
        # MacroElement.render wraps the output in Element(...), which lexes ~600 kB of
        # data as a Jinja template (0.1 s per render); add it as plain text instead.
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_RawText(script(self, kwargs)), name=self.get_name())


def build_draw_map(reference: Sequence[RefLayer], zones: Sequence[ZoneOnMap], *,
                   center: tuple[float, float] = DEFAULT_CENTER, zoom: float = DEFAULT_ZOOM,
                   ) -> folium.Map:
    """The drawing map: reference layers, zones, and the Leaflet.draw toolbar.

    Parameters
    ----------
    reference : sequence of RefLayer
        Read-only layers, drawn bottom to top.
    zones : sequence of ZoneOnMap (e.g. :class:`dashboard.drawing.MapZone`)
        Editable zones go on the Leaflet.draw layer; the others are drawn
        read-only (dashed).
    center : (lon, lat) in degrees
    zoom : web-map zoom level

    Returns
    -------
    folium.Map
        Loads only :data:`LEAFLET_JS`/:data:`LEAFLET_CSS` and
        :data:`DRAW_JS`/:data:`DRAW_CSS` (same origin), no tiles.
    """
    m = folium.Map(location=[float(center[1]), float(center[0])], zoom_start=zoom, tiles=None,
                   control_scale=False, prefer_canvas=False, min_zoom=3, max_zoom=14)
    m.default_js = list(LEAFLET_JS)
    m.default_css = list(LEAFLET_CSS)
    m.get_root().header.add_child(Element(
        f"<style>.leaflet-container {{ background: {SEA_COLOUR}; }}</style>"))
    group = folium.FeatureGroup(name="Zones (editable)", control=False)
    group.add_to(m)
    draw = Draw(
        feature_group=group, show_geometry_on_click=False, export=False, position="topleft",
        draw_options={
            "polyline": False, "marker": False, "circlemarker": False,
            "polygon": {"allowIntersection": False, "showArea": False,
                        "shapeOptions": leaflet_style(DERIVED_STYLES["drawn"])},
            "rectangle": {"showArea": False,
                          "shapeOptions": leaflet_style(DERIVED_STYLES["drawn"])},
            "circle": {"showRadius": True, "metric": True,
                       "shapeOptions": leaflet_style(DERIVED_STYLES["drawn"])},
        },
        edit_options={"poly": {"allowIntersection": False}},
    )
    draw.default_js = list(DRAW_JS)
    draw.default_css = list(DRAW_CSS)
    draw.add_to(m)
    script = _ZoneMapScript(group, reference, [zone_spec(z) for z in zones])
    script.add_to(m)
    return m


def asset_urls(m: folium.Map) -> list[str]:
    """Every script and stylesheet URL the map's elements ask the browser to load."""
    urls: list[str] = []

    def walk(el):
        urls.extend(src for _, src in getattr(el, "default_js", []))
        urls.extend(href for _, href in getattr(el, "default_css", []))
        for child in getattr(el, "_children", {}).values():
            walk(child)

    walk(m)
    return urls
