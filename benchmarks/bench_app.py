"""Live-map budget (issue 4): deck spec size per rerun and server time per rerun.

    python benchmarks/bench_app.py [--reruns 12]

Side by side in one run:

* **ours** - the page's own path: ``build_scene`` -> ``scene_to_deck`` (deck's
  primitive layers, geometry simplified for display, memoised rows, compact JSON);
* **obvious** - the same scene as GeoJsonLayers straight from each layer's
  ``__geo_interface__`` at full resolution, serialised by pydeck's ``to_json``.

Then whole reruns of the real page (``dashboard/app.py`` in Streamlit's AppTest,
toggling the units radio), which is what a user waits for after a widget change.
Targets: spec < 1.5 MB, rerun < 300 ms at the default view.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import pydeck as pdk

from dashboard import appstate
from dashboard.compose import build_scene
from dashboard.request import SceneRequest
from dashboard.geo.report import point_report
from dashboard.render.deck import OFFLINE_MAP_STYLE, scene_to_deck

PRZ = (23.93432, 50.47099)
AS_OF = date(2022, 11, 15)


def obvious_deck(scene) -> pdk.Deck:
    layers = [pdk.Layer("GeoJsonLayer", id=lyr.name, data=lyr.gdf.__geo_interface__,
                        pickable=True, get_fill_color=list(lyr.style.fill),
                        get_line_color=list(lyr.style.line))
              for lyr in scene.layers]
    v = scene.view
    return pdk.Deck(layers=layers, map_style=OFFLINE_MAP_STYLE,
                    initial_view_state=pdk.ViewState(longitude=v.lon, latitude=v.lat, zoom=v.zoom))


def page_compute(units: str) -> tuple[float, float, int]:
    """The page's compute for one rerun: (scene+report s, deck JSON s, bytes)."""
    t0 = time.perf_counter()
    scene = build_scene(SceneRequest(view=appstate.incident_view(*PRZ), units=units, as_of=AS_OF,
                        ring_center=PRZ))
    point_report(*PRZ, as_of=AS_OF, incident=("x", *PRZ))
    point_report(*PRZ, as_of=AS_OF)
    t1 = time.perf_counter()
    spec = scene_to_deck(scene).to_json()
    return t1 - t0, time.perf_counter() - t1, len(spec.encode())


def obvious_compute(units: str) -> tuple[float, int]:
    scene = build_scene(SceneRequest(view=appstate.incident_view(*PRZ), units=units, as_of=AS_OF))
    t = time.perf_counter()
    spec = obvious_deck(scene).to_json()
    return time.perf_counter() - t, len(spec.encode())


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reruns", type=int, default=12)
    args = ap.parse_args(argv)

    page_compute("km")  # warm caches (layer loads, indexes, display rows)
    obvious_compute("km")
    ours_scene, ours_json, obv_json = [], [], []
    ours_bytes = obv_bytes = 0
    for i in range(args.reruns):
        units = ("km", "nm")[i % 2]
        a, b, ours_bytes = page_compute(units)
        ours_scene.append(a)
        ours_json.append(b)
        c, obv_bytes = obvious_compute(units)
        obv_json.append(c)

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    reruns = []
    for i in range(args.reruns):
        at.session_state["units"] = ("nm", "km")[i % 2]
        t = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - t)
    sent = len(at.get("deck_gl_json_chart")[0].proto.json.encode())

    print(f"{'':34}{'ours':>12}{'obvious':>12}")
    print(f"{'deck spec per rerun (MB)':34}{ours_bytes / 1e6:12.2f}{obv_bytes / 1e6:12.2f}")
    print(f"{'deck build + JSON, median (ms)':34}{med(ours_json) * 1e3:12.0f}"
          f"{med(obv_json) * 1e3:12.0f}")
    print(f"{'scene + distances, median (ms)':34}{med(ours_scene) * 1e3:12.0f}{'(same)':>12}")
    print(f"whole page rerun in AppTest after a units change, {args.reruns} runs: "
          f"median {med(reruns) * 1e3:.0f} ms, min {min(reruns) * 1e3:.0f}, "
          f"max {max(reruns) * 1e3:.0f}; spec sent {sent / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
