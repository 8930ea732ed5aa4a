// The reply box: characters left on this network, and canned replies inserted
// where the cursor is. Checks run server-side through htmx (the textarea posts
// itself on input and on "canned-inserted").
(function () {
  "use strict";
  function count(textarea) {
    var counter = textarea.form && textarea.form.querySelector(".counter");
    if (!counter) return;
    var max = parseInt(textarea.dataset.max || "0", 10);
    var used = textarea.value.length;
    counter.textContent = max ? used + " / " + max : String(used);
    counter.classList.toggle("counter--over", max > 0 && used > max);
  }
  document.addEventListener("input", function (event) {
    if (event.target.id === "reply-body") count(event.target);
  });
  document.addEventListener("click", function (event) {
    var pick = event.target.closest(".canned-pick");
    if (!pick) return;
    var textarea = document.getElementById("reply-body");
    if (!textarea) return;
    var start = textarea.selectionStart, end = textarea.selectionEnd, text = pick.dataset.text;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.focus();
    textarea.selectionStart = textarea.selectionEnd = start + text.length;
    count(textarea);
    if (window.htmx) window.htmx.trigger(textarea, "canned-inserted");
    var box = pick.closest("details");
    if (box) box.open = false;
  });
  document.addEventListener("DOMContentLoaded", function () {
    var textarea = document.getElementById("reply-body");
    if (textarea) count(textarea);
  });
})();
