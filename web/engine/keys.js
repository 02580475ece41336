// Pinned publisher keys (docs/bundle-format.md section 4.1): a /v1/keys key list changes an
// app's pins only when its current key is reached from a pinned key through endorsements,
// each the previous key's signature over a canonical statement of the next. The same cases
// as the reference (docs/key-vectors/) pass here.
import { base64Bytes } from "./bytes.js";
import { canonical } from "./canonical.js";
import { ed25519Verify, sha256Hex } from "./crypto.js";
import { VerifyError } from "./errors.js";

/** The most keys a list may hold; it bounds every chain an app follows. */
export const MAX_KEYS = 64;
const ENDORSEMENT_TYPE = "baladeur-key-endorsement";
const TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;

/**
 * @typedef {object} PinUpdate
 * @property {Map<string, Uint8Array>} keys the pinned raw public keys by id after the update
 * @property {string[]} added ids newly pinned
 * @property {string} current the id of the list's current key
 * @property {boolean} firstUse whether nothing was pinned before (every listed key is pinned)
 */

const malformed = (detail) => new VerifyError("key-list-malformed", detail);

/** @param {unknown} text @param {number} size @returns {Uint8Array | null} */
function b64(text, size) {
  try {
    const raw = base64Bytes(/** @type {string} */ (text));
    return raw.length === size ? raw : null;
  } catch {
    return null;
  }
}

/** The bytes an endorsement signs (ASCII: ids, base64 and a time). */
function statement(entry) {
  const text = canonical({
    type: ENDORSEMENT_TYPE,
    id: entry.id,
    algorithm: "Ed25519",
    public_key: entry.publicText,
    created_at: entry.createdAt,
  });
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function readEntry(item, i) {
  if (!item || typeof item !== "object" || item.algorithm !== "Ed25519") throw malformed(`key ${i}: the algorithm must be Ed25519`);
  const raw = typeof item.public_key === "string" ? b64(item.public_key, 32) : null;
  if (!raw) throw malformed(`key ${i}: public_key is base64 of 32 bytes`);
  if (item.id !== sha256Hex(raw).slice(0, 16)) throw malformed(`key ${i}: the id does not match the key`);
  if (typeof item.created_at !== "string" || !TIME.test(item.created_at)) {
    throw malformed(`key ${i}: created_at is a UTC time like 2025-06-21T08:00:00Z`);
  }
  const current = item.current ?? false;
  if (typeof current !== "boolean") throw malformed(`key ${i}: current is true or false`);
  let endorser = null;
  let signature = null;
  const e = item.endorsement;
  if (e !== undefined && e !== null) {
    endorser = typeof e === "object" ? e.key_id : null;
    signature = endorser ? b64(e.signature, 64) : null;
    if (typeof endorser !== "string" || !signature) throw malformed(`key ${i}: an endorsement is {key_id, signature (64 bytes)}`);
  }
  return { id: item.id, raw, publicText: item.public_key, createdAt: item.created_at, current, endorser, signature };
}

function readEntries(keyList) {
  const items = keyList && typeof keyList === "object" ? keyList.keys : undefined;
  if (!Array.isArray(items)) throw malformed('a key list is {"keys": [...]}');
  if (items.length > MAX_KEYS) throw new VerifyError("key-list-too-long", `${items.length} keys listed; at most ${MAX_KEYS} are read`);
  const entries = items.map(readEntry);
  if (new Set(entries.map((e) => e.id)).size !== entries.length) throw malformed("a key is listed twice");
  if (entries.filter((e) => e.current).length !== 1) throw malformed("a key list marks exactly one key as current");
  return entries;
}

/**
 * The pins after reading a /v1/keys key list (bundle format 4.1), or a VerifyError whose
 * code is `key-list-malformed`, `key-list-too-long`, `endorsement-invalid` or
 * `keys-not-endorsed`. With nothing pinned, every listed key is pinned (first use);
 * otherwise a key is pinned only when endorsed by a trusted key, and the list's current key
 * must be. Keys pinned before are kept even when the list no longer names them.
 * @param {Map<string, Uint8Array>} pinned raw public keys by id (an empty Map on first use)
 * @param {unknown} keyList a parsed /v1/keys answer
 * @returns {Promise<PinUpdate>}
 */
export async function updatePins(pinned, keyList) {
  if (!(pinned instanceof Map)) throw new VerifyError("unsupported-input", "pinned must be a Map of id to raw public key");
  const entries = readEntries(keyList);
  const byId = new Map(entries.map((e) => [e.id, e]));
  for (const entry of entries) {
    if (!entry.endorser) continue;
    const signer = pinned.get(entry.endorser) ?? byId.get(entry.endorser)?.raw;
    if (signer && !ed25519Verify(entry.signature, statement(entry), signer)) {
      throw new VerifyError("endorsement-invalid", `the endorsement of key ${entry.id} by key ${entry.endorser} does not verify`);
    }
  }
  const current = entries.find((e) => e.current).id;
  if (pinned.size === 0) {
    const keys = new Map(entries.map((e) => [e.id, e.raw]));
    return { keys, added: [...keys.keys()], current, firstUse: true };
  }
  const trusted = new Map(pinned);
  const added = [];
  for (let grew = true; grew; ) {
    // A fixed point: loops and keys endorsed by strangers never get in.
    grew = false;
    for (const entry of entries) {
      if (!trusted.has(entry.id) && entry.endorser && trusted.has(entry.endorser)) {
        trusted.set(entry.id, entry.raw);
        added.push(entry.id);
        grew = true;
      }
    }
  }
  if (!trusted.has(current)) {
    throw new VerifyError(
      "keys-not-endorsed",
      `the current key ${current} is not endorsed by a pinned key (pinned: ${[...pinned.keys()].sort().join(", ")}); the key list was not accepted`,
    );
  }
  return { keys: trusted, added, current, firstUse: false };
}
