// Live changes (GET /live/, inbox/live.py): the page says whether it is listening,
// for the browser tests. And presence: the conversation page tells who is writing.
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
})();
