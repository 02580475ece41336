// Verification of a bundle (docs/bundle-format.md section 5): archive, names, manifest,
// Ed25519 signature over the exact manifest bytes, and every media file's SHA-256. Pure
// JavaScript: the same code runs in browsers, React Native and Node.
import { base64Bytes, bundleBytes } from "./bytes.js";
import { ed25519Verify, sha256Hex, sha256HexSliced } from "./crypto.js";
import { VerifyError } from "./errors.js";
import { mediaPaths, readManifest } from "./manifest.js";
import { decodeUtf8 } from "./utf8.js";
import { ZipError, crc32, entryBytes, readEntries } from "./zip.js";

const MAX_ENTRIES = 100000;
const MAX_TOTAL = 2 * 1024 ** 3;
const MAX_SIGNATURE_BYTES = 4096;
const MEDIA_NAME = /^media\/([0-9a-f]{64})\.([a-z0-9]{1,8})$/;

/**
 * The keys of a /v1/keys document whose id matches their public key (section 4.1).
 * @param {{keys?: Array<{id: string, algorithm: string, public_key: string}>}} document
 * @returns {Promise<Map<string, Uint8Array>>} raw public keys by id
 */
export async function trustedKeys(document) {
  const keys = new Map();
  for (const key of document?.keys ?? []) {
    if (key?.algorithm !== "Ed25519") continue;
    let raw;
    try {
      raw = base64Bytes(key.public_key);
    } catch {
      continue;
    }
    if (raw.length !== 32) continue;
    if (sha256Hex(raw).slice(0, 16) !== key.id) continue; // a key must match its id
    keys.set(key.id, raw);
  }
  return keys;
}

/** @param {string} name */
function checkName(name) {
  const bad =
    !name ||
    name.includes("\\") ||
    name.includes("\0") ||
    name.startsWith("/") ||
    /^[A-Za-z]:/.test(name) ||
    name.endsWith("/") ||
    name.split("/").some((seg) => seg === "" || seg === "." || seg === "..");
  if (bad) throw new VerifyError("unsafe-name", `unsafe entry name '${name}'`);
}

/** @param {any} manifest */
function checkReferences(manifest) {
  // Events and requirements name stops, layers and objects by key: one key, one thing.
  const keys = new Set();
  for (const item of [...manifest.stops, ...manifest.ambience, ...(manifest.objects ?? [])]) {
    if (keys.has(item.key)) throw new VerifyError("duplicate-key", `key '${item.key}' names more than one stop, layer or object`);
    keys.add(item.key);
  }
  const paths = manifest.media.map((row) => row.path);
  // Plain < on the ASCII paths the schema allows: the same order as the reference's sort.
  if (paths.some((path, i) => i > 0 && paths[i - 1] > path)) {
    throw new VerifyError("media-not-sorted", "the media table is not sorted by path");
  }
  const rows = new Map();
  for (const row of manifest.media) {
    if (rows.has(row.path)) throw new VerifyError("duplicate-media-row", row.path);
    const m = MEDIA_NAME.exec(row.path);
    if (!m || m[1] !== row.sha256) throw new VerifyError("bad-media-name", row.path);
    rows.set(row.path, row);
  }
  const used = new Set(mediaPaths(manifest));
  for (const path of used) if (!rows.has(path)) throw new VerifyError("unknown-media-reference", path);
  for (const path of rows.keys()) if (!used.has(path)) throw new VerifyError("unused-media-row", path);
}

/**
 * Steps 3 and 4 on a manifest's exact bytes and its signature document; returns the manifest.
 * @param {Uint8Array} manifestBytes
 * @param {unknown} signature the parsed manifest.sig.json
 * @param {Map<string, Uint8Array>} keys trusted raw public keys by id (see trustedKeys)
 * @returns {Promise<any>}
 */
export async function verifyManifest(manifestBytes, signature, keys) {
  if (!(keys instanceof Map)) throw new VerifyError("unsupported-input", "keys must be the Map trustedKeys returns");
  const manifest = readManifest(manifestBytes);
  try {
    checkReferences(manifest);
  } catch (err) {
    // A manifest this far from the schema has members of the wrong type: refuse, never crash.
    if (err instanceof VerifyError) throw err;
    throw new VerifyError("schema", `the manifest does not follow the schema (${err})`);
  }

  if (!signature || typeof signature !== "object") throw new VerifyError("signature-missing", "no signature");
  if (signature.algorithm !== "Ed25519" || typeof signature.signature !== "string" || typeof signature.key_id !== "string") {
    throw new VerifyError("signature-malformed", "the signature document is malformed");
  }
  if (signature.key_id !== manifest.key_id) throw new VerifyError("key-mismatch", "signature and manifest name different keys");
  const raw = keys.get(signature.key_id);
  if (!raw) throw new VerifyError("unknown-key", `key ${signature.key_id} is not trusted`);
  let sig;
  try {
    sig = base64Bytes(signature.signature);
  } catch {
    throw new VerifyError("signature-malformed", "the signature is not base64");
  }
  if (sig.length !== 64) throw new VerifyError("signature-malformed", "an Ed25519 signature has 64 bytes");
  if (!ed25519Verify(sig, manifestBytes, raw)) throw new VerifyError("signature-invalid", "the manifest signature does not verify");
  return manifest;
}

