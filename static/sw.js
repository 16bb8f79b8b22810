// The app's service worker. It keeps the app's page and assets, and the API answers the app
// last read (own card, circles with their members' cards, contacts), so the app opens
// offline and says as of when its data is. Pages and data come from the network first, so a
// new release or a changed card shows on the next load; the cache serves only when the
// network fails. Signing out clears it all (the app, and the server's Clear-Site-Data).
"use strict";

const CACHE = "qrc-app-v1";
const SHELL = "/app";
const APP_PAGES = /^\/(app(\/.*)?|scan|u\/[\w-]+)$/;
// Not kept: the event stream, and personal QR codes, which must be fresh to work.
const NEVER = /^\/api\/v1\/(events|me\/card\/code)$/;

self.addEventListener("install", event => {
  event.waitUntil(keepShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", event => {
  event.waitUntil(caches.keys()
    .then(keys => Promise.all(keys.filter(k => k !== CACHE).map(k => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// keepShell stores the app's page and every asset it names.
async function keepShell() {
  const res = await fetch(SHELL, { credentials: "same-origin" });
  if (!res.ok) return;
  const html = await res.clone().text();
  const cache = await caches.open(CACHE);
  await cache.put(SHELL, res);
  await cache.addAll([...new Set(html.match(/\/static\/[\w.-]+/g) || [])]);
}

self.addEventListener("fetch", event => {
  const req = event.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && APP_PAGES.test(url.pathname)) {
    event.respondWith(fromNetwork(req, SHELL));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(req).then(hit => hit || fetch(req)));
  } else if (url.pathname.startsWith("/api/v1/") && !NEVER.test(url.pathname)) {
    event.respondWith(fromNetwork(req, url.pathname + url.search));
  }
});

// fromNetwork answers from the network and keeps a good answer under key; when the network
// fails it answers what was kept, marked X-QRC-Offline (its Date says as of when).
async function fromNetwork(req, key) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(key, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(key, { ignoreVary: true });
    if (!hit) return Response.error();
    const headers = new Headers(hit.headers);
    headers.set("X-QRC-Offline", "1");
    return new Response(hit.body, { status: hit.status, headers });
  }
}
