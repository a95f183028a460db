"""Keyboard: Tab reaches every control, with a visible focus indicator, never hidden or covered; menus, search and tables work too.

Contexts use reduced motion, so what is checked is what shows once a transition has ended.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from .harness import DESKTOP, MOBILE, OpenPage, report, run_search, site_pages

NARROW = {"width": 320, "height": 640}  # 1280px at 400% zoom (WCAG 1.4.10 Reflow)
# Tag every control Tab should reach, with how it looks unfocused, so focus can be compared with it.
TAG_CONTROLS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const seen = new Set();
  const expected = [];
  let n = 0;
  for (const el of document.querySelectorAll(selector)) {
    el.dataset.kb = String(n++);
    const box = el.getBoundingClientRect();
    const shown = el.tabIndex >= 0 && !el.disabled && !el.closest('[inert]') && box.width > 0 && box.height > 0
      && el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
    const cs = getComputedStyle(el);
    el.dataset.kbLook = [cs.outlineStyle, cs.outlineWidth, cs.boxShadow, cs.backgroundColor, cs.color, cs.textDecorationLine].join('|');
    if (!shown) continue;
    // Only one radio button of a group is a Tab stop; arrow keys move within it.
    const key = el.type === 'radio' ? 'radio:' + el.name : el.dataset.kb;
    if (!seen.has(key)) { seen.add(key); expected.push({key, label: el.outerHTML.slice(0, 100)}); }
  }
  return expected;
}"""
FOCUSED = """async () => {
  const focused = document.activeElement;
  if (!focused || focused === document.body || !focused.dataset.kb) return null;
  // Material's light/dark toggle: a hidden radio whose visible label, next to it, shows the focus ring.
  const el = focused.matches('.md-option') && focused.nextElementSibling ? focused.nextElementSibling : focused;
  if (el !== focused) el.dataset.kbLook = focused.dataset.kbLook;
  const look = () => {
    const cs = getComputedStyle(el);
    const ring = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 && cs.outlineColor !== 'rgba(0, 0, 0, 0)';
    const now = [cs.outlineStyle, cs.outlineWidth, cs.boxShadow, cs.backgroundColor, cs.color, cs.textDecorationLine].join('|');
    const box = el.getBoundingClientRect();
    const inset = (a, b) => Math.min(a + 2, b);
    const points = [[box.left + box.width / 2, box.top + box.height / 2], [inset(box.left, box.right), inset(box.top, box.bottom)],
                    [Math.max(box.right - 2, box.left), Math.max(box.bottom - 2, box.top)]];
    const hits = points.map(([x, y]) => (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) ? null : document.elementFromPoint(x, y));
    const uncovered = hits.some(hit =>
      !!hit && (el === hit || el.contains(hit) || hit.contains(el) || (el.labels && [...el.labels].some(l => l.contains(hit)))));
    const cover = hits.find(hit => hit) || null;
    return {
      key: focused.type === 'radio' ? 'radio:' + focused.name : focused.dataset.kb,
      label: el.outerHTML.slice(0, 100),
      indicated: ring || now !== el.dataset.kbLook,
      shown: box.width > 0 && box.height > 0 && el.checkVisibility({visibilityProperty: true, opacityProperty: true}),
      uncovered,
      coveredBy: uncovered ? null
        : (cover ? cover.outerHTML.slice(0, 80) : 'out of view') + ` at ${Math.round(box.left)},${Math.round(box.top)}`,
    };
  };
  await new Promise(requestAnimationFrame);
  const first = look();
  if (first.uncovered && first.shown) return first;
  // Material sizes its sticky sidebars a frame or two after the scroll that focus caused: look again then.
  for (let i = 0; i < 3; i++) await new Promise(requestAnimationFrame);
  return look();
}"""


