"""Incidents are labelled by their village and date (dashboard.scene.incident_labels),
on the map (the ``label`` field the incidents layer is labelled by) and in the brief:
the rule is checked on every shipped incident against a table written by hand."""
from __future__ import annotations

import pytest

from conftest import catalogue
from dashboard.render.deck import build_args
from dashboard.scene.compose import build_scene
from dashboard.scene.incident_labels import incident_label, incident_village
from dashboard.scene.request import SceneRequest

#: id -> the label a reader expects (written by hand from each incident's place).
EXPECTED: dict[str, str] = {
    "2022-03-10-zagreb": "Zagreb · 2022-03-10",
    "2022-11-15-przewodow": "Przewodów · 2022-11-15",
    "2023-09-04-plauru": "Plauru · 2023-09-04",
    "2023-09-13-nufaru": "Nufăru · 2023-09-13",
    "2023-10-12-ceatalchioi": "Ceatalchioi · 2023-10-12",
    "2025-02-13-ceadir-lunga": "Ceadîr-Lunga · 2025-02-13",
    "2025-07-10-sumskas": "Šumskas · 2025-07-10",
    "2025-07-28-gaiziunai": "Gaižiūnai · 2025-07-28",
    "2025-09-10-czosnowka": "Czosnówka · 2025-09-10",
    "2025-09-10-krzywowierzba-kolonia": "Krzywowierzba-Kolonia · 2025-09-10",
    "2025-09-10-nowe-miasto-nad-pilica": "Nowe Miasto nad Pilicą · 2025-09-10",
    "2025-09-10-rabiany-sewerynow": "Rabiany–Sewerynów · 2025-09-10",
    "2025-09-10-wyryki": "Wyryki · 2025-09-10",
    "2025-09-13-chilia-veche": "Chilia Veche · 2025-09-13",
    "2025-09-19-vaindloo": "Vaindloo · 2025-09-19",
    "2025-09-20-korsze": "Korsze · 2025-09-20",
    "2025-09-30-wielki-leck": "Wielki Łęck · 2025-09-30",
    "2025-10-04-zareby-warcholy": "Zaręby Warchoły · 2025-10-04",
    "2025-10-05-vilnius-region": "Vilnius region · 2025-10-05",
    "2026-05-29-galati": "Galați · 2026-05-29",
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, dict]:
    return {inc["id"]: inc for inc in catalogue()}


def test_expected_labels_of_shipped_incidents(shipped):
    assert set(EXPECTED) <= set(shipped)
    for iid, want in EXPECTED.items():
        inc = shipped[iid]
        assert incident_label(iid, inc["date"], inc["place"]) == want


def test_every_shipped_incident_is_labelled_by_words_of_its_place(shipped):
    """Every label is "<village> · <date>", the village a piece of ``place`` as written
    (two villages joined by an en dash), never a long fragment."""
    for iid, inc in shipped.items():
        label = incident_label(iid, inc["date"], inc["place"])
        village, date = label.rsplit(" · ", 1)
        assert date == inc["date"]
        assert all(part in inc["place"] for part in village.split("–")), (iid, village)
        assert len(village) <= 30, (iid, village)


def test_the_rule_falls_back_to_the_place_text():
    assert incident_village("2025-01-01-nowhere", "a field, gmina X") == "a field"
    assert incident_village("2023-02-16-larga-2", "Larga, Briceni district") == "Larga"
    assert incident_label("2025-01-01-x", None, "X, Y") == "X"
    assert incident_village("bad id", "") == ""
    assert incident_village("2025-09-17-plaja-vadu", "Vadu beach between Edighiol and Periboina") == "Vadu"


def test_the_map_labels_incidents_by_village_and_date():
    scene = build_scene(SceneRequest())
    args, _ = build_args(scene, set())
    spec = next(lyr for lyr in args["spec"]["layers"] if lyr["id"] == "incidents")
    assert spec["labels"]["field"] == "label"
    blob = args["blobs"][spec["data"].removeprefix("blob:")]
    at = blob["ids"].index("2022-11-15-przewodow")
    assert blob["props"][at]["label"] == "Przewodów · 2022-11-15"
    assert blob["props"][at]["place"].startswith("Przewodów, gmina")  # the tooltip keeps it


def test_a_measured_line_is_labelled_with_its_geodesic_length():
    from pyproj import Geod

    scene = build_scene(SceneRequest(measure=((23.0, 50.0), (24.0, 51.0)), units="km"))
    layer = scene.layer("measure")
    _, _, d = Geod(ellps="WGS84").inv(23.0, 50.0, 24.0, 51.0)
    assert layer.show_labels and layer.gdf["name"].iloc[0] == f"{d / 1000:,.1f} km"
