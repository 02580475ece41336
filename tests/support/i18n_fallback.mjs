// Bundles one app's i18n.js (web/<app>/src/i18n.js) with one message dropped from one
// language, runs it under node in that language, and prints what t() gives for each call.
// Usage: node i18n_fallback.mjs <app folder> <lang> <dropped key> '<[[key, values(, fallback)], ...]>'
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const [app, lang, dropped, calls] = process.argv.slice(2);
const dropOne = {
  name: "drop-one-message",
  setup(build) {
    build.onLoad({ filter: new RegExp(`messages[\\\\/]${lang}\\.json$`) }, async (args) => {
      const table = JSON.parse(await readFile(args.path, "utf8"));
      delete table[dropped];
      return { contents: JSON.stringify(table), loader: "json" };
    });
  },
};
const bundle = await esbuild.build({
  stdin: { contents: 'export { t, setLanguage } from "./src/i18n.js";', resolveDir: app },
  bundle: true,
  format: "esm",
  platform: "node",
  write: false,
  logLevel: "error",
  plugins: [dropOne],
});
const file = join(await mkdtemp(join(tmpdir(), "i18n-")), "i18n.mjs");
await writeFile(file, bundle.outputFiles[0].text);
// The little of a page that i18n.js touches.
globalThis.document = { documentElement: {} };
globalThis.localStorage = { getItem: () => null, setItem: () => {} };
console.error = () => {};
const { t, setLanguage } = await import(pathToFileURL(file).href);
setLanguage(lang);
// A call may name a third argument, the studio's fallback for a key no table has.
console.log(JSON.stringify(JSON.parse(calls).map(([key, values, fallback]) => t(key, values, fallback ?? undefined))));
