// Screen-space clustering of point markers, computed per integer zoom. Pure: no
// deck.gl, no DOM (tests/test_map_cluster.py runs it under node).
//
// At integer zoom z (below `maxZoom`) the points are placed in Web Mercator world
// pixels (a 512-px world at zoom 0, deck.gl's web-map zoom) and merged in two passes:
//   1. a group (points sharing a non-empty `group`, e.g. "2025-09-10 incursion")
//      whose members span at most `groupSpanPx` (width and height of their box)
//      becomes one unit at the mean of their positions, unless the group is in
//      `ungrouped` (the map puts a group there once a click expanded it);
//   2. greedy: units are taken biggest first (ties: lowest point index), and each
//      one not yet taken seeds a cluster that takes every untaken unit whose
//      position lies within `radiusPx` of the seed's (a grid of radiusPx cells
//      finds them in O(n)).
// A cluster of one point is a "single" (drawn as the marker itself). Every valid
// point is in exactly one cluster or single, so the counts add up. From `maxZoom`
// on nothing is clustered.

export const TILE_PX = 512;
/** Defaults: merge markers within 30 CSS px, groups spanning up to 240 px, below zoom 12. */
export const CLUSTER_DEFAULTS = Object.freeze({radiusPx: 30, maxZoom: 12, groupSpanPx: 240, ungrouped: []});
const MAX_LAT = 85.051129;

/** World pixel [x, y] of (lon, lat) degrees at `zoom` (512-px world at zoom 0). */
export function worldPx(lon, lat, zoom) {
  const scale = TILE_PX * 2 ** zoom;
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  return [((lon + 180) / 360) * scale, ((1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2) * scale];
}

/** (lon, lat) degrees of world pixel (x, y) at `zoom`: the inverse of worldPx. */
export function lonLatOf(x, y, zoom) {
  const scale = TILE_PX * 2 ** zoom;
  const n = Math.PI * (1 - (2 * y) / scale);
  return [(x / scale) * 360 - 180, (Math.atan(Math.sinh(n)) * 180) / Math.PI];
}

function valid(p) {
  return p && Number.isFinite(p.lon) && Number.isFinite(p.lat);
}

function groupOf(p) {
  return typeof p.group === 'string' && p.group.trim() ? p.group : null;
}

/**
 * Cluster `points` ([{lon, lat, group?}], degrees) at the integer part of `zoom`.
 * Returns {zoom, clusters, singles}: clusters [{members (point indices, ascending),
 * count, lon, lat (the members' mean position on screen), group (the members' one
 * shared group, else null)}], singles (point indices). Points without a finite
 * position are in neither.
 */
export function clusterPoints(points, zoom, options = {}) {
  const {radiusPx, maxZoom, groupSpanPx, ungrouped} = {...CLUSTER_DEFAULTS, ...options};
  const apart = new Set(ungrouped || []);
  const z = Math.floor(zoom);
  const ok = [];
  for (let i = 0; i < points.length; i++) if (valid(points[i])) ok.push(i);
  if (!(z < maxZoom) || !(radiusPx > 0)) return {zoom: z, clusters: [], singles: ok};
  const xy = new Map(ok.map((i) => [i, worldPx(points[i].lon, points[i].lat, z)]));
  // 1. units: a compact group as one, every other point on its own
  const groups = new Map();
  for (const i of ok) {
    const g = groupOf(points[i]);
    if (g !== null) { if (!groups.has(g)) groups.set(g, []); groups.get(g).push(i); }
  }
  const inGroupUnit = new Set();
  const units = [];
  for (const [g, members] of groups) {
    if (members.length < 2 || apart.has(g)) continue;
    const xs = members.map((i) => xy.get(i)[0]); const ys = members.map((i) => xy.get(i)[1]);
    if (Math.max(...xs) - Math.min(...xs) > groupSpanPx || Math.max(...ys) - Math.min(...ys) > groupSpanPx) continue;
    units.push({members, x: mean(xs), y: mean(ys)});
    for (const i of members) inGroupUnit.add(i);
  }
  for (const i of ok) if (!inGroupUnit.has(i)) units.push({members: [i], x: xy.get(i)[0], y: xy.get(i)[1]});
  units.sort((a, b) => b.members.length - a.members.length || a.members[0] - b.members[0]);
  // 2. greedy: each untaken unit seeds a cluster of the untaken units within radiusPx
  const cell = (v) => Math.floor(v / radiusPx);
  const grid = new Map();
  units.forEach((u, k) => {
    const key = `${cell(u.x)},${cell(u.y)}`;
    if (!grid.has(key)) grid.set(key, []);
    grid.get(key).push(k);
  });
  const taken = new Uint8Array(units.length);
  const clusters = []; const singles = [];
  const r2 = radiusPx * radiusPx;
  units.forEach((seed, k) => {
    if (taken[k]) return;
    taken[k] = 1;
    const members = [...seed.members];
    const cx = cell(seed.x); const cy = cell(seed.y);
    for (let gx = cx - 1; gx <= cx + 1; gx++) {
      for (let gy = cy - 1; gy <= cy + 1; gy++) {
        for (const j of grid.get(`${gx},${gy}`) || []) {
          if (taken[j]) continue;
          const dx = units[j].x - seed.x; const dy = units[j].y - seed.y;
          if (dx * dx + dy * dy <= r2) { taken[j] = 1; members.push(...units[j].members); }
        }
      }
    }
    if (members.length === 1) { singles.push(members[0]); return; }
    members.sort((a, b) => a - b);
    const [lon, lat] = lonLatOf(mean(members.map((i) => xy.get(i)[0])), mean(members.map((i) => xy.get(i)[1])), z);
    const shared = groupOf(points[members[0]]);
    const group = shared !== null && members.every((i) => groupOf(points[i]) === shared) ? shared : null;
    clusters.push({members, count: members.length, lon, lat, group});
  });
  singles.sort((a, b) => a - b);
  return {zoom: z, clusters, singles};
}

function mean(values) {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** [west, south, east, north] degrees of the points `members` (indices into `points`). */
export function membersBounds(points, members) {
  let w = Infinity; let s = Infinity; let e = -Infinity; let n = -Infinity;
  for (const i of members) {
    const p = points[i];
    w = Math.min(w, p.lon); e = Math.max(e, p.lon); s = Math.min(s, p.lat); n = Math.max(n, p.lat);
  }
  return [w, s, e, n];
}

/**
 * The first integer zoom above `zoom` at which the points `members` (clustered on
 * their own) no longer form one cluster; `maxZoom` when only that splits them.
 */
export function expansionZoom(points, members, zoom, options = {}) {
  const {maxZoom} = {...CLUSTER_DEFAULTS, ...options};
  const sub = members.map((i) => points[i]);
  for (let z = Math.floor(zoom) + 1; z < maxZoom; z++) {
    const r = clusterPoints(sub, z, options);
    if (r.clusters.length !== 1 || r.singles.length) return z;
  }
  return maxZoom;
}

/**
 * Whether the points `members` still overlap at `maxZoom` (they span at most
 * `radiusPx` there): zooming cannot part them, so the map lists them instead.
 */
export function overlapAtMaxZoom(points, members, options = {}) {
  const {maxZoom, radiusPx} = {...CLUSTER_DEFAULTS, ...options};
  const [w, s, e, n] = membersBounds(points, members);
  const a = worldPx(w, n, maxZoom); const b = worldPx(e, s, maxZoom);
  return Math.hypot(b[0] - a[0], b[1] - a[1]) <= radiusPx;
}
