"""Air bases by ICAO code: the one place the reach analysis reads base positions from.

The positions come from the ``air_bases`` layer (``geodata/air_bases.geojson``:
eastern-flank military airfields from the pinned PyPI ``airportsdata``,
properties ``icao``, ``name``, ``country``; point geometry lon/lat).  Every
caller goes through :func:`air_base_table`, so the source can be switched here.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd

from dashboard.data.catalogue import CATALOGUE
from dashboard.geo.errors import InputError
from dashboard.io.layers_io import load_layer

__all__ = ["AIR_BASES_LAYER", "air_base_table", "base_positions", "nearest_codes"]

#: The catalogue name of the air-bases layer.
AIR_BASES_LAYER: str = "air_bases"


def air_base_table() -> pd.DataFrame:
    """The known air bases: ``code`` (ICAO, upper case), ``name``, ``country``, ``lon``,
    ``lat`` (degrees), by code.

    Raises
    ------
    InputError
        The air-bases layer is not part of this build.
    """
    if AIR_BASES_LAYER not in CATALOGUE:
        raise InputError("the air-bases layer (air_bases) is not in this build; "
                         "no base codes can be read")
    g = load_layer(AIR_BASES_LAYER)
    g = g[g.geometry.notna() & ~g.geometry.is_empty]
    table = pd.DataFrame({"code": g["icao"].astype(str).str.strip().str.upper(),
                          "name": g["name"].astype(str),
                          "country": g["country"].astype(str) if "country" in g else "",
                          "lon": g.geometry.x.astype(float), "lat": g.geometry.y.astype(float)})
    return table.drop_duplicates("code").sort_values("code").reset_index(drop=True)


def nearest_codes(code: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known codes closest to ``code`` in spelling (at most ``n``); failing that,
    those sharing its first two letters (the ICAO country prefix).

    >>> nearest_codes("EPRX", ["EPRZ", "EPLK", "LZSL"])
    ['EPRZ', 'EPLK']
    """
    known = list(known)
    close = difflib.get_close_matches(code, known, n=n, cutoff=0.5)
    return close or [k for k in known if k[:2] == code[:2]][:n]


def base_positions(codes: Iterable[str]) -> list[tuple[str, float, float]]:
    """``(code, lon, lat)`` of each ICAO code (case-insensitive), in the order given.

    Raises
    ------
    InputError
        No code, or an unknown one (one line naming the nearest known codes).
    """
    wanted = [str(c).strip().upper() for c in codes if str(c).strip()]
    if not wanted:
        raise InputError("give at least one air base ICAO code, e.g. EPRZ")
    table = air_base_table().set_index("code")
    for c in wanted:
        if c not in table.index:
            near = nearest_codes(c, table.index)
            hint = f"; nearest known codes: {', '.join(near)}" if near else ""
            raise InputError(f"unknown air base code {c!r}{hint} "
                             f"({len(table)} bases known: python -m dashboard layers)")
    return [(c, float(table.at[c, "lon"]), float(table.at[c, "lat"])) for c in wanted]
