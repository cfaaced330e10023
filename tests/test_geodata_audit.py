"""Outside audit of geodata/ (issue 18): cities counted twice, clip-box edges that were
geodesics, NATO founders' date, the coverage box in the manifest.

Every check recomputes from the source archive or with pyproj, independently of the
build script's code (its tables of documented exceptions are read from MANIFEST.json
and must each carry a reason).
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
import tarfile

import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import shape

from conftest import GEODATA, ROOT, geodata_features

SECTION_CODES = {"PPLX", "PPLH", "PPLCH", "PPLQ", "PPLW"}
BOX = (4.0, 40.0, 45.0, 72.0)

#: Cities whose administrative unit is a whole admin1 (or admin2) city, by geonameid:
#: how many admin codes make that unit (federal cities, a metropolitan province,
#: capital-city regions). Written from the administrative geography, not the script.
CITY_UNIT_DEPTH = {745044: 1, 524901: 1, 498817: 1, 2800866: 1, 785842: 1, 694423: 1, 792680: 2}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((GEODATA / "MANIFEST.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dump() -> dict[int, dict]:
    """Every 15,000+ populated place (class P, no section) of the GeoNames dump in the box."""
    spec = importlib.util.spec_from_file_location("build_geodata", ROOT / "scripts" / "build_geodata.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build
    try:
        spec.loader.exec_module(build)
    finally:
        sys.modules.pop(spec.name, None)
    archive = build.fetch(build.PACKAGES["cities500"], ROOT / "build" / "cache")
    with tarfile.open(archive, "r:gz") as tf:
        text = tf.extractfile("package/dist/cities500.txt").read().decode("utf-8")
    out = {}
    for line in text.splitlines():
        f = line.split("\t")
        lat, lon, pop = float(f[4]), float(f[5]), int(f[14] or 0)
        if BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3] and pop >= 15000 \
                and f[6] == "P" and f[7] not in SECTION_CODES:
            path = [f[10], f[11], f[12], f[13]]
            while path and not path[-1]:
                path.pop()
            out[int(f[0])] = {"name": f[1], "code": f[7], "country": f[8], "path": tuple(path),
                              "population": pop, "lon": lon, "lat": lat}
    return out


def _unit(place: dict, gid: int) -> tuple[str, ...] | None:
    """The municipality (or city unit) of a seat, or None when its codes stop above admin3."""
    if gid in CITY_UNIT_DEPTH:
        return place["path"][:CITY_UNIT_DEPTH[gid]]
    return place["path"] if len(place["path"]) >= 3 else None


def _is_seat(place: dict) -> bool:
    return place["code"] == "PPLC" or place["code"].startswith("PPLA")


def _kept(manifest) -> set[int]:
    kept = manifest["checks"]["cities"]["kept_although_coded_inside_bigger_city"]
    assert len(kept) <= 15 and all(len(why) > 40 for why in kept.values()), kept
    return {int(g) for g in kept}


# --------------------------------------------------------------------------
# 1. no one counted twice
# --------------------------------------------------------------------------
@pytest.mark.slow  # reads the pinned GeoNames dump (fetched from its registry when not cached)
def test_no_city_lies_in_the_municipality_of_a_bigger_city_that_counts_it(dump, manifest):
    layer = {f["properties"]["geonameid"] for f in geodata_features("cities")}
    kept = _kept(manifest)
    assert kept <= layer
    checked = 0
    for gid in sorted(layer):
        seat = dump[gid]
        unit = _unit(seat, gid)
        if not _is_seat(seat) or unit is None:
            continue
        inside = [o for o in layer - {gid} if dump[o]["country"] == seat["country"]
                  and dump[o]["path"][:len(unit)] == unit]
        if any(dump[o]["population"] >= seat["population"] for o in inside):
            continue  # the seat is not its unit's biggest place (Venice's historic centre)
        checked += 1
        assert set(inside) <= kept, (seat["name"], [dump[o]["name"] for o in set(inside) - kept])
    assert checked > 1000


@pytest.mark.slow
def test_the_layer_is_the_dump_less_exactly_the_parts_of_bigger_cities(dump, manifest):
    """The places left out are precisely those of the rule (brute force over all pairs)."""
    kept = _kept(manifest)
    parts = set()
    for gid, seat in dump.items():
        unit = _unit(seat, gid)
        if not _is_seat(seat) or unit is None:
            continue
        inside = [o for o, p in dump.items() if o != gid and p["country"] == seat["country"]
                  and p["path"][:len(unit)] == unit]
        if inside and all(dump[o]["population"] < seat["population"] for o in inside):
            parts |= set(inside) - kept
    layer = {f["properties"]["geonameid"] for f in geodata_features("cities")}
    assert layer == set(dump) - parts
    listed = manifest["checks"]["cities"]["dropped_inside_bigger_city"]
    ids = {int(m) for v in listed.values() for s in v for m in re.findall(r"\((\d+), \d+\) in ", s)}
    assert ids == parts and len(parts) == 132
    assert {k: len(v) for k, v in listed.items()} == {
        "AT": 1, "BE": 18, "CH": 3, "DE": 1, "FI": 3, "FR": 16, "IT": 26, "MK": 4, "PL": 18,
        "RS": 1, "RU": 16, "TR": 24, "UA": 1}


@pytest.mark.slow
def test_capitals_count_only_their_own_people(dump, manifest):
    """Brute force per capital: the layer's population inside the capital's unit is the
    capital's own; any other place within 5 km of it lies in another municipality."""
    cities = {f["properties"]["geonameid"]: f["properties"] for f in geodata_features("cities")}
    capitals = [g for g in cities if dump[g]["code"] == "PPLC"]
    assert {"Warsaw", "Kyiv", "Minsk", "Riga", "Vilnius", "Bucharest", "Moscow", "Brussels"} \
        <= {cities[g]["name"] for g in capitals}
    # genuinely separate towns coded in a capital's unit: the capital is coded only to its
    # region (Bratislava: admin1 02 is the Bratislava Region) or the town is its own town in
    # the capital's municipality (Codru in Chisinau municipality); Frederiksberg is a
    # municipality of its own enclosed by Copenhagen; Troitsk, Shcherbinka and Moskovskiy
    # joined Moscow in 2012, after the 2002 census count GeoNames gives Moscow; Obrenovac,
    # Lazarevac and Sremčica are towns of the City of Belgrade outside its urban count
    separate = {"Codru", "Pezinok", "Malacky", "Stupava", "Frederiksberg", "Troitsk", "Shcherbinka",
                "Moskovskiy", "Obrenovac", "Lazarevac", "Sremčica"}
    for gid in capitals:
        cap = dump[gid]
        unit = cap["path"][:CITY_UNIT_DEPTH.get(gid, len(cap["path"]))]
        inside = [g for g in cities if g != gid and dump[g]["country"] == cap["country"]
                  and dump[g]["path"][:len(unit)] == unit]
        others = sum(cities[g]["population"] for g in inside if cities[g]["name"] in separate)
        total = sum(cities[g]["population"] for g in [gid, *inside])
        assert total == cap["population"] + others, (cap["name"], [cities[g]["name"] for g in inside])
        for g in cities:
            if g != gid and dump[g]["country"] == cap["country"]:
                d = GEOD.inv(cap["lon"], cap["lat"], dump[g]["lon"], dump[g]["lat"])[2]
                near_in_unit = d < 5000 and dump[g]["path"][:len(unit)] == unit
                assert not near_in_unit or cities[g]["name"] in separate, (cap["name"], cities[g]["name"], d)
    warsaw = next(g for g in capitals if cities[g]["name"] == "Warsaw")
    in_warsaw = [p for g, p in cities.items() if dump[g]["path"][:3] == ("78", "1465", "146501")]
    assert [p["name"] for p in in_warsaw] == ["Warsaw"] and cities[warsaw]["population"] == 1_702_139


