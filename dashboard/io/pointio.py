"""Points files of any length, read and written in chunks: CSV, GeoJSON, (Geo)Parquet.

Peak memory depends on the chunk size, never on the number of rows:

- **CSV** (``lat``/``lon`` columns, ``,`` or ``;``): pandas' chunked reader; the
  rows are counted first (a fast byte scan) for the progress bar.  Written by
  :func:`dashboard.io.csvsafe.csv_chunk_bytes`: every cell as pandas' ``to_csv``
  writes it (floats as numpy prints them, text made inert, minimal quoting) but a
  column at a time in pyarrow, without a Python call per cell; a chunk it cannot
  vouch for (a carriage return in its text, a column that is not numbers or text)
  goes through ``to_csv`` itself.
- **GeoJSON** points: GDAL's streaming reader through ``pyogrio.open_arrow``.
- **Parquet**: row batches with pyarrow; GeoParquet (a WKB point column named in
  the ``geo`` metadata) or plain Parquet with ``lat``/``lon`` columns.

Writers append chunk by chunk: CSV (header once), GeoJSON (one
FeatureCollection, features streamed) and GeoParquet (one row group a chunk,
points as WKB with GeoParquet 1.1 metadata, the other columns kept).
:func:`measure_table` is the one kernel every engine runs on a chunk.
:func:`stream_distances` overlaps reading, measuring and writing: a thread reads and parses the next
chunk while the kernel measures this one (in its own threads) and another thread
writes the previous one (three chunks in memory at most, whatever the file).

Bad files are refused by :func:`open_points` before any row is measured, with
the messages of :mod:`dashboard.io.filecheck`: archives, binary and UTF-16
files from their first bytes; a CSV line over
:data:`~dashboard.data.limits.MAX_LINE_BYTES` during the row count (a 1 GB
single line costs one 4 MB read, not 1 GB); a CSV without lat/lon columns from
its header; a row without numeric lat/lon by
:func:`dashboard.io.points_table.check_csv_rows`, one pass over the file; a
GeoJSON file up to
:data:`~dashboard.data.limits.MAX_UPLOAD_BYTES` is first read as an upload is
(so its messages are the upload's).  Lat/lon columns are read by
:func:`dashboard.io.points_table.read_points_table`, the upload's reader, which
here refuses a row without numeric coordinates instead of dropping it.
"""
from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.data.coverage import COVERAGE_LONLAT, coverage_text
from dashboard.data.limits import (
    CHUNK_ROWS,
    MAX_FILE_LAYER_VERTICES,
    MAX_LINE_BYTES,
    MAX_UPLOAD_BYTES,
)
from dashboard.geo.distance import nearest
from dashboard.geo.errors import InputError
from dashboard.io.atomic import atomic_output
from dashboard.io.csvsafe import csv_chunk_bytes, csv_chunk_text
from dashboard.io.filecheck import (
    HEAD_BYTES,
    check_lonlat,
    json_head,
    not_utf8,
    read_path,
    regular_file,
    shown,
    sniff,
    swapped_hint,
)
from dashboard.io.layers_io import read_user_layer, to_geojson_dict
from dashboard.io.points_table import check_csv_rows, find_lonlat_columns, read_points_table
from dashboard.io.wording import csv_reason

#: ``GeoDataFrame.attrs`` key of a layer clipped to the coverage box (a built-in layer):
#: :func:`measure_table` leaves its distances empty for points outside the box.
CLIPPED_TO_COVERAGE = "clipped_to_coverage"
#: Input kinds by file extension.
POINT_KINDS: dict[str, str] = {".csv": "csv", ".geojson": "geojson", ".json": "geojson",
                               ".parquet": "parquet", ".geoparquet": "parquet"}
#: A target layer: (name used in column names, layer, id field or None).
Target = tuple[str, gpd.GeoDataFrame, "str | None"]


