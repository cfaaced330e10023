"""Briefing map: a :class:`~dashboard.scene.model.Scene` drawn to a print-quality PNG, PDF or SVG.

The brief is drawn with matplotlib (Agg; no browser, no Streamlit) in a
Lambert conformal conic projection centred on the scene's view, with standard
parallels at 1/6 and 5/6 of its latitude span (the projection of ICAO
aeronautical charts: conformal, so shapes and bearings look right, and scale
within about 1 % across a 10-degree view).  Views that straddle the equator
or span more than 50 degrees of latitude use Lambert azimuthal equal-area.

Everything a staff officer expects on a slide is on the page: title, the
incident's date-time group (``151440Z NOV 22``), an optional marking banner
top and bottom, the scene's layers in the styles of :mod:`dashboard.scene.styles`,
a legend, a scale bar whose length is geodesically right at the map's centre,
a north arrow pointing to true north at the map's centre, a labelled
graticule, an inset locator map, a key-figures box, a sources and licences
line, and the generation time (``SOURCE_DATE_EPOCH`` when set).  When the
scene carries the strike-to-border geodesic (layer ``strike_border``, made by
:func:`dashboard.scene.compose.build_scene`) a detail inset shows it with its length,
since 6 km is a few pixels on a 1,000 km map.

What the brief is about follows what it shows, never the selection alone
(:func:`dashboard.scene.compose.subject.as_briefed`, applied by :func:`draw_brief`):

- layers switched off in the map's legend are not drawn, and every key figure
  leaves with the layer it measures (the strike distances with the strike line,
  a zone's area with the zones, a launch area's figures with the launch area);
- the subject is, first, the incident of a candidate launch area drawn in the
  view ("Launch area: Korsze strike, ..."; that incident's date-time group; file
  ``brief-<id>-launch-area``); else the selected incident when its position is
  inside the view ("Przewodów strike, 15 Nov 2022"; ``151440Z NOV 22``; file
  ``brief-<id>``); else the view itself ("Situation map, <centre>"; no date-time
  group; file ``brief-view-<lat>N-<lon>E``);
- the selected incident's strike line and distances are drawn only when it is the
  subject; subtitle and incident-report sources are the subject's; a title the
  user gave (scenario name, ``--title``) is kept.

Cartographic generalisation, for display only (figures always come from the
full-resolution layers in the core): geometry is simplified to 0.4 px before
projecting; places are thinned to the largest within ~18 px of each other and
to a round population threshold that leaves about 90 on a slide (the legend
says which); markers hidden by the scale bar or north arrow are left out.

Labels are placed greedily by priority: each candidate position's rendered
text extent is checked against the markers, the map furniture and the labels
already placed, and a label that fits nowhere is left out.

Output is deterministic: the same scene and the same ``SOURCE_DATE_EPOCH``
give the same bytes (fixed metadata, fixed SVG hash salt, no timestamps).

The page is drawn in named steps, each a function of the page and what it draws:

- :mod:`.layout`: page sizes, the :class:`~.layout.Page` (units, fonts, text metrics),
  the page's boxes, :class:`~.layout.MapView` and the layout results;
- :mod:`.marks`: date-time group, generation time, marking banners, header, footer;
- :mod:`.mainmap`: the main map's frame, then furniture, layers, graticule and labels;
- :mod:`.layers`, :mod:`.labelling`, :mod:`.shapes`: scene layers, their labels, geometry helpers;
- :mod:`.furniture`: graticule, scale bar, north arrow;
- :mod:`.panel`, :mod:`.insets`: legend, key figures, locator and strike detail.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Literal

import matplotlib

from dashboard.geo.errors import InputError
from dashboard.io.basemap import Basemap, configured_basemap
from dashboard.render.brief.basemap import with_basemap_source
from dashboard.render.brief.layers import LayerState
from dashboard.render.brief.layout import (
    FONT,
    FORMATS,
    PAGE_SIZES,
    BriefLayout,
    Fmt,
    Page,
    PageSize,
    PlacedLabel,
    ScaleBar,
    SizeName,
    page_boxes,
)
from dashboard.render.brief.mainmap import draw_map
from dashboard.render.brief.marks import (
    draw_banners,
    draw_footer,
    draw_header,
    format_dtg,
    generation_time,
    marking_colours,
)
from dashboard.render.brief.panel import draw_panel
from dashboard.scene.compose.subject import as_briefed
from dashboard.scene.model import Scene

__all__ = ["FORMATS", "PAGE_SIZES", "BasemapArg", "BriefLayout", "Fmt", "PageSize", "PlacedLabel", "ScaleBar",
           "SizeName",
           "build_figure", "draw_brief", "format_dtg", "generation_time", "marking_colours", "render_brief",
           "save_figure"]

_RENDER_LOCK = threading.Lock()

#: A basemap argument: a :class:`~dashboard.io.basemap.Basemap`, None (none), or this
#: process's configured one (:func:`~dashboard.io.basemap.configured_basemap`).
BasemapArg = Basemap | None | Literal["configured"]


def _basemap(basemap: BasemapArg) -> Basemap | None:
    return configured_basemap() if basemap == "configured" else basemap  # type: ignore[return-value]


def draw_brief(scene: Scene, page_size: PageSize, marking: str | None, generated_at: datetime,
               simplify: bool = True, basemap: BasemapArg = "configured") -> BriefLayout:
    """Draw every part of the brief on a new figure, in page order; returns what was drawn.

    Parameters
    ----------
    scene : Scene
        What to draw (layers in WGS84 lon/lat).
    page_size : PageSize
        The page; sizes inside are design pixels of a 1920-pixel-wide slide, scaled to it.
    marking : str, optional
        Banner text; blank or None for no banners.
    generated_at : datetime
        Generation time printed in the footer (UTC).
    simplify : bool
        Simplify geometry for display (0.4 px tolerance).
    basemap : Basemap, None or "configured"
        The basemap drawn under the layers (a local raster file) and named in the sources;
        default this process's configured one.
    """
    bm = _basemap(basemap)
    scene = with_basemap_source(as_briefed(scene), bm)  # its attribution in the sources
    page = Page.new(page_size)
    marking = (marking or "").strip() or None
    boxes = page_boxes(page, marking)
    if marking:
        draw_banners(page, marking, boxes.banner)
    dtg = draw_header(page, scene, boxes)
    state = LayerState()
    m = draw_map(page, scene, boxes.map_box, state, simplify, bm)
    inset_ax = draw_panel(page, scene, boxes.panel_box, state.legend_rows, m.view)
    draw_footer(page, scene, boxes, generated_at, m.view.proj, m.centre_lonlat)
    return BriefLayout(
        fig=page.fig, map_ax=m.view.ax, inset_ax=inset_ax, projection=m.view.proj, frame_xy=m.view.frame,
        centre_lonlat=m.centre_lonlat, scale_bar=m.scale_bar, north_deg=m.north_deg, labels=m.labels,
        markers_px=m.markers_px, furniture_px=m.furniture_px, dropped_labels=m.dropped_labels,
        page=page_size, generated_at=generated_at, dtg=dtg, legend_rows=state.legend_rows)


def _rc() -> dict:
    return {
        "svg.fonttype": "none",  # real <text> in SVG
        "text.parse_math": False,  # names are text: "$x$" is never mathtext
        "pdf.fonttype": 42,  # TrueType text in PDF (selectable, extractable)
        "svg.hashsalt": "dashboard-brief",
        "font.family": FONT,
        "path.simplify": True,
        "agg.path.chunksize": 0,
    }


def build_figure(scene: Scene, size: SizeName = "slide", marking: str | None = None,
                 generated_at: datetime | None = None, *, simplify: bool = True,
                 basemap: BasemapArg = "configured") -> BriefLayout:
    """Draw ``scene`` as a brief and return the figure with what was drawn.

    Parameters
    ----------
    scene : Scene
        The scene (layers in WGS84 lon/lat, view, metrics, sources).
    size : {"slide", "a4"}
        ``slide`` is 1920 x 1080 px; ``a4`` is A4 landscape at 300 dpi (3508 x 2480 px).
    marking : str, optional
        Classification / handling marking for the banners at top and bottom.
    generated_at : datetime, optional
        Generation time shown on the page; default ``SOURCE_DATE_EPOCH`` or now (UTC).
    simplify : bool
        Simplify geometry for display (0.4 px tolerance). Only benchmarks turn it off.
    basemap : Basemap, None or "configured"
        See :func:`draw_brief`.
    """
    if size not in PAGE_SIZES:
        raise InputError(f"unknown size {size!r}; use one of {', '.join(PAGE_SIZES)}")
    with matplotlib.rc_context(_rc()):
        layout = draw_brief(scene, PAGE_SIZES[size], marking, generation_time(generated_at), simplify=simplify,
                            basemap=basemap)
    layout.explicit_time = generated_at is not None
    return layout


def save_figure(layout: BriefLayout, out: Path | str | BinaryIO, fmt: Fmt) -> None:
    """Write a built brief with fixed metadata (same scene + time -> same bytes)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    fig = layout.fig
    # A timestamp goes into the file only when it is reproducible (explicit or SOURCE_DATE_EPOCH).
    fixed_time = layout.generated_at if (layout.explicit_time or os.environ.get("SOURCE_DATE_EPOCH")) else None
    if fmt == "png":
        md = {"Software": None}
    elif fmt == "pdf":
        md = {"Creator": None, "Producer": None, "CreationDate": fixed_time, "ModDate": None}
    else:
        md = {"Date": None, "Creator": None}
    if isinstance(out, (str, os.PathLike)):
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(_rc()):
        fig.savefig(out, format=fmt, dpi=layout.page.dpi, metadata=md, facecolor="white")


