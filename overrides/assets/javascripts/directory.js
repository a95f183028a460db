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
 * Filters live in the page, never in the address bar or history. "Copy a link to this view" [data-copy-view]
 * copies a link with them in its query (?for=men&open=1), shown in [data-view-link]; such a link is applied on
 * load, then its query is removed. [data-print-filters] says in words which filters are on (for print).
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
  var NAMES = ["for", "channel", "area", "open"]; // the form's field names (directory.html)
  var OPEN = window.DAPG.hours.open;
  var TOO_OLD = '[data-hours-age="' + window.DAPG.age.veryStale + '"]';
  var viewLink = document.querySelector("[data-view-link]");

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
    // Hours too old to judge stay listed: hiding them would say "closed".
    if (chosen.open && !(window.openNow && (window.openNow.stateOf(card) === OPEN || card.querySelector(TOO_OLD)))) return false;
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
    describe(shown);
    if (viewLink) viewLink.hidden = true; // a link copied earlier no longer matches the view
  }

  function describe(shown) {
    var out = document.querySelector("[data-print-filters]");
    if (!out) return;
    var parts = [];
    if (values("open").length) parts.push("open now, at the time printed");
    [["for", "who it is for"], ["channel", "how to get in touch"], ["area", "available in"]].forEach(function (group) {
      var names = ticked(group[0]).map(function (i) { return i.parentNode.querySelector("span").firstChild.textContent.trim(); });
      if (names.length) parts.push(group[1] + ": " + names.join(", "));
    });
    out.textContent = parts.length
      ? "Filters in force: " + parts.join("; ") + ". Showing " + shown + " of " + cards.length + " services."
      : "No filters: all " + cards.length + " services.";
  }

  function viewUrl() {
    var params = new URLSearchParams();
    NAMES.forEach(function (name) {
      ticked(name).forEach(function (i) { params.append(name, i.value); });
    });
    var query = params.toString();
    return location.origin + location.pathname + (query ? "?" + query : "");
  }

  function copyView() {
    var url = viewUrl();
    var field = viewLink && viewLink.querySelector("input");
    var said = viewLink && viewLink.querySelector("[data-view-link-status]");
    if (field) field.value = url;
    if (viewLink) viewLink.hidden = false;
    function shown(text) {
      if (said) said.textContent = text;
      if (field && text.indexOf("Select") === 0) { field.focus(); field.select(); }
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(
        function () { shown("Link copied. Anyone who opens it sees this list with the same filters."); },
        function () { shown("Select the link and copy it:"); }
      );
    } else {
      shown("Select the link and copy it:");
    }
  }

  function forgetQuery() {
    var params = new URLSearchParams(location.search);
    var had = NAMES.some(function (name) { return params.has(name); });
    if (!had) return;
    NAMES.forEach(function (name) { params.delete(name); });
    var query = params.toString();
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
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
  var copyButton = form.querySelector("[data-copy-view]");
  if (copyButton) copyButton.addEventListener("click", copyView);
  // "Show the services" closes the panel and goes to the list (on a phone it is two screens long).
  var showButton = form.querySelector("[data-filters-show]");
  if (showButton) showButton.addEventListener("click", function () {
    var panel = form.querySelector("[data-filters-more]");
    if (panel) panel.open = false;
    if (count) {
      count.setAttribute("tabindex", "-1");
      count.focus();
    }
  });
  document.addEventListener("openstatechange", function () {
    if (values("open").length) apply();
  });

  readQuery();
  forgetQuery();
  var more = form.querySelector("[data-filters-more]");
  if (more && ["for", "channel", "area"].some(function (name) { return ticked(name).length; })) more.open = true;
  form.hidden = false;
  apply();
})();
