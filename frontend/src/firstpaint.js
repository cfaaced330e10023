// The map's first paint without WebGL. Where WebGL runs on the CPU (SwiftShader:
// headless Chromium, machines without a GPU) deck.gl's first frame costs seconds,
// nearly all of it compiling each layer type's shaders (PathLayer's alone about
// half), whatever is drawn. So the opening view's layers, once deck.gl has built
// them (culled, simplified, coloured, labels decluttered: its own sub-layers' props),
// are first drawn on a 2D canvas over deck's, in deck's own viewport; two animation
// frames later (the 2D frame is on screen) deck.gl draws its first real frame, and
// the 2D canvas is removed in the same task, so the frame that shows deck's pixels is
// the first one without it. docs/map-protocol.md, "First paint".
//
// #root carries data-painted: "2d" once the 2D paint is in the DOM, "gl" once deck's
// first frame with the layers is drawn (performance marks nfz:paint-2d, nfz:paint-gl).
// data-ready keeps its meaning (a deck.gl frame drawn with every layer).
import {mark} from './perf.js';

/** localStorage key: when "1", the 2D canvas is kept (hidden) after the swap, for tests. */
export const KEEP_KEY = 'nfz-keep-first-paint';

const CANVAS_CLASS = 'first-paint';
// deck.gl's own first frame is never held back longer than this (ms).
const FALLBACK_MS = 4000;

function keepRequested() {
  try { return window.localStorage.getItem(KEEP_KEY) === '1'; } catch (err) { return false; }
}

// ---- accessors as deck.gl calls them
function accessor(value, d, i, data) {
  return typeof value === 'function' ? value(d, {index: i, data, target: []}) : value;
}

function css(color, opacity = 1) {
  if (!color) return null;
  const a = (color.length > 3 ? color[3] : 255) / 255 * opacity;
  return `rgba(${color[0] | 0}, ${color[1] | 0}, ${color[2] | 0}, ${a})`;
}

// Iterate a layer's data as deck.gl does: an array, an iterable, or {length} (attribute-only data).
function* rows(data) {
  if (!data) return;
  if (Array.isArray(data) || typeof data[Symbol.iterator] === 'function') {
    let i = 0;
    for (const d of data) yield [d, i++];
    return;
  }
  const n = Number(data.length) || 0;
  for (let i = 0; i < n; i++) yield [null, i];
}

// ---- projection: deck's web-mercator viewport (pitch 0, bearing 0), as a flat formula
// checked against viewport.project (it is the same map: 512-px world at zoom 0).
function projector(vp) {
  const scale = 2 ** vp.zoom * 512;
  const worldX = (lon) => ((lon + 180) / 360) * scale;
  const worldY = (lat) => {
    const s = Math.sin((Math.max(-85.051129, Math.min(85.051129, lat)) * Math.PI) / 180);
    return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale;
  };
  const cx = worldX(vp.longitude); const cy = worldY(vp.latitude);
  const ox = vp.width / 2 - cx; const oy = vp.height / 2 - cy;
  const fast = (lon, lat) => [worldX(lon) + ox, worldY(lat) + oy];
  // Deck's own projection wins where the formula would differ (a pitched or rotated view).
  const probe = [vp.longitude + 1, vp.latitude + 0.5];
  const [px, py] = vp.project(probe);
  const [fx, fy] = fast(probe[0], probe[1]);
  if (Math.abs(px - fx) > 0.01 || Math.abs(py - fy) > 0.01) return (lon, lat) => vp.project([lon, lat]);
  return fast;
}

// ---- one 2D drawer per deck.gl layer type the map uses
// A ring/path as deck.gl takes it: a flat XY array, or an array of [lon, lat].
function tracePath(ctx, P, path, start = 0, end = null, close = false) {
  if (!path) return;
  if (typeof path[0] === 'number') {
    const stop = end === null ? path.length : end;
    for (let k = start; k + 1 < stop; k += 2) {
      const [x, y] = P(path[k], path[k + 1]);
      if (k === start) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
  } else {
    path.forEach((p, k) => { const [x, y] = P(p[0], p[1]); if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y); });
  }
  if (close) ctx.closePath();
}

