"""What every subcommand shares: positions, dates, target layers, output, progress.

Importing this is cheap (no geopandas, pandas or numba): what needs them is
imported by the function that uses it, so ``distance LAT,LON`` with prepared layers
never loads them.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.data.catalogue import CATALOGUE
from dashboard.geo.coords import parse_position
from dashboard.geo.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

    from dashboard.io.zonefile import ZoneFile

#: Layers ``distance`` measures to when no ``--to`` is given.
DEFAULT_TARGETS: tuple[str, ...] = ("nato_border", "countries")
#: Inputs with at least this many points report progress on stderr.
PROGRESS_MIN_POINTS: int = 10_000


def position(text: str) -> tuple[float, float]:
    """(lon, lat) in degrees of a typed position (decimal ``LAT,LON``, DMS or MGRS)."""
    return parse_position(text)


def iso_date(text: str | None) -> date | None:
    """A date from ``YYYY-MM-DD`` text, or None for no text."""
    if not text:
        return None
    from dashboard.geo.nato import parse_date

    return parse_date(text)


def layer_name(spec: str) -> str:
    """A built-in layer's name, or a file's stem."""
    return spec if spec in CATALOGUE else Path(spec).stem


def about(name: str | Path, messages: list[str] | tuple[str, ...]) -> list[str]:
    """``messages`` about a file, each naming it once (``"<name>: <message>"``)."""
    return [m if str(name) in m else f"{name}: {m}" for m in messages]


def warn(messages: list[str] | tuple[str, ...]) -> None:
    """Print each message as ``warning: ...`` on stderr (what a reader repaired or ignored)."""
    for m in messages:
        print(f"warning: {m}", file=sys.stderr)


def layer(spec: str) -> gpd.GeoDataFrame:
    """:func:`load_layer` of a ``LAYER`` argument; what reading its file changed is warned."""
    from dashboard.io.layers_io import load_layer

    gdf = load_layer(spec)
    warn(about(spec, gdf.attrs.get("messages", [])))
    return gdf


def target_layer(spec: str, on: date | None) -> tuple[str, gpd.GeoDataFrame, str | None]:
    """(name, GeoDataFrame, id_field) for a ``--to`` argument; the NATO border as of ``on``
    (the rule is :func:`dashboard.io.prepared_layers.measured_layer`'s)."""
    from dashboard.io.prepared_layers import measured_layer

    gdf, field = measured_layer(spec, layer(spec), on)
    return layer_name(spec), gdf, field


def zone_file(path: Path | str) -> ZoneFile:
    """The zones of a GeoJSON file, named by the one rule (:func:`read_zone_file`).

    At most :data:`~dashboard.data.limits.MAX_UPLOAD_BYTES` are read (the
    size is checked before reading); messages name the path as given.
    """
    from dashboard.data.limits import MAX_UPLOAD_BYTES
    from dashboard.io.filecheck import json_head, read_path
    from dashboard.io.zonefile import read_zone_file

    data = read_path(path, MAX_UPLOAD_BYTES, json_head)
    return read_zone_file(data, str(path))


def num(v: float | None, nd: int = 3) -> float | None:
    """``v`` rounded to ``nd`` decimals, None for None or NaN."""
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), nd)


def plain(v: object) -> object:
    """A numpy scalar as a plain Python value."""
    return v.item() if hasattr(v, "item") else v


def write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path``, or to stdout for ``-``."""
    if path in ("-", ""):
        sys.stdout.write(text)
        return
    from dashboard.io.atomic import write_bytes_atomic

    write_bytes_atomic(path, text.encode("utf-8"))  # all or nothing; an old file kept


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def progress(label: str, total: int | None,
             min_points: int = PROGRESS_MIN_POINTS) -> Callable[[int, int | None], None] | None:
    """A progress bar on stderr for large inputs (rate and ETA), else None.

    ``total`` is the number of points when known (None: counted as they come;
    then the bar shows no percentage or ETA).
    """
    if total is not None and total < min_points:
        return None
    start = time.monotonic()

    def report(done: int, n: int | None = None) -> None:
        n = total if n is None else n
        rate = done / max(time.monotonic() - start, 1e-9)
        if n:
            frac = min(done / n, 1.0)
            width = 24
            bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
            eta = f"ETA {_clock((n - done) / rate)}" if done < n and rate > 0 else \
                f"in {_clock(time.monotonic() - start)}"
            text = f"{done:,}/{n:,} points ({100 * frac:.0f}%) [{bar}] {rate:,.0f} points/s {eta}"
        else:
            text = f"{done:,} points, {rate:,.0f} points/s"
        end = "\n" if n and done >= n else ""
        print(f"\r{label}: {text}", end=end, file=sys.stderr, flush=True)

    return report


def positive_km(text: str) -> float:
    """argparse type: a distance in km, more than 0."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of km: {text!r}") from None
    if not (v > 0 and math.isfinite(v)):
        raise argparse.ArgumentTypeError(f"must be more than 0 km: {text!r}")
    return v


def km_list(text: str) -> list[float]:
    """argparse type: comma-separated distances in km, each more than 0."""
    try:
        vals = [float(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers of km: {text!r}") from None
    if not vals or any(not (v > 0) for v in vals):
        raise argparse.ArgumentTypeError(f"ring radii must be positive km: {text!r}")
    return vals


def date_arg(text: str) -> date:
    """argparse type: a ``YYYY-MM-DD`` date (read strictly, by :func:`parse_date`)."""
    from dashboard.geo.nato import parse_date

    try:
        day = parse_date(text)
    except InputError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text[:40]!r}")
    return day


def text_arg(text: str) -> str:
    """argparse type: text typed by the user (a title, a marking, a scenario name).  Bytes
    that are not UTF-8 reach Python as lone surrogates, which no font, store or file can
    take: refused here, in one line, instead of failing deep in the renderer or store."""
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise argparse.ArgumentTypeError(f"not UTF-8 text: {text.encode('utf-8', 'replace')!r}"
                                         "; type it in a UTF-8 terminal")
    return text
