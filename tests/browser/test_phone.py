"""At the point of need, on a phone (issue 15): Chromium at 390x844 with touch.

- The Exit this page button's box stays inside the visual viewport, and no page is wider than the screen,
  after every glossary definition, the menu drawer, the search overlay and the filter panel opens.
- Nothing moves after the first paint: cumulative layout shift under slow 4G and a 4x slower CPU (CDP).
- Every call link is a button at least 44x44 CSS px, named after its service.
- Filtering the directory leaves the address unchanged; "Copy a link to this view" gives the link.
- The prompts index fits in 8 phone screens.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .harness import AXE_SCRIPT, OpenPage, page_file, report, site_pages

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TOUCH = {"viewport": PHONE, "has_touch": True, "is_mobile": True}
# Layout shift budget in the slow profile (issue 15), and the pages it is measured on.
CLS_BUDGET = 0.05
CLS_PAGES = ["", "directory/", "safety/", "prompts/", "practices/", "glossary/"]
PROMPTS_SCREENS = 8


def _exit_in_view(page: Page, where: str) -> None:
    """The exit button's box lies inside the visual viewport, and nothing covers its centre."""
    state = page.evaluate(
        """() => {
            const b = document.querySelector('[data-quick-exit]').getBoundingClientRect();
            const v = window.visualViewport;
            const top = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
            return {box: [b.left, b.top, b.right, b.bottom], view: [v.offsetLeft, v.offsetTop, v.offsetLeft + v.width,
                    v.offsetTop + v.height], scale: v.scale, covered: !(top && top.closest('[data-quick-exit]')),
                    wide: document.documentElement.scrollWidth};
        }"""
    )
    left, top, right, bottom = state["box"]
    v_left, v_top, v_right, v_bottom = state["view"]
    assert state["wide"] <= PHONE["width"], f"{where}: the page is {state['wide']}px wide on a {PHONE['width']}px screen"
    assert state["scale"] == 1, f"{where}: the page was zoomed out to {state['scale']}"
    assert v_left <= left and right <= v_right and v_top <= top and bottom <= v_bottom, f"{where}: exit button {state['box']} outside {state['view']}"
    assert not state["covered"], f"{where}: something covers the exit button"


def test_no_page_is_wider_than_the_phone(site_dir: Path, site_url: str, open_page: OpenPage) -> None:
    watched = open_page(**TOUCH)
    pages = [p for p in site_pages(site_dir) if p != "404.html"]
    for path in pages:
        watched.page.goto(site_url + path, wait_until="load")
        _exit_in_view(watched.page, path or "home")
    report(f"phone width: {len(pages)} pages no wider than {PHONE['width']}px, exit button in view")


# A marked glossary word in the built HTML (sitedata.views.glossary): the word is the element's first text.
_MARKED_WORD = re.compile(r'<abbr class="dv-gl__term"[^>]*>([^<]*)<')


def _glossary_tour(site_dir: Path) -> tuple[list[str], set[str]]:
    """Pages that between them hold every marked word: one page of each kind, then the page with the most words not yet
    held, until none is left. Read from the built files, so that the browser opens only these."""
    def words_on(path: str) -> set[str]:
        text = page_file(site_dir, path).read_text(encoding="utf-8")
        return {" ".join(html.unescape(w).split()).lower() for w in _MARKED_WORD.findall(text)}

    candidates = [p for p in site_pages(site_dir) if p.startswith(("practices/", "evidence/", "glossary/", "prompts/"))]
    words = {path: words_on(path) for path in candidates}
    every = set().union(*words.values())
    tour = [next(p for p in candidates if p.startswith(kind) and words[p]) for kind in ("practices/", "evidence/", "glossary/", "prompts/")]
    held = set().union(*(words[p] for p in tour))
    while held != every:
        best = max(candidates, key=lambda p: len(words[p] - held))
        tour.append(best)
        held |= words[best]
    return tour, every


