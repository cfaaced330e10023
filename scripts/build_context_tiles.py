#!/usr/bin/env python
"""Write the live map's context tiles (rivers and wide water), byte for byte.

Usage::

    python scripts/build_context_tiles.py            # rewrite dashboard/ui/mapview/frontend/context/
    python scripts/build_context_tiles.py --check    # exit 1 if the committed files are stale
    python scripts/build_context_tiles.py --out DIR  # build elsewhere

The river centre lines (``geodata/rivers.geojson``, GSHHG/WDBII) and the wide water
(``geodata/wide_water.geojson``, OpenStreetMap river polygons) are too big for the first
load (1.1 and 1.3 MB of GeoJSON), so, like the village-scale places
(``scripts/build_place_tiles.py``, whose tile keys, names, index and writer this script
shares), they are split into **bands** shown by zoom and square **tiles** fetched only
where the view is:

==========  =====================================  ===========  ==========  =========
layer       band                                   zoom         tiles       fetched
==========  =====================================  ===========  ==========  =========
rivers      overview: merged, simplified 0.01°     7 to 8       one file    from zoom 7
rivers      full: every committed vertex           from 8       2° x 2°     by view
wide_water  full: every committed vertex           from 9       2° x 2°     by view
==========  =====================================  ===========  ==========  =========

A tile ``"x_y"`` holds its layer's geometry clipped to ``[x, x + 2] x [y, y + 2]`` degrees
(``x``, ``y`` even), so a feature crossing tiles is cut at their common edge and each
piece keeps the feature's ``id``; the overview's key is ``"all"`` and its one feature
(id ``overview``) is every line merged where lines meet, then simplified.  Each tile is a binary
GeoTable (:mod:`dashboard.render.geotable`; lines for rivers, polygons for wide water; no
props) named ``<layer>_<band>_<key>.<sha12>.bin``.  ``tiles.<sha12>.json`` is the
browser's index (``{"layers": [{"layer", "kind", "bands": [{"band", "minZoom",
"maxZoom" (exclusive, null: none), "tileDeg", "tiles": {key: file name}}]}]}``) and
``index.json`` (Python's) names it and counts every tile's features and bytes.
``tests/test_rivers.py`` fails when the committed files differ from a rebuild.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import shape

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.data.catalogue import GEODATA_DIR
from dashboard.render.geotable import MAPVIEW_DIR, encode, file_hash, to_bin
from scripts.build_place_tiles import INDEX_NAME, _json, stale, tile_key, write_files

#: Where the tiles are served from (the map component's directory).
CONTEXT_DIR: Path = MAPVIEW_DIR / "context"
#: Tile size of the detailed bands, degrees.
TILE_DEG: int = 2
#: Display simplification of the rivers' overview, degrees (0.01 degree is 0.7-1.1 km at
#: 50 N: a pixel at zoom 7; the source's own error is 0.5-2 km).
OVERVIEW_TOLERANCE_DEG: float = 0.01
#: The overview is drawn from this zoom on: the first load of the map (zoom 5.5-6.6) fetches
#: only the tile index, which keeps its growth within the 300 kB budget of issue 20.
OVERVIEW_MIN_ZOOM: float = 7.0
#: (layer, geodata file, kind, bands): each band (name, minZoom, maxZoom exclusive or None,
#: tile size in degrees or 0 for one file, simplification in degrees).
LAYERS: tuple[tuple[str, str, str, tuple[tuple[str, float, float | None, int, float], ...]], ...] = (
    ("rivers", "rivers.geojson", "line",
     (("overview", OVERVIEW_MIN_ZOOM, 8.0, 0, OVERVIEW_TOLERANCE_DEG),
      ("full", 8.0, None, TILE_DEG, 0.0))),
    ("wide_water", "wide_water.geojson", "polygon",
     (("full", 9.0, None, TILE_DEG, 0.0),)),
)


def read_layer(file: str, geodata: Path = GEODATA_DIR) -> gpd.GeoDataFrame:
    """A committed layer's ids and geometries (file order)."""
    feats = json.loads((geodata / file).read_text(encoding="utf-8"))["features"]
    return gpd.GeoDataFrame({"id": [f["properties"]["id"] for f in feats]},
                            geometry=[shape(f["geometry"]) for f in feats], crs=4326)


