// Keeps a copy of the app shell and the SDK so that the app loads without a network.
// Same-origin GETs go to the network first (so a changed app shows at once) and fall back to
// the copy; requests to the sync server (another origin) are never touched.
const CACHE = "web-demo-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const files = await (await fetch("/precache.json", { cache: "no-store" })).json();
      const cache = await caches.open(CACHE);
      await cache.addAll(files);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  // The app's own files only: never an authenticated request (a sync server behind the same
  // origin must not have its answers kept, nor an old one served for another cursor).
  if (event.request.method !== "GET" || url.origin !== self.location.origin || event.request.headers.has("Authorization")) return;
  event.respondWith(
    (async () => {
      try {
        const response = await fetch(event.request);
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(event.request, copy)));
        }
        return response;
      } catch (error) {
        const cached = await caches.match(event.request);
        if (cached) return cached;
        throw error;
      }
    })(),
  );
});
