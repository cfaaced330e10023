// The one map: a Streamlit v1 component (no React) rendering deck.gl from the
// pydeck-built spec, with GeoTable layers, tools, legend and events.
import {mark} from './perf.js'; // first: marks the bundle's start
import {Deck, MapView, WebMercatorViewport, FlyToInterpolator} from '@deck.gl/core';
import {PathLayer, ScatterplotLayer} from '@deck.gl/layers';
import {JSONConverter, JSONConfiguration} from '@deck.gl/json';
import GeoTableLayer from './geotable-layer.js';
import {putBlobs, lookup, hasFailed, failedCount, toAsk, setOnLoaded, whenLoaded} from './store.js';
import {componentReady, onRender} from './streamlit.js';
import {emit, sentEvents} from './events.js';
import {round} from './coords.js';
import {Drawing, EDITABLE_ID} from './draw.js';
import {UI, TOOLS, UNIT_METRES, cycleIndex} from './ui.js';
import {tooltipText} from './tooltip-text.js';
import {CLUSTER_DEFAULTS, expansionZoom, membersBounds, overlapAtMaxZoom} from './cluster.js';
import {periodsFor, periodIndex} from './timeline-play.js';
import {PlayControl} from './play-control.js';
import {ClusterList} from './cluster-list.js';
import {basemapLayers, basemapState, underBasemap} from './basemap.js';
import LabelsLayer, {drawnLabels} from './labels-layer.js';
import {placesLayer, placesViewChanged, setOnIndexLoaded} from './places.js';
import {FirstPaint} from './firstpaint.js';
import {sleepWhenIdle} from './idle-loop.js';
import {contextLayers, contextViewChanged, setOnContextLoaded, prefetchContextIndex} from './context.js';

mark('modules');
const VIEW_DEBOUNCE_MS = 600;
const DEFAULT_VIEW = {longitude: 24, latitude: 50.2, zoom: 5.5};
// WGS84: equatorial radius (m) and first eccentricity squared.
const WGS84_A = 6378137;
const WGS84_E2 = 0.00669437999014;
// Python's measuring form keeps 5 decimals: a pair it echoes is within half a unit
// of the 5th decimal of the browser's 6-decimal points (plus float slack).
const MEASURE_TOLERANCE_DEG = 6e-6;
const root = document.getElementById('root');
// The layer whose markers cluster and which the timeline plays (docs/map-protocol.md).
const INCIDENTS = 'incidents';
const CLUSTER = {...CLUSTER_DEFAULTS, groupField: 'group', dateField: 'date'};
// Timeline play: a period with incidents stays PLAY_STEP_MS, an empty one PLAY_EMPTY_MS;
// the map flies to a period's incidents in PLAY_FLIGHT_MS, at most to PLAY_MAX_ZOOM.
const PLAY_STEP_MS = 1500;
const PLAY_EMPTY_MS = 300;
const PLAY_FLIGHT_MS = 700;
const PLAY_MAX_ZOOM = 8;

const state = {
  args: null, mode: 'explore', tool: 'pan',
  legendVisible: new Map(), legendArgs: new Map(),
  requestId: undefined, measure: {a: null, b: null, cursor: null},
  pending: 0, firstViewSent: false, viewTimer: null, hoverPickable: false,
  units: 'km', lastViewKey: null, lastViewSent: null, framesDrawn: 0,
  incidents: {table: null, visibleIds: null},
  play: {step: 'month', periods: [], index: -1, playing: false, timer: null, table: null, ids: null},
  expanded: new Map(), // group -> the integer zoom from which a click keeps it apart
};

const ui = new UI(root, {
  onTool: (name) => setTool(state.tool === name && name !== 'pan' ? 'pan' : name),
  onDelete: () => { if (drawing.deleteSelected()) refresh(); },
  onZoom: (dz) => zoomBy(dz),
  onHere: (i) => pickHere(i),
  onLegend: (id, checked) => {
    // Rows that toggle the very same layers are one switch (e.g. the NATO border per neighbour).
    const rows = state.args.legend || [];
    const key = (r) => JSON.stringify((r.layers || [r.id]).map(String).sort());
    const row = rows.find((r) => String(r.id) === id);
    for (const r of rows) if (String(r.id) === id || (row && key(r) === key(row))) state.legendVisible.set(String(r.id), checked);
    ui.setLegend(rows, state.legendVisible);
    refresh();
    emit({type: 'layers', visible: visibleLayerIds()});
  },
});

const play = new PlayControl(root, {
  onPlay: () => togglePlay(),
  onStep: (delta) => stepBy(delta),
  onStepKind: (kind) => setStepKind(kind),
  onAll: () => showAll(),
});
const clusterList = new ClusterList(root, (item) => emit({type: 'click', lon: round(item.lon, 6), lat: round(item.lat, 6),
  layer: INCIDENTS, feature: String(item.id), index: item.index}));

