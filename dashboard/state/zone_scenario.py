"""The zones page as a scenario and back: what is saved, shared and opened.

:func:`state_to_scenario` reads the page (zones, rings, band, incident, date,
units, view) into a :class:`dashboard.store.Scenario`; :func:`apply_scenario`
puts one back, through :func:`dashboard.scene.request.scenario_request`, the
one place a scenario becomes a request.  No Streamlit here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from dashboard.geo.units import KM_PER_UNIT
from dashboard.scene.request import SceneRequest, same_point, scenario_request
from dashboard.state import session as appstate
from dashboard.state.drawing import (
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
)
from dashboard.state.fields import Session, StateLike
from dashboard.state.zonemap import bump
from dashboard.store import Buffer, Scenario, ScenarioView, Zone


def copy_zone(z: Zone) -> Zone:
    """A copy of a zone that shares no mutable part with it (its ``params`` dict)."""
    if not z.is_circle:
        return replace(z, params=dict(z.params), center_lon=None, center_lat=None)
    return replace(z, params=dict(z.params), center_lon=float(z.center_lon or 0.0),
                   center_lat=float(z.center_lat or 0.0), radius_km=float(z.radius_km or 0.0))


def buffer_center(state: StateLike, incident_lonlat: tuple[float, float],
                  ) -> tuple[float, float]:
    """Where the rings are drawn: the picked point, else the incident; (lon, lat) degrees."""
    state = Session.of(state)
    picked = state.picked
    if picked:
        return float(picked["lon"]), float(picked["lat"])
    return float(incident_lonlat[0]), float(incident_lonlat[1])


def state_to_scenario(state: StateLike, name: str,
                      incident_lonlat: tuple[float, float]) -> Scenario:
    """The page as a :class:`~dashboard.store.Scenario` called ``name``.

    Zones (copies); the rings (``rings_km``, km) around the picked point or the
    incident (``incident_lonlat``, degrees) as point buffers; the border band
    (``band_km``) as a buffer around the ``nato_border`` layer; the incident,
    the date, the units, and the drawing map's view.
    """
    state = Session.of(state)
    lon, lat = buffer_center(state, incident_lonlat)
    buffers = [Buffer(lon, lat, float(r), label=f"{r:g} km") for r in state.rings_km or []]
    band = float(state.band_km or 0.0)
    if band > 0:
        buffers.append(Buffer.around_layer("nato_border", band,
                                           label=f"{band:g} km band inside Ukraine"))
    v = state.peek(Session.zones_view) or {}
    view = ScenarioView(lon=float(v.get("lon", DEFAULT_CENTER[0])),
                        lat=float(v.get("lat", DEFAULT_CENTER[1])),
                        zoom=float(v.get("zoom", DEFAULT_ZOOM)))
    as_of = state.peek(Session.as_of)
    return Scenario(name=name, zones=[copy_zone(z) for z in state.drawn_zones],
                    buffers=buffers, incident_id=state.peek(Session.incident), view=view,
                    as_of=as_of if isinstance(as_of, date) else None,
                    units=state.units or "km")


def apply_scenario(state: StateLike, sc: Scenario,
                   incidents: Mapping[str, tuple[float, float]]) -> list[str]:
    """Open a scenario on the page: zones, rings, band, incident, date, units, view.

    Must run before the page's widgets are drawn (a button callback), because
    it sets widget keys (``incident``, ``as_of``, ``units``, ring and band
    inputs).  Rebuilds the drawing map (:func:`bump`).

    Parameters
    ----------
    incidents : incident id -> (lon, lat) in degrees

    Returns
    -------
    list of str
        What could not be taken over as it was (unknown incident, several ring
        centres...).
    """
    state = Session.of(state)
    base = SceneRequest(incident_id=state.peek(Session.incident), as_of=state.peek(Session.as_of),
                        units=state.units or "km", zone_ids=())
    req, messages = scenario_request(sc, incidents, base=base)
    state.drawn_zones = [copy_zone(z) for z in sc.zones]
    state.units = req.units
    state["incident"], state["as_of"] = req.incident_id, req.as_of  # None when the scenario has none
    at = incidents.get(req.incident_id) if req.incident_id is not None else None
    center = req.ring_center
    state.picked = None if center is None or (at is not None and same_point(center, at)) else \
        {"layer": "scenario", "id": None, "name": "ring centre of the scenario",
         "lon": center[0], "lat": center[1]}
    state.band_km = req.band_km or 0.0
    for u in KM_PER_UNIT:
        state.pop(appstate.rings_text_key(u), None)
        state.pop(appstate.band_key(u), None)
    appstate.set_rings_km(state, list(req.ring_radii_km))
    if req.view is not None:
        state.zones_view = {"lat": req.view.lat, "lon": req.view.lon, "zoom": req.view.zoom}
    bump(state)
    return messages
