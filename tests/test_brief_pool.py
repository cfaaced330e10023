"""The brief drawn fast and elsewhere, with the same bytes.

- :mod:`dashboard.render.brief.textcache`: a brief drawn with warm text tables is
  byte-identical to one drawn cold and to one drawn by matplotlib's own renderer, in
  PNG, PDF and SVG; text at any sub-pixel position and angle rasterises the same; the
  tables stay within their bounds.
- :mod:`dashboard.render.brief_pool`: a worker process gives the bytes the app's own
  process would; equal briefs are drawn once and different ones are not confused; no
  processes -> drawn in the calling thread; a timeout, a stopped worker or a worker's
  error is one line; bad input is one line.
"""
from __future__ import annotations

import io
import multiprocessing
import os
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from test_brief import make_scene

from dashboard.data.limits import BRIEF_WORKER_NICE
from dashboard.geo.errors import InputError
from dashboard.render import brief_pool
from dashboard.render.brief import render_brief, textcache
from dashboard.render.brief.textcache import BriefCanvas, Lru
from dashboard.render.brief_pool import BriefError, BriefPool, BriefTicket

GENERATED = datetime(2022, 11, 15, 16, 0, tzinfo=UTC)


def _brief(fmt: str, scene=None, **kw) -> bytes:
    buf = io.BytesIO()
    render_brief(scene or make_scene(), buf, fmt, "slide", marking="UNCLASSIFIED", generated_at=GENERATED, **kw)
    return buf.getvalue()


# ---------------------------------------------------------------- text tables

@pytest.mark.parametrize("fmt", ["png", "pdf", "svg"])
def test_warm_text_tables_give_the_bytes_of_a_cold_and_a_stock_brief(fmt):
    with textcache.stock_text():
        stock = _brief(fmt)
    textcache.clear()
    cold = _brief(fmt)
    warm = _brief(fmt)
    assert cold == stock
    assert warm == cold
    if fmt == "png":  # the tables were used, and used again
        entries = textcache.stats()
        assert entries["metrics"][1] > 0
        if textcache.GLYPHS_REUSABLE:
            assert entries["glyphs"][1] > 0 and entries["runs"][1] > 0


def _text_figure(canvas_cls, texts) -> np.ndarray:
    fig = Figure(figsize=(4, 3), dpi=100, facecolor="white")
    canvas = canvas_cls(fig)
    for x, y, angle, s, size, halo in texts:
        t = fig.text(x, y, s, rotation=angle, fontsize=size, family="DejaVu Sans")
        if halo:
            from matplotlib import patheffects
            t.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="white")])
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_text_at_any_sub_pixel_position_and_angle_rasterises_as_matplotlib_does():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    rng = np.random.default_rng(3)
    texts = [(float(rng.uniform(0.05, 0.8)), float(rng.uniform(0.05, 0.9)), float(rng.choice([0, 0, 30, 90, -12.5])),
              str(rng.choice(["Przewodów", "Lviv", "Hrubieszów · 2022-11-15", "75 km", "ŁÓDŹ"])),
              float(rng.choice([7.3, 9.0, 11.5])), bool(rng.integers(2)))
             for _ in range(60)]
    stock = _text_figure(FigureCanvasAgg, texts)
    textcache.clear()
    cold = _text_figure(BriefCanvas, texts)
    warm = _text_figure(BriefCanvas, texts)
    shifted = [(x + 0.0007, y - 0.0013, a, s, z, h) for x, y, a, s, z, h in texts]  # new sub-pixel phases
    assert np.array_equal(cold, stock)
    assert np.array_equal(warm, stock)
    assert np.array_equal(_text_figure(BriefCanvas, shifted), _text_figure(FigureCanvasAgg, shifted))


def test_text_tables_are_bounded(monkeypatch):
    small = Lru(5)
    for i in range(50):
        assert small.get(i, lambda i=i: i * 2) == i * 2
    assert len(small) == 5 and 49 in small and 0 not in small
    monkeypatch.setattr(textcache, "_GLYPHS", Lru(40))
    monkeypatch.setattr(textcache, "_METRICS", Lru(10))
    _brief("png")
    assert len(textcache._GLYPHS) == 40 and len(textcache._METRICS) == 10


