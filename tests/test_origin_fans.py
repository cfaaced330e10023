"""Origin range fans (issue 21 item 3), checked against independent computations.

A fan's area is compared with a sector built here with ``pyproj.Geod`` alone (arcs every
0.005°, radial edges every 100 m) and measured by ``Geod.polygon_area_perimeter``; its
pieces per country with a stratified grid whose cells count when their point's geodesic
distance and azimuth (``Geod.inv``) from the impact point fall in the fan and the point
lies in the committed country polygon.  Nothing here goes through ``dashboard.geo``.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import shape

from conftest import PRZEWODOW_ID, geodata_features, run_cli
from dashboard.analysis.origin import origin_areas
from dashboard.geo.errors import InputError

PRZ = PRZEWODOW_ID


@pytest.fixture(scope="module")
def countries() -> dict[str, shapely.Geometry]:
    return {f["properties"]["iso_a2"]: shape(f["geometry"]) for f in geodata_features("countries")}


def in_sector(az: np.ndarray, a0: float, a1: float) -> np.ndarray:
    """Azimuths (any range) clockwise from a0 to a1 (through north when a1 < a0)."""
    az = np.mod(az, 360.0)
    return (az >= a0) & (az <= a1) if a0 <= a1 else (az >= a0) | (az <= a1)


def reference_fan(lon: float, lat: float, r0_km: float, r1_km: float, a0: float, a1: float):
    """The fan from Geod.fwd alone: arcs every 0.005°, radial edges every 100 m."""
    width = (a1 - a0) % 360.0
    n = int(width / 0.005) + 1
    az = a0 + np.linspace(0.0, width, n)

    def arc(r_km):
        x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, r_km * 1000.0))
        return list(zip(x, y))

    def radial(a, d0, d1):
        k = max(int(abs(d1 - d0) * 10), 1)
        d = np.linspace(d0, d1, k + 1)[1:-1] * 1000.0
        x, y, _ = GEOD.fwd(np.full(len(d), lon), np.full(len(d), lat), np.full(len(d), a), d)
        return list(zip(x, y))

    ring = arc(r1_km) + radial(a0 + width, r1_km, r0_km)
    ring += arc(r0_km)[::-1] if r0_km > 0 else [(lon, lat)]
    ring += radial(a0, r0_km, r1_km)
    return ring


def ring_area_km2(ring) -> float:
    xs, ys = zip(*ring)
    return abs(GEOD.polygon_area_perimeter(xs, ys)[0]) / 1e6


def grid_fan_km2(lon, lat, r0, r1, a0, a1, polys, step_deg=0.004, seed=11) -> dict[str, float]:
    """km² of each polygon inside the fan, by stratified grid cells weighed by their geodesic area."""
    dlat = r1 / 110.0 + step_deg
    dlon = r1 / (111.0 * np.cos(np.radians(abs(lat) + dlat))) + step_deg
    ys = np.arange(lat - dlat, lat + dlat, step_deg) + step_deg / 2
    xs = np.arange(lon - dlon, lon + dlon, step_deg) + step_deg / 2
    gx, gy = np.meshgrid(xs, ys)
    rng = np.random.default_rng(seed)
    gx = gx + rng.uniform(-step_deg / 2, step_deg / 2, gx.shape)
    gy = gy + rng.uniform(-step_deg / 2, step_deg / 2, gy.shape)
    az, _, d = GEOD.inv(np.full(gx.size, lon), np.full(gx.size, lat), gx.ravel(), gy.ravel())
    d = np.asarray(d) / 1000.0
    keep = ((d >= r0) & (d <= r1) & in_sector(np.asarray(az), a0, a1)).reshape(gx.shape)
    row_km2 = np.array([abs(GEOD.polygon_area_perimeter(
        [0, step_deg, step_deg, 0], [y - step_deg / 2, y - step_deg / 2, y + step_deg / 2, y + step_deg / 2])[0])
        for y in ys]) / 1e6
    w = np.broadcast_to(row_km2[:, None], gx.shape)[keep]
    return {iso: float((w * shapely.contains_xy(p, gx[keep], gy[keep])).sum()) for iso, p in polys.items()}


# ---------------------------------------------------------------------- area of a fan
@pytest.mark.parametrize("r0, r1, a0, a1", [
    (75.0, 90.0, 20.0, 80.0),      # a 5V55 fan
    (0.0, 600.0, 20.0, 80.0),      # a pie (apex at the impact point)
    (74.5, 90.5, 340.0, 20.0),     # through north
    (0.0, 2500.0, 200.0, 95.0),    # 255° wide, through north, 2,500 km
])
def test_fan_area_against_a_fine_geod_sector(r0, r1, a0, a1):
    o = origin_areas(PRZ, r0, r1, bearing=(a0, a1), widen_by_precision=False)
    assert o.bearing == (a0, a1) and (o.inner_km, o.outer_km) == (r0, r1)
    want = ring_area_km2(reference_fan(o.lon, o.lat, r0, r1, a0, a1))
    assert o.annulus_km2 == pytest.approx(want, rel=1e-4)
    # every vertex lies in the fan: its distance within the radii, its azimuth in the sector
    xy = np.asarray(o.annulus.exterior.coords)
    away = (np.abs(xy[:, 0] - o.lon) > 1e-9) | (np.abs(xy[:, 1] - o.lat) > 1e-9)
    az, _, d = GEOD.inv(np.full(away.sum(), o.lon), np.full(away.sum(), o.lat), xy[away, 0], xy[away, 1])
    assert (np.asarray(d) / 1000 >= r0 - 1e-6).all() and (np.asarray(d) / 1000 <= r1 + 1e-6).all()
    assert in_sector(np.asarray(az), (a0 - 1e-6) % 360, (a1 + 1e-6) % 360).all()
    assert o.annulus.is_valid


def test_fan_through_north_is_the_two_fans_either_side_of_it():
    north = origin_areas(PRZ, 75, 90, bearing=(340, 20))
    west = origin_areas(PRZ, 75, 90, bearing=(340, 360))
    east = origin_areas(PRZ, 75, 90, bearing=(0, 20))
    assert north.annulus_km2 == pytest.approx(west.annulus_km2 + east.annulus_km2, rel=1e-6)
    whole = origin_areas(PRZ, 75, 90)
    for a in north.areas:  # each country's piece is the sum of its pieces either side
        parts = [p.area_km2 for o in (west, east) for p in o.areas if p.country == a.country]
        assert a.area_km2 == pytest.approx(sum(parts), rel=1e-5)
    assert north.annulus_km2 < whole.annulus_km2 / 8
    assert origin_areas(PRZ, 75, 90, bearing=(0, 360)).annulus_km2 == pytest.approx(whole.annulus_km2, rel=1e-12)


def test_fan_pieces_per_country_against_a_grid(countries):
    o = origin_areas(PRZ, 75, 90, bearing=(60, 200))  # east to south: Ukraine and a little Poland
    want = grid_fan_km2(o.lon, o.lat, o.inner_km, o.outer_km, 60, 200,
                        {k: countries[k] for k in ("UA", "PL", "BY")})
    assert {a.country for a in o.areas} == {k for k, v in want.items() if v > 0}
    for a in o.areas:
        assert a.area_km2 == pytest.approx(want[a.country], rel=0.004), a.country


def test_launch_countries_keep_only_their_pieces_and_cities(countries):
    fan = origin_areas(PRZ, 0, 2500, bearing=(20, 80), countries="RU,by")
    full = origin_areas(PRZ, 0, 2500, bearing=(20, 80))
    assert fan.launch_countries == ("BY", "RU") and [a.country for a in fan.areas] == ["RU", "BY"]
    by_full = {a.country: a.area_km2 for a in full.areas}
    for a in fan.areas:
        assert a.area_km2 == pytest.approx(by_full[a.country], rel=1e-9)
    assert fan.outside_km2 == pytest.approx(fan.annulus_km2 - sum(by_full[c] for c in ("RU", "BY")), rel=1e-6)
    # cities: by brute force, those in Russia or Belarus whose distance and azimuth lie in the fan
    want = set()
    for f in geodata_features("cities"):
        x, y = f["geometry"]["coordinates"]
        az, _, d = GEOD.inv(fan.lon, fan.lat, x, y)
        if d / 1000 <= 2500.5 and in_sector(np.array([az]), 20, 80)[0] and \
                any(countries[c].contains(shapely.Point(x, y)) for c in ("RU", "BY")):
            want.add(f"{f['properties']['name']} ({f['properties']['country']})")
    got = {f"{c.name} ({c.country})" for c in fan.cities}
    # a city within metres of a border may fall either side of the densified edge
    assert len(got ^ want) <= 2 and len(want) > 100
    assert "Moscow (RU)" in got and "Minsk (BY)" in got and not any(k.endswith("(UA)") for k in got)


def test_by_piece_of_a_shahed_fan_by_monte_carlo(countries):
    """Belarus's piece of the Shahed fan, by points uniform on the ellipsoid over its box
    (latitudes by the inverse of the strips' cumulative geodesic area)."""
    fan = origin_areas(PRZ, 0, 2500, bearing=(20, 80), countries="BY")
    (piece,) = fan.areas
    x0, y0, x1, y1 = countries["BY"].bounds
    edges = np.linspace(y0, y1, 401)
    strip = np.array([abs(GEOD.polygon_area_perimeter([x0, x1, x1, x0], [a, a, b, b])[0])
                      for a, b in zip(edges[:-1], edges[1:])])  # thin strips: chords ~ parallels
    cum = np.r_[0, np.cumsum(strip)]
    n = 300_000
    rng = np.random.default_rng(2025)
    lat = np.interp(rng.uniform(0, cum[-1], n), cum, edges)
    lon = rng.uniform(x0, x1, n)
    az, _, d = GEOD.inv(np.full(n, fan.lon), np.full(n, fan.lat), lon, lat)
    hit = in_sector(np.asarray(az), 20, 80) & (np.asarray(d) <= 2500.5e3) & \
        shapely.contains_xy(countries["BY"], lon, lat)
    p = hit.mean()
    est = p * cum[-1] / 1e6
    se = np.sqrt(p * (1 - p) / n) * cum[-1] / 1e6
    assert abs(piece.area_km2 - est) < 4 * se + 0.002 * est, (piece.area_km2, est, se)


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, message", [
    ({"bearing": (-5, 80)}, "a bearing must be 0–360 degrees clockwise from north, got -5"),
    ({"bearing": (20, 361)}, "a bearing must be 0–360 degrees clockwise from north, got 361"),
    ({"bearing": (20, 20)}, "the bearing sector from 20° to 20° is empty"),
    ({"bearing": ("north", 20)}, "a bearing sector is two azimuths in degrees"),
    ({"countries": "RU,XX"}, "unknown launch country 'XX'"),
])
def test_bad_bearing_or_country_is_one_line(kwargs, message):
    with pytest.raises(InputError) as exc:
        origin_areas(PRZ, 75, 90, **kwargs)
    assert str(exc.value).startswith(message) and "\n" not in str(exc.value)


