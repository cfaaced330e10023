// Where GeoTables come from: static `.bin` files (fetched once, kept in memory
// and in Cache Storage forever: their names change when their content does)
// and `blob:<sha1>` tables sent in args.blobs (kept in memory and, when small,
// in sessionStorage so a re-mounted iframe still has them).
import {decodeBin, decodeJSON} from './geotable.js';
import {mark} from './perf.js';

const CACHE_NAME = 'nfz-map-layers-v1';
const SESSION_PREFIX = 'nfz-map-blob:';
const SESSION_MAX_CHARS = 200000;
const REASK_MS = 4000;

const tables = new Map(); // "layers/x.<hash>.bin" | "blob:<sha1>" -> table
const loading = new Map(); // url -> Promise
const failed = new Map(); // url -> error message
const asked = new Map(); // sha1 -> time of the last `missing` request
let onLoaded = () => {};

/** Register the callback run whenever a static table finishes loading. */
export function setOnLoaded(callback) { onLoaded = callback; }

/** Keep the blobs from args.blobs ({sha1: GeoTableJSON}). */
export function putBlobs(blobs) {
  for (const [hash, blob] of Object.entries(blobs || {})) {
    const key = `blob:${hash}`;
    if (tables.has(key)) continue;
    try {
      tables.set(key, decodeJSON(blob));
    } catch (err) {
      console.error(`map: blob ${hash} is not a GeoTable`, err);
      continue;
    }
    asked.delete(hash);
    try {
      const text = JSON.stringify(blob);
      if (text.length < SESSION_MAX_CHARS) sessionStorage.setItem(SESSION_PREFIX + hash, text);
    } catch (err) { /* storage full or unavailable: memory only */ }
  }
}

function blobFromSession(hash) {
  try {
    const text = sessionStorage.getItem(SESSION_PREFIX + hash);
    if (text) {
      const t = decodeJSON(JSON.parse(text));
      tables.set(`blob:${hash}`, t);
      return t;
    }
  } catch (err) { /* unavailable or corrupt: ask Python */ }
  return null;
}

/**
 * The table for a LayerSpec `data` reference, or null while it is not here.
 * A static URL starts loading (once); a missing blob hash is added to `missing`.
 */
export function lookup(ref, missing) {
  if (typeof ref !== 'string') return null;
  const have = tables.get(ref);
  if (have) return have;
  if (ref.startsWith('blob:')) {
    const hash = ref.slice(5);
    const t = blobFromSession(hash);
    if (!t && missing) missing.add(hash);
    return t;
  }
  if (!loading.has(ref) && !failed.has(ref)) loading.set(ref, loadStatic(ref));
  return null;
}

/** Whether `ref` failed to load (so readiness does not wait on it). */
export function hasFailed(ref) { return failed.has(ref); }

/** How many static files failed to load. */
export function failedCount() { return failed.size; }

/** Of the hashes in `missing`, those not requested in the last few seconds (marks them asked). */
export function toAsk(missing) {
  const now = Date.now();
  const out = [];
  for (const hash of missing) {
    if (now - (asked.get(hash) || 0) > REASK_MS) { asked.set(hash, now); out.push(hash); }
  }
  return out;
}

// Cache Storage can take seconds to open on a cold, busy machine: it never
// delays a load by more than CACHE_WAIT_MS (the network, here loopback, serves).
const CACHE_WAIT_MS = 300;

function within(promise, ms) {
  return Promise.race([promise.catch(() => null), new Promise((resolve) => { setTimeout(() => resolve(null), ms); })]);
}

// Opened as the script starts, so it is usually ready when the first args arrive.
let cacheOpening = null;
function openCache() {
  if (!cacheOpening) {
    try {
      cacheOpening = window.caches ? window.caches.open(CACHE_NAME).catch(() => null) : Promise.resolve(null);
    } catch (err) {
      cacheOpening = Promise.resolve(null);
    }
  }
  return cacheOpening;
}
openCache();

async function fromCache(abs) {
  const lookup = openCache().then((cache) => (cache ? cache.match(abs) : null)).then((hit) => (hit ? hit.arrayBuffer() : null));
  return within(lookup, CACHE_WAIT_MS);
}

function toCache(abs, bytes) { // in the background: never on the way to the map
  openCache()
    .then((cache) => cache && cache.put(abs, new Response(bytes, {headers: {'Content-Type': 'application/octet-stream'}}))
      .then(() => pruneOlderVersions(cache, abs)))
    .catch(() => { /* quota or unavailable: memory only */ });
}

// ready.js's fetch of `url` (a promise of {bytes, cached}, or of null if it failed),
// taken once; null when ready.js did not fetch it.
function takePrefetched(url) {
  const all = window.__nfzPrefetch;
  const promise = all && all[url];
  if (!promise) return null;
  delete all[url];
  return promise.catch(() => null);
}

async function fetchBytes(url, issued) {
  const abs = new URL(url, document.baseURI).href;
  const early = takePrefetched(url);
  if (early) {
    issued(); // requested by ready.js
    const got = await early;
    if (got) {
      if (!got.cached) toCache(abs, got.bytes.slice(0));
      return got.bytes;
    }
  }
  const cached = await fromCache(abs);
  if (cached) { issued(); return cached; }
  const request = fetch(abs, {credentials: 'same-origin'});
  issued();
  const response = await request;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  toCache(abs, bytes.slice(0));
  return bytes;
}

// layers/countries.<hash12>.bin replaces any other layers/countries.*.bin in the cache.
async function pruneOlderVersions(cache, abs) {
  const stem = abs.replace(/\.[0-9a-f]{6,64}\.bin$/, '.');
  if (stem === abs) return;
  for (const request of await cache.keys()) {
    if (request.url !== abs && request.url.startsWith(stem)
        && /^[0-9a-f]{6,64}\.bin$/.test(request.url.slice(stem.length))) {
      cache.delete(request);
    }
  }
}

const issuing = new Map(); // url -> Promise resolved once its bytes are cached or requested

/** A promise resolved when every static URL in `urls` is found in the cache or requested. */
export function whenRequested(urls) {
  return Promise.all(urls.map((u) => issuing.get(u)).filter(Boolean));
}

/**
 * A promise resolved when every static URL in `urls` has loaded or failed (those
 * never requested count as done).
 */
export function whenLoaded(urls) {
  return Promise.all(urls.map((u) => loading.get(u)).filter(Boolean));
}

async function loadStatic(url) {
  let issued;
  issuing.set(url, new Promise((resolve) => { issued = resolve; }));
  try {
    const bytes = await fetchBytes(url, issued);
    mark(`fetched:${url}`);
    const t = decodeBin(bytes);
    mark(`decoded:${url}`);
    tables.set(url, t);
  } catch (err) {
    console.error(`map: could not load ${url}`, err);
    failed.set(url, String(err));
  } finally {
    issued();
    loading.delete(url);
    onLoaded(url);
  }
}
