"""Geodesic buffers: circles, corridors, grown and shrunk polygons, border bands.

- A point's buffer is a geodesic circle: each vertex is placed with ``Geod.fwd``
  exactly ``radius_km`` from the centre, enough of them that each edge sags at most
  :data:`CIRCLE_SAG_FRACTION` of the radius inside the circle and the area is within
  0.005 % of the circle's (:func:`circle_vertices`).
- Lines and polygons are buffered in an azimuthal equidistant projection
  centred on the geometry (edges first densified along their geodesics), then
  every vertex of the result is moved onto the exact geodesic offset: the
  nearest point Q of the geometry is found (:mod:`dashboard.geo.distance`) and
  the vertex is put ``distance_km`` from Q along the geodesic from Q through it.
  This repeats until every vertex lies within :data:`EDGE_TOLERANCE` of the
  requested distance, so long geometries (the whole NATO border) are as right
  as short ones.
- The result's edges are geodesics too, and between two good vertices an edge
  can still cut inside a round join or across a cusp: points along every edge's
  geodesic are measured, and where one is off, the edge's midpoint becomes a
  (snapped) vertex, until every edge passes
  (:func:`refine_edges`).  Edges are checked a quarter and three quarters along,
  to 40 % of the tolerance (a kink at a concave join can hide behind a right
  midpoint; on a smooth arc the midpoint's sag is 4/3 of the quarter points');
  vertices are snapped to a tenth of it.  Every point of every edge then lies
  within 0.01 % of the distance (measured by brute force on the PL-UA buffers at
  points every 100 m: worst +0.009 % at 10 km, -0.0053 % inside; the whole
  border's 100 km buffer at sixteenths of every edge: +0.0085 %), and the area
  within 0.01 % of the exact buffer's (PL-UA 50 km: +0.001 % against a union of
  circles).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from dashboard.geo.distance import nearest
from dashboard.geo.edges import densify_edges, ring_ends, split_edges
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import aeqd_transformers, densify, forward, inverse_km

if TYPE_CHECKING:
    import geopandas as gpd

Side = Literal["outside", "inside", "both"]

#: Largest buffer distance accepted, km.
MAX_BUFFER_KM: float = 5000.0
#: Relative error allowed for every point of a buffer's edges (0.1 % requested; we meet 0.01 %).
EDGE_TOLERANCE: float = 1e-4
#: Largest sag of a circle's chord inside the circle, as a share of the radius.  An n-gon's
#: chords sag r (1 - cos(pi/n)) and its area falls short by about 4/3 of that share; the
#: former fixed 256 vertices sagged 7.5e-5 r (6.8 m at 90 km) and lost 0.0100 % of the area.
CIRCLE_SAG_FRACTION: float = 2.5e-5
#: Where along each edge of a buffer the distance is checked (fractions of the edge).  At a
#: concave join (a cusp where the offsets of two parts of the line meet) the distance along
#: an edge has a kink, and a midpoint that is right says nothing of the quarter points: the
#: 50 km PL-UA buffer went 0.027 % beyond its distance there when only midpoints were checked.
#: (Checking the midpoint as well, or sixths, found nothing more and cost a third more.)
EDGE_CHECK_FRACTIONS: tuple[float, ...] = (0.25, 0.75)
#: Edge samples must be within this share of :data:`EDGE_TOLERANCE`, so the points between the
#: samples (where a chord sags most: 4/3 of the quarter points' sag, or a kink peaks) stay
#: within it.
EDGE_CHECK_MARGIN: float = 0.4
#: Vertices are snapped to within this share of :data:`EDGE_TOLERANCE` (a vertex that used the
#: whole tolerance left nothing for the edges next to it: the 50 km PL-UA buffer had vertices
#: 0.0098 % inside the distance).
VERTEX_MARGIN: float = 0.1
#: Rounds of edge refinement (each splits the edges whose midpoint is still off).
MAX_EDGE_ROUNDS: int = 10
#: Correction rounds before giving up on a vertex.
MAX_CORRECTIONS: int = 6
#: Vertices per quarter circle on round joins and caps of the planar buffer.
QUAD_SEGS: int = 16
#: The planar draft is built from the geometry simplified by this fraction of the distance.
SIMPLIFY_FRACTION: float = 0.005


def _check_distance(distance_km: float, what: str = "distance") -> float:
    try:
        d = float(distance_km)
    except (TypeError, ValueError):
        raise InputError(f"buffer {what} must be a number of km, got {distance_km!r}") from None
    if not np.isfinite(d) or d <= 0:
        raise InputError(f"buffer {what} must be more than 0 km, got {distance_km!r}")
    if d > MAX_BUFFER_KM:
        raise InputError(f"buffer {what} {d:g} km is too large (at most {MAX_BUFFER_KM:g} km)")
    return d


def _check_lonlat_span(poly: BaseGeometry) -> None:
    for ring_xy in (np.asarray(r.coords) for r in _rings(poly)):
        if len(ring_xy) > 1 and (np.abs(np.diff(ring_xy[:, 0])) > 180).any():
            raise InputError("buffers that cross the 180° meridian or contain a pole "
                             "are not supported")


def _rings(geom: BaseGeometry):
    for p in getattr(geom, "geoms", [geom]):
        if p.geom_type == "Polygon":
            yield p.exterior
            yield from p.interiors


def circle_vertices(sag_fraction: float = CIRCLE_SAG_FRACTION) -> int:
    """Fewest vertices of a circle whose chords sag at most ``sag_fraction`` of the radius
    (444 for the default: 2.25 m at 90 km, area 0.0033 % short)."""
    return int(np.ceil(np.pi / np.arccos(1.0 - float(sag_fraction))))


def buffer_point(lon: float, lat: float, radius_km: float, n_vertices: int | None = None,
                 ) -> Polygon:
    """Geodesic circle of ``radius_km`` around ``(lon, lat)``.

    Parameters
    ----------
    lon, lat : float
        Centre, WGS84 degrees.
    radius_km : float
        Geodesic radius, km (0 < r <= 5000).
    n_vertices : int, optional
        Vertices on the circle (each exactly ``radius_km`` from the centre); by default
        :func:`circle_vertices`, so every edge lies within 0.0025 % of the radius and the
        area within 0.005 % of the circle's.

    Returns
    -------
    Polygon
        Counter-clockwise ring of lon/lat vertices.
    """
    r = _check_distance(radius_km, "radius")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(f"centre {lat:g}, {lon:g} is not a valid position")
    n = max(int(n_vertices) if n_vertices is not None else circle_vertices(), 8)
    az = np.linspace(360.0, 0.0, n, endpoint=False)  # anticlockwise
    x, y = forward(np.full(n, float(lon)), np.full(n, float(lat)), az, np.full(n, r))
    poly = Polygon(np.column_stack([x, y]))
    _check_lonlat_span(poly)
    return poly


def _to_polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    if geom.is_empty:
        return Polygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    out = shapely.union_all(polys) if polys else Polygon()
    return out


def _finish(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Valid, polygonal, counter-clockwise; slivers from tiny self-crossings removed."""
    if not geom.is_valid:
        fixed = geom.buffer(0)
        if fixed.is_empty or not fixed.is_valid:
            fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        geom = fixed
    geom = _to_polygonal(geom)
    parts = [p for p in getattr(geom, "geoms", [geom]) if not p.is_empty]
    if not parts:
        return Polygon()
    biggest = max(p.area for p in parts)
    parts = [orient(p, 1.0) for p in parts if p.area > biggest * 1e-9]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _offset_error(xy: np.ndarray, ref: gpd.GeoDataFrame, distance_km: float):
    res = nearest(xy[:, 0], xy[:, 1], ref)
    d = res["boundary_km"].to_numpy()
    return res, np.abs(d - distance_km) / distance_km


