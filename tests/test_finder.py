"""The directory finder's index (hooks/sitedata/finder.py, hooks/finder.py), without a browser.

Python lunr searches the index the way finder.js does (finder.search); lunr.js 2.3.9 itself loads
the built index in Node and must rank the same services first.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lunr.index import Index
from lunr.stop_word_filter import WORDS as STOP_WORDS

from conftest import ROOT
from sitedata import finder
from sitedata.load import load_site
from test_build import mkdocs_build

pytestmark = pytest.mark.build

NODE = shutil.which("node")
TODAY = datetime.now(ZoneInfo("Europe/London")).date()  # the real data's dates are checked against today, as the build does
# Builds the project with the given config changes (load_config's own overrides, then `extra` keys).
BUILD_WITH = """
import json, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
options = json.loads(sys.argv[1])
extra = options.pop("extra", {})
config = load_config("mkdocs.yml", strict=True, **options)
config.extra.update(extra)
build(config)
"""
# lunr.js 2.3.9 loads the built index script and runs the queries the way finder.js makes them (these have no stop words).
LUNR_JS_QUERIES = """
globalThis.self = globalThis;
const lunr = require(process.argv[1]);
require(process.argv[2]);
const index = lunr.Index.load(self.DV_FINDER.index);
const P = lunr.Query.presence;
const out = {};
for (const text of JSON.parse(process.argv[3])) {
  const words = text.toLowerCase().replace(/['’]/g, "").split(/[^\\p{L}\\p{N}]+/u).filter(w => w.length > 1);
  const fold = w => w.length > 3 && /[^s]s$/.test(w) ? w.slice(0, -1) : w;
  out[text] = index.query(q => words.forEach(w => {
    q.term(fold(w), {usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING, presence: P.REQUIRED});
    q.term(fold(w), {usePipeline: false, boost: 10});
  })).slice(0, 10).map(r => r.ref);
}
console.log(JSON.stringify({version: lunr.version, pipeline: index.pipeline.toJSON(), results: out}));
"""


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("finder") / "site"
    result = mkdocs_build(site)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def built(real_site: Path) -> dict:
    return finder.read_index_script((real_site / finder.INDEX_SITE_PATH).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services() -> list[dict]:
    return load_site(today=TODAY).entries("services")


def _ids(built: dict, refs: list[str]) -> list[str]:
    """Service ids of some refs, from the table's URLs ('directory/#galop-lgbt-helpline')."""
    return [built["services"][int(r, 36)][1].split("#", 1)[1] for r in refs]


def _find(built: dict, text: str) -> list[str]:
    return _ids(built, finder.search(Index.load(built["index"]), text))


def test_the_index_holds_every_service_in_directory_order(built: dict, services: list[dict]) -> None:
    refs = [ref for ref, _vector in built["index"]["fieldVectors"] if ref.startswith("name/")]
    assert refs == [f"name/{finder.ref(i)}" for i in range(len(services))]
    assert [row[0] for row in built["services"]] == [s["name"] for s in services]
    assert [row[1].split("#")[1] for row in built["services"]] == [s["id"] for s in services]
    assert [row[2] for row in built["services"]] == [", ".join(s["coverage"]) for s in services]


def test_the_index_is_lunr_2_3_9_with_empty_pipelines(built: dict) -> None:
    assert built["index"]["version"] == finder.LUNR_VERSION
    assert built["index"]["pipeline"] == []
    assert built["index"]["fields"] == [name for name, _boost in finder.FIELDS]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Galop", "galop-lgbt-helpline"),  # name
        ("gal", "galop-lgbt-helpline"),  # the start of a name, as it is typed
        ("NDAH", "national-domestic-abuse-helpline"),  # short name
        ("Bright Sky", "bright-sky-app"),
        ("mens advice", "mens-advice-line"),  # the name typed without its apostrophe
        ("Men's Advice Line", "mens-advice-line"),
        ("LGBT", "galop-lgbt-helpline"),  # who it is for
        ("gay", "galop-lgbt-helpline"),  # an audience's keyword
        ("United Kingdom", "police-emergency-999"),  # an area's alias
        ("silent call", "police-emergency-999"),  # its own keywords
        ("weather app", "bright-sky-app"),
        ("chat", "womens-aid-live-chat"),  # a channel
        ("refuges", "national-domestic-abuse-helpline"),  # a plural finds the singular
    ],
)
def test_python_lunr_finds_real_services(built: dict, text: str, first: str) -> None:
    assert _find(built, text)[0] == first


