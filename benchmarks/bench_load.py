"""Load: many concurrent sessions exploring the real app; rerun latency, errors, server memory.

    python -m benchmarks.bench_load [--sessions 20] [--seconds 60]   # < 3 minutes
    python -m benchmarks.bench_load --quick                          # ~1 minute
    python -m benchmarks.bench_load --baseline b769ee5               # and that commit, same run

Starts one server (``streamlit run dashboard/app.py``, tests/appserver.py) and
drives it with clients of Streamlit's own websocket protocol
(:mod:`benchmarks.loadclient`), each one session doing what a user does on the
Explore page: map clicks (cities, regions, empty map, as the map component
sends them), pans, unit changes, range rings on and off, uploads of a small
GeoJSON of its own (and removing it), and a briefing map download each, with a
think time between actions.  In one run, side by side:

1. the same mix with ONE session (latency alone);
2. ``--sessions`` sessions for ``--seconds`` (latency under load; their ratio);
3. memory: the server's RSS (process tree, every 0.5 s) at baseline, with the
   sessions connected and idle, at most during the load, and after they closed
   and ``server.disconnectedSessionTTL`` (shortened to ``--ttl`` s for the run)
   passed; per session = (RSS - baseline) / N;  what a session's state holds,
   key by key (AppTest, same actions), and the process-wide caches;
4. a Playwright check (``--browsers`` Chromium contexts): the browser's reruns for
   click, units and rings produce the same page (headings, metrics, alerts,
   short texts) as the protocol client's.

With ``--baseline REV`` the same measurement (steps 1-3) runs again in the same
run on a second server started from ``git archive REV`` (the code before a change),
and a table puts the two side by side with their ratios.

Rerun latency: from sending the BackMsg to the script-finished ForwardMsg.
Brief: from clicking "Make briefing map" until the PNG is downloaded (the run
waits while the page shows how many briefs are ahead).
Errors: exception elements, ``st.error`` alerts, websocket drops, HTTP errors.
Writes ``benchmarks/LOAD_RESULTS.md``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import process_cpu_s
from benchmarks.loadclient import ProtocolError, RssSampler, RunResult, Session, record_page_runs
from dashboard.geo.cache import PROCESS_MAX_BYTES, approx_bytes
from dashboard.state.session import MAX_USER_LAYERS, MAX_USER_LAYERS_BYTES
from tests.appserver import CHROMIUM_ARGS, start_app, stop_app

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "LOAD_RESULTS.md"
MAP_KEY = "explore_map"
INCIDENT = (23.93432, 50.47099)  # Przewodów, the page's opening incident
UNITS = {"km": "km", "nm": "nautical miles", "mi": "statute miles"}
RSS_TARGET_MB = 1536.0
#: Think time of the one-session run, s: short, so that it does the whole mix (alone,
#: nothing else runs, so it does not change the latency).
SINGLE_THINK_S = (0.2, 0.5)
#: Action kinds and their weights after the first round (which does each once).
WEIGHTS = {"click": 40, "view": 8, "units": 14, "rings on": 10, "rings off": 10,
           "upload": 6, "remove upload": 4, "brief": 8}


# ---------------------------------------------------------------- the mix
@dataclass
class Record:
    """Every action of every session of one phase."""

    results: list[RunResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: The server process's CPU seconds per action, by kind (the one-session phase only:
    #: alone, an action's CPU is the server's CPU between sending it and its end).
    cpu: dict[str, list[float]] = field(default_factory=dict)
    #: (server CPU s, wall s) of the phase's exploring part.
    busy: tuple[float, float] = (float("nan"), float("nan"))

    def add(self, res: RunResult) -> None:
        self.results.append(res)
        self.errors += [f"{res.kind}: {e}" for e in res.errors]


async def timed(record: Record, kind: str, action: Any, cpu: Callable[[], float] | None,
                ) -> RunResult:
    """Await ``action`` (an action's coroutine); with ``cpu``, keep the server's CPU for it."""
    c0 = cpu() if cpu is not None else 0.0
    res = await action
    if cpu is not None:
        record.cpu.setdefault(kind, []).append(cpu() - c0)
    return res


def targets() -> list[dict[str, Any]]:
    """Click events as the map component sends them: cities, regions, the empty map."""
    import shapely

    from dashboard.io.layers_io import load_layer

    out: list[dict[str, Any]] = []
    cities = load_layer("cities").cx[21.5:27.5, 48.5:52.2]
    cities = cities.sort_values("population", ascending=False).head(40)
    for i, (_, c) in enumerate(cities.iterrows()):
        out.append({"type": "click", "lon": round(c.geometry.x, 6), "lat": round(c.geometry.y, 6),
                    "layer": "cities", "feature": str(c["geonameid"]), "index": i})
    regions = load_layer("regions").cx[21.5:27.5, 48.5:52.2]
    for i, (_, r) in enumerate(regions.iterrows()):
        p = shapely.point_on_surface(r.geometry)
        out.append({"type": "click", "lon": round(p.x, 6), "lat": round(p.y, 6),
                    "layer": "regions", "feature": str(r["iso_3166_2"]), "index": i})
    rng = random.Random(7)
    for _ in range(20):
        out.append({"type": "click", "lon": round(rng.uniform(21.0, 27.0), 6),
                    "lat": round(rng.uniform(48.8, 52.0), 6), "layer": None,
                    "feature": None, "index": None})
    return out


def view_event(dlon: float = 0.0, dlat: float = 0.0) -> dict[str, Any]:
    """The map's view event after a pan by (dlon, dlat) degrees from the opening view."""
    from dashboard.state.session import incident_view

    v = incident_view(*INCIDENT)
    w, s, e, n = v.bounds_deg
    return {"type": "view", "lon": round(v.lon + dlon, 5), "lat": round(v.lat + dlat, 5),
            "zoom": round(v.zoom, 2), "width": 945, "height": 700,
            "bounds": [round(w + dlon, 5), round(s + dlat, 5), round(e + dlon, 5),
                       round(n + dlat, 5)]}


def user_geojson(session: int, n: int) -> bytes:
    """A small GeoJSON of one user: a few named points and a polygon near the border."""
    rng = random.Random(session * 1000 + n)
    lon, lat = rng.uniform(22.5, 25.5), rng.uniform(49.0, 51.5)
    feats = [{"type": "Feature", "properties": {"name": f"site {session}-{n}-{k}"},
              "geometry": {"type": "Point", "coordinates": [round(lon + rng.uniform(-.3, .3), 5),
                                                           round(lat + rng.uniform(-.2, .2), 5)]}}
             for k in range(12)]
    ring = [[lon - .2, lat - .1], [lon + .2, lat - .1], [lon + .2, lat + .1], [lon - .2, lat + .1],
            [lon - .2, lat - .1]]
    feats.append({"type": "Feature", "properties": {"name": f"area {session}-{n}"},
                  "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


@dataclass
class User:
    """One simulated user: a session and what it has set."""

    n: int
    session: Session
    rng: random.Random
    clicks: list[dict[str, Any]]
    units: str = "km"
    uploads: int = 0

    def plan(self) -> list[str]:
        """The first round: every kind once (a brief and an upload each), shuffled."""
        first = ["click", "units", "rings on", "upload", "click", "brief", "rings off", "view"]
        self.rng.shuffle(first)
        return first

    def next_kind(self) -> str:
        kinds, weights = zip(*WEIGHTS.items())
        return self.rng.choices(kinds, weights)[0]


async def act(user: User, kind: str) -> RunResult:
    """Do one action of ``kind`` in ``user``'s session."""
    s = user.session
    if kind == "click":
        return await s.rerun(kind, [s.map_value(MAP_KEY, user.rng.choice(user.clicks))])
    if kind == "view":
        ev = view_event(user.rng.uniform(-1.5, 1.5), user.rng.uniform(-0.8, 0.8))
        return await s.rerun(kind, [s.map_value(MAP_KEY, ev)])
    if kind == "units":
        user.units = user.rng.choice([u for u in UNITS if u != user.units])
        return await s.rerun(kind, [s.state_of("units", string_value=UNITS[user.units])])
    if kind == "rings on":
        return await s.rerun(kind, [s.state_of("preset_5v55", trigger_value=True)])
    if kind == "rings off":
        return await s.rerun(kind, [s.state_of(f"rings_text_{user.units}", string_value="")])
    if kind == "upload":
        held = s.uploaded("uploads")[-1:]  # at most two files in the uploader
        user.uploads += 1
        name = f"user{user.n}-{user.uploads}.geojson"
        return await s.upload("uploads", [(name, user_geojson(user.n, user.uploads))], held)
    if kind == "remove upload":
        return await s.set_files("uploads", s.uploaded("uploads")[1:], kind=kind)
    if kind == "brief":  # "Make briefing map", then the download the run offers
        made = await s.rerun(kind, [s.state_of("brief_make", trigger_value=True)])
        res, data = await s.download("dl_brief")
        if data and data[:8] != b"\x89PNG\r\n\x1a\n":
            res.errors.append(f"brief: not a PNG ({len(data)} bytes)")
        made.errors += res.errors
        made.latency_s += res.latency_s
        made.bytes_in += res.bytes_in
        return made
    raise ValueError(kind)


async def explore(user: User, record: Record, deadline: float, think_s: tuple[float, float],
                  cpu: Callable[[], float] | None = None) -> None:
    """Act until ``deadline`` (perf_counter s): the first round, then weighted draws
    (with ``cpu``, the server's CPU of each action is kept: one session only)."""
    plan = user.plan()
    while time.perf_counter() < deadline:
        kind = plan.pop(0) if plan else user.next_kind()
        try:
            record.add(await timed(record, kind, act(user, kind), cpu))
        except (ProtocolError, OSError, KeyError, TimeoutError) as exc:
            record.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            if user.session.closed_error:
                return
        await asyncio.sleep(min(user.rng.uniform(*think_s),
                                max(0.0, deadline - time.perf_counter())))


async def connect(n: int, url: str, clicks: list[dict[str, Any]], record: Record,
                  cpu: Callable[[], float] | None = None) -> User:
    """Open a session (the page load and the map's first view event)."""
    user = User(n, Session(url), random.Random(n), clicks)
    record.add(await timed(record, "load", user.session.open(), cpu))
    res = await timed(record, "first view", user.session.rerun(
        "view", [user.session.map_value(MAP_KEY, view_event())]), cpu)
    res.kind = "first view"
    record.add(res)
    return user


async def run_phase(url: str, n: int, seconds: float, think_s: tuple[float, float],
                    sampler: RssSampler, idle_s: float = 0.0) -> tuple[Record, dict[str, float]]:
    """``n`` sessions: connect (staggered), hold idle ``idle_s``, explore ``seconds``, close."""
    record, mem = Record(), {}
    clicks = targets()
    cpu = (lambda: process_cpu_s(sampler.pid)) if n == 1 else None

    async def staggered(i: int) -> User | None:
        await asyncio.sleep(i * 0.1)
        try:
            return await connect(i, url, clicks, record, cpu)
        except (ProtocolError, OSError, KeyError, TimeoutError) as exc:  # counted, not fatal
            record.errors.append(f"connect: {type(exc).__name__}: {exc}")
            return None

    users = [u for u in await asyncio.gather(*(staggered(i) for i in range(n))) if u is not None]
    if idle_s:
        sampler.phase = f"idle{n}"
        await asyncio.sleep(idle_s)
        mem["idle"] = float(np.median(sampler.of(f"idle{n}")))
    sampler.phase = f"load{n}"
    deadline = time.perf_counter() + seconds
    c0, t0 = process_cpu_s(sampler.pid), time.perf_counter()
    await asyncio.gather(*(explore(u, record, deadline, think_s, cpu) for u in users))
    record.busy = (process_cpu_s(sampler.pid) - c0, time.perf_counter() - t0)
    mem["active_end"] = sampler.rss_mb()
    await asyncio.gather(*(u.session.close() for u in users))
    sampler.phase = f"closed{n}"
    mem["max"] = max(sampler.of(f"load{n}") or [0.0])
    return record, mem


async def warm_up(url: str) -> None:
    """One session doing every kind once (caches filled, not measured)."""
    user = await connect(999, url, targets(), Record())
    for kind in ("click", "units", "rings on", "upload", "brief", "rings off", "view"):
        await act(user, kind)
    await user.session.close()


async def poke(url: str) -> None:
    """Open and close one session: the server reaps expired sessions on such writes."""
    s = Session(url)
    await s.open()
    await s.close()


# ---------------------------------------------------------------- per-session state
def state_footprint() -> dict[str, Any]:
    """A session's state after the mix's actions (AppTest, in this process), key by key,
    and the process-wide caches it filled."""
    from streamlit.testing.v1 import AppTest

    from dashboard.geo.cache import cache_bytes, cache_report
    from dashboard.io.layers_io import read_user_layer
    from dashboard.state import session as appstate

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.switch_page("ui/explore.py").run()
    at.session_state[MAP_KEY] = {"seq": 5, "events": [{**targets()[0], "seq": 5}]}
    at.run()
    at.button(key="preset_5v55").click().run()
    state = {k: at.session_state[k] for k in at.session_state._state._state.filtered_state}
    rows = appstate.footprint(state)
    upload = read_user_layer(user_geojson(0, 1), "user.geojson").gdf
    return {"total": sum(b for _, b in rows), "top": rows[:8], "keys": len(rows),
            "upload_bytes": approx_bytes(upload), "upload_file": len(user_geojson(0, 1)),
            "exceptions": [e.value for e in at.exception],
            "caches_mb": cache_bytes() / 2**20, "cache_top": cache_report()[:5]}


# ---------------------------------------------------------------- the browser check
def browser_session(browser, url: str) -> dict[str, list[str] | float | None]:
    """Load, click Lviv, switch to nautical miles, the 5V55 rings: the page after each."""
    from benchmarks.bench_map import MAP, idle, screen_xy
    from dashboard.state.session import incident_view

    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    runs = record_page_runs(page)
    out: dict[str, Any] = {}
    try:
        page.goto(url + "/")
        page.frame_locator(f"{MAP} >> nth=-1").locator('#root[data-ready="1"]').wait_for(
            timeout=120_000)
        idle(page, 1.5, runs)
        v = incident_view(*INCIDENT)
        x, y = screen_xy(24.02324, 49.83826, (v.lon, v.lat, v.zoom),
                         page.locator(MAP).last.bounding_box())
        page.mouse.move(x - 4, y - 3)
        page.mouse.move(x, y, steps=3)
        page.wait_for_timeout(400)
        bar = page.locator('[data-testid="stSidebar"]')

        def sidebar() -> Any:
            expand = page.locator('[data-testid="stExpandSidebarButton"]')
            if expand.count() and expand.first.is_visible():
                expand.first.click()
            return bar

        def to_nautical_miles() -> None:
            """Click "nautical miles" until the figures are in nm (a click during the
            sidebar's opening animation can miss the radio)."""
            for _ in range(3):
                sidebar().get_by_text("nautical miles", exact=True).click()
                idle(page, 1.0, runs)
                if page.get_by_text(re.compile(r"\d nm$")).count():
                    return

        for kind, do in (
                ("click", lambda: page.mouse.click(x, y, delay=60)),
                ("units", to_nautical_miles),
                ("rings on", lambda: sidebar().locator(".st-key-preset_5v55 button").click())):
            n = len(runs)
            try:
                do()
            except Exception:
                page.screenshot(path=str(Path(tempfile.gettempdir()) / "bench-load-browser.png"))
                raise
            idle(page, 1.0, runs)
            out[kind] = runs[-1]["digest"] if len(runs) > n else []
            out[kind + " latency_s"] = runs[-1]["latency_s"] if len(runs) > n else None
    finally:
        ctx.close()
    return out


async def protocol_session(url: str) -> dict[str, list[str] | float]:
    """The browser check's actions through the protocol client: the page after each."""
    from dashboard.io.layers_io import load_layer

    cities = load_layer("cities")
    lviv = cities[cities["name"] == "Lviv"].iloc[0]
    s = Session(url)
    await s.open()
    await s.rerun("view", [s.map_value(MAP_KEY, view_event())])
    click = {"type": "click", "lon": 24.02324, "lat": 49.83826, "layer": "cities",
             "feature": str(lviv["geonameid"]), "index": 0}
    out: dict[str, Any] = {}
    for kind, changes in (("click", lambda: [s.map_value(MAP_KEY, click)]),
                          ("units", lambda: [s.state_of("units", string_value="nautical miles")]),
                          ("rings on", lambda: [s.state_of("preset_5v55", trigger_value=True)])):
        res = await s.rerun(kind, changes())
        out[kind], out[kind + " latency_s"] = res.digest, res.latency_s
    await s.close()
    return out


def browser_check(url: str, contexts: int) -> dict[str, Any]:
    """``contexts`` Chromium sessions and protocol sessions doing the same: same pages?"""
    import shutil

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            seen = [browser_session(browser, url) for _ in range(contexts)]
        finally:
            browser.close()
    proto = asyncio.run(protocol_session(url))
    kinds = ("click", "units", "rings on")
    same = {k: all(b[k] == proto[k] and b[k] for b in seen) for k in kinds}
    diff = {k: sorted(set(seen[0][k]) ^ set(proto[k]))[:6] for k in kinds if not same[k]}
    return {"contexts": contexts, "same": same, "diff": diff,
            "browser_latency_s": {k: [b[k + " latency_s"] for b in seen] for k in kinds},
            "protocol_latency_s": {k: proto[k + " latency_s"] for k in kinds},
            "elements": {k: len(proto[k]) for k in kinds}}


# ---------------------------------------------------------------- report
def stats(xs: list[float]) -> str:
    """``p50 / p95 / max (n)`` of seconds."""
    if not xs:
        return "–"
    p50, p95 = np.percentile(xs, [50, 95])
    return f"{p50:.2f} / {p95:.2f} / {max(xs):.2f} s ({len(xs)})"


RERUN_KINDS = ("click", "view", "units", "rings on", "rings off", "upload", "remove upload")


def latency_rows(one: Record, many: Record, n: int) -> list[str]:
    """Per action kind: alone vs under load, and the p50 ratio."""
    def of(rec: Record, kinds: tuple[str, ...]) -> list[float]:
        return [r.latency_s for r in rec.results if r.kind in kinds]

    def cpu_of(kinds: tuple[str, ...]) -> str:
        xs = [x for k in kinds for x in one.cpu.get(k, [])]
        return f"{np.mean(xs) * 1000:.0f} ms" if xs and not np.isnan(xs).any() else "–"

    rows = [f"| action | 1 session: p50 / p95 / max (n) | server CPU, 1 session (mean) "
            f"| {n} sessions: p50 / p95 / max (n) | p50 ratio |", "|---|---:|---:|---:|---:|"]
    groups = [(k, (k,)) for k in (*RERUN_KINDS, "brief", "load", "first view")]
    groups.insert(len(RERUN_KINDS), ("**every rerun** (the kinds above)", RERUN_KINDS))
    for label, kinds in groups:
        a, b = of(one, kinds), of(many, kinds)
        ratio = f"{np.median(b) / np.median(a):.1f}×" if a and b else "–"
        rows.append(f"| {label} | {stats(a)} | {cpu_of(kinds)} | {stats(b)} | {ratio} |")
    return rows


def busy_line(many: Record, n: int) -> str:
    """How busy the server process was while the sessions explored."""
    cpu, wall = many.busy
    if np.isnan(cpu) or not wall:
        return ""
    return (f"While the {n} sessions explored, the server process used {cpu:.1f} s of CPU in "
            f"{wall:.0f} s ({cpu / wall:.0%} of one core; its Python runs one thread at a time), "
            f"{cpu / max(1, len(many.results)) * 1000:.0f} ms per action.  Server CPU per action "
            "alone (the column above) is read from /proc around each action of the one "
            "session, in clock ticks of 10 ms: a mean of several.")


def latencies(info: dict[str, Any]) -> dict[str, Any]:
    """Every rerun's and every brief's latency (s), alone and with the sessions, the
    errors counted, and the server tree's most RSS (MB)."""
    def of(rec: Record, kinds: tuple[str, ...]) -> list[float]:
        return [r.latency_s for r in rec.results if r.kind in kinds]

    return {"sessions": info["sessions"], "max_rss_mb": info["mem"]["max"],
            "errors": len(info["many"].errors) + len(info["one"].errors),
            **{side: {"rerun": of(info[side], RERUN_KINDS), "brief": of(info[side], ("brief",))}
               for side in ("one", "many")}}


def write(info: dict[str, Any]) -> str:
    n, mem, fp = info["sessions"], info["mem"], info["footprint"]
    many, one = info["many"], info["one"]
    base = mem["baseline"]
    per = lambda v: (v - base) / n  # noqa: E731
    reruns = sum(r.kind in RERUN_KINDS for r in many.results)
    check = info.get("browser")
    lines = [
        "# Load: concurrent sessions on one server", "",
        f"Written by `{' '.join(['python -m benchmarks.bench_load', info['argv']]).strip()}` "
        f"in {info['wall_s']:.0f} s.", "",
        f"- date: {info['date']}; machine: {info['cpu']}; load average at start "
        f"{info['load_start']}, at end {info['load_end']} (other work shares the machine)",
        f"- {info['versions']}; driver: Streamlit's websocket protocol "
        "(benchmarks/loadclient.py), think time "
        f"{info['think'][0]:.1f}–{info['think'][1]:.1f} s between a session's actions "
        f"(alone: {SINGLE_THINK_S[0]}–{SINGLE_THINK_S[1]} s)",
        f"- {n} sessions for {info['seconds']:.0f} s: **{len(many.results)} actions, "
        f"{reruns} reruns, {len(many.errors)} errors**; alone: 1 session for "
        f"{info['single_seconds']:.0f} s, {len(one.results)} actions, {len(one.errors)} errors "
        "(errors: exception elements, st.error alerts, websocket drops, HTTP errors, "
        "tracebacks in the server's log)",
        "", "## Latency (rerun: BackMsg sent -> script finished; brief: Make briefing map clicked -> PNG received)",
        "", *latency_rows(one, many, n), "",
        *([busy_line(many, n), ""] if busy_line(many, n) else []),
        *(baseline_rows(info) if "baseline" in info else []),
        *([f"The baseline's run FAILED: {info['baseline_error']}", ""] if "baseline_error" in info else []),
        "## Server memory (RSS of the server's process tree, sampled every 0.5 s)", "",
        "| | RSS | per session |", "|---|---:|---:|",
        f"| baseline (warm, no session) | {base:.0f} MB | |",
        f"| {n} sessions connected, idle | {mem['idle']:.0f} MB | {per(mem['idle']):.1f} MB |",
        f"| {n} sessions exploring: max | **{mem['max']:.0f} MB** | {per(mem['max']):.1f} MB |",
        f"| {n} sessions at the end of the run | {mem['active_end']:.0f} MB | "
        f"{per(mem['active_end']):.1f} MB |",
        f"| closed, before the TTL | {mem['closed']:.0f} MB | uploads held: "
        f"{mem['uploads_closed']:,} bytes |",
        f"| closed, {info['ttl']} s TTL passed (sessions reaped) | {mem['reaped']:.0f} MB | "
        f"{per(mem['reaped']):.1f} MB left; uploads held: {mem['uploads_reaped']:,} bytes |",
        *[f"| wave {w} ({n} new sessions, {info['wave_seconds']:.0f} s): max / reaped | "
          f"{mem[f'wave{w}_max']:.0f} / {mem[f'wave{w}_reaped']:.0f} MB | |"
          for w in range(2, info["waves"] + 1)],
        f"| 1 session exploring: max | {mem['one_max']:.0f} MB | |", "",
        f"Target: under {RSS_TARGET_MB:.0f} MB: "
        f"{'met' if mem['max'] < RSS_TARGET_MB else 'MISSED'}.  After the TTL the server "
        "dropped the closed sessions (their uploaded files went with them, per "
        "`/_stcore/metrics`), but RSS is not given back at once: CPython's and glibc's "
        "allocators keep freed memory for reuse, and the process-wide caches (at most "
        f"{PROCESS_MAX_BYTES / 2**20:.0f} MB, dashboard/geo/cache.py) keep what the sessions "
        "computed.  `--waves 2` runs the sessions again after the reaping: a leak would add "
        "the same again.", "",
        "## What one session's state holds (AppTest: a map click, the 5V55 rings)",
        "", f"{fp['keys']} keys, about {fp['total'] / 1e3:.0f} kB in all, plus each uploaded "
        f"layer: the benchmark's ({fp['upload_file']:,} bytes of GeoJSON) holds "
        f"{fp['upload_bytes'] / 1e3:.0f} kB; caps: {MAX_USER_LAYERS} layers and "
        f"{MAX_USER_LAYERS_BYTES / 2**20:.0f} MB a session (dashboard.state.session). The largest keys:", "",
        "| key | estimated bytes |", "|---|---:|",
        *[f"| `{k}` | {b:,} |" for k, b in fp["top"]], "",
        f"Process-wide caches after it: {fp['caches_mb']:.1f} MB "
        f"({', '.join(f'{name.rsplit(chr(46), 1)[-1]} {b / 2**20:.1f} MB' for name, _, b in fp['cache_top'][:4])}).",
        ""]
    if check and "error" in check:
        lines += ["## The browser makes the same reruns", "",
                  f"The browser check FAILED: {check['error']}", ""]
    elif check:
        lines += ["## The browser makes the same reruns", "",
                  f"{check['contexts']} Chromium contexts (Playwright) and one protocol session did "
                  "the same: open the page, click Lviv, switch to nautical miles, the 5V55 rings. "
                  "Page after each (headings, metrics, alerts, short texts; "
                  f"{check['elements']} elements): "
                  + ", ".join(f"{k}: {'same' if v else 'DIFFERENT'}" for k, v in check["same"].items())
                  + (f" (differences: {check['diff']})" if check["diff"] else "") + ".",
                  "Rerun latency there, browser / protocol client: "
                  + "; ".join(f"{k}: {', '.join(f'{x:.2f}' for x in v if x is not None)} / "
                              f"{check['protocol_latency_s'][k]:.2f} s"
                              for k, v in check["browser_latency_s"].items()) + ".", ""]
    if many.errors or one.errors:
        lines += ["## Errors", "", *[f"- {e}" for e in (many.errors + one.errors)[:30]], ""]
    text = "\n".join(lines)
    RESULTS.write_text(text, encoding="utf-8")
    return text


def machine() -> dict[str, str]:
    import platform
    from datetime import UTC, datetime

    import streamlit

    with open("/proc/cpuinfo", encoding="utf-8") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")),
                   platform.processor())
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": f"{cpu}, {os.cpu_count()} cores",
            "load_start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "versions": f"Python {platform.python_version()}, Streamlit {streamlit.__version__}"}


T0 = time.perf_counter()


def say(what: str) -> None:
    """Progress on stderr: seconds since start, what happens."""
    print(f"[{time.perf_counter() - T0:6.1f} s] {what}", file=sys.stderr, flush=True)


def held_uploads(url: str) -> int:
    """Bytes of uploaded files the server holds (its ``/_stcore/metrics``): the files of
    open and not yet reaped sessions; 0 once every closed session was reaped."""
    import requests

    text = requests.get(url + "/_stcore/metrics", timeout=30).text
    return sum(int(float(ln.rsplit(" ", 1)[1])) for ln in text.splitlines()
               if ln.startswith("cache_memory_bytes") and "UploadedFileManager" in ln)


async def settle(sampler: RssSampler, phase: str, seconds: float) -> float:
    """The median RSS over ``seconds`` of quiet, MB."""
    sampler.phase = phase
    await asyncio.sleep(seconds)
    return float(np.median(sampler.of(phase) or [sampler.rss_mb()]))


async def measure(url: str, sampler: RssSampler, args: argparse.Namespace,
                  ) -> tuple[Record, Record, dict[str, float]]:
    """Warm-up, baseline, one session alone, N sessions, then closed and reaped."""
    think = (args.think_min, args.think_max)
    say("warm-up session")
    t_warm = time.perf_counter()
    await warm_up(url)
    await asyncio.sleep(max(0.0, args.ttl + 1.0 - (time.perf_counter() - t_warm)))
    await poke(url)  # the browser check's and the warm-up's sessions are reaped
    mem = {"baseline": await settle(sampler, "baseline", 3.0)}
    say("one session alone")
    one, m1 = await run_phase(url, 1, args.single_seconds, SINGLE_THINK_S, sampler)
    mem["one_max"] = m1["max"]
    say(f"{args.sessions} sessions")
    many, mn = await run_phase(url, args.sessions, args.seconds, think, sampler, idle_s=3.0)
    mem.update(mn)
    say("closed; waiting for the TTL")
    mem["closed"] = await settle(sampler, "closed", 2.0)
    mem["uploads_closed"] = await asyncio.to_thread(held_uploads, url)
    await asyncio.sleep(max(0.0, args.ttl + 1.0 - 2.0))
    await poke(url)  # expired sessions are reaped when the next session is stored
    mem["reaped"] = await settle(sampler, "reaped", 3.0)
    mem["uploads_reaped"] = await asyncio.to_thread(held_uploads, url)
    for w in range(2, args.waves + 1):  # the same again: does memory come back or grow?
        say(f"wave {w}")
        _, mw = await run_phase(url, args.sessions, args.wave_seconds, think, sampler)
        await asyncio.sleep(args.ttl + 1.0)
        await poke(url)
        mem[f"wave{w}_max"] = mw["max"]
        mem[f"wave{w}_reaped"] = await settle(sampler, f"reaped{w}", 3.0)
    return one, many, mem


# ---------------------------------------------------------------- the baseline
def export_tree(rev: str) -> Path:
    """The repository at ``rev`` (``git archive``) in a new temporary directory; a
    directory given instead is used as it is (a tree prepared by hand)."""
    import subprocess

    if Path(rev).is_dir():
        return Path(rev).resolve()
    out = Path(tempfile.mkdtemp(prefix=f"bench-load-{rev[:12]}-"))
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def start_tree(root: Path, env: dict[str, str], log: Path, timeout_s: float = 90.0) -> tuple[Any, str]:
    """``streamlit run dashboard/app.py`` of the tree at ``root`` (its own package, its own
    config), started and waited for as :func:`tests.appserver.start_app` does for this one."""
    return start_app({**env, "PYTHONPATH": str(root)}, timeout_s=timeout_s, log=log, root=root)


def p95(rec: Record, kinds: tuple[str, ...]) -> tuple[float, float, int]:
    """(p50, p95, n) of the latencies of ``kinds`` in ``rec``, s (NaN when none)."""
    xs = [r.latency_s for r in rec.results if r.kind in kinds]
    if not xs:
        return float("nan"), float("nan"), 0
    a, b = np.percentile(xs, [50, 95])
    return float(a), float(b), len(xs)


def baseline_rows(info: dict[str, Any]) -> list[str]:
    """This tree against the baseline, same run: brief and rerun latency, memory."""
    base = info["baseline"]
    n = info["sessions"]
    rows = [f"## Against the baseline `{base['rev']}`, in the same run", "",
            f"The same phases on a second server started from `{base['rev']}` (a git revision, "
            "exported, or a directory) "
            "(after this tree's, on the same machine); p50 / p95 in seconds (n), ratio = this tree / "
            "baseline.", "",
            "| | this tree | baseline | ratio (p95) |", "|---|---:|---:|---:|"]
    for label, key, kinds in (("brief, 1 session", "one", ("brief",)),
                              (f"brief, {n} sessions", "many", ("brief",)),
                              ("every rerun, 1 session", "one", RERUN_KINDS),
                              (f"every rerun, {n} sessions", "many", RERUN_KINDS),
                              (f"page load, {n} sessions", "many", ("load",))):
        a, b = p95(info[key], kinds), p95(base[key], kinds)
        ratio = f"{a[1] / b[1]:.2f}" if a[2] and b[2] and b[1] > 0 else "–"
        rows.append(f"| {label} | {a[0]:.2f} / **{a[1]:.2f}** ({a[2]}) | {b[0]:.2f} / {b[1]:.2f} ({b[2]}) "
                    f"| {ratio} |")
    ma, mb = info["mem"], base["mem"]
    rows.append(f"| RSS max, {n} sessions (server and its workers) | {ma['max']:.0f} MB | "
                f"{mb['max']:.0f} MB | {ma['max'] / mb['max']:.2f} |")
    rows.append(f"| errors ({n} sessions + 1 session) | {len(info['many'].errors) + len(info['one'].errors)} | "
                f"{len(base['many'].errors) + len(base['one'].errors)} | |")
    return [*rows, ""]


def measure_baseline(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Steps 1-3 again on a server of the tree at ``args.baseline``."""
    root = export_tree(args.baseline)
    log = Path(tempfile.mkdtemp(prefix="bench-load-log-")) / "baseline.log"
    say(f"starting the baseline's server ({args.baseline}, {root})")
    proc, url = start_tree(root, {**env, "DASHBOARD_DATA_DIR": tempfile.mkdtemp(prefix="bench-load-")}, log)
    sampler = RssSampler(proc.pid)
    sampler.start()
    try:
        one, many, mem = asyncio.run(measure(url, sampler, args))
    finally:
        sampler.stop()
        stop_app(proc)
    many.errors += [f"server log: {ln[:200]}" for ln in log.read_text(errors="replace").splitlines()
                    if "Traceback" in ln or " ERROR " in ln or "Exception" in ln]
    return {"rev": args.baseline, "one": one, "many": many, "mem": mem}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--single-seconds", type=float, default=12.0,
                    help="the one-session run's length, s")
    ap.add_argument("--think-min", type=float, default=2.0, help="think time, s")
    ap.add_argument("--think-max", type=float, default=6.0)
    ap.add_argument("--ttl", type=int, default=6,
                    help="server.disconnectedSessionTTL for this run, s")
    ap.add_argument("--waves", type=int, default=1,
                    help="runs of the sessions in all (each after the last was reaped)")
    ap.add_argument("--wave-seconds", type=float, default=20.0, help="length of waves 2.., s")
    ap.add_argument("--browsers", type=int, default=2, help="Chromium contexts (0: none)")
    ap.add_argument("--quick", action="store_true", help="4 sessions, 15 s, 1 browser")
    ap.add_argument("--baseline", metavar="REV", default=None,
                    help="also measure the app at this git revision (or in this directory), in the same run")
    ap.add_argument("--tree", metavar="DIR", default=None,
                    help="measure the app in this directory instead of this checkout")
    ap.add_argument("--json", metavar="FILE", default=None,
                    help="also write the latencies (s) of every rerun and brief, alone and under "
                         "load, and the most RSS (MB), as JSON (benchmarks/speed_targets.py reads it)")
    args = ap.parse_args(argv)
    if args.quick:
        args.sessions, args.seconds, args.single_seconds = 4, 15.0, 8.0
        args.ttl, args.browsers = 5, min(args.browsers, 1)
    t0 = time.perf_counter()
    info: dict[str, Any] = {**machine(), "argv": " ".join(sys.argv[1:] if argv is None else argv).strip(),
                            "sessions": args.sessions, "seconds": args.seconds,
                            "single_seconds": args.single_seconds, "ttl": args.ttl,
                            "think": (args.think_min, args.think_max), "waves": args.waves,
                            "wave_seconds": args.wave_seconds}
    env = {"DASHBOARD_DATA_DIR": tempfile.mkdtemp(prefix="bench-load-"),
           "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.ttl)}
    log = Path(tempfile.mkdtemp(prefix="bench-load-log-")) / "server.log"
    say("starting the server")
    proc, url = start_tree(Path(args.tree), env, log) if args.tree else start_app(env, timeout_s=90, log=log)
    sampler = RssSampler(proc.pid)
    sampler.start()
    try:
        if args.browsers:  # first: it also warms the server up
            say("browser check")
            try:
                info["browser"] = browser_check(url, args.browsers)
            except Exception as exc:
                info["browser"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        info["one"], info["many"], info["mem"] = asyncio.run(measure(url, sampler, args))
    finally:
        sampler.stop()
        stop_app(proc)
    logged = [ln for ln in log.read_text(errors="replace").splitlines()
              if "Traceback" in ln or " ERROR " in ln or "Exception" in ln]
    info["many"].errors += [f"server log: {ln[:200]}" for ln in logged]
    if args.baseline:
        try:
            info["baseline"] = measure_baseline(args, env)
        except Exception as exc:  # this tree's figures are still written
            info["baseline_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    say("session state (AppTest)")
    info["footprint"] = state_footprint()
    info["load_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    info["wall_s"] = time.perf_counter() - t0
    print(write(info))
    print(f"server log: {log}")
    if args.json:
        Path(args.json).write_text(json.dumps(latencies(info)), encoding="utf-8")
    failed = info["many"].errors or info["one"].errors or "error" in info.get("browser", {}) \
        or not all(info.get("browser", {}).get("same", {}).values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
