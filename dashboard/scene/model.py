"""The Scene: one description of a map that every renderer draws.

The live pydeck map, the briefing image and the drawing map are all made from a
:class:`Scene`, so they never disagree about what is shown, in which colours,
or which figures go in the metrics box.  A Scene holds data only; it has no
Streamlit and no rendering code in it.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd

from dashboard.scene.styles import LayerStyle

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


#: The map size (px) a web-map zoom is fitted for when no size is given.
VIEW_WIDTH_PX, VIEW_HEIGHT_PX = 600, 560


def _merc_y(lat_deg: float) -> float:
    """Web-map (spherical Mercator) y of a latitude, in radians: a viewport measure only."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat_deg) / 2))


@dataclass(frozen=True)
class View:
    """What part of the Earth the map shows.

    ``bounds_deg`` is (west, south, east, north) in degrees; renderers that need
    a centre and zoom derive them from it (``lon``, ``lat`` and ``zoom`` are the
    web-map equivalents used by the live map).  Web-map zoom is a screen measure
    of the viewport, never used for distances.

    >>> v = View.for_bounds((20.0, 48.0, 28.0, 52.0))
    >>> (v.lon, v.lat, v.zoom)
    (24.0, 50.0, 6.72)
    >>> [round(x, 1) for x in View.around(v.lon, v.lat, v.zoom).bounds_deg]  # the width fits
    [20.0, 47.5, 28.0, 52.3]
    """

    bounds_deg: tuple[float, float, float, float]
    lon: float
    lat: float
    zoom: float

    @classmethod
    def for_bounds(cls, bounds_deg: Sequence[float], width_px: int = VIEW_WIDTH_PX,
                   height_px: int = VIEW_HEIGHT_PX) -> View:
        """The centre and web-map zoom that fit ``bounds_deg`` (west, south, east, north)."""
        w, s, e, n = (float(v) for v in bounds_deg)
        span_x = max(e - w, 1e-6) / 360.0
        span_y = max(abs(_merc_y(n) - _merc_y(s)), 1e-9) / (2 * math.pi)
        zoom = min(math.log2(width_px / 256 / span_x), math.log2(height_px / 256 / span_y))
        return cls(bounds_deg=(w, s, e, n), lon=(w + e) / 2, lat=(s + n) / 2,
                   zoom=round(max(zoom, 1.0), 2))

    @classmethod
    def around(cls, lon: float, lat: float, zoom: float, width_px: int = VIEW_WIDTH_PX,
               height_px: int = VIEW_HEIGHT_PX) -> View:
        """The view a web map shows centred on (``lon``, ``lat``) degrees at ``zoom``."""
        half_x = width_px / 256 / 2 ** zoom * 180.0
        half_y = height_px / 256 / 2 ** zoom * math.pi
        y = _merc_y(lat)
        s = math.degrees(2 * math.atan(math.exp(y - half_y)) - math.pi / 2)
        n = math.degrees(2 * math.atan(math.exp(y + half_y)) - math.pi / 2)
        return cls(bounds_deg=(lon - half_x, s, lon + half_x, n), lon=float(lon),
                   lat=float(lat), zoom=float(zoom))


@dataclass
class Scene:
    """Everything a renderer needs to draw one map.

    ``metrics`` maps a label to an already formatted value with its unit
    (e.g. ``{"Strike to NATO border": "6.4 km"}``); the numbers behind them come
    from the geometry core.  ``incident`` is the selected incident's properties
    plus ``lon``/``lat``; ``as_of`` is the date the NATO border is drawn for.
    ``locator`` holds country outlines (WGS84) for an inset locator map; it is
    context only, not a layer, so it is drawn even when ``countries`` is hidden.
    ``figure_layers`` names, for each figure of ``metrics``, the layer it measures
    (``strike_border``, ``zones``, ``drawn``, ``buffers``, ``band``, ``origin``), so a
    figure leaves with its layer; ``custom_title`` is True when ``title`` was given
    (a scenario's name, ``--title``) rather than made from the incident.
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
    figure_layers: dict[str, str] = field(default_factory=dict)
    custom_title: bool = False

    def layer(self, name: str) -> SceneLayer | None:
        return next((lyr for lyr in self.layers if lyr.name == name), None)
