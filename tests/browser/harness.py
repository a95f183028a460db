"""Browser test harness: serve a build on 127.0.0.1 and open pages that can never reach another host.

Reusable by every browser test under tests/browser/ (fixtures are in conftest.py):
- fixtures `site_dir`, `site_url`: the real site, built strict once per session, served by a threaded http.server.
- `serve(folder)`: serve any other build (a payload build, an offline build) the same way.
- fixture `browser`: Debian's Chromium through Playwright, one per session. A missing browser is a failure.
- fixture `open_page(url, ...)` / `watched_page(browser, ...)`: a fresh context and page whose every
  request is checked. A request to any host but 127.0.0.1/localhost (or a file:// URL) is aborted,
  recorded and fails the test. CSP violations, uncaught errors, console errors and dialogs are recorded too.
- `run_search(page, query)`: search with the site search box (search.js), waiting until it has answered.
- `neutral_site(page, exit_url=...)`: answers the quick-exit destination inside the browser, so it is never sent.
- `site_pages(folder)`, `page_file(folder, path)`: the URL path of every built HTML page, and its file.
- `report(line)`: a line for the summary printed at the end of the run (page and violation counts).
- `open_now_files(folder)`: open-now.js and the constants it reads (site-constants.js, as the build writes it),
  for a test page of its own; `open_now_script()` the same as one script text.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, Request, Response, Route

from sitedata.data.provenance import HoursAge
from sitedata.views import browser_constants

ROOT = Path(__file__).resolve().parents[2]
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
OWN_HOSTS = frozenset({"127.0.0.1", "localhost"})
# Documented in docs/privacy.md: the hidden notice (so it stays hidden in new tabs) and Material's colour scheme
# (light, dark or as the device; its key starts with the site's path).
ALLOWED_LOCAL_KEYS = {"quick-exit-notice-dismissed", "/.__palette"}
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 812}
VIEWPORTS = {"desktop": DESKTOP, "mobile": MOBILE}
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
OPEN_NOW_SCRIPT = ROOT / "overrides" / "assets" / "javascripts" / "open-now.js"
NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>Neutral site</title><p>Neutral site (answered by the test)</p></html>"

# Runs in every page before its own scripts: hands each CSP violation to the test.
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


@dataclass
class Watched:
    """A page and everything it did that a safe page must not do."""

    page: Page
    context: BrowserContext
    third_party: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Every recorded problem, labelled."""
        return (
            [f"third-party request: {r}" for r in self.third_party]
            + [f"CSP violation: {v}" for v in self.csp_violations]
            + [f"error: {e}" for e in self.errors]
            + [f"dialog: {d}" for d in self.dialogs]
        )


OpenPage = Callable[..., Watched]


# Lines for the end of the test run (page counts, violation counts): see conftest.pytest_terminal_summary.
SUMMARY: list[str] = []


def report(line: str) -> None:
    """Add a line to the browser tests' summary, printed at the end of the run."""
    SUMMARY.append(line)


