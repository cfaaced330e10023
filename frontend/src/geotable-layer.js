// GeoTableLayer: the one LayerSpec type. A CompositeLayer that draws one
// GeoTable (polygon fill + outline, lines, or points) with its labels, and
// reports picks as features ({layer, id, props}). A point layer may also cluster
// its markers (`cluster`, cluster.js) and follow the timeline's period
// (`timeline`): both are set by main.js, not by Python. Its labels are not drawn
// here: they are registered with labels-layer.js, which declutters every layer's
// labels together and draws those that fit.
import {CompositeLayer} from '@deck.gl/core';
import {SolidPolygonLayer, PathLayer, ScatterplotLayer, TextLayer} from '@deck.gl/layers';
import OutlineLayer, {outlineMesh} from './outline-layer.js';
import {partPolygon, ringPath, labelAnchors, simplified, toleranceForZoom, partBoxes, ringIsTiny} from './geotable.js';
import {clusterPoints} from './cluster.js';
import {registerLabels, FONT_FAMILY} from './labels-layer.js';

export {FONT_FAMILY};

const NONE = [0, 0, 0, 0];
// The timeline's current period: its markers are drawn this much larger, ringed in this colour.
const CURRENT_SCALE = 1.6;
const CURRENT_LINE = [255, 196, 0, 255];
const CLUSTER_LINE = [255, 255, 255, 255];
const CLUSTER_TEXT = [255, 255, 255, 255];

/** A cluster disc's radius, px: 11 px for two markers, growing with the log of the count. */
export function clusterRadius(count) {
  return Math.round(9 + 3 * Math.log2(Math.max(2, count)));
}

/** The threshold of a {field, stops: [[zoom, value], ...]} rule at `zoom` (a step function). */
export function thresholdAt(rule, zoom) {
  if (!rule || !Array.isArray(rule.stops) || !rule.stops.length) return null;
  let value = rule.stops[0][1];
  for (const [z, v] of rule.stops) if (zoom >= z) value = v;
  return value;
}

function passes(rule, threshold, props) {
  if (!rule || threshold == null) return true;
  const v = Number(props[rule.field]);
  return Number.isFinite(v) ? v >= threshold : threshold <= 0;
}

// A label is its field's text up to the first comma that is not a thousands
// separator ("Przewodów, gmina …" -> "Przewodów"; "PL 79,432 km²" stays whole).
export function labelText(props, field) {
  const v = props[field];
  if (v == null) return '';
  return String(v).split(/,(?!\d)/)[0].trim();
}

function pickColor(props, own, colorBy, target, fallback) {
  if (Array.isArray(props[own])) return props[own];
  if (colorBy && (colorBy.target || 'fill') === target && colorBy.map) {
    const c = colorBy.map[String(props[colorBy.field])];
    if (Array.isArray(c)) return c;
  }
  return fallback || NONE;
}

export default class GeoTableLayer extends CompositeLayer {
  initializeState() {
    this.state = {parts: [], rings: [], labelled: [], clusters: [], current: null, table: undefined, filterKey: null};
  }

  shouldUpdateState({changeFlags}) {
    return changeFlags.propsOrDataChanged || changeFlags.viewportChanged;
  }

  updateState({props}) {
    const vp = this.context.viewport;
    const zoom = vp ? vp.zoom : 0;
    const t = props.table;
    const s = this.state;
    const tolerance = toleranceForZoom(zoom);
    const geometryChanged = t !== s.table || tolerance !== s.tolerance;
    if (geometryChanged) this.setState({tolerance, geometry: t ? simplified(t, tolerance) : null});
    const threshold = thresholdAt(props.minValueByZoom, zoom);
    const labelThreshold = props.labels ? thresholdAt(props.labels.minValueByZoom, zoom) : null;
    const clusterZoom = props.cluster && t && t.kind === 'point' ? Math.floor(zoom) : null;
    const key = JSON.stringify([props.visibleIds, props.minValueByZoom, props.labels, threshold, labelThreshold,
      props.cluster, clusterZoom, props.timeline]);
    const view = vp ? vp.getBounds() : [-180, -85, 180, 85];
    const c = s.cull;
    const inside = c && view[0] >= c[0] && view[1] >= c[1] && view[2] <= c[2] && view[3] <= c[3];
    if (geometryChanged || key !== s.filterKey || !inside) {
      // Draw only what lies within three view widths: re-filtered when the view leaves that box.
      const dx = view[2] - view[0]; const dy = view[3] - view[1];
      const cull = [view[0] - dx, view[1] - dy, view[2] + dx, view[3] + dy];
      this.setState({table: t, filterKey: key, cull, ...this._filter(props, threshold, labelThreshold, cull, tolerance, clusterZoom)});
    }
    this._registerLabels(props);
  }

