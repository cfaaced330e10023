"""A new session's first run: what it sends first, and what it reuses from earlier sessions.

Streamlit sends each element as the script reaches it, so the order of the script is
the order the browser can draw in: the Explore panel's figures go before the map's
element and before the sidebar's widgets.  A visit to ``/`` runs the app once (it opens
``/explore`` before drawing anything).  The figures of a second session come from the
process-wide caches the first one filled, are the same, and follow the incident store:
an incident added shows in the next rerun.  Order and reuse are checked, never timing.
"""
from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from streamlit.runtime.scriptrunner_utils import script_run_context as src
from streamlit.testing.v1 import AppTest

from conftest import APP
from dashboard.analysis import incident_catalogue, report
from dashboard.data.incidents.record import EXAMPLE
from dashboard.geo.cache import clear_all
from dashboard.state import session as appstate
from dashboard.state.warm import warm
from dashboard.ui import sidebar


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[int, ...], str]]:
    """Every element the app's script runs enqueue, in order: (element type, delta path,
    the text of a Markdown element)."""
    log: list[tuple[str, tuple[int, ...], str]] = []
    enqueue = src.ScriptRunContext.enqueue

    def record(self: Any, msg: Any) -> None:
        if msg.HasField("delta") and msg.delta.HasField("new_element"):
            el = msg.delta.new_element
            kind = el.WhichOneof("type")
            log.append((kind, tuple(msg.metadata.delta_path),
                        el.markdown.body if kind == "markdown" else ""))
        enqueue(self, msg)

    monkeypatch.setattr(src.ScriptRunContext, "enqueue", record)
    return log


def first_session() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def panel_figures(at: AppTest) -> tuple[Any, ...]:
    """What the Explore panel shows: the headline metrics and the selection's table."""
    metrics = tuple((m.label, m.value) for m in at.metric)
    return metrics, tuple(m.value for m in at.markdown if m.value.startswith("| to |"))


def map_spec(at: AppTest) -> dict:
    return json.loads(at.get("component_instance")[0].proto.json_args)["spec"]


def test_the_panel_figures_go_before_the_map_and_the_sidebar(sent):
    first_session()
    kinds = [k for k, _, _ in sent]
    assert "table" not in kinds and "arrow_data_frame" not in kinds  # no Arrow code to load
    table = next(i for i, (k, p, text) in enumerate(sent) if text.startswith("| to |"))
    metric = kinds.index("metric")
    the_map = kinds.index("component_instance")
    sidebar_first = next(i for i, (_, p, _) in enumerate(sent) if p[0] == 1)
    assert metric < table < the_map < sidebar_first
    assert sent[table][1][0] == 0  # in the page, not the sidebar
    # the page still draws the whole sidebar, after the page
    assert {"selectbox", "date_input", "radio", "file_uploader"} <= \
        {k for k, p, _ in sent[sidebar_first:] if p[0] == 1}


def test_a_visit_to_the_root_runs_the_app_once(monkeypatch: pytest.MonkeyPatch, sent):
    calls: list[str] = []
    prepare = sidebar.prepare

    def counted(state: Any) -> list[sidebar.Notice]:
        calls.append("prepare")
        return prepare(state)

    monkeypatch.setattr(sidebar, "prepare", counted)
    at = first_session()
    assert calls == ["prepare"]  # the hidden default page switched away before the sidebar
    assert at.metric and any(m.value.startswith("| to |") for m in at.markdown)  # Explore ran
    assert sum(k == "file_uploader" for k, _, _ in sent) == 1


def test_the_app_script_runs_without_a_session():
    """multiprocessing re-runs the parent's main module in a worker (the brief pool's):
    there, without a session, the app must not fail (it has nothing to switch to)."""
    code = f"import runpy; runpy.run_path({APP!r}, run_name='__mp_main__')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_second_session_reuses_the_first_sessions_results():
    one = first_session()
    legs, layer = report._builtin_legs.cache_info(), incident_catalogue._point_layer.cache_info()
    by_id = appstate.incidents_by_id()
    two = first_session()
    assert report._builtin_legs.cache_info().misses == legs.misses  # no distance computed again
    assert report._builtin_legs.cache_info().hits > legs.hits
    assert incident_catalogue._point_layer.cache_info().misses == layer.misses
    assert appstate.incidents_by_id() is by_id  # the same shared catalogue object
    assert panel_figures(two) == panel_figures(one)
    assert map_spec(two) == map_spec(one)


def incidents_blob(at: AppTest) -> str:
    """The content key of the map's incidents layer (its data are sent once, by key)."""
    return next(lyr["data"] for lyr in map_spec(at)["layers"] if lyr["id"] == "incidents")


def test_warming_fills_what_the_first_visit_reads():
    clear_all()  # every memo: the scene's own caches would answer without the catalogue
    took = warm()
    assert set(took) == {"catalogue", "panel", "scene"}
    legs, layer = report._builtin_legs.cache_info(), incident_catalogue._point_layer.cache_info()
    assert legs.currsize and layer.currsize
    first_session()
    assert report._builtin_legs.cache_info().misses == legs.misses
    assert incident_catalogue._point_layer.cache_info().misses == layer.misses


@pytest.fixture
def data_dir(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A private incident store (the shipped catalogue only, to begin with)."""
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DASHBOARD_STORE_URL", raising=False)
    incident_catalogue.forget_token()
    assert str(tmp_path) in incident_catalogue.incident_store().where
    yield tmp_path
    incident_catalogue.forget_token()


@pytest.mark.parametrize("writer", ["this process", "another process"])
def test_an_incident_added_shows_in_the_next_rerun(data_dir, monkeypatch, writer: str):
    at = first_session()
    new_id = "2026-11-29-test-first-run"
    assert not at.selectbox(key="incident").options[-1].startswith("2026-11-29")
    blob = incidents_blob(at)
    incident_catalogue.incident_store().add({**EXAMPLE, "id": new_id, "date": "2026-11-29"},
                                            who="local", reason="first-run test")
    if writer == "this process":  # a write here forgets the token at once
        incident_catalogue.forget_token()
    else:  # another process's write is seen once the token's 1 s has passed
        monkeypatch.setattr(incident_catalogue, "TOKEN_TTL_S", 0.0)
    at.run()
    assert not at.exception, at.exception
    assert new_id in appstate.incidents_by_id()
    assert at.selectbox(key="incident").options[-1].startswith("2026-11-29")
    assert incidents_blob(at) != blob  # the map's incidents layer was made again
    assert new_id in incident_catalogue.incident_layer()["id"].tolist()
