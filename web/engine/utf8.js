// Strict UTF-8 decoding written here: TextDecoder is missing from some React Native engines,
// and the verifier must refuse what the reference refuses (invalid bytes, surrogates,
// overlong forms) and keep a byte-order mark as a character, as Python's decoder does.

const CHUNK = 8192; // code units per String.fromCharCode call, well under argument limits

/**
 * The text of UTF-8 bytes; throws TypeError on anything that is not well-formed UTF-8.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function decodeUtf8(bytes) {
  const parts = [];
  let units = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let code;
    let need;
    let low = 0x80;
    let high = 0xbf;
    if (b < 0x80) {
      code = b;
      need = 0;
    } else if (b >= 0xc2 && b <= 0xdf) {
      code = b & 0x1f;
      need = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      code = b & 0x0f;
      need = 2;
      if (b === 0xe0) low = 0xa0; // overlong
      if (b === 0xed) high = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      code = b & 0x07;
      need = 3;
      if (b === 0xf0) low = 0x90; // overlong
      if (b === 0xf4) high = 0x8f; // above U+10FFFF
    } else {
      throw new TypeError(`invalid UTF-8 byte at ${i}`);
    }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) {
        throw new TypeError(`invalid UTF-8 sequence at ${i}`);
      }
      code = (code << 6) | (c & 0x3f);
    }
    i += need + 1;
    if (code > 0xffff) {
      code -= 0x10000;
      units.push(0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff));
    } else {
      units.push(code);
    }
    if (units.length >= CHUNK) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  }
  parts.push(String.fromCharCode(...units));
  return parts.join("");
}