def test_an_area_finds_the_services_listed_for_it(built: dict, services: list[dict]) -> None:
    assert set(_find(built, "England")) == {s["id"] for s in services if "England" in s["coverage"]}


def test_every_word_typed_must_match(built: dict) -> None:
    assert _find(built, "men")[:1] == ["mens-advice-line"]
    assert _find(built, "men galop") == []
    assert _find(built, "zzzz") == []


def test_stop_words_are_left_out_unless_still_being_typed(built: dict) -> None:
    assert _find(built, "help for men") == _find(built, "help men")
    assert set(_find(built, "help for")) >= set(_find(built, "help "))


def test_lunr_js_loads_the_index_and_ranks_as_python_lunr_does(real_site: Path, built: dict) -> None:
    assert NODE, "node is missing: install Node.js 18 or later (make npm needs it too)"
    queries = ["galop", "ndah", "men", "england", "help", "chat", "refuge", "bright sky", "lgbt", "zzzz"]
    script = subprocess.run(
        [NODE, "-e", LUNR_JS_QUERIES, str(finder.lunr_file()), str(real_site / finder.INDEX_SITE_PATH), json.dumps(queries)],
        capture_output=True, text=True, timeout=60, check=True,
    )
    out = json.loads(script.stdout)
    assert out["version"] == finder.LUNR_VERSION
    assert out["pipeline"] == []
    index = Index.load(built["index"])
    assert out["results"] == {q: finder.search(index, q) for q in queries}
    assert out["results"]["galop"] and out["results"]["zzzz"] == []


def test_lunr_js_leaves_out_the_stop_words_lunr_py_leaves_out() -> None:
    """finder.js drops lunr.js's stop words from what is typed and finder.words drops lunr.py's from the index: the same list."""
    assert NODE, "node is missing: install Node.js 18 or later (make npm needs it too)"
    words = sorted(STOP_WORDS) + ["galop", "refuge", "men", "forced"]
    script = "const lunr = require(process.argv[1]); console.log(JSON.stringify(JSON.parse(process.argv[2]).filter(w => !lunr.stopWordFilter(w))))"
    node = subprocess.run([NODE, "-e", script, str(finder.lunr_file()), json.dumps(words)], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(node.stdout) == sorted(STOP_WORDS)


def test_each_result_links_to_the_page_that_holds_its_card(real_site: Path, built: dict) -> None:
    for name, url, _areas in built["services"]:
        path, service_id = url.split("#")
        assert path == "directory/", name
        page = (real_site / path / "index.html").read_text(encoding="utf-8")
        assert f'<article class="dv-card dv-service" id="{service_id}" data-service-id="{service_id}"' in page


def test_the_finder_is_on_the_directory_page_only(real_site: Path) -> None:
    assert (real_site / "directory" / "index.html").read_text(encoding="utf-8").count('id="dv-finder-input"') == 1
    assert 'id="dv-finder-input"' not in (real_site / "index.html").read_text(encoding="utf-8")
    assert (real_site / finder.LUNR_SITE_PATH).read_bytes() == finder.lunr_file().read_bytes()


def test_area_pages_and_html_addresses_link_to_their_cards(tmp_path: Path) -> None:
    """Past extra.directory_page_size each card is on an area page; with use_directory_urls off (the offline copy), URLs end in .html."""
    site = tmp_path / "site"
    options = {"site_dir": str(site), "use_directory_urls": False, "extra": {"directory_page_size": 2}}
    result = subprocess.run(
        [sys.executable, "-c", BUILD_WITH, json.dumps(options)],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT / "hooks"), NO_MKDOCS_2_WARNING="1"),
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    table = finder.read_index_script((site / finder.INDEX_SITE_PATH).read_text(encoding="utf-8"))["services"]
    pages = {url.split("#")[0] for _name, url, _areas in table}
    assert pages and all(re.fullmatch(r"directory/areas/[a-z0-9-]+\.html", p) for p in pages), pages
    for _name, url, _areas in table:
        path, service_id = url.split("#")
        assert f'data-service-id="{service_id}"' in (site / path).read_text(encoding="utf-8"), url
    index_page = (site / "directory.html").read_text(encoding="utf-8")
    assert 'id="dv-finder-input"' in index_page and "dv-area-pages" in index_page


def test_words_are_normalised_as_finder_js_normalises_what_is_typed() -> None:
    assert finder.words(["Men's Advice Line (MAL)", "women’s refuges", "the 999 and 24/7 service", "0808 2000 247", "08082000247"]) == [
        "men", "advice", "line", "mal", "women", "refuge", "999", "24", "service", "0808", "2000", "247",
    ]
    assert [finder.fold(w) for w in ("refuges", "bus", "address", "mens", "galop")] == ["refuge", "bus", "address", "men", "galop"]


