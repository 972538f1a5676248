// Business-case form: show only the parameters the chosen distribution uses (progressive
// enhancement: without JavaScript every parameter is shown, each labelled).
(function () {
  "use strict";
  function update(fieldset) {
    var select = fieldset.querySelector("select");
    if (!select) { return; }
    var kind = select.value;
    fieldset.querySelectorAll(".bc-param").forEach(function (param) {
      var kinds = (param.getAttribute("data-kinds") || "").split(" ");
      var hasError = param.querySelector(".errorlist");
      param.hidden = kinds.indexOf(kind) === -1 && !hasError;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".bc-dist").forEach(function (fieldset) {
      update(fieldset);
      var select = fieldset.querySelector("select");
      if (select) { select.addEventListener("change", function () { update(fieldset); }); }
    });
  });
})();
