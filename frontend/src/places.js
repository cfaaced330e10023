// The village-scale places (docs/map-protocol.md, "places"): a context layer the
// browser adds above the cities, drawn from the tiles of scripts/build_place_tiles.py
// that the view needs. Band A (one file) from its zoom on, bands B and C by the
// tiles (2°, 1° squares) the view touches from theirs. The tile index
// (`places/tiles.<sha12>.json`) is fetched once the view first reaches the lowest
// band's zoom; tiles go through store.js (memory + Cache Storage, like the static
// layers); the index is kept in the same cache.
import GeoTableLayer from './geotable-layer.js';
import {lookup, hasFailed} from './store.js';
import {decodeJSON} from './geotable.js';

export const PLACES_ID = 'places';
const CACHE_NAME = 'nfz-map-layers-v1';
const DIR = 'places/';

const indexes = new Map(); // index url -> parsed index | null while loading | Error
let onLoaded = () => {};
let lastKey = null;
const merged = {key: null, table: null};

/** Register the callback run when the tile index arrives. */
export function setOnIndexLoaded(callback) { onLoaded = callback; }

async function fetchIndex(url) {
  const abs = new URL(url, document.baseURI).href;
  let cache = null;
  try { cache = window.caches ? await window.caches.open(CACHE_NAME) : null; } catch (err) { cache = null; }
  const hit = cache ? await cache.match(abs).catch(() => null) : null;
  if (hit) return hit.json();
  const response = await fetch(abs, {credentials: 'same-origin'});
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const text = await response.text();
  if (cache) {
    cache.put(abs, new Response(text, {headers: {'Content-Type': 'application/json'}}))
      .then(async () => { // an older tiles.<hash>.json goes
        for (const r of await cache.keys()) if (r.url !== abs && /\/places\/tiles\.[0-9a-f]{6,64}\.json$/.test(r.url)) cache.delete(r);
      }).catch(() => {});
  }
  return JSON.parse(text);
}

function indexFor(url) {
  if (!indexes.has(url)) {
    indexes.set(url, null);
    fetchIndex(url).then((index) => { indexes.set(url, index); }, (err) => {
      console.error(`map: could not load ${url}`, err);
      indexes.set(url, err instanceof Error ? err : new Error(String(err)));
    }).finally(() => onLoaded(url));
  }
  return indexes.get(url);
}

/** The tile files ("places/<band>_<key>.<sha12>.bin") the view `vp` needs, by the index. */
export function tilesFor(index, vp) {
  const [w, s, e, n] = vp.getBounds();
  const out = [];
  for (const band of index.bands || []) {
    if (vp.zoom < band.minZoom) continue;
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
  if (!spec || !spec.index || !vp || !vp.width || vp.zoom < (spec.minZoom ?? 0)) return {urls: [], waiting: false};
  const index = indexFor(spec.index);
  if (index === null) return {urls: [], waiting: true};
  if (index instanceof Error) return {urls: [], waiting: false};
  return {urls: tilesFor(index, vp), waiting: false};
}

/** Whether the tiles the view needs differ from those of the last call (main.js then redraws). */
export function placesViewChanged(spec, vp) {
  const {urls, waiting} = wanted(spec, vp);
  const key = JSON.stringify([spec && spec.index, urls, waiting]);
  if (key === lastKey) return false;
  lastKey = key;
  return true;
}

// One table of the loaded tiles among `urls` (the same object while they stay the same).
function mergedTable(urls) {
  const tables = urls.map((u) => [u, lookup(u, null)]).filter(([, t]) => t);
  const key = tables.map(([u]) => u).join('|');
  if (key === merged.key) return merged.table;
  const blob = {kind: 'point', ids: [], props: [], coords: []};
  for (const [, t] of tables) {
    for (let f = 0; f < t.n; f++) {
      blob.ids.push(t.ids[f]);
      blob.props.push(t.props[f]);
      blob.coords.push(t.coords[2 * f], t.coords[2 * f + 1]);
    }
  }
  merged.key = key;
  merged.table = tables.length ? decodeJSON(blob) : null;
  return merged.table;
}

/**
 * The places layer for the view `vp` ({layer: GeoTableLayer or null, pending: tiles or
 * index still loading, after: the layer id it goes above}); `hidden` holds the layer ids
 * switched off in the legend (the places are hidden with the cities).
 */
export function placesLayer(spec, vp, hidden) {
  if (!spec || !spec.index) return {layer: null, pending: 0, after: null};
  const {urls, waiting} = wanted(spec, vp);
  lastKey = JSON.stringify([spec.index, urls, waiting]);
  const table = mergedTable(urls);
  const pending = (waiting ? 1 : 0) + urls.filter((u) => !lookup(u, null) && !hasFailed(u)).length;
  const visible = spec.visible !== false && !hidden.has(PLACES_ID) && !hidden.has(spec.after || 'cities');
  const layer = table ? new GeoTableLayer({
    id: PLACES_ID, source: merged.key, table, kind: 'point', fill: spec.fill, line: spec.line,
    lineWidthPx: spec.lineWidthPx ?? 1, pointRadiusPx: spec.pointRadiusPx ?? 2,
    labels: {field: 'name', sizePx: spec.labelSizePx || 11, color: spec.labelColor || null,
      priority: spec.labelPriority ?? 40, rankBy: 'population'},
    tooltip: spec.tooltip || ['name'], titleField: 'name', pickable: true, visible,
  }) : null;
  return {layer, pending, after: spec.after || 'cities'};
}