def test_a_word_is_indexed_in_the_first_field_it_appears_in() -> None:
    site = load_site(today=TODAY)
    doc = finder.documents(site)[2]  # Galop
    assert doc["name"] == ["galop", "lgbt", "domestic", "abuse", "helpline"]
    assert "galop" not in doc["keywords"] and "lgbt" not in doc["who"] and "gay" in doc["who"]
    assert doc["where"] == ["england"]
    assert not any(re.fullmatch(r"\d{8,}", w) for field in ("keywords", "about") for w in doc[field])  # no phone numbers


def test_refs_are_positions_in_base_36() -> None:
    assert [finder.ref(n) for n in (0, 9, 10, 35, 36, 10_000)] == ["0", "9", "a", "z", "10", "7ps"]
    assert all(int(finder.ref(n), 36) == n for n in range(2000))


def test_the_script_keeps_every_character(tmp_path: Path) -> None:
    data = {"services": [["Say \"no\" \\ it's “fine” \u2028 </script> é 😀", "a/#b", "UK"]], "index": {}}
    script = finder.index_script(data)
    assert script.isascii()
    assert finder.read_index_script(script) == data
    assert NODE, "node is missing: install Node.js 18 or later (make npm needs it too)"
    path = tmp_path / "index.js"
    path.write_text(script, encoding="utf-8")
    node = subprocess.run(
        [NODE, "-e", "globalThis.self = globalThis; require(process.argv[1]); console.log(JSON.stringify(self.DV_FINDER))", str(path)],
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert json.loads(node.stdout) == data
    with pytest.raises(finder.FinderError, match=r"not a finder index script"):
        finder.read_index_script("var x = 1;")


def test_finder_js_loads_the_files_the_build_writes() -> None:
    source = (ROOT / "overrides" / "assets" / "javascripts" / "finder.js").read_text(encoding="utf-8")
    assert f'"{finder.LUNR_SITE_PATH}"' in source and f'"{finder.INDEX_SITE_PATH}"' in source
    assert f"window.{finder.GLOBAL_NAME}" in source
    assert f"var SHOWN = {finder.RESULTS_SHOWN};" in source and f"boost: {finder.EXACT_BOOST} " in source


def _npm_project(tmp_path: Path, *, pinned: str | None = "2.3.9", installed: str | None = "2.3.9") -> Path:
    deps = {} if pinned is None else {"lunr": pinned}
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": deps}), encoding="utf-8")
    if installed is not None:
        package = tmp_path / "node_modules" / "lunr"
        package.mkdir(parents=True)
        (package / "package.json").write_text(json.dumps({"version": installed}), encoding="utf-8")
        (package / "lunr.min.js").write_text("/* lunr */", encoding="utf-8")
    return tmp_path


def test_lunr_js_comes_from_node_modules(tmp_path: Path) -> None:
    assert finder.lunr_file(project_dir=_npm_project(tmp_path)) == tmp_path / "node_modules" / "lunr" / "lunr.min.js"
    assert finder.lunr_file() == ROOT / "node_modules" / "lunr" / "lunr.min.js"


def test_missing_lunr_js_says_to_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(finder.FinderError, match=r"node_modules/lunr/lunr.min.js is missing: run `npm ci`"):
        finder.lunr_file(project_dir=_npm_project(tmp_path, installed=None))


def test_another_lunr_version_says_to_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(finder.FinderError, match=r"node_modules has lunr 2.3.8 but package.json pins 2.3.9: run `npm ci`"):
        finder.lunr_file(project_dir=_npm_project(tmp_path, installed="2.3.8"))


def test_package_json_must_pin_the_version_lunr_py_writes(tmp_path: Path) -> None:
    with pytest.raises(finder.FinderError, match=r"package.json must pin lunr 2.3.9.*not None: run `npm install --save-exact lunr@2.3.9`"):
        finder.lunr_file(project_dir=_npm_project(tmp_path, pinned=None))
    assert json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]["lunr"] == finder.LUNR_VERSION


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


def test_a_service_without_a_page_is_an_error(services: list[dict]) -> None:
    site = load_site(today=TODAY)
    urls = {s["id"]: "directory/" for s in services[1:]}
    with pytest.raises(finder.FinderError, match=r"no directory page holds the card of service 'police-emergency-999' \(1 in all\)"):
        finder.finder_data(site, urls=urls)
