"""Printing the directory: the list as filtered, on one A4 page, without the site's header, navigation or quick exit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from .directory_site import build_date, open_directory, services, visible_services
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
