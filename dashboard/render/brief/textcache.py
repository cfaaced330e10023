"""Text on a brief is shaped, measured and rasterised once per process, then reused.

Profiling a brief (matplotlib 3.11, Agg) found about 90 % of drawing the PNG in
text: every label is measured while it is placed, measured again for its layout,
shaped (``FT2Font._layout``), rasterised glyph by glyph, and its white halo is
converted to a path, for each of the ~250 labels of every brief, on a new
renderer whose caches die with the figure.  What a label looks like does not
change between briefs, so :class:`BriefRendererAgg` keeps, across figures, in
bounded least-recently-used tables:

- text metrics (width, height, descent) by text, font, size and dpi;
- text outlines (the halos' paths) by text and font (unscaled font units);
- shaped glyph runs by text, font, size and dpi;
- rasterised glyph bitmaps by font, size, dpi, glyph, rotation and the glyph's
  sub-pixel phase (1/64 px), shifted by the whole pixels of where it lands.

Each entry is what matplotlib's own :class:`~matplotlib.backends.backend_agg.RendererAgg`
computes for the same key (a pure function of it), so a brief drawn with warm
tables is byte-identical to one drawn cold or with the stock renderer:
``tests/test_brief_pool.py`` compares the three in PNG, PDF and SVG.

The glyph tables use matplotlib 3.11's glyph-by-glyph drawing; with an older
matplotlib (no ``FT2Font._layout``) text is drawn by matplotlib itself and only
the metrics and outlines are reused.  :func:`clear` empties every table;
:func:`stats` counts hits and misses (for the benchmark).
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font, RenderMode
from matplotlib.textpath import TextToPath

__all__ = ["MAX_GLYPHS", "MAX_TEXTS", "BriefCanvas", "BriefRendererAgg", "Lru", "canvas_for", "clear", "stats",
           "stock_text"]

#: Most texts each text table keeps (metrics, outlines, shaped runs); a brief has ~300.
MAX_TEXTS: int = 20_000
#: Most glyph bitmaps kept (each a few hundred bytes: ~10 MB at most).
MAX_GLYPHS: int = 40_000

#: True when this matplotlib draws text glyph by glyph (3.11+), which the glyph tables reuse.
GLYPHS_REUSABLE: bool = (hasattr(FT2Font, "_layout") and hasattr(FT2Font, "_render_glyph")
                         and hasattr(FT2Font, "_set_transform")
                         and hasattr(RendererAgg, "_draw_text_glyphs_and_boxes"))


class Lru:
    """A bounded least-recently-used table: ``get(key, make)`` returns the kept value or
    ``make()``'s, keeping at most ``maxsize`` entries (thread-safe).

    >>> t = Lru(2)
    >>> t.get("a", lambda: 1), t.get("b", lambda: 2), t.get("a", lambda: 9)
    (1, 2, 1)
    >>> t.get("c", lambda: 3), "b" in t, "a" in t, (t.hits, t.misses)
    (3, False, True, (1, 3))
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value kept for ``key``, else ``make()`` (kept, the oldest dropped past ``maxsize``)."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
        value = make()
        with self._lock:
            self.misses += 1
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry and the counts."""
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0


_METRICS = Lru(MAX_TEXTS)
_PATHS = Lru(MAX_TEXTS)
_RUNS = Lru(MAX_TEXTS)
_GLYPHS = Lru(MAX_GLYPHS)
_TABLES = {"metrics": _METRICS, "outlines": _PATHS, "runs": _RUNS, "glyphs": _GLYPHS}


def clear() -> None:
    """Empty every table (the next brief is drawn cold)."""
    for table in _TABLES.values():
        table.clear()


def stats() -> dict[str, tuple[int, int, int]]:
    """Per table: (entries, hits, misses) since the last :func:`clear`."""
    return {name: (len(t), t.hits, t.misses) for name, t in _TABLES.items()}


def _rc_key() -> tuple:
    """The rc settings text rendering reads."""
    return (mpl.rcParams["text.hinting"], mpl.rcParams["text.hinting_factor"],
            mpl.rcParams.get("text.kerning_factor"))


def font_key(prop: FontProperties) -> tuple:
    """Everything of ``prop`` that picks the font and its size.

    >>> font_key(FontProperties(family="DejaVu Sans", size=10))[:2]
    (('DejaVu Sans',), 'normal')
    """
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), float(prop.get_size_in_points()), prop.get_file(),
            prop.get_math_fontfamily())


class _Outlines(TextToPath):
    """:class:`~matplotlib.textpath.TextToPath` whose plain-text outlines are kept."""

    def get_text_path(self, prop: FontProperties, s: str, ismath: Any = False, *,
                      features: Any = None, language: Any = None) -> Any:
        if ismath is not False:
            return super().get_text_path(prop, s, ismath, features=features, language=language)
        key = (s, font_key(prop), _rc_key(), _hashable(features), language)

        def make() -> tuple[np.ndarray, np.ndarray]:
            verts, codes = super(_Outlines, self).get_text_path(prop, s, ismath, features=features,
                                                                language=language)
            v = np.array(verts, dtype=float).reshape(-1, 2)
            c = np.array(codes, dtype=np.uint8)
            v.flags.writeable = False
            c.flags.writeable = False
            return v, c

        return _PATHS.get(key, make)


_OUTLINES = _Outlines()


def _hashable(value: Any) -> Any:
    """``value`` as a hashable key (lists and tuples of strings stay comparable)."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    return tuple(value)