function tracePolygon(ctx, P, poly) {
  if (!poly) return;
  if (poly.positions) {
    const pos = poly.positions; const holes = poly.holeIndices || [];
    const cuts = [0, ...holes, pos.length];
    for (let h = 0; h + 1 < cuts.length; h++) tracePath(ctx, P, pos, cuts[h], cuts[h + 1], true);
  } else if (typeof poly[0] === 'number' || (Array.isArray(poly[0]) && typeof poly[0][0] === 'number')) {
    tracePath(ctx, P, poly, 0, null, true);
  } else {
    for (const ring of poly) tracePath(ctx, P, ring, 0, null, true);
  }
}

// Draw per colour: one path per run of equal colours (bottom to top order kept).
function batched(ctx, items, colorOf, traceOne, finish) {
  let current = null;
  let open = false;
  for (const [d, i] of items) {
    const c = colorOf(d, i);
    if (!c) continue;
    if (c !== current) {
      if (open) finish(current);
      current = c;
      ctx.beginPath();
      open = true;
    }
    traceOne(d, i);
  }
  if (open) finish(current);
}

function drawPolygons(ctx, P, layer, opacity) {
  const p = layer.props;
  if (p.filled === false) return;
  const data = p.data;
  batched(ctx, rows(data), (d, i) => css(accessor(p.getFillColor, d, i, data), opacity),
    (d, i) => tracePolygon(ctx, P, accessor(p.getPolygon, d, i, data)),
    (c) => { ctx.fillStyle = c; ctx.fill('evenodd'); });
}

function widthPx(p, w) {
  const scaled = w * (p.widthScale ?? 1);
  return Math.min(p.widthMaxPixels ?? Infinity, Math.max(p.widthMinPixels ?? 0, scaled));
}

function drawPaths(ctx, P, layer, opacity) {
  const p = layer.props;
  const data = p.data;
  ctx.lineJoin = p.jointRounded ? 'round' : 'miter';
  ctx.lineCap = p.capRounded ? 'round' : 'butt';
  const w = widthPx(p, Number(accessor(p.getWidth, null, 0, data)) || 1);
  batched(ctx, rows(data), (d, i) => css(accessor(p.getColor, d, i, data), opacity),
    (d, i) => tracePath(ctx, P, accessor(p.getPath, d, i, data)),
    (c) => { ctx.strokeStyle = c; ctx.lineWidth = w; ctx.stroke(); });
}

// OutlineLayer (outline-layer.js): 4 vertices per segment, start in positions, end in
// nextPositions (its first `segments` quads; a rounded mesh's joints follow them).
function drawOutline(ctx, P, layer, opacity) {
  const m = layer.props.mesh;
  if (!m) return;
  const n = m.segments;
  const col = m.colors;
  ctx.lineCap = m.rounded ? 'round' : 'butt'; // round joints and caps: a disc at every vertex
  ctx.lineWidth = layer.props.widthPx;
  const idx = {length: n};
  batched(ctx, rows(idx), (d, k) => css([col[16 * k], col[16 * k + 1], col[16 * k + 2], col[16 * k + 3]], opacity), (d, k) => {
    const [ax, ay] = P(m.positions[8 * k], m.positions[8 * k + 1]);
    const [bx, by] = P(m.nextPositions[8 * k], m.nextPositions[8 * k + 1]);
    ctx.moveTo(ax, ay); ctx.lineTo(bx, by);
  }, (c) => { ctx.strokeStyle = c; ctx.stroke(); });
}

function drawPoints(ctx, P, layer, opacity) {
  const p = layer.props;
  const data = p.data;
  const rs = p.radiusScale ?? 1; const ls = p.lineWidthScale ?? 1;
  for (const [d, i] of rows(data)) {
    const pos = accessor(p.getPosition, d, i, data);
    if (!pos) continue;
    const [x, y] = P(pos[0], pos[1]);
    const r = Math.min(p.radiusMaxPixels ?? Infinity, Math.max(p.radiusMinPixels ?? 0, Number(accessor(p.getRadius, d, i, data)) * rs));
    if (!(r > 0)) continue;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    if (p.filled !== false) {
      const f = css(accessor(p.getFillColor, d, i, data), opacity);
      if (f) { ctx.fillStyle = f; ctx.fill(); }
    }
    if (p.stroked) {
      const w = Math.min(p.lineWidthMaxPixels ?? Infinity, Math.max(p.lineWidthMinPixels ?? 0, Number(accessor(p.getLineWidth, d, i, data)) * ls));
      const s = css(accessor(p.getLineColor, d, i, data), opacity);
      if (s && w > 0) { ctx.strokeStyle = s; ctx.lineWidth = w; ctx.stroke(); }
    }
  }
}

const ALIGN = {start: 'left', middle: 'center', end: 'right'};
const BASELINE = {top: 'top', center: 'middle', bottom: 'bottom'};

