// Builds the residents' pages into server/static/contribute (served at /contribute by
// server/webapps.py): one JS bundle (the messages of the four languages inside), one CSS file
// and the shell.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
// web/ is the source; the server package serves (and ships) what is built into it.
const dist = join(here, "..", "..", "server", "static", "contribute");

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "assets"), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: join(src, "app.js") },
  outdir: join(dist, "assets"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: false,
  logLevel: "warning",
  metafile: true,
});
copyFileSync(join(src, "index.html"), join(dist, "index.html"));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
writeFileSync(join(dist, "BUILD"), `${new Date().toISOString()}\n`);
console.log(`contribute built: ${Math.round(bytes / 1024)} KiB`);
