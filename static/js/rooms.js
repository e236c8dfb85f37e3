/* Case room client: live over a WebSocket, HTTP polling when that fails. The page
   works without this file (post form + "Load new messages"). */
(function () {
  "use strict";
  var list = document.getElementById("room-messages");
  if (!list) return;
  var form = document.getElementById("room-form");
  var status = document.getElementById("room-status");
  var jump = document.getElementById("room-jump");
  var notice = document.getElementById("room-error");  // near the form
  var live = document.getElementById("live");          // the page's polite live region
  var here = document.getElementById("room-here");
  var last = parseInt(list.getAttribute("data-last"), 10) || 0;
  var me = list.getAttribute("data-me");
  var ws = null, delay = 1000, beat = null, opened = false, fails = 0, poller = null, unseen = 0;
  var retry = null;
  // Refusals worth waiting out: the message stays pending and is sent again later.
  // Every other refusal means the message itself is invalid: it is dropped.
  var TRANSIENT = { slow_down: 1, rate_limited: 1, server_error: 1 };
  var PENDING = "cpd-room-" + list.getAttribute("data-room");

  function setStatus(key) { status.textContent = status.getAttribute("data-" + key); }
  function nearBottom() { return window.innerHeight + window.scrollY > document.body.scrollHeight - 150; }
  function newKey() {
    var a = new Uint8Array(16); (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function render(m) {
    var li = document.createElement("li");
    li.id = "m" + m.seq; li.className = "rmsg" + (String(m.author_id) === me ? " mine" : "");
    var meta = document.createElement("span"); meta.className = "muted";
    var who = document.createElement("strong"); who.textContent = m.author || "";
    meta.appendChild(who);
    meta.appendChild(document.createTextNode(" · " + new Date(m.created_at).toTimeString().slice(0, 5)));
    li.appendChild(meta);
    var body = document.createElement("div"); body.className = "body";
    if (m.hidden) { body.textContent = list.getAttribute("data-hidden-text"); }
    else { body.innerHTML = m.html; }  // sanitised on the server (nh3) when stored
    li.appendChild(body);
    return li;
  }

  function add(m) {
    if (m.seq <= last) return;        // already shown: never a duplicate
    var stick = nearBottom();
    var empty = document.getElementById("room-empty"); if (empty) empty.remove();
    list.appendChild(render(m)); last = m.seq;
    if (stick) { window.scrollTo(0, document.body.scrollHeight); }
    else { unseen += 1; jump.hidden = false; jump.textContent = "↓ " + unseen; }
  }

  function handle(ev) {
    if (ev.kind === "history") { ev.messages.forEach(add); }
    else if (ev.kind === "message") {
      if (ev.seq > last + 1) { send({ kind: "resume", after: last }); } else { add(ev); }
    } else if (ev.kind === "hidden") {
      var li = document.getElementById("m" + ev.seq);
      if (li) li.querySelector(".body").textContent = list.getAttribute("data-hidden-text");
    } else if (ev.kind === "state") { location.reload(); }
    else if (ev.kind === "presence" && here) { presence(ev); }
    else if (ev.kind === "ack") { done(ev.client_key); tell(""); }
    else if (ev.kind === "error") { refused(ev.code, ev.client_key, ev.message, ev.retry_after); }
  }

  // Presence: the joiner gets "here" (up to 50 names) once, then every couple of
  // seconds a frame with the count and who joined or left since the last one.
  var people = {};
  function presence(ev) {
    if (ev.here) { people = {}; ev.here.forEach(function (n) { people[n] = 1; }); }
    (ev.joined || []).forEach(function (n) { people[n] = 1; });
    (ev.left || []).forEach(function (n) { delete people[n]; });
    var names = Object.keys(people).sort().slice(0, 50), more = ev.count - names.length;
    here.textContent = "● " + ev.count + " · " + names.join(", ") + (more > 0 ? " +" + more : "");
  }

  function send(obj) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; } return false; }

  // --- outgoing: every message keeps its key until the server confirms it -----------
  function pending() { try { return JSON.parse(localStorage.getItem(PENDING)) || []; } catch (e) { return []; } }
  function keep(items) { try { localStorage.setItem(PENDING, JSON.stringify(items)); } catch (e) {} }
  function done(key) { keep(pending().filter(function (p) { return p.client_key !== key; })); }
  function tell(text) {
    if (notice) { notice.textContent = text; notice.hidden = !text; }
    if (live && text) live.textContent = text;
  }
  function later(seconds) {
    if (retry) return;
    retry = setTimeout(function () { retry = null; flush(); }, Math.max(1, seconds || 5) * 1000);
  }
  // The server refused a message (socket error event, or the HTTP post's 4xx).
  function refused(code, key, text, wait) {
    if (TRANSIENT[code]) { tell(text); later(wait); return; }
    if (typeof key === "string") {
      var item = pending().filter(function (p) { return p.client_key === key; })[0];
      done(key);  // never resent: it would be refused again on every reconnect
      // Give the words back so they can be fixed, unless something new is typed.
      if (item && form && !form.elements.body.value) form.elements.body.value = item.body;
    }
    tell(text);
  }
  function formErrors(j) {
    var out = [];
    Object.keys((j && j.errors) || {}).forEach(function (f) {
      j.errors[f].forEach(function (e) { out.push(e.message); });
    });
    return out.join(" ");
  }

  function deliver(item) {
    if (send({ kind: "message", body: item.body, client_key: item.client_key, reply_to: item.reply_to })) return;
    var data = new FormData(form);
    data.set("body", item.body); data.set("client_key", item.client_key);
    data.set("reply_to", item.reply_to || ""); data.delete("image");
    fetch(list.getAttribute("data-post"), { method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (j) { return [r.status, j, r.headers.get("Retry-After")]; });
      })
      .then(function (res) {
        if (res[0] === 201) { done(item.client_key); add(res[1]); tell(""); }
        else if (res[0] === 429) {  // kept, with the wait; sent again after it
          refused("rate_limited", item.client_key, formErrors(res[1]), parseInt(res[2], 10));
        } else if (res[0] === 400) { refused("invalid", item.client_key, formErrors(res[1])); }
      }).catch(function () { /* stays pending; retried on reconnect */ });
  }
  function flush() { pending().forEach(deliver); }

  if (form) {
    form.addEventListener("submit", function (e) {
      var file = form.elements.image;
      if (file && file.files.length) return;  // photos go by a plain form post
      e.preventDefault();
      var text = form.elements.body.value.trim();
      if (!text) return;
      var reply = parseInt(form.elements.reply_to.value, 10) || null;
      var item = { body: text, client_key: form.elements.client_key.value, reply_to: reply };
      var items = pending(); items.push(item); keep(items);
      form.elements.body.value = ""; form.elements.client_key.value = newKey();
      form.elements.reply_to.value = "";
      var note = document.getElementById("room-replying"); if (note) note.remove();
      deliver(item);
    });
  }
  jump.addEventListener("click", function () {
    unseen = 0; jump.hidden = true; window.scrollTo(0, document.body.scrollHeight);
  });
  window.addEventListener("scroll", function () { if (nearBottom()) { unseen = 0; jump.hidden = true; } });

  // --- incoming: socket with backoff, or polling by last id -------------------------
  function poll() {
    fetch(list.getAttribute("data-poll") + "?after=" + last, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) { j.messages.forEach(add); flush(); }).catch(function () {});
  }
  function startPolling() {
    if (poller) return;
    setStatus("polling"); poll(); poller = setInterval(poll, 5000);
  }

  function connect() {
    if (!window.WebSocket) { startPolling(); return; }
    var path = list.getAttribute("data-ws") + "?after=" + last;
    var url = /^wss?:/.test(path) ? path : (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
    ws = new WebSocket(url);
    ws.onopen = function () {
      opened = true; fails = 0; delay = 1000; setStatus("online");
      if (poller) { clearInterval(poller); poller = null; }
      beat = setInterval(function () { send({ kind: "ping" }); }, 25000);
      flush();
    };
    ws.onmessage = function (m) { try { handle(JSON.parse(m.data)); } catch (e) {} };
    ws.onclose = function (e) {
      clearInterval(beat); ws = null;
      if (e.code === 4401 || e.code === 4404) return;
      fails += 1;
      if (!opened && fails >= 3) { startPolling(); }
      else { setStatus("offline"); }
      setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, 30000);
    };
  }
  window.addEventListener("online", flush);
  connect();
})();
