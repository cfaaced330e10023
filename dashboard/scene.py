"""The Scene: one description of a map that every renderer draws.

The live pydeck map, the briefing image and the drawing map are all made from a
:class:`Scene`, so they never disagree about what is shown, in which colours,
or which figures go in the metrics box.  A Scene holds data only; it has no
Streamlit and no rendering code in it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd

from dashboard.render.styles import LayerStyle

#: Name of the derived layer holding the geodesic from the strike to the nearest NATO
#: border point (the brief draws a detail inset of it).
STRIKE_LINE = "strike_border"


@dataclass
class SceneLayer:
    """One layer as drawn: its features (WGS84 lon/lat) and its style.

    ``name`` is unique within a scene and doubles as the deck.gl layer id.
    ``label`` overrides the style's legend label (e.g. ``"Buffers 75/90 km"``).
    ``tooltip_fields`` are the properties shown on hover, escaped by the renderer.
    """

    name: str
    gdf: gpd.GeoDataFrame
    style: LayerStyle
    label: str | None = None
    tooltip_fields: tuple[str, ...] = ()
    pickable: bool = True
    show_labels: bool = False

    @property
    def legend_label(self) -> str:
        return self.label or self.style.label


@dataclass
class View:
    """What part of the Earth the map shows.

    ``bounds_deg`` is (west, south, east, north) in degrees; renderers that need
    a centre and zoom derive them from it (``lon``, ``lat`` and ``zoom`` are the
    web-map equivalents used by the live map).
    """

    bounds_deg: tuple[float, float, float, float]
    lon: float
    lat: float
    zoom: float


@dataclass
class Scene:
    """Everything a renderer needs to draw one map.

    ``metrics`` maps a label to an already formatted value with its unit
    (e.g. ``{"Strike to NATO border": "6.4 km"}``); the numbers behind them come
    from the geometry core.  ``incident`` is the selected incident's properties
    plus ``lon``/``lat``; ``as_of`` is the date the NATO border is drawn for.
    ``locator`` holds country outlines (WGS84) for an inset locator map; it is
    context only, not a layer, so it is drawn even when ``countries`` is hidden.
    """

    layers: list[SceneLayer]
    view: View
    title: str = ""
    subtitle: str = ""
    incident: dict | None = None
    as_of: date | None = None
    metrics: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    units: str = "km"
    locator: gpd.GeoDataFrame | None = None

    def layer(self, name: str) -> SceneLayer | None:
        return next((lyr for lyr in self.layers if lyr.name == name), None)
