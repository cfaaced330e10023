// Formatting a position for the hover readout: decimal degrees, DMS and MGRS.
import {forward as toMgrs} from 'mgrs';

/** "50.47099, 23.93432" (lat, lon; 5 decimals, about 1 m). */
export function formatDD(lon, lat) {
  return `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
}

function dms(value, pos, neg, degWidth) {
  const hemi = value >= 0 ? pos : neg;
  let total = Math.round(Math.abs(value) * 3600); // whole seconds
  const d = Math.floor(total / 3600);
  total -= d * 3600;
  const m = Math.floor(total / 60);
  const s = total - m * 60;
  const pad = (n, w) => String(n).padStart(w, '0');
  return `${pad(d, degWidth)}°${pad(m, 2)}'${pad(s, 2)}"${hemi}`;
}

/** `50°28'16"N 23°56'04"E` (whole seconds, about 30 m). */
export function formatDMS(lon, lat) {
  return `${dms(lat, 'N', 'S', 1)} ${dms(lon, 'E', 'W', 1)}`;
}

/** "34U FB 12345 67890" (1 m precision), or "" outside MGRS's latitude range. */
export function formatMGRS(lon, lat) {
  if (!(lat > -80 && lat < 84) || !(lon >= -180 && lon <= 180)) return '';
  try {
    const s = toMgrs([lon, lat], 5);
    const m = /^(\d{1,2}[A-Z])([A-Z]{2})(\d{5})(\d{5})$/.exec(s);
    return m ? `${m[1]} ${m[2]} ${m[3]} ${m[4]}` : s;
  } catch (err) {
    return '';
  }
}

/** Round a number to `digits` decimals (for compact events). */
export function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
