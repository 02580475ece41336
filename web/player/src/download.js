// Resumable download of a bundle: on a dropped connection it asks for the rest with
// Range + If-Range (strong ETag), and starts again only when the file changed.

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

/**
 * Fetch url into memory; onProgress({received, total, resumes}) after each chunk.
 * Returns {bytes, etag, url, resumes}.
 */
export async function downloadResumable(url, { onProgress = () => {}, retries = 6 } = {}) {
  let target = url;
  let chunks = [];
  let received = 0;
  let total = null;
  let etag = null;
  let resumes = 0;
  let failures = 0;
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
        total = Number(response.headers.get("Content-Length")) || null;
        etag = response.headers.get("ETag");
        target = response.url || target; // the immutable URL after the redirect
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
        onProgress({ received, total, resumes });
      }
      if (total === null || received === total) break;
      throw new TypeError("connection closed early");
    } catch (err) {
      if (err instanceof DownloadError) throw err;
      failures += 1;
      if (failures > retries) throw new DownloadError(`download failed: ${err.message}`);
      await waitOnline();
      await sleep(Math.min(8000, 250 * 2 ** failures));
    }
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { bytes, etag, url: target, resumes };
}
