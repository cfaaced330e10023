// GeoTable: the one compact feature format (static .bin files and JSON blobs),
// decoded into typed arrays plus the few derived indexes the map needs.

const DTYPES = {
  float32: Float32Array, float64: Float64Array, uint32: Uint32Array, int32: Int32Array,
  uint16: Uint16Array, int16: Int16Array, uint8: Uint8Array,
};
const MAGIC = 'NFZ1';

/** Decode a `.bin` GeoTable (an ArrayBuffer) into a table object. */
export function decodeBin(buffer) {
  const view = new DataView(buffer);
  const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  if (magic !== MAGIC) throw new Error(`not a GeoTable file (magic ${JSON.stringify(magic)})`);
  const headerLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
  const base = 8 + headerLength;
  const arrays = {};
  for (const [name, spec] of Object.entries(header.arrays || {})) {
    const Type = DTYPES[spec.dtype];
    if (!Type) throw new Error(`GeoTable array ${name}: unknown dtype ${spec.dtype}`);
    const offset = base + spec.offset;
    if (offset % Type.BYTES_PER_ELEMENT === 0) {
      arrays[name] = new Type(buffer, offset, spec.length);
    } else { // unaligned: copy
      arrays[name] = new Type(buffer.slice(offset, offset + spec.length * Type.BYTES_PER_ELEMENT));
    }
  }
  return prepare({kind: header.kind, ids: header.ids, props: header.props, ...arrays});
}

/** Decode a JSON GeoTable blob (arrays as plain number lists) into a table object. */
export function decodeJSON(blob) {
  const arr = (Type, values) => (values == null ? undefined : Type.from(values));
  return prepare({
    kind: blob.kind, ids: blob.ids, props: blob.props,
    coords: arr(Float32Array, blob.coords), rings: arr(Uint32Array, blob.rings),
    parts: arr(Uint32Array, blob.parts), partFeature: arr(Uint32Array, blob.partFeature),
  });
}

function identity(n) {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function prepare(raw) {
  const t = {
    kind: raw.kind, ids: (raw.ids || []).map(String), props: raw.props || [],
    coords: raw.coords || new Float32Array(0),
  };
  t.n = t.ids.length;
  while (t.props.length < t.n) t.props.push({});
  const nVertices = t.coords.length / 2;
  if (t.kind === 'point') {
    t.partFeature = raw.partFeature || identity(nVertices);
    t.nParts = nVertices;
  } else if (t.kind === 'line') {
    t.rings = raw.rings || new Uint32Array([0, nVertices]);
    t.nParts = t.rings.length - 1;
    t.partFeature = raw.partFeature || identity(t.nParts);
    t.ringFeature = t.partFeature;
  } else if (t.kind === 'polygon') {
    t.rings = raw.rings || new Uint32Array([0, nVertices]);
    const nRings = t.rings.length - 1;
    t.parts = raw.parts || new Uint32Array([0, nRings]);
    t.nParts = t.parts.length - 1;
    t.partFeature = raw.partFeature || identity(t.nParts);
    t.ringFeature = new Uint32Array(nRings);
    t.ringPart = new Uint32Array(nRings);
    for (let p = 0; p < t.nParts; p++) {
      for (let r = t.parts[p]; r < t.parts[p + 1]; r++) {
        t.ringFeature[r] = t.partFeature[p];
        t.ringPart[r] = p;
      }
    }
  } else {
    throw new Error(`GeoTable: unknown kind ${JSON.stringify(raw.kind)}`);
  }
  t.idIndex = new Map(t.ids.map((id, i) => [id, i]));
  t.hasOwnFill = t.props.some((q) => q && Array.isArray(q._fill));
  t.hasOwnLine = t.props.some((q) => q && Array.isArray(q._line));
  return t;
}

/** The polygon part `p` as {positions, holeIndices} for deck's SolidPolygonLayer (XY). */
export function partPolygon(t, p, skipRing) {
  const r0 = t.parts[p];
  const r1 = t.parts[p + 1];
  const v0 = t.rings[r0];
  const c = t.coords;
  if (r1 - r0 === 1) return c.subarray(v0 * 2, t.rings[r1] * 2);
  let holes = [];
  for (let r = r0 + 1; r < r1; r++) if (!skipRing || !skipRing(r)) holes.push(r);
  if (holes.length === r1 - r0 - 1) { // all holes kept: a view of the coordinates
    return {positions: c.subarray(v0 * 2, t.rings[r1] * 2), holeIndices: holes.map((r) => (t.rings[r] - v0) * 2)};
  }
  const parts = [c.subarray(v0 * 2, t.rings[r0 + 1] * 2), ...holes.map((r) => c.subarray(t.rings[r] * 2, t.rings[r + 1] * 2))];
  const positions = new Float32Array(parts.reduce((n, a) => n + a.length, 0));
  const holeIndices = [];
  let at = 0;
  parts.forEach((a, i) => { if (i) holeIndices.push(at); positions.set(a, at); at += a.length; });
  return holes.length ? {positions, holeIndices} : positions;
}

/** The path (ring or line) `r` as a flat XY Float32Array view. */
export function ringPath(t, r) {
  return t.coords.subarray(t.rings[r] * 2, t.rings[r + 1] * 2);
}

function ringArea(c, v0, v1) { // signed shoelace area in degrees², for ranking only
  let a = 0;
  for (let i = v0; i < v1 - 1; i++) a += c[2 * i] * c[2 * i + 3] - c[2 * i + 2] * c[2 * i + 1];
  return a / 2;
}

// An interior point of a polygon part (its rings from vertex v0 to v1; the
// first ring is the exterior): the middle of the widest stretch of the
// horizontal line through the exterior's middle that lies inside the part
// (even-odd over all rings, so never in a hole).
export function ringInteriorPoint(c, v0, v1, ringStarts = null) {
  const ext1 = ringStarts ? ringStarts[1] : v1;
  let minY = Infinity; let maxY = -Infinity;
  for (let i = v0; i < ext1; i++) { const y = c[2 * i + 1]; if (y < minY) minY = y; if (y > maxY) maxY = y; }
  const y = (minY + maxY) / 2 + (maxY - minY) * 1e-6;
  const xs = [];
  const starts = ringStarts || [v0, v1];
  for (let k = 0; k + 1 < starts.length; k++) {
    for (let i = starts[k]; i < starts[k + 1] - 1; i++) {
      const ya = c[2 * i + 1]; const yb = c[2 * i + 3];
      if ((ya <= y) !== (yb <= y)) {
        const xa = c[2 * i]; const xb = c[2 * i + 2];
        xs.push(xa + ((y - ya) / (yb - ya)) * (xb - xa));
      }
    }
  }
  xs.sort((a, b) => a - b);
  let best = null; let width = -1;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    if (xs[i + 1] - xs[i] > width) { width = xs[i + 1] - xs[i]; best = [(xs[i] + xs[i + 1]) / 2, y]; }
  }
  return best || [c[2 * v0], c[2 * v0 + 1]];
}

