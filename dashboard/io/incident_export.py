"""Exporting incidents: GeoJSON, CSV, KML (Google Earth) and GeoPackage, as bytes or a file.

- **geojson**: a FeatureCollection; a feature's properties are the record's
  fields (:meth:`~dashboard.data.incidents.record.Incident.to_dict` without the
  geometry; ``sources`` a list of objects), an unpositioned incident has a null
  geometry.  Read back by :func:`~dashboard.io.incident_import.read_incident_file`
  as the same records.
- **csv**: one row per incident (:data:`CSV_COLUMNS`): ``lat``/``lon`` of a point
  or of a track's first vertex (empty when unpositioned), ``track_wkt`` for a
  track, the first source flat (``source_url``, ``publisher``, ``grade``,
  ``accessed``) and every source in ``sources_json``; every text cell is guarded
  against spreadsheet formulas (:func:`~dashboard.io.incident_import.guard_cell`,
  undone on import), so the file also reads back as the same records.
- **kml**: KML 2.2, one Placemark per positioned incident (a point with its
  precision circle, a geodesic polygon of :data:`CIRCLE_VERTICES` vertices each
  ``precision_m`` from the point, or a track's LineString); the name is the
  place as plain text, the description is HTML in which every user text is
  escaped (Google Earth renders descriptions as HTML: a place named
  ``<script>`` shows as those characters).  Unpositioned incidents are left out
  and counted in the document's description.
- **gpkg**: a GeoPackage, layer ``incidents`` (EPSG:4326, geometry type
  Geometry: points and tracks together), one row per positioned incident, text
  as text and ``sources`` as JSON text.

Output is deterministic for geojson, csv and kml (same incidents, same bytes).

>>> from dashboard.data.incidents.record import EXAMPLE, Incident
>>> out = build_export([Incident.from_dict(EXAMPLE)], "kml")
>>> out.written, out.omitted, out.data[:38]
(1, (), b'<?xml version="1.0" encoding="UTF-8"?>')
"""
from __future__ import annotations

import csv
import html
import io
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely

from dashboard.data.incidents.record import FIELDS, Incident
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import GEOD
from dashboard.io.atomic import write_bytes_atomic
from dashboard.io.incident_import import guard_cell

__all__ = ["CIRCLE_DECIMALS", "CIRCLE_VERTICES", "CSV_COLUMNS", "EXPORT_FORMATS", "Export", "ExportFormat",
           "GPKG_LAYER", "build_export", "export_incidents", "precision_circle",
           "write_export"]

ExportFormat = Literal["geojson", "csv", "kml", "gpkg"]
EXPORT_FORMATS: tuple[str, ...] = ("geojson", "csv", "kml", "gpkg")
#: Vertices of a precision circle in KML (every 5 degrees of azimuth).
CIRCLE_VERTICES: int = 72
#: Decimals of a precision circle's vertices in KML (1e-7 degree: at most 1.1 cm).
CIRCLE_DECIMALS: int = 7
#: The GeoPackage layer's name.
GPKG_LAYER: str = "incidents"
_SOURCE_FLAT = ("source_url", "publisher", "grade", "accessed")
#: The CSV's columns, in order.
CSV_COLUMNS: tuple[str, ...] = tuple(
    c for f in FIELDS if f != "geometry"
    for c in (_SOURCE_FLAT if f == "sources" else (f,))) + (
    "lat", "lon", "track_wkt", "sources_json")
_KML_NS = "http://www.opengis.net/kml/2.2"


@dataclass(frozen=True)
class Export:
    """An export's bytes, how many incidents it holds, and the ids left out (no position)."""

    data: bytes
    fmt: str
    written: int
    omitted: tuple[str, ...] = ()


# ------------------------------------------------------------------ GeoJSON
def _geojson(incidents: Sequence[Incident]) -> bytes:
    feats = []
    for inc in incidents:
        d = inc.to_dict()
        geom = d.pop("geometry")
        feats.append({"type": "Feature", "id": inc.id, "geometry": geom, "properties": d})
    doc = {"type": "FeatureCollection", "features": feats}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# ------------------------------------------------------------------ CSV
def _csv_row(inc: Incident) -> list[Any]:
    d = inc.to_dict()
    first = d["sources"][0] if d["sources"] else {}
    d.update({"source_url": first.get("url"), "publisher": first.get("publisher"),
              "grade": first.get("grade"), "accessed": first.get("accessed")})
    lonlat = inc.lonlat
    d["lon"], d["lat"] = lonlat if lonlat is not None else (None, None)
    d["track_wkt"] = shapely.to_wkt(inc.geometry, rounding_precision=-1) \
        if inc.kind == "track" else None
    d["sources_json"] = json.dumps(d["sources"], ensure_ascii=False)
    return [_cell(d[c]) for c in CSV_COLUMNS]


