"""Every user-facing limit of the dashboard: one constant each, and one table of them.

Each limit is a module-level constant here, imported wherever it is enforced;
:data:`LIMITS` lists them all once, with unit, where it is set and what it
bounds.  Two limits are set elsewhere and only imported: the process cache's
byte budget (:data:`dashboard.geo.cache.PROCESS_MAX_BYTES`) and the largest
buffer (:data:`dashboard.geo.buffer.MAX_BUFFER_KM`), since the core may not
import this package; one is a Streamlit setting
(``server.disconnectedSessionTTL`` in ``.streamlit/config.toml``, its value
copied here and checked by the test).  The
uploader's own cap, ``server.maxUploadSize`` (MB), must equal
:data:`MAX_UPLOAD_BYTES`.

The README's limits table ("Running it for a team") is :func:`limits_markdown`'s
output; ``tests/test_limits.py`` compares the two and checks the config file.
To change a limit, change it here, then paste the new table into the README::

    python -c "from dashboard.data.limits import limits_markdown; print(limits_markdown())"
"""
from __future__ import annotations

from dataclasses import dataclass

from dashboard.geo.buffer import MAX_BUFFER_KM
from dashboard.geo.cache import PROCESS_MAX_BYTES

__all__ = [
    "BRIEF_WORKERS", "BRIEF_WORKER_NICE", "BUSY_TIMEOUT_S", "CHUNK_ROWS", "MAX_IMPORT_ROWS", "MAX_INCIDENT_SOURCES",
    "MAX_INCIDENT_TEXT_CHARS", "MAX_PRECISION_M", "MAX_TRACK_VERTICES", "CONFIG",
    "MAX_DUPLICATE_KM", "MAX_QUERY_CHARS", "MAX_PLACE_RESULTS", "MAX_SPEED_KMH", "MAX_BASES",
    "MAX_LAUNCHERS", "MAX_BANDS", "PREPARED_CACHE_MAX_BYTES",
    "CONNECT_TIMEOUT_S", "LIMITS", "LIMITS_BY_NAME",
    "LIST_TTL_S", "Limit", "MAX_BUFFERS", "MAX_BUFFER_KM", "MAX_COLLECTION_DEPTH",
    "MAX_DRAWN_FEATURES", "MAX_EDITABLE_VERTICES", "MAX_FILE_LAYER_BYTES",
    "MAX_FILE_LAYER_VERTICES", "MAX_GEOJSON_BYTES", "MAX_LINE_BYTES", "MAX_NAME_CHARS",
    "MAX_PROPERTY_CHARS", "MAX_PROPERTY_DEPTH", "MAX_RADIUS_KM", "MAX_RINGS",
    "MAX_TABLE_VERTICES", "MAX_TEXT_CHARS", "MAX_UPLOAD_BYTES", "MAX_UPLOAD_VERTICES",
    "MAX_URL_JSON_BYTES", "MAX_URL_PARAM_CHARS", "MAX_USER_LAYERS", "MAX_USER_LAYERS_BYTES",
    "MAX_VERTICES", "MAX_ZONES", "PROCESS_MAX_BYTES", "format_limit", "limits_markdown",
]

HERE = "dashboard/data/limits.py"
CONFIG = ".streamlit/config.toml"

# ------------------------------------------------------------------ files
#: Largest file a user may upload, or give as ``zone --file``/``brief --zone`` (bytes).
MAX_UPLOAD_BYTES: int = 20 * 1024 * 1024
#: Most vertices an uploaded layer may have.
MAX_UPLOAD_VERTICES: int = 500_000
#: Largest layer file named on the command line (trusted more, still bounded), bytes.
MAX_FILE_LAYER_BYTES: int = 500 * 1024 * 1024
#: Most vertices of a layer file named on the command line.
MAX_FILE_LAYER_VERTICES: int = 20_000_000
#: Longest text property kept whole in a user's layer (characters); longer ones are cut.
MAX_PROPERTY_CHARS: int = 10_000
#: Deepest nesting of lists/objects inside one property value.
MAX_PROPERTY_DEPTH: int = 16
#: Deepest nesting of GeometryCollections inside each other a file may use.
MAX_COLLECTION_DEPTH: int = 8
#: Longest line of a CSV file, in bytes (a longer one is not a table row).
MAX_LINE_BYTES: int = 4 * 1024 * 1024
#: Rows of a ``--points`` file held at a time (the file itself has no size limit).
CHUNK_ROWS: int = 200_000

