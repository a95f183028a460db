/*
 * Quick exit, after GOV.UK's "Exit this page" component.
 *
 * Markup (overrides/partials/quick-exit.html): a button [data-quick-exit] and a skip link
 * [data-quick-exit-skiplink], both links to the neutral site, a live region [data-quick-exit-status],
 * and a first-use notice [data-quick-exit-notice] with a [data-quick-exit-dismiss] button.
 * This file is loaded in the <head> with data-exit-url, so it works while a page is still loading.
 *
 * Leaving: the page is hidden at once (class quick-exit-active on <html>, see site.css), the title
 * becomes neutral, and location.replace() swaps this page's history entry for the neutral site, so
 * Back does not return to it. If the browser ever restores this page from its back/forward cache,
 * it is still hidden and leaves again.
 *
 * Triggers: a click or tap on the button or the skip link, Space on the button, or Shift released
 * 3 times within 5 seconds. Any other key resets the count, and a Shift that was held down with
 * another key does not count. The live region says how many presses are left.
 *
 * The notice is shown by CSS from classes this script puts on <html> before the first paint, so nothing moves.
 *
 * Storage: only localStorage "quick-exit-notice-dismissed", once the notice is hidden, so it does not
 * come back in every new tab; documented on the privacy page. No network, no eval, no inline code: CSP-safe.
 */
(function () {
  "use strict";

  var PRESSES = 3;
  var WINDOW_MS = 5000;
  var ACTIVE = "quick-exit-active";
  var NOTICE_KEY = "quick-exit-notice-dismissed";
  var NOTICE_HIDDEN = "quick-exit-notice-dismissed";
  var TRIGGERS = "[data-quick-exit], [data-quick-exit-skiplink]";
  var root = document.documentElement;
  var script = document.currentScript;
  var exitUrl = script ? script.getAttribute("data-exit-url") : null;
  var presses = 0;
  var timer = null;
  var lastKeyHadShift = false;

  function destination(trigger) {
    var button = trigger || document.querySelector("[data-quick-exit]");
    return exitUrl || (button && button.href);
  }

  function leave(trigger) {
    var url = destination(trigger);
    if (!url) return;
    root.classList.add(ACTIVE);
    document.title = "Loading";
    announce("Loading.");
    window.location.replace(url);
  }

  function announce(text) {
    var status = document.querySelector("[data-quick-exit-status]");
    if (status) status.textContent = text;
  }

  function showPresses() {
    var button = document.querySelector("[data-quick-exit]");
    if (!button) return;
    if (presses > 0) button.setAttribute("data-presses", String(presses));
    else button.removeAttribute("data-presses");
  }

  function reset(message) {
    clearTimeout(timer);
    timer = null;
    presses = 0;
    showPresses();
    if (message) announce(message);
  }

  function countShift() {
    presses += 1;
    showPresses();
    if (presses >= PRESSES) {
      reset("");
      leave(null);
      return;
    }
    var left = PRESSES - presses;
    announce("Shift, press " + left + " more " + (left === 1 ? "time" : "times") + " to exit.");
    if (presses === 1) {
      timer = setTimeout(function () { reset("Exit this page expired."); }, WINDOW_MS);
    }
  }

  window.addEventListener("keyup", function (event) {
    if (event.key === "Shift" && !lastKeyHadShift) countShift();
    else if (presses > 0) reset("Exit this page expired.");
    lastKeyHadShift = event.shiftKey;
  }, true);

  document.addEventListener("click", function (event) {
    var trigger = event.target && event.target.closest ? event.target.closest(TRIGGERS) : null;
    if (!trigger) return;
    event.preventDefault();
    leave(trigger);
  }, true);

  // The button is a link with role="button", so Space must work as it does on a button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== " " || !event.target || !event.target.closest) return;
    var trigger = event.target.closest("[data-quick-exit]");
    if (!trigger) return;
    event.preventDefault();
    leave(trigger);
  }, true);

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    if (root.classList.contains(ACTIVE)) leave(null);
    else reset("");
  });

  function dismissed() {
    try { return window.localStorage.getItem(NOTICE_KEY) === "1"; } catch (e) { return false; }
  }

  function rememberDismissed() {
    try { window.localStorage.setItem(NOTICE_KEY, "1"); } catch (e) { /* storage blocked: show it again next page */ }
  }

  // Before the first paint. dv-js: scripts run, so the directory's filters and finder get their place at once.
  root.classList.add("quick-exit-js", "dv-js");
  if (dismissed()) root.classList.add(NOTICE_HIDDEN);

  function setUpNotice() {
    var notice = document.querySelector("[data-quick-exit-notice]");
    var dismiss = notice && notice.querySelector("[data-quick-exit-dismiss]");
    if (!dismiss) return;
    dismiss.addEventListener("click", function () {
      root.classList.add(NOTICE_HIDDEN);
      rememberDismissed();
      var button = document.querySelector("[data-quick-exit]");
      if (button) button.focus();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpNotice);
  else setUpNotice();
})();
