// What has arrived of a bundle download, kept in Cache Storage as it comes, so that the next
// visit asks only for the rest (Range + If-Range with the kept ETag). One per trail and profile.

const CACHE = "baladeur-partial";
/** Bytes gathered in memory before they are written as one piece. */
export const PIECE_BYTES = 64 * 1024;

const base = (key) => `/play/_partial/${encodeURIComponent(key)}`;
const metaUrl = (key) => `${base(key)}/meta.json`;
const pieceUrl = (key, i) => `${base(key)}/piece/${i}`;

/** The storage refused to grow (the phone is full, or the site's share is used up). */
export function isQuotaError(err) {
  return err?.name === "QuotaExceededError" || err?.code === 22;
}

/** A partial download kept under a key (e.g. "slug/opus"). */
export class PartialDownload {
  constructor(key) {
    this.key = key;
    this.meta = null; // {etag, total, pieces, received}
  }

  /** What was kept: {etag, total, bytes: Uint8Array[]} or null. */
  async load() {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(metaUrl(this.key));
    if (!hit) return null;
    const meta = await hit.json();
    const bytes = [];
    for (let i = 0; i < meta.pieces; i += 1) {
      const piece = await cache.match(pieceUrl(this.key, i));
      if (!piece) {
        await this.clear(); // a piece went missing: nothing of it can be trusted
        return null;
      }
      bytes.push(new Uint8Array(await piece.arrayBuffer()));
    }
    this.meta = meta;
    return { etag: meta.etag, total: meta.total, bytes };
  }

  /** Start afresh for a file with this ETag and size. */
  async begin(etag, total) {
    await this.clear();
    this.meta = { etag, total, pieces: 0, received: 0 };
  }

  /** Keep one more piece (in order); the meta is written after the piece, so it never names a missing one. */
  async append(bytes) {
    if (!this.meta || !this.meta.etag || !bytes.byteLength) return;
    const cache = await caches.open(CACHE);
    await cache.put(pieceUrl(this.key, this.meta.pieces), new Response(bytes));
    this.meta.pieces += 1;
    this.meta.received += bytes.byteLength;
    await cache.put(metaUrl(this.key), new Response(JSON.stringify(this.meta), { headers: { "Content-Type": "application/json" } }));
  }

  /** Forget it (done, refused, or started over). */
  async clear() {
    this.meta = null;
    const cache = await caches.open(CACHE);
    for (const request of await cache.keys()) {
      if (new URL(request.url).pathname.startsWith(`${base(this.key)}/`)) await cache.delete(request);
    }
  }
}

/** How much of a download is kept: {received, total} or null. */
export async function keptOf(key) {
  const hit = await (await caches.open(CACHE)).match(metaUrl(key));
  if (!hit) return null;
  const meta = await hit.json();
  return { received: meta.received, total: meta.total };
}