class BriefRendererAgg(RendererAgg):
    """The Agg renderer with text metrics, outlines, runs and glyph bitmaps kept across figures."""

    def __init__(self, width: float, height: float, dpi: float) -> None:
        super().__init__(width, height, dpi)
        self._text2path = _OUTLINES

    def get_text_width_height_descent(self, s: str, prop: FontProperties, ismath: Any) -> Any:
        if ismath is not False:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, font_key(prop), float(self.dpi), _rc_key())
        return _METRICS.get(key, lambda: super(BriefRendererAgg, self).get_text_width_height_descent(
            s, prop, ismath))

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: FontProperties, angle: float,
                  ismath: Any = False, mtext: Any = None) -> None:
        if ismath is not False or not GLYPHS_REUSABLE:
            super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            return
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        flags = get_hinting_flag()
        size = prop.get_size_in_points()
        key = (s, font_key(prop), float(self.dpi), _rc_key(), _hashable(features), language)

        def shape() -> tuple[tuple[Any, int, float, float], ...]:
            font = self._prepare_font(prop)
            items = font._layout(s, flags=flags, features=features, language=language)
            return tuple((item.ft_object, item.glyph_index, item.x, item.y) for item in items)

        run = _RUNS.get(key, shape)
        self._draw_glyphs(gc, x, y, angle, size, run, flags)

    def _draw_glyphs(self, gc: Any, x: float, y: float, angle: float, size: float,
                     run: tuple[tuple[Any, int, float, float], ...], flags: Any) -> None:
        """matplotlib 3.11's ``_draw_text_glyphs_and_boxes`` for plain text, each glyph's
        bitmap taken from the table by its sub-pixel phase and moved by whole pixels."""
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]]).round().astype(int)
        mkey = tuple(int(v) for v in matrix.ravel())
        antialiased = bool(gc.get_antialiased())
        mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
        height = self.height
        for font, glyph_index, dx, dy in run:
            ox = round(0x40 * (x + dx * cos - dy * sin))
            oy = round(0x40 * (height - y + dx * sin + dy * cos))
            fx, fy = ox % 0x40, oy % 0x40  # sub-pixel phase; the rest is whole pixels
            key = (font.fname, font.face_index, float(size), float(self.dpi), int(glyph_index), mkey,
                   fx, fy, str(flags), antialiased)

            def render(font: Any = font, glyph_index: int = glyph_index, fx: int = fx,
                       fy: int = fy) -> tuple[np.ndarray, int, int]:
                font.set_size(size, self.dpi)
                font._set_transform(matrix, [fx, fy])
                bitmap = font._render_glyph(glyph_index, flags, mode)
                buffer = np.array(bitmap.buffer, copy=True)
                if not antialiased:
                    buffer *= 0xff
                return buffer, int(bitmap.left), int(bitmap.top)

            buffer, left, top = _GLYPHS.get(key, render)
            px, py = (ox - fx) // 0x40, (oy - fy) // 0x40
            self._renderer.draw_text_image(buffer, left + px, int(height) - (top + py) + buffer.shape[0], 0, gc)


_STOCK = threading.local()


@contextmanager
def stock_text() -> Iterator[None]:
    """Within it (this thread), new briefs draw text with matplotlib's own renderer, no tables."""
    before = getattr(_STOCK, "on", False)
    _STOCK.on = True
    try:
        yield
    finally:
        _STOCK.on = before


def canvas_for(fig: Figure) -> FigureCanvasAgg:
    """The canvas a brief's figure draws on: :class:`BriefCanvas`, or stock Agg in :func:`stock_text`."""
    return FigureCanvasAgg(fig) if getattr(_STOCK, "on", False) else BriefCanvas(fig)


class BriefCanvas(FigureCanvasAgg):
    """An Agg canvas drawing with :class:`BriefRendererAgg`."""

    def get_renderer(self) -> BriefRendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key or not isinstance(getattr(self, "renderer", None), BriefRendererAgg):
            self.renderer = BriefRendererAgg(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
