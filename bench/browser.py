"""In-browser measurements: search and directory-finder latency in headless Chromium, page weight, and the size of our own JavaScript.

Only 127.0.0.1 and file:// are ever loaded: every other request is aborted and listed, so a page
that tries to reach a third party shows up in the report instead of on the network.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.sync_api import Browser, Page, Route, sync_playwright

from .measure import median

PROJECT_DIR = Path(__file__).resolve().parents[1]
OWN_JS_DIR = PROJECT_DIR / "overrides" / "assets" / "javascripts"
TEMPLATE_DIR = PROJECT_DIR / "overrides"
# Debian's chromium binary itself: /usr/bin/chromium is a shell wrapper whose /etc/chromium.d scripts print
# "[: ...: unexpected operator" on every launch here and add desktop flags a test does not want.
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
SEARCH_INPUT = "input.md-search__input"
RESULT_ITEM = ".md-search-result__item"
FINDER_INPUT = "#dv-finder-input"
FINDER_ITEM = "[data-finder-results] li"
FINDER_INDEX = "assets/javascripts/finder/services-index.js"
FINDER_LUNR = "assets/javascripts/finder/lunr.min.js"
# Formats a server would not compress again: they count at their own size.
PRECOMPRESSED = (".woff2", ".woff", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".zip", ".gz")
QUERY_TIMEOUT_MS = 600_000  # the first query at 10,000 entries waits for the whole index to be built
POLL_MS = 10
PAGE_TIMEOUT_MS = 600_000
_MANIFEST = re.compile(r"MANIFEST\s*=\s*(\{.*?\})\s*;?\s*$", re.MULTILINE)
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)

# In-page instrument, for Material's search and the directory finder alike: the time the box first got
# focus (when the finder starts loading its index), of the last keydown, and of the first result item
# added to the list after it. Arguments: the box, the result list and a result item, as CSS selectors.
_INSTRUMENT = """([inputSelector, listSelector, itemSelector]) => {
  const input = document.querySelector(inputSelector);
  const list = document.querySelector(listSelector);
  window.__bench = {key: null, first: null, focus: null};
  if (!window.__benchInstalled) {
    window.__benchInstalled = true;
    input.addEventListener('focus', () => { if (window.__bench.focus === null) window.__bench.focus = performance.now(); }, true);
    input.addEventListener('keydown', () => { window.__bench.key = performance.now(); window.__bench.first = null; }, true);
    new MutationObserver(records => {
      const b = window.__bench;
      if (b.key === null || b.first !== null) return;
      for (const r of records) for (const n of r.addedNodes)
        if (n.nodeType === 1 && n.matches(itemSelector)) { b.first = performance.now(); return; }
    }).observe(list, {childList: true});
  }
}"""


@dataclass
class Weight:
    """What loading one page transfers, gzipped as a server would send it."""

    url: str
    initial_gz: int = 0
    initial_raw: int = 0
    search_gz: int = 0
    resources: list[tuple[str, int, int]] = field(default_factory=list)  # (path, raw bytes, bytes over the wire)
    blocked: list[str] = field(default_factory=list)


@dataclass
class SearchTiming:
    """Milliseconds from the last keystroke to the first result item on screen."""

    mode: str
    first_query: str
    first_ms: float
    warm_ms: float
    warm_runs: list[float]
    index_gz: int
    blocked: list[str] = field(default_factory=list)


@dataclass
class FinderTiming:
    """Milliseconds from the last keystroke to the first result of the directory finder; the first query loads lunr.js and the index."""

    site: str
    mode: str
    first_query: str
    first_ms: float
    first_from_focus_ms: float  # the same first result, counted from the focus that started the loading
    warm_ms: float
    warm_runs: list[float]
    index_raw: int
    index_gz: int
    lunr_gz: int
    blocked: list[str] = field(default_factory=list)


@contextmanager
def serve_dir(root: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 on a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium under Playwright; fails loudly if it cannot start."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def page_weight(browser: Browser, *, site_dir: Path, base_url: str, path: str) -> Weight:
    """Load one page from the local server and add up what it fetched, gzip -9 per resource."""
    weight = Weight(url=path)
    fetched: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    _fence(page, allowed=base_url, blocked=weight.blocked)
    page.on("requestfinished", lambda request: fetched.append(request.url))
    page.goto(base_url + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    context.close()
    for url in dict.fromkeys(fetched):
        if not url.startswith(base_url):
            continue
        rel = unquote(urlsplit(url).path).lstrip("/")
        file = site_dir / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
        if not file.is_file():
            continue
        raw = file.read_bytes()
        wire = wire_size(raw, name=file.name)
        weight.resources.append((file.relative_to(site_dir).as_posix(), len(raw), wire))
        if _is_search(file):
            weight.search_gz += wire
        else:
            weight.initial_gz += wire
            weight.initial_raw += len(raw)
    return weight


def search_timing(browser: Browser, *, url: str, queries: list[str], allowed: str, site_dir: Path) -> SearchTiming:
    """Open the page, type each query, and time the first result; the first query pays for building the index."""
    blocked: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(QUERY_TIMEOUT_MS)
    _fence(page, allowed=allowed, blocked=blocked)
    page.goto(url, wait_until="load")
    page.evaluate(_INSTRUMENT, [SEARCH_INPUT, ".md-search-result__list", RESULT_ITEM])
    page.click(SEARCH_INPUT)
    times = [_time_query(page, q) for q in queries]
    context.close()
    return SearchTiming(
        mode="file://" if url.startswith("file:") else "http://127.0.0.1",
        first_query=queries[0],
        first_ms=times[0],
        warm_ms=median(times[1:]) if len(times) > 1 else float("nan"),
        warm_runs=times[1:],
        index_gz=search_index_gz(site_dir),
        blocked=blocked,
    )


def finder_timing(browser: Browser, *, url: str, queries: list[str], allowed: str, site_dir: Path, site: str) -> FinderTiming:
    """Open a directory page, type each query into the finder, and time the first result in the page.

    The first query is typed straight after the box gets focus, so its time includes loading
    lunr.js and the index and lunr.Index.load, as a person who starts typing at once would wait.
    """
    blocked: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(QUERY_TIMEOUT_MS)
    _fence(page, allowed=allowed, blocked=blocked)
    page.goto(url, wait_until="load")
    page.evaluate(_INSTRUMENT, [FINDER_INPUT, "[data-finder-results]", "li"])
    page.focus(FINDER_INPUT)
    first = _last_key_to_first_result(page, queries[0])
    focus = float(page.evaluate("() => window.__bench.first - window.__bench.focus"))
    times = [_time_finder_query(page, q) for q in queries[1:]]
    context.close()
    index = (site_dir / FINDER_INDEX).read_bytes()
    return FinderTiming(
        site=site,
        mode="file://" if url.startswith("file:") else "http://127.0.0.1",
        first_query=queries[0],
        first_ms=float(first),
        first_from_focus_ms=float(focus),
        warm_ms=median(times) if times else float("nan"),
        warm_runs=times,
        index_raw=len(index),
        index_gz=gz(index),
        lunr_gz=gz((site_dir / FINDER_LUNR).read_bytes()),
        blocked=blocked,
    )


def search_index_gz(site_dir: Path) -> int:
    """The search index as sent over the wire (JSON, or the offline build's JS)."""
    for name in ("search/search_index.js", "search/search_index.json"):
        file = site_dir / name
        if file.is_file():
            return wire_size(file.read_bytes(), name=file.name)
    return 0


def precache(site_dir: Path) -> tuple[int, int] | None:
    """(files, bytes over the wire) the site's service worker fetches after the first visit, sw.js included."""
    sw = site_dir / "sw.js"
    if not sw.is_file():
        return None
    text = sw.read_text(encoding="utf-8")
    match = _MANIFEST.search(text)
    if match is None:
        return None
    files = json.loads(match.group(1)).get("files", [])
    total = wire_size(text.encode("utf-8"), name=sw.name)
    for entry in files:
        rel = unquote(entry).removeprefix("./")
        file = site_dir / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
        if file.is_file():
            total += wire_size(file.read_bytes(), name=file.name)
    return len(files), total


def own_javascript() -> list[tuple[str, int]]:
    """(name, gzipped bytes) of every script we ship: files under overrides/assets/javascripts and inline scripts in our templates."""
    out = [(p.relative_to(PROJECT_DIR).as_posix(), gz(p.read_bytes())) for p in sorted(OWN_JS_DIR.rglob("*.js"))]
    for template in sorted(TEMPLATE_DIR.rglob("*.html")):
        for i, body in enumerate(_INLINE_SCRIPT.findall(template.read_text(encoding="utf-8"))):
            if body.strip():
                out.append((f"{template.relative_to(PROJECT_DIR).as_posix()} (inline script {i + 1})", gz(body.encode("utf-8"))))
    return out


def gz(data: bytes) -> int:
    """gzip -9 size."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def wire_size(data: bytes, *, name: str) -> int:
    """Bytes over the wire: gzip -9, except for formats that are compressed already."""
    return len(data) if name.lower().endswith(PRECOMPRESSED) else gz(data)


def _time_query(page: Page, query: str) -> float:
    """Clear the box, paste all but the last letter (no search yet), then type the last letter: one search, timed in the page."""
    page.fill(SEARCH_INPUT, "")
    page.keyboard.press("End")  # a keyup with an empty box: Material clears the results
    _wait_until(page, f"() => document.querySelectorAll('{RESULT_ITEM}').length === 0")
    return _last_key_to_first_result(page, query)


def _time_finder_query(page: Page, query: str) -> float:
    """As _time_query, for the finder: it searches on every input, so the list for all but the last letter shows first."""
    page.fill(FINDER_INPUT, "")
    _wait_until(page, f"() => document.querySelectorAll('{FINDER_ITEM}').length === 0")
    return _last_key_to_first_result(page, query)


def _last_key_to_first_result(page: Page, query: str) -> float:
    """Paste all but the last letter, then type it; milliseconds from that keydown to the first result, measured in the page."""
    page.keyboard.insert_text(query[:-1])
    page.evaluate("() => { window.__bench.key = null; window.__bench.first = null; }")
    page.keyboard.press(query[-1])
    _wait_until(page, "() => window.__bench.first !== null")
    return float(page.evaluate("() => window.__bench.first - window.__bench.key"))


def _wait_until(page: Page, predicate: str) -> None:
    """Poll with evaluate, which the pages' Content-Security-Policy allows (wait_for_function needs eval).

    The poll only decides when to stop waiting; the timings themselves are taken inside the page.
    """
    deadline = time.monotonic() + QUERY_TIMEOUT_MS / 1000
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"search: {predicate} still false after {QUERY_TIMEOUT_MS / 1000:.0f} s")
        page.wait_for_timeout(POLL_MS)


def _fence(page: Page, *, allowed: str, blocked: list[str]) -> None:
    """Let through only our own server or local files; abort and record anything else."""

    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith(allowed) or url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", handle)


def _is_search(file: Path) -> bool:
    rel = file.as_posix()
    return "/search/search_index" in rel or "/javascripts/workers/search." in rel


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        pass
