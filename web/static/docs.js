// Starts the vendored Swagger UI on /docs (a file, not an inline script, so that the
// site's Content-Security-Policy needs no exception). The OpenAPI document's address
// comes from the page itself.
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    window.SwaggerUIBundle({
      url: root.getAttribute("data-openapi"),
      domNode: root,
      deepLinking: false,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      defaultModelsExpandDepth: 0,
      tryItOutEnabled: false,
      validatorUrl: null
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
