// Greedy label placement in screen space: labels are taken most important first,
// each tries its candidate positions in order and keeps the first whose box
// overlaps nothing already placed (nor an obstacle); a label with no free
// position is not drawn. Boxes are [x0, y0, x1, y1] in CSS px of the map (y down).

/** Gap (px) kept between two label boxes. */
export const LABEL_PAD_PX = 2;
const CELL_PX = 64;

/** Whether two boxes overlap once each is grown by `pad` / 2. */
export function boxesOverlap(a, b, pad = 0) {
  return a[0] < b[2] + pad && b[0] < a[2] + pad && a[1] < b[3] + pad && b[1] < a[3] + pad;
}

/** A uniform grid of boxes: add(box), free(box). */
export class BoxGrid {
  constructor(pad = LABEL_PAD_PX) {
    this.pad = pad;
    this.boxes = [];
    this.cells = new Map();
  }

  _keys(box) {
    const p = this.pad;
    const i0 = Math.floor((box[0] - p) / CELL_PX); const i1 = Math.floor((box[2] + p) / CELL_PX);
    const j0 = Math.floor((box[1] - p) / CELL_PX); const j1 = Math.floor((box[3] + p) / CELL_PX);
    const keys = [];
    for (let i = i0; i <= i1; i++) for (let j = j0; j <= j1; j++) keys.push(`${i},${j}`);
    return keys;
  }

  add(box) {
    const k = this.boxes.length;
    this.boxes.push(box);
    for (const key of this._keys(box)) {
      const cell = this.cells.get(key);
      if (cell) cell.push(k); else this.cells.set(key, [k]);
    }
  }

  free(box) {
    for (const key of this._keys(box)) {
      for (const k of this.cells.get(key) || []) if (boxesOverlap(box, this.boxes[k], this.pad)) return false;
    }
    return true;
  }
}

/** The box of a `w` x `h` text at screen point (x, y) moved by [dx, dy], anchored
 * 'start' | 'middle' | 'end' horizontally and centred vertically (deck's TextLayer
 * with alignmentBaseline 'center'). */
export function textBox(x, y, w, h, dx, dy, anchor) {
  const cx = x + dx; const cy = y + dy;
  const x0 = anchor === 'start' ? cx : (anchor === 'end' ? cx - w : cx - w / 2);
  return [x0, cy - h / 2, x0 + w, cy + h / 2];
}

/** Candidate offsets of a point label whose marker has radius `r` px: right, left,
 * above, below, then the four diagonals ({dx, dy, anchor}). */
export function pointPositions(r, h) {
  const g = r + 3;
  const v = g + h / 2;
  return [
    {dx: g, dy: 0, anchor: 'start'}, {dx: -g, dy: 0, anchor: 'end'},
    {dx: 0, dy: -v, anchor: 'middle'}, {dx: 0, dy: v, anchor: 'middle'},
    {dx: g * 0.7, dy: -v * 0.8, anchor: 'start'}, {dx: g * 0.7, dy: v * 0.8, anchor: 'start'},
    {dx: -g * 0.7, dy: -v * 0.8, anchor: 'end'}, {dx: -g * 0.7, dy: v * 0.8, anchor: 'end'},
  ];
}

/** Candidate offsets of an area or line label of height `h`: centred on its anchor,
 * then moved up and down by 1.5 and 3 line heights (so it can stand clear of a city). */
export function areaPositions(h) {
  return [0, -1.5, 1.5, -3, 3].map((k) => ({dx: 0, dy: k * h, anchor: 'middle'}));
}

/**
 * Place `candidates` ({x, y, w, h, priority, rank, order, positions: [{dx, dy, anchor}],
 * obstacleFree}) inside [0, 0, width, height], clear of `obstacles` (boxes; a candidate
 * with `ignoreObstacles` may cover them). Returns the placed candidates, each with
 * `{position, box}` added, in placement order (most important first).
 */
export function declutter(candidates, width, height, obstacles = []) {
  const order = candidates.slice().sort((a, b) => (b.priority - a.priority) || (b.rank - a.rank) || (a.order - b.order));
  const labels = new BoxGrid();
  const marks = new BoxGrid(0);
  for (const o of obstacles) marks.add(o);
  const placed = [];
  for (const c of order) {
    for (const pos of c.positions) {
      const box = textBox(c.x, c.y, c.w, c.h, pos.dx, pos.dy, pos.anchor);
      if (box[0] < 0 || box[1] < 0 || box[2] > width || box[3] > height) continue;
      if (!labels.free(box) || (!c.ignoreObstacles && !marks.free(box))) continue;
      labels.add(box);
      placed.push({...c, position: pos, box});
      break;
    }
  }
  return placed;
}
