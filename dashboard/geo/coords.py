"""Positions as people type them: decimal degrees, DMS and MGRS.

Every function takes and returns ``(lon, lat)``, like the rest of the code;
only the text people type reads latitude first (unless hemisphere letters say
otherwise).

>>> parse_position("50.471, 23.934")
(23.934, 50.471)
>>> parse_position("50°28'16\\"N 23°56'03\\"E")
(23.934166666666666, 50.471111111111114)
>>> format_dms(23.93432, 50.47099)
'50°28\\'16"N 23°56\\'04"E'
>>> to_mgrs(23.93432, 50.47099)
'34UGA0821595113'

MGRS (the Military Grid Reference System, WGS84, "AA" lettering) is computed
here from UTM coordinates given by pyproj; it covers 80°S to 84°N (the polar UPS
grids are not supported).  A reference names the south-west corner of its
square, as the standard reads.
"""
from __future__ import annotations

import math
import re

from pyproj import Transformer

from dashboard.geo.cache import memoize
from dashboard.geo.errors import InputError

_BANDS = "CDEFGHJKLMNPQRSTUVWX"  # 8 degree bands from 80 S; X spans 72-84 N
_COL_SETS = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")
_ROWS = "ABCDEFGHJKLMNPQRSTUV"
_MGRS_RE = re.compile(r"^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z])([A-HJ-NP-V])(\d{0,10})$")

_EXAMPLES = ('use decimal degrees "50.471, 23.934", DMS "50°28\'16"N 23°56\'03"E" '
             'or MGRS "34UGA0821595113"')


# --------------------------------------------------------------------------- MGRS
@memoize(maxsize=128)
def _utm(zone: int, north: bool) -> tuple[Transformer, Transformer]:
    epsg = (32600 if north else 32700) + zone
    return (Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True),
            Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True))


