"""Scene -> pydeck Deck for the live map.

Two outputs, both built with pydeck:

- :func:`scene_to_deck`, a full Deck for ``st.pydeck_chart`` (every feature
  inline in the spec);
- :func:`scene_spec` / :func:`build_args`, the args of the one map component
  (``dashboard/ui/mapview``, contract in ``/tmp/prompts/map_protocol.md``):
  ``GeoTableLayer`` specs that reference the static layer files
  (``dashboard/ui/mapview/layers/*.bin``, fetched once per browser) or, for
  derived and user layers, GeoTable JSON blobs (:mod:`dashboard.render.geotable`)
  sent once per browser session.

Geometry is simplified here *for display only* (measurements always use the
full-resolution layers in the core).  Tooltips are plain text: deck.gl puts a
``{"text": ...}`` tooltip into the page with ``innerText``, so a property such as
``<img src=x onerror=alert(1)>`` from an uploaded file shows as text and never
runs.
"""
from __future__ import annotations

import html
import json
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize
from pydeck.types import String

from dashboard.cache import content_token, memoize
from dashboard.render.geotable import (
    GeoTable,
    blob_hash,
    editable_geojson,
    encode,
    json_value,
    static_ids,
    static_index,
    to_blob,
)
from dashboard.render.styles import NEIGHBOUR_COLOURS, RGBA, feature_colours
from dashboard.scene import STRIKE_LINE, Scene, SceneLayer, View

#: Served by Streamlit's static file server (see .streamlit/config.toml).
OFFLINE_MAP_STYLE = "/app/static/basemap-style.json"
#: Display tolerance in degrees (about 1 km, under a pixel at zoom 6).
DISPLAY_TOLERANCE_DEG = 0.012
#: Decimal places kept in the deck spec (1e-3 degree is about 100 m, under a pixel below zoom 9).
DISPLAY_DECIMALS = 3
#: Point layers with a population are thinned for display to places at least this
#: large (the full layer is still measured); 1,500 of the 5,300 cities.
DISPLAY_MIN_POPULATION = 50_000
#: ...and only places at least this large are labelled.
LABEL_MIN_POPULATION = 250_000

def view_for_bounds(bounds_deg: tuple[float, float, float, float],
                    width_px: int = 600, height_px: int = 560) -> View:
    """Web-map centre and zoom that fit ``bounds_deg`` (west, south, east, north)."""
    w, s, e, n = bounds_deg
    lon, lat = (w + e) / 2, (s + n) / 2

    def merc_y(phi: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(phi) / 2))

    span_x = max(e - w, 1e-6) / 360.0
    span_y = max(abs(merc_y(n) - merc_y(s)), 1e-9) / (2 * math.pi)
    zoom = min(math.log2(width_px / 256 / span_x), math.log2(height_px / 256 / span_y))
    return View(bounds_deg=bounds_deg, lon=lon, lat=lat, zoom=round(max(zoom, 1.0), 2))


def tooltip_text(props: dict[str, Any], fields: Iterable[str], title_field: str) -> str:
    """Plain-text tooltip: the title, then ``field: value`` lines (never HTML)."""
    lines = []
    title = props.get(title_field)
    if title not in (None, ""):
        lines.append(str(title))
    for f in fields:
        v = props.get(f)
        if f == title_field or v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        lines.append(f"{f}: {v}")
    return "\n".join(lines)


def _round_geoms(geoms: np.ndarray, tolerance_deg: float) -> np.ndarray:
    if tolerance_deg > 0:
        geoms = shapely.simplify(geoms, tolerance_deg, preserve_topology=True)
    return shapely.transform(geoms, lambda xy: np.round(xy, DISPLAY_DECIMALS))


def _jsonable(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (str, int, bool)) or v is None:
        return v
    return str(v)


def _gdf_token(layer: SceneLayer, tolerance_deg: float = 0.0) -> str:
    """Content hash of a layer as drawn: geometry (WKB), attributes and style."""
    return content_token(repr((layer.name, layer.style, layer.tooltip_fields, tolerance_deg)),
                         layer.gdf)


