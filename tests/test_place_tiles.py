"""The village-scale place tiles (scripts/build_place_tiles.py): the committed files equal
a rebuild byte for byte; every place of the gazetteer not drawn as a city is in exactly one
tile of exactly one band, the right band for its population and the tile holding its
position; the index is consistent with the files; the tile sizes fit the first-load budget."""
from __future__ import annotations

import csv
import json
import math
from functools import cache

import pytest

from conftest import GEODATA, ROOT, geodata_features, script_module
from dashboard.render.geotable import PLACES_DIR, read_header

PLACES = ROOT / "dashboard" / "ui" / "mapview" / "frontend" / "places"


@cache
def build():
    return script_module("build_place_tiles")


@cache
def files() -> dict[str, bytes]:
    return build().expected_files()


def _rows() -> list[dict]:
    with open(GEODATA / "places.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_committed_files_equal_a_rebuild():
    assert PLACES_DIR == PLACES
    assert build().stale(PLACES, files()) == []


def test_every_place_in_exactly_one_tile_of_its_band():
    cities = {str(f["properties"]["geonameid"]) for f in geodata_features("cities")}
    index = json.loads(files()["index.json"])
    seen: dict[str, tuple[str, str]] = {}
    for band in index["bands"]:
        for key, tile in band["tiles"].items():
            header = read_header(files()[tile["file"]])
            assert len(header["ids"]) == tile["places"] > 0
            for gid in header["ids"]:
                assert gid not in seen, (gid, seen.get(gid), band["band"], key)
                seen[gid] = (band["band"], key)
    rows = {r["geonameid"]: r for r in _rows()}
    assert set(seen) == set(rows) - cities
    assert index["places"] == len(seen) and index["left_to_cities"] == len(rows) - len(seen)
    bands = {b["band"]: b for b in index["bands"]}
    for gid, (band, key) in seen.items():
        r = rows[gid]
        pop = int(r["population"] or 0)
        want = "A" if pop >= 10_000 else ("B" if pop >= 1_000 else "C")
        assert band == want, (r["name"], pop, band)
        d = bands[band]["tileDeg"]
        if d:
            x, y = (int(v) for v in key.split("_"))
            lon, lat = float(r["lon"]), float(r["lat"])
            assert x <= lon < x + d and y <= lat < y + d, (r["name"], key)
            assert x % d == 0 and y % d == 0
        else:
            assert key == "all"


def test_tiles_cover_the_region_and_hold_their_places_in_importance_order():
    index = json.loads(files()["index.json"])
    lons = [float(r["lon"]) for r in _rows()]
    lats = [float(r["lat"]) for r in _rows()]
    for band in index["bands"]:
        d = band["tileDeg"]
        for key, tile in band["tiles"].items():
            header = read_header(files()[tile["file"]])
            pops = [p["population"] for p in header["props"]]
            assert pops == sorted(pops, reverse=True)
            if d:
                x, y = (int(v) for v in key.split("_"))
                assert math.floor(min(lons)) - d < x <= max(lons) and math.floor(min(lats)) - d < y <= max(lats)


def test_index_and_browser_index_agree_with_the_files():
    f = files()
    index = json.loads(f["index.json"])
    browser_name = index["url"].removeprefix("places/")
    assert browser_name.startswith("tiles.") and browser_name in f
    browser = json.loads(f[browser_name])
    assert [b["band"] for b in browser["bands"]] == ["A", "B", "C"]
    assert [b["minZoom"] for b in browser["bands"]] == [7.0, 9.0, 11.0]
    names = {n for n in f if n.endswith(".bin")}
    listed = set()
    for b, ib in zip(browser["bands"], index["bands"]):
        assert b["tiles"] == {k: t["file"] for k, t in ib["tiles"].items()}
        listed |= set(b["tiles"].values())
        assert ib["bytes"] == sum(len(f[t["file"]]) for t in ib["tiles"].values())
    assert listed == names
    for n in names:  # content-hashed names
        assert n.split(".")[1] == build().file_hash(f[n])


@pytest.mark.parametrize("name,band", [("Dołhobyczów", "B"), ("Mircze", "B"), ("Telatyn", "C")])
def test_villages_near_przewodow_are_tiled(name, band):
    index = json.loads(files()["index.json"])
    row = next(r for r in _rows() if r["name"] == name)
    tiles = {b["band"]: b for b in index["bands"]}[band]
    key = build().tile_key(float(row["lon"]), float(row["lat"]), tiles["tileDeg"])
    header = read_header(files()[tiles["tiles"][key]["file"]])
    assert row["geonameid"] in header["ids"]
