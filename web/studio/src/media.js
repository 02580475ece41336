// Audio: resumable upload (tus) with progress, waiting for processing, waveform and listening.
import * as tus from "tus-js-client";
import { ApiError, call, get, requestHeaders } from "./api.js";
import { orgPath } from "./state.js";

async function sha256Hex(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Upload a file resumably; resolves to the asset id. onProgress(fraction). */
export async function uploadAudio(file, role, onProgress) {
  const sha256 = await sha256Hex(file);
  return new Promise((resolve, reject) => {
    let assetId = null;
    const upload = new tus.Upload(file, {
      endpoint: `${location.origin}${orgPath("/uploads")}`,
      // The session cookie goes along (same origin); tus's changes need the CSRF header too.
      headers: requestHeaders(),
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream", role, sha256 },
      chunkSize: 4 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      // A dropped connection resumes at the server's offset; a reload finds the same upload.
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => onProgress(total ? sent / total : 0),
      onAfterResponse: (_req, res) => {
        const id = res.getHeader("Baladeur-Asset-Id");
        if (id) assetId = Number(id);
      },
      onError: (err) => reject(err),
      onSuccess: async () => {
        if (assetId === null) {
          try {
            const info = await get(new URL(upload.url).pathname);
            assetId = info.asset_id;
          } catch (err) {
            return reject(err);
          }
        }
        resolve(assetId);
      },
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  });
}

/** Poll an asset until it is ready or failed. */
export async function waitReady(assetId, { timeoutMs = 120000, onStatus } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let asset;
    try {
      asset = await get(orgPath(`/assets/${assetId}`));
    } catch (err) {
      // The upload's answer can arrive a moment before the new asset is committed.
      if (!(err instanceof ApiError && err.status === 404) || Date.now() > deadline) throw err;
      asset = { status: "pending" };
    }
    onStatus?.(asset.status);
    if (asset.status !== "pending" || Date.now() > deadline) return asset;
    await new Promise((r) => setTimeout(r, 700));
  }
}

/** Draw the waveform peaks into a canvas. */
export async function drawWaveform(canvas, assetId) {
  const peaks = await get(orgPath(`/assets/${assetId}/waveform`));
  const ctx = canvas.getContext("2d");
  const w = (canvas.width = canvas.clientWidth * devicePixelRatio || 600);
  const hgt = (canvas.height = canvas.clientHeight * devicePixelRatio || 80);
  ctx.clearRect(0, 0, w, hgt);
  ctx.fillStyle = "#2f6f6a";
  const n = peaks.min.length;
  for (let x = 0; x < w; x++) {
    const i = Math.floor((x / w) * n);
    const top = ((1 - peaks.max[i]) / 2) * hgt;
    const bottom = ((1 - peaks.min[i]) / 2) * hgt;
    ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
  canvas.dataset.drawn = "true";
  return peaks;
}

const blobs = new Map();
const cache = new Map();

/** The asset's phone rendition as a Blob (fetched once, with the signed-in session). */
export function audioBlob(assetId) {
  if (!blobs.has(assetId)) {
    const fetched = call("GET", orgPath(`/assets/${assetId}/listen`), { raw: true }).then((r) => r.data);
    // A failed fetch is not kept: the next call tries again.
    fetched.catch(() => blobs.delete(assetId));
    blobs.set(assetId, fetched);
  }
  return blobs.get(assetId);
}

/** An object URL of the asset's phone rendition. */
export async function audioUrl(assetId) {
  if (!cache.has(assetId)) cache.set(assetId, URL.createObjectURL(await audioBlob(assetId)));
  return cache.get(assetId);
}
