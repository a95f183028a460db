"""Search that finds help by what people type: the query suite scored by Python lunr over the built
search index (as Material's search worker scores it), and the pieces that make it work.

The same suite runs in Chromium on the offline copy: tests/browser/test_search_browser.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, TODAY, DataCopy
from material_search import MaterialSearch, Places, Query, judge, load_suite, ranking, report, site_refs
from sitedata import search
from sitedata.load import load_site
from test_build import mkdocs_build

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built strict."""
    site = tmp_path_factory.mktemp("search") / "site"
    result = mkdocs_build(site)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def index(built: Path) -> dict[str, Any]:
    return search.read_index(built)


def _mkdocs_search_config() -> dict[str, Any]:
    loader = type("_Loader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("", lambda load, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a SafeLoader
    return config["plugins"]["search"]


def test_search_quality_does_not_drop(built: Path, index: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    suite = load_suite()
    engine = MaterialSearch(index)
    refs = site_refs(built)
    places = Places(load_site(today=date.today()))  # noqa: DTZ011 - the data as it is now, as the build read it
    outcomes = [judge(q, ranking(engine.shown(q.text), refs), places=places) for q in suite.queries]
    text = report(outcomes, label="pytest, Python lunr")
    with capsys.disabled():
        print("\n" + text)
    passed = sum(o.passed for o in outcomes)
    assert len(suite.queries) >= 30
    assert passed >= suite.baseline, f"the score fell below the baseline of {suite.baseline}:\n{text}"


def test_every_expected_entry_exists(built: Path, index: dict[str, Any]) -> None:
    site = load_site(today=date.today())  # noqa: DTZ011 - only reading entries
    places = Places(site)
    locations = {doc["location"] for doc in index["docs"]}
    for query in load_suite().queries:
        for name in (*query.expect, *query.expect_any):
            if "/" in name and "#" not in name and not name.endswith("/"):
                list_name, entry_id = name.split("/", 1)
                assert entry_id in site.by_key(list_name), f"{query.text!r}: no {list_name} entry {entry_id!r} in data/"
            else:
                assert name in locations, f"{query.text!r}: {name!r} is not a location in the search index"
        if query.expect_area:
            assert query.expect_area in places.areas, f"{query.text!r}: {query.expect_area!r} is not an area in data/areas.yaml"


def test_the_suite_is_realistic_and_its_baseline_is_set() -> None:
    suite = load_suite()
    texts = [q.text for q in suite.queries]
    assert len(texts) == len(set(texts)), "a query is listed twice"
    assert all(q.expect or q.expect_any or q.expect_area for q in suite.queries), "a query expects nothing"
    assert 0 < suite.baseline <= len(texts)


def test_the_index_is_searched_with_the_fields_and_boosts_in_mkdocs_yml(index: dict[str, Any]) -> None:
    configured = _mkdocs_search_config()
    fields = index["config"]["fields"]
    for name, spec in configured["fields"].items():
        assert fields[name]["boost"] == spec["boost"]
    assert index["config"]["pipeline"] == configured["pipeline"]
    assert index["config"]["separator"] == search.query_separator(configured["separator"])
    assert index["config"]["lang"] == ["en"]


def test_entries_carry_hidden_words_and_the_page_shows_none_of_them(built: Path, index: dict[str, Any]) -> None:
    records = {doc["location"]: doc for doc in index["docs"]}
    galop = records["directory/#galop-lgbt-helpline-name"]
    assert {"galop", "gay", "lesbian"} <= set(galop["keywords"].split())
    assert "lgbt" in galop["topics"].split()
    assert galop["boost"] == search.ENTRY_SECTION_BOOST
    page = (built / "directory" / "index.html").read_text(encoding="utf-8")
    assert galop["keywords"] not in page and galop["topics"] not in page
    assert '<span hidden data-entry="services/galop-lgbt-helpline"></span>' in page


def test_an_entry_page_is_one_record(index: dict[str, Any]) -> None:
    records = {doc["location"]: doc for doc in index["docs"]}
    page = records["practices/redbridge-hub-process/"]
    assert page["title"].startswith("Redbridge 'Hub process'") and page["text"]
    assert "practices/redbridge-hub-process/#redbridge-hub-process" not in records
    assert "boost" not in page


def test_the_index_stays_lean(built: Path) -> None:
    size = (built / "search" / "search_index.json").stat().st_size
    assert size < 400_000, f"search_index.json is {size} bytes; keep it small enough to open fast on a phone"


# The pieces, on small inputs.

SEPARATOR = search.query_separator(_mkdocs_search_config()["separator"])


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.split(SEPARATOR, text) if w]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("can't talk", ["talk"]),
        ("can’t talk", ["talk"]),
        ("cant talk", ["cant", "talk"]),
        ("Men's Advice Line", ["men", "advice", "line"]),
        ("men’s advice", ["men", "advice"]),
        ("no credit", ["credit"]),
        ("No credit", ["credit"]),
        ("noise notifications", ["noise", "notification"]),
        ("worried about my friend", ["worried", "friend"]),
        ("Police emergency (999)", ["police", "emergency", "999"]),
        ("LGBT+ people", ["lgbt", "people"]),
        ("Redbridge 'Hub process'", ["redbridge", "hub", "proces"]),
        ("#YouAreNotAlone", ["youarenotalone"]),
        ("grandparents", ["grandparent"]),
        ("MARACs", ["marac"]),
        ("0808 2000 247", ["0808", "2000", "247"]),
        ("24/7", ["24", "7"]),
        ("e.g. abuse.", ["e", "g", "abuse"]),
    ],
)
def test_the_separator_splits_as_people_type(text: str, words: list[str]) -> None:
    assert _words(text) == words


