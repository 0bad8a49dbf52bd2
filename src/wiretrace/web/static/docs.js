// /api/docs: Swagger UI over this server's OpenAPI schema. Its files are served by wiretrace
// (from the fastapi-offline package), so the page loads nothing from elsewhere; the
// validator badge (an image from another site) is off.
var root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapi,
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout"
});
