/* Service worker {{ version }}: app shell cached, pages network-first with a cached
   copy of what the learner opened (lessons readable offline). */
"use strict";
var SHELL = "shell-{{ version }}";
var PAGES = "pages-v1";
var OFFLINE = "/offline/";
var ASSETS = [OFFLINE{% for a in assets %}, "{{ a|escapejs }}"{% endfor %}];
var MAX_PAGES = 60;
var USAGE = "usage-v1";

// Data used this month (shown on the profile, static/js/app.js): bytes of what
// this worker fetched from the network, per month, in one small JSON entry of the
// Cache API. Content-Length when sent, else the body's size (compressed responses
// count their unpacked size, hence "about"). Updates run one after another.
var counting = Promise.resolve();
function monthKey() {
  var d = new Date();
  return "/__usage/" + d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2);
}
function count(res) {
  var len = parseInt(res.headers.get("Content-Length"), 10);
  var size = isNaN(len) ? res.clone().blob().then(function (b) { return b.size; }) : len;
  counting = counting.then(function () { return size; }).then(function (n) {
    var key = monthKey();
    return caches.open(USAGE).then(function (c) {
      return c.match(key).then(function (hit) { return hit ? hit.json() : { bytes: 0 }; })
        .then(function (u) {
          u.bytes = (u.bytes || 0) + n;
          return c.put(key, new Response(JSON.stringify(u),
            { headers: { "Content-Type": "application/json" } }));
        });
    });
  }).catch(function () {});
  return counting;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("shell-") === 0 && k !== SHELL;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function trim(cache) {
  cache.keys().then(function (keys) {
    if (keys.length > MAX_PAGES) cache.delete(keys[0]).then(function () { trim(cache); });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (res) { event.waitUntil(count(res)); return res; });
    }));
    return;
  }
  if (req.mode !== "navigate" || url.pathname.indexOf("/api/") === 0 ||
      url.pathname.indexOf("/admin/") === 0 || url.pathname.indexOf("/accounts/") === 0) return;
  event.respondWith(fetch(req).then(function (res) {
    event.waitUntil(count(res));
    // no-store (the outbox key, a private photo) is not left on the phone
    if (res.ok && !/no-store/i.test(res.headers.get("Cache-Control") || "")) {
      var copy = res.clone();
      caches.open(PAGES).then(function (c) { c.put(req, copy).then(function () { trim(c); }); });
    }
    return res;
  }).catch(function () {
    return caches.match(req).then(function (hit) { return hit || caches.match(OFFLINE); });
  }));
});

// Web push (cpd/notifications): show the notification; a tap opens its page.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (err) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "CPD", {
    body: data.body || "",
    icon: "{{ icon }}",
    data: { url: data.url || "/notifications/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data || {}).url || "/notifications/", location.origin);
  if (target.origin !== location.origin) target = new URL("/notifications/", location.origin);
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].url === target.href && "focus" in list[i]) return list[i].focus();
    }
    return self.clients.openWindow(target.href);
  }));
});
