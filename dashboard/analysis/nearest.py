"""The nearest feature of a layer, named or given, to one point.

Names are the catalogue's built-in layers (``"nato_border"``) or GeoJSON paths,
read through :func:`dashboard.io.layers_io.load_layer`; the measurement is
:func:`dashboard.geo.distance.nearest`.

>>> d = distance_to(23.93432, 50.47099, "nato_border")
>>> d["layer"], d["feature"], round(d["distance_km"], 2)
('nato_border', 'PL-UA', 6.37)
"""
from __future__ import annotations

import math

import geopandas as gpd

from dashboard.data.catalogue import CATALOGUE as LAYERS
from dashboard.geo.distance import RESULT_COLUMNS, nearest
from dashboard.io.layers_io import load_layer

__all__ = ["distance_to"]


def distance_to(lon: float, lat: float, layer: str | gpd.GeoDataFrame,
                id_field: str | None = None) -> dict:
    """Nearest feature of a layer (built-in name, GeoJSON path or GeoDataFrame) to one point.

    Returns a dict with the columns of :func:`nearest` as plain Python values
    (``azimuth_deg`` is None inside a polygon), plus ``layer`` when a name was given.
    """
    name = None
    if isinstance(layer, str):
        name = layer
        if id_field is None and layer in LAYERS:
            id_field = LAYERS[layer].id_field
        layer = load_layer(layer)
        if id_field is not None and id_field not in layer.columns:
            id_field = None
    row = nearest([lon], [lat], layer, id_field=id_field).iloc[0]
    out: dict = {"layer": name} if name else {}
    for c in RESULT_COLUMNS:
        v = row[c]
        if c == "inside":
            v = bool(v)
        elif c == "feature_index":
            v = int(v)
        elif c == "feature":
            v = v.item() if hasattr(v, "item") else v
        else:
            v = float(v)
            if math.isnan(v):
                v = None
        out[c] = v
    return out
