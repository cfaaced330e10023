// Tooltip text: a title line and "label: value" lines, all plain strings (shown
// with textContent). Python sends each tooltip field as {field, label, factor,
// suffix, decimals}: a number is shown as value x factor with `decimals` decimals
// and the suffix (its unit, in the map's unit); a bare field name is shown as is.

function formatNumber(v, decimals) {
  if (Number.isInteger(decimals) && decimals >= 0 && decimals <= 6) {
    return v.toLocaleString('en-US', {minimumFractionDigits: decimals, maximumFractionDigits: decimals});
  }
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', {maximumFractionDigits: 3});
}

function formatValue(v, entry = {}) {
  if (v == null || v === '') return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    const factor = Number.isFinite(entry.factor) ? entry.factor : 1;
    return `${formatNumber(v * factor, entry.decimals)}${typeof entry.suffix === 'string' ? entry.suffix : ''}`;
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function entryOf(item) {
  if (item && typeof item === 'object') return {...item, field: String(item.field)};
  return {field: String(item)};
}

/** {title, lines} for a picked GeoTable feature ({props, tooltip, titleField}). */
export function tooltipText(object) {
  const props = object.props || {};
  const titleField = object.titleField;
  const title = titleField ? formatValue(props[titleField]) : null;
  const lines = [];
  for (const entry of (object.tooltip || []).map(entryOf)) {
    if (entry.field === titleField) continue;
    const value = formatValue(props[entry.field], entry);
    const label = typeof entry.label === 'string' && entry.label ? entry.label : entry.field;
    if (value != null) lines.push(`${label}: ${value}`);
  }
  return {title, lines};
}
