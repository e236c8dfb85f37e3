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

  // --- Data cost ------------------------------------------------------------------
  function kb(bytes) {
    return (bytes / 1024).toLocaleString(doc.documentElement.lang || undefined,
      { maximumFractionDigits: bytes < 10240 ? 1 : 0 });
  }

  // Data saver (templates/partials/photo.html): a tap puts the small photo in the
  // page; the link then opens the full size.
  doc.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a[data-photo]") : null;
    if (!a) return;
    e.preventDefault();
    var img = doc.createElement("img");
    img.className = "post-img";
    img.alt = a.getAttribute("data-alt") || "";
    if (a.getAttribute("data-width")) {
      img.width = +a.getAttribute("data-width");
      img.height = +a.getAttribute("data-height");
    }
    img.src = a.getAttribute("data-photo");
    a.removeAttribute("data-photo");
    a.className = "";
    a.href = a.getAttribute("data-full") || a.href;
    a.textContent = "";
    a.appendChild(img);
  });

  // The footer's "This page: N KB", from Navigation and Resource Timing (no
  // request). Nothing over the network means the page came from the phone.
  var cost = doc.getElementById("page-cost");
  if (cost && window.performance && performance.getEntriesByType) {
    window.addEventListener("load", function () {
      setTimeout(function () {
        var nav = performance.getEntriesByType("navigation")[0];
        if (!nav || typeof nav.transferSize !== "number") return;
        var bytes = nav.transferSize;
        performance.getEntriesByType("resource").forEach(function (r) {
          bytes += r.transferSize || 0;
        });
        cost.textContent = bytes > 0
          ? cost.getAttribute("data-cost-label").replace("{kb}", kb(bytes))
          : cost.getAttribute("data-cost-cached");
        cost.hidden = false;
      }, 0);
    });
  }

  // The profile's "used this month": the service worker's counter (templates/
  // offline/sw.js keeps it in the Cache API under /__usage/YYYY-MM).
  var use = doc.getElementById("month-use");
  if (use && window.caches) {
    var now = new Date();
    var month = "/__usage/" + now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2);
    caches.open("usage-v1").then(function (c) { return c.match(month); })
      .then(function (hit) { return hit ? hit.json() : { bytes: 0 }; })
      .then(function (u) {
        use.textContent = u.bytes > 0
          ? use.getAttribute("data-use-label").replace("{kb}", kb(u.bytes))
          : use.getAttribute("data-use-none");
        use.hidden = false;
      }).catch(function () {});
  }

  // --- Offline: service worker and outbox ------------------------------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }

  // Forms marked data-outbox (posts, replies, lesson completion, quiz answers,
  // check-ins) carry an idempotency key, so sending one twice is harmless.
  // Written offline, they wait here (one entry per key) and are sent once the
  // network returns. What the server refuses is never dropped silently: it moves
  // to a "refused" list shown on every page with the server's reason.
  var KEY = "cpd-outbox", REFUSED = "cpd-outbox-refused", flushing = false;
  function load(k) { try { return JSON.parse(localStorage.getItem(k || KEY)) || []; } catch (e) { return []; } }
  function store(items, k) { try { localStorage.setItem(k || KEY, JSON.stringify(items)); } catch (e) {} }
  function without(items, key) { return items.filter(function (i) { return i.key !== key; }); }
  function keyOf(form) {
    var k = form.querySelector("[name=idempotency_key],[name=client_key]");
    return k ? k.value : form.action + "#" + Date.now();
  }
  function queue(entry) { store(without(load(), entry.key).concat([entry])); }

  // The server's reason, from the page it answered with: the element marked
  // data-outbox-error, else the first error message or form error.
  function reason(html) {
    try {
      var page = new DOMParser().parseFromString(html, "text/html");
      var el = page.querySelector("[data-outbox-error], .msg.error, .errorlist");
      return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
    } catch (e) { return ""; }
  }

  function showRefused() {
    var refused = load(REFUSED), box = doc.getElementById("outbox-refused");
    var main = doc.getElementById("main");
    if (!refused.length || !main) { if (box) box.parentNode.removeChild(box); return; }
    if (!box) {
      box = doc.createElement("div");
      box.id = "outbox-refused";
      box.className = "msg error";
      box.setAttribute("role", "alert");
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = "";
    var head = doc.createElement("p");
    head.textContent = doc.body.getAttribute("data-outbox-refused") || "Not accepted:";
    box.appendChild(head);
    var list = doc.createElement("ul");
    refused.forEach(function (r) {
      var li = doc.createElement("li");
      li.textContent = r.message;
      list.appendChild(li);
    });
    box.appendChild(list);
    var ok = doc.createElement("button");
    ok.type = "button";
    ok.className = "secondary";
    ok.textContent = doc.body.getAttribute("data-outbox-dismiss") || "OK";
    ok.addEventListener("click", function () { store([], REFUSED); showRefused(); });
    box.appendChild(ok);
  }

  function refuse(item, message) {
    store(without(load(), item.key));
    var refused = without(load(REFUSED), item.key);
    refused.push({ key: item.key, action: item.action, at: Date.now(),
      message: message || doc.body.getAttribute("data-outbox-refused-unknown") || "Refused." });
    store(refused, REFUSED);
    say((doc.body.getAttribute("data-outbox-refused") || "") + " " + refused[refused.length - 1].message);
    showRefused();
  }

  // A token saved before the learner signed in again is stale (403): any page
  // carries a fresh one, so fetch the small offline page and retry once.
  function freshToken() {
    return fetch("/offline/", { credentials: "same-origin", cache: "no-store" })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        var m = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        return m ? m[1] : "";
      });
  }

  // Resolves "next" when the entry is settled (sent or refused), "stop" to keep it.
  function send(item, retried) {
    return fetch(item.action, {
      method: "POST", body: item.body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (res) {
      if (res.status === 403 && !retried) {
        return freshToken().then(function (token) {
          if (!token) return "stop";
          var params = new URLSearchParams(item.body);
          params.set("csrfmiddlewaretoken", token);
          item.body = params.toString();
          store(load().map(function (i) { return i.key === item.key ? item : i; }));
          return send(item, true);
        });
      }
      if (res.redirected && /\/accounts\/login\//.test(res.url)) {
        say(doc.body.getAttribute("data-outbox-signin") || "");
        return "stop";  // signed out: keep it until the learner signs in
      }
      if (res.status >= 500 || res.status === 429) return "stop";  // try again later
      if (res.status >= 400) {
        return res.text().then(function (html) { refuse(item, reason(html)); return "next"; });
      }
      store(without(load(), item.key));
      say(doc.body.getAttribute("data-outbox-sent") || "Sent.");
      return "next";
    });
  }

  function flush() {
    var items = load();
    if (!items.length || !navigator.onLine || flushing) return;
    flushing = true;
    send(items[0], false).then(function (next) {
      flushing = false;
      if (next === "next") flush();
    }, function () { flushing = false; });
  }

  // A QR code scanned with no signal: the service worker answers the scanned
  // URL with the offline page, so the check-in is queued from the URL itself.
  // The server checks the code's signature and window when it arrives.
  var here = /^\/courses\/sessions\/(\d+)\/here\/$/.exec(location.pathname);
  var offlineCheckin = doc.getElementById("offline-checkin");
  if (here && offlineCheckin) {
    var q = new URLSearchParams(location.search), w = q.get("w"), s = q.get("s");
    var token = doc.querySelector("input[name=csrfmiddlewaretoken]");
    if (w && s) {
      var ckey = "checkin-" + here[1] + "-" + w;
      queue({ action: location.pathname, key: ckey, body: new URLSearchParams([
        ["w", w], ["s", s], ["client_key", ckey], ["csrfmiddlewaretoken", token ? token.value : ""]
      ]).toString() });
      offlineCheckin.hidden = false;  // role=status: read out as it appears
    }
  }
  showRefused();

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
    queue({ action: form.action, body: new URLSearchParams(fields).toString(), key: keyOf(form) });
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
