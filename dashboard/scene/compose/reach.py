"""Reach from NATO soil on the map: time-to-reach bands over a zone and air-defence discs.

The figures come from the core (:func:`dashboard.analysis.reach.reach_figures`,
:func:`dashboard.analysis.gbad.gbad_cover`), memoised on the zone's content and the
inputs (:func:`reach_for`, :func:`gbad_for`; the zones page reads the same cache);
this module only colours, labels and words them.  No Streamlit here.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import geopandas as gpd

from dashboard.analysis.gbad import GbadCover, gbad_cover
from dashboard.analysis.reach import Reach, reach_figures
from dashboard.geo.cache import content_token, memoize
from dashboard.geo.nato import nato_border_on
from dashboard.geo.units import format_distance
from dashboard.io.layers_io import load_layer
from dashboard.scene.request import ReachLayers
from dashboard.scene.styles import LayerStyle, style_for

__all__ = ["GBAD_LAYER", "REACH_LAYER", "band_colours", "gbad_for", "gbad_frame", "gbad_style", "reach_for",
           "reach_frame", "reach_style"]

REACH_LAYER = "reach"
GBAD_LAYER = "gbad"
#: Near bands green, far ones amber; the part beyond the combat radius grey.
NEAR, FAR, BEYOND = (40, 150, 60), (230, 150, 20), (120, 120, 120)
BAND_ALPHA = 90


@memoize(maxsize=64, key=lambda zone, bases, radius_km, speed_kmh: (
    content_token(zone), tuple(bases), float(radius_km),
    None if speed_kmh is None else float(speed_kmh)))
def reach_for(zone, bases: tuple[tuple[str, float, float], ...], radius_km: float,
              speed_kmh: float | None) -> Reach:
    """:func:`~dashboard.analysis.reach.reach_figures`, memoised (do not modify the result)."""
    return reach_figures(zone, bases, radius_km, speed_kmh)


@memoize(maxsize=64, key=lambda zone, launchers, as_of: (
    content_token(zone), tuple(launchers), as_of.isoformat()))
def gbad_for(zone, launchers: tuple[tuple[float, float, float], ...], as_of: date) -> GbadCover:
    """:func:`~dashboard.analysis.gbad.gbad_cover` against the NATO border on ``as_of``,
    memoised (do not modify the result)."""
    return gbad_cover(zone, launchers, nato_border_on(as_of, load_layer("nato_border")))


def band_colours(n_within: int) -> list[tuple[int, int, int, int]]:
    """RGBA fills of ``n_within`` bands from near (green) to far (amber)."""
    out = []
    for k in range(n_within):
        t = k / max(n_within - 1, 1)
        r, g, b = (round(a + (c - a) * t) for a, c in zip(NEAR, FAR))
        out.append((r, g, b, BAND_ALPHA))
    return out


def reach_style() -> LayerStyle:
    """The bands' style (their fills come per band)."""
    return replace(style_for("buffers"), name=REACH_LAYER, label="Reach from NATO soil",
                   line=(60, 60, 60, 160), line_width_px=0.8, id_field="band",
                   label_field="band")


def gbad_style() -> LayerStyle:
    """The air-defence discs' style."""
    return replace(style_for("buffers"), name=GBAD_LAYER, label="Air-defence discs",
                   fill=(0, 61, 165, 30), line=(0, 61, 165, 220), line_width_px=1.5,
                   id_field="launcher", label_field="launcher")


def reach_frame(spec: ReachLayers | None, units: str,
                ) -> tuple[gpd.GeoDataFrame | None, dict[str, str]]:
    """The bands over the zone (``band``, ``from_km``, ``to_km``, ``share``, ``fill_rgba``)
    and the figures as text; (None, {}) without bases."""
    if spec is None or not spec.bases or spec.radius_km is None:
        return None, {}
    r = reach_for(spec.zone, tuple(spec.bases), spec.radius_km, spec.speed_kmh)
    bands = r.bands.drop(columns=["within_radius"]).copy()
    within = list(r.bands["within_radius"])
    fills = iter(band_colours(sum(within)))
    bands["fill_rgba"] = [list(next(fills)) if w else [*BEYOND, BAND_ALPHA] for w in within]
    bands["share"] = bands["share"].round(4)
    codes = ", ".join(c for c, _, _ in r.bases)
    figures = {
        "Reach": f"{100 * r.share:.1f} % of {spec.zone_name} within "
                 f"{format_distance(r.radius_km, units)} of {codes}",
        "Farthest point": f"{format_distance(r.farthest_km, units)} from {r.farthest_base}"
                          + ("" if r.minutes is None else f", {r.minutes:.0f} min"),
    }
    return bands, figures


def gbad_frame(spec: ReachLayers | None, as_of: date, units: str,
               ) -> tuple[gpd.GeoDataFrame | None, dict[str, str]]:
    """The launchers' discs (``launcher``, ``range_km``) and the cover as text; (None, {})
    without launchers."""
    if spec is None or not spec.launchers:
        return None, {}
    g = gbad_for(spec.zone, tuple(spec.launchers), as_of)
    border = sum(g.border_km.values())
    figures = {"Air defence": f"{100 * g.zone_share:.1f} % of {spec.zone_name}, "
                              f"{format_distance(border, units)} of NATO border"}
    return g.discs.copy(), figures
