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
(its options, and ``func=run``) and ``run(args) -> int``.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dashboard.cli import (
    app,
    brief,
    buffer,
    distance,
    incidents,
    layers,
    origin,
    places,
    scenarios,
    zone,
)
from dashboard.geo.errors import InputError

#: The subcommands, in the order ``--help`` lists them.
SUBCOMMANDS = (layers, distance, buffer, zone, brief, incidents, origin, places, scenarios, app)


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line ``error: ...`` and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every subcommand."""
    parser = _Parser(prog="python -m dashboard",
                     description="Geodesic distances, buffers, zone metrics and briefing maps "
                                 "for the NATO eastern flank (WGS84, km).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in SUBCOMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
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
