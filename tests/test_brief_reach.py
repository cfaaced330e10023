"""``brief`` with the analysis flags of ``zone`` and ``origin`` (issue 21 items 2-4): the
reach bands, air-defence discs and range fan drawn with their legend rows, and the panel's
figures equal, to the printed precision, to the analyses computed directly; the
effectiveness summary, its most-crossed incidents and the stated assumption; bad flags
one line ``error: ...`` and exit status 2."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest

from dashboard.analysis import effectiveness as eff
from dashboard.analysis.air_bases import base_positions
from dashboard.analysis.gbad import gbad_cover
from dashboard.analysis.incident_catalogue import incident_rows
from dashboard.analysis.origin import origin_areas
from dashboard.analysis.reach import reach_figures
from dashboard.analysis.zones import preset_zone
from dashboard.cli import main
from dashboard.data.catalogue import CATALOGUE
from dashboard.geo.munitions import munition_range
from dashboard.geo.nato import nato_border_on
from dashboard.io.layers_io import load_layer
from dashboard.render.brief.panel import EFFECTIVENESS_TOP_ROWS

pytestmark = pytest.mark.skipif("air_bases" not in CATALOGUE, reason="no air-bases layer")

ZONE = "sky-shield-2025"
DAY = "2026-12-01"
PATRIOT = (22.02, 50.11, 160.0)  # (lon, lat, km): --gbad 50.11,22.02,patriot


def svg_text(path) -> str:
    """Every text of an SVG brief in drawing order, one space between (wrapped lines join)."""
    raw = path.read_text(encoding="utf-8")
    return " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", raw))


def brief(tmp_path, monkeypatch, capsys, name: str, *flags: str) -> str:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1668523200")
    out = tmp_path / name
    assert main(["brief", *flags, "-o", str(out)]) == 0, capsys.readouterr().err
    return svg_text(out)


def test_reach_and_gbad_figures_equal_the_analyses(tmp_path, monkeypatch, capsys):
    text = brief(tmp_path, monkeypatch, capsys, "reach.svg", "--preset", ZONE, "--incident", "none",
                 "--date", DAY, "--bases", "EPRZ,EPLK", "--radius-km", "600", "--speed-kmh", "800",
                 "--gbad", "50.11,22.02,patriot")
    zone = preset_zone(ZONE)
    r = reach_figures(zone, base_positions(["EPRZ", "EPLK"]), 600.0, 800.0)
    assert f"{100 * r.share:.1f} % of " in text and f"within {r.radius_km:,.1f} km of EPRZ, EPLK" in text
    assert f"{r.farthest_km:,.1f} km from {r.farthest_base}, {r.minutes:.0f} min" in text
    g = gbad_cover(zone, [PATRIOT], nato_border_on(date.fromisoformat(DAY), load_layer("nato_border")))
    assert f"{100 * g.zone_share:.1f} % of " in text
    assert f"{sum(g.border_km.values()):,.1f} km of NATO border" in text
    assert g.border_km
    for sid, km in g.border_km.items():
        assert f"NATO border {sid} covered {km:,.1f} km ({100 * g.border_share[sid]:.1f} %)" in text
    for legend in ("Reach from NATO soil", "Air-defence discs"):
        assert legend in text


def test_fan_with_the_presets_sources(tmp_path, monkeypatch, capsys):
    text = brief(tmp_path, monkeypatch, capsys, "fan.svg", "--preset", ZONE, "--date", DAY,
                 "--origin", "2025-09-10-czesniki", "--munition", "shahed-136",
                 "--bearing", "20", "80", "--from", "RU,BY")
    m = munition_range("shahed-136")
    o = origin_areas("2025-09-10-czesniki", *m.area_km, bearing=(20.0, 80.0), countries=("RU", "BY"))
    assert o.bearing == (20.0, 80.0)
    assert f"Launch fan bearing {o.bearing[0]:g}° to {o.bearing[1]:g}° (came from)" in text
    assert "Launch fan 0–2,500 km from" in text  # the legend row
    assert f"Launch area range 0–{o.max_km:,.0f} km" in text
    assert f"Range stated by {m.source}" in text and m.label in text
    assert "Munition sources" in text and m.urls[0][:40] in text.replace(" ", "")


def test_effectiveness_summary_rows_and_assumption(tmp_path, monkeypatch, capsys):
    text = brief(tmp_path, monkeypatch, capsys, "eff.svg", "--preset", ZONE, "--incident", "none",
                 "--date", DAY, "--effectiveness")
    rows = eff.effectiveness(preset_zone(ZONE), eff.default_hypotheses(incident_rows()))
    assert f"Effectiveness {eff.effectiveness_summary(rows)}" in text
    assert eff.ASSUMPTION in text
    top = sorted(rows, key=lambda r: (-r.paths_crossing_share, -(r.km_inside or 0.0), r.id))
    for r in top[:EFFECTIVENESS_TOP_ROWS]:
        km = "" if r.km_inside is None else f", {r.km_inside:,.1f} km inside"
        assert f"{r.id} {100 * r.paths_crossing_share:.1f} % of paths cross{km}" in text


@pytest.mark.parametrize("flags,fragment", [
    (["--bases", "ZZZZ", "--radius-km", "500"], "unknown air base code 'ZZZZ'"),
    (["--aircraft", "f-16"], "need --bases"),
    (["--bases", "EPRZ"], "either --aircraft NAME or --radius-km R"),
    (["--radius-km", "-5"], "must be more than 0 km"),
    (["--gbad", "50.1,22.0"], "--gbad takes LAT,LON,KM"),
    (["--bearing", "20", "80"], "need --origin INCIDENT_ID"),
    (["--origin", "2025-09-10-czesniki"], "either --range-km MIN MAX or --munition NAME"),
    (["--origin", "2025-09-10-czesniki", "--munition", "shahed-136", "--bearing", "400", "80"],
     "bearing"),
    (["--origin", "2025-09-10-czesniki", "--munition", "nope"], "nope"),
])
def test_bad_flags_one_line_exit_2(flags, fragment, tmp_path, capsys):
    out = tmp_path / "x.svg"
    try:
        code = main(["brief", *flags, "-o", str(out)])
    except SystemExit as exc:  # argparse's own checks (one line: dashboard.cli._Parser)
        code = int(exc.code)
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
