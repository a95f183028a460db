"""MkDocs hook: the editors' review-due page (docs/editors/review-due.md), through the review_due() macro.

A thin adapter: the list comes from sitedata.views.review, which reuses the warnings load_site found.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from buildcontext import directory_page_size, page_link, site_data
from sitedata.views.render import render
from sitedata.views.review import review_due, unverified_services

_state: dict[str, object] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Register the review_due() macro."""
    macros = config.plugins.get("macros")
    if macros is None:
        raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml: the review-due page is rendered through it")
    _state["site"] = site_data(config)
    _state["page_size"] = directory_page_size(config)
    macros.register_macros({"review_due": lambda: _review_due_html(macros)})
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Remember the site's files, to link each entry to the page that shows it."""
    _state["files"] = files
    return files


def _review_due_html(macros: object) -> str:
    site = _state["site"]
    link = page_link(_state["files"], here=macros.page.url)  # type: ignore[arg-type, attr-defined]
    return render(
        "review_due.html",
        unverified=unverified_services(site, page_size=_state["page_size"]),  # type: ignore[arg-type]
        entries=review_due(site, page_size=_state["page_size"]),  # type: ignore[arg-type]
        months=site.review_months,  # type: ignore[attr-defined]
        today=site.today,  # type: ignore[attr-defined]
        link=link,
    )