def _rings_xy(geom) -> list[list[np.ndarray]]:
    """Polygon parts as lists of rings (exterior first), each an (n, 2) array."""
    parts = getattr(geom, "geoms", [geom])
    out = []
    for p in parts:
        if p.geom_type == "Polygon" and not p.is_empty:
            out.append([np.asarray(p.exterior.coords)]
                       + [np.asarray(r.coords) for r in p.interiors])
    return out


def _lines_xy(geom) -> list[np.ndarray]:
    """Line parts (or polygon rings) as (n, 2) arrays."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return [r for rings in _rings_xy(geom) for r in rings]
    return [np.asarray(p.coords) for p in getattr(geom, "geoms", [geom])
            if p.geom_type in ("LineString", "LinearRing") and not p.is_empty]


@memoize(maxsize=256, key=lambda layer, tolerance_deg=DISPLAY_TOLERANCE_DEG:
         _gdf_token(layer, tolerance_deg))
def shape_rows(layer: SceneLayer, tolerance_deg: float = DISPLAY_TOLERANCE_DEG,
               ) -> tuple[list[dict], list[dict]]:
    """Rows for a polygon or line layer, simplified for display.

    Returns ``(fills, paths)``: one fill row per polygon part
    (``{"polygon": [ring, ...], ...}``) and one path row per line or ring
    (``{"path": [[lon, lat], ...], ...}``).  Every row carries the feature's id
    and label fields, a plain-text ``tooltip`` and its ``_fill``/``_line`` colours
    (RGBA 0-255, by :func:`dashboard.render.styles.feature_colours`).  Memoised per content.

    Deck's primitive layers (SolidPolygonLayer, PathLayer) are used rather than
    GeoJsonLayer: Streamlit drops map selections made on composite layers.
    """
    gdf = layer.gdf
    style = layer.style
    geoms = _round_geoms(np.asarray(gdf.geometry.values), tolerance_deg)
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    records = gdf[cols].to_dict("records") if cols else [{} for _ in range(len(gdf))]
    fills: list[dict] = []
    paths: list[dict] = []
    fill_colours, line_colours = feature_colours(style, gdf)
    for rec, geom, fill, line in zip(records, geoms, fill_colours, line_colours):
        if geom is None or shapely.is_empty(geom):
            continue
        base = {k: _jsonable(v) for k, v in rec.items()
                if k in (style.id_field, style.label_field)}
        base["_fill"], base["_line"] = list(fill), list(line)
        base["tooltip"] = tooltip_text(rec, layer.tooltip_fields, style.label_field)
        if style.kind == "polygon":
            for rings in _rings_xy(geom):
                fills.append({**base, "polygon": [r.tolist() for r in rings]})
        for xy in _lines_xy(geom):
            paths.append({**base, "path": xy.tolist()})
    return fills, paths


@memoize(maxsize=256, key=_gdf_token)
def point_records(layer: SceneLayer) -> list[dict]:
    """Records ``{lon, lat, radius_px, tooltip, ...}`` for a point layer (memoised)."""
    gdf = layer.gdf
    style = layer.style
    if "population" in gdf.columns:
        gdf = gdf[gdf["population"].fillna(0) >= DISPLAY_MIN_POPULATION]
    pts = shapely.get_coordinates(gdf.geometry.values) if len(gdf) else np.empty((0, 2))
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    recs = gdf[cols].to_dict("records") if cols else [{} for _ in range(len(gdf))]
    out = []
    radius = _radius_px(gdf, style.point_radius_px)
    for (lon, lat), rec, r in zip(pts, recs, radius):
        row = {k: _jsonable(v) for k, v in rec.items() if k in (style.id_field, style.label_field)}
        row.update(lon=round(float(lon), 5), lat=round(float(lat), 5), radius_px=float(r),
                   tooltip=tooltip_text(rec, layer.tooltip_fields, style.label_field))
        if "population" in rec:
            row["_label"] = bool((rec["population"] or 0) >= LABEL_MIN_POPULATION)
        out.append(row)
    return out


def _radius_px(gdf: gpd.GeoDataFrame, base_px: float) -> np.ndarray:
    """Marker radii: by population (area proportional) when the layer has one."""
    if "population" in gdf.columns and len(gdf):
        pop = np.nan_to_num(gdf["population"].to_numpy(dtype=float), nan=15_000.0)
        return np.clip(base_px * np.sqrt(pop / 50_000.0), 2.0, 18.0).round(1)
    return np.full(len(gdf), base_px)


def deck_layers(scene: Scene) -> list[pdk.Layer]:
    """pydeck layers for every scene layer, bottom to top, each with a unique id."""
    out: list[pdk.Layer] = []
    for lyr in scene.layers:
        st = lyr.style
        if st.kind == "point":
            data = point_records(lyr)
            out.append(pdk.Layer(
                "ScatterplotLayer", id=lyr.name, data=data, pickable=lyr.pickable,
                get_position="[lon, lat]", get_radius="radius_px",
                radius_units=String("pixels"),
                get_fill_color=list(st.fill), get_line_color=list(st.line),
                stroked=True, line_width_min_pixels=max(st.line_width_px, 1.0),
            ))
            labels = [
                {"lon": d["lon"], "lat": d["lat"],
                 "text": str(d.get(st.label_field, "")).split(",")[0]}
                for d in data if d.get("_label", True)
            ] if lyr.show_labels else []
            if labels:
                out.append(pdk.Layer(
                    "TextLayer", id=f"{lyr.name}-labels", data=labels, pickable=False,
                    get_position="[lon, lat]", get_text="text",
                    get_size=13, size_units=String("pixels"), get_color=[20, 20, 20, 255],
                    get_pixel_offset=[0, -14], character_set=String("auto"),
                    font_family=String("DejaVu Sans, Arial, sans-serif"),
                    outline_width=2, outline_color=[255, 255, 255, 255],
                    font_settings={"sdf": True},
                ))
        else:
            tol = 0.0 if lyr.name in ("measure",) else DISPLAY_TOLERANCE_DEG
            fills, paths = shape_rows(lyr, tol)
            if st.kind == "polygon":
                out.append(pdk.Layer(
                    "SolidPolygonLayer", id=lyr.name, data=fills, pickable=lyr.pickable,
                    filled=True, get_polygon="polygon", get_fill_color="_fill",
                ))
            out.append(pdk.Layer(
                "PathLayer", id=lyr.name if st.kind == "line" else f"{lyr.name}-outline",
                data=paths, pickable=lyr.pickable and st.kind == "line",
                get_path="path", get_color="_line", width_units=String("pixels"),
                get_width=st.line_width_px, width_min_pixels=1, joint_rounded=True,
            ))
    return out


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation.

    pydeck indents its JSON by two spaces, which more than triples the spec sent
    to the browser on every rerun (3.5 MB instead of 1 MB at the default view).
    """

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize,
                          separators=(",", ":"))


