// Builds the API documentation page into server/static/apidocs (served at /docs by
// server/webapps.py): our shell and start-up script, and Swagger UI's files copied from the
// pinned npm package swagger-ui-dist, so that no CDN is needed at run time.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const swagger = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
// web/ is the source; the server package serves (and ships) what is built into it.
const dist = join(here, "..", "..", "server", "static", "apidocs");

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "assets"), { recursive: true });
copyFileSync(join(here, "index.html"), join(dist, "index.html"));
copyFileSync(join(here, "start.js"), join(dist, "assets", "start.js"));
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"]) {
  copyFileSync(join(swagger, name), join(dist, "assets", name));
}
// Swagger UI's licence and notice travel with its files.
for (const name of ["LICENSE", "NOTICE"]) copyFileSync(join(swagger, name), join(dist, name));
console.log("API documentation built");
