// Offline storage of trails in Cache Storage: the exact signed manifest, its signature, a
// small record, and media files stored once by SHA-256 (shared between trails and releases).
import { DownloadError, downloadResumable } from "./download.js";
import { PartialDownload, keptOf } from "./partial.js";
import { VerifyError, trustedKeys, updatePins, verifyBundle, verifyManifest, verifyMedia } from "@baladeur/engine";

const CACHE = "baladeur-trails";
const BASE = "/play/_store";

const recordUrl = (slug) => `${BASE}/trails/${slug}/record.json`;
const manifestUrl = (slug) => `${BASE}/trails/${slug}/manifest.json`;
const signatureUrl = (slug) => `${BASE}/trails/${slug}/manifest.sig.json`;
const mediaUrl = (sha) => `${BASE}/media/${sha}`;
// The keys pinned for this server (the player's own origin: Cache Storage is per origin).
const KEYS_URL = `${BASE}/keys.json`;

const open = () => caches.open(CACHE);

async function putJson(cache, url, value) {
  await cache.put(url, new Response(JSON.stringify(value), { headers: { "Content-Type": "application/json" } }));
}

async function getJson(cache, url) {
  const hit = await cache.match(url);
  return hit ? hit.json() : null;
}

/** The audio profile this browser plays: Opus when it can, else AAC. */
export function bestProfile() {
  const audio = document.createElement("audio");
  return audio.canPlayType('audio/ogg; codecs="opus"') ? "opus" : "aac";
}

/**
 * The keys pinned for this server, after reading its current /v1/keys when online (bundle
 * format 4.1): pinned on first use, then grown only through endorsements. A list that is not
 * endorsed by a pinned key rejects with a VerifyError (keys-not-endorsed…) and changes nothing.
 */
export async function loadKeys() {
  const cache = await open();
  const stored = (await getJson(cache, KEYS_URL)) ?? { keys: [] };
  const pinned = await trustedKeys(stored);
  let response;
  try {
    response = await fetch("/v1/keys", { cache: "no-store" });
  } catch {
    return pinned; // offline: the pins as they are
  }
  if (!response.ok) return pinned;
  const document = await response.json().catch(() => null);
  const update = await updatePins(pinned, document);
  if (update.added.length) {
    const listed = new Map(document.keys.map((k) => [k.id, k]));
    const added = update.added.map((id) => listed.get(id));
    const keys = [...stored.keys, ...added].map(({ id, algorithm, public_key }) => ({ id, algorithm, public_key }));
    await putJson(cache, KEYS_URL, { keys });
  }
  return update.keys;
}

/** Every stored trail's record, by slug. */
export async function storedTrails() {
  const cache = await open();
  const out = [];
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.endsWith("/record.json")) out.push(await (await cache.match(request)).json());
  }
  return out.sort((a, b) => a.slug.localeCompare(b.slug));
}

/** The record of one stored trail, or null. */
export async function storedTrail(slug) {
  return getJson(await open(), recordUrl(slug));
}

/** The stored manifest (parsed) of a trail, or null. */
export async function storedManifest(slug) {
  return getJson(await open(), manifestUrl(slug));
}

/** A stored media file as a Blob, by SHA-256. */
export async function mediaBlob(sha) {
  const hit = await (await open()).match(mediaUrl(sha));
  if (!hit) throw new Error(`media ${sha} is not stored`);
  return hit.blob();
}

/** Bytes used by stored media (each file counted once) and manifests. */
export async function storageUsed() {
  const records = await storedTrails();
  const media = new Map();
  let manifests = 0;
  for (const r of records) {
    manifests += r.manifest_bytes;
    for (const row of r.media) media.set(row.sha256, row.bytes);
  }
  return manifests + [...media.values()].reduce((a, b) => a + b, 0);
}

async function save(slug, { manifest, manifestBytes, signature }, mediaBytes, extra) {
  const cache = await open();
  // What the phone held before: put back if the storage refuses part of the new release.
  const before = new Map();
  for (const url of [manifestUrl(slug), signatureUrl(slug), recordUrl(slug)]) before.set(url, await cache.match(url));
  try {
    for (const row of manifest.media) {
      const bytes = mediaBytes.get(row.sha256);
      if (bytes) {
        await cache.put(mediaUrl(row.sha256), new Response(bytes, { headers: { "Content-Type": row.mime_type } }));
      }
    }
    await cache.put(manifestUrl(slug), new Response(manifestBytes, { headers: { "Content-Type": "application/json" } }));
    await putJson(cache, signatureUrl(slug), signature);
    return await saveRecord(cache, slug, manifest, manifestBytes, extra);
  } catch (err) {
    for (const [url, response] of before) {
      if (response) await cache.put(url, response);
      else await cache.delete(url);
    }
    await collectGarbage(); // the media only this attempt brought
    throw err;
  }
}

