"""MkDocs hook: the glossary and evidence pages, and glossary definitions on every page.

A thin adapter over hooks/sitedata/views/glossary.py and hooks/sitedata/views/evidence.py. Definitions are
added in on_post_page, after the search plugin has read the page, so the search index holds each
page's own words and not every definition it mentions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from buildcontext import page_link, site_data
from sitedata.data.load import SiteData
from sitedata.views.evidence import evidence_page
from sitedata.views.glossary import TermMarker, glossary_page, term_marker
from sitedata.views.pages import Views, practice_src

_state: dict[str, Any] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Build the term marker and register the glossary and evidence page macros."""
    site = site_data(config)
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
    link = page_link(_state["files"], here=macros.page.url)
    return lambda template, **context: views.render(template, link=link, practice_src=practice_src, **context)
