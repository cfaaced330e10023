#!/usr/bin/env python
"""Write the live map's village-scale place tiles, byte for byte.

Usage::

    python scripts/build_place_tiles.py            # rewrite dashboard/ui/mapview/frontend/places/
    python scripts/build_place_tiles.py --check    # exit 1 if the committed files are stale
    python scripts/build_place_tiles.py --out DIR  # build elsewhere

The places of the gazetteer ``geodata/places.tsv`` (:mod:`dashboard.data.gazetteer`,
GeoNames ``cities500``) that the ``cities`` layer does not already draw (same
``geonameid``) are split by importance into three **bands**, each shown from a zoom on
and split into square **tiles** so that the map fetches only what its view needs:

=====  ===========================  ============  ==========  =====================
band   places                       from zoom     tiles       fetched
=====  ===========================  ============  ==========  =====================
A      population >= 10,000         7             one file    from zoom 7, anywhere
B      1,000 <= population < 10,000 9             2° x 2°     the tiles the view touches
C      population < 1,000 or unknown 11           1° x 1°     the tiles the view touches
=====  ===========================  ============  ==========  =====================

A tile holds the places whose (lon, lat) lies in ``[x, x + size) x [y, y + size)``
degrees, ``x``, ``y`` multiples of the size (its key ``"x_y"``; band A's one key is
``"all"``), so every place is in exactly one tile of exactly one band.

Each tile is a point GeoTable (:mod:`dashboard.render.geotable`, binary form) with ids
``geonameid`` and props ``name``, ``population`` (0: not known) and ``feature_code``,
**most important first**: population (where known), then the feature class
(:data:`SEAT_ORDER`: the capital, then the seats PPLA, PPLA2, PPLA3, PPLA4, then
other places), then name and geonameid.  Its name is ``<band>_<key>.<sha12>.bin``
(sha1 of its bytes: a tile never changes without changing its name; the browser
caches it like the static layers).  ``tiles.<sha12>.json`` is the browser's index
(``{"bands": [{"band", "minZoom", "tileDeg", "tiles": {key: file name}}]}``, 0 degree
for one file), and ``index.json`` (read by Python only,
:func:`dashboard.render.geotable.places_index`) names it and counts every tile's
places and bytes.  Files of older builds are removed; ``tests/test_place_tiles.py``
fails when the committed files differ from a rebuild.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dashboard.data.catalogue import GEODATA_DIR
from dashboard.io.layers_io import load_layer
from dashboard.render.geotable import PLACES_DIR, GeoTable, file_hash, to_bin

#: The bands: (name, least population, the zoom it is shown from, tile size in degrees;
#: 0 = one file).  A place belongs to the first band whose least population it reaches.
BANDS: tuple[tuple[str, int, float, int], ...] = (
    ("A", 10_000, 7.0, 0),
    ("B", 1_000, 9.0, 2),
    ("C", 0, 11.0, 1),
)
#: Feature codes in order of importance (GeoNames: capital, seats of first- to fourth-order
#: divisions); every other code comes after them.
SEAT_ORDER: tuple[str, ...] = ("PPLC", "PPLA", "PPLA2", "PPLA3", "PPLA4")
FIELDS: tuple[str, ...] = ("name", "population", "feature_code")
INDEX_NAME = "index.json"


@dataclass(frozen=True)
class Place:
    """A gazetteer row as the tiles need it (degrees, population 0 when not known)."""

    geonameid: str
    name: str
    lon: float
    lat: float
    population: int
    feature_code: str


def read_places(path: Path = GEODATA_DIR / "places.tsv") -> list[Place]:
    """Every row of the gazetteer file."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [Place(r["geonameid"], r["name"], float(r["lon"]), float(r["lat"]),
                  int(r["population"] or 0), r["feature_code"]) for r in rows]


def city_ids() -> frozenset[str]:
    """The geonameids the ``cities`` layer draws (left out of the tiles)."""
    return frozenset(load_layer("cities")["geonameid"].astype(str))


def seat_rank(code: str) -> int:
    """0 for the capital ... 4 for a PPLA4 seat, 5 for any other place.

    >>> seat_rank("PPLA2"), seat_rank("PPL")
    (2, 5)
    """
    return SEAT_ORDER.index(code) if code in SEAT_ORDER else len(SEAT_ORDER)


def importance_key(p: Place) -> tuple:
    """Sort key, most important first: population, feature class, name, id."""
    return (-p.population, seat_rank(p.feature_code), p.name, int(p.geonameid))


def band_of(population: int) -> tuple[str, int, float, int]:
    """The band of a place of ``population`` (0: not known).

    >>> band_of(12_000)[0], band_of(10_000)[0], band_of(9_999)[0], band_of(0)[0]
    ('A', 'A', 'B', 'C')
    """
    return next(b for b in BANDS if population >= b[1])


def tile_key(lon: float, lat: float, size: int) -> str:
    """The key ``"x_y"`` of the ``size``-degree tile holding (lon, lat); ``"all"`` for size 0.

    >>> tile_key(23.93, 50.47, 2), tile_key(-0.5, 50.0, 1), tile_key(24.0, 50.0, 0)
    ('22_50', '-1_50', 'all')
    """
    if size <= 0:
        return "all"
    return f"{math.floor(lon / size) * size}_{math.floor(lat / size) * size}"


