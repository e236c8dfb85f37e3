/* Mentoring conversation: show the newest message and keep the draft safe. */
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (list && list.lastElementChild && list.lastElementChild.scrollIntoView) {
    list.lastElementChild.scrollIntoView({ block: "nearest" });
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
