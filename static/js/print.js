// Buttons marked data-print print the page (no inline handlers: the CSP allows none).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
