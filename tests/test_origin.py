"""Origin analysis (core and CLI), checked against independent computations.

Areas per country are integrated on a fine lon/lat grid: a cell counts when the
geodesic distance (``pyproj.Geod.inv``) from the impact point to its centre lies
in the widened range and its centre lies in the country's committed polygon;
each cell weighs its geodesic area.  Cities are found by brute force over the
committed layer.  Nothing goes through ``dashboard.geo``.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from geo_reference import GEOD
from shapely.geometry import Point, shape

from conftest import PRZEWODOW_ID, geodata_features, run_cli
from dashboard.analysis.origin import origin_areas
from dashboard.geo.errors import InputError
from dashboard.geo.munitions import PRESETS, munition_range

PRZEWODOW = PRZEWODOW_ID


_features = geodata_features


@pytest.fixture(scope="module")
def countries() -> dict[str, shapely.Geometry]:
    return {f["properties"]["iso_a2"]: shape(f["geometry"]) for f in _features("countries")}


@pytest.fixture(scope="module")
def incidents() -> dict[str, dict]:
    return {f["properties"]["id"]: f for f in _features("incidents")}


def grid_areas_km2(lon: float, lat: float, inner_km: float, outer_km: float, polys: dict,
                   step_deg: float = 0.004) -> dict[str, float]:
    """km² of each polygon within [inner_km, outer_km] (geodesic) of (lon, lat), by grid cells
    (stratified sampling: each cell counts by one random point in it, weighed by its geodesic area)."""
    dlat = outer_km / 110.0 + step_deg
    dlon = outer_km / (111.0 * np.cos(np.radians(abs(lat) + dlat))) + step_deg
    ys = np.arange(lat - dlat, lat + dlat, step_deg) + step_deg / 2
    xs = np.arange(lon - dlon, lon + dlon, step_deg) + step_deg / 2
    gx, gy = np.meshgrid(xs, ys)
    # one sample per cell at a random place in it: a border that runs along a parallel or a
    # meridian (maritime boundaries do) would otherwise bias the count by up to half a cell
    rng = np.random.default_rng(7)
    gx = gx + rng.uniform(-step_deg / 2, step_deg / 2, gx.shape)
    gy = gy + rng.uniform(-step_deg / 2, step_deg / 2, gy.shape)
    _, _, d = GEOD.inv(np.full(gx.size, lon), np.full(gx.size, lat), gx.ravel(), gy.ravel())
    ring = ((d / 1000.0 >= inner_km) & (d / 1000.0 <= outer_km)).reshape(gx.shape)
    # the geodesic area of one cell in each row (all cells of a row are alike)
    row_km2 = np.array([abs(GEOD.polygon_area_perimeter(
        [0, step_deg, step_deg, 0], [y - step_deg / 2, y - step_deg / 2, y + step_deg / 2, y + step_deg / 2])[0])
        for y in ys]) / 1e6
    out = {}
    for iso, poly in polys.items():
        inside = shapely.contains_xy(poly, gx[ring], gy[ring])
        out[iso] = float((np.broadcast_to(row_km2[:, None], gx.shape)[ring] * inside).sum())
    return out


def brute_cities(lon: float, lat: float, inner_km: float, outer_km: float) -> dict[str, float]:
    """Cities whose geodesic distance lies in [inner, outer], keyed 'name (CC)' -> km."""
    out = {}
    for f in _features("cities"):
        x, y = f["geometry"]["coordinates"]
        d = GEOD.inv(lon, lat, x, y)[2] / 1000.0
        if inner_km <= d <= outer_km:
            out[f"{f['properties']['name']} ({f['properties']['country']})"] = d
    return out


# ---------------------------------------------------------------------- the annulus
@pytest.fixture(scope="module")
def przewodow_5v55():
    return origin_areas(PRZEWODOW, 75, 90)


def test_annulus_is_widened_by_the_precision(przewodow_5v55, incidents):
    o = przewodow_5v55
    f = incidents[PRZEWODOW]
    assert [o.lon, o.lat] == f["geometry"]["coordinates"]
    assert o.precision_km == f["properties"]["precision_m"] / 1000 == 0.5
    assert (o.inner_km, o.outer_km) == (74.5, 90.5)
    ext = np.asarray(o.annulus.exterior.coords)
    hole = np.asarray(o.annulus.interiors[0].coords)
    for ring, r_km in ((ext, 90.5), (hole, 74.5)):
        _, _, d = GEOD.inv(np.full(len(ring), o.lon), np.full(len(ring), o.lat), ring[:, 0], ring[:, 1])
        assert np.allclose(d / 1000.0, r_km, atol=1e-6)
        # edges short enough that lon/lat chords stay within 5 m of the circle
        _, _, step = GEOD.inv(ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1])
        assert step.max() < 2100
    ring_km2 = abs(GEOD.geometry_area_perimeter(o.annulus)[0]) / 1e6
    assert o.annulus_km2 == pytest.approx(ring_km2, rel=1e-9)
    # an ideal flat annulus, for scale: pi (R^2 - r^2)
    assert o.annulus_km2 == pytest.approx(np.pi * (90.5**2 - 74.5**2), rel=0.005)


def test_przewodow_5v55_areas_per_country_against_a_grid(przewodow_5v55, countries):
    o = przewodow_5v55
    assert [a.country for a in o.areas] == ["UA", "PL"]
    want = grid_areas_km2(o.lon, o.lat, 74.5, 90.5, {k: countries[k] for k in ("UA", "PL", "BY")})
    assert want["BY"] == 0.0
    for a in o.areas:
        assert a.area_km2 == pytest.approx(want[a.country], rel=0.003), a.country
        # the piece lies in its country and in the annulus
        assert abs(GEOD.geometry_area_perimeter(a.geometry)[0]) / 1e6 == pytest.approx(a.area_km2, rel=1e-9)
        # (country edges were bent onto their geodesics: a few hundred m² may differ from the chords)
        stray = a.geometry.difference(countries[a.country])
        assert abs(GEOD.geometry_area_perimeter(stray)[0]) / 1e6 < 0.05 if not stray.is_empty else True
        assert a.geometry.difference(o.annulus.buffer(1e-9)).is_empty or \
            abs(GEOD.geometry_area_perimeter(a.geometry.difference(o.annulus))[0]) < 1.0
    assert sum(a.area_km2 for a in o.areas) + o.outside_km2 == pytest.approx(o.annulus_km2, rel=1e-6)
    assert o.outside_km2 < 0.01  # all land


def test_przewodow_5v55_cities_by_brute_force(przewodow_5v55):
    o = przewodow_5v55
    got = {f"{c.name} ({c.country})": c.distance_km for c in o.cities}
    assert got.keys() == brute_cities(o.lon, o.lat, 74.5, 90.5).keys()
    for k, d in brute_cities(o.lon, o.lat, 74.5, 90.5).items():
        assert got[k] == pytest.approx(d, abs=1e-6)
    assert "Chełm (PL)" in got and "Lviv (UA)" not in got  # Lviv is about 70 km away
    pops = [c.population for c in o.cities]
    assert pops == sorted(pops, reverse=True)


def test_three_countries_around_grindu(countries):
    o = origin_areas("2023-12-14-grindu", 20, 60)
    assert (o.inner_km, o.outer_km) == (14.0, 66.0)  # precision 6 km
    want = grid_areas_km2(o.lon, o.lat, 14.0, 66.0, {k: countries[k] for k in ("RO", "UA", "MD")})
    assert {a.country for a in o.areas} == {k for k, v in want.items() if v > 0} == {"RO", "UA", "MD"}
    for a in o.areas:
        assert a.area_km2 == pytest.approx(want[a.country], rel=0.004), a.country
    assert [c.name for c in o.cities] and {f"{c.name} ({c.country})" for c in o.cities} == \
        brute_cities(o.lon, o.lat, 14.0, 66.0).keys()


def test_inner_radius_floors_at_zero_and_sea_is_outside(countries):
    o = origin_areas("2023-09-17-tyulenovo", 1, 40)  # precision 2 km: 0..42 km, much of it sea
    assert o.inner_km == 0.0 and o.outer_km == 42.0 and not o.annulus.interiors
    assert [a.country for a in o.areas] == ["BG", "RO"]
    want = grid_areas_km2(o.lon, o.lat, 0.0, 42.0, {k: countries[k] for k in ("BG", "RO")})
    for a in o.areas:
        assert a.area_km2 == pytest.approx(want[a.country], rel=0.004), a.country
    # the Black Sea beyond the 12 nm territorial sea is in no country
    assert o.outside_km2 == pytest.approx(o.annulus_km2 - sum(want.values()), rel=0.01)
    assert o.outside_km2 > 0.2 * o.annulus_km2
    plain = origin_areas("2023-09-17-tyulenovo", 1, 40, widen_by_precision=False)
    assert (plain.inner_km, plain.outer_km, plain.precision_km) == (1.0, 40.0, 0.0)


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("args, message", [
    ((PRZEWODOW, 90, 75), "the minimum range 90 km is more than the maximum 75 km"),
    ((PRZEWODOW, 10, 5001), "beyond 5,000 km"),
    ((PRZEWODOW, -5, 75), "cannot be negative"),
    ((PRZEWODOW, 0, 0), "more than 0 km"),
    (("2022-12-16-zamosc", 10, 90), "has no sourced position"),
])
def test_bad_ranges_and_unpositioned_incidents_are_one_line_errors(args, message):
    with pytest.raises(InputError) as exc:
        origin_areas(*args)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_unknown_incident_names_the_nearest_ids():
    with pytest.raises(InputError) as exc:
        origin_areas("2022-11-15-przewodw", 75, 90)
    msg = str(exc.value)
    assert msg.startswith("unknown incident '2022-11-15-przewodw'; nearest ids: 2022-11-15-przewodow")
    assert "\n" not in msg


def test_munition_presets_state_their_range_and_source():
    # issue 21 item 3: the facts file's ranges, each with its source; the contested ones min–max
    want = {"s-300-5v55": (75, 90), "shahed-136": (2500, 2500), "gerbera": (300, 600),
            "kh-101": (4500, 5500), "kalibr": (1400, 2500), "iskander-m": (500, 500),
            "tochka-u": (120, 120)}
    assert {k: (p.min_km, p.max_km) for k, p in PRESETS.items()} == want
    for p in PRESETS.values():
        assert p.urls and p.urls[0] == p.url and all(u.startswith("http") for u in p.urls)
    m = munition_range("5V55")  # the former key still works
    assert m.id == "s-300-5v55" and (m.min_km, m.max_km) == (75.0, 90.0) and "75–90 km" in m.source
    assert m.url.startswith("https://") and m.label.endswith("75–90 km (contested)")
    assert m.area_km == (75.0, 90.0)  # it flies its range before it falls
    assert munition_range("gerbera").area_km == (0.0, 600.0)  # anywhere within the highest
    assert len(munition_range("gerbera").urls) == 2
    assert munition_range("kh-101").area_km == (0.0, 5000.0)  # the tool's most
    assert munition_range("shahed-136").label.endswith("up to 2,500 km")
    with pytest.raises(InputError, match="unknown munition preset 'kh-55'") as exc:
        munition_range("kh-55")
    assert "\n" not in str(exc.value)


def test_a_range_beyond_the_coverage_is_drawn_to_its_farthest_point(przewodow_5v55):
    # 4,500 km around Przewodów would pass the pole (4,400 km away); every built-in feature
    # lies within 2,620 km, so the ring stops there and the pieces are those of any longer ring
    far = origin_areas(PRZEWODOW, 0, 4500)
    corners = [GEOD.inv(far.lon, far.lat, x, y)[2] / 1000 for x in (4, 45) for y in (40, 72)]
    assert max(corners) < far.drawn_km < far.outer_km == 4500.5
    assert far.drawn_km == pytest.approx(max(corners) + 1.0, abs=0.5)
    less = origin_areas(PRZEWODOW, 0, 4000)
    assert [(a.country, a.area_km2) for a in far.areas] == [(a.country, a.area_km2) for a in less.areas]


# ---------------------------------------------------------------------- CLI
def test_cli_json_is_exactly_the_contract(przewodow_5v55, countries):
    code, out, _ = run_cli("origin", PRZEWODOW, "--range-km", "75", "90", "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["incident", "min_km", "max_km", "areas", "cities"]
    assert (data["incident"], data["min_km"], data["max_km"]) == (PRZEWODOW, 75.0, 90.0)
    assert [set(a) for a in data["areas"]] == [{"country", "area_km2"}] * len(data["areas"])
    assert all(a["area_km2"] > 0 for a in data["areas"])  # zero-area countries left out
    want = grid_areas_km2(przewodow_5v55.lon, przewodow_5v55.lat, 74.5, 90.5,
                          {k: countries[k] for k in ("UA", "PL")})
    assert {a["country"]: a["area_km2"] for a in data["areas"]} == pytest.approx(want, rel=0.003)
    assert {f"{c['name']} ({c['country']})" for c in data["cities"]} == \
        brute_cities(przewodow_5v55.lon, przewodow_5v55.lat, 74.5, 90.5).keys()
    assert all(set(c) == {"name", "country", "population", "distance_km"} for c in data["cities"])
    code, out2, _ = run_cli("origin", PRZEWODOW, "--preset", "5v55", "--json")
    assert code == 0 and json.loads(out2) == data


def test_cli_text_and_errors():
    code, out, _ = run_cli("origin", PRZEWODOW, "--range-km", "75", "90")
    assert code == 0 and "74.5–90.5 km" in out and "UA  Ukraine" in out and "Chełm (PL)" in out
    for argv, message in [
        (("origin", "przewodow", "--range-km", "75", "90"), "error: unknown incident 'przewodow'; nearest ids: "),
        (("origin", PRZEWODOW, "--range-km", "90", "75"), "error: the minimum range 90 km is more than"),
        (("origin", PRZEWODOW, "--range-km", "0", "6000"), "error: a range of 6000 km is beyond 5,000 km"),
        (("origin", PRZEWODOW), "error: give either --range-km MIN MAX or --preset NAME"),
    ]:
        code, out, err = run_cli(*argv)
        assert code == 2 and out == "" and err.startswith(message) and err.count("\n") == 1, err


def test_point_in_polygon_reference_is_sane(countries):
    """The grid's country test: Przewodów is in Poland, Lviv in Ukraine."""
    assert countries["PL"].contains(Point(23.93432, 50.47099))
    assert countries["UA"].contains(Point(24.03, 49.84))


