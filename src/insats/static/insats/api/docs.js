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
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
