"""Briefing maps drawn outside the server's request threads, in a small pool of worker processes.

A brief is about half a second of CPU in matplotlib, which holds Python's GIL:
drawn in the Streamlit server's own process it stalls every other session's
rerun.  :func:`submit` hands it to a worker process instead (at most
:data:`~dashboard.data.limits.BRIEF_WORKERS` of them, and never more than the
machine's cores, each at a lower CPU priority than the server,
:data:`~dashboard.data.limits.BRIEF_WORKER_NICE`, so a session's rerun goes first
and briefs take the cores the server leaves idle); the page waits for it with :func:`wait`, showing
how many briefs are ahead (:func:`ahead`), while the server goes on serving.
Workers live as long as the server, so what they reuse between briefs (the
shaped and rasterised text of :mod:`dashboard.render.brief.textcache`, matplotlib's
fonts, projections) stays warm.

Briefs that would come out the same are drawn once: the job (the scene with its
layers, format, size, marking, the configured basemap) is pickled and hashed,
and a request equal to one being drawn waits for that one; a finished brief is
kept (:data:`KEEP_BRIEFS`) and given again while the generation time it prints
(to the minute, the only thing in the file that changes with the clock) is
still the current one.  Both give exactly the bytes a new drawing would.

Failures are one line, never a traceback (:class:`BriefError`): a brief that
takes longer than :data:`BRIEF_TIMEOUT_S`, a worker that stopped.  Where worker
processes cannot be started (a sandbox without ``fork``, no ``/dev/shm``) the
brief is drawn in the calling thread, as before.  The CLI's ``brief`` draws in
its own process (:func:`dashboard.render.brief.render_brief`).
"""
from __future__ import annotations

import functools
import gc
import hashlib
import io
import itertools
import multiprocessing
import os
import pickle
import sys
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Iterator
from concurrent import futures
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from dashboard.data.limits import BRIEF_WORKER_NICE, BRIEF_WORKERS
from dashboard.geo.errors import InputError
from dashboard.scene.model import Scene

__all__ = ["BRIEF_TIMEOUT_S", "KEEP_BRIEFS", "MAX_BREAKS", "BriefError", "BriefPool", "BriefTicket", "ahead",
           "draw_job", "job_bytes", "lower_priority", "plain_main", "shared_pool", "submit", "wait", "worker_count"]

#: Longest wait for one brief, s (queue and drawing); then a one-line "try again".
BRIEF_TIMEOUT_S: float = 120.0
#: Finished briefs kept for requests equal to them (within the minute they print).
KEEP_BRIEFS: int = 16
#: Worker pools that may break in a row (no brief finished between) before briefs are
#: drawn in the server's own threads.
MAX_BREAKS: int = 2


class BriefError(InputError):
    """A brief that could not be made, in one line (timed out, its worker stopped)."""


def worker_count(limit: int = BRIEF_WORKERS, cores: int | None = None) -> int:
    """Worker processes for ``limit`` on ``cores`` cores: at most the cores, at least one.
    (The workers run at a lower priority, :func:`lower_priority`, so the server's reruns
    still go first on every core.)

    >>> worker_count(2, 2), worker_count(2, 8), worker_count(4, 1), worker_count(0, 4)
    (2, 2, 1, 1)
    """
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return max(1, min(limit, cores))


def lower_priority(increment: int = BRIEF_WORKER_NICE) -> int:
    """Lower this process's CPU priority by ``increment`` (``nice``); the new niceness.
    Where it cannot be lowered (no ``os.nice``, a sandbox) the process runs as it is."""
    try:
        return os.nice(increment)
    except (AttributeError, OSError):
        return os.nice(0) if hasattr(os, "nice") else 0


def _minute(when: datetime) -> str:
    """The generation time as the brief prints it (to the minute)."""
    return f"{when:%Y-%m-%d %H:%M}"


def job_bytes(scene: Scene, fmt: str, size: str, marking: str | None) -> bytes:
    """The brief's job as bytes: what a worker draws, and what equal briefs are known by.

    It carries what the brief depends on beyond the scene and this process holds: the
    configured basemap (the sidebar's choice lives in the server's process) and
    ``SOURCE_DATE_EPOCH``.  Raises :class:`~dashboard.geo.errors.InputError` for an
    unknown format or size.
    """
    from dashboard.io.basemap import configured_basemap, to_json
    from dashboard.render.brief import FORMATS, PAGE_SIZES

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if size not in PAGE_SIZES:
        raise InputError(f"unknown size {size!r}; use one of {', '.join(PAGE_SIZES)}")
    bm = configured_basemap()
    basemap = (bm.source, bm.attribution, to_json(bm), bm.token) if bm is not None else None
    return pickle.dumps((scene, fmt, size, (marking or "").strip() or None, basemap,
                         os.environ.get("SOURCE_DATE_EPOCH")), protocol=pickle.HIGHEST_PROTOCOL)


