/*
 * Directory finder: a search box that lists services by name, need, who they are for or place.
 *
 * Markup: overrides/partials/data/finder.html, [data-finder], hidden until this script runs, so
 * without JavaScript there is only the plain list. On first focus or input it loads lunr.js and
 * the index that the build made (hooks/sitedata/finder.py) as two <script src> files, which work
 * from file:// too, then lunr.Index.load: nothing is indexed in the browser. Each word typed is
 * normalised as finder.py normalises the index (`words`, `fold`) and must match, as itself or as
 * the start of a word; an exact word counts ten times more. The best ten are listed as links to
 * their cards, with a count in a polite live region.
 *
 * The words typed stay in the box: never in the address, the history or storage.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-finder]");
  var script = document.currentScript;
  if (!box || !script) return;
  var input = box.querySelector("input");
  var status = box.querySelector("[data-finder-status]");
  var list = box.querySelector("[data-finder-results]");
  // This file is assets/javascripts/finder.js, so the site root is two folders up.
  var root = new URL("../../", script.src);
  var FILES = ["assets/javascripts/finder/lunr.min.js", "assets/javascripts/finder/services-index.js"];
  var SHOWN = 10;
  var index = null;
  var table = null;
  var loading = false;

  function load() {
    if (loading) return;
    loading = true;
    var left = FILES.length;
    FILES.forEach(function (path) {
      var tag = document.createElement("script");
      tag.src = new URL(path, root).href;
      tag.async = false; // run in order: lunr.js, then the index
      tag.onload = function () {
        if (--left) return;
        index = window.lunr.Index.load(window.DV_FINDER.index);
        table = window.DV_FINDER.services;
        search();
      };
      tag.onerror = function () {
        say("The finder could not load. The list of services is below.");
      };
      document.head.appendChild(tag);
    });
  }

  function say(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function fold(word) {
    return word.length > 3 && /[^s]s$/.test(word) ? word.slice(0, -1) : word;
  }

  function query(text) {
    var typed = text.toLowerCase().replace(/['’]/g, "").split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 1; });
    var typing = !/\s$/.test(text);
    var lunr = window.lunr;
    var found = index.query(function (q) {
      typed.forEach(function (word, i) {
        var stop = !lunr.stopWordFilter(word);
        // "help for men": "for" says nothing, but "for" as it is typed may become "forced".
        if (stop && !(typing && i === typed.length - 1)) return;
        var term = stop ? word : fold(word);
        var P = lunr.Query.presence;
        q.term(term, { usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING, presence: stop ? P.OPTIONAL : P.REQUIRED });
        if (!stop) q.term(term, { usePipeline: false, boost: 10 });
      });
    });
    return { words: typed.length, found: found };
  }

  function search() {
    var text = input.value.trim() ? input.value : "";
    list.textContent = "";
    list.hidden = true;
    if (!text) return say("");
    if (!index) return say("Loading the finder…");
    var result = query(text);
    var n = result.found.length;
    if (!result.words) return say("Type a little more: whole words or the start of them.");
    if (!n) return say("No services match. Check the spelling or try other words.");
    result.found.slice(0, SHOWN).forEach(function (match) {
      var row = table[parseInt(match.ref, 36)];
      var item = document.createElement("li");
      var link = document.createElement("a");
      var name = document.createElement("span");
      var where = document.createElement("span");
      link.href = new URL(row[1], root).href;
      name.className = "dv-finder__name";
      name.textContent = row[0];
      where.className = "dv-finder__where";
      where.textContent = row[2];
      link.append(name, " ", where);
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = false;
    say(n === 1 ? "1 service matches" : n.toLocaleString("en-GB") + " services match" + (n > SHOWN ? ", the best " + SHOWN + " are listed" : ""));
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", function () {
    load();
    search();
  });
  box.hidden = false;
})();
