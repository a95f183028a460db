"""The offline copy in Chromium: dist/offline.zip unzipped, opened from file:// with networking off.

Every request must be for a file in the copy. The only other address a page may ask for is the
quick exit's neutral site, after the exit is pressed; the test answers it inside the browser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from sitedata.postbuild import offline
from sitedata.views import search

from .harness import Watched, configured_exit_url, neutral_site, watched_page
from .offline_copy import OfflineCopy, offline_copy, run_search, search_box

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> OfflineCopy:
    return offline_copy(tmp_path_factory)


class OfflinePage:
    """A page in a context with networking off, every request recorded."""

    def __init__(self, browser: Browser) -> None:
        self.watched: Watched = watched_page(browser, offline=True)
        self.requests: list[str] = []
        self.watched.context.on("request", self._record)

    @property
    def page(self) -> Page:
        return self.watched.page

    def _record(self, request: Request) -> None:
        self.requests.append(request.url)

    def not_files(self) -> list[str]:
        return [url for url in self.requests if urlsplit(url).scheme not in ("file", "data", "blob", "about")]


@pytest.fixture
def tab(browser: Browser) -> Iterator[OfflinePage]:
    opened = OfflinePage(browser)
    yield opened
    problems = opened.watched.problems()
    stray = opened.not_files()
    opened.watched.context.close()
    assert not stray, f"the offline copy made network requests: {stray}"
    assert not problems, problems


def test_the_zip_opens_at_index_html(copy: OfflineCopy) -> None:
    assert (copy.folder / "index.html").is_file()
    assert (copy.folder / offline.SHIM_SITE_PATH).is_file()
    assert (copy.folder / search.INDEX_SITE_PATH).is_file() and (copy.folder / search.LUNR_SITE_PATH).is_file()
    pages = list(copy.folder.rglob("*.html"))
    for html in pages:
        text = html.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="((?:https?:)?//[^"]+)"', text)
        assert not remote, f"{html.name} loads {remote}"
    assert "unpkg" not in "".join(p.read_text(encoding="utf-8") for p in pages)


def test_navigation_works_from_file_with_no_network(tab: OfflinePage, copy: OfflineCopy) -> None:
    page = tab.page
    page.goto(copy.url())
    expect(page.locator("h1").first).to_be_visible()
    page.locator(".dv-routes").get_by_role("link", name=re.compile("^Helplines and services")).click()
    expect(page).to_have_url(re.compile(r"directory\.html$"))
    expect(page.locator('[data-service-id="galop-lgbt-helpline"]')).to_be_visible()
    page.locator(".md-nav--primary").get_by_role("link", name="Good practice").first.click()
    expect(page).to_have_url(re.compile(r"practices/index\.html$"))
    page.locator(".dv-practices a").first.click()
    expect(page).to_have_url(re.compile(r"practices/[a-z0-9-]+\.html$"))
    expect(page.locator("article.dv-practice h1")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"practices/index\.html$"))


def test_search_finds_help_from_file_with_no_network(tab: OfflinePage, copy: OfflineCopy) -> None:
    page = tab.page
    page.goto(copy.url("safety.html"))
    for query, expected in (
        ("galop", "directory.html#galop-lgbt-helpline"),
        ("no credit", "safety.html#living-with-an-abuser"),
        ("NDAH", "directory.html#national-domestic-abuse-helpline"),
    ):
        results = run_search(page, query)
        shown = [copy.location(r["href"]) for r in results]
        assert expected in shown[:3], f"{query!r}: {shown[:5]}"
    page.locator('[data-search-result] a[href*="#national-domestic-abuse-helpline"]').first.click()
    # The words searched for never reach the address or history.
    expect(page).to_have_url(re.compile(r"directory\.html#national-domestic-abuse-helpline$"))


def test_the_directory_filters_and_open_now_work_offline(tab: OfflinePage, copy: OfflineCopy) -> None:
    page = tab.page
    page.goto(copy.url("directory.html"))
    page.wait_for_function("() => window.openNow !== undefined")
    # open-now.js ran on every timed element: it judged the age of the hours (data-hours-age) and replaced the
    # no-JavaScript text. The real data's 2020 hours are too old to show open or closed, so the state alone cannot show it.
    timed = page.locator("[data-open-state][data-timetable]")
    assert timed.count() > 0
    ran = timed.evaluate_all("els => els.map(el => [el.getAttribute('data-hours-age'), el.textContent.startsWith('Open now? See the hours below')])")
    assert all(age in ("confirmed", "stale", "very-stale") and not static for age, static in ran), f"open-now did not run: {ran}"
    form = page.locator("[data-directory-filters]")
    expect(form).to_be_visible()
    cards = page.locator("[data-service-id]")
    total = cards.count()
    page.locator("[data-filters-more] > summary").click()
    page.get_by_role("group", name="Who it is for").get_by_label("LGBT+ people").check()
    expect(page.locator("[data-service-id]:visible")).to_have_count(1)
    expect(page.locator('[data-service-id="galop-lgbt-helpline"]')).to_be_visible()
    assert total > 1


def test_quick_exit_leaves_the_offline_copy(tab: OfflinePage, copy: OfflineCopy) -> None:
    page = tab.page
    exit_url = configured_exit_url()
    answered = neutral_site(page, exit_url=exit_url)
    page.goto(copy.url("directory.html"))
    before = tab.not_files()
    page.locator("[data-quick-exit]").click()
    page.wait_for_url(lambda url: url.startswith(exit_url))
    assert before == [] and answered, "the exit went nowhere"
    # The exit page is the only address outside the copy, answered inside the browser and never sent.
    tab.requests = [url for url in tab.requests if not url.startswith(exit_url)]


def test_the_copy_says_when_it_was_built_and_when_its_helplines_were_checked(tab: OfflinePage, copy: OfflineCopy) -> None:
    stamp = json.loads((copy.folder / offline.STAMP_SITE_PATH).read_text(encoding="utf-8"))
    context = offline.read_stamp(copy.folder / offline.STAMP_SITE_PATH).context()
    page = tab.page
    page.goto(copy.url("practices/index.html"))
    banner = page.locator(".dv-offline-status")
    expect(banner).to_contain_text(f"Offline copy built on {context['built_date']}")
    expect(banner).to_contain_text(context["checked_newest_date"])
    expect(banner.locator("time").first).to_have_attribute("datetime", stamp["built"])
    banner.get_by_role("link", name="About this copy").click()
    expect(page).to_have_url(re.compile(r"/offline\.html$"))
    expect(page.locator(".dv-offline__this-copy")).to_contain_text(f"built on {context['built_date']}")
    expect(page.locator('[data-offline-mode="offline"]')).to_contain_text("last reviewed")


def test_search_stays_usable_from_any_folder_depth(tab: OfflinePage, copy: OfflineCopy) -> None:
    page = tab.page
    practice = sorted((copy.folder / "practices").glob("*.html"))[-1]
    page.goto(practice.as_uri())
    search_box(page)
    results = run_search(page, "Galop")
    assert any(copy.location(r["href"]) == "directory.html#galop-lgbt-helpline" for r in results), results


def test_the_zip_size_is_reported(copy: OfflineCopy, capsys: pytest.CaptureFixture[str]) -> None:
    size = copy.zip_path.stat().st_size
    index = copy.folder / search.INDEX_SITE_PATH
    with capsys.disabled():
        print(f"\noffline.zip: {size} bytes ({size / 1_000_000:.2f} MB); search index: {index.stat().st_size} bytes")
    assert 0 < size < 20_000_000, f"offline.zip is {size} bytes"
