"""MkDocs hook: the table of contents of pages whose headings come from the data templates (sitedata/toc.py).

Last (priority -100), so it reads each page's finished HTML. A page whose headings are all Markdown keeps
the table Python-Markdown made.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from sitedata.views.toc import toc_tokens


@event_priority(-100)
def on_page_content(html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Rebuild the page's table of contents from its HTML when that finds more headings than Markdown did."""
    if "toc" in (page.meta.get("hide") or []):
        return html
    known = _count_links(page.toc)
    if sum(html.count(f"<h{n} ") for n in (1, 2, 3)) <= known:  # cheap: no more headings than Markdown found
        return html
    tokens = toc_tokens(html)
    if _count(tokens) > known:
        page.toc = get_toc(tokens)  # type: ignore[arg-type]
    return html


def _count(tokens: list) -> int:
    return sum(1 + _count(t["children"]) for t in tokens)


def _count_links(links: object) -> int:
    return sum(1 + _count_links(link.children) for link in links)  # type: ignore[attr-defined]
