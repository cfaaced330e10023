"""The state of the incidents page's "Would a zone have stopped it?" section.

- ``eff_zone`` (:data:`EFF_ZONE_KEY`): the zone measured, a candidate zone's id or
  ``"yours: NAME"`` for a zone the user drew or built;
- :func:`effectiveness_result`: the filtered incidents' default origin hypotheses
  (:func:`dashboard.analysis.effectiveness.default_hypotheses`) against that zone,
  cached per zone content, incidents and catalogue token; each incident's hypothesis
  (a launch area, seconds of geometry for all of them) is cached per row content, so an
  edit or a new store recomputes only the rows that changed.

No Streamlit here.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from dashboard.analysis.effectiveness import (
    EffectivenessRow,
    OriginHypothesis,
    effectiveness,
    hypothesis_for,
    skipped_hypotheses,
)
from dashboard.analysis.incident_catalogue import catalogue_token, incident_rows
from dashboard.analysis.incident_table import builtin_zones
from dashboard.geo.cache import content_token, memoize
from dashboard.geo.units import from_km

#: Key of the effectiveness section's zone choice.
EFF_ZONE_KEY: str = "eff_zone"
#: Prefix of the user's zones among its choices (the candidate zones go by their id).
YOUR_ZONE: str = "yours: "


def effectiveness_zones(user_zones: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """The zones the effectiveness section offers: the candidate zones (``zones`` layer, by id)
    and the user's (``"yours: NAME"``), each its geometry."""
    out = dict(builtin_zones())
    out.update({f"{YOUR_ZONE}{name}": geom for name, geom in user_zones})
    return out


def row_token(row: Mapping[str, Any]) -> str:
    """A digest of every field of an incident row (names and values as text).

    >>> row_token({"id": "a", "lon": 23.9}) == row_token({"lon": 23.9, "id": "a"})
    True
    >>> row_token({"id": "a", "lon": 23.9}) == row_token({"id": "a", "lon": 23.91})
    False
    """
    return content_token(repr(sorted((str(k), repr(v)) for k, v in row.items())))


@memoize(maxsize=512, key=row_token)
def _hypothesis(row: Mapping[str, Any]) -> OriginHypothesis | str:
    """:func:`~dashboard.analysis.effectiveness.hypothesis_for`, per row content."""
    return hypothesis_for(row)


@memoize(maxsize=4, key=lambda ids: (tuple(ids), catalogue_token()))
def _hypotheses(ids: tuple[str, ...]) -> tuple[tuple[OriginHypothesis, ...], tuple[tuple[str, str], ...]]:
    keep = set(ids)
    rows = [r for r in incident_rows() if str(r["id"]) in keep]
    found = tuple(h for h in map(_hypothesis, rows) if isinstance(h, OriginHypothesis))
    return found, tuple(skipped_hypotheses(rows))


@memoize(maxsize=8, key=lambda zone, ids: (content_token(zone), tuple(ids), catalogue_token()))
def effectiveness_result(zone: Any, ids: Sequence[str],
                         ) -> tuple[tuple[EffectivenessRow, ...], tuple[tuple[str, str], ...]]:
    """The effectiveness rows of the incidents ``ids`` against ``zone`` (their default
    hypotheses), and the incidents skipped with why; cached per zone content and catalogue."""
    hyps, skipped = _hypotheses(tuple(ids))
    return tuple(effectiveness(zone, hyps)), skipped


def effectiveness_table(rows: Sequence[EffectivenessRow], units: str) -> pd.DataFrame:
    """The rows as a table: incident, hypothesis, share of paths crossing (%), median distance
    inside over crossing paths (``units``), impact inside, paths."""
    col = f"median inside ({units})"
    return pd.DataFrame(
        [{"incident": r.id, "hypothesis": r.label,
          "paths crossing (%)": round(100 * r.paths_crossing_share, 1),
          col: None if r.km_inside is None else round(from_km(r.km_inside, units), 1),
          "impact inside": "yes" if r.impact_inside else "no", "paths": r.n_paths}
         for r in rows],
        columns=["incident", "hypothesis", "paths crossing (%)", col, "impact inside", "paths"])


__all__ = [
    "EFF_ZONE_KEY",
    "YOUR_ZONE",
    "effectiveness_result",
    "effectiveness_table",
    "effectiveness_zones",
    "row_token",
]
