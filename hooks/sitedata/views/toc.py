"""The table of contents of a finished page, read from its HTML headings.

Python-Markdown's toc extension sees only Markdown headings; headings written by the data templates (through
macros, or on generated pages) are raw HTML to it, so those pages had an empty table of contents. A regular
expression, not an HTML parser: it runs on every generated page (10,000 in the benchmark), and the headings
it reads are the ones our templates and Python-Markdown write.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

_HEADING = re.compile(r'<h([1-3])\b[^>]*?\sid="([^"]+)"[^>]*>(.*?)</h\1\s*>', re.S)
_HIDDEN = re.compile(r'<(span|a)\b[^>]*(?:\shidden\b|class="headerlink")[^>]*>.*?</\1>', re.S)
_TAG = re.compile(r"<[^>]+>")


def toc_tokens(html: str) -> list[dict[str, Any]]:
    """Tokens in the shape of Python-Markdown's toc_tokens (level, id, name as HTML, children) for h1-h3 with an id."""
    root: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for match in _HEADING.finditer(html):
        level, anchor, inner = int(match[1]), unescape(match[2]), match[3]
        text = unescape(_TAG.sub("", _HIDDEN.sub("", inner)))
        token = {"level": level, "id": anchor, "name": escape(" ".join(text.split()), quote=False), "children": []}
        while stack and stack[-1]["level"] >= level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root
