"""The map's search box: a city, region, country, incident, village or typed coordinate
-> where to fly.

No Streamlit here.  Positions are (lon, lat) degrees; typed text may be decimal
``lat, lon``, DMS or MGRS (:func:`dashboard.geo.coords.parse_position`).

>>> hit = find_place("Lviv")
>>> hit.kind, hit.name, round(hit.lon, 2), round(hit.lat, 2)
('city', 'Lviv', 24.02, 49.84)
>>> find_place("50.47099, 23.93432").kind
'position'
>>> hit = find_place("ustrzyki dolne")  # a town of the gazetteer (accents, case: any)
>>> hit.kind, hit.name, hit.view_request(1)["zoom"]
('place', 'Ustrzyki Dolne, PL', 12.0)
>>> find_place("Харків").kind, find_place("Przewodow").kind
('city', 'incident')
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.incident_catalogue import incident_layer
from dashboard.data.gazetteer import GazetteerPlace, places_named, search_places
from dashboard.data.textfold import fold, latinize
from dashboard.geo.coords import parse_position
from dashboard.geo.errors import InputError
from dashboard.io.layers_io import load_layer

#: Web-map zoom the map flies to for a point of each kind.
ZOOM_BY_KIND: dict[str, float] = {"position": 10.0, "incident": 10.0, "city": 9.0,
                                   "place": 12.0}


@dataclass(frozen=True)
class Place:
    """Where a search leads: a point (lon, lat degrees) and, for areas, their bounds."""

    kind: str            # "position" | "incident" | "city" | "place" | "region" | "country"
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


def _looks_like_position(text: str) -> bool:
    return bool(re.search(r"\d", text)) and not re.search(r"[a-z]{4,}", fold(text))


_AREA_WORDS = re.compile(r"\b(oblast|voivodeship|region|province|county|wojewodztwo)\b")


def _match(names, query: str, exact: bool):
    return names == query if exact else names.str.startswith(query)


def _area(kind: str, layer: str, field: str, query: str, exact: bool) -> Place | None:
    gdf = load_layer(layer)
    query = _AREA_WORDS.sub("", query).strip() or query
    hit = gdf[_match(gdf[field].astype(str).map(fold), query, exact)]
    if not len(hit):
        return None
    row = hit.iloc[0]
    p = row.geometry.representative_point()
    w, s, e, n = (float(v) for v in row.geometry.bounds)
    return Place(kind, str(row[field]), float(p.x), float(p.y), (w, s, e, n))


def _city(query: str, exact: bool) -> Place | None:
    cities = load_layer("cities")
    hit = cities[_match(cities["name"].astype(str).map(fold), query, exact)]
    if not len(hit):
        return None
    row = hit.iloc[int(np.argmax(hit["population"].fillna(0).to_numpy()))]
    return Place("city", str(row["name"]), float(row.geometry.x), float(row.geometry.y))


def incidents() -> gpd.GeoDataFrame:
    """The incidents the box finds (by id or place): the one place to change their source."""
    return incident_layer()


def _point(geom: BaseGeometry) -> tuple[float, float]:
    """(lon, lat) of a point, or a point on a track."""
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    return float(p.x), float(p.y)


def _incident(query: str, exact: bool) -> Place | None:
    inc = incidents()
    inc = inc[inc.geometry.notna() & ~inc.geometry.is_empty]  # positioned ones only
    ids, places = inc["id"].astype(str).map(fold), inc["place"].astype(str).map(fold)
    hit = inc[ids == query] if exact else inc[ids.str.contains(query, regex=False)
                                              | places.str.contains(query, regex=False)]
    if not len(hit):
        return None
    row = hit.iloc[0]
    return Place("incident", f"{row['date']} · {row['place']}", *_point(row.geometry))


def _village(p: GazetteerPlace) -> Place:
    return Place("place", f"{p.name}, {p.country}", p.lon, p.lat)


def _any_incident(queries: list[str]) -> Place | None:
    """The first incident whose id or place contains one of ``queries``."""
    for q in queries:
        hit = _incident(q, False)
        if hit is not None:
            return hit
    return None


def _named(queries: list[str], raw: str) -> Place | None:
    """Exact names first (incident id, city, region, country, then a gazetteer place
    unless an incident's place holds the text), then names that start with the text,
    then incidents whose id or place contains it, then gazetteer places that start
    with it (or have a word that does), most populous first.  ``queries`` are the
    folded text and, for Cyrillic, its folded Latin spelling; ``raw`` the typed text."""
    for exact in (True, False):
        if not exact:
            named = places_named(raw)
            if named:
                return _any_incident(queries) or _village(named[0])
        for find in (_incident, _city,
                     lambda q, x: _area("region", "regions", "name", q, x),
                     lambda q, x: _area("country", "countries", "name", q, x)):
            if find is _incident and not exact:
                continue
            for query in queries:
                hit = find(query, exact)
                if hit is not None:
                    return hit
    hit = _any_incident(queries)
    if hit is not None:
        return hit
    near = search_places(raw, limit=1)
    return _village(near[0]) if near else None


def find_place(text: str) -> Place:
    """The place ``text`` names: a typed position, an incident (id or place), a city
    (the most populous of that name), an oblast or voivodeship, a country, or a
    populated place of the offline gazetteer (:mod:`dashboard.data.gazetteer`: case,
    accents and Latin or Cyrillic letters do not matter).

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
    queries = list(dict.fromkeys(q for q in (fold(raw), fold(latinize(raw))) if q))
    if not queries:
        raise InputError(f"{raw[:40]!r} has no letters or digits to search for")
    hit = _named(queries, raw)
    if hit is not None:
        return hit
    raise InputError(f"found no city, region, country, incident or place called {raw!r}; "
                     "a position works too (50.47, 23.93 or MGRS)")
