"""Scene -> the one map's args: a pydeck-built deck spec and the blobs a browser lacks.

:func:`scene_spec` / :func:`build_args` make the args of the map component
(``dashboard/ui/mapview``): ``GeoTableLayer`` specs that reference the static layer
files (``dashboard/ui/mapview/layers/*.bin``, fetched once per browser) or, for
derived and user layers, GeoTable JSON blobs (:mod:`dashboard.render.geotable`)
sent once per browser session.

Geometry is simplified here *for display only* (measurements always use the
full-resolution layers in the core).  Tooltips and labels are text in the browser
(``textContent``, deck's TextLayer), so a property such as
``<img src=x onerror=alert(1)>`` from an uploaded file shows as text and never runs.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import pydeck as pdk
from pydeck.types import String

from dashboard.geo.cache import content_token, memoize
from dashboard.geo.units import from_km
from dashboard.render.basemap import current_basemap_arg
from dashboard.render.context_tiles import context_spec
from dashboard.render.geotable import (
    GeoTable,
    blob_hash,
    editable_geojson,
    encode,
    json_value,
    places_index,
    static_ids,
    static_index,
    to_blob,
)
from dashboard.scene.compose.reuse import by_identity
from dashboard.scene.model import STRIKE_LINE, Scene, SceneLayer
from dashboard.scene.styles import NEIGHBOUR_COLOURS, RGBA, feature_colours

#: Served by Streamlit's static file server (see .streamlit/config.toml).

#: Point layers with a population are thinned for display to places at least this
#: large below zoom 6 (the full layer is always measured).
DISPLAY_MIN_POPULATION = 50_000
#: ...and only places at least this large are labelled at zoom 6.
LABEL_MIN_POPULATION = 250_000


def _frame_shape(gdf: gpd.GeoDataFrame, *args: Any) -> Hashable:
    """What a frame object's cached answers also key on: its rows and columns (and the
    other arguments), so an entry never answers for a frame of another shape."""
    return len(gdf), tuple(map(str, gdf.columns)), args


@by_identity(256, extra=_frame_shape)
def _frame_token(gdf: gpd.GeoDataFrame) -> str:
    """:func:`~dashboard.geo.cache.content_token` of a scene frame, hashed once per frame
    object: scene frames are read only, and a changed layer is a new frame (the scene's
    unchanged parts are the very same objects from one rerun to the next,
    :mod:`dashboard.scene.compose.reuse`), so a rerun hashes only the frames it made anew."""
    return content_token(gdf)


def _gdf_token(layer: SceneLayer, tolerance_deg: float = 0.0) -> str:
    """Content hash of a layer as drawn: geometry (WKB), attributes and style."""
    return content_token(repr((layer.name, layer.style, layer.tooltip_fields, tolerance_deg)),
                         _frame_token(layer.gdf))


BLOB_TOLERANCE_DEG = 0.0005
#: Layers sent with every vertex (short geodesic lines whose shape is the point).
EXACT_LAYERS: frozenset[str] = frozenset({"measure", STRIKE_LINE})
#: The sea: the map's background colour (the offline basemap style's ``#d6e6f0``).
SEA_RGB: tuple[int, int, int] = (214, 230, 240)
#: Cities drawn from each zoom on (web-map zoom, least population); the last stop
#: whose zoom is at most the map's zoom applies.
CITY_STOPS: tuple[tuple[float, int], ...] = ((0, 250_000), (6, DISPLAY_MIN_POPULATION), (8, 0))
#: ...and labelled from each zoom on: every city drawn is a label candidate; the browser
#: keeps the labels that fit, larger cities first (see :data:`LABEL_PRIORITY`).
#: Marker radii follow ``radiusBy``: ``pointRadiusPx * sqrt(population / ref)`` px,
#: clipped to ``[min, max]``.
CITY_LABEL_STOPS: tuple[tuple[float, int], ...] = ((0, 0),)
#: Which labels the browser keeps when two would overlap (decluttered in screen space,
#: greedy, highest first; within a layer by ``rankBy`` (population), larger first):
#: incidents and the measured distance, then country names, cities, the launch area,
#: zones (a zone's name yields to a city's), the village-scale places, the rest.
LABEL_PRIORITY: dict[str, int] = {
    "incidents": 90, "incident_tracks": 89, "measure": 88, "strike_border": 87,
    "countries": 80, "cities": 70, "origin": 60, "buffers": 55, "band": 55,
    "zones": 50, "drawn": 50, "places": 40, "nato_border": 30, "regions": 20}
#: Priority of a label of any other layer (a user's file).
DEFAULT_LABEL_PRIORITY = 45
#: The village-scale places (``scripts/build_place_tiles.py``), drawn from the tiles the
#: view needs just above the cities and shown and hidden with them: marker fill and
#: outline, radius, label size and colour.
PLACES_STYLE: dict[str, Any] = {
    "fill": [70, 70, 70, 210], "line": [255, 255, 255, 230], "pointRadiusPx": 2.0,
    "lineWidthPx": 1.0, "labelSizePx": 11, "labelColor": [55, 60, 70, 255]}
#: Every key of a LayerSpec, with the value meaning "none" (pydeck drops None values).
LAYER_DEFAULTS: dict[str, Any] = {
    "fill": None, "line": None, "colorBy": None, "radiusBy": None, "minValueByZoom": None,
    "labels": None, "visibleIds": None, "tooltip": [], "pickable": True, "visible": True}
#: What a tooltip calls a built-in field (other fields, e.g. a user file's, keep their name).
FIELD_LABELS: dict[str, str] = {
    "name": "name", "name_local": "local name", "iso_a2": "ISO 3166-1 code",
    "iso_3166_2": "ISO 3166-2 code", "country": "country", "country_name": "country",
    "nato_member_since": "NATO member since", "nato_since": "in NATO since",
    "rule": "rule", "area_km2": "area", "id": "id", "member": "NATO member",
    "neighbour": "neighbour", "length_km": "length", "population": "population",
    "place": "place", "date": "date", "time_utc": "time (UTC)", "munition": "munition",
    "killed": "killed", "attribution": "attribution", "precision_m": "precision", "group": "group",
    "incident": "incident", "segment": "border segment", "azimuth_deg": "azimuth",
    "distance_km": "distance", "radius_km": "radius", "depth_km": "depth",
    "segments": "border segments", "center_lon": "centre longitude",
    "center_lat": "centre latitude", "icao": "ICAO code", "role": "role",
    "pseudo_code": "pseudo-code (not a real ICAO code)", "kind": "kind",
    "proposal": "proposal", "source": "source of the position"}
#: Fields holding a length in km, an area in km², a length in m, an angle in degrees.
KM_FIELDS = frozenset({"length_km", "distance_km", "radius_km", "depth_km"})
KM2_FIELDS = frozenset({"area_km2"})
M_FIELDS = frozenset({"precision_m"})
DEG_FIELDS = frozenset({"azimuth_deg", "center_lon", "center_lat"})
#: Deck keys the map does not read (a provider's API key from the server's environment
#: has no business in a browser's args).
_MAP_KEYS = ("mapStyle", "mapProvider", "mapboxKey", "googleMapsKey", "cartoKey", "maplibreKey",
             "customLibraries")


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
                  "minValueByZoom": _by_zoom("population", CITY_LABEL_STOPS) if by_pop else None,
                  "priority": LABEL_PRIORITY.get(layer.name, DEFAULT_LABEL_PRIORITY),
                  "rankBy": "population" if by_pop else None}
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
    ids, distinct = _frame_ids(layer.gdf, st.id_field)
    if not distinct <= known:
        return None
    return entry["url"], (None if len(distinct) == len(known) else ids)


@by_identity(256, extra=_frame_shape)
def _frame_ids(gdf: gpd.GeoDataFrame, field: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The ids in column ``field`` of a scene frame as text, in order and as a set (once
    per frame object, as :func:`_frame_token`)."""
    ids = tuple(gdf[field].astype(str))
    return ids, frozenset(ids)


