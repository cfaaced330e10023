"""The dashboard page: widgets -> core -> one Scene -> renderers.

Run from the repository root:  ``streamlit run dashboard/app.py``

Session state keys (defaults in :func:`dashboard.appstate.init`):
``mode`` Explore / No-fly zones · ``incident`` selected incident id · ``as_of``
NATO-border date · ``units`` · ``layers_on`` visible built-in layers ·
``zone_ids`` candidate zones shown · ``rings_km`` ring radii (km) · ``band_km``
border-band depth (km) · ``user_layers`` {name: GeoDataFrame} · ``picked`` the
point chosen on the map · ``measure_a``/``measure_b`` texts · ``drawn_zones``
the user's zones, dicts with ``id``, ``name``, ``geometry`` (shapely, WGS84),
``rule``, ``description``, ``params``, ``editable`` and, for circles,
``center_lon``/``center_lat``/``radius_km``.  The zones page
(:mod:`dashboard.zones_ui`) owns the ``zones_*``, ``scn_*``, ``zone_*`` and
``build_*`` keys.
"""
from __future__ import annotations

import html
from datetime import date

import streamlit as st

from dashboard import appstate
from dashboard.compose import build_scene
from dashboard.geo.errors import InputError
from dashboard.geo.coords import parse_position
from dashboard.geo.geodesy import inverse_km
from dashboard.geo.layers_io import load_layer, read_user_layer
from dashboard.geo.report import point_report
from dashboard.geo.units import KM_PER_UNIT, format_distance, from_km
from dashboard.catalogue import BUILTIN_LAYERS, CATALOGUE as LAYERS
from dashboard.render.deck import legend_html, scene_to_deck

MAP_HEIGHT_PX = 600

st.set_page_config(page_title="NATO eastern flank – incident map", page_icon="🛰️", layout="wide")
if "scenario" in st.query_params:  # a shared scenario link opens on the zones page
    st.session_state.setdefault("mode", "No-fly zones")
inc_by_id = appstate.incidents_by_id()
appstate.init(st.session_state, inc_by_id)


# ---------------------------------------------------------------- sidebar ---
def _on_incident_change() -> None:
    appstate.on_incident_change(st.session_state, inc_by_id)


with st.sidebar:
    st.header("Incident")
    st.selectbox(
        "Incident", list(inc_by_id), key="incident", on_change=_on_incident_change,
        format_func=lambda i: f"{inc_by_id[i]['date']} · {inc_by_id[i]['place']}",
    )
    st.date_input("NATO border as of", key="as_of", min_value=date(1949, 4, 4),
                  help="Segments that were NATO's border on this date (FI-RU from 2023-04-04).")
    st.radio("Units", list(KM_PER_UNIT), key="units", horizontal=True,
             format_func=lambda u: {"km": "km", "nm": "nautical miles", "mi": "statute miles"}[u])
    units = st.session_state["units"]

    st.header("Layers")
    st.multiselect("Show", list(BUILTIN_LAYERS), key="layers_on",
                   format_func=lambda n: LAYERS[n].label)
    zones_layer = load_layer("zones").set_index("id")
    st.multiselect("Candidate no-fly zones", list(zones_layer.index), key="zone_ids",
                   format_func=lambda z: str(zones_layer.loc[z, "name"]),
                   help="\n\n".join(f"**{r['name']}**: {r['description']}"
                                    for _, r in zones_layer.iterrows()))

    st.header("Buffers")
    st.text_input(f"Rings around the selected point ({units}, comma-separated)",
                  key=appstate.rings_text_key(units),
                  on_change=appstate.on_rings_text, args=(st.session_state, units))
    if st.session_state["rings_error"]:
        st.error(st.session_state["rings_error"])
    st.button("5V55 range: 75 and 90 km", key="preset_5v55",
              on_click=appstate.set_rings_km, args=(st.session_state, [75.0, 90.0]))
    st.number_input(f"Band inside Ukraine along the NATO border ({units}, 0 = off)",
                    min_value=0.0, max_value=from_km(500.0, units), step=10.0,
                    key=appstate.band_key(units),
                    on_change=appstate.on_band, args=(st.session_state, units))

    st.header("Your layers")
    uploads = st.file_uploader("GeoJSON, or CSV with lat/lon columns",
                               type=["geojson", "json", "csv"], accept_multiple_files=True,
                               key="uploads")
    for up in uploads or []:
        if up.name in st.session_state["user_layers"]:
            continue
        try:
            layer = read_user_layer(up.getvalue(), up.name)
        except InputError as exc:
            st.error(f"{up.name}: {exc}")
            continue
        st.session_state["user_layers"][up.name] = layer.gdf
        for m in layer.messages:
            st.info(f"{up.name}: {m}")
    for name in list(st.session_state["user_layers"]):
        if st.button(f"Remove {name}", key=f"rm_{name}"):
            del st.session_state["user_layers"][name]
            st.rerun()

st.title("NATO eastern flank – incident map")
mode = st.segmented_control("Mode", ["Explore", "No-fly zones"], key="mode",
                            label_visibility="collapsed") or "Explore"
if mode == "No-fly zones":
    from dashboard.zones_ui import render_zones_page

    render_zones_page(st.session_state)
    st.stop()

# ------------------------------------------------------------ computation ---
incident = inc_by_id[st.session_state["incident"]]
inc_lon, inc_lat = float(incident["geometry"].x), float(incident["geometry"].y)
as_of: date = st.session_state["as_of"]
picked = st.session_state["picked"] or appstate.incident_pick(incident)
user_layers = st.session_state["user_layers"]

