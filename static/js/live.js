// Live changes (GET /live/, inbox/live.py): the page says whether it is listening,
// for the browser tests. And presence: the conversation page tells who is writing.
// And what someone is working in is not re-rendered under them (data-live-hold).
(function () {
  "use strict";
  document.addEventListener("htmx:sseOpen", function () {
    document.body.dataset.live = "open";
  });
  document.addEventListener("htmx:sseError", function () {
    document.body.dataset.live = "closed";
  });
  // Writing: the reply box was typed in during the last 15 seconds.
  var typedAt = 0;
  document.addEventListener("input", function (event) {
    if (event.target.id === "reply-body") typedAt = Date.now();
  });
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id === "presence") {
      event.detail.parameters.state = Date.now() - typedAt < 15000 ? "writing" : "viewing";
    }
  });
  // A page part someone is working in (data-live-hold: rows ticked for a bulk
  // action, a field in use) is not re-rendered under them: a refresh of it, live
  // or timed, waits, and comes as soon as they are done.
  var waiting = false;
  function busy() {
    var active = document.activeElement;
    return Array.prototype.some.call(document.querySelectorAll("[data-live-hold]"), function (hold) {
      if (hold.querySelector("input[type=checkbox]:checked")) return true;
      return hold.contains(active) && active.type !== "checkbox";
    });
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var refreshes = elt.id === "live-refresh" || (elt.querySelector && elt.querySelector("[data-live-hold]"));
    if (refreshes && busy()) {
      event.preventDefault();
      waiting = true;
      document.body.dataset.liveWaiting = "1";
    }
  });
  function release() {
    setTimeout(function () {
      if (!waiting || busy()) return;
      waiting = false;
      delete document.body.dataset.liveWaiting;
      var refresh = document.getElementById("live-refresh");
      if (refresh && window.htmx) window.htmx.trigger(refresh, "live:release");
    }, 0);
  }
  document.addEventListener("change", release);
  document.addEventListener("focusout", release);
})();
