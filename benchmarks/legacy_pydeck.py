"""The live map as it was before the one map component: ``st.pydeck_chart`` of a pydeck
Deck with every feature inline, resent whole on every rerun.

Kept only as the baseline the benchmarks measure against (``bench_app``,
``bench_map`` and its ``legacy_pydeck_page``); the app does not use it.
"""
from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize
from pydeck.types import String

from dashboard.geo.cache import memoize
from dashboard.render.deck import (
    DISPLAY_MIN_POPULATION,
    LABEL_MIN_POPULATION,
    _gdf_token,
    legend_rows,
)
from dashboard.scene.model import Scene, SceneLayer, View
from dashboard.scene.styles import RGBA, feature_colours

OFFLINE_MAP_STYLE = "/app/static/basemap-style.json"
#: Display tolerance in degrees (about 1 km, under a pixel at zoom 6).
DISPLAY_TOLERANCE_DEG = 0.012
#: Decimal places kept in the deck spec (1e-3 degree is about 100 m, under a pixel below zoom 9).
DISPLAY_DECIMALS = 3

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
    (RGBA 0-255, by :func:`dashboard.scene.styles.feature_colours`).  Memoised per content.

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