# ---------------------------------------------------------------- the pool

@pytest.fixture(scope="module")
def pool():
    p = BriefPool(1)
    yield p
    p.shutdown()


def _wait(p: BriefPool, ticket: BriefTicket) -> bytes:
    while (data := p.wait(ticket, 0.2)) is None:
        pass
    return data


@pytest.mark.slow  # starts a worker process
def test_a_worker_draws_the_bytes_of_this_process(pool, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668528000")  # carried to the worker with the job
    scene = make_scene()
    for fmt in ("png", "svg"):
        ticket = pool.submit(scene, fmt, "slide", "UNCLASSIFIED")
        got = _wait(pool, ticket)
        buf = io.BytesIO()
        render_brief(scene, buf, fmt, "slide", marking="UNCLASSIFIED")
        assert got == buf.getvalue()
    assert pool.in_thread == 0


@pytest.mark.slow  # starts a worker process
def test_workers_draw_below_the_servers_priority(pool):
    """A worker lowers its CPU priority as it starts, so the server's reruns go first."""
    _wait(pool, pool.submit(make_scene(), "png", "slide", None))
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    workers = [os.getpriority(os.PRIO_PROCESS, c.pid) for c in multiprocessing.active_children()]
    assert workers and all(n == min(19, mine + BRIEF_WORKER_NICE) for n in workers), (mine, workers)
    assert mine == os.getpriority(os.PRIO_PROCESS, 0)  # this process is as it was


@pytest.mark.slow  # starts a worker process
def test_equal_briefs_are_drawn_once_and_different_ones_are_not_confused(pool, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668528000")
    drawn = pool.drawn
    a1 = pool.submit(make_scene(), "png", "slide", None)
    a2 = pool.submit(make_scene(), "png", "slide", None)  # an equal scene, built again
    b = pool.submit(make_scene(units="nm"), "png", "slide", None)
    da1, da2, db = _wait(pool, a1), _wait(pool, a2), _wait(pool, b)
    assert da1 == da2 and da1 != db
    assert pool.drawn == drawn + 2
    again = pool.submit(make_scene(), "png", "slide", None)  # finished: given again at once
    assert again.done == da1 and pool.drawn == drawn + 2
    other_marking = pool.submit(make_scene(), "png", "slide", "SECRET")
    assert _wait(pool, other_marking) != da1


@pytest.mark.slow  # starts a worker process
def test_a_new_minute_draws_the_brief_again(pool, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668528000")
    first = _wait(pool, pool.submit(make_scene(), "png", "slide", None))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1668528000 + 60))
    drawn = pool.drawn
    later = _wait(pool, pool.submit(make_scene(), "png", "slide", None))
    assert pool.drawn == drawn + 1 and later != first  # the footer's generation time moved on


def test_queue_position_counts_the_briefs_ahead():
    p = BriefPool(1)
    futs = [Future() for _ in range(3)]
    for i, f in enumerate(futs):
        p._pending[f"k{i}"] = (i + 1, f)
    mine = BriefTicket("k2", 3, future=futs[2])
    assert p.ahead(mine) == 2
    futs[0].set_result((b"", ""))
    assert p.ahead(mine) == 1
    assert BriefPool(2).ahead(mine) == 0 and p.ahead(BriefTicket("x", 9, done=b"x")) == 0


def test_without_worker_processes_the_brief_is_drawn_in_the_calling_thread(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no processes here")

    monkeypatch.setattr(brief_pool, "ProcessPoolExecutor", refuse)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668528000")
    p = BriefPool(2)
    ticket = p.submit(make_scene(), "png", "slide", None)
    assert ticket.done is not None and p.in_thread == 1
    buf = io.BytesIO()
    render_brief(make_scene(), buf, "png", "slide")
    assert p.wait(ticket, 0.0) == buf.getvalue()
    assert BriefPool(0).submit(make_scene(units="nm"), "png", "slide", None).done is not None


def test_a_broken_pool_is_replaced_then_given_up(monkeypatch):
    class Broken:
        made = 0

        def __init__(self, *args, **kwargs):
            Broken.made += 1

        def submit(self, *args):
            raise BrokenProcessPool("gone")

        def shutdown(self, **kwargs):
            pass

    monkeypatch.setattr(brief_pool, "ProcessPoolExecutor", Broken)
    p = BriefPool(1)
    ticket = p.submit(make_scene(), "png", "slide", None)
    assert ticket.done is not None and Broken.made == 2 and p.in_thread == 1


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_a_slow_brief_is_one_line(monkeypatch):
    monkeypatch.setattr(brief_pool, "BRIEF_TIMEOUT_S", 0.0)
    ticket = BriefTicket("k", 1, future=Future(), started=0.0)
    with pytest.raises(BriefError) as err:
        BriefPool(1).wait(ticket, 0.01)
    assert "not ready within" in _one_line(err.value) and ticket.future.cancelled()


def test_a_stopped_worker_or_its_error_is_one_line():
    broken, failed = Future(), Future()
    broken.set_exception(BrokenProcessPool("A process in the process pool was terminated abruptly"))
    failed.set_exception(RuntimeError("boom\nTraceback (most recent call last):\n  File x"))
    with pytest.raises(BriefError) as err:
        BriefPool(1).wait(BriefTicket("a", 1, future=broken), 1.0)
    assert "worker process stopped" in _one_line(err.value)
    with pytest.raises(BriefError) as err:
        BriefPool(1).wait(BriefTicket("b", 2, future=failed), 1.0)
    assert _one_line(err.value) == "The briefing map could not be drawn (RuntimeError: boom)."


def test_bad_input_is_one_line():
    with pytest.raises(InputError, match="unknown format 'jpg'"):
        BriefPool(0).submit(make_scene(), "jpg", "slide", None)
    with pytest.raises(InputError, match="unknown size 'poster'"):
        BriefPool(0).submit(make_scene(), "png", "poster", None)


def test_the_job_carries_the_basemap_and_the_clock(monkeypatch):
    import pickle

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668528000")
    job = pickle.loads(brief_pool.job_bytes(make_scene(), "png", "slide", " "))
    assert job[1:4] == ("png", "slide", None) and job[5] == "1668528000"
    scene = replace(make_scene(), title="Another title")
    assert brief_pool.job_bytes(scene, "png", "slide", None) != brief_pool.job_bytes(make_scene(), "png", "slide", None)


# ---------------------------------------------------------------- the page

def _brief_page() -> None:
    from test_brief import make_scene

    from dashboard.ui.brief_box import brief_box

    brief_box(make_scene(), "png", "slide", None, "brief.png")


def testwaiting_label_says_how_many_briefs_are_ahead():
    from dashboard.ui.brief_box import waiting_label

    assert waiting_label(2) == "Waiting to draw the briefing map: 2 ahead of it…"
    assert waiting_label(0) == "Drawing the briefing map…"


def test_the_page_waits_in_a_status_line_then_offers_the_file(monkeypatch):
    from streamlit.testing.v1 import AppTest

    fut: Future = Future()
    polls = {"n": 0}

    def wait(ticket, timeout_s):
        polls["n"] += 1
        if polls["n"] == 4:
            fut.set_result((b"\x89PNG made", "2022-11-15 16:00"))
        return fut.result()[0] if fut.done() else None

    monkeypatch.setattr(brief_pool, "submit", lambda *a: BriefTicket("k", 5, future=fut))
    monkeypatch.setattr(brief_pool, "wait", wait)
    monkeypatch.setattr(brief_pool, "ahead", lambda ticket: 0 if fut.done() else 2)
    at = AppTest.from_function(_brief_page, default_timeout=60).run()
    at.button(key="brief_make").click().run()
    assert not at.exception, at.exception
    labels = [s.label for s in at.get("status")]  # the last label of the status line
    assert len(labels) == 1 and labels[0].startswith("Briefing map drawn in")
    assert polls["n"] == 4  # it waited, looking again until the brief was ready
    assert at.session_state["brief_file"][1] == b"\x89PNG made"
    assert any(b.label == "Download briefing map" for b in at.get("download_button"))


def test_the_page_shows_a_failed_brief_in_one_line(monkeypatch):
    from streamlit.testing.v1 import AppTest

    def fail(*args):
        raise BriefError("The briefing map was not ready within 120 s (the server is busy); try again.")

    monkeypatch.setattr(brief_pool, "submit", fail)
    at = AppTest.from_function(_brief_page, default_timeout=60).run()
    at.button(key="brief_make").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "The briefing map was not ready within 120 s (the server is busy); try again."]
    assert not any(b.label == "Download briefing map" for b in at.get("download_button"))


def test_workers_that_cannot_run_here_give_way_to_the_calling_thread(monkeypatch):
    """Pools whose workers stop before drawing anything (MAX_BREAKS in a row): the brief is
    drawn in the calling thread, and so are the next ones."""
    class Dying:
        def __init__(self, *args, **kwargs):
            pass

        def submit(self, *args):
            fut: Future = Future()
            fut.set_exception(BrokenProcessPool("A child process terminated abruptly"))
            return fut

        def shutdown(self, **kwargs):
            pass

    monkeypatch.setattr(brief_pool, "ProcessPoolExecutor", Dying)
    p = BriefPool(1)
    first = p.submit(make_scene(), "png", "slide", None)
    with pytest.raises(BriefError, match="worker process stopped"):
        p.wait(first, 1.0)
    second = p.submit(make_scene(units="nm"), "png", "slide", None)
    assert p.wait(second, 1.0)[:4] == b"\x89PNG" and p.in_thread == 1
    assert p.submit(make_scene(units="mi"), "png", "slide", None).done is not None and p.in_thread == 2


@pytest.mark.slow  # starts a worker process
def test_workers_start_whatever_the_main_module_is(monkeypatch):
    """Under Streamlit, ``__main__`` is the app script, which a new worker must not re-run."""
    import sys
    import types

    main = types.ModuleType("__main__")
    main.__file__ = __file__.replace("test_brief_pool.py", "no_such_app_script.py")  # would fail to re-run
    monkeypatch.setitem(sys.modules, "__main__", main)
    p = BriefPool(1)
    try:
        assert _wait(p, p.submit(make_scene(), "png", "slide", None))[:4] == b"\x89PNG"
        assert p.in_thread == 0 and sys.modules["__main__"] is main
    finally:
        p.shutdown()


def test_a_waiting_page_wakes_when_a_brief_ahead_finishes_not_before():
    import threading
    import time

    p = BriefPool(1)
    first, mine = Future(), Future()
    p._pending.update({"a": (1, first), "b": (2, mine)})
    ticket = BriefTicket("b", 2, future=mine)
    t0 = time.perf_counter()
    assert p.wait(ticket, 0.3) is None and time.perf_counter() - t0 >= 0.25  # no news: it slept
    threading.Timer(0.2, first.set_result, args=((b"", ""),)).start()
    t0 = time.perf_counter()
    assert p.wait(ticket, 60.0) is None and time.perf_counter() - t0 < 30  # woke for the one ahead
    mine.set_result((b"mine", ""))
    assert p.wait(ticket, 60.0) == b"mine"


@pytest.mark.slow  # starts processes
def test_a_worker_ends_with_the_process_that_started_it(tmp_path):
    """A server killed without shutting its pool down (SIGKILL) leaves no brief worker behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = ("import os, sys, time\n"
              "sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
              "from test_brief import make_scene\n"
              "from dashboard.render.brief_pool import BriefPool\n"
              "p = BriefPool(1)\n"
              "t = p.submit(make_scene(), 'png', 'slide', None)\n"
              "while p.wait(t, 0.5) is None: pass\n"
              "print(*[c.pid for c in __import__('multiprocessing').active_children()], flush=True)\n"
              "time.sleep(600)\n")
    tests = os.path.dirname(__file__)
    proc = subprocess.Popen([sys.executable, "-c", script, os.path.dirname(tests), tests],
                            stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(x) for x in proc.stdout.readline().split()]
        assert workers
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 30
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [w for w in workers if os.path.exists(f"/proc/{w}") and
                 Path(f"/proc/{w}/stat").read_text().split()[2] != "Z"]
    assert not alive, f"brief workers {alive} outlived their server"
