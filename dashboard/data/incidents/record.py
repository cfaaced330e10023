"""One incident: a frozen record with its sources, grades, position and status.

Positions are WGS84 (lon, lat) degrees; ``precision_m`` is metres.  A track (an
airspace violation with a published route) is a LineString; an incident whose
position no source states has no geometry.

>>> inc = Incident.from_dict(EXAMPLE)
>>> inc.lonlat, inc.kind
((23.93432, 50.47099), 'point')
>>> Incident.from_dict(inc.to_dict()) == inc
True
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from shapely.geometry import LineString, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from dashboard.data.textfold import fold

__all__ = ["OBJECT_TYPES", "ATTRIBUTED_TO", "POSITION_KINDS", "STATUSES", "GRADE_RE",
           "RELIABILITY", "CREDIBILITY", "FIELDS", "TEXT_FIELDS", "Source", "Incident",
           "EXAMPLE", "new_incident_id", "GeometryKind"]

#: What came down.
OBJECT_TYPES: tuple[str, ...] = ("missile", "drone", "debris", "aircraft", "balloon", "unknown")
#: Whom the official statement names as responsible.
ATTRIBUTED_TO: tuple[str, ...] = ("russian", "ukrainian", "belarusian", "not stated")
#: How the position was obtained.
POSITION_KINDS: tuple[str, ...] = ("source", "gazetteer", "map click", "estimate", "not sourced")
#: How established the incident is.
STATUSES: tuple[str, ...] = ("confirmed", "reported", "disputed")
#: NATO "Admiralty" grading (AJP-2.1): source reliability A (completely reliable) to
#: F (cannot be judged); information credibility 1 (confirmed) to 6 (cannot be judged).
RELIABILITY: dict[str, str] = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
    "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged"}
CREDIBILITY: dict[str, str] = {
    "1": "confirmed by other sources", "2": "probably true", "3": "possibly true",
    "4": "doubtful", "5": "improbable", "6": "truth cannot be judged"}
#: A grade: reliability letter then credibility digit, e.g. ``B2``.
GRADE_RE = re.compile(r"^[A-F][1-6]$")

GeometryKind = Literal["point", "track", "none"]

#: Fields of a record in the order forms, tables and exports show them.
FIELDS: tuple[str, ...] = (
    "id", "date", "time_utc", "place", "country", "object_type", "munition", "killed",
    "injured", "attributed_to", "attribution", "sources", "position_kind",
    "position_method", "precision_m", "status", "group", "notes", "geometry")
#: Free-text fields (shown as text everywhere, never as markup).
TEXT_FIELDS: tuple[str, ...] = ("place", "munition", "attribution", "position_method",
                                "group", "notes")


@dataclass(frozen=True)
class Source:
    """A cited source: an http(s) URL, its publisher, when it was read, its grade."""

    url: str
    publisher: str = ""
    accessed: str | None = None      # YYYY-MM-DD
    grade: str | None = None         # Admiralty, e.g. "B2"; None: not graded

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Source:
        return cls(url=str(d["url"]), publisher=str(d.get("publisher") or ""),
                   accessed=d.get("accessed") or None, grade=d.get("grade") or None)


@dataclass(frozen=True)
class Incident:
    """One incident as the store keeps it (checked by :func:`~dashboard.data.incidents.check.check_incident`)."""

    id: str
    date: str                        # YYYY-MM-DD (local date of the event)
    place: str
    country: str                     # ISO 3166-1 alpha-2
    object_type: str = "unknown"
    time_utc: str | None = None      # HH:MM
    munition: str = ""
    killed: int = 0
    injured: int = 0
    attributed_to: str = "not stated"
    attribution: str = ""
    sources: tuple[Source, ...] = ()
    position_kind: str = "not sourced"
    position_method: str = ""
    precision_m: float | None = None
    status: str = "reported"
    group: str | None = None
    notes: str = ""
    geometry: BaseGeometry | None = field(default=None, compare=False)

    # ------------------------------------------------------------- geometry
    @property
    def kind(self) -> GeometryKind:
        """``"point"``, ``"track"`` (a LineString) or ``"none"`` (not positioned)."""
        if self.geometry is None:
            return "none"
        return "track" if isinstance(self.geometry, LineString) else "point"

    @property
    def lonlat(self) -> tuple[float, float] | None:
        """(lon, lat) degrees of a point incident; a track's first vertex; None unpositioned."""
        g = self.geometry
        if g is None:
            return None
        if isinstance(g, Point):
            return (float(g.x), float(g.y))
        x, y = g.coords[0][:2]
        return (float(x), float(y))

    @property
    def geometry_wkb(self) -> bytes | None:
        """The geometry as WKB (for equality and the store); None unpositioned."""
        return None if self.geometry is None else self.geometry.wkb

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Incident):
            return NotImplemented
        return (self.to_dict() == other.to_dict())

    def __hash__(self) -> int:
        return hash(self.id)

    # ------------------------------------------------------------- dicts
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (geometry as a GeoJSON geometry or None), in :data:`FIELDS` order."""
        d = asdict(replace(self, geometry=None))
        d["sources"] = [asdict(s) for s in self.sources]
        d["geometry"] = None if self.geometry is None else _geojson(self.geometry)
        return {k: d[k] for k in FIELDS}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Incident:
        """The record of a dict shaped like :meth:`to_dict` (no checks: see ``check``)."""
        geom = d.get("geometry")
        kw = {k: d[k] for k in FIELDS if k in d and k not in ("sources", "geometry")}
        if kw.get("precision_m") is not None:
            kw["precision_m"] = float(kw["precision_m"])
        return cls(**kw, sources=tuple(Source.from_dict(s) for s in d.get("sources") or ()),
                   geometry=None if geom is None else
                   (geom if isinstance(geom, BaseGeometry) else shape(geom)))

    def with_changes(self, **changes: Any) -> Incident:
        """A copy with ``changes`` applied (unchecked)."""
        return replace(self, **changes)


def _geojson(g: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry with coordinates as lists (not tuples), so dicts compare equal."""
    m = mapping(g)
    coords = m["coordinates"]
    if m["type"] == "Point":
        return {"type": "Point", "coordinates": [float(coords[0]), float(coords[1])]}
    return {"type": m["type"], "coordinates": [[float(x), float(y)] for x, y, *_ in coords]}


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def new_incident_id(date: str, place: str, taken: set[str] | frozenset[str]) -> str:
    """A new id ``YYYY-MM-DD-place`` not in ``taken`` (``-2``, ``-3`` ... appended if needed).

    >>> new_incident_id("2025-09-10", "Czosnówka, Biała Podlaska county", set())
    '2025-09-10-czosnowka-biala-podlaska-county'
    >>> new_incident_id("2022-11-15", "Przewodów", {"2022-11-15-przewodow"})
    '2022-11-15-przewodow-2'
    """
    slug = _SLUG_DROP.sub("-", fold(place)).strip("-")[:40].strip("-") or "incident"
    base = f"{date}-{slug}"
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


#: An example record (Przewodów, as shipped) for doctests and tests.
EXAMPLE: dict[str, Any] = {
    "id": "2022-11-15-przewodow", "date": "2022-11-15", "time_utc": "13:40",
    "place": "Przewodów", "country": "PL", "object_type": "missile",
    "munition": "S-300 (5V55) surface-to-air missile", "killed": 2, "injured": 0,
    "attributed_to": "ukrainian",
    "attribution": "Polish and NATO officials: most likely a Ukrainian air-defence missile",
    "sources": [{"url": "https://en.wikipedia.org/wiki/2022_missile_explosion_in_Poland",
                 "publisher": "Wikipedia", "accessed": None, "grade": None}],
    "position_kind": "source", "position_method": "impact site as reported",
    "precision_m": 500.0, "status": "confirmed", "group": None, "notes": "",
    "geometry": {"type": "Point", "coordinates": [23.93432, 50.47099]},
}
