"""The preview of an incident import: which rows are new, which duplicate, which are invalid.

Nothing is written here: :func:`preview_import` sorts the rows
:func:`~dashboard.io.incident_import.read_incident_file` read against the
incidents the store holds, and the caller writes ``preview.new`` (in one
transaction) only when the user confirms.  A row is

- **invalid** when it failed its checks (its reasons, one line each);
- a **duplicate** when its id is an existing incident's id (``distance_km`` is then
  the distance between the two, None when either has no position), or when an
  existing incident, or a row of the same file kept before it, has the same date
  and lies within ``duplicate_km`` (the nearest one is named);
  unpositioned rows duplicate an unpositioned incident of the same date, country
  and place (folded: case and diacritics ignored), distance None;
- **new** otherwise.  A new row whose id was made from its date and place (the
  file gave none) and is already taken gets the next free one (``-2``, ``-3`` ...).

Distances are geodesic on the WGS84 ellipsoid (``pyproj.Geod``, km).  Between a
point and a track (a LineString) or two tracks, the distance is the least over
the track's vertices after inserting geodesic vertices every
:data:`TRACK_STEP_KM` along each edge: it exceeds the true distance to the
segment by at most ``step²/(8·d)`` (under 2 m at 5 km), and by at most half a
step where they touch.

>>> from dashboard.data.incidents.record import EXAMPLE, Incident
>>> from dashboard.io.incident_import import read_incident_file
>>> csv = (b"date,place,country,lat,lon,precision_m,source_url\\n"
...        b"2022-11-15,Hrubiesz\\xc3\\xb3w,PL,50.5,23.9,1000,https://example.org/a\\n"
...        b"2022-11-15,Far away,PL,52.0,21.0,1000,https://example.org/b\\n"
...        b"2022-11-15,Nowhere,PL,52.0,99.0,1000,https://example.org/c\\n")
>>> pv = preview_import(read_incident_file(csv, "a.csv"), [Incident.from_dict(EXAMPLE)])
>>> d = pv.to_json()
>>> [r["id"] for r in d["new"]], d["duplicates"][0]["of_id"], d["duplicates"][0]["distance_km"]
(['2022-11-15-far-away'], '2022-11-15-przewodow', 4.043)
>>> d["invalid"][0]["row"], d["invalid"][0]["reasons"][0][:40]
(3, 'position: 52.00000, 99.00000 (lat, lon) ')
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from dashboard.data.incidents.record import Incident, new_incident_id
from dashboard.data.limits import MAX_DUPLICATE_KM
from dashboard.data.textfold import fold
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import GEOD, densify
from dashboard.io.incident_import import ParsedImport, ParsedRow

__all__ = ["DEFAULT_DUPLICATE_KM", "MAX_DUPLICATE_KM", "TRACK_STEP_KM", "Duplicate",
           "ImportPreview", "geometry_distance_km", "preview_import"]

#: Distance (km) within which an incident of the same date is a duplicate, by default.
DEFAULT_DUPLICATE_KM: float = 5.0
#: Spacing (km) of the vertices a track is sampled at for distances.
TRACK_STEP_KM: float = 0.25


@dataclass(frozen=True)
class Duplicate:
    """A row that duplicates incident ``of_id`` (existing, or an earlier row of the file)."""

    row: ParsedRow
    of_id: str
    distance_km: float | None
    #: True if ``of_id`` is an earlier row of the same file, not a stored incident.
    in_file: bool = False


@dataclass(frozen=True)
class ImportPreview:
    """The rows of an import sorted: ``new`` (to write), ``duplicates``, ``invalid``."""

    new: list[ParsedRow] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    invalid: list[ParsedRow] = field(default_factory=list)

    @property
    def records(self) -> list[Incident]:
        """The new rows' incidents, in file order (what a confirmed import writes)."""
        return [r.record for r in self.new if r.record is not None]

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        """``{"new": [...], "duplicates": [...], "invalid": [...]}``: each row with its
        ``row`` number, ``id``, ``date`` and ``place``; a duplicate with ``of_id``,
        ``distance_km`` (3 decimals, null when unpositioned) and ``in_file``; an
        invalid row with its ``reasons``."""
        return {
            "new": [_brief(r) for r in self.new],
            "duplicates": [{**_brief(d.row), "of_id": d.of_id,
                            "distance_km": None if d.distance_km is None
                            else round(d.distance_km, 3), "in_file": d.in_file}
                           for d in self.duplicates],
            "invalid": [{**_brief(r), "reasons": list(r.problems)} for r in self.invalid],
        }