def open_now_files(folder: Path, *, hours_age: HoursAge | None = None) -> list[str]:
    """Write site-constants.js (as the build would, for `hours_age`) and a copy of open-now.js into folder: their names, in load order."""
    (folder / "site-constants.js").write_text(browser_constants.constants_script(hours_age=hours_age or HoursAge()), encoding="utf-8")
    (folder / "open-now.js").write_text(OPEN_NOW_SCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
    return ["site-constants.js", "open-now.js"]


def open_now_script(*, hours_age: HoursAge | None = None) -> str:
    """site-constants.js then open-now.js, as one script text (for page.add_script_tag)."""
    return browser_constants.constants_script(hours_age=hours_age or HoursAge()) + OPEN_NOW_SCRIPT.read_text(encoding="utf-8")


# Every URL is_own_url refuses, as a pattern Playwright matches in the browser: only these requests come to Python
# (_only_own_hosts), so a page's own requests are not each held up on a round trip through this process.
NOT_OWN_URL = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?:[:/?#]|$)|(?:file|data|blob|about):)")


def is_own_url(url: str) -> bool:
    """A URL this site may request: our own server on the loopback interface, a file, or inline data."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in OWN_HOSTS


def site_pages(folder: Path) -> list[str]:
    """URL paths of every built HTML page: 'index.html' -> '', 'a/index.html' -> 'a/', '404.html' stays."""
    paths = []
    for page in sorted(folder.rglob("*.html")):
        rel = page.relative_to(folder).as_posix()
        paths.append(rel.removesuffix("index.html") if rel.endswith("index.html") else rel)
    return paths


def page_file(folder: Path, path: str) -> Path:
    """The HTML file behind a URL path from site_pages()."""
    return folder / (path if path.endswith(".html") else path + "index.html")


def configured_exit_url() -> str:
    """extra.quick_exit_url from mkdocs.yml (unknown YAML tags such as !ENV are read as plain values)."""
    loader = type("_Loader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("", lambda load, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=loader)  # a SafeLoader subclass
    return config["extra"]["quick_exit_url"]


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 on a free port, one thread per request; yields the base URL ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def watched_page(browser: Browser, *, viewport: dict[str, int] = DESKTOP, bypass_csp: bool = False, **options: Any) -> Watched:
    """A page in a new context whose requests are confined to our own hosts and whose problems are recorded."""
    context = browser.new_context(viewport=viewport, bypass_csp=bypass_csp, service_workers="block", **options)
    page = context.new_page()
    watched = Watched(page=page, context=context)
    context.route(NOT_OWN_URL, functools.partial(_only_own_hosts, watched))
    context.expose_binding("__reportCspViolation", lambda _source, text: watched.csp_violations.append(f"{page.url}: {text}"))
    context.add_init_script(_REPORT_CSP)
    page.on("pageerror", lambda error: watched.errors.append(f"{page.url}: {error}"))
    page.on("console", functools.partial(_console_error, watched))
    page.on("dialog", functools.partial(_dialog, watched))
    page.on("response", functools.partial(_failed_response, watched))
    return watched


def run_search(page: Page, query: str, *, attempts: int = 10) -> int:
    """Type a query into the site search (search.js) and wait for its answer; returns how many results are listed.

    The index loads on first focus; a query typed before then is answered once it has loaded.
    """
    field = page.locator("[data-site-search]")
    field.fill(query)
    page.wait_for_function(SEARCH_ANSWERED, arg=query, timeout=1500 * attempts)
    return page.locator("[data-search-result]").count()


# True once search.js has answered `query`: its panel shows results or the "nothing fits" block for it.
SEARCH_ANSWERED = """query => {
  const box = document.querySelector('[data-site-search-box]');
  const panel = box && box.querySelector('[data-search-panel]');
  return Boolean(panel && !panel.hidden && box.querySelector('[data-site-search]').value === query
    && (panel.querySelector('[data-search-result]') || panel.querySelector('[data-search-empty]')));
}"""


def neutral_site(page: Page, *, exit_url: str, hold: bool = False) -> list[Route]:
    """Answer requests to the quick-exit destination inside the browser; nothing is sent.

    Returns the list of routes seen, in order. With hold=True they are left pending (the page stays
    on its way out) until the test calls release(routes).
    """
    seen: list[Route] = []
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(exit_url))

    def answer(route: Route) -> None:
        seen.append(route)
        if not hold:
            route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)

    page.route(lambda url: url.startswith(origin), answer)
    return seen


def release(routes: list[Route]) -> None:
    """Answer held quick-exit routes; ones the browser already dropped (a newer navigation replaced them) are skipped."""
    for route in routes:
        with contextlib.suppress(Exception):
            route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)


def _only_own_hosts(watched: Watched, route: Route, request: Request) -> None:
    if is_own_url(request.url):
        route.continue_()
    else:
        watched.third_party.append(f"{request.resource_type} {request.url} (from {watched.page.url})")
        route.abort("blockedbyclient")


def _console_error(watched: Watched, message: ConsoleMessage) -> None:
    if message.type == "error":
        watched.errors.append(f"{watched.page.url}: console: {message.text}")


def _failed_response(watched: Watched, response: Response) -> None:
    if response.status >= 400:
        watched.errors.append(f"{watched.page.url}: HTTP {response.status} for {response.url}")


def _dialog(watched: Watched, dialog: Dialog) -> None:
    watched.dialogs.append(f"{dialog.type}: {dialog.message} (on {watched.page.url})")
    dialog.dismiss()
