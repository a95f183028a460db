"""Where each file of the docs tree lands in the built site, and how one page links to another.

The same rules MkDocs 1.x applies (and ProperDocs and Zensical keep), written out here so the core can
plan every page and every link without a generator: 'about.md' is served at 'about/' (or 'about.html'
without directory URLs), 'practices/index.md' at 'practices/', and any other file at its own path.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from urllib.parse import quote

Link = Callable[[str], str]


class UnknownTarget(ValueError):
    """A template links to a docs path that is neither a page nor a file of the site."""


def dest_path(src: str, *, use_directory_urls: bool) -> str:
    """The built file for a docs-relative source path ('about.md' -> 'about/index.html')."""
    if not src.endswith(".md"):
        return src
    parent, filename = posixpath.split(src)
    name = filename.removesuffix(".md")
    if name in ("index", "README"):
        name = "index"
    if not use_directory_urls or name == "index":
        return posixpath.join(parent, name + ".html")
    return posixpath.join(parent, name, "index.html")


def page_url(src: str, *, use_directory_urls: bool) -> str:
    """The URL of a docs path from the site root, without a leading slash ('about/', 'index.html', './')."""
    url = dest_path(src, use_directory_urls=use_directory_urls)
    dirname, filename = posixpath.split(url)
    if use_directory_urls and filename == "index.html":
        url = (dirname or ".") + "/"
    return quote(url)


def relative_url(url: str, *, here: str) -> str:
    """`url` (from the site root) as seen from the page at `here`, as MkDocs writes it."""
    dirname, _, basename = here.rpartition("/")
    if "." in basename:
        here = dirname
    here_parts, dest_parts = _parts(here), _parts(url)
    common = 0
    for a, b in zip(here_parts, dest_parts, strict=False):
        if a != b:
            break
        common += 1
    rel = "/".join([".."] * (len(here_parts) - common) + dest_parts[common:]) or "."
    return rel + "/" if url.endswith("/") else rel


def linker(urls: dict[str, str], *, here: str) -> Link:
    """Turn a docs-relative path ('practices/x.md') into a URL relative to the page at `here`."""

    def link(target: str) -> str:
        url = urls.get(target)
        if url is None:
            raise UnknownTarget(f"a data template links to '{target}', which is not a page or file of this site")
        return relative_url(url, here=here)

    return link


def url_table(srcs: Iterable[str], *, use_directory_urls: bool) -> dict[str, str]:
    """Every docs path's URL from the site root."""
    return {src: page_url(src, use_directory_urls=use_directory_urls) for src in srcs}


def _parts(path: str) -> list[str]:
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return out
