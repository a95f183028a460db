"""The directory finder in Chromium: find a service by what you know about it, on the site and in the offline copy.

Expected results come from data/helplines.yaml. The finder is the site search kept to services: it
loads lunr.js and the prebuilt site index only once it is used, from the site itself (or the copy's
own files), follows the directory's "open now" filter, and the words typed never reach the address,
the history or storage.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from payloads import write_payload_data
from sitebuild import mkdocs_build
from sitedata.views import search

from .harness import AXE_SCRIPT, DESKTOP, OpenPage, Watched, serve, watched_page
from .offline_copy import OfflineCopy, offline_copy
from .test_axe import AXE_TAGS, RUN_AXE
from .test_keyboard import NARROW

pytestmark = pytest.mark.browser

INPUT = "#dv-finder-input"
RESULTS = "[data-finder-results] [data-finder-result] .dv-search__title"


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> OfflineCopy:
    return offline_copy(tmp_path_factory)


def _finder(page: Page) -> Locator:
    return page.get_by_role("searchbox", name="Find a service")


def _status(page: Page) -> Locator:
    return page.locator("[data-finder-status]")


def _type(page: Page, text: str) -> Locator:
    """Type into the finder as a person does, and wait until it has answered; returns the result links."""
    field = _finder(page)
    field.click()
    field.press_sequentially(text)
    expect(_status(page)).not_to_have_text(re.compile(r"^$|Loading"))
    return page.locator(RESULTS)


def _names(results: Locator) -> list[str]:
    return results.all_inner_texts()


def test_typing_a_name_lists_that_service_first_linking_to_its_card(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/").page
    expect(_finder(page)).to_be_visible()
    results = _type(page, "Galop")
    assert _names(results)[0] == "Galop LGBT+ domestic abuse helpline"
    expect(results.first).to_have_attribute("href", site_url + "directory/#galop-lgbt-helpline")
    expect(page.locator("[data-finder-result]").first).to_contain_text("Helpline or service · England")  # then what it is and where
    expect(_status(page)).to_have_text("1 service matches")
    results.first.click()
    expect(page).to_have_url(site_url + "directory/#galop-lgbt-helpline")
    expect(page.locator("#galop-lgbt-helpline")).to_be_in_viewport()


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("NDAH", "National Domestic Abuse Helpline"),
        ("mens advice", "Men's Advice Line"),
        ("gay", "Galop LGBT+ domestic abuse helpline"),
        ("weather app", "Bright Sky app"),
        ("refuges", "National Domestic Abuse Helpline"),
    ],
)
def test_short_names_needs_and_plurals_find_services(site_url: str, open_page: OpenPage, text: str, first: str) -> None:
    page = open_page(site_url + "directory/").page
    assert _names(_type(page, text))[0] == first


def test_it_says_when_no_service_matches_and_offers_the_lines_to_call(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/").page
    results = _type(page, "zzzz")
    expect(_status(page)).to_have_text("No services match. Check the spelling or try other words.")
    expect(results).to_have_count(0)
    calls = page.locator("[data-finder-empty] a[href^='tel:']")
    assert calls.evaluate_all("els => els.map(e => e.getAttribute('href'))") == ["tel:999", "tel:+448082000247"]
    _finder(page).fill("")
    expect(_status(page)).to_have_text("")


def test_lunr_and_the_index_load_only_when_the_finder_is_used(site_url: str, open_page: OpenPage) -> None:
    watched = open_page()
    loaded: list[str] = []
    watched.page.on("request", lambda request: loaded.append(request.url))
    watched.page.goto(site_url + "directory/", wait_until="load")
    watched.page.wait_for_load_state("networkidle")
    assert not [u for u in loaded if "/search/" in u]
    _type(watched.page, "chat")
    assert [u.removeprefix(site_url) for u in loaded if "/search/" in u] == [search.LUNR_SITE_PATH, search.INDEX_SITE_PATH]
    assert watched.problems() == []  # no CSP violation: two files from the site itself, no eval


def test_the_words_typed_never_reach_the_address_history_or_storage(site_url: str, open_page: OpenPage) -> None:
    watched = open_page(site_url + "directory/")
    page = watched.page
    before = page.evaluate("() => [location.href, history.length]")
    _type(page, "gay")
    page.keyboard.press("Enter")  # no form: Enter sends nothing anywhere
    page.wait_for_timeout(200)
    assert page.evaluate("() => [location.href, history.length]") == before
    stored = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])")
    assert "gay" not in stored
    page.locator(RESULTS).first.click()
    expect(page).to_have_url(site_url + "directory/#galop-lgbt-helpline")
    assert "gay" not in page.evaluate("() => location.href")


def test_keyboard_only_tab_to_the_finder_type_tab_to_the_first_result_and_enter(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/", reduced_motion="reduce").page
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "dv-finder-input":
            break
    else:
        raise AssertionError("Tab never reached the finder")
    page.keyboard.type("refuges")  # "s" focuses the site search elsewhere on the page; not while typing here
    expect(page.locator(RESULTS).first).to_contain_text("National Domestic Abuse Helpline")
    assert page.evaluate("() => document.activeElement.id") == "dv-finder-input"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('[data-finder-results] li') === document.querySelector('[data-finder-results] li')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url + "directory/#national-domestic-abuse-helpline")
    expect(page.locator("#national-domestic-abuse-helpline")).to_be_in_viewport()


def test_each_result_shows_its_open_now_state_and_a_call_link(site_url: str, open_page: OpenPage) -> None:
    """open-now.js has judged the result (its placeholder is gone); here, with the real 2020 hours, it says to check them
    (tests/browser/test_hours_age.py compares each result with its card, on confirmed hours too)."""
    page = open_page(site_url + "directory/").page
    _type(page, "helpline")
    first = page.locator("[data-finder-result]").first
    expect(first.locator("[data-open-state]")).to_have_attribute("data-hours-age", "very-stale")
    expect(first.locator("[data-open-state]")).to_have_text(re.compile(r"^Check before you rely on this: hours as published"))
    assert first.locator("a[href^='tel:']").inner_text().startswith("Call ")


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "320px"])
def test_the_finder_with_results_has_no_axe_violations_and_fits(viewport: dict[str, int], site_url: str, open_page: OpenPage) -> None:
    assert AXE_SCRIPT.is_file(), f"{AXE_SCRIPT} is missing: run `npm ci` (make test does)"
    watched = open_page(viewport=viewport, reduced_motion="reduce")
    watched.context.add_init_script(path=AXE_SCRIPT)
    page = watched.page
    page.goto(site_url + "directory/", wait_until="load")
    assert len(_names(_type(page, "helpline"))) > 1
    violations = page.evaluate(RUN_AXE, AXE_TAGS)
    assert violations == []
    box = page.locator("[data-finder]").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]


def test_without_javascript_the_finder_is_hidden_and_every_card_listed(site_url: str, open_page: OpenPage) -> None:
    page = open_page(site_url + "directory/", java_script_enabled=False).page
    expect(page.locator("[data-finder]")).to_be_hidden()
    expect(page.locator("[data-finder]")).to_have_count(1)
    assert page.locator("[data-service-id]").count() > 1
    expect(page.locator("[data-service-id]").first).to_be_visible()


@pytest.fixture
def offline_tab(browser: Browser) -> Iterator[Watched]:
    watched = watched_page(browser, offline=True)
    requests: list[str] = []
    watched.context.on("request", lambda request: requests.append(request.url))
    yield watched
    problems = watched.problems()
    watched.context.close()
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:", "about:"))] == []
    assert problems == []


def test_it_works_in_the_offline_copy_opened_from_file(offline_tab: Watched, copy: OfflineCopy) -> None:
    page = offline_tab.page
    page.goto(copy.url("directory.html"))
    results = _type(page, "NDAH")
    assert _names(results)[0] == "National Domestic Abuse Helpline"
    expect(results.first).to_have_attribute("href", copy.url("directory.html") + "#national-domestic-abuse-helpline")
    results.first.click()
    expect(page).to_have_url(copy.url("directory.html") + "#national-domestic-abuse-helpline")
    expect(page.locator("#national-domestic-abuse-helpline")).to_be_in_viewport()


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site built from data with an HTML payload in every free-text field, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("finder-payloads")
    write_payload_data(root / "data")
    result = mkdocs_build(root / "site", data_dir=root / "data")
    assert result.returncode == 0, result.stderr
    with serve(root / "site") as url:
        yield url


def test_names_and_areas_with_markup_are_shown_as_text(payload_site: str, open_page: OpenPage) -> None:
    watched = open_page(payload_site + "directory/")
    page = watched.page
    results = _type(page, "Galop")
    expect(results.first).to_contain_text("<img src=x onerror=alert(1)>")
    assert page.locator("[data-finder] img, [data-finder] script").count() == 0
    page.wait_for_timeout(200)
    assert watched.dialogs == [] and watched.problems() == []

