"""Escaping, proved in the browser: a site built with HTML and script payloads in every free-text field runs none of them.

The pages are opened with their Content-Security-Policy switched off, so nothing but escaping stands
between a payload and the browser; the policy is a second line of defence, checked in test_third_party.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from payloads import PAYLOADS, write_payload_data
from sitebuild import mkdocs_build

from .harness import OpenPage, report, run_search, serve, site_pages

# Everything a payload could have become in the DOM, and the scripts a page may have.
DOM_FACTS = """(payloads) => ({
  payloadElements: document.querySelectorAll('img[src="x"], [onerror], [onload], [onclick]').length,
  scripts: [...document.scripts].map(s => s.src ? new URL(s.src).pathname : 'inline:' + s.type + ':' + s.textContent.slice(0, 60)),
  shownAsText: payloads.reduce((n, p) => n + document.body.innerText.split(p).length - 1, 0),
})"""


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, int]]:
    """(site folder, its URL on 127.0.0.1, how many fields carry a payload)."""
    root = tmp_path_factory.mktemp("xss-browser")
    fields = write_payload_data(root / "data")
    site = root / "site"
    result = mkdocs_build(site, data_dir=root / "data")
    assert result.returncode == 0, result.stderr
    with serve(site) as url:
        yield site, url, fields


def _script_problems(path: str, scripts: list[str]) -> list[str]:
    problems = []
    for script in scripts:
        if script.startswith("inline:"):
            kind, _, text = script.removeprefix("inline:").partition(":")
            if "alert" in text or kind not in ("", "application/json"):
                problems.append(f"/{path}: unexpected inline script {script!r}")
        elif not script.startswith("/assets/javascripts/"):
            problems.append(f"/{path}: script from outside our assets: {script}")
    return problems


def test_no_payload_runs_or_becomes_markup_on_any_page(payload_site: tuple[Path, str, int], open_page: OpenPage) -> None:
    site, url, fields = payload_site
    assert fields > 100
    pages = site_pages(site)
    watched = open_page(bypass_csp=True)
    problems: list[str] = []
    shown = 0
    for path in pages:
        watched.page.goto(url + path, wait_until="load")
        facts: dict[str, Any] = watched.page.evaluate(DOM_FACTS, list(PAYLOADS))
        if facts["payloadElements"]:
            problems.append(f"/{path}: {facts['payloadElements']} elements made from a payload")
        problems += _script_problems(path, facts["scripts"])
        shown += facts["shownAsText"]
    watched.page.wait_for_timeout(300)  # time for any timer or late event handler to fire
    report(f"XSS payloads: {fields} fields, {len(pages)} pages, {shown} payloads shown as text, {len(watched.dialogs)} dialogs")
    assert watched.dialogs == []
    assert problems == [], "\n".join(problems)
    assert shown > 50  # the payloads did reach the pages, as visible text


@pytest.mark.parametrize("query", ["alert", "onerror"])
def test_search_results_show_payloads_as_text(query: str, payload_site: tuple[Path, str, int], open_page: OpenPage) -> None:
    """search.js puts results into the page with textContent; the payloads in the index must stay text there."""
    _, url, _ = payload_site
    watched = open_page(url + "directory/", bypass_csp=True)
    assert run_search(watched.page, query) > 0
    watched.page.wait_for_timeout(300)
    facts = watched.page.evaluate(DOM_FACTS, list(PAYLOADS))
    assert facts["payloadElements"] == 0
    assert watched.page.locator("[data-search-panel]").inner_text().count(query) > 0
    assert watched.dialogs == []


def test_with_the_policy_on_the_payload_site_reports_no_violation(payload_site: tuple[Path, str, int], open_page: OpenPage) -> None:
    """Nothing from the data even tries to run: no CSP violation on the pages with the most free text."""
    _, url, _ = payload_site
    watched = open_page()
    for path in ("", "directory/", "safety/", "prompts/", "practices/redbridge-hub-process/"):
        watched.page.goto(url + path, wait_until="load")
    watched.page.wait_for_timeout(300)
    assert watched.csp_violations == []
    assert watched.dialogs == []
