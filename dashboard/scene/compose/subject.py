"""What a briefing map is about: its subject follows what the brief shows, not the selection.

The rule (documented for users in :mod:`dashboard.render.brief`):

1. The layers switched off in the map's legend are not in the scene given here,
   and every figure leaves with the layer it measures (``Scene.figure_layers``).
2. The subject is, in this order:

   a. the incident of a candidate launch area drawn in the view (layer ``origin``
      intersecting the view): title ``"Launch area: <place> strike, <date>"``, that
      incident's date-time group, file ``brief-<incident id>-launch-area``;
   b. else the selected incident, when its position is inside the view: title
      ``"<place> strike, <date>"``, its date-time group, file ``brief-<incident id>``;
   c. else the view itself: title ``"Situation map, <centre>"``, no date-time
      group, file ``brief-view-<lat>N-<lon>E`` (the view's centre, 2 decimals).

3. The strike line of the selected incident and its figures are on the brief only
   when that incident is the subject; the subtitle and the incident-report sources
   are the subject's.  A title the user gave (scenario name, ``--title``) is kept;
   the date-time group and the file name still follow the subject.

No Streamlit, no rendering here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import shapely

from dashboard.data.catalogue import CATALOGUE
from dashboard.scene.compose.parts import incident_props
from dashboard.scene.compose.words import sources_for, subtitle_for, title_for
from dashboard.scene.model import STRIKE_LINE, Scene

__all__ = ["Subject", "as_briefed", "brief_file_name", "subject_of"]


@dataclass(frozen=True)
class Subject:
    """The subject of a brief: which kind, the incident (or None), the title and file stem."""

    kind: str  # "launch-area", "incident" or "view"
    incident: dict | None
    title: str
    file_stem: str


def _view_box(scene: Scene) -> shapely.Polygon:
    return shapely.box(*scene.view.bounds_deg)


def _centre_text(scene: Scene) -> tuple[str, str]:
    """The view's centre as a title text and a file-name text."""
    w, s, e, n = scene.view.bounds_deg
    lon, lat = (w + e) / 2, (s + n) / 2
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    title = f"{abs(lat):.2f}°{ns} {abs(lon):.2f}°{ew}"
    return title, f"{abs(lat):.2f}{ns}-{abs(lon):.2f}{ew}"


def subject_of(scene: Scene) -> Subject:
    """The subject of the brief of ``scene`` (the rule in this module's docstring)."""
    box = _view_box(scene)
    origin = scene.layer("origin")
    if origin is not None and len(origin.gdf) and "incident" in origin.gdf.columns \
            and bool(origin.gdf.geometry.intersects(box).any()):
        inc_id = str(origin.gdf["incident"].iloc[0])
        inc = scene.incident if scene.incident and scene.incident.get("id") == inc_id \
            else incident_props(inc_id)
        return Subject("launch-area", inc, f"Launch area: {title_for(inc)}",
                       f"brief-{inc_id}-launch-area")
    inc = scene.incident
    if inc and "lon" in inc and "lat" in inc and box.covers(shapely.Point(inc["lon"], inc["lat"])):
        return Subject("incident", inc, title_for(inc), f"brief-{inc['id']}")
    title, stem = _centre_text(scene)
    return Subject("view", None, f"Situation map, {title}", f"brief-view-{stem}")


def brief_file_name(scene: Scene, fmt: str) -> str:
    """``brief-2022-11-15-przewodow.png``: the subject's file stem and the format."""
    return f"{subject_of(scene).file_stem}.{fmt}"


def as_briefed(scene: Scene) -> Scene:
    """``scene`` as its brief shows it: the subject's title, subtitle, incident and sources;
    only the figures of the layers drawn; the strike line only with its incident."""
    subject = subject_of(scene)
    selected = scene.incident
    own_strike = subject.incident is not None and selected is not None \
        and subject.incident.get("id") == selected.get("id")
    layers = [lyr for lyr in scene.layers if lyr.name != STRIKE_LINE or own_strike]
    drawn = {lyr.name for lyr in layers}
    metrics = {k: v for k, v in scene.metrics.items()
               if scene.figure_layers.get(k) is None or scene.figure_layers[k] in drawn}
    if subject.kind == "incident" or (subject.incident is None and selected is None):
        return replace(scene, layers=layers, metrics=metrics)  # the scene's own words
    subtitle = subtitle_for(subject.incident, scene.locator, scene.as_of) \
        if scene.locator is not None and scene.as_of is not None else ""
    used = [lyr.name for lyr in layers if lyr.name in CATALOGUE]
    return replace(scene, layers=layers, metrics=metrics, incident=subject.incident,
                   title=scene.title if scene.custom_title else subject.title,
                   subtitle=subtitle, sources=sources_for(used, subject.incident))