def scene_to_deck(scene: Scene, height_px: int = 620) -> pdk.Deck:
    """The live map for ``scene``: offline style, plain-text tooltips."""
    v = scene.view
    return CompactDeck(
        layers=deck_layers(scene),
        initial_view_state=pdk.ViewState(longitude=v.lon, latitude=v.lat, zoom=v.zoom),
        map_style=OFFLINE_MAP_STYLE,
        map_provider="carto",
        tooltip={"text": "{tooltip}"},
        height=height_px,
    )


def legend_entries(scene: Scene) -> list[tuple[str, RGBA]]:
    """(label, colour) for every drawn layer; the NATO border one entry per neighbour."""
    return [(row["label"], tuple(row["color"])) for row in legend_rows(scene)]


def legend_html(scene: Scene) -> str:
    """The live map's legend as HTML; every label is escaped (user layers are named
    after their files)."""
    items = []
    for label, c in legend_entries(scene):
        alpha = max(c[3], 120) / 255
        items.append(
            '<span style="white-space:nowrap;margin-right:1em">'
            '<span style="display:inline-block;width:12px;height:12px;margin-right:4px;'
            f'border:1px solid #555;background:rgba({c[0]},{c[1]},{c[2]},{alpha:.2f})"></span>'
            f"{html.escape(label)}</span>"
        )
    return " ".join(items)


