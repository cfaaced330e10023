"""Points files of any length, read and written in chunks: CSV, GeoJSON, (Geo)Parquet.

Peak memory depends on the chunk size, never on the number of rows:

- **CSV** (``lat``/``lon`` columns, ``,`` or ``;``): pandas' chunked reader; the
  rows are counted first (a fast byte scan) for the progress bar.
- **GeoJSON** points: GDAL's streaming reader through ``pyogrio.open_arrow``.
- **Parquet**: row batches with pyarrow; GeoParquet (a WKB point column named in
  the ``geo`` metadata) or plain Parquet with ``lat``/``lon`` columns.

Writers append chunk by chunk: CSV (header once), GeoJSON (one
FeatureCollection, features streamed) and GeoParquet (one row group a chunk,
points as WKB with GeoParquet 1.1 metadata, the other columns kept).
:func:`measure_table` is the one kernel every engine runs on a chunk.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.geo.distance import nearest
from dashboard.geo.errors import InputError
from dashboard.geo.layers_io import check_lonlat, find_lonlat_columns, to_geojson_dict

#: Rows per chunk unless told otherwise.
CHUNK_ROWS: int = 200_000
#: Input kinds by file extension.
POINT_KINDS: dict[str, str] = {".csv": "csv", ".geojson": "geojson", ".json": "geojson",
                               ".parquet": "parquet", ".geoparquet": "parquet"}
#: A target layer: (name used in column names, layer, id field or None).
Target = tuple[str, gpd.GeoDataFrame, "str | None"]


def _numbers(col: pd.Series) -> np.ndarray:
    """Numbers of a column; text like "50,47" (decimal comma) is read as 50.47."""
    if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        col = col.astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def points_of_table(df: pd.DataFrame, first_row: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) degrees from a table's lat/lon columns; ``first_row`` numbers its
    rows in messages (data rows, from 1)."""
    lon_c, lat_c = find_lonlat_columns(df.columns)
    lat, lon = _numbers(df[lat_c]), _numbers(df[lon_c])
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{int(bad.sum())} row(s) have no numeric {lat_c}/{lon_c}, first at "
                         f"data row {first_row + i + 1} ({lat_c}={str(df[lat_c].iloc[i])!r}, "
                         f"{lon_c}={str(df[lon_c].iloc[i])!r})")
    check_lonlat(lon, lat)
    return lon, lat


def _points_of_wkb(wkb: Any, first_row: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    geoms = shapely.from_wkb(np.asarray(wkb, dtype=object))
    types = shapely.get_type_id(geoms)
    wrong = (types != 0) | shapely.is_empty(geoms)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        what = "empty" if types[i] <= 0 else shapely.GeometryType(types[i]).name.title()
        raise InputError(f"{name} must hold points only (found {what} at feature "
                         f"{first_row + i + 1})")
    x, y = shapely.get_x(geoms), shapely.get_y(geoms)
    check_lonlat(x, y)
    return x, y


@dataclass
class PointSource:
    """A points file opened for chunked reading.

    Attributes
    ----------
    path : Path
    kind : {"csv", "geojson", "parquet"}
    total_rows : int or None
        Number of rows when it is cheap to know (CSV, Parquet), else None.
    has_geometry : bool
        True when points come from a geometry column (GeoJSON, GeoParquet).
    """

    path: Path
    kind: str
    total_rows: int | None = None
    has_geometry: bool = False
    options: dict = field(default_factory=dict)

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[tuple[pd.DataFrame, np.ndarray, np.ndarray]]:
        """Yield ``(table, lon, lat)`` for each chunk of at most ``rows`` rows; the
        table holds the file's other columns (no geometry), lon/lat in degrees."""
        reader = {"csv": _csv_chunks, "geojson": _geojson_chunks,
                  "parquet": _parquet_chunks}[self.kind]
        yield from reader(self, max(int(rows), 1))


def _count_lines(path: Path) -> int:
    n, last = 0, b"\n"
    with path.open("rb") as f:
        while block := f.read(1 << 23):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n")


def _csv_sep(path: Path) -> str:
    with path.open("rb") as f:
        head = f.readline().decode("utf-8", errors="replace")
    return ";" if ";" in head and "," not in head else ","


def _csv_chunks(src: PointSource, rows: int):
    first = 0
    try:
        reader = pd.read_csv(src.path, sep=src.options["sep"], chunksize=rows, low_memory=False)
        for df in reader:
            df = df.reset_index(drop=True)
            lon, lat = points_of_table(df, first)
            yield df, lon, lat
            first += len(df)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{src.path} is not a readable CSV: {str(exc).splitlines()[0]}") from None


def _geojson_chunks(src: PointSource, rows: int):
    import pyogrio

    first = 0
    try:
        with pyogrio.open_arrow(src.path, batch_size=rows, use_pyarrow=True) as (meta, reader):
            geom_col = None
            for batch in reader:
                geom_col = geom_col or next(f.name for f in batch.schema
                                            if b"geoarrow.wkb" in (f.metadata or {}).get(
                                                b"ARROW:extension:name", b""))
                lon, lat = _points_of_wkb(batch.column(geom_col).to_pylist(), first, src.path.name)
                table = batch.drop_columns([geom_col]).to_pandas()
                yield table, lon, lat
                first += len(table)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, StopIteration) as exc:
        raise InputError(f"{src.path} is not a readable GeoJSON file: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'no geometry'}") from None


