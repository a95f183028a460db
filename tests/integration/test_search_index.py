"""The search index of the built site: every entry and section, links to real places, what results show, and lunr.js reading it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from sitedata.data.load import load_site
from sitedata.data.provenance import hours_since
from sitedata.views import search
from unit.test_search import NODE


@pytest.fixture(scope="module")
def built(real_site: Path) -> Path:
    """The real site (the session fixture, conftest.py)."""
    return real_site


@pytest.fixture(scope="module")
def index_data(built: Path) -> dict[str, Any]:
    return search.read_site_index(built)


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(v for k, v in attrs if k == "id" and v)


def _target(site: Path, url: str) -> Path:
    path = url.split("#", 1)[0]
    return site / (path + "index.html" if path == "" or path.endswith("/") else path)


def test_material_search_is_gone(built: Path) -> None:
    assert not (built / "search").exists()
    page = (built / "index.html").read_text(encoding="utf-8")
    # Material names its worker in every page's config, but starts it only from its search box, which is gone.
    assert 'data-md-component="search"' not in page and 'class="md-search"' not in page
    assert 'data-site-search' in page and "assets/javascripts/search.js" in page


def test_every_entry_and_prose_section_is_indexed_and_links_to_a_real_place(built: Path, index_data: dict[str, Any]) -> None:
    site = load_site(today=date.today())  # noqa: DTZ011 - the data as it is now, as the build read it
    titles = {row[1] for row in index_data["docs"]}
    for list_name, (_kind, field) in search.ENTRY_LISTS.items():
        for entry in site.entries(list_name):
            assert entry[field] in titles, (list_name, entry["id"])
    assert "Stay safe online" in titles and "The Exit this page button" in titles
    assert "Entries due for review" not in titles, "a page whose front matter says search: exclude is indexed"
    ids: dict[Path, set[str]] = {}
    for row in index_data["docs"]:
        page = _target(built, row[2])
        assert page.is_file(), row[2]
        if "#" in row[2]:
            if page not in ids:
                parser = _Ids()
                parser.feed(page.read_text(encoding="utf-8"))
                ids[page] = parser.ids
            assert row[2].split("#", 1)[1] in ids[page], row[2]


def test_words_are_stemmed_in_the_index_and_the_index_names_the_stemmer_for_queries(index_data: dict[str, Any]) -> None:
    assert index_data["index"]["pipeline"] == ["stemmer"]
    terms = {term for term, _ in index_data["index"]["invertedIndex"]}
    assert search.stem("abused") == search.stem("abuse") == "abus"
    assert "abus" in terms and "abused" not in terms
    assert "partner" in terms and "partnership" in terms


def test_a_service_result_carries_its_call_link_and_hours_from_the_data(index_data: dict[str, Any]) -> None:
    rows = {row[1]: row for row in index_data["docs"]}
    ndah = rows["National Domestic Abuse Helpline"]
    assert ndah[0] == "service" and ndah[5] == ["tel:+448082000247", "0808 2000 247"]
    assert '"week"' in index_data["timetables"][ndah[6][0]]
    practice = rows["Redbridge 'Hub process' for domestic abuse during Covid-19"]
    assert practice[3] == "Good practice · Redbridge"


def test_every_service_result_carries_the_age_of_its_hours_as_its_card_does(index_data: dict[str, Any], built: Path) -> None:
    """A result without it would call hours from 2020 "Open now" while the card says to check them first."""
    cards = dict(re.findall(r'data-service-id="([^"]+)"[^>]*?data-hours-since="([^"]*)"', (built / "directory" / "index.html").read_text(encoding="utf-8")))
    site = load_site(today=date.today())  # noqa: DTZ011 - the data as it is now, as the build read it
    by_name = {s["name"]: s for s in site.entries("services")}
    services = [row for row in index_data["docs"] if row[0] == "service"]
    assert len(services) == len(by_name)
    for row in services:
        service = by_name[row[1]]
        since, note = index_data["ages"][row[7]]
        assert (since, note) == hours_since(service, sources=site.by_key("sources")), row[1]
        assert since == cards[service["id"]], row[1]
    assert len(index_data["ages"]) == len({tuple(age) for age in index_data["ages"]})  # each age is written once


def test_the_fallback_numbers_come_from_the_helplines_data(index_data: dict[str, Any]) -> None:
    site = load_site(today=date.today())  # noqa: DTZ011 - the data as it is now, as the build read it
    services = site.by_key("services")
    for name, tel, shown, _note, url, at in index_data["fallback"]:
        service = next(s for s in services.values() if s["name"] == name)
        assert shown in [c.get("number") for c in service["channels"]]
        assert index_data["docs"][at][1] == name and url == index_data["docs"][at][2]
        assert tel.startswith("tel:")
    assert [f[0] for f in index_data["fallback"]] == ["Police emergency (999) and the Silent Solution", "National Domestic Abuse Helpline"]


def test_vocabulary_reaches_the_browser(index_data: dict[str, Any]) -> None:
    by_first = {tuple(v[0][:1]): v for v in index_data["vocabulary"]}
    hits = by_first[("hits",)]
    assert hits[1] == ["physical abuse", "violence", "violent"] and hits[2] == 1
    mens = by_first[("man",)]
    assert index_data["docs"][mens[3][0]][1] == "Men's Advice Line"
    assert "haringey" in index_data["suggest"]


def test_the_index_stays_lean(built: Path) -> None:
    size = (built / search.INDEX_SITE_PATH).stat().st_size
    assert size < 500_000, f"the search index is {size} bytes; keep it small enough to open fast on a phone"


def test_the_build_stops_when_lunr_js_is_not_installed(tmp_path: Path) -> None:
    """A copy of the project without node_modules: the build ends with the message, not a traceback."""
    project = tmp_path / "project"
    for name in ("docs", "hooks", "overrides", "data"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "package.json"):
        shutil.copy(ROOT / name, project / name)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=project, env=dict(os.environ, PYTHONPATH=str(project / "hooks"), NO_MKDOCS_2_WARNING="1"),
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode != 0
    assert f"node_modules/lunr/lunr.min.js is missing: run `npm ci` in {project} to install the pinned npm packages" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()


def test_lunr_js_stems_every_indexed_word_as_lunr_py_stemmed_it(built: Path, index_data: dict[str, Any]) -> None:
    """The index is stemmed by lunr.py and what is typed by lunr.js: the two stemmers must agree on the site's words."""
    assert NODE, "node is missing: install Node.js 18 or later (make npm needs it too)"
    site = load_site(today=date.today())  # noqa: DTZ011 - the data as it is now, as the build read it
    texts = [row[1] + " " + row[4] for row in index_data["docs"]] + [p for v in index_data["vocabulary"] for p in v[0] + v[1]]
    texts += [a["name"] for a in site.entries("areas")]
    found = search.words(texts)
    script = "const lunr = require(process.argv[1]); console.log(JSON.stringify(JSON.parse(process.argv[2]).map(w => lunr.stemmer(new lunr.Token(w, {})).toString())))"
    node = subprocess.run([NODE, "-e", script, str(search.lunr_file()), json.dumps(found)], capture_output=True, text=True, timeout=60, check=True)
    differ = {w: (search.stem(w), js) for w, js in zip(found, json.loads(node.stdout), strict=True) if search.stem(w) != js}
    assert len(found) > 1000 and differ == {}


def test_lunr_js_loads_the_built_index(built: Path) -> None:
    assert NODE, "node is missing: install Node.js 18 or later (make npm needs it too)"
    script = (
        "globalThis.self = globalThis; const lunr = require(process.argv[1]); require(process.argv[2]);"
        "const index = lunr.Index.load(self.DV_SEARCH.index);"
        "console.log(JSON.stringify(index.query(q => q.term(lunr.stemmer(new lunr.Token('abused', {})).toString(), {usePipeline: false})).length))"
    )
    node = subprocess.run([NODE, "-e", script, str(search.lunr_file()), str(built / search.INDEX_SITE_PATH)], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(node.stdout) > 20
