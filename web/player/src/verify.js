// Verification of a bundle in the browser (docs/bundle-format.md section 5): archive, names,
// manifest, Ed25519 signature over the exact manifest bytes, and every media file's SHA-256.
import { canonical } from "./canonical.js";
import { ZipError, crc32, entryBytes, readEntries } from "./zip.js";

const MAX_ENTRIES = 100000;
const MAX_TOTAL = 2 * 1024 ** 3;
const MAX_MANIFEST = 16 * 1024 ** 2;
const MEDIA_NAME = /^media\/([0-9a-f]{64})\.([a-z0-9]{1,8})$/;

/** A bundle that must not be played, with the stable code of the reference verifier. */
export class VerifyError extends Error {
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.code = code;
    this.detail = detail;
  }
}

/** Lowercase hex of some bytes. */
export function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of some bytes, as lowercase hex. */
export async function sha256Hex(bytes) {
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

function base64Bytes(text) {
  const raw = atob(text);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** The keys of a /v1/keys document whose id matches their public key (section 4.1). */
export async function trustedKeys(document) {
  const keys = new Map();
  for (const key of document.keys ?? []) {
    if (key.algorithm !== "Ed25519") continue;
    let raw;
    try {
      raw = base64Bytes(key.public_key);
    } catch {
      continue;
    }
    if (raw.length !== 32) continue;
    if ((await sha256Hex(raw)).slice(0, 16) !== key.id) continue; // a key must match its id
    keys.set(key.id, raw);
  }
  return keys;
}

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

function mediaPaths(manifest) {
  const used = [];
  if (manifest.trail.cover) used.push(manifest.trail.cover);
  for (const stop of manifest.stops) {
    for (const cue of Object.values(stop.cues)) {
      used.push(cue.audio);
      if (cue.transcript) used.push(cue.transcript);
    }
  }
  for (const layer of manifest.ambience) used.push(layer.audio);
  return used;
}

/** Steps 3 and 4 on a manifest's exact bytes and its signature document; returns the manifest. */
export async function verifyManifest(manifestBytes, signature, keys) {
  if (manifestBytes.byteLength > MAX_MANIFEST) throw new VerifyError("manifest-unreadable", "manifest too large");
  let text;
  let manifest;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(manifestBytes);
    manifest = JSON.parse(text);
  } catch {
    throw new VerifyError("manifest-not-json", "the manifest is not UTF-8 JSON");
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    throw new VerifyError("manifest-not-json", "the manifest is not a JSON object");
  }
  if (canonical(manifest) !== text) throw new VerifyError("manifest-not-canonical", "the manifest is not canonical JSON");
  if (manifest.format !== 1) throw new VerifyError("schema", `unknown bundle format ${manifest.format}: update the app`);
  if (!manifest.trail || !Array.isArray(manifest.stops) || !Array.isArray(manifest.ambience) || !Array.isArray(manifest.media)) {
    throw new VerifyError("schema", "the manifest lacks trail, stops, ambience or media");
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
  const key = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, sig, manifestBytes);
  if (!ok) throw new VerifyError("signature-invalid", "the manifest signature does not verify");
  return manifest;
}

/** Check one media file against its row: size and SHA-256. */
export async function verifyMedia(row, bytes) {
  if (bytes.byteLength !== row.bytes) throw new VerifyError("size-mismatch", `${row.path} has the wrong size`);
  if ((await sha256Hex(bytes)) !== row.sha256) throw new VerifyError("hash-mismatch", `${row.path} is not the published file`);
}

/** Verify a whole bundle held in memory; returns {manifest, manifestBytes, signature, media: Map(sha -> bytes)}. */
export async function verifyBundle(bytes, keys) {
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
  const read = (name) => {
    try {
      const data = entryBytes(bytes, byName.get(name));
      if (crc32(data) !== byName.get(name).crc32) throw new VerifyError("manifest-unreadable", `${name} is damaged`);
      return data;
    } catch (err) {
      if (err instanceof VerifyError) throw err;
      throw new VerifyError("entry-unreadable", name);
    }
  };
  if (!byName.has("manifest.json")) throw new VerifyError("missing-manifest", "the bundle has no manifest");
  const manifestBytes = read("manifest.json").slice();
  if (!byName.has("manifest.sig.json")) throw new VerifyError("signature-missing", "the bundle has no signature");
  let signature;
  try {
    signature = JSON.parse(new TextDecoder().decode(read("manifest.sig.json")));
  } catch {
    throw new VerifyError("signature-malformed", "the signature is not JSON");
  }
  const manifest = await verifyManifest(manifestBytes, signature, keys);
  const media = new Map();
  for (const row of manifest.media) {
    if (!byName.has(row.path)) throw new VerifyError("missing-media", row.path);
    const entry = byName.get(row.path);
    if (entry.size !== row.bytes) throw new VerifyError("size-mismatch", row.path);
    const data = entryBytes(bytes, entry);
    await verifyMedia(row, data);
    if (crc32(data) !== entry.crc32) throw new VerifyError("crc-mismatch", row.path);
    media.set(row.sha256, data); // a view into the download: no second copy
  }
  const listed = new Set(["manifest.json", "manifest.sig.json", ...manifest.media.map((r) => r.path)]);
  for (const name of byName.keys()) if (!listed.has(name)) throw new VerifyError("unlisted-entry", name);
  return { manifest, manifestBytes, signature, media };
}
