/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form on change.
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });

  // Per-user notification socket with heartbeat and backoff reconnect.
  var path = document.body.getAttribute("data-ws");
  if (!path || !window.WebSocket) return;
  var url = /^wss?:/.test(path) ? path
    : (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  var live = document.getElementById("live");
  var delay = 1000, beat = null;

  function show(text) { if (live) live.textContent = text; }

  function connect() {
    var ws = new WebSocket(url);
    ws.onopen = function () {
      delay = 1000;
      // Carrier NATs drop idle connections after about a minute.
      beat = setInterval(function () { ws.send('{"kind":"ping"}'); }, 25000);
    };
    ws.onmessage = function (m) {
      var ev; try { ev = JSON.parse(m.data); } catch (err) { return; }
      if (ev.kind === "membership.created") show(ev.cohort);
    };
    ws.onclose = function (e) {
      clearInterval(beat);
      if (e.code === 4401) return;
      setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, 60000);
    };
  }
  connect();
})();
