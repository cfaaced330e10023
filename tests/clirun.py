"""``python -m dashboard ...`` run in this process, answering as the subprocess would.

A new interpreter costs 1-10 s of start-up and imports per call; most CLI tests check
what the command prints and its exit status, not the process.  :func:`cli_in_process`
calls :func:`dashboard.cli.main` with what a fresh ``python -m dashboard`` would have
and returns a :class:`subprocess.CompletedProcess` like ``subprocess.run(...,
capture_output=True)``, so a test can switch between the two without changing an
assertion:

- stdout, stderr and stdin are byte streams with text layers, encoded as the child's
  (UTF-8; ``surrogateescape`` on stdout and stdin, ``backslashreplace`` on stderr), so
  ``sys.stdout.buffer`` works and bytes come back as written;
- ``SystemExit`` (argparse, ``--help``) gives its code; an uncaught exception prints its
  traceback on stderr and gives 1, as the interpreter would;
- Python warnings and log records are printed on stderr as in a fresh interpreter
  (default filters; no handlers on the root logger, so ``logging.lastResort``), not
  swallowed by pytest's capture: a test that counts stderr lines still sees them;
- environment variables are set or removed for the call only, and the working
  directory is the repository's (as the subprocess tests ran it);
- stdin is empty unless given.

What this cannot be is a fresh interpreter: module-level caches live on between calls
(the tests that depend on a fresh process, the ``python -m dashboard`` entry, argv
bytes, a blocking FIFO, stay subprocesses: :func:`cli_subprocess`).
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import traceback
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent


def _env_for(env: Mapping[str, str | None] | None) -> dict[str, str]:
    """``os.environ`` with ``env``'s variables set (a value) or removed (None)."""
    out = dict(os.environ)
    for k, v in (env or {}).items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def cli_subprocess(argv: Sequence[str], *, stdin: bytes | None = None,
                   env: Mapping[str, str | None] | None = None, text: bool = False,
                   timeout: float = 120.0) -> subprocess.CompletedProcess:
    """``python -m dashboard *argv`` in a new interpreter (cwd: the repository)."""
    return subprocess.run([sys.executable, "-m", "dashboard", *argv], cwd=ROOT,
                          env=_env_for(env), input=stdin, capture_output=True, text=text,
                          timeout=timeout, check=False)


@contextlib.contextmanager
def _fresh_interpreter_warnings() -> Iterator[None]:
    """Python's default warning filters, shown on the current ``sys.stderr``."""
    with warnings.catch_warnings():
        warnings.resetwarnings()
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                         ResourceWarning):
            warnings.simplefilter("ignore", category)
        warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")

        def show(message, category, filename, lineno, file=None, line=None):
            sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

        warnings.showwarning = show
        yield


@contextlib.contextmanager
def _fresh_interpreter_logging() -> Iterator[None]:
    """No handlers on the root logger (pytest's taken off) at level WARNING, so a record
    goes to ``logging.lastResort``, which writes to the current ``sys.stderr``."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers.clear()
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _text(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def cli_in_process(argv: Sequence[str], *, stdin: bytes | None = None,
                   env: Mapping[str, str | None] | None = None,
                   text: bool = False) -> subprocess.CompletedProcess:
    """:func:`dashboard.cli.main` on ``argv`` here, as :func:`cli_subprocess` would run it:
    ``returncode`` and ``stdout``/``stderr`` (bytes, or str with ``text=True``)."""
    from dashboard.cli import main

    out_b, err_b = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_b, encoding="utf-8", errors="surrogateescape",
                           write_through=True)
    err = io.TextIOWrapper(err_b, encoding="utf-8", errors="backslashreplace",
                           write_through=True)
    inp = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8",
                           errors="surrogateescape")
    changes = {k: v for k, v in (env or {}).items() if v is not None}
    with mock.patch.dict(os.environ, changes), contextlib.chdir(ROOT), \
            mock.patch.object(sys, "stdin", inp), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err), _fresh_interpreter_warnings(), \
            _fresh_interpreter_logging():
        for k, v in (env or {}).items():
            if v is None:
                os.environ.pop(k, None)
        try:
            code = main(list(argv))
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:  # SystemExit("message"): printed, status 1
                print(exc.code, file=sys.stderr)
                code = 1
        except Exception:  # the interpreter would print it and exit 1
            traceback.print_exc(file=sys.stderr)
            code = 1
        out.flush()
        err.flush()
        stdout, stderr = out_b.getvalue(), err_b.getvalue()
    if text:  # as subprocess.run(text=True) decodes: UTF-8 here, universal newlines
        return subprocess.CompletedProcess(list(argv), code, _text(stdout), _text(stderr))
    return subprocess.CompletedProcess(list(argv), code, stdout, stderr)