def test_city_districts_named_by_the_audit_are_gone():
    names = {(f["properties"]["name"], f["properties"]["country"]) for f in geodata_features("cities")}
    for part in (("Mokotów", "PL"), ("Praga Południe", "PL"), ("Śródmieście", "PL"), ("Fordon", "PL"),
                 ("Marseille 01", "FR"), ("Fuorigrotta", "IT"), ("Üsküdar", "TR"), ("Kolpino", "RU"),
                 ("Zelenograd", "RU"), ("Anderlecht", "BE"), ("Zemun", "RS")):
        assert part not in names, part
    for city in (("Warsaw", "PL"), ("Kraków", "PL"), ("Łódź", "PL"), ("Lviv", "UA"), ("Kyiv", "UA"),
                 ("Minsk", "BY"), ("Bucharest", "RO"), ("Istanbul", "TR"), ("Mestre", "IT"),
                 ("Ząbki", "PL"), ("Troitsk", "RU"), ("Obrenovac", "RS")):
        assert city in names, city


# --------------------------------------------------------------------------
# 2. clip-box edges follow their parallels
# --------------------------------------------------------------------------
def test_clip_box_edges_follow_their_parallels():
    on_edge_km = {40.0: 0.0, 72.0: 0.0}
    worst_m = 0.0
    for f in geodata_features("countries"):
        for part in shapely.get_parts(shape(f["geometry"])):
            for ring in (part.exterior, *part.interiors):
                xy = list(ring.coords)
                for x, y in xy:
                    for lat in on_edge_km:
                        # a vertex within 2 m of an edge lies on it
                        assert y == lat or abs(y - lat) > 2e-5, (f["properties"]["iso_a2"], x, y)
                for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
                    if y0 == y1 and y0 in on_edge_km:
                        az, _, d = GEOD.inv(x0, y0, x1, y1)
                        mlon, mlat, _ = GEOD.fwd(x0, y0, az, d / 2)
                        worst_m = max(worst_m, GEOD.inv(mlon, y0, mlon, mlat)[2])
                        on_edge_km[y0] += d / 1000.0
    # Turkey's, Greece's and Italy's outlines run 1,596 km and more along 40 N
    assert on_edge_km[40.0] > 1500.0, on_edge_km
    assert worst_m < 1.0, worst_m


