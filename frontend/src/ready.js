// Loaded by index.html before main.js (a separate file: the page's CSP runs no
// inline script). Streamlit shows a component's frame only once it has said
// componentReady, so this says it at once: the frame, and index.html's loading
// indicator in it, show while main.js is still on its way. Render messages that
// arrive before main.js runs are kept in window.__nfzEarly for it (streamlit.js).
//
// The static layer files the first render names are fetched here too, while main.js
// is still loading (from Cache Storage when there, as store.js would): their promises
// wait in window.__nfzPrefetch (url -> Promise of {bytes, cached}) for store.js.
(function () {
  var early = [];
  var prefetched = {};
  window.__nfzEarly = early;
  window.__nfzPrefetch = prefetched;
  var CACHE_NAME = 'nfz-map-layers-v1'; // store.js CACHE_NAME
  var CACHE_WAIT_MS = 300; // store.js CACHE_WAIT_MS

  function fromCache(abs) {
    var lookup;
    try { // reading window.caches can throw (a sandboxed frame): then the network
      if (!window.caches) return Promise.resolve(null);
      lookup = window.caches.open(CACHE_NAME);
    } catch (err) {
      return Promise.resolve(null);
    }
    lookup = lookup
      .then(function (cache) { return cache.match(abs); })
      .then(function (hit) { return hit ? hit.arrayBuffer() : null; })
      .catch(function () { return null; });
    var late = new Promise(function (resolve) { setTimeout(function () { resolve(null); }, CACHE_WAIT_MS); });
    return Promise.race([lookup, late]);
  }

  function load(url) {
    var abs = new URL(url, document.baseURI).href;
    return fromCache(abs).then(function (bytes) {
      if (bytes) return {bytes: bytes, cached: true};
      return fetch(abs, {credentials: 'same-origin'}).then(function (response) {
        if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
        return response.arrayBuffer().then(function (b) { return {bytes: b, cached: false}; });
      });
    });
  }

  function prefetch(args) {
    var spec = args.spec;
    try { if (typeof spec === 'string') spec = JSON.parse(spec); } catch (err) { return; }
    var layers = (spec && spec.layers) || [];
    for (var i = 0; i < layers.length; i++) {
      var url = layers[i] && layers[i].data;
      if (typeof url !== 'string' || url.indexOf('blob:') === 0 || prefetched[url]) continue;
      try {
        prefetched[url] = load(url);
      } catch (err) { // e.g. Cache Storage refused outright: store.js loads it itself
        continue;
      }
      prefetched[url].catch(function () { /* store.js fetches it again and reports */ });
    }
  }

  window.addEventListener('message', function (event) {
    if (event.source !== window.parent) return;
    var data = event.data;
    if (data && data.type === 'streamlit:render' && window.__nfzEarly === early) {
      early.push(data.args || {});
      if (early.length === 1) prefetch(data.args || {});
    }
  });
  window.parent.postMessage({isStreamlitMessage: true, type: 'streamlit:componentReady', apiVersion: 1}, '*');
})();
