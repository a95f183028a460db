"""`mkdocs serve --dirty` (`make serve`): after an edit, the rebuilt site is the site a clean build makes, page for page.

Each test drives the builds `mkdocs serve --dirty` runs, in this process, with no server: on_startup once, then for
every rebuild a new config and mkdocs.commands.build.build(dirty=True), on one plugin instance, as serve does. After
each edit the site folder is compared, file by file, with a clean build of the same data made in another process.
Pages the edit does not touch must not be rewritten (their modification time stays), or the dirty mode saves nothing.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from markupsafe import escape
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort

from conftest import ROOT, DataCopy
from sitedata.views.search import read_site_index

SERVE_URL = "http://127.0.0.1:8000/"
# The gzip header names the file by its full path, so the copies differ only there.
NOT_COMPARED = {"sitemap.xml.gz"}
# Rendered at every build, dirty or not (MkDocs' static templates).
ALWAYS_WRITTEN = {"404.html"}
# A clean build as `mkdocs serve` (no --dirty) makes it: same site_url, same serve mode.
CLEAN_BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
config = load_config(sys.argv[1], site_dir=sys.argv[2])
config.plugins.on_startup(command="serve", dirty=False)
config.site_url = sys.argv[3]
build(config, serve_url=sys.argv[3])
"""


class DirtyServe:
    """The rebuilds of one `mkdocs serve --dirty` session into one site folder."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._config().plugins.on_startup(command="serve", dirty=True)

    def _config(self) -> MkDocsConfig:
        config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(self.site_dir))
        config.site_url = SERVE_URL
        return config

    def rebuild(self) -> dict[str, int]:
        """Build as serve does after a save; return each page's modification time before the build."""
        before = _page_times(self.site_dir)
        build(self._config(), serve_url=SERVE_URL, dirty=True)
        return before

    def rewritten(self, before: dict[str, int]) -> set[str]:
        """The pages this build wrote (new, or a new modification time)."""
        now = _page_times(self.site_dir)
        return {page for page, time in now.items() if before.get(page) != time}

    def shutdown(self) -> None:
        self._config().plugins.on_shutdown()


@pytest.fixture
def serve(real_data: DataCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DirtyServe]:
    monkeypatch.setenv("SITE_DATA_DIR", str(real_data.path))
    session = DirtyServe(tmp_path / "site")
    session.rebuild()
    yield session
    session.shutdown()


def _page_times(site_dir: Path) -> dict[str, int]:
    return {p.relative_to(site_dir).as_posix(): p.stat().st_mtime_ns for p in site_dir.rglob("*.html")} if site_dir.is_dir() else {}


def _files(site_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(site_dir).as_posix(): p.read_bytes() for p in site_dir.rglob("*") if p.is_file() and p.name not in NOT_COMPARED}


