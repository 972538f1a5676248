// Insats: small progressive enhancements. No inline scripts anywhere (Content-Security-Policy).
(function () {
  "use strict";
  // Send the CSRF token with every htmx request (read from the cookie-free meta tag on forms).
  document.addEventListener("htmx:configRequest", function (event) {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { event.detail.headers["X-CSRFToken"] = input.value; }
  });
  // Confirm destructive actions: any form with data-confirm asks first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);
})();
