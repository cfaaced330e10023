// Drawing zones with @deck.gl-community/editable-layers: polygon (closes on
// its first vertex or a double click), rectangle, circle from its centre,
// vertex editing and delete. Every finished edit reports ALL features.
import {TextLayer} from '@deck.gl/layers';
import {EditableGeoJsonLayer} from '@deck.gl-community/editable-layers/dist/editable-layers/editable-geojson-layer.js';
import {DrawPolygonMode} from '@deck.gl-community/editable-layers/dist/edit-modes/draw-polygon-mode.js';
import {DrawRectangleMode} from '@deck.gl-community/editable-layers/dist/edit-modes/draw-rectangle-mode.js';
import {DrawCircleFromCenterMode} from '@deck.gl-community/editable-layers/dist/edit-modes/draw-circle-from-center-mode.js';
import {ModifyMode} from '@deck.gl-community/editable-layers/dist/edit-modes/modify-mode.js';
import {ViewMode} from '@deck.gl-community/editable-layers/dist/edit-modes/view-mode.js';
import {getPickedEditHandle} from '@deck.gl-community/editable-layers/dist/edit-modes/utils.js';
import {ringInteriorPoint} from './geotable.js';
import {FONT_FAMILY} from './geotable-layer.js';
import {round} from './coords.js';

export const EDITABLE_ID = 'editable';
const NEW_FILL = [37, 99, 235, 56];
const NEW_LINE = [29, 78, 216, 255];
const TENTATIVE_FILL = [37, 99, 235, 40];
const TENTATIVE_LINE = [29, 78, 216, 230];

function samePoint(a, b) { return a && b && a[0] === b[0] && a[1] === b[1]; }

// Whether the pointer event is over the edit handle of vertex `index`.
function onHandle(event, index) {
  const handle = getPickedEditHandle(event.picks || []);
  return Boolean(handle && Array.isArray(handle.properties.positionIndexes) && handle.properties.positionIndexes[0] === index);
}

class PolygonMode extends DrawPolygonMode {
  // No rubber band before the first vertex (a one-point line is malformed).
  createTentativeFeature(props) {
    return this.getClickSequence().length ? super.createTentativeFeature(props) : null;
  }

  // A double click's own two clicks may already have closed the polygon (the
  // second lands on the last vertex's handle) or added a duplicate vertex:
  // finish only a real polygon of 3+ distinct vertices.
  // A double click places its vertex (unless it is on the last one) and closes.
  handleDoubleClick(event, props) {
    const seq = this.getClickSequence();
    while (seq.length > 1 && samePoint(seq[seq.length - 1], seq[seq.length - 2])) seq.pop();
    const last = seq[seq.length - 1];
    if (event.mapCoords && seq.length && !onHandle(event, seq.length - 1) && !samePoint(event.mapCoords, last)) seq.push(event.mapCoords);
    if (seq.length >= 3) super.handleDoubleClick(event, props);
  }
}

class CircleMode extends DrawCircleFromCenterMode {
  getTwoClickPolygon(center, edge, modeConfig) {
    this.center = center;
    this.edge = edge;
    return super.getTwoClickPolygon(center, edge, modeConfig);
  }
}

// The editable layer handles every pointer move with an extra depth pick and a state
// change that redraws the whole map: 0.3-0.6 s of CPU a move where WebGL runs on the
// CPU. A move redraws here only when what is drawn follows the pointer (a rubber band
// after a first click, modify's handles); with no tool (ViewMode) it is not handled.
class ZonesLayer extends EditableGeoJsonLayer {
  _onpointermove(event) {
    if (this.props.mode instanceof ViewMode) { // no tool: a move left behind must not reach a tool chosen later
      if (this.state) this.state.lastPointerMoveEvent = null;
      return;
    }
    super._onpointermove(event);
  }

  onPointerMove(event) {
    const mode = this.getActiveMode();
    if (!mode.getClickSequence || mode.getClickSequence().length || mode instanceof ModifyMode) {
      super.onPointerMove(event);
      return;
    }
    // A drawing tool before its first click: nothing follows the pointer yet. The move is
    // kept for the first click without a redraw, and the layer's own cursor (the map
    // sets the cursor itself, main.js getCursor) is left alone.
    this.state.lastPointerMoveEvent = event;
    mode.handlePointerMove(event, {...this.getModeProps(this.props), onUpdateCursor: () => {}});
  }
}

const MODES = {
  pan: new ViewMode(), polygon: new PolygonMode(), rectangle: new DrawRectangleMode(),
  circle: new CircleMode(), modify: new ModifyMode(),
};
const FINISHED = new Set(['addFeature', 'finishMovePosition', 'addPosition', 'removePosition']);

function roundCoords(c) {
  return typeof c[0] === 'number' ? [round(c[0], 6), round(c[1], 6)] : c.map(roundCoords);
}

function bboxOf(ring) {
  let w = Infinity; let s = Infinity; let e = -Infinity; let n = -Infinity;
  for (const [x, y] of ring) { w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y); }
  return [round(w, 6), round(s, 6), round(e, 6), round(n, 6)];
}

function labelPoint(feature) {
  const g = feature.geometry;
  const ring = g && (g.type === 'Polygon' ? g.coordinates[0] : g.type === 'MultiPolygon' ? g.coordinates[0][0] : null);
  if (!ring || ring.length < 3) return null;
  const flat = new Float64Array(ring.length * 2);
  ring.forEach((p, i) => { flat[2 * i] = p[0]; flat[2 * i + 1] = p[1]; });
  return ringInteriorPoint(flat, 0, ring.length);
}

