"""A directory past extra.directory_page_size services: one page per area, one card per service, every service reachable."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, DataCopy
from sitebuild import mkdocs_build
from sitedata.data.load import load_site
from sitedata.views.directory import AREA_PAGES_DIR, DIRECTORY_SRC, PAGE_SIZE_DEFAULT, area_pages, service_pages
from sitedata.views.review import review_due
from sitedata.views.search import read_site_index

sys.path.insert(0, str(ROOT))
from bench import synth  # noqa: E402

TODAY = datetime.now(ZoneInfo("Europe/London")).date()
SIZE = PAGE_SIZE_DEFAULT + 40
CARD = re.compile(r'<article class="dv-card dv-service" id="(?P<id>[^"]+)" data-service-id=')
AREA_LINK = re.compile(r'<li><a href="(?P<href>areas/[^"]+/)">(?P<name>[^<]+)</a> <span class="dv-filter__count">\((?P<count>\d+)\)</span></li>')


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A strict build of synthetic data with more services than fit on one directory page."""
    data_dir = tmp_path_factory.mktemp("big") / "data"
    synth.write_data(dest=data_dir, size=SIZE, today=TODAY)
    site = data_dir.parent / "site"
    result = mkdocs_build(site, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir, site


def test_up_to_the_page_size_everything_stays_on_one_page(real_data: DataCopy) -> None:
    site = load_site(data_dir=real_data.path, today=TODAY)
    count = len(site.entries("services"))
    assert area_pages(site, page_size=count) == []
    assert set(service_pages(site, page_size=count).values()) == {DIRECTORY_SRC}
    assert area_pages(site, page_size=count - 1) != []


def test_past_the_page_size_the_directory_page_lists_areas_not_cards(big: tuple[Path, Path]) -> None:
    data_dir, site_dir = big
    site = load_site(data_dir=data_dir, today=TODAY)
    html = (site_dir / "directory" / "index.html").read_text(encoding="utf-8")
    assert not CARD.search(html)
    assert f"{SIZE} services, listed by the area they cover" in html
    links = {m["name"]: m for m in AREA_LINK.finditer(html)}
    covered = {a for s in site.entries("services") for a in s["coverage"]}
    assert set(links) == covered
    for name, link in links.items():
        page = site_dir / "directory" / link["href"] / "index.html"
        assert page.is_file(), link["href"]
        covering = sum(name in s["coverage"] for s in site.entries("services"))
        assert int(link["count"]) == covering, name
    # The downloads stay on the directory page.
    assert 'href="../exports/services.csv"' in html


def test_each_service_has_one_card_on_its_first_areas_page_and_a_link_from_the_others(big: tuple[Path, Path]) -> None:
    data_dir, site_dir = big
    site = load_site(data_dir=data_dir, today=TODAY)
    areas = site.by_key("areas", "name")
    cards: dict[str, list[str]] = {}
    pages = {}
    for page in (site_dir / AREA_PAGES_DIR).glob("*/index.html"):
        html = page.read_text(encoding="utf-8")
        pages[page.parent.name] = html
        for match in CARD.finditer(html):
            cards.setdefault(match["id"], []).append(page.parent.name)
    services = site.entries("services")
    assert {s["id"]: [areas[s["coverage"][0]]["slug"]] for s in services} == cards
    for service in services:
        home = areas[service["coverage"][0]]["slug"]
        for other in service["coverage"][1:]:
            assert f'href="../{home}/#{service["id"]}"' in pages[areas[other]["slug"]], (service["id"], other)
    # Each area page is a page of its own, titled for its area, and not in the navigation.
    uk = pages["uk"]
    assert "<title>Helplines and services: UK - " in uk
    nav = uk.split('class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "areas/" not in nav


def test_every_card_is_one_search_record(big: tuple[Path, Path]) -> None:
    data_dir, site_dir = big
    site = load_site(data_dir=data_dir, today=TODAY)
    index = read_site_index(site_dir)
    where = service_pages(site)
    for service in site.entries("services"):
        page = where[service["id"]].removesuffix(".md") + "/"
        records = [d for d in index["docs"] if d[2] == f"{page}#{service['id']}"]
        assert len(records) == 1, service["id"]
    # The filters and the "also covering" links are on every area page; they stay out of the index.
    assert not any("Only show services open now" in d[4] or "Also covering" in d[1] for d in index["docs"])


def test_review_due_links_a_service_to_the_page_its_card_is_on(real_data: DataCopy) -> None:
    site = load_site(data_dir=real_data.path, today=datetime(2100, 1, 1, tzinfo=ZoneInfo("Europe/London")).date())
    areas = site.by_key("areas", "name")
    first_area = {s["id"]: areas[s["coverage"][0]]["slug"] for s in site.entries("services")}
    due = [e for e in review_due(site, page_size=1) if e.entry_id in first_area]
    assert due
    for entry in due:
        assert (entry.page, entry.anchor) == (f"{AREA_PAGES_DIR}/{first_area[entry.entry_id]}.md", f"#{entry.entry_id}")
    assert {e.page for e in review_due(site) if e.entry_id in first_area} == {DIRECTORY_SRC}