def _tab_walk(page: Page) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Press Tab until focus comes round again; returns (controls expected, stops reached)."""
    expected = page.evaluate(TAG_CONTROLS)
    stops: list[dict[str, Any]] = []
    keys: set[str] = set()
    for _ in range(len(expected) + 10):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None:
            if stops:
                break  # focus has left the page, after its last control
            continue
        if stop["key"] in keys:
            break
        keys.add(stop["key"])
        stops.append(stop)
    return expected, stops


def _walk_problems(where: str, expected: list[dict[str, Any]], stops: list[dict[str, Any]]) -> list[str]:
    reached = {stop["key"] for stop in stops}
    problems = [f"{where}: Tab never reaches {item['label']}" for item in expected if item["key"] not in reached]
    for stop in stops:
        if not stop["shown"]:
            problems.append(f"{where}: focus goes to something out of sight: {stop['label']}")
        elif not stop["indicated"]:
            problems.append(f"{where}: no visible focus indicator on {stop['label']}")
        elif not stop["uncovered"]:
            problems.append(f"{where}: the focused control is covered by {stop['coveredBy']}: {stop['label']}")
    return problems


def _sample(site_dir: Path) -> list[str]:
    """Every page in the navigation, one generated page of each kind, and the 404 page."""
    pages = site_pages(site_dir)
    top = [p for p in pages if p.count("/") <= 1 and not p.startswith("practices/")]
    generated = [next(p for p in pages if p.startswith("practices/") and p != "practices/")]
    return [*top, "practices/", *generated]


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_tab_reaches_every_control_with_visible_uncovered_focus(
    viewport: dict[str, int], site_dir: Path, site_url: str, open_page: OpenPage
) -> None:
    pages = _sample(site_dir)
    assert {"", "directory/", "stay-safe-online/", "404.html"} <= set(pages)
    page = open_page(viewport=viewport, reduced_motion="reduce").page
    problems: list[str] = []
    stops = 0
    for path in pages:
        page.goto(site_url + path, wait_until="load")
        expected, reached = _tab_walk(page)
        assert len(expected) > 5, path
        stops += len(reached)
        problems += _walk_problems(f"{viewport['width']}px /{path}", expected, reached)
    report(f"keyboard ({viewport['width']}px): {len(pages)} pages, {stops} Tab stops, {len(problems)} problems")
    assert problems == [], "\n".join(problems)


def test_the_walk_notices_a_missing_focus_indicator_and_a_covered_control(site_url: str, open_page: OpenPage) -> None:
    """The checks can fail: a link whose focus style is removed, and a button under a box, are both reported."""
    page = open_page(site_url + "safety/", reduced_motion="reduce").page
    page.evaluate(
        """() => {
          document.querySelector('[data-quick-exit-notice] a[href]').id = 'no-ring';
          const sheet = new CSSStyleSheet();
          sheet.replaceSync('#no-ring, #no-ring:focus-visible, #no-ring.focus-visible '
            + '{outline: none !important; box-shadow: none !important; color: inherit !important}');
          document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
          const button = document.querySelector('[data-quick-exit-dismiss]');
          const box = button.getBoundingClientRect();
          const cover = document.createElement('div');
          Object.assign(cover.style, {position: 'absolute', left: `${box.left - 10}px`, top: `${box.top + scrollY - 10}px`,
            width: `${box.width + 20}px`, height: `${box.height + 20}px`, background: 'white', zIndex: '100'});
          document.body.append(cover);
        }"""
    )
    problems = _walk_problems("safety", *_tab_walk(page))
    assert [p for p in problems if "no visible focus indicator" in p and 'id="no-ring"' in p]
    assert [p for p in problems if "is covered by <div" in p and "quick-exit-notice__dismiss" in p], problems


def test_the_menu_button_opens_and_closes_the_drawer_by_keyboard(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/", viewport=MOBILE, reduced_motion="reduce").page
    menu = page.locator(".md-header .md-header__button[for='__drawer']")
    assert menu.evaluate("el => el.tagName") == "BUTTON" and menu.get_attribute("role") is None  # a real button, not a <label role=button>
    assert menu.get_attribute("aria-label") == "Menu"
    assert menu.get_attribute("aria-expanded") == "false"
    assert not page.is_visible(".md-sidebar--primary .md-nav__link")
    menu.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest('.md-sidebar--primary') !== null")
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.is_visible(".md-sidebar--primary .md-nav__link")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.md-sidebar--primary') !== null")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.getAttribute('for')") == "__drawer"
    assert menu.get_attribute("aria-expanded") == "false"
    assert not page.is_visible(".md-sidebar--primary .md-nav__link")


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_search_works_by_keyboard(viewport: dict[str, int], site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "safety/", viewport=viewport, reduced_motion="reduce").page
    # "/" focuses the search box, as in Material; arrows move through the results; Enter opens one.
    page.locator("body").press("/")
    page.wait_for_function("() => document.activeElement.hasAttribute('data-site-search')")
    assert run_search(page, "helpline") > 0
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('[data-search-result]') !== null")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement === document.querySelector('[data-search-result] a')")
    target = page.evaluate("document.activeElement.href")
    page.keyboard.press("Enter")
    page.wait_for_url(target)


def test_pages_reflow_at_320_pixels_and_wide_tables_scroll_by_keyboard(site_dir: Path, site_url: str, open_page: OpenPage) -> None:
    """No page scrolls sideways at 320px; a table too wide to fit scrolls on its own and takes focus, with a name."""
    pages = site_pages(site_dir)
    page = open_page(viewport=NARROW, reduced_motion="reduce").page
    problems: list[str] = []
    scrollers = 0
    for path in pages:
        page.goto(site_url + path, wait_until="load")
        width = page.evaluate("async () => { await new Promise(requestAnimationFrame); return document.documentElement.scrollWidth; }")
        if width > NARROW["width"]:
            problems.append(f"/{path}: the page is {width}px wide")
        for wrap in page.evaluate(
            """() => [...document.querySelectorAll('.md-typeset__scrollwrap')].map(w => ({
              overflows: w.scrollWidth > w.clientWidth, tabindex: w.getAttribute('tabindex'), name: w.getAttribute('aria-label')}))"""
        ):
            scrollers += wrap["overflows"]
            if wrap["overflows"] and not (wrap["tabindex"] == "0" and wrap["name"]):
                problems.append(f"/{path}: a wide table cannot be scrolled by keyboard: {wrap}")
            if not wrap["overflows"] and wrap["tabindex"] is not None:
                problems.append(f"/{path}: a table that fits is a needless Tab stop: {wrap}")
    report(f"reflow (320px): {len(pages)} pages, {scrollers} wide tables made keyboard-scrollable")
    assert problems == [], "\n".join(problems)
