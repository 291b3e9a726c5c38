{% autoescape off %}/* Dixian's service worker: the visit page opens, and visits wait, when the network is gone.
   What it caches and why: docs/offline.md. Rendered by monitoring/offline.py. */
// Our own static URLs (hashed in production), written in by the view.
const CONFIG = {{ config_json }};
const VISIT_PAGE = CONFIG.visitPage;
const PAGES = "dixian-pages";

importScripts(CONFIG.workboxSw);
// Workbox's modules come from our own static files, never from a CDN.
workbox.setConfig({modulePathPrefix: CONFIG.workboxPrefix, debug: false});
// The queue shared with the page: a visit whose form could not reach the server is kept here.
importScripts(...CONFIG.queueScripts);

workbox.core.setCacheNameDetails({prefix: "dixian"});
self.skipWaiting();
workbox.core.clientsClaim();

workbox.precaching.precacheAndRoute(CONFIG.precache);
workbox.precaching.cleanupOutdatedCaches();

// Keep one copy of the visit page: the picker, never a household's form (that would keep its
// members and last figures on the phone), and never a login page a redirect led to.
const onePage = {
  cacheKeyWillBeUsed: async ({request, mode}) => (mode === "read" ? VISIT_PAGE : request),
  cacheWillUpdate: async ({request, response}) =>
    new URL(request.url).search === "" && response.status === 200 && !response.redirected
      ? response
      : null,
};

workbox.routing.registerRoute(
  ({url, request}) =>
    url.origin === self.location.origin && url.pathname === VISIT_PAGE && request.mode === "navigate",
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 5,
    matchOptions: {ignoreVary: true, ignoreSearch: true},
    plugins: [onePage],
  }),
);

// The ordinary form post: when it cannot reach the server, the visit joins the queue on the
// phone (same client id, so a post that did arrive is not doubled) and the page shows it.
workbox.routing.registerRoute(
  ({url}) => url.origin === self.location.origin && url.pathname === VISIT_PAGE,
  async ({request}) => {
    const copy = request.clone();
    try {
      return await fetch(request);
    } catch (error) {
      // Back or forward to a page a post answered: the browser asks its cache only, and nothing
      // new was sent. Keeping that old form would show a second visit waiting on the phone.
      if (request.cache === "only-if-cached") throw error;
      const item = DixianQueue.fromForm(await copy.formData());
      if (!item) throw error;
      await DixianQueue.put(item);
      return Response.redirect(VISIT_PAGE + "?queued=" + encodeURIComponent(item.client_uuid), 303);
    }
  },
  "POST",
);

// The first copy of the page, while the worker still has a network and a session.
self.addEventListener("install", (event) => {
  event.waitUntil(
    fetch(VISIT_PAGE, {credentials: "same-origin"})
      .then((response) =>
        response.ok && !response.redirected
          ? caches.open(PAGES).then((cache) => cache.put(VISIT_PAGE, response))
          : null,
      )
      .catch(() => null),
  );
});
{% endautoescape %}
