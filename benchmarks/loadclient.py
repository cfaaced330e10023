"""A client of Streamlit's own websocket protocol: one browser tab without the browser.

Used by :mod:`benchmarks.bench_load` to hold many concurrent sessions of the
real app (``streamlit run dashboard/app.py``) on a 2-core machine, where 20
Chromium tabs drawing software-WebGL maps would measure the browser, not the
server.  It speaks what the browser speaks (recorded from Chromium against
Streamlit 1.67):

* ``GET /_stcore/health`` for the XSRF cookie, then the websocket
  ``/_stcore/stream`` (subprotocol ``streamlit``, the XSRF token second);
* ``BackMsg.rerun_script`` with a ``ClientState``: the page's script hash and the
  widget states (:class:`WidgetState` protos), ids as the server named them in
  the deltas it sent (``$$ID-<hash>-<key>``);
* uploads: ``BackMsg.file_urls_request`` -> ``ForwardMsg.file_urls_response``,
  ``PUT`` the file (multipart) to the upload URL with the ``X-Xsrftoken``
  header, then a rerun with the uploader's ``file_uploader_state_value``;
* downloads: the download button's media URL -> ``GET``.

Like the browser, it remembers the value it last sent for each widget and
sends the values of the widgets on the page with every rerun; a widget the
server re-creates or sets (``set_value``) is forgotten, as the browser takes
the server's value then.  It does not send ``cached_message_hashes``: the
server sends every message in full (a browser gets references to messages it
cached; the server does the same work either way).

Also here: :class:`RssSampler` (a server's resident memory over time) and
:func:`record_page_runs` (the same digest of each run, read from a real
browser's websocket with Playwright, to show both clients get the same pages).

Every error is recorded: exception elements (Streamlit's tracebacks),
``st.error`` alerts, websocket drops and HTTP errors.  Times are seconds
(``time.perf_counter``).
"""
from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from benchmarks.common import descendants

#: Element types that carry text worth comparing between clients (small: never cached).
DIGEST_TYPES = ("heading", "metric", "alert", "exception", "markdown")
#: Longest markdown kept in a digest, characters (captions and short texts).
DIGEST_MARKDOWN_CHARS = 300
#: Longest wait for one rerun or one HTTP answer, s.
TIMEOUT_S = 120.0


class ProtocolError(Exception):
    """The server answered something a browser would not accept (or nothing)."""


@dataclass
class RunResult:
    """One action: its kind, latency (s), messages and bytes received, errors seen."""

    kind: str
    latency_s: float
    messages: int = 0
    bytes_in: int = 0
    errors: list[str] = field(default_factory=list)
    digest: list[str] = field(default_factory=list)
    runs: int = 0  # script runs finished (a page switch makes two)


def _element_text(kind: str, proto: Any) -> str:
    """A one-line digest of a small element (heading, metric, alert, exception)."""
    if kind == "heading":
        return f"heading: {proto.body}"
    if kind == "metric":
        return f"metric: {proto.label} = {proto.body}"
    if kind == "alert":
        return f"alert[{proto.format}]: {proto.body}"
    if kind == "markdown":
        return f"markdown: {proto.body}"
    return f"exception: {proto.type}: {proto.message}"


def digest_of(element: Any) -> str | None:
    """The digest line of a new element, or None when it is not one :data:`DIGEST_TYPES`
    keeps (long markdown, e.g. the page's CSS, is left out)."""
    kind = element.WhichOneof("type")
    if kind not in DIGEST_TYPES:
        return None
    proto = getattr(element, kind)
    if kind == "markdown" and len(proto.body) > DIGEST_MARKDOWN_CHARS:
        return None
    return _element_text(kind, proto)


def widget_key(widget_id: str) -> str:
    """The user key in a widget id: ``$$ID-<hash>-units`` -> ``units``.

    >>> widget_key("$$ID-4b5ea0cd75151c8c41ddf2906fe3adb6-rings_text_km")
    'rings_text_km'
    """
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") else widget_id


