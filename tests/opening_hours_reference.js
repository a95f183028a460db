/*
 * The reference evaluator for the differential test (tests/browser/test_hours_differential.py): the OSM
 * project's opening_hours.js (npm opening_hours, pinned in package-lock.json; a devDependency that
 * never ships in the site).
 *
 * One process, one batch: reads {"expressions": [...], "instants": [ms, ...], "horizon": ms} as JSON
 * on stdin and writes, for every expression and every instant, [state, next] where state is
 * "open", "closed" or "unknown" and next the first later instant (ms) at which the state differs,
 * null when none comes within the horizon after the instant; or ["error", message] when the
 * reference throws. Changes of
 * comment alone are not changes of state: the iterator is advanced past them.
 *
 * Run with TZ=Europe/London: the reference reads the process's local time.
 */
"use strict";

const OpeningHours = require("opening_hours");

// England, so that PH means the reference's calendar of England's public holidays.
const ENGLAND = { lat: 51.5, lon: -0.12, address: { country_code: "gb", state: "England" } };

function stateOf(iterator) {
  if (iterator.getUnknown()) return "unknown";
  return iterator.getState() ? "open" : "closed";
}

function evaluate(rules, at, until) {
  const iterator = rules.getIterator(new Date(at));
  const state = stateOf(iterator);
  for (;;) {
    if (!iterator.advance(new Date(until))) return [state, null];
    const when = iterator.getDate().getTime();
    if (when >= until) return [state, null];
    if (stateOf(iterator) !== state) return [state, when];
  }
}

function main(input) {
  const batch = JSON.parse(input);
  const results = batch.expressions.map((expression) => {
    const build = () => new OpeningHours(expression, ENGLAND, { mode: 0, locale: "en" });
    let rules;
    try {
      rules = build();
    } catch (error) {
      return batch.instants.map(() => ["error", String(error)]);
    }
    return batch.instants.map((at) => {
      try {
        return evaluate(rules, at, at + batch.horizon);
      } catch (error) {
        rules = build(); // a throw can leave the object's caches half-updated: later answers would be wrong
        return ["error", String(error)];
      }
    });
  });
  process.stdout.write(JSON.stringify(results));
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => main(input));
