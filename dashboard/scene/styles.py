"""How every layer looks: the one place for colours, line widths and marker sizes.

The live map, the drawing map, the briefing image and the legend all read their
styles here, so a layer looks the same everywhere.  Names, files and labels come
from the data catalogue (:mod:`dashboard.data.catalogue`).  Colours are RGBA tuples of
0-255 integers (deck.gl's convention); :func:`rgba_float` converts them for
matplotlib.
"""
from __future__ import annotations

from dataclasses import dataclass

from dashboard.data.catalogue import CATALOGUE, Kind

RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class LayerStyle:
    """How one layer is named and drawn.

    Attributes
    ----------
    name : str
        Machine name (the catalogue's, or a derived layer's such as ``buffers``).
    label : str
        Human label for legends and toggles.
    kind : {"polygon", "line", "point"}
        Geometry kind, which decides how renderers draw it.
    fill, line : RGBA
        Fill colour (polygons, point markers) and outline / line colour.
    line_width_px, point_radius_px : float
        Line width and marker radius in screen pixels.
    id_field, label_field : str
        Properties holding the feature's identifier and display name.
    """

    name: str
    label: str
    kind: Kind
    fill: RGBA
    line: RGBA
    line_width_px: float = 1.0
    point_radius_px: float = 4.0
    id_field: str = "id"
    label_field: str = "name"


def _builtin(name: str, fill: RGBA, line: RGBA, **kw) -> LayerStyle:
    info = CATALOGUE[name]
    return LayerStyle(name, info.label, info.kind, fill, line, id_field=info.id_field,
                      label_field=info.label_field, **kw)


#: Styles of the built-in layers, by catalogue name.
LAYERS: dict[str, LayerStyle] = {
    s.name: s
    for s in (
        _builtin("countries", (236, 232, 222, 255), (120, 120, 120, 255), line_width_px=1.0),
        _builtin("water", (198, 219, 236, 255), (150, 185, 215, 255), line_width_px=0.5),
        _builtin("wide_water", (170, 205, 235, 255), (0, 0, 0, 0), line_width_px=0.0),
        _builtin("rivers", (0, 0, 0, 0), (90, 150, 210, 255), line_width_px=1.2),
        _builtin("regions", (0, 0, 0, 0), (150, 150, 150, 200), line_width_px=0.6),
        _builtin("zones", (230, 120, 20, 60), (210, 95, 0, 255), line_width_px=2.0),
        _builtin("nato_border", (0, 0, 0, 0), (0, 61, 165, 255), line_width_px=3.0),
        _builtin("cities", (60, 60, 60, 200), (255, 255, 255, 255), point_radius_px=3.0),
        _builtin("proposal_places", (210, 95, 0, 255), (255, 255, 255, 255), point_radius_px=5.0,
                 line_width_px=1.5),
        _builtin("air_bases", (0, 61, 165, 255), (255, 255, 255, 255), point_radius_px=5.0,
                 line_width_px=1.5),
        _builtin("incidents", (220, 20, 30, 255), (255, 255, 255, 255), point_radius_px=8.0,
                 line_width_px=2.0),
    )
}

#: Styles for things the user makes; not files in the catalogue.
DERIVED_STYLES: dict[str, LayerStyle] = {
    s.name: s
    for s in (
        LayerStyle("buffers", "Buffers", "polygon",
                   fill=(200, 30, 30, 25), line=(200, 30, 30, 230), line_width_px=1.5),
        LayerStyle("band", "Border band", "polygon",
                   fill=(120, 40, 170, 45), line=(120, 40, 170, 230), line_width_px=1.5),
        LayerStyle("drawn", "Drawn zones", "polygon",
                   fill=(20, 150, 80, 60), line=(10, 120, 60, 255), line_width_px=2.0),
        LayerStyle("measure", "Measurement", "line",
                   fill=(0, 0, 0, 0), line=(20, 20, 20, 255), line_width_px=2.0),
        LayerStyle("user", "User layer", "polygon",
                   fill=(0, 150, 200, 60), line=(0, 120, 170, 255), line_width_px=1.5,
                   point_radius_px=5.0),
        LayerStyle("selection", "Selected feature", "polygon",
                   fill=(0, 0, 0, 0), line=(25, 25, 25, 255), line_width_px=3.5),
        LayerStyle("incident_tracks", "Incident tracks (airspace violations)", "line",
                   fill=(0, 0, 0, 0), line=(220, 20, 30, 255), line_width_px=3.0,
                   label_field="place"),
        LayerStyle("precision", "Incident position precision", "polygon",
                   fill=(220, 20, 30, 18), line=(220, 20, 30, 150), line_width_px=0.8),
        LayerStyle("origin", "Candidate launch area", "polygon",
                   fill=(245, 190, 0, 60), line=(180, 125, 0, 240), line_width_px=1.5),
        LayerStyle("picked", "Selected point", "point",
                   fill=(255, 200, 0, 255), line=(0, 0, 0, 255), point_radius_px=7.0,
                   line_width_px=2.0, id_field="name", label_field="name"),
    )
}


