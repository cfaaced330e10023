// Loaded by index.html before main.js (a separate file: the page's CSP runs no
// inline script). Streamlit shows a component's frame only once it has said
// componentReady, so this says it at once: the frame, and index.html's loading
// indicator in it, show while main.js is still on its way. Render messages that
// arrive before main.js runs are kept in window.__nfzEarly for it (streamlit.js).
(function () {
  var early = [];
  window.__nfzEarly = early;
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent) return;
    var data = event.data;
    if (data && data.type === 'streamlit:render' && window.__nfzEarly === early) early.push(data.args || {});
  });
  window.parent.postMessage({isStreamlitMessage: true, type: 'streamlit:componentReady', apiVersion: 1}, '*');
})();