def _brief(r: ParsedRow) -> dict[str, Any]:
    def text(key: str) -> str | None:
        v = r.value(key)
        return None if v is None or v == "" else str(v)
    return {"row": r.row, "id": text("id"), "date": text("date"), "place": text("place")}


def _vertices(g: BaseGeometry) -> np.ndarray:
    if g.geom_type == "Point":
        return np.array([[g.x, g.y]], dtype=float)
    return np.asarray(densify(g, TRACK_STEP_KM).coords, dtype=float)[:, :2]


def geometry_distance_km(a: BaseGeometry, b: BaseGeometry) -> float:
    """Geodesic distance (km, WGS84) between two incident geometries (Point or
    LineString; a track sampled every :data:`TRACK_STEP_KM`).

    >>> from shapely.geometry import LineString, Point
    >>> round(geometry_distance_km(Point(24, 50), Point(24, 50.1)), 3)
    11.123
    >>> track = LineString([(23.5, 50), (24.5, 50)])  # its geodesic bows north of 50 N
    >>> round(geometry_distance_km(Point(24, 50.1), track), 2)
    11.0
    """
    va, vb = _vertices(a), _vertices(b)
    ia, ib = np.meshgrid(np.arange(len(va)), np.arange(len(vb)), indexing="ij")
    _, _, d = GEOD.inv(va[ia.ravel(), 0], va[ia.ravel(), 1], vb[ib.ravel(), 0],
                       vb[ib.ravel(), 1])
    return float(np.min(d)) / 1000.0


def _same_unpositioned(a: Incident, b: Incident) -> bool:
    return a.kind == b.kind == "none" and a.country == b.country \
        and fold(a.place).strip() == fold(b.place).strip()


@dataclass
class _Pool:
    """The incidents of one date: points as coordinate lists (one vectorised distance
    call per row), tracks and unpositioned ones as they are."""

    points: list[Incident] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    others: list[Incident] = field(default_factory=list)

    def add(self, inc: Incident) -> None:
        if inc.kind == "point" and inc.lonlat is not None:
            self.points.append(inc)
            self.lon.append(inc.lonlat[0])
            self.lat.append(inc.lonlat[1])
        else:
            self.others.append(inc)


def _in_box(lon: float, lat: float, x: np.ndarray, y: np.ndarray, km: float) -> np.ndarray:
    """A conservative pre-filter: False only where (x, y) is surely more than ``km`` from
    (lon, lat) (a degree of latitude is at least 110.5 km; one of longitude at least
    111.3·cos(lat) km; 10 % margin)."""
    dlat = 1.1 * km / 110.5
    top = min(89.0, abs(lat) + dlat)
    dlon = min(180.0, 1.1 * km / (111.3 * math.cos(math.radians(top))))
    return (np.abs(y - lat) <= dlat) & (np.abs((x - lon + 180.0) % 360.0 - 180.0) <= dlon)