/** The zones editor: owns the editable FeatureCollection and the selection. */
export class Drawing {
  constructor({onDrawn, onChange, onNotice}) {
    this.onDrawn = onDrawn; // (FeatureCollection) -> void, after every finished edit
    this.onChange = onChange; // () -> void, redraw
    this.onNotice = onNotice; // (text) -> void
    this.data = {type: 'FeatureCollection', features: []};
    this.lastArgs = null;
    this.selected = -1;
    this.tool = 'pan';
    this.version = 0;
    this.newCount = 0;
  }

  /** Adopt args.editable when Python sends a different collection. */
  setArgs(editable) {
    const text = JSON.stringify(editable || null);
    if (text === this.lastArgs) return;
    this.lastArgs = text;
    const fc = editable && Array.isArray(editable.features) ? editable : {type: 'FeatureCollection', features: []};
    const selectedId = this.selectedId();
    this.data = {type: 'FeatureCollection', features: fc.features.map((f) => ({...f, properties: {...(f.properties || {})}}))};
    this.selected = this.data.features.findIndex((f) => selectedId != null && f.properties.zone_id === selectedId);
    this.version += 1;
  }

  selectedId() {
    const f = this.data.features[this.selected];
    return f ? f.properties.zone_id : null;
  }

  setTool(tool) {
    for (const m of Object.values(MODES)) if (m.resetClickSequence) m.resetClickSequence();
    this.tool = MODES[tool] ? tool : 'pan';
  }

  select(index) {
    this.selected = index >= 0 && index < this.data.features.length ? index : -1;
    this.version += 1;
  }

  deleteSelected() {
    if (this.selected < 0) return false;
    const features = this.data.features.slice();
    features.splice(this.selected, 1);
    this.data = {type: 'FeatureCollection', features};
    this.selected = -1;
    this.version += 1;
    this.onDrawn(this.collection());
    return true;
  }

  collection() {
    return {type: 'FeatureCollection', features: this.data.features.map((f) => ({
      type: 'Feature', properties: f.properties, geometry: {...f.geometry, coordinates: roundCoords(f.geometry.coordinates)},
    }))};
  }

  _newId() {
    const used = new Set(this.data.features.map((f) => f.properties && f.properties.zone_id));
    do { this.newCount += 1; } while (used.has(`new-${this.newCount}`));
    return `new-${this.newCount}`;
  }

  _describeNew(feature) {
    const ring = feature.geometry.coordinates[0];
    const props = {zone_id: this._newId(), shape: this.tool};
    if (this.tool === 'circle' && MODES.circle.center) {
      props.center = [round(MODES.circle.center[0], 6), round(MODES.circle.center[1], 6)];
      props.edge = [round(MODES.circle.edge[0], 6), round(MODES.circle.edge[1], 6)];
    } else if (this.tool === 'rectangle') {
      props.bounds = bboxOf(ring);
    }
    return {type: 'Feature', properties: props, geometry: feature.geometry};
  }

  _onEdit({updatedData, editType, editContext}) {
    const featureIndexes = (editContext && editContext.featureIndexes) || [];
    if (editType === 'invalidPolygon') {
      this.onNotice('That polygon crosses itself: not added. Draw it again.');
    }
    let features = updatedData.features;
    if (editType === 'addFeature') {
      const i = featureIndexes[0];
      features = features.slice();
      features[i] = this._describeNew(features[i]);
      this.selected = i;
    } else if (editType === 'finishMovePosition' || editType === 'addPosition' || editType === 'removePosition') {
      features = features.slice();
      for (const i of featureIndexes) {
        const {center, edge, bounds, ...rest} = features[i].properties || {};
        features[i] = {...features[i], properties: {...rest, shape: 'polygon'}};
      }
    }
    this.data = {type: 'FeatureCollection', features};
    this.version += 1;
    if (FINISHED.has(editType)) this.onDrawn(this.collection());
    this.onChange(editType === 'addFeature' ? 'finished' : editType);
  }

  /** The deck layers: the editable zones and their labels. */
  layers() {
    const sel = this.selected;
    const labelled = this.data.features.map((f, i) => ({i, text: f.properties && f.properties.name ? String(f.properties.name) : '', at: labelPoint(f)}))
      .filter((d) => d.text && d.at);
    const layers = [
      new ZonesLayer({
        id: EDITABLE_ID, data: this.data, mode: MODES[this.tool],
        selectedFeatureIndexes: this.tool === 'modify' && sel >= 0 ? [sel] : [],
        onEdit: (e) => this._onEdit(e),
        modeConfig: this.tool === 'circle' ? {steps: 96} : null,
        getFillColor: (f) => (f.properties && f.properties._fill) || NEW_FILL,
        getLineColor: (f) => (f.properties && f.properties._line) || NEW_LINE,
        getLineWidth: (f) => (this.data.features[sel] === f ? 3.5 : 2),
        getTentativeFillColor: () => TENTATIVE_FILL,
        getTentativeLineColor: () => TENTATIVE_LINE,
        getTentativeLineWidth: () => 2,
        editHandlePointRadiusMinPixels: 4,
        updateTriggers: {getLineWidth: [sel, this.version], getFillColor: this.version, getLineColor: this.version},
      }),
    ];
    if (!labelled.length) return layers;
    layers.push(new TextLayer({
        id: `${EDITABLE_ID}-labels`, data: labelled, characterSet: 'auto', pickable: false,
        fontFamily: FONT_FAMILY, fontWeight: 600, fontSettings: {sdf: true, fontSize: 48, buffer: 8, radius: 12},
        outlineWidth: 3, outlineColor: [255, 255, 255, 230], sizeUnits: 'pixels', getSize: 13,
        getText: (d) => d.text, getPosition: (d) => d.at, getColor: [20, 28, 40, 255],
        updateTriggers: {getText: this.version, getPosition: this.version},
      }));
    return layers;
  }
}