def draw_job(job: bytes) -> tuple[bytes, str]:
    """Draw a job of :func:`job_bytes`: the file's bytes and the minute it was generated."""
    from dashboard.io.basemap import check_source
    from dashboard.render.brief import render_brief

    scene, fmt, size, marking, basemap, epoch = pickle.loads(job)
    bm = check_source(basemap[0], basemap[1]) if basemap is not None else None
    before = os.environ.get("SOURCE_DATE_EPOCH")
    _set_env("SOURCE_DATE_EPOCH", epoch)  # as where the brief was asked for
    try:
        buf = io.BytesIO()
        layout = render_brief(scene, buf, fmt=fmt, size=size, marking=marking, basemap=bm)
    finally:
        _set_env("SOURCE_DATE_EPOCH", before)
    return buf.getvalue(), _minute(layout.generated_at)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _worker_start() -> None:
    """In a new worker: run below the server's priority, end with the process that
    started it (a server killed without shutting its pool down leaves no worker behind),
    load the brief's modules, then keep the loaded objects out of the garbage
    collector's full passes."""
    lower_priority()
    parent = multiprocessing.parent_process()
    if parent is not None:
        def watch() -> None:
            parent.join()  # returns when the parent has gone
            os._exit(0)

        threading.Thread(target=watch, name="brief-worker-parent", daemon=True).start()
    import matplotlib

    matplotlib.use("Agg")
    import dashboard.render.brief  # noqa: F401

    gc.freeze()


_PLAIN_MAIN = types.ModuleType("__main__")  # no __file__, no __spec__: nothing to re-run
_MAIN_LOCK = threading.Lock()


@contextmanager
def plain_main() -> Iterator[None]:
    """While worker processes start: ``__main__`` is an empty module.

    multiprocessing re-runs the parent's ``__main__`` in every new worker (``spawn`` and
    ``forkserver``); in the Streamlit server that is the last app script run (Streamlit
    sets ``sys.modules["__main__"]`` to it), which fails outside a session and stops the
    worker.  An empty main is not re-run.
    """
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = _PLAIN_MAIN
        try:
            yield
        finally:
            if sys.modules.get("__main__") is _PLAIN_MAIN and main is not None:
                sys.modules["__main__"] = main


@dataclass
class BriefTicket:
    """One requested brief: its key (the job's hash), its place in line, and its future.

    ``done`` holds the bytes when they were known at once (an equal brief of this minute).
    """

    key: str
    seq: int
    future: Future | None = None
    done: bytes | None = None
    job: bytes | None = field(default=None, repr=False)
    generation: int = 0
    started: float = field(default_factory=time.perf_counter)