def test_every_glossary_definition_keeps_the_exit_button_in_view(site_dir: Path, site_url: str, open_page: OpenPage) -> None:
    """Every marked word is tapped once, on pages of every kind: its definition opens on screen, the exit button stays in
    view, and a tap on the definition closes it."""
    tour, every = _glossary_tour(site_dir)
    watched = open_page(**TOUCH)
    page = watched.page
    tapped = 0
    seen: set[str] = set()
    for path in tour:
        page.goto(site_url + path, wait_until="load")
        for summary in page.locator("details.dv-prompt-set > summary").all():  # folded prompt sets: open them first
            summary.tap()
        terms = page.locator(".dv-gl__term")
        words = [" ".join(w.split()).lower() for w in terms.all_inner_texts()]
        chosen = [i for i, word in enumerate(words) if word not in seen and word not in words[:i]]
        seen.update(words)
        for i in chosen:
            term = terms.nth(i)
            term.scroll_into_view_if_needed()
            term.tap()
            tip = page.locator(f"#{term.get_attribute('aria-describedby')}")
            assert tip.is_visible(), f"{path}: tapping {term.inner_text()!r} shows no definition"
            box = tip.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{path}: definition off screen"
            _exit_in_view(page, f"{path} after tapping {term.inner_text()!r}")
            tip.tap()  # tapping the open definition closes it, as a person does before the next term
            assert not tip.is_visible(), f"{path}: tapping the definition of {term.inner_text()!r} does not close it"
            tapped += 1
    assert seen == every, f"the pages show other marked words than their HTML: {sorted(seen ^ every)}"
    assert tapped == len(every) >= 10, f"{tapped} definitions tapped of {len(every)} marked words"
    report(f"glossary on a phone: all {tapped} marked words tapped on {len(tour)} pages, exit button in view after each")


