"""The geodesic analysis core: pure functions on WGS84 lon/lat geometry.

No Streamlit and no rendering here.  Every distance, length, area and buffer
is geodesic on the WGS84 ellipsoid (``pyproj.Geod``), in km / km² / degrees.

Modules
-------
errors     :class:`InputError`, the one exception users see
geodesy    the ellipsoid: inverse/forward problems, geodesic lines, densify
measure    geodesic length, perimeter, area
layers_io  built-in layers and user files (GeoJSON, CSV)
distance   nearest feature for one or millions of points
buffer     geodesic circles, buffers, border bands
nato       the NATO border on a date
zones      candidate no-fly zones and their metrics
coords     decimal / DMS / MGRS positions
units      km, nautical miles, statute miles
"""
from dashboard.geo.errors import InputError

__all__ = ["InputError"]