async function saveRecord(cache, slug, manifest, manifestBytes, extra) {
  const record = {
    slug,
    release: manifest.trail.release,
    profile: manifest.profile,
    title: manifest.trail.title,
    languages: manifest.trail.languages,
    valid_from: manifest.trail.valid_from ?? null,
    valid_until: manifest.trail.valid_until ?? null,
    manifest_bytes: manifestBytes.byteLength,
    media: manifest.media.map((r) => ({ sha256: r.sha256, bytes: r.bytes })),
    stored_at: new Date().toISOString(),
    verified: true,
    ...extra,
  };
  await putJson(cache, recordUrl(slug), record);
  await collectGarbage();
  return record;
}

/** How much of a trail's download an earlier visit kept: {received, total} or null. */
export function keptDownload(slug) {
  return keptOf(`${slug}/${bestProfile()}`);
}

/** Download, verify and store a trail's bundle; onProgress({phase, received, total, resumes}). */
export async function downloadTrail(slug, { onProgress = () => {} } = {}) {
  const profile = bestProfile();
  // Ask the browser not to evict stored trails under storage pressure (it may say no).
  navigator.storage?.persist?.().catch(() => {});
  const keys = await loadKeys();
  const url = `/v1/trails/${encodeURIComponent(slug)}/bundle?profile=${profile}`;
  const partial = new PartialDownload(`${slug}/${profile}`);
  try {
    const { bytes, resumes, resumedFrom } = await downloadResumable(url, {
      partial,
      onProgress: (p) => onProgress({ phase: "download", ...p }),
    });
    onProgress({ phase: "verify", received: bytes.byteLength, total: bytes.byteLength, resumes });
    const verified = await verifyBundle(bytes, keys);
    if (verified.manifest.trail.slug !== slug) throw new VerifyError("schema", "the bundle is for another trail");
    const record = await save(slug, verified, verified.media, { bundle_bytes: bytes.byteLength, resumes, resumed_from: resumedFrom });
    await partial.clear();
    return record;
  } catch (err) {
    // A refused bundle or a full phone keeps nothing; a network failure keeps what came.
    if (!(err instanceof DownloadError) || err.status !== null) await partial.clear().catch(() => {});
    throw err;
  }
}

/**
 * Bring a stored trail to the current release, downloading only media it does not hold
 * (bundle format section 7). Returns {record, downloaded} or null when already current.
 */
export async function updateTrail(slug, { onProgress = () => {} } = {}) {
  const record = await storedTrail(slug);
  if (!record) throw new Error("this trail is not stored");
  const profile = record.profile;
  const q = `?profile=${profile}`;
  const manifestResponse = await fetch(`/v1/trails/${encodeURIComponent(slug)}/manifest${q}`, { cache: "no-store" });
  if (!manifestResponse.ok) throw new DownloadError(manifestResponse.statusText, manifestResponse.status);
  const manifestBytes = new Uint8Array(await manifestResponse.arrayBuffer());
  const signature = await (await fetch(`/v1/trails/${encodeURIComponent(slug)}/manifest.sig.json${q}`, { cache: "no-store" })).json();
  const manifest = await verifyManifest(manifestBytes, signature, await loadKeys());
  if (manifest.trail.release === record.release) return null;
  const cache = await open();
  const fresh = new Map();
  let downloaded = 0;
  const missing = [];
  for (const row of manifest.media) if (!(await cache.match(mediaUrl(row.sha256)))) missing.push(row);
  const total = missing.reduce((sum, r) => sum + r.bytes, 0);
  for (const row of missing) {
    const ext = row.path.split(".").pop();
    const response = await fetch(`/v1/media/${row.sha256}.${ext}`);
    if (!response.ok) throw new DownloadError(response.statusText, response.status);
    const bytes = new Uint8Array(await response.arrayBuffer());
    await verifyMedia(row, bytes);
    fresh.set(row.sha256, bytes);
    downloaded += bytes.byteLength;
    onProgress({ phase: "update", received: downloaded, total });
  }
  const saved = await save(slug, { manifest, manifestBytes, signature }, fresh, {
    // The new release's content (the zip's own headers aside): the old size is no longer true.
    bundle_bytes: manifestBytes.byteLength + manifest.media.reduce((sum, r) => sum + r.bytes, 0),
    updated_from: record.release,
    update_bytes: downloaded + manifestBytes.byteLength,
  });
  return { record: saved, downloaded };
}

/** Remove a stored trail and the media no other stored trail uses. */
export async function removeTrail(slug) {
  const cache = await open();
  await cache.delete(recordUrl(slug));
  await cache.delete(manifestUrl(slug));
  await cache.delete(signatureUrl(slug));
  await collectGarbage();
}

async function collectGarbage() {
  const cache = await open();
  const keep = new Set();
  for (const r of await storedTrails()) for (const row of r.media) keep.add(row.sha256);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith(`${BASE}/media/`) && !keep.has(path.slice(`${BASE}/media/`.length))) await cache.delete(request);
  }
}
