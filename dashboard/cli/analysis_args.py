"""The analysis flags ``zone``, ``origin`` and ``brief`` share, defined and read in one place.

- reach from NATO soil (:func:`add_reach_arguments`, :func:`reach_choice`):
  ``--bases ICAO[,ICAO…] (--aircraft NAME | --radius-km R) [--speed-kmh V]``;
- ground-based air defence (same group, :func:`launchers`): ``--gbad LAT,LON,KM``
  (repeatable; KM a number or a preset such as ``patriot``);
- effectiveness (:func:`add_effectiveness_argument`): ``--effectiveness``;
- an origin range fan (:func:`add_origin_arguments`, :func:`origin_range`):
  ``(--range-km MIN MAX | --preset NAME) [--bearing FROM TO] [--from CC[,CC…]]``; the
  munition preset's flag is named by the command (``brief`` calls it ``--munition``,
  since its ``--preset`` is the zone).

Bad input is one :class:`~dashboard.geo.errors.InputError` line naming the flag.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import NamedTuple

from dashboard.analysis.air_bases import base_positions
from dashboard.cli.common import positive_km
from dashboard.data.reach_presets import (
    GBAD_SYSTEMS,
    AircraftProfile,
    aircraft_profile,
    gbad_system,
)
from dashboard.geo.errors import InputError
from dashboard.geo.munitions import PRESETS, MunitionRange, munition_range

__all__ = ["ReachChoice", "add_effectiveness_argument", "add_origin_arguments",
           "add_reach_arguments", "gbad_arg", "launchers", "origin_range", "reach_choice"]


class ReachChoice(NamedTuple):
    """The reach flags, checked: bases (code, lon, lat), combat radius km, cruise speed
    km/h (None: not given, no minutes), the aircraft preset (None: a typed radius)."""

    bases: list[tuple[str, float, float]]
    radius_km: float
    speed_kmh: float | None
    aircraft: AircraftProfile | None


def add_reach_arguments(p: argparse.ArgumentParser) -> None:
    """``--bases``, ``--aircraft``, ``--radius-km``, ``--speed-kmh`` and ``--gbad`` (a group)."""
    g = p.add_argument_group("reach from NATO soil")
    g.add_argument("--bases", metavar="ICAO[,ICAO...]",
                   help="air bases by ICAO code (the air_bases layer), e.g. EPRZ,EPLK")
    g.add_argument("--aircraft", metavar="NAME",
                   help="aircraft preset for the combat radius: f-16 (805 km, a lower bound), "
                        "eurofighter (465 km of 465-555)")
    g.add_argument("--radius-km", type=positive_km, metavar="R", help="combat radius, km")
    g.add_argument("--speed-kmh", type=float, metavar="V",
                   help="cruise speed, km/h (no preset gives one; without it no minutes)")
    g.add_argument("--gbad", action="append", metavar="LAT,LON,KM", default=[],
                   help="an air-defence launcher and its range in km or a preset "
                        f"({', '.join(GBAD_SYSTEMS)}); repeatable")


def add_effectiveness_argument(p: argparse.ArgumentParser) -> None:
    """``--effectiveness``."""
    p.add_argument("--effectiveness", action="store_true",
                   help="for each incident with an origin hypothesis: the share of straight "
                        "geodesic flight paths crossing the zone, km inside, impact inside")


def gbad_arg(text: str) -> tuple[float, float, float]:
    """``LAT,LON,KM`` (KM a number or a preset name) as ``(lon, lat, km)``.

    >>> gbad_arg("50.11, 22.02, 160")
    (22.02, 50.11, 160.0)
    """
    parts = [t.strip() for t in str(text).split(",")]
    if len(parts) != 3:
        raise InputError(f"--gbad takes LAT,LON,KM (e.g. 50.11,22.02,160 or 50.11,22.02,patriot), "
                         f"got {text!r}")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError(f"--gbad {text!r}: LAT and LON must be decimal degrees") from None
    try:
        km = float(parts[2])
    except ValueError:
        km = gbad_system(parts[2]).range_km
    return lon, lat, km


def launchers(args: argparse.Namespace) -> list[tuple[float, float, float]]:
    """The ``--gbad`` launchers as (lon, lat, km), in the order given."""
    return [gbad_arg(t) for t in args.gbad or ()]


def reach_choice(args: argparse.Namespace) -> ReachChoice | None:
    """The reach flags checked (bases known, one of aircraft or radius); None without ``--bases``."""
    wanted = (args.aircraft, args.radius_km, args.speed_kmh)
    if args.bases is None:
        if any(v is not None for v in wanted):
            raise InputError("--aircraft, --radius-km and --speed-kmh need --bases ICAO[,ICAO...]")
        return None
    if (args.aircraft is None) == (args.radius_km is None):
        raise InputError("with --bases give either --aircraft NAME or --radius-km R")
    bases = base_positions(args.bases.split(","))
    plane = aircraft_profile(args.aircraft) if args.aircraft is not None else None
    radius = plane.radius_km if plane is not None else float(args.radius_km)
    speed = args.speed_kmh if args.speed_kmh is not None else (plane.speed_kmh if plane else None)
    return ReachChoice(bases, radius, speed, plane)


def add_origin_arguments(p: argparse._ActionsContainer, preset_flags: Sequence[str] = ("--preset",),
                         ) -> None:
    """``--range-km MIN MAX``, the munition preset (``preset_flags``; dest ``munition``),
    ``--bearing FROM TO`` and ``--from CC[,CC...]`` (dest ``launch_countries``)."""
    p.add_argument("--range-km", nargs=2, type=float, metavar=("MIN", "MAX"),
                   help="the munition's range, km (e.g. 75 90)")
    p.add_argument(*preset_flags, dest="munition", metavar="NAME",
                   help=f"a munition with a stated range instead of --range-km: {', '.join(PRESETS)}")
    p.add_argument("--bearing", nargs=2, type=float, metavar=("FROM", "TO"),
                   help="a range fan: the direction it came from, as seen from the impact point, "
                        "degrees clockwise from north, clockwise from FROM to TO (e.g. 20 80; "
                        "340 20 passes through north)")
    p.add_argument("--from", dest="launch_countries", metavar="CC[,CC...]",
                   help="launch countries (ISO codes, e.g. RU,BY): keep the area in them only")


def origin_range(args: argparse.Namespace, preset_flag: str = "--preset",
                 ) -> tuple[float, float, MunitionRange | None]:
    """(min km, max km, the preset or None) of the origin flags: one of ``--range-km`` or
    the preset (``preset_flag`` names it in the message)."""
    if (args.range_km is None) == (args.munition is None):
        raise InputError(f"give either --range-km MIN MAX or {preset_flag} NAME")
    if args.munition is not None:
        m = munition_range(args.munition)
        lo, hi = m.area_km
        return lo, hi, m
    return float(args.range_km[0]), float(args.range_km[1]), None
