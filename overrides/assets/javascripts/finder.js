/*
 * Directory finder: a search box that lists services by name, need, who they are for or place.
 *
 * Markup: overrides/partials/data/finder.html, [data-finder], hidden until this script runs, so
 * without JavaScript there is only the plain list. It is the site search (search.js,
 * window.dvSearch) kept to services: the same prebuilt index, loaded on first focus or input, the
 * same matching and ranking. Each result shows its open-now state (open-now.js evaluates it) and a
 * call link. "Only show services open now" keeps, as in the directory, those open now or too old to
 * judge, and the list follows open-now.js's "openstatechange" events. The count is in a polite
 * live region.
 *
 * The words typed stay in the box: never in the address, the history or storage.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-finder]");
  if (!box || !window.dvSearch) return;
  var search = window.dvSearch;
  var input = box.querySelector("input");
  var status = box.querySelector("[data-finder-status]");
  var list = box.querySelector("[data-finder-results]");
  var openOnly = document.querySelector("[data-directory-filters] input[name='open']");
  var SHOWN = 10;
  var TOO_OLD = '[data-hours-age="' + window.DAPG.age.veryStale + '"]';
  var failed = false;
  var refreshing = false;

  function say(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function show() {
    var text = input.value.trim() ? input.value : "";
    list.textContent = "";
    list.hidden = true;
    var old = box.querySelector("[data-finder-empty]");
    if (old) old.remove();
    if (!text) return say("");
    if (failed) return say("The finder could not load. The list of services is below.");
    if (!search.ready()) return say("Loading the finder…");
    var outcome = search.run(text, { kind: "service" });
    var items = outcome.results.map(function (r) { return search.renderResult(r, "data-finder-result"); });
    items.forEach(function (item) { list.appendChild(item); });
    refreshing = true; // refresh() fires "openstatechange", which must not render the list again
    if (window.openNow) window.openNow.refresh();
    refreshing = false;
    var open = !!(openOnly && openOnly.checked);
    if (open) {
      items.forEach(function (item) {
        if (window.openNow.stateOf(item) !== window.DAPG.hours.open && !item.querySelector(TOO_OLD)) item.remove();
      });
    }
    var shown = Array.prototype.slice.call(list.children);
    shown.slice(SHOWN).forEach(function (item) { item.remove(); });
    var n = shown.length;
    list.hidden = !n;
    if (!n) {
      var empty = search.renderEmpty(text, { results: [], notes: outcome.notes, suggestions: outcome.suggestions }, function (fixed) {
        input.value = fixed;
        show();
        input.focus();
      });
      empty.removeAttribute("data-search-empty");
      empty.setAttribute("data-finder-empty", "");
      list.after(empty);
      return say(open ? "No service open now matches. Untick “open now” to see the others." : "No services match. Check the spelling or try other words.");
    }
    var old = open && shown.some(function (item) { return item.querySelector(TOO_OLD); });
    var what = open && !old ? " open now" : "";
    say((n === 1 ? "1 service" + what + " matches" : n.toLocaleString("en-GB") + " services" + what + " match") + (old ? ", open now or with hours too old to judge" : "") + (n > SHOWN ? ", the best " + SHOWN + " are listed" : ""));
  }

  input.addEventListener("focus", function () { search.load(show); });
  input.addEventListener("input", function () {
    search.load(show);
    show();
  });
  if (openOnly) openOnly.addEventListener("change", show);
  document.addEventListener("openstatechange", function () {
    if (!refreshing && input.value.trim() && openOnly && openOnly.checked) show();
  });
  document.addEventListener("dvsearchfailed", function () {
    failed = true;
    show();
  });
  box.hidden = false;
})();
