// Bundles made in JavaScript for the package's own tests: a stored zip writer and a small,
// signed manifest (the verifier checks structure and references, not the whole schema).
import * as ed from "@noble/ed25519";
import { canonical, crc32, hex, sha256Hex } from "../index.js";

const encoder = new TextEncoder();

/** A zip of stored entries, [[name, bytes, {mode, method}], ...], as a Uint8Array. */
export function storedZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data, { mode = 0o100644, method = 0 } = {}] of entries) {
    const nameBytes = encoder.encode(name);
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, method, true);
    local.setUint16(12, 0x21, true); // 1980-01-01
    local.setUint32(14, crc, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, (3 << 8) | 20, true); // made by Unix: the mode below is meant
    central.setUint16(6, 20, true);
    central.setUint16(10, method, true);
    central.setUint16(14, 0x21, true);
    central.setUint32(16, crc, true);
    central.setUint32(20, data.length, true);
    central.setUint32(24, data.length, true);
    central.setUint16(28, nameBytes.length, true);
    central.setUint32(38, (mode << 16) >>> 0, true);
    central.setUint32(42, offset, true);
    locals.push(new Uint8Array(local.buffer), nameBytes, data);
    centrals.push(new Uint8Array(central.buffer), nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cdSize = centrals.reduce((n, part) => n + part.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, new Uint8Array(end.buffer)];
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const base64 = (bytes) => btoa(String.fromCharCode(...bytes));

/** A signing key, its id and the /v1/keys document that trusts it. */
export async function makeKey() {
  const secret = ed.utils.randomSecretKey();
  const publicKey = await ed.getPublicKeyAsync(secret);
  const id = sha256Hex(publicKey).slice(0, 16);
  return { secret, id, document: { keys: [{ id, algorithm: "Ed25519", public_key: base64(publicKey) }] } };
}

/** The manifest of a one-stop trail whose narration is `audio`. */
export function makeManifest(keyId, audio) {
  const sha = sha256Hex(audio);
  const path = `media/${sha}.opus`;
  return {
    format: 1,
    profile: "opus",
    publisher: "Tests",
    key_id: keyId,
    built_at: "2025-06-21T08:00:00Z",
    trail: { id: "t", slug: "test-trail", release: 1, title: { en: "Test" }, languages: ["en"], mode: "free", timezone: "UTC", cover: null, settings: { loudness_lufs: -16, ambience_offset_db: -6, ducking_db: -12 } },
    stops: [
      {
        key: "a",
        zone: { type: "Feature", geometry: { type: "Point", coordinates: [4.395, 50.4037] }, properties: { shape: "circle", radius_m: 30 } },
        rules: { dwell_s: 0, max_accuracy_m: 30, exit_margin_m: 8, exit_dwell_s: 5, replay: "once", cooldown_s: 60, priority: 0, interrupt: false, on_exit: "finish", requires: null, time_windows: [] },
        role: "voice",
        cues: { en: { audio: path, duration_s: 12, transcript: null, text: null } },
      },
    ],
    ambience: [],
    media: [{ path, sha256: sha, bytes: audio.length, mime_type: "audio/ogg", kind: "audio", duration_s: 12, loudness_lufs: -16 }],
  };
}

/** A signed bundle: the manifest (edited by `edit`), its signature, the audio. */
export async function makeBundle(key, { edit = (m) => m, audio = encoder.encode("OggS not really audio ".repeat(20)), extra = [] } = {}) {
  const manifestBytes = encoder.encode(canonical(edit(makeManifest(key.id, audio))));
  const signature = { algorithm: "Ed25519", key_id: key.id, signature: base64(await ed.signAsync(manifestBytes, key.secret)) };
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  return storedZip([
    ["manifest.json", manifestBytes],
    ["manifest.sig.json", encoder.encode(canonical(signature))],
    ...manifest.media.map((row) => [row.path, audio]),
    ...extra,
  ]);
}

export { hex };
