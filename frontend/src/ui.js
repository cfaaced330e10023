// The DOM around the map: toolbar (top-left), legend (top-right), hover
// readout (bottom-left), scale bar (bottom-right), hint and tooltip. Every
// string from data is set with textContent, never as HTML.
import {formatDD, formatDMS, formatMGRS} from './coords.js';
import {setFrameHeight} from './streamlit.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Metres in one of the map's distance units (the args' `units`). */
export const UNIT_METRES = {km: 1000, nm: 1852, mi: 1609.344};
// 20x20 icons, stroked; static strings written here, not data.
const ICONS = {
  pan: ['M7 3v9M10 2.5v9M13 3.5v8M4.5 9.5 7 12l.5 1.5C8.5 16.5 10 18 13 18c2.5 0 4-2 4-5V6.5'],
  measure: ['M2.5 13.5 13.5 2.5l4 4-11 11z', 'M6 10l1.5 1.5M8.5 7.5l2 2M11 5l1.5 1.5'],
  polygon: ['M10 2.5 17.5 8l-3 9h-9l-3-9z'],
  rectangle: ['M3 5h14v10H3z'],
  circle: ['M10 3a7 7 0 1 0 0 14 7 7 0 1 0 0-14z', 'M10 10h7'],
  modify: ['M4 15 8 4l8 5-5 7z', 'M4 15h.01M8 4h.01M16 9h.01M11 16h.01'],
  delete: ['M4 6h12M8 6V4h4v2M6 6l1 11h6l1-11'],
  zoomIn: ['M10 4v12M4 10h12'],
  zoomOut: ['M4 10h12'],
};

// The frame's height when args.fill is set (docs/map-protocol.md, "The page at every
// size"): the window's height below the frame's top, less FILL_BOTTOM_PX (the page's
// bottom padding and the frame's line box, so the page itself never scrolls); at least
// FILL_MIN_PX. In a window at most NARROW_PX wide (a phone: Streamlit stacks the
// columns) the map takes NARROW_SHARE of the window's height, so the page keeps a
// strip to scroll by outside the map.
export const FILL_BOTTOM_PX = 28;
export const FILL_MIN_PX = 320;
export const NARROW_PX = 640;
export const NARROW_SHARE = 0.62;
// A legend on a map narrower than this starts folded.
export const LEGEND_FOLD_WIDTH_PX = 560;
// A click within this many CSS px of the last one, on the same features and view,
// picks the next feature under it (docs/map-protocol.md, "Clicks on stacked features").
export const SAME_SPOT_PX = 4;
// After the first draw, the loading indicator comes back only when layers take longer.
const LOADING_AGAIN_MS = 600;

/**
 * The frame height (CSS px) that fills the parent window below the frame, or
 * `fallback` when the parent cannot be read.
 */
export function fillHeight(fallback) {
  let win; let frame;
  try {
    win = window.parent;
    frame = window.frameElement;
    if (!win || win === window || !frame) return fallback;
    const H = win.innerHeight; const W = win.innerWidth;
    if (!(H > 0 && W > 0)) return fallback;
    // the frame's top in the page: Streamlit scrolls its main area (wide) or, with our
    // page CSS, the document (narrow); either scroll offset is added back
    const main = frame.closest('[data-testid="stMain"]');
    const top = frame.getBoundingClientRect().top + (main ? main.scrollTop : 0) + (win.scrollY || 0);
    const room = Math.floor(H - Math.max(0, top) - FILL_BOTTOM_PX);
    if (W <= NARROW_PX) return Math.max(FILL_MIN_PX, Math.min(room, Math.round(H * NARROW_SHARE)));
    return Math.max(FILL_MIN_PX, room);
  } catch (err) {
    return fallback;
  }
}

/**
 * Which of the features under a click to pick: 0 (the topmost), or the one after
 * the last pick when this click is on the same spot (within SAME_SPOT_PX), in the
 * same view, over the same features. `prev` and `click` are {x, y, view, keys, index}.
 */
export function cycleIndex(prev, click) {
  const n = click.keys.length;
  if (!n) return -1;
  const same = prev && prev.view === click.view && Math.hypot(prev.x - click.x, prev.y - click.y) <= SAME_SPOT_PX
    && prev.keys.length === n && prev.keys.every((k, i) => k === click.keys[i]);
  return same ? (prev.index + 1) % n : 0;
}

export const TOOLS = {
  pan: {label: 'Pan and select', hint: ''},
  measure: {label: 'Measure distance', hint: 'Click the first point.'},
  polygon: {label: 'Draw polygon', hint: 'Click to add vertices; click the first vertex, double-click or press Enter to close.'},
  rectangle: {label: 'Draw rectangle', hint: 'Click one corner, then the opposite corner.'},
  circle: {label: 'Draw circle', hint: 'Click the centre, then a point on the edge.'},
  modify: {label: 'Edit vertices', hint: 'Click a zone, then drag a vertex; click a midpoint to add one.'},
};

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}