def _reference(reference: BaseGeometry) -> gpd.GeoDataFrame:
    import geopandas as gpd  # here, not at import: data.limits imports this module

    return gpd.GeoDataFrame(geometry=[reference], crs="EPSG:4326")


def _snap_xy(xy: np.ndarray, ref: gpd.GeoDataFrame, distance_km: float,
             tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Points ``xy`` moved onto the ``distance_km`` offset of ``ref``; and a mask of
    those that would not settle within ``tolerance`` (relative)."""
    xy = np.array(xy, dtype=float)
    todo = np.arange(len(xy))
    bad = np.zeros(len(xy), dtype=bool)
    for it in range(MAX_CORRECTIONS + 1):
        if not len(todo):
            break
        res, err = _offset_error(xy[todo], ref, distance_km)
        off = err > tolerance
        d = res["boundary_km"].to_numpy()
        movable = off & (d > 1e-9)
        if it == MAX_CORRECTIONS or not movable.any():
            bad[todo[off]] = True
            break
        sel = todo[movable]
        qlon = res["boundary_lon"].to_numpy()[movable]
        qlat = res["boundary_lat"].to_numpy()[movable]
        az, _ = inverse_km(qlon, qlat, xy[sel, 0], xy[sel, 1])
        nx, ny = forward(qlon, qlat, az, np.full(len(sel), distance_km))
        xy[sel, 0], xy[sel, 1] = nx, ny
        todo = sel
    if bad.any():
        xy[bad], bad[bad] = _bisect_onto_offset(xy[bad], ref, distance_km, tolerance)
    return xy, bad


def _bisect_onto_offset(xy: np.ndarray, ref: gpd.GeoDataFrame, distance_km: float,
                        tolerance: float, azimuth: np.ndarray | None = None,
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Points moved onto the offset by bisection along a geodesic through each.

    The geodesic leaves each point along ``azimuth`` (degrees; either way) or,
    by default, towards its nearest reference point.  Distance to the
    reference is continuous along it, so once a step brackets the offset the
    bisection converges, even at a cusp where the offsets of two parts of the
    reference meet and snapping will not settle.  Returns the points and a mask
    of those still off by more than ``tolerance`` (relative).
    """
    res, _ = _offset_error(xy, ref, distance_km)
    d0 = res["boundary_km"].to_numpy()
    toward, _ = inverse_km(xy[:, 0], xy[:, 1], res["boundary_lon"].to_numpy(),
                           res["boundary_lat"].to_numpy())
    if azimuth is None:
        azimuth = toward
    # the way that brings the point nearer the reference when beyond, farther when short
    nearer = np.cos(np.radians(toward - azimuth)) >= 0
    az = np.where(nearer == (d0 > distance_km), azimuth, azimuth + 180.0)

    def f(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = forward(xy[:, 0], xy[:, 1], az, s)
        pts = np.column_stack([x, y])
        d = _offset_error(pts, ref, distance_km)[0]["boundary_km"].to_numpy()
        return pts, (d - distance_km) * np.sign(d0 - distance_km)  # > 0: not there yet

    lo, hi = np.zeros(len(xy)), np.abs(d0 - distance_km) + 1e-9
    for _ in range(8):  # widen until every bracket holds the offset
        _, fh = f(hi)
        if (fh <= 0).all():
            break
        lo, hi = np.where(fh > 0, hi, lo), np.where(fh > 0, hi * 2, hi)
    for _ in range(40):
        mid = (lo + hi) / 2
        pts, fm = f(mid)
        if (np.abs(fm) <= tolerance * distance_km).all():
            return pts, np.zeros(len(xy), dtype=bool)
        lo, hi = np.where(fm > 0, mid, lo), np.where(fm > 0, hi, mid)
    pts, fm = f((lo + hi) / 2)
    return pts, np.abs(fm) > tolerance * distance_km


def snap_to_offset(buffer_geom: BaseGeometry, reference: BaseGeometry, distance_km: float,
                   tolerance: float = EDGE_TOLERANCE) -> BaseGeometry:
    """Move every vertex of ``buffer_geom`` to exactly ``distance_km`` from ``reference``.

    Each vertex V is put on the geodesic from its nearest reference point Q
    through V, at ``distance_km`` from Q; this repeats for vertices still off by
    more than ``tolerance`` (relative).  A vertex that will not settle (a cusp
    where offsets of two parts of the reference meet) is removed, so its
    neighbours, which lie on the offset, define the edge there.
    """
    xy = shapely.get_coordinates(buffer_geom)
    if len(xy) == 0:
        return buffer_geom
    xy, bad = _snap_xy(xy, _reference(reference), distance_km, tolerance)
    out = shapely.set_coordinates(buffer_geom, xy)
    if bad.any():
        out = _drop_vertices(out, bad)
    return out


def refine_edges(buffer_geom: BaseGeometry, reference: BaseGeometry, distance_km: float,
                 tolerance: float = EDGE_TOLERANCE) -> BaseGeometry:
    """Split every edge of a snapped buffer that strays from the offset.

    An edge strays when a point at one of :data:`EDGE_CHECK_FRACTIONS` along its
    geodesic is off by more than ``tolerance`` × :data:`EDGE_CHECK_MARGIN`
    (relative); its midpoint is then moved onto the offset (to ``tolerance`` ×
    :data:`VERTEX_MARGIN`) and becomes a vertex.  This repeats (at most
    :data:`MAX_EDGE_ROUNDS` rounds) until no edge strays, which keeps every point of
    every edge within ``tolerance`` of ``distance_km`` from ``reference``.
    """
    ref = _reference(reference)
    geom = buffer_geom
    for _ in range(MAX_EDGE_ROUNDS):
        if geom.is_empty:
            break
        gtype, xy, offsets = shapely.to_ragged_array([geom])
        ends = ring_ends(offsets[0], len(xy))
        starts = np.flatnonzero(~ends[:-1])
        off = _edges_off(xy, starts, ref, distance_km, tolerance * EDGE_CHECK_MARGIN)
        if not off.any():
            break
        pieces = np.ones(len(xy), dtype=np.int64)
        pieces[starts[off]] = 2
        e = starts[off]
        edge_az, _ = inverse_km(xy[e, 0], xy[e, 1], xy[e + 1, 0], xy[e + 1, 1])
        xy, ends, ins = split_edges(xy, ends, pieces)
        # across the edge, so the new vertex stays between its neighbours (at a cusp
        # a snap along the nearest-point direction slides it to one end)
        xy[ins], bad = _bisect_onto_offset(xy[ins], ref, distance_km, tolerance * VERTEX_MARGIN,
                                           np.asarray(edge_az) + 90.0)
        new_off = np.r_[0, np.flatnonzero(ends) + 1].astype(np.int64)
        geom = shapely.from_ragged_array(gtype, xy, (new_off, *offsets[1:]))[0]
        if bad.any():
            drop = np.zeros(len(xy), dtype=bool)
            drop[np.flatnonzero(ins)[bad]] = True
            geom = _drop_vertices(geom, drop)
    return geom


def _edges_off(xy: np.ndarray, starts: np.ndarray, ref: gpd.GeoDataFrame, distance_km: float,
               tolerance: float) -> np.ndarray:
    """Mask of the edges ``xy[i] -> xy[i + 1]`` (``i`` in ``starts``) with a point at one
    of :data:`EDGE_CHECK_FRACTIONS` along the geodesic off by more than ``tolerance``."""
    a, b = xy[starts], xy[starts + 1]
    az, length_km = inverse_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    frac = np.repeat(np.asarray(EDGE_CHECK_FRACTIONS, dtype=float)[None, :], len(starts), axis=0)
    rows = np.repeat(np.arange(len(starts)), len(EDGE_CHECK_FRACTIONS))
    x, y = forward(a[rows, 0], a[rows, 1], np.asarray(az)[rows],
                   np.asarray(length_km)[rows] * frac.ravel())
    _, err = _offset_error(np.column_stack([x, y]), ref, distance_km)  # one query for all
    return (err > tolerance).reshape(len(starts), -1).any(axis=1)


def _drop_vertices(geom: BaseGeometry, drop: np.ndarray) -> BaseGeometry:
    """``geom`` (polygonal) without the vertices flagged in ``drop`` (coordinate order)."""
    polys = []
    pos = 0
    for part in getattr(geom, "geoms", [geom]):
        rings = []
        for ring in [part.exterior, *part.interiors]:
            xy = np.asarray(ring.coords)
            m = drop[pos:pos + len(xy)].copy()
            pos += len(xy)
            if m[0] or m[-1]:  # the closing vertex is the first vertex
                m[0] = m[-1] = m[0] or m[-1]
            core = xy[:-1][~m[:-1]]
            if len(core) >= 3:
                rings.append(np.vstack([core, core[:1]]))
            elif not rings:
                break  # exterior collapsed: drop the part
        if rings:
            polys.append(Polygon(rings[0], rings[1:]))
    return MultiPolygon(polys) if len(polys) > 1 else (polys[0] if polys else Polygon())


def buffer_geometry(geom: BaseGeometry, distance_km: float, side: Side = "outside",
                    ) -> Polygon | MultiPolygon:
    """Geodesic buffer of any geometry.

    Parameters
    ----------
    geom : shapely geometry
        WGS84 lon/lat; edges are geodesics.
    distance_km : float
        Buffer distance, km (0 < d <= 5000).
    side : {"outside", "inside", "both"}
        For polygons: grow (``outside``), shrink (``inside``), or the band of
        everything within ``distance_km`` of the boundary on either side
        (``both``).  Points and lines only have ``outside`` (``both`` is the same).

    Returns
    -------
    Polygon or MultiPolygon
        Every point of its (geodesic) edges lies within 0.01 % of ``distance_km``
        of the geometry (of its boundary for polygons): vertices to 0.001 %, points
        a quarter and three quarters along each edge to 0.004 %; lon/lat,
        counter-clockwise exteriors.

    Raises
    ------
    InputError
        Bad distance or side, empty geometry, or nothing left after shrinking.
    """
    d = _check_distance(distance_km)
    if side not in ("outside", "inside", "both"):
        raise InputError(f"side must be outside, inside or both, not {side!r}")
    if geom is None or geom.is_empty:
        raise InputError("nothing to buffer: the geometry is empty")
    gtype = geom.geom_type
    polygonal = gtype in ("Polygon", "MultiPolygon")
    if not polygonal and side == "inside":
        raise InputError("an inside buffer needs a polygon; points and lines have no inside")
    if gtype == "Point":
        return buffer_point(geom.x, geom.y, d)
    if gtype == "MultiPoint":
        return _finish(shapely.union_all([buffer_point(p.x, p.y, d) for p in geom.geoms]))
    if gtype == "GeometryCollection":
        parts = [buffer_geometry(g, d, side if g.geom_type in ("Polygon", "MultiPolygon")
                                 else "outside") for g in geom.geoms if not g.is_empty]
        return _finish(shapely.union_all(parts))
    if polygonal and not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    draft = _planar_draft(geom, d, side, polygonal)
    return _settle(draft, geom.boundary if polygonal else geom, d)


def _planar_draft(geom: BaseGeometry, d: float, side: Side, polygonal: bool) -> BaseGeometry:
    """The buffer drafted in an AEQD projection centred on the geometry, back in lon/lat,
    with vertices every 2.5 % of the distance (round joins need them)."""
    dense = densify(geom, max(min(d / 4.0, 20.0), 0.5))
    c = dense.centroid if not dense.centroid.is_empty else dense.representative_point()
    to_aeqd, from_aeqd = aeqd_transformers(c.x, c.y)
    planar = shapely.transform(dense, lambda xy: np.column_stack(to_aeqd.transform(xy[:, 0], xy[:, 1])))
    dm = d * 1000.0
    # detail much finer than the distance does not shape the offset; dropping it
    # makes GEOS fast, and the snapping measures to the full geometry
    planar = planar.simplify(dm * SIMPLIFY_FRACTION, preserve_topology=polygonal)
    if side == "outside" or not polygonal:
        out = planar.buffer(dm, quad_segs=QUAD_SEGS)
    elif side == "inside":
        out = planar.buffer(-dm, quad_segs=QUAD_SEGS)
    else:
        out = planar.boundary.buffer(dm, quad_segs=QUAD_SEGS)
    if out.is_empty:
        raise InputError(f"nothing is left: the polygon is nowhere wider than {2 * d:g} km")
    out = shapely.segmentize(out, max(min(dm / 40.0, 10_000.0), 100.0))
    lonlat = shapely.transform(out, lambda xy: np.column_stack(from_aeqd.transform(xy[:, 0], xy[:, 1])))
    _check_lonlat_span(lonlat)
    return lonlat


def _settle(draft: BaseGeometry, reference: BaseGeometry, d: float) -> BaseGeometry:
    """Snap the draft's vertices, repair it, and split edges until every vertex and
    every checked edge point lies on the ``d`` km offset of ``reference``."""
    vertex_tol = EDGE_TOLERANCE * VERTEX_MARGIN
    result = _finish(snap_to_offset(draft, reference, d, vertex_tol))
    ref = _reference(reference)
    for _ in range(4):
        if result.is_empty:
            break
        result = _finish(refine_edges(result, reference, d))
        # repairing self-crossings adds vertices at the crossings, and edges from them
        # (near a cusp) may stray: snap those vertices, and refine again unless all pass
        _, err = _offset_error(shapely.get_coordinates(result), ref, d)
        if (err <= vertex_tol).all():
            _, xy, offsets = shapely.to_ragged_array([result])
            starts = np.flatnonzero(~ring_ends(offsets[0], len(xy))[:-1])
            if not _edges_off(xy, starts, ref, d, EDGE_TOLERANCE * EDGE_CHECK_MARGIN).any():
                break
            continue
        result = _finish(snap_to_offset(result, reference, d, vertex_tol))
    if result.is_empty:
        raise InputError(f"nothing is left after buffering by {d:g} km")
    return result


def side_band(line: BaseGeometry, depth_km: float, clip_to: BaseGeometry | gpd.GeoDataFrame,
              ) -> Polygon | MultiPolygon:
    """Band ``depth_km`` deep along ``line``, on the side that lies in ``clip_to``.

    E.g. the Ukrainian side of the PL-UA border: ``side_band(pl_ua, 100, ukraine)``
    is the part of Ukraine within 100 km (geodesic) of that border line.

    Parameters
    ----------
    line : LineString or MultiLineString
        WGS84 lon/lat.
    depth_km : float
        Depth of the band, km.
    clip_to : Polygon, MultiPolygon or GeoDataFrame
        The territory the band must stay in (a GeoDataFrame is unioned).
    """
    d = _check_distance(depth_km, "depth")
    if hasattr(clip_to, "geometry") and not isinstance(clip_to, BaseGeometry):
        clip_to = shapely.union_all(np.asarray(clip_to.geometry.values))
    if clip_to is None or clip_to.is_empty:
        raise InputError("nothing to clip the band to")
    # the territory's edges are geodesics: densify them before the planar overlay
    clip_to = densify_edges(clip_to)
    if not clip_to.is_valid:
        clip_to = shapely.make_valid(clip_to, method="structure", keep_collapsed=False)
    band = densify_edges(buffer_geometry(line, d, "outside"))
    out = _finish(band.intersection(clip_to))
    if out.is_empty:
        raise InputError("the band does not reach the territory it is clipped to")
    return out


__all__ = [
    "EDGE_TOLERANCE",
    "MAX_BUFFER_KM",
    "buffer_geometry",
    "buffer_point",
    "circle_vertices",
    "side_band",
    "snap_to_offset",
]