function drawText(ctx, P, layer, opacity) {
  const p = layer.props;
  const data = p.data;
  const ss = p.sizeScale ?? 1;
  const fs = (p.fontSettings && p.fontSettings.fontSize) || 64;
  const halo = p.fontSettings && p.fontSettings.sdf && p.outlineWidth > 0 ? css(p.outlineColor, opacity) : null;
  ctx.lineJoin = 'round';
  for (const [d, i] of rows(data)) {
    const text = accessor(p.getText, d, i, data);
    const pos = accessor(p.getPosition, d, i, data);
    if (text === null || text === undefined || text === '' || !pos) continue;
    const size = Number(accessor(p.getSize, d, i, data)) * ss;
    const off = accessor(p.getPixelOffset, d, i, data) || [0, 0];
    const [x0, y0] = P(pos[0], pos[1]);
    const x = x0 + off[0]; const y = y0 + off[1];
    ctx.font = `${p.fontWeight || 'normal'} ${size}px ${p.fontFamily}`;
    ctx.textAlign = ALIGN[accessor(p.getTextAnchor, d, i, data)] || 'center';
    ctx.textBaseline = BASELINE[accessor(p.getAlignmentBaseline, d, i, data)] || 'middle';
    if (halo) { ctx.strokeStyle = halo; ctx.lineWidth = (2 * p.outlineWidth * size) / fs; ctx.strokeText(String(text), x, y); }
    ctx.fillStyle = css(accessor(p.getColor, d, i, data) || [0, 0, 0, 255], opacity);
    ctx.fillText(String(text), x, y);
  }
}

const DRAWERS = {
  SolidPolygonLayer: drawPolygons, PathLayer: drawPaths,
  OutlineLayer: drawOutline, ScatterplotLayer: drawPoints, TextLayer: drawText,
};

// What deck.gl would draw on screen: visible, every parent visible, and no composite
// parent filtering it out (a pick-only fill). A TextLayer is drawn whole (not its icons).
function drawable(layer, vp) {
  for (let l = layer; l; l = l.parent) {
    if (l.props.visible === false) return false;
    if (l.parent && l !== layer && l.parent.constructor.layerName === 'TextLayer') return false;
  }
  const parent = layer.parent;
  if (parent && typeof parent.filterSubLayer === 'function'
      && !parent.filterSubLayer({layer, isPicking: false, viewport: vp, renderPass: 'screen', cullRect: null})) return false;
  return true;
}

function inTextLayer(layer) {
  for (let l = layer.parent; l; l = l.parent) if (l.constructor.layerName === 'TextLayer') return true;
  return false;
}

/**
 * Draw deck's layers (deck.layerManager.getLayers(): every layer, composites with their
 * sub-layers, bottom to top) on a 2D canvas of the viewport's size. Returns the number
 * of layers drawn and the layer types it could not draw.
 */
