// The inbox for people who work in it all day: tick all rows of a page, and
// keyboard shortcuts (listed on "?"): j/k next/previous conversation, Enter or o
// open it, x tick it, r reply, n note, e resolve, a assign, Esc close the help.
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".conversations a.conv")); }
  function current(list) { return list.indexOf(document.activeElement); }
  function move(step) {
    var list = rows();
    if (!list.length) return false;
    var i = current(list);
    var next = i < 0 ? 0 : Math.min(list.length - 1, Math.max(0, i + step));
    list[next].focus();
    list[next].scrollIntoView({ block: "nearest" });
    return true;
  }
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function help(show) {
    var box = document.getElementById("shortcuts");
    if (!box) return;
    if (show === undefined) show = box.hidden;
    box.hidden = !show;
    if (show) box.querySelector("[data-close]").focus();
  }
  document.addEventListener("click", function (e) {
    var all = e.target.closest("[data-bulk-all]");
    if (all) {
      document.querySelectorAll(".conv__tick").forEach(function (box) { box.checked = all.checked; });
    }
    if (e.target.closest("#shortcuts [data-close]")) help(false);
    if (e.target.closest("[data-shortcuts]")) { e.preventDefault(); help(true); }
  });
  // The list's filters change without a reload (htmx pushes the address): save what the address says now.
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("[data-save-view]");
    if (!form) return;
    var params = new URLSearchParams(window.location.search);
    params.delete("after");
    params.delete("before");
    form.querySelector("input[name=query]").value = params.toString();
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") { help(false); return; }
    if (typing(e.target)) return;
    var handled = true;
    switch (e.key) {
      case "?": help(); break;
      case "j": handled = move(1); break;
      case "k": handled = move(-1); break;
      case "o": {
        var list = rows(), i = current(list);
        if (i >= 0) list[i].click(); else handled = false;
        break;
      }
      case "x": {
        var row = document.activeElement && document.activeElement.closest(".conv-row");
        var tick = row && row.querySelector(".conv__tick");
        if (tick) tick.checked = !tick.checked; else handled = false;
        break;
      }
      case "r": {
        var body = document.getElementById("reply-body");
        if (body) body.focus(); else handled = false;
        break;
      }
      case "n": {
        var note = document.querySelector("[data-note-box]");
        if (note) { note.open = true; note.querySelector("textarea").focus(); } else handled = false;
        break;
      }
      case "e": {
        var resolve = document.querySelector("[data-resolve-form]");
        if (resolve) resolve.requestSubmit(); else handled = false;
        break;
      }
      case "a": {
        var picker = document.querySelector("#assign-form select, [data-testid=bulk-assignee]");
        if (picker) picker.focus(); else handled = false;
        break;
      }
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });
})();