  // Hand this layer's label candidates to the labels layer (it declutters and draws them).
  _registerLabels(props) {
    const t = props.table;
    if (!props.labels || !props.labels.field || !t) { registerLabels(props.id, null); return; }
    const field = props.labels.field;
    registerLabels(props.id, {
      table: t, geometry: this.state.geometry, features: this.state.labelled, anchors: labelAnchors(t), spec: props.labels,
      isPoint: t.kind === 'point', radius: (f) => this._radius(t.props[f]), radiusKey: this._styleTrigger(),
      text: (f) => labelText(t.props[f], field), visible: props.visible !== false,
      pickable: Boolean(props.pickable), tooltip: props.tooltip, titleField: props.titleField,
    });
  }

  finalizeState(context) {
    registerLabels(this.props.id, null);
    super.finalizeState(context);
  }

  _filter(props, threshold, labelThreshold, cull, tolerance, clusterZoom) {
    const t = props.table;
    if (!t) return {parts: [], rings: [], labelled: [], clusters: [], current: null, skipRing: null};
    const allowed = new Uint8Array(t.n);
    let only = null;
    if (Array.isArray(props.visibleIds)) {
      only = new Set();
      for (const id of props.visibleIds) { const i = t.idIndex.get(String(id)); if (i !== undefined) only.add(i); }
    }
    for (let f = 0; f < t.n; f++) {
      allowed[f] = (!only || only.has(f)) && passes(props.minValueByZoom, threshold, t.props[f]) ? 1 : 0;
    }
    const current = this._timeline(props.timeline, t, allowed);
    const clusters = clusterZoom === null ? [] : this._cluster(props.cluster, t, allowed, clusterZoom, current);
    const {boxes, largest} = partBoxes(t);
    const minDeg = tolerance * 3; // parts and holes under ~1.5 px are not drawn (a feature keeps its largest part)
    const parts = [];
    for (let p = 0; p < t.nParts; p++) {
      const f = t.partFeature[p];
      if (!allowed[f]) continue;
      const w = boxes[4 * p]; const so = boxes[4 * p + 1]; const e = boxes[4 * p + 2]; const n = boxes[4 * p + 3];
      if (e < cull[0] || w > cull[2] || n < cull[1] || so > cull[3]) continue;
      if (t.kind !== 'point' && largest[f] !== p && e - w < minDeg && n - so < minDeg) continue;
      parts.push(p);
    }
    const rings = [];
    let skip = null;
    if (t.kind === 'polygon') {
      skip = new Uint8Array(t.rings.length - 1);
      for (const p of parts) {
        for (let r = t.parts[p]; r < t.parts[p + 1]; r++) {
          if (r > t.parts[p] && minDeg > 0 && ringIsTiny(t, r, minDeg)) skip[r] = 1; else rings.push(r);
        }
      }
    }
    const labelled = [];
    if (props.labels && props.labels.field) {
      const anchors = labelAnchors(t);
      for (let f = 0; f < t.n; f++) {
        const a = anchors[f];
        if (allowed[f] && a && a[0] >= cull[0] && a[0] <= cull[2] && a[1] >= cull[1] && a[1] <= cull[3]
            && labelText(t.props[f], props.labels.field)
            && passes(props.labels.minValueByZoom, labelThreshold, t.props[f])) labelled.push(f);
      }
    }
    return {parts, rings, labelled, clusters, current, skipRing: skip ? (r) => skip[r] === 1 : null};
  }

  // The timeline ({field, start, end}, inclusive "YYYY-MM-DD"): features dated after
  // `end` (or undated) are not drawn; those from `start` on are the current period's
  // (returned as a per-feature 0/1 array; null without a timeline).
  _timeline(timeline, t, allowed) {
    if (!timeline || !timeline.end) return null;
    const field = timeline.field || 'date';
    const current = new Uint8Array(t.n);
    for (let f = 0; f < t.n; f++) {
      const v = t.props[f][field];
      const date = typeof v === 'string' ? v.slice(0, 10) : '';
      if (!date || date > timeline.end) allowed[f] = 0;
      else if (!timeline.start || date >= timeline.start) current[f] = 1;
    }
    return current;
  }