/** Label anchors [lon, lat] per feature (null where a feature has no geometry). */
export function labelAnchors(t) {
  if (t.anchors) return t.anchors;
  const anchors = new Array(t.n).fill(null);
  const best = new Float64Array(t.n).fill(-1);
  const c = t.coords;
  for (let p = 0; p < t.nParts; p++) {
    const f = t.partFeature[p];
    if (t.kind === 'point') {
      if (!anchors[f]) anchors[f] = [c[2 * p], c[2 * p + 1]];
    } else if (t.kind === 'line') {
      const v0 = t.rings[p]; const v1 = t.rings[p + 1];
      if (v1 - v0 > best[f]) { best[f] = v1 - v0; const m = (v0 + v1 - 1) >> 1; anchors[f] = [c[2 * m], c[2 * m + 1]]; }
    } else {
      const r = t.parts[p]; const v0 = t.rings[r]; const v1 = t.rings[r + 1];
      const a = Math.abs(ringArea(c, v0, v1));
      if (a > best[f]) {
        best[f] = a;
        anchors[f] = ringInteriorPoint(c, v0, t.rings[t.parts[p + 1]], Array.from(t.rings.subarray(r, t.parts[p + 1] + 1)));
      }
    }
  }
  t.anchors = anchors;
  return anchors;
}

// ---- level of detail: Douglas-Peucker per ring/path at a zoom's pixel size

function simplifyRange(c, v0, v1, tol2, keep) {
  keep[v0] = 1;
  keep[v1 - 1] = 1;
  const stack = [v0, v1 - 1];
  while (stack.length) {
    const b = stack.pop(); const a = stack.pop();
    const ax = c[2 * a]; const ay = c[2 * a + 1];
    const dx = c[2 * b] - ax; const dy = c[2 * b + 1] - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1; let at = -1;
    for (let i = a + 1; i < b; i++) {
      let px = c[2 * i] - ax; let py = c[2 * i + 1] - ay;
      if (len2 > 0) {
        const u = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        px -= u * dx; py -= u * dy;
      }
      const d2 = px * px + py * py;
      if (d2 > worst) { worst = d2; at = i; }
    }
    if (worst > tol2) { keep[at] = 1; stack.push(a, at, at, b); }
  }
}