class Session:
    """One session of the app over its websocket (use :meth:`open`, then actions)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.ws: Any = None
        self.session_id = ""
        self.page_hash = ""
        self.elements: dict[str, tuple[str, Any]] = {}   # key -> (element type, proto)
        self.values: dict[str, WidgetState] = {}          # widget id -> last value sent
        self._live: set[str] = set()                      # widget ids of the last run
        self._run_ids: set[str] = set()
        self._reader: asyncio.Task | None = None
        self._done: asyncio.Event = asyncio.Event()
        self._replies: dict[str, asyncio.Future] = {}
        self._current = RunResult("", 0.0)
        self.closed_error: str | None = None
        self.map_seq = random.randrange(10**14, 10**15)
        self.map_events: list[dict[str, Any]] = []

    # ------------------------------------------------------------ connection
    async def open(self, path: str = "/") -> RunResult:
        """Connect and run the app as a browser opening ``path`` does (s to the page drawn)."""
        t0 = time.perf_counter()
        r = await asyncio.to_thread(self.http.get, self.base_url + "/_stcore/health",
                                    timeout=TIMEOUT_S)
        r.raise_for_status()
        xsrf = self.http.cookies.get("_streamlit_xsrf", "")
        ws_url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"Cookie": f"_streamlit_xsrf={xsrf}"} if xsrf else {}
        self.ws = await websockets.connect(
            ws_url, subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            additional_headers=headers, max_size=2**28, origin=self.base_url)
        self._reader = asyncio.create_task(self._read())
        cs = BackMsg()
        cs.rerun_script.query_string = ""
        cs.rerun_script.context_info.timezone = "UTC"
        cs.rerun_script.context_info.locale = "en-US"
        cs.rerun_script.context_info.url = self.base_url + path
        res = await self._send_and_wait("load", cs, t0)
        return res

    async def close(self) -> None:
        """Close the websocket (the server keeps the session for its TTL)."""
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        self.http.close()

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._current.messages += 1
                self._current.bytes_in += len(data)
                self._on_message(msg)
        except websockets.ConnectionClosed as exc:
            if exc.rcvd is None or exc.rcvd.code != 1000:
                self.closed_error = f"websocket dropped: {exc}"
        except Exception as exc:
            self.closed_error = f"websocket reader failed: {type(exc).__name__}: {exc}"
        finally:
            self._done.set()
            for fut in self._replies.values():
                if not fut.done():
                    fut.set_exception(ProtocolError(self.closed_error or "websocket closed"))

    def _on_message(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash
            if msg.new_session.initialize.session_id:
                self.session_id = msg.new_session.initialize.session_id
            self._run_ids = set()
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._on_element(msg.delta.new_element)
        elif kind == "script_finished":
            status = msg.script_finished
            self._current.runs += 1
            if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self._current.errors.append("script compile error")
                self._live = set(self._run_ids)
                self.values = {k: v for k, v in self.values.items() if k in self._live}
                self._done.set()
        elif kind == "file_urls_response":
            self._resolve(msg.file_urls_response.response_id, msg.file_urls_response)
        elif kind == "backend_operation_response":
            self._resolve(msg.backend_operation_response.request_id,
                          msg.backend_operation_response)

    def _on_element(self, element: Any) -> None:
        kind = element.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(element, kind)
        text = digest_of(element)
        if text is not None:
            self._current.digest.append(text)
            if kind == "exception" or (kind == "alert" and proto.format == 1):  # 1: ERROR
                self._current.errors.append(text[:300])
        wid = getattr(proto, "id", "") if hasattr(proto, "id") else ""
        if wid:
            self._run_ids.add(wid)
            self.elements[widget_key(wid)] = (kind, proto)
            if getattr(proto, "set_value", False):
                self.values.pop(wid, None)  # the server set it: the browser takes its value

    def _resolve(self, request_id: str, payload: Any) -> None:
        fut = self._replies.pop(request_id, None)
        if fut is not None and not fut.done():
            fut.set_result(payload)

    # ------------------------------------------------------------ reruns
    def widget_id(self, key: str) -> str:
        """The id of the widget with user key ``key`` on the page (KeyError if absent)."""
        return self.elements[key][1].id

    def element(self, key: str) -> Any:
        """The last proto the server sent for the widget with user key ``key``."""
        return self.elements[key][1]

    async def _send_and_wait(self, kind: str, msg: BackMsg, t0: float | None = None,
                             ) -> RunResult:
        if self.closed_error:
            raise ProtocolError(self.closed_error)
        self._current = RunResult(kind, 0.0)
        self._done = asyncio.Event()
        t0 = time.perf_counter() if t0 is None else t0
        await self.ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._done.wait(), TIMEOUT_S)
        except TimeoutError:
            self._current.errors.append(f"{kind}: no script_finished within {TIMEOUT_S:.0f} s")
        if self.closed_error:
            self._current.errors.append(self.closed_error)
        self._current.latency_s = time.perf_counter() - t0
        return self._current

    async def rerun(self, kind: str, changes: Iterable[WidgetState] = ()) -> RunResult:
        """Send a rerun with the widgets' values (``changes`` on top); wait for the run.

        Trigger values (buttons) go once; other values are remembered.
        """
        triggers = []
        for ws in changes:
            if ws.WhichOneof("value") == "trigger_value":
                triggers.append(ws)
            else:
                self.values[ws.id] = ws
        msg = BackMsg()
        rs = msg.rerun_script
        rs.page_script_hash = self.page_hash
        rs.context_info.timezone = "UTC"
        rs.context_info.locale = "en-US"
        rs.context_info.url = self.base_url + "/explore"
        for ws in [*self.values.values(), *triggers]:
            rs.widget_states.widgets.add().CopyFrom(ws)
        return await self._send_and_wait(kind, msg)

    # ------------------------------------------------------------ widgets
    def state_of(self, key: str, **value: Any) -> WidgetState:
        """A WidgetState for the widget keyed ``key``: ``string_value="km"`` etc."""
        ws = WidgetState(id=self.widget_id(key))
        (name, v), = value.items()
        if name == "string_array_value":
            ws.string_array_value.data.extend(v)
        else:
            setattr(ws, name, v)
        return ws

    def map_value(self, key: str, event: dict[str, Any]) -> WidgetState:
        """The map component's value after ``event`` (its last 20 events, as the
        frontend keeps them: ``{"seq": n, "events": [...]}``)."""
        self.map_seq += 1
        self.map_events = [*self.map_events, {"seq": self.map_seq, **event}][-20:]
        value = {"seq": self.map_seq, "events": self.map_events}
        return WidgetState(id=self.widget_id(key), json_value=json.dumps(value))

    # ------------------------------------------------------------ files
    async def _request(self, msg: BackMsg, request_id: str) -> Any:
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._replies[request_id] = fut
        await self.ws.send(msg.SerializeToString())
        return await asyncio.wait_for(fut, TIMEOUT_S)

    async def upload(self, key: str, files: list[tuple[str, bytes]],
                     already: list[Any]) -> RunResult:
        """Upload ``files`` (name, content) to the uploader keyed ``key``, keeping the
        files ``already`` in it (their ``UploadedFileInfo``); then rerun.  The latency
        runs from the first request to the rerun's end."""
        t0 = time.perf_counter()
        msg = BackMsg()
        rid = str(uuid.uuid4())
        msg.file_urls_request.request_id = rid
        msg.file_urls_request.session_id = self.session_id
        msg.file_urls_request.file_names.extend(n for n, _ in files)
        reply = await self._request(msg, rid)
        infos = list(already)
        for (name, data), urls in zip(files, reply.file_urls):
            url = urllib.parse.urljoin(self.base_url + "/", urls.upload_url.lstrip("/"))
            r = await asyncio.to_thread(
                self.http.put, url, files={"file": (name, data, "application/geo+json")},
                headers={"X-Xsrftoken": self.http.cookies.get("_streamlit_xsrf", "")},
                timeout=TIMEOUT_S)
            if r.status_code >= 400:
                raise ProtocolError(f"upload {name}: HTTP {r.status_code} {r.text[:200]}")
            info = WidgetState().file_uploader_state_value.uploaded_file_info.add()
            info.name, info.size, info.file_id = name, len(data), urls.file_id
            info.file_urls.CopyFrom(urls)
            infos.append(info)
        res = await self.set_files(key, infos, kind="upload")
        res.latency_s = time.perf_counter() - t0
        return res

    async def set_files(self, key: str, infos: list[Any], kind: str = "remove upload",
                        ) -> RunResult:
        """Rerun with the uploader keyed ``key`` holding exactly ``infos``."""
        ws = WidgetState(id=self.widget_id(key))
        ws.file_uploader_state_value.SetInParent()
        for info in infos:
            ws.file_uploader_state_value.uploaded_file_info.add().CopyFrom(info)
        return await self.rerun(kind, [ws])

    def uploaded(self, key: str) -> list[Any]:
        """The files the uploader keyed ``key`` holds, as last sent."""
        ws = self.values.get(self.widget_id(key)) if key in self.elements else None
        return [] if ws is None else list(ws.file_uploader_state_value.uploaded_file_info)

    async def download(self, key: str, kind: str = "brief") -> tuple[RunResult, bytes]:
        """Fetch the file of the download button keyed ``key`` (as the browser does)."""
        t0 = time.perf_counter()
        res = RunResult(kind, 0.0)
        try:
            url = urllib.parse.urljoin(self.base_url + "/", self.element(key).url.lstrip("/"))
        except KeyError:
            res.errors.append(f"{kind}: no download button {key!r} on the page")
            return res, b""
        r = await asyncio.to_thread(self.http.get, url, timeout=TIMEOUT_S)
        if r.status_code >= 400:
            res.errors.append(f"{kind}: HTTP {r.status_code} for {url}")
        res.latency_s = time.perf_counter() - t0
        res.bytes_in = len(r.content)
        return res, r.content


