"""Greedy placement of map labels that overlap neither each other nor the markers.

Boxes are (x0, y0, x1, y1) in figure pixels.  A :class:`LabelPlacer` takes
labels in priority order, tries each candidate position around its anchor and
keeps the first whose rendered extent collides with nothing already placed.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

Box = tuple[float, float, float, float]


def boxes_overlap(a: Box, b: Box, pad: float = 0.0) -> bool:
    """True if two (x0, y0, x1, y1) boxes overlap by more than ``-pad``."""
    return (a[0] < b[2] + pad and b[0] < a[2] + pad and
            a[1] < b[3] + pad and b[1] < a[3] + pad)


@dataclass
class LabelRequest:
    """A label to place.

    ``anchors_px`` are the candidate anchor points in figure pixels (one for a
    point or an area, several along a line); ``gap_px`` is the distance from a
    point marker's centre to the text (0 for text centred on the anchor).
    """

    text: str
    layer: str
    anchors_px: list[tuple[float, float]]
    anchors_data: list[tuple[float, float]]
    priority: float
    gap_px: float
    props: dict
    halo_px: float = 0.0
    box_style: dict | None = None


# (dx, dy, ha, va) multipliers of the gap, in cartographic preference order.
# A diagonal position uses the full gap on both axes, so its box clears the
# marker's square box as well as the marker.
POINT_POSITIONS = (
    (1.0, 0.0, "left", "center"), (1.0, 0.75, "left", "bottom"),
    (1.0, -0.75, "left", "top"), (-1.0, 0.0, "right", "center"),
    (-1.0, 0.75, "right", "bottom"), (-1.0, -0.75, "right", "top"),
    (0.0, 1.0, "center", "bottom"), (0.0, -1.0, "center", "top"),
)


def aligned_box(x: float, y: float, w: float, h: float, ha: str, va: str) -> Box:
    """The box of a ``w`` x ``h`` text at (``x``, ``y``) aligned by ``ha``/``va`` (matplotlib's names)."""
    x0 = x if ha == "left" else (x - w if ha == "right" else x - w / 2)
    y0 = y if va == "bottom" else (y - h if va == "top" else y - h / 2)
    return (x0, y0, x0 + w, y0 + h)


class LabelPlacer:
    """Greedy label placement with box collision checks in figure pixels.

    Boxes are kept in a uniform grid so each check looks only at nearby boxes.

    Parameters
    ----------
    bounds_px : Box
        Labels must lie wholly inside this box (the map frame).
    obstacles_px : iterable of Box
        Markers and map furniture that labels must not cover.
    measure : callable
        ``measure(text, props) -> (width_px, height_px)`` of the rendered text.
    pad_px : float
        Minimum clearance between a label and anything else.
    """

    def __init__(self, bounds_px: Box, obstacles_px: Iterable[Box],
                 measure: Callable[[str, dict], tuple[float, float]], pad_px: float = 2.0,
                 cell_px: float = 64.0) -> None:
        self.bounds = bounds_px
        self.measure = measure
        self.pad = pad_px
        self.cell = cell_px
        self.occupied: list[Box] = []
        self._grid: dict[tuple[int, int], list[int]] = {}
        for b in obstacles_px:
            self.add(b)

    def _cells(self, box: Box) -> Iterator[tuple[int, int]]:
        c = self.cell
        i0, i1 = int(math.floor((box[0] - self.pad) / c)), int(math.floor((box[2] + self.pad) / c))
        j0, j1 = int(math.floor((box[1] - self.pad) / c)), int(math.floor((box[3] + self.pad) / c))
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                yield (i, j)

    def add(self, box: Box) -> None:
        """Mark ``box`` as taken."""
        k = len(self.occupied)
        self.occupied.append(box)
        for cell in self._cells(box):
            self._grid.setdefault(cell, []).append(k)

    def is_free(self, box: Box) -> bool:
        """True if ``box`` is inside the bounds and clear of everything taken."""
        b = self.bounds
        if box[0] < b[0] or box[1] < b[1] or box[2] > b[2] or box[3] > b[3]:
            return False
        seen: set[int] = set()
        for cell in self._cells(box):
            for k in self._grid.get(cell, ()):
                if k not in seen:
                    seen.add(k)
                    if boxes_overlap(box, self.occupied[k], self.pad):
                        return False
        return True

    def place(self, req: LabelRequest) -> tuple[int, float, float, str, str, Box] | None:
        """Best free position for ``req`` as ``(anchor_index, dx_px, dy_px, ha, va, box)`` or None."""
        w, h = self.measure(req.text, req.props)
        grow = req.halo_px
        if req.box_style is not None:
            grow = max(grow, req.box_style.get("pad_px", 0.0))
        w, h = w + 2 * grow, h + 2 * grow
        positions = POINT_POSITIONS if req.gap_px > 0 else (
            (0.0, 0.0, "center", "center"),)
        for i, (ax, ay) in enumerate(req.anchors_px):
            for mx, my, ha, va in positions:
                dx, dy = mx * req.gap_px, my * req.gap_px
                box = aligned_box(ax + dx, ay + dy, w, h, ha, va)
                if self.is_free(box):
                    self.add(box)
                    return i, dx, dy, ha, va, box
        return None