def points_of_table(df: pd.DataFrame, first_row: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) degrees from a table's lat/lon columns; a row without numeric
    coordinates is refused (a dropped row would be a missing result row), named by
    its data row in the whole file (``first_row``: rows before this chunk)."""
    points = read_points_table(df, first_row=first_row)
    return points.lon, points.lat


def _points_of_wkb(wkb: Any, first_row: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    geoms = shapely.from_wkb(np.asarray(wkb, dtype=object))
    types = shapely.get_type_id(geoms)
    wrong = (types != 0) | shapely.is_empty(geoms)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        what = ("no geometry (null, or coordinates that are not numbers)" if types[i] < 0
                else "an empty point" if types[i] == 0
                else f"a {shapely.GeometryType(types[i]).name.title()}")
        raise InputError(f"{shown(name)} must hold points only (found {what} at feature "
                         f"{first_row + i + 1})")
    x, y = shapely.get_x(geoms), shapely.get_y(geoms)
    try:
        check_lonlat(x, y)
    except InputError as exc:
        raise InputError(f"{shown(name)}: {exc}") from None
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
    #: What reading noticed (a lat/lon order that looks swapped), one sentence each.
    messages: list[str] = field(default_factory=list)
    #: Points read so far outside the built-in layers' coverage, and the first of them
    #: (data rows from 1), for :meth:`coverage_message`.
    outside_coverage: int = 0
    first_outside: list[int] = field(default_factory=list)

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[tuple[pd.DataFrame, np.ndarray, np.ndarray]]:
        """Yield ``(table, lon, lat)`` for each chunk of at most ``rows`` rows; the
        table holds the file's other columns (no geometry), lon/lat in degrees.

        Raises :class:`InputError` for a file without a single point; the first
        chunk's positions are checked for a swapped lat/lon order (said in
        :attr:`messages`)."""
        reader = {"csv": _csv_chunks, "geojson": _geojson_chunks,
                  "parquet": _parquet_chunks}[self.kind]
        n = 0
        for table, lon, lat in reader(self, max(int(rows), 1)):
            if n == 0:
                hint = swapped_hint(lon, lat, str(self.path))
                if hint:
                    self.messages.append(hint)
            self._count_outside(lon, lat, n)
            n += len(table)
            yield table, lon, lat
        if n == 0:
            raise InputError(f"{shown(self.path)} has no points")

    def _count_outside(self, lon: np.ndarray, lat: np.ndarray, first: int) -> None:
        _count_outside_impl(self, lon, lat, first)

    def coverage_message(self, rows: int) -> str | None:
        """A warning when some points lie outside the built-in layers' coverage (their
        distances to those layers are to the clip edge), naming the first rows."""
        if not self.outside_coverage:
            return None
        first = ", ".join(str(i) for i in self.first_outside)
        more = " ..." if self.outside_coverage > len(self.first_outside) else ""
        return (f"{shown(self.path)}: {self.outside_coverage:,} of {rows:,} points lie outside "
                f"the data's coverage ({coverage_text()}; rows {first}{more}); their "
                "distances to the layers clipped there are left empty (they would be to the clip "
                "edge)")


def _outside_mask(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    w, s, e, n = COVERAGE_LONLAT
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    return ~((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n))


def _count_outside_impl(src: PointSource, lon: np.ndarray, lat: np.ndarray, first: int) -> None:
    out = np.flatnonzero(_outside_mask(lon, lat))
    src.outside_coverage += len(out)
    src.first_outside.extend(first + int(i) + 1 for i in out[:5 - len(src.first_outside)])


def _count_lines(path: Path, max_line_bytes: int = MAX_LINE_BYTES) -> int:
    """Lines of a file, by a byte scan in 8 MB blocks; :class:`InputError` as soon as a
    line is longer than ``max_line_bytes`` (a 1 GB single line is refused after
    reading ``max_line_bytes``, not the whole file)."""
    n, last, run = 0, b"\n", 0  # run: bytes since the last newline
    with path.open("rb") as f:
        while block := f.read(min(1 << 23, max_line_bytes + 1)):
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            longest = run + (int(ends[0]) if len(ends) else len(block))
            if len(ends) > 1:
                longest = max(longest, int(np.diff(ends).max()) - 1)
            run = len(block) - 1 - int(ends[-1]) if len(ends) else run + len(block)
            if max(longest, run) > max_line_bytes:
                raise InputError(f"{shown(path)} has a line longer than "
                                 f"{max_line_bytes / 2**20:.0f} MB; a CSV row is never that "
                                 "long: is it a CSV file?")
            n += len(ends)
            last = block[-1:]
    return n + (last != b"\n")


def _csv_sep(path: Path) -> str:
    """The CSV's separator from its header: ``,``, else ``;`` or a tab."""
    with path.open("rb") as f:
        head = f.readline(MAX_LINE_BYTES).decode("utf-8", errors="replace")
    if "," in head:
        return ","
    return ";" if ";" in head else "\t" if "\t" in head else ","


