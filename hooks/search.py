"""MkDocs hook: the site search's two generated files, lunr.js and the prebuilt index of every page and entry.

A thin adapter over hooks/sitedata/views/search.py; overrides/assets/javascripts/search.js searches the
index (the search box on every page, and the directory finder). lunr.js comes from node_modules
(pinned in package.json; `npm ci` installs it). The documents are made from the data and the prose
pages' Markdown when the files are known; lunr.py builds the index from them in another process
while MkDocs builds the pages (sitedata.background), and the index script is written into the site
at the start of post_build, before anything reads the built site (the service worker's manifest,
the offline zip). Each entry links to the page it is on, with the URL MkDocs gives that page, so
this hook runs after hooks/directory.py has added the directory's area pages (mkdocs.yml lists it
later), and the links are right with and without use_directory_urls.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

from buildcontext import build_time, directory_page_size, site_data
from sitedata.background import Job, worth_a_process
from sitedata.data.load import SiteData
from sitedata.views import search

log = logging.getLogger("mkdocs.plugins.search")

_state: dict[str, object] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Find the pinned lunr.js (or stop the build saying to run `npm ci`); refuse a second search engine."""
    if any(name in config.plugins for name in ("search", "material/search")):
        raise PluginError("mkdocs.yml: plugins: remove 'search': the site has its own prebuilt search (hooks/search.py), and two would disagree")
    try:
        _state["lunr"] = search.lunr_file()
    except search.SearchError as exc:
        raise PluginError(str(exc)) from None
    _state.update(site=site_data(config), page_size=directory_page_size(config), start=build_time(config).date())
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add lunr.min.js, and start building the index script from the data and the prose pages."""
    site: SiteData = _state["site"]  # type: ignore[assignment]

    def page_url(src: str) -> str | None:
        found = files.get_file_from_path(src)
        return None if found is None else found.url

    docs_dir = Path(config.docs_dir)
    sections = []
    for source in sorted(docs_dir.rglob("*.md")):
        url = page_url(source.relative_to(docs_dir).as_posix())
        if url is not None:
            sections += search.page_sections(source.read_text(encoding="utf-8"), url=url)
    try:
        urls = search.entry_urls(site, page_url=page_url, page_size=_state["page_size"])  # type: ignore[arg-type]
        docs, shown = search.documents(site, urls=urls, sections=sections, start=_state["start"])  # type: ignore[arg-type]
    except search.SearchError as exc:
        raise PluginError(f"search: {exc}") from None
    background = worth_a_process(len(site.entries("services")) + len(site.entries("practices")))
    _state.update(job=Job(search.script_from_documents, docs, shown=shown, in_background=background), started=time.perf_counter(), count=len(docs))
    files.append(File.generated(config, search.LUNR_SITE_PATH, abs_src_path=str(_state["lunr"])))
    return files


@event_priority(100)
def on_post_build(config: MkDocsConfig) -> None:
    """Write the index script into the built site, first thing once every page is written."""
    job: Job[str] = _state.pop("job")  # type: ignore[assignment]
    waited = time.perf_counter()
    script = job.result()
    target = Path(config.site_dir) / search.INDEX_SITE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(script, encoding="utf-8")
    log.info(
        f"search: {_state['count']} pages and entries indexed ({len(script) / 1024:.0f} KB) beside the build; "
        f"waited {time.perf_counter() - waited:.1f} s of {time.perf_counter() - _state['started']:.1f} s"  # type: ignore[operator]
    )
