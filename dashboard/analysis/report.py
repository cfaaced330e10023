"""What the map's selection panel says about one point.

Pure functions over the core: distances and directions from a point to the
NATO border (as of a date), to the nearest Ukrainian, Belarusian and Russian
territory, and to a reference incident, plus the point's coordinates in
decimal degrees, DMS and MGRS.  No Streamlit here, so the app's figures can be
tested against independent computations.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import geopandas as gpd

from dashboard.data.coverage import position_outside
from dashboard.geo.cache import memoize
from dashboard.geo.coords import format_dms, to_mgrs
from dashboard.geo.distance import nearest
from dashboard.geo.geodesy import inverse_km
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer

#: Territories the panel measures to: ISO 3166-1 alpha-2 -> label.
TERRITORIES: dict[str, str] = {"UA": "Ukraine", "BY": "Belarus", "RU": "Russia"}


@dataclass(frozen=True)
class Leg:
    """Distance from the reported point to one target.

    ``distance_km`` is geodesic on WGS84; ``azimuth_deg`` is the initial bearing
    from the point towards ``(to_lon, to_lat)``, clockwise from true north.
    """

    target: str
    feature: str
    distance_km: float
    azimuth_deg: float
    to_lon: float
    to_lat: float
    inside: bool = False


@dataclass(frozen=True)
class PointReport:
    """What the page and the CLI say about one point: its coordinates and its legs.

    ``outside_coverage`` is the sentence saying the point lies outside the
    built-in layers' coverage (:mod:`dashboard.data.coverage`); the legs to
    Ukraine, Belarus and Russia are then left out (the countries are clipped
    there, so they would measure to the clip edge), the NATO-border leg stays.
    """

    lon: float
    lat: float
    dms: str
    mgrs: str
    legs: tuple[Leg, ...]
    outside_coverage: str | None = None

    def leg(self, target: str) -> Leg | None:
        return next((leg for leg in self.legs if leg.target == target), None)


def _leg(target: str, lon: float, lat: float, gdf: gpd.GeoDataFrame,
         id_field: str | None) -> Leg | None:
    if len(gdf) == 0:
        return None
    row = nearest([lon], [lat], gdf, id_field=id_field).iloc[0]
    return Leg(target=target, feature=str(row["feature"]), distance_km=float(row["distance_km"]),
               azimuth_deg=float(row["azimuth_deg"]), to_lon=float(row["nearest_lon"]),
               to_lat=float(row["nearest_lat"]), inside=bool(row["inside"]))


def point_report(lon: float, lat: float, *, as_of: date | None = None,
                 incident: tuple[str, float, float] | None = None,
                 extra_layers: Mapping[str, gpd.GeoDataFrame] | None = None) -> PointReport:
    """Coordinates and distances for the point ``(lon, lat)`` in degrees.

    Parameters
    ----------
    lon, lat : float
        WGS84 longitude and latitude, degrees.
    as_of : date, optional
        Date for which the NATO border is taken (segments that were NATO's then);
        all segments when omitted.
    incident : (id, lon, lat), optional
        Reference incident to measure to.
    extra_layers : {name: GeoDataFrame}, optional
        The user's own layers; each adds a leg named after the layer.

    Returns
    -------
    PointReport
        Legs ``"NATO border"``, ``"Ukraine"``, ``"Belarus"``, ``"Russia"`` and,
        when given, ``"incident"``; distances in km, azimuths in degrees.
    """
    outside = position_outside(lon, lat)
    legs = list(_builtin_legs(lon, lat, as_of, countries=outside is None))
    if incident is not None:
        inc_id, ilon, ilat = incident
        az, d = inverse_km(lon, lat, ilon, ilat)
        legs.append(Leg("incident", inc_id, float(d), float(az) % 360.0, ilon, ilat))
    for name, gdf in (extra_layers or {}).items():
        id_field = next((f for f in ("id", "name") if f in gdf.columns), None)
        leg = _leg(name, lon, lat, gdf, id_field)
        if leg:
            legs.append(leg)
    dms, mgrs = _coords_text(lon, lat)
    return PointReport(lon=lon, lat=lat, dms=dms, mgrs=mgrs, legs=tuple(legs),
                       outside_coverage=outside)


@memoize(maxsize=1024)
def _coords_text(lon: float, lat: float) -> tuple[str, str]:
    """The position in DMS and MGRS: memoised, as the page shows the same point on every
    rerun (MGRS takes milliseconds)."""
    return format_dms(lon, lat), to_mgrs(lon, lat)


@memoize(maxsize=512)
def _builtin_legs(lon: float, lat: float, as_of: date | None,
                  countries: bool = True) -> tuple[Leg, ...]:
    """Legs to the built-in layers (the neighbouring countries only when ``countries``);
    memoised, as the page asks for the same point on every rerun."""
    legs: list[Leg] = []
    border = load_layer("nato_border")
    if as_of is not None:
        border = nato_border_on(as_of, border)
    leg = _leg("NATO border", lon, lat, border, "id")
    if leg:
        legs.append(leg)
    if not countries:
        return tuple(legs)
    layer = load_layer("countries")
    for iso, label in TERRITORIES.items():
        leg = _leg(label, lon, lat, layer[layer["iso_a2"] == iso], "iso_a2")
        if leg:
            legs.append(leg)
    return tuple(legs)
