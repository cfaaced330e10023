"""The basemap a user brings, without a browser: the source check (one line for every
bad input), tiles read back from the PMTiles and MBTiles files the tests build, the
map arg, and the brief (raster tiles drawn under the layers, the attribution printed)."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import tilefiles
from PIL import Image

from dashboard.geo.errors import InputError
from dashboard.io import basemap as bmio
from dashboard.render.basemap import basemap_arg
from dashboard.render.brief import build_figure
from dashboard.scene.compose import build_scene
from dashboard.scene.request import SceneRequest


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("tiles")
    return {"pmtiles": tilefiles.write_pmtiles(d / "test.pmtiles"),
            "mbtiles": tilefiles.write_mbtiles(d / "test.mbtiles")}


@pytest.fixture(autouse=True)
def no_basemap(monkeypatch):
    monkeypatch.delenv(bmio.ENV_SOURCE, raising=False)
    monkeypatch.delenv(bmio.ENV_ATTRIBUTION, raising=False)
    bmio.set_sidebar_source(None)
    yield
    bmio.set_sidebar_source(None)


def _rgb(data: bytes, xy=(128, 128)) -> tuple[int, ...]:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB").getpixel(xy)


@pytest.mark.parametrize("kind", ["pmtiles", "mbtiles"])
def test_tiles_read_back_as_written(files, kind):
    bm = bmio.check_source(str(files[kind]))
    rgb = tilefiles.PMTILES_RGB if kind == "pmtiles" else tilefiles.MBTILES_RGB
    assert (bm.kind, bm.tile_type, bm.tile_format, bm.min_zoom, bm.max_zoom, bm.tile_px) == (
        kind, "raster", "png", 0, tilefiles.MAX_ZOOM, 256)
    for z, x, y in [(0, 0, 0), (2, 1, 3), (3, 7, 0), (3, 2, 5)]:
        data = bm.tile(z, x, y)
        assert data is not None and _rgb(data) == rgb
        assert _rgb(data, (0, 0)) == (z, x, y)  # the right tile: MBTiles' TMS rows flipped back
    assert bm.tile(4, 0, 0) is None and bm.tile(2, 4, 0) is None and bm.tile(-1, 0, 0) is None


def test_attribution_is_text(files):
    assert bmio.check_source(str(files["pmtiles"])).attribution == "Test PMTiles © magenta"
    assert bmio.check_source(str(files["mbtiles"]), "<b>Mine</b>").attribution == "Mine"


@pytest.mark.parametrize("text, words", [
    ("", "no basemap given"),
    ("/no/such/file.pmtiles", "no such basemap file"),
    ("/etc/passwd", "must end in .pmtiles or .mbtiles"),
    ("ftp://host/{z}/{x}/{y}.png", "http or https"),
    ("https://host/tiles.png", "{z}, {x} and {y}"),
    ("file:///etc/{z}/{x}/{y}", "http or https"),
])
def test_bad_sources_get_one_line(text, words):
    with pytest.raises(InputError) as err:
        bmio.check_source(text)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_directory_or_fake_file_is_refused(tmp_path):
    (tmp_path / "dir.pmtiles").mkdir()
    with pytest.raises(InputError, match="regular file"):
        bmio.check_source(str(tmp_path / "dir.pmtiles"))
    (tmp_path / "fake.mbtiles").write_text("not sqlite")
    with pytest.raises(InputError, match="not an MBTiles"):
        bmio.check_source(str(tmp_path / "fake.mbtiles"))
    (tmp_path / "fake.pmtiles").write_bytes(b"\0" * 200)
    with pytest.raises(InputError, match="not a PMTiles v3"):
        bmio.check_source(str(tmp_path / "fake.pmtiles"))


def test_configuration_order_and_tokens(files, monkeypatch):
    assert bmio.resolve_basemap() == (None, None)
    monkeypatch.setenv(bmio.ENV_SOURCE, str(files["mbtiles"]))
    monkeypatch.setenv(bmio.ENV_ATTRIBUTION, "Env attribution")
    bm = bmio.configured_basemap()
    assert bm is not None and bm.kind == "mbtiles" and bm.attribution == "Env attribution"
    assert bmio.basemap_for_token(bm.token) is bm and bmio.basemap_for_token("0" * 12) is None
    bmio.set_sidebar_source(str(files["pmtiles"]))  # the sidebar wins
    assert bmio.configured_basemap().kind == "pmtiles"
    with pytest.raises(InputError):
        bmio.set_sidebar_source("/nope.pmtiles")
    assert bmio.configured_basemap().kind == "pmtiles"  # a bad entry changes nothing
    bmio.set_sidebar_source(None)
    monkeypatch.setenv(bmio.ENV_SOURCE, "/nope.pmtiles")
    bm, problem = bmio.resolve_basemap()
    assert bm is None and problem.startswith(f"Basemap ({bmio.ENV_SOURCE}) not used: no such basemap file")


def test_secrets_table(tmp_path):
    f = tmp_path / "secrets.toml"
    f.write_text('[basemap]\nsource = "/x.pmtiles"\nattribution = "S"\n')
    assert dict(bmio.secrets_basemap((tmp_path / "missing.toml", f))) == {"source": "/x.pmtiles", "attribution": "S"}


def test_map_arg(files):
    bm = bmio.check_source(str(files["pmtiles"]))
    arg = basemap_arg(bm)
    assert arg["url"] == f"_basemap/{bm.token}/{{z}}/{{x}}/{{y}}" and arg["local"] is True
    assert (arg["type"], arg["tileSize"], arg["minZoom"], arg["maxZoom"]) == ("raster", 256, 0, 3)
    xyz_bm = bmio.check_source("http://127.0.0.1:9/{z}/{x}/{y}.png", "X")
    xyz = basemap_arg(xyz_bm)  # served by the app too, fetched from the host by it
    assert xyz["url"] == f"_basemap/{xyz_bm.token}/{{z}}/{{x}}/{{y}}" and xyz["local"] is False


def _sources(layout) -> str:
    return next(t.get_text() for t in layout.fig.texts if t.get_text().startswith("Sources:"))


def _map_pixels(layout) -> np.ndarray:
    layout.fig.canvas.draw()
    rgba = np.asarray(layout.fig.canvas.buffer_rgba())
    x0, y0, w, h = (int(v) for v in layout.map_ax.get_window_extent().bounds)
    top = rgba.shape[0] - (y0 + h)  # figure pixels count from the bottom, rows from the top
    return rgba[top + 2:top + h - 2, x0 + 2:x0 + w - 2, :3]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["pmtiles", "mbtiles"])
def test_brief_draws_a_local_raster_basemap_and_names_it(files, kind, monkeypatch):
    scene = build_scene(SceneRequest())
    plain = build_figure(scene, generated_at=None)
    rgb = np.array(tilefiles.PMTILES_RGB if kind == "pmtiles" else tilefiles.MBTILES_RGB)
    assert not (np.abs(_map_pixels(plain).astype(int) - rgb).sum(axis=2) < 12).any()
    assert "Basemap" not in _sources(plain)
    monkeypatch.setenv(bmio.ENV_SOURCE, str(files[kind]))
    layout = build_figure(scene)
    share = (np.abs(_map_pixels(layout).astype(int) - rgb).sum(axis=2) < 12).mean()
    assert share > 0.3, share  # the tiles show wherever no layer covers them
    expected = "Test PMTiles © magenta" if kind == "pmtiles" else "Test MBTiles © green tiles"
    assert _sources(layout).endswith(f"Basemap: {expected}")


def test_brief_names_a_basemap_it_does_not_draw(monkeypatch):
    monkeypatch.setenv(bmio.ENV_SOURCE, "http://127.0.0.1:8080/{z}/{x}/{y}.png")
    monkeypatch.setenv(bmio.ENV_ATTRIBUTION, "© Example tiles")
    layout = build_figure(build_scene(SceneRequest()))
    assert "Basemap: © Example tiles (shown on the live map, not drawn here)" in _sources(layout)
