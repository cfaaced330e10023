"""What a rerun reuses (issue 22 item 2): the same scene and map args as a fresh build, and
nothing kept past a change of its inputs."""
from __future__ import annotations

import json
from datetime import date

import pytest

from dashboard.geo.cache import clear_all
from dashboard.render.deck import build_args
from dashboard.scene.compose import build_scene
from dashboard.scene.model import Scene, View
from dashboard.scene.request import Marker, SceneRequest

PRZ = (23.93432, 50.47099)
LVIV = (24.0297, 49.8397)

REQUESTS = {
    "default": SceneRequest(),
    "nm": SceneRequest(units="nm"),
    "rings at a click": SceneRequest(ring_radii_km=(5.0, 55.0), ring_center=LVIV, units="mi",
                                     marker=Marker("Lviv", *LVIV)),
    "rings at the strike": SceneRequest(ring_radii_km=(75.0, 90.0)),
    "band": SceneRequest(band_km=30.0, as_of=date(2023, 6, 1)),
    "origin": SceneRequest(origin=("2022-11-15-przewodow", 75.0, 90.0)),
    "a filter": SceneRequest(incident_ids=("2022-11-15-przewodow",)),
    "zoomed in": SceneRequest(view=View.around(*PRZ, 12.0), precision_circles=True),
    "zoomed out": SceneRequest(view=View.around(*PRZ, 5.0), precision_circles=True),
    "measure": SceneRequest(measure=(PRZ, LVIV), units="nm"),
}


def digest(scene: Scene) -> str:
    """Everything a renderer reads of a scene, as text (frames as GeoJSON)."""
    layers = [{"name": lyr.name, "style": repr(lyr.style), "label": lyr.label,
               "tooltip": lyr.tooltip_fields, "pickable": lyr.pickable,
               "show_labels": lyr.show_labels, "gdf": lyr.gdf.to_json(default=str)}
              for lyr in scene.layers]
    rest = {k: repr(getattr(scene, k)) for k in ("view", "title", "subtitle", "incident",
                                                  "as_of", "metrics", "sources", "units",
                                                  "figure_layers", "custom_title")}
    return json.dumps({"layers": layers, **rest}, sort_keys=True, default=str)


def args_text(scene: Scene) -> str:
    return json.dumps(build_args(scene, set())[0], sort_keys=True)


@pytest.fixture(scope="module")
def built_afresh() -> dict[str, tuple[str, str]]:
    """Each request's scene built with every cache emptied first (digest, map args); then
    every request built once more, so the caches hold every scene's parts."""
    fresh = {}
    for name, req in REQUESTS.items():
        clear_all()
        scene = build_scene(req)
        fresh[name] = digest(scene), args_text(scene)
    for req in REQUESTS.values():
        build_scene(req)
    return fresh


@pytest.mark.parametrize("name", list(REQUESTS))
def test_a_scene_from_the_caches_is_the_scene_built_afresh(name, built_afresh):
    """From caches full of the other scenes' parts (each case once built alone, cold;
    built from one pass over all ten, not ten: the ten-by-ten builds were a minute)."""
    again = build_scene(REQUESTS[name])
    want, want_args = built_afresh[name]
    assert digest(again) == want
    assert args_text(again) == want_args


def test_reused_frames_are_the_same_objects_and_left_unchanged():
    a = build_scene(SceneRequest(units="km"))
    b = build_scene(SceneRequest(units="nm"))
    assert a.layer("incidents").gdf is not None
    assert a.layer("zones").gdf is b.layer("zones").gdf  # a units change keeps the frames
    assert a.layer("incidents").gdf is b.layer("incidents").gdf
    assert a.metrics != b.metrics  # ... and relabels the figures
    before = digest(a)
    build_scene(SceneRequest(units="mi", ring_radii_km=(10.0,)))
    assert digest(a) == before


def test_the_view_keeps_or_drops_precision_circles_as_before():
    def at(lon: float, zoom: float) -> Scene:
        return build_scene(SceneRequest(view=View.around(lon, PRZ[1], zoom),
                                        precision_circles=True))

    far, near, near2 = at(PRZ[0], 4.0), at(PRZ[0], 13.0), at(PRZ[0] + 0.01, 13.0)
    assert far.layer("precision") is None or len(far.layer("precision").gdf) < \
        len(near.layer("precision").gdf)
    assert near.layer("precision").gdf is near2.layer("precision").gdf  # same circles kept