# ------------------------------------------------------------------ the one map
#: Display tolerance of dynamic layers (blobs), degrees: about 50 m, half a pixel at zoom 10.
BLOB_TOLERANCE_DEG = 0.0005
#: Layers sent with every vertex (short geodesic lines whose shape is the point).
EXACT_LAYERS: frozenset[str] = frozenset({"measure", STRIKE_LINE})
#: The sea: the map's background colour (the offline basemap style's ``#d6e6f0``).
SEA_RGB: tuple[int, int, int] = (214, 230, 240)
#: Cities drawn from each zoom on (web-map zoom, least population); the last stop
#: whose zoom is at most the map's zoom applies.
CITY_STOPS: tuple[tuple[float, int], ...] = ((0, 250_000), (6, DISPLAY_MIN_POPULATION), (8, 0))
#: ...and labelled from each zoom on.  Marker radii follow :func:`_radius_px`:
#: ``pointRadiusPx * sqrt(population / ref)`` px, clipped to ``[min, max]`` (``radiusBy``).
CITY_LABEL_STOPS: tuple[tuple[float, int], ...] = (
    (0, 1_000_000), (5, 500_000), (6, LABEL_MIN_POPULATION), (7, 100_000), (8, 50_000), (9, 0))
#: Every key of a LayerSpec, with the value meaning "none" (pydeck drops None values).
LAYER_DEFAULTS: dict[str, Any] = {
    "fill": None, "line": None, "colorBy": None, "radiusBy": None, "minValueByZoom": None,
    "labels": None, "visibleIds": None, "tooltip": [], "pickable": True, "visible": True}
_MAP_KEYS = ("mapStyle", "mapProvider", "mapboxKey", "googleMapsKey", "customLibraries")


def _by_zoom(field: str, stops: Sequence[tuple[float, int]]) -> dict[str, Any]:
    return {"field": field, "stops": [[z, v] for z, v in stops]}


def _per_feature_colours(layer: SceneLayer) -> bool:
    return bool({"fill_rgba", "line_rgba"} & set(layer.gdf.columns))


def _style_fields(layer: SceneLayer) -> dict[str, Any]:
    """The LayerSpec entries that read feature properties: colorBy, radiusBy, minValueByZoom,
    labels (each None when the layer has no such field)."""
    st, cols = layer.style, set(layer.gdf.columns)
    by_pop = st.kind == "point" and "population" in cols
    color_by = None
    if st.name == "nato_border" and "neighbour" in cols and "line_rgba" not in cols:
        color_by = {"field": "neighbour", "target": "line",
                    "map": {k: list(c) for k, (_, c) in NEIGHBOUR_COLOURS.items()}}
    labels = None
    if layer.show_labels or st.name == "drawn":
        labels = {"field": st.label_field, "sizePx": 13 if st.kind == "point" else 12,
                  "minValueByZoom": _by_zoom("population", CITY_LABEL_STOPS) if by_pop else None}
    return {"colorBy": color_by, "labels": labels,
            "radiusBy": {"field": "population", "ref": 50_000, "min": 2, "max": 18}
            if by_pop else None,
            "minValueByZoom": _by_zoom("population", CITY_STOPS) if by_pop else None}


def map_fields(layer: SceneLayer) -> tuple[str, ...]:
    """The properties the map needs of ``layer``: label, tooltip fields, the fields its
    colours, sizes and thinning read, and per-feature ``_fill``/``_line`` colours."""
    extra = [v["field"] for v in _style_fields(layer).values() if v]
    colours = ("_fill", "_line") if _per_feature_colours(layer) else ()
    return tuple(dict.fromkeys((layer.style.label_field, *layer.tooltip_fields, *extra,
                                *colours)))