measure_pts = None
measure_error = None
try:
    a_txt, b_txt = st.session_state["measure_a"].strip(), st.session_state["measure_b"].strip()
    if a_txt and b_txt:
        (alon, alat), (blon, blat) = parse_position(a_txt), parse_position(b_txt)
        measure_pts = ((alon, alat), (blon, blat))
except InputError as exc:
    measure_error = str(exc)

scene_args = dict(
    incident_id=incident["id"],
    zone_ids=appstate.visible_zone_ids(st.session_state),
    extra_zones=appstate.extra_zones(st.session_state),
    buffer_radii_km=st.session_state["rings_km"],
    buffer_center=(picked["lon"], picked["lat"]),
    band_km=st.session_state["band_km"] or None,
    visible_layers=st.session_state["layers_on"],
    user_layers=user_layers,
    as_of=as_of,
    units=units,
    view=appstate.incident_view(inc_lon, inc_lat),
)
with st.spinner("Computing geodesic buffers and distances…"):
    try:
        scene = build_scene(**scene_args)
    except InputError as exc:
        st.error(f"{exc} — showing the map without buffers, band and your layers.")
        scene = build_scene(**{**scene_args, "buffer_radii_km": (), "band_km": None,
                               "user_layers": {}, "extra_zones": ()})
    appstate.add_overlays(scene, picked=picked, measure=measure_pts)
    report = point_report(picked["lon"], picked["lat"], as_of=as_of,
                          incident=(incident["id"], inc_lon, inc_lat),
                          extra_layers=user_layers)

# ------------------------------------------------------------------- page ---
st.caption(
    f"{html.escape(str(incident['place']))} · {incident['date']} {incident.get('time_utc') or ''} UTC"
    f" · NATO border as of {as_of.isoformat()} · all distances geodesic on WGS84"
)

strike = point_report(inc_lon, inc_lat, as_of=as_of)
head = st.columns(4)
for col, (label, target) in zip(head, [("Strike → NATO border", "NATO border"),
                                       ("Strike → Ukraine", "Ukraine"),
                                       ("Strike → Belarus", "Belarus"),
                                       ("Strike → Russia", "Russia")]):
    leg = strike.leg(target)
    col.metric(label, format_distance(leg.distance_km, units) if leg else "–",
               help=(f"Nearest: {leg.feature}, bearing {leg.azimuth_deg:.0f}°" if leg else None))

map_col, panel_col = st.columns([3, 2])
with map_col:
    event = st.pydeck_chart(scene_to_deck(scene), on_select="rerun",
                            selection_mode="single-object", key="map", width="stretch",
                            height=MAP_HEIGHT_PX)
    if appstate.consume_selection(st.session_state, event, scene):
        st.rerun()
    st.markdown(legend_html(scene), unsafe_allow_html=True)

with panel_col, st.container(key="pick-panel"):
    origin = "Selected on map" if st.session_state["picked"] else "Selected incident"
    st.subheader(f"{origin}: {picked['name']}")
    st.caption(f"layer: {picked['layer']}")
    st.markdown(
        f"**Position** {picked['lat']:.5f}, {picked['lon']:.5f}  \n"
        f"**DMS** {report.dms}  \n**MGRS** {report.mgrs}"
    )
    st.table(appstate.report_table(report, units))
    if st.session_state["picked"]:
        st.button("Back to the incident", key="unpick", on_click=appstate.unpick,
                  args=(st.session_state,))

with st.expander("Measure between two points", expanded=measure_pts is not None):
    c1, c2 = st.columns(2)
    c1.text_input("From (decimal, DMS or MGRS)", key="measure_a",
                  placeholder="50.47099, 23.93432")
    c2.text_input("To", key="measure_b", placeholder="49.8397 N 24.0297 E")
    c1.button("Use selection as 'From'", key="sel_a",
              on_click=appstate.set_measure, args=(st.session_state, "measure_a", picked))
    c2.button("Use selection as 'To'", key="sel_b",
              on_click=appstate.set_measure, args=(st.session_state, "measure_b", picked))
    if measure_error:
        st.error(measure_error)
    elif measure_pts:
        (alon, alat), (blon, blat) = measure_pts
        az, d_km = inverse_km(alon, alat, blon, blat)
        st.metric("Distance", format_distance(float(d_km), units))
        st.write(f"Initial azimuth {float(az) % 360:.1f}° (from true north)")

if scene.metrics:
    st.subheader("Figures")
    st.table(appstate.figures_table(scene))

with st.expander("Download a layer or result"):
    names = [lyr.name for lyr in scene.layers]
    choice = st.selectbox("Layer", names, key="dl_layer")
    gdf = scene.layer(choice).gdf
    c1, c2 = st.columns(2)
    c1.download_button("GeoJSON", lambda: appstate.to_geojson_bytes(gdf),
                       file_name=f"{choice}.geojson", mime="application/geo+json",
                       key="dl_geojson", on_click="ignore")
    c2.download_button("CSV", lambda: appstate.to_csv_bytes(gdf), file_name=f"{choice}.csv",
                       mime="text/csv", key="dl_csv", on_click="ignore")

with st.expander("Briefing image"):
    c1, c2, c3 = st.columns(3)
    fmt = c1.selectbox("Format", ["png", "pdf", "svg"], key="brief_fmt")
    size = c2.selectbox("Size", ["slide", "a4"], key="brief_size",
                        format_func=lambda v: {"slide": "Slide 1920×1080",
                                               "a4": "A4 landscape, 300 dpi"}[v])
    marking = c3.text_input("Marking banner", key="brief_marking",
                            placeholder="e.g. UNCLASSIFIED")
    st.download_button(
        "Download briefing map", lambda: appstate.brief_bytes(scene, fmt, size, marking),
        file_name=f"brief-{incident['id']}.{fmt}", key="dl_brief", on_click="ignore",
        mime={"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml"}[fmt],
    )
