/*
 * Directory filters: who a service is for, how to get in touch, where it is available, and open now.
 *
 * Markup (overrides/partials/data/directory.html and service_card.html): a form
 * [data-directory-filters], hidden until this script runs, so without JavaScript every service is
 * listed. "Open now" is always in view; the other groups fold into [data-filters-more], opened when
 * the URL already asks for one of them. Each card [data-service-id] lists its audience ids in data-audiences, its channel types in
 * data-channels and its coverage area slugs in data-coverage. An area option's data-within lists the
 * area and every area it lies in, so "London" also matches services for England or the UK.
 * Within a group any ticked option matches; across groups every group must match. "Open now" asks
 * open-now.js (window.openNow.stateOf) and follows its "openstatechange" events.
 *
 * The filters live in the URL query (?for=men&channel=phone&area=london&open=1), kept up to date with
 * history.replaceState so a filtered list can be shared or bookmarked; the query is read on load.
 * Cards that do not match get the hidden attribute, so they are neither read out nor printed. The
 * count "Showing 3 of 6 services" is in a polite live region.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-directory-filters]");
  var list = document.querySelector("[data-directory]");
  if (!form || !list) return;
  var cards = Array.prototype.slice.call(list.querySelectorAll("[data-service-id]"));
  var count = document.querySelector("[data-result-count]");
  var none = document.querySelector("[data-no-results]");
  var NAMES = ["for", "channel", "area", "open"];

  function inputs(name) {
    return Array.prototype.slice.call(form.querySelectorAll("input[name='" + name + "']"));
  }

  function ticked(name) {
    return inputs(name).filter(function (i) { return i.checked && i.value; });
  }

  function words(el, attribute) {
    return (el.getAttribute(attribute) || "").split(" ").filter(Boolean);
  }

  function overlaps(a, b) {
    return a.some(function (x) { return b.indexOf(x) >= 0; });
  }

  function matches(card, chosen) {
    if (chosen.for.length && !overlaps(words(card, "data-audiences"), chosen.for)) return false;
    if (chosen.channel.length && !overlaps(words(card, "data-channels"), chosen.channel)) return false;
    if (chosen.area && !overlaps(words(card, "data-coverage"), chosen.area)) return false;
    // Hours too old to judge (data-hours-age="very-stale") stay listed: hiding them would say "closed".
    if (chosen.open && !(window.openNow && (window.openNow.stateOf(card) === "open" || card.querySelector('[data-hours-age="very-stale"]')))) return false;
    return true;
  }

  function values(name) {
    return ticked(name).map(function (i) { return i.value; });
  }

  function apply() {
    var area = ticked("area")[0];
    var chosen = {
      for: values("for"),
      channel: values("channel"),
      area: area ? words(area, "data-within") : null,
      open: values("open").length > 0
    };
    var shown = 0;
    cards.forEach(function (card) {
      var keep = matches(card, chosen);
      card.hidden = !keep;
      if (keep) shown++;
    });
    var text = "Showing " + shown + " of " + cards.length + " services";
    if (count && count.textContent !== text) count.textContent = text;
    if (none) none.hidden = shown > 0;
    writeQuery();
  }

  function writeQuery() {
    var params = new URLSearchParams(location.search);
    NAMES.forEach(function (name) { params.delete(name); });
    NAMES.forEach(function (name) {
      ticked(name).forEach(function (i) { params.append(name, i.value); });
    });
    var query = params.toString();
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
  }

  function readQuery() {
    var params = new URLSearchParams(location.search);
    NAMES.forEach(function (name) {
      var wanted = params.getAll(name);
      inputs(name).forEach(function (i) {
        if (i.type === "radio") i.checked = wanted.length ? wanted.indexOf(i.value) >= 0 : i.value === "";
        else i.checked = wanted.indexOf(i.value) >= 0;
      });
    });
    if (!inputs("area").some(function (i) { return i.checked; })) {
      inputs("area").forEach(function (i) { i.checked = i.value === ""; });
    }
  }

  function clear() {
    NAMES.forEach(function (name) {
      inputs(name).forEach(function (i) { i.checked = i.type === "radio" && i.value === ""; });
    });
    apply();
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  var clearButton = form.querySelector("[data-filters-clear]");
  if (clearButton) clearButton.addEventListener("click", clear);
  var printButton = form.querySelector("[data-print]");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });
  document.addEventListener("openstatechange", function () {
    if (values("open").length) apply();
  });

  readQuery();
  var more = form.querySelector("[data-filters-more]");
  if (more && ["for", "channel", "area"].some(function (name) { return ticked(name).length; })) more.open = true;
  form.hidden = false;
  apply();
})();
