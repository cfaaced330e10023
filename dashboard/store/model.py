"""The scenario model: zones, buffers, the view, the scenario itself, its caps and errors.

Plain dataclasses with no I/O.  Every geometry is WGS84 lon/lat in degrees
(EPSG:4326); every distance is in km.  Checking a scenario is
:mod:`dashboard.store.validate`; moving it in and out of files, URLs and
the store are the other modules of this package.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.data.limits import (
    MAX_BUFFERS,
    MAX_GEOJSON_BYTES,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    MAX_VERTICES,
    MAX_ZONES,
)
from dashboard.geo.errors import InputError
from dashboard.geo.units import KM_PER_UNIT

__all__ = [
    "ScenarioExists", "ScenarioNotFound", "StoreBusy", "StoreUnavailable",
    "FORMAT", "FORMAT_VERSION", "UNITS",
    "MAX_ZONES", "MAX_BUFFERS", "MAX_VERTICES", "MAX_GEOJSON_BYTES", "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "Zone", "Buffer", "ScenarioView", "Scenario", "ScenarioSummary", "utc_now_iso",
]


class ScenarioExists(InputError):
    """Saving or renaming onto a name the store already holds (without overwrite)."""


class ScenarioNotFound(InputError):
    """No saved scenario has that name."""


class StoreBusy(InputError):
    """Another writer held the store for longer than the busy timeout."""


class StoreUnavailable(InputError):
    """The store's server cannot be reached (down, restarting, or the connection was lost).

    Nothing was changed by the operation that raised it (unless its message says
    the commit itself was cut off); trying again later is safe.
    """


#: Value of ``scenario.format`` in GeoJSON exports.
FORMAT: str = "nfz-dashboard-scenario"
#: Version of the scenario format (GeoJSON member, URL payload, store metadata).
FORMAT_VERSION: int = 1
#: Display units a scenario may carry (the keys of ``dashboard.geo.units.KM_PER_UNIT``).
UNITS: tuple[str, ...] = tuple(KM_PER_UNIT)


def utc_now_iso() -> str:
    """Now in UTC as ISO 8601 with milliseconds and ``Z``, e.g. ``2024-05-01T12:00:00.123Z``.

    This is also the GeoPackage ``DATETIME`` format, so the strings sort in time order.
    """
    return format_ts(datetime.now(UTC))


def format_ts(dt: datetime) -> str:
    """``dt`` in UTC as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (an aware ``dt``; milliseconds truncated)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{dt.microsecond // 1000:03d}Z"


@dataclass
class Zone:
    """One hypothetical no-fly zone.

    Attributes
    ----------
    id : str
        Identifier, unique within its scenario (e.g. ``"zone-1"``).
    name : str
        Label shown to the user.
    geometry : shapely.Polygon | shapely.MultiPolygon
        The zone in WGS84 lon/lat degrees (EPSG:4326), 2-D.
    rule : str
        How the zone was made: ``"drawn"``, ``"rectangle"``, ``"circle"``,
        ``"regions"``, ``"border_band"``, ``"ring"``, ``"table"``, ``"import"``...
        Free text; the UI decides the vocabulary.
    description : str
        Human description of the rule, e.g. ``"50 km band inside UA along PL-UA"``.
    params : dict
        JSON-serialisable rule parameters, e.g. ``{"segment_ids": ["PL-UA"],
        "depth_km": 50.0}``.
    center_lon, center_lat : float | None
        Centre of a circle zone, degrees; ``None`` for other zones.
    radius_km : float | None
        Geodesic radius of a circle zone, km; ``None`` for other zones.
    """

    id: str
    name: str
    geometry: BaseGeometry
    rule: str = "drawn"
    description: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    center_lon: float | None = None
    center_lat: float | None = None
    radius_km: float | None = None

    @property
    def is_circle(self) -> bool:
        """True when the zone carries a centre and a radius."""
        return self.radius_km is not None


@dataclass
class Buffer:
    """A geodesic ring of ``radius_km`` around a point, or around a layer.

    Attributes
    ----------
    lon, lat : float | None
        Centre in degrees; both ``None`` for a buffer around a layer.
    radius_km : float
        Buffer distance, km (> 0).
    layer : str | None
        Layer name (e.g. ``"nato_border"``) for a layer-based buffer, else ``None``.
    label : str
        Legend label, e.g. ``"75 km"``.
    """

    lon: float | None
    lat: float | None
    radius_km: float
    layer: str | None = None
    label: str = ""

    @classmethod
    def around_layer(cls, layer: str, radius_km: float, label: str = "") -> Buffer:
        """A buffer of ``radius_km`` (km) around every feature of ``layer``."""
        return cls(None, None, radius_km, layer=layer, label=label)


@dataclass
class ScenarioView:
    """Map view: centre ``lon``/``lat`` in degrees and web-map ``zoom`` level."""

    lon: float
    lat: float
    zoom: float


@dataclass
class Scenario:
    """A named set of zones and buffers plus the state needed to reopen it.

    Attributes
    ----------
    name : str
        Unique name in a store (1-120 characters, no control characters).
    zones : list[Zone]
    buffers : list[Buffer]
    incident_id : str | None
        Selected incident, e.g. ``"2022-11-15-przewodow"``.
    view : ScenarioView | None
    as_of : datetime.date | None
        Date the NATO border is drawn for.
    units : {"km", "nm", "mi"}
        Display unit (all stored values are km regardless).
    created, updated : str
        UTC ISO 8601 timestamps (``2024-05-01T12:00:00.123Z``);
        :meth:`ScenarioStore.save` sets ``updated``.
    """

    name: str
    zones: list[Zone] = field(default_factory=list)
    buffers: list[Buffer] = field(default_factory=list)
    incident_id: str | None = None
    view: ScenarioView | None = None
    as_of: date | None = None
    units: str = "km"
    created: str = field(default_factory=utc_now_iso)
    updated: str = ""

    def __post_init__(self) -> None:
        if not self.updated:
            self.updated = self.created

    @property
    def n_vertices(self) -> int:
        """Total number of coordinate pairs in all zones."""
        return int(sum(shapely.get_num_coordinates(z.geometry) for z in self.zones))


class ScenarioSummary(NamedTuple):
    """One row of :meth:`ScenarioStore.list`: name, UTC ISO ``updated``, zone count."""

    name: str
    updated: str
    n_zones: int
