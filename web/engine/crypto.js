// SHA-256 and Ed25519 from the audited, dependency-free noble libraries: Web Crypto has no
// Ed25519 in React Native or older browsers, and crypto.subtle needs a secure context.
import * as ed from "@noble/ed25519";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { hex } from "./bytes.js";

// noble-ed25519's synchronous API needs a SHA-512; an app that set one keeps its own.
ed.hashes.sha512 ??= sha512;

/**
 * SHA-256 of some bytes, as lowercase hex.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function sha256Hex(bytes) {
  return hex(sha256(bytes));
}

// Hashing in pure JavaScript holds the thread (about 60 MB/s): large files are hashed in
// slices with a pause between them, so that a page or an app stays responsive meanwhile.
const SLICE = 4 * 1024 * 1024;
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * SHA-256 of some bytes, as lowercase hex, letting other work run between 4 MiB slices.
 * @param {Uint8Array} bytes
 * @returns {Promise<string>}
 */
export async function sha256HexSliced(bytes) {
  if (bytes.byteLength <= SLICE) return sha256Hex(bytes);
  const hash = sha256.create();
  for (let at = 0; at < bytes.byteLength; at += SLICE) {
    hash.update(bytes.subarray(at, at + SLICE));
    await pause();
  }
  return hex(hash.digest());
}

/**
 * Whether an Ed25519 signature (RFC 8032, strict like the reference verifier) is valid.
 * @param {Uint8Array} signature 64 bytes
 * @param {Uint8Array} message
 * @param {Uint8Array} publicKey 32 raw bytes
 * @returns {boolean}
 */
export function ed25519Verify(signature, message, publicKey) {
  try {
    // zip215: false: the stricter RFC 8032 rules (canonical encodings), nearer OpenSSL, the reference.
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false; // a public key that is not a curve point verifies nothing
  }
}
