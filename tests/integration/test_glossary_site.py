"""The glossary in the built site: definitions on the glossary page and beside terms on other pages, never in search."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import REAL_DATA_TODAY
from sitedata.data.load import load_site
from sitedata.views.search import read_site_index


class _Uses(HTMLParser):
    """Records, for each marked term, the elements it sits inside."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.uses: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            return
        if tag == "abbr" and ("class", "dv-gl__term") in attrs:
            self.uses.append(list(self.stack))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


def test_every_term_is_on_the_glossary_page_and_in_search(real_site: Path) -> None:
    site = load_site(today=REAL_DATA_TODAY)
    html = (real_site / "glossary" / "index.html").read_text()
    locations = {doc[2] for doc in read_site_index(real_site)["docs"]}
    for term in site.entries("terms"):
        assert f'<h3 id="term-{term["id"]}"><dfn>' in html, term["id"]
        assert f"glossary/#term-{term['id']}" in locations, term["id"]


def test_terms_are_defined_on_other_pages_but_never_inside_links_code_or_headings(real_site: Path) -> None:
    pages = [p for p in real_site.rglob("*.html") if "glossary" not in p.parts]
    marked_pages = 0
    for page in pages:
        parser = _Uses()
        parser.feed(page.read_text())
        for stack in parser.uses:
            assert not {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "button", "svg", "dfn", "script", "style", "head"} & set(stack), (page, stack)
        marked_pages += bool(parser.uses)
    assert marked_pages >= 40
    virtual = (real_site / "practices" / "virtual-maracs" / "index.html").read_text()
    assert re.search(r'aria-describedby="dv-gl-1">MARACs</abbr><span class="dv-gl__tip" role="tooltip" id="dv-gl-1"><strong>MARAC</strong> \(Multi-Agency Risk Assessment Conference\)', virtual)


def test_definitions_stay_out_of_the_search_index(real_site: Path) -> None:
    # The site search indexes the data, not the pages' tooltips: a practice's text holds no glossary definition.
    index = read_site_index(real_site)
    practice = next(d for d in index["docs"] if d[2] == "practices/virtual-maracs/")
    assert "MARAC" in practice[1] + practice[4]
    assert not any("Multi-Agency Risk Assessment Conference" in d[4] for d in index["docs"] if d[0] == "practice")
    assert not any("dv-gl" in " ".join(map(str, d)) for d in index["docs"])
