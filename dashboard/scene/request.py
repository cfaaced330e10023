"""SceneRequest: what to show, as one typed value.

Every output is built from a :class:`SceneRequest`: the live map, the drawing
map, the briefing image and the CLI all go through
:func:`dashboard.scene.compose.build_scene`, so they cannot disagree.  A saved or
shared scenario becomes a request in exactly one place, :func:`scenario_request`,
which the zones page and ``python -m dashboard brief --scenario`` both call.

No Streamlit, no rendering here.

>>> r = SceneRequest(ring_radii_km=[90, 75], units="nm")
>>> r.ring_radii_km, r.units, r.incident_id
((75.0, 90.0), 'nm', '2022-11-15-przewodow')
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, NamedTuple

from shapely.geometry.base import BaseGeometry

from dashboard.analysis.origin import OriginSpec, origin_spec
from dashboard.data.catalogue import BUILTIN_LAYERS, CATALOGUE
from dashboard.data.limits import MAX_RINGS
from dashboard.geo.errors import InputError
from dashboard.geo.units import KM_PER_UNIT
from dashboard.scene.model import View
from dashboard.store import Scenario

#: The incident the app opens on.
DEFAULT_INCIDENT_ID = "2022-11-15-przewodow"
#: Candidate zones shown when nothing else is chosen.
DEFAULT_ZONE_IDS: tuple[str, ...] = ("ua-border-oblasts",)
#: Ring centres closer than this (degrees) are the same point (share links round to 1e-5).
SAME_POINT_DEG = 2e-5

LonLat = tuple[float, float]


class Marker(NamedTuple):
    """A point to mark on the map (the selection): name, lon, lat in degrees."""

    name: str
    lon: float
    lat: float


class ReachLayers(NamedTuple):
    """Reach from NATO soil to draw over one zone (:mod:`dashboard.scene.compose.reach`):
    time-to-reach bands from ``bases`` ((code, lon, lat)) within ``radius_km`` at
    ``speed_kmh`` (None: by distance), and air-defence discs of ``launchers``
    ((lon, lat, km)); either may be left empty.  Checked when the scene is built."""

    zone_name: str
    zone: BaseGeometry
    bases: tuple[tuple[str, float, float], ...] = ()
    radius_km: float | None = None
    speed_kmh: float | None = None
    launchers: tuple[tuple[float, float, float], ...] = ()


@dataclass(frozen=True)
class SceneRequest:
    """What a map shows.  Distances in km, positions (lon, lat) in degrees.

    Attributes
    ----------
    incident_id : str or None
        Selected incident (catalogue id); None for none.
    zone_ids : tuple of str
        Candidate zones to show and measure.
    extra_zones : tuple of (name, Polygon | MultiPolygon)
        The user's zones, drawn in the ``drawn`` style and measured like the presets.
    ring_radii_km : tuple of float
        Radii of geodesic range rings (sorted, unique, > 0).
    ring_center : (lon, lat), optional
        Centre of the rings; default the incident.
    band_km : float, optional
        Depth of a band inside Ukraine along the NATO border (> 0), or None.
    visible_layers : tuple of str
        Built-in layers to show.
    user_layers : tuple of (name, GeoDataFrame)
        The user's own layers (WGS84); not compared between requests.
    as_of : date, optional
        Date of the NATO border; default the incident's date, else today (UTC).
    units : {"km", "nm", "mi"}
        Units of every figure shown.
    title : str, optional
        Title; default from the incident.
    view : View, optional
        What to show; default the incident, zones, rings and band with a margin.
    measure : ((lon, lat), (lon, lat)), optional
        A measured geodesic to draw.
    marker : Marker, optional
        A selected point to mark.
    selected : (layer, feature id), optional
        A feature to outline (the map's selection); nothing else changes.
    incident_ids : tuple of str, optional
        The incidents to draw (catalogue ids, sorted, unique; ids whose position
        no source states are accepted and never drawn); None draws every incident.
    precision_circles : bool
        Draw each drawn incident's position precision as a geodesic circle of
        radius ``precision_m`` (the ``precision`` layer; off by default, so a
        request that does not ask for it draws what it always drew).
    origin : (incident id, min_km, max_km[, (from°, to°) or None, (CC, ...)]), optional
        A candidate launch area to draw: the geodesic annulus between ``min_km``
        and ``max_km`` around the incident (widened by its precision), or its range
        fan between two azimuths, cut to each country or to the launch countries
        (:func:`dashboard.analysis.origin.origin_areas`; :data:`~dashboard.analysis.origin.OriginSpec`).
    reach : ReachLayers, optional
        Reach bands and air-defence discs over one zone (the zones page's section).
    """

    incident_id: str | None = DEFAULT_INCIDENT_ID
    zone_ids: tuple[str, ...] = DEFAULT_ZONE_IDS
    extra_zones: tuple[tuple[str, BaseGeometry], ...] = ()
    ring_radii_km: tuple[float, ...] = ()
    ring_center: LonLat | None = None
    band_km: float | None = None
    visible_layers: tuple[str, ...] = BUILTIN_LAYERS
    user_layers: tuple[tuple[str, Any], ...] = field(default=(), compare=False)
    as_of: date | None = None
    units: str = "km"
    title: str | None = None
    view: View | None = None
    measure: tuple[LonLat, LonLat] | None = None
    marker: Marker | None = None
    selected: tuple[str, str] | None = None
    incident_ids: tuple[str, ...] | None = None
    precision_circles: bool = False
    origin: OriginSpec | None = None
    reach: ReachLayers | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "zone_ids", tuple(str(z) for z in self.zone_ids))
        set_(self, "extra_zones", tuple((str(n), g) for n, g in self.extra_zones))
        set_(self, "ring_radii_km", _radii(self.ring_radii_km))
        set_(self, "visible_layers", tuple(self.visible_layers))
        layers = self.user_layers
        set_(self, "user_layers", tuple((str(n), g) for n, g in
                                        (layers.items() if hasattr(layers, "items") else layers)))
        if self.ring_center is not None:
            set_(self, "ring_center", (float(self.ring_center[0]), float(self.ring_center[1])))
        if self.band_km is not None:
            set_(self, "band_km", _band(self.band_km))
        if self.incident_ids is not None:
            ids = [self.incident_ids] if isinstance(self.incident_ids, str) else self.incident_ids
            set_(self, "incident_ids", tuple(sorted({str(i) for i in ids})))
        if self.origin is not None:
            set_(self, "origin", _origin(self.origin))
        _check_names(self.units, self.visible_layers)

    def replace(self, **changes: Any) -> SceneRequest:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)


def _radii(values: Sequence[float]) -> tuple[float, ...]:
    radii = [float(r) for r in values]
    if any(not (r > 0) or not math.isfinite(r) for r in radii):
        raise InputError("ring radii must be positive numbers of km")
    return tuple(sorted(set(radii)))


def _band(value: float) -> float | None:
    depth = float(value)
    if depth == 0:
        return None
    if not (depth > 0) or not math.isfinite(depth):
        raise InputError("the band depth must be a positive number of km")
    return depth


def _origin(value: Sequence[Any]) -> OriginSpec:
    """The origin with its range (0 <= min <= max <= 5000 km), bearing and countries checked."""
    return origin_spec(value)


def _check_names(units: str, layers: Sequence[str]) -> None:
    if units not in KM_PER_UNIT:
        raise InputError(f"unknown distance unit {units!r}; use one of {', '.join(KM_PER_UNIT)}")
    unknown = [n for n in layers if n not in CATALOGUE]
    if unknown:
        raise InputError(f"unknown layer {unknown[0]!r}; use one of {', '.join(BUILTIN_LAYERS)}")


# ------------------------------------------------------------------ scenarios
def scenario_request(sc: Scenario, known_incidents: Mapping[str, LonLat],
                     base: SceneRequest | None = None) -> tuple[SceneRequest, list[str]]:
    """The request a scenario asks for, on top of ``base``, and what could not be kept.

    The one place a scenario becomes a request (the zones page and
    ``brief --scenario`` both call it).  Zones become ``extra_zones``; point
    buffers around one centre become the rings (others are left out, at most
    :data:`MAX_RINGS`; a centre on the incident, within :data:`SAME_POINT_DEG`, is
    the incident); a buffer around ``nato_border`` becomes the border band; the
    incident (if this catalogue has it), date, units, view and name are taken over.

    Parameters
    ----------
    sc : Scenario
    known_incidents : mapping of id to (lon, lat)
        The incidents of this catalogue and their positions (degrees).
    base : SceneRequest, optional
        What the scenario does not say (visible layers, candidate zones, user layers).

    Returns
    -------
    (SceneRequest, list of str)
        The request, and one sentence per thing the scenario had that it cannot show.
    """
    base = base or SceneRequest()
    messages: list[str] = []
    incident_id = base.incident_id
    if sc.incident_id is not None:
        if sc.incident_id in known_incidents:
            incident_id = sc.incident_id
        else:
            messages.append(f"the scenario's incident {sc.incident_id!r} is not in this "
                            "dashboard; kept the selected one")
    radii, center = _scenario_rings(sc, messages)
    at = known_incidents.get(incident_id) if incident_id else None
    if center is not None and at is not None and same_point(center, at):
        center = (float(at[0]), float(at[1]))
    view = View.around(sc.view.lon, sc.view.lat, sc.view.zoom) if sc.view is not None \
        else base.view
    req = base.replace(
        incident_id=incident_id,
        extra_zones=tuple((z.name, z.geometry) for z in sc.zones),
        ring_radii_km=radii, ring_center=center, band_km=_scenario_band(sc, messages),
        as_of=sc.as_of or base.as_of,
        units=sc.units if sc.units in KM_PER_UNIT else base.units,
        title=sc.name or base.title, view=view)
    return req, messages


def _scenario_rings(sc: Scenario, messages: list[str]) -> tuple[tuple[float, ...], LonLat | None]:
    points = [b for b in sc.buffers if b.layer is None and b.lon is not None and b.lat is not None]
    if not points:
        return (), None
    c_lon, c_lat = float(points[0].lon), float(points[0].lat)
    same = [b for b in points if same_point((b.lon, b.lat), (c_lon, c_lat))]
    if len(same) < len(points):
        messages.append(f"rings are drawn around one point; {len(points) - len(same)}"
                        " ring(s) around other points were left out")
    radii = sorted({float(b.radius_km) for b in same})
    if len(radii) > MAX_RINGS:
        messages.append(f"only the first {MAX_RINGS} rings were kept")
        radii = radii[:MAX_RINGS]
    return tuple(radii), (c_lon, c_lat)


def _scenario_band(sc: Scenario, messages: list[str]) -> float | None:
    band: float | None = None
    for b in sc.buffers:
        if b.layer is None:
            continue
        if b.layer == "nato_border" and band is None:
            band = float(b.radius_km)
        else:
            messages.append(f"a buffer around layer {b.layer!r} is not drawn")
    return band


def same_point(a: LonLat, b: LonLat) -> bool:
    """True if two (lon, lat) positions in degrees are the same point (within 2e-5°).

    >>> same_point((23.93432, 50.47099), (23.934325, 50.47099))
    True
    """
    return abs(a[0] - b[0]) <= SAME_POINT_DEG and abs(a[1] - b[1]) <= SAME_POINT_DEG
