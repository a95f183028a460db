"""No third parties: every built page loads only from our own origin, under a strict CSP, with no cookies and no stored data.

One walk opens every page in a single browsing session (as a person would), uses the search and the
quick-exit notice, and records what happened; the tests below each check one part of that record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Request

from sitedata.views import search

from .harness import ALLOWED_LOCAL_KEYS, DESKTOP, NOT_OWN_URL, Watched, is_own_url, page_file, report, run_search, site_pages, watched_page

PAGE_FACTS = """() => {
  const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
  const firstScript = document.querySelector('script');
  const links = [...document.querySelectorAll('a[href]')].map(a => ({
    href: a.href, rel: (a.getAttribute('rel') || '').split(/\\s+/), target: a.getAttribute('target')
  }));
  return {
    csp: csp ? csp.content : null,
    cspBeforeScripts: !!csp && (!firstScript || !!(csp.compareDocumentPosition(firstScript) & Node.DOCUMENT_POSITION_FOLLOWING)),
    referrer: (document.querySelector('meta[name="referrer"]') || {}).content || null,
    links,
    targets: [...document.querySelectorAll('[target]')].map(el => el.outerHTML.slice(0, 120)),
    cookie: document.cookie,
  };
}"""


@dataclass
class Walk:
    """What happened while every page was opened in one session."""

    pages: list[str]
    watched: Watched
    own_requests: list[str] = field(default_factory=list)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    cookies: list[Any] = field(default_factory=list)
    local_storage: list[str] = field(default_factory=list)
    session_storage: list[str] = field(default_factory=list)
    search_results: int = 0


@pytest.fixture(scope="module")
def walk(browser: Browser, site_dir: Path, site_url: str) -> Iterator[Walk]:
    watched = watched_page(browser, viewport=DESKTOP)
    record = Walk(pages=site_pages(site_dir), watched=watched)
    page = watched.page
    page.on("request", lambda request: _note_own(record, request))
    for index, path in enumerate(record.pages):
        page.goto(site_url + path, wait_until="load")
        if index == 0:
            page.click("[data-quick-exit-dismiss]")
        record.facts[path] = page.evaluate(PAGE_FACTS)
    # The search runs in a Web Worker that loads the index: both must come from our own origin too.
    page.goto(site_url, wait_until="load")
    record.search_results = run_search(page, "helpline")
    page.wait_for_load_state("networkidle")
    record.cookies = watched.context.cookies()
    record.local_storage = page.evaluate("Object.keys(localStorage)")
    record.session_storage = page.evaluate("Object.keys(sessionStorage)")
    yield record
    watched.context.close()


def _note_own(record: Walk, request: Request) -> None:
    if urlsplit(request.url).hostname == "127.0.0.1":
        record.own_requests.append(request.url)


def test_the_walk_opened_every_built_page(walk: Walk, site_dir: Path) -> None:
    assert len(walk.facts) == len(list(site_dir.rglob("*.html")))
    for path in ("", "directory/", "stay-safe-online/", "accessibility/", "privacy/", "404.html"):
        assert path in walk.facts, path
    assert walk.search_results > 0
    # The interception saw the page loads, styles, scripts, and the search's lunr.js and index.
    assert len(walk.own_requests) > 3 * len(walk.pages)
    assert any(url.endswith("/" + search.LUNR_SITE_PATH) for url in walk.own_requests)
    assert any(url.endswith("/" + search.INDEX_SITE_PATH) for url in walk.own_requests)


def test_no_page_requests_another_host(walk: Walk) -> None:
    assert walk.watched.third_party == []
    report(f"third-party requests: {len(walk.pages)} pages, {len(walk.own_requests)} requests, all to 127.0.0.1")


def test_no_page_breaks_the_content_security_policy_or_has_errors(walk: Walk) -> None:
    assert walk.watched.csp_violations == []
    assert walk.watched.errors == []
    assert walk.watched.dialogs == []


def test_every_page_has_the_policy_before_any_script_and_no_referrer(walk: Walk) -> None:
    for path, facts in walk.facts.items():
        assert facts["csp"], path
        assert facts["cspBeforeScripts"], path
        assert facts["referrer"] == "no-referrer", path


def test_the_policy_allows_only_our_own_origin(walk: Walk) -> None:
    for path, facts in walk.facts.items():
        directives = dict(d.strip().split(" ", 1) for d in facts["csp"].split(";"))
        sources = {source for value in directives.values() for source in value.split()}
        assert sources <= {"'self'", "'none'", "data:"} | {s for s in sources if re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", s)}, path
        assert directives["default-src"] == "'self'", path
        assert directives["script-src"].split()[0] == "'self'", path
        assert directives["object-src"] == "'none'", path
        assert directives["base-uri"] == "'none'", path
        assert "'unsafe-inline'" not in facts["csp"] and "'unsafe-eval'" not in facts["csp"], path


def test_external_links_send_no_referrer_and_open_in_the_same_tab(walk: Walk, site_url: str) -> None:
    external = 0
    for path, facts in walk.facts.items():
        assert facts["targets"] == [], f"{path}: a new tab or window would survive the quick exit: {facts['targets']}"
        for link in facts["links"]:
            if urlsplit(link["href"]).scheme in ("http", "https") and not link["href"].startswith(site_url):
                external += 1
                assert {"noopener", "noreferrer"} <= set(link["rel"]), f"{path}: {link}"
    assert external > len(walk.pages)  # the quick exit alone links out twice on every page


def test_no_cookies_and_nothing_stored_but_the_notice_choice(walk: Walk) -> None:
    assert walk.cookies == []
    assert all(facts["cookie"] == "" for facts in walk.facts.values())
    hint = "document any new use in docs/privacy.md and list it here"
    assert set(walk.local_storage) == ALLOWED_LOCAL_KEYS, hint  # the walk hid the notice on its first page
    assert walk.session_storage == [], hint


def test_the_built_html_names_no_other_origin_in_a_loading_attribute(site_dir: Path) -> None:
    """No src, srcset, poster, data or stylesheet/preload/icon href points elsewhere (links to read are fine)."""
    loading = re.compile(
        r"""<(?:script|img|iframe|source|video|audio|embed|object|track)\b[^>]*\s(?:src|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//"""
        r"""|<link\b[^>]*\srel=["']?(?:stylesheet|preload|modulepreload|prefetch|preconnect|dns-prefetch|icon|manifest)[^>]*\shref=["']?\s*(?:https?:)?//""",
        re.IGNORECASE,
    )
    for path in site_pages(site_dir):
        html = page_file(site_dir, path).read_text(encoding="utf-8")
        assert not loading.search(html), f"{path}: {loading.search(html)}"
    for css in site_dir.rglob("*.css"):
        assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//", css.read_text(encoding="utf-8")), css
        assert "@import" not in css.read_text(encoding="utf-8"), css