def _nearest(inc: Incident, pool: _Pool | None,
             within_km: float) -> tuple[Incident, float | None] | None:
    """The incident of ``pool`` (same date) nearest ``inc`` within ``within_km`` (or an
    unpositioned one of the same place), with the distance; None if none."""
    if pool is None:
        return None
    if inc.geometry is None:
        same = next((c for c in pool.others if _same_unpositioned(inc, c)), None)
        return None if same is None else (same, None)
    found: list[tuple[float, Incident]] = []
    if pool.points and inc.kind == "point" and inc.lonlat is not None:
        lon, lat = inc.lonlat
        x, y = np.asarray(pool.lon), np.asarray(pool.lat)
        near = np.flatnonzero(_in_box(lon, lat, x, y, within_km))
        if len(near):
            _, _, d = GEOD.inv(np.full(len(near), lon), np.full(len(near), lat), x[near],
                               y[near])
            i = int(np.argmin(d))
            found.append((float(d[i]) / 1000.0, pool.points[near[i]]))
    elif pool.points:
        found += [(geometry_distance_km(inc.geometry, c.geometry), c) for c in pool.points
                  if c.geometry is not None]
    found += [(geometry_distance_km(inc.geometry, c.geometry), c) for c in pool.others
              if c.geometry is not None]
    if not found:
        return None
    d_km, best = min(found, key=lambda t: t[0])
    return (best, d_km) if d_km <= within_km else None


def _check_km(duplicate_km: float) -> float:
    try:
        km = float(duplicate_km)
    except (TypeError, ValueError):
        raise InputError(f"the duplicate distance must be a number of km, got "
                         f"{str(duplicate_km)[:20]}") from None
    if not (math.isfinite(km) and 0 < km <= MAX_DUPLICATE_KM):
        raise InputError(f"the duplicate distance must be more than 0 and at most "
                         f"{MAX_DUPLICATE_KM:g} km, got {duplicate_km}")
    return km


def preview_import(parsed: ParsedImport, existing: Sequence[Incident], *,
                   duplicate_km: float = DEFAULT_DUPLICATE_KM) -> ImportPreview:
    """Sort ``parsed``'s rows into new, duplicates and invalid against ``existing``
    (the stored incidents; see the module's description for the rules).

    Raises
    ------
    InputError
        ``duplicate_km`` not in (0, :data:`MAX_DUPLICATE_KM`].
    """
    km = _check_km(duplicate_km)
    by_id = {inc.id: inc for inc in existing}
    by_date: dict[str, _Pool] = defaultdict(_Pool)
    for old in existing:
        by_date[old.date].add(old)
    kept_by_date: dict[str, _Pool] = defaultdict(_Pool)
    kept: dict[str, Incident] = {}
    taken = set(by_id)
    out = ImportPreview()
    for row in parsed.rows:
        inc = row.record
        if inc is None:
            out.invalid.append(row)
            continue
        dup = _duplicate(row, inc, by_id, by_date, kept_by_date, kept, km)
        if dup is not None:
            out.duplicates.append(dup)
            continue
        if inc.id in taken:  # a made id, taken: the next free one
            inc = inc.with_changes(id=new_incident_id(inc.date, inc.place, taken))
            row = ParsedRow(row.row, inc, row.problems, row.raw, row.candidate, True)
        out.new.append(row)
        kept[inc.id] = inc
        taken.add(inc.id)
        kept_by_date[inc.date].add(inc)
    return out


def _duplicate(row: ParsedRow, inc: Incident, by_id: dict[str, Incident],
               by_date: dict[str, _Pool], kept_by_date: dict[str, _Pool],
               kept: dict[str, Incident], km: float) -> Duplicate | None:
    """The duplicate ``row`` is, if any: by a given id, then stored, then in the file."""
    if not row.id_generated:
        same = by_id.get(inc.id)
        if same is not None:
            d = None if inc.geometry is None or same.geometry is None else \
                geometry_distance_km(inc.geometry, same.geometry)
            return Duplicate(row, inc.id, d)
        first = kept.get(inc.id)
        if first is not None:
            d = None if inc.geometry is None or first.geometry is None else \
                geometry_distance_km(inc.geometry, first.geometry)
            return Duplicate(row, inc.id, d, in_file=True)
    hit = _nearest(inc, by_date.get(inc.date), km)
    if hit is not None:
        return Duplicate(row, hit[0].id, hit[1])
    hit = _nearest(inc, kept_by_date.get(inc.date), km)
    if hit is not None:
        return Duplicate(row, hit[0].id, hit[1], in_file=True)
    return None
