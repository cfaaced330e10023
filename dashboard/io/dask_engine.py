"""The same distance kernel over ``dask.dataframe`` partitions on a ``dask.distributed`` cluster.

:func:`stream_distances_dask` reads a CSV or (Geo)Parquet points file as a
dask DataFrame (one partition per about ``chunk_rows`` rows), sends the target
layers to every worker once (``Client.scatter``), runs
:func:`dashboard.io.pointio.measure_table` on each partition, and writes the
partitions back in order through a :class:`~dashboard.io.pointio.PointSink`.
At most a few partitions per worker are in flight, so memory stays bounded on
the client as on the workers.  Without a scheduler address it starts a
``LocalCluster`` (threads: the kernel, ``Geod`` and shapely release the GIL);
with one (``tcp://host:8786``) the workers must see the input file at the same
path, as dask always requires.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from dashboard.geo.errors import InputError
from dashboard.io.pointio import (
    CHUNK_ROWS,
    PointSink,
    PointSource,
    Target,
    geo_column,
    measure_table,
    points_of_table,
)

#: Partitions in flight per worker.
IN_FLIGHT_PER_WORKER: int = 2


def measure_partition(df: pd.DataFrame, geometry: str | None, names: Sequence[str],
                      layers: Sequence, fields: Sequence[str | None],
                      ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """One partition: (table with results, lon, lat).  ``geometry`` names a WKB
    point column (GeoParquet) or is None for lat/lon columns."""
    import shapely

    df = df.reset_index(drop=True)
    if geometry:
        pts = shapely.from_wkb(np.asarray(df[geometry], dtype=object))
        if (shapely.get_type_id(pts) != 0).any():
            raise InputError("the Parquet file must hold points only")
        lon, lat = shapely.get_x(pts), shapely.get_y(pts)
        df = df.drop(columns=[geometry])
    else:
        lon, lat = points_of_table(df)
    return measure_table(df, lon, lat, list(zip(names, layers, fields)), workers=1), lon, lat


def _frame(source: PointSource, chunk_rows: int):
    """(dask DataFrame, geometry column or None) for a CSV or Parquet source."""
    import dask.dataframe as dd

    if source.kind == "csv":
        per_row = os.path.getsize(source.path) / max(source.total_rows or 1, 1)
        block = max(int(per_row * chunk_rows), 1 << 16)
        try:
            ddf = dd.read_csv(str(source.path), sep=source.options["sep"], blocksize=block,
                              dtype=str)
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(f"{source.path} is not a readable CSV: "
                             f"{str(exc).splitlines()[-1]}") from None
        return ddf, None
    if source.kind == "parquet":
        import pyarrow.parquet as pq

        geom = geo_column(pq.ParquetFile(source.path).schema_arrow)
        return dd.read_parquet(str(source.path), split_row_groups=True), geom
    raise InputError("--engine dask reads CSV or Parquet; convert GeoJSON points to "
                     "Parquet, or use --engine local")


def _client(scheduler: str | None, n_workers: int | None):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
    n = max(1, int(n_workers or os.cpu_count() or 1))
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=False,
                           dashboard_address=None)
    return Client(cluster), cluster


def stream_distances_dask(source: PointSource, sink: PointSink, targets: Sequence[Target], *,
                          scheduler: str | None = None, n_workers: int | None = None,
                          chunk_rows: int = CHUNK_ROWS,
                          progress: Callable[[int, int | None], None] | None = None) -> int:
    """Like :func:`dashboard.io.pointio.stream_distances`, on a dask cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler; a ``LocalCluster`` of ``n_workers``
        single-threaded workers when omitted.
    chunk_rows : int
        Rows per partition (about).

    Returns
    -------
    int
        Rows written.
    """
    import dask

    ddf, geometry = _frame(source, chunk_rows)
    client, cluster = _client(scheduler, n_workers)
    try:
        names = [t[0] for t in targets]
        fields = [t[2] for t in targets]
        layers = client.scatter([t[1] for t in targets], broadcast=True)
        width = IN_FLIGHT_PER_WORKER * max(len(client.scheduler_info()["workers"]), 1)
        pending: deque = deque()
        done = 0
        for part in ddf.to_delayed():
            task = dask.delayed(measure_partition)(part, geometry, names, layers, fields)
            pending.append(client.compute(task))
            while len(pending) >= width:
                done = _write_next(pending, sink, done, source, progress)
        while pending:
            done = _write_next(pending, sink, done, source, progress)
        return done
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _write_next(pending: deque, sink: PointSink, done: int, source: PointSource,
                progress: Callable[[int, int | None], None] | None) -> int:
    try:
        table, lon, lat = pending.popleft().result()
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{source.path}: {str(exc).splitlines()[0]}") from None
    sink.write(table, lon, lat)
    done += len(table)
    if progress is not None:
        progress(done, source.total_rows)
    return done


__all__ = ["measure_partition", "stream_distances_dask"]