/**
 * Check one media file against its row: size and SHA-256.
 * @param {{path: string, sha256: string, bytes: number}} row
 * @param {Uint8Array} bytes
 * @returns {Promise<void>}
 */
export async function verifyMedia(row, bytes) {
  if (bytes.byteLength !== row.bytes) throw new VerifyError("size-mismatch", `${row.path} has the wrong size`);
  if ((await sha256HexSliced(bytes)) !== row.sha256) throw new VerifyError("hash-mismatch", `${row.path} is not the published file`);
}

/**
 * @typedef {object} VerifiedBundle
 * @property {any} manifest the parsed manifest
 * @property {Uint8Array} manifestBytes its exact, signed bytes
 * @property {{algorithm: string, key_id: string, signature: string}} signature
 * @property {Map<string, Uint8Array>} media every media file's bytes by SHA-256
 */

/**
 * Verify a whole bundle held in memory (ArrayBuffer, Uint8Array, Node Buffer or Blob).
 * @param {ArrayBuffer | Uint8Array | Blob} input
 * @param {Map<string, Uint8Array>} keys trusted raw public keys by id (see trustedKeys)
 * @returns {Promise<VerifiedBundle>} or rejects with a VerifyError
 */
export async function verifyBundle(input, keys) {
  const bytes = await bundleBytes(input);
  let entries;
  try {
    entries = readEntries(bytes);
  } catch (err) {
    throw new VerifyError(err instanceof ZipError ? err.message : "not-a-zip", "the download is not a readable bundle");
  }
  if (entries.length > MAX_ENTRIES) throw new VerifyError("too-many-entries", `${entries.length} entries`);
  if (entries.reduce((sum, e) => sum + e.size, 0) > MAX_TOTAL) throw new VerifyError("too-large", "bundle too large");
  const byName = new Map();
  for (const entry of entries) {
    checkName(entry.name);
    if (byName.has(entry.name)) throw new VerifyError("duplicate-name", entry.name);
    const type = (entry.externalAttrs >>> 16) & 0o170000;
    if (type === 0o120000) throw new VerifyError("symlink", entry.name);
    if (type !== 0 && type !== 0o100000) throw new VerifyError("not-a-file", entry.name);
    if (entry.flags & 1) throw new VerifyError("encrypted", entry.name);
    if (entry.method !== 0) throw new VerifyError("compressed", `${entry.name} is compressed`);
    if (entry.compressedSize !== entry.size) throw new VerifyError("size-mismatch", entry.name);
    byName.set(entry.name, entry);
  }
  // A damaged manifest is manifest-unreadable, a damaged signature file signature-malformed,
  // as in the reference verifier.
  const read = (name, code) => {
    try {
      const data = entryBytes(bytes, byName.get(name));
      if (crc32(data) !== byName.get(name).crc32) throw new VerifyError(code, `${name} is damaged`);
      return data;
    } catch (err) {
      if (err instanceof VerifyError) throw err;
      throw new VerifyError(code, `${name} cannot be read`);
    }
  };
  if (!byName.has("manifest.json")) throw new VerifyError("missing-manifest", "the bundle has no manifest");
  const manifestBytes = read("manifest.json", "manifest-unreadable").slice();
  if (!byName.has("manifest.sig.json")) throw new VerifyError("signature-missing", "the bundle has no signature");
  if (byName.get("manifest.sig.json").size > MAX_SIGNATURE_BYTES) throw new VerifyError("signature-malformed", "the signature file is too large");
  let signature;
  try {
    signature = JSON.parse(decodeUtf8(read("manifest.sig.json", "signature-malformed")));
  } catch (err) {
    if (err instanceof VerifyError) throw err;
    throw new VerifyError("signature-malformed", "the signature is not JSON");
  }
  const manifest = await verifyManifest(manifestBytes, signature, keys);
  const media = new Map();
  for (const row of manifest.media) {
    if (!byName.has(row.path)) throw new VerifyError("missing-media", row.path);
    const entry = byName.get(row.path);
    if (entry.size !== row.bytes) throw new VerifyError("size-mismatch", row.path);
    let data;
    try {
      data = entryBytes(bytes, entry);
    } catch {
      throw new VerifyError("entry-unreadable", row.path);
    }
    await verifyMedia(row, data);
    if (crc32(data) !== entry.crc32) throw new VerifyError("crc-mismatch", row.path);
    media.set(row.sha256, data); // a view into the download: no second copy
  }
  const listed = new Set(["manifest.json", "manifest.sig.json", ...manifest.media.map((r) => r.path)]);
  for (const name of byName.keys()) if (!listed.has(name)) throw new VerifyError("unlisted-entry", name);
  return { manifest, manifestBytes, signature, media };
}
