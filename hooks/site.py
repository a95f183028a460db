"""MkDocs hook: loads and checks data/, adds per-entry pages, and exposes data views as macros.

A thin adapter: everything it calls lives in the plain-Python package hooks/sitedata/.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from sitedata.errors import DataErrors
from sitedata.load import DATA_DIR, SiteData, load_site_cached
from sitedata.pages import Link, Views

LONDON = ZoneInfo("Europe/London")
# SITE_DATA_DIR lets tests build the site from another copy of the data (for example with XSS payloads).
log = logging.getLogger("mkdocs.plugins.sitedata")

_state: dict[str, object] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Check all data before anything is built; stop the build on any data error."""
    now = datetime.now(LONDON)
    try:
        site = load_site_cached(data_dir=Path(os.environ.get("SITE_DATA_DIR", DATA_DIR)), today=now.date())
    except DataErrors as exc:
        raise PluginError(exc.report()) from None
    for warning in site.warnings:
        log.info(str(warning))
    _state.update(site=site, views=Views(site), built=now)
    config.extra["build_time"] = now.isoformat(timespec="minutes")
    macros = config.plugins.get("macros")
    if macros is None:
        raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml: the data pages are rendered through it")
    views: Views = _state["views"]  # type: ignore[assignment]
    macros.register_macros(
        {
            "home_routes": lambda: views.home(link=_page_link(macros)),
            "prompts_by_theme": lambda: views.prompts(link=_page_link(macros)),
            "practices_index": lambda: views.practices_index(link=_page_link(macros)),
            "safety_advice": lambda: views.safety(link=_page_link(macros)),
            "professional_resources": lambda: views.resources(link=_page_link(macros)),
            "sources_table": lambda: views.sources_list(link=_page_link(macros)),
        }
    )
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add one generated page per initiative; they are reachable by links, not the nav."""
    views: Views = _state["views"]  # type: ignore[assignment]
    _state["files"] = files
    # Generated pages can link to each other, so their URLs are known before any is rendered.
    uri_map = {src: File(src, "", "", config.use_directory_urls).url for src in views.practice_srcs()}

    def link_for(src_uri: str) -> Link:
        here = uri_map[src_uri]
        return lambda target: get_relative_url(uri_map[target], here) if target in uri_map else _relative_url(target, here, files)

    for page in views.practice_pages(link_for=link_for):
        files.append(File.generated(config, page.src_uri, content=page.markdown()))
    return files


def _page_link(macros: object) -> Link:
    """A linker relative to the page the macros plugin is rendering now."""
    page = macros.page  # type: ignore[attr-defined]
    files: Files = _state["files"]  # type: ignore[assignment]
    return lambda target: _relative_url(target, page.url, files)


def _relative_url(target: str, here: str, files: Files) -> str:
    file = files.get_file_from_path(target)
    if file is None:
        raise PluginError(f"a data template links to '{target}', which is not a page of this site")
    return get_relative_url(file.url, here)


def site_data() -> SiteData:
    """The data loaded for the current build (for other hooks)."""
    return _state["site"]  # type: ignore[return-value]
