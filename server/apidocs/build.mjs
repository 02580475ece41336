// Copies Swagger UI's files from the pinned npm package (swagger-ui-dist) into
// server/apidocs/dist, which the server serves at /docs/assets/: no CDN at run time.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "..", "..", "node_modules", "swagger-ui-dist");
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE", "NOTICE"]) {
  copyFileSync(join(source, name), join(dist, name));
}
console.log("API documentation files copied");
