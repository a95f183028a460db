"""Directory filters in the browser: by audience, channel, area and open now; by keyboard; kept out of the address
bar but shared by "Copy a link to this view"; without JavaScript.

Expected results are worked out from data/helplines.yaml, so the tests hold as services are added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from sitedata.data.hours import england_bank_holidays

from .directory_site import LONDON, areas, build_date, expected_states, next_weekday, open_directory, services, verified_today_site, visible_services
from .harness import OpenPage, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site with its services' hours confirmed today (directory_site.build_verified_site): these tests are about the open-now engine."""
    return verified_today_site(tmp_path_factory)


@pytest.fixture(scope="module")
def site_url(site_dir: Path) -> Iterator[str]:
    """That site, served on 127.0.0.1."""
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="module")
def data(site_dir: Path) -> dict[str, Any]:
    """The services and areas the built page was made from."""
    today = build_date(site_dir)
    return {"services": services(today=today), "areas": areas(today=today), "today": today}


def _ids(data: dict[str, Any], keep: Any = lambda s: True) -> list[str]:
    return [s["id"] for s in data["services"] if keep(s)]


def _available_in(data: dict[str, Any], area: str) -> list[str]:
    """Services whose coverage is the area or an area it lies in."""
    within = {area}
    while data["areas"][area].get("within"):
        area = data["areas"][area]["within"]
        within.add(area)
    return _ids(data, lambda s: bool(within & set(s["coverage"])))


def _query(page: Page) -> dict[str, list[str]]:
    """The filters in the link "Copy a link to this view" gives; the address bar itself never has them."""
    assert urlsplit(page.url).query == "", f"filters leaked into the address bar: {page.url}"
    page.get_by_role("button", name="Copy a link to this view").click()
    link = page.get_by_label("Link to this view")
    expect(link).to_be_visible()
    url = link.input_value()
    assert url.startswith(page.url.split("#")[0]), url
    return parse_qs(urlsplit(url).query)


def _status(page: Page) -> Locator:
    """The live region that announces the result count."""
    return page.locator("[data-result-count]")


def _count(page: Page) -> str:
    return _status(page).inner_text()


def test_without_javascript_every_service_is_listed(open_page: OpenPage, site_url: str, data: dict[str, Any]) -> None:
    page = open_directory(open_page, site_url, query="?for=lgbt", java_script_enabled=False).page
    assert visible_services(page) == _ids(data)
    assert not page.locator("[data-directory-filters]").is_visible()
    assert _count(page) == f"{len(data['services'])} services"


def test_filters_are_a_form_of_labelled_groups(open_page: OpenPage, site_url: str, data: dict[str, Any]) -> None:
    watched = open_directory(open_page, site_url)
    page = watched.page
    form = page.locator("[data-directory-filters]")
    expect(form).to_be_visible()
    expect(page.get_by_role("checkbox", name="Only show services open now (UK time)")).to_be_visible()
    page.locator("[data-filters-more] > summary").click()
    groups = form.locator("fieldset")
    legends = ["Who it is for", "How to get in touch", "Available in"]
    assert [groups.nth(i).locator("legend").inner_text() for i in range(groups.count())] == legends
    for legend in legends:
        expect(page.get_by_role("group", name=legend)).to_be_visible()
    names = form.locator("input").evaluate_all("inputs => inputs.map(i => i.labels.length ? i.labels[0].innerText.trim() : '')")
    assert names and all(names)
    status = _status(page)
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(f"Showing {len(data['services'])} of {len(data['services'])} services")
    assert watched.problems() == []


def test_ticking_an_audience_filters_and_the_copied_link_has_it(open_page: OpenPage, site_url: str, data: dict[str, Any]) -> None:
    page = open_directory(open_page, site_url).page
    expect(page.locator("[data-filters-more]")).not_to_have_attribute("open", "")
    page.locator("[data-filters-more] > summary").click()
    page.get_by_role("checkbox", name=re.compile(r"^LGBT\+ people")).check()
    expected = _ids(data, lambda s: "lgbt" in s["audiences"])
    assert visible_services(page) == expected
    assert _query(page) == {"for": ["lgbt"]}
    expect(_status(page)).to_have_text(f"Showing {len(expected)} of {len(data['services'])} services")
    hidden = page.eval_on_selector_all("[data-service-id][hidden]", "cards => cards.map(c => c.getAttribute('data-service-id'))")
    assert sorted(hidden) == sorted(set(_ids(data)) - set(expected))


