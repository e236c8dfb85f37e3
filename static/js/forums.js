/* Forums: posting that survives a flaky network. Pages work without this file.
   Forms marked data-outbox carry an idempotency key, so sending twice is safe:
   the server returns the post made first. Offline, the text waits in an outbox
   (localStorage) and is sent once the network returns. */
(function () {
  "use strict";
  var BOX = "forums-outbox";
  function load() { try { return JSON.parse(localStorage.getItem(BOX)) || []; } catch (e) { return []; } }
  function save(items) { try { localStorage.setItem(BOX, JSON.stringify(items)); } catch (e) { /* full */ } }
  function say(text) { var live = document.getElementById("live"); if (live) live.textContent = text; }

  function send(item) {
    var body = new URLSearchParams(item.fields);
    return fetch(item.action, { method: "POST", body: body, credentials: "same-origin", redirect: "follow" })
      .then(function (r) { if (!r.ok && r.status !== 400) throw new Error(r.status); return r; });
  }

  function flush() {
    var items = load();
    if (!items.length || !navigator.onLine) return;
    var item = items[0];
    send(item).then(function () {
      save(load().filter(function (i) { return i.key !== item.key; }));
      say(document.documentElement.lang === "en" ? "Your saved post was sent." : "✓");
      flush();
    }).catch(function () { /* try again on the next online event */ });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-outbox")) return;
    var button = form.querySelector("button[type=submit]");
    var file = form.querySelector("input[type=file]");
    if (!navigator.onLine && !(file && file.files.length)) {
      e.preventDefault();
      var fields = [];
      new FormData(form).forEach(function (v, k) { if (typeof v === "string") fields.push([k, v]); });
      var key = form.querySelector("[name=idempotency_key]");
      var id = key ? key.value : String(Date.now());
      var items = load().filter(function (i) { return i.key !== id; });
      items.push({ action: form.action, fields: fields, key: id });
      save(items);
      say(form.getAttribute("data-offline-msg") || "Offline: your post is saved and will be sent when you are back online.");
      return;
    }
    // Block double taps; the key makes a real resubmit harmless anyway.
    if (button) { setTimeout(function () { button.disabled = true; }, 0); }
  });
  window.addEventListener("online", flush);
  flush();
})();
