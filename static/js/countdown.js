// Deadlines count down in place: every [data-due] element shows the time left
// (or how long it is overdue), refreshed every 15 s. Labels come from the page
// (<body data-due-in="…{time}…" data-overdue="…{time}…">), so they are translated.
(function () {
  "use strict";
  function span(ms) {
    var minutes = Math.max(0, Math.round(ms / 60000));
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60);
    if (hours < 48) return hours + " h " + String(minutes % 60).padStart(2, "0") + " min";
    return Math.floor(hours / 24) + " d " + (hours % 24) + " h";
  }
  function tick() {
    var body = document.body;
    var dueIn = body.dataset.dueIn || "{time} left";
    var overdue = body.dataset.overdue || "overdue by {time}";
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = new Date(el.dataset.due).getTime() - Date.now();
      var label = el.querySelector(".sla__left") || el;
      label.textContent = (left >= 0 ? dueIn : overdue).replace("{time}", span(Math.abs(left)));
      if (left < 0) { el.classList.remove("sla--ok", "sla--at_risk"); el.classList.add("sla--breached"); }
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 15000);
})();