const drawing = new Drawing({
  onDrawn: (features) => emit({type: 'drawn', features}),
  // After a finished shape, back to "Pan and select" once this click is handled
  // (deck's own click handler runs after the drawing layer's and must still see the draw tool).
  onChange: (what) => { if (what === 'finished') { refresh(); setTimeout(() => setTool('pan'), 0); } else refresh(); },
  onNotice: (text) => flashHint(text),
});

// ---- JSON spec -> layers
const configuration = new JSONConfiguration({
  classes: {GeoTableLayer},
  // Accessor expressions ("@@=...") are not part of the contract: keep them as text.
  convertFunction: (text) => `@@=${text}`,
  preProcessClassProps: (Class, props) => (Class === GeoTableLayer ? layerProps(props) : props),
});
const converter = new JSONConverter({configuration});
let missing = new Set();

function hiddenLayerIds() {
  const hidden = new Set();
  for (const row of state.args.legend || []) {
    if (state.legendVisible.get(String(row.id)) === false) for (const id of row.layers || [row.id]) hidden.add(String(id));
  }
  return hidden;
}

// The layer ids of the legend rows that are switched on (a layer in any
// switched-off row stays hidden).
function visibleLayerIds() {
  const hidden = hiddenLayerIds();
  const ids = [];
  for (const row of state.args.legend || []) {
    for (const id of (row.layers || [row.id]).map(String)) if (!hidden.has(id) && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

function layerProps(props) {
  const {data, ...rest} = props;
  const table = lookup(data, missing);
  if (!table && !String(data).startsWith('blob:') && !hasFailed(data)) state.pending += 1;
  const out = underBasemap({...rest, source: data, table, visible: props.visible !== false && !state.hidden.has(String(props.id))}, state.args);
  if (String(props.id) === INCIDENTS && table && table.kind === 'point') {
    state.incidents = {table, visibleIds: Array.isArray(props.visibleIds) ? props.visibleIds : null};
    const period = state.play.periods[state.play.index];
    return {...out, cluster: clusterOptions(), timeline: period ? {field: 'date', start: period.start, end: period.end} : null};
  }
  return out;
}

function convertLayer(spec) {
  try {
    const layer = converter.convert({...spec});
    if (layer) return layer;
  } catch (err) {
    console.warn('map: JSON conversion failed; building the layer directly', err);
  }
  if (spec['@@type'] !== 'GeoTableLayer') return null;
  const {['@@type']: _type, ...props} = spec;
  return new GeoTableLayer(layerProps(props));
}

function measureLayers() {
  const {a, b, cursor} = state.measure;
  if (!a) return [];
  const end = b || (state.tool === 'measure' ? cursor : null);
  const points = end ? [a, end] : [a];
  return [
    new PathLayer({id: 'measure-provisional', data: end ? [points] : [], getPath: (d) => d, widthUnits: 'pixels',
      getWidth: 2, getColor: [17, 24, 39, 220], capRounded: true, pickable: false}),
    new ScatterplotLayer({id: 'measure-points', data: points, getPosition: (d) => d, radiusUnits: 'pixels',
      getRadius: 4, getFillColor: [255, 255, 255, 255], getLineColor: [17, 24, 39, 255], stroked: true,
      lineWidthUnits: 'pixels', getLineWidth: 2, pickable: false}),
  ];
}

function refresh() {
  const args = state.args;
  if (!args || !deck) return;
  const spec = typeof args.spec === 'string' ? JSON.parse(args.spec) : (args.spec || {});
  state.hidden = hiddenLayerIds();
  state.pending = 0;
  missing = new Set();
  state.incidents = {table: null, visibleIds: null};
  const layers = [...basemapLayers(args, state.hidden), ...(spec.layers || []).map(convertLayer).filter(Boolean)];
  const context = contextLayers(spec.context, currentViewport(), state.hidden); // context.js: rivers, wide water by zoom
  if (context.layers.length) {
    const at = [context.after, 'countries'].map((id) => layers.findIndex((l) => l.id === id)).find((i) => i >= 0);
    layers.splice(at === undefined ? 0 : at + 1, 0, ...context.layers);
  }
  state.pending += context.pending;
  const places = placesLayer(spec.places, currentViewport(), state.hidden); // places.js: tiles by zoom
  if (places.layer) layers.splice(layers.findIndex((l) => l.id === places.after) + 1 || layers.length, 0, places.layer);
  state.pending += places.pending;
  updatePeriods();
  if (state.mode === 'zones' && !state.hidden.has(EDITABLE_ID)) {
    const at = layers.findIndex((l) => l.id === 'selection');
    layers.splice(at < 0 ? layers.length : at, 0, ...drawing.layers());
  }
  layers.push(new LabelsLayer({id: 'labels', layerIds: layers.map((l) => l.id)})); // every label, decluttered
  layers.push(...measureLayers());
  // Layers are built (culled, simplified, labels placed) for deck's view: none until
  // that view has the map's size (deck.gl learns its canvas's size a frame or two
  // after it starts), so the first build is for the view that is drawn.
  state.deferred = !mapSized() && !state.sizeWaitOver;
  const shown = state.deferred ? [] : layers;
  const controllerKey = JSON.stringify(controllerOptions());
  if (controllerKey !== state.controllerKey) { // a new view object: deck diffs views by their props
    state.controllerKey = controllerKey;
    deck.setProps({layers: shown, views: mapView()});
  } else {
    deck.setProps({layers: shown});
  }
  const ask = toAsk(missing);
  if (ask.length) emit({type: 'missing', hashes: ask});
  root.dataset.pending = String(state.pending + missing.size);
  root.dataset.failed = String(failedCount());
  if (state.pending + missing.size > 0) root.dataset.ready = '0';
  else if (!state.deferred) state.readyAfterDraw = true;
  ui.setTools(toolNames(), state.tool, drawing.selected >= 0);
  root.dataset.tool = state.tool;
  root.dataset.mode = state.mode;
}
setOnLoaded(() => refresh());
setOnIndexLoaded(() => refresh());
setOnContextLoaded(() => refresh());

// ---- tools
function toolNames() {
  return state.mode === 'zones' ? ['pan', 'measure', 'polygon', 'rectangle', 'circle', 'modify'] : ['pan', 'measure'];
}

function setTool(name) {
  if (!toolNames().includes(name)) name = 'pan';
  state.tool = name;
  drawing.setTool(['polygon', 'rectangle', 'circle', 'modify'].includes(name) ? name : 'pan');
  if (name !== 'measure' && !state.measure.b) state.measure = {a: null, b: null, cursor: null};
  ui.setHint(TOOLS[name].hint);
  ui.hideTooltip();
  refresh();
}

let hintTimer = null;
function flashHint(text) {
  ui.setHint(text);
  clearTimeout(hintTimer);
  hintTimer = setTimeout(() => ui.setHint(TOOLS[state.tool].hint), 4000);
}

function mapView() {
  return new MapView({id: 'map', repeat: false, controller: controllerOptions()});
}

function controllerOptions() {
  return {dragRotate: false, touchRotate: false, keyboard: true, doubleClickZoom: !['polygon'].includes(state.tool)};
}

function measureClick(coordinate) {
  const c = [round(coordinate[0], 6), round(coordinate[1], 6)];
  const m = state.measure;
  if (!m.a || m.b) {
    state.measure = {a: c, b: null, cursor: null};
    ui.setHint('Click the second point.');
  } else {
    state.measure = {a: m.a, b: c, cursor: null};
    emit({type: 'measure', points: [m.a, c]});
    ui.setHint('Measured. Click to start a new measurement.');
  }
  refresh();
}

function measureArrived(pair) { // Python's geodesic replaces the provisional line
  const {a, b} = state.measure;
  if (!a || !b || !Array.isArray(pair) || pair.length !== 2) return;
  const close = (p, q) => Math.abs(p[0] - q[0]) <= MEASURE_TOLERANCE_DEG && Math.abs(p[1] - q[1]) <= MEASURE_TOLERANCE_DEG;
  if (close(pair[0], a) && close(pair[1], b)) state.measure = {a: null, b: null, cursor: null};
}

// ---- view
// The view deck.gl draws, or null before deck.gl has its WebGL device (getViewports
// asserts then: the first refresh() comes before it).
function currentViewport() {
  const vps = deck && deck.isInitialized ? deck.getViewports() : [];
  return (vps && vps[0]) || null;
}

// Whether deck's view has the map element's size (see refresh()).
function mapSized() {
  const vp = currentViewport();
  return Boolean(vp) && vp.width === ui.map.clientWidth && vp.height === ui.map.clientHeight;
}

// Ground metres per CSS pixel at the view's centre, geodesic on WGS84: the radius of
// the parallel at the centre latitude (N(lat) cos(lat)) times the longitude, in
// radians, that one pixel spans there (unprojected with the viewport itself).
function metresPerPx(vp) {
  const cx = vp.width / 2; const cy = vp.height / 2;
  const a = vp.unproject([cx - 50, cy]); const b = vp.unproject([cx + 50, cy]);
  const lat = (vp.latitude * Math.PI) / 180;
  const sin = Math.sin(lat);
  const parallelRadius = (WGS84_A * Math.cos(lat)) / Math.sqrt(1 - WGS84_E2 * sin * sin);
  return (parallelRadius * Math.abs(b[0] - a[0]) * Math.PI) / 180 / 100;
}

// Forget the expanded groups the view has zoomed out of; true when one was.
function pruneExpanded(vp) {
  const z = Math.floor(vp.zoom);
  let pruned = false;
  for (const [group, from] of state.expanded) if (z < from) { state.expanded.delete(group); pruned = true; }
  return pruned;
}

function updateScale() {
  const vp = currentViewport();
  if (vp && vp.width) ui.setScale(metresPerPx(vp), state.units);
}

// Every drawn frame: when the view differs from the last frame's (buttons, wheel,
// drag, keyboard, flights, resizes alike), redraw the scale bar and schedule a view event.
function viewChanged() {
  const vp = currentViewport();
  if (!vp || !vp.width) return;
  const key = [vp.longitude, vp.latitude, vp.zoom, vp.width, vp.height].join('|');
  if (key === state.lastViewKey) return;
  state.lastViewKey = key;
  updateScale();
  scheduleView();
  const spec = state.args && (typeof state.args.spec === 'string' ? JSON.parse(state.args.spec) : state.args.spec);
  if (pruneExpanded(vp) | placesViewChanged(spec && spec.places, vp) | contextViewChanged(spec && spec.context, vp)) refresh(); // places, context: the tiles the view needs
}

function emitView() {
  if (state.moving || state.play.playing) return; // sent when the flight, drag or play ends
  const vp = currentViewport();
  if (!vp || !vp.width) return;
  const [w, s, e, n] = vp.getBounds();
  const view = {type: 'view', lon: round(vp.longitude, 5), lat: round(vp.latitude, 5), zoom: round(vp.zoom, 2),
    bounds: [round(w, 5), round(s, 5), round(e, 5), round(n, 5)], width: vp.width, height: vp.height};
  const text = JSON.stringify(view);
  if (text === state.lastViewSent) return; // only a view that differs from the last one sent
  state.lastViewSent = text;
  emit(view);
}

function scheduleView() {
  clearTimeout(state.viewTimer);
  state.viewTimer = setTimeout(emitView, VIEW_DEBOUNCE_MS);
}

function flyTo(target, animate, durationMs) {
  const vp = currentViewport();
  const base = vp ? {longitude: vp.longitude, latitude: vp.latitude, zoom: vp.zoom} : state.initialView;
  state.flights = (state.flights || 0) + 1;
  deck.setProps({initialViewState: {
    ...state.initialView, ...base, ...target, pitch: 0, bearing: 0, flight: state.flights,
    transitionDuration: animate ? (durationMs || 'auto') : 0, transitionInterpolator: animate ? new FlyToInterpolator({speed: 1.8}) : undefined,
  }});
}

function applyViewRequest(request, animate) {
  if (!request || request.id === undefined || request.id === state.requestId) return;
  state.requestId = request.id;
  const width = root.clientWidth || 800; const height = root.clientHeight || 600;
  let target;
  if (Array.isArray(request.bounds) && request.bounds.length === 4) {
    const [w, s, e, n] = request.bounds;
    try {
      const pad = Math.max(0, Math.min(48, width / 6, height / 6));
      const fit = new WebMercatorViewport({width, height}).fitBounds([[w, s], [e, n]], {padding: pad, maxZoom: 12});
      target = {longitude: fit.longitude, latitude: fit.latitude, zoom: fit.zoom};
    } catch (err) {
      target = {longitude: (w + e) / 2, latitude: (s + n) / 2};
    }
  } else if (Number.isFinite(request.lon) && Number.isFinite(request.lat)) {
    target = {longitude: request.lon, latitude: request.lat};
    if (Number.isFinite(request.zoom)) target.zoom = request.zoom;
  }
  if (target) flyTo(target, animate);
}

function zoomBy(dz) {
  const vp = currentViewport();
  if (vp) flyTo({zoom: vp.zoom + dz}, false);
}

// ---- pointer
function pickedFeature(info) {
  if (!info || !info.picked || !info.layer) return null;
  if (info.layer.id === EDITABLE_ID) {
    const f = info.object;
    if (!f || !f.properties || f.properties.guideType) return null;
    const index = drawing.data.features.indexOf(f);
    return {layer: EDITABLE_ID, id: f.properties.zone_id ?? null, index: index >= 0 ? index : info.index,
      props: f.properties, tooltip: [], titleField: 'name'};
  }
  if (info.object && (info.object.props || info.object.cluster)) return {...info.object, index: info.index};
  return null;
}

function onClick(info, event) {
  if (!info.coordinate || (event && event.type === 'dblclick')) return; // a double click zooms
  if (state.tool === 'measure') { measureClick(info.coordinate); return; }
  if (state.tool !== 'pan' && state.tool !== 'modify') return; // drawing tools own the click
  const picked = pickedFeature(info);
  const onHandle = info.layer && info.layer.id === EDITABLE_ID && info.object && info.object.properties
    && info.object.properties.guideType;
  if (state.tool === 'modify' && onHandle) return; // a vertex handle: the edit, not a selection
  if (state.mode === 'zones' && !state.hidden.has(EDITABLE_ID)) {
    drawing.select(picked && picked.layer === EDITABLE_ID ? picked.index : -1);
    refresh();
  }
  if (state.tool !== 'pan') return;
  if (picked && picked.cluster) { expandCluster(picked.cluster, info.x, info.y); return; } // no event: the view follows
  clusterList.hide();
  // every feature under the click, topmost first; a click again on the same spot picks
  // the next one (docs/map-protocol.md, "Clicks on stacked features")
  const items = featuresHere(info, picked);
  const click = {x: info.x, y: info.y, view: state.lastViewKey, keys: items.map((it) => `${it.layer}\u0000${it.id}`)};
  state.here = {...click, items, coordinate: info.coordinate, index: cycleIndex(state.here, click)};
  pickHere(state.here.index);
}

// The features under a click, topmost first, one per layer and feature (deck.gl's
// depth picking; the clicked pick first), each {layer, id, index, name, layerLabel}.
function featuresHere(info, picked) {
  const out = [];
  const seen = new Set();
  const add = (p) => {
    if (!p || p.cluster) return;
    const key = `${p.layer}\u0000${p.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    const row = (state.args.legend || []).find((r) => (r.layers || [r.id]).map(String).includes(String(p.layer)));
    out.push({layer: p.layer, id: p.id, index: p.index, name: tooltipText(p).title || String(p.id ?? p.layer),
      layerLabel: row && row.label != null ? String(row.label) : String(p.layer)});
  };
  add(picked);
  if (picked && picked.layer === EDITABLE_ID) return out; // a zone of the editor: itself only
  let deeper = [];
  try { deeper = deck.pickMultipleObjects({x: info.x, y: info.y, radius: 2, depth: 8}); } catch (err) { deeper = []; }
  for (const d of deeper) add(pickedFeature(d));
  return out;
}

// Pick the `i`-th feature under the last click (none: the position itself).
function pickHere(i) {
  const here = state.here;
  if (!here) return;
  here.index = i;
  const p = i >= 0 ? here.items[i] : null;
  emit({type: 'click', lon: round(here.coordinate[0], 6), lat: round(here.coordinate[1], 6),
    layer: p ? p.layer : null, feature: p && p.id != null ? String(p.id) : null,
    index: p && Number.isInteger(p.index) ? p.index : null});
  ui.showHere(here.items, i);
}

function onHover(info) {
  if (info.coordinate) ui.setReadout(info.coordinate[0], info.coordinate[1]);
  if (state.tool === 'measure' && state.measure.a && !state.measure.b && info.coordinate) {
    state.measure.cursor = info.coordinate;
    deck.setProps({layers: deck.props.layers.filter((l) => !l.id.startsWith('measure-')).concat(measureLayers())});
  }
  const picked = ['pan', 'modify'].includes(state.tool) ? pickedFeature(info) : null;
  state.hoverPickable = Boolean(picked);
  if (!picked) { ui.hideTooltip(); return; }
  const {title, lines} = picked.cluster ? clusterTooltip(picked.cluster) : tooltipText(picked);
  if (!title && !lines.length) { ui.hideTooltip(); return; }
  ui.showTooltip(info.x, info.y, title, lines);
}

function getCursor({isDragging}) {
  if (isDragging) return 'grabbing';
  if (state.tool === 'pan') return state.hoverPickable ? 'pointer' : 'grab';
  if (state.tool === 'modify') return state.hoverPickable ? 'pointer' : 'default';
  return 'crosshair';
}

// ---- clusters (the incidents layer's; computed in geotable-layer.js with cluster.js)
const firstParts = new WeakMap(); // table -> each feature's first point (-1: none)
function incidentPoint(t, f) {
  let first = firstParts.get(t);
  if (!first) {
    first = new Int32Array(t.n).fill(-1);
    for (let p = t.nParts - 1; p >= 0; p--) first[t.partFeature[p]] = p;
    firstParts.set(t, first);
  }
  const p = first[f];
  return p === undefined || p < 0 ? null : {lon: t.coords[2 * p], lat: t.coords[2 * p + 1], group: t.props[f].group};
}

function clusterTooltip(cluster) {
  const lines = [];
  if (cluster.group) lines.push(`group: ${cluster.group}`);
  if (cluster.dates) lines.push(cluster.dates[0] === cluster.dates[1] ? `date: ${cluster.dates[0]}` : `dates: ${cluster.dates[0]} – ${cluster.dates[1]}`);
  const t = state.incidents.table;
  const points = t ? cluster.members.map((f) => incidentPoint(t, f)).filter(Boolean) : [];
  const spot = points.length && overlapAtMaxZoom(points, points.map((_, i) => i), CLUSTER);
  lines.push(spot ? 'Click to list them' : 'Click to zoom in');
  return {title: `${cluster.count} incidents`, lines};
}

// The clustering options now: a group is one cluster while it spans at most half the
// map's smaller side (at least CLUSTER.groupSpanPx), except a group a click expanded,
// which stays apart until the map is zoomed out below the zoom of that click.
function clusterOptions() {
  const side = Math.min(root.clientWidth || 0, root.clientHeight || 0);
  return {...CLUSTER, groupSpanPx: Math.max(CLUSTER.groupSpanPx, Math.round(side / 2)), ungrouped: [...state.expanded.keys()].sort()};
}

// A click on a cluster: fly to its members' bounds (at least to the zoom that parts
// them, its groups kept apart from there on), or list them when they share one spot
// even at the clusters' last zoom.
function expandCluster(cluster, x, y) {
  const t = state.incidents.table;
  if (!t) return;
  const members = cluster.members.filter((f) => incidentPoint(t, f));
  const points = members.map((f) => incidentPoint(t, f));
  const all = points.map((_, i) => i);
  if (!points.length) return;
  if (overlapAtMaxZoom(points, all, CLUSTER)) {
    clusterList.show(x, y, members.map((f, i) => ({id: t.ids[f], index: f, lon: points[i].lon, lat: points[i].lat,
      label: [t.props[f].place, t.props[f].date].filter((v) => v != null && v !== '').map(String).join(' — ') || t.ids[f]})));
    return;
  }
  const vp = currentViewport();
  const target = fitTarget(membersBounds(points, all), CLUSTER.maxZoom);
  const groups = [...new Set(points.map((p) => p.group).filter((g) => typeof g === 'string' && g.trim()))];
  const options = {...clusterOptions(), ungrouped: [...clusterOptions().ungrouped, ...groups]};
  target.zoom = Math.min(CLUSTER.maxZoom, Math.max(target.zoom, expansionZoom(points, all, vp ? vp.zoom : 0, options)));
  const from = Math.floor(vp ? vp.zoom : target.zoom);
  for (const g of groups) state.expanded.set(g, Math.min(from, state.expanded.get(g) ?? Infinity));
  flyTo(target, true);
  refresh();
}

// The view fitting bounds [w, s, e, n] in the map with the view_request padding.
function fitTarget([w, s, e, n], maxZoom) {
  const width = root.clientWidth || 800; const height = root.clientHeight || 600;
  const pad = Math.max(0, Math.min(48, width / 6, height / 6));
  try {
    const fit = new WebMercatorViewport({width, height}).fitBounds([[w, s], [e, n]], {padding: pad, maxZoom});
    if (Number.isFinite(fit.zoom)) return {longitude: fit.longitude, latitude: fit.latitude, zoom: Math.min(maxZoom, fit.zoom)};
  } catch (err) { /* a degenerate box: its centre at maxZoom */ }
  return {longitude: (w + e) / 2, latitude: (s + n) / 2, zoom: maxZoom};
}

// ---- timeline play (client-side: no event while it plays, one view event when it stops)
function incidentDates() {
  const {table: t, visibleIds} = state.incidents;
  if (!t) return [];
  const only = visibleIds ? new Set(visibleIds.map(String)) : null;
  const out = [];
  for (let f = 0; f < t.n; f++) if (!only || only.has(t.ids[f])) out.push({f, date: t.props[f].date});
  return out;
}

// The periods of the incidents drawn; the current one kept (by its start) when they change.
function updatePeriods() {
  const p = state.play;
  const {table, visibleIds} = state.incidents;
  const ids = JSON.stringify(visibleIds);
  if (table === p.table && ids === p.ids && p.built === p.step) { updatePlay(); return; }
  const old = p.periods[p.index];
  p.table = table; p.ids = ids; p.built = p.step;
  p.periods = periodsFor(incidentDates().map((d) => d.date), p.step);
  p.index = old ? Math.max(0, periodIndex(p.periods, old.start), periodIndex(p.periods, old.end)) : -1;
  if (!p.periods.length) { p.index = -1; stopPlaying(); }
  updatePlay();
}

function updatePlay() {
  const p = state.play;
  play.set({available: p.periods.length > 0, playing: p.playing, step: p.step, period: p.periods[p.index] || null,
    atStart: p.index <= 0, atEnd: p.index >= p.periods.length - 1});
}

// Show period `index` (-1: every date) and, with `follow`, fly to its incidents.
function showPeriod(index, follow) {
  const p = state.play;
  p.index = index;
  refresh();
  updatePlay();
  const period = p.periods[index];
  const t = state.incidents.table;
  if (!follow || !period || !t) return false;
  const points = incidentDates().filter((d) => typeof d.date === 'string' && d.date.slice(0, 10) >= period.start
    && d.date.slice(0, 10) <= period.end).map((d) => incidentPoint(t, d.f)).filter(Boolean);
  if (!points.length) return false;
  const target = fitTarget(membersBounds(points, points.map((_, i) => i)), PLAY_MAX_ZOOM);
  flyTo(target, true, PLAY_FLIGHT_MS);
  return true;
}

function stopPlaying() {
  const p = state.play;
  clearTimeout(p.timer);
  p.timer = null;
  if (p.playing) { p.playing = false; scheduleView(); }
}

function tick() {
  const p = state.play;
  if (!p.playing) return;
  if (p.index >= p.periods.length - 1) { stopPlaying(); updatePlay(); return; }
  const shown = showPeriod(p.index + 1, true);
  p.timer = setTimeout(tick, shown ? PLAY_STEP_MS : PLAY_EMPTY_MS);
}

function togglePlay() {
  const p = state.play;
  if (p.playing) { stopPlaying(); updatePlay(); return; }
  if (!p.periods.length) return;
  p.playing = true;
  const start = p.index < 0 || p.index >= p.periods.length - 1 ? 0 : p.index;
  const shown = showPeriod(start, true);
  p.timer = setTimeout(tick, shown ? PLAY_STEP_MS : PLAY_EMPTY_MS);
}

function stepBy(delta) {
  const p = state.play;
  if (!p.periods.length) return;
  stopPlaying();
  const at = p.index < 0 ? (delta > 0 ? 0 : p.periods.length - 1) : Math.max(0, Math.min(p.periods.length - 1, p.index + delta));
  showPeriod(at, true);
}

function setStepKind(kind) {
  state.play.step = kind === 'week' ? 'week' : 'month';
  updatePeriods();
  refresh();
}

function showAll() {
  stopPlaying();
  showPeriod(-1, false);
}

// ---- deck
let deck = null;
let firstPaint = null;
let idleLoop = null;

function createDeck(view) {
  state.initialView = view;
  // The first frame is painted in 2D (firstpaint.js) while WebGL compiles its shaders.
  firstPaint = new FirstPaint(root, ui.map);
  const customRender = (reason) => firstPaint.render(reason);
  deck = new Deck({
    _customRender: customRender,
    parent: ui.map, views: mapView(), initialViewState: view, layers: [], pickingRadius: 5, useDevicePixels: true,
    // A click is a press under 1.5 s (deck's default 250 ms fails where drawing a frame is slow).
    eventRecognizerOptions: {click: {time: 1500}, dblclick: {time: 1500}},
    onViewStateChange: () => scheduleView(),
    onResize: () => {
      if (state.deferred && mapSized()) refresh(); // the layers deferred for this size
      scheduleView();
    },
    onInteractionStateChange: (s) => {
      const moving = Boolean(s.inTransition || s.isDragging || s.isPanning || s.isZooming || s.isRotating);
      if (state.moving && !moving) scheduleView();
      state.moving = moving;
    },
    onClick, onHover, getCursor,
    onWebGLInitialized: () => mark('webgl'),
    onAfterRender: () => {
      if (state.deferred && mapSized()) { refresh(); return; } // the layers deferred for this size
      viewChanged();
      state.framesDrawn += 1;
      mark('first-draw');
      firstPaint.drawn(state.readyAfterDraw); // a frame deck.gl drew: data-painted "gl"
      // The first view once the map is painted (2D or WebGL) at the map's size: its rerun
      // draws the page's sidebar (left out of a session's first run), which must not
      // hold up the map's first paint.
      if (!state.firstViewSent && mapSized() && root.dataset.painted) {
        state.firstViewSent = true;
        emitView();
      }
      if (state.readyAfterDraw) { state.readyAfterDraw = false; root.dataset.ready = '1'; mark('ready'); }
    },
    onError: (err) => console.error('map:', err),
  });
  idleLoop = sleepWhenIdle(deck, root); // no frames asked for while nothing changes
}

function legendFromArgs(rows) {
  for (const row of rows || []) { // Python's value wins when it changes; else the user's toggle stays
    const id = String(row.id);
    const fromArgs = row.visible !== false;
    if (state.legendArgs.get(id) !== fromArgs) state.legendVisible.set(id, fromArgs);
    state.legendArgs.set(id, fromArgs);
  }
}

function handleRender(args) {
  mark('render');
  state.args = args;
  const units = Object.prototype.hasOwnProperty.call(UNIT_METRES, args.units) ? args.units : 'km';
  if (units !== state.units) { state.units = units; updateScale(); }
  ui.sizeFrame(args); // args.height, or the window's height with args.fill
  const bg = Array.isArray(args.background) ? args.background : [214, 230, 242];
  root.style.backgroundColor = `rgb(${bg[0]}, ${bg[1]}, ${bg[2]})`;
  putBlobs(args.blobs);
  legendFromArgs(args.legend);
  ui.setLegend(args.legend || [], state.legendVisible);
  const mode = args.mode === 'zones' ? 'zones' : 'explore';
  if (mode !== state.mode) { state.mode = mode; setTool('pan'); }
  drawing.setArgs(mode === 'zones' ? args.editable : null);
  measureArrived(args.measure);
  if (deck) {
    applyViewRequest(args.view_request, true);
    refresh();
  } else if (!state.booting) {
    state.booting = true;
    boot(args);
  }
}

// The first render: request the static layers (and the context tiles' index), wait
// for them, then start WebGL and draw once. Where WebGL runs on the CPU every frame
// drawn costs a readback of the whole canvas, so a frame drawn before the layers are
// here (or one per layer as they arrive) only delays the map; the loading indicator
// (index.html) stands meanwhile. BOOT_WAIT_MS bounds the wait: a layer slower than
// that is drawn when it arrives.
const BOOT_WAIT_MS = 8000;
const SIZE_WAIT_MS = 1000;
function boot(args) {
  const spec = typeof args.spec === 'string' ? JSON.parse(args.spec) : (args.spec || {});
  const urls = (spec.layers || []).map((l) => l.data).filter((d) => typeof d === 'string' && !d.startsWith('blob:'));
  for (const url of urls) lookup(url, null);
  const index = prefetchContextIndex(spec.context);
  mark('layers-requested');
  const waited = new Promise((resolve) => { setTimeout(resolve, BOOT_WAIT_MS); });
  Promise.race([Promise.all([whenLoaded(urls), index]), waited]).then(() => {
    mark('layers-loaded');
    mark('deck-start');
    createDeck({...DEFAULT_VIEW, ...(spec.initialViewState || {}), pitch: 0, bearing: 0});
    firstPaint.attach(deck, () => state.readyAfterDraw);
    setTimeout(() => { // never wait longer for deck's view to have the map's size
      state.sizeWaitOver = true;
      if (state.deferred) refresh();
    }, SIZE_WAIT_MS);
    mark('deck');
    applyViewRequest(state.args.view_request, false);
    refresh();
  });
}

window.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && clusterList.open) { clusterList.hide(); return; }
  if (event.key === 'Escape' && state.tool !== 'pan') setTool('pan');
});
root.addEventListener('pointerleave', () => ui.hideTooltip());

// For tests and debugging: positions on screen, the view, the events sent.
window.nfzMap = {
  project: (lon, lat) => { const vp = currentViewport(); return vp ? vp.project([lon, lat]) : null; },
  unproject: (x, y) => { const vp = currentViewport(); return vp ? vp.unproject([x, y]) : null; },
  view: () => { const vp = currentViewport(); return vp && {lon: vp.longitude, lat: vp.latitude, zoom: vp.zoom, bounds: vp.getBounds()}; },
  events: () => sentEvents(),
  basemap: () => basemapState(state.args),
  labels: () => labelTexts(),
  labelBoxes: () => drawnLabels(),
  firstPaint: () => (firstPaint ? firstPaint.state() : null),
  measuring: () => ({a: state.measure.a, b: state.measure.b}),
  zones: () => drawing.collection(),
  framesDrawn: () => state.framesDrawn, // WebGL frames deck.gl drew (each a full redraw)
  loop: () => (idleLoop ? {asleep: idleLoop.asleep(), ticks: idleLoop.ticks(), wakes: idleLoop.wakes()} : null), // idle-loop.js
  clusters: () => clusterState(),
  timeline: () => {
    const p = state.play;
    return {step: p.step, playing: p.playing, index: p.index, periods: p.periods.length, period: p.periods[p.index] || null};
  },
};

// The incidents layer's clusters as drawn now: {count, ids, group, dates, lon, lat, x, y}
// (x, y: CSS px in the map).
function clusterState() {
  const layers = deck && deck.layerManager ? deck.layerManager.getLayers() : [];
  const layer = layers.find((l) => l.id === INCIDENTS && l.constructor.layerName === 'GeoTableLayer');
  const vp = currentViewport();
  if (!layer || !layer.state || !vp || layer.props.visible === false) return [];
  return (layer.state.clusters || []).map((c) => {
    const [x, y] = vp.project([c.lon, c.lat]);
    return {count: c.count, ids: c.ids.slice(), group: c.group, dates: c.dates, lon: c.lon, lat: c.lat, x, y};
  });
}

// The text of every map label deck.gl holds now (the TextLayers' data through their getText).
function labelTexts() {
  const layers = deck && deck.layerManager ? deck.layerManager.getLayers() : [];
  return layers.filter((l) => l.constructor.layerName === 'TextLayer' && l.props.visible !== false)
    .flatMap((l) => Array.from(l.props.data || [], (d) => String(l.props.getText(d))));
}

root.dataset.ready = '0';
onRender(handleRender);
componentReady();
mark('component-ready');
