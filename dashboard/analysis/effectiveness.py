"""Would a zone have stopped it?  Geodesic flight paths from an origin hypothesis to the impact.

For an incident with an origin hypothesis (a candidate launch area: its range fan or
annulus, cut to the launch countries) and a zone (a no-fly-zone polygon):

1. :func:`sample_launch_points` — launch points spread uniformly by area on the WGS84
   ellipsoid over the launch area (latitude drawn uniform in sin φ, kept with
   probability ∝ the ellipsoid's area element over the sphere's, (1 − e² sin² φ)⁻²;
   longitude uniform; points outside the area rejected), from a seed fixed per
   incident, so the figures are the same on every run;
2. :func:`flight_steps` — each launch point's geodesic to the impact point, cut into
   equal steps of at most :data:`PATH_STEP_KM` (midpoints by ``Geod.fwd`` along the
   geodesic), walked from the launch point until the first step in NATO territory
   (:func:`nato_members`: the ``countries`` layer's members on the incident's date
   by ``nato_member_since``, incl. their 12 nm
   territorial sea; the whole path when it never enters it): the km flown inside the
   zone on the way (:func:`km_inside`: a step counts whole when its midpoint lies in the
   zone, whose edges are first densified along their geodesics; the steps do not depend
   on the zone, so :func:`hypothesis_steps` keeps them per hypothesis);
3. :func:`effectiveness` — per incident the share of paths that cross the zone (fly
   any km in it before NATO territory), the **median** km inside over the crossing
   paths, and whether the zone contains the impact point itself.

The assumption is :data:`ASSUMPTION` (straight geodesic flight): the app, the CLI and
the brief show it beside the figures.

:func:`default_hypotheses` builds the hypotheses from the incident rows by a stated
rule (:func:`hypothesis_rule`): a munition preset named by the incident's munition
text, launch countries from ``attributed_to``.
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.origin import origin_for_record
from dashboard.geo.cache import content_token, memoize
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import WGS84_E2, densify, forward, inverse_km
from dashboard.geo.munitions import MunitionRange, munition_range
from dashboard.geo.nato import parse_date
from dashboard.io.layers_io import load_layer

#: The stated assumption of every effectiveness figure (shown in the app, CLI and brief).
ASSUMPTION: str = ("Assumes straight flight along the geodesic from each plausible launch point "
                   "to the impact point; real drones and cruise missiles route around air "
                   "defence, so these shares say where the straight paths run, not what a zone "
                   "would have met.")
#: Flight paths sampled per incident.
DEFAULT_PATHS: int = 400
#: Longest step along a path, km (a step counts whole in or out of the zone by its
#: midpoint, so each crossing of the zone's edge is off by at most half a step).
PATH_STEP_KM: float = 2.0
#: Seed of the launch-point sampler (mixed with each incident's id).
SEED: int = 21
#: Zone and NATO-territory edges are densified along their geodesics to this step, km.
EDGE_STEP_KM: float = 1.0
#: Candidate launch points drawn per round of the rejection sampler, and the most rounds.
SAMPLE_BATCH: int = 4096
MAX_SAMPLE_ROUNDS: int = 200
#: The summary's default thresholds: the share of paths, and the km inside.
MIN_SHARE: float = 0.5
MIN_KM: float = 50.0

#: Munition text -> preset (first match wins; case-insensitive regular expressions).
MUNITION_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"gerbera", "gerbera"),
    (r"shahed|geran", "shahed-136"),
    (r"kh-?101|х-?101", "kh-101"),
    (r"kalibr|3m14", "kalibr"),
    (r"iskander", "iskander-m"),
    (r"s-300|5v55", "s-300-5v55"),
    (r"tochka", "tochka-u"),
)
#: ``attributed_to`` -> launch countries.  Russian launches are taken to come from Russia
#: or Belarus (drones have entered NATO airspace from Belarus).
LAUNCH_COUNTRIES: dict[str, tuple[str, ...]] = {
    "russian": ("BY", "RU"), "belarusian": ("BY",), "ukrainian": ("UA",)}


@dataclass(frozen=True)
class OriginHypothesis:
    """Where an incident's munition could have been launched from.

    Attributes
    ----------
    incident_id : str
    impact : (lon, lat)
        The impact point, degrees.
    launch_area : Polygon or MultiPolygon
        The candidate launch area, WGS84 lon/lat.
    label : str
        What the hypothesis is, for tables (``"Gerbera decoy drone 0–600 km from BY, RU"``).
    date : str, optional
        The incident's date (``YYYY-MM-DD``): NATO territory is the members' on that
        day; None takes every member the layer lists.
    """

    incident_id: str
    impact: tuple[float, float]
    launch_area: BaseGeometry
    label: str
    date: str | None = None


@dataclass(frozen=True)
class EffectivenessRow:
    """One incident's figures against one zone.

    Attributes
    ----------
    id : str
        The incident id.
    paths_crossing_share : float
        Share (0–1) of the sampled paths that fly any distance inside the zone before
        reaching NATO territory.
    km_inside : float or None
        Median km flown inside the zone (before NATO territory) over the crossing
        paths; None when no path crosses.
    impact_inside : bool
        The zone contains the impact point.
    n_paths : int
        Paths sampled.
    label : str
        The hypothesis' label.
    path_km : tuple of float
        Km inside the zone of every path (0 for those that miss it), for other thresholds.
    """

    id: str
    paths_crossing_share: float
    km_inside: float | None
    impact_inside: bool
    n_paths: int
    label: str = ""
    path_km: tuple[float, ...] = field(default=(), repr=False, compare=False)

    def share_at_least(self, min_km: float) -> float:
        """Share (0–1) of the paths that fly at least ``min_km`` inside the zone."""
        if not self.path_km:
            return 0.0
        return float(np.mean(np.asarray(self.path_km) >= float(min_km)))

    def as_dict(self) -> dict[str, Any]:
        """``{"id", "paths_crossing_share", "km_inside", "impact_inside"}`` (share to 4
        decimals, km to 0.1), as ``zone --effectiveness --json`` prints it."""
        return {"id": self.id, "paths_crossing_share": round(self.paths_crossing_share, 4),
                "km_inside": None if self.km_inside is None else round(self.km_inside, 1),
                "impact_inside": bool(self.impact_inside)}


# ------------------------------------------------------------------ hypotheses
def preset_for(text: str | None) -> MunitionRange | None:
    """The munition preset the text names (:data:`MUNITION_PATTERNS`), or None.

    >>> preset_for("fragments of a Geran (Shahed-type) drone").id
    'shahed-136'
    >>> preset_for("drone (type not confirmed)") is None
    True
    """
    low = str(text or "").lower()
    for pattern, preset in MUNITION_PATTERNS:
        if re.search(pattern, low):
            return munition_range(preset)
    return None


def hypothesis_rule(row: Mapping[str, Any]) -> tuple[MunitionRange, tuple[str, ...]] | str:
    """The preset and launch countries the rule gives an incident row, or why it gives none.

    The rule: the preset is the first :data:`MUNITION_PATTERNS` match in the row's
    ``munition`` (then its ``object_type``); the launch countries are
    :data:`LAUNCH_COUNTRIES` of ``attributed_to``, or, when no attribution is stated,
    those of the preset's one reported user (Shahed, Gerbera, Kh-101, Kalibr and
    Iskander are Russian; S-300 and Tochka-U are fired by both sides, so they get none).
    Incidents with no position, no preset or no launch country are skipped.
    """
    if row.get("lon") is None or row.get("lat") is None:
        return "no position (not sourced, or a track)"
    preset = preset_for(row.get("munition")) or preset_for(row.get("object_type"))
    if preset is None:
        return f"no munition preset for {str(row.get('munition') or 'an unnamed munition')!r}"
    side = str(row.get("attributed_to") or "not stated")
    countries = LAUNCH_COUNTRIES.get(side) or LAUNCH_COUNTRIES.get(str(preset.user), ())
    if not countries:
        return f"attribution not stated and the {preset.name} is fired by both sides"
    return preset, countries


def hypothesis_for(row: Mapping[str, Any]) -> OriginHypothesis | str:
    """The default hypothesis of one incident row (:func:`hypothesis_rule`), or why none."""
    rule = hypothesis_rule(row)
    if isinstance(rule, str):
        return rule
    preset, countries = rule
    lo, hi = preset.area_km
    try:
        o = origin_for_record(row, lo, hi, countries=countries)
    except InputError as exc:
        return str(exc)
    area = o.launch_area
    if area.is_empty:
        return f"no part of {', '.join(countries)} within {hi:,.0f} km"
    label = f"{preset.name} {lo:,.0f}–{hi:,.0f} km from {', '.join(countries)}"
    return OriginHypothesis(str(row["id"]), (o.lon, o.lat), area, label,
                            str(row["date"]) if row.get("date") else None)


def default_hypotheses(rows: Sequence[Mapping[str, Any]]) -> list[OriginHypothesis]:
    """The hypotheses :func:`hypothesis_rule` gives the rows (e.g.
    :func:`~dashboard.analysis.incident_catalogue.incident_rows`), in their order;
    the skipped ones are :func:`skipped_hypotheses`."""
    return [h for h in map(hypothesis_for, rows) if isinstance(h, OriginHypothesis)]


def skipped_hypotheses(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``(incident id, why)`` of the rows the rule gives no hypothesis (no position, no
    preset, no launch country; cheap: no launch area is built for these)."""
    out = []
    for row in rows:
        rule = hypothesis_rule(row)
        if isinstance(rule, str):
            out.append((str(row.get("id")), rule))
    return out


