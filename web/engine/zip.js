// A small reader for the stored (uncompressed) zip archives of bundles: it lists entries from
// the central directory and slices their bytes from the local headers; it never inflates.
import { decodeUtf8 } from "./utf8.js";

/** The archive is not a zip, or is one this reader cannot read. */
export class ZipError extends Error {}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function findEocd(view) {
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let i = view.byteLength - 22; i >= min; i--) {
    if (view.getUint32(i, true) === EOCD) return i;
  }
  throw new ZipError("not-a-zip");
}

function big(view, at) {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError("too-large");
  return Number(value);
}

function zip64Extra(view, start, length, fields) {
  // The zip64 extra field holds, in order, the 32-bit values that were saturated.
  let at = start;
  while (at + 4 <= start + length) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === 0x0001) {
      let p = at + 4;
      for (const key of ["size", "compressedSize", "localOffset"]) {
        if (fields[key] === 0xffffffff) {
          fields[key] = big(view, p);
          p += 8;
        }
      }
      return;
    }
    at += 4 + size;
  }
}

/** The entries of a zip held in memory (Uint8Array), in central-directory order. */
export function readEntries(bytes) {
  if (bytes.byteLength < 22) throw new ZipError("not-a-zip");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEocd(view);
  let count = view.getUint16(eocd + 10, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  const locator = eocd - 20;
  if (locator >= 0 && view.getUint32(locator, true) === EOCD64_LOCATOR) {
    const at = big(view, locator + 8);
    if (view.getUint32(at, true) !== EOCD64) throw new ZipError("not-a-zip");
    count = big(view, at + 32);
    cdOffset = big(view, at + 48);
  }
  const entries = [];
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.byteLength || view.getUint32(at, true) !== CENTRAL) throw new ZipError("not-a-zip");
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const fields = {
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    zip64Extra(view, at + 46 + nameLength, extraLength, fields);
    let name;
    try {
      name = decodeUtf8(bytes.subarray(at + 46, at + 46 + nameLength));
    } catch {
      throw new ZipError("unsafe-name");
    }
    entries.push({
      name,
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      externalAttrs: view.getUint32(at + 38, true),
      ...fields,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of a stored entry, located through its local header. */
export function entryBytes(bytes, entry) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localOffset;
  if (at + 30 > bytes.byteLength || view.getUint32(at, true) !== LOCAL) throw new ZipError("entry-unreadable");
  const nameLength = view.getUint16(at + 26, true);
  const extraLength = view.getUint16(at + 28, true);
  let localName;
  try {
    localName = decodeUtf8(bytes.subarray(at + 30, at + 30 + nameLength));
  } catch {
    throw new ZipError("entry-unreadable");
  }
  if (localName !== entry.name) throw new ZipError("entry-unreadable");
  const start = at + 30 + nameLength + extraLength;
  if (start + entry.compressedSize > bytes.byteLength) throw new ZipError("entry-unreadable");
  return bytes.subarray(start, start + entry.compressedSize);
}

let table = null;

/** CRC-32 (the zip polynomial) of some bytes. */
export function crc32(bytes) {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
