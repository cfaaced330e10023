// The timeline's periods: calendar months or ISO weeks (Monday to Sunday), from
// the period of the earliest date to that of the latest, with no gap and no
// overlap, so every date lies in exactly one. Pure: no DOM (tests/test_map_cluster.py
// runs it under node). Dates are "YYYY-MM-DD" text (the incidents' `date`);
// anything else is no date.

export const STEPS = Object.freeze(['week', 'month']);
const DAY_MS = 86400000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a "YYYY-MM-DD" date, or null when it is none (or invalid). */
export function dayNumber(text) {
  const m = DATE_RE.exec(typeof text === 'string' ? text.trim().slice(0, 10) : '');
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return Math.round(t / DAY_MS);
}

/** "YYYY-MM-DD" of a day number. */
export function dateOf(day) {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/**
 * The period (step "week" or "month") holding `date` ("YYYY-MM-DD"):
 * {key, label, start, end} with inclusive "YYYY-MM-DD" bounds; null for no date.
 * Months: key and label "2025-09". Weeks (ISO 8601, Monday first): key "2025-W37",
 * label "2025-W37 (09-08 – 09-14)".
 */
export function periodOf(date, step) {
  const day = dayNumber(date);
  if (day === null) return null;
  const d = new Date(day * DAY_MS);
  if (step === 'month') {
    const y = d.getUTCFullYear(); const m = d.getUTCMonth();
    const start = Math.round(Date.UTC(y, m, 1) / DAY_MS);
    const end = Math.round(Date.UTC(y, m + 1, 1) / DAY_MS) - 1;
    const key = `${pad(y, 4)}-${pad(m + 1)}`;
    return {key, label: key, start: dateOf(start), end: dateOf(end)};
  }
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  const monday = day - weekday;
  const thursday = new Date((monday + 3) * DAY_MS); // the ISO week-year is the Thursday's year
  const year = thursday.getUTCFullYear();
  const week = Math.floor((monday + 3 - Math.round(Date.UTC(year, 0, 1) / DAY_MS)) / 7) + 1;
  const start = dateOf(monday); const end = dateOf(monday + 6);
  const key = `${pad(year, 4)}-W${pad(week)}`;
  return {key, label: `${key} (${start.slice(5)} – ${end.slice(5)})`, start, end};
}

/** The period right after `period` (same step). */
export function nextPeriod(period, step) {
  return periodOf(dateOf(dayNumber(period.end) + 1), step);
}

/**
 * Every period from the one holding the earliest of `dates` to the one holding the
 * latest, in order ([] when no date is valid).
 */
export function periodsFor(dates, step) {
  const days = dates.map(dayNumber).filter((d) => d !== null);
  if (!days.length) return [];
  let lo = days[0]; let hi = days[0];
  for (const d of days) { if (d < lo) lo = d; if (d > hi) hi = d; }
  const last = periodOf(dateOf(hi), step);
  const out = [periodOf(dateOf(lo), step)];
  while (out[out.length - 1].key !== last.key) out.push(nextPeriod(out[out.length - 1], step));
  return out;
}

/** The index in `periods` of the period holding `date`, else -1. */
export function periodIndex(periods, date) {
  if (dayNumber(date) === null) return -1;
  return periods.findIndex((p) => p.start <= date && date <= p.end);
}