def layer_table(layer: SceneLayer, tolerance_deg: float) -> GeoTable:
    """``layer`` as a GeoTable of :func:`map_fields`, simplified by ``tolerance_deg`` degrees."""
    gdf = layer.gdf
    if _per_feature_colours(layer):
        fills, lines = feature_colours(layer.style, gdf)
        gdf = gdf.assign(_fill=[list(c) for c in fills], _line=[list(c) for c in lines])
    return encode(gdf, layer.style.kind, layer.style.id_field, map_fields(layer), tolerance_deg)


def _blob_key(layer: SceneLayer) -> str:
    return _gdf_token(layer, BLOB_TOLERANCE_DEG) + repr(map_fields(layer))


@memoize(maxsize=128, key=_blob_key)
def layer_blob(layer: SceneLayer) -> tuple[str, dict[str, Any]]:
    """(sha1, GeoTable JSON) of a dynamic layer (memoised per content; do not modify)."""
    tol = 0.0 if layer.name in EXACT_LAYERS or layer.style.kind == "point" else BLOB_TOLERANCE_DEG
    blob = to_blob(layer_table(layer, tol))
    return blob_hash(blob), blob


def static_ref(layer: SceneLayer, index: dict[str, dict[str, Any]] | None = None,
               ) -> tuple[str, tuple[str, ...] | None] | None:
    """(URL, visible ids or None for all) when a static file holds ``layer``'s features
    and properties, else None (the layer then goes as a blob)."""
    entry = (static_index() if index is None else index).get(layer.name)
    st = layer.style
    if (entry is None or st.name != layer.name or entry.get("kind") != st.kind
            or not set(map_fields(layer)) <= set(entry.get("fields", ()))
            or st.id_field not in layer.gdf.columns):
        return None
    try:
        known = static_ids(entry["url"])
    except (OSError, ValueError):
        return None
    ids = tuple(layer.gdf[st.id_field].astype(str))
    if not set(ids) <= known:
        return None
    return entry["url"], (None if len(set(ids)) == len(known) else ids)


def _colour(c: RGBA | None) -> list[int] | None:
    return None if c is None else [int(v) for v in c]


def layer_spec(layer: SceneLayer, data: str, visible_ids: Sequence[str] | None = None,
               hidden: Collection[str] = ()) -> pdk.Layer:
    """The ``GeoTableLayer`` of ``layer``; ``data`` is a static URL or ``blob:<sha1>``."""
    st = layer.style
    return pdk.Layer(
        "GeoTableLayer", id=layer.name, data=data, kind=String(st.kind),
        fill=None if st.kind == "line" else _colour(st.fill), line=_colour(st.line),
        lineWidthPx=float(st.line_width_px), pointRadiusPx=float(st.point_radius_px),
        visibleIds=None if visible_ids is None else tuple(str(i) for i in visible_ids),
        tooltip=tuple(layer.tooltip_fields) if layer.pickable else (),
        titleField=String(st.label_field), pickable=bool(layer.pickable),
        visible=layer.name not in hidden, **_style_fields(layer))