# ---------------------------------------------------------------------- issue 18: slivers
def _geod_densified(geom, step_m: float):
    """``geom`` with points every ``step_m`` along its geodesic edges (``Geod.npts``)."""
    def ring(xy):
        out = []
        for (x1, y1), (x2, y2) in zip(xy[:-1], xy[1:]):
            out.append((x1, y1))
            n = int(GEOD.inv(x1, y1, x2, y2)[2] / step_m)
            if n:
                out.extend(GEOD.npts(x1, y1, x2, y2, n))
        out.append(tuple(xy[-1]))
        return out
    return shapely.union_all([
        shapely.Polygon(ring(np.asarray(p.exterior.coords)), [ring(np.asarray(h.coords)) for h in p.interiors])
        for p in shapely.get_parts(geom)])


def _true_disc(lon: float, lat: float, r_km: float, step_m: float = 10.0):
    """The geodesic circle sampled every ``step_m`` (chords sag < 10²/(8 r): 0.1 mm at 116 km)."""
    n = int(np.ceil(2 * np.pi * r_km * 1000.0 / step_m))
    az = np.linspace(360.0, 0.0, n, endpoint=False)
    x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, r_km * 1000.0))
    return shapely.Polygon(np.column_stack([x, y]))


def test_sliver_at_the_rings_edge_within_a_hundredth_percent(countries):
    # issue 18: Belarus lies 115.9 km from Przewodów, so a 75-116 km range (widened to
    # 116.5 km) takes a 0.6 km deep sliver of it; the ring's 2 km chords sagged 4 m inside
    # the circle and the sliver lost 0.84 % of its area
    o = origin_areas(PRZEWODOW, 75, 116)
    assert o.outer_km == 116.5
    got = {a.country: a.area_km2 for a in o.areas}
    box = (23.0, 51.0, 24.6, 51.9)  # around the sliver (the nearest point is 23.67 E 51.50 N)
    belarus = _geod_densified(shapely.clip_by_rect(countries["BY"], *box), 10.0)
    want = abs(GEOD.geometry_area_perimeter(belarus.intersection(_true_disc(o.lon, o.lat, 116.5)))[0]) / 1e6
    assert 0.3 < want < 1.0  # a sliver indeed
    assert got["BY"] == pytest.approx(want, rel=1e-4)
    # the CLI's figure keeps the digits that make it right (0.1 km² steps were 4 % of it)
    by = next(a for a in o.as_dict()["areas"] if a["country"] == "BY")
    assert by["area_km2"] == pytest.approx(want, rel=1e-4)


