"""Zones from a user's file: the polygons of a GeoJSON file, each with a name.

One reader and one naming rule for every shell (the page's "Import a file"
tab, later the CLI): :func:`read_zone_file` reads the file with
:func:`dashboard.io.layers_io.read_user_layer` (size and vertex caps,
coordinates on the globe, invalid polygons repaired), keeps its Polygon and
MultiPolygon features and names each one with :func:`zone_name`.

>>> import json
>>> fc = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {"name": "  West\\tUA "},
...      "geometry": {"type": "Polygon",
...                   "coordinates": [[[23, 50], [24, 50], [24, 51], [23, 50]]]}},
...     {"type": "Feature", "properties": {},
...      "geometry": {"type": "Point", "coordinates": [24, 50]}},
...     {"type": "Feature", "properties": {},
...      "geometry": {"type": "Polygon",
...                   "coordinates": [[[25, 49], [26, 49], [25.5, 49.8], [25, 49]]]}}]}
>>> zf = read_zone_file(json.dumps(fc).encode(), "border.geojson")
>>> [z.name for z in zf.zones], zf.skipped
(['WestUA', 'border 2'], 1)
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from shapely.geometry import MultiPolygon, Polygon

# Longest zone name taken from a file: a scenario's name limit, the one constant.
from dashboard.data.coverage import zone_outside
from dashboard.data.limits import MAX_NAME_CHARS as MAX_ZONE_NAME_CHARS
from dashboard.geo.errors import InputError
from dashboard.geo.validate import repair_polygon
from dashboard.io.filecheck import shown
from dashboard.io.layers_io import read_user_layer

__all__ = ["MAX_ZONE_NAME_CHARS", "NamedZone", "ZoneFile", "file_stem", "read_zone_file",
           "zone_name"]

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_JSON_SUFFIX = re.compile(r"\.(geo)?json$", re.IGNORECASE)


@dataclass(frozen=True)
class NamedZone:
    """One polygon of a zone file.

    Attributes
    ----------
    name : str
        Its name (see :func:`zone_name`), 1-120 characters.
    geometry : Polygon | MultiPolygon
        Valid, 2-D, WGS84 lon/lat degrees.
    """

    name: str
    geometry: Polygon | MultiPolygon


@dataclass(frozen=True)
class ZoneFile:
    """What :func:`read_zone_file` found in a file.

    Attributes
    ----------
    zones : tuple of NamedZone
        The polygon features, in file order (at least one).
    messages : tuple of str
        What was repaired or dropped while reading, one sentence each.
    skipped : int
        Features that are not polygons (points, lines), left out.
    """

    zones: tuple[NamedZone, ...]
    messages: tuple[str, ...]
    skipped: int


def _clean(text: str) -> str:
    """``text`` trimmed, without control characters, at most 120 characters."""
    return _CONTROL_CHARS.sub("", text).strip()[:MAX_ZONE_NAME_CHARS].strip()


def file_stem(filename: str) -> str:
    """The file name without folders and without ``.geojson``/``.json``, cleaned.

    >>> file_stem("/tmp/My zones.GeoJSON"), file_stem("a.b.json"), file_stem(".json")
    ('My zones', 'a.b', '')
    """
    return _clean(_JSON_SUFFIX.sub("", PurePath(str(filename or "")).name))


def zone_name(value: Any, stem: str, k: int) -> str:
    """The naming rule of zone files.

    Parameters
    ----------
    value : Any
        The feature's ``name`` property (None or NaN when it has none).
    stem : str
        :func:`file_stem` of the file name (``"Imported"`` when empty).
    k : int
        1-based position of the feature among the file's polygon features.

    Returns
    -------
    str
        ``value`` trimmed, control characters removed, at most 120 characters;
        when that leaves nothing, ``"<stem> <k>"``.

    >>> zone_name(" Lviv\\n", "mine", 1), zone_name(None, "mine", 2), zone_name(float("nan"), "", 3)
    ('Lviv', 'mine 2', 'Imported 3')
    """
    if value is not None and not (isinstance(value, float) and math.isnan(value)):
        name = _clean(str(value))
        if name:
            return name
    return f"{stem or 'Imported'} {k}"


def read_zone_file(data: bytes, filename: str) -> ZoneFile:
    """The polygons of a GeoJSON file as named zones.

    Parameters
    ----------
    data : bytes
        File content (GeoJSON, WGS84 lon/lat degrees).
    filename : str
        Its name; the extension decides the format, the stem names the
        features without a ``name`` property (``"<stem> <k>"``).

    Returns
    -------
    ZoneFile
        Polygon and MultiPolygon features (repaired with
        :func:`~dashboard.geo.validate.repair_polygon`, said in ``messages``);
        other features are counted in ``skipped``.

    Raises
    ------
    InputError
        The file cannot be read (too big, not GeoJSON, projected coordinates,
        see :func:`~dashboard.io.layers_io.read_user_layer`), it has no polygon, or
        a zone reaches outside the data's coverage
        (:data:`~dashboard.data.coverage.COVERAGE_LONLAT`).
    """
    layer = read_user_layer(data, filename)
    gdf = layer.gdf
    is_poly = gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if not is_poly.any():
        raise InputError(f"{filename} has no polygons; a zone must be an area")
    names = gdf["name"].tolist() if "name" in gdf.columns else [None] * len(gdf)
    stem = file_stem(filename)
    messages = list(layer.messages)
    zones: list[NamedZone] = []
    for geom, value, keep in zip(gdf.geometry.values, names, is_poly):
        if not keep:
            continue
        name = zone_name(value, stem, len(zones) + 1)
        poly, repairs = repair_polygon(geom, f"zone {name}")
        outside = zone_outside(poly.bounds, repr(shown(name)))
        if outside:
            raise InputError(f"{shown(filename)}: {outside}")
        messages.extend(repairs)
        zones.append(NamedZone(name, poly))
    return ZoneFile(tuple(zones), tuple(messages), int((~is_poly).sum()))
