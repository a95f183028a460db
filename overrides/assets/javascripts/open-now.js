/*
 * Open now: shows whether each service is open, in Europe/London time whatever the device's zone.
 *
 * Markup: a service card has data-service-id="<id>". Inside it, each element with data-open-state
 * (one per channel) carries its own compiled timetable in data-timetable (JSON made at build time by
 * hooks/sitedata/data/hours.py compile_timetable; the format is documented there). Without JavaScript the
 * page shows the weekly hours and data-open-state="unknown". This script sets data-open-state to
 * open, closed or unknown and the element's text to a label such as "Open now · closes 16:00". When
 * the timetable has run out it says so and shows the weekly hours: the card's [data-weekly-hours]
 * element is unhidden, or one is made from the timetable after the state element.
 *
 * The card's data-hours-since and data-hours-note say how old the hours are (hooks/sitedata/data/provenance.py);
 * withHoursAge puts that into the label, and past the second threshold replaces the state with
 * "unknown" and a "check before you rely on this" label.
 * Every word, state and threshold shared with Python comes from window.DAPG (site-constants.js).
 *
 * It re-evaluates when the next change is due (timer capped at an hour) and when the page becomes
 * visible. After each evaluation it fires "openstatechange" on document. window.openNow.refresh()
 * re-evaluates now; window.openNow.stateOf(el) gives the state of a state element, or of a card
 * (open if any channel is open, else unknown if any is unknown, else closed).
 * window.openNow.evaluate(timetable, ms) gives {state, label, next, expired} at an instant without
 * touching the page (the differential test runs thousands of instants through it). The next change is
 * always later than the instant asked about, so the timer never fires in a loop, even in October's
 * repeated hour.
 *
 * No dependencies, no network, no eval: safe under a strict Content Security Policy and from file://.
 * hooks/sitedata/data/hours.py state_at is the reference; the browser tests compare the two.
 */
