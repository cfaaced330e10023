r"""A zone's vertices as a table or as typed text, and back to a polygon.

Pure steps on shapely polygons in WGS84 lon/lat degrees; no page state.  The
table has one row per vertex (``part``, ``ring``, ``lon``, ``lat``), the text
one position per line in any notation :func:`dashboard.geo.coords.parse_position`
reads (decimal ``lat, lon``, DMS, MGRS).

>>> from shapely.geometry import box
>>> vertex_table(box(23, 50, 24, 51))[["lon", "lat"]].values.tolist()
[[24.0, 50.0], [24.0, 51.0], [23.0, 51.0], [23.0, 50.0]]
>>> list(parse_vertex_text("50.9, 23.6\n50.9, 25.0\n49.8, 25.0").exterior.coords)
[(23.6, 50.9), (25.0, 50.9), (25.0, 49.8), (23.6, 50.9)]
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from dashboard.geo.coords import parse_position
from dashboard.geo.errors import InputError
from dashboard.geo.validate import check_lonlat_array, repair_polygon

__all__ = ["n_vertices", "parse_vertex_text", "table_to_geometry", "vertex_table"]

def vertex_table(geometry: BaseGeometry) -> pd.DataFrame:
    """Vertices of a zone as a table: ``part``, ``ring`` (0 = outline, 1.. = holes),
    ``lon``, ``lat`` in degrees; the closing vertex of each ring is left out."""
    rows: list[tuple[int, int, float, float]] = []
    polys = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    for p_i, poly in enumerate(polys, start=1):
        for r_i, ring in enumerate([poly.exterior, *poly.interiors]):
            xy = np.asarray(ring.coords)[:-1, :2]
            rows.extend((p_i, r_i, float(x), float(y)) for x, y in xy)
    return pd.DataFrame(rows, columns=["part", "ring", "lon", "lat"])


def table_to_geometry(df: pd.DataFrame, what: str = "the vertex table",
                      ) -> tuple[Polygon | MultiPolygon, list[str]]:
    """Rebuild a polygon from a vertex table (see :func:`vertex_table`).

    Rows are taken in order within each (part, ring); a missing part/ring
    means part 1, outline.  Rows with both lon and lat empty are ignored.

    Parameters
    ----------
    df : DataFrame
        Columns ``lon``, ``lat`` (degrees) and optionally ``part``, ``ring``,
        as ``st.data_editor`` returns the table.
    what : str
        What the table is, for messages.

    Returns
    -------
    (Polygon | MultiPolygon, list of str)
        The polygon (edges are geodesics between the vertices) and the repairs
        made with make_valid.

    Raises
    ------
    InputError
        Non-numeric or missing coordinates, coordinates off the globe, a ring
        with fewer than 3 vertices, or no area left.
    """
    if df is None or len(df) == 0:
        raise InputError(f"{what} is empty")
    missing = [c for c in ("lon", "lat") if c not in df.columns]
    if missing:
        raise InputError(f"{what} needs columns lon and lat")
    t = df.reset_index(drop=True).copy()
    t["_row"] = np.arange(1, len(t) + 1)
    for c in ("part", "ring"):
        if c not in t.columns:
            t[c] = 1 if c == "part" else 0
    t = t[~(t["lon"].isna() & t["lat"].isna())]
    for c in ("lon", "lat"):
        t[c] = pd.to_numeric(t[c], errors="coerce")
    bad = t[["lon", "lat"]].isna().any(axis=1).to_numpy()
    if bad.any():
        raise InputError(f"{what}: row {int(t['_row'].to_numpy()[bad][0])} has a missing or "
                         "non-numeric lon/lat")
    t["part"] = pd.to_numeric(t["part"], errors="coerce").fillna(1).astype(int)
    t["ring"] = pd.to_numeric(t["ring"], errors="coerce").fillna(0).astype(int)
    check_lonlat_array(t[["lon", "lat"]].to_numpy(dtype=float), what)
    polys = []
    for part, g in t.groupby("part", sort=True):
        rings = []
        for ring, r in g.groupby("ring", sort=True):
            xy = r[["lon", "lat"]].to_numpy(dtype=float)
            if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
                xy = xy[:-1]
            if len(np.unique(xy, axis=0)) < 3:
                raise InputError(f"{what}: part {part} ring {ring} needs at least 3 "
                                 "different vertices")
            rings.append((ring, xy))
        rings.sort(key=lambda t_: t_[0])
        if rings[0][0] != 0:
            raise InputError(f"{what}: part {part} has holes (ring ≥ 1) but no outline "
                             "(ring 0)")
        polys.append(Polygon(rings[0][1], [xy for _, xy in rings[1:]]))
    geom: BaseGeometry = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    return repair_polygon(geom, what)


def parse_vertex_text(text: str) -> Polygon:
    """A polygon from one position per line, in any form
    :func:`dashboard.geo.coords.parse_position` reads (decimal ``lat, lon``, DMS, MGRS).

    Raises
    ------
    InputError
        A line that is not a position (its number is given), fewer than 3
        vertices, or an outline that crosses itself.
    """
    pts: list[tuple[float, float]] = []
    for k, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            lon, lat = parse_position(line)
        except InputError as exc:
            raise InputError(f"line {k}: {exc}") from None
        pts.append((lon, lat))
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(set(pts)) < 3:
        raise InputError("give at least 3 different vertices, one per line")
    poly = Polygon(pts)
    if not poly.is_valid:
        raise InputError("the outline crosses itself; list the vertices in order around "
                         "the zone")
    return poly


def n_vertices(geometry: BaseGeometry) -> int:
    """Distinct vertices of a polygon's rings (closing vertices not counted)."""
    polys = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    return sum(len(r.coords) - 1 for p in polys for r in [p.exterior, *p.interiors])