def _csv_chunks(src: PointSource, rows: int):
    first = 0
    try:
        reader = pd.read_csv(src.path, sep=src.options["sep"], chunksize=rows, low_memory=False,
                             encoding="utf-8-sig", index_col=False)
        for df in reader:
            df = df.reset_index(drop=True)
            try:
                lon, lat = points_of_table(df, first)
            except InputError as exc:
                raise InputError(f"{shown(src.path)}: {exc}") from None
            yield df, lon, lat
            first += len(df)
    except UnicodeDecodeError:
        raise not_utf8(str(src.path)) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{shown(src.path)} is not a readable CSV: {csv_reason(exc)}") from None


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
        reason = (str(exc).splitlines() or ["no geometry"])[0].split(";")[0][:200]
        if "not recognized as being in a supported file format" in reason:
            reason = "GDAL does not recognise it as GeoJSON"
        raise InputError(f"{shown(src.path)} is not a readable GeoJSON file: {reason}") from None


def geo_column(schema) -> str | None:
    """The primary geometry column named in a GeoParquet schema's ``geo`` metadata."""
    meta = (schema.metadata or {}).get(b"geo")
    if not meta:
        return None
    try:
        return json.loads(meta)["primary_column"]
    except (ValueError, KeyError):
        return None


def check_geo_crs(schema, name: str) -> None:
    """Raise :class:`InputError` if a GeoParquet file's ``geo`` metadata names a CRS other
    than WGS84 longitude/latitude (EPSG:4326, OGC:CRS84; no ``crs`` means CRS84)."""
    try:
        meta = json.loads((schema.metadata or {}).get(b"geo") or b"{}")
        col = meta["columns"][meta["primary_column"]]
    except (ValueError, KeyError, TypeError):
        return
    if not isinstance(col, dict) or "crs" not in col or col["crs"] is None:
        return
    crs = col["crs"]
    ident = crs.get("id") if isinstance(crs, dict) else None
    code = (f"{ident.get('authority')}:{ident.get('code')}" if isinstance(ident, dict)
            else str(crs if not isinstance(crs, dict) else crs.get("name", "an unnamed CRS")))
    if code.upper().replace("::", ":") in ("EPSG:4326", "OGC:CRS84", "OGC:CRS84H") \
            or "CRS84" in code.upper() or code.upper().endswith(":4326"):
        return
    raise InputError(f"{shown(name)}: its GeoParquet metadata names the CRS {code[:60]}, not "
                     "WGS84 longitude/latitude; reproject it to EPSG:4326 first")


def _parquet_chunks(src: PointSource, rows: int):
    import pyarrow.parquet as pq

    first = 0
    pf = pq.ParquetFile(src.path)
    geom_col = geo_column(pf.schema_arrow)
    batches = pf.iter_batches(batch_size=rows)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise InputError(f"{shown(src.path)} is not a readable Parquet file: "
                             f"{(str(exc).splitlines() or [''])[0][:200]}") from None
        if geom_col:
            lon, lat = _points_of_wkb(batch.column(geom_col).to_pylist(), first, src.path.name)
            table = batch.drop_columns([geom_col]).to_pandas()
        else:
            table = batch.to_pandas()
            try:
                lon, lat = points_of_table(table, first)
            except InputError as exc:
                raise InputError(f"{shown(src.path)}: {exc}") from None
        yield table, lon, lat
        first += len(table)


