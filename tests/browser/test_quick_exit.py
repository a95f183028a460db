"""Quick exit: the button, Shift x3 and the skip link hide the page at once and leave for the neutral site with location.replace.

The neutral site is answered inside the browser (harness.neutral_site), so no request leaves the machine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .harness import DESKTOP, MOBILE, OpenPage, Watched, configured_exit_url, neutral_site, page_file, release, site_pages

EXIT_URL = configured_exit_url()
# One page of each kind: home (no sidebar), a data page, a generated page, prose, and the 404 page.
SAMPLE = ("", "directory/", "practices/redbridge-hub-process/", "stay-safe-online/", "404.html")
BODY_SHOWN = "getComputedStyle(document.body).display !== 'none'"
STATUS = "document.querySelector('[data-quick-exit-status]').textContent"
# A real click, fired from the page so that Playwright does not wait for the (held) navigation.
CLICK_SOON = "setTimeout(() => document.querySelector('[data-quick-exit]').click(), 0)"


def _wait_until_left(page: Page) -> None:
    page.wait_for_url(EXIT_URL, timeout=5000)
    assert page.title() == "Neutral site"


def _stays(page: Page, url: str, routes: list) -> None:
    """The page has not left: no request to the neutral site, same URL, still shown."""
    page.wait_for_timeout(300)  # long enough for a navigation to have started
    assert routes == []
    assert page.url == url
    assert page.evaluate(BODY_SHOWN)


def test_the_exit_url_comes_from_mkdocs_yml() -> None:
    assert EXIT_URL == "https://www.bbc.co.uk/weather"


def test_every_page_has_one_quick_exit_button_and_skip_link(site_dir: Path) -> None:
    for path in site_pages(site_dir):
        html = page_file(site_dir, path).read_text(encoding="utf-8")
        assert len(re.findall(r"\sdata-quick-exit[\s>]", html)) == 1, path
        assert html.count("data-quick-exit-skiplink") == 1, path
        assert f'data-exit-url="{EXIT_URL}"' in html, path
        assert f'href="{EXIT_URL}"' in html, path


@pytest.mark.parametrize("path", SAMPLE)
def test_click_hides_the_page_and_leaves_without_a_way_back(path: str, site_url: str, open_page: OpenPage) -> None:
    watched = open_page(site_url + path)
    page = watched.page
    routes = neutral_site(page, exit_url=EXIT_URL)
    page.click("[data-quick-exit]")
    _wait_until_left(page)
    assert len(routes) == 1
    page.go_back()
    assert page.url != site_url + path  # location.replace: the exited page is not in history
    assert watched.problems() == []


def test_back_after_leaving_skips_the_exited_page(site_url: str, open_page: OpenPage) -> None:
    watched = open_page(site_url)
    page = watched.page
    neutral_site(page, exit_url=EXIT_URL)
    page.click(".md-content a[href$='directory/']")
    page.wait_for_url(site_url + "directory/")
    page.click("[data-quick-exit]")
    _wait_until_left(page)
    page.go_back()
    assert page.url == site_url  # the page before it, which the person opened earlier
    page.go_forward()
    assert page.url == EXIT_URL


def test_tap_on_a_phone_leaves(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/", viewport=MOBILE, has_touch=True, is_mobile=True).page
    routes = neutral_site(page, exit_url=EXIT_URL)
    page.tap("[data-quick-exit]")
    _wait_until_left(page)
    assert len(routes) == 1


@pytest.mark.parametrize("path", SAMPLE)
def test_shift_three_times_leaves_and_announces_progress(path: str, site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + path).page
    routes = neutral_site(page, exit_url=EXIT_URL)
    page.keyboard.press("Shift")
    assert page.evaluate(STATUS) == "Shift, press 2 more times to exit."
    assert page.get_attribute("[data-quick-exit]", "data-presses") == "1"
    page.keyboard.press("Shift")
    assert page.evaluate(STATUS) == "Shift, press 1 more time to exit."
    assert page.get_attribute("[data-quick-exit]", "data-presses") == "2"
    page.keyboard.press("Shift")
    _wait_until_left(page)
    assert len(routes) == 1
    page.go_back()
    assert page.url != site_url + path


def test_the_status_region_is_a_polite_live_region(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url).page
    status = page.locator("[data-quick-exit-status]")
    assert status.get_attribute("aria-live") == "polite"
    assert status.get_attribute("role") == "status"


@pytest.mark.parametrize(
    ("keys", "counted"),
    [
        (["Shift", "Shift", "a", "Shift"], 1),  # another key in between starts the count again
        (["Shift", "Shift", "Tab", "Shift"], 1),
        (["Shift", "Shift", "Control"], 0),
        (["Shift+A", "Shift+B", "Shift+C"], 0),  # Shift held with another key (capitals) never counts
        (["Shift", "Shift+A", "Shift"], 1),
    ],
    ids=["letter-between", "tab-between", "control-after", "capitals", "capital-between"],
)
def test_a_broken_sequence_does_not_leave(keys: list[str], counted: int, site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/").page
    routes = neutral_site(page, exit_url=EXIT_URL)
    for key in keys:
        page.keyboard.press(key)
    _stays(page, site_url + "directory/", routes)
    assert page.get_attribute("[data-quick-exit]", "data-presses") == (str(counted) if counted else None)
    for _ in range(3 - counted - 1):
        page.keyboard.press("Shift")
    _stays(page, site_url + "directory/", routes)
    page.keyboard.press("Shift")  # the third counted press
    _wait_until_left(page)


def test_presses_more_than_five_seconds_apart_do_not_leave(site_url: str, open_page: OpenPage) -> None:
    watched = open_page()
    page = watched.page
    page.clock.install()
    page.goto(site_url + "directory/")
    routes = neutral_site(page, exit_url=EXIT_URL)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.clock.run_for(5001)
    assert page.evaluate(STATUS) == "Exit this page expired."
    assert page.get_attribute("[data-quick-exit]", "data-presses") is None
    page.keyboard.press("Shift")
    _stays(page, site_url + "directory/", routes)
    page.clock.run_for(4000)  # within 5 seconds of the first of these presses
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    _wait_until_left(page)


@pytest.mark.parametrize("path", SAMPLE)
def test_the_skip_link_is_an_early_tab_stop_and_leaves(path: str, site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + path, reduced_motion="reduce").page
    routes = neutral_site(page, exit_url=EXIT_URL)
    for _ in range(2):  # after Material's "Skip to content", where the page has one
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-quick-exit-skiplink')"):
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == "Exit this page"
    box = page.locator("[data-quick-exit-skiplink]").bounding_box()
    assert box is not None and box["width"] > 0 and box["y"] >= 0  # shown while focused
    page.keyboard.press("Enter")
    _wait_until_left(page)
    assert len(routes) == 1


def test_space_on_the_focused_button_leaves(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "safety/").page
    routes = neutral_site(page, exit_url=EXIT_URL)
    page.focus("[data-quick-exit]")
    page.keyboard.press("Space")
    _wait_until_left(page)
    assert len(routes) == 1


def _watch_leaving(watched: Watched, *, then_restore: bool = False) -> list[dict[str, str]]:
    """Have the page report what it shows each time it starts to leave (the page cannot be evaluated
    while its navigation is held). With then_restore, it is then shown again as if from the back/forward cache."""
    reports: list[dict[str, str]] = []
    watched.context.expose_binding("__reportLeaving", lambda _source, state: reports.append(state))
    watched.page.evaluate(
        """(restore) => {
          let restored = false;
          const report = () => window.__reportLeaving({body: getComputedStyle(document.body).display, title: document.title});
          new MutationObserver(() => {
            if (!document.documentElement.classList.contains('quick-exit-active')) return;
            report();
            if (restore && !restored) {
              restored = true;  // what the browser fires when it shows a page from its back/forward cache
              setTimeout(() => { window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true})); report(); }, 50);
            }
          }).observe(document.documentElement, {attributes: true, attributeFilter: ['class']});
        }""",
        then_restore,
    )
    return reports


def test_the_page_is_hidden_before_the_neutral_site_answers(site_url: str, open_page: OpenPage) -> None:
    watched = open_page(site_url + "directory/")
    page = watched.page
    routes = neutral_site(page, exit_url=EXIT_URL, hold=True)
    reports = _watch_leaving(watched)
    assert page.evaluate(BODY_SHOWN)
    page.evaluate(CLICK_SOON)
    page.wait_for_timeout(500)
    assert len(routes) == 1, "the request for the neutral site is waiting for its answer"
    assert reports == [{"body": "none", "title": "Loading"}]
    release(routes)
    _wait_until_left(page)


def test_a_page_restored_from_the_back_forward_cache_stays_hidden_and_leaves_again(site_url: str, open_page: OpenPage) -> None:
    watched = open_page(site_url + "directory/")
    page = watched.page
    routes = neutral_site(page, exit_url=EXIT_URL, hold=True)
    reports = _watch_leaving(watched, then_restore=True)
    page.evaluate(CLICK_SOON)
    page.wait_for_timeout(800)
    # Hidden when it left, and still hidden once restored (the last report is from after the pageshow).
    assert len(reports) >= 2
    assert all(report == {"body": "none", "title": "Loading"} for report in reports)
    assert len(routes) == 2, "restored while leaving, it set off for the neutral site again"
    release(routes)
    _wait_until_left(page)


def test_a_page_restored_without_leaving_is_shown_and_counts_from_zero(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/").page
    routes = neutral_site(page, exit_url=EXIT_URL)
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    page.keyboard.press("Shift")
    _stays(page, site_url + "directory/", routes)


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_the_button_stays_in_view_while_scrolling(viewport: dict[str, int], site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/", viewport=viewport).page
    for y in (0, 2000, 10**6):
        page.evaluate(f"window.scrollTo(0, {y})")
        box = page.locator("[data-quick-exit]").bounding_box()
        assert box is not None
        assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"]
        assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"]
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        centre = page.evaluate(f"document.elementFromPoint({x}, {y}).closest('[data-quick-exit]') !== null")
        assert centre, f"something covers the exit button at scroll {y}"


def test_the_button_is_hidden_in_print(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/").page
    assert page.is_visible("[data-quick-exit]")
    assert page.is_visible("[data-quick-exit-notice]")
    page.emulate_media(media="print")
    assert not page.is_visible("[data-quick-exit]")
    assert not page.is_visible("[data-quick-exit-notice]")


def test_the_notice_links_to_stay_safe_online_and_stays_dismissed_in_new_tabs(site_url: str, open_page: OpenPage) -> None:
    watched = open_page(site_url)
    page = watched.page
    notice = page.locator("[data-quick-exit-notice]")
    assert notice.is_visible()
    link = notice.locator("a", has_text="stay safe online")
    assert link.get_attribute("href") == "stay-safe-online/"
    page.focus("[data-quick-exit-dismiss]")
    page.keyboard.press("Enter")
    assert not notice.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-quick-exit')")  # focus goes to the button it explained
    assert page.evaluate("localStorage.getItem('quick-exit-notice-dismissed')") == "1"
    page.goto(site_url + "safety/")
    assert not page.locator("[data-quick-exit-notice]").is_visible()
    tab = watched.context.new_page()  # a new tab in the same browser: not back
    tab.goto(site_url + "directory/")
    assert not tab.locator("[data-quick-exit-notice]").is_visible()
    fresh = open_page(site_url + "safety/").page  # a browser that never hid it still shows it
    assert fresh.locator("[data-quick-exit-notice]").is_visible()


def test_the_footer_links_to_stay_safe_online(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/").page
    page.click(".md-footer a:text-is('Stay safe online')")
    page.wait_for_url(site_url + "stay-safe-online/")
    text = page.inner_text(".md-content")
    assert "does not clear your browsing history" in text
    assert "call history" in text


def test_without_javascript_the_button_is_a_plain_link_to_the_neutral_site(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/", java_script_enabled=False).page
    routes = neutral_site(page, exit_url=EXIT_URL)
    page.click("[data-quick-exit]")
    _wait_until_left(page)
    assert len(routes) == 1
