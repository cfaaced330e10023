"""The data catalogue: every built-in layer's name, file, geometry kind, key fields and label.

This is what the core knows about layers: where they are and what they hold.
How they look (colours, widths, marker sizes) is the renderers' business and
lives in :mod:`dashboard.scene.styles`.

>>> CATALOGUE["nato_border"].file
'nato_border.geojson'
>>> CATALOGUE["countries"].id_field
'iso_a2'
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


def _geodata_dir() -> Path:
    """``geodata/`` at the repository root, or inside the package when installed as a wheel."""
    package = Path(__file__).resolve().parents[1]
    candidates = (package.parent / "geodata", package / "geodata")
    return next((d for d in candidates if (d / "MANIFEST.json").is_file()), candidates[0])


#: Where the committed GeoJSON layers and their MANIFEST live.
GEODATA_DIR: Path = _geodata_dir()

Kind = Literal["polygon", "line", "point"]


@dataclass(frozen=True)
class LayerInfo:
    """What one built-in layer is.

    Attributes
    ----------
    name : str
        Machine name, used by the CLI (``--to nato_border``) and as map layer id.
    label : str
        Human label for legends and toggles.
    file : str
        File under :data:`GEODATA_DIR`.
    kind : {"polygon", "line", "point"}
        Geometry kind.
    id_field : str
        Property holding the feature's stable identifier.
    label_field : str
        Property holding the feature's display name.
    description : str
        One sentence for legends and ``python -m dashboard layers``.
    """

    name: str
    label: str
    file: str
    kind: Kind
    id_field: str = "id"
    label_field: str = "name"
    description: str = ""

    @property
    def path(self) -> Path:
        """Absolute path of the committed GeoJSON file."""
        return GEODATA_DIR / self.file


CATALOGUE: dict[str, LayerInfo] = {
    i.name: i
    for i in (
        LayerInfo("countries", "Countries", "countries.geojson", "polygon",
                  id_field="iso_a2", label_field="name",
                  description="Country outlines incl. 12 nm territorial sea (airspace), "
                              "OpenStreetMap."),
        LayerInfo("water", "Lakes & reservoirs", "water.geojson", "polygon",
                  id_field="id", label_field="id",
                  description="Inland water of 20 km² or more: the holes of OpenStreetMap's "
                              "land polygons."),
        LayerInfo("wide_water", "Wide rivers", "wide_water.geojson", "polygon",
                  id_field="id", label_field="id",
                  description="River surfaces of 5 km² or more (OpenStreetMap river polygons, "
                              "generalised); drawn from tiles by zoom on the live map."),
        LayerInfo("rivers", "Rivers", "rivers.geojson", "line",
                  id_field="id", label_field="id",
                  description="River centre lines (GSHHG/WDBII, about 1:1M, no names); drawn from "
                              "tiles by zoom on the live map."),
        LayerInfo("regions", "Oblasts & voivodeships", "regions.geojson", "polygon",
                  id_field="iso_3166_2", label_field="name",
                  description="First-level administrative units (Natural Earth admin-1)."),
        LayerInfo("zones", "Candidate no-fly zones", "zones.geojson", "polygon",
                  description="Candidate regional no-fly zones over western Ukraine."),
        LayerInfo("nato_border", "NATO border", "nato_border.geojson", "line",
                  id_field="id", label_field="id",
                  description="Land border between NATO members and UA, BY, RU, MD "
                              "(OpenStreetMap)."),
        LayerInfo("cities", "Cities (15,000+)", "cities.geojson", "point",
                  id_field="geonameid", label_field="name",
                  description="Places with 15,000+ inhabitants (GeoNames)."),
        LayerInfo("proposal_places", "Places named by zone proposals", "proposal_places.geojson",
                  "point", id_field="id", label_field="name",
                  description="Cities, nuclear plants and airports the published no-fly-zone "
                              "proposals name (Sky Shield 2025, western airfields 2025), each "
                              "with its position's source."),
        LayerInfo("air_bases", "Air bases (eastern flank)", "air_bases.geojson", "point",
                  id_field="icao", label_field="name",
                  description="Military airfields of NATO's eastern flank (PyPI airportsdata): "
                              "the bases reported in use plus every entry named Air Base or "
                              "Military in PL, SK, HU, RO, BG, EE, LV, LT, FI."),
        LayerInfo("incidents", "Incidents", "incidents.geojson", "point",
                  id_field="id", label_field="place",
                  description="Strikes and debris on NATO territory, each with cited sources."),
    )
}

#: Built-in layer names, bottom to top as maps draw them.
BUILTIN_LAYERS: tuple[str, ...] = tuple(CATALOGUE)

#: Layers whose features come from the store, not from their file: the shipped file
#: only seeds them (users add, edit and retire incidents), so the map never gets them
#: as a static file that could be out of date.
DYNAMIC_LAYERS: frozenset[str] = frozenset({"incidents"})

#: Context layers the live map draws from zoom tiles (``scripts/build_context_tiles.py``,
#: served from the map component's ``context/`` folder) instead of one static file: too big
#: for the first load.  Not clickable and without tooltip fields.
TILED_LAYERS: frozenset[str] = frozenset({"rivers", "wide_water"})