def tile_pieces(gdf: gpd.GeoDataFrame, kind: str, size: int) -> dict[str, gpd.GeoDataFrame]:
    """``{key: the features' pieces inside the tile}`` of ``size``-degree tiles, by key;
    pieces keep their feature's id and order; empty pieces are left out."""
    out: dict[str, list[tuple[str, shapely.Geometry]]] = {}
    keep = ("LineString", "MultiLineString") if kind == "line" else ("Polygon", "MultiPolygon")
    for fid, geom in zip(gdf["id"], gdf.geometry):
        w, s, e, n = geom.bounds
        x0, y0 = (int(v) for v in tile_key(w, s, size).split("_"))
        x1, y1 = (int(v) for v in tile_key(e, n, size).split("_"))
        for x in range(x0, x1 + size, size):
            for y in range(y0, y1 + size, size):
                piece = shapely.clip_by_rect(geom, x, y, x + size, y + size)
                parts = [p for p in shapely.get_parts(piece)
                         if p.geom_type in keep and not p.is_empty and (p.length if kind == "line" else p.area) > 0]
                if parts:
                    out.setdefault(f"{x}_{y}", []).append((fid, shapely.union_all(parts) if len(parts) > 1
                                                           else parts[0]))
    return {k: gpd.GeoDataFrame({"id": [i for i, _ in v]}, geometry=[g for _, g in v], crs=4326)
            for k, v in sorted(out.items())}


def overview(gdf: gpd.GeoDataFrame, tolerance_deg: float) -> gpd.GeoDataFrame:
    """One feature (id ``"overview"``): every line merged where lines meet (so the
    simplification need not keep each confluence), Douglas-Peucker ``tolerance_deg``."""
    merged = shapely.line_merge(shapely.union_all(list(gdf.geometry.values)))
    simple = shapely.simplify(merged, tolerance_deg, preserve_topology=False)
    return gpd.GeoDataFrame({"id": ["overview"]}, geometry=[simple], crs=4326)


def expected_files(geodata: Path = GEODATA_DIR) -> dict[str, bytes]:
    """Every file the context directory should hold, by name, with its bytes."""
    files: dict[str, bytes] = {}
    browser: list[dict] = []
    counts: list[dict] = []
    for layer, file, kind, bands in LAYERS:
        gdf = read_layer(file, geodata)
        b_out, b_count = [], []
        for band, min_zoom, max_zoom, size, tol in bands:
            pieces = {"all": overview(gdf, tol)} if size == 0 else tile_pieces(gdf, kind, size)
            tiles, count = {}, {}
            for key, part in pieces.items():
                table = encode(part, kind, id_field="id")  # type: ignore[arg-type]
                data = to_bin(table)
                name = f"{layer}_{band}_{key}.{file_hash(data)}.bin"
                files[name] = data
                tiles[key] = name
                count[key] = {"file": name, "features": len(table), "vertices": table.n_vertices,
                              "bytes": len(data)}
            b_out.append({"band": band, "minZoom": min_zoom, "maxZoom": max_zoom, "tileDeg": size,
                          "tiles": tiles})
            b_count.append({"band": band, "minZoom": min_zoom, "maxZoom": max_zoom, "tileDeg": size,
                            "toleranceDeg": tol, "bytes": sum(c["bytes"] for c in count.values()),
                            "tiles": count})
        browser.append({"layer": layer, "kind": kind, "bands": b_out})
        counts.append({"layer": layer, "file": file, "kind": kind, "features": len(gdf), "bands": b_count})
    text = _json({"layers": browser})
    browser_name = f"tiles.{file_hash(text)}.json"
    files[browser_name] = text
    index = {"url": f"context/{browser_name}", "bytes": len(text), "layers": counts}
    files[INDEX_NAME] = (json.dumps(index, indent=1, sort_keys=True, ensure_ascii=False)
                         + "\n").encode("utf-8")
    return files


def build(out_dir: Path = CONTEXT_DIR) -> dict[str, bytes]:
    """Write the files into ``out_dir`` and remove older tiles; returns the files."""
    return write_files(out_dir, expected_files())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=CONTEXT_DIR, help="output directory")
    ap.add_argument("--check", action="store_true",
                    help="only compare; exit 1 when the directory is out of date")
    args = ap.parse_args(argv)
    if args.check:
        wrong = stale(args.out, expected_files())
        for name in wrong:
            print(f"stale: {name}", file=sys.stderr)
        return 1 if wrong else 0
    files = build(args.out)
    index = json.loads(files[INDEX_NAME])
    for lyr in index["layers"]:
        for b in lyr["bands"]:
            sizes = [t["bytes"] for t in b["tiles"].values()]
            print(f"{lyr['layer']:>10} {b['band']:>8}: {len(sizes):>3} tiles, {b['bytes']:>9,} bytes "
                  f"(largest {max(sizes, default=0):,})")
    print(f"{sum(len(d) for d in files.values()):>10,} bytes in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
