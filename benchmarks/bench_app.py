"""Live-map budget: bytes sent per rerun and server time per rerun.

    python -m benchmarks.bench_app [--reruns 12]

Side by side in one run, for the same scene and the same units changes:

* **ours** - the page's own path: ``build_scene`` -> the map component's args
  (``render.deck.build_args``: static layers by reference, blobs sent once);
* **pydeck** - the previous live map: ``scene_to_deck`` (deck's primitive layers,
  display-simplified, compact JSON), resent whole on every rerun;
* **obvious** - the same scene as GeoJsonLayers straight from each layer's
  ``__geo_interface__`` at full resolution, serialised by pydeck's ``to_json``.

Then whole reruns of the real page (``dashboard/app.py`` in Streamlit's AppTest,
toggling the units), which is what a user waits for after a widget change.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import pydeck as pdk

from benchmarks.legacy_pydeck import OFFLINE_MAP_STYLE, scene_to_deck
from dashboard.analysis.report import point_report
from dashboard.render.deck import build_args
from dashboard.scene.compose import build_scene
from dashboard.scene.request import SceneRequest
from dashboard.state import session as appstate

ROOT = Path(__file__).resolve().parent.parent

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


def page_scene(units: str):
    return build_scene(SceneRequest(view=appstate.incident_view(*PRZ), units=units, as_of=AS_OF,
                                    ring_center=PRZ, ring_radii_km=(75.0, 90.0)))


def page_compute(units: str, sent: set[str]) -> tuple[float, float, int, float, int, set[str]]:
    """One rerun: (scene+report s, args s, args bytes, pydeck JSON s, pydeck bytes, sent)."""
    t0 = time.perf_counter()
    scene = page_scene(units)
    point_report(*PRZ, as_of=AS_OF, incident=("x", *PRZ))
    point_report(*PRZ, as_of=AS_OF)
    t1 = time.perf_counter()
    args, sent = build_args(scene, sent)
    raw = json.dumps(args, separators=(",", ":"))
    t2 = time.perf_counter()
    spec = scene_to_deck(scene).to_json()
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, len(raw.encode()), t3 - t2, len(spec.encode()), sent


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

    first_sent: set[str] = set()
    _, _, first_bytes, _, _, sent = page_compute("km", first_sent)  # warm caches, first load
    obvious_compute("km")
    scene_t, args_t, args_b, deck_t, deck_b, obv_t = [], [], [], [], [], []
    obv_bytes = 0
    for i in range(args.reruns):
        units = ("nm", "km")[i % 2]
        a, b, n, c, m, sent = page_compute(units, sent)
        scene_t.append(a), args_t.append(b), args_b.append(n), deck_t.append(c), deck_b.append(m)
        d, obv_bytes = obvious_compute(units)
        obv_t.append(d)

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    reruns = []
    for i in range(args.reruns):
        at.session_state["units"] = ("nm", "km")[i % 2]
        t = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - t)
    print(f"{'':38}{'ours':>12}{'pydeck':>12}{'obvious':>12}")
    print(f"{'sent on the first load (kB)':38}{first_bytes / 1e3:12.1f}{deck_b[0] / 1e3:12.1f}"
          f"{obv_bytes / 1e3:12.1f}")
    print(f"{'sent per rerun, median (kB)':38}{med(args_b) / 1e3:12.1f}{med(deck_b) / 1e3:12.1f}"
          f"{obv_bytes / 1e3:12.1f}")
    print(f"{'map args / spec build, median (ms)':38}{med(args_t) * 1e3:12.0f}"
          f"{med(deck_t) * 1e3:12.0f}{med(obv_t) * 1e3:12.0f}")
    print(f"{'scene + distances, median (ms)':38}{med(scene_t) * 1e3:12.0f}{'(same)':>12}")
    print(f"whole page rerun in AppTest after a units change, {args.reruns} runs: "
          f"median {med(reruns) * 1e3:.0f} ms, min {min(reruns) * 1e3:.0f}, "
          f"max {max(reruns) * 1e3:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
