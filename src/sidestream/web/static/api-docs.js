// Starts Swagger UI on /docs. A file, not an inline script: the Content-Security-Policy runs
// only scripts served by Sidestream itself.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
});
