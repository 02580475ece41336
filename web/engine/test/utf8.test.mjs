// The package's own UTF-8 decoder agrees with a strict TextDecoder that keeps the BOM.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeUtf8 } from "../utf8.js";

const reference = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function agree(bytes) {
  let expected;
  try {
    expected = reference.decode(bytes);
  } catch {
    assert.throws(() => decodeUtf8(bytes), TypeError, `accepted ${[...bytes]}`);
    return false;
  }
  assert.equal(decodeUtf8(bytes), expected, `${[...bytes]}`);
  return true;
}

test("well-formed text decodes as TextDecoder decodes it", () => {
  const text = "Le moulin à eau, ça tourne 🌊 — ÿ \u0000 \uFEFF € 𝄞 \u{10FFFF}";
  assert.ok(agree(new TextEncoder().encode(text)));
  assert.equal(decodeUtf8(new TextEncoder().encode("\uFEFF{}")), "\uFEFF{}"); // the BOM is kept
  assert.ok(agree(new TextEncoder().encode("x".repeat(20000) + "é"))); // more than one chunk
});

test("malformed bytes are refused like a fatal TextDecoder", () => {
  const cases = [
    [0x80], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x80, 0x80, 0x80],
    [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff], [0xe2, 0x82], [0x61, 0xc3], [0xf0, 0x9f, 0x8c],
  ];
  for (const bytes of cases) assert.equal(agree(Uint8Array.from(bytes)), false);
});

test("every short byte sequence gets the same answer", () => {
  // All one- and two-byte inputs, and three-byte ones around the lead bytes' edges.
  for (let a = 0; a < 256; a++) {
    agree(Uint8Array.of(a));
    for (let b = 0; b < 256; b++) agree(Uint8Array.of(a, b));
  }
  const edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5];
  for (const a of edges) for (const b of edges) for (const c of edges) for (const d of edges) agree(Uint8Array.of(a, b, c, d));
});
