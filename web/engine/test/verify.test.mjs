// The verifier on bundles made here: every accepted input type, refusals with stable codes,
// and the format versions (minor read, major refused). Run: npm test (in web/engine).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { runInNewContext } from "node:vm";
import { VerifyError, base64Bytes, readManifest, trustedKeys, verifyBundle } from "../index.js";
import { sha256Hex, sha256HexSliced } from "../crypto.js";
import { makeBundle, makeKey, storedZip } from "./fixtures.mjs";

const key = await makeKey();
const keys = await trustedKeys(key.document);
const good = await makeBundle(key);

async function refusal(input, trusted = keys) {
  const err = await verifyBundle(input, trusted).then(
    () => assert.fail("the bundle was accepted"),
    (e) => e,
  );
  assert.ok(err instanceof VerifyError, `not a VerifyError: ${err}`);
  return err.code;
}

test("a good bundle verifies from every input type", async () => {
  const inputs = {
    uint8array: good,
    buffer: Buffer.from(good),
    arraybuffer: good.buffer.slice(0),
    blob: new Blob([good]),
    view: new Uint8Array([9, 9, 9, ...good]).subarray(3), // a view that does not start at 0
    otherRealm: runInNewContext("new Uint8Array(bytes)", { bytes: [...good] }),
    otherRealmBuffer: runInNewContext("new Uint8Array(bytes).buffer", { bytes: [...good] }),
  };
  assert.ok(!(inputs.otherRealm instanceof Uint8Array)); // the case instanceof would miss
  for (const [kind, input] of Object.entries(inputs)) {
    const { manifest, media, manifestBytes } = await verifyBundle(input, keys);
    assert.equal(manifest.trail.slug, "test-trail", kind);
    assert.equal(media.size, 1, kind);
    assert.ok(manifestBytes instanceof Uint8Array, kind);
  }
});

test("anything else is refused with unsupported-input, never a crash", async () => {
  for (const input of ["PK...", null, undefined, 42, {}, [80, 75], new Int16Array(4), new DataView(good.buffer)]) {
    assert.equal(await refusal(input), "unsupported-input", String(input));
  }
  assert.equal(await refusal(good, { [key.id]: "not a Map" }), "unsupported-input");
});

test("tampered and truncated bundles are refused with the reference's codes", async () => {
  const flipped = (at) => {
    const copy = good.slice();
    copy[at] ^= 0xff;
    return copy;
  };
  const audioAt = Buffer.from(good).indexOf("OggS not really"); // the media entry's data
  assert.ok(audioAt > 0);
  assert.equal(await refusal(flipped(audioAt + 5)), "hash-mismatch");
  assert.equal(await refusal(good.subarray(0, good.length - 30)), "not-a-zip");
  assert.equal(await refusal(good.subarray(0, 100)), "not-a-zip");
  const other = await makeKey();
  assert.equal(await refusal(good, await trustedKeys(other.document)), "unknown-key");
  assert.equal(await refusal(await makeBundle(key, { extra: [["notes.txt", new Uint8Array(3)]] })), "unlisted-entry");
  assert.equal(await refusal(await makeBundle(key, { extra: [["../evil", new Uint8Array(3)]] })), "unsafe-name");
  assert.equal(await refusal(await makeBundle(key, { extra: [["media/link", new Uint8Array(3), { mode: 0o120777 }]] })), "symlink");
  // Another key's signature under the trusted id: the signature itself fails.
  const forged = await makeBundle({ ...other, id: key.id });
  assert.equal(await refusal(forged), "signature-invalid");
  const entries = [["manifest.json", new TextEncoder().encode("{}")]];
  assert.equal(await refusal(storedZip(entries)), "signature-missing");
  assert.equal(await refusal(storedZip([["x", new Uint8Array(1)]])), "missing-manifest");
});

test("a newer minor format is read, a newer major one refused", async () => {
  const minor = await makeBundle(key, {
    edit: (m) => ({ ...m, format_minor: 3, accessibility: { step_free: true }, trail: { ...m.trail, season: "summer" } }),
  });
  const { manifest } = await verifyBundle(minor, keys);
  assert.equal(manifest.format_minor, 3);
  assert.equal(await refusal(await makeBundle(key, { edit: (m) => ({ ...m, format: 2 }) })), "unsupported-format");
  // Without a newer minor, an unknown member is not what a conforming builder writes.
  assert.equal(await refusal(await makeBundle(key, { edit: (m) => ({ ...m, accessibility: {} }) })), "schema");
  assert.equal(await refusal(await makeBundle(key, { edit: (m) => ({ ...m, format: "1" }) })), "schema");
});

test("readManifest names what is wrong with manifest bytes", () => {
  const code = (text) => {
    try {
      readManifest(new TextEncoder().encode(text));
    } catch (err) {
      return err.code;
    }
    return "ok";
  };
  assert.equal(code("[1]"), "manifest-not-json");
  assert.equal(code("{nope"), "manifest-not-json");
  assert.equal(code('{"format": 1}'), "manifest-not-canonical");
  assert.equal(code('{"format":3}'), "unsupported-format");
  assert.equal(code('{"format":1}'), "schema");
});

test("base64 decoding agrees with Node's and refuses what is not base64", () => {
  for (let n = 0; n < 70; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    assert.deepEqual(base64Bytes(Buffer.from(bytes).toString("base64")), bytes);
  }
  for (const bad of ["abc", "ab$=", "a===", "====", 7]) assert.throws(() => base64Bytes(bad), TypeError);
});

test("large media are hashed in slices, to the same digest, letting timers run", async () => {
  const big = Uint8Array.from({ length: 9 * 1024 * 1024 + 7 }, (_, i) => (i * 31) & 0xff);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const sliced = await sha256HexSliced(big);
  clearInterval(timer);
  assert.equal(sliced, createHash("sha256").update(big).digest("hex"));
  assert.equal(await sha256HexSliced(big.subarray(0, 10)), sha256Hex(big.subarray(0, 10)));
  assert.ok(ticks >= 1, "the hashing never let a timer run");
});