# ---------------------------------------------------------------- memory
class RssSampler(threading.Thread):
    """The RSS of a process and its children (MB), every ``period_s``, tagged by phase."""

    def __init__(self, pid: int, period_s: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.period_s = pid, period_s
        self.samples: list[tuple[float, str, float]] = []
        self.phase = "start"
        self._stop = threading.Event()

    def rss_mb(self) -> float:
        try:
            import psutil
        except ImportError:
            return _proc_rss_mb(self.pid)
        try:
            p = psutil.Process(self.pid)
            procs = [p, *p.children(recursive=True)]
            return sum(q.memory_info().rss for q in procs) / 2**20
        except psutil.Error:
            return 0.0

    def run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), self.phase, self.rss_mb()))
            self._stop.wait(self.period_s)

    def stop(self) -> None:
        self._stop.set()

    def of(self, phase: str) -> list[float]:
        return [r for _, p, r in self.samples if p == phase]


def _proc_rss_mb(pid: int) -> float:
    """RSS of ``pid`` and its children from /proc (psutil missing), MB."""
    total = 0.0
    for p in [pid, *descendants(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += next(int(ln.split()[1]) for ln in status.splitlines()
                          if ln.startswith("VmRSS")) / 1024
        except (OSError, StopIteration, ValueError):
            continue
    return total


# ------------------------------------------------------------ a real browser
def record_page_runs(page: Any) -> list[dict[str, Any]]:
    """Record, from a Playwright page's websocket, each script run that finishes: its
    :func:`digest_of` lines and its latency (s from the last rerun sent; None before any).
    The list returned fills as the page runs."""
    runs: list[dict[str, Any]] = []
    cur: dict[str, Any] = {"digest": [], "t0": None}

    def sent(payload: bytes | str) -> None:
        m = BackMsg()
        m.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        if m.WhichOneof("type") == "rerun_script":
            cur["t0"] = time.perf_counter()

    def received(payload: bytes | str) -> None:
        m = ForwardMsg()
        m.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        kind = m.WhichOneof("type")
        if kind == "new_session":
            cur["digest"] = []
        elif kind == "delta" and m.delta.WhichOneof("type") == "new_element":
            text = digest_of(m.delta.new_element)
            if text:
                cur["digest"].append(text)
        elif kind == "script_finished" and m.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
            t0 = cur["t0"]
            runs.append({"digest": list(cur["digest"]),
                         "latency_s": None if t0 is None else time.perf_counter() - t0})

    page.on("websocket", lambda ws: (ws.on("framesent", sent), ws.on("framereceived", received)))
    return runs
