// The report form: "not applicable" / "unknown" disable the number input; leaving the page while a
// save is still on its way asks first. Everything else is htmx attributes in the HTML.
(function () {
  "use strict";
  var pending = 0;
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.classList || !select.classList.contains("kind-select")) return;
    var input = document.getElementById("v-" + select.id.slice(5));
    if (!input) return;
    var isNumber = select.value === "num";
    input.disabled = !isNumber;
    if (!isNumber) input.value = "";
  });
  document.addEventListener("htmx:beforeRequest", function () { pending += 1; });
  document.addEventListener("htmx:afterRequest", function () { pending = Math.max(0, pending - 1); });
  window.addEventListener("beforeunload", function (event) {
    if (pending > 0) { event.preventDefault(); event.returnValue = ""; }
  });
})();
