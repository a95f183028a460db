"""The search query suite (tests/search_queries.yaml) in Chromium, on the offline copy opened from
file:// with networking off, at a phone size and with touch: every query must find what it expects
in the first three results, or offer the fallback it expects. Prints the score and each miss.

Also: the search's privacy (nothing typed reaches the address, history or storage; no request
leaves the copy), its markup contract, and what a result shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, Page

from sitedata.data.load import SiteData, load_site
from sitedata.views import search

from .harness import ALLOWED_LOCAL_KEYS, ROOT, watched_page
from .offline_copy import OfflineCopy, empty_state, offline_copy, run_search

pytestmark = pytest.mark.browser

QUERIES = ROOT / "tests" / "search_queries.yaml"
TOP = 3
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@dataclass(frozen=True)
class Query:
    text: str
    expect: tuple[str, ...] = ()
    expect_any: tuple[str, ...] = ()
    expect_area: str | None = None
    fallback: bool = False
    who: str = ""


@dataclass
class Outcome:
    query: Query
    top: list[str]
    empty: str | None
    missing: list[str] = field(default_factory=list)


def load_suite(path: Path = QUERIES) -> list[Query]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Query(
            text=str(q["query"]),
            expect=tuple(q.get("expect", ())),
            expect_any=tuple(q.get("expect_any", ())),
            expect_area=q.get("expect_area"),
            fallback=bool(q.get("fallback", False)),
            who=q.get("who", ""),
        )
        for q in raw["queries"]
    ]


class Places:
    """Which entries are in which area (an entry's areas or a service's coverage, and the areas those are within)."""

    def __init__(self, site: SiteData) -> None:
        self.areas = site.by_key("areas", "name")
        self.entry_areas: dict[str, set[str]] = {}
        for list_name in search.ENTRY_LISTS:
            for item in site.entries(list_name):
                names = [*item.get("areas", []), *item.get("coverage", [])]
                self.entry_areas[f"{list_name}/{item['id']}"] = {a for n in names for a in self._up(n)}

    def _up(self, name: str) -> list[str]:
        out: list[str] = []
        while name in self.areas and name not in out:
            out.append(name)
            name = self.areas[name].get("within", "")
        return out

    def covers(self, ref: str, area: str) -> bool:
        return area in self.entry_areas.get(ref, set())


def names_by_location(site: SiteData) -> dict[str, str]:
    """The offline copy's 'directory.html#galop-lgbt-helpline' -> 'services/galop-lgbt-helpline', for every entry."""
    urls = search.entry_urls(site, page_url=lambda src: src.removesuffix(".md") + ".html", page_size=10_000)
    return {url: ref for ref, url in urls.items() if ref != "directory"}


def hosted(location: str) -> str:
    """A page location in the offline copy as the website's: 'safety.html' -> 'safety/', 'index.html' -> ''."""
    path, _, fragment = location.partition("#")
    path = "" if path == "index.html" else path.removesuffix("index.html").removesuffix(".html") + ("/" if path.endswith(".html") and not path.endswith("index.html") else "")
    return path + (f"#{fragment}" if fragment else "")


def judge(query: Query, top: list[str], empty: str | None, places: Places) -> Outcome:
    outcome = Outcome(query=query, top=top, empty=empty)
    found = set(top[:TOP])
    outcome.missing += [e for e in query.expect if e not in found]
    if query.expect_any and not found & set(query.expect_any):
        outcome.missing.append("one of " + ", ".join(query.expect_any))
    if query.expect_area:
        outside = [r for r in top[:TOP] if not places.covers(r, query.expect_area)]
        if len(top) < TOP or outside:
            outcome.missing.append(f"only results in {query.expect_area} (not: {outside or 'fewer than three'})")
    if query.fallback and (empty is None or "Call " not in empty):
        outcome.missing.append("the fallback with numbers to call")
    return outcome


@dataclass
class SuiteRun:
    outcomes: list[Outcome]
    empty_links: dict[str, list[str]]
    not_files: list[str]
    problems: list[str]
    storage: dict[str, Any]
    url: str
    history: int


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> OfflineCopy:
    return offline_copy(tmp_path_factory)


@pytest.fixture(scope="module")
def suite_run(browser: Browser, copy: OfflineCopy) -> Iterator[SuiteRun]:
    site = load_site(today=date.today())  # noqa: DTZ011 - the data as it is now, as the build read it
    names = names_by_location(site)
    places = Places(site)
    watched = watched_page(browser, offline=True, **PHONE)
    requests: list[str] = []
    watched.context.on("request", lambda request: requests.append(request.url))
    page = watched.page
    page.goto(copy.url())
    history = page.evaluate("history.length")
    outcomes, empty_links = [], {}
    for query in load_suite():
        results = run_search(page, query.text)
        top = [names.get(loc, hosted(loc)) for loc in (copy.location(r["href"]) for r in results)]
        empty = empty_state(page)
        if empty is not None:
            empty_links[query.text] = page.eval_on_selector_all("[data-search-empty] a[href^='tel:']", "els => els.map(e => e.getAttribute('href'))")
        outcomes.append(judge(query, top, empty, places))
    storage = page.evaluate(
        "() => ({local: Object.entries(localStorage), session: Object.entries(sessionStorage), history: history.length, cookie: document.cookie})"
    )
    not_files = [url for url in requests if urlsplit(url).scheme not in ("file", "data", "blob", "about")]
    yield SuiteRun(outcomes=outcomes, empty_links=empty_links, not_files=not_files, problems=watched.problems(), storage=storage, url=page.url, history=history)
    watched.context.close()