# --------------------------------------------------------------------------
# 3. NATO membership dates (DATA_SOURCES)
# --------------------------------------------------------------------------
NATO_DATES = {"PL": "1999-03-12", "CZ": "1999-03-12", "HU": "1999-03-12",
              "EE": "2004-03-29", "LV": "2004-03-29", "LT": "2004-03-29", "SK": "2004-03-29",
              "RO": "2004-03-29", "BG": "2004-03-29", "SI": "2004-03-29",
              "FI": "2023-04-04", "SE": "2024-03-07",
              "NO": "1949-08-24", "DK": "1949-08-24", "IT": "1949-08-24", "NL": "1949-08-24",
              "BE": "1949-08-24", "FR": "1949-08-24", "LU": "1949-08-24"}


def test_nato_dates_are_those_of_data_sources():
    since = {f["properties"]["iso_a2"]: f["properties"]["nato_member_since"] for f in geodata_features("countries")}
    for iso, date in NATO_DATES.items():
        if iso in since:
            assert since[iso] == date, (iso, since[iso], date)
    assert {"PL", "NO", "FI", "SE", "RO", "EE"} <= set(since)
    assert "1949-04-04" not in since.values()
    border = {f["properties"]["id"]: f["properties"] for f in geodata_features("nato_border")}
    for seg in border.values():
        assert seg["nato_since"] == NATO_DATES[seg["member"]], seg
    assert border["NO-RU"]["nato_since"] == "1949-08-24"


# --------------------------------------------------------------------------
# 4. coverage box in the manifest
# --------------------------------------------------------------------------
def test_manifest_records_the_coverage_box(manifest):
    cov = manifest["coverage"]
    assert (cov["west"], cov["south"], cov["east"], cov["north"]) == BOX
    assert "outside this box distances to the border are not measured" in cov["meaning"]
    xy = shapely.get_coordinates(shapely.union_all([shape(f["geometry"]) for f in geodata_features("countries")]))
    assert xy[:, 0].min() == BOX[0] and xy[:, 0].max() == BOX[2]
    assert xy[:, 1].min() == BOX[1] and xy[:, 1].max() <= BOX[3]
