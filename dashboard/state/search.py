"""The map's search box: a city, region, country, incident or typed coordinate -> where to fly.

No Streamlit here.  Positions are (lon, lat) degrees; typed text may be decimal
``lat, lon``, DMS or MGRS (:func:`dashboard.geo.coords.parse_position`).

>>> hit = find_place("Lviv")
>>> hit.kind, hit.name, round(hit.lon, 2), round(hit.lat, 2)
('city', 'Lviv', 24.02, 49.84)
>>> find_place("50.47099, 23.93432").kind
'position'
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from dashboard.geo.coords import parse_position
from dashboard.geo.errors import InputError
from dashboard.io.layers_io import load_layer

#: Web-map zoom the map flies to for a point of each kind.
ZOOM_BY_KIND: dict[str, float] = {"position": 10.0, "incident": 10.0, "city": 9.0}


@dataclass(frozen=True)
class Place:
    """Where a search leads: a point (lon, lat degrees) and, for areas, their bounds."""

    kind: str            # "position" | "incident" | "city" | "region" | "country"
    name: str
    lon: float
    lat: float
    bounds: tuple[float, float, float, float] | None = None

    def view_request(self, request_id: int) -> dict:
        """The map component's ``view_request`` for this place."""
        if self.bounds is not None:
            return {"id": request_id, "bounds": [round(v, 5) for v in self.bounds]}
        return {"id": request_id, "lon": round(self.lon, 6), "lat": round(self.lat, 6),
                "zoom": ZOOM_BY_KIND.get(self.kind, 9.0)}


def _fold(text: str) -> str:
    """Lower case without accents: ``"Przewodów"`` -> ``"przewodow"``."""
    nfkd = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in nfkd if not unicodedata.combining(c)).casefold().strip()


def _looks_like_position(text: str) -> bool:
    return bool(re.search(r"\d", text)) and not re.search(r"[a-z]{4,}", _fold(text))


_AREA_WORDS = re.compile(r"\b(oblast|voivodeship|region|province|county|wojewodztwo)\b")


def _match(names, query: str, exact: bool):
    return names == query if exact else names.str.startswith(query)


def _area(kind: str, layer: str, field: str, query: str, exact: bool) -> Place | None:
    gdf = load_layer(layer)
    query = _AREA_WORDS.sub("", query).strip() or query
    hit = gdf[_match(gdf[field].astype(str).map(_fold), query, exact)]
    if not len(hit):
        return None
    row = hit.iloc[0]
    p = row.geometry.representative_point()
    w, s, e, n = (float(v) for v in row.geometry.bounds)
    return Place(kind, str(row[field]), float(p.x), float(p.y), (w, s, e, n))


def _city(query: str, exact: bool) -> Place | None:
    cities = load_layer("cities")
    hit = cities[_match(cities["name"].astype(str).map(_fold), query, exact)]
    if not len(hit):
        return None
    row = hit.iloc[int(np.argmax(hit["population"].fillna(0).to_numpy()))]
    return Place("city", str(row["name"]), float(row.geometry.x), float(row.geometry.y))


def _incident(query: str, exact: bool) -> Place | None:
    inc = load_layer("incidents")
    ids, places = inc["id"].astype(str).map(_fold), inc["place"].astype(str).map(_fold)
    hit = inc[ids == query] if exact else inc[ids.str.contains(query, regex=False)
                                              | places.str.contains(query, regex=False)]
    if not len(hit):
        return None
    row = hit.iloc[0]
    return Place("incident", f"{row['date']} · {row['place']}", float(row.geometry.x),
                 float(row.geometry.y))


def _named(query: str) -> Place | None:
    """Exact names first (incident id, city, region, country), then names that start
    with the text, then incidents whose id or place contains it."""
    for exact in (True, False):
        for find in (_incident, _city,
                     lambda q, x: _area("region", "regions", "name", q, x),
                     lambda q, x: _area("country", "countries", "name", q, x)):
            if find is _incident and not exact:
                continue
            hit = find(query, exact)
            if hit is not None:
                return hit
    return _incident(query, False)


def find_place(text: str) -> Place:
    """The place ``text`` names: a typed position, an incident (id or place), a city
    (the most populous of that name), an oblast or voivodeship, or a country.

    Raises
    ------
    InputError
        Nothing of that name, with a hint of what the box takes.
    """
    raw = (text or "").strip()
    if not raw:
        raise InputError("type a place, an incident or a position to search for")
    if _looks_like_position(raw):
        lon, lat = parse_position(raw)
        return Place("position", f"{lat:.5f}, {lon:.5f}", lon, lat)
    hit = _named(_fold(raw))
    if hit is not None:
        return hit
    raise InputError(f"found no city, region, country or incident called {raw!r}; "
                     "a position works too (50.47, 23.93 or MGRS)")
