"""Reading built-in layers and users' files: caps, projected coordinates, repairs, no tracebacks."""
from __future__ import annotations

import json

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.data.catalogue import CATALOGUE as LAYERS
from dashboard.geo.errors import InputError
from dashboard.geo.measure import area_km2
from dashboard.io.layers_io import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_VERTICES,
    UserLayer,
    load_layer,
    read_user_layer,
    to_geojson_dict,
)


def _fc(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(geom, **props):
    return {"type": "Feature", "properties": props, "geometry": geom}


@pytest.mark.parametrize("name", list(LAYERS))
def test_builtin_layers_load(name):
    gdf = load_layer(name)
    assert len(gdf) > 0 and gdf.crs.to_epsg() == 4326
    assert LAYERS[name].id_field in gdf.columns
    b = gdf.total_bounds
    assert -180 <= b[0] <= b[2] <= 180 and -90 <= b[1] <= b[3] <= 90


def test_load_returns_independent_copies():
    a = load_layer("incidents")
    a.loc[0, "place"] = "changed"
    assert load_layer("incidents").loc[0, "place"] != "changed"
    # GeoJSON lists stay lists (the incidents' sources)
    assert isinstance(load_layer("incidents").loc[0, "sources"], list)


def test_load_path_and_unknown(tmp_path):
    p = tmp_path / "mine.geojson"
    p.write_bytes(_fc(_feature({"type": "Point", "coordinates": [23.9, 50.4]}, name="x")))
    gdf = load_layer(str(p))
    assert list(gdf["name"]) == ["x"]
    with pytest.raises(InputError, match="unknown layer"):
        load_layer("no_such_layer")


def test_geojson_forms_and_feature_id():
    pt = {"type": "Point", "coordinates": [23.9, 50.4]}
    assert len(read_user_layer(json.dumps(pt).encode(), "p.geojson").gdf) == 1
    feat = {"type": "Feature", "id": "abc", "properties": None, "geometry": pt}
    layer = read_user_layer(json.dumps(feat).encode(), "f.json")
    assert isinstance(layer, UserLayer) and layer.name == "f"
    assert layer.gdf["id"].iloc[0] == "abc"


def test_projected_coordinates_rejected_with_message():
    data = _fc(_feature({"type": "Point", "coordinates": [2664000.0, 6530000.0]}))
    with pytest.raises(InputError, match="projected"):
        read_user_layer(data, "webmercator.geojson")


def test_swapped_coordinates_explained():
    data = _fc(_feature({"type": "Point", "coordinates": [50.4, 123.9]}))
    with pytest.raises(InputError, match="swapped"):
        read_user_layer(data, "swapped.geojson")


def test_invalid_polygon_repaired_and_reported():
    bowtie = {"type": "Polygon", "coordinates": [[[23, 50], [24, 51], [24, 50], [23, 51], [23, 50]]]}
    layer = read_user_layer(_fc(_feature(bowtie, name="bow")), "bow.geojson")
    g = layer.gdf.geometry.iloc[0]
    assert g.is_valid and g.geom_type == "MultiPolygon"
    assert any("make_valid" in m for m in layer.messages)
    # the two triangles keep (about) half of the unit cell's area each
    assert area_km2(g) == pytest.approx(area_km2(shapely.box(23, 50, 24, 51)) / 2, rel=0.01)


def test_null_geometries_dropped_with_message():
    data = _fc(_feature(None, name="nothing"),
               _feature({"type": "Point", "coordinates": [23.9, 50.4, 210.0]}, name="p"))
    layer = read_user_layer(data, "x.geojson")
    assert list(layer.gdf["name"]) == ["p"]
    assert not layer.gdf.geometry.iloc[0].has_z
    assert len(layer.messages) == 2


def test_size_cap():
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    data = _fc(_feature({"type": "Point", "coordinates": [23.9, 50.4]}))
    padded = data[:-1] + b" " * (MAX_UPLOAD_BYTES - len(data) + 1) + data[-1:]
    with pytest.raises(InputError, match="limit"):
        read_user_layer(padded, "big.geojson")


def test_vertex_cap():
    assert MAX_UPLOAD_VERTICES == 500_000
    line = {"type": "LineString", "coordinates": [[23 + i * 1e-4, 50.0] for i in range(101)]}
    with pytest.raises(InputError, match="vertices"):
        read_user_layer(_fc(_feature(line)), "long.geojson", max_vertices=100)
    assert len(read_user_layer(_fc(_feature(line)), "ok.geojson", max_vertices=101).gdf) == 1


@pytest.mark.parametrize("header", ["lat,lon", "Latitude,Longitude", "LAT,LNG", "y,x", "Lat,Long"])
def test_csv_column_names(header):
    data = f"name,{header}\nPrzewodow,50.47099,23.93432\nLviv,49.84,24.03\n".encode()
    gdf = read_user_layer(data, "pts.csv").gdf
    assert list(gdf["name"]) == ["Przewodow", "Lviv"]
    assert gdf.geometry.iloc[0].x == pytest.approx(23.93432) and gdf.geometry.iloc[0].y == 50.47099


def test_csv_semicolon_decimal_comma_and_bad_rows():
    layer = read_user_layer(b"lat;lon;n\n50,5;23,1;a\n51;24;c\n", "eu.csv")
    assert list(layer.gdf["n"]) == ["a", "c"]
    assert layer.gdf.geometry.iloc[0].x == pytest.approx(23.1)
    # One policy for every reader: a bad row refuses the file and is named.
    with pytest.raises(InputError, match=r"eu.csv: 1 row has no numeric lat/lon: data row 2 "):
        read_user_layer(b"lat;lon;n\n50,5;23,1;a\n;;b\n51;24;c\n", "eu.csv")


@pytest.mark.parametrize("data,name,match", [
    (b"", "empty.geojson", "empty"),
    (b"{not json", "bad.geojson", "not valid JSON"),
    (b"\xff\xfe\x00", "bin.geojson", "UTF-8"),
    (b"<kml/>", "file.kml", "unsupported"),
    (b'{"type":"FeatureCollection","features":[]}', "none.geojson", "no features"),
    (b'{"type":"Topology"}', "topo.json", "not GeoJSON"),
    (b'{"type":"Polygon","coordinates":[[[1,2],[3,4]]]}', "short.geojson", "invalid GeoJSON"),
    (b"a,b\n1,2\n", "nocols.csv", "latitude and longitude"),
    (b"lat,lon\n95,23\n", "far.csv", "swapped"),
])
def test_bad_files_raise_input_error(data, name, match):
    with pytest.raises(InputError, match=match) as exc:
        read_user_layer(data, name)
    assert "\n" not in str(exc.value)


@settings(max_examples=150, deadline=None)
@given(data=st.one_of(st.binary(max_size=300),
                      st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=5),
                                   lambda c: st.lists(c, max_size=4)
                                   | st.dictionaries(st.sampled_from(
                                       ["type", "features", "geometry", "coordinates",
                                        "properties", "Feature", "Point"]), c, max_size=4),
                                   max_leaves=12).map(lambda v: json.dumps(v).encode())),
       ext=st.sampled_from([".geojson", ".json", ".csv"]))
def test_property_never_a_traceback(data, ext):
    try:
        layer = read_user_layer(data, "fuzz" + ext)
    except InputError as exc:  # refused: with a message
        assert str(exc)
    else:
        assert len(layer.gdf) > 0


def test_geojson_writer_round_trip():
    gdf = load_layer("incidents")
    fc = to_geojson_dict(gdf)
    text = json.dumps(fc)
    back = read_user_layer(text.encode(), "again.geojson").gdf
    assert list(back["id"]) == list(gdf["id"])
    assert back.geometry.iloc[0].equals_exact(gdf.geometry.iloc[0], 1e-7)
