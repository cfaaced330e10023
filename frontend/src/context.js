// The context layers (docs/map-protocol.md, "context"): rivers and wide water, drawn
// under the borders from the tiles of scripts/build_context_tiles.py that the view
// needs, the same way places.js draws the village-scale places. The rivers' overview
// (one small file, simplified) below zoom 8, their full lines in 2° tiles from zoom 8,
// the wide water in 2° tiles from zoom 9. The tile index (`context/tiles.<sha12>.json`)
// is fetched with the first view; tiles go through store.js (memory + Cache Storage,
// like the static layers). Never pickable: they are context, not features to report.
import GeoTableLayer from './geotable-layer.js';
import {lookup, hasFailed} from './store.js';
import {decodeJSON} from './geotable.js';

const CACHE_NAME = 'nfz-map-layers-v1';
const DIR = 'context/';
const CACHE_WAIT_MS = 300;

const indexes = new Map(); // index url -> parsed index | null while loading | Error
const indexPromises = new Map(); // index url -> promise settled when it is in `indexes`
let onLoaded = () => {};
let lastKey = null;
const merged = new Map(); // layer -> {key, table}

/** Register the callback run when the tile index arrives. */
export function setOnContextLoaded(callback) { onLoaded = callback; }

async function fetchIndex(url) {
  const abs = new URL(url, document.baseURI).href;
  let cache = null;
  // Cache Storage can take seconds to open on a cold, busy machine: never wait for it
  // longer than CACHE_WAIT_MS (store.js does the same for the layer files).
  const within = (promise) => Promise.race([promise.catch(() => null), new Promise((resolve) => { setTimeout(() => resolve(null), CACHE_WAIT_MS); })]);
  try { cache = window.caches ? await within(window.caches.open(CACHE_NAME)) : null; } catch (err) { cache = null; }
  const hit = cache ? await within(cache.match(abs)) : null;
  if (hit) return hit.json();
  const response = await fetch(abs, {credentials: 'same-origin'});
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const text = await response.text();
  if (cache) {
    cache.put(abs, new Response(text, {headers: {'Content-Type': 'application/json'}}))
      .then(async () => { // an older tiles.<hash>.json goes
        for (const r of await cache.keys()) if (r.url !== abs && /\/context\/tiles\.[0-9a-f]{6,64}\.json$/.test(r.url)) cache.delete(r);
      }).catch(() => {});
  }
  return JSON.parse(text);
}

function indexFor(url) {
  if (!indexes.has(url)) {
    indexes.set(url, null);
    indexPromises.set(url, fetchIndex(url).then((index) => { indexes.set(url, index); }, (err) => {
      console.error(`map: could not load ${url}`, err);
      indexes.set(url, err instanceof Error ? err : new Error(String(err)));
    }).finally(() => onLoaded(url)));
  }
  return indexes.get(url);
}

/**
 * Start fetching the tile index of `spec` (the deck spec's `context`) before the map
 * has a view; a promise resolved when it has arrived or failed (at once without one).
 */
export function prefetchContextIndex(spec) {
  if (!spec || !spec.index) return Promise.resolve();
  indexFor(spec.index);
  return indexPromises.get(spec.index) || Promise.resolve();
}

/** The tile files of one layer of the index ({layer, kind, bands}) the view `vp` needs. */
export function contextTilesFor(entry, vp) {
  const [w, s, e, n] = vp.getBounds();
  const out = [];
  for (const band of entry.bands || []) {
    if (vp.zoom < band.minZoom || (band.maxZoom != null && vp.zoom >= band.maxZoom)) continue;
    const d = band.tileDeg;
    if (!(d > 0)) { for (const name of Object.values(band.tiles)) out.push(DIR + name); continue; }
    for (let x = Math.floor(w / d) * d; x < e; x += d) {
      for (let y = Math.floor(s / d) * d; y < n; y += d) {
        const name = band.tiles[`${x}_${y}`];
        if (name) out.push(DIR + name);
      }
    }
  }
  return out;
}

function wanted(spec, vp) {
  if (!spec || !spec.index || !vp || !vp.width) return {byLayer: [], waiting: false};
  const index = indexFor(spec.index);
  if (index === null) return {byLayer: [], waiting: true};
  if (index instanceof Error) return {byLayer: [], waiting: false};
  return {byLayer: (index.layers || []).map((entry) => [entry, contextTilesFor(entry, vp)]), waiting: false};
}

/** Whether the tiles the view needs differ from those of the last call (main.js then redraws). */
export function contextViewChanged(spec, vp) {
  const {byLayer, waiting} = wanted(spec, vp);
  const key = JSON.stringify([spec && spec.index, byLayer.map(([e, u]) => [e.layer, u]), waiting]);
  if (key === lastKey) return false;
  lastKey = key;
  return true;
}

// One table of the loaded tiles among `urls` of a layer (the same object while they stay the same).
function mergedTable(layer, kind, urls) {
  const tables = urls.map((u) => [u, lookup(u, null)]).filter(([, t]) => t);
  const key = tables.map(([u]) => u).join('|');
  const have = merged.get(layer);
  if (have && have.key === key) return have;
  const blob = {kind, ids: [], props: [], coords: [], rings: [0], partFeature: []};
  if (kind === 'polygon') blob.parts = [0];
  for (const [, t] of tables) {
    const base = blob.ids.length;
    for (let f = 0; f < t.n; f++) { blob.ids.push(t.ids[f]); blob.props.push({}); }
    const v0 = blob.coords.length / 2;
    for (let i = 0; i < t.coords.length; i++) blob.coords.push(t.coords[i]);
    const r0 = blob.rings.length - 1;
    for (let r = 1; r < t.rings.length; r++) blob.rings.push(v0 + t.rings[r]);
    if (kind === 'polygon') for (let p = 1; p < t.parts.length; p++) blob.parts.push(r0 + t.parts[p]);
    for (let p = 0; p < t.partFeature.length; p++) blob.partFeature.push(base + t.partFeature[p]);
  }
  const out = {key, table: tables.length ? decodeJSON(blob) : null};
  merged.set(layer, out);
  return out;
}

/**
 * The context layers for the view `vp` ({layers: GeoTableLayers, pending: tiles or index
 * still loading, after: the layer id they go above}); `hidden` holds the layer ids
 * switched off in the legend. `spec` = {index, after, styles: {layer: {fill, line,
 * lineWidthPx, visible}}} (dashboard/render/context_tiles.py); a layer without a style
 * is not drawn.
 */
export function contextLayers(spec, vp, hidden) {
  if (!spec || !spec.index) return {layers: [], pending: 0, after: null};
  const {byLayer, waiting} = wanted(spec, vp);
  lastKey = JSON.stringify([spec.index, byLayer.map(([e, u]) => [e.layer, u]), waiting]);
  let pending = waiting ? 1 : 0;
  const layers = [];
  for (const [entry, all] of byLayer) {
    const style = (spec.styles || {})[entry.layer];
    if (!style) continue;
    const visible = style.visible !== false && !hidden.has(entry.layer);
    const urls = visible ? all : []; // a hidden layer fetches nothing
    pending += urls.filter((u) => !lookup(u, null) && !hasFailed(u)).length;
    const {key, table} = mergedTable(entry.layer, entry.kind, urls);
    if (!table) continue;
    layers.push(new GeoTableLayer({
      id: entry.layer, source: key, table, kind: entry.kind, fill: style.fill, line: style.line,
      lineWidthPx: style.lineWidthPx ?? 1, pickable: false, tooltip: [], visible,
    }));
  }
  return {layers, pending, after: spec.after || 'water'};
}
