"""The geodesic analysis core: pure functions on WGS84 lon/lat geometry.

No Streamlit and no rendering here.  Every distance, length, area and buffer
is geodesic on the WGS84 ellipsoid (``pyproj.Geod``), in km / km² / degrees,
and every line and polygon edge is a geodesic in every operation (planar
predicates run on edges densified along their geodesics, :mod:`edges`).

Modules
-------
errors     :class:`InputError`, the one exception users see
geodesy    the ellipsoid: inverse/forward problems, geodesic lines, densify, ECEF
edges      geodesic edges for planar predicates (densify to 0.1 m)
measure    geodesic length, perimeter, area
layers_io  built-in layers and user files (GeoJSON, CSV)
segindex   a layer as short geodesic segments in an ECEF capsule tree
kernel     the compiled nearest-segment search over that tree
distance   nearest feature for one or millions of points
pointio    points files of any length in chunks (CSV, GeoJSON, Parquet)
dask_engine  the same kernel over dask.dataframe partitions on a cluster
buffer     geodesic circles, buffers, border bands
nato       the NATO border on a date
zones      candidate no-fly zones and their metrics
feature_report  a clicked feature measured as itself (edge to edge, what it contains)
report     what the selection panel says about a point
incident_table  every incident with its distances and the zones that contain it
origin     candidate launch areas: a geodesic annulus cut by each country
munitions  range presets with their sources
zonefile   the one reader and naming rule for zone files
validate   lon/lat checks and polygon repair, said in words
coords     decimal / DMS / MGRS positions
units      km, nautical miles, statute miles
"""
from dashboard.geo.errors import InputError

__all__ = ["InputError"]
