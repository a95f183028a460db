"""The glossary: its page, the check on its match words, and the marker that defines terms in page text.

The marker runs once over each built page. One compiled regular expression walks the page's
article as comments, tags and glossary words; words inside links, headings, code, SVG, form
controls or another abbreviation are left alone, and only the first use of a term in each
section (between h1/h2 headings) is marked, so a long page does not fill with tab stops.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sitedata.data.load import SiteData
from sitedata.views.render import render

TERM_TEMPLATE = "glossary_term.html"
GLOSSARY_TEMPLATE = "glossary.html"
# Material wraps the page content in this article; text outside it (header, nav, footer) is left alone.
CONTENT_START = '<article class="md-content__inner md-typeset">'
CONTENT_END = "</article>"
# Text inside these is never marked: interactive or labelled already, code, headings, or not HTML text.
SKIPPED_ELEMENTS = frozenset(
    {"a", "abbr", "button", "code", "dfn", "h1", "h2", "h3", "h4", "h5", "h6", "kbd", "label", "math", "noscript",
     "option", "pre", "samp", "script", "select", "style", "summary", "svg", "template", "textarea", "title"}
)
# A new section starts at each of these; a term is marked again at its first use in the section.
SECTION_ELEMENTS = frozenset({"h1", "h2"})
# An element with this attribute defines the terms it names (ids, space-separated): they count as
# already marked in its section, so a glossary card does not pop up its own definition.
DEFINED_ATTRIBUTE = "data-glossary-defined"
_DEFINED = re.compile(DEFINED_ATTRIBUTE + r'="([^"]*)"')
TIP_ID_PREFIX = "dv-gl-"
_ID = "\x00id\x00"
_TEXT = "\x00text\x00"
# A comment, a tag (attribute values never hold a raw '>': the page escapes it), or a glossary word
# that is not part of a longer word. The words form a trie, which Python's regex engine scans
# several times faster than a flat list of alternatives.
_TOKENS = r"(?P<comment><!--.*?-->)|<(?P<close>/?)(?P<name>[A-Za-z][\w-]*)[^>]*>|(?<![\w&-])(?P<word>{words})(?![\w-])"


def glossary_page(site: SiteData, *, render_with: Callable[..., str]) -> str:
    """The glossary page's list of terms, alphabetical, grouped under their first letter."""
    terms = sorted(site.entries("terms"), key=lambda t: t["term"].lower())
    letters: dict[str, list[dict[str, Any]]] = {}
    for term in terms:
        first = term["term"][:1].upper()
        letters.setdefault(first if first.isalpha() else "#", []).append(term)
    by_id = {t["id"]: t for t in terms}
    return render_with(GLOSSARY_TEMPLATE, letters=list(letters.items()), terms_by_id=by_id)


@dataclass(frozen=True)
class TermMarker:
    """Marks glossary words in built pages with an accessible pop-up definition."""

    pattern: re.Pattern[str]
    term_of: Mapping[str, str]
    markup_of: Mapping[str, str]

    def mark_page(self, html: str) -> str:
        """The page with the first use of each term per section marked; only the main article is touched."""
        start = html.find(CONTENT_START)
        end = html.rfind(CONTENT_END)
        if start < 0 or end < start:
            return html
        return html[:start] + self.mark(html[start:end]) + html[end:]

    def mark(self, fragment: str) -> str:
        """Mark glossary words in an HTML fragment (one pass, one regular expression)."""
        out: list[str] = []
        pos = 0
        skip_depth = 0
        seen: set[str] = set()
        count = 0
        for m in self.pattern.finditer(fragment):
            word = m.group("word")
            if word is None:
                name = m.group("name")
                if name is None:
                    continue  # a comment
                name = name.lower()
                closing = bool(m.group("close"))
                if name in SKIPPED_ELEMENTS:
                    if closing:
                        skip_depth = max(0, skip_depth - 1)
                    elif not m.group().endswith("/>"):
                        skip_depth += 1
                if not closing and name in SECTION_ELEMENTS:
                    seen.clear()
                if DEFINED_ATTRIBUTE in m.group():
                    defined = _DEFINED.search(m.group())
                    seen.update(defined.group(1).split() if defined else ())
                continue
            term_id = self.term_of[word]
            if skip_depth or term_id in seen:
                continue
            seen.add(term_id)
            count += 1
            out.append(fragment[pos : m.start()])
            out.append(self.markup_of[term_id].replace(_ID, f"{TIP_ID_PREFIX}{count}").replace(_TEXT, word))
            pos = m.end()
        if not out:
            return fragment
        out.append(fragment[pos:])
        return "".join(out)


def term_marker(site: SiteData) -> TermMarker:
    """A marker for this site's glossary: one regular expression, and each term's markup rendered once."""
    terms = site.entries("terms")
    term_of = {word: t["id"] for t in terms for word in t["matches"]}
    pattern = re.compile(_TOKENS.format(words=trie_pattern(term_of) or "(?!)"), re.DOTALL)
    markup_of = {t["id"]: render(TERM_TEMPLATE, term=t, tip_id=_ID, text=_TEXT) for t in terms}
    return TermMarker(pattern=pattern, term_of=term_of, markup_of=markup_of)


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of `words`, longest first, written as a trie of shared prefixes."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie(root)


def _trie(node: dict[str, Any]) -> str:
    ends_here = "" in node
    branches = [re.escape(char) + _trie(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if len(branches) == 1 and not ends_here:
        return branches[0]
    group = "(?:" + "|".join(branches) + ")"
    # Greedy: the longest word wins ('Domestic Abuse Act 2021' over 'Domestic Abuse Act').
    return group + "?" if ends_here else group