def test_drawer_search_and_filters_keep_the_exit_button_in_view(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/", **TOUCH).page
    _exit_in_view(page, "directory")
    page.locator("button.md-header__button[for='__drawer']").tap()
    for ms in (0, 100, 200):
        page.wait_for_timeout(ms)
        _exit_in_view(page, "with the menu drawer opening")
    assert page.evaluate("document.getElementById('__drawer').checked")
    page.keyboard.press("Escape")
    page.evaluate("document.getElementById('__drawer').checked = false")
    # The site search (no overlay since it replaced Material's): results open under the box as it is used.
    page.locator("[data-site-search]").tap()
    page.keyboard.type("help")
    for ms in (0, 100, 100, 200):
        page.wait_for_timeout(ms)
        _exit_in_view(page, "with search results open")
    assert page.locator("[data-search-result]").count() > 0
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    page.locator("[data-filters-more] summary").tap()
    assert page.locator("[data-filters-more]").get_attribute("open") is not None
    for y in (0, 600, 10**6):
        page.evaluate(f"window.scrollTo(0, {y})")
        _exit_in_view(page, f"with the filters open, scrolled to {y}")


# Lighthouse's mobile profile: slow 4G (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up) and a CPU 4x slower.
_SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8, "uploadThroughput": 750 * 1024 / 8}
_COLLECT_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (!e.hadRecentInput) window.__shifts.push({value: e.value, sources: (e.sources || []).map((s) => s.node ?
      (s.node.nodeName + (s.node.className && s.node.className.baseVal === undefined ? '.' + s.node.className : '')) : '?')});
  }
}).observe({type: 'layout-shift', buffered: true});
"""


def _layout_shift(open_page: OpenPage, url: str) -> tuple[float, list[dict]]:
    """Cumulative layout shift of one fresh load of `url` on a slow phone, up to 1.5 s after the load event."""
    watched = open_page(**TOUCH)
    page = watched.page
    page.add_init_script(_COLLECT_SHIFTS)
    cdp = watched.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", _SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_timeout(1500)
    shifts = page.evaluate("window.__shifts")
    return sum(s["value"] for s in shifts), shifts


@pytest.mark.parametrize("path", CLS_PAGES, ids=[p or "home" for p in CLS_PAGES])
def test_nothing_moves_after_the_first_paint_on_a_slow_phone(path: str, site_url: str, open_page: OpenPage) -> None:
    cls, shifts = _layout_shift(open_page, site_url + path)
    report(f"layout shift on a slow phone (slow 4G, CPU x4), /{path}: {cls:.4f}")
    assert cls <= CLS_BUDGET, f"/{path}: cumulative layout shift {cls:.3f} > {CLS_BUDGET}: {shifts}"


def test_every_call_link_is_a_44px_button_named_after_its_service(site_dir: Path, site_url: str, open_page: OpenPage) -> None:
    watched = open_page(**TOUCH)
    page = watched.page
    checked = 0
    pages = set()
    for path in site_pages(site_dir):
        html = (site_dir / (path if path.endswith(".html") else path + "index.html")).read_text(encoding="utf-8")
        if 'href="tel:' not in html and 'href="sms:' not in html:
            continue
        page.goto(site_url + path, wait_until="load")
        pages.add(path)
        links = page.evaluate(
            """() => [...document.querySelectorAll('a[href^="tel:"], a[href^="sms:"]')].map((a) => {
                a.scrollIntoView({block: 'center'});
                const b = a.getBoundingClientRect();
                const card = a.closest('[data-service-id]');
                const service = card ? card.querySelector('h2').textContent
                  : a.closest('[data-help-now]') ? a.querySelector('.dv-call__name').textContent.split('. ')[0]
                  : document.querySelector('h1').textContent;
                return {href: a.getAttribute('href'), w: b.width, h: b.height, name: a.textContent.replace(/\\s+/g, ' ').trim(),
                        service: service.trim(), label: a.getAttribute('aria-label')};
            })"""
        )
        for link in links:
            where = f"/{path} {link['href']} {link['name']!r}"
            assert link["w"] >= 44 and link["h"] >= 44, f"{where}: {link['w']:.0f}x{link['h']:.0f} px, smaller than 44x44"
            assert link["label"] is None, f"{where}: the name comes from the visible text"
            assert re.match(r"(Call|Text) ", link["name"]), f"{where}: does not say it calls"
            assert link["service"] in link["name"], f"{where}: not named after {link['service']!r}"
            checked += 1
    assert {"", "safety/", "directory/"} <= pages, f"call buttons missing from home, safety or the directory: {pages}"
    assert checked >= 9, f"only {checked} call links found"
    report(f"call targets on a phone: {checked} tel:/sms: links, each at least 44x44 px and named after its service")


def test_filtering_leaves_the_address_and_history_unchanged(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/", **TOUCH).page
    page.wait_for_function("() => window.openNow !== undefined")
    start, history = page.url, page.evaluate("history.length")
    page.locator("[data-filters-more] summary").tap()
    boxes = page.locator("[data-filters-more] input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).tap()
        assert page.url == start, f"the address changed to {page.url}"
    page.locator("input[name=open]").tap()
    page.locator("input[name=area]").nth(1).tap()
    assert page.url == start and page.evaluate("history.length") == history
    assert "Filters in force: open now" in page.locator("[data-print-filters]").inner_text()


def test_the_open_filter_panel_does_not_push_the_services_off_screen(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/", **TOUCH).page
    page.locator("[data-filters-more] summary").tap()
    page.locator("[data-filters-more] input[name=for]").first.tap()
    show = page.get_by_role("button", name="Show the services")
    show.scroll_into_view_if_needed()
    show.tap()
    assert page.locator("[data-filters-more]").get_attribute("open") is None
    count = page.locator("[data-result-count]")
    assert page.evaluate("document.activeElement === document.querySelector('[data-result-count]')")
    box = count.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"], f"the result count is off screen at y={box}"
    first = page.locator("[data-service-id]:not([hidden])").first.bounding_box()
    assert first is not None and first["y"] < PHONE["height"] * 2, "the first service is more than a screen below the count"


def test_the_prompts_index_fits_in_8_phone_screens_and_opens_a_set_in_place(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "prompts/", **TOUCH).page
    height = page.evaluate("document.documentElement.scrollHeight")
    report(f"prompts index on a phone: {height} px, {height / PHONE['height']:.1f} screens of {PHONE['height']} px")
    assert height <= PROMPTS_SCREENS * PHONE["height"], f"{height / PHONE['height']:.1f} phone screens"
    themes = page.locator("nav.dv-jump a")
    sets = page.locator("details.dv-prompt-set")
    assert themes.count() >= 5 and sets.count() >= themes.count()
    first = sets.first
    assert first.get_attribute("open") is None
    first.locator("summary").tap()
    assert first.get_attribute("open") is not None and first.locator("li").first.is_visible()
    last_id = sets.last.get_attribute("id")
    page.goto(site_url + f"prompts/#{last_id}")  # a link to a set (a search result, the table of contents) opens it
    page.wait_for_function(f"() => document.getElementById('{last_id}').open")


@pytest.mark.parametrize("path", ["prompts/", "practices/", "safety/", "practices/virtual-maracs/"])
def test_generated_pages_have_a_table_of_contents(path: str, site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + path).page  # desktop: the table of contents is the right-hand column
    links = page.locator(".md-sidebar--secondary .md-nav__link[href^='#']")
    assert links.count() >= 1, f"/{path}: empty table of contents"
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert page.locator(href.replace(":", "\\:")).count() == 1, f"/{path}: {href} goes nowhere"


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_axe_passes_in_both_colour_schemes_on_a_phone(scheme: str, site_dir: Path, site_url: str, open_page: OpenPage) -> None:
    from .test_axe import AXE_TAGS, RUN_AXE, _describe  # one axe run shared with test_axe.py

    assert AXE_SCRIPT.is_file(), f"{AXE_SCRIPT} is missing: run `npm ci` (make test does)"
    watched = open_page(color_scheme=scheme, reduced_motion="reduce", **TOUCH)
    watched.context.add_init_script(path=AXE_SCRIPT)
    page = watched.page
    problems: list[str] = []
    pages = site_pages(site_dir)
    for path in pages:
        page.goto(site_url + path, wait_until="load")
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected, f"/{path}: not following the device"
        problems += _describe(f"{scheme} /{path}", page.evaluate(RUN_AXE, AXE_TAGS))
    report(f"axe on a phone, {scheme} scheme: {len(pages)} pages, {len(problems)} violations")
    assert problems == [], "\n".join(problems)


def test_the_colour_scheme_toggle_switches_and_is_named(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "safety/", color_scheme="light").page
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
    page.locator("label.md-header__button[title='Switch to dark mode']").click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    assert page.get_by_role("radio", name="Switch to light mode").count() == 1  # the control says what it does next
    page.locator("label.md-header__button[title='Switch to light mode']").click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'default'")


def test_no_element_takes_a_role_it_may_not_have(site_url: str, open_page: OpenPage) -> None:
    """Lighthouse's aria-allowed-role (an axe best-practice rule, outside the WCAG tags test_axe.py runs): the menu
    and search buttons were <label role="button">. Checked with the drawer closed and open."""
    watched = open_page(reduced_motion="reduce", **TOUCH)
    watched.context.add_init_script(path=AXE_SCRIPT)
    page = watched.page
    page.goto(site_url + "directory/", wait_until="load")
    run = "async () => (await axe.run({runOnly: ['aria-allowed-role', 'aria-allowed-attr']})).violations.map(v => v.id + ': ' + v.nodes.map(n => n.html).join(' | '))"
    assert page.evaluate(run) == []
    page.locator("button.md-header__button[for='__drawer']").tap()
    assert page.evaluate(run) == []


def test_home_reaches_every_section_on_a_desktop(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url).page
    sections = page.eval_on_selector_all(
        ".md-nav--primary > .md-nav__list > .md-nav__item > a.md-nav__link", "links => links.map(a => a.getAttribute('href'))"
    )
    routes = page.eval_on_selector_all(".dv-routes a, .dv-help-now a:not([href^='tel:'])", "links => links.map(a => a.getAttribute('href'))")
    footer = page.eval_on_selector_all(".md-footer a", "links => links.map(a => a.getAttribute('href'))")
    missing = [s for s in sections if s not in ("./", ".") and s not in routes and s not in footer]
    assert len(sections) >= 10 and missing == [], f"sections the home page does not link to: {missing}"
    for href in set(routes):
        box = page.locator(f".dv-routes a[href='{href}'], .dv-help-now a[href='{href}']").first.bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44


def test_good_practice_has_a_jump_list_by_area_in_alphabetical_order_and_by_theme(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "practices/", **TOUCH).page
    areas = page.eval_on_selector_all("#jump-by-area + ul a", "links => links.map(a => [a.textContent, a.getAttribute('href')])")
    themes = page.eval_on_selector_all("#jump-by-theme + ul a", "links => links.map(a => a.getAttribute('href'))")
    names = [re.sub(r" \(\d+\)$", "", text) for text, _ in areas]
    assert len(names) >= 5 and names == sorted(names, key=str.lower)
    for href in [h for _, h in areas] + themes:
        assert page.locator(href).count() == 1, f"{href} goes nowhere"
    headings = page.eval_on_selector_all("#by-area ~ h3", "hs => hs.map(h => h.textContent)")
    assert headings == sorted(headings, key=str.lower)


def test_good_practice_filters_work_without_javascript(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "practices/", java_script_enabled=False, **TOUCH).page
    items = page.locator("#by-area ~ .dv-practice-group li")
    everything = [i for i in items.all() if i.is_visible()]
    page.locator(".dv-practice-filters summary").tap()
    status = page.locator(".dv-practice-filters input[name='pf-status']").nth(1)
    status.tap()
    token = status.get_attribute("id").removeprefix("pf-")
    shown = [i for i in items.all() if i.is_visible()]
    assert 0 < len(shown) < len(everything)
    assert all(token in i.get_attribute("data-pf").split() for i in shown)
    hidden_groups = [g for g in page.locator(".dv-practice-group").all() if not g.is_visible()]
    assert hidden_groups and all(token not in g.get_attribute("data-pf").split() for g in hidden_groups)
    assert page.url == site_url + "practices/"
    page.get_by_role("button", name="Clear filters").tap()
    assert len([i for i in items.all() if i.is_visible()]) == len(everything)


@pytest.mark.parametrize("width", [320, 390, 768, 1024, 1440])
def test_the_exit_button_is_in_view_at_every_width(width: int, site_url: str, open_page: OpenPage) -> None:
    page = open_page(viewport={"width": width, "height": 800}).page
    for path in ("", "directory/", "practices/virtual-maracs/"):
        page.goto(site_url + path, wait_until="load")
        for y in (0, 1500, 10**6):
            page.evaluate(f"window.scrollTo(0, {y})")
            state = page.evaluate(
                """() => { const b = document.querySelector('[data-quick-exit]').getBoundingClientRect();
                   return [b.left, b.top, b.right, b.bottom, document.documentElement.scrollWidth, innerWidth, innerHeight]; }"""
            )
            left, top, right, bottom, wide, inner_w, inner_h = state
            assert wide <= inner_w, f"{width}px /{path}: page {wide}px wide"
            assert 0 <= left and right <= inner_w and 0 <= top and bottom <= inner_h, f"{width}px /{path} at {y}: {state}"


def test_the_header_and_notice_take_under_a_fifth_of_a_phone_screen(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url, **TOUCH).page
    notice = page.locator("[data-quick-exit-notice]")
    assert notice.is_visible()
    bottom = page.evaluate("document.querySelector('[data-quick-exit-notice]').getBoundingClientRect().bottom")
    report(f"phone first screen: header and quick-exit notice end at {bottom:.0f} px of {PHONE['height']} ({bottom / PHONE['height']:.0%})")
    assert bottom <= PHONE["height"] / 5
