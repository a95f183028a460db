"""`python -m bench.search_speed`: the site search beside Material's search, in the same run, from file:// on a phone-sized page.

For each size (synthetic data from bench/synth.py, or the real data) it builds two offline copies
of the same pages: ours (mkdocs.offline.yml: the prebuilt lunr index, hooks/sitedata/views/search.py)
and plain Material's (our pages from the core's prebuilt tree, built with Material's search and offline
plugins and the pinned iframe-worker shim, as bench/plain.py builds the plain comparison). Then, in
headless Chromium at 390x844 with touch, networking fenced to file://:

- first results from page load: the page is opened, the query is typed into the search box as soon
  as the box can take it (typing itself is instant: pasted), and the time of the first result item
  is read in the page (performance.now(), from navigation start). Material gets the same, with its
  search overlay opened first, as a phone user would;
- where our time goes, from performance marks in search.js and resource timing: fetch of the two
  scripts, parse (running the index script's JSON.parse and lunr.Index.load), the first query;
- each keystroke once loaded: the last key of each further query to its first result (median);
- the index's size, raw and gzipped.

Runs are repeated (--runs, fresh page each) and medians quoted; the table gives ours beside
Material's and the ratio. Progress goes to stderr; the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from playwright.sync_api import Browser, Page, Route

from sitedata.views import search

from . import plain, synth
from .browser import chromium, gz
from .measure import PROJECT_DIR, base_env, median

LONDON = ZoneInfo("Europe/London")
OFFLINE_CONFIG = PROJECT_DIR / "mkdocs.offline.yml"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
FIRST_QUERY = "helpline"
KEY_QUERIES = ["refuge", "outreach", "housing", "school", "recovery", "sanctuary", "partnership", "marac"]
TIMEOUT_S = 600
TARGETS = {"first_big": 300.0, "first_real": 100.0, "key": 30.0, "index_gz_big": 3_000_000}


@dataclass(frozen=True)
class Engine:
    """How to drive one search box."""

    name: str
    page: str  # the page opened, in the offline copy
    box: str
    item: str
    open_js: str = ""  # run before typing (Material's overlay on a phone)


OURS = Engine("ours (prebuilt lunr.py index)", "index.html", "[data-site-search]", "[data-site-search-box] [data-search-result]")
MATERIAL = Engine(
    "Material's search",
    "index.html",
    "input.md-search__input",
    ".md-search-result__item",
    open_js="() => { const t = document.getElementById('__search'); t.checked = true; t.dispatchEvent(new Event('change')); }",
)

# Installed before any page script: the time of the first result item added after the query was
# typed, and of the last keydown.
_INIT = """(() => {
  window.__s = {typed: null, key: null, first: null};
  const start = () => new MutationObserver(records => {
    const s = window.__s, sel = window.__item;
    if (!sel || s.first !== null || (s.typed === null && s.key === null)) return;
    for (const r of records) for (const n of r.addedNodes)
      if (n.nodeType === 1 && (n.matches(sel) || n.querySelector(sel))) { s.first = performance.now(); return; }
  }).observe(document.documentElement, {childList: true, subtree: true});
  if (document.documentElement) start(); else document.addEventListener('readystatechange', start, {once: true});
  document.addEventListener('keydown', () => { window.__s.key = performance.now(); window.__s.first = null; }, true);
})()"""


@dataclass
class Run:
    first_ms: float
    typed_ms: float
    keys_ms: list[float]
    split: dict[str, float] = field(default_factory=dict)


@dataclass
class Row:
    size: str
    entries: int
    ours: list[Run] = field(default_factory=list)
    material: list[Run] = field(default_factory=list)
    ours_index: tuple[int, int] = (0, 0)
    material_index: tuple[int, int] = (0, 0)


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def build(cmd: list[str], *, env: dict[str, str], what: str) -> float:
    log(f"{what}…")
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{done.stderr[-3000:]}")
    seconds = time.perf_counter() - started
    log(f"{what}: {seconds:.1f} s")
    return seconds


def offline_copies(*, size: int | None, work: Path, reuse: bool = False) -> tuple[Path, Path, int]:
    """Our offline copy and plain Material's of the same data; and how many services + practices.

    With `reuse`, synthetic data and Material's copy already in `work` are used again (ours is always rebuilt).
    """
    label = str(size or "real")
    data_dir = synth.DATA_DIR
    if size:
        data_dir = work / f"data-{label}"
        if not (reuse and data_dir.is_dir()):
            synth.write_data(dest=data_dir, size=size, today=datetime.now(LONDON).date())
    lists = (("helplines", "services"), ("practices", "practices"))
    entries = sum(len(yaml.safe_load((data_dir / f"{n}.yaml").read_text(encoding="utf-8"))[k]) for n, k in lists)
    env = base_env(SITE_DATA_DIR=str(data_dir))
    ours = work / f"ours-{label}"
    build([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(OFFLINE_CONFIG), "--site-dir", str(ours)], env=env, what=f"{label}: our offline copy")
    material = work / f"material-{label}"
    if reuse and (material / "index.html").is_file():
        log(f"{label}: reusing Material's offline copy in {material}")
        return ours, material, entries
    material_config = plain.write_plain_project(dest=work / f"plain-{label}", data_dir=data_dir, material_search=True)
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(material_config), "--site-dir", str(material)]
    build(cmd, env=env, what=f"{label}: Material's offline copy")
    return ours, material, entries


def _fence(page: Page) -> list[str]:
    blocked: list[str] = []

    def handle(route: Route) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", handle)
    return blocked


def _wait(page: Page, predicate: str, *, nudge: str = "") -> None:
    deadline = time.monotonic() + TIMEOUT_S
    last_nudge = time.monotonic()
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{predicate} still false after {TIMEOUT_S} s")
        if nudge and time.monotonic() - last_nudge > 2:
            page.evaluate(nudge)  # Material drops a query typed before its worker is ready; a person would type on
            last_nudge = time.monotonic()
        page.wait_for_timeout(5)


def measure(browser: Browser, *, site: Path, engine: Engine) -> Run:
    """One fresh page: first results from page load, then each further query's last key to its first result."""
    context = browser.new_context(service_workers="block", **PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    blocked = _fence(page)
    page.add_init_script(_INIT)
    page.goto((site / engine.page).as_uri(), wait_until="commit")
    page.wait_for_selector(engine.box, state="attached", timeout=TIMEOUT_S * 1000)
    page.evaluate(f"() => {{ window.__item = {json.dumps(engine.item)}; }}")
    if engine.open_js:
        page.evaluate(engine.open_js)
    page.wait_for_selector(engine.box, state="visible", timeout=TIMEOUT_S * 1000)
    page.focus(engine.box)
    page.evaluate("() => { window.__s.typed = performance.now(); }")
    page.keyboard.insert_text(FIRST_QUERY)
    nudge = f"() => {{ const b = document.querySelector({json.dumps(engine.box)}); b.dispatchEvent(new KeyboardEvent('keyup', {{key: 'End'}})); }}"
    _wait(page, "() => window.__s.first !== null", nudge=nudge if engine is MATERIAL else "")
    first, typed = page.evaluate("() => [window.__s.first, window.__s.typed]")
    split = page.evaluate(_SPLIT) if engine is OURS else {}
    keys = []
    for query in KEY_QUERIES:
        page.fill(engine.box, "")
        page.keyboard.press("End")
        _wait(page, f"() => document.querySelectorAll({json.dumps(engine.item)}).length === 0")
        page.keyboard.insert_text(query[:-1])
        page.evaluate("() => { window.__s.key = null; window.__s.first = null; window.__s.typed = null; }")
        page.keyboard.press(query[-1])
        _wait(page, "() => window.__s.first !== null")
        keys.append(float(page.evaluate("() => window.__s.first - window.__s.key")))
    context.close()
    if blocked:
        raise SystemExit(f"{engine.name} tried to load from the network: {blocked[:3]}")
    return Run(first_ms=float(first), typed_ms=float(typed), keys_ms=keys, split=split)


# Where our first results' time went: the marks search.js sets, and the two scripts' resource timing.
_SPLIT = """() => {
  const mark = n => { const e = performance.getEntriesByName(n)[0]; return e ? e.startTime : null; };
  const res = performance.getEntriesByType('resource').filter(r => /javascripts\\/search\\//.test(r.name));
  const fetched = res.length ? Math.max(...res.map(r => r.responseEnd)) : null;
  const load = mark('dv-search:load'), scripts = mark('dv-search:scripts'), ready = mark('dv-search:ready'), answered = mark('dv-search:answered');
  return {load: load, fetch: fetched !== null ? fetched - load : null, scripts: scripts - load,
          run_index_script: fetched !== null ? scripts - fetched : null, index_load: ready - scripts, first_query: answered - ready};
}"""


def index_size(site: Path, files: list[str]) -> tuple[int, int]:
    data = b"".join((site / f).read_bytes() for f in files if (site / f).is_file())
    return len(data), gz(data)


def table(rows: list[Row]) -> str:
    """The issue's table: ours beside Material's, medians, and the ratio."""
    out = [
        "| figure | size | ours (median) | Material (median) | Material / ours | target | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        big = row.entries >= 20_000
        target = TARGETS["first_big"] if big else TARGETS["first_real"] if row.size == "real" else None
        for label, value in (
            ("first results from navigation start, file://, phone (page load included)", lambda r: r.first_ms),
            ("first results after typing as the page opens (from when the box takes input)", lambda r: r.first_ms - r.typed_ms),
        ):
            judged = label.startswith("first results after")
            ours = median([value(r) for r in row.ours])
            theirs = median([value(r) for r in row.material]) if row.material else float("nan")
            verdict = ("PASS" if ours <= target else "FAIL") if judged and target is not None else ""
            out.append(
                f"| {label} | {row.size} | {ours:.0f} ms | {theirs:.0f} ms | {theirs / ours:.1f}× | "
                f"{f'≤ {target:.0f} ms' if target and judged else '-'} | {verdict} |"
            )
        key_o = median([k for r in row.ours for k in r.keys_ms])
        key_m = median([k for r in row.material for k in r.keys_ms]) if row.material else float("nan")
        out.append(
            f"| each keystroke once loaded | {row.size} | {key_o:.0f} ms | {key_m:.0f} ms | {key_m / key_o:.1f}× | ≤ {TARGETS['key']:.0f} ms | "
            f"{'PASS' if key_o <= TARGETS['key'] else 'FAIL'} |"
        )
        verdict = ("PASS" if row.ours_index[1] <= TARGETS["index_gz_big"] else "FAIL") if big else ""
        out.append(
            f"| index (lunr.js + index script / Material's search_index.js), gzipped | {row.size} | {row.ours_index[1] / 1e6:.2f} MB "
            f"({row.ours_index[0] / 1e6:.2f} MB raw) | {row.material_index[1] / 1e6:.2f} MB ({row.material_index[0] / 1e6:.2f} MB raw) | - | "
            f"{'≤ 3 MB gz' if big else '-'} | {verdict} |"
        )
    out += ["", "Where our first results' time goes (medians, ms; from file:// Chromium gives no resource timing for the fetch alone):", ""]
    out += [
        "| size | box takes input (typed at) | fetch + run the two scripts (JSON.parse) | of which fetch | lunr.Index.load | first query | first results |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        def m(key: str, runs: list[Run] = row.ours) -> str:
            values = [r.split.get(key) for r in runs if r.split.get(key) is not None]
            return f"{median(values):.0f}" if values else "n/a"  # type: ignore[arg-type]

        out.append(
            f"| {row.size} | {median([r.typed_ms for r in row.ours]):.0f} | {m('scripts')} | {m('fetch')} | {m('index_load')} | "
            f"{m('first_query')} | {median([r.first_ms for r in row.ours]):.0f} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated sizes of synthetic data (services and practices each); 'real': the real data")
    parser.add_argument("--runs", type=int, default=5, help="fresh pages per engine and size (default 5)")
    parser.add_argument("--work", type=Path, help="keep the builds here (default: a temporary folder, removed)")
    parser.add_argument("--reuse", action="store_true", help="with --work: reuse the synthetic data and Material's copies already there")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="search-speed-"))
    rows = []
    try:
        for item in args.sizes.split(","):
            size = None if item.strip() == "real" else int(item)
            ours, material, entries = offline_copies(size=size, work=work, reuse=args.reuse)
            row = Row(size=str(size or "real"), entries=entries)
            row.ours_index = index_size(ours, [search.LUNR_SITE_PATH, search.INDEX_SITE_PATH])
            row.material_index = index_size(material, ["search/search_index.js"])
            with chromium() as browser:
                for i in range(args.runs):
                    log(f"{row.size}: run {i + 1}/{args.runs}, ours")
                    row.ours.append(measure(browser, site=ours, engine=OURS))
                    log(f"{row.size}: run {i + 1}/{args.runs}, Material: first results in {row.ours[-1].first_ms:.0f} ms ours so far")
                    row.material.append(measure(browser, site=material, engine=MATERIAL))
            rows.append(row)
            log(f"{row.size}: first results ours {[round(r.first_ms) for r in row.ours]}, Material {[round(r.first_ms) for r in row.material]}")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Search speed, {datetime.now(LONDON):%Y-%m-%d %H:%M} Europe/London, {os.cpu_count()} CPUs, load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{args.runs} fresh pages per engine and size; Chromium at 390x844 with touch, opened from file://, network fenced off.\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

