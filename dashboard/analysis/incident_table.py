"""The incident table: every incident with its geodesic distances and the zones around it.

One row per current incident of the catalogue
(:mod:`dashboard.analysis.incident_catalogue`: the shipped incidents and the
ones users added, from the store): points, tracks and those whose position no
source states (listed as ``position not sourced``, with no distances).  For
each point incident:

- the geodesic distance (km) to the nearest NATO border segment **as it stood on
  the incident's date** (FI-RU counts only from 2023-04-04), and that segment's id;
- the geodesic distance (km) to Ukrainian, Belarusian and Russian territory
  (``countries`` layer, incl. the 12 nm territorial sea; 0 inside);
- which candidate zones contain the point: the built-in ``zones`` layer and any
  zones the caller passes (edges densified along their geodesics first).

A track (an airspace violation with a route, ``kind`` ``track``) gets its
closest approach instead: the smallest of those distances over the track
densified along its geodesics, plus ``track_km`` (its geodesic length) and
``inside_km`` (the part inside its country's airspace).

Distances come from :func:`dashboard.geo.distance.nearest` (exact on the WGS84
ellipsoid), computed once per data version and cached.

>>> t = incident_table(date(2022, 11, 15), date(2022, 11, 15))
>>> row = t.iloc[0]
>>> row["id"], row["nato_segment"], round(float(row["nato_border_km"]), 1)
('2022-11-15-przewodow', 'PL-UA', 6.4)
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from dashboard.analysis.incident_catalogue import catalogue_token, incident_rows
from dashboard.analysis.track_figures import track_figures, track_vertices
from dashboard.data.catalogue import CATALOGUE
from dashboard.geo.cache import content_token, memoize
from dashboard.geo.distance import nearest
from dashboard.geo.errors import InputError
from dashboard.geo.geodesy import densify
from dashboard.geo.nato import parse_date
from dashboard.io.layers_io import load_layer

#: What the table says in ``position`` for those incidents.
POSITION_NOT_SOURCED: str = "position not sourced"
#: Countries whose territory each incident's distance is measured to (ISO alpha-2).
NEIGHBOURS: tuple[str, ...] = ("UA", "BY", "RU")
#: User zones are densified to this step (km) before the inside test.
ZONE_DENSIFY_KM: float = 5.0
#: The columns of :func:`incident_table`, in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "id", "date", "time_utc", "place", "country", "object_type", "killed", "injured",
    "precision_m", "position", "lon", "lat", "nato_border_km", "nato_segment",
    "ua_km", "by_km", "ru_km", "zones", "munition", "attribution",
    "kind", "track_km", "inside_km", "status", "group", "attributed_to",
)
_TEXT_FIELDS: tuple[str, ...] = ("id", "time_utc", "place", "country", "object_type", "munition",
                                 "attribution", "status", "group", "attributed_to")


def _data_token() -> tuple:
    """What the cached table depends on: the catalogue's token and the layers' files."""
    files = [CATALOGUE[n].path for n in ("nato_border", "countries")]
    return (catalogue_token(),) + tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                                        for p in files)


def unlocated_incidents() -> list[dict]:
    """The current incidents without a position, as property dicts (copies).

    ``precision_m`` is None and ``position_kind`` is ``not sourced``.
    """
    return [r for r in incident_rows() if r["kind"] == "none"]


def incident_records() -> list[dict]:
    """Every current incident (points, tracks, unpositioned) as a property dict, by date then id.

    Point incidents carry ``lon``/``lat`` (degrees); tracks and unpositioned ones None
    (a track's LineString is ``track``).
    """
    return incident_rows()


def incident_ids() -> tuple[str, ...]:
    """Ids of every current incident, by date then id."""
    return tuple(str(r["id"]) for r in incident_records())


def _nato_distances(lon: np.ndarray, lat: np.ndarray, days: list[date]) -> tuple[np.ndarray, np.ndarray]:
    """(km, segment id) to the NATO border as it stood on each point's day."""
    border = load_layer("nato_border")
    since = pd.to_datetime(border["nato_since"]).dt.date.to_numpy()
    km = np.full(len(lon), np.nan)
    seg = np.full(len(lon), None, dtype=object)
    groups: dict[tuple[bool, ...], list[int]] = {}
    for i, day in enumerate(days):
        groups.setdefault(tuple(bool(s <= day) for s in since), []).append(i)
    for mask, rows in groups.items():
        if not any(mask):
            continue
        res = nearest(lon[rows], lat[rows], border.loc[list(mask)].reset_index(drop=True), "id")
        km[rows] = res["distance_km"].to_numpy()
        seg[rows] = res["feature"].to_numpy()
    return km, seg


def _territory_distances(lon: np.ndarray, lat: np.ndarray) -> dict[str, np.ndarray]:
    """km from each point to each of :data:`NEIGHBOURS`' territory (0 inside)."""
    countries = load_layer("countries")
    out = {}
    for iso in NEIGHBOURS:
        sel = countries[countries["iso_a2"] == iso].reset_index(drop=True)
        out[iso] = (nearest(lon, lat, sel, "iso_a2")["distance_km"].to_numpy() if len(sel)
                    else np.full(len(lon), np.nan))
    return out


def _track_columns(df: pd.DataFrame) -> None:
    """Closest approach (the minimum over the densified track) and lengths of each track."""
    for i in np.flatnonzero((df["kind"] == "track").to_numpy()):
        track = df.at[i, "track"]
        lon, lat = track_vertices(track)
        km, seg = _nato_distances(lon, lat, [df.at[i, "date"]] * len(lon))
        if np.isfinite(km).any():
            j = int(np.nanargmin(km))
            df.at[i, "nato_border_km"], df.at[i, "nato_segment"] = float(km[j]), seg[j]
        for iso, d in _territory_distances(lon, lat).items():
            df.at[i, f"{iso.lower()}_km"] = float(np.nanmin(d)) if np.isfinite(d).any() else np.nan
        f = track_figures(track, str(df.at[i, "country"]))
        df.at[i, "track_km"], df.at[i, "inside_km"] = f.length_km, f.inside_km


@memoize(maxsize=4)
def _base_table(token: tuple) -> pd.DataFrame:
    """Every incident with its distances (no zones, no date filter); cached per data version."""
    df = pd.DataFrame(incident_records())
    df["date"] = [parse_date(str(d)) for d in df["date"]]
    located = df["lon"].notna().to_numpy()
    df["position"] = np.where(df["kind"] == "none", POSITION_NOT_SOURCED, df["position_kind"])
    for col in ("nato_border_km", "ua_km", "by_km", "ru_km", "track_km", "inside_km"):
        df[col] = np.nan
    df["nato_segment"] = None
    if located.any():
        lon = df.loc[located, "lon"].to_numpy(float)
        lat = df.loc[located, "lat"].to_numpy(float)
        km, seg = _nato_distances(lon, lat, list(df.loc[located, "date"]))
        df.loc[located, "nato_border_km"] = km
        df.loc[located, "nato_segment"] = seg
        for iso, d in _territory_distances(lon, lat).items():
            df.loc[located, f"{iso.lower()}_km"] = d
    _track_columns(df)
    for col in ("killed", "injured"):
        df[col] = df[col].astype(int)
    df["precision_m"] = df["precision_m"].astype("Int64")
    return df


def _as_day(value: date | datetime | str | None, what: str) -> date | None:
    try:
        return parse_date(value)
    except InputError:
        raise InputError(f"the {what} date {value!r} is not a date; use YYYY-MM-DD") from None


def check_date_range(start: date | str | None, end: date | str | None,
                     ) -> tuple[date | None, date | None]:
    """``(start, end)`` as dates; :class:`InputError` when the range ends before it starts."""
    s, e = _as_day(start, "start"), _as_day(end, "end")
    if s is not None and e is not None and e < s:
        raise InputError(f"the date range ends on {e.isoformat()}, before it starts on {s.isoformat()}")
    return s, e


@memoize(maxsize=64, key=content_token)
def _dense_zone(geom: BaseGeometry) -> BaseGeometry:
    """``geom`` densified along its geodesic edges (:data:`ZONE_DENSIFY_KM`), prepared;
    cached per content (the candidate zones are the same on every rerun).  Read-only."""
    dense = densify(geom, ZONE_DENSIFY_KM)
    shapely.prepare(dense)
    shapely.contains_xy(dense, 0.0, 0.0)  # GEOS builds its point locator now, in one thread
    return dense


def _zones_containing(lon: np.ndarray, lat: np.ndarray,
                      zones: Sequence[tuple[str, BaseGeometry]]) -> list[tuple[str, ...]]:
    """For each point, the names of the zones (in the order given) that contain it."""
    hits: list[list[str]] = [[] for _ in range(len(lon))]
    for name, geom in zones:
        if geom is None or geom.is_empty:
            continue
        dense = _dense_zone(geom)
        for i in np.flatnonzero(shapely.contains_xy(dense, lon, lat)):
            hits[i].append(str(name))
    return [tuple(h) for h in hits]


def builtin_zones() -> list[tuple[str, BaseGeometry]]:
    """The candidate zones of the ``zones`` layer as ``(id, polygon)`` pairs."""
    z = load_layer("zones")
    return [(str(i), g) for i, g in zip(z["id"], z.geometry.values)]


def incident_table(start: date | str | None = None, end: date | str | None = None,
                   zones: Sequence[tuple[str, BaseGeometry]] = ()) -> pd.DataFrame:
    """Every incident between ``start`` and ``end`` (inclusive) with its distances.

    Parameters
    ----------
    start, end : date or str, optional
        First and last day (``YYYY-MM-DD`` text accepted); open-ended when None.
    zones : sequence of (name, Polygon)
        The user's zones (WGS84 lon/lat, edges geodesics), tested after the
        built-in candidate zones.

    Returns
    -------
    DataFrame
        One row per incident, by date then id, with :data:`TABLE_COLUMNS`:
        ``date`` (a ``datetime.date``), ``position`` (``source``, ``gazetteer`` or
        ``position not sourced``), ``lon``/``lat`` (degrees), ``precision_m``
        (metres), ``nato_border_km`` and ``nato_segment`` (nearest NATO border
        segment as of the incident's date), ``ua_km``/``by_km``/``ru_km``
        (geodesic km to that territory, 0 inside) and ``zones`` (a tuple of the
        names of the zones containing the point).  Unpositioned incidents have
        no coordinates, distances or zones (NaN / None / ``()``).

    Raises
    ------
    InputError
        A date that is no date, or a range that ends before it starts.
    """
    s, e = check_date_range(start, end)
    df = _base_table(_data_token()).copy()
    keep = np.ones(len(df), dtype=bool)
    if s is not None:
        keep &= np.array([d >= s for d in df["date"]], dtype=bool)
    if e is not None:
        keep &= np.array([d <= e for d in df["date"]], dtype=bool)
    df = df.loc[keep].reset_index(drop=True)
    located = df["lon"].notna().to_numpy()
    all_zones = builtin_zones() + [(str(n), g) for n, g in zones]
    df["zones"] = [()] * len(df)
    if located.any():
        hits = _zones_containing(df.loc[located, "lon"].to_numpy(float),
                                 df.loc[located, "lat"].to_numpy(float), all_zones)
        df.loc[located, "zones"] = pd.Series(hits, index=df.index[located], dtype=object)
    for col in _TEXT_FIELDS:
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df.loc[:, list(TABLE_COLUMNS)]


__all__ = [
    "NEIGHBOURS",
    "POSITION_NOT_SOURCED",
    "TABLE_COLUMNS",
    "builtin_zones",
    "check_date_range",
    "incident_ids",
    "incident_records",
    "incident_table",
    "unlocated_incidents",
]