def render_brief(scene: Scene, out: Path | str | BinaryIO, fmt: Fmt = "png", size: SizeName = "slide",
                 marking: str | None = None, generated_at: datetime | None = None,
                 basemap: BasemapArg = "configured") -> BriefLayout:
    """Render ``scene`` as a briefing map to ``out`` (a path or a binary file object).

    Parameters
    ----------
    scene : Scene
        What to draw.
    out : Path or binary file object
        Where to write.
    fmt : {"png", "pdf", "svg"}
        Output format. PDF and SVG keep vector lines and real (selectable) text.
    size : {"slide", "a4"}
        1920 x 1080 px, or A4 landscape at 300 dpi (3508 x 2480 px).
    marking : str, optional
        Marking banner text (e.g. ``"UNCLASSIFIED"``), top and bottom.
    generated_at : datetime, optional
        Generation time printed on the brief; default ``SOURCE_DATE_EPOCH`` or now (UTC).
    basemap : Basemap, None or "configured"
        See :func:`draw_brief`.

    Returns
    -------
    BriefLayout
        The figure and what was drawn (projection, frame, scale bar, labels).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    with _RENDER_LOCK:
        layout = build_figure(scene, size, marking, generated_at, basemap=basemap)
        save_figure(layout, out, fmt)
    return layout
