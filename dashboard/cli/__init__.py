"""``python -m dashboard``: the geodesic core from the command line.

::

    python -m dashboard layers [--json]
    python -m dashboard distance LAT,LON [LAT,LON ...] [--to LAYER ...] [--date YYYY-MM-DD] [--json]
    python -m dashboard distance --points FILE.csv|.geojson|.parquet [--to LAYER ...]
                                 [--chunk-rows N] [--engine local|dask] [--scheduler ADDRESS]
                                 -o OUT.csv|OUT.geojson|OUT.parquet
    python -m dashboard buffer (--point LAT,LON | --layer LAYER [--where FIELD=VALUE]) --km N
                               [--side both|inside|outside] -o OUT.geojson
    python -m dashboard zone (--preset ID | --file ZONE.geojson) [--date YYYY-MM-DD] [--json]
    python -m dashboard brief [--preset ID | --zone FILE | --scenario FILE] ... -o OUT.png
    python -m dashboard incidents [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json | --csv]
    python -m dashboard incidents add|edit ID|retire ID|restore ID VERSION ... --reason TEXT
                                  | history ID | import FILE [--dry-run] | export --format F
    python -m dashboard origin INCIDENT_ID (--range-km MIN MAX | --preset 5v55) [--json]
    python -m dashboard places NAME [--country CC] [--limit N] [--json]
    python -m dashboard scenarios [--store URL] list [--json] | export NAME -o FILE
                                  | import FILE [--name NAME] [--overwrite] | delete NAME
    python -m dashboard app [STREAMLIT_ARG ...]

``LAYER`` is a built-in layer name or the path of a GeoJSON file.  Positions
may be decimal (``50.471,23.934``), DMS or MGRS; a negative latitude needs
``--`` before it (``distance -- -33.9,18.4``).  Exit status: 0 success, 2 bad
input (one line ``error: ...`` on stderr).

Each subcommand is a module of this package with ``register(subparsers)``
(its options, and ``func=run``) and ``run(args) -> int``.  Only the chosen
subcommand's module is imported (:data:`COMMANDS` names each one and its one-line
help, for ``--help``): ``distance`` does not pay for ``brief``'s imports.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from dashboard.geo.errors import InputError

#: The subcommands, in the order ``--help`` lists them: (name, one-line help).  Each
#: is the module ``dashboard.cli.<name>``; its ``register`` gives the same help
#: (``tests/test_cli_distance_fast.py`` checks it).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("layers", "list the built-in layers"),
    ("distance", "nearest feature and geodesic distance from points"),
    ("buffer", "geodesic buffer of a point or of layer features"),
    ("zone", "metrics of a candidate no-fly zone"),
    ("brief", "render a briefing map (PNG, PDF or SVG)"),
    ("incidents", "the incident table (distances to the NATO border, UA, BY, RU); add, edit, "
                  "retire, import, export incidents"),
    ("origin", "candidate launch area of an incident for a munition range"),
    ("places", "search the offline gazetteer of populated places"),
    ("scenarios", "list, export, import or delete saved scenarios"),
    ("app", "serve the Streamlit app with the repository's settings (upload limit, "
            "session TTL...)"),
)


def command_module(name: str) -> ModuleType:
    """The module of subcommand ``name`` (imported now if it was not yet)."""
    return importlib.import_module(f"dashboard.cli.{name}")


def __getattr__(name: str) -> ModuleType:
    """``dashboard.cli.SUBCOMMANDS``: every subcommand's module (imports them all)."""
    if name == "SUBCOMMANDS":
        return tuple(command_module(n) for n, _ in COMMANDS)  # type: ignore[return-value]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line ``error: ...`` and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names (its first word not an option), if it is one."""
    names = {n for n, _ in COMMANDS}
    for word in argv:
        if not word.startswith("-"):
            return word if word in names else None
    return None


def build_parser(only: str | None = "") -> argparse.ArgumentParser:
    """The parser with every subcommand (``only=""``, the default), or with only
    subcommand ``only`` complete and the others listed by name and help (their
    modules not imported; ``None``: none complete, enough for ``--help``)."""
    parser = _Parser(prog="python -m dashboard",
                     description="Geodesic distances, buffers, zone metrics and briefing maps "
                                 "for the NATO eastern flank (WGS84, km).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS:
        if only == "" or name == only:
            command_module(name).register(sub)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=chosen_command(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
