"""GeoTable: the compact feature format of the one map (binary files and JSON blobs)."""
from __future__ import annotations

import doctest
import json
import struct

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.render import geotable
from dashboard.render.geotable import (
    MAGIC,
    blob_hash,
    editable_geojson,
    encode,
    file_hash,
    from_bin,
    from_blob,
    read_header,
    to_bin,
    to_blob,
)

#: float32 keeps about 7 significant digits: at 180 degrees a step is 1.5e-5 degree.
F32_DEG = 2e-5
BLOB_DEG = 5.1e-6


def _frame(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs="EPSG:4326")


def _donut() -> shapely.Polygon:
    return shapely.Polygon([(20, 50), (22, 50), (22, 52), (20, 52)],
                           [[(20.5, 50.5), (21.5, 50.5), (21.5, 51.5), (20.5, 51.5)]])


def _polygons() -> gpd.GeoDataFrame:
    multi = shapely.MultiPolygon([shapely.box(24, 48, 25, 49), _donut()])
    return _frame([_donut(), multi, None, shapely.Polygon(), shapely.box(30, 45, 30.5, 45.5)],
                  id=["a", "b", "c", "d", "e"], name=["A", "B", None, "D", "E"],
                  n=[1, 2, 3, 4, np.nan])


def _same(a, b, tol: float) -> bool:
    """Same shape within ``tol`` degrees, vertex by vertex."""
    if a is None or b is None:
        return a is b
    ca, cb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    return ca.shape == cb.shape and np.allclose(ca, cb, atol=tol, rtol=0)