@pytest.mark.parametrize("r_km", [0.5, 74.5, 116.5, 2000.0])
def test_ring_edges_sag_less_than_a_hundredth_percent(r_km):
    """Every point of the ring's (geodesic) edges, sampled every <= 100 m, lies within
    0.01 % of the radius, and the disc's area is within 0.01 % of the true circle's."""
    from dashboard.analysis.origin import origin_annulus

    lon, lat = 23.93432, 50.47099
    ring = np.asarray(origin_annulus(lon, lat, 0.0, r_km).exterior.coords)
    az, _, length = GEOD.inv(ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1])
    n = np.maximum(np.ceil(np.asarray(length) / min(100.0, r_km * 10)).astype(int), 1)
    e = np.repeat(np.arange(len(n)), n)
    frac = (np.arange(len(e)) - np.repeat(np.cumsum(n) - n, n)) / n[e]
    x, y, _ = GEOD.fwd(ring[e, 0], ring[e, 1], np.asarray(az)[e], np.asarray(length)[e] * frac)
    _, _, d = GEOD.inv(np.full(len(x), lon), np.full(len(x), lat), x, y)
    assert np.abs(np.asarray(d) / 1000.0 / r_km - 1).max() < 1e-4
    disc = shapely.Polygon(ring)
    truth = abs(GEOD.geometry_area_perimeter(_true_disc(lon, lat, r_km, min(100.0, r_km * 10)))[0])
    assert abs(GEOD.geometry_area_perimeter(disc)[0]) == pytest.approx(truth, rel=1e-4)
