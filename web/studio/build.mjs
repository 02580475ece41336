// Builds the studio into server/static/studio (served at /studio by server/webapps.py): one JS
// bundle, one CSS file and the shell.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
// web/ is the source; the server package serves (and ships) what is built into it.
const dist = join(here, "..", "..", "server", "static", "studio");

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "assets"), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: join(src, "app.js") },
  outdir: join(dist, "assets"),
  bundle: true,
  conditions: ["baladeur-source"], // the engine from its sources, not from its published dist/
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: false,
  logLevel: "warning",
  // Leaflet's and Geoman's small images travel inside the CSS: no extra requests, no CDN.
  loader: { ".png": "dataurl", ".svg": "dataurl" },
  metafile: true,
});
copyFileSync(join(src, "index.html"), join(dist, "index.html"));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
writeFileSync(join(dist, "BUILD"), `${new Date().toISOString()}\n`);
console.log(`studio built: ${Math.round(bytes / 1024)} KiB`);
