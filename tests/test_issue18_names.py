"""Issue 18, names: hostile share links and names with bidi controls, read through AppTest.

A link is made as an attacker would (JSON with a lone ``\\ud800`` escape, an integer beyond
2^63 in its coordinates) and opened on the zones page; what the page says is read as a
person reads it.  The browser versions are in tests/test_browser_hostile.py.
"""
from __future__ import annotations

import base64
import json
import zlib

from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from conftest import APP
from dashboard.store import Scenario, Zone, to_url_param

RLO, PDF = "\u202e", "\u202c"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def _payload() -> dict:
    param = to_url_param(Scenario(name="Link", zones=[Zone("z1", "Box", box(23, 49, 25, 51))]))
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(param + "=" * (-len(param) % 4))))


def _param(payload: dict) -> str:
    text = json.dumps(payload, separators=(",", ":"))  # ensure_ascii: "\ud800" stays an escape
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).rstrip(b"=").decode()


def open_link(param: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["scenario"] = param
    at.run()
    assert not at.exception, at.exception
    return at


def _surrogate_name() -> str:
    p = _payload()
    p["n"] = "A\ud800B"
    return _param(p)


def _surrogate_zone() -> str:
    p = _payload()
    p["z"][0][1] = "Zone\udfff"
    return _param(p)


def _huge_integer() -> str:
    p = _payload()
    p["z"][0][6]["p"][0][0] = 2 ** 64
    return _param(p)


def _raw(payload: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(payload, 9)).rstrip(b"=").decode()


def test_hostile_links_say_one_line_and_offer_to_ignore_them():
    """What each link says; the browser opens the links whose bytes pass through it in
    ways AppTest cannot show (percent escapes, a 4 MB bomb, a surrogate in the address)."""
    for param, said in ((_surrogate_name(), "lone UTF-16 surrogate"),
                        (_surrogate_zone(), "lone UTF-16 surrogate"),
                        (_huge_integer(), "number out of range"),
                        (_raw(b'{"hello": 1}'), "not a scenario"),
                        (_raw(b"[" * 100_000), "nested too deeply"),
                        (_raw(json.dumps({"v": 1, "n": "x", "z": [[1, 2]]}).encode()),
                         "not in the expected form")):
        at = open_link(param)
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and said in errors[0], errors
        assert "could not do that" not in errors[0] and "Error" not in errors[0]
        assert any(b.label == "Ignore the link" for b in at.button)
        at.button(key="scn_shared_ignore").click().run()
        assert not at.exception and not at.error
        at.run()  # the next rerun: still nothing
        assert not at.exception and not at.error


def test_bidi_controls_never_reach_the_page():
    name = f"Box{RLO}evil{PDF}"
    param = to_url_param(Scenario(name=f"Plan{RLO}A", zones=[Zone("z1", name, box(23, 49, 25, 51))]))
    at = open_link(param)
    info = [i.value for i in at.info if "carries the scenario" in i.value]
    assert info and "PlanA" in info[0] and not any(c in info[0] for c in BIDI)
    at.button(key="scn_shared_open").click().run()
    assert not at.exception
    shown = [m.value for m in at.markdown] + [c.value for c in at.caption] \
        + [str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel()] \
        + [o for s in at.selectbox for o in s.options]
    assert any("Boxevil" in t for t in shown)
    assert not [t for t in shown if any(c in t for c in BIDI)]
    # the map draws and hovers the name as typed too (its args, blobs included)
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    text = json.dumps(args, ensure_ascii=False)
    assert "Boxevil" in text and not any(c in text for c in BIDI)


def test_the_brief_draws_names_without_bidi_controls():
    """A zone drawn on the page, named with an override, is labelled as typed on the brief."""
    import re
    from html import unescape

    from dashboard.render.export import brief_bytes
    from dashboard.scene.compose import build_scene
    from dashboard.scene.request import SceneRequest

    scene = build_scene(SceneRequest(extra_zones=((f"Box{RLO}evil{PDF}", box(23.5, 50.0, 24.5, 50.8)),),
                                     title=f"Plan{RLO}A"))
    svg = brief_bytes(scene, "svg", "slide", None).decode()
    texts = [unescape(re.sub(r"<[^>]+>", "", t))
             for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)]
    assert "PlanA" in texts and any("Boxevil" in t for t in texts)
    assert not [t for t in texts if any(c in t for c in BIDI)]


def test_uploaded_layer_text_reaches_the_map_without_bidi_controls():
    """An uploaded layer's name and text properties (its tooltips and labels on both maps)
    are shown in the order typed; numbers stay numbers."""
    import geopandas as gpd
    from shapely.geometry import Point

    from dashboard.scene.compose import build_scene
    from dashboard.scene.request import SceneRequest

    g = gpd.GeoDataFrame({"name": ["Box\u202eevil"], "note": ["a\u2066b\u2069c"], "n": [1]},
                         geometry=[Point(24, 50)], crs="EPSG:4326")
    scene = build_scene(SceneRequest(user_layers=(("up\u202eload", g),)))
    lyr = next(lyr for lyr in scene.layers if lyr.name.startswith("up"))
    assert lyr.name == "upload"
    assert lyr.gdf["name"].tolist() == ["Boxevil"] and lyr.gdf["note"].tolist() == ["abc"]
    assert lyr.gdf["n"].tolist() == [1]
    assert g["name"].tolist() == ["Box\u202eevil"]  # the upload itself is not changed
