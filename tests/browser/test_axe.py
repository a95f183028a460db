"""Accessibility: no axe-core violations of the WCAG 2.0, 2.1 and 2.2 A and AA rules on any built page: on a desktop here, on a phone in both colour schemes in test_phone.py.

axe-core comes from node_modules (package-lock.json pins it; `make test` runs npm ci). It is added to
each page as an init script, so pages are checked with their own Content-Security-Policy in force.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from .harness import AXE_SCRIPT, MOBILE, VIEWPORTS, OpenPage, report, run_search, site_pages

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\\s+/g, ' ').slice(0, 300))}));
}"""


def _open_with_axe(open_page: OpenPage, url: str, axe_source: Path, **options: object) -> Page:
    watched = open_page(**options)
    watched.context.add_init_script(path=axe_source)  # an added <script> tag would be blocked by the page's policy
    watched.page.goto(url, wait_until="load")
    return watched.page


def _violations(page: Page) -> list[dict]:
    return page.evaluate(RUN_AXE, AXE_TAGS)


def _describe(where: str, violations: list[dict]) -> list[str]:
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']}: {node}" for v in violations for node in v["nodes"]]


@pytest.fixture(scope="module")
def axe_source() -> Path:
    assert AXE_SCRIPT.is_file(), f"{AXE_SCRIPT} is missing: run `npm ci` (make test does)"
    return AXE_SCRIPT


# Every page on a desktop here; every page on a phone (390x844, touch) in both colour schemes in test_phone.py. A walk at
# 375x812 in the light scheme was here too, a near copy of test_phone.py's light walk, and is left to it.
@pytest.mark.parametrize("viewport", ["desktop"])
def test_every_page_has_no_axe_violations(viewport: str, axe_source: Path, site_dir: Path, site_url: str, open_page: OpenPage) -> None:
    pages = site_pages(site_dir)
    assert {"", "directory/", "stay-safe-online/", "accessibility/", "404.html"} <= set(pages)
    watched = open_page(viewport=VIEWPORTS[viewport])
    watched.context.add_init_script(path=axe_source)  # an added <script> tag would be blocked by the page's policy
    problems: list[str] = []
    nodes = 0
    for path in pages:
        watched.page.goto(site_url + path, wait_until="load")
        found = _violations(watched.page)
        nodes += sum(len(v["nodes"]) for v in found)
        problems += _describe(f"{viewport} /{path}", found)
    report(f"axe ({viewport} {VIEWPORTS[viewport]['width']}x{VIEWPORTS[viewport]['height']}): {len(pages)} pages, {nodes} violations")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_open_search_results_have_no_axe_violations(viewport: str, axe_source: Path, site_url: str, open_page: OpenPage) -> None:
    # Reduced motion: check the search as it looks once open, not halfway through its fade-in.
    page = _open_with_axe(open_page, site_url + "directory/", axe_source, viewport=VIEWPORTS[viewport], reduced_motion="reduce")
    assert run_search(page, "helpline") > 0
    assert _describe(f"{viewport} search", _violations(page)) == []


def test_the_open_navigation_drawer_has_no_axe_violations(axe_source: Path, site_url: str, open_page: OpenPage) -> None:
    page = _open_with_axe(open_page, site_url + "directory/", axe_source, viewport=MOBILE, reduced_motion="reduce")
    page.click(".md-header .md-header__button[for='__drawer']")
    page.wait_for_selector(".md-sidebar--primary .md-nav__link", state="visible")
    assert _describe("mobile drawer", _violations(page)) == []


def test_axe_reports_a_known_violation(axe_source: Path, site_url: str, open_page: OpenPage) -> None:
    """The check can fail: an image without a text alternative and a low-contrast line are reported."""
    page = _open_with_axe(open_page, site_url + "about/", axe_source)
    page.evaluate(
        """() => {
          const img = document.createElement('img'); img.src = '../assets/images/favicon.png';
          const faint = document.createElement('p'); faint.textContent = 'Faint text'; faint.style.color = '#eeeeee';
          document.querySelector('.md-content').append(img, faint);
        }"""
    )
    ids = {v["id"] for v in _violations(page)}
    assert {"image-alt", "color-contrast"} <= ids