# ------------------------------------------------------------------ sampling
def sample_launch_points(area: BaseGeometry, n: int, seed: int | Sequence[int] = SEED,
                         ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform by area on the WGS84 ellipsoid inside ``area`` (lon, lat degrees).

    The ellipsoid's area element is ∝ cos φ (1 − e² sin² φ)⁻² dφ dλ: latitudes are drawn
    uniform in sin φ and kept with probability (1 − e² sin² φ)⁻² over its largest value
    in the area's box, longitudes uniform; points outside ``area`` are rejected.

    Raises
    ------
    InputError
        The area is empty or too small to hit.
    """
    if area is None or area.is_empty:
        raise InputError("the launch area is empty")
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = area.bounds
    s0, s1 = np.sin(np.radians([y0, y1]))
    w_max = (1.0 - WGS84_E2 * max(s0 * s0, s1 * s1)) ** -2
    shapely.prepare(area)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    got = 0
    for _ in range(MAX_SAMPLE_ROUNDS):
        s = rng.uniform(s0, s1, SAMPLE_BATCH)
        keep = rng.uniform(0.0, 1.0, SAMPLE_BATCH) * w_max <= (1.0 - WGS84_E2 * s * s) ** -2
        lon = rng.uniform(x0, x1, SAMPLE_BATCH)[keep]
        lat = np.degrees(np.arcsin(s[keep]))
        inside = shapely.contains_xy(area, lon, lat)
        xs.append(lon[inside])
        ys.append(lat[inside])
        got += int(inside.sum())
        if got >= n:
            return np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    raise InputError(f"the launch area is too small to sample ({got} of {n} points found)")


def nato_members(on: str | date | None) -> tuple[str, ...]:
    """ISO alpha-2 codes of the ``countries`` layer's NATO members on the day ``on`` (None:
    every member the layer lists), sorted.

    >>> nato_members("2023-04-03")[:3], "FI" in nato_members("2023-04-03"), "FI" in nato_members(None)
    (('AL', 'BE', 'BG'), False, True)
    """
    countries = load_layer("countries")
    day = parse_date(on)
    out = []
    for iso, since in zip(countries["iso_a2"], countries["nato_member_since"]):
        text = str(since) if since is not None else ""
        if text in ("", "nan", "None", "NaT"):
            continue
        if day is None or date.fromisoformat(text[:10]) <= day:
            out.append(str(iso))
    return tuple(sorted(out))


@memoize(maxsize=8)
def nato_territory(members: tuple[str, ...]) -> tuple[BaseGeometry, ...]:
    """The territory of each of ``members`` (``countries`` layer, incl. the 12 nm
    territorial sea), edges densified along their geodesics to :data:`EDGE_STEP_KM`,
    prepared.  Shared with the cache: do not modify."""
    countries = load_layer("countries")
    out = []
    for iso, g in zip(countries["iso_a2"], countries.geometry.values):
        if str(iso) in members:
            dense = densify(g, EDGE_STEP_KM)
            if not dense.is_valid:
                dense = shapely.make_valid(dense, method="structure", keep_collapsed=False)
            shapely.prepare(dense)
            out.append(dense)
    return tuple(out)


def _in_any(parts: Sequence[BaseGeometry], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mask of the points inside any of ``parts`` (each tested only where its box reaches)."""
    hit = np.zeros(len(x), dtype=bool)
    for g in parts:
        x0, y0, x1, y1 = g.bounds
        near = ~hit & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        if near.any():
            hit[near] = shapely.contains_xy(g, x[near], y[near])
    return hit


