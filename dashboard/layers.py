"""The one place that names, colours and labels every built-in layer.

The live map (pydeck), the briefing image (matplotlib), the legend and the CLI
all read their styles from here, so a layer looks and is called the same
everywhere.  Colours are RGBA tuples of 0-255 integers (deck.gl's convention);
:func:`rgba_float` converts them for matplotlib.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

GEODATA_DIR: Path = Path(__file__).resolve().parent.parent / "geodata"

Kind = Literal["polygon", "line", "point"]
RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class LayerStyle:
    """How one layer is named, drawn and described.

    Attributes
    ----------
    name : str
        Machine name, used by the CLI (``--to nato_border``) and as deck layer id.
    label : str
        Human label for legends and toggles.
    file : str | None
        File under ``geodata/`` for a built-in layer; ``None`` for derived layers.
    kind : {"polygon", "line", "point"}
        Geometry kind, which decides how renderers draw it.
    fill : RGBA
        Fill colour (polygons, point markers).
    line : RGBA
        Outline / line colour.
    line_width_px : float
        Line width in screen pixels.
    point_radius_px : float
        Marker radius in screen pixels (points only).
    id_field : str
        Property holding the feature's stable identifier.
    label_field : str
        Property holding the feature's display name.
    description : str
        One sentence for legends and ``python -m dashboard layers``.
    """

    name: str
    label: str
    file: str | None
    kind: Kind
    fill: RGBA
    line: RGBA
    line_width_px: float = 1.0
    point_radius_px: float = 4.0
    id_field: str = "id"
    label_field: str = "name"
    description: str = ""

    @property
    def path(self) -> Path | None:
        """Absolute path of the committed GeoJSON file, if built in."""
        return GEODATA_DIR / self.file if self.file else None


LAYERS: dict[str, LayerStyle] = {
    s.name: s
    for s in (
        LayerStyle(
            "countries", "Countries", "countries.geojson", "polygon",
            fill=(236, 232, 222, 255), line=(120, 120, 120, 255), line_width_px=1.0,
            id_field="iso_a2", label_field="name",
            description="Country outlines incl. 12 nm territorial sea (airspace), OpenStreetMap.",
        ),
        LayerStyle(
            "regions", "Oblasts & voivodeships", "regions.geojson", "polygon",
            fill=(255, 255, 255, 1), line=(150, 150, 150, 200), line_width_px=0.6,
            id_field="iso_3166_2", label_field="name",
            description="First-level administrative units (Natural Earth admin-1).",
        ),
        LayerStyle(
            "zones", "Candidate no-fly zones", "zones.geojson", "polygon",
            fill=(230, 120, 20, 60), line=(210, 95, 0, 255), line_width_px=2.0,
            id_field="id", label_field="name",
            description="Candidate regional no-fly zones over western Ukraine.",
        ),
        LayerStyle(
            "nato_border", "NATO border", "nato_border.geojson", "line",
            fill=(0, 0, 0, 0), line=(0, 61, 165, 255), line_width_px=3.0,
            id_field="id", label_field="id",
            description="Land border between NATO members and UA, BY, RU, MD (OpenStreetMap).",
        ),
        LayerStyle(
            "cities", "Cities (15,000+)", "cities.geojson", "point",
            fill=(60, 60, 60, 200), line=(255, 255, 255, 255), point_radius_px=3.0,
            id_field="geonameid", label_field="name",
            description="Places with 15,000+ inhabitants (GeoNames).",
        ),
        LayerStyle(
            "incidents", "Incidents", "incidents.geojson", "point",
            fill=(220, 20, 30, 255), line=(255, 255, 255, 255), point_radius_px=8.0,
            line_width_px=2.0, id_field="id", label_field="place",
            description="Strikes and debris on NATO territory, each with cited sources.",
        ),
    )
}

BUILTIN_LAYERS: tuple[str, ...] = tuple(LAYERS)

# Styles for things the user makes; not files in geodata/.
DERIVED_STYLES: dict[str, LayerStyle] = {
    s.name: s
    for s in (
        LayerStyle("buffers", "Buffers", None, "polygon",
                   fill=(200, 30, 30, 25), line=(200, 30, 30, 230), line_width_px=1.5),
        LayerStyle("band", "Border band", None, "polygon",
                   fill=(120, 40, 170, 45), line=(120, 40, 170, 230), line_width_px=1.5),
        LayerStyle("drawn", "Drawn zones", None, "polygon",
                   fill=(20, 150, 80, 60), line=(10, 120, 60, 255), line_width_px=2.0),
        LayerStyle("measure", "Measurement", None, "line",
                   fill=(0, 0, 0, 0), line=(20, 20, 20, 255), line_width_px=2.0),
        LayerStyle("user", "User layer", None, "polygon",
                   fill=(0, 150, 200, 60), line=(0, 120, 170, 255), line_width_px=1.5,
                   point_radius_px=5.0),
    )
}


# The NATO border is coloured by the non-NATO neighbour across it.
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
    """Style of a built-in or derived layer; user layers get the ``user`` style."""
    return LAYERS.get(name) or DERIVED_STYLES.get(name) or DERIVED_STYLES["user"]


def rgba_float(c: RGBA) -> tuple[float, float, float, float]:
    """RGBA 0-255 to matplotlib's 0-1 floats."""
    return (c[0] / 255, c[1] / 255, c[2] / 255, c[3] / 255)
