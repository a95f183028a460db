"""Printing the directory: the list as filtered, on one A4 page, without the site's header, navigation or quick exit."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from .directory_site import LONDON, build_date, open_directory, services, visible_services
from .harness import OpenPage, Watched

pytestmark = pytest.mark.browser

FURNITURE = {
    "header": ".md-header",
    "navigation": ".md-sidebar--primary",
    "footer": ".md-footer",
    "quick exit": "[data-quick-exit-region]",
    "filters": "[data-directory-filters]",
    "downloads": ".dv-exports",
}


@pytest.fixture(scope="module")
def service_ids(site_dir: Path) -> list[str]:
    return [s["id"] for s in services(today=build_date(site_dir))]


def _printing(open_page: OpenPage, site_url: str, query: str = "") -> Watched:
    watched = open_directory(open_page, site_url, query=query)
    watched.page.emulate_media(media="print")
    return watched


def _pdf_pages(page: Page) -> int:
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert pages >= 1, "Chromium made no PDF pages"
    return pages


def _computed(page: Page, selector: str, prop: str, pseudo: str | None = None) -> list[Any]:
    return page.eval_on_selector_all(
        selector, "(els, [prop, pseudo]) => els.map(el => getComputedStyle(el, pseudo).getPropertyValue(prop))", [prop, pseudo]
    )


def test_site_furniture_is_not_printed(open_page: OpenPage, site_url: str) -> None:
    watched = open_directory(open_page, site_url)
    page = watched.page
    for name, selector in FURNITURE.items():
        assert page.locator(selector).count() >= 1, f"no {name} ({selector}) on the page"
    assert page.locator(FURNITURE["header"]).first.is_visible()  # on screen it is there
    page.emulate_media(media="print")
    for name, selector in FURNITURE.items():
        shown = [el.is_visible() for el in page.locator(selector).all()]
        assert not any(shown), f"the {name} would be printed"
    assert watched.problems() == []


def test_whole_directory_prints_on_one_page(open_page: OpenPage, site_url: str, service_ids: list[str]) -> None:
    page = _printing(open_page, site_url).page
    assert visible_services(page) == service_ids
    assert _pdf_pages(page) == 1


def test_cards_are_never_split_across_pages(open_page: OpenPage, site_url: str, service_ids: list[str]) -> None:
    page = _printing(open_page, site_url).page
    assert _computed(page, "[data-service-id]", "break-inside") == ["avoid"] * len(service_ids)


def test_a_filtered_list_prints_only_what_is_shown(open_page: OpenPage, site_url: str, site_dir: Path) -> None:
    page = _printing(open_page, site_url, query="?for=lgbt").page
    expected = [s["id"] for s in services(today=build_date(site_dir)) if "lgbt" in s["audiences"]]
    assert expected and visible_services(page) == expected
    assert page.locator("[data-result-count]").is_visible()  # the paper says it is a part of the list
    assert _pdf_pages(page) == 1


def test_paper_gets_hours_and_web_addresses_not_a_stale_open_now(open_page: OpenPage, site_url: str) -> None:
    page = _printing(open_page, site_url).page
    assert not any(el.is_visible() for el in page.locator("[data-open-state]").all())
    assert all(el.is_visible() for el in page.locator("[data-weekly-hours]").all())
    hrefs = page.eval_on_selector_all("a.dv-web", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs
    assert _computed(page, "a.dv-web", "content", "::after") == [f'" ({href})"' for href in hrefs]
    assert (
        _computed(page, ".dv-channel a:not(.dv-web)", "content", "::after") == ["none"] * page.locator(".dv-channel a:not(.dv-web)").count()
    )


def test_paper_says_when_it_was_printed_and_which_filters_were_on(open_page: OpenPage, site_url: str) -> None:
    at = datetime(2026, 12, 6, 21, 30, tzinfo=LONDON)  # a Sunday evening
    page = open_directory(open_page, site_url, at=at, query="?open=1&for=men").page
    assert not page.locator("[data-printed]").is_visible()  # not on screen
    assert not page.locator("[data-print-filters]").is_visible()
    assert page.locator(".dv-finder").is_visible()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    printed = page.locator("[data-printed]")
    assert printed.is_visible()
    assert printed.inner_text().startswith("Printed at 21:30 on Sunday 6 December 2026 (UK time).")
    filters = page.locator("[data-print-filters]").inner_text()
    assert filters.startswith("Filters in force: open now, at the time printed; who it is for: Men."), filters
    assert not page.locator(".dv-finder").is_visible()  # the empty finder box is left out


def test_every_page_prints_its_date(open_page: OpenPage, site_url: str) -> None:
    page = open_page(site_url + "safety/").page
    page.emulate_media(media="print")
    assert re.match(r"Printed at \d\d:\d\d on \w+day \d{1,2} \w+ 20\d\d \(UK time\)", page.locator("[data-printed]").inner_text())
