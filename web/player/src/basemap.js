// The offline base map (bundle format 2.8): one PMTiles archive per release, downloaded after
// the bundle, checked against the hash the signed manifest gives, kept in Cache Storage, and
// drawn under the trail's geometry. With no archive (or a refused one) the plain drawing stays.
import { verifyMedia } from "@baladeur/engine";
import { FileSource, PMTiles } from "pmtiles";
import { DownloadError, downloadResumable } from "./download.js";
import { PartialDownload, keptOf } from "./partial.js";

const CACHE = "baladeur-trails";
const BASE = "/play/_store";
const archiveUrl = (sha) => `${BASE}/basemaps/${sha}`;
const statusUrl = (slug) => `${BASE}/trails/${slug}/basemap.json`;
const NS = "http://www.w3.org/2000/svg";
const TILE_PX = 256;

const open = () => caches.open(CACHE);
// What has arrived of an archive is kept under its hash, like a bundle's under its trail.
const partialKey = (sha) => `basemap/${sha}`;

/** How much of a base map archive an earlier visit kept: {received, total} or null. */
export function keptBasemap(sha) {
  return keptOf(partialKey(sha));
}

/** The base map's state for a stored trail: {status: stored|refused|failed, sha256, bytes, code}, or null. */
export async function basemapStatus(slug) {
  const hit = await (await open()).match(statusUrl(slug));
  return hit ? hit.json() : null;
}

// Archives no stored trail's status names are deleted (after a removal or an update).
async function collect(cache) {
  const keep = new Set();
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.endsWith("/basemap.json")) {
      const status = await (await cache.match(request)).json();
      if (status.status === "stored") keep.add(status.sha256);
    }
  }
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith(`${BASE}/basemaps/`) && !keep.has(path.slice(`${BASE}/basemaps/`.length))) await cache.delete(request);
  }
}

async function setStatus(cache, slug, status) {
  await cache.put(statusUrl(slug), new Response(JSON.stringify(status), { headers: { "Content-Type": "application/json" } }));
  await collect(cache);
  return status;
}

/**
 * Download, check and store a trail's base map, if its manifest names one; onProgress like the
 * bundle's. Never throws for the map's sake: a failed or refused map leaves a walk without it.
 */
export async function downloadBasemap(slug, manifest, { onProgress = () => {} } = {}) {
  const member = manifest.basemap;
  const cache = await open();
  if (!member) {
    await removeBasemap(slug); // a release without a map replaced one with a map
    return null;
  }
  const base = { sha256: member.sha256, bytes: member.bytes };
  if (await cache.match(archiveUrl(member.sha256))) return setStatus(cache, slug, { ...base, status: "stored" });
  const partial = new PartialDownload(partialKey(member.sha256));
  let bytes;
  let resumedFrom;
  try {
    ({ bytes, resumedFrom } = await downloadResumable(`/v1/basemaps/${member.sha256}.pmtiles`, { onProgress, partial }));
  } catch (err) {
    // A network failure keeps what came, for the next visit; an HTTP error or a full phone keeps nothing.
    if (!(err instanceof DownloadError) || err.status !== null) await partial.clear().catch(() => {});
    return setStatus(cache, slug, { ...base, status: "failed", code: "download-failed", message: String(err.message || err) });
  }
  await partial.clear();
  try {
    await verifyMedia({ path: "basemap", sha256: member.sha256, bytes: member.bytes }, bytes);
  } catch (err) {
    return setStatus(cache, slug, { ...base, status: "refused", code: err.code ?? "hash-mismatch" });
  }
  await cache.put(archiveUrl(member.sha256), new Response(bytes, { headers: { "Content-Type": "application/vnd.pmtiles" } }));
  return setStatus(cache, slug, { ...base, status: "stored", resumedFrom });
}

/** Forget a trail's base map (and what was kept of its archive), and delete archives no stored trail uses. */
export async function removeBasemap(slug, member = null) {
  if (member) await new PartialDownload(partialKey(member.sha256)).clear();
  const cache = await open();
  await cache.delete(statusUrl(slug));
  await collect(cache);
}

/** The stored archive of a trail's base map as a Blob, or null. */
export async function basemapBlob(manifest) {
  if (!manifest.basemap) return null;
  const hit = await (await open()).match(archiveUrl(manifest.basemap.sha256));
  return hit ? hit.blob() : null;
}

function tileLon(x, z) {
  return (x / 2 ** z) * 360 - 180;
}

function tileLat(y, z) {
  return (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) * 180) / Math.PI;
}

function tileX(lon, z) {
  return Math.floor(((lon + 180) / 360) * 2 ** z);
}

function tileY(lat, z) {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.asinh(Math.tan(r)) / Math.PI) / 2) * 2 ** z);
}

/**
 * Draw the archive's tiles under a TrailMap's drawing, at the zoom closest to the map's scale,
 * and show the attribution. Returns {zoom, tiles} (what was drawn).
 */
export async function drawBasemap(map, blob, member) {
  const archive = new PMTiles(new FileSource(new File([blob], "basemap.pmtiles")));
  const view = map.view();
  const wanted = Math.round(Math.log2((360 * view.width) / ((view.east - view.west) * TILE_PX)));
  const zoom = Math.min(member.max_zoom, Math.max(member.min_zoom, wanted));
  const layer = document.createElementNS(NS, "g");
  layer.setAttribute("class", "map-tiles");
  const drawn = [];
  for (let x = tileX(view.west, zoom); x <= tileX(view.east, zoom); x += 1) {
    for (let y = tileY(view.north, zoom); y <= tileY(view.south, zoom); y += 1) {
      const tile = await archive.getZxy(zoom, x, y);
      if (!tile) continue;
      const [x0, y0] = map.xy(tileLon(x, zoom), tileLat(y, zoom));
      const [x1, y1] = map.xy(tileLon(x + 1, zoom), tileLat(y + 1, zoom));
      const image = document.createElementNS(NS, "image");
      const type = member.tile_type === "jpeg" ? "image/jpeg" : "image/png";
      image.setAttribute("href", URL.createObjectURL(new Blob([tile.data], { type })));
      // Half a unit more on each side hides the seams between neighbouring tiles.
      image.setAttribute("x", (x0 - 0.25).toFixed(2));
      image.setAttribute("y", (y0 - 0.25).toFixed(2));
      image.setAttribute("width", (x1 - x0 + 0.5).toFixed(2));
      image.setAttribute("height", (y1 - y0 + 0.5).toFixed(2));
      image.setAttribute("preserveAspectRatio", "none");
      image.setAttribute("data-tile", `${zoom}/${x}/${y}`);
      layer.appendChild(image);
      drawn.push(`${zoom}/${x}/${y}`);
    }
  }
  map.underlay(layer);
  map.attribute(member.attribution);
  return { zoom, tiles: drawn };
}
