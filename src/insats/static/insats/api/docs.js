// Starts Swagger UI for /api/v1/docs. A static file because the Content-Security-Policy forbids
// inline script; the settings come from the JSON data block in the page.
(function () {
  "use strict";
  function start() {
    var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
    var csrfToken = document.body.getAttribute("data-csrf-token");
    settings.dom_id = "#swagger-ui";
    settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
    // Only our own origin: no validator badge (it would call validator.swagger.io).
    settings.validatorUrl = null;
    if (csrfToken) {
      settings.requestInterceptor = function (request) {
        request.headers["X-CSRFToken"] = csrfToken;
        return request;
      };
    }
    window.insatsSwaggerUI = SwaggerUIBundle(settings);
    labelParameterFields(document.getElementById("swagger-ui"));
  }
  // Swagger UI leaves its parameter fields without an accessible name (WCAG 4.1.2): name each
  // one after its parameter, also in operations opened later.
  function labelParameterFields(root) {
    function label() {
      root.querySelectorAll("tr[data-param-name]").forEach(function (row) {
        var name = row.getAttribute("data-param-name") + " (" + row.getAttribute("data-param-in") + ")";
        row.querySelectorAll("select, input, textarea").forEach(function (field) {
          if (!field.getAttribute("aria-label") && !field.labels.length) {
            field.setAttribute("aria-label", name);
          }
        });
      });
      root.querySelectorAll(".body-param textarea").forEach(function (field) {
        if (!field.getAttribute("aria-label")) { field.setAttribute("aria-label", "Request body (JSON)"); }
      });
    }
    new MutationObserver(label).observe(root, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
