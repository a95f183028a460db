"""Glossary definitions in a real browser: shown on keyboard focus, hover and tap, hidden by Escape, kept on screen; evidence charts drawn offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .harness import AXE_SCRIPT, MOBILE, OpenPage

pytestmark = pytest.mark.browser

TERM = ".dv-gl__term"


def _tab_to_first_term(page: Page) -> str:
    """Press Tab until a glossary term has focus; return its text."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('dv-gl__term')"):
            return page.evaluate("document.activeElement.textContent")
    raise AssertionError("no glossary term could be reached with Tab")


def _described_tip_visible(page: Page) -> bool:
    return page.evaluate(
        """() => {
            const tip = document.getElementById(document.activeElement.getAttribute('aria-describedby'));
            return !!tip && tip.getBoundingClientRect().height > 0 && getComputedStyle(tip).display !== 'none';
        }"""
    )


def test_keyboard_focus_shows_the_definition_and_escape_hides_it(open_page: OpenPage, site_url: str) -> None:
    watched = open_page(site_url + "practices/virtual-maracs/")
    page = watched.page
    assert not page.locator(".dv-gl__tip").first.is_visible()
    assert _tab_to_first_term(page) == "MARACs"
    assert _described_tip_visible(page)
    tip_text = page.evaluate("document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent")
    assert tip_text.startswith("MARAC (Multi-Agency Risk Assessment Conference): ")
    page.keyboard.press("Escape")
    assert not _described_tip_visible(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert _described_tip_visible(page)  # focusing the term again shows it again
    assert watched.problems() == []


def test_hover_shows_the_definition(open_page: OpenPage, site_url: str) -> None:
    watched = open_page(site_url + "evidence/")
    term = watched.page.locator(TERM).first
    tip = watched.page.locator(".dv-gl__tip").first
    assert not tip.is_visible()
    term.hover()
    assert tip.is_visible()
    tip.click()  # clicking the open definition closes it even while the pointer is still over it
    assert not tip.is_visible()
    watched.page.mouse.move(0, 0)
    term.hover()
    assert tip.is_visible()  # and hovering the term again shows it again
    watched.page.mouse.move(0, 0)
    assert not tip.is_visible()


def test_on_a_phone_a_tap_shows_the_definition_inside_the_screen(open_page: OpenPage, site_url: str) -> None:
    watched = open_page(site_url + "prompts/", viewport=MOBILE, has_touch=True)
    page = watched.page
    for summary in page.locator("details.dv-prompt-set > summary").all():  # the sets are folded: open them as a reader does
        summary.tap()
    terms = page.locator(TERM)
    assert terms.count() > 5
    checked = 0
    for i in range(min(terms.count(), 12)):
        term = terms.nth(i)
        term.scroll_into_view_if_needed()
        term.tap()
        tip = page.locator(f"#{term.get_attribute('aria-describedby')}")
        assert tip.is_visible()
        box = tip.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"] + 1, (term.text_content(), box)
        tip.tap()  # tapping the open definition closes it, so it no longer covers the text below
        assert not tip.is_visible()
        checked += 1
    assert checked >= 5
    assert watched.problems() == []


def test_evidence_charts_draw_offline_with_their_tables(open_page: OpenPage, site_url: str) -> None:
    watched = open_page(site_url + "evidence/", viewport=MOBILE)
    page = watched.page
    charts = page.locator("figure.dv-chart svg[role=img]")
    assert charts.count() == 4
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box is not None and 0 < box["width"] <= MOBILE["width"] and box["height"] > 50
        assert chart.locator("rect.dv-chart__bar").count() >= 4
        table = page.locator("figure.dv-chart").nth(i).locator("xpath=following::table[1]")
        assert table.locator("caption").is_visible()
    assert watched.problems() == []


@pytest.mark.parametrize("path", ["glossary/", "evidence/", "practices/virtual-maracs/", "prompts/"])
def test_glossary_and_evidence_markup_passes_axe(open_page: OpenPage, site_url: str, path: str) -> None:
    assert AXE_SCRIPT.is_file(), f"{AXE_SCRIPT} is missing: run `npm ci` (make test installs it)"
    watched = open_page(site_url + path, bypass_csp=True)
    page = watched.page
    page.add_script_tag(path=str(AXE_SCRIPT))
    if page.locator(TERM).count():
        page.locator(TERM).first.focus()  # check an open definition too
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})")
    ours = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in result["violations"]
        if any(any(k in "".join(map(str, n["target"])) + n["html"] for k in ("dv-gl", "dv-chart", "dv-evidence", "dv-figure", "dv-term", "dv-glossary")) for n in v["nodes"])
    ]
    assert ours == []
