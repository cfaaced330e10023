"""A new session's first script run, server side: the Explore page against a bare page.

    python -m benchmarks.bench_first_run [--sessions 7] [--cold 3]

What a visitor waits for before the browser can draw anything is the script run that
makes the page's elements; Streamlit sends each element as the script reaches it.  This
runs both scripts in Streamlit's AppTest, in one process, sessions alternating (the
compiled scripts shared between sessions, as ``streamlit run`` does):

* **bare**: ``st.title`` and nothing else (the same page ``bench_map`` times the app
  against in the browser); time from the run's start to the title's element;
* **app**: ``dashboard/app.py`` opened at ``/`` (it switches to ``/explore``); time from
  the run's start to the panel's first figure table (the element the browser shows as
  "the panel's figures"), to the map's element, and to the run's end.

**Warm server**: each side has one discarded session first, then ``--sessions`` new
sessions each.  **Reruns**: in one session of the app, a units change and another
incident (the whole run, as a user waits for it after a widget change), and the
server's CPU for each of those and for a click on the map (what 20 sessions share).  **First
visitor** (``--cold``): a new Python process per run (streamlit already imported, as a
server is), so the run pays for the app's imports and its process-wide caches; and the
same after :func:`dashboard.state.warm.warm` ran in that process (what a launcher that
warms the server before the first visitor gives).

Prints a markdown section: medians, and what the app adds to the bare page's run in
the same process (a ratio of two script runs means little: the bare one takes a
millisecond; the browser's own start, about a second, is the same for both).
Timing is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
BARE = "import streamlit as st\n\nst.title('Bare page')\n"


class Recorder:
    """Times, from each run's start, of the elements a run enqueues (one per session)."""

    def __init__(self) -> None:
        self.t0: float | None = None
        self.marks: dict[str, float] = {}

    def start(self) -> None:
        self.t0, self.marks = None, {}

    def run_started(self) -> None:
        if self.t0 is None:  # the first run of a request (a page switch reruns at once)
            self.t0 = time.perf_counter()

    def element(self, kind: str, path: list[int], text: str = "") -> None:
        if self.t0 is None:
            return
        t = time.perf_counter() - self.t0
        main = bool(path) and path[0] == 0
        if kind == "heading" and main:
            self.marks.setdefault("title", t)
        elif main and (kind == "table" or text.startswith("| to |")):  # the distance table
            self.marks.setdefault("panel", t)
        elif kind == "component_instance":
            self.marks.setdefault("map", t)
        self.marks["end"] = t


REC = Recorder()


def install() -> None:
    """Hook Streamlit's script runner (run starts, enqueued elements) and share one
    compiled-script cache between AppTest sessions, as one server shares it."""
    from streamlit.runtime.scriptrunner import script_cache
    from streamlit.runtime.scriptrunner import script_runner as sr
    from streamlit.runtime.scriptrunner_utils import script_run_context as src
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = script_cache.ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment]
    run_script = sr.ScriptRunner._run_script

    def timed_run_script(self: Any, rerun_data: Any) -> None:
        REC.run_started()
        run_script(self, rerun_data)

    sr.ScriptRunner._run_script = timed_run_script  # type: ignore[method-assign]
    enqueue = src.ScriptRunContext.enqueue

    def timed_enqueue(self: Any, msg: Any) -> None:
        if msg.HasField("delta") and msg.delta.HasField("new_element"):
            el = msg.delta.new_element
            kind = el.WhichOneof("type")
            REC.element(kind, list(msg.metadata.delta_path),
                        el.markdown.body if kind == "markdown" else "")
        enqueue(self, msg)

    src.ScriptRunContext.enqueue = timed_enqueue  # type: ignore[method-assign]


