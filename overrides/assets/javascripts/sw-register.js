/* Registers the service worker (sw.js at the site root) so the site opens with no signal after
 * the first visit. Only on http(s): the offline copy opened from file:// has no service worker.
 * When a newer build's worker takes over a page that an older build served, the page reloads
 * once, so it is shown whole from the new build rather than mixed with the old one.
 */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
  var script = document.currentScript;
  if (!script) return;
  // This file is assets/javascripts/sw-register.js, so the site root is two folders up.
  var root = new URL("../../", script.src);
  var servedByOlderWorker = Boolean(navigator.serviceWorker.controller);
  var reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (!servedByOlderWorker || reloading) return;
    reloading = true;
    location.reload();
  });
  navigator.serviceWorker.register(new URL("sw.js", root).href, { scope: root.pathname }).catch(function (error) {
    console.warn("Offline use is not available in this browser:", error);
  });
})();