(function () {
  "use strict";

  var C = window.DAPG;
  var H = C.hours;
  var L = H.labels;
  var AGE = C.age;
  var OPEN = H.open, CLOSED = H.closed, UNKNOWN = H.unknown;
  var DAY = H.dayMinutes;
  var MINUTE_MS = 60000;
  var DAY_MS = 86400000;
  var HOUR_MS = 3600000;
  var CAP_MS = HOUR_MS;
  var NAMES = C.weekdays;
  var clock = new Intl.DateTimeFormat("en-GB", {
    timeZone: C.timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit"
  });
  var timer = null;
  var cache = new WeakMap();

  // The London wall clock at an instant, as milliseconds since 1970 read as if it were UTC.
  function wall(ms) {
    var p = {};
    clock.formatToParts(new Date(ms)).forEach(function (part) { p[part.type] = +part.value; });
    return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second) + ((ms % 1000) + 1000) % 1000;
  }

  function dayNumber(iso) {
    return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
  }

  function isoDay(n) {
    return new Date(n * DAY_MS).toISOString().slice(0, 10);
  }

  function weekday(n) {
    return (n + 3) % 7; // day 0 (1 January 1970) was a Thursday; Monday is 0
  }

  // A label template with its {placeholders} filled in, as Python's str.format does.
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function hhmm(minute) {
    return two(Math.floor(minute / 60)) + ":" + two(minute % 60);
  }

  function hoursOn(tt, n) {
    var key = isoDay(n);
    var value = Object.prototype.hasOwnProperty.call(tt.days, key) ? tt.days[key] : tt.week[weekday(n) % tt.week.length];
    if (value === H.unknownMark) return [[0, DAY, UNKNOWN, ""]];
    return value.map(function (i) { return [i[0], i[1], i.length > 2 ? UNKNOWN : OPEN, i.length > 3 ? i[3] : ""]; });
  }

  // The whole day as [start, end, state, comment] runs, closed gaps filled in, like neighbours merged.
  function segmentsOn(tt, n) {
    var out = [];
    var cursor = 0;
    function add(a, b, state, note) {
      var last = out[out.length - 1];
      if (last && last[2] === state && last[3] === note && last[1] === a) last[1] = b;
      else out.push([a, b, state, note]);
    }
    hoursOn(tt, n).sort(function (x, y) { return x[0] - y[0]; }).forEach(function (i) {
      if (i[0] > cursor) add(cursor, i[0], CLOSED, "");
      add(i[0], i[1], i[2], i[3]);
      cursor = i[1];
    });
    if (cursor < DAY) add(cursor, DAY, CLOSED, "");
    return out;
  }

  // The run in force at an instant, or null outside the timetable. Each wall-clock time stands for the
  // first instant the clock shows it: in October's repeated hour the second pass keeps the state the first
  // pass ended with. Mirrors _segment_at in hooks/sitedata/data/hours.py.
  function segmentAt(tt, ms) {
    var w = wall(ms);
    var n = Math.floor(w / DAY_MS);
    var change = clockChangeOn(n);
    if (change !== null && ms >= change) {
      var back = (wall(change - 1) - (change - 1)) - (wall(change) - change); // > 0 when clocks went back
      if (ms < change + back) { w = wall(change - 1); n = Math.floor(w / DAY_MS); }
    }
    if (n < dayNumber(tt.from) || n >= dayNumber(tt.to)) return null;
    var t = (w - n * DAY_MS) / MINUTE_MS;
    var segs = segmentsOn(tt, n);
    var i = 0;
    while (!(t < segs[i][1])) i++;
    return segs[i];
  }

  // The first instant at which the London wall clock reads day n, minute m or later.
  function instantAt(n, m) {
    var target = n * DAY_MS + m * MINUTE_MS;
    var a = target - (wall(target - 3 * HOUR_MS) - (target - 3 * HOUR_MS)); // the offsets either side
    var b = target - (wall(target + 3 * HOUR_MS) - (target + 3 * HOUR_MS));
    var low = Math.min(a, b);
    var high = Math.max(a, b);
    if (wall(low) === target) return low;
    if (wall(high) === target) return high;
    while (high - low > MINUTE_MS) { // clocks went forward past this reading: find the jump
      var middle = low + Math.floor((high - low) / (2 * MINUTE_MS)) * MINUTE_MS;
      if (wall(middle) >= target) high = middle;
      else low = middle;
    }
    return high;
  }

  // The instant the London clocks change on day n, or null on an ordinary day (cached: two a year).
  var changes = {};
  function clockChangeOn(n) {
    if (Object.prototype.hasOwnProperty.call(changes, n)) return changes[n];
    var low = instantAt(n, 0);
    var high = instantAt(n + 1, 0);
    var before = wall(low) - low;
    var result = null;
    if (wall(high) - high !== before) {
      while (high - low > MINUTE_MS) {
        var middle = low + Math.floor((high - low) / (2 * MINUTE_MS)) * MINUTE_MS;
        if (wall(middle) - middle === before) low = middle;
        else high = middle;
      }
      result = high;
    }
    changes[n] = result;
    return result;
  }

  // The first instant after now at which the state is not state, and that state; null within the timetable.
  // Mirrors _next_change in hooks/sitedata/data/hours.py: on the days the clocks change, the instant each run
  // starts is tried in order and the state read there (runs wholly in March's skipped hour never show).
  function nextChange(tt, now, state) {
    var end = dayNumber(tt.to);
    for (var n = Math.floor(wall(now) / DAY_MS); n < end; n++) {
      var segs = segmentsOn(tt, n);
      var j, at;
      if (clockChangeOn(n) === null) {
        for (j = 0; j < segs.length; j++) {
          if (segs[j][2] === state) continue;
          at = instantAt(n, segs[j][0]);
          if (at > now) return [at, segs[j][2]];
        }
      } else {
        var candidates = segs.map(function (seg) { return instantAt(n, seg[0]); });
        candidates.sort(function (x, y) { return x - y; });
        for (j = 0; j < candidates.length; j++) {
          if (!(candidates[j] > now)) continue;
          var found = segmentAt(tt, candidates[j]);
          if (!found) return null;
          if (found[2] !== state) return [candidates[j], found[2]];
        }
      }
    }
    return null;
  }

  function when(today, ms) {
    var w = wall(ms);
    var n = Math.floor(w / DAY_MS);
    var minute = Math.floor((w - n * DAY_MS) / MINUTE_MS);
    var ahead = n - today;
    var d = new Date(n * DAY_MS);
    var at = { clock: hhmm(minute), weekday: NAMES[weekday(n)], day: d.getUTCDate(), month: C.months[d.getUTCMonth()] };
    if (ahead === 0) return at.clock;
    if (ahead === 1) return minute === 0 ? L.midnight : fill(L.tomorrow, at);
    return fill(ahead < 7 ? L.thisWeek : L.later, at);
  }

  // State, label and next change at an instant; mirrors state_at in hooks/sitedata/data/hours.py.
  function evaluate(tt, now) {
    var here = tt.v === H.version ? segmentAt(tt, now) : null;
    if (!here) return { state: UNKNOWN, label: L.expired, next: null, expired: true };
    var today = Math.floor(wall(now) / DAY_MS);
    var state = here[2];
    var note = state === UNKNOWN && here[3] ? fill(L.comment, { note: here[3] }) : "";
    var change = nextChange(tt, now, state);
    if (!change) {
      return { state: state, label: (state === OPEN ? L.allDay : state === CLOSED ? L.closed : L.unknownToday) + note, next: null };
    }
    var next = change[0];
    var at = { at: when(today, next) };
    var label;
    if (state === OPEN) label = next - now >= DAY_MS ? L.allDay : fill(L.closes, at);
    else if (state === UNKNOWN) label = Math.floor(wall(next) / DAY_MS) === today ? fill(L.unknownUntil, at) : L.unknownToday;
    else label = fill(change[1] === OPEN ? L.opens : L.unknownFrom, at);
    return { state: state, label: label + note, next: next };
  }

  // Seven [day, hours] rows; mirrors weekly_summary in hooks/sitedata/data/hours.py.
  function weekRows(tt) {
    var week = NAMES.map(function (_, d) { return hoursOn(tt, d - 3); }); // day -3 was a Monday
    var shown = week.map(function (day) { return day.slice(); });
    week.forEach(function (day, d) {
      var next = week[(d + 1) % 7];
      var last = day[day.length - 1];
      var first = next[0];
      if (last && first && last[1] === DAY && last[0] > 0 && first[0] === 0 && first[1] < DAY && first[2] === last[2]) {
        shown[d][shown[d].length - 1] = [last[0], DAY + first[1], last[2]];
        shown[(d + 1) % 7].splice(shown[(d + 1) % 7].indexOf(first), 1);
      }
    });
    return shown.map(function (day, d) {
      var text;
      if (!day.length) text = L.closed;
      else if (day.length === 1 && day[0][0] === 0 && day[0][1] === DAY) text = day[0][2] === OPEN ? L.allDay : L.unknownDay;
      else {
        text = day.map(function (i) {
          var span = fill(L.span, { start: hhmm(i[0]), end: hhmm(i[1] > DAY ? i[1] - DAY : i[1]) });
          return i[2] === OPEN ? span : fill(L.unconfirmedSpan, { span: span });
        }).join(L.spanSeparator);
      }
      return [NAMES[d], text];
    });
  }

  function showWeek(el, tt) {
    var card = el.closest("[data-service-id]") || el.parentNode;
    var existing = card.querySelector("[data-weekly-hours]");
    if (existing) { existing.hidden = false; return; }
    var list = document.createElement("ul");
    list.setAttribute("data-weekly-hours", "");
    weekRows(tt).forEach(function (row) {
      var item = document.createElement("li");
      item.textContent = row[0] + ": " + row[1];
      list.appendChild(item);
    });
    el.parentNode.insertBefore(list, el.nextSibling);
  }

  function timetableOf(el) {
    var text = el.getAttribute("data-timetable");
    if (!text) return null;
    var hit = cache.get(el);
    if (hit && hit.text === text) return hit.tt;
    var tt = null;
    try { tt = JSON.parse(text); } catch (e) { tt = null; }
    cache.set(el, { text: text, tt: tt });
    return tt;
  }

  function refresh() {
    var now = Date.now();
    var soonest = Infinity;
    document.querySelectorAll("[data-service-id] [data-open-state]").forEach(function (el) {
      var tt = timetableOf(el);
      if (!tt) return;
      var result = withHoursAge(el, evaluate(tt, now), now);
      el.setAttribute("data-open-state", result.state);
      if (el.textContent !== result.label) el.textContent = result.label;
      if (result.expired) showWeek(el, tt);
      if (result.next !== null && result.next < soonest) soonest = result.next;
    });
    clearTimeout(timer);
    timer = null;
    if (soonest !== Infinity) timer = setTimeout(refresh, Math.max(0, Math.min(soonest - now, CAP_MS)));
    document.dispatchEvent(new CustomEvent("openstatechange"));
  }

  // How old a card's hours are, by the device's clock read as a London date like the state itself:
  // confirmed, stale or very stale, or null when the card carries no dates. Mirrors hours_age in
  // hooks/sitedata/data/provenance.py; the thresholds come from mkdocs.yml through window.DAPG.
  function hoursAge(card, now) {
    var since = card && card.getAttribute("data-hours-since");
    if (!since) return null;
    var today = new Date(Math.floor(wall(now) / DAY_MS) * DAY_MS);
    var months = (today.getUTCFullYear() - +since.slice(0, 4)) * 12 + (today.getUTCMonth() + 1 - +since.slice(5, 7)) -
      (today.getUTCDate() < +since.slice(8, 10) ? 1 : 0);
    if (months >= AGE.veryStaleMonths) return AGE.veryStale;
    if (months >= AGE.staleMonths) return AGE.stale;
    return AGE.confirmed;
  }

  // An evaluated result with the age of its hours put in the label: stale hours keep their state and
  // say how old they are; very stale hours lose the state and show the week with "check before you
  // rely on this". Sets data-hours-age on the state element.
  function withHoursAge(el, result, now) {
    var card = el.closest("[data-service-id]");
    var age = hoursAge(card, now);
    if (age === null) return result;
    el.setAttribute("data-hours-age", age);
    var note = card.getAttribute("data-hours-note");
    if (age === AGE.stale) {
      return { state: result.state, label: fill(AGE.staleLabel, { label: result.label, note: note }), next: result.next, expired: result.expired };
    }
    if (age === AGE.veryStale) {
      return { state: UNKNOWN, label: AGE.checkPrefix + note, next: result.next, expired: true };
    }
    return result;
  }

  function stateOf(el) {
    if (el.hasAttribute("data-open-state")) return el.getAttribute("data-open-state");
    var states = Array.prototype.map.call(el.querySelectorAll("[data-open-state]"), function (s) {
      return s.getAttribute("data-open-state");
    });
    if (states.indexOf(OPEN) >= 0) return OPEN;
    if (states.indexOf(CLOSED) >= 0 && states.indexOf(UNKNOWN) < 0) return CLOSED;
    return UNKNOWN;
  }

  window.openNow = { refresh: refresh, stateOf: stateOf, evaluate: evaluate };
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") refresh();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", refresh);
  else refresh();
})();
