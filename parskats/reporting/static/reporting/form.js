// The report form: "not applicable" / "unknown" disable the number input; a field the person has
// left (or every field, once submitting was tried) shows its errors instead of "not filled yet";
// the filled counts follow each save; the submit summary opens in a dialog; leaving the page while
// a save is still on its way asks first. Everything else is htmx attributes in the HTML.
(function () {
  "use strict";
  var pending = 0;

  function form() { return document.querySelector(".report-form"); }

  function markInvalid(row) {
    var input = row.querySelector(".field-entry input[type=text]");
    if (!input) return;
    var shown = row.closest(".tried") || row.classList.contains("touched");
    var checks = row.querySelectorAll(".field-checks .check");
    var invalid = Array.prototype.some.call(checks, function (check) {
      return shown || !check.classList.contains("check-untouched");
    });
    if (invalid) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  function countFilled() {
    var total = 0, filled = 0;
    document.querySelectorAll(".form-section").forEach(function (section) {
      var all = section.querySelectorAll(".field-checks").length;
      var done = section.querySelectorAll('.field-checks[data-filled="1"]').length;
      total += all; filled += done;
      var count = document.querySelector('[data-count-for="' + section.id + '"]');
      if (count) { count.textContent = done + "/" + all; count.classList.toggle("is-complete", done === all); }
      var line = section.querySelector(".section-progress");
      if (line) line.textContent = line.textContent.replace(/\d+(\D+)\d+/, done + "$1" + all);
    });
    var overall = document.getElementById("progress-total");
    if (overall) overall.textContent = overall.textContent.replace(/\d+(\D+)\d+/, filled + "$1" + total);
    var bar = document.getElementById("progress-bar");
    if (bar) { bar.max = total; bar.value = filled; }
  }

  function tried() {
    var root = form();
    if (!root) return;
    root.classList.add("tried");
    document.querySelectorAll(".field-row").forEach(markInvalid);
    var list = document.querySelector(".not-filled");
    if (list) list.open = true;
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.classList || !select.classList.contains("kind-select")) return;
    var input = document.getElementById("v-" + select.id.slice(5));
    if (!input) return;
    var isNumber = select.value === "num";
    input.disabled = !isNumber;
    if (!isNumber) input.value = "";
  });

  document.addEventListener("focusout", function (event) {
    var row = event.target.closest && event.target.closest(".field-row");
    if (!row || row.contains(event.relatedTarget)) return;
    row.classList.add("touched");
    markInvalid(row);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id === "submit-dialog-body") {
      var dialog = document.getElementById("submit-dialog");
      if (target.querySelector("[data-not-ready]")) tried();
      if (dialog && !dialog.open) dialog.showModal();
      return;
    }
    document.querySelectorAll(".field-row").forEach(markInvalid);
    countFilled();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-print]")) { window.print(); return; }
    var dialog = target.closest("#submit-dialog");
    if (dialog && (target.closest("[data-close-dialog]") || target.closest("a[href^='#']"))) dialog.close();
  });

  document.addEventListener("htmx:beforeRequest", function () { pending += 1; });
  document.addEventListener("htmx:afterRequest", function () { pending = Math.max(0, pending - 1); });
  window.addEventListener("beforeunload", function (event) {
    if (pending > 0) { event.preventDefault(); event.returnValue = ""; }
  });
})();