def scene_spec(scene: Scene, sent: Collection[str] = frozenset(), hidden: Collection[str] = (),
               ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The map component's deck spec and the blobs the browser lacks.

    Parameters
    ----------
    scene : Scene
        What to draw (layers bottom to top, the view).
    sent : collection of str
        Blob hashes this browser has already been sent.
    hidden : collection of str
        Layer ids the user switched off in the legend (drawn with ``visible: false``).

    Returns
    -------
    spec : dict
        ``json.loads(pydeck.Deck(...).to_json())`` with ``GeoTableLayer`` layers
        (static layers by URL, subsets by ``visibleIds``) and no basemap keys.
    blobs : dict
        ``{sha1: GeoTable JSON}`` of the dynamic layers whose hash is not in ``sent``
        (shared with the cache: do not modify).
    """
    index = static_index()
    layers, blobs = [], {}
    for lyr in scene.layers:
        ref = static_ref(lyr, index)
        if ref is None:
            digest, blob = layer_blob(lyr)
            ref = (f"blob:{digest}", None)
            if digest not in sent:
                blobs[digest] = blob
        layers.append(layer_spec(lyr, ref[0], ref[1], hidden))
    v = scene.view
    deck = pdk.Deck(layers=layers, map_style=None, map_provider=None,
                    initial_view_state=pdk.ViewState(longitude=round(v.lon, 5),
                                                     latitude=round(v.lat, 5),
                                                     zoom=round(v.zoom, 2)))
    spec = json.loads(deck.to_json())
    for k in _MAP_KEYS:
        spec.pop(k, None)
    spec["layers"] = [{**LAYER_DEFAULTS, **lyr} for lyr in spec.get("layers", [])]
    return spec, blobs


def legend_rows(scene: Scene, hidden: Collection[str] = ()) -> list[dict[str, Any]]:
    """The map component's legend: one row per entry of :func:`legend_entries`, with the
    layer ids it toggles (the NATO border one row per neighbour, all toggling the border)."""
    rows: list[dict[str, Any]] = []
    for lyr in scene.layers:
        st = lyr.style
        base = {"kind": st.kind, "layers": [lyr.name], "visible": lyr.name not in hidden}
        if lyr.name == "nato_border":
            present = set(lyr.gdf["neighbour"]) if "neighbour" in lyr.gdf.columns else set()
            rows += [{"id": f"nato_border:{k}", "label": label, "color": list(c), **base}
                     for k, (label, c) in NEIGHBOUR_COLOURS.items() if k in present]
        else:
            c = st.line if st.kind == "line" or st.fill[3] == 0 else st.fill
            rows.append({"id": lyr.name, "label": lyr.legend_label, "color": list(c), **base})
    return rows


def build_args(scene: Scene, sent: Collection[str] = frozenset(), *, mode: str = "explore",
               editable: gpd.GeoDataFrame | Mapping[str, Any] | None = None,
               view_request: Mapping[str, Any] | None = None,
               measure: Sequence[Sequence[float]] | None = None, height: int = 640,
               hidden: Collection[str] = ()) -> tuple[dict[str, Any], set[str]]:
    """The map component's args for ``scene`` and the blob hashes sent after them.

    Parameters
    ----------
    scene : Scene
        What to draw.
    sent : collection of str
        Blob hashes this browser already holds; only the others go in ``blobs``.
    mode : {"explore", "zones"}
        Which toolbar the map shows.
    editable : GeoDataFrame or GeoJSON mapping, optional
        The zones page's own zones (drawn by the editor, each with ``zone_id``).
    view_request : mapping, optional
        ``{"id", "bounds": [w, s, e, n]}`` or ``{"id", "lon", "lat", "zoom"}`` (degrees):
        the map flies there when ``id`` changes.
    measure : ((lon, lat), (lon, lat)), optional
        The measured pair in degrees, for display.
    height : int
        Frame height, px.
    hidden : collection of str
        Layer ids switched off in the legend.

    Returns
    -------
    args : dict
        JSON-ready args in the contract's shape.
    sent : set of str
        ``sent`` plus the hashes of the blobs in ``args``.
    """
    spec, blobs = scene_spec(scene, sent, hidden)
    args = {"spec": spec, "blobs": blobs,
            "view_request": None if view_request is None else json_value(dict(view_request)),
            "legend": legend_rows(scene, hidden), "mode": str(mode),
            "editable": editable_geojson(editable),
            "measure": None if measure is None else
            [[round(float(lon), 6), round(float(lat), 6)] for lon, lat in measure],
            "height": int(height), "background": list(SEA_RGB)}
    return args, set(sent) | set(blobs)