@dataclass(frozen=True)
class FlightSteps:
    """The steps of sampled flight paths that count: each path's steps from its launch
    point up to (not including) its first step in NATO territory.

    Attributes
    ----------
    n_paths : int
        Paths sampled (a path with no counted step still counts as a path).
    path : ndarray of int32
        The path of each counted step.
    step_km : ndarray of float
        Each path's step length, km (indexed by path).
    lon, lat : ndarray of float
        Each counted step's midpoint, degrees.
    """

    n_paths: int
    path: np.ndarray
    step_km: np.ndarray
    lon: np.ndarray
    lat: np.ndarray


def flight_steps(lon: np.ndarray, lat: np.ndarray, impact: tuple[float, float],
                 nato: Sequence[BaseGeometry] = ()) -> FlightSteps:
    """Each geodesic path from ``(lon[i], lat[i])`` to ``impact`` cut into equal steps of at
    most :data:`PATH_STEP_KM` (midpoints by ``Geod.fwd``), kept up to the path's first step
    in ``nato`` territory (polygons, edges already densified): what any zone is measured on.
    """
    lon, lat = np.atleast_1d(lon).astype(float), np.atleast_1d(lat).astype(float)
    n = len(lon)
    ix, iy = float(impact[0]), float(impact[1])
    az, length = inverse_km(lon, lat, np.full(n, ix), np.full(n, iy))
    az, length = np.atleast_1d(az), np.atleast_1d(length)
    k = np.maximum(np.ceil(length / PATH_STEP_KM).astype(np.int64), 1)
    step = length / k
    path = np.repeat(np.arange(n), k)
    j = np.arange(len(path)) - np.repeat(np.cumsum(k) - k, k)
    mx, my = forward(lon[path], lat[path], az[path], (j + 0.5) * step[path])
    counted = np.ones(len(path), dtype=bool)
    if len(nato):
        in_nato = _in_any(nato, mx, my)
        # steps at or after a path's first NATO step do not count
        seen = np.cumsum(in_nato)
        before = np.repeat(np.r_[0, seen[np.cumsum(k)[:-1] - 1]], k)
        counted = (seen - before) == 0
    return FlightSteps(n, path[counted].astype(np.int32), step, mx[counted], my[counted])


