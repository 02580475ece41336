// Builds the published package into dist/: an ES module, a CommonJS module and the type
// declarations (from the JSDoc). The web apps do not use dist/: they bundle the sources
// through the "baladeur-source" export condition.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const home = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(home, "dist");
rmSync(dist, { recursive: true, force: true });

const common = {
  entryPoints: [join(home, "index.js")],
  bundle: true,
  platform: "neutral",
  target: "es2020", // noble needs BigInt
  logLevel: "warning",
  legalComments: "eof", // keeps noble's MIT notices in the CommonJS file
};
// The ES module leaves noble to the app's bundler (one copy per app).
await esbuild.build({ ...common, format: "esm", outfile: join(dist, "index.mjs"), external: ["@noble/*"] });
// noble ships ES modules only, which require() cannot load on every Node or in Metro: the
// CommonJS file carries its own copy, and their licences travel with it.
const bundled = ["@noble/ed25519", "@noble/hashes"];
await esbuild.build({
  ...common,
  format: "cjs",
  outfile: join(dist, "index.cjs"),
  banner: { js: `/* Includes ${bundled.join(" and ")} (MIT licence): see THIRD-PARTY-LICENSES.txt */` },
});
const require = createRequire(import.meta.url);
const licences = bundled.map((name) => {
  // Both packages export their root index.js only (not package.json): their folder is its.
  const text = readFileSync(join(dirname(require.resolve(name)), "LICENSE"), "utf8");
  return `${name}\n\n${text.trim()}\n`;
});
writeFileSync(join(dist, "THIRD-PARTY-LICENSES.txt"), licences.join("\n\n"));

const tsc = require.resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(home, "tsconfig.json")], { stdio: "inherit" });

// The same declarations as .d.cts for require(): in a "type": "module" package TypeScript
// reads .d.ts files as ES modules, which older compilers refuse to require. Relative
// specifiers ("./x.js", in `from` and `import()`) then name the .cjs twins.
const types = join(dist, "types");
mkdirSync(join(dist, "types-cjs"));
for (const name of readdirSync(types).filter((n) => n.endsWith(".d.ts"))) {
  const text = readFileSync(join(types, name), "utf8").replace(/(["']\.\/[\w-]+)\.js(["'])/g, "$1.cjs$2");
  writeFileSync(join(dist, "types-cjs", name.replace(/\.d\.ts$/, ".d.cts")), text);
}
console.log("@baladeur/engine built into dist/");