@pytest.mark.parametrize("argv, message", [
    (("--preset", "shahed-136", "--bearing", "20", "400"), "error: a bearing must be 0–360 degrees"),
    (("--range-km", "90", "75", "--bearing", "20", "80"), "error: the minimum range 90 km is more than"),
    (("--preset", "shahed-137"), "error: unknown munition preset 'shahed-137'; did you mean shahed-136?"),
    (("--preset", "gerbera", "--from", "RU,ZZ"), "error: unknown launch country 'ZZ'"),
])
def test_cli_bad_input_is_one_line(argv, message):
    code, out, err = run_cli("origin", PRZ, *argv)
    assert code == 2 and out == "" and err.startswith(message) and err.count("\n") == 1, err


# ---------------------------------------------------------------------- CLI
def test_cli_fan_json_keeps_areas_and_cities():
    code, out, _ = run_cli("origin", PRZ, "--preset", "shahed-136", "--bearing", "20", "80",
                           "--from", "RU,BY", "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["incident", "min_km", "max_km", "bearing_deg", "launch_countries",
                          "areas", "cities"]
    assert (data["min_km"], data["max_km"], data["bearing_deg"], data["launch_countries"]) == \
        (0.0, 2500.0, [20.0, 80.0], ["BY", "RU"])
    want = origin_areas(PRZ, 0, 2500, bearing=(20, 80), countries=("RU", "BY"))
    assert [(a["country"], a["area_km2"]) for a in data["areas"]] == \
        [(a.country, pytest.approx(a.area_km2, rel=1e-5)) for a in want.areas]
    assert [set(a) for a in data["areas"]] == [{"country", "area_km2"}] * 2
    assert all(set(c) == {"name", "country", "population", "distance_km"} for c in data["cities"])
    assert {c["country"] for c in data["cities"]} == {"RU", "BY"}
    code, text, _ = run_cli("origin", PRZ, "--preset", "gerbera", "--bearing", "340", "20")
    assert code == 0 and "came from between 340° and 20°" in text
    assert "Gerbera decoy drone: 300–600 km (contested)" in text and "timpul.md" in text


