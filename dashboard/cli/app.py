"""``python -m dashboard app [STREAMLIT_ARG ...]``: serve the app with the repository's settings.

``streamlit run dashboard/app.py`` in a checkout reads the repository's
``.streamlit/config.toml`` (upload limit, how long a closed tab's session is kept,
static serving, no telemetry...).  An installed wheel has no such folder beside the
user's working directory, so this subcommand runs ``streamlit run`` on the installed
``dashboard/app.py`` with every setting of that file passed as a
``--section.option=value`` flag.  The wheel carries the file itself (packaged from
the repository's ``.streamlit/config.toml`` as ``dashboard/_streamlit/config.toml``;
see ``pyproject.toml``), so there is one source of these values.

Arguments after ``app`` go to ``streamlit run`` after those flags, so they win::

    nfz-dashboard app --server.port 8502 --server.address 127.0.0.1

Streamlit runs in this process (as its own ``streamlit`` command does), so
stopping this process stops the server.
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dashboard.geo.errors import InputError

#: The package directory (``dashboard/``), in a checkout or in site-packages.
PACKAGE_DIR: Path = Path(__file__).resolve().parents[1]


def config_file() -> Path:
    """The Streamlit settings: the checkout's ``.streamlit/config.toml``, or the wheel's copy."""
    candidates = (PACKAGE_DIR.parent / ".streamlit" / "config.toml",
                  PACKAGE_DIR / "_streamlit" / "config.toml")
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        raise InputError("the app's Streamlit settings are missing (looked for "
                         + " and ".join(str(c) for c in candidates) + ")")
    return found


def app_script() -> Path:
    """The Streamlit script of this installation."""
    return PACKAGE_DIR / "app.py"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def config_flags(config: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every setting of a parsed ``config.toml`` as ``streamlit run`` flags, in file order.

    A list repeats its flag (Streamlit's list options take one value per flag).

    >>> config_flags({"server": {"maxUploadSize": 20, "headless": True},
    ...               "theme": {"base": "light"}})
    ['--server.maxUploadSize=20', '--server.headless=true', '--theme.base=light']
    >>> config_flags({"server": {"folderWatchBlacklist": ["a", "b"]}})
    ['--server.folderWatchBlacklist=a', '--server.folderWatchBlacklist=b']
    """
    flags: list[str] = []
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flags += config_flags(value, prefix=f"{name}.")
        elif isinstance(value, list):
            flags += [f"--{name}={_value(v)}" for v in value]
        else:
            flags.append(f"--{name}={_value(value)}")
    return flags


def streamlit_args(extra: Sequence[str] = ()) -> list[str]:
    """The arguments of ``streamlit``: ``run``, the script, the settings, then ``extra``."""
    with open(config_file(), "rb") as fh:
        config = tomllib.load(fh)
    return ["run", str(app_script()), *config_flags(config), *extra]


HELP = """\
usage: python -m dashboard app [STREAMLIT_ARG ...]   (nfz-dashboard app ... when installed)

Serve the dashboard with `streamlit run` and the settings of the repository's
.streamlit/config.toml as flags (read from {config}).
Any STREAMLIT_ARG comes after them and wins, e.g. --server.port 8502.

runs: streamlit {command} [STREAMLIT_ARG ...]
"""


def register(sub: argparse._SubParsersAction) -> None:
    # No option of its own: every argument, dashes and all, goes to `streamlit run`.
    p = sub.add_parser("app", help="serve the Streamlit app with the repository's settings "
                                   "(upload limit, session TTL...)",
                       prefix_chars="+", add_help=False)
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, metavar="STREAMLIT_ARG")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    extra = list(args.streamlit_args)
    if extra[:1] in (["-h"], ["--help"]):
        print(HELP.format(config=config_file(),
                          command=" ".join(streamlit_args())), end="")
        return 0
    argv = streamlit_args(extra)
    from streamlit.web import cli as streamlit_cli  # the server: only for this subcommand

    try:
        streamlit_cli.main(args=argv, prog_name="streamlit")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    return 0
