"""Positions and dates a user types: read strictly, never cut or guessed; positions outside
the layers' coverage are said (the swap suggested), not measured to the clip edge."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from conftest import PRZEWODOW_LONLAT
from dashboard.cli import main
from dashboard.data.coverage import COVERAGE_LONLAT, inside_coverage, position_outside
from dashboard.geo.coords import from_mgrs, parse_position, to_mgrs
from dashboard.geo.errors import InputError
from dashboard.geo.nato import parse_date
from dashboard.io.layers_io import load_layer


# ------------------------------------------------------------------ dates
@pytest.mark.parametrize("text", ["2023-04-031", "2023-04-04junk", "2023-04-04 junk",
                                  "2023-4-4", "20230404", "2023-W14-2", "2023-02-30",
                                  "2023-04-04T25:00", "2023-04-04T10:00+2"])
def test_dates_are_read_strictly(text: str) -> None:
    with pytest.raises(InputError, match="is not a date; use YYYY-MM-DD"):
        parse_date(text)


@pytest.mark.parametrize(("text", "day"), [
    ("2023-04-04", date(2023, 4, 4)),
    (" 2023-04-04 ", date(2023, 4, 4)),
    ("2023-04-04T10:00:00", date(2023, 4, 4)),         # naive: its own date
    ("2023-04-04T01:30:00+02:00", date(2023, 4, 3)),   # 23:30 UTC the day before
    ("2023-04-03T23:30:00-02:00", date(2023, 4, 4)),   # 01:30 UTC the next day
    ("2023-04-04T00:00Z", date(2023, 4, 4)),
])
def test_timestamps_with_an_offset_give_their_utc_date(text: str, day: date) -> None:
    assert parse_date(text) == day


def test_aware_datetimes_give_their_utc_date() -> None:
    local = datetime(2023, 4, 4, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    assert parse_date(local) == local.astimezone(UTC).date() == date(2023, 4, 3)


@pytest.mark.parametrize("argv", [["distance", "50.47,23.93", "--date", "2023-04-031"],
                                  ["distance", "50.47,23.93", "--date", "2023-04-04junk"],
                                  ["zone", "--preset", "lviv-volyn", "--date", "2023-04-04junk"],
                                  ["brief", "--date", "2023-04-04junk", "-o", "x.png"]])
def test_the_cli_refuses_a_date_with_junk(argv: list[str], capsys) -> None:
    if argv[0] == "brief":  # an argparse type: exit status 2 from the parser
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    else:
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert "junk" in err or "2023-04-031" in err
    assert "not a date" in err and "Traceback" not in err


# ------------------------------------------------------------------ MGRS grid zones
@pytest.mark.parametrize("ref", ["32XMH1234512345", "34XDH1234512345", "36XVN1234512345",
                                 "32xmh 12345 12345"])
def test_grid_zones_that_do_not_exist_are_refused(ref: str) -> None:
    with pytest.raises(InputError, match=r"grid zone \d\dX does not exist"):
        from_mgrs(ref)
    with pytest.raises(InputError):
        parse_position(ref)


@pytest.mark.parametrize("ref", ["31VFG1000010000", "31VEJ5000050000"])
def test_squares_outside_the_narrow_31v_zone_are_refused(ref: str) -> None:
    """31V spans 0-3 E only (south-western Norway is 32V): 31V squares east of 3 E do not exist."""
    with pytest.raises(InputError, match="outside grid zone 31V"):
        from_mgrs(ref)


@pytest.mark.parametrize(("lon", "lat"), [(15.6, 78.2), (1.0, 75.0), (25.0, 80.0), (40.0, 82.0),
                                          (6.0, 60.0), (2.0, 60.0), (10.0, 57.0)])
def test_references_in_the_norway_and_svalbard_zones_round_trip(lon: float, lat: float) -> None:
    """The exceptions' own references (31X, 33X, 35X, 37X, 31V, 32V) are accepted."""
    ref = to_mgrs(lon, lat, precision=5)
    back = from_mgrs(ref)
    assert back[0] == pytest.approx(lon, abs=1e-3) and back[1] == pytest.approx(lat, abs=1e-3)


# ------------------------------------------------------------------ coverage
def test_the_coverage_is_the_countries_layers_extent() -> None:
    w, s, e, n = load_layer("countries").total_bounds
    cw, cs, ce, cn = COVERAGE_LONLAT
    assert (cw, cs, ce) == (round(w), round(s), round(e)) and n <= cn and cn - n < 1.0


def test_przewodow_swapped_is_outside_and_the_swap_is_suggested(capsys) -> None:
    lon, lat = PRZEWODOW_LONLAT
    assert inside_coverage(lon, lat) and not inside_coverage(lat, lon)
    assert main(["distance", f"{lon}, {lat}"]) == 2  # typed (lon, lat) for (lat, lon)
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err
    assert "outside the data's coverage" in err
    assert f"did you mean {lat:.5f}, {lon:.5f}" in err


@pytest.mark.parametrize(("where", "text"), [("Madrid", "40.4168,-3.7038"),
                                             ("Sydney", "-33.8688,151.2093"),
                                             ("Gulf", "23.93432,50.47099")])
def test_positions_outside_the_data_are_not_measured_to_the_clip_edge(where, text, capsys):
    assert main(["distance", "--", text]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "outside the data's coverage (4° to 45° E, 40° to 72° N)" in err
    assert (("did you mean" in err) == (where == "Gulf")), err


def test_a_position_inside_is_still_measured(capsys) -> None:
    lon, lat = PRZEWODOW_LONLAT
    assert main(["distance", f"{lat},{lon}", "--json"]) == 0
    assert position_outside(lon, lat) is None
    assert "PL" in capsys.readouterr().out


def test_a_file_layer_alone_is_measured_anywhere(tmp_path, capsys) -> None:
    """Only the built-in layers are clipped: a user's own layer is measured wherever."""
    f = tmp_path / "far.geojson"
    f.write_text('{"type": "Feature", "properties": {"name": "x"}, '
                 '"geometry": {"type": "Point", "coordinates": [151.0, -33.0]}}')
    assert main(["distance", "--to", str(f), "--json", "--", "-33.8688,151.2093"]) == 0
    assert '"distance_km"' in capsys.readouterr().out


def test_points_outside_the_coverage_get_no_clip_edge_distance(tmp_path, capsys) -> None:
    """Madrid was answered "ES 654 km" (to the clip edge at 4 E), Sydney "AM": in a points
    file their distances to the clipped layers are left empty and the rows are named."""
    src = tmp_path / "mix.csv"
    src.write_text("lat,lon\n50.47099,23.93432\n40.4168,-3.7038\n-33.8688,151.2093\n")
    out = tmp_path / "o.csv"
    assert main(["distance", "--points", str(src), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "2 of 3 points lie outside the data's coverage" in err and "rows 2, 3" in err
    import pandas as pd

    df = pd.read_csv(out)
    assert df["countries_feature"].tolist()[0] == "PL"
    assert df["countries_km"].isna().tolist() == [False, True, True]
    assert df["countries_feature"].isna().tolist() == [False, True, True]
    assert df["nato_border_km"].notna().all()  # NATO's border is the layer's whole extent