def geo_column(schema) -> str | None:
    """The primary geometry column named in a GeoParquet schema's ``geo`` metadata."""
    meta = (schema.metadata or {}).get(b"geo")
    if not meta:
        return None
    try:
        return json.loads(meta)["primary_column"]
    except (ValueError, KeyError):
        return None


def _parquet_chunks(src: PointSource, rows: int):
    import pyarrow.parquet as pq

    first = 0
    pf = pq.ParquetFile(src.path)
    geom_col = geo_column(pf.schema_arrow)
    for batch in pf.iter_batches(batch_size=rows):
        if geom_col:
            lon, lat = _points_of_wkb(batch.column(geom_col).to_pylist(), first, src.path.name)
            table = batch.drop_columns([geom_col]).to_pandas()
        else:
            table = batch.to_pandas()
            lon, lat = points_of_table(table, first)
        yield table, lon, lat
        first += len(table)


def open_points(path: str | Path) -> PointSource:
    """Open a CSV, GeoJSON or (Geo)Parquet points file for chunked reading.

    Raises :class:`InputError` for a missing file or an unknown extension.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"cannot read {path}: no such file")
    kind = POINT_KINDS.get(p.suffix.lower())
    if kind is None:
        raise InputError(f"--points needs a .csv, .geojson or .parquet file, not {p.name!r}")
    if kind == "csv":
        return PointSource(p, kind, max(_count_lines(p) - 1, 0), False, {"sep": _csv_sep(p)})
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(p)
        except (OSError, ValueError) as exc:
            raise InputError(f"{path} is not a readable Parquet file: {exc}") from None
        geom = geo_column(pf.schema_arrow)
        if geom is None:
            find_lonlat_columns(pf.schema_arrow.names)
        return PointSource(p, kind, pf.metadata.num_rows, geom is not None)
    return PointSource(p, kind, _count_features(p), True)


def _count_features(path: Path) -> int:
    """Features of a GeoJSON file, by a fast byte scan for ``"Feature"`` (for the
    progress bar only)."""
    n, tail = 0, b""
    with path.open("rb") as f:
        while block := f.read(1 << 23):
            chunk = tail + block
            n += chunk.count(b'"Feature"')
            tail = chunk[-8:]
    return n


# ---------------------------------------------------------------------- the kernel
def measure_table(table: pd.DataFrame, lon: np.ndarray, lat: np.ndarray,
                  targets: Sequence[Target], workers: int | None = None) -> pd.DataFrame:
    """``table`` with ``<name>_km`` (geodesic km, 4 decimals) and ``<name>_feature``
    columns added for each target layer, for the points (lon, lat degrees)."""
    out = table.copy()
    for name, gdf, field_name in targets:
        res = nearest(lon, lat, gdf, id_field=field_name, workers=workers)
        out[f"{name}_km"] = res["distance_km"].round(4).to_numpy()
        out[f"{name}_feature"] = res["feature"].to_numpy()
    return out


# ---------------------------------------------------------------------- writers
def point_wkb(lon: np.ndarray, lat: np.ndarray):
    """A pyarrow binary array of little-endian WKB points (21 bytes each), built
    with numpy (no geometry objects)."""
    import pyarrow as pa

    n = len(lon)
    rec = np.zeros(n, dtype=[("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
    rec["order"], rec["type"], rec["x"], rec["y"] = 1, 1, lon, lat
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets),
                                                  pa.py_buffer(rec.tobytes())])


class PointSink:
    """An output file written chunk by chunk: ``.csv``, ``.geojson`` or ``.parquet``
    (``-`` is CSV on stdout).  Use as a context manager."""

    def __init__(self, path: str, has_geometry: bool) -> None:
        self.path = path
        ext = ".csv" if path in ("-", "") else Path(path).suffix.lower()
        if ext not in (".csv", ".geojson", ".json", ".parquet", ".geoparquet"):
            raise InputError(f"output must end in .csv, .geojson or .parquet, not {path!r}")
        self.kind = POINT_KINDS[ext]
        self.has_geometry = has_geometry
        self.rows = 0
        self._fh: Any = None
        self._writer: Any = None

    def __enter__(self) -> PointSink:
        if self.kind == "parquet":
            return self
        try:
            self._fh = sys.stdout if self.path in ("-", "") else open(self.path, "w", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        if self.kind == "geojson":
            self._fh.write('{"type": "FeatureCollection", "features": [\n')
        return self

    def write(self, table: pd.DataFrame, lon: np.ndarray, lat: np.ndarray) -> None:
        """Append one chunk: ``table`` (results added) and its points, degrees."""
        {"csv": self._csv, "geojson": self._geojson, "parquet": self._parquet}[self.kind](
            table, lon, lat)
        self.rows += len(table)

    def _csv(self, table: pd.DataFrame, lon: np.ndarray, lat: np.ndarray) -> None:
        if self.has_geometry:
            table = table.assign(lon=lon, lat=lat)
        table.to_csv(self._fh, index=False, header=self.rows == 0)

    def _geojson(self, table: pd.DataFrame, lon: np.ndarray, lat: np.ndarray) -> None:
        gdf = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        feats = to_geojson_dict(gdf)["features"]
        if feats:
            text = ",\n".join(json.dumps(f, ensure_ascii=False) for f in feats)
            self._fh.write((",\n" if self.rows else "") + text)

    def _parquet(self, table: pd.DataFrame, lon: np.ndarray, lat: np.ndarray) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        t = pa.Table.from_pandas(table.reset_index(drop=True), preserve_index=False)
        t = t.append_column("geometry", point_wkb(lon, lat))
        if self._writer is None:
            geo = {"version": "1.1.0", "primary_column": "geometry",
                   "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}}}
            meta = dict(t.schema.metadata or {})
            meta[b"geo"] = json.dumps(geo).encode()
            self._schema = t.schema.with_metadata(meta)
            try:
                self._writer = pq.ParquetWriter(self.path, self._schema)
            except OSError as exc:
                raise InputError(f"cannot write {self.path}: {exc}") from None
        try:
            t = t.cast(self._schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
            raise InputError(f"a column changes type between rows ({exc}); "
                             "write CSV or give the column one type") from None
        self._writer.write_table(t)

    def __exit__(self, *exc: object) -> None:
        if self.kind == "parquet":
            if self._writer is not None:
                self._writer.close()
            return
        if self.kind == "geojson":
            self._fh.write("\n]}\n")
        if self._fh is not sys.stdout:
            self._fh.close()
        else:
            self._fh.flush()


def stream_distances(source: PointSource, sink: PointSink, targets: Sequence[Target], *,
                     chunk_rows: int = CHUNK_ROWS,
                     progress: Callable[[int, int | None], None] | None = None,
                     workers: int | None = None) -> int:
    """Measure every point of ``source`` to each target and write the rows to ``sink``,
    one chunk at a time (memory bounded by the chunk size).  Returns the row count."""
    done = 0
    for table, lon, lat in source.chunks(chunk_rows):
        sink.write(measure_table(table, lon, lat, targets, workers), lon, lat)
        done += len(table)
        if progress is not None:
            progress(done, source.total_rows)
    return done


__all__ = ["CHUNK_ROWS", "PointSink", "PointSource", "geo_column", "measure_table", "open_points",
           "points_of_table", "stream_distances"]