def open_points(path: str | Path) -> PointSource:
    """Open a CSV, GeoJSON or (Geo)Parquet points file for chunked reading.

    Raises :class:`InputError` for a missing file or an unknown extension.
    """
    p = Path(path)
    regular_file(p)  # a FIFO, device or folder is refused by its type, unopened
    kind = POINT_KINDS.get(p.suffix.lower())
    if kind is None:
        raise InputError(f"--points needs a .csv, .geojson or .parquet file, not "
                         f"{shown(p.name)!r}")
    _check_head(p, kind)
    if kind == "csv":
        total = max(_count_lines(p) - 1, 0)
        _csv_columns(p)
        check_csv_rows(p, _csv_sep(p))
        return PointSource(p, kind, total, False, {"sep": _csv_sep(p)})
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(p)
        except (OSError, ValueError) as exc:
            raise InputError(f"{shown(path)} is not a readable Parquet file: "
                             f"{(str(exc).splitlines() or [''])[0][:200]}") from None
        geom = geo_column(pf.schema_arrow)
        check_geo_crs(pf.schema_arrow, str(path))
        if geom is None:
            try:
                find_lonlat_columns(pf.schema_arrow.names)
            except InputError as exc:
                raise InputError(f"{shown(path)}: {exc}") from None
        return PointSource(p, kind, pf.metadata.num_rows, geom is not None)
    source = PointSource(p, kind, _count_features(p), True)
    if p.stat().st_size <= MAX_UPLOAD_BYTES:  # small: checked as an upload is, same messages
        layer = read_user_layer(read_path(p, MAX_UPLOAD_BYTES), str(p),
                                max_vertices=MAX_FILE_LAYER_VERTICES)
        source.messages.extend(m for m in layer.messages if "swapped" not in m)
    return source


def _check_head(p: Path, kind: str) -> None:
    """A points file's first bytes fit its kind (no archive, binary or UTF-16 text)."""
    try:
        with p.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read {shown(p)}: {exc.strerror or exc}") from None
    if not head.strip():
        raise InputError(f"{shown(p)} is empty")
    if kind == "parquet":
        if not head.startswith(b"PAR1"):
            sniff(head, str(p))
            raise InputError(f"{shown(p)} is not a Parquet file (it does not start with PAR1)")
        return
    sniff(head, str(p))
    if kind == "geojson":
        json_head(head, str(p))