#: Where the browser cuts a label: at the first comma that is not a thousands separator.
LABEL_CUT = re.compile(r",(?!\d)")


def label_text(value: Any) -> str:
    """The text the map draws as a feature's label (``frontend/src/geotable-layer.js``
    ``labelText``): the value's text up to the first comma not followed by a digit.

    >>> label_text("Przewodów, gmina Dołhobyczów"), label_text("PL 79,432 km²")
    ('Przewodów', 'PL 79,432 km²')
    """
    return "" if value is None else LABEL_CUT.split(str(value), maxsplit=1)[0].strip()


def tooltip_entry(field: str, units: str = "km") -> dict[str, Any]:
    """How the map shows ``field`` on hover: ``{field, label, factor, suffix, decimals}``.

    A number is shown as ``value * factor`` with ``decimals`` decimals and ``suffix``
    (its unit, in ``units`` for distances and areas; precision in m when ``units`` is
    km); a field with no unit has factor 1, no suffix and ``decimals`` None.

    >>> tooltip_entry("length_km", "nm")["suffix"], round(tooltip_entry("length_km", "nm")["factor"], 4)
    (' nm', 0.54)
    >>> tooltip_entry("iso_3166_2")["label"]
    'ISO 3166-2 code'
    """
    per_km = from_km(1.0, units)
    entry: dict[str, Any] = {"field": field, "label": FIELD_LABELS.get(field, field),
                             "factor": 1.0, "suffix": "", "decimals": None}
    if field in KM_FIELDS:
        entry.update(factor=per_km, suffix=f" {units}", decimals=1)
    elif field in KM2_FIELDS:
        entry.update(factor=per_km ** 2, suffix=f" {units}²", decimals=1)
    elif field in M_FIELDS:
        entry.update(factor=1.0, suffix=" m", decimals=0) if units == "km" else \
            entry.update(factor=per_km / 1000.0, suffix=f" {units}", decimals=2)
    elif field in DEG_FIELDS:
        entry.update(suffix="°", decimals=1 if field == "azimuth_deg" else 5)
    return entry


