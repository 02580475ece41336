// Bundles the residents' pages' i18n.js with Dutch missing one message, runs it under node,
// and prints what t() gives: the English message for the missing one, "" for an unknown key.
import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const app = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "web", "contribute");
const dropOne = {
  name: "drop-one-dutch-message",
  setup(build) {
    build.onLoad({ filter: /messages[\\/]nl\.json$/ }, async (args) => {
      const table = JSON.parse(await readFile(args.path, "utf8"));
      delete table["welcome.start"];
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
setLanguage("nl");
console.log(
  JSON.stringify({
    missing: t("welcome.start"),
    present: t("common.continue"),
    unknown: t("no.such.message"),
    plural: t("welcome.usesLeft", { count: 1 }),
  }),
);
