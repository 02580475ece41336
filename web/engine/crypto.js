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

/**
 * Whether an Ed25519 signature (RFC 8032, strict like the reference verifier) is valid.
 * @param {Uint8Array} signature 64 bytes
 * @param {Uint8Array} message
 * @param {Uint8Array} publicKey 32 raw bytes
 * @returns {boolean}
 */
export function ed25519Verify(signature, message, publicKey) {
  try {
    // zip215: false follows RFC 8032 (canonical encodings), as OpenSSL does for the Python side.
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false; // a public key that is not a curve point verifies nothing
  }
}
