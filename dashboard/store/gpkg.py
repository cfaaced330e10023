"""GeoPackage binary geometries (GeoPackage 1.3, section 2.1.3) in WGS84 lon/lat.

A GeoPackage geometry is a ``GP`` header (version, flags, ``srs_id``, an
optional envelope in degrees) followed by standard WKB.  Only EPSG:4326
(:data:`SRS_ID`) is written or accepted.
"""
from __future__ import annotations

import struct

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from dashboard.geo.errors import InputError

__all__ = ["GPKG_APPLICATION_ID", "GPKG_USER_VERSION", "SRS_ID", "gpkg_geometry_blob",
           "geometry_from_gpkg_blob", "wgs84_wkt"]

#: ``PRAGMA application_id`` of a GeoPackage: ASCII "GPKG" (older files: "GP10", "GP11").
GPKG_APPLICATION_ID: int = 0x47504B47
GPKG_APPLICATION_IDS: frozenset[int] = frozenset({GPKG_APPLICATION_ID, 0x47503130, 0x47503131})
#: ``PRAGMA user_version`` written: GeoPackage 1.3.0.
GPKG_USER_VERSION: int = 10300
#: The one spatial reference system used: WGS84 lon/lat degrees (EPSG:4326).
SRS_ID: int = 4326

#: Envelope bytes by envelope code: none, xy, xyz, xym, xyzm (8-byte doubles).
_GPKG_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def wgs84_wkt() -> str:
    """The WKT (GDAL's WKT1 dialect) of EPSG:4326 for ``gpkg_spatial_ref_sys``."""
    from pyproj import CRS

    return CRS.from_epsg(SRS_ID).to_wkt("WKT1_GDAL")


def gpkg_geometry_blob(geom: BaseGeometry) -> bytes:
    """Encode ``geom`` as GeoPackage binary: ``GP`` header (srs_id 4326, xy envelope) + WKB.

    Little-endian; polygons carry an envelope ``[minx, maxx, miny, maxy]`` in
    degrees, points none (GeoPackage 1.3, section 2.1.3).
    """
    wkb = shapely.to_wkb(geom, byte_order=1, output_dimension=2)
    if geom.is_empty:
        return b"GP\x00" + bytes([0b10001]) + struct.pack("<i", SRS_ID) + wkb
    if isinstance(geom, Point):
        return b"GP\x00\x01" + struct.pack("<i", SRS_ID) + wkb
    minx, miny, maxx, maxy = geom.bounds
    return b"GP\x00\x03" + struct.pack("<i4d", SRS_ID, minx, maxx, miny, maxy) + wkb


def geometry_from_gpkg_blob(blob: bytes, where: str = "geometry") -> BaseGeometry:
    """Decode GeoPackage binary (any envelope type) into a shapely geometry.

    Raises
    ------
    InputError
        If the blob is not GeoPackage binary, uses the extended format, or is
        not in EPSG:4326.
    """
    b = bytes(blob)
    if len(b) < 8 or b[:2] != b"GP":
        raise InputError(f"{where} is not a GeoPackage geometry")
    flags = b[3]
    if flags & 0b100000:
        raise InputError(f"{where} uses the extended GeoPackage geometry format")
    envelope = (flags >> 1) & 0b111
    if envelope not in _GPKG_ENVELOPE_BYTES:
        raise InputError(f"{where} has an unknown envelope type {envelope}")
    (srs_id,) = struct.unpack("<i" if flags & 1 else ">i", b[4:8])
    if srs_id != SRS_ID:
        raise InputError(f"{where} is in srs_id {srs_id}, expected {SRS_ID} (WGS84)")
    try:
        return shapely.from_wkb(b[8 + _GPKG_ENVELOPE_BYTES[envelope]:])
    except shapely.errors.GEOSException as exc:
        raise InputError(f"{where} has damaged WKB ({exc})") from None
