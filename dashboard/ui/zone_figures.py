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

from dashboard.analysis import effectiveness as eff
from dashboard.analysis.gbad import GbadCover
from dashboard.analysis.reach import Reach
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

__all__ = ["area_in_units", "band_rows", "border_rows", "compare_columns", "comparison_table",
           "detail_rows", "effectiveness_hits", "gbad_summary", "metrics_summary",
           "reach_summary"]


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
                     units: str, incidents: Sequence[Mapping[str, Any]],
                     extra: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Zones side by side: one row per zone, one column per figure, in ``units``.

    Parameters
    ----------
    zones : sequence of Zone
    metrics : zone id -> :class:`~dashboard.analysis.zones.ZoneMetrics` (km), or None
    units : {"km", "nm", "mi"}
    incidents : dicts with ``id``, ``date``, ``place``; one distance column each
    extra : zone id -> more columns (:func:`compare_columns`: reach, GBAD, effectiveness)

    Columns: ``zone``, ``rule``, ``area (u²)``, ``perimeter (u)``,
    ``NATO border covered (u)``, ``cities inside``, ``population inside``,
    ``largest city``, ``closest to Belarus (u)``, ``closest to Russia (u)``,
    then ``to <incident id> (u)``.  Distances are rounded to 0.1 unit, areas to
    1 unit²; zones without metrics have no row.
    """
    extra = extra or {}
    return pd.DataFrame([{**_comparison_row(z, metrics[z.id], units, incidents),
                          **extra.get(z.id, {})}
                         for z in zones if metrics.get(z.id) is not None])


# ---------------------------------------------------------------- reach, GBAD
def _pct(share: float | None) -> float:
    return float("nan") if share is None else round(100.0 * float(share), 1)


def reach_summary(r: Reach, units: str) -> str:
    """The reach figures as Markdown: share in reach, the farthest point, the minutes."""
    codes = ", ".join(c for c, _, _ in r.bases)
    lon, lat = r.farthest_lonlat
    time = ("no speed given, so no time" if r.minutes is None
            else f"**{r.minutes:,.0f} min** at {r.speed_kmh:g} km/h")
    return (f"**In reach** {_pct(r.share):g} % of the zone within "
            f"{format_distance(r.radius_km, units)} of {codes} · **Farthest point** "
            f"{format_distance(r.farthest_km, units)} from {r.farthest_base} "
            f"({lat:.4f}, {lon:.4f}) · {time}")


def band_rows(r: Reach, units: str) -> list[dict[str, Any]]:
    """The time-to-reach bands as table rows: band, distance from/to in ``units``, area, share %."""
    return [{"band": b["band"], f"from ({units})": round(from_km(b["from_km"], units), 1),
             f"to ({units})": round(from_km(b["to_km"], units), 1),
             f"area ({units}²)": round_significant(area_in_units(b["area_km2"], units), 4),
             "share (%)": _pct(b["share"])} for _, b in r.bands.iterrows()]


def gbad_summary(g: GbadCover, units: str) -> str:
    """The air-defence cover as Markdown: the zone's share and the border covered."""
    total = sum(g.border_km.values())
    return (f"**Air defence covers** {_pct(g.zone_share):g} % of the zone and "
            f"{format_distance(total, units)} of NATO border ({len(g.launchers)} launcher"
            f"{'' if len(g.launchers) == 1 else 's'})")


def border_rows(g: GbadCover, units: str) -> list[dict[str, Any]]:
    """Each NATO-border segment the discs reach: km covered in ``units`` and its share %."""
    return [{"segment": sid, f"covered ({units})": round(from_km(km, units), 1),
             "share of segment (%)": _pct(g.border_share[sid])} for sid, km in g.border_km.items()]


def effectiveness_hits(rows: Sequence[eff.EffectivenessRow]) -> str:
    """``"5 of 12"``: incidents with at least half their paths ≥ 50 km inside, of those with
    a hypothesis (the thresholds of :func:`dashboard.analysis.effectiveness.effectiveness_summary`)."""
    hits = sum(r.share_at_least(eff.MIN_KM) >= eff.MIN_SHARE for r in rows)
    return f"{hits} of {len(rows)}"


def compare_columns(r: Reach | None, g: GbadCover | None,
                    rows: Sequence[eff.EffectivenessRow] | None) -> dict[str, Any]:
    """The compare table's reach, GBAD and effectiveness columns of one zone (NaN or ""
    for what was not asked for)."""
    return {"in reach (%)": _pct(r.share if r else None),
            "GBAD cover (%)": _pct(g.zone_share if g else None),
            "effectiveness (hits of N)": effectiveness_hits(rows) if rows is not None else ""}
