// Decisions ask first: a form with data-confirm="<dialog id>" opens that dialog, which says what
// will happen; only its "yes" button sends the form. Without JavaScript the form is sent at once.
// On the board, "choose all" ticks every report that may be approved in bulk.
(function () {
  "use strict";
  function wire(form) {
    var dialog = document.getElementById(form.getAttribute("data-confirm"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.hasAttribute("data-confirm-yes")) { return; }
      event.preventDefault();
      var count = form.querySelectorAll("input[name=report]:checked").length;
      dialog.querySelectorAll("[data-chosen-count]").forEach(function (el) { el.textContent = String(count); });
      if (form.hasAttribute("data-typed-comments")) { carryTyped(form, dialog); }
      dialog.showModal();
    });
    dialog.querySelectorAll("[data-confirm-no]").forEach(function (button) {
      button.addEventListener("click", function () { dialog.close(); });
    });
  }
  // Returning sends the comments typed in the fields' comment boxes too, saved or not.
  function carryTyped(form, dialog) {
    form.querySelectorAll("input[data-typed]").forEach(function (old) { old.remove(); });
    var typed = 0;
    document.querySelectorAll(".comment-form textarea[data-field]").forEach(function (box) {
      if (!box.value.trim()) { return; }
      var carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = "field:" + box.getAttribute("data-field");
      carried.value = box.value;
      carried.setAttribute("data-typed", "");
      form.appendChild(carried);
      typed += 1;
    });
    dialog.querySelectorAll("[data-typed-count]").forEach(function (el) { el.textContent = String(typed); });
    dialog.querySelectorAll("[data-typed-note]").forEach(function (el) { el.hidden = typed === 0; });
  }
  function chooseAll(box) {
    var form = box.form;
    var picks = form.querySelectorAll("input[name=report]");
    box.hidden = false;
    box.addEventListener("change", function () {
      picks.forEach(function (pick) { pick.checked = box.checked; });
    });
    picks.forEach(function (pick) {
      pick.addEventListener("change", function () {
        var ticked = form.querySelectorAll("input[name=report]:checked").length;
        box.checked = ticked === picks.length;
        box.indeterminate = ticked > 0 && ticked < picks.length;
      });
    });
  }
  function start() {
    document.querySelectorAll("form[data-confirm]").forEach(wire);
    document.querySelectorAll("input[data-choose-all]").forEach(chooseAll);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
