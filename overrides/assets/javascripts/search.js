/*
 * Site search: one prebuilt index of every page and entry (hooks/sitedata/views/search.py), searched here.
 *
 * Loading: this script is included right after the search box (partials/site-search.html), not
 * deferred, so the box works while the rest of the page is still loading. On first focus or input
 * of a search box it loads lunr.js and the index script as two
 * <script src> files (they work from file:// too), then lunr.Index.load: nothing is indexed in the
 * browser. window.dvSearch is the engine; the search box on every page (partials/site-search.html)
 * and the directory finder (finder.js) both use it.
 *
 * Matching: what is typed is split and normalised as search.py normalises the index (lower case,
 * apostrophes dropped, split at anything that is not a letter or digit) and each word is stemmed
 * with lunr's English stemmer, the index's own search pipeline ("abused" finds "abuse"). Only the
 * word still being typed (no space after it) also matches as the start of a word. Phrases from
 * data/search.yaml add the site's own words ("hits" -> physical abuse), mark a search for help and
 * put chosen entries first; where phrases overlap, the longest wins.
 *
 * Ranking: entries data/search.yaml puts first; then an entry whose title (or kind, "safety
 * advice") was typed in full; then,
 * for a search for help, services and safety advice; then by how many of the words typed a result
 * meets, then by lunr's score. A search for help that meets no service puts the fallback lines first.
 *
 * Never a dead end: when no result meets every word, the box says so and offers 999 and the
 * Silent Solution, the National Domestic Abuse Helpline (numbers from data/helplines.yaml, carried
 * by the index), the directory and close spellings. A service result shows its open-now state
 * (open-now.js evaluates it) and a call link.
 *
 * Private: no form, so nothing typed reaches the address, the history or storage; nothing is sent.
 * Keyboard: "/" or "s" focuses the box; arrows move through results; Enter opens; Escape closes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) return;
  // This file is assets/javascripts/search.js, so the site root is two folders up.
  var root = new URL("../../", script.src);
  var FILES = ["assets/javascripts/search/lunr.min.js", "assets/javascripts/search/site-index.js"];
  var SHOWN = 10;
  var HELP_KINDS = { service: 1, advice: 1 };
  var engine = { index: null, data: null, vocabulary: null, fallbackAt: [], waiting: [], failed: false, loading: false };

  function load(ready) {
    if (engine.index) return ready && ready();
    if (ready) engine.waiting.push(ready);
    if (engine.loading) return;
    engine.loading = true;
    // Where the time goes (bench/search_speed.py reads these): loading, the index scripts run, the index loaded.
    performance.mark("dv-search:load");
    var left = FILES.length;
    FILES.forEach(function (path) {
      var tag = document.createElement("script");
      tag.src = new URL(path, root).href;
      tag.async = false; // run in order: lunr.js, then the index
      tag.onload = function () {
        if (--left) return;
        performance.mark("dv-search:scripts");
        settled(loaded);
      };
      tag.onerror = failed;
      document.head.appendChild(tag);
    });

    function loaded() {
      var data = window.DV_SEARCH;
      engine.index = window.lunr.Index.load(data.index);
      engine.data = data;
      engine.vocabulary = data.vocabulary.map(function (v) {
        return { typed: v[0].map(stemsOf), means: v[1], help: !!v[2], first: v[3], note: v[4] };
      });
      engine.phrases = [];
      engine.vocabulary.forEach(function (v) {
        v.typed.forEach(function (phrase) { if (phrase.length) engine.phrases.push({ v: v, phrase: phrase }); });
      });
      engine.phrases.sort(function (a, b) { return b.phrase.length - a.phrase.length; });
      engine.fallbackAt = data.fallback.map(function (f) { return f[5]; });
      performance.mark("dv-search:ready");
      var waiting = engine.waiting;
      engine.waiting = [];
      waiting.forEach(function (fn) { fn(); });
    }
  }

  function failed() {
    engine.failed = true;
    document.dispatchEvent(new CustomEvent("dvsearchfailed"));
  }

  // then() once window.DAPG (site-constants.js, deferred: there by DOMContentLoaded) is set.
  function settled(then) {
    if (window.DAPG) then();
    else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { settled(then); });
    else failed();
  }

  function wordsOf(text) {
    return text.toLowerCase().replace(/['’]/g, "").split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 0; });
  }

  function stem(word) {
    return window.lunr.stemmer(new window.lunr.Token(word, {})).toString();
  }

  function stemsOf(phrase) {
    return wordsOf(phrase).map(stem);
  }

  function isStop(word) {
    return word.length < 2 || !window.lunr.stopWordFilter(word);
  }

  // Where `phrase` (stems) occurs in `typed` (stems), as a start position, or -1.
  function find(typed, phrase) {
    for (var i = 0; i + phrase.length <= typed.length; i++) {
      var j = 0;
      while (j < phrase.length && typed[i + j] === phrase[j]) j++;
      if (j === phrase.length) return i;
    }
    return -1;
  }

  // What the words typed ask for: groups of index terms (a result meets a group if it has any of its
  // terms), the prefix of the word still being typed, help-seeking, entries put first, notes.
  function analyse(text) {
    var typing = !/\s$/.test(text);
    var words = wordsOf(text);
    var stems = words.map(stem);
    var covered = words.map(function () { return false; });
    var out = { groups: [], help: false, first: [], notes: [], names: [words.join(" ")] };
    // Longest phrases first: "controls my money" is about money, not the "controls" of control.
    engine.phrases.forEach(function (entry) {
      var v = entry.v, phrase = entry.phrase;
      var at = find(stems, phrase);
      if (at < 0) return;
      for (var k = at; k < at + phrase.length; k++) if (covered[k]) return;
      for (k = at; k < at + phrase.length; k++) covered[k] = true;
      var terms = phrase.filter(function (s, k) { return !isStop(words[at + k]); });
      v.means.forEach(function (m) {
        wordsOf(m).forEach(function (w) { if (!isStop(w)) terms.push(stem(w)); });
        out.names.push(wordsOf(m).join(" "));
      });
      if (terms.length) out.groups.push({ terms: terms, prefix: null, word: null });
      out.help = out.help || v.help;
      v.first.forEach(function (p) { if (out.first.indexOf(p) < 0) out.first.push(p); });
      if (v.note && out.notes.indexOf(v.note) < 0) out.notes.push(v.note);
    });
    words.forEach(function (word, i) {
      if (covered[i] || isStop(word)) return;
      var last = typing && i === words.length - 1;
      out.groups.push({ terms: [stems[i]], prefix: last && word.length >= 3 ? word : null, word: word });
    });
    return out;
  }

  function meets(group, matched) {
    return matched.some(function (term) {
      return group.terms.indexOf(term) >= 0 || (group.prefix !== null && term.lastIndexOf(group.prefix, 0) === 0);
    });
  }

  // The results for `text`, best first: {results: [{at, row, meets}], weak, notes, help, suggestions}.
  function run(text, options) {
    var kind = options && options.kind;
    var asked = analyse(text);
    var groups = asked.groups;
    var found = [];
    if (groups.length) {
      found = engine.index.query(function (q) {
        groups.forEach(function (g) {
          var boost = g.word === null ? 5 : 10;
          g.terms.forEach(function (t) { q.term(t, { usePipeline: false, boost: boost }); });
          if (g.prefix) q.term(g.prefix, { usePipeline: false, wildcard: window.lunr.Query.wildcard.TRAILING, boost: 1 });
        });
      });
    }
    var docs = engine.data.docs;
    var scored = found.map(function (m) {
      var matched = Object.keys(m.matchData.metadata);
      var at = parseInt(m.ref, 36);
      // 2: the title typed in full ("MARAC"); 1: the kind typed ("safety advice"); 0: neither.
      var named = asked.names.indexOf(wordsOf(docs[at][1]).join(" ")) >= 0 ? 2 : asked.names.indexOf(wordsOf(docs[at][3].split(" · ")[0]).join(" ")) >= 0 ? 1 : 0;
      return { at: at, row: docs[at], score: m.score, named: named, meets: groups.filter(function (g) { return meets(g, matched); }).length };
    });
    // Someone asking for help, when no service meets their words: the fallback lines come first.
    if (asked.help && !scored.some(function (r) { return r.row[0] === "service" && r.meets; })) {
      engine.fallbackAt.forEach(function (p) { if (asked.first.indexOf(p) < 0) asked.first.push(p); });
    }
    var seen = {};
    scored.forEach(function (r) { seen[r.at] = r; });
    asked.first.forEach(function (at) { if (!seen[at]) scored.push(seen[at] = { at: at, row: docs[at], score: 0, meets: 0, named: 0 }); });
    if (kind) scored = scored.filter(function (r) { return r.row[0] === kind; });
    var best = scored.reduce(function (n, r) { return Math.max(n, r.meets); }, 0);
    scored.sort(function (a, b) {
      var fa = asked.first.indexOf(a.at), fb = asked.first.indexOf(b.at);
      if ((fa >= 0) !== (fb >= 0)) return fa >= 0 ? -1 : 1;
      if (fa >= 0) return fa - fb;
      if (a.named !== b.named) return b.named - a.named;
      if (asked.help) {
        var ha = HELP_KINDS[a.row[0]] && a.meets ? 1 : 0, hb = HELP_KINDS[b.row[0]] && b.meets ? 1 : 0;
        if (ha !== hb) return hb - ha;
      }
      return b.meets - a.meets || b.score - a.score || a.at - b.at;
    });
    var weak = !groups.length || best < groups.length || asked.notes.length > 0;
    return {
      results: scored,
      weak: weak,
      words: groups.length,
      notes: asked.notes,
      help: asked.help,
      suggestions: weak ? suggest(groups, found.length ? found : []) : []
    };
  }

  function distance(a, b, most) {
    if (Math.abs(a.length - b.length) > most) return most + 1;
    var prev = [], cur;
    for (var j = 0; j <= b.length; j++) prev[j] = j;
    for (var i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (cur[j] < low) low = cur[j];
      }
      if (low > most) return most + 1;
      prev = cur;
    }
    return prev[b.length];
  }

  // Close spellings of the words that met nothing, from the titles, areas and vocabulary.
  function suggest(groups) {
    var out = [];
    groups.forEach(function (g) {
      if (g.word === null || g.word.length < 4 || !engine.index.tokenSet) return;
      if (engine.index.invertedIndex[g.terms[0]]) return;
      var most = g.word.length <= 5 ? 1 : 2;
      var best = null, bestDistance = most + 1;
      engine.data.suggest.forEach(function (w) {
        var d = distance(g.word, w, most);
        if (d < bestDistance) { best = w; bestDistance = d; }
      });
      if (best) out.push([g.word, best]);
    });
    return out;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function href(url) {
    return new URL(url, root).href;
  }

  // One result: the title (its first line), what it is (and where), open-now and a call link for a service, a summary.
  function renderResult(result, marker) {
    var row = result.row;
    var item = el("li", "dv-search__result");
    item.setAttribute(marker || "data-search-result", "");
    item.setAttribute("data-kind", row[0]);
    var title = el("a", "dv-search__title", row[1]);
    title.href = href(row[2]);
    var meta = el("div", "dv-search__meta", row[3]);
    item.append(title, meta);
    if (row[0] === "service") {
      item.setAttribute("data-service-id", "search-" + result.at);
      // The age of the hours, as on the card (open-now.js judges a result as a card).
      var age = engine.data.ages[row[7]];
      item.setAttribute("data-hours-since", age[0]);
      item.setAttribute("data-hours-note", age[1]);
      var now = el("div", "dv-search__now");
      if (row[6].length) {
        var state = el("span", "dv-open-state", "Open now? See the hours on its card");
        state.setAttribute("data-open-state", window.DAPG.hours.unknown);
        state.setAttribute("data-timetable", engine.data.timetables[row[6][0]]);
        now.append(state);
      } else {
        var none = el("span", "dv-open-state", "No opening hours listed");
        none.setAttribute("data-open-state", window.DAPG.hours.unknown);
        now.append(none);
      }
      if (row[5].length) {
        var call = el("a", "dv-search__call", "Call " + row[5][1]);
        call.href = row[5][0];
        now.append(" ", call);
      }
      item.append(now);
    }
    if (row[4]) item.append(el("div", "dv-search__summary", row[4]));
    return item;
  }

  // The plain "nothing fits" block: what is missing, the lines to call, the directory, close spellings.
  function renderEmpty(text, outcome, retry) {
    var box = el("div", "dv-search__empty");
    box.setAttribute("data-search-empty", "");
    var shown = text.trim();
    box.append(el("p", "dv-search__empty-title", outcome.help && !outcome.words
      ? "If you need help now, you can call:"
      : outcome.results.length
        ? "Nothing in this guide matches “" + shown + "” well. The closest matches are below."
        : "Nothing in this guide matches “" + shown + "”."));
    outcome.notes.forEach(function (note) { box.append(el("p", "dv-search__note", note)); });
    var lines = el("ul", "dv-search__lines");
    engine.data.fallback.forEach(function (f) {
      var li = el("li");
      var call = el("a", "dv-search__call", "Call " + f[2]);
      call.href = f[1];
      li.append(el("strong", null, f[0]), ": ", call);
      if (f[3]) li.append(" ", el("span", "dv-search__hint", f[3]));
      lines.append(li);
    });
    var directory = el("li");
    var link = el("a", null, "Every helpline and service, in the directory");
    link.href = href(engine.data.directory);
    directory.append(link);
    lines.append(directory);
    box.append(lines);
    if (outcome.suggestions.length) {
      var fixed = shown;
      outcome.suggestions.forEach(function (s) {
        fixed = fixed.replace(new RegExp(s[0].replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i"), s[1]);
      });
      var p = el("p", "dv-search__did-you-mean", "Did you mean ");
      var again = el("button", "dv-search__again", fixed);
      again.type = "button";
      again.setAttribute("data-search-suggestion", "");
      again.addEventListener("click", function () { retry(fixed); });
      p.append(again, "?");
      box.append(p);
    }
    return box;
  }

  window.dvSearch = { load: load, run: run, renderResult: renderResult, renderEmpty: renderEmpty, ready: function () { return !!engine.index; } };

  // The search box on every page.
  var box = document.querySelector("[data-site-search-box]");
  if (!box) return;
  var input = box.querySelector("[data-site-search]");
  var status = box.querySelector("[data-search-status]");
  var panel = box.querySelector("[data-search-panel]");

  function say(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function close() {
    panel.textContent = "";
    panel.hidden = true;
  }

  function show() {
    var text = input.value;
    if (!text.trim()) { close(); return say(""); }
    if (engine.failed) return say("Search could not load. Use the menu, or the directory of helplines.");
    if (!engine.index) return say("Loading search…");
    var outcome = run(text);
    panel.textContent = "";
    if (outcome.weak) panel.append(renderEmpty(text, outcome, function (fixed) { input.value = fixed; show(); input.focus(); }));
    var list = el("ol", "dv-search__results");
    list.setAttribute("aria-label", "Search results");
    outcome.results.slice(0, SHOWN).forEach(function (r) { list.append(renderResult(r)); });
    if (list.children.length) panel.append(list);
    panel.hidden = false;
    if (!performance.getEntriesByName("dv-search:answered").length) performance.mark("dv-search:answered");
    if (window.openNow) window.openNow.refresh();
    var n = outcome.results.length;
    say(n ? (n === 1 ? "1 result" : n.toLocaleString("en-GB") + " results" + (n > SHOWN ? ", the best " + SHOWN + " are listed" : "")) + (outcome.weak ? "; none matches every word" : "") : "No results; numbers to call are listed");
  }

  function links() {
    return Array.prototype.slice.call(panel.querySelectorAll("[data-search-result] .dv-search__title"));
  }

  input.addEventListener("focus", function () { load(show); });
  input.addEventListener("input", function () { load(show); show(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && links().length) { e.preventDefault(); links()[0].focus(); }
    else if (e.key === "Enter") {
      var first = links()[0];
      if (first) { e.preventDefault(); first.click(); }
    } else if (e.key === "Escape") { input.value = ""; close(); say(""); }
  });
  panel.addEventListener("keydown", function (e) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (at < 0) return all.length && all[0].focus();
      var next = at + (e.key === "ArrowDown" ? 1 : -1);
      if (next < 0) input.focus(); else if (next < all.length) all[next].focus();
    } else if (e.key === "Escape") { close(); input.focus(); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || (e.key !== "/" && e.key !== "s")) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
  document.addEventListener("dvsearchfailed", show);
  box.hidden = false;
  if (input.value) load(show); // a value the browser restored
})();