  // Clusters of the allowed point features at integer zoom `zoom` (cluster.js);
  // their members are taken out of `allowed`, so neither their markers nor their
  // labels are drawn. Each cluster: {members (feature indices), ids, count, lon,
  // lat, group, dates [first, last], current (holds a current-period feature)}.
  _cluster(options, t, allowed, zoom, current) {
    const first = new Int32Array(t.n).fill(-1); // a feature's first point
    for (let p = 0; p < t.nParts; p++) if (first[t.partFeature[p]] < 0) first[t.partFeature[p]] = p;
    const features = []; const points = [];
    const groupField = options.groupField || 'group';
    const dateField = options.dateField || 'date';
    for (let f = 0; f < t.n; f++) {
      if (!allowed[f] || first[f] < 0) continue;
      features.push(f);
      points.push({lon: t.coords[2 * first[f]], lat: t.coords[2 * first[f] + 1], group: t.props[f][groupField]});
    }
    const {clusters} = clusterPoints(points, zoom, options);
    return clusters.map((c) => {
      const members = c.members.map((k) => features[k]);
      for (const f of members) allowed[f] = 0;
      const dates = members.map((f) => t.props[f][dateField]).filter((d) => typeof d === 'string' && d).sort();
      return {members, ids: members.map((f) => t.ids[f]), count: c.count, lon: c.lon, lat: c.lat, group: c.group,
        dates: dates.length ? [dates[0], dates[dates.length - 1]] : null,
        current: Boolean(current && members.some((f) => current[f]))};
    });
  }

  _styleTrigger() {
    const p = this.props;
    return JSON.stringify([p.fill, p.line, p.colorBy, p.radiusBy, p.pointRadiusPx, p.lineWidthPx]);
  }

  _radius(props) {
    const base = this.props.pointRadiusPx ?? 4;
    const rb = this.props.radiusBy;
    if (!rb || !rb.field) return base;
    const v = Number(props[rb.field]);
    if (!Number.isFinite(v) || v <= 0 || !(rb.ref > 0)) return rb.min ?? base;
    const r = base * Math.sqrt(v / rb.ref);
    return Math.min(rb.max ?? Infinity, Math.max(rb.min ?? 0, r));
  }

  renderLayers() {
    const t = this.state.geometry;
    if (!t) return [];
    const {fill, line, colorBy, lineWidthPx = 1.5} = this.props;
    const trigger = this._styleTrigger() + JSON.stringify(this.props.timeline);
    const current = this.state.current;
    const fillOf = (f) => pickColor(t.props[f], '_fill', colorBy, 'fill', fill);
    const lineOf = (f) => pickColor(t.props[f], '_line', colorBy, 'line', line);
    const layers = [];
    if (t.kind === 'polygon') {
      const skipRing = this.state.skipRing;
      const invisible = !(fill && fill[3] > 0) && !(colorBy && (colorBy.target || 'fill') === 'fill') && !t.hasOwnFill;
      layers.push(new SolidPolygonLayer(this.getSubLayerProps({
        id: 'fill', data: this.state.parts, positionFormat: 'XY', filled: true,
        _pickOnly: invisible, // a transparent fill is drawn only for picking
        getPolygon: (p) => partPolygon(t, p, skipRing),
        getFillColor: (p) => fillOf(t.partFeature[p]),
        updateTriggers: {getFillColor: trigger, getPolygon: this.state.tolerance},
      })));
      if (line || t.hasOwnLine || (colorBy && colorBy.target === 'line')) {
        layers.push(this._paths('line', this.state.rings, (r) => t.ringFeature[r], lineOf, lineWidthPx, trigger, false));
      }
    } else if (t.kind === 'line') {
      layers.push(this._paths('line', this.state.parts, (r) => t.ringFeature[r], lineOf, lineWidthPx, trigger, true));
    } else {
      const c = t.coords;
      const now = (i) => Boolean(current && current[t.partFeature[i]]);
      layers.push(new ScatterplotLayer(this.getSubLayerProps({
        id: 'points', data: this.state.parts, radiusUnits: 'pixels', lineWidthUnits: 'pixels',
        stroked: Boolean(line) || Boolean(current), filled: true,
        getLineWidth: (i) => (now(i) ? Math.max(2, lineWidthPx) : lineWidthPx),
        getPosition: (i) => [c[2 * i], c[2 * i + 1]],
        getRadius: (i) => this._radius(t.props[t.partFeature[i]]) * (now(i) ? CURRENT_SCALE : 1),
        getFillColor: (i) => fillOf(t.partFeature[i]),
        getLineColor: (i) => (now(i) ? CURRENT_LINE : lineOf(t.partFeature[i])),
        updateTriggers: {getFillColor: trigger, getLineColor: trigger, getRadius: trigger, getLineWidth: trigger},
      })));
      if (this.state.clusters.length) layers.push(...this._clusterLayers(fillOf(this.state.clusters[0].members[0])));
    }
    return layers;
  }