def _utm_zone(lon: float, lat: float) -> int:
    if lon >= 180.0:
        lon -= 360.0
    zone = int((lon + 180.0) // 6.0) + 1
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        zone = 32  # south-western Norway
    if 72.0 <= lat < 84.0 and lon >= 0.0:  # Svalbard
        if lon < 9.0:
            zone = 31
        elif lon < 21.0:
            zone = 33
        elif lon < 33.0:
            zone = 35
        elif lon < 42.0:
            zone = 37
    return min(max(zone, 1), 60)


def _zone_lons(zone: int, band: str) -> tuple[float, float] | None:
    """West and east longitude of grid zone ``zone``+``band``, with the Norway (32V) and
    Svalbard (31X, 33X, 35X, 37X) exceptions; None for a zone that does not exist
    (32X, 34X, 36X)."""
    west = -180.0 + 6.0 * (zone - 1)
    if band == "V" and zone in (31, 32):
        return (0.0, 3.0) if zone == 31 else (3.0, 12.0)
    if band == "X" and zone in (31, 32, 33, 34, 35, 36, 37):
        return {31: (0.0, 9.0), 33: (9.0, 21.0), 35: (21.0, 33.0), 37: (33.0, 42.0)}.get(zone)
    return west, west + 6.0


def _band(lat: float) -> str:
    return _BANDS[min(int((lat + 80.0) // 8.0), len(_BANDS) - 1)]


def _check_lonlat(lon: float, lat: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InputError("coordinates must be finite numbers")
    if not -90.0 <= lat <= 90.0:
        raise InputError(f"latitude {lat:g} is outside -90..90")
    if not -180.0 <= lon <= 180.0:
        raise InputError(f"longitude {lon:g} is outside -180..180")


def to_mgrs(lon: float, lat: float, precision: int = 5, spaced: bool = False) -> str:
    """MGRS reference of a WGS84 position.

    Parameters
    ----------
    lon, lat : float
        Degrees; latitude within 80°S..84°N.
    precision : int
        Digits per axis, 0..5 (5 = 1 m squares, 4 = 10 m, ... 0 = 100 km).
    spaced : bool
        ``"34U GA 08215 95113"`` instead of ``"34UGA0821595113"``.
    """
    _check_lonlat(lon, lat)
    if not 0 <= int(precision) <= 5:
        raise InputError("MGRS precision must be 0..5 digits")
    if not -80.0 <= lat <= 84.0:
        raise InputError("MGRS here covers 80°S to 84°N; polar (UPS) references are not supported")
    zone = _utm_zone(lon, lat)
    fwd, _ = _utm(zone, lat >= 0.0)
    e, n = fwd.transform(lon, lat)
    e, n = round(e, 6), round(n, 6)  # 499999.99999999994 is the central meridian
    col = _COL_SETS[(zone - 1) % 3][int(e // 100_000) - 1]
    row_i = int(n // 100_000) % 20
    if zone % 2 == 0:
        row_i = (row_i + 5) % 20
    row = _ROWS[row_i]
    p = int(precision)
    scale = 10 ** (5 - p)
    de = int((e % 100_000) // scale)
    dn = int((n % 100_000) // scale)
    digits_e = f"{de:0{p}d}" if p else ""
    digits_n = f"{dn:0{p}d}" if p else ""
    head = f"{zone:02d}{_band(lat)}"
    if spaced:
        return " ".join(x for x in (head, col + row, digits_e, digits_n) if x)
    return f"{head}{col}{row}{digits_e}{digits_n}"


def from_mgrs(text: str) -> tuple[float, float]:
    """``(lon, lat)`` in degrees of the south-west corner of an MGRS square.

    Accepts upper or lower case and spaces (``"34U GA 08215 95113"``).
    Raises :class:`InputError` for anything that is not a valid reference.
    """
    s = re.sub(r"\s+", "", str(text)).upper()
    m = _MGRS_RE.match(s)
    if not m:
        raise InputError(f"{text!r} is not an MGRS reference like 34UGA0821595113")
    zone = int(m.group(1))
    band, col, row, digits = m.group(2), m.group(3), m.group(4), m.group(5)
    if not 1 <= zone <= 60:
        raise InputError(f"MGRS zone {zone} is outside 1..60")
    if len(digits) % 2:
        raise InputError(f"MGRS {text!r} has an odd number of digits; easting and northing "
                         "need the same number")
    zone_lons = _zone_lons(zone, band)
    if zone_lons is None:
        raise InputError(f"MGRS {_short(text)}: grid zone {zone}{band} does not exist (north "
                         "of 72 N zones 32, 34 and 36 are not used; Svalbard is in 31X, 33X, "
                         "35X and 37X)")
    cols = _COL_SETS[(zone - 1) % 3]
    if col not in cols:
        raise InputError(f"MGRS {text!r}: column letter {col} does not exist in zone {zone}")
    p = len(digits) // 2
    scale = 10 ** (5 - p)
    de = int(digits[:p]) * scale if p else 0
    dn = int(digits[p:]) * scale if p else 0
    easting = (cols.index(col) + 1) * 100_000 + de
    row_i = _ROWS.index(row)
    if zone % 2 == 0:
        row_i = (row_i - 5) % 20
    north = band >= "N"
    _, inv = _utm(zone, north)
    lat_lo = -80.0 + 8.0 * _BANDS.index(band)
    lat_hi = 84.0 if band == "X" else lat_lo + 8.0
    best = None
    for k in range(6):
        northing = row_i * 100_000 + dn + k * 2_000_000
        lon, lat = inv.transform(easting, northing)
        if not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        # the square must overlap the band (a square may straddle a band edge)
        if lat_lo - 1.0 <= lat <= lat_hi + 0.5:
            best = (lon, lat)
            break
    if best is None:
        raise InputError(f"MGRS {text!r}: square {col}{row} is not in band {band}")
    side_m = 10.0 ** (5 - p)
    lons = [inv.transform(easting + dx, northing + dy)[0]
            for dx in (0.0, side_m) for dy in (0.0, side_m)]
    if max(lons) <= zone_lons[0] - 1e-9 or min(lons) >= zone_lons[1] + 1e-9:
        raise InputError(f"MGRS {_short(text)}: the square lies outside grid zone {zone}{band} "
                         f"({zone_lons[0]:g}° to {zone_lons[1]:g}° E of Greenwich); that "
                         "position belongs to another zone")
    return best


def _short(text: str) -> str:
    t = str(text)
    return repr(t if len(t) <= 40 else t[:37] + "...")


# ------------------------------------------------------------------- decimal / DMS
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_TOKEN_RE = re.compile(rf"\s*(?:(?P<num>{_NUM})|(?P<sym>[°'\"])|(?P<hemi>[NSEW])|(?P<sep>[,;/]))",
                       re.IGNORECASE)


def _normalise(text: str) -> str:
    s = text.strip()
    for a in ("″", "“", "”", "''"):
        s = s.replace(a, '"')
    for a in ("′", "’", "‘", "´", "`"):
        s = s.replace(a, "'")
    for a in ("º", "˚", "deg"):
        s = s.replace(a, "°")
    return s.upper()


def _tokens(s: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(s):
        m = _TOKEN_RE.match(s, pos)
        if not m or m.end() == pos:
            if s[pos:].strip() == "":
                break
            raise InputError(f"cannot read {s[pos:pos + 12]!r} in a position; {_EXAMPLES}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _split_groups(toks: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    seps = [i for i, (k, _) in enumerate(toks) if k == "sep"]
    if seps:
        if len(seps) != 1:
            raise InputError(f"a position has two parts, latitude and longitude; {_EXAMPLES}")
        i = seps[0]
        return [toks[:i], toks[i + 1:]]
    hemis = [i for i, (k, _) in enumerate(toks) if k == "hemi"]
    if hemis:
        groups: list[list[tuple[str, str]]] = [[]]
        prefix = toks[0][0] == "hemi"
        for t in toks:
            if prefix and t[0] == "hemi" and groups[-1]:
                groups.append([])
            groups[-1].append(t)
            if not prefix and t[0] == "hemi":
                groups.append([])
        return [g for g in groups if g]
    degs = [i for i, (k, v) in enumerate(toks) if k == "sym" and v == "°"]
    if len(degs) == 2:
        i = degs[1] - 1  # the number carrying the second degree sign
        return [toks[:i], toks[i:]]
    nums = [i for i, (k, _) in enumerate(toks) if k == "num"]
    if len(nums) in (2, 4, 6):
        cut = nums[len(nums) // 2]
        return [toks[:cut], toks[cut:]]
    raise InputError(f"cannot tell latitude from longitude; {_EXAMPLES}")


def _group_value(group: list[tuple[str, str]]) -> tuple[float, str | None]:
    """Signed degrees and the hemisphere letter (or None) of one coordinate."""
    hemi = [v for k, v in group if k == "hemi"]
    if len(hemi) > 1:
        raise InputError(f"two hemisphere letters in one coordinate; {_EXAMPLES}")
    parts: list[tuple[str, str | None]] = []
    for k, v in group:
        if k == "num":
            parts.append((v, None))
        elif k == "sym":
            if not parts or parts[-1][1] is not None:
                raise InputError(f"misplaced {v!r} in a position; {_EXAMPLES}")
            parts[-1] = (parts[-1][0], v)
    if not 1 <= len(parts) <= 3:
        raise InputError(f"each coordinate needs degrees [minutes [seconds]]; {_EXAMPLES}")
    expected = ["°", "'", '"']
    for j, (_, sym) in enumerate(parts):
        if sym is not None and sym != expected[j]:
            raise InputError(f"expected degrees, minutes, seconds in that order; {_EXAMPLES}")
    negative = parts[0][0].startswith("-")
    values = []
    for j, (num, _) in enumerate(parts):
        if j > 0 and num[0] in "+-":
            raise InputError("only the degrees of a coordinate may carry a sign")
        values.append(abs(float(num)))
    for j in range(len(values) - 1):
        if values[j] != int(values[j]):
            raise InputError(f"{parts[j][0]} has decimals but is followed by minutes or seconds")
    for j, name in ((1, "minutes"), (2, "seconds")):
        if len(values) > j and values[j] >= 60:
            raise InputError(f"{name} must be below 60 (got {parts[j][0]})")
    deg = values[0] + (values[1] / 60 if len(values) > 1 else 0) + (
        values[2] / 3600 if len(values) > 2 else 0)
    h = hemi[0] if hemi else None
    if h and negative:
        raise InputError("use either a minus sign or a hemisphere letter, not both")
    if negative or h in ("S", "W"):
        deg = -deg
    return deg, h


def parse_position(text: str) -> tuple[float, float]:
    """Read a position typed by a person; return ``(lon, lat)`` in degrees.

    Accepted forms (latitude first unless hemisphere letters say otherwise):

    - decimal degrees: ``"50.471, 23.934"``, ``"50.471 23.934"``,
      ``"50.471 N 23.934 E"``, ``"N50.471 E23.934"``, ``"-33.9, 18.4"``
    - degrees-minutes-seconds or degrees-decimal-minutes:
      ``"50°28'16\\"N 23°56'03\\"E"``, ``"50 28 16 N 23 56 03 E"``, ``"50°28.27'N 23°56.06'E"``
    - MGRS: ``"34UGA0821595113"`` or ``"34U GA 08215 95113"``

    Raises
    ------
    InputError
        With a one-line explanation when the text is not a position.
    """
    if text is None or not str(text).strip():
        raise InputError(f"no position given; {_EXAMPLES}")
    raw = str(text).strip()
    compact = re.sub(r"\s+", "", raw).upper()
    if re.match(r"^\d{1,2}[A-Z]{3}\d*$", compact):
        return from_mgrs(compact)
    m = re.match(r"^\s*(-?\d+,\d+)\s+(-?\d+,\d+)\s*$", raw)
    if m:  # decimal commas: "50,471 23,934"
        raw = f"{m.group(1).replace(',', '.')} {m.group(2).replace(',', '.')}"
    try:
        toks = _tokens(_normalise(raw))
    except InputError:  # quote what the person typed, not the upper-cased remainder
        raise InputError(f"cannot read {raw!r} as a position; {_EXAMPLES}") from None
    if not any(k == "num" for k, _ in toks):
        raise InputError(f"{raw!r} is not a position; {_EXAMPLES}")
    groups = _split_groups(toks)
    if len(groups) != 2 or not all(any(k == "num" for k, _ in g) for g in groups):
        raise InputError(f"a position has two parts, latitude and longitude; {_EXAMPLES}")
    (v1, h1), (v2, h2) = _group_value(groups[0]), _group_value(groups[1])
    ns, ew = ("N", "S"), ("E", "W")
    if (h1 in ns and h2 in ns) or (h1 in ew and h2 in ew):
        raise InputError("one coordinate must be N/S (latitude) and the other E/W (longitude)")
    if h1 in ew or h2 in ns:
        lat, lon = v2, v1
    else:
        lat, lon = v1, v2
    if abs(lat) > 90 and abs(lon) <= 90 and h1 is None and h2 is None:
        raise InputError(f"latitude {lat:g} is outside -90..90: give latitude first (LAT, LON)")
    _check_lonlat(lon, lat)
    return (lon, lat)


def format_dms(lon: float, lat: float, decimals: int = 0) -> str:
    """Degrees-minutes-seconds text of a position, e.g. ``50°28'16"N 23°56'04"E``.

    ``lon``, ``lat`` in degrees; ``decimals`` is the number of decimals of the seconds.
    """
    _check_lonlat(lon, lat)

    def one(v: float, pos: str, neg: str) -> str:
        total = round(abs(v) * 3600.0, decimals)
        d, rem = divmod(total, 3600.0)
        m, s = divmod(rem, 60.0)
        width = 2 + (decimals + 1 if decimals else 0)
        sec = f"{s:0{width}.{decimals}f}"
        return f"{int(d)}°{int(m):02d}'{sec}\"{pos if v >= 0 else neg}"

    return f"{one(lat, 'N', 'S')} {one(lon, 'E', 'W')}"
