"""The map's args from render/deck.py's per-frame caches (issue 22 item 2): byte for byte the
args made the plain way (every frame hashed, every layer spec built, a new pydeck Deck), and
never an answer kept for a frame that changed."""
from __future__ import annotations

import gc
import json
from collections.abc import Collection
from dataclasses import replace
from typing import Any

import pydeck as pdk
import pytest
from test_rerun_cache import REQUESTS

from dashboard.render import deck
from dashboard.render.context_tiles import context_spec
from dashboard.render.geotable import blob_hash, static_ids, static_index, to_blob
from dashboard.scene.compose import build_scene
from dashboard.scene.model import Scene, SceneLayer
from dashboard.scene.request import SceneRequest

HIDDEN = frozenset({"cities", "incidents", "nato_border"})


def plain_static_ref(layer: SceneLayer) -> tuple[str, tuple[str, ...] | None] | None:
    """static_ref as it was before its per-frame cache: the ids read from the frame."""
    entry = static_index().get(layer.name)
    st = layer.style
    if (entry is None or st.name != layer.name or entry.get("kind") != st.kind
            or not set(deck.map_fields(layer)) <= set(entry.get("fields", ()))
            or st.id_field not in layer.gdf.columns):
        return None
    known = static_ids(entry["url"])
    ids = tuple(layer.gdf[st.id_field].astype(str))
    if not set(ids) <= known:
        return None
    return entry["url"], (None if len(set(ids)) == len(known) else ids)


def plain_spec(scene: Scene, sent: Collection[str] = frozenset(), hidden: Collection[str] = (),
               ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """scene_spec with no cache of its own: blobs encoded afresh, a new Deck, its JSON."""
    layers, blobs = [], {}
    for lyr in scene.layers:
        ref = plain_static_ref(lyr)
        if ref is None:
            tol = 0.0 if lyr.name in deck.EXACT_LAYERS or lyr.style.kind == "point" \
                else deck.BLOB_TOLERANCE_DEG
            blob = to_blob(deck.layer_table(lyr, tol))
            digest = blob_hash(blob)
            ref = (f"blob:{digest}", None)
            if digest not in sent:
                blobs[digest] = blob
        layers.append(deck.layer_spec(lyr, ref[0], ref[1], hidden, scene.units))
    v = scene.view
    spec = json.loads(pdk.Deck(layers=layers, map_style=None, map_provider=None,
                               initial_view_state=pdk.ViewState(
                                   longitude=round(v.lon, 5), latitude=round(v.lat, 5),
                                   zoom=round(v.zoom, 2))).to_json())
    for k in ("mapStyle", "mapProvider", "mapboxKey", "googleMapsKey", "cartoKey",
              "maplibreKey", "customLibraries"):
        spec.pop(k, None)
    spec["layers"] = [{**deck.LAYER_DEFAULTS, **lyr} for lyr in spec.get("layers", [])]
    spec["places"] = deck.places_spec(scene, hidden)
    spec["context"] = context_spec(hidden)
    return spec, blobs


def same_bytes(scene: Scene, sent: Collection[str] = frozenset(),
               hidden: Collection[str] = ()) -> tuple[dict[str, Any], dict[str, Any]]:
    """scene_spec's answer, checked to be the plain one's text, key order and all."""
    spec, blobs = deck.scene_spec(scene, sent, hidden)
    want_spec, want_blobs = plain_spec(scene, sent, hidden)
    assert json.dumps(spec) == json.dumps(want_spec)
    assert json.dumps(blobs, sort_keys=True) == json.dumps(want_blobs, sort_keys=True)
    return spec, blobs


@pytest.mark.parametrize("name", list(REQUESTS))
def test_the_cached_spec_is_the_plain_one_byte_for_byte(name):
    scene = build_scene(REQUESTS[name])
    for hidden in ((), HIDDEN, ()):  # the second and third runs read the caches
        same_bytes(scene, hidden=hidden)
    spec, blobs = same_bytes(build_scene(REQUESTS[name]))  # a rerun: the same frames again
    same_bytes(scene, sent=set(blobs))


def _with_frame(scene: Scene, name: str, gdf) -> Scene:
    layers = [replace(lyr, gdf=gdf) if lyr.name == name else lyr for lyr in scene.layers]
    return replace(scene, layers=layers)


def _data(spec: dict[str, Any], name: str) -> str:
    return next(lyr["data"] for lyr in spec["layers"] if lyr["id"] == name)


def test_a_changed_frame_of_the_same_shape_gets_its_own_blob():
    scene = build_scene(SceneRequest())
    before, _ = same_bytes(scene)
    changed = scene.layer("incidents").gdf.copy()
    label = scene.layer("incidents").style.label_field
    changed.loc[changed.index[0], label] = "Changed, after the first run"
    after, blobs = same_bytes(_with_frame(scene, "incidents", changed))
    digest = _data(after, "incidents").removeprefix("blob:")
    assert digest != _data(before, "incidents").removeprefix("blob:")
    assert "Changed, after the first run" in json.dumps(blobs[digest])
    again, _ = same_bytes(scene)  # and the first frame still gets its own
    assert _data(again, "incidents") == _data(before, "incidents")


def test_a_static_layer_with_other_features_gets_other_ids():
    scene = build_scene(SceneRequest())
    cities = scene.layer("cities").gdf
    before, _ = same_bytes(scene)
    fewer = cities.iloc[: len(cities) // 2]
    after, _ = same_bytes(_with_frame(scene, "cities", fewer))
    ids = next(lyr["visibleIds"] for lyr in after["layers"] if lyr["id"] == "cities")
    assert ids == [str(i) for i in fewer[scene.layer("cities").style.id_field]]
    assert after != before


def test_a_frame_gone_and_a_new_one_in_its_place_is_hashed_anew():
    scene = build_scene(SceneRequest())
    base = scene.layer("incidents").gdf
    label = scene.layer("incidents").style.label_field
    for k in range(4):  # a frame made and dropped each time: its id may come back
        gdf = base.copy()
        gdf.loc[gdf.index[0], label] = f"run {k}"
        spec, blobs = same_bytes(_with_frame(scene, "incidents", gdf))
        assert f"run {k}" in json.dumps(blobs[_data(spec, "incidents").removeprefix("blob:")])
        del gdf, spec, blobs
        gc.collect()


def test_a_frame_given_a_new_column_in_place_is_not_answered_from_its_old_entry():
    scene = build_scene(SceneRequest())
    gdf = scene.layer("incidents").gdf.copy()
    mine = _with_frame(scene, "incidents", gdf)
    same_bytes(mine)
    gdf["fill_rgba"] = [(1, 2, 3, 200)] * len(gdf)  # the shape is part of every key
    spec, blobs = same_bytes(mine)
    assert [1, 2, 3, 200] in blobs[_data(spec, "incidents").removeprefix("blob:")]["props"][0]\
        .values()


def test_a_frame_given_a_new_row_in_place_is_hashed_again():
    scene = build_scene(SceneRequest())
    gdf = scene.layer("incidents").gdf.copy()
    label = scene.layer("incidents").style.label_field
    mine = _with_frame(scene, "incidents", gdf)
    same_bytes(mine)
    row = gdf.iloc[0].copy()
    row[label] = "A row added in place"
    gdf.loc["added"] = row  # the shape is part of every key
    spec, blobs = same_bytes(mine)
    assert "A row added in place" in json.dumps(blobs[_data(spec, "incidents")
                                                      .removeprefix("blob:")])
