// Builds the player into server/static/player (served at /play by server/webapps.py): the app
// bundle, its service worker and the shell.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
// web/ is the source; the server package serves (and ships) what is built into it.
const dist = join(here, "..", "..", "server", "static", "player");

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "assets"), { recursive: true });

// "baladeur-source": bundle the engine from its sources, not from its published dist/.
const common = { bundle: true, conditions: ["baladeur-source"], format: "esm", target: "es2022", minify: true, sourcemap: false, logLevel: "warning" };
await esbuild.build({ ...common, entryPoints: [join(src, "app.js")], outfile: join(dist, "assets", "app.js") });
copyFileSync(join(src, "app.css"), join(dist, "assets", "app.css"));
for (const name of readdirSync(join(src, "static"))) copyFileSync(join(src, "static", name), join(dist, "assets", name));
copyFileSync(join(src, "index.html"), join(dist, "index.html"));

// The service worker's cache name changes with every different build, so updates replace it.
const hash = createHash("sha256");
for (const name of readdirSync(join(dist, "assets")).sort()) hash.update(name).update(readFileSync(join(dist, "assets", name)));
hash.update(readFileSync(join(dist, "index.html")));
hash.update(readFileSync(join(src, "sw.js")));
const version = hash.digest("hex").slice(0, 12);
const assets = ["/play", ...readdirSync(join(dist, "assets")).sort().map((n) => `/play/assets/${n}`)];
await esbuild.build({
  ...common,
  entryPoints: [join(src, "sw.js")],
  outfile: join(dist, "sw.js"),
  format: "iife",
  define: { __BUILD__: JSON.stringify(version), __SHELL__: JSON.stringify(assets) },
});
writeFileSync(join(dist, "BUILD"), `${version}\n`);
console.log(`player built: ${version}`);
