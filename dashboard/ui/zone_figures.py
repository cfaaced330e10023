"""A zone's figures as people read them: Markdown summaries, table rows, the compare table.

The numbers come from :class:`dashboard.analysis.zones.ZoneMetrics` (km, km²,
people); this module only converts units and words them, so the state layer
never writes Markdown.

>>> round(area_in_units(3.429904, "nm"), 6)
1.0
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from dashboard.analysis.zones import ZoneMetrics
from dashboard.geo.units import (
    KM_PER_UNIT,
    format_area,
    format_distance,
    from_km,
    round_significant,
)
from dashboard.scene.names import shown_name
from dashboard.state.zonemap import RULE_LABELS
from dashboard.store import Zone

__all__ = ["area_in_units", "comparison_table", "detail_rows", "metrics_summary"]


def area_in_units(area_km2: float, units: str) -> float:
    """km² -> square ``units`` (km², nm² or mi²)."""
    return float(area_km2) / KM_PER_UNIT[units] ** 2


def _round_dist(d_km: Any, units: str) -> float:
    if d_km is None:
        return float("nan")
    d = float(d_km)
    return round(from_km(d, units), 1) if math.isfinite(d) else float("nan")


def _comparison_row(z: Zone, m: ZoneMetrics, u: str,
                    incidents: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    ci = m.cities_inside
    largest = ci.largest
    row: dict[str, Any] = {
        "zone": shown_name(z.name),
        "rule": RULE_LABELS.get(z.rule, z.rule),
        f"area ({u}²)": round_significant(area_in_units(m.area_km2, u), 6),
        f"perimeter ({u})": round(from_km(m.perimeter_km, u), 1),
        f"NATO border covered ({u})": round(from_km(m.nato_border_km, u), 1),
        "cities inside": ci.count,
        "population inside": ci.population,
        "largest city": largest[0].name if largest else "",
        f"closest to Belarus ({u})": _round_dist(m.closest_belarus_km, u),
        f"closest to Russia ({u})": _round_dist(m.closest_russia_km, u),
    }
    by_inc = {i.id: i.distance_km for i in m.incidents}
    for inc in incidents:
        d = by_inc.get(str(inc["id"]))
        row[f"to {inc['id']} ({u})"] = _round_dist(d, u)
    return row


def metrics_summary(m: ZoneMetrics, units: str) -> str:
    """A zone's main figures (:func:`dashboard.state.zonemap.zone_metrics_cached`) in ``units``, as Markdown."""
    ci = m.cities_inside

    def d(v: float | None) -> str:
        return "n/a" if v is None else format_distance(v, units)

    return (f"**Area** {format_area(m.area_km2, units)} · "
            f"**NATO border covered** {format_distance(m.nato_border_km, units)} · "
            f"**Population inside** {ci.population:,} ({ci.count} cities) · "
            f"**Belarus** {d(m.closest_belarus_km)} · **Russia** {d(m.closest_russia_km)}")


def detail_rows(m: ZoneMetrics, units: str) -> tuple[list[dict], list[dict]]:
    """A zone's largest cities (name, country, population) and each incident's
    distance in ``units``, as table rows."""
    cities = [{"city": c.name, "country": c.country, "population": c.population}
              for c in m.cities_inside.largest]
    incidents = [{"incident": i.id, "place": i.place,
                  f"distance ({units})": round(from_km(i.distance_km, units), 2)}
                 for i in m.incidents]
    return cities, incidents


def comparison_table(zones: Sequence[Zone], metrics: Mapping[str, ZoneMetrics | None],
                     units: str, incidents: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Zones side by side: one row per zone, one column per figure, in ``units``.

    Parameters
    ----------
    zones : sequence of Zone
    metrics : zone id -> :class:`~dashboard.analysis.zones.ZoneMetrics` (km), or None
    units : {"km", "nm", "mi"}
    incidents : dicts with ``id``, ``date``, ``place``; one distance column each

    Columns: ``zone``, ``rule``, ``area (u²)``, ``perimeter (u)``,
    ``NATO border covered (u)``, ``cities inside``, ``population inside``,
    ``largest city``, ``closest to Belarus (u)``, ``closest to Russia (u)``,
    then ``to <incident id> (u)``.  Distances are rounded to 0.1 unit, areas to
    1 unit²; zones without metrics have no row.
    """
    return pd.DataFrame([_comparison_row(z, metrics[z.id], units, incidents)
                         for z in zones if metrics.get(z.id) is not None])