def tiles_of(places: list[Place]) -> dict[tuple[str, str], list[Place]]:
    """``{(band, key): places, most important first}``."""
    out: dict[tuple[str, str], list[Place]] = {}
    for p in places:
        band, _, _, size = band_of(p.population)
        out.setdefault((band, tile_key(p.lon, p.lat, size)), []).append(p)
    return {k: sorted(v, key=importance_key) for k, v in sorted(out.items())}


def tile_table(places: list[Place]) -> GeoTable:
    """The places as a point GeoTable (ids geonameid, props :data:`FIELDS`)."""
    coords = np.asarray([(p.lon, p.lat) for p in places], dtype=float).reshape(-1)
    return GeoTable(kind="point", ids=tuple(p.geonameid for p in places),
                    props=tuple({"name": p.name, "population": p.population,
                                 "feature_code": p.feature_code} for p in places),
                    coords=coords, rings=None, parts=None,
                    part_feature=np.arange(len(places), dtype=np.uint32))


def _json(obj: object) -> bytes:
    return (json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            + "\n").encode("utf-8")


def expected_files(places: list[Place] | None = None,
                   cities: frozenset[str] | None = None) -> dict[str, bytes]:
    """Every file the places directory should hold, by name, with its bytes."""
    every = read_places() if places is None else places
    drawn = city_ids() if cities is None else cities
    shown = [p for p in every if p.geonameid not in drawn]
    files: dict[str, bytes] = {}
    bands = {b[0]: {"band": b[0], "minPopulation": b[1], "minZoom": b[2], "tileDeg": b[3],
                    "tiles": {}} for b in BANDS}
    counts: dict[str, dict] = {b[0]: {} for b in BANDS}
    for (band, key), members in tiles_of(shown).items():
        data = to_bin(tile_table(members))
        name = f"{band}_{key}.{file_hash(data)}.bin"
        files[name] = data
        bands[band]["tiles"][key] = name
        counts[band][key] = {"file": name, "places": len(members), "bytes": len(data)}
    browser = _json({"bands": [{k: v for k, v in b.items() if k != "minPopulation"}
                               for b in bands.values()], "fields": list(FIELDS)})
    browser_name = f"tiles.{file_hash(browser)}.json"
    files[browser_name] = browser
    index = {"url": f"places/{browser_name}", "bytes": len(browser),
             "minZoom": min(b[2] for b in BANDS), "fields": list(FIELDS),
             "places": len(shown), "left_to_cities": len(every) - len(shown),
             "bands": [{"band": b[0], "minPopulation": b[1], "minZoom": b[2], "tileDeg": b[3],
                        "places": sum(c["places"] for c in counts[b[0]].values()),
                        "bytes": sum(c["bytes"] for c in counts[b[0]].values()),
                        "tiles": counts[b[0]]} for b in BANDS]}
    files[INDEX_NAME] = (json.dumps(index, indent=1, sort_keys=True, ensure_ascii=False)
                         + "\n").encode("utf-8")
    return files


def _managed(out_dir: Path) -> set[str]:
    return ({p.name for p in out_dir.glob("*.bin")} | {p.name for p in out_dir.glob("tiles.*.json")}
            | ({INDEX_NAME} if (out_dir / INDEX_NAME).exists() else set()))


def stale(out_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Names in ``out_dir`` that differ from ``files``, are missing or are left over."""
    wrong = [n for n, data in files.items()
             if not (out_dir / n).is_file() or (out_dir / n).read_bytes() != data]
    return sorted(set(wrong) | (_managed(out_dir) - set(files)))


def write_files(out_dir: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    """Write ``files`` into ``out_dir`` (only those that differ) and remove the tiles,
    browser indexes and index of older builds; returns ``files``.  Shared with
    ``scripts/build_context_tiles.py``, which tiles lines and polygons the same way."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = out_dir / name
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    for name in _managed(out_dir) - set(files):
        (out_dir / name).unlink()
    return files


def build(out_dir: Path = PLACES_DIR) -> dict[str, bytes]:
    """Write the files into ``out_dir`` and remove older tiles; returns the files."""
    return write_files(out_dir, expected_files())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=PLACES_DIR, help="output directory")
    ap.add_argument("--check", action="store_true",
                    help="only compare; exit 1 when the directory is out of date")
    args = ap.parse_args(argv)
    if args.check:
        wrong = stale(args.out, expected_files())
        for name in wrong:
            print(f"stale: {name}", file=sys.stderr)
        return 1 if wrong else 0
    files = build(args.out)
    index = json.loads(files[INDEX_NAME])
    for b in index["bands"]:
        print(f"band {b['band']}: {b['places']:>6,} places in {len(b['tiles']):>3} tiles, "
              f"{b['bytes']:>9,} bytes (largest tile "
              f"{max((t['bytes'] for t in b['tiles'].values()), default=0):,})")
    print(f"{sum(len(d) for d in files.values()):>10,} bytes in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