function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of ICONS[name]) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

function button(name, label, cls, extra = {}) {
  const b = el('button', {type: 'button', class: cls, 'aria-label': label, title: label, ...extra});
  b.appendChild(icon(name));
  b.appendChild(el('span', {class: 'sr-only'}, label));
  return b;
}

function rgba(c, alphaScale = 1) {
  const [r, g, b, a = 255] = c || [128, 128, 128, 255];
  return `rgba(${r}, ${g}, ${b}, ${((a / 255) * alphaScale).toFixed(3)})`;
}

export class UI {
  constructor(root, handlers) {
    this.handlers = handlers;
    this.map = el('div', {class: 'map', id: 'map'});
    this.toolbar = el('div', {class: 'toolbar', role: 'toolbar', 'aria-label': 'Map tools', 'aria-orientation': 'vertical'});
    this.legend = el('section', {class: 'legend', 'aria-label': 'Legend'});
    this.readout = el('div', {class: 'readout', 'aria-label': 'Pointer position'});
    this.scale = el('div', {class: 'scale', 'aria-hidden': 'true'});
    this.hint = el('div', {class: 'hint', role: 'status', 'aria-live': 'polite'});
    this.tooltip = el('div', {class: 'tooltip', role: 'tooltip'});
    this.tooltip.hidden = true;
    this.hint.hidden = true;
    // index.html holds the loading indicator, so it shows from the frame's first paint,
    // before this bundle has arrived; it is made here only when the page lacks it
    this.loading = root.querySelector('.loading');
    if (!this.loading) {
      this.loading = el('div', {class: 'loading', role: 'status', 'aria-live': 'polite'});
      this.loading.append(el('span', {class: 'loading-spinner', 'aria-hidden': 'true'}), el('span', {class: 'loading-text'}, 'Loading the map layers…'));
    }
    this.here = el('div', {class: 'here', role: 'group', 'aria-label': 'Features at the clicked spot'});
    this.here.hidden = true;
    // While the map is the 2D first paint (firstpaint.js) it does not answer the pointer yet.
    this.preparing = el('div', {class: 'preparing', role: 'status', 'aria-live': 'polite'},
      'Preparing the interactive map…');
    this.preparing.hidden = true;
    root.append(this.map, this.toolbar, this.legend, this.hint, this.here, this.readout, this.scale, this.tooltip, this.loading,
      this.preparing);
    this._buildReadout();
    this._buildLegendShell();
    this.toolsKey = null;
    this._watchReady(root);
    // deck.gl's canvas takes the keyboard (arrows pan, + and - zoom): name it
    new MutationObserver(() => {
      const canvas = this.map.querySelector('canvas');
      if (canvas && !canvas.hasAttribute('aria-label')) canvas.setAttribute('aria-label', 'Map: arrow keys pan, + and − zoom');
    }).observe(this.map, {childList: true});
  }

  // ---- loading: shown until the map's data-ready is first "1" or its static layers are
  // painted in 2D (data-painted, firstpaint.js); after that only when layers keep
  // data-ready at "0" for longer than LOADING_AGAIN_MS
  _watchReady(root) {
    this.everReady = false;
    this.loadingTimer = null;
    const update = () => {
      this.preparing.hidden = root.dataset.painted !== '2d';
      clearTimeout(this.loadingTimer);
      if (root.dataset.ready === '1' || (!this.everReady && root.dataset.painted === '2d')) {
        this.everReady = true;
        this.loading.hidden = true;
        return;
      }
      if (!this.everReady) { this.loading.hidden = false; return; }
      this.loadingTimer = setTimeout(() => { if (root.dataset.ready !== '1') this.loading.hidden = false; }, LOADING_AGAIN_MS);
    };
    new MutationObserver(update).observe(root, {attributes: true, attributeFilter: ['data-ready', 'data-painted']});
    update();
  }

  // ---- frame height: args.height, or with args.fill the window's height (see fillHeight),
  // followed when the window is resized
  sizeFrame(args) {
    this.frameArgs = args;
    const fallback = Number(args.height) || 640;
    setFrameHeight(args.fill ? fillHeight(fallback) : fallback);
    if (args.fill && !this.watchingWindow) {
      this.watchingWindow = true;
      try {
        window.parent.addEventListener('resize', () => {
          clearTimeout(this.resizeTimer);
          this.resizeTimer = setTimeout(() => this.sizeFrame(this.frameArgs), 100);
        });
      } catch (err) { /* a parent we may not read: the frame keeps args.height */ }
    }
  }

