// Resumable download of a bundle: on a dropped connection it asks for the rest with
// Range + If-Range (strong ETag), and starts again only when the file changed.
import { PIECE_BYTES, isQuotaError } from "./partial.js";

/** The download failed for good (after retries, or on an HTTP error). */
export class DownloadError extends Error {
  constructor(message, status = null) {
    super(message);
    this.status = status;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function waitOnline() {
  if (navigator.onLine !== false) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener("online", resolve, { once: true }));
}

async function problemDetail(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || response.statusText;
  } catch {
    return response.statusText;
  }
}

function joined(chunks, length) {
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Fetch url into memory; onProgress({received, total, resumes}) after each chunk. With a
 * `partial` (a PartialDownload), what arrives is also kept on the phone piece by piece, and a
 * kept beginning is asked for no more: the next visit resumes with Range + If-Range.
 * Returns {bytes, etag, url, resumes, resumedFrom}.
 */
export async function downloadResumable(url, { onProgress = () => {}, retries = 6, partial = null } = {}) {
  let target = url;
  let chunks = [];
  let received = 0;
  let total = null;
  let etag = null;
  let resumes = 0;
  let failures = 0;
  let resumedFrom = 0;
  let pending = [];
  let pendingBytes = 0;
  const kept = partial ? await partial.load() : null;
  if (kept) {
    // The trail's own URL, not a redirect target: a newer release answers 200 and starts over.
    chunks = kept.bytes;
    received = chunks.reduce((sum, c) => sum + c.byteLength, 0);
    total = kept.total;
    etag = kept.etag;
    resumedFrom = received;
    onProgress({ received, total, resumes });
  }
  // Pieces are written in order behind the reading, never holding it up: a slow reader loses
  // the bytes a dropped connection had already sent.
  let writing = Promise.resolve();
  const flush = () => {
    if (partial && pendingBytes) {
      const piece = joined(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      writing = writing.then(() => partial.append(piece));
    }
    return writing;
  };
  for (;;) {
    const headers = {};
    if (received > 0 && etag) {
      headers.Range = `bytes=${received}-`;
      headers["If-Range"] = etag;
    }
    try {
      const response = await fetch(target, { headers, cache: "no-store" });
      if (response.status === 206 && received > 0) {
        resumes += 1;
      } else if (response.ok) {
        chunks = []; // a whole answer (first try, or the file changed): start again
        received = 0;
        resumedFrom = 0;
        pending = [];
        pendingBytes = 0;
        total = Number(response.headers.get("Content-Length")) || null;
        etag = response.headers.get("ETag");
        target = response.url || target; // the immutable URL after the redirect
        if (partial) writing = writing.catch(() => {}).then(() => partial.begin(etag, total));
      } else {
        throw new DownloadError(await problemDetail(response), response.status);
      }
      if (response.status === 206) {
        const range = /\/(\d+)$/.exec(response.headers.get("Content-Range") || "");
        if (range) total = Number(range[1]);
      }
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        failures = 0;
        if (partial) {
          pending.push(value);
          pendingBytes += value.byteLength;
          if (pendingBytes >= PIECE_BYTES) flush().catch(() => {}); // its error is met below
        }
        onProgress({ received, total, resumes });
      }
      if (total === null || received === total) {
        await writing; // a full phone says so here
        break;
      }
      throw new TypeError("connection closed early");
    } catch (err) {
      if (err instanceof DownloadError || isQuotaError(err)) throw err;
      await flush(); // keep what came, for this retry or the next visit
      failures += 1;
      if (failures > retries) throw new DownloadError(`download failed: ${err.message}`);
      await waitOnline();
      await sleep(Math.min(8000, 250 * 2 ** failures));
    }
  }
  return { bytes: joined(chunks, received), etag, url: target, resumes, resumedFrom };
}
