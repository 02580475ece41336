// Verifies a bundle file with the package's verifier, printing {"ok": true} or the refusal's
// code as JSON (used by tests/player/test_verify_js.py to compare it with the reference).
// Usage: node tools/verify-bundle.mjs BUNDLE KEYS.json [buffer|uint8array|arraybuffer|blob|text]
import { readFileSync } from "node:fs";
import { trustedKeys, verifyBundle } from "../index.js";

const [bundlePath, keysPath, as = "uint8array"] = process.argv.slice(2);
const buffer = readFileSync(bundlePath); // a Node Buffer
const inputs = {
  buffer: () => buffer,
  uint8array: () => new Uint8Array(buffer),
  arraybuffer: () => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength),
  blob: () => new Blob([buffer]),
  text: () => buffer.toString("latin1"), // not an accepted input: refused with a code
};
const keys = await trustedKeys(JSON.parse(readFileSync(keysPath, "utf8")));
try {
  const { manifest, media } = await verifyBundle(inputs[as](), keys);
  process.stdout.write(JSON.stringify({ ok: true, slug: manifest.trail.slug, media: media.size, format: manifest.format }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, code: err.code ?? "error", name: err.name, message: String(err.message) }));
}
