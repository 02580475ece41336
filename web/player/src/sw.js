// The player's service worker: keeps the app shell so that /play and /play/{slug} open with no
// network. Trails themselves are stored by the page in Cache Storage ("baladeur-trails").
/* global __BUILD__, __SHELL__ */
const SHELL_CACHE = `baladeur-shell-${__BUILD__}`;
const DATA_CACHE = "baladeur-data";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(__SHELL__))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith("baladeur-shell-") && n !== SHELL_CACHE).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  );
});

async function shell(request) {
  try {
    const response = await fetch(request);
    if (response.ok) return response;
  } catch {
    // offline: fall through to the stored shell
  }
  const cache = await caches.open(SHELL_CACHE);
  return (await cache.match("/play")) ?? Response.error();
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  return fetch(request);
}

// Catalogue and trail details: fresh when online, the last copy when not.
async function networkFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request);
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (event.request.mode === "navigate" && (url.pathname === "/play" || url.pathname.startsWith("/play/"))) {
    event.respondWith(shell(event.request));
  } else if (url.pathname.startsWith("/play/assets/")) {
    event.respondWith(cacheFirst(event.request));
  } else if (url.pathname === "/v1/trails" || /^\/v1\/trails\/[^/]+$/.test(url.pathname) || url.pathname === "/v1/keys") {
    event.respondWith(networkFirst(event.request));
  }
});
