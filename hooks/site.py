"""MkDocs hook: loads and checks data/, adds per-entry pages, and exposes data views as macros.

A thin adapter: everything it calls lives in the plain-Python package hooks/sitedata/.
"""

from __future__ import annotations

import logging

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from buildcontext import HTML_PAGES, page_link, site_data
from sitedata.views.pages import Link, Views

log = logging.getLogger("mkdocs.plugins.sitedata")

_state: dict[object, object] = {}
PRACTICE_FILTER_CSS = "assets/stylesheets/practice-filters.css"


def on_startup(command: str, dirty: bool) -> None:
    """Quiet mkdocs-macros' nine INFO lines per build unless the build is verbose (`mkdocs build -v`)."""
    if not logging.getLogger("mkdocs").isEnabledFor(logging.DEBUG):
        logging.getLogger("mkdocs.plugins.mkdocs_macros").setLevel(logging.WARNING)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Check all data before anything is built; stop the build on any data error."""
    HTML_PAGES.clear()
    site = site_data(config)
    # Entries due for review are listed on the editors' page and by make check; they do not stop a build.
    for warning in site.warnings:
        log.info(str(warning))
    views = Views(site, repo_url=config.repo_url)
    _state.update(views=views)
    macros = config.plugins.get("macros")
    if macros is None:
        raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml: the data pages are rendered through it")
    macros.register_macros(
        {
            "help_now": lambda: views.help_now(link=_page_link(macros)),
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
        other = page_link(files, here=here)
        return lambda target: get_relative_url(uri_map[target], here) if target in uri_map else other(target)

    for page in views.practice_pages(link_for=link_for):
        files.append(File.generated(config, page.src_uri, content=page.markdown()))
        HTML_PAGES.add(page.src_uri)
    # The good practice filters' stylesheet, made from the data (listed in extra_css).
    files.append(File.generated(config, PRACTICE_FILTER_CSS, content=views.practice_filter_css()))
    return files


@event_priority(-90)
def on_page_markdown(markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """A generated page's body is finished HTML: keep it aside, so Python-Markdown has nothing to parse.

    Late (priority -90), so anything that reads or changes page Markdown sees the page as it is.
    """
    if page.file.src_uri not in HTML_PAGES:
        return markdown
    _state["html", page.file.src_uri] = markdown.strip()  # as Python-Markdown trims its output
    return ""


@event_priority(100)
def on_page_content(html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Give a generated page its HTML back, before anything else reads the page's content.

    Python-Markdown would copy it out unchanged (one raw HTML block, no Markdown inside; the page
    has no table of contents either way) after parsing it tag by tag: a fifth of a 10,000-entry build.
    """
    stashed = _state.pop(("html", page.file.src_uri), None)
    return html if stashed is None else stashed  # type: ignore[return-value]


def _page_link(macros: object) -> Link:
    """A linker relative to the page the macros plugin is rendering now."""
    return page_link(_state["files"], here=macros.page.url)  # type: ignore[arg-type, attr-defined]
