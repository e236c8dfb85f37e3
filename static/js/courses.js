/* Reading time: while the lesson is on screen, report elapsed seconds each minute. */
(function () {
  "use strict";
  var el = document.getElementById("lesson");
  if (!el || !window.fetch) return;
  var url = el.getAttribute("data-beat");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var since = Date.now();
  function beat() {
    if (document.visibilityState !== "visible" || !token) { since = Date.now(); return; }
    var seconds = Math.round((Date.now() - since) / 1000);
    since = Date.now();
    var body = new URLSearchParams({ seconds: String(seconds), csrfmiddlewaretoken: token.value });
    fetch(url, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
  }
  setInterval(beat, 60000);
  document.addEventListener("visibilitychange", beat);
})();
