// The DOM around the map: toolbar (top-left), legend (top-right), hover
// readout (bottom-left), scale bar (bottom-right), hint and tooltip. Every
// string from data is set with textContent, never as HTML.
import {formatDD, formatDMS, formatMGRS} from './coords.js';

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
    root.append(this.map, this.toolbar, this.legend, this.hint, this.readout, this.scale, this.tooltip);
    this._buildReadout();
    this._buildLegendShell();
    this.toolsKey = null;
  }

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
    const key = JSON.stringify(rows.map((r) => [r.id, r.label, r.color, r.kind]));
    if (this.legendKey === null && rows.length && rows.length * 24 + 40 > 0.5 * (this.map.clientHeight || 640)) {
      this._setLegendOpen(false); // a small map starts with the legend folded
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
        swatch.style.setProperty('--swatch-fill', rgba(row.color, row.kind === 'polygon' ? 0.55 : 1));
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
