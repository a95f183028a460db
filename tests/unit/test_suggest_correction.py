"""Suggest a correction: every entry links to a prefilled issue form (repo_url set) or the about page's section."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

from conftest import DataCopy
from sitedata.data.load import load_site
from sitedata.views.pages import Views, correction_url

TODAY = date(2026, 12, 2)
REPO = "https://github.com/example/guide"


def test_a_service_opens_the_service_details_form_with_its_name_filled_in() -> None:
    url = correction_url(repo_url=REPO + "/", kind="service", entry={"id": "mens-advice-line", "name": "Men's Advice Line"})
    assert url is not None and url.startswith(REPO + "/issues/new?")
    assert parse_qs(urlsplit(url).query) == {
        "template": ["report-service.yml"], "title": ["Service details: Men's Advice Line"], "service": ["Men's Advice Line"],
    }


def test_other_entries_open_an_issue_titled_with_the_entry() -> None:
    url = correction_url(repo_url=REPO, kind="practice", entry={"id": "virtual-maracs", "title": "Virtual MARACs"})
    assert url is not None
    assert parse_qs(urlsplit(url).query) == {"title": ["Correction: Virtual MARACs (practice 'virtual-maracs')"], "labels": ["data"]}


def test_without_a_repository_the_link_goes_to_the_about_page(real_data: DataCopy) -> None:
    assert correction_url(repo_url=None, kind="service", entry={"id": "x", "name": "X"}) is None
    views = Views(load_site(data_dir=real_data.path, today=TODAY))
    html = views.prompts(link=lambda src: "/" + src.removesuffix(".md") + "/")
    links = re.findall(r'<a href="([^"]+)" data-correction="prompt set/([^"]+)">Suggest a correction', html)
    assert sorted(entry for _, entry in links) == sorted(s["id"] for s in views.site.entries("prompt_sets"))
    assert {href for href, _ in links} == {"/about/#suggest-a-correction"}


def test_with_a_repository_every_prompt_set_links_to_its_own_form(real_data: DataCopy) -> None:
    views = Views(load_site(data_dir=real_data.path, today=TODAY), repo_url=REPO)
    html = views.prompts(link=lambda src: "/" + src.removesuffix(".md") + "/")
    hrefs = re.findall(r'<a href="([^"]+)" data-correction="prompt set/', html)
    assert len(hrefs) == len(views.site.entries("prompt_sets")) == len(set(hrefs))
    assert all(h.startswith(REPO + "/issues/new?") for h in hrefs)


def test_good_practice_filters_have_one_rule_per_option_in_use(real_data: DataCopy) -> None:
    views = Views(load_site(data_dir=real_data.path, today=TODAY))
    groups = views.practice_filters()
    assert [g["legend"] for g in groups] == ["Area", "Theme", "Status"]
    options = [o["token"] for g in groups for o in g["options"]]
    used = {t for p in views.site.entries("practices") for t in views.practice_tokens([p]).split()}
    assert set(options) == used and len(options) == len(set(options))
    css = views.practice_filter_css()
    assert css.count("{ display: none; }") == len(options)
    assert '.dv-practices-page:has(#pf-area-london:checked) [data-pf]:not([data-pf~="area-london"]) { display: none; }' in css