def assert_same_as_clean_build(site_dir: Path, data_dir: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    env = dict(os.environ, SITE_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT / "hooks"), NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-c", CLEAN_BUILD, str(ROOT / "mkdocs.yml"), str(clean), SERVE_URL],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    dirty, fresh = _files(site_dir), _files(clean)
    assert sorted(set(dirty) - set(fresh)) == [], "stale files the clean build does not make"
    assert sorted(set(fresh) - set(dirty)) == [], "files the dirty build did not make"
    differ = sorted(path for path in fresh if fresh[path] != dirty[path])
    assert differ == [], "files that differ from a clean build's"


def _search_entries(site_dir: Path) -> str:
    """The site search's entries (what a result shows), as one text."""
    return json.dumps(read_site_index(site_dir)["docs"], ensure_ascii=False)


def _entries(data: DataCopy, file: str, name: str) -> list[dict[str, object]]:
    return yaml.safe_load((data.path / file).read_text(encoding="utf-8"))[name]  # type: ignore[no-any-return]


def _practices(data: DataCopy) -> list[dict[str, object]]:
    return _entries(data, "practices.yaml", "practices")


def _edit(data: DataCopy, file: str, *, entry: str, field: str, edit: Callable[[str], str]) -> None:
    """Change the YAML text of one entry's one-line field."""
    text = (data.path / file).read_text(encoding="utf-8")
    start = text.index(f"  - id: {entry}\n")
    line = re.compile(rf"^    {field}: (.+)$", re.MULTILINE).search(text, start)
    assert line is not None
    data.write(file, text[: line.start(1)] + edit(line.group(1)) + text[line.end(1) :])


def _add_words(data: DataCopy, file: str, *, entry: str, field: str, words: str) -> None:
    """Add words at the end of one entry's one-line field, inside its quotes if it has them."""
    _edit(data, file, entry=entry, field=field, edit=lambda value: f"{value[:-1]} {words}{value[-1]}" if value[:1] in "'\"" else f"{value} {words}")


def test_an_edited_practice_shows_everywhere_and_only_its_pages_are_rewritten(serve: DirtyServe, real_data: DataCopy, tmp_path: Path) -> None:
    practice = _practices(real_data)[-1]
    _add_words(real_data, "practices.yaml", entry=str(practice["id"]), field="title", words="renamed in serve")
    new_title = f"{practice['title']} renamed in serve"
    assert _practices(real_data)[-1]["title"] == new_title

    before = serve.rebuild()

    site = serve.site_dir
    shown = str(escape(new_title))
    assert shown in (site / "practices" / str(practice["id"]) / "index.html").read_text(encoding="utf-8")
    assert shown in (site / "practices" / "index.html").read_text(encoding="utf-8")
    assert new_title in _search_entries(site)
    rewritten = serve.rewritten(before)
    showing = {page for page in _page_times(site) if shown in (site / page).read_text(encoding="utf-8")}
    assert rewritten - ALWAYS_WRITTEN == showing
    assert len(rewritten) < len(_page_times(site)) / 4
    assert_same_as_clean_build(site, real_data.path, tmp_path)


def test_a_removed_practice_leaves_no_page_or_link_behind(
    serve: DirtyServe, real_data: DataCopy, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    practices = _practices(real_data)
    related = {r for p in practices for r in p.get("related", [])}  # type: ignore[attr-defined]
    docs = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    gone = next(str(p["id"]) for p in reversed(practices) if p["id"] not in related and str(p["id"]) not in docs)
    text = (real_data.path / "practices.yaml").read_text(encoding="utf-8")
    block = re.search(rf"^  - id: {re.escape(gone)}\n(?:(?!  - id: ).*\n)*", text, re.MULTILINE)
    assert block is not None
    real_data.write("practices.yaml", text[: block.start()] + text[block.end() :])
    assert (serve.site_dir / "practices" / gone / "index.html").is_file()

    with caplog.at_level(logging.WARNING):
        serve.rebuild()

    assert not (serve.site_dir / "practices" / gone).exists()
    assert f"practices/{gone}/" not in (serve.site_dir / "practices" / "index.html").read_text(encoding="utf-8")
    assert [r.getMessage() for r in caplog.records if ": link '" in r.getMessage()] == []
    assert_same_as_clean_build(serve.site_dir, real_data.path, tmp_path)


def test_an_edited_service_reaches_the_directory_the_downloads_and_the_search(serve: DirtyServe, real_data: DataCopy, tmp_path: Path) -> None:
    service = _entries(real_data, "helplines.yaml", "services")[-1]
    _add_words(real_data, "helplines.yaml", entry=str(service["id"]), field="name", words="renamed in serve")
    new = f"{service['name']} renamed in serve"
    assert _entries(real_data, "helplines.yaml", "services")[-1]["name"] == new

    before = serve.rebuild()

    site = serve.site_dir
    assert str(escape(new)) in (site / "directory" / "index.html").read_text(encoding="utf-8")
    assert new in (site / "exports" / "services.json").read_text(encoding="utf-8")
    assert new in _search_entries(site)
    assert len(serve.rewritten(before)) < len(_page_times(site)) / 4
    assert_same_as_clean_build(site, real_data.path, tmp_path)


def test_a_change_every_page_carries_rewrites_every_page(serve: DirtyServe, real_data: DataCopy, tmp_path: Path) -> None:
    # Each page's glossary pop-ups carry the definitions: a new definition changes every page that uses the term.
    real_data.replace("glossary.yaml", "    definition: Stressful or traumatic", "    definition: Distressing or traumatic")

    before = serve.rebuild()

    assert serve.rewritten(before) == set(_page_times(serve.site_dir))
    assert_same_as_clean_build(serve.site_dir, real_data.path, tmp_path)


def test_after_a_failed_rebuild_the_next_one_is_whole(serve: DirtyServe, real_data: DataCopy, tmp_path: Path) -> None:
    practice = _practices(real_data)[0]
    good = (real_data.path / "practices.yaml").read_text(encoding="utf-8")
    _edit(real_data, "practices.yaml", entry=str(practice["id"]), field="title", edit=lambda _: "[not, a, title]")
    with pytest.raises(Abort):
        serve.rebuild()

    real_data.write("practices.yaml", good)
    _add_words(real_data, "practices.yaml", entry=str(practice["id"]), field="title", words="again")
    serve.rebuild()

    assert str(escape(f"{practice['title']} again")) in (serve.site_dir / "practices" / str(practice["id"]) / "index.html").read_text(encoding="utf-8")
    assert_same_as_clean_build(serve.site_dir, real_data.path, tmp_path)
