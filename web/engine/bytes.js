// The byte inputs the verifier accepts, and the small encodings it needs (hex, base64), written
// here rather than taken from atob/Buffer, which React Native and Node do not share.
import { VerifyError } from "./errors.js";

/**
 * The bytes of a bundle given as an ArrayBuffer, a Uint8Array (a Node Buffer is one) or a Blob.
 * @param {unknown} input
 * @returns {Promise<Uint8Array>}
 */
export async function bundleBytes(input) {
  // By tag rather than instanceof, so that bytes made in another realm (an iframe, a worker's
  // transfer, a test harness) are recognised too.
  const tag = Object.prototype.toString.call(input);
  if (tag === "[object Uint8Array]") {
    const view = /** @type {Uint8Array} */ (input);
    return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  if (tag === "[object ArrayBuffer]") return new Uint8Array(/** @type {ArrayBuffer} */ (input));
  // A Blob (or File) from any realm: duck-typed, as React Native and polyfills bring their own.
  if (isBlob(input)) {
    let buffer;
    try {
      buffer = await input.arrayBuffer();
    } catch (err) {
      throw new VerifyError("unsupported-input", `the Blob could not be read: ${err}`);
    }
    if (Object.prototype.toString.call(buffer) === "[object ArrayBuffer]") return new Uint8Array(buffer);
  }
  const kind = input === null ? "null" : typeof input === "object" ? input.constructor?.name ?? "object" : typeof input;
  throw new VerifyError("unsupported-input", `a bundle is an ArrayBuffer, a Uint8Array or a Blob, not ${kind}`);
}

/**
 * @param {unknown} value
 * @returns {value is Blob}
 */
function isBlob(value) {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (/** @type {Blob} */ (value).arrayBuffer) === "function" &&
    typeof (/** @type {Blob} */ (value).size) === "number" &&
    typeof (/** @type {Blob} */ (value).type) === "string"
  );
}

/**
 * Lowercase hex of some bytes.
 * @param {Uint8Array | ArrayBuffer} bytes
 * @returns {string}
 */
export function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALUE = new Map(Array.from(ALPHABET, (c, i) => [c, i]));

/**
 * Standard base64 with padding (RFC 4648 section 4); other text throws TypeError.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function base64Bytes(text) {
  if (typeof text !== "string" || text.length % 4 !== 0) throw new TypeError("not base64");
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let bits = 0;
  let count = 0;
  let n = 0;
  for (let i = 0; i < text.length - pad; i++) {
    const v = VALUE.get(text[i]);
    if (v === undefined) throw new TypeError("not base64");
    bits = (bits << 6) | v;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[n++] = (bits >> count) & 0xff;
    }
  }
  return out;
}