  // ---- the features under the last click (topmost first): which one is picked, and
  // buttons to pick another ("Next feature here", or one by name)
  showHere(items, current) {
    if (!items || items.length < 2) { this.hideHere(); return; }
    const head = el('div', {class: 'here-head'});
    head.append(el('span', {class: 'here-title'}, `Here: ${current + 1} of ${items.length}`));
    const next = el('button', {type: 'button', class: 'here-next', 'data-action': 'next-here', title: 'Pick the next feature under the click'}, 'Next feature here');
    next.addEventListener('click', () => this.handlers.onHere((current + 1) % items.length, true));
    const close = el('button', {type: 'button', class: 'here-close', 'aria-label': 'Close the list', title: 'Close'}, '×');
    close.addEventListener('click', () => this.hideHere());
    head.append(next, close);
    const list = el('ul', {class: 'here-items'});
    items.forEach((item, i) => {
      const b = el('button', {type: 'button', class: 'here-item', 'aria-pressed': String(i === current),
        'data-layer': String(item.layer), 'data-feature': item.id == null ? '' : String(item.id)});
      b.append(el('span', {class: 'here-name'}, item.name), el('span', {class: 'here-layer'}, item.layerLabel));
      b.addEventListener('click', () => this.handlers.onHere(i, false));
      const li = el('li');
      li.appendChild(b);
      list.appendChild(li);
    });
    this.here.replaceChildren(head, list);
    this.here.dataset.current = String(current);
    this.here.dataset.count = String(items.length);
    this.here.hidden = false;
  }

  hideHere() { this.here.hidden = true; }

  // ---- toolbar
  setTools(names, active, canDelete) {
    const key = names.join(',');
    if (key !== this.toolsKey) {
      this.toolsKey = key;
      this.toolbar.replaceChildren();
      const group = el('div', {class: 'tool-group'});
      for (const name of names) {
        const b = button(name, TOOLS[name].label, 'tool', {'data-tool': name, 'aria-pressed': 'false'});
        b.addEventListener('click', () => this.handlers.onTool(name));
        group.appendChild(b);
      }
      this.toolbar.appendChild(group);
      if (names.includes('polygon')) {
        const g2 = el('div', {class: 'tool-group'});
        this.deleteButton = button('delete', 'Delete selected zone', 'tool', {'data-action': 'delete'});
        this.deleteButton.addEventListener('click', () => this.handlers.onDelete());
        g2.appendChild(this.deleteButton);
        this.toolbar.appendChild(g2);
      } else {
        this.deleteButton = null;
      }
      const zoom = el('div', {class: 'tool-group'});
      for (const [name, label, dz] of [['zoomIn', 'Zoom in', 1], ['zoomOut', 'Zoom out', -1]]) {
        const b = button(name, label, 'tool', {'data-action': name});
        b.addEventListener('click', () => this.handlers.onZoom(dz));
        zoom.appendChild(b);
      }
      this.toolbar.appendChild(zoom);
    }
    for (const b of this.toolbar.querySelectorAll('[data-tool]')) {
      b.setAttribute('aria-pressed', String(b.dataset.tool === active));
    }
    if (this.deleteButton) this.deleteButton.disabled = !canDelete;
  }

  // ---- hint
  setHint(text) {
    this.hint.textContent = text || '';
    this.hint.hidden = !text;
    if (text) this.hideHere(); // a tool's hint takes the top of the map
  }

  // ---- legend
  _buildLegendShell() {
    const head = el('button', {type: 'button', class: 'legend-head', 'aria-expanded': 'true', 'aria-controls': 'legend-rows'});
    head.append(el('span', {class: 'legend-title'}, 'Layers'), el('span', {class: 'chevron', 'aria-hidden': 'true'}));
    head.addEventListener('click', () => this._setLegendOpen(head.getAttribute('aria-expanded') !== 'true'));
    this.legendHead = head;
    this.rows = el('ul', {class: 'legend-rows', id: 'legend-rows'});
    this.legend.append(head, this.rows);
    this.legendKey = null;
  }

  _setLegendOpen(open) {
    this.legendHead.setAttribute('aria-expanded', String(open));
    this.rows.hidden = !open;
  }