  // Outlines and lines as one OutlineLayer mesh of independent segments (outline-layer.js),
  // several times cheaper to draw than deck.gl's instanced LineLayer or PathLayer where
  // WebGL runs on the CPU, and one shader fewer to compile; `rounded` adds PathLayer's
  // round joints and caps (opaque lines only: overlapping translucent discs would darken).
  // It picks a ring, as PathLayer picks a path (`data.ringOf`: the picked object's ring).
  // Built once per rings, geometry, style and width: a moved view reuses it (no new buffers).
  _segments(id, rings, featureOf, lineOf, width, pickable, trigger, rounded = false) {
    pickable = Boolean(this.props.pickable && pickable);
    const key = [rings, this.state.geometry, trigger, width, pickable, rounded];
    const memo = this.state.segmentMemo || (this.state.segmentMemo = {});
    const old = memo[id];
    let built = old && old.key.every((v, i) => v === key[i]) ? old.built : null;
    if (!built) {
      built = this._buildSegments(rings, featureOf, lineOf, width, pickable, rounded);
      memo[id] = {key, built};
    }
    const sub = this.getSubLayerProps({id});
    return new OutlineLayer({...sub, pickable, widthPx: width, mesh: built.mesh, data: built.data});
  }

  _buildSegments(rings, featureOf, lineOf, width, pickable, rounded) {
    const t = this.state.geometry;
    let n = 0;
    for (const r of rings) n += Math.max(0, t.rings[r + 1] - t.rings[r] - 1);
    const src = new Float32Array(n * 2); const dst = new Float32Array(n * 2);
    const colors = new Uint8Array(n * 4);
    const segObject = new Uint32Array(n); // the ring's place in `rings`
    const jointXY = rounded ? new Float32Array((n + rings.length) * 2) : null;
    const jointSeg = rounded ? new Uint32Array(n + rings.length) : null;
    const c = t.coords;
    let k = 0; let j = 0;
    rings.forEach((r, o) => {
      const color = lineOf(featureOf(r));
      const a = color[3] ?? 255;
      const first = k;
      for (let i = t.rings[r]; i < t.rings[r + 1] - 1; i++, k++) {
        src[2 * k] = c[2 * i]; src[2 * k + 1] = c[2 * i + 1];
        dst[2 * k] = c[2 * i + 2]; dst[2 * k + 1] = c[2 * i + 3];
        colors[4 * k] = color[0]; colors[4 * k + 1] = color[1]; colors[4 * k + 2] = color[2]; colors[4 * k + 3] = a;
        segObject[k] = o;
      }
      if (rounded && k > first) { // a joint at every vertex: the start of each segment, and the ring's end
        for (let s = first; s < k; s++, j++) { jointXY[2 * j] = src[2 * s]; jointXY[2 * j + 1] = src[2 * s + 1]; jointSeg[j] = s; }
        jointXY[2 * j] = dst[2 * (k - 1)]; jointXY[2 * j + 1] = dst[2 * (k - 1) + 1]; jointSeg[j] = k - 1; j++;
      }
    });
    const joints = rounded ? {xy: jointXY.subarray(0, 2 * j), segment: jointSeg.subarray(0, j)} : null;
    const data = {length: rings.length, ringOf: Uint32Array.from(rings)};
    return {mesh: outlineMesh(src, dst, colors, joints, pickable ? segObject : null), data};
  }