class BriefPool:
    """Worker processes drawing briefs, equal requests drawn once, the last briefs kept.

    ``workers`` worker processes (0: draw in the calling thread).  Thread-safe:
    every session's script thread submits and waits here.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._failed = workers <= 0  # processes cannot be started: draw in-thread
        self._pending: dict[str, tuple[int, Future]] = {}
        self._kept: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._seq = itertools.count(1)
        self.drawn = 0  # briefs drawn (by a worker or in-thread)
        self.reused = 0  # requests answered by an equal brief (drawn or being drawn)
        self.in_thread = 0  # briefs drawn in the calling thread (no worker processes)
        self._breaks = 0  # worker pools broken since a worker last finished a brief
        self._generation = 0  # which worker pool: one more each time a broken one is dropped

    # ---------------------------------------------------------------- the processes
    def _pool(self) -> ProcessPoolExecutor | None:
        """The executor, started on first use; None when processes cannot be started."""
        if self._executor is None and not self._failed:
            try:
                # spawn: a fresh interpreter per worker, a direct child of this process (fork
                # would copy the server's threads and locks; a forkserver outlives a killed server)
                ctx = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_start)
            except (OSError, ValueError, NotImplementedError, ImportError):
                self._failed = True
        return self._executor

    def _reset(self) -> None:
        """Drop a broken executor: the next brief starts new workers."""
        with self._lock:
            ex, self._executor = self._executor, None
            self._generation += 1
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        """Stop the workers (tests; the server's workers end with it)."""
        self._reset()

    # ---------------------------------------------------------------- briefs
    def submit(self, scene: Scene, fmt: str, size: str, marking: str | None) -> BriefTicket:
        """Ask for a brief; returns at once (see :meth:`wait`).

        Raises :class:`~dashboard.geo.errors.InputError` for an unknown format or size.
        """
        from dashboard.render.brief import generation_time

        job = job_bytes(scene, fmt, size, marking)
        key = hashlib.sha256(job).hexdigest()
        now = _minute(generation_time(None))
        with self._lock:
            kept = self._kept.get((key, now))
            if kept is not None:
                self._kept.move_to_end((key, now))
                self.reused += 1
                return BriefTicket(key, next(self._seq), done=kept)
            pending = self._pending.get(key)
            if pending is not None:
                self.reused += 1
                return BriefTicket(key, pending[0], future=pending[1], job=job, generation=self._generation)
        fut = self._submit(job)
        if fut is None:
            return self._in_thread(key, job)
        with self._lock:
            seq = next(self._seq)
            self._pending[key] = (seq, fut)
        fut.add_done_callback(functools.partial(self._finished, key))
        return BriefTicket(key, seq, future=fut, job=job, generation=self._generation)

    def _submit(self, job: bytes) -> Future | None:
        """``job`` handed to a worker; a broken pool is replaced once; None: no processes."""
        for _ in range(2):
            ex = self._pool()
            if ex is None:
                return None
            try:
                with plain_main():  # the first submit starts the workers
                    return ex.submit(draw_job, job)
            except (BrokenProcessPool, RuntimeError, OSError):
                self._reset()
        self._failed = True  # processes cannot be started here: draw in-thread from now on
        return None

    def _in_thread(self, key: str, job: bytes) -> BriefTicket:
        """Draw ``job`` here (no worker processes) and keep it."""
        data, minute = draw_job(job)
        with self._lock:
            self.drawn += 1
            self.in_thread += 1
            self._keep(key, minute, data)
        return BriefTicket(key, next(self._seq), done=data)

    def _keep(self, key: str, minute: str, data: bytes) -> None:
        self._kept[(key, minute)] = data
        self._kept.move_to_end((key, minute))
        while len(self._kept) > KEEP_BRIEFS:
            self._kept.popitem(last=False)

    def _finished(self, key: str, fut: Future) -> None:
        """A worker's brief is done: keep it, and it is no longer pending."""
        with self._lock:
            if self._pending.get(key, (0, None))[1] is fut:
                del self._pending[key]
            if not fut.cancelled() and fut.exception() is None:
                data, minute = fut.result()
                self.drawn += 1
                self._breaks = 0
                self._keep(key, minute, data)

    def _broken(self, ticket: BriefTicket) -> None:
        """A worker stopped: start new ones next time; after :data:`MAX_BREAKS` pools in a
        row without a finished brief, draw in-thread from now on."""
        with self._lock:
            if ticket.generation != self._generation:
                return  # that pool was counted and replaced already
            self._breaks += 1
            if self._breaks >= MAX_BREAKS:
                self._failed = True
        self._reset()

    def ahead(self, ticket: BriefTicket) -> int:
        """Briefs that must finish before ``ticket``'s is drawn: those asked for before it and
        not finished, less the other workers (0 once it is being drawn)."""
        if ticket.done is not None:
            return 0
        with self._lock:
            before = sum(1 for seq, f in self._pending.values() if seq < ticket.seq and not f.done())
        return max(0, before - max(self.workers - 1, 0))

    def wait(self, ticket: BriefTicket, timeout_s: float) -> bytes | None:
        """The brief's bytes; or None when, within ``timeout_s``, it was not ready but a
        brief ahead of it finished (its place in line moved) or the time passed.

        The thread sleeps until one of those happens: a page waiting for its brief wakes
        the server's other threads (and their GIL) only when there is news.  Raises
        :class:`BriefError` (one line) when it failed, or when it has taken longer than
        :data:`BRIEF_TIMEOUT_S` since it was asked for.
        """
        if ticket.done is not None:
            return ticket.done
        assert ticket.future is not None
        with self._lock:
            ahead = [f for seq, f in self._pending.values() if seq < ticket.seq and f is not ticket.future]
        futures.wait([ticket.future, *ahead], timeout=timeout_s, return_when=futures.FIRST_COMPLETED)
        try:
            return ticket.future.result(timeout=0)[0]
        except FutureTimeout:
            if time.perf_counter() - ticket.started > BRIEF_TIMEOUT_S:
                ticket.future.cancel()
                raise BriefError(f"The briefing map was not ready within {BRIEF_TIMEOUT_S:.0f} s "
                                 "(the server is busy); try again.") from None
            return None
        except InputError:
            raise
        except BrokenProcessPool:
            self._broken(ticket)
            if self._failed and ticket.job is not None:  # workers cannot run here: draw it here
                return self._in_thread(ticket.key, ticket.job).done
            raise BriefError("The briefing map could not be drawn: its worker process stopped; "
                             "try again.") from None
        except Exception as exc:  # a worker's error arrives here: one line, no traceback
            first = (str(exc).strip().splitlines() or [""])[0][:200]
            raise BriefError(f"The briefing map could not be drawn ({type(exc).__name__}"
                             f"{': ' + first if first else ''}).") from None


_SHARED: BriefPool | None = None
_SHARED_LOCK = threading.Lock()


def shared_pool() -> BriefPool:
    """This process's pool (:func:`worker_count` workers), made on first use."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = BriefPool(worker_count())
        return _SHARED


def submit(scene: Scene, fmt: str, size: str, marking: str | None) -> BriefTicket:
    """:meth:`BriefPool.submit` on :func:`shared_pool`."""
    return shared_pool().submit(scene, fmt, size, marking)


def ahead(ticket: BriefTicket) -> int:
    """:meth:`BriefPool.ahead` on :func:`shared_pool`."""
    return shared_pool().ahead(ticket)


def wait(ticket: BriefTicket, timeout_s: float) -> bytes | None:
    """:meth:`BriefPool.wait` on :func:`shared_pool`."""
    return shared_pool().wait(ticket, timeout_s)
