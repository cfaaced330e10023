"""The zones page's "Reach from NATO soil" section and the compare table's reach columns.

Widgets over :mod:`dashboard.state.zone_reach` (the choices) and
:mod:`dashboard.state.zone_choices` (the memoised figures); the bands and discs
reach the map through the scene request (:func:`dashboard.state.zone_reach.reach_layers`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dashboard.analysis import effectiveness as eff
from dashboard.data.limits import MAX_SPEED_KMH
from dashboard.data.reach_presets import AIRCRAFT, GBAD_SYSTEMS
from dashboard.geo.buffer import MAX_BUFFER_KM
from dashboard.geo.errors import InputError
from dashboard.state import zone_choices
from dashboard.state import zone_reach as zr
from dashboard.state.fields import Session, StateLike
from dashboard.store import Zone
from dashboard.ui import zone_figures as zf
from dashboard.ui.widgets import attempt, md

EFF_KEY = "zone_compare_eff"


def _aircraft_label(key: str) -> str:
    if key == zr.TYPED:
        return "type a combat radius"
    p = AIRCRAFT[key]
    return f"{p.name} ({p.range_text})"


def _choices(state: Session) -> None:
    bases = zone_choices.air_base_choices()
    if not bases:
        st.info("This build has no air-bases layer, so no bases can be chosen.")
    st.multiselect("Air bases (NATO soil)", list(bases), key=zr.BASES_KEY,
                   format_func=lambda c: bases.get(c, c), placeholder="e.g. EPRZ, EPLK")
    state.setdefault(zr.RADIUS_KEY, 500.0)
    state.setdefault(zr.SPEED_KEY, 0.0)
    c1, c2, c3 = st.columns(3)
    choice = c1.selectbox("Aircraft", [zr.TYPED, *AIRCRAFT], key=zr.AIRCRAFT_KEY,
                          format_func=_aircraft_label)
    c2.number_input("Combat radius (km)", min_value=0.0, max_value=MAX_BUFFER_KM, step=25.0,
                    key=zr.RADIUS_KEY, disabled=choice != zr.TYPED)
    c3.number_input("Cruise speed (km/h; 0 = not given)", min_value=0.0,
                    max_value=MAX_SPEED_KMH, step=50.0, key=zr.SPEED_KEY,
                    help="No source gives a cruise speed for the presets: type one to get "
                         "the time to reach the farthest point and time bands.")
    if choice != zr.TYPED:
        p = AIRCRAFT[choice]
        st.caption(f"{md(p.note)} Source: {md(p.source)} ({p.url}). F-35A and Gripen are left "
                   "out: no verified figure; type their radius.")
    systems = "; ".join(f"{s.id} = {s.range_km:g} km ({md(s.source)})"
                        for s in GBAD_SYSTEMS.values())
    st.text_area("Air-defence launchers, one a line: LAT, LON, KM or LAT, LON, PRESET",
                 key=zr.GBAD_KEY, height=90, placeholder="50.11, 22.02, patriot\n47.69, 26.25, 100")
    st.caption(f"Presets: {systems}. NASAMS is left out: no verified range.")


def _figures(state: Session, z: Zone, got: zr.ReachInputs) -> None:
    units = state.units
    if got.bases and got.radius_km is not None:
        ok, r = attempt(lambda: zone_choices.reach_cached(z.geometry, got.bases, got.radius_km,
                                                          got.speed_kmh), prefix="Reach: ")
        if ok:
            st.markdown(zf.reach_summary(r, units))
            st.dataframe(zf.band_rows(r, units), hide_index=True, width="stretch",
                         key="zone_reach_bands")
            st.caption("Straight geodesic flight from the nearest base; the farthest point is "
                       f"within {r.error_km:g} km of the true one. Bands are on the map.")
    if got.launchers:
        ok, g = attempt(lambda: zone_choices.gbad_cached(z.geometry, got.launchers, state.as_of),
                        prefix="Air defence: ")
        if ok:
            st.markdown(zf.gbad_summary(g, units))
            if g.border_km:
                st.dataframe(zf.border_rows(g, units), hide_index=True, width="stretch",
                             key="zone_reach_border")


def reach_section(state: StateLike) -> None:
    """The "Reach from NATO soil" section for the zone selected under "Work on a zone"."""
    state = Session.of(state)
    z = zr.selected_zone(state)
    if z is None:
        return
    st.subheader("Reach from NATO soil")
    st.caption(f"For the selected zone, “{md(z.name)}”: the share aircraft from the chosen "
               "bases reach within their combat radius, the farthest point and the time to "
               "reach it, and what air-defence launchers cover. All geodesic on WGS84.")
    _choices(state)
    ok, got = attempt(lambda: zr.reach_inputs(state))
    if ok:
        _figures(state, z, got)


def compare_extra(state: StateLike, zones: Sequence[Zone]) -> dict[str, dict[str, Any]]:
    """Zone id -> the compare table's reach, GBAD and effectiveness columns, with the
    section's choices applied to every zone (effectiveness only when ticked)."""
    state = Session.of(state)
    try:
        got = zr.reach_inputs(state)
    except InputError:
        got = None
    with_eff = bool(state.get(EFF_KEY))
    out: dict[str, dict[str, Any]] = {}
    for z in zones:
        r = _or_none(lambda z=z: zone_choices.reach_cached(
            z.geometry, got.bases, got.radius_km, got.speed_kmh)
            if got and got.bases and got.radius_km is not None else None)
        g = _or_none(lambda z=z: zone_choices.gbad_cached(z.geometry, got.launchers, state.as_of)
                     if got and got.launchers else None)
        e = _or_none(lambda z=z: zone_choices.effectiveness_cached(z.geometry)
                     if with_eff else None)
        out[z.id] = zf.compare_columns(r, g, e)
    return out


def _or_none(compute: Callable[[], Any]) -> Any:
    """``compute()``, or None when its input is bad (the section shows why)."""
    try:
        return compute()
    except InputError:
        return None


def compare_note() -> None:
    """The opt-in for the effectiveness column and what the three columns mean."""
    st.checkbox("Effectiveness against the catalogue in the table (slow: seconds a zone)",
                key=EFF_KEY)
    st.caption("In reach and GBAD cover use the choices of “Reach from NATO soil” below "
               "for every zone. Effectiveness: incidents where at least half the plausible "
               "straight paths fly ≥ 50 km inside the zone, of those with an origin "
               f"hypothesis. {eff.ASSUMPTION}")
