// The Streamlit v1 component protocol over postMessage, without React or
// streamlit-component-lib: one "ready" message, "render" messages in, values
// and the frame height out.

function send(type, data) {
  window.parent.postMessage({isStreamlitMessage: true, type, ...data}, '*');
}

/**
 * Tell Streamlit the iframe is ready for `streamlit:render` messages, unless ready.js
 * (loaded by index.html before the bundle) has said so already.
 */
const saidReady = Array.isArray(window.__nfzEarly); // by ready.js, before this bundle ran

export function componentReady() {
  if (saidReady) return;
  send('streamlit:componentReady', {apiVersion: 1});
}

/** Set the component's value (a JSON-serialisable object); Streamlit reruns. */
export function setComponentValue(value) {
  send('streamlit:setComponentValue', {value, dataType: 'json'});
}

let lastHeight = null;

/** Set the iframe's height in CSS pixels (sent only when it changes). */
export function setFrameHeight(height) {
  if (!Number.isFinite(height) || height === lastHeight) return;
  lastHeight = height;
  send('streamlit:setFrameHeight', {height});
}

/** Call `callback(args)` for every `streamlit:render` message from the parent page. */
export function onRender(callback) {
  const early = window.__nfzEarly; // render messages ready.js kept before the bundle ran
  if (Array.isArray(early)) {
    window.__nfzEarly = null;
    // each render carries the whole args: the last one is the state now
    if (early.length) setTimeout(() => callback(early[early.length - 1]), 0);
  }
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent) return;
    const data = event.data;
    if (!data || data.type !== 'streamlit:render') return;
    callback(data.args || {});
  });
}
