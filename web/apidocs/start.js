// Starts Swagger UI on this server's OpenAPI document (a file, not an inline script, so
// that the page's Content-Security-Policy can forbid inline scripts).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
