// The agenda editor: "Move up" / "Move down" swap two rows in place, keeping the focus on the button
// pressed, and say where the row went. Nothing is saved until "Save the agenda"; the times are counted
// again then. Without JavaScript the same buttons send the table and the server swaps the rows.
(function () {
  "use strict";
  function orderInput(row) { return row.querySelector("input[name$='-order']"); }
  function renumber(body) {
    body.querySelectorAll("[data-agenda-row]").forEach(function (row, index) {
      var cell = row.querySelector("[data-agenda-number]");
      if (cell) { cell.textContent = String(index + 1) + "."; }
    });
  }
  function wire(form) {
    var status = form.querySelector("[data-agenda-status]");
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button) { return; }
      event.preventDefault();
      var row = button.closest("[data-agenda-row]");
      var up = button.getAttribute("data-move") === "up";
      var other = up ? row.previousElementSibling : row.nextElementSibling;
      if (!other) { return; }
      var mine = orderInput(row), theirs = orderInput(other), kept = mine.value;
      mine.value = theirs.value;
      theirs.value = kept;
      row.parentNode.insertBefore(row, up ? other : other.nextElementSibling);
      renumber(row.parentNode);
      button.focus();
      if (status) {
        var position = Array.prototype.indexOf.call(row.parentNode.children, row) + 1;
        var title = row.querySelector("textarea").value || "";
        status.textContent = (form.getAttribute("data-moved-text") || "")
          .replace("%(title)s", title).replace("%(position)s", String(position));
      }
      form.classList.add("agenda-moved");
    });
  }
  document.querySelectorAll("form[data-agenda-editor]").forEach(wire);
})();