def session(kind: str) -> tuple[dict[str, float], Any]:
    """One new session's first run: its marks (s from the run's start) and the AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(BARE) if kind == "bare" else AppTest.from_file(str(APP))
    REC.start()
    at.run(timeout=300)
    if at.exception:
        raise RuntimeError(f"{kind}: {at.exception[0].value}")
    return dict(REC.marks), at


def rerun(at: Any, change) -> float:
    t, cpu = time.perf_counter(), time.process_time()
    change(at).run(timeout=300)
    CPU.append(time.process_time() - cpu)  # the server's CPU for the run (AppTest polls idly)
    return time.perf_counter() - t


#: CPU seconds of each rerun of :func:`rerun`, in order.
CPU: list[float] = []


def click(at: Any, seq: int, lon: float, lat: float) -> Any:
    """A click on the empty map at (lon, lat), as the map component reports it."""
    at.session_state["explore_map"] = {"seq": seq, "events": [
        {"seq": seq, "type": "click", "lon": lon, "lat": lat, "layer": None, "feature": None,
         "index": None}]}
    return at


def cold_child(kind: str) -> None:
    """In a new process: one first run, its marks as JSON on stdout."""
    import streamlit  # noqa: F401 - a server has it imported before any session
    from streamlit.testing.v1 import AppTest  # noqa: F401

    install()
    if kind == "app-warmed":  # a launcher warmed the process before the visitor came
        from dashboard.state.warm import warm

        warm()
    marks, _ = session("app" if kind == "app-warmed" else kind)
    print(json.dumps(marks))


def cold(kind: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_first_run", "--child", kind],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
                         env=dict(os.environ, PYTHONWARNINGS="ignore"))
    return json.loads(out.stdout.strip().splitlines()[-1])


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def measure(sessions: int, cold_runs: int) -> dict[str, Any]:
    install()
    session("bare"), session("app")  # the server warm: one discarded session each
    warm: dict[str, list[dict[str, float]]] = {"bare": [], "app": []}
    for _ in range(sessions):
        for kind in ("bare", "app"):
            warm[kind].append(session(kind)[0])
    from dashboard.state.session import incidents_by_id

    _, at = session("app")
    units, incident = [], []
    ids = list(incidents_by_id())
    cpu: dict[str, list[float]] = {"units": [], "incident": [], "click": []}
    clicks = ((24.0297, 49.8397), (23.2, 50.9), (25.3, 50.75))
    for i in range(max(3, sessions // 2)):
        units.append(rerun(at, lambda a, i=i: a.radio(key="units")
                           .set_value(("nm", "mi", "km")[i % 3])))
        cpu["units"].append(CPU[-1])
        incident.append(rerun(at, lambda a, i=i: a.selectbox(key="incident")
                              .set_value(ids[(7 * i + 1) % len(ids)])))
        cpu["incident"].append(CPU[-1])
        rerun(at, lambda a, i=i: click(a, 100 + i, *clicks[i % len(clicks)]))
        cpu["click"].append(CPU[-1])
    first: dict[str, list[dict[str, float]]] = {"bare": [], "app": []}
    warmed: dict[str, list[dict[str, float]]] = {"bare": [], "app": []}
    for _ in range(cold_runs):
        for kind in ("bare", "app", "app-warmed"):
            (warmed["app"] if kind == "app-warmed" else first[kind]).append(cold(kind))
    warmed["bare"] = first["bare"]
    return {"warm": warm, "units": units, "incident": incident, "cpu": cpu, "first": first,
            "warmed": warmed, "load": os.getloadavg()[0]}


def section(r: dict[str, Any]) -> str:
    def m(runs: list[dict[str, float]], key: str) -> float:
        return med([x[key] for x in runs if key in x])

    rows = ["| new session, first run: time to | bare page (its title) | app | app − bare |",
            "|---|---:|---:|---:|"]
    for label, group in (("warm server", r["warm"]), ("first visitor (new process)", r["first"]),
                         ("first visitor, process warmed (`state/warm.py`)", r["warmed"])):
        if not group["bare"]:
            continue
        title = m(group["bare"], "title")
        for key, what in (("panel", "the panel's first figures"), ("map", "the map's element"),
                          ("end", "the run's end")):
            v = m(group["app"], key)
            rows.append(f"| {label}: {what} | {title * 1000:.0f} ms | {v * 1000:.0f} ms "
                        f"| {(v - title) * 1000:+.0f} ms |")
    rows.append(f"| rerun: units change (whole run) | | {med(r['units']) * 1000:.0f} ms | |")
    rows.append(f"| rerun: another incident (whole run) | | {med(r['incident']) * 1000:.0f} ms | |")
    for kind, what in (("units", "units change"), ("incident", "another incident"),
                       ("click", "a map click (empty map)")):
        if r.get("cpu", {}).get(kind):
            rows.append(f"| rerun: {what}, server CPU | | {med(r['cpu'][kind]) * 1000:.0f} ms | |")
    n = len(r["warm"]["app"])
    return ("### First script run of a new session (bench_first_run.py)\n\n"
            f"Streamlit AppTest in one process, sessions alternating ({n} each after one "
            f"discarded; first visitor: {len(r['first']['app'])} new processes each), "
            f"load average {r['load']:.1f}.  Times from the run's start to the element "
            "(the browser adds its own page load, the element's code and drawing: "
            "`bench_map.py`).\n\n" + "\n".join(rows) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=7, help="new sessions per side")
    ap.add_argument("--cold", type=int, default=3, help="new processes per side (0: none)")
    ap.add_argument("--child", choices=("bare", "app", "app-warmed"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        cold_child(args.child)
        return 0
    print(section(measure(args.sessions, args.cold)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
