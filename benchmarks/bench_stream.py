"""``distance --points`` on big files: streaming in chunks against reading the whole file.

    python -m benchmarks.bench_stream                 # 10^6 and 10^7 rows
    python -m benchmarks.bench_stream --rows 1000000

Each case runs in its own process (peak memory is that process's):

stream parquet   ``python -m dashboard distance --points in.parquet --to nato_border
                 -o out.parquet``: chunks of 200,000 rows in, measured, written out.
stream csv       the same, CSV in and out.
stream dask      ``--engine dask``: a LocalCluster of 2 single-threaded workers.
whole file       the obvious way (what ``distance --points`` did before issue 12):
                 read the whole table, measure, write it.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import emit, random_points, run_json

CASES = ("stream parquet", "stream csv", "stream dask", "whole file")


def make_input(path: Path, rows: int, block: int = 1_000_000) -> None:
    """A points file of ``rows`` rows (id, lat, lon), written block by block."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    csv = path.suffix == ".csv"
    with open(path, "w", encoding="utf-8") if csv else open(path, "wb") as fh:
        for s in range(0, rows, block):
            n = min(block, rows - s)
            lon, lat = random_points(n, seed=s)
            t = pa.table({"id": np.arange(s, s + n), "lat": lat.round(6), "lon": lon.round(6)})
            if csv:
                t.to_pandas().to_csv(fh, index=False, header=s == 0)
            else:
                writer = writer or pq.ParquetWriter(fh, t.schema)
                writer.write_table(t)
        if writer is not None:
            writer.close()


def one(case: str, src: str, out: str) -> dict:
    from dashboard.cli import main

    t = time.perf_counter()
    if case == "whole file":
        import pandas as pd

        from dashboard.geo.distance import nearest
        from dashboard.io.layers_io import load_layer

        df = pd.read_parquet(src)
        res = nearest(df["lon"].to_numpy(), df["lat"].to_numpy(), load_layer("nato_border"), "id")
        df["nato_border_km"] = res["distance_km"].round(4).to_numpy()
        df["nato_border_feature"] = res["feature"].to_numpy()
        df.to_parquet(out)
    else:
        argv = ["distance", "--points", src, "--to", "nato_border", "-o", out]
        if case == "stream dask":
            argv += ["--engine", "dask", "--workers", "2"]
        assert main(argv) == 0
    return {"case": case, "time_s": time.perf_counter() - t}


def measure(rows_list, cases=CASES) -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in rows_list:
            for case in cases:
                if case in ("stream csv", "stream dask", "whole file") and rows > 1_000_000:
                    continue  # the point is made at 10^6; 10^7 is streamed as Parquet
                ext = ".csv" if case == "stream csv" else ".parquet"
                src = Path(tmp) / f"in{rows}{ext}"
                if not src.exists():
                    make_input(src, rows)
                r = run_json(["-m", f"benchmarks.{Path(__file__).stem}", "--one", case, "--src", str(src),
                              "--out", str(Path(tmp) / f"out{ext}")], timeout=900)
                r.update(rows=rows, mb_in=src.stat().st_size / 1e6)
                out.append(r)
    return out


def table(rows: list[dict]) -> str:
    lines = ["| case | rows | input | time | rows/s | peak memory |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['rows']:,} | {r['mb_in']:,.0f} MB | {r['time_s']:,.1f} s "
                     f"| {r['rows'] / r['time_s']:,.0f} | {r['peak_mb']:,.0f} MB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--one", choices=CASES, help=argparse.SUPPRESS)
    ap.add_argument("--src", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        emit(one(args.one, args.src, args.out))
        return 0
    print(table(measure(args.rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