def test_the_harness_catches_a_request_to_another_host(browser: Browser, site_url: str) -> None:
    """With the page's own policy switched off, a request to another host reaches the harness, which aborts and reports it."""
    watched = watched_page(browser, bypass_csp=True)
    try:
        watched.page.goto(site_url, wait_until="load")
        watched.page.evaluate("() => { const i = new Image(); i.src = 'https://tracker.invalid/pixel.png'; document.body.append(i); }")
        watched.page.wait_for_timeout(300)
        assert [r for r in watched.third_party if "https://tracker.invalid/pixel.png" in r]
    finally:
        watched.context.close()


def test_the_policy_blocks_injected_scripts_and_outside_requests(browser: Browser, site_url: str) -> None:
    watched = watched_page(browser)
    try:
        watched.page.goto(site_url, wait_until="load")
        watched.page.evaluate(
            """() => {
              const s = document.createElement('script'); s.src = 'https://tracker.invalid/x.js'; document.head.append(s);
              document.body.insertAdjacentHTML('beforeend', '<img src="pixel-missing.png" onerror="window.__ran = 1">');
              const inline = document.createElement('script'); inline.textContent = 'window.__ran = 2'; document.head.append(inline);
            }"""
        )
        watched.page.wait_for_timeout(300)
        assert watched.page.evaluate("window.__ran") is None
        assert watched.third_party == []  # blocked by the policy before any request was made
        violations = " ".join(watched.csp_violations)
        assert "https://tracker.invalid/x.js" in violations
        assert violations.count("inline") >= 2  # the inline handler and the inline script
    finally:
        watched.context.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/", "http://127.0.0.1/x.js", "http://localhost:1/a?b#c", "http://127.0.0.1?x", "ws://127.0.0.1:9/",
        "file:///tmp/site/index.html", "data:text/plain,hi", "blob:http://127.0.0.1:1/uuid", "about:blank",
        "https://tracker.invalid/x.js", "http://127.0.0.1.evil.example/", "http://localhost.evil.example:80/", "https://example.org/127.0.0.1",
        "http://10.0.0.1/", "http://[::1]:8000/", "ftp://127.0.0.1/", "//127.0.0.1/", "javascript:alert(1)",
    ],
)
def test_the_pattern_the_browser_matches_refuses_exactly_what_the_harness_refuses(url: str) -> None:
    """The harness hands Playwright a pattern, so that only other hosts' requests come back to Python: it must agree with is_own_url."""
    assert bool(NOT_OWN_URL.search(url)) == (not is_own_url(url)), url