def _colour(c: RGBA | None) -> list[int] | None:
    return None if c is None else [int(v) for v in c]


def layer_spec(layer: SceneLayer, data: str, visible_ids: Sequence[str] | None = None,
               hidden: Collection[str] = (), units: str = "km") -> pdk.Layer:
    """The ``GeoTableLayer`` of ``layer``; ``data`` is a static URL or ``blob:<sha1>``;
    tooltip numbers in ``units`` (:func:`tooltip_entry`)."""
    st = layer.style
    return pdk.Layer(
        "GeoTableLayer", id=layer.name, data=data, kind=String(st.kind),
        fill=None if st.kind == "line" else _colour(st.fill), line=_colour(st.line),
        lineWidthPx=float(st.line_width_px), pointRadiusPx=float(st.point_radius_px),
        visibleIds=None if visible_ids is None else tuple(str(i) for i in visible_ids),
        tooltip=[tooltip_entry(f, units) for f in layer.tooltip_fields] if layer.pickable else [],
        titleField=String(st.label_field), pickable=bool(layer.pickable),
        visible=layer.name not in hidden, **_style_fields(layer))


def _layer_json_key(gdf: gpd.GeoDataFrame, layer: SceneLayer, data: str,
                    visible_ids: tuple[str, ...] | None, visible: bool, units: str) -> Hashable:
    """Everything :func:`layer_spec` reads besides the frame's columns."""
    return (_frame_shape(gdf), layer.name, repr(layer.style), tuple(layer.tooltip_fields),
            bool(layer.pickable), bool(layer.show_labels), data, visible_ids, visible, units)


@by_identity(512, extra=_layer_json_key)
def _layer_json(gdf: gpd.GeoDataFrame, layer: SceneLayer, data: str,
                visible_ids: tuple[str, ...] | None, visible: bool, units: str,
                ) -> dict[str, Any]:
    """:func:`layer_spec` as the deck's JSON has it (``layer.gdf`` is ``gdf``), made once
    per frame object and arguments: a rerun that changes nothing of a layer reuses its
    entry (shared: do not modify)."""
    spec = layer_spec(layer, data, visible_ids, () if visible else (layer.name,), units)
    return json.loads(spec.to_json())


@memoize(maxsize=1)
def _deck_template() -> pdk.Deck:
    """A Deck with no layers, no basemap and a placeholder view (copied, never modified)."""
    return pdk.Deck(layers=[], map_style=None, map_provider=None,
                    initial_view_state=pdk.ViewState(longitude=0.0, latitude=0.0, zoom=1.0))


def places_spec(scene: Scene, hidden: Collection[str] = ()) -> dict[str, Any] | None:
    """The village-scale places the browser adds above the ``cities`` layer (docs/map-protocol.md,
    "places"), or None when the scene has no cities layer or the tiles are not built."""
    index = places_index()
    if not index or not any(lyr.name == "cities" for lyr in scene.layers):
        return None
    return {"index": index["url"], "minZoom": index["minZoom"], "after": "cities",
            "visible": "cities" not in hidden, **PLACES_STYLE,
            "labelPriority": LABEL_PRIORITY["places"],
            "tooltip": [tooltip_entry(f, scene.units) for f in ("name", "population")]}


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
        layers.append(_layer_json(lyr.gdf, lyr, ref[0], ref[1], lyr.name not in hidden,
                                  scene.units))
    v = scene.view
    deck = copy.copy(_deck_template())  # a Deck's own start tries an import that fails
    deck.initial_view_state = pdk.ViewState(longitude=round(v.lon, 5), latitude=round(v.lat, 5),
                                            zoom=round(v.zoom, 2))
    spec = json.loads(deck.to_json())  # "layers": [] keeps its place among the sorted keys
    for k in _MAP_KEYS:
        spec.pop(k, None)
    spec["layers"] = [{**LAYER_DEFAULTS, **lyr} for lyr in layers]
    spec["places"] = places_spec(scene, hidden)
    spec["context"] = context_spec(hidden)
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
            unfilled = st.fill[3] == 0  # drawn for picking only (or not at all)
            c = st.line if st.kind == "line" or unfilled else st.fill
            if lyr.name == "cities" and places_index():  # the places go with the cities
                base["layers"] = ["cities", "places"]
            rows.append({"id": lyr.name, "label": lyr.legend_label, "color": list(c),
                         "filled": st.kind != "polygon" or not unfilled, **base})
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
            "height": int(height), "background": list(SEA_RGB), "units": str(scene.units)}
    basemap = current_basemap_arg()  # only when one is configured (docs/map-protocol.md)
    if basemap is not None:
        args["basemap"] = basemap
    return args, set(sent) | set(blobs)
