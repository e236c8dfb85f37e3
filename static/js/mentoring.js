/* Mentoring conversation: newest message in view, new messages by polling, safe drafts. */
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (list && list.lastElementChild && list.lastElementChild.scrollIntoView) {
    list.lastElementChild.scrollIntoView({ block: "nearest" });
  }

  // Catch up by id every 20 s while the page is visible (no gap, no duplicate).
  if (list && window.fetch && list.getAttribute("data-poll")) {
    var url = list.getAttribute("data-poll");
    var after = parseInt(list.getAttribute("data-after"), 10) || 0;
    var me = list.getAttribute("data-me");
    var poll = function () {
      if (document.hidden) return;
      fetch(url + "?after=" + after, {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (r) { return r.ok ? r.json() : []; }).then(function (items) {
        items.forEach(function (m) {
          if (m.id <= after || document.getElementById("m" + m.id)) return;
          var li = document.createElement("li");
          li.className = "message" + (m.author && String(m.author.id) === me ? " mine" : "");
          li.id = "m" + m.id;
          var who = document.createElement("span");
          who.className = "muted";
          who.textContent = (m.author ? m.author.display_name : "—");
          var body = document.createElement("div");
          body.className = "body";
          body.innerHTML = m.body_html; // sanitised on the server (nh3)
          li.appendChild(who);
          li.appendChild(body);
          if (m.image) {
            var link = document.createElement("a");
            link.href = m.image.full_url;
            var img = document.createElement("img");
            img.className = "post-img";
            img.src = m.image.small_url;
            img.alt = list.getAttribute("data-photo-alt") || "";
            img.loading = "lazy";
            link.appendChild(img);
            li.appendChild(link);
          }
          var empty = list.querySelector("li.muted:only-child");
          if (empty) empty.remove();
          list.appendChild(li);
          after = m.id;
        });
      }).catch(function () { /* offline: try again next time */ });
    };
    setInterval(poll, 20000);
  }

  // A draft survives a dropped connection or a reload (per conversation).
  var box = document.querySelector("textarea[name=body]");
  if (!box || !window.localStorage) return;
  var key = "mentoring-draft:" + location.pathname;
  try {
    if (!box.value) box.value = localStorage.getItem(key) || "";
    box.addEventListener("input", function () { localStorage.setItem(key, box.value); });
    box.form.addEventListener("submit", function () { localStorage.removeItem(key); });
  } catch (e) { /* storage may be unavailable in private mode */ }
})();