# ---------------------------------------------------------------------- app
def test_app_form_puts_the_fan_on_the_map():
    from test_incident_page import map_args, map_layer, open_page

    from conftest import errors, run_app

    at = open_page(run_app())
    at.radio(key="origin_mode").set_value("preset").run()
    at.selectbox(key="origin_preset").set_value("shahed-136").run()
    at.checkbox(key="origin_bearing_on").check().run()
    at.number_input(key="origin_bearing_from").set_value(340.0).run()
    at.number_input(key="origin_bearing_to").set_value(20.0).run()
    at.multiselect(key="origin_countries").set_value(["RU", "BY"]).run()
    at.button(key="origin_go").click().run()
    assert not errors(at)
    spec = at.session_state["origin"]
    assert spec[1:] == (0.0, 2500.0, (340.0, 20.0), ("BY", "RU"))
    assert any("Launch fan 0–2,500 km" in m.value for m in at.markdown)
    # the Explore map draws the fan's pieces, labelled as a fan
    at = run_app(origin=spec)
    assert map_layer(at, "origin") is not None
    legend = json.dumps(map_args(at), ensure_ascii=False)
    assert "Launch fan 0–2,500 km from Przewodów, bearing 340°–20° in BY, RU" in legend
    # a bad bearing in the state never breaks the map
    at = run_app(origin=(PRZ, 0.0, 600.0, (20.0, 400.0), ()))
    assert map_layer(at, "origin") is None
