/* Service worker: keeps one complete copy of the site so pages and search open with no signal.
 *
 * The build (sitedata.build.Build.post_build) writes this file to the site root, where its scope covers the
 * whole site, with one line in front of it: `const MANIFEST = {version, files}`, the build's
 * hash and every file to keep. One cache per build, named by the hash, so a page and the files
 * it uses always come from the same build. A new build installs in full first (or not at all),
 * then replaces the old cache in one step; sw-register.js reloads the open page when that
 * happens, so nobody sees old and new pages mixed. Only this site's own GET requests are
 * handled; nothing is fetched from anywhere else.
 */
/* global MANIFEST */
"use strict";

const CACHE_PREFIX = "dapg-";
const CACHE = CACHE_PREFIX + MANIFEST.version;
const NOT_FOUND = new URL("404.html", self.location).href;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // "reload" skips the HTTP cache, so the new build never picks up a file from the old one.
    await cache.addAll(MANIFEST.files.map((path) => new Request(new URL(path, self.location), { cache: "reload" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith(respond(request, url));
});

async function respond(request, url) {
  const cache = await caches.open(CACHE);
  const navigation = request.mode === "navigate";
  for (const key of candidates(url, navigation)) {
    // Search results link to pages with ?h=<terms> for highlighting: the page is the same.
    const cached = await cache.match(key, { ignoreSearch: navigation });
    if (cached) return cached;
  }
  try {
    return await fetch(request);
  } catch (error) {
    if (navigation) {
      const missing = await cache.match(NOT_FOUND);
      if (missing) return missing;
    }
    throw error;
  }
}

/* The cache keys a request may be stored under: pages are kept as "dir/", also asked for as "dir/index.html" or "dir". */
function candidates(url, navigation) {
  const bare = url.origin + url.pathname + (navigation ? "" : url.search);
  const keys = [bare];
  if (navigation) {
    if (url.pathname.endsWith("/index.html")) keys.push(bare.slice(0, -"index.html".length));
    else if (!url.pathname.endsWith("/")) keys.push(bare + "/");
  }
  return keys;
}