def _csv_columns(p: Path) -> None:
    """The CSV header names a lat and a lon column (checked before any row is read)."""
    try:
        cols = pd.read_csv(p, sep=_csv_sep(p), nrows=0, encoding="utf-8-sig").columns
    except UnicodeDecodeError:
        raise not_utf8(str(p)) from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{shown(p)} is not a readable CSV: {csv_reason(exc)}") from None
    try:
        find_lonlat_columns(cols)
    except InputError as exc:
        raise InputError(f"{shown(p)}: {exc}") from None


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
    outside = _outside_mask(lon, lat)
    for name, gdf, field_name in targets:
        res = nearest(lon, lat, gdf, id_field=field_name, workers=workers, boundary=False)
        km = res["distance_km"].round(4).to_numpy()
        feature = res["feature"].to_numpy()
        if gdf.attrs.get(CLIPPED_TO_COVERAGE) and outside.any():
            # the layer ends at the coverage box: a distance from outside is to its clip
            # edge, not an answer; left empty (and said by the caller)
            km = np.where(outside, np.nan, km)
            feature = np.where(outside, None, feature.astype(object))
        out[f"{name}_km"] = km
        out[f"{name}_feature"] = feature
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
        self._stack = contextlib.ExitStack()
        if self.path in ("-", ""):
            self._fh = sys.stdout
        else:  # a temporary file beside the target, renamed when every row is written
            self._fh = self._stack.enter_context(
                atomic_output(self.path, "wb" if self.kind == "parquet" else "w",
                              **({} if self.kind == "parquet" else {"encoding": "utf-8",
                                                                    "newline": ""})))
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
        data = csv_chunk_bytes(table, header=self.rows == 0)
        if data is None:
            self._fh.write(csv_chunk_text(table, header=self.rows == 0))
            return
        raw = getattr(self._fh, "buffer", None)
        if raw is not None and str(getattr(self._fh, "encoding", "")).lower().replace(
                "-", "") == "utf8":
            self._fh.flush()  # the text layer's bytes (none here) go first
            raw.write(memoryview(data))
        else:
            self._fh.write(data.to_pybytes().decode("utf-8"))

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
            self._writer = pq.ParquetWriter(self._fh, self._schema)
        try:
            t = t.cast(self._schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
            raise InputError(f"a column changes type between rows ({exc}); "
                             "write CSV or give the column one type") from None
        self._writer.write_table(t)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool | None:
        """Finish the file and rename it into place; after an error, remove it (the old
        file, if any, is untouched)."""
        if exc_type is None:
            try:
                if self.kind == "parquet" and self._writer is not None:
                    self._writer.close()
                elif self.kind == "geojson":
                    self._fh.write("\n]}\n")
                if self._fh is sys.stdout:
                    self._fh.flush()
            except BaseException:
                self._stack.__exit__(*sys.exc_info())
                raise
        elif self._writer is not None:  # closed before its file (not when collected)
            with contextlib.suppress(Exception):
                self._writer.close()
        return self._stack.__exit__(exc_type, exc, tb)


def stream_distances(source: PointSource, sink: PointSink, targets: Sequence[Target], *,
                     chunk_rows: int = CHUNK_ROWS,
                     progress: Callable[[int, int | None], None] | None = None,
                     workers: int | None = None,
                     measure: Callable[..., pd.DataFrame] | None = None) -> int:
    """Measure every point of ``source`` to each target and write the rows to ``sink``,
    one chunk at a time (memory bounded by the chunk size).  Returns the row count.

    ``measure(table, lon, lat)`` replaces :func:`measure_table` (``targets`` and
    ``workers`` are then unused): another method through the same reading and
    writing, as the benchmarks compare them.

    Reading, measuring and writing overlap: a thread reads (and checks) the next
    chunk and another writes the previous one while this thread measures.  Rows are
    written in file order; the first error anywhere is raised here once the reading
    and writing under way have stopped (so the sink is closed by no other thread)."""
    chunks = source.chunks(chunk_rows)
    done = 0
    with ThreadPoolExecutor(2, thread_name_prefix="points-io") as io_threads:
        reading = io_threads.submit(next, chunks, None)
        writing = None
        while (chunk := reading.result()) is not None:
            reading = io_threads.submit(next, chunks, None)  # the next chunk, meanwhile
            table, lon, lat = chunk
            result = (measure(table, lon, lat) if measure is not None
                      else measure_table(table, lon, lat, targets, workers))
            done = _written(writing, done, source.total_rows, progress)
            writing = io_threads.submit(_write, sink, result, lon, lat)
        done = _written(writing, done, source.total_rows, progress)
    return done


def _write(sink: PointSink, table: pd.DataFrame, lon: np.ndarray, lat: np.ndarray) -> int:
    sink.write(table, lon, lat)
    return len(table)


def _written(writing: Any, done: int, total: int | None,
             progress: Callable[[int, int | None], None] | None) -> int:
    """Rows written once ``writing`` (a future of :func:`_write`, or None) is done."""
    if writing is None:
        return done
    done += writing.result()
    if progress is not None:
        progress(done, total)
    return done


__all__ = ["CHUNK_ROWS", "CLIPPED_TO_COVERAGE", "PointSink", "PointSource", "geo_column",
           "measure_table", "open_points", "points_of_table", "stream_distances"]