  _paths(id, data, featureOf, lineOf, width, trigger, pickable) {
    if (width <= 2.5) return this._segments(id, data, featureOf, lineOf, width, pickable, trigger);
    const t = this.state.geometry;
    if (data.every((r) => (lineOf(featureOf(r))[3] ?? 255) >= 255)) {
      return this._segments(id, data, featureOf, lineOf, width, pickable, trigger, true);
    }
    const sub = this.getSubLayerProps({id});
    return new PathLayer({
      ...sub, pickable: sub.pickable && pickable, // polygons are picked by their fill
      data, positionFormat: 'XY', _pathType: 'open', widthUnits: 'pixels',
      jointRounded: true, capRounded: true, getWidth: width, widthMinPixels: 0.5,
      getPath: (r) => ringPath(t, r),
      getColor: (r) => lineOf(featureOf(r)),
      updateTriggers: {getColor: trigger, getPath: this.state.tolerance},
    });
  }

  // One disc per cluster, in the layer's marker colour, with its count on top.
  _clusterLayers(color) {
    const data = this.state.clusters;
    const fill = [color[0], color[1], color[2], 235];
    const key = JSON.stringify([color, this.props.timeline]);
    return [
      new ScatterplotLayer(this.getSubLayerProps({
        id: 'clusters', data, radiusUnits: 'pixels', lineWidthUnits: 'pixels', stroked: true, filled: true,
        getPosition: (d) => [d.lon, d.lat], getRadius: (d) => clusterRadius(d.count),
        getFillColor: fill, getLineColor: (d) => (d.current ? CURRENT_LINE : CLUSTER_LINE),
        getLineWidth: (d) => (d.current ? 3 : 2), updateTriggers: {getLineColor: key, getLineWidth: key},
      })),
      new TextLayer(this.getSubLayerProps({
        id: 'cluster-count', data, characterSet: '0123456789', fontFamily: FONT_FAMILY, fontWeight: 700,
        fontSettings: {sdf: true, fontSize: 48, buffer: 8, radius: 12}, outlineWidth: 2,
        outlineColor: [color[0], color[1], color[2], 255], sizeUnits: 'pixels',
        getText: (d) => String(d.count), getPosition: (d) => [d.lon, d.lat],
        getSize: (d) => (d.count >= 100 ? 11 : 13), getColor: CLUSTER_TEXT,
        getTextAnchor: 'middle', getAlignmentBaseline: 'center',
      })),
    ];
  }

  filterSubLayer({layer, isPicking}) {
    return isPicking || !layer.props._pickOnly;
  }

  getPickingInfo({info, sourceLayer}) {
    const t = this.props.table;
    if (!t || !sourceLayer || info.index < 0) return info;
    const data = sourceLayer.props.data;
    const element = data.ringOf ? data.ringOf[info.index] : data[info.index];
    const sub = sourceLayer.id.slice(this.id.length + 1);
    if (sub === 'clusters' || sub === 'cluster-count') {
      const cluster = this.state.clusters[info.index];
      if (!cluster) return info;
      info.object = {layer: this.props.id, cluster, tooltip: [], titleField: null};
      return info;
    }
    let f;
    if (sub === 'line') f = t.ringFeature[element];
    else f = t.partFeature[element];
    if (f === undefined) return info;
    info.index = f;
    info.object = {layer: this.props.id, id: t.ids[f], props: t.props[f],
      tooltip: this.props.tooltip, titleField: this.props.titleField};
    return info;
  }
}

GeoTableLayer.layerName = 'GeoTableLayer';
GeoTableLayer.defaultProps = {
  source: {type: 'object', value: null, compare: true},
  table: {type: 'object', value: null, compare: false},
  kind: 'polygon',
  fill: {type: 'object', value: null, compare: 1},
  line: {type: 'object', value: null, compare: 1},
  lineWidthPx: 1.5,
  colorBy: {type: 'object', value: null, compare: 3},
  pointRadiusPx: 4,
  radiusBy: {type: 'object', value: null, compare: 2},
  minValueByZoom: {type: 'object', value: null, compare: 3},
  labels: {type: 'object', value: null, compare: 4},
  visibleIds: {type: 'object', value: null, compare: 1},
  tooltip: {type: 'object', value: null, compare: 1},
  titleField: null,
  // Set by main.js: {radiusPx, maxZoom, groupSpanPx, groupField, dateField} (cluster.js), or null.
  cluster: {type: 'object', value: null, compare: 2},
  // Set by main.js: {field, start, end} (inclusive "YYYY-MM-DD"), or null (every feature).
  timeline: {type: 'object', value: null, compare: 2},
};