#: The user's zones, each its own colour (line RGB; fills are the same, translucent),
#: the same on the map, on its card and in the brief: zone k takes colour k mod 8.
ZONE_PALETTE: tuple[tuple[int, int, int], ...] = (
    (0, 128, 96), (214, 90, 0), (120, 60, 170), (0, 110, 190),
    (190, 30, 110), (120, 110, 0), (20, 140, 170), (150, 70, 40))


def zone_colours(k: int) -> tuple[RGBA, RGBA]:
    """(fill, line) of the user's k-th zone (0-based).

    >>> zone_colours(0), zone_colours(8) == zone_colours(0)
    (((0, 128, 96, 70), (0, 128, 96, 255)), True)
    """
    r, g, b = ZONE_PALETTE[k % len(ZONE_PALETTE)]
    return (r, g, b, 70), (r, g, b, 255)


#: The NATO border is coloured by the non-NATO neighbour across it.
NEIGHBOUR_COLOURS: dict[str, tuple[str, RGBA]] = {
    "UA": ("NATO border with Ukraine", (0, 87, 183, 255)),
    "BY": ("NATO border with Belarus", (150, 40, 160, 255)),
    "RU": ("NATO border with Russia", (200, 30, 30, 255)),
    "MD": ("NATO border with Moldova", (0, 150, 140, 255)),
}


def _colour_or(value: object, default: RGBA) -> RGBA:
    if value is None or isinstance(value, float) or not hasattr(value, "__len__"):
        return default  # None, NaN or a scalar: no per-feature colour
    return tuple(int(c) for c in value)  # type: ignore[return-value]


def feature_colours(style: LayerStyle, gdf) -> tuple[list[RGBA], list[RGBA]]:
    """Per-feature (fills, lines) for a layer, the same for every renderer.

    ``fill_rgba``/``line_rgba`` columns win; the NATO border is coloured by the
    neighbour across it (:data:`NEIGHBOUR_COLOURS`); otherwise the style's colours.
    """
    n = len(gdf)
    fills: list[RGBA] = [style.fill] * n
    lines: list[RGBA] = [style.line] * n
    if "fill_rgba" in gdf.columns:
        fills = [_colour_or(v, f) for v, f in zip(gdf["fill_rgba"], fills)]
    if "line_rgba" in gdf.columns:
        lines = [_colour_or(v, c) for v, c in zip(gdf["line_rgba"], lines)]
    elif style.name == "nato_border" and "neighbour" in gdf.columns:
        lines = [NEIGHBOUR_COLOURS[v][1] if v in NEIGHBOUR_COLOURS else c
                 for v, c in zip(gdf["neighbour"], lines)]
    return fills, lines


def style_for(name: str) -> LayerStyle:
    """Style of a built-in or derived layer; user layers get the ``user`` style.

    >>> style_for("nato_border").line_width_px
    3.0
    >>> style_for("my-file.geojson").name
    'user'
    """
    return LAYERS.get(name) or DERIVED_STYLES.get(name) or DERIVED_STYLES["user"]


def rgba_float(c: RGBA) -> tuple[float, float, float, float]:
    """RGBA 0-255 to matplotlib's 0-1 floats.

    >>> rgba_float((255, 0, 51, 255))
    (1.0, 0.0, 0.2, 1.0)
    """
    return (c[0] / 255, c[1] / 255, c[2] / 255, c[3] / 255)


#: The colour of each country in charts (hex), fixed: a filter never recolours a country.
COUNTRY_COLOURS: dict[str, str] = {
    "PL": "#e45756", "RO": "#4c78a8", "MD": "#f58518", "LT": "#54a24b", "LV": "#b279a2",
    "EE": "#72b7b2", "BG": "#eeca3b", "HR": "#9d755d", "SK": "#ff9da6", "HU": "#bab0ac",
    "FI": "#439894", "UA": "#1f77b4", "BY": "#8c564b", "RU": "#7f7f7f",
}
#: Colours of countries not listed above, chosen by a stable hash of the code.
_SPARE_COLOURS: tuple[str, ...] = ("#17becf", "#bcbd22", "#9467bd", "#d62728", "#2ca02c",
                                   "#ff7f0e", "#e377c2", "#393b79")


def country_colour(iso: str) -> str:
    """The chart colour of a country (ISO alpha-2): a fixed function of the code alone.

    >>> country_colour("PL")
    '#e45756'
    >>> country_colour("XX") == country_colour("XX")
    True
    """
    import zlib

    return COUNTRY_COLOURS.get(iso) or _SPARE_COLOURS[zlib.crc32(iso.encode()) % len(_SPARE_COLOURS)]
