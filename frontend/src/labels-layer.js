// Every map label, decluttered across layers. Each GeoTableLayer with `labels`
// registers its label candidates here (registerLabels) instead of drawing them;
// the one LabelsLayer (on top of the map's layers, main.js) projects them,
// keeps those that fit, most important first (declutter.js: the layer's
// `labels.priority`, then `labels.rankBy`, e.g. population), and draws them.
// No two drawn labels overlap; a point label also keeps off other markers.
import {CompositeLayer} from '@deck.gl/core';
import {TextLayer} from '@deck.gl/layers';
import {declutter, pointPositions, areaPositions} from './declutter.js';
import {partBoxes} from './geotable.js';

export const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif';
const LABEL_COLOR = [28, 36, 48, 255];
const HALO_COLOR = [255, 255, 255, 230];
const HALO_PX = 1.5; // the halo's reach beyond the glyphs, counted in a label's box
const DEFAULT_PRIORITY = 45;
// The feature codes of seats (GeoNames), most important first: a rank's tie-break.
const SEATS = ['PPLC', 'PPLA', 'PPLA2', 'PPLA3', 'PPLA4'];

const registry = new Map(); // layer id -> entry (see registerLabels)
let version = 0;
let lastPlaced = [];

/**
 * Register the label candidates of layer `id`: {table, features (indices), anchors
 * ([lon, lat] per feature), spec (the LayerSpec's labels), isPoint, radius (f -> px),
 * text (f -> string), visible, pickable, tooltip, titleField}. Null: none.
 */
export function registerLabels(id, entry) {
  const old = registry.get(id);
  if (old === entry) return;
  if (old && entry && ['table', 'features', 'visible', 'spec', 'radiusKey'].every((k) => old[k] === entry[k])) return;
  if (entry) registry.set(id, entry); else registry.delete(id);
  version += 1;
}

/** The labels drawn now: {text, layer, id, x0, y0, x1, y1} (CSS px of the map). */
export function drawnLabels() {
  return lastPlaced.map((p) => ({text: p.text, layer: p.layer, id: p.id, x0: p.box[0], y0: p.box[1], x1: p.box[2], y1: p.box[3]}));
}

let canvas = null;
const widths = new Map();
function textWidth(text, size, weight) {
  const key = `${weight}|${size}|${text}`;
  let w = widths.get(key);
  if (w !== undefined) return w;
  if (!canvas) canvas = document.createElement('canvas').getContext('2d');
  canvas.font = `${weight} ${size}px ${FONT_FAMILY}`;
  w = canvas.measureText(text).width;
  if (widths.size > 20000) widths.clear();
  widths.set(key, w);
  return w;
}

// ---- an area whose own anchor is off screen is labelled inside its visible part
const SAMPLES_X = 12;
const SAMPLES_Y = 8;
const featureParts = new WeakMap(); // table -> parts per feature

function partsOf(t, f) {
  let all = featureParts.get(t);
  if (!all) {
    all = new Map();
    for (let p = 0; p < t.nParts; p++) {
      const g = all.get(t.partFeature[p]);
      if (g) g.push(p); else all.set(t.partFeature[p], [p]);
    }
    featureParts.set(t, all);
  }
  return all.get(f) || [];
}

