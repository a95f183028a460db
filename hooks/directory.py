"""MkDocs hook: the helpline directory macro, its area pages at scale, and the directory downloads (JSON, CSV, HSDS 3.0).

A thin adapter over hooks/sitedata/views/directory.py and hooks/sitedata/views/exports.py. The downloads are
added as generated files, so they are part of the site from the start: `mkdocs serve` serves them and
links to them are checked like any other. Past extra.directory_page_size services the directory
page lists areas, and each area gets a generated page of its own, kept out of the navigation.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from buildcontext import HTML_PAGES, build_time, directory_page_size, page_link, site_data
from sitedata.data.load import SiteData
from sitedata.views import directory, exports
from sitedata.views.pages import GeneratedPage

_state: dict[str, object] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Load the data (shared with the other hooks) and register the directory macro."""
    _state.update(site=site_data(config), today=build_time(config).date(), page_size=directory_page_size(config), repo_url=config.repo_url)
    macros = config.plugins.get("macros")
    if macros is None:
        raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml: the directory page is rendered through it")
    macros.register_macros({"helpline_directory": lambda: _directory(macros)})  # type: ignore[attr-defined]
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the downloads (exports/services.json, .csv and the HSDS forms in exports/hsds/) and, at scale, one page per area."""
    site: SiteData = _state["site"]  # type: ignore[assignment]
    directory.compile_site_hours(site, start=_state["today"])  # type: ignore[arg-type]
    for path, content in exports.export_files(site, generated=_state["today"]).items():  # type: ignore[arg-type]
        files.append(File.generated(config, path, content=content))
    pages = directory.area_pages(site, page_size=_state["page_size"])  # type: ignore[arg-type]
    # Area pages link to each other's cards, so all their URLs are known before any is rendered.
    for page in pages:
        files.append(File.generated(config, page.src, content=""))
    for page in pages:
        file = files.get_file_from_path(page.src)
        html = directory.area_page_html(
            site, page=page, link=page_link(files, here=file.url), start=_state["today"], page_size=_state["page_size"],  # type: ignore[arg-type, union-attr]
            repo_url=config.repo_url,
        )
        title = f"Helplines and services: {page.area['name']}"
        generated = GeneratedPage(src_uri=page.src, title=title, description=f"Helplines and services that cover {page.area['name']}.", html=html)
        file.content_string = generated.markdown()  # type: ignore[union-attr]
        HTML_PAGES.add(page.src)
    _state["files"] = files
    return files


def _directory(macros: object) -> str:
    site: SiteData = _state["site"]  # type: ignore[assignment]
    files: Files = _state["files"]  # type: ignore[assignment]
    link = page_link(files, here=macros.page.url)  # type: ignore[attr-defined]
    return directory.directory_html(
        site, link=link, start=_state["today"], page_size=_state["page_size"], repo_url=_state["repo_url"]  # type: ignore[arg-type]
    )