def km_inside(steps: FlightSteps, zone: BaseGeometry) -> np.ndarray:
    """Km each path of ``steps`` flies inside ``zone`` (edges already densified) before
    NATO territory: a step counts whole when its midpoint lies in the zone."""
    inside = shapely.contains_xy(zone, steps.lon, steps.lat)
    km = np.bincount(steps.path, weights=inside * steps.step_km[steps.path],
                     minlength=steps.n_paths)
    return km.astype(float, copy=False)  # no counted step: bincount gives integers


def path_km_inside(lon: np.ndarray, lat: np.ndarray, impact: tuple[float, float],
                   zone: BaseGeometry, nato: Sequence[BaseGeometry] = ()) -> np.ndarray:
    """Km each geodesic path from ``(lon[i], lat[i])`` to ``impact`` flies inside ``zone``
    before its first step in ``nato`` territory (polygons; zone and territory edges
    already densified).  Steps of at most :data:`PATH_STEP_KM`, each counted by its midpoint
    (:func:`flight_steps`, then :func:`km_inside`)."""
    return km_inside(flight_steps(lon, lat, impact, nato), zone)


def _hypothesis_key(h: OriginHypothesis, n: int, seed: int = SEED) -> tuple[Any, ...]:
    # the NATO members of the day (read from the countries layer), not the date itself
    return (h.incident_id, h.impact, nato_members(h.date), content_token(h.launch_area), n, seed)


