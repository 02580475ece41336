// Bundles the studio's format.js with its i18n.js, runs it under node in one language, and
// prints what each formatter gives for each call.
// Usage: node studio_format.mjs <studio folder> <lang> '<[[function, ...arguments], ...]>'
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const [app, lang, calls] = process.argv.slice(2);
const bundle = await esbuild.build({
  stdin: { contents: 'export * from "./src/format.js"; export { setLanguage } from "./src/i18n.js";', resolveDir: app },
  bundle: true,
  format: "esm",
  platform: "node",
  write: false,
  logLevel: "error",
});
const file = join(await mkdtemp(join(tmpdir(), "format-")), "format.mjs");
await writeFile(file, bundle.outputFiles[0].text);
// The little of a page that i18n.js touches; the browser asks for no particular variant.
globalThis.document = { documentElement: {} };
globalThis.localStorage = { getItem: () => null, setItem: () => {} };
Object.defineProperty(globalThis, "navigator", { value: { languages: [] }, configurable: true });
const formats = await import(pathToFileURL(file).href);
formats.setLanguage(lang);
console.log(JSON.stringify(JSON.parse(calls).map(([name, ...args]) => formats[name](...args))));