def test_adding_the_stop_words_twice_changes_nothing() -> None:
    assert search.query_separator(SEPARATOR) == SEPARATOR


def test_the_separator_splits_the_same_in_javascript() -> None:
    node = shutil.which("node")
    assert node, "node is needed (it comes with npm, which the offline build needs)"
    samples = [
        "can't talk",
        "Can’t talk",
        "Men's Advice Line",
        "No credit please",
        "worried about my friend",
        "LGBT+ (999) 24/7",
        "Redbridge 'Hub process'",
        "MARACs IDVAs",
        "help@galop.org.uk",
        "e.g. 3.5 abuse.",
        "I'm scared",
        "Safe &amp; Together",
    ]
    script = (
        "const sep = new RegExp(process.argv[1], 'g');"
        "const out = JSON.parse(process.argv[2]).map(s => s.split(sep).filter(w => w).map(w => w.toLowerCase()));"
        "console.log(JSON.stringify(out));"
    )
    run = subprocess.run([node, "-e", script, SEPARATOR, json.dumps(samples)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [_words(s) for s in samples]


def _site(data: DataCopy) -> Any:
    return load_site(data_dir=data.path, today=TODAY)


def test_an_entry_gets_its_own_words_and_the_words_it_shares(data: DataCopy) -> None:
    site = _site(data)
    service = site.entries("services")[0]
    fields = search.entry_keywords(site=site, ref=f"services/{service['id']}")
    own = " ".join(fields[search.KEYWORDS_FIELD]).lower()
    shared = " ".join(fields[search.TOPICS_FIELD]).lower()
    for word in service.get("keywords", []) + service.get("short_names", []):
        assert word.lower() in own
    for tag in service.get("tags", []):
        assert site.by_key("tags")[tag]["name"].lower() in shared
    for channel in service["channels"]:
        assert search.CHANNEL_WORDS[channel["type"]][0] in own


def test_a_marker_for_an_entry_that_does_not_exist_is_an_error(data: DataCopy) -> None:
    with pytest.raises(KeyError, match="a page marks 'services/nope' for search, but data has no services entry 'nope'"):
        search.entry_keywords(site=_site(data), ref="services/nope")


def test_words_are_unique_and_stop_words_and_apostrophes_are_dropped() -> None:
    text = search.keyword_text(["Can't talk", "cant talk", "the Men's Advice Line", "talk", "&"], separator=SEPARATOR)
    assert text == "talk cant men advice line"


def test_a_shared_word_is_not_repeated_as_a_topic(data: DataCopy) -> None:
    site = _site(data)
    service = site.entries("services")[0]
    fields = search.record_fields(site=site, refs=[f"services/{service['id']}"], separator=SEPARATOR)
    own = set(fields[search.KEYWORDS_FIELD].split())
    assert own and not own & set(fields.get(search.TOPICS_FIELD, "").split())


def _tiny_site(tmp_path: Path, docs: list[dict[str, Any]], pages: dict[str, str]) -> tuple[Path, dict[str, Any]]:
    site = tmp_path / "site"
    for path, html in pages.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(html, encoding="utf-8")
    return site, {"config": {"separator": SEPARATOR}, "docs": docs}


def test_markers_find_their_records(tmp_path: Path) -> None:
    site, index = _tiny_site(
        tmp_path,
        [
            {"location": "directory/", "title": "Helplines", "text": "intro"},
            {"location": "directory/#a-name", "title": "A", "text": "a"},
            {"location": "directory/#b-name", "title": "B", "text": "b"},
            {"location": "practices/x/", "title": "X", "text": ""},
            {"location": "practices/x/#x", "title": "X", "text": "body"},
        ],
        {
            "directory/index.html": '<h1 id="helplines">Helplines</h1><p>intro</p>'
            '<h2 id="a-name">A</h2><span hidden data-entry="services/a"></span>'
            '<h2 id="b-name">B</h2><span hidden data-entry="services/b"></span>',
            "practices/x/index.html": '<article><h1 id="x">X</h1><span hidden data-entry="practices/x"></span></article>',
        },
    )
    assert search.entry_refs(site_dir=site, index=index) == {
        "directory/#a-name": ["services/a"],
        "directory/#b-name": ["services/b"],
        "practices/x/#x": ["practices/x"],
    }


def test_a_marker_outside_any_record_is_an_error(tmp_path: Path) -> None:
    site, index = _tiny_site(
        tmp_path,
        [{"location": "directory/", "title": "Helplines", "text": "intro"}],
        {"directory/index.html": '<h1 id="helplines">Helplines</h1><h2 id="gone">Gone</h2><span hidden data-entry="services/a"></span>'},
    )
    with pytest.raises(ValueError, match="marker for 'services/a' is in a section the search index does not have"):
        search.entry_refs(site_dir=site, index=index)


def test_records_get_their_fields_entry_cards_their_boost_and_empty_pages_are_folded() -> None:
    index = {
        "config": {},
        "docs": [
            {"location": "directory/", "title": "Helplines", "text": "intro"},
            {"location": "directory/#a-name", "title": "A", "text": "a"},
            {"location": "practices/x/", "title": "X &#39;y&#39;", "text": ""},
            {"location": "practices/x/#x", "title": "X 'y'", "text": "body"},
            {"location": "practices/x/#figures", "title": "Figures", "text": "1"},
        ],
    }
    fields = {"directory/#a-name": {"keywords": "a1"}, "practices/x/#x": {"keywords": "x1", "topics": "t"}}
    docs = search.enrich_index(index=index, fields=fields)["docs"]
    assert docs == [
        {"location": "directory/", "title": "Helplines", "text": "intro"},
        {"location": "directory/#a-name", "title": "A", "text": "a", "keywords": "a1", "boost": search.ENTRY_SECTION_BOOST},
        {"location": "practices/x/", "title": "X 'y'", "text": "body", "keywords": "x1", "topics": "t"},
        {"location": "practices/x/#figures", "title": "Figures", "text": "1"},
    ]


def test_the_model_ranks_as_material_shows_results() -> None:
    index = {
        "config": {
            "lang": ["en"],
            "separator": SEPARATOR,
            "pipeline": ["stopWordFilter"],
            "fields": {"title": {"boost": 1000}, "text": {"boost": 1}},
        },
        "docs": [
            {"location": "directory/", "title": "Helplines", "text": "services"},
            {"location": "directory/#a", "title": "Chat line", "text": "chat"},
            {"location": "directory/#b", "title": "Phone line", "text": "chat too"},
            {"location": "other/", "title": "Other", "text": "chat"},
        ],
    }
    engine = MaterialSearch(index)
    shown = engine.shown("chat")
    # Group by page; the directory's best section is shown, its weaker one folded away; the page heading is there but unmatched.
    assert [loc for loc, _ in shown] == ["directory/", "directory/#a", "other/"]
    assert shown[0][1] == 0
    ranked = ranking(shown, {"directory/#a": ["services/a"]})
    assert ranked == [frozenset({"services/a"}), frozenset({"other/"})]
    assert judge(Query(text="chat", expect=("services/a",)), ranked).passed
    assert not judge(Query(text="chat", expect=("directory/#b",)), ranked).passed
