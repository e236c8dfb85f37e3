/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  var doc = document;

  // Selects marked data-autosubmit submit their form on change.
  doc.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });

  var live = doc.getElementById("live");
  function say(text) { if (live) live.textContent = text; }

  // --- Offline: service worker and outbox ------------------------------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }

  // Forms marked data-outbox (posts, replies, lesson completion, quiz answers)
  // carry an idempotency key, so sending one twice is harmless. Written offline,
  // they wait here (one entry per key) and are sent once the network returns.
  var KEY = "cpd-outbox";
  function load() { try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; } }
  function store(items) { try { localStorage.setItem(KEY, JSON.stringify(items)); } catch (e) {} }
  function keyOf(form) {
    var k = form.querySelector("[name=idempotency_key],[name=client_key]");
    return k ? k.value : form.action + "#" + Date.now();
  }

  function flush() {
    var items = load();
    if (!items.length || !navigator.onLine) return;
    var item = items[0];
    fetch(item.action, {
      method: "POST", body: item.body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (res) {
      if (res.status >= 500) return;  // keep it; try again on the next online event
      store(load().filter(function (i) { return i.key !== item.key; }));
      say(doc.body.getAttribute("data-outbox-sent") || "Sent.");
      flush();
    }).catch(function () {});
  }

  doc.addEventListener("submit", function (e) {
    var form = e.target;
    if (/\/accounts\/logout\/$/.test(form.action) && window.caches) {
      caches.delete("pages-v1");  // a shared phone must not show the last user's pages
    }
    if (!form.hasAttribute("data-outbox")) return;
    var file = form.querySelector("input[type=file]");
    var button = form.querySelector("button[type=submit]");
    if (navigator.onLine || (file && file.files.length)) {
      // Block double taps; the key makes a real resubmit harmless anyway.
      if (button) setTimeout(function () { button.disabled = true; }, 0);
      return;
    }
    e.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (v, k) { if (typeof v === "string") fields.push([k, v]); });
    var key = keyOf(form);
    var items = load().filter(function (i) { return i.key !== key; });
    items.push({ action: form.action, body: new URLSearchParams(fields).toString(), key: key });
    store(items);
    say(form.getAttribute("data-offline-msg") || doc.body.getAttribute("data-outbox-saved"));
  });
  window.addEventListener("online", flush);
  flush();

  // --- Per-user notification socket with heartbeat and backoff reconnect -----------
  // Web push: the settings page's button subscribes this phone (cpd/notifications).
  var pushOn = doc.getElementById("push-on");
  if (pushOn && "serviceWorker" in navigator && "PushManager" in window) {
    pushOn.hidden = false;
    pushOn.addEventListener("click", function () {
      var raw = atob(pushOn.getAttribute("data-key").replace(/-/g, "+").replace(/_/g, "/"));
      var key = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) key[i] = raw.charCodeAt(i);
      var token = doc.querySelector("input[name=csrfmiddlewaretoken]");
      navigator.serviceWorker.ready.then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      }).then(function (sub) {
        var json = sub.toJSON();
        return fetch(pushOn.getAttribute("data-url"), {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
          body: JSON.stringify({ endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth })
        });
      }).then(function (res) {
        say(pushOn.getAttribute(res.ok ? "data-done" : "data-refused"));
      }).catch(function () { say(pushOn.getAttribute("data-refused")); });
    });
  }

  var path = doc.body.getAttribute("data-ws");
  if (!path || !window.WebSocket) return;
  var url = /^wss?:/.test(path) ? path
    : (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  var delay = 1000, beat = null;

  function connect() {
    var ws = new WebSocket(url);
    ws.onopen = function () {
      delay = 1000;
      // Carrier NATs drop idle connections after about a minute.
      beat = setInterval(function () { ws.send('{"kind":"ping"}'); }, 25000);
    };
    ws.onmessage = function (m) {
      var ev; try { ev = JSON.parse(m.data); } catch (err) { return; }
      if (ev.text) say(ev.text);
      var count = doc.getElementById("bell-count");
      if (count && ev.kind === "notification.created") {
        count.textContent = String((parseInt(count.textContent, 10) || 0) + 1);
        count.hidden = false;
      }
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
