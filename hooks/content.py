"""MkDocs hook: the glossary and evidence pages, and glossary definitions on every page.

A thin adapter over hooks/sitedata/glossary.py and hooks/sitedata/evidence.py. Definitions are
added in on_post_page, after the search plugin has read the page, so the search index holds each
page's own words and not every definition it mentions.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from sitedata.errors import DataErrors
from sitedata.evidence import evidence_page
from sitedata.glossary import TermMarker, glossary_page, term_marker
from sitedata.load import DATA_DIR, SiteData, load_site_cached
from sitedata.pages import Views, practice_src

LONDON = ZoneInfo("Europe/London")

_state: dict[str, Any] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Build the term marker and register the glossary and evidence page macros."""
    try:
        site = load_site_cached(data_dir=Path(os.environ.get("SITE_DATA_DIR", DATA_DIR)), today=datetime.now(LONDON).date())
    except DataErrors as exc:
        raise PluginError(exc.report()) from None
    _state.update(site=site, views=Views(site), marker=term_marker(site))
    macros = config.plugins.get("macros")
    if macros is None:
        raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml: the glossary and evidence pages are rendered through it")
    macros.register_macros(
        {
            "glossary_terms": lambda: glossary_page(_site(), render_with=_renderer(macros)),
            "evidence_figures": lambda: evidence_page(_site(), render_with=_renderer(macros)),
        }
    )
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Remember the site's files, so the evidence page can link to initiative pages."""
    _state["files"] = files
    return files


def on_post_page(output: str, /, *, page: Page, config: MkDocsConfig) -> str:
    """Give the first use of each glossary term in every section of the page its definition."""
    marker: TermMarker = _state["marker"]
    return marker.mark_page(output)


def _site() -> SiteData:
    return _state["site"]  # type: ignore[no-any-return]


def _renderer(macros: Any) -> Callable[..., str]:
    """Render a data template with links relative to the page the macros plugin is rendering now."""
    views: Views = _state["views"]
    files: Files = _state["files"]
    here = macros.page.url

    def link(target: str) -> str:
        file = files.get_file_from_path(target)
        if file is None:
            raise PluginError(f"a data template links to '{target}', which is not a page of this site")
        return get_relative_url(file.url, here)

    return lambda template, **context: views.render(template, link=link, practice_src=practice_src, **context)
