"""The Explore page as it was before the map component, for ``bench_map.py`` to time.

    streamlit run benchmarks/legacy_pydeck_page.py      # from the repository root

The same scene the app's Explore page builds (the same session state, sidebar
and :class:`~dashboard.scene.request.SceneRequest`), drawn the way the app drew it
before issue 10: ``st.pydeck_chart(scene_to_deck(scene), on_select="rerun",
selection_mode="single-object")``, which resends the whole deck spec on every
rerun and returns the picked object (not the click's position).  The offline
style ``/app/static/basemap-style.json`` is served from ``benchmarks/static/``
(Streamlit serves ``static/`` next to the main script when the repository's
``.streamlit/config.toml`` turns static serving on).

A second page, "No-fly zones", draws the zones page's scene the same way (the
old page was a Leaflet map that is gone; this one is only a page switch to time).
"""
from __future__ import annotations

from typing import Any

import shapely
import streamlit as st

from benchmarks.legacy_pydeck import OFFLINE_MAP_STYLE, scene_to_deck
from dashboard.analysis.report import point_report
from dashboard.scene.compose import build_scene
from dashboard.scene.model import Scene
from dashboard.state import session as appstate
from dashboard.state import zonemap as zm
from dashboard.ui import sidebar

MAP_HEIGHT_PX = 600  # the old Explore map's height


def pick_from_selection(event: Any, scene: Scene) -> dict | None:
    """The old pick: the selected object's own position, or a point on the feature."""
    try:
        objects = event["selection"]["objects"]
    except (KeyError, TypeError):
        return None
    for layer_id, objs in (objects or {}).items():
        lyr = scene.layer(layer_id) if objs else None
        if lyr is None:
            continue
        obj = objs[0]
        props = obj.get("properties", obj)
        fid = props.get(lyr.style.id_field)
        name = props.get(lyr.style.label_field) or fid or layer_id
        if "lon" in obj and "lat" in obj:
            lon, lat = float(obj["lon"]), float(obj["lat"])
        else:
            gdf = lyr.gdf
            hit = gdf[gdf[lyr.style.id_field].astype(str) == str(fid)] \
                if lyr.style.id_field in gdf.columns else gdf.iloc[0:0]
            p = (hit.geometry.iloc[0] if len(hit) else shapely.geometry.shape(obj["geometry"])
                 ).representative_point()
            lon, lat = float(p.x), float(p.y)
        return {"layer": layer_id, "id": None if fid is None else str(fid), "name": str(name),
                "lon": lon, "lat": lat}
    return None


def take_selection(state: Any, event: Any, scene: Scene) -> bool:
    """A new map selection becomes ``state['picked']`` (each selection once)."""
    try:
        key = repr(event["selection"]["indices"])
    except (KeyError, TypeError):
        return False
    if key == state.get("legacy_last_selection"):
        return False
    state["legacy_last_selection"] = key
    pick = pick_from_selection(event, scene)
    if pick is not None:
        state["picked"] = pick
    return pick is not None


def deck_chart(scene: Scene, key: str):
    deck = scene_to_deck(scene, height_px=MAP_HEIGHT_PX)
    deck.map_style = OFFLINE_MAP_STYLE
    return st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=key,
                           width="stretch", height=MAP_HEIGHT_PX)


def explore() -> None:
    state = st.session_state
    incidents = appstate.incidents_by_id()
    incident = incidents[state["incident"]]
    lon, lat = float(incident["geometry"].x), float(incident["geometry"].y)
    picked = state["picked"] or appstate.incident_pick(incident)
    scene = build_scene(appstate.scene_request(state, incidents,
                                               view=appstate.incident_view(lon, lat)))
    report = point_report(picked["lon"], picked["lat"], as_of=state["as_of"],
                          incident=(incident["id"], lon, lat))
    map_col, panel_col = st.columns([3, 2])
    with map_col:
        event = deck_chart(scene, "map")
        if take_selection(state, event, scene):
            st.rerun()
    with panel_col, st.container(key="pick-panel"):
        origin = "Selected on map" if state["picked"] else "Selected incident"
        st.subheader(f"{origin}: {str(picked['name']).split(',')[0]}")
        st.caption(f"layer: {picked['layer']}")
        st.markdown(f"**Position** {picked['lat']:.5f}, {picked['lon']:.5f}  \n"
                    f"**DMS** {report.dms}  \n**MGRS** {report.mgrs}")
        st.table(appstate.report_table(report, state["units"]))


def zones() -> None:
    from dashboard.ui.zone_page import map_scene

    state = st.session_state
    zm.init(state)
    map_col, list_col = st.columns([3, 1.3])
    with map_col:
        deck_chart(map_scene(state), "zones_map")
    with list_col:
        st.subheader("Zones")
        st.info("No zones yet.")


st.set_page_config(page_title="Legacy pydeck map", layout="wide",
                   initial_sidebar_state="collapsed")
page = st.navigation([st.Page(explore, title="Explore", url_path="explore", default=True),
                      st.Page(zones, title="No-fly zones", url_path="zones")], position="top")
appstate.init(st.session_state, appstate.incidents_by_id())
appstate.keep_widget_values(st.session_state)
sidebar.render(st.session_state, appstate.incidents_by_id())
page.run()
