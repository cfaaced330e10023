"""Which of the gazetteer's places the brief names at village scale, most important first.

The brief's detail inset, and the main map when it shows a village-scale view
(a frame at most :data:`VILLAGE_VIEW_M` wide), name the places of the village-level
gazetteer (``geodata/places.tsv``, :mod:`dashboard.data.gazetteer`) inside the
frame, most important first, by the live map's rule (``scripts/build_place_tiles.py``):
population where known (0 = not known comes last), then the feature class
(:data:`SEAT_ORDER`: the capital, then the seats PPLA, PPLA2, PPLA3, PPLA4, then
other places), then name and geonameid, so the order is total and deterministic.

Left out: the places a map already draws as cities (same ``geonameid`` as a
point of the scene's ``cities`` layer, when that layer is drawn on the map), and
places named like an incident's village in the frame (the incident's own label
names it).  :func:`~dashboard.render.brief.labelling.place_village_labels` then
places the names greedily with the other labels and marks each named place
with a small dot.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from dashboard.data.catalogue import GEODATA_DIR
from dashboard.data.gazetteer import PLACES_FILE, all_places
from dashboard.data.textfold import fold
from dashboard.geo.cache import memoize
from dashboard.render.brief.layout import MapView
from dashboard.scene.incident_labels import incident_village
from dashboard.scene.model import Scene

#: A main map frame at most this wide (metres) is at village scale and names villages.
VILLAGE_VIEW_M: float = 60_000.0
#: Feature codes in order of importance (GeoNames: capital, seats of first- to
#: fourth-order divisions); every other code comes after them.
SEAT_ORDER: tuple[str, ...] = ("PPLC", "PPLA", "PPLA2", "PPLA3", "PPLA4")
#: Most places one map tries to name (the most important of its frame).
MAX_CANDIDATES: int = 400
#: The layer name of the brief's village labels (as the live map's ``spec.places``).
PLACES_LAYER: str = "places"


@dataclass(frozen=True)
class VillageMark:
    """A gazetteer place to name: ``lon``/``lat`` degrees, ``x``/``y`` map metres."""

    geonameid: int
    name: str
    lon: float
    lat: float
    x: float
    y: float
    population: int
    feature_code: str


def seat_rank(code: str) -> int:
    """Rank of a feature code in :data:`SEAT_ORDER` (others after every seat).

    >>> seat_rank("PPLC"), seat_rank("PPLA3"), seat_rank("PPL")
    (0, 3, 5)
    """
    return SEAT_ORDER.index(code) if code in SEAT_ORDER else len(SEAT_ORDER)


def importance_key(population: int, feature_code: str, name: str, geonameid: int) -> tuple:
    """Sort key, most important first: population, seat, name, geonameid.

    >>> sorted([(0, "PPLA3", "Telatyn", 2), (1491, "PPL", "Dołhobyczów", 3), (0, "PPL", "A", 1)],
    ...        key=lambda p: importance_key(*p))[0][2]
    'Dołhobyczów'
    """
    return (-int(population), seat_rank(feature_code), name, int(geonameid))


@dataclass(frozen=True)
class _Table:
    """The gazetteer's places as arrays, most important first."""

    ids: np.ndarray
    names: tuple[str, ...]
    lon: np.ndarray
    lat: np.ndarray
    population: np.ndarray
    codes: tuple[str, ...]


@memoize(maxsize=2)
def _load(path: str, size: int, mtime_ns: int) -> _Table:
    """The gazetteer's places as arrays, most important first (cached per file version)."""
    rows = [(p.geonameid, p.name, p.lon, p.lat, p.population, p.feature_code)
            for p in all_places()]
    rows.sort(key=lambda r: importance_key(r[4], r[5], r[1], r[0]))
    return _Table(np.array([r[0] for r in rows], dtype=np.int64), tuple(r[1] for r in rows),
                  np.array([r[2] for r in rows], dtype=float), np.array([r[3] for r in rows], dtype=float),
                  np.array([r[4] for r in rows], dtype=np.int64), tuple(r[5] for r in rows))


def _table() -> _Table | None:
    """The gazetteer, or None without its file (the brief is then drawn without villages)."""
    path = GEODATA_DIR / PLACES_FILE
    try:
        st = path.stat()
    except OSError:
        return None
    return _load(str(path), st.st_size, st.st_mtime_ns)


def drawn_city_ids(scene: Scene) -> frozenset[int]:
    """The geonameids of the scene's ``cities`` layer (empty when it is not in the scene)."""
    cities = scene.layer("cities")
    if cities is None or "geonameid" not in cities.gdf.columns:
        return frozenset()
    return frozenset(int(v) for v in cities.gdf["geonameid"].dropna().to_numpy())


def incident_villages(scene: Scene, view: MapView) -> frozenset[str]:
    """The folded village names of the scene's incidents inside ``view``'s frame."""
    layer = scene.layer("incidents")
    if layer is None or "id" not in layer.gdf.columns or not len(layer.gdf):
        return frozenset()
    gdf = layer.gdf
    pts = gdf.geometry.representative_point()
    x, y = view.proj.to_xy(pts.x.to_numpy(dtype=float), pts.y.to_numpy(dtype=float))
    fx0, fy0, fx1, fy1 = view.frame
    inside = (np.asarray(x) >= fx0) & (np.asarray(x) <= fx1) & (np.asarray(y) >= fy0) & (np.asarray(y) <= fy1)
    places = gdf["place"].to_numpy() if "place" in gdf.columns else [None] * len(gdf)
    return frozenset(fold(incident_village(str(i), p if isinstance(p, str) else None))
                     for i, p, k in zip(gdf["id"].to_numpy(), places, inside) if k)


def is_village_scale(view: MapView) -> bool:
    """True when ``view``'s frame is at most :data:`VILLAGE_VIEW_M` wide."""
    return view.frame[2] - view.frame[0] <= VILLAGE_VIEW_M


def village_marks(view: MapView, *, skip_ids: Iterable[int] = (),
                  skip_names: Iterable[str] = ()) -> list[VillageMark]:
    """The gazetteer's places inside ``view``'s frame, most important first.

    At most :data:`MAX_CANDIDATES`; ``skip_ids`` (geonameids: places drawn as
    cities) and ``skip_names`` (folded names: incidents' villages) are left out.
    """
    table = _table()
    if table is None:
        return []
    lw, ls, le, ln = view.frame_ll
    near = np.flatnonzero((table.lon >= lw - 0.05) & (table.lon <= le + 0.05) &
                          (table.lat >= ls - 0.05) & (table.lat <= ln + 0.05))
    if not len(near):
        return []
    x, y = view.proj.to_xy(table.lon[near], table.lat[near])
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    fx0, fy0, fx1, fy1 = view.frame
    inside = (x >= fx0) & (x <= fx1) & (y >= fy0) & (y <= fy1)
    ids, names = set(skip_ids), set(skip_names)
    out: list[VillageMark] = []
    for j in np.flatnonzero(inside):  # ``near`` keeps the table's order: most important first
        i = int(near[j])
        gid, name = int(table.ids[i]), table.names[i]
        if gid in ids or fold(name) in names:
            continue
        out.append(VillageMark(gid, name, float(table.lon[i]), float(table.lat[i]), float(x[j]), float(y[j]),
                               int(table.population[i]), table.codes[i]))
        if len(out) >= MAX_CANDIDATES:
            break
    return out
