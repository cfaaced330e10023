"""Start the real app with ``streamlit run`` on a free loopback port.

Used by the browser tests and by scripts/screenshot_app.py, so both drive the
app exactly as a user starts it.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository

#: Flags for Debian's Chromium in a sandbox with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-quic", "--disable-default-apps", "--disable-domain-reliability",
    "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(extra_env: dict[str, str] | None = None, script: str = "dashboard/app.py",
              timeout_s: float = 60.0, log: Path | None = None,
              root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run`` on a free loopback port; return (process, base URL).

    Its output goes to ``log`` when given (a long run must not fill a pipe nobody reads).
    ``root``: the checkout it runs in (its script and config; another tree, such as a
    benchmark's baseline, also needs ``PYTHONPATH`` in ``extra_env``).
    """
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", **(extra_env or {}))
    out = log.open("w") if log is not None else subprocess.PIPE
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script,
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = proc.stdout.read().decode(errors="replace") if proc.stdout else f"see {log}"
            raise RuntimeError(f"streamlit exited early:\n{text}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy within {timeout_s:.0f} s")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
