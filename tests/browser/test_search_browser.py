"""The search query suite in Chromium: Material's own search, on the offline copy opened from file://
with networking off. Prints the score and fails if it falls below the baseline in
tests/search_queries.yaml. Also checks that tests/material_search.py (the Python run) ranks exactly
as Material does in the browser, query by query.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from material_search import MaterialSearch, Outcome, Places, judge, load_suite, ranking, report, site_refs
from sitedata.load import load_site
from sitedata.search import read_index

from .harness import watched_page
from .offline_copy import OfflineCopy, offline_copy, run_search

pytestmark = pytest.mark.browser


def hosted_location(location: str) -> str:
    """The offline copy's 'practices/index.html#area-x' as the website's 'practices/#area-x' (the suite's form)."""
    path, _, fragment = location.partition("#")
    if path.endswith("index.html"):
        path = path.removesuffix("index.html")
    elif path.endswith(".html"):
        path = path.removesuffix(".html") + "/"
    return path + (f"#{fragment}" if fragment else "")


@dataclass
class BrowserRun:
    """What the browser showed for each query, and how Python's model of Material ranks the same index."""

    outcomes: list[Outcome]
    shown: dict[str, list[str]]
    modelled: dict[str, list[str]]
    problems: list[str]
    not_files: list[str]


@pytest.fixture(scope="module")
def browser_run(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserRun]:
    copy: OfflineCopy = offline_copy(tmp_path_factory)
    refs = {hosted_location(loc): names for loc, names in site_refs(copy.folder).items()}
    places = Places(load_site(today=date.today()))  # noqa: DTZ011 - the data as it is now, as the build read it
    model = MaterialSearch(read_index(copy.folder))
    watched = watched_page(browser, offline=True)
    requests: list[str] = []
    watched.context.on("request", lambda request: requests.append(request.url))
    page = watched.page
    page.goto(copy.url())
    outcomes, shown, modelled = [], {}, {}
    for query in load_suite().queries:
        results = run_search(page, query.text)
        visible = [(hosted_location(copy.location(r["href"])), float(r["score"])) for r in results if not r["folded"]]
        outcomes.append(judge(query, ranking(visible, refs), places=places))
        shown[query.text] = [location for location, _ in visible]
        modelled[query.text] = [hosted_location(location) for location, _ in model.shown(query.text)]
    not_files = [url for url in requests if urlsplit(url).scheme not in ("file", "data", "blob", "about")]
    yield BrowserRun(outcomes=outcomes, shown=shown, modelled=modelled, problems=watched.problems(), not_files=not_files)
    watched.context.close()


def test_search_quality_in_the_browser_does_not_drop(browser_run: BrowserRun, capsys: pytest.CaptureFixture[str]) -> None:
    text = report(browser_run.outcomes, label="Chromium, offline copy from file://")
    with capsys.disabled():
        print("\n" + text)
    baseline = load_suite().baseline
    assert sum(o.passed for o in browser_run.outcomes) >= baseline, f"the score fell below the baseline of {baseline}:\n{text}"


def test_the_search_made_no_network_request_and_no_error(browser_run: BrowserRun) -> None:
    assert browser_run.not_files == []
    assert browser_run.problems == []


def test_the_python_model_ranks_as_material_does(browser_run: BrowserRun) -> None:
    differ = {
        q: (browser_run.shown[q], browser_run.modelled[q])
        for q in browser_run.shown
        if browser_run.shown[q][:10] != browser_run.modelled[q][:10]
    }
    assert not differ, "tests/material_search.py no longer matches Material's search:\n" + "\n".join(
        f"  {q!r}:\n    browser {b[:6]}\n    python  {m[:6]}" for q, (b, m) in differ.items()
    )
