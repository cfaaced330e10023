"""The offline gazetteer: every populated place of 500+ inhabitants or with an
administrative seat in the twelve countries of ``geodata/places.tsv``, by name.

The file is GeoNames' ``cities500`` (CC BY 4.0), built by ``scripts/build_places.py``.
Names compare folded (:func:`dashboard.data.textfold.fold`: no case, accents or
punctuation) and across scripts (a Cyrillic name is also indexed, and a Cyrillic
query also searched, in Latin letters by :func:`~dashboard.data.textfold.latinize`).
Positions are WGS84 degrees, (lon, lat) order in the record as everywhere.

>>> [p.name for p in search_places("Lwow", limit=1)], [p.name for p in search_places("Львів", limit=1)]
(['Lviv'], ['Lviv'])
>>> hit = search_places("przemysl", country="pl", limit=1)[0]
>>> hit.name, hit.country, round(hit.lon, 2), round(hit.lat, 2)
('Przemyśl', 'PL', 22.77, 49.78)
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from dashboard.data.catalogue import GEODATA_DIR
from dashboard.data.limits import MAX_PLACE_RESULTS, MAX_QUERY_CHARS
from dashboard.data.textfold import fold, latinize
from dashboard.geo.cache import memoize
from dashboard.geo.errors import InputError

#: The gazetteer's file under :data:`~dashboard.data.catalogue.GEODATA_DIR`.
PLACES_FILE: str = "places.tsv"
#: Most places one search returns (the longest place name in the file has 61 characters).
MAX_RESULTS: int = MAX_PLACE_RESULTS
_COLUMNS = ("geonameid", "name", "lat", "lon", "country", "admin1", "feature_code",
            "population", "alt_names")
_TOP = "\U0010ffff"  # sorts after every folded text: the end of a prefix's range


@dataclass(frozen=True)
class GazetteerPlace:
    """A populated place (GeoNames feature class P): position in WGS84 degrees,
    ISO 3166-1 alpha-2 ``country``, GeoNames ``admin1`` code and ``feature_code``
    (PPL, PPLA..., PPLC), ``population`` (0: not known), other names it goes by."""

    geonameid: int
    name: str
    lon: float
    lat: float
    country: str
    admin1: str
    feature_code: str
    population: int
    alt_names: tuple[str, ...]

    def as_json(self) -> dict:
        """The place as the CLI prints it (``lat``/``lon`` in degrees)."""
        return {"name": self.name, "lat": self.lat, "lon": self.lon, "country": self.country,
                "admin1": self.admin1, "feature_code": self.feature_code,
                "population": self.population, "geonameid": self.geonameid,
                "alt_names": list(self.alt_names)}


@dataclass(frozen=True)
class _Index:
    """The places, most populous first, and their folded names in sorted order."""

    places: tuple[GazetteerPlace, ...]
    keys: tuple[str, ...]                    # every folded name, sorted, unique
    key_places: tuple[tuple[int, ...], ...]  # indices into places, per key
    words: tuple[str, ...]                   # folded names from their 2nd, 3rd... word on
    word_places: tuple[tuple[int, ...], ...]
    countries: frozenset[str]


def name_keys(name: str) -> set[str]:
    """The folded forms a name is found by: itself, and in Latin letters if Cyrillic.

    >>> sorted(name_keys("Львів")), sorted(name_keys("Przewodów"))
    (['lviv', 'львів'], ['przewodow'])
    """
    latin = latinize(name)
    return {k for k in {fold(name), fold(latin) if latin != name else ""} if k}


def _parse(text: str, source: str) -> list[GazetteerPlace]:
    lines = text.split("\n")
    if tuple(lines[0].split("\t")) != _COLUMNS:
        raise InputError(f"{source}: not a gazetteer file (header {lines[0][:80]!r})")
    places = []
    for n, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        f = line.split("\t")
        try:
            places.append(GazetteerPlace(int(f[0]), f[1], float(f[3]), float(f[2]), f[4], f[5],
                                         f[6], int(f[7]),
                                         tuple(f[8].split("|")) if f[8] else ()))
        except (IndexError, ValueError):
            raise InputError(f"{source}: line {n} is not a gazetteer row") from None
    return places


def _sorted_table(table: dict[str, set[int]]) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
    keys = tuple(sorted(table))
    return keys, tuple(tuple(sorted(table[k])) for k in keys)


@memoize(maxsize=2)
def _load(path: str, size: int, mtime_ns: int) -> _Index:
    """The parsed, indexed file (cached per file version: path, size, mtime)."""
    with open(path, encoding="utf-8") as fh:
        places = _parse(fh.read(), Path(path).name)
    places.sort(key=lambda p: (-p.population, p.name, p.geonameid))
    table: dict[str, set[int]] = defaultdict(set)
    words: dict[str, set[int]] = defaultdict(set)
    for i, p in enumerate(places):
        for name in (p.name, *p.alt_names):
            for key in name_keys(name):
                table[key].add(i)
                start = key.find(" ")
                while start >= 0:
                    words[key[start + 1:]].add(i)
                    start = key.find(" ", start + 1)
    keys, key_places = _sorted_table(table)
    word_keys, word_places = _sorted_table(words)
    return _Index(tuple(places), keys, key_places, word_keys, word_places,
                  frozenset(p.country for p in places))


def _index() -> _Index:
    path = GEODATA_DIR / PLACES_FILE
    try:
        st = path.stat()
    except OSError:
        raise InputError(f"the gazetteer {path} is missing; build it with "
                         "scripts/build_places.py") from None
    return _load(str(path), st.st_size, st.st_mtime_ns)


def all_places() -> tuple[GazetteerPlace, ...]:
    """Every place of the gazetteer, most populous first (shared: read only)."""
    return _index().places


def gazetteer_size() -> int:
    """How many places the gazetteer holds."""
    return len(_index().places)


def gazetteer_countries() -> tuple[str, ...]:
    """The countries (ISO 3166-1 alpha-2) the gazetteer covers, sorted."""
    return tuple(sorted(_index().countries))


def _query_keys(query: str) -> set[str]:
    raw = (query or "").strip()
    if not raw:
        raise InputError("type a place name to search for")
    if len(raw) > MAX_QUERY_CHARS:
        raise InputError(f"a place name is at most {MAX_QUERY_CHARS} characters, "
                         f"not {len(raw):,}")
    keys = name_keys(raw)
    if not keys:
        raise InputError(f"{raw[:40]!r} has no letters or digits to search for")
    return keys


def _country(index: _Index, country: str | None) -> str | None:
    if country is None:
        return None
    code = str(country).strip().upper()
    if code not in index.countries:
        raise InputError(f"country {str(country)[:20]!r}: the gazetteer covers "
                         f"{', '.join(sorted(index.countries))} (ISO 3166-1 alpha-2)")
    return code


def _exact(keys: tuple[str, ...], places: tuple[tuple[int, ...], ...], key: str) -> set[int]:
    i = bisect.bisect_left(keys, key)
    return set(places[i]) if i < len(keys) and keys[i] == key else set()


def _prefixed(keys: tuple[str, ...], places: tuple[tuple[int, ...], ...], key: str) -> set[int]:
    lo, hi = bisect.bisect_left(keys, key), bisect.bisect_left(keys, key + _TOP)
    out: set[int] = set()
    for ids in places[lo:hi]:
        out.update(ids)
    return out


def search_places(query: str, *, country: str | None = None,
                  limit: int = 20) -> list[GazetteerPlace]:
    """Places whose name or an alternate name matches ``query``, ignoring case,
    accents and punctuation, in Latin or Cyrillic letters: those named exactly so
    first, then those whose name starts with it, then those with a later word
    starting with it; each group most populous first.  ``country`` (ISO alpha-2)
    keeps that country's places only.  At most ``limit`` places.

    Raises
    ------
    InputError
        An empty or over-long query, a country the gazetteer does not cover, or a
        ``limit`` outside 1..:data:`MAX_RESULTS`.
    """
    keys = _query_keys(query)
    index = _index()
    code = _country(index, country)
    if not 1 <= int(limit) <= MAX_RESULTS:
        raise InputError(f"limit must be 1 to {MAX_RESULTS}, not {limit}")
    groups = ((index.keys, index.key_places, _exact),       # named exactly so
              (index.keys, index.key_places, _prefixed),    # a name starting with it
              (index.words, index.word_places, _prefixed))  # a later word starting with it
    found: list[GazetteerPlace] = []
    seen: set[int] = set()
    for table, ids_of, match in groups:
        group: set[int] = set()
        for key in keys:
            group |= match(table, ids_of, key)
        for i in sorted(group - seen):  # index order: most populous first
            seen.add(i)
            place = index.places[i]
            if code is None or place.country == code:
                found.append(place)
                if len(found) >= limit:
                    return found
    return found


def places_named(name: str, *, country: str | None = None) -> list[GazetteerPlace]:
    """Every place whose name or an alternate name is ``name`` once folded (in either
    script), most populous first: more than one means the name alone is ambiguous.

    >>> [(p.name, p.admin1) for p in places_named("Grindu", country="RO")]
    [('Grindu', '22'), ('Grindu', '37'), ('Cocorăștii Grind', '30')]
    """
    keys = _query_keys(name)
    index = _index()
    code = _country(index, country)
    ids: set[int] = set()
    for key in keys:
        ids |= _exact(index.keys, index.key_places, key)
    return [index.places[i] for i in sorted(ids)
            if code is None or index.places[i].country == code]