def report(outcomes: list[Outcome]) -> str:
    passed = sum(not o.missing for o in outcomes)
    lines = [f"search quality (Chromium, offline copy from file://, phone): {passed}/{len(outcomes)} = {100 * passed / len(outcomes):.1f}%"]
    for o in outcomes:
        if o.missing:
            lines.append(f"  MISS {o.query.text!r}: missing {o.missing}; top {o.top[:TOP]}{'; fallback shown' if o.empty else ''}")
    return "\n".join(lines)


def test_every_query_finds_what_it_must(suite_run: SuiteRun, capsys: pytest.CaptureFixture[str]) -> None:
    text = report(suite_run.outcomes)
    with capsys.disabled():
        print("\n" + text)
    assert all(not o.missing for o in suite_run.outcomes), text


def test_the_suite_is_big_and_written_from_the_users_side() -> None:
    suite = load_suite()
    texts = [q.text for q in suite]
    assert len(texts) >= 80
    assert len(texts) == len(set(texts)), "a query is listed twice"
    assert all(q.expect or q.expect_any or q.expect_area or q.fallback for q in suite), "a query expects nothing"
    assert sum(q.fallback for q in suite) >= 5
    assert {q.who for q in suite} >= {"social worker", "practitioner looking for a line", "person at risk"}


def test_every_expected_entry_exists() -> None:
    site = load_site(today=date.today())  # noqa: DTZ011 - only reading entries
    refs = set(names_by_location(site).values())
    for query in load_suite():
        for name in (*query.expect, *query.expect_any):
            if not name.endswith("/") and "#" not in name:  # a page ('safety/') or a part of one is not an entry
                assert name in refs, f"{query.text!r}: no entry {name!r} in data/"


def test_the_fallback_offers_999_and_the_national_helpline_by_phone(suite_run: SuiteRun) -> None:
    assert suite_run.empty_links, "no query showed the fallback"
    for text, links in suite_run.empty_links.items():
        assert links[:2] == ["tel:999", "tel:+448082000247"], text


def test_nothing_typed_reaches_the_address_history_or_storage_and_nothing_is_sent(suite_run: SuiteRun, copy: OfflineCopy) -> None:
    assert suite_run.not_files == []
    assert suite_run.problems == []
    assert suite_run.url == copy.url()
    assert (suite_run.storage["session"], suite_run.storage["cookie"], suite_run.storage["history"]) == ([], "", suite_run.history)
    # The only local keys are the site's own settings (the colour scheme, a hidden quick-exit notice), and
    # no value holds anything that was typed.
    local = dict(suite_run.storage["local"])
    # Material keys the colour scheme by the site's base path, which from file:// is the folder's path.
    assert {"/.__palette" if k.endswith("/.__palette") else k for k in local} <= ALLOWED_LOCAL_KEYS, local
    typed = [q.text.lower() for q in load_suite()]
    assert not [v for v in local.values() for t in typed if len(t) > 2 and t in v.lower()], local


def _phone_page(browser: Browser, copy: OfflineCopy, path: str = "index.html") -> Page:
    watched = watched_page(browser, offline=True, **PHONE)
    watched.page.goto(copy.url(path))
    return watched.page


def test_a_result_starts_with_its_title_and_a_service_shows_the_age_of_its_hours_and_a_call_link(browser: Browser, copy: OfflineCopy) -> None:
    page = _phone_page(browser, copy)
    run_search(page, "national domestic abuse helpline")
    first = page.locator("[data-site-search-box] [data-search-result]").first
    assert first.inner_text().split("\n")[0] == "National Domestic Abuse Helpline"
    assert first.locator("a[href='tel:+448082000247']").inner_text() == "Call 0808 2000 247"
    # The real data's hours date from 2020: the result says so, as the card does, and shows no state.
    state = first.locator("[data-open-state]")
    assert state.get_attribute("data-open-state") == "unknown" and state.get_attribute("data-hours-age") == "very-stale"
    assert state.inner_text() == "Check before you rely on this: hours as published April 2020, not confirmed since"
    run_search(page, "Redbridge hub")
    practice = page.locator("[data-site-search-box] [data-search-result][data-kind='practice']").first
    assert "Good practice · Redbridge" in practice.inner_text()
    page.context.close()


def test_the_box_fits_a_phone_and_the_exit_button_stays_on_screen(browser: Browser, copy: OfflineCopy) -> None:
    page = _phone_page(browser, copy)
    run_search(page, "deaf")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    exit_box = page.locator("[data-quick-exit]").bounding_box()
    assert exit_box is not None and exit_box["y"] >= 0 and exit_box["y"] + exit_box["height"] <= 844
    page.context.close()


def test_escape_closes_the_results(browser: Browser, copy: OfflineCopy) -> None:
    page = _phone_page(browser, copy)
    assert run_search(page, "galop")
    page.keyboard.press("Escape")
    assert page.locator("[data-search-panel]").is_hidden()
    assert page.locator("[data-site-search]").input_value() == ""
    page.context.close()


def test_a_misspelling_no_entry_meets_is_offered_a_close_spelling(browser: Browser, copy: OfflineCopy) -> None:
    page = _phone_page(browser, copy)
    run_search(page, "Redbrdge hub")
    suggestion = page.locator("[data-search-empty] [data-search-suggestion]")
    assert suggestion.inner_text() == "redbridge hub"
    suggestion.click()
    page.wait_for_function("() => document.querySelector('[data-site-search]').value === 'redbridge hub'")
    first = page.locator("[data-site-search-box] [data-search-result]").first
    assert first.inner_text().split("\n")[0] == "Redbridge 'Hub process' for domestic abuse during Covid-19"
    page.context.close()
