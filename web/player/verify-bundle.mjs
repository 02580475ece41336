// Verifies a bundle file with the player's verifier, printing {"ok": true} or the refusal's
// code as JSON (used by the tests to compare it with the reference verifier).
import { readFileSync } from "node:fs";
import { trustedKeys, verifyBundle } from "./src/verify.js";

const [bundlePath, keysPath] = process.argv.slice(2);
const bytes = new Uint8Array(readFileSync(bundlePath));
const keys = await trustedKeys(JSON.parse(readFileSync(keysPath, "utf8")));
try {
  const { manifest, media } = await verifyBundle(bytes, keys);
  process.stdout.write(JSON.stringify({ ok: true, slug: manifest.trail.slug, media: media.size }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, code: err.code ?? "error", message: String(err.message) }));
}