# ------------------------------------------------------------------ incidents
#: Longest free-text field of an incident (notes, attribution, reason), characters.
MAX_INCIDENT_TEXT_CHARS: int = 4000
#: Most sources one incident may cite.
MAX_INCIDENT_SOURCES: int = 20
#: Most vertices of an incident's track (an airspace violation's route).
MAX_TRACK_VERTICES: int = 2000
#: Largest stated precision of an incident's position (m).
MAX_PRECISION_M: float = 200_000.0
#: Most rows one incident import may hold.
MAX_IMPORT_ROWS: int = 20_000
#: Largest distance (km) an import may call "the same place" for a duplicate.
MAX_DUPLICATE_KM: float = 100.0
#: Longest place name the gazetteer searches (characters).
MAX_QUERY_CHARS: int = 200
#: Most places one gazetteer search returns.
MAX_PLACE_RESULTS: int = 1000

# ------------------------------------------------------------------ reach and air defence
#: Fastest speed accepted for a typed aircraft speed, km/h (Mach 3 at altitude is ~3,200).
MAX_SPEED_KMH: float = 4000.0
#: Most air bases in one reach analysis (the points equidistant from three are solved).
MAX_BASES: int = 40
#: Most air-defence launchers in one analysis.
MAX_LAUNCHERS: int = 50
#: Most time-to-reach bands drawn within the combat radius.
MAX_BANDS: int = 12

# ------------------------------------------------------------------ scenarios and links
#: Zones a scenario (and the zones page) may hold.
MAX_ZONES: int = 500
#: Range rings (buffers) a scenario may hold.
MAX_BUFFERS: int = 500
#: Vertices of all a scenario's zones together.
MAX_VERTICES: int = 500_000
#: Largest scenario file (GeoJSON), bytes.
MAX_GEOJSON_BYTES: int = 64 * 1024 * 1024
#: Longest name (scenario, zone, ring label, layer, incident id), characters.
MAX_NAME_CHARS: int = 120
#: Longest description, characters.
MAX_TEXT_CHARS: int = 2000
#: Largest radius of a circle zone or a ring in a scenario, km (half the Earth's circumference).
MAX_RADIUS_KM: float = 20_000.0
#: Longest share link parameter, characters.
MAX_URL_PARAM_CHARS: int = 6000
#: Most bytes a share link is inflated to (a zlib bomb is refused).
MAX_URL_JSON_BYTES: int = 1024 * 1024

# ------------------------------------------------------------------ the store
#: Seconds a save waits for another writer of the store, then "busy, try again".
BUSY_TIMEOUT_S: float = 30.0
#: Seconds to wait for a PostgreSQL server to answer a new connection.
CONNECT_TIMEOUT_S: int = 5
#: Seconds a session reuses the list of saved scenarios (its own writes refresh it at once).
LIST_TTL_S: float = 10.0

# ------------------------------------------------------------------ the page and the session
#: Most range rings around one point.
MAX_RINGS: int = 12
#: Most features one drawing event may carry (the rest are dropped).
MAX_DRAWN_FEATURES: int = 200
#: Zones with more vertices than this are shown read-only on the drawing map.
MAX_EDITABLE_VERTICES: int = 400
#: Most vertices the zone's vertex table shows for editing.
MAX_TABLE_VERTICES: int = 5000
#: Most uploaded layers one session keeps on its map.
MAX_USER_LAYERS: int = 8
#: Most memory (estimated) the uploaded layers of one session may hold together, bytes.
MAX_USER_LAYERS_BYTES: int = 48 * 1024 * 1024
#: Most worker processes drawing briefing maps for the app (never more than the cores).
BRIEF_WORKERS: int = 2
#: How much lower the brief workers' CPU priority is than the server's (a ``nice``
#: increment): the workers draw on the cores the server leaves idle, and a session's
#: rerun goes first when both want a core.
BRIEF_WORKER_NICE: int = 10
#: Most bytes the CLI's prepared-layer folder keeps (the oldest files go first): about
#: seven sets of the default layers (countries 33 MB, the NATO border 4 MB a date).
PREPARED_CACHE_MAX_BYTES: int = 256 * 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """One limit: its constant (or setting) name, value, unit, where it is set, what it bounds.

    ``unit`` is ``"bytes"``, ``"s"``, ``"km"`` or a plural noun (``"vertices"``);
    ``where_set`` is a path from the repository root.
    """

    name: str
    value: int | float
    unit: str
    where_set: str
    help: str


