// The event queue sent back to Python as the component value:
// {seq, events: [last 20 events, oldest first]}. `seq` starts at a random
// 53-bit-safe session number so a re-mounted iframe never repeats one.
import {setComponentValue} from './streamlit.js';

const KEEP = 20;

function sessionStart() {
  const words = new Uint32Array(2);
  crypto.getRandomValues(words);
  // 20 high bits + 32 low bits: < 2**52, so 2**52 further events stay exact.
  return (words[0] & 0xfffff) * 2 ** 32 + words[1];
}

let seq = sessionStart();
const queue = [];

/** Append an event (a plain object with `type`) and send the queue to Python. */
export function emit(event) {
  seq += 1;
  queue.push({seq, ...event});
  while (queue.length > KEEP) queue.shift();
  setComponentValue({seq, events: queue.slice()});
}

/** The events sent so far (a copy), for tests and debugging. */
export function sentEvents() {
  return queue.slice();
}
