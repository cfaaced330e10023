// Tooltip text: a title line and "field: value" lines, all plain strings.

function formatValue(v) {
  if (v == null || v === '') return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', {maximumFractionDigits: 3});
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** {title, lines} for a picked GeoTable feature ({props, tooltip, titleField}). */
export function tooltipText(object) {
  const props = object.props || {};
  const titleField = object.titleField;
  const title = titleField ? formatValue(props[titleField]) : null;
  const lines = [];
  for (const field of object.tooltip || []) {
    if (field === titleField) continue;
    const value = formatValue(props[field]);
    if (value != null) lines.push(`${field}: ${value}`);
  }
  return {title, lines};
}
