// Performance marks for the first-paint benchmark (benchmarks/bench_map.py reads
// every `nfz:*` mark through the Performance API). Imported first by main.js, so
// `nfz:start` is set when the bundle's first line runs (after download and parse).
const done = new Set();

/** Set the mark `nfz:<name>` the first time it is reached (never again). */
export function mark(name) {
  if (done.has(name)) return;
  done.add(name);
  try { performance.mark(`nfz:${name}`); } catch (err) { /* no Performance API: nothing to mark */ }
}

mark('start');