def test_the_marker_and_the_measured_line_are_kept_per_place_and_units():
    from dashboard.scene.compose import measured_line
    from dashboard.scene.compose.parts import marker_frame

    a, b = build_scene(REQUESTS["measure"]), build_scene(REQUESTS["measure"])
    assert a.layer("measure").gdf is b.layer("measure").gdf  # a rerun keeps the line
    for units in ("km", "mi"):  # another unit: the line named in it, as built afresh
        got = build_scene(SceneRequest(measure=(PRZ, LVIV), units=units)).layer("measure").gdf
        assert got.to_json() == measured_line((PRZ, LVIV), units).to_json()
    moved = (PRZ, (LVIV[0] + 0.5, LVIV[1]))
    got = build_scene(SceneRequest(measure=moved, units="nm")).layer("measure").gdf
    assert got.to_json() == measured_line(moved, "nm").to_json()
    m1 = build_scene(SceneRequest(marker=Marker("Lviv", *LVIV))).layer("picked").gdf
    m2 = build_scene(SceneRequest(marker=Marker("Lviv", *LVIV))).layer("picked").gdf
    assert m1 is m2 and m1.to_json() == marker_frame("Lviv", *LVIV).to_json()
    for marker in (Marker("Lviv", LVIV[0] + 0.5, LVIV[1]), Marker("Elsewhere", *LVIV)):
        got = build_scene(SceneRequest(marker=marker)).layer("picked").gdf
        assert got.to_json() == marker_frame(*marker).to_json()


def test_the_selection_outline_is_kept_per_feature_and_follows_a_new_one():
    from dashboard.io.layers_io import load_layer

    regions = load_layer("regions")
    first, second = (str(v) for v in regions["iso_3166_2"].iloc[:2])

    def outline(fid: str):
        layer = build_scene(SceneRequest(selected=("regions", fid))).layer("selection")
        return None if layer is None else layer.gdf

    a, b = outline(first), outline(first)
    assert a is b  # a rerun keeps the outline
    for fid, got in ((first, a), (second, outline(second))):
        row = regions[regions["iso_3166_2"].astype(str) == fid].iloc[0]
        assert got["name"].tolist() == [str(row["name"])]
        assert got.geometry.iloc[0].equals_exact(row.geometry, 0.0)
    assert outline("XX-none") is None


def test_an_incident_added_to_the_store_is_in_the_next_scene(data_dir):
    from test_incident_form import NEW_ID, _good_values

    from dashboard.analysis.incident_catalogue import forget_token, incident_store
    from dashboard.state import incident_form as form

    req = SceneRequest(units="nm", precision_circles=True, view=View.around(*PRZ, 13.0))
    before = build_scene(req)
    assert NEW_ID not in set(before.layer("incidents").gdf["id"])
    assert form.save_incident(incident_store(), _good_values(), reason="new", who="local").ok
    forget_token()  # as the page does after it wrote
    after = build_scene(req)
    assert NEW_ID in set(after.layer("incidents").gdf["id"])
    assert NEW_ID in set(after.layer("precision").gdf["id"]) or \
        after.layer("precision") is None
    assert len(after.layer("incidents").gdf) == len(before.layer("incidents").gdf) + 1


def test_the_incident_filter_follows_every_change_of_its_values():
    from dashboard.state import incidents as flt

    state: dict = {}
    flt.init_filters(state)
    records = flt.catalogue_records()
    everything = flt.apply_filters(state)
    assert everything.everything and everything == flt.apply_filters(state, records)
    state["inc_countries"].remove("PL")  # changed in place, as a widget's list may be
    no_pl = flt.apply_filters(state)
    assert no_pl == flt.apply_filters(state, records) and not no_pl.everything
    assert not {r["id"] for r in records if r["country"] == "PL"} & set(no_pl.ids)
    state["inc_from"] = date(2024, 1, 1)
    later = flt.apply_filters(state)
    assert later == flt.apply_filters(state, records) and set(later.ids) < set(no_pl.ids)
    state["inc_to"] = date(2023, 1, 1)  # a range that ends before it starts
    bad = flt.apply_filters(state)
    assert bad == flt.apply_filters(state, records) and bad.error
    del state["inc_objects"]
    assert flt.apply_filters(state) == flt.apply_filters(state, records)
    assert flt.filter_options() == flt.filter_options(records)


def test_an_incident_added_is_in_the_filters_and_their_choices(data_dir):
    from test_incident_form import NEW_ID, _good_values

    from dashboard.analysis.incident_catalogue import forget_token, incident_store
    from dashboard.state import incident_form as form
    from dashboard.state import incidents as flt

    state: dict = {}
    flt.init_filters(state)
    assert NEW_ID not in flt.apply_filters(state).ids
    assert form.save_incident(incident_store(), _good_values(), reason="new", who="local").ok
    forget_token()
    assert NEW_ID in flt.apply_filters(state).ids
    assert flt.filter_options() == flt.filter_options(flt.catalogue_records())


def test_the_sidebar_zone_choices_and_the_panel_coordinates_are_the_layers_and_the_core():
    from dashboard.analysis.report import point_report
    from dashboard.geo.coords import format_dms, to_mgrs
    from dashboard.io.layers_io import load_layer
    from dashboard.ui.sidebar import zone_choices

    zones = load_layer("zones")
    ids, names, text = zone_choices()
    assert list(ids) == list(zones["id"]) and zone_choices()[0] is ids
    assert names == {str(i): str(n) for i, n in zip(zones["id"], zones["name"])}
    assert all(f"**{n}**: {d}" in text for n, d in zip(zones["name"], zones["description"]))
    for lon, lat in (PRZ, LVIV, PRZ):
        r = point_report(lon, lat)
        assert (r.dms, r.mgrs) == (format_dms(lon, lat), to_mgrs(lon, lat))
