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
  // check-ins) carry an idempotency key, so sending one twice is harmless. They
  // are sent with fetch and a timeout (data-outbox-timeout, 15 s): a phone that
  // claims a network it does not have ("lie-fi"), or no network, keeps the entry
  // in IndexedDB, photo included, to send once the network returns. Each entry
  // belongs to its writer: the page's data-outbox-user (cpd.context_processors.
  // outbox_user_id), so on a shared phone nobody else sees or sends it, and its
  // content is sealed with AES-GCM under the writer's key (GET /outbox/key/,
  // kept as a non-extractable CryptoKey until sign-out). An entry's state says
  // why it waits: offline, signin, busy (429), error (5xx), refused (another 4xx,
  // with the server's message, shown again on the page it came from with the
  // form refilled). The outbox page (/outbox/) lists them.
  var body = doc.body, ME = "cpd-outbox-me", flushing = false;
  function t(name) { return body.getAttribute("data-outbox-" + name) || ""; }
  function noop() {}
  var me = body.getAttribute("data-outbox-user"), offlinePage = body.hasAttribute("data-offline-page");
  try {  // the cached offline page names nobody: it acts for the last page's user
    var last = localStorage.getItem(ME);
    // Someone else, or no one, now holds the phone (a session that ended
    // without signing out): the last user's saved pages go, as on sign-out.
    if (last && !offlinePage && last !== me && window.caches) caches.delete("pages-v1");
    if (me) localStorage.setItem(ME, me);
    else if (offlinePage) me = last;
    else localStorage.removeItem(ME);
  } catch (e) {}

  function db(store, mode, fn) {
    return new Promise(function (ok, ko) {
      var open = window.indexedDB ? indexedDB.open("cpd-outbox", 2) : null;
      if (!open) return ko(new Error("no IndexedDB"));
      open.onupgradeneeded = function () {
        var names = open.result.objectStoreNames;
        if (!names.contains("entries")) open.result.createObjectStore("entries", { keyPath: "id" });
        if (!names.contains("keys")) open.result.createObjectStore("keys", { keyPath: "user" });
      };
      open.onerror = function () { ko(open.error); };
      open.onsuccess = function () {
        var conn = open.result, tx = conn.transaction(store, mode), req = fn(tx.objectStore(store));
        tx.oncomplete = function () { conn.close(); ok(req && req.result); };
        tx.onerror = tx.onabort = function () { conn.close(); ko(tx.error); };
      };
    });
  }
  function bytes(b64) {
    var raw = atob(b64.replace(/-/g, "+").replace(/_/g, "/")), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  // fetch that gives up after data-outbox-timeout ms: a hung network is no
  // network. A body of `size` bytes gets one more second per data-outbox-rate
  // bytes (2 KB/s, a poor 2G uplink), so a photo on a slow but working link is
  // not cut off on every try.
  function timed(url, opts, size) {
    var ctl = window.AbortController && new AbortController();
    var ms = (+t("timeout") || 15000) + 1000 * (size || 0) / (+t("rate") || 2048);
    if (ctl) setTimeout(function () { ctl.abort(); }, ms);
    opts.credentials = "same-origin";
    opts.signal = ctl ? ctl.signal : undefined;
    return fetch(url, opts);
  }

  // Sealed at rest: an entry's fields, photos, page and message are encrypted
  // (AES-GCM, a fresh IV per part, the entry's id as associated data) under the
  // user's key; only the id, user, time and state are stored in clear. The key
  // is kept per user and removed when that user signs out or someone else's
  // page opens, so another person on the phone cannot read the entries.
  var subtle = window.TextEncoder && window.crypto && crypto.subtle, keyP = null;
  var utf8 = subtle && new TextEncoder();
  function forget(keep) {  // every key but the one of `keep`
    return db("keys", "readwrite", function (s) {
      var c = s.openCursor();
      c.onsuccess = function () {
        if (!c.result) return;
        if (c.result.key !== keep) c.result.delete();
        c.result.continue();
      };
    }).catch(noop);
  }
  function myKey() {
    if (!me || !subtle) return Promise.resolve(null);
    keyP = keyP || db("keys", "readonly", function (s) { return s.get(me); }).then(function (r) {
      if (r) return r.key;
      return timed("/outbox/key/", { cache: "no-store" }).then(function (res) { return res.json(); })
        .then(function (j) {
          return j.user === me && subtle.importKey("raw", bytes(j.key), "AES-GCM", false, ["encrypt", "decrypt"]);
        }).then(function (k) {
          return k && db("keys", "readwrite", function (s) { s.put({ user: me, key: k }); })
            .then(function () { return k; });
        });
    }).catch(noop).then(function (k) { if (!k) keyP = null; return k; });
    return keyP;
  }
  function aes(k, how, iv, id, data) {
    return subtle[how]({ name: "AES-GCM", iv: iv, additionalData: utf8.encode(id) }, k, data);
  }
  function seal(e) {
    return myKey().then(function (k) {
      if (!k) return e;  // no key yet (never online since sign-in): kept clear, sealed on a later page
      var inner = { key: e.key, action: e.action, fields: e.fields, from: e.from, what: e.what,
        message: e.message, files: e.files.map(function (f) { return [f[0], f[2], f[1].type]; }) };
      var parts = [utf8.encode(JSON.stringify(inner))].concat(e.files.map(function (f) { return new Response(f[1]).arrayBuffer(); }));
      return Promise.all(parts.map(function (part) {
        var iv = crypto.getRandomValues(new Uint8Array(12));
        return Promise.resolve(part).then(function (data) { return aes(k, "encrypt", iv, e.id, data); })
          .then(function (c) { return [iv, c]; });
      })).then(function (box) { return { id: e.id, user: e.user, at: e.at, state: e.state, box: box }; });
    });
  }
  function unseal(r) {
    if (!r.box) return Promise.resolve(r);
    return myKey().then(function (k) {
      return k && Promise.all(r.box.map(function (p) { return aes(k, "decrypt", p[0], r.id, p[1]); }));
    }).then(function (parts) {
      if (!parts) return null;
      var e = JSON.parse(new TextDecoder().decode(parts[0]));
      e.files = e.files.map(function (f, i) { return [f[0], new Blob([parts[i + 1]], { type: f[2] }), f[1]]; });
      e.id = r.id; e.user = r.user; e.at = r.at; e.state = r.state;
      return e;
    }).catch(function () { return null; });
  }
  function mine() {
    if (!me) return Promise.resolve([]);
    return db("entries", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return Promise.all(all.filter(function (r) { return r.user === me; }).map(function (r) {
        return unseal(r).then(function (e) {
          // kept clear (no key then, or saved before sealing): sealed now
          if (e && !r.box) myKey().then(function (k) { if (k) put(e); }).catch(noop);
          return e;
        });
      }));
    }).then(function (list) {
      return list.filter(Boolean).sort(function (a, b) { return a.at - b.at; });
    }, function () { return []; });
  }
  function put(e) {
    return seal(e).then(function (r) { return db("entries", "readwrite", function (s) { return s.put(r); }); });
  }
  function drop(id) { return db("entries", "readwrite", function (s) { return s.delete(id); }); }
  function entry(action, fields, files, key, what) {
    return { id: me + " " + key, user: me, key: key, action: action, fields: fields, files: files,
      from: location.pathname + location.search, at: Date.now(), state: "offline", message: "",
      what: what || doc.title.split(" · ")[0] };
  }
  function field(e, name) {
    var f = e.fields.filter(function (p) { return p[0] === name; })[0];
    return f ? f[1] : "";
  }

  // The server's reason, from the page it answered with: the element marked
  // data-outbox-error, else the form's errors; a plain-text answer as it is.
  function reason(html) {
    try {
      var page = new DOMParser().parseFromString(html, "text/html");
      var els = page.querySelectorAll("[data-outbox-error], .msg.error, .errorlist");
      if (!els.length) return html.indexOf("<") < 0 ? html.trim().slice(0, 300) : "";
      return Array.prototype.map.call(els, function (el) {
        return el.textContent.replace(/\s+/g, " ").trim();
      }).join(" ");
    } catch (err) { return ""; }
  }

  // A token saved before the learner signed in again is stale (Django's CSRF
  // failure page, templates/403_csrf.html): the small offline page carries a
  // fresh one, so fetch it and retry once.
  function freshToken() {
    return timed("/offline/", { cache: "no-store" })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        var m = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        return m ? m[1] : "";
      });
  }

  function keep(e, state, message) {
    e.state = state;
    e.message = message;
    return put(e).then(function () {
      if (state === "signin") say(t("signin"));
      if (state === "refused") say(t("refused") + " " + message);
      return state === "refused" ? "next" : "stop";
    });
  }

  // Lie-fi fires no "online" event: what the network dropped is tried again by
  // itself, after 30 s, then 1, 2 ... 10 min.
  var backoff = 30000, retry = 0;
  function later() {
    if (retry || !navigator.onLine) return;  // offline: the online event sends it
    retry = setTimeout(function () { retry = 0; flush(); }, backoff);
    backoff = Math.min(backoff * 2, 600000);
  }

  // What the form's own submit would have shown: the page it was sent on to
  // (cpd.middleware.OutboxRedirectMiddleware: X-Outbox-Location), or the page
  // answered; the socket is closed first, as leaving the page would.
  function follow(res, to) {
    hush();
    if (to) {
      // only within this site, as the form itself (CSP form-action 'self'):
      // elsewhere, the page it was written on opens again
      var there = null;
      try { there = new URL(to, location.href); } catch (err) {}
      return location.assign(there && there.origin === location.origin ? there.href : location.href.split("#")[0]);
    }
    if (res.redirected) return location.assign(res.url);
    return res.text().then(function (html) {
      history.pushState(null, "", res.url);
      doc.open();
      doc.write(html);
      doc.close();
    }, function () { location.assign(res.url); });
  }

  // Resolves "next" when the entry is settled (sent or refused), "stop" to keep
  // it and the ones after it for later, "offline" when the network failed.
  // `live`: sent from the form just now, so a success shows the server's page.
  function send(e, retried, live) {
    var data = new URLSearchParams(e.fields);
    if (e.files.length) {
      data = new FormData();
      e.fields.forEach(function (f) { data.append(f[0], f[1]); });
      e.files.forEach(function (f) { data.append(f[0], f[1], f[2]); });
    }
    var opts = { method: "POST", body: data, headers: live ? { "X-Outbox": "1" } : {} };
    var size = e.files.reduce(function (n, f) { return n + f[1].size; }, 0) +
      e.fields.reduce(function (n, f) { return n + f[0].length + f[1].length; }, 0);
    return timed(e.action, opts, size).then(function (res) {
      var to = res.headers.get("X-Outbox-Location");
      if (/\/accounts\/login\//.test(to || (res.redirected && res.url))) return keep(e, "signin", "");
      if (res.ok) {
        backoff = 30000;
        return drop(e.id).catch(noop).then(function () {
          if (live) return follow(res, to);
          say(t("sent"));
          return "next";
        });
      }
      return res.text().then(function (html) {
        if (res.status === 403 && html.indexOf("data-csrf-failure") >= 0 && !retried) {
          return freshToken().then(function (token) {
            if (!token) return keep(e, "error", "");
            e.fields = e.fields.filter(function (f) { return f[0] !== "csrfmiddlewaretoken"; })
              .concat([["csrfmiddlewaretoken", token]]);
            return send(e, true, live);
          });
        }
        if (res.status === 429 || res.status >= 500) {
          var wait = parseInt(res.headers.get("Retry-After"), 10);
          if (wait > 0 && wait <= 900) setTimeout(flush, wait * 1000);
          return keep(e, res.status === 429 ? "busy" : "error", res.status === 429 ? reason(html) : "");
        }
        return keep(e, "refused", reason(html) || t("refused-unknown"));
      });
    }).catch(function () {
      later();
      return keep(e, "offline", "").then(function () { return "offline"; });
    });
  }

  var rerun = false;
  function flush() {
    if (flushing) rerun = true;
    if (flushing || !me || !navigator.onLine) return Promise.resolve();
    flushing = true;
    rerun = false;
    return mine().then(function (list) {
      list = list.filter(function (e) { return e.state !== "refused"; });
      return (function next(i) {
        if (i < list.length) {
          return send(list[i], false).then(function (r) { if (r === "next") return next(i + 1); });
        }
      })(0);
    }).catch(function () {}).then(function () {
      flushing = false;
      return rerun ? flush() : render();
    });
  }

  function el(tag, text, cls) {
    var n = doc.createElement(tag);
    if (text) n.textContent = text;
    if (cls) n.className = cls;
    return n;
  }

  // A refused entry, back on the page it came from: the server's message, and
  // the form refilled (photo included) so the learner can correct and resend.
  function showRefused(list) {
    var old = doc.getElementById("outbox-refused"), main = doc.getElementById("main");
    if (old) old.parentNode.removeChild(old);
    var e = list.filter(function (x) {
      return x.state === "refused" && x.from.split("?")[0] === location.pathname;
    })[0];
    if (!e || !main) return;
    var box = el("div", "", "msg error");
    box.id = "outbox-refused";
    box.setAttribute("role", "alert");
    box.appendChild(el("p", t("refused") + " " + e.message));
    var form = Array.prototype.filter.call(doc.querySelectorAll("form[data-outbox]"),
      function (f) { return f.action === e.action; })[0];
    if (form && !form.hasAttribute("data-outbox-again")) {
      Array.prototype.forEach.call(form.elements, function (input) {
        if (!input.name || input.name === "csrfmiddlewaretoken") return;
        var values = e.fields.filter(function (f) { return f[0] === input.name; })
          .map(function (f) { return f[1]; });
        if (input.type === "checkbox" || input.type === "radio") {
          input.checked = values.indexOf(input.value) >= 0;
        } else if (input.type === "file") {
          var photos = e.files.filter(function (f) { return f[0] === input.name; });
          if (photos.length && window.DataTransfer) {
            var dt = new DataTransfer();
            photos.forEach(function (f) { dt.items.add(new File([f[1]], f[2], { type: f[1].type })); });
            input.files = dt.files;
          }
        } else if (values.length && input.type !== "submit") {
          input.value = values[0];
        }
      });
      form.setAttribute("data-outbox-again", e.id);
      box.appendChild(el("p", t("fix")));
    }
    main.insertBefore(box, main.firstChild);
  }

  // The outbox page (templates/offline/outbox.html): what waits, why, and
  // buttons to send it now or discard it.
  function showList(list) {
    var ul = doc.getElementById("outbox"), empty = doc.getElementById("outbox-empty");
    if (!ul) return;
    ul.textContent = "";
    ul.hidden = !list.length;
    empty.hidden = !!list.length;
    list.forEach(function (e, i) {
      var li = el("li", "", "card"), what = el("strong", field(e, "title") || field(e, "body").slice(0, 120) || e.what || e.from);
      what.id = "outbox-" + i;  // names the entry the buttons act on
      li.appendChild(el("p")).appendChild(what);
      var why = ul.getAttribute("data-" + e.state) || "";
      li.appendChild(el("p", e.message ? why + " " + e.message : why, "muted"));
      if (e.files.length) li.appendChild(el("p", ul.getAttribute("data-photo")));
      var p = el("p", "", "actions"), a = el("a", ul.getAttribute("data-open"));
      a.href = e.from;
      p.appendChild(a);
      var retry = el("button", ul.getAttribute("data-retry"));
      retry.type = "button";
      retry.addEventListener("click", function () {  // a refused one is tried once more too
        e.state = "offline";
        put(e).then(flush);
      });
      var discard = el("button", ul.getAttribute("data-discard"), "secondary");
      discard.type = "button";
      discard.addEventListener("click", function () {
        drop(e.id).then(function () { say(ul.getAttribute("data-discarded")); render(); });
      });
      [retry, discard].forEach(function (b) {
        b.setAttribute("aria-describedby", what.id);
        p.appendChild(b);
      });
      li.appendChild(p);
      ul.appendChild(li);
    });
  }

  function render() {
    return mine().then(function (list) {
      var count = doc.getElementById("outbox-count");
      if (count) count.textContent = list.length ? " (" + list.length + ")" : "";
      showRefused(list);
      showList(list);
    });
  }

  // A QR code scanned with no signal: the service worker answers the scanned
  // URL with the offline page, so the check-in is queued from the URL itself.
  // The server checks the code's signature and window when it arrives.
  var here = /^\/courses\/sessions\/(\d+)\/here\/$/.exec(location.pathname);
  var offlineCheckin = doc.getElementById("offline-checkin");
  var ready = Promise.resolve();
  if (here && offlineCheckin && me) {
    var q = new URLSearchParams(location.search), w = q.get("w"), s = q.get("s");
    var token = doc.querySelector("input[name=csrfmiddlewaretoken]");
    if (w && s) {
      var ckey = "checkin-" + here[1] + "-" + w;
      ready = put(entry(location.pathname, [["w", w], ["s", s], ["client_key", ckey],
        ["csrfmiddlewaretoken", token ? token.value : ""]], [], ckey,
        offlineCheckin.getAttribute("data-what"))).then(function () {
        offlineCheckin.hidden = false;  // role=status: read out as it appears
      }, function () {});
    }
  }

  // The button that submits, for browsers without SubmitEvent.submitter
  // (Safari < 15.4, Chrome < 81); Enter in a field clicks the default button too.
  var tapped = null;
  doc.addEventListener("click", function (e) {
    var b = e.target && e.target.closest ? e.target.closest("button, input[type=submit], input[type=image]") : null;
    tapped = b && b.form && (b.type === "submit" || b.type === "image") ? b : null;
  }, true);

  doc.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (/\/accounts\/logout\/$/.test(form.action)) {
      // a shared phone must not show the last user's pages, nor keep their key;
      // the outbox keeps their entries, sealed, under their own id
      if (window.caches) caches.delete("pages-v1");
      try { localStorage.removeItem(ME); } catch (e) {}
      forget(null);
    }
    if (!form.hasAttribute("data-outbox")) return;
    var again = form.getAttribute("data-outbox-again");
    var button = form.querySelector("button[type=submit]");
    // Block double taps; the key makes a real resubmit harmless anyway.
    if (button) setTimeout(function () { button.disabled = true; }, 0);
    // no one to keep it for, no way to time out, or no way to read the form
    // (FormData.forEach: Safari 11.1): the browser sends it itself
    if (!me || (navigator.onLine && !window.AbortController) || !FormData.prototype.forEach) return;
    ev.preventDefault();
    // a second tap before the button is disabled (input runs before timers)
    if (form.hasAttribute("data-outbox-busy")) return;
    form.setAttribute("data-outbox-busy", "");
    form.removeAttribute("data-outbox-again");
    var by = ev.submitter || (tapped && tapped.form === form ? tapped : null);
    tapped = null;
    var fields = [], files = [];  // the tapped button, as the form would send it
    new FormData(form).forEach(function (v, k) {
      if (typeof v === "string") fields.push([k, v]);
      else if (v.size) files.push([k, v, v.name]);
    });
    if (by && by.name) fields.push([by.name, by.value]);
    var action = by && by.hasAttribute("formaction") ? by.formAction : form.action;
    var k = form.querySelector("[name=idempotency_key],[name=client_key]");
    var e = entry(action, fields, files, k ? k.value : action + "#" + Date.now());
    var offline = form.getAttribute("data-offline-msg") || t("saved");
    // a corrected refusal with the same key is replaced by this entry
    var sent = again && again !== e.id ? drop(again).catch(noop) : Promise.resolve();
    sent.then(function () {
      if (!navigator.onLine) return put(e).then(function () { say(offline); });
      return send(e, false, true).then(function (r) {
        if (r === "offline") say(t("noanswer"));
        else if (r === "stop" && e.state !== "signin") say(t("later"));
      });
    }).then(render, function () { say(t("full")); }).then(idle, idle);
    function idle() {
      form.removeAttribute("data-outbox-busy");
      if (button) button.disabled = false;
    }
  });
  window.addEventListener("online", flush);

  // Entries of the localStorage outbox this one replaces are moved over once.
  if (!offlinePage) forget(me);  // signed out, or someone else's page: only theirs stays
  myKey();  // fetched while online, so what the network drops later can be sealed
  var legacy = [];
  try { legacy = JSON.parse(localStorage.getItem("cpd-outbox")) || []; } catch (e) {}
  ready.then(function () {
    return me && legacy.length ? Promise.all(legacy.map(function (o) {
      return put(entry(o.action, Array.from(new URLSearchParams(o.body)), [], o.key));
    })).then(function () { localStorage.removeItem("cpd-outbox"); }) : null;
  }).then(function () {
    localStorage.removeItem("cpd-outbox-refused");  // messages only, shown before
  }).catch(function () {}).then(function () { return render(); }).then(flush);

  // --- Per-user notification socket with heartbeat and backoff reconnect -----------
  // Web push: the settings page's button subscribes this phone (cpd/notifications).
  var pushOn = doc.getElementById("push-on");
  if (pushOn && "serviceWorker" in navigator && "PushManager" in window) {
    pushOn.hidden = false;
    pushOn.addEventListener("click", function () {
      var key = bytes(pushOn.getAttribute("data-key"));
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
  var delay = 1000, beat = null, sock = null;

  function connect() {
    var ws = sock = new WebSocket(url);
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

  // The outbox's follow() leaves the page by hand: no reconnecting.
  function hush() {
    if (!sock) return;
    sock.onclose = null;
    clearInterval(beat);
    sock.close();
  }
})();