/**
 * The table's rings/paths simplified to `toleranceDeg` (same rings, parts and
 * features; polygon rings keep at least 4 vertices, paths 2). Cached per tolerance.
 */
export function simplified(t, toleranceDeg) {
  if (t.kind === 'point' || !(toleranceDeg > 0)) return t;
  t.lods = t.lods || new Map();
  const hit = t.lods.get(toleranceDeg);
  if (hit) return hit;
  const c = t.coords;
  const nRings = t.rings.length - 1;
  const keep = new Uint8Array(c.length / 2);
  const tol2 = toleranceDeg * toleranceDeg;
  const minKeep = t.kind === 'polygon' ? 4 : 2;
  for (let r = 0; r < nRings; r++) {
    const v0 = t.rings[r]; const v1 = t.rings[r + 1];
    if (v1 - v0 <= minKeep) { keep.fill(1, v0, v1); continue; }
    simplifyRange(c, v0, v1, tol2, keep);
    let kept = 0;
    for (let i = v0; i < v1; i++) kept += keep[i];
    if (kept < minKeep) { // a tiny ring: keep evenly spaced vertices
      for (let k = 0; k < minKeep; k++) keep[v0 + Math.round((k * (v1 - v0 - 1)) / (minKeep - 1))] = 1;
    }
  }
  let n = 0;
  for (let i = 0; i < keep.length; i++) n += keep[i];
  const coords = new Float32Array(n * 2);
  const rings = new Uint32Array(nRings + 1);
  let j = 0;
  for (let r = 0; r < nRings; r++) {
    rings[r] = j;
    for (let i = t.rings[r]; i < t.rings[r + 1]; i++) {
      if (keep[i]) { coords[2 * j] = c[2 * i]; coords[2 * j + 1] = c[2 * i + 1]; j++; }
    }
  }
  rings[nRings] = j;
  const out = {...t, coords, rings, lods: null, anchors: labelAnchors(t)};
  t.lods.set(toleranceDeg, out);
  return out;
}

/** The simplification tolerance (degrees) for drawing at `zoom`: half a pixel at floor(zoom). */
export function toleranceForZoom(zoom) {
  const z = Math.max(0, Math.floor(zoom));
  if (z >= 13) return 0;
  return (0.5 * 360) / (512 * 2 ** z);
}

/** Per-part bounding boxes [w, s, e, n] (exterior ring, path or point) and each feature's largest part. */
export function partBoxes(t) {
  if (t.boxes) return t.boxes;
  const c = t.coords;
  const boxes = new Float32Array(t.nParts * 4);
  const largest = new Int32Array(t.n).fill(-1);
  const size = new Float64Array(t.n).fill(-1);
  for (let p = 0; p < t.nParts; p++) {
    let v0; let v1;
    if (t.kind === 'point') { v0 = p; v1 = p + 1; } else if (t.kind === 'line') { v0 = t.rings[p]; v1 = t.rings[p + 1]; } else {
      v0 = t.rings[t.parts[p]]; v1 = t.rings[t.parts[p] + 1];
    }
    let w = Infinity; let s = Infinity; let e = -Infinity; let n = -Infinity;
    for (let i = v0; i < v1; i++) {
      const x = c[2 * i]; const y = c[2 * i + 1];
      if (x < w) w = x; if (x > e) e = x; if (y < s) s = y; if (y > n) n = y;
    }
    boxes.set([w, s, e, n], 4 * p);
    const f = t.partFeature[p]; const a = (e - w) * (n - s) + (e - w) + (n - s);
    if (a > size[f]) { size[f] = a; largest[f] = p; }
  }
  t.boxes = {boxes, largest};
  return t.boxes;
}

/** Whether ring `r` (from the full table `t`) spans less than `minDeg` in both directions. */
export function ringIsTiny(t, r, minDeg) {
  const c = t.coords;
  let w = Infinity; let s = Infinity; let e = -Infinity; let n = -Infinity;
  for (let i = t.rings[r]; i < t.rings[r + 1]; i++) {
    const x = c[2 * i]; const y = c[2 * i + 1];
    if (x < w) w = x; if (x > e) e = x; if (y < s) s = y; if (y > n) n = y;
  }
  return e - w < minDeg && n - s < minDeg;
}