def _cell(v: Any) -> Any:
    """A CSV cell: empty for None, a float as its shortest exact text, text guarded."""
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return guard_cell(v)


def _csv(incidents: Sequence[Incident]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for inc in incidents:
        w.writerow(_csv_row(inc))
    return buf.getvalue().encode("utf-8")


# ------------------------------------------------------------------ KML
def precision_circle(lon: float, lat: float, radius_m: float,
                     n: int = CIRCLE_VERTICES) -> list[tuple[float, float]]:
    """A closed counter-clockwise ring of ``n`` vertices (then the first again), each
    ``radius_m`` metres (geodesic, WGS84) from (``lon``, ``lat``) degrees.

    >>> ring = precision_circle(23.93432, 50.47099, 500.0)
    >>> len(ring), ring[0] == ring[-1]
    (73, True)
    """
    az = np.linspace(360.0, 0.0, n, endpoint=False)
    x, y, _ = GEOD.fwd(np.full(n, float(lon)), np.full(n, float(lat)), az,
                       np.full(n, float(radius_m)))
    ring = [(float(a), float(b)) for a, b in zip(x, y)]
    return ring + ring[:1]


def _coords(xy: Sequence[tuple[float, float]], decimals: int | None = None) -> str:
    """KML coordinates ``lon,lat lon,lat ...``: exact (shortest repr), or to ``decimals``."""
    if decimals is None:
        return " ".join(f"{x!r},{y!r}" for x, y in xy)
    return " ".join(map(f"{{:.{decimals}f}},{{:.{decimals}f}}".format, *zip(*xy)))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _html_text(text: str, quote: bool = True) -> str:
    """``text`` for Google Earth's HTML balloon: markup escaped, and ``$[`` too (Google
    Earth would substitute ``$[name]``-style entities)."""
    return html.escape(text, quote=quote).replace("$[", "$&#91;")


def _description(inc: Incident) -> str:
    """HTML for the balloon; every value from the record is escaped (text stays text)."""
    e = _html_text
    harm = f"{inc.killed} killed, {inc.injured} injured"
    lines = [f"<b>Place</b>: {e(inc.place)}",
             f"<b>Date</b>: {e(inc.date)}" + (f" {e(inc.time_utc)} UTC" if inc.time_utc else ""),
             f"<b>Country</b>: {e(inc.country)}", f"<b>Status</b>: {e(inc.status)}",
             f"<b>Object</b>: {e(inc.object_type)}" + (f" ({e(inc.munition)})"
                                                       if inc.munition else ""),
             f"<b>Harm</b>: {harm}",
             f"<b>Attributed to</b>: {e(inc.attributed_to)}" + (
                 f" \u2014 {e(inc.attribution)}" if inc.attribution else ""),
             f"<b>Position</b>: {e(inc.position_kind)}, precision "
             f"{inc.precision_m or 0:,.0f} m" + (f" ({e(inc.position_method)})"
                                                  if inc.position_method else "")]
    if inc.group:
        lines.append(f"<b>Group</b>: {e(inc.group)}")
    for i, s in enumerate(inc.sources, 1):
        grade = f" [{e(s.grade)}]" if s.grade else ""
        lines.append(f"<b>Source {i}</b>{grade}: {e(s.publisher)} "
                     f"<a href=\"{e(s.url, quote=True)}\">{e(s.url)}</a>")
    if inc.notes:
        lines.append("<b>Notes</b>: " + "<br/>".join(e(t) for t in inc.notes.splitlines()))
    lines.append(f"<b>Id</b>: {e(inc.id)}")
    return "<br/>".join(lines)


def _placemark(folder: ET.Element, inc: Incident) -> None:
    pm = _sub(folder, "Placemark", id=f"incident-{inc.id}")
    _sub(pm, "name", inc.place)
    _sub(pm, "description", _description(inc))
    _sub(_sub(pm, "TimeStamp"), "when", inc.date)
    _sub(pm, "styleUrl", "#incident")
    geom = inc.geometry
    if inc.kind == "track" and geom is not None:
        line = _sub(pm, "LineString")
        _sub(line, "tessellate", "1")
        _sub(line, "coordinates", _coords([(x, y) for x, y, *_ in geom.coords]))
        return
    lon, lat = inc.lonlat or (0.0, 0.0)
    multi = _sub(pm, "MultiGeometry")
    _sub(_sub(multi, "Point"), "coordinates", _coords([(lon, lat)]))
    if inc.precision_m:
        poly = _sub(multi, "Polygon")
        _sub(poly, "tessellate", "1")
        ring = _sub(_sub(poly, "outerBoundaryIs"), "LinearRing")
        _sub(ring, "coordinates", _coords(precision_circle(lon, lat, inc.precision_m),
                                          CIRCLE_DECIMALS))


def _style(doc: ET.Element) -> None:
    style = _sub(doc, "Style", id="incident")
    # The balloon shows the description only (the name, plain text, stays out of its HTML).
    _sub(_sub(style, "BalloonStyle"), "text", "$[description]")
    _sub(_sub(style, "IconStyle"), "scale", "1.1")
    line = _sub(style, "LineStyle")
    _sub(line, "color", "ff0000ff")
    _sub(line, "width", "2")
    _sub(_sub(style, "PolyStyle"), "color", "330000ff")


def _kml(incidents: Sequence[Incident]) -> tuple[bytes, tuple[str, ...]]:
    omitted = tuple(i.id for i in incidents if i.kind == "none")
    root = ET.Element("kml", xmlns=_KML_NS)
    doc = _sub(root, "Document")
    _sub(doc, "name", "Incidents")
    shown = len(incidents) - len(omitted)
    note = f"{shown} incident{'s' * (shown != 1)} with a position."
    if omitted:
        note += (f" {len(omitted)} without a position not shown: "
                 + ", ".join(omitted[:50]) + (" ..." if len(omitted) > 50 else ""))
    _sub(doc, "description", note)
    _style(doc)
    folder = _sub(doc, "Folder")
    _sub(folder, "name", "Incidents (precision circles)")
    for inc in incidents:
        if inc.kind != "none":
            _placemark(folder, inc)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8"), omitted


# ------------------------------------------------------------------ GeoPackage
def _gpkg(incidents: Sequence[Incident]) -> tuple[bytes, tuple[str, ...]]:
    import geopandas as gpd

    kept = [i for i in incidents if i.kind != "none"]
    omitted = tuple(i.id for i in incidents if i.kind == "none")
    if not kept:
        raise InputError("nothing to export as a GeoPackage: none of the incidents has a "
                         "position")
    rows = []
    for inc in kept:
        d = inc.to_dict()
        d.pop("geometry")
        d["sources"] = json.dumps(d["sources"], ensure_ascii=False)
        rows.append(d)
    gdf = gpd.GeoDataFrame(rows, geometry=[i.geometry for i in kept], crs="EPSG:4326")
    for col in ("time_utc", "group"):
        gdf[col] = gdf[col].astype(object)
    with tempfile.TemporaryDirectory(prefix="incidents-gpkg-") as tmp:
        path = os.path.join(tmp, "incidents.gpkg")
        gdf.to_file(path, layer=GPKG_LAYER, driver="GPKG", engine="pyogrio")
        return Path(path).read_bytes(), omitted


# ------------------------------------------------------------------ entry
def build_export(incidents: Sequence[Incident], fmt: str) -> Export:
    """``incidents`` in format ``fmt`` (:data:`EXPORT_FORMATS`), with the count written
    and the ids left out (kml and gpkg leave out incidents without a position)."""
    incidents = list(incidents)
    if fmt == "geojson":
        return Export(_geojson(incidents), fmt, len(incidents))
    if fmt == "csv":
        return Export(_csv(incidents), fmt, len(incidents))
    if fmt in ("kml", "gpkg"):
        data, omitted = _kml(incidents) if fmt == "kml" else _gpkg(incidents)
        return Export(data, fmt, len(incidents) - len(omitted), omitted)
    raise InputError(f"unknown export format {str(fmt)[:20]!r}; use one of "
                     f"{', '.join(EXPORT_FORMATS)}")


def export_incidents(incidents: Sequence[Incident], fmt: ExportFormat) -> bytes:
    """The bytes of ``incidents`` exported as ``fmt`` (see :func:`build_export`)."""
    return build_export(incidents, fmt).data


def write_export(incidents: Sequence[Incident], fmt: ExportFormat, path: str | Path) -> Export:
    """Export ``incidents`` to ``path`` all at once or not at all
    (:func:`~dashboard.io.atomic.write_bytes_atomic`: an old file stays whole if
    anything fails); returns what was written."""
    out = build_export(incidents, fmt)
    write_bytes_atomic(path, out.data)
    return out