#: Every limit, once, in the order of the README's table.
LIMITS: tuple[Limit, ...] = (
    Limit("MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES, "bytes", HERE,
          "an uploaded layer, zone or scenario file in the app; `zone --file`, `brief --zone` "
          "(the uploader's `server.maxUploadSize` in `.streamlit/config.toml` must match: a "
          "test keeps the two equal)"),
    Limit("MAX_UPLOAD_VERTICES", MAX_UPLOAD_VERTICES, "vertices", HERE,
          "vertices in an uploaded layer"),
    Limit("MAX_FILE_LAYER_BYTES", MAX_FILE_LAYER_BYTES, "bytes", HERE,
          "a `LAYER` file in the CLI"),
    Limit("MAX_FILE_LAYER_VERTICES", MAX_FILE_LAYER_VERTICES, "vertices", HERE,
          "vertices in a `LAYER` file in the CLI"),
    Limit("MAX_PROPERTY_CHARS", MAX_PROPERTY_CHARS, "characters", HERE,
          "a text property of a feature (longer is cut, and said)"),
    Limit("MAX_PROPERTY_DEPTH", MAX_PROPERTY_DEPTH, "levels", HERE,
          "lists and objects nested in a property"),
    Limit("MAX_COLLECTION_DEPTH", MAX_COLLECTION_DEPTH, "levels", HERE,
          "nested GeometryCollections (JSON itself nests as deep as Python parses, about "
          "1,000 levels)"),
    Limit("MAX_LINE_BYTES", MAX_LINE_BYTES, "bytes", HERE, "one CSV line (`--points`)"),
    Limit("CHUNK_ROWS", CHUNK_ROWS, "rows", HERE,
          "`distance --points` rows held at a time, the default of `--chunk-rows` (the file "
          "has no limit: it is streamed)"),
    Limit("MAX_INCIDENT_TEXT_CHARS", MAX_INCIDENT_TEXT_CHARS, "characters", HERE,
          "an incident's notes, attribution or position note, and a change's reason"),
    Limit("MAX_INCIDENT_SOURCES", MAX_INCIDENT_SOURCES, "sources", HERE,
          "sources cited by one incident"),
    Limit("MAX_TRACK_VERTICES", MAX_TRACK_VERTICES, "vertices", HERE,
          "an incident's track (an airspace violation's route)"),
    Limit("MAX_PRECISION_M", MAX_PRECISION_M, "m", HERE,
          "the stated precision of an incident's position"),
    Limit("MAX_IMPORT_ROWS", MAX_IMPORT_ROWS, "rows", HERE,
          "rows of one incident import (CSV or GeoJSON)"),
    Limit("MAX_DUPLICATE_KM", MAX_DUPLICATE_KM, "km", HERE,
          "the distance within which an imported incident of the same date is a duplicate "
          "(default 5 km)"),
    Limit("MAX_QUERY_CHARS", MAX_QUERY_CHARS, "characters", HERE,
          "a place name searched in the gazetteer (`places`, the search box)"),
    Limit("MAX_PLACE_RESULTS", MAX_PLACE_RESULTS, "places", HERE,
          "places one gazetteer search returns (`places --limit`)"),
    Limit("MAX_SPEED_KMH", MAX_SPEED_KMH, "km/h", HERE,
          "a typed aircraft cruise speed (`zone --speed-kmh`, the zones page)"),
    Limit("MAX_BASES", MAX_BASES, "bases", HERE, "air bases in one reach analysis (`--bases`)"),
    Limit("MAX_LAUNCHERS", MAX_LAUNCHERS, "launchers", HERE,
          "air-defence launchers in one analysis (`--gbad`)"),
    Limit("MAX_BANDS", MAX_BANDS, "bands", HERE,
          "time-to-reach bands drawn within the combat radius (wider bands beyond)"),
    Limit("MAX_GEOJSON_BYTES", MAX_GEOJSON_BYTES, "bytes", HERE,
          "a scenario file (`brief --scenario`, `scenarios import`)"),
    Limit("MAX_ZONES", MAX_ZONES, "zones", HERE, "zones in a scenario and on the zones page"),
    Limit("MAX_BUFFERS", MAX_BUFFERS, "rings", HERE, "range rings in a scenario"),
    Limit("MAX_VERTICES", MAX_VERTICES, "vertices", HERE, "vertices of a scenario's zones"),
    Limit("MAX_NAME_CHARS", MAX_NAME_CHARS, "characters", HERE,
          "a name: scenario, zone (also one named by a zone file), ring label, layer"),
    Limit("MAX_TEXT_CHARS", MAX_TEXT_CHARS, "characters", HERE, "a scenario's description"),
    Limit("MAX_RADIUS_KM", MAX_RADIUS_KM, "km", HERE,
          "the radius of a circle zone or a ring in a scenario"),
    Limit("MAX_URL_PARAM_CHARS", MAX_URL_PARAM_CHARS, "characters", HERE, "a share link"),
    Limit("MAX_URL_JSON_BYTES", MAX_URL_JSON_BYTES, "bytes", HERE,
          "a share link once inflated (a zlib bomb is refused)"),
    Limit("MAX_RINGS", MAX_RINGS, "rings", HERE, "range rings around one point on the map"),
    Limit("MAX_BUFFER_KM", MAX_BUFFER_KM, "km", "dashboard/geo/buffer.py",
          "a buffer distance or a range (`buffer`, origin ranges)"),
    Limit("MAX_DRAWN_FEATURES", MAX_DRAWN_FEATURES, "features",
          HERE, "shapes drawn on the map in one go (the rest are dropped)"),
    Limit("MAX_EDITABLE_VERTICES", MAX_EDITABLE_VERTICES, "vertices", HERE,
          "a zone editable by dragging on the drawing map (larger ones: in the vertex table)"),
    Limit("MAX_TABLE_VERTICES", MAX_TABLE_VERTICES, "vertices", HERE,
          "vertices shown in the zone's vertex table"),
    Limit("BUSY_TIMEOUT_S", BUSY_TIMEOUT_S, "s", HERE,
          "waiting for another writer of the store (GeoPackage or PostgreSQL), then \"busy, "
          "try again\""),
    Limit("CONNECT_TIMEOUT_S", CONNECT_TIMEOUT_S, "s", HERE,
          "connecting to PostgreSQL, then \"not reachable\""),
    Limit("LIST_TTL_S", LIST_TTL_S, "s", HERE,
          "how long an open zones page reuses the saved list (at once after its own writes)"),
    Limit("MAX_USER_LAYERS", MAX_USER_LAYERS, "layers", HERE,
          "uploaded layers a session keeps"),
    Limit("MAX_USER_LAYERS_BYTES", MAX_USER_LAYERS_BYTES, "bytes", HERE,
          "memory of a session's uploaded layers together (a file at the vertex limit takes "
          "12–15 MB)"),
    Limit("BRIEF_WORKERS", BRIEF_WORKERS, "processes", HERE,
          "worker processes drawing briefing maps beside the app's server (at most the "
          "cores)"),
    Limit("BRIEF_WORKER_NICE", BRIEF_WORKER_NICE, "nice", HERE,
          "how much lower the brief workers' CPU priority is than the server's (reruns go "
          "first)"),
    Limit("PREPARED_CACHE_MAX_BYTES", PREPARED_CACHE_MAX_BYTES, "bytes", HERE,
          "the CLI's folder of prepared layers and indices (DASHBOARD_CACHE_DIR, else "
          "~/.cache/dashboard; the oldest files go first)"),
    Limit("PROCESS_MAX_BYTES", PROCESS_MAX_BYTES, "bytes", "dashboard/geo/cache.py",
          "all the process's caches together (estimated; least recently used go first)"),
    Limit("server.disconnectedSessionTTL", 120, "s", CONFIG,
          "a closed tab's session, with its uploads, is dropped this long after"),
)
#: :data:`LIMITS` by name.
LIMITS_BY_NAME: dict[str, Limit] = {lim.name: lim for lim in LIMITS}


def format_limit(value: int | float, unit: str) -> str:
    """A limit as the README shows it: bytes in MB (2**20) or kB, others with their unit.

    >>> format_limit(20 * 1024 * 1024, "bytes"), format_limit(4096, "bytes")
    ('20 MB', '4 kB')
    >>> format_limit(20_000_000, "vertices"), format_limit(30.0, "s"), format_limit(0.5, "km")
    ('20,000,000 vertices', '30 s', '0.5 km')
    """
    if unit == "bytes":
        for size, word in ((2**30, "GB"), (2**20, "MB"), (2**10, "kB")):
            if value >= size and value % size == 0:
                return f"{value // size:,} {word}"
        return f"{value:,} bytes"
    number = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    return f"{number} {unit}"


def limits_markdown() -> str:
    """The README's limits table (Markdown, no trailing newline), one row a limit."""
    rows = ["| what | limit | where |", "|---|---|---|"]
    rows += [f"| {lim.help} | {format_limit(lim.value, lim.unit)} | `{lim.name}`, "
             f"`{lim.where_set}` |" for lim in LIMITS]
    return "\n".join(rows)