def test_module_doctests():
    assert doctest.testmod(geotable, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


@pytest.mark.parametrize("form", ["bin", "blob"])
def test_polygons_round_trip(form):
    gdf = _polygons()
    t = encode(gdf, "polygon", "id", ("name", "n"))
    back = from_bin(to_bin(t)) if form == "bin" else from_blob(json.loads(json.dumps(to_blob(t))))
    tol = F32_DEG if form == "bin" else BLOB_DEG
    assert back.ids == ("a", "b", "c", "d", "e")
    assert back.props[2] == {"name": None, "n": 3} and back.props[4] == {"name": "E", "n": None}
    assert back.rings.tolist() == t.rings.tolist() and back.parts.tolist() == t.parts.tolist()
    assert back.part_feature.tolist() == [0, 1, 1, 4]
    geoms = back.geometries()
    for orig, got in zip(gdf.geometry, geoms):
        if orig is None or orig.is_empty:
            assert got is None
        else:
            assert _same(orig, got, tol) and got.equals_exact(orig, tol)


def test_polygon_columns_follow_the_contract():
    t = encode(_polygons(), "polygon", "id")
    xy = t.coords.reshape(-1, 2)
    assert t.rings[-1] == t.n_vertices and t.parts[-1] == len(t.rings) - 1
    assert len(t.part_feature) == len(t.parts) - 1
    for i in range(len(t.rings) - 1):  # every ring closed
        assert (xy[t.rings[i]] == xy[t.rings[i + 1] - 1]).all()
    # the donut: exterior then hole
    assert t.parts[:2].tolist() == [0, 2]


def test_lines_take_polygon_rings_as_paths():
    gdf = _frame([shapely.LineString([(20, 50), (21, 51)]),
                  shapely.MultiLineString([[(1, 1), (2, 2)], [(3, 3), (4, 4), (5, 4)]]),
                  _donut(), shapely.Point(1, 1)], id=["l", "m", "p", "x"])
    t = encode(gdf, "line", "id")
    assert t.parts is None
    assert t.part_feature.tolist() == [0, 1, 1, 2, 2]
    assert t.rings.tolist() == [0, 2, 4, 7, 12, 17]
    back = from_bin(to_bin(t)).geometries()
    assert back[3] is None and back[2].geom_type == "MultiLineString"
    assert _same(gdf.geometry[1], back[1], F32_DEG)


def test_points_and_multipoints():
    gdf = _frame([shapely.Point(24.0319, 49.8397), shapely.MultiPoint([(1, 2), (3, 4)])],
                 geonameid=np.array([702550, 7], dtype=np.int64),
                 population=np.array([717273, 15000], dtype=np.int64))
    t = encode(gdf, "point", "geonameid", ("population", "absent"))
    assert t.ids == ("702550", "7") and t.props[0] == {"population": 717273}
    assert t.rings is None and t.parts is None and t.part_feature.tolist() == [0, 1, 1]
    header = read_header(to_bin(t))
    assert set(header["arrays"]) == {"coords", "partFeature"}
    blob = to_blob(t)
    assert blob["coords"][:2] == [24.0319, 49.8397] and "rings" not in blob


def test_binary_layout_is_aligned_little_endian_and_deterministic():
    t = encode(_polygons(), "polygon", "id", ("name",))
    data = to_bin(t)
    assert data[:4] == MAGIC and data == to_bin(encode(_polygons(), "polygon", "id", ("name",)))
    (size,) = struct.unpack("<I", data[4:8])
    assert size % 4 == 0 and (8 + size) % 4 == 0
    header = json.loads(data[8:8 + size])
    arrays = header["arrays"]
    by_offset = sorted(arrays, key=lambda k: arrays[k]["offset"])
    assert by_offset == ["coords", "rings", "parts", "partFeature"]
    offset = 0
    for name in by_offset:
        info = arrays[name]
        assert info["offset"] == offset and info["offset"] % 4 == 0
        assert info["dtype"] == ("float32" if name == "coords" else "uint32")
        offset += 4 * info["length"]
    assert len(data) == 8 + size + offset
    coords = np.frombuffer(data, "<f4", arrays["coords"]["length"], 8 + size)
    assert np.allclose(coords, t.coords, atol=F32_DEG)
    assert len(file_hash(data)) == 12


def test_unicode_text_is_utf8_not_escaped():
    gdf = _frame([shapely.Point(24, 50)], name=["Львів <img src=x onerror=alert(1)>"])
    data = to_bin(encode(gdf, "point", None, ("name",)))
    assert "Львів".encode() in data
    assert from_bin(data).props[0]["name"] == "Львів <img src=x onerror=alert(1)>"


def test_bad_magic_is_refused():
    with pytest.raises(ValueError, match="NFZ1"):
        from_bin(b"GEOJ" + bytes(12))


def test_simplification_stays_within_tolerance_and_keeps_rings_valid():
    circle = shapely.Point(24, 50).buffer(1.0, quad_segs=256)
    gdf = _frame([circle, circle.exterior], id=["c", "r"])
    tol = 0.01
    t = encode(gdf, "polygon", "id", (), tol)
    assert t.n_vertices < len(circle.exterior.coords) / 4
    got = t.geometries()[0]
    assert got.is_valid and shapely.hausdorff_distance(got, circle) <= tol + 1e-9
    lines = encode(gdf, "line", "id", (), tol)
    assert lines.part_feature.tolist() == [0, 1]


def test_encode_is_memoised_on_content():
    gdf = _polygons()
    assert encode(gdf, "polygon", "id") is encode(gdf.copy(), "polygon", "id")
    moved = gdf.copy()
    moved.loc[0, "geometry"] = shapely.box(0, 0, 1, 1)
    assert encode(moved, "polygon", "id") is not encode(gdf, "polygon", "id")
    with pytest.raises(ValueError):
        encode(gdf, "polygon", "id").coords[0] = 1.0  # read-only


def test_blob_hash_is_canonical():
    t = to_blob(encode(_polygons(), "polygon", "id", ("name",)))
    reordered = dict(reversed(list(t.items())))
    assert blob_hash(t) == blob_hash(reordered) and len(blob_hash(t)) == 40
    t2 = {**t, "props": [{"name": "changed"}] + t["props"][1:]}
    assert blob_hash(t2) != blob_hash(t)


def test_props_become_plain_json():
    from datetime import date

    gdf = _frame([shapely.Point(1, 1)], d=[date(2022, 11, 15)], c=[(255, 0, 0, 60)],
                 f=[np.float64("inf")], b=[True])
    props = encode(gdf, "point", None, ("d", "c", "f", "b")).props[0]
    assert props == {"d": "2022-11-15", "c": [255, 0, 0, 60], "f": None, "b": True}
    json.dumps(props, allow_nan=False)


def test_editable_geojson_rounds_and_passes_mappings():
    gdf = _frame([shapely.box(24.1234567, 50.0, 25.0, 51.0)], zone_id=["z1"], name=["Z"])
    fc = editable_geojson(gdf)
    assert fc["type"] == "FeatureCollection"
    assert fc["features"][0]["properties"] == {"zone_id": "z1", "name": "Z"}
    assert 24.123457 in [c[0] for c in fc["features"][0]["geometry"]["coordinates"][0]]
    assert editable_geojson(None) is None
    assert editable_geojson({"type": "FeatureCollection", "features": []})["features"] == []


_coord = st.floats(-179.0, 179.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_coord, st.floats(-85, 85), st.floats(0.01, 2.0)), min_size=1,
                max_size=6))
def test_random_polygons_round_trip(boxes):
    geoms = [shapely.box(x, y, min(x + w, 180), min(y + w, 90)) for x, y, w in boxes]
    geoms.append(shapely.union_all(geoms))
    gdf = _frame(geoms, id=[f"f{i}" for i in range(len(geoms))])
    t = encode(gdf, "polygon", "id")
    back = from_bin(to_bin(t))
    assert back.ids == t.ids and back.rings.tolist() == t.rings.tolist()
    for orig, got in zip(geoms, back.geometries()):
        assert got is not None and _same(orig, got, F32_DEG)
        # float32 moves each vertex by at most F32_DEG: the area by at most the perimeter
        # times that (a 0.1 deg box near lon 129 loses 1.07e-4 of its area, not noise)
        assert abs(got.area - orig.area) <= 2 * F32_DEG * orig.length + 1e-12