@memoize(maxsize=64, key=_hypothesis_key)
def hypothesis_steps(h: OriginHypothesis, n: int, seed: int = SEED) -> FlightSteps:
    """The counted steps of ``n`` flight paths of one hypothesis (its launch points from
    the incident's seed, NATO territory on its date): the same whatever the zone, so
    measuring another zone costs only the point-in-zone test.  Cached per hypothesis
    content; read-only."""
    nato = nato_territory(nato_members(h.date))
    lon, lat = sample_launch_points(h.launch_area, n, _seed(h.incident_id, seed))
    steps = flight_steps(lon, lat, h.impact, nato)
    for arr in (steps.path, steps.step_km, steps.lon, steps.lat):
        arr.flags.writeable = False  # shared through the cache
    return steps


def _seed(incident_id: str, seed: int) -> list[int]:
    return [int(seed), zlib.crc32(str(incident_id).encode("utf-8"))]


def _prepared_zone(zone: BaseGeometry) -> BaseGeometry:
    if zone is None or zone.is_empty:
        raise InputError("the zone is empty")
    dense = densify(zone, EDGE_STEP_KM)
    if not dense.is_valid:
        dense = shapely.make_valid(dense)
    shapely.prepare(dense)
    return dense


def effectiveness(zone: BaseGeometry, hypotheses: Sequence[OriginHypothesis], *,
                  n_paths: int = DEFAULT_PATHS, samples: int | None = None, seed: int = SEED,
                  ) -> list[EffectivenessRow]:
    """Each hypothesis' flight paths against ``zone``, in the hypotheses' order.

    Parameters
    ----------
    zone : Polygon or MultiPolygon
        WGS84 lon/lat, edges geodesics.
    hypotheses : sequence of OriginHypothesis
    n_paths : int
        Launch points sampled per incident (``samples`` is the same, for callers that
        name it so).
    seed : int
        Mixed with each incident id: the same hypothesis gets the same points whatever
        the zone and the order.

    Returns
    -------
    list of EffectivenessRow
        Share of paths crossing, median km inside (crossing paths), impact inside.
        Assumes :data:`ASSUMPTION`.
    """
    n = int(samples if samples is not None else n_paths)
    if n < 1:
        raise InputError(f"at least one flight path per incident is needed, got {n}")
    dense = _prepared_zone(zone)
    out = []
    for h in hypotheses:
        km = km_inside(hypothesis_steps(h, n, seed), dense)
        crossing = km > 0
        out.append(EffectivenessRow(
            id=h.incident_id, paths_crossing_share=float(crossing.mean()),
            km_inside=float(np.median(km[crossing])) if crossing.any() else None,
            impact_inside=bool(shapely.contains_xy(dense, *h.impact)), n_paths=n,
            label=h.label, path_km=tuple(float(v) for v in km)))
    return out


def effectiveness_summary(rows: Sequence[EffectivenessRow], min_share: float = MIN_SHARE,
                          min_km: float = MIN_KM) -> str:
    """One line: how many incidents have at least ``min_share`` of their paths flying at
    least ``min_km`` inside the zone.

    >>> r = EffectivenessRow("a", 1.0, 80.0, False, 2, path_km=(80.0, 60.0))
    >>> effectiveness_summary([r, EffectivenessRow("b", 0.0, None, False, 2, path_km=(0, 0))])
    '1 of 2 incidents: at least half the plausible paths cross the zone for ≥ 50 km'
    """
    if not rows:
        return "no incident has an origin hypothesis"
    hits = sum(r.share_at_least(min_km) >= min_share for r in rows)
    share = "half" if min_share == 0.5 else f"{min_share:.0%} of"
    return (f"{hits} of {len(rows)} incidents: at least {share} the plausible paths cross "
            f"the zone for ≥ {min_km:g} km")


__all__ = [
    "ASSUMPTION",
    "DEFAULT_PATHS",
    "EffectivenessRow",
    "FlightSteps",
    "OriginHypothesis",
    "default_hypotheses",
    "effectiveness",
    "effectiveness_summary",
    "flight_steps",
    "hypothesis_for",
    "hypothesis_rule",
    "hypothesis_steps",
    "nato_members",
    "nato_territory",
    "km_inside",
    "path_km_inside",
    "preset_for",
    "sample_launch_points",
    "skipped_hypotheses",
]