export function paintLayers(canvas, layers, vp, dpr = window.devicePixelRatio || 1) {
  canvas.width = Math.round(vp.width * dpr);
  canvas.height = Math.round(vp.height * dpr);
  canvas.style.width = `${vp.width}px`;
  canvas.style.height = `${vp.height}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, vp.width, vp.height);
  const P = projector(vp);
  let drawn = 0;
  const skipped = [];
  for (const layer of layers) {
    const type = layer.constructor.layerName;
    if (layer.isComposite && type !== 'TextLayer') continue;
    if (inTextLayer(layer) || !drawable(layer, vp)) continue;
    const draw = DRAWERS[type];
    if (!draw) { skipped.push(type); continue; }
    ctx.save();
    draw(ctx, P, layer, layer.props.opacity ?? 1);
    ctx.restore();
    drawn += 1;
  }
  return {drawn, skipped};
}

/**
 * The first paint's state machine, for main.js: `render` is deck's `_customRender`
 * while the 2D paint stands; `drawn()` is called from deck's onAfterRender.
 *
 * - render(reason): while deck has no layers or its canvas not the map's size, nothing
 *   (setting either asks for another frame; after FALLBACK_MS deck draws anyway).
 *   Then, if `ready()` (every static layer decoded), paint deck's layers in 2D, wait
 *   two animation frames, and let deck draw (drop `_customRender`, redraw); a render
 *   meanwhile repaints the 2D canvas (the view moved). Else (layers still missing)
 *   hand over to deck at once.
 * - drawn(complete): deck drew a frame; the first after the hand-over removes the 2D
 *   canvas (without a 2D paint: the first drawn with every layer, `complete`).
 */
export class FirstPaint {
  constructor(root, parent) {
    this.root = root;
    this.parent = parent;
    this.canvas = null;
    this.deck = null;
    this.phase = 'none'; // none -> 2d -> gl (or none -> gl when there was nothing to paint)
    this.result = null;
    this.view = null;
    this.times = {};
    this.keep = keepRequested();
  }

  /** Attach to deck (created with `_customRender: firstPaint.render`). */
  attach(deck, ready) {
    this.deck = deck;
    this.ready = ready;
    this.render = this.render.bind(this);
    return this.render;
  }

  render(reason) {
    const deck = this.deck;
    if (!deck) return; // not attached yet: refresh() after attach() asks for the frame
    if (this.phase === '2d' && this.canvas) { this._repaint(); return; } // the view moved before the hand-over
    if (this.phase !== 'none') { this._handOver(reason); return; }
    const vp = deck.getViewports()[0];
    const layers = deck.layerManager ? deck.layerManager.getLayers() : [];
    // deck.gl's first frames come before its layers are set and its canvas has the
    // map's size: nothing to show yet, and setting either asks for another frame.
    if (!layers.length || !vp || vp.width !== this.parent.clientWidth || vp.height !== this.parent.clientHeight) {
      if (!this.fallback) this.fallback = setTimeout(() => { if (this.phase === 'none') this._handOver('first paint: no 2D'); }, FALLBACK_MS);
      return;
    }
    if (!this.ready()) { this._handOver(reason); return; } // layers still missing: deck draws them as they come
    mark('layers-built'); // deck.gl's layers and sub-layers built (updateLayers ran)
    const canvas = document.createElement('canvas');
    canvas.className = CANVAS_CLASS;
    canvas.setAttribute('aria-hidden', 'true');
    canvas.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;';
    try {
      this.result = paintLayers(canvas, layers, vp);
      this.view = {lon: vp.longitude, lat: vp.latitude, zoom: vp.zoom, width: vp.width, height: vp.height};
    } catch (err) {
      console.warn('map: 2D first paint failed; waiting for WebGL', err);
      this._handOver(reason);
      return;
    }
    this.parent.appendChild(canvas);
    this.canvas = canvas;
    this.phase = '2d';
    this.root.dataset.painted = '2d';
    this.times.paint2d = performance.now();
    mark('paint-2d');
    // Two frames: the 2D paint is committed and shown before WebGL starts compiling.
    requestAnimationFrame(() => requestAnimationFrame(() => this._handOver('first paint')));
  }

  _repaint() {
    const vp = this.deck.getViewports()[0];
    try {
      if (vp && vp.width && vp.height) {
        this.result = paintLayers(this.canvas, this.deck.layerManager.getLayers(), vp);
        this.view = {lon: vp.longitude, lat: vp.latitude, zoom: vp.zoom, width: vp.width, height: vp.height};
      }
    } catch (err) { /* the hand-over comes in a frame or two */ }
  }

  _handOver(reason) {
    const deck = this.deck;
    if (!deck || !deck.props._customRender) return;
    deck.setProps({_customRender: null});
    deck.redraw(reason || 'first paint');
  }

  /** deck.gl drew a frame (onAfterRender); `complete`: with every layer there. */
  drawn(complete) {
    if (this.phase === 'gl' || (this.deck && this.deck.props._customRender)) return;
    // The 2D paint goes with deck's first frame after the hand-over (a blob asked for
    // meanwhile does not keep a stale paint over a map that moves); without one, the
    // first frame drawn with every layer is the map painted.
    if (this.phase === 'none' && !complete) return;
    if (this.canvas) {
      if (this.keep) this.canvas.style.display = 'none';
      else this.canvas.remove();
      if (!this.keep) this.canvas = null;
    }
    this.phase = 'gl';
    this.root.dataset.painted = 'gl';
    this.times.paintGl = performance.now();
    mark('paint-gl');
  }

  /** For tests: {phase, drawn, skipped, view (the 2D paint's), times (ms since the frame's
   * time origin), image (a PNG data URL of the 2D paint, kept only with KEEP_KEY)}. */
  state() {
    return {phase: this.phase, drawn: this.result ? this.result.drawn : 0, view: this.view,
      skipped: this.result ? this.result.skipped : [], times: this.times,
      image: this.keep && this.canvas ? this.canvas.toDataURL('image/png') : null};
  }
}
