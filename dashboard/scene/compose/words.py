"""The words of a scene: dates, title, subtitle and source lines."""
from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

import geopandas as gpd

from dashboard.data.catalogue import CATALOGUE, GEODATA_DIR
from dashboard.geo.cache import memoize

#: Short attribution lines, by the publisher named in a MANIFEST source's attribution.
ATTRIBUTIONS: dict[str, str] = {
    "OpenStreetMap": "© OpenStreetMap contributors, ODbL",
    "GeoNames": "GeoNames, CC BY 4.0",
    "Natural Earth": "Natural Earth (public domain)",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def long_date(d: date) -> str:
    """``15 Nov 2022``.

    >>> long_date(date(2022, 11, 15))
    '15 Nov 2022'
    """
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def as_date(v: object) -> date | None:
    """A date from a date, datetime, ISO text or None/NaN (None when unreadable)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, datetime):  # incl. pandas Timestamp
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def today() -> date:
    """Today (UTC), or the day of ``SOURCE_DATE_EPOCH`` when set, so scripted briefs reproduce."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return datetime.now(UTC).date()


@memoize(maxsize=4)
def _manifest(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def attribution_lines(layer_names: Sequence[str]) -> list[str]:
    """Attribution lines for the built-in layers used, from the geodata ``MANIFEST.json``.

    Each MANIFEST source is reduced to one short line (e.g. ``"© OpenStreetMap
    contributors, ODbL"``); duplicates are dropped, order follows the layers.
    """
    files = _manifest(str(GEODATA_DIR / "MANIFEST.json")).get("files", {})
    out: list[str] = []
    for name in layer_names:
        info = CATALOGUE.get(name)
        if info is None:
            continue
        for src in files.get(info.file, {}).get("sources", []):
            text = str(src.get("attribution", ""))
            line = next((v for k, v in ATTRIBUTIONS.items() if k in text), None)
            if line is None:
                line = text.split(";")[0].strip()
            if line and line not in out:
                out.append(line)
    return out


def incident_sources(incident: Mapping) -> str | None:
    """``"Incident reports: Reuters, AP"`` from an incident's ``sources``, or None."""
    pubs: list[str] = []
    for s in incident.get("sources") or []:
        p = s.get("publisher") if isinstance(s, Mapping) else None
        if p and p not in pubs:
            pubs.append(str(p))
    return f"Incident reports: {', '.join(pubs)}" if pubs else None


def title_for(incident: Mapping | None) -> str:
    """``"Przewodów strike, 15 Nov 2022"``, or the flank-wide title without an incident."""
    if not incident:
        return "NATO eastern flank: candidate no-fly zones"
    place = str(incident.get("place") or incident["id"]).split(",")[0].strip()
    d = as_date(incident.get("date"))
    return f"{place} strike, {long_date(d)}" if d else f"{place} strike"


def subtitle_for(incident: Mapping | None, countries: gpd.GeoDataFrame, as_of: date) -> str:
    """Place and country, position (± precision) and the NATO-border date, joined by ``·``."""
    sub: list[str] = []
    if incident:
        country = countries.loc[countries["iso_a2"] == incident.get("country"), "name"]
        place = str(incident.get("place") or "")
        sub.append(", ".join(x for x in (place, str(country.iloc[0]) if len(country) else "")
                             if x))
        pos = f"{abs(incident['lat']):.4f}°{'N' if incident['lat'] >= 0 else 'S'} " \
              f"{abs(incident['lon']):.4f}°{'E' if incident['lon'] >= 0 else 'W'}"
        if incident.get("precision_m"):
            pos += f" (±{int(incident['precision_m'])} m)"
        sub.append(pos)
    sub.append(f"NATO border as of {long_date(as_of)}")
    return " · ".join(sub)


def sources_for(layer_names: Sequence[str], incident: Mapping | None) -> list[str]:
    """Attribution lines of the layers drawn (countries always), then the incident's reports."""
    sources = attribution_lines([*layer_names, "countries"])
    line = incident_sources(incident) if incident else None
    if line:
        sources.append(line)
    return sources
