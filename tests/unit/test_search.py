"""The site search's index (hooks/sitedata/views/search.py) and its vocabulary (data/search.yaml), without a browser.

What people find is tested in Chromium on the offline copy: tests/browser/test_search_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lunr.stop_word_filter import WORDS as STOP_WORDS

from conftest import ROOT, DataCopy
from sitedata.views import search

NODE = shutil.which("node")
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
























def test_page_sections_split_a_prose_page_at_its_headings() -> None:
    text = "---\ntitle: Stay safe\n---\n# Stay safe online\n\nIntro {{ macro() }} text.\n\n## The Exit this page button\n\nPress **Shift**.\n"
    sections = search.page_sections(text, url="stay-safe-online/")
    assert sections == [
        search.Section(title="Stay safe", url="stay-safe-online/", text="Intro text."),
        search.Section(title="The Exit this page button", url="stay-safe-online/#the-exit-this-page-button", text="Press Shift ."),
    ]
    assert search.page_sections("---\nsearch:\n  exclude: true\n---\n# Hidden\n", url="x/") == []


def test_an_unknown_service_in_the_vocabulary_is_a_located_error(real_data: DataCopy) -> None:
    real_data.replace("search.yaml", "services: [mens-advice-line]", "services: [mens-advise-line]")
    real_data.replace("search.yaml", "fallback_services: [police-emergency-999,", "fallback_services: [police-emergency-99,")
    site_errors = _errors(real_data.path)
    assert re.search(r"data/search\.yaml:\d+:\d+: search word 'men': services\[0\]: 'mens-advise-line' is not a known service \(did you mean 'mens-advice-line'\?\)", site_errors)
    assert re.search(r"data/search\.yaml:\d+:\d+: fallback_services #1: 'police-emergency-99' is not a known service \(did you mean 'police-emergency-999'\?\)", site_errors)


def test_a_search_word_that_says_nothing_is_an_error(real_data: DataCopy) -> None:
    real_data.replace("search.yaml", "  - id: women\n    typed: [woman, wife, mum, mother, girlfriend]\n    means: [women]\n", "  - id: women\n    typed: [woman]\n")
    assert re.search(r"data/search\.yaml:\d+:\d+: search word 'women': say what the words mean", _errors(real_data.path))




def _errors(data_dir: Path) -> str:
    run = subprocess.run([sys.executable, "-m", "sitedata", "check", "--data", str(data_dir)], cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=str(ROOT / "hooks")), capture_output=True, text=True)
    assert run.returncode != 0
    return run.stderr


def test_lunr_js_leaves_out_the_stop_words_lunr_py_leaves_out() -> None:
    """search.js drops lunr.js's stop words from what is typed and search.words drops lunr.py's from the index: the same list."""
    assert NODE, "node is missing: install Node.js 18 or later (make npm needs it too)"
    words = sorted(STOP_WORDS) + ["galop", "refuge", "men", "forced"]
    script = "const lunr = require(process.argv[1]); console.log(JSON.stringify(JSON.parse(process.argv[2]).filter(w => !lunr.stopWordFilter(w))))"
    node = subprocess.run([NODE, "-e", script, str(search.lunr_file()), json.dumps(words)], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(node.stdout) == sorted(STOP_WORDS)


def test_refs_are_positions_in_base_36() -> None:
    assert [search.ref(n) for n in (0, 9, 10, 35, 36, 10_000)] == ["0", "9", "a", "z", "10", "7ps"]
    assert all(int(search.ref(n), 36) == n for n in range(2000))


def test_the_script_keeps_every_character(tmp_path: Path) -> None:
    data = {"docs": [["Say \"no\" \\ it's “fine” \u2028 </script> é 😀", "a/#b", "UK"]], "index": {}}
    script = search.index_script(data)
    assert script.isascii()
    assert search.read_index_script(script) == data
    assert NODE, "node is missing: install Node.js 18 or later (make npm needs it too)"
    path = tmp_path / "index.js"
    path.write_text(script, encoding="utf-8")
    node = subprocess.run(
        [NODE, "-e", "globalThis.self = globalThis; require(process.argv[1]); console.log(JSON.stringify(self.DV_SEARCH))", str(path)],
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert json.loads(node.stdout) == data
    with pytest.raises(search.SearchError, match=r"not a search index script"):
        search.read_index_script("var x = 1;")


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
    assert search.lunr_file(project_dir=_npm_project(tmp_path)) == tmp_path / "node_modules" / "lunr" / "lunr.min.js"
    assert search.lunr_file() == ROOT / "node_modules" / "lunr" / "lunr.min.js"


def test_missing_lunr_js_says_to_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(search.SearchError, match=r"node_modules/lunr/lunr.min.js is missing: run `npm ci`"):
        search.lunr_file(project_dir=_npm_project(tmp_path, installed=None))


def test_another_lunr_version_says_to_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(search.SearchError, match=r"node_modules has lunr 2.3.8 but package.json pins 2.3.9: run `npm ci`"):
        search.lunr_file(project_dir=_npm_project(tmp_path, installed="2.3.8"))


def test_package_json_must_pin_the_version_lunr_py_writes(tmp_path: Path) -> None:
    with pytest.raises(search.SearchError, match=r"package.json must pin lunr 2.3.9.*not None: run `npm install --save-exact lunr@2.3.9`"):
        search.lunr_file(project_dir=_npm_project(tmp_path, pinned=None))
    assert json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]["lunr"] == search.LUNR_VERSION









def test_area_pages_and_html_addresses(tmp_path: Path) -> None:
    """Past extra.directory_page_size each card is on an area page; with use_directory_urls off (the offline copy), URLs end in .html."""
    site = tmp_path / "site"
    options = {"site_dir": str(site), "use_directory_urls": False, "extra": {"directory_page_size": 2}}
    result = subprocess.run(
        [sys.executable, "-c", BUILD_WITH, json.dumps(options)],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT / "hooks"), NO_MKDOCS_2_WARNING="1"),
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = search.read_site_index(site)["docs"]
    services = [row[2] for row in rows if row[0] == "service"]
    assert services and all(re.fullmatch(r"directory/areas/[a-z0-9-]+\.html#[a-z0-9-]+", u) for u in services), services
    for url in services:
        path, service_id = url.split("#")
        assert f'data-service-id="{service_id}"' in (site / path).read_text(encoding="utf-8"), url
    assert all(".html" in row[2] for row in rows), [row[2] for row in rows if ".html" not in row[2]]


def test_at_scale_a_common_word_is_kept_only_in_titles_and_own_keywords() -> None:
    docs = [{"ref": search.ref(i), "title": f"name{i}", "keywords": "helplin", "topics": "helplin england", "body": f"helplin word{i}"} for i in range(30)]
    trimmed = search.trim_common(docs, share=0.5, from_docs=10)
    assert trimmed[3] == {"ref": "3", "title": "name3", "keywords": "helplin", "topics": "", "body": "word3"}
    assert search.trim_common(docs, share=0.5, from_docs=100) == docs, "a small site keeps every word"
