// Live changes (GET /live/, inbox/live.py): the page says whether it is listening,
// for a person (the dot by the brand) and for the browser tests.
(function () {
  "use strict";
  document.addEventListener("htmx:sseOpen", function () {
    document.body.dataset.live = "open";
  });
  document.addEventListener("htmx:sseError", function () {
    document.body.dataset.live = "closed";
  });
})();