function inRing(c, v0, v1, x, y) {
  let inside = false;
  for (let i = v0, j = v1 - 1; i < v1; j = i++) {
    const xi = c[2 * i]; const yi = c[2 * i + 1]; const xj = c[2 * j]; const yj = c[2 * j + 1];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inFeature(t, f, lon, lat) {
  const {boxes} = partBoxes(t);
  for (const p of partsOf(t, f)) {
    if (lon < boxes[4 * p] || lat < boxes[4 * p + 1] || lon > boxes[4 * p + 2] || lat > boxes[4 * p + 3]) continue;
    let inside = false;
    for (let r = t.parts[p]; r < t.parts[p + 1]; r++) if (inRing(t.coords, t.rings[r], t.rings[r + 1], lon, lat)) inside = !inside;
    if (inside) return true;
  }
  return false;
}

/** The [lon, lat] of the sample point of the view inside polygon feature `f` nearest the
 * middle of all such samples (a 12 x 8 grid over the view), or null when none is inside. */
export function visibleAnchor(t, f, vp) {
  const inside = [];
  for (let i = 0; i < SAMPLES_X; i++) {
    for (let j = 0; j < SAMPLES_Y; j++) {
      const x = ((i + 0.5) / SAMPLES_X) * vp.width; const y = ((j + 0.5) / SAMPLES_Y) * vp.height;
      const [lon, lat] = vp.unproject([x, y]);
      if (inFeature(t, f, lon, lat)) inside.push([x, y, lon, lat]);
    }
  }
  if (!inside.length) return null;
  const mx = inside.reduce((s, p) => s + p[0], 0) / inside.length;
  const my = inside.reduce((s, p) => s + p[1], 0) / inside.length;
  let best = inside[0]; let bestD = Infinity;
  for (const p of inside) { const d = (p[0] - mx) ** 2 + (p[1] - my) ** 2; if (d < bestD) { bestD = d; best = p; } }
  return [best[2], best[3]];
}

function seatBonus(props) {
  const k = SEATS.indexOf(props.feature_code);
  return (k < 0 ? 0 : SEATS.length - k) / 10;
}

export default class LabelsLayer extends CompositeLayer {
  initializeState() {
    this.state = {placed: [], key: null};
  }

  shouldUpdateState({changeFlags}) {
    return changeFlags.propsOrDataChanged || changeFlags.viewportChanged || this.state.version !== version;
  }

  updateState() {
    const vp = this.context.viewport;
    if (!vp || !vp.width) return;
    const key = JSON.stringify([version, this.props.layerIds, vp.width, vp.height, vp.zoom, vp.longitude, vp.latitude]);
    if (key === this.state.key) return;
    const placed = this._place(vp);
    lastPlaced = placed;
    this.setState({placed, key, version});
  }

  _place(vp) {
    const ids = this.props.layerIds || [];
    const candidates = [];
    const obstacles = [];
    const margin = 0.1;
    const xMin = -vp.width * margin; const xMax = vp.width * (1 + margin);
    const yMin = -vp.height * margin; const yMax = vp.height * (1 + margin);
    let order = 0;
    ids.forEach((layerId, layerIndex) => {
      const e = registry.get(layerId);
      if (!e || !e.visible) return;
      const spec = e.spec || {};
      const size = spec.sizePx || 12;
      const weight = e.isPoint ? 500 : 600;
      const priority = Number.isFinite(spec.priority) ? spec.priority : DEFAULT_PRIORITY;
      const h = size + 2 * HALO_PX;
      const polygon = e.table.kind === 'polygon';
      for (const f of e.features) {
        let a = e.anchors[f];
        if (!a) continue;
        let [x, y] = vp.project(a);
        if (polygon && !(x >= 0 && x <= vp.width && y >= 0 && y <= vp.height)) {
          a = visibleAnchor(e.geometry || e.table, f, vp); // its own anchor is off screen
          if (!a) continue;
          [x, y] = vp.project(a);
        }
        if (!(x >= xMin && x <= xMax && y >= yMin && y <= yMax)) continue;
        const props = e.table.props[f];
        const r = e.isPoint ? e.radius(f) : 0;
        if (e.isPoint) obstacles.push([x - r, y - r, x + r, y + r]);
        const text = e.text(f);
        if (!text) continue;
        const w = textWidth(text, size, weight) + 2 * HALO_PX;
        const rank = spec.rankBy ? (Number(props[spec.rankBy]) || 0) + seatBonus(props) : 0;
        candidates.push({
          x, y, w, h, text, priority, rank, order: order++, layer: layerId, layerIndex, feature: f,
          id: e.table.ids[f], anchor: a, size, weight, color: spec.color || LABEL_COLOR, isPoint: e.isPoint,
          positions: e.isPoint ? pointPositions(r, h) : areaPositions(h), ignoreObstacles: !e.isPoint,
        });
      }
    });
    return declutter(candidates, vp.width, vp.height, obstacles);
  }

  renderLayers() {
    const data = this.state.placed;
    if (!data.length) return [];
    const groups = new Map(); // one TextLayer per weight (a TextLayer has one font weight)
    for (const p of data) {
      const g = groups.get(p.weight);
      if (g) g.push(p); else groups.set(p.weight, [p]);
    }
    return [...groups.entries()].map(([weight, items]) => {
      const sub = this.getSubLayerProps({id: `labels-${weight}`});
      return new TextLayer({
        ...sub, data: items, characterSet: 'auto', fontFamily: FONT_FAMILY, fontWeight: weight,
        fontSettings: {sdf: true, fontSize: 48, buffer: 8, radius: 12},
        outlineWidth: 3, outlineColor: HALO_COLOR, sizeUnits: 'pixels', pickable: sub.pickable && items[0].isPoint, // an area is picked by its fill
        getText: (p) => p.text, getPosition: (p) => p.anchor, getSize: (p) => p.size, getColor: (p) => p.color,
        getTextAnchor: (p) => p.position.anchor, getAlignmentBaseline: 'center',
        getPixelOffset: (p) => [p.position.dx, p.position.dy],
        updateTriggers: {getText: this.state.key, getPosition: this.state.key, getSize: this.state.key,
          getColor: this.state.key, getTextAnchor: this.state.key, getPixelOffset: this.state.key},
      });
    });
  }

  getPickingInfo({info}) {
    const p = info.object;
    if (!p || !p.layer) return info;
    const e = registry.get(p.layer);
    // A point's name picks its feature (a city, a place, an incident); an area is picked by its fill.
    if (!e || !e.isPoint || !e.pickable) { info.object = null; info.picked = false; return info; }
    info.index = p.feature;
    info.object = {layer: p.layer, id: e.table.ids[p.feature], props: e.table.props[p.feature],
      tooltip: e.tooltip, titleField: e.titleField};
    return info;
  }
}

LabelsLayer.layerName = 'LabelsLayer';
LabelsLayer.defaultProps = {
  // The ids of the map's layers now, bottom to top: registered entries of other ids are stale.
  layerIds: {type: 'object', value: [], compare: 1},
};
