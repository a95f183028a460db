"""MkDocs hook: the directory finder's two generated files, lunr.js and the prebuilt index of the services.

A thin adapter over hooks/sitedata/finder.py. lunr.js comes from node_modules (pinned in
package.json; `npm ci` installs it). lunr.py builds the index in another process while MkDocs
builds the pages (sitedata.background); the index script is written into the site at the start of
post_build, before anything reads the built site (the service worker's manifest, the offline zip). The index links each service to the page its card is on, so
this hook runs after hooks/directory.py has added the directory's area pages (mkdocs.yml lists it
later) and takes each page's built URL from MkDocs, which is right with and without
use_directory_urls.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

from buildcontext import directory_page_size, site_data
from sitedata import directory, finder
from sitedata.background import Job, worth_a_process
from sitedata.load import SiteData

log = logging.getLogger("mkdocs.plugins.finder")

_state: dict[str, object] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Find the pinned lunr.js (or stop the build saying to run `npm ci`) and read the directory's page size."""
    try:
        _state["lunr"] = finder.lunr_file()
    except finder.FinderError as exc:
        raise PluginError(str(exc)) from None
    _state.update(site=site_data(config), page_size=directory_page_size(config))
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add lunr.min.js, and start building the index script, each service linked to its card."""
    site: SiteData = _state["site"]  # type: ignore[assignment]
    urls = {}
    for service_id, src in directory.service_pages(site, page_size=_state["page_size"]).items():  # type: ignore[arg-type]
        page = files.get_file_from_path(src)
        if page is None:
            raise PluginError(f"finder: the card of service '{service_id}' is on '{src}', which is not a page of this site")
        urls[service_id] = page.url
    try:
        table = finder.services_table(site, urls=urls)
    except finder.FinderError as exc:
        raise PluginError(f"finder: {exc}") from None
    background = worth_a_process(len(site.entries("services")) + len(site.entries("practices")))
    job = Job(finder.script_from_documents, finder.documents(site), table=table, in_background=background)
    _state.update(job=job, started=time.perf_counter(), count=len(urls))
    files.append(File.generated(config, finder.LUNR_SITE_PATH, abs_src_path=str(_state["lunr"])))
    return files


@event_priority(100)
def on_post_build(config: MkDocsConfig) -> None:
    """Write the index script into the built site, first thing once every page is written."""
    job: Job[str] = _state.pop("job")  # type: ignore[assignment]
    waited = time.perf_counter()
    script = job.result()
    target = Path(config.site_dir) / finder.INDEX_SITE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(script, encoding="utf-8")
    log.info(
        f"finder: {_state['count']} services indexed ({len(script) / 1024:.0f} KB) beside the build; "
        f"waited {time.perf_counter() - waited:.1f} s of {time.perf_counter() - _state['started']:.1f} s"  # type: ignore[operator]
    )
