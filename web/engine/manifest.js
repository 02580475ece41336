// Reading a manifest's exact bytes: UTF-8 JSON object, canonical, of a format version this
// package knows (docs/bundle-format.md, "Versioning"), with the members the verifier needs.
import { canonical } from "./canonical.js";
import { VerifyError } from "./errors.js";
import { decodeUtf8 } from "./utf8.js";

/** The major format version this package reads; a newer one is refused. */
export const FORMAT_VERSION = 1;
/** The newest minor version it knows; newer minors are read, their unknown members ignored. */
export const FORMAT_MINOR = 2;
/** The largest manifest read (section 5, step 3). */
export const MAX_MANIFEST_BYTES = 16 * 1024 ** 2;

// The media types of a format-1 media table, by kind (docs/bundle-format.md section 2.6).
const MEDIA_TYPES = new Map([
  ["audio", ["audio/ogg", "audio/mp4"]],
  ["transcript", ["text/vtt"]],
  ["image", ["image/jpeg", "image/png"]],
]);

// The top-level members of format 1.2 (basemap is new in 1.1, objects in 1.2): with no newer minor version, any other is refused.
const MEMBERS = new Set(["format", "format_minor", "profile", "publisher", "key_id", "built_at", "trail", "stops", "ambience", "media", "basemap", "objects"]);

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The format version of a parsed manifest as [major, minor]; throws VerifyError when unknown.
 * @param {Record<string, unknown>} manifest
 * @returns {[number, number]}
 */
export function formatVersion(manifest) {
  const { format, format_minor: minor = 0 } = manifest;
  if (!Number.isInteger(format) || format < 1) throw new VerifyError("schema", `format must be a positive integer, not ${JSON.stringify(format)}`);
  if (format > FORMAT_VERSION) {
    throw new VerifyError("unsupported-format", `bundle format ${format} is newer than this app reads (${FORMAT_VERSION}): update the app`);
  }
  if (format < FORMAT_VERSION) throw new VerifyError("schema", `bundle format ${format} is not read by this app`);
  if (!Number.isInteger(minor) || minor < 0) throw new VerifyError("schema", "format_minor must be a non-negative integer");
  return [format, /** @type {number} */ (minor)];
}

/**
 * Every media path a manifest uses: cover, cues' audio and transcripts, layers' and objects' audio.
 * @param {any} manifest
 * @returns {string[]}
 */
export function mediaPaths(manifest) {
  const used = [];
  if (manifest.trail.cover) used.push(manifest.trail.cover);
  for (const stop of manifest.stops) {
    for (const cue of Object.values(stop.cues ?? {})) {
      used.push(cue.audio);
      if (cue.transcript) used.push(cue.transcript);
    }
  }
  for (const layer of manifest.ambience) used.push(layer.audio);
  for (const obj of manifest.objects ?? []) used.push(obj.audio);
  return used;
}

/**
 * Parse a manifest's exact bytes (section 5, step 3 without the signature); throws VerifyError.
 * @param {Uint8Array} manifestBytes
 * @returns {any} the manifest
 */
export function readManifest(manifestBytes) {
  if (manifestBytes.byteLength > MAX_MANIFEST_BYTES) throw new VerifyError("manifest-unreadable", "manifest too large");
  let text;
  let manifest;
  try {
    text = decodeUtf8(manifestBytes);
    manifest = JSON.parse(text);
  } catch {
    throw new VerifyError("manifest-not-json", "the manifest is not UTF-8 JSON");
  }
  if (!isObject(manifest)) throw new VerifyError("manifest-not-json", "the manifest is not a JSON object");
  // Canonical text cannot repeat a key, so this also refuses duplicate keys.
  if (canonical(manifest) !== text) throw new VerifyError("manifest-not-canonical", "the manifest is not canonical JSON");
  const [, minor] = formatVersion(manifest);
  if (minor <= FORMAT_MINOR) {
    // Only the top level is checked here; the reference verifier checks the whole schema.
    const stray = Object.keys(manifest).find((k) => !MEMBERS.has(k));
    if (stray) throw new VerifyError("schema", `unknown member '${stray}' in a format ${FORMAT_VERSION}.${FORMAT_MINOR} manifest`);
  }
  if (!isObject(manifest.trail) || !Array.isArray(manifest.stops) || !Array.isArray(manifest.ambience) || !Array.isArray(manifest.media)) {
    throw new VerifyError("schema", "the manifest lacks trail, stops, ambience or media");
  }
  if (manifest.objects !== undefined && !Array.isArray(manifest.objects)) {
    throw new VerifyError("schema", "objects must be an array");
  }
  // A few schema constraints an app relies on (the reference verifier checks them all).
  if (typeof manifest.publisher !== "string" || manifest.publisher === "") {
    throw new VerifyError("schema", "publisher must be a non-empty string");
  }
  for (const row of manifest.media) {
    const types = isObject(row) ? MEDIA_TYPES.get(row.kind) : undefined;
    if (!types || !types.includes(row.mime_type)) {
      throw new VerifyError("schema", `a media row of kind ${JSON.stringify(row?.kind)} cannot be ${JSON.stringify(row?.mime_type)}`);
    }
  }
  return manifest;
}