  setLegend(rows, visible) {
    this.legend.hidden = !rows.length;
    const key = JSON.stringify(rows.map((r) => [r.id, r.label, r.color, r.kind, r.filled]));
    const narrow = (this.map.clientWidth || window.innerWidth || 800) < LEGEND_FOLD_WIDTH_PX;
    if (this.legendKey === null && rows.length && (narrow || rows.length * 24 + 40 > 0.5 * (this.map.clientHeight || 640))) {
      this._setLegendOpen(false); // a small or narrow map (a phone) starts with the legend folded
    }
    if (key !== this.legendKey) {
      this.legendKey = key;
      this.rows.replaceChildren();
      for (const row of rows) {
        const li = el('li');
        const label = el('label', {class: 'legend-row'});
        const box = el('input', {type: 'checkbox', 'data-legend-id': String(row.id)});
        box.addEventListener('change', () => this.handlers.onLegend(String(row.id), box.checked));
        const swatch = el('span', {class: `swatch swatch-${['polygon', 'line', 'point'].includes(row.kind) ? row.kind : 'polygon'}`, 'aria-hidden': 'true'});
        swatch.style.setProperty('--swatch', rgba(row.color));
        swatch.style.setProperty('--swatch-fill', row.filled === false ? 'transparent' : rgba(row.color, row.kind === 'polygon' ? 0.55 : 1));
        label.append(box, swatch, el('span', {class: 'legend-label'}, row.label == null ? String(row.id) : String(row.label)));
        li.appendChild(label);
        this.rows.appendChild(li);
      }
    }
    for (const box of this.rows.querySelectorAll('input[data-legend-id]')) {
      box.checked = visible.get(box.dataset.legendId) !== false;
    }
  }

  // ---- readout
  _buildReadout() {
    this.readoutParts = {};
    for (const [fmt, name] of [['dd', 'Lat, lon'], ['dms', 'DMS'], ['mgrs', 'MGRS']]) {
      const row = el('div', {class: 'readout-row'});
      const value = el('span', {class: 'readout-value', 'data-fmt': fmt}, '—');
      row.append(el('span', {class: 'readout-name'}, name), value);
      this.readout.appendChild(row);
      this.readoutParts[fmt] = value;
    }
  }

  setReadout(lon, lat) {
    this.readoutParts.dd.textContent = formatDD(lon, lat);
    this.readoutParts.dms.textContent = formatDMS(lon, lat);
    const mgrs = formatMGRS(lon, lat);
    this.readoutParts.mgrs.textContent = mgrs || '—';
    this.readout.dataset.mgrs = mgrs.replace(/ /g, '');
    this.readout.dataset.lon = String(lon);
    this.readout.dataset.lat = String(lat);
  }

  // ---- scale bar: the longest round length (1, 2 or 5 x 10^k of the map's unit)
  // that fits in 120 px, at the map's centre; recomputed on every view change.
  // metresPerPx is geodesic: the WGS84 parallel's radius at the centre latitude
  // times the longitude one pixel spans there (from the viewport). Numbers for
  // tests sit on the element (data-metres-per-px, data-length, data-px, data-unit).
  setScale(metresPerPx, unit) {
    const u = UNIT_METRES[unit] ? unit : 'km';
    const key = `${metresPerPx}|${u}`;
    if (!(metresPerPx > 0) || key === this.scaleKey) return;
    this.scaleKey = key;
    const maxUnits = (metresPerPx * 120) / UNIT_METRES[u];
    let length = 0.001; // the longest of 5, 2, 1 x 10^k (k from 5 down to -3) under 120 px
    search: for (let e = 5; e >= -3; e--) {
      for (const s of [5, 2, 1]) {
        const v = Number((s * 10 ** e).toPrecision(1));
        if (v <= maxUnits) { length = v; break search; }
      }
    }
    const px = (length * UNIT_METRES[u]) / metresPerPx;
    const bar = el('span', {class: 'scale-bar'});
    bar.style.width = `${px}px`;
    this.scale.replaceChildren(bar, el('span', {class: 'scale-text'}, `${length.toLocaleString('en-US', {maximumFractionDigits: 3})} ${u}`));
    Object.assign(this.scale.dataset, {metresPerPx: String(metresPerPx), length: String(length), px: String(px), unit: u});
  }

  // ---- tooltip: title, then "field: value" lines; flipped to stay inside the map
  showTooltip(x, y, title, lines) {
    const t = this.tooltip;
    t.replaceChildren();
    if (title) t.appendChild(el('div', {class: 'tooltip-title'}, title));
    for (const line of lines) t.appendChild(el('div', {class: 'tooltip-line'}, line));
    t.hidden = false;
    const w = t.offsetWidth; const h = t.offsetHeight;
    const W = this.map.clientWidth; const H = this.map.clientHeight;
    const gap = 14;
    let left = x + gap; let top = y + gap;
    if (left + w > W - 4) left = Math.max(4, x - gap - w);
    if (top + h > H - 4) top = Math.max(4, y - gap - h);
    t.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  hideTooltip() { this.tooltip.hidden = true; }
}