def test_options_in_a_group_widen_and_groups_narrow(open_page: OpenPage, site_url: str, data: dict[str, Any]) -> None:
    page = open_directory(open_page, site_url).page
    page.locator("[data-filters-more] > summary").click()
    page.get_by_role("checkbox", name=re.compile(r"^Men\b")).check()
    page.get_by_role("checkbox", name=re.compile(r"^LGBT\+ people")).check()
    assert visible_services(page) == _ids(data, lambda s: bool({"men", "lgbt"} & set(s["audiences"])))
    page.get_by_role("checkbox", name=re.compile(r"^Email")).check()
    expected = _ids(data, lambda s: bool({"men", "lgbt"} & set(s["audiences"])) and any(c["type"] == "email" for c in s["channels"]))
    assert visible_services(page) == expected
    assert _query(page) == {"for": ["men", "lgbt"], "channel": ["email"]}


def test_a_shared_link_is_applied_on_load_then_leaves_the_address_bar(open_page: OpenPage, site_url: str, data: dict[str, Any]) -> None:
    page = open_directory(open_page, site_url, query="?for=men&channel=email").page
    assert page.url == site_url + "directory/"  # and so the history entry: someone checking the device sees no filters
    expect(page.locator("[data-filters-more]")).to_have_attribute("open", "")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Men\b"))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Email"))).to_be_checked()
    expected = _ids(data, lambda s: "men" in s["audiences"] and any(c["type"] == "email" for c in s["channels"]))
    assert expected and visible_services(page) == expected


@pytest.mark.parametrize("area", ["UK", "England"])
def test_an_area_includes_services_that_cover_a_wider_area(open_page: OpenPage, site_url: str, data: dict[str, Any], area: str) -> None:
    slug = data["areas"][area]["slug"]
    page = open_directory(open_page, site_url, query=f"?area={slug}").page
    expect(page.get_by_role("radio", name=re.compile(rf"^{area}\b"))).to_be_checked()
    assert visible_services(page) == _available_in(data, area)


def test_keyboard_alone_can_filter(open_page: OpenPage, site_url: str, data: dict[str, Any]) -> None:
    page = open_directory(open_page, site_url).page
    _tab_to(page, page.locator("[data-filters-more] > summary"))
    page.keyboard.press("Enter")  # unfold the groups
    _tab_to(page, page.get_by_role("checkbox", name=re.compile(r"^Men\b")))
    page.keyboard.press("Space")
    assert visible_services(page) == _ids(data, lambda s: "men" in s["audiences"])
    _tab_to(page, page.get_by_role("radio", name="Anywhere"))
    page.keyboard.press("ArrowDown")  # the next area in the group, the widest first
    first_area = page.eval_on_selector("input[name=area]:checked", "el => el.value")
    assert first_area and _query(page)["area"] == [first_area]
    name = next(a for a, v in data["areas"].items() if v["slug"] == first_area)
    assert visible_services(page) == [i for i in _available_in(data, name) if i in _ids(data, lambda s: "men" in s["audiences"])]


def _tab_to(page: Page, target: Locator) -> None:
    for _ in range(80):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {target}")


def test_no_match_says_so_and_clear_shows_everything(open_page: OpenPage, site_url: str, data: dict[str, Any]) -> None:
    page = open_directory(open_page, site_url, query="?for=lgbt&area=uk").page
    expected = [i for i in _available_in(data, "UK") if i in _ids(data, lambda s: "lgbt" in s["audiences"])]
    assert visible_services(page) == expected == []
    expect(page.locator("[data-no-results]")).to_be_visible()
    expect(_status(page)).to_have_text(f"Showing 0 of {len(data['services'])} services")
    page.get_by_role("button", name="Clear filters").click()
    assert visible_services(page) == _ids(data)
    expect(page.locator("[data-no-results]")).to_be_hidden()
    assert urlsplit(page.url).query == ""
    expect(page.get_by_role("radio", name="Anywhere")).to_be_checked()


def test_open_now_follows_the_clock(open_page: OpenPage, site_url: str, data: dict[str, Any]) -> None:
    first = data["today"]
    wednesday = next_weekday(first, weekday=2, avoid=england_bank_holidays(first=first, last=first + timedelta(days=60)))
    at = datetime.combine(wednesday, time(12, 29, 30), tzinfo=LONDON)  # Galop closes for lunch at 12:30
    page = open_directory(open_page, site_url, at=at, query="?open=1").page
    expect(page.get_by_role("checkbox", name=re.compile(r"^Only show services open now"))).to_be_checked()

    def open_services(now: datetime) -> list[str]:
        rows = expected_states(page, now=now)
        return [i for i in _ids(data) if any(r["service"] == i and r["state"] == "open" for r in rows)]

    before = open_services(at)
    assert "galop-lgbt-helpline" in before
    assert visible_services(page) == before
    page.clock.run_for(30_000)
    after = open_services(at + timedelta(seconds=30))
    assert "galop-lgbt-helpline" not in after
    assert visible_services(page) == after
    expect(_status(page)).to_have_text(f"Showing {len(after)} of {len(data['services'])} services")
    page.clock.run_for(60 * 60 * 1000)  # 13:30: open again after lunch
    assert "galop-lgbt-helpline" in visible_services(page)
    assert _query(page) == {"open": ["1"]}
