"""Dirty rebuilds (`mkdocs serve --dirty`, which `make serve` runs): which pages a rebuild renders again, and what it deletes.

Generator-neutral: the adapter names the files, asks whether each page is modified, says which data macros each page
called while it was rendered, and says when the whole build succeeded. A page is rendered again unless it was written
before from the same inputs: a fingerprint of what the page is made from (its own HTML or Markdown, the data macros it
called and what they give now, and what every page shares: the settings, the theme folder, the glossary, the file
list) equal to the one it had when last written. Outputs of pages and files the build no longer makes are deleted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from sitedata.build import Build, digest
from sitedata.postbuild import links


class Written:
    """What the builds wrote into one site folder: each page's fingerprint and macros when written, and every output path.

    The adapter keeps it across the rebuilds of one serve session. A page's record is dropped before the page is
    rendered and set again only when the whole build succeeds, so a page left half-built by a failed build is
    rendered again next time.
    """

    def __init__(self, site_dir: str = "") -> None:
        self.site_dir = site_dir
        self.pages: dict[str, str] = {}
        self.macros: dict[str, frozenset[str]] = {}
        self.outputs: set[str] = set()
        self.parsed = links.ParsedPages()  # the link check's parsed pages, kept while their files are unchanged


def settings_digest(*, config_texts: Iterable[str], extra: Mapping[str, Any], theme_dir: Path | None, other: Iterable[str]) -> str:
    """A fingerprint of what shapes every page beyond the data: the config files' text, `extra:` (but the build's time,
    which no page shows), the theme folder's files and anything else the adapter names."""
    theme = []
    if theme_dir is not None:
        theme = sorted(f"{p.relative_to(theme_dir)}:{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in theme_dir.rglob("*") if p.is_file())
    shown = {key: value for key, value in extra.items() if key != "build_time"}
    return digest(*config_texts, json.dumps(shown, sort_keys=True, default=str), *theme, *other)


class DirtyRebuild:
    """One dirty rebuild of `build` into the site folder that `written` records."""

    def __init__(self, build: Build, written: Written, *, settings: str) -> None:
        self.build = build
        self.written = written
        self._shared = digest(build.shared_digest(), settings)  # what every page shares
        self._all_files = ""  # the file list (prose pages' links resolve against it)
        self._everything = False
        self._modified: dict[str, bool] = {}
        self._pages: set[str] = set()
        self._calls: dict[str, set[str]] = {}
        self._pending: dict[str, str] = {}

    def source_files(self, srcs: Iterable[str]) -> None:
        """The docs and theme files before the plan adds its own: a page added to or gone from the nav changes every page's nav."""
        self._shared = digest(self._shared, *sorted(srcs))

    def all_files(self, srcs: Iterable[str]) -> None:
        self._all_files = digest(*sorted(srcs))

    def render_everything(self, everything: bool) -> None:
        """Render every page (a nav title taken from a page's content reaches every other page)."""
        self._everything = everything

    def outputs(self, *, pages: Iterable[str], outputs: Iterable[str], site_dir: Path) -> None:
        """This build's pages and every file it writes: what earlier builds wrote and this one does not make is deleted."""
        self._pages = set(pages)
        current = set(outputs)
        for path in sorted(self.written.outputs - current):
            _remove(Path(path), site_dir=site_dir)
        self.written.outputs = current

    def modified(self, src: str, *, dest: Path, url: str, source: Callable[[], bytes]) -> bool:
        """Whether this build renders the page: always, unless it was written before from the same inputs."""
        if self._everything:
            return True
        if src not in self._modified:
            before = self.written.pages.get(src)
            macros = self.written.macros.get(src, frozenset())
            self._modified[src] = before is None or not dest.is_file() or before != self._fingerprint(src, url=url, source=source, macros=macros)
        return self._modified[src]

    def rendering(self, src: str) -> None:
        """The page is about to be rendered: its record goes until the build succeeds."""
        self.written.pages.pop(src, None)
        self._calls[src] = set()

    def called(self, src: str, macro: str) -> None:
        self._calls.setdefault(src, set()).add(macro)

    def rendered(self, src: str, *, url: str, source: Callable[[], bytes]) -> None:
        self._pending[src] = self._fingerprint(src, url=url, source=source, macros=frozenset(self._calls.get(src, ())))

    def succeeded(self) -> str:
        """The build succeeded: each page written now is recorded with its fingerprint; pages no longer built are forgotten.
        Returns the line for the log."""
        written = self.written
        for src, fingerprint in self._pending.items():
            written.pages[src] = fingerprint
            written.macros[src] = frozenset(self._calls.get(src, ()))
        written.pages = {src: value for src, value in written.pages.items() if src in self._pages}
        written.macros = {src: value for src, value in written.macros.items() if src in written.pages}
        return f"dirty rebuild: {len(self._pending)} of {len(self._pages)} pages rendered again (the others' inputs did not change)"

    def _fingerprint(self, src: str, *, url: str, source: Callable[[], bytes], macros: frozenset[str]) -> str:
        """Everything the page is made from: a generated page's HTML; a prose page's Markdown, the file list and its macros' output."""
        own = self.build.page_digest(src)
        if own is None:
            own = digest(source().decode("utf-8", "surrogateescape"), self._all_files, self.build.macro_digest(macros, here=url))
        return digest(self._shared, own)


class CompiledTemplates(jinja2.BytecodeCache):
    """The theme's templates compiled once per serve session, not again at every rebuild (MkDocs makes a new Jinja
    environment each time). Jinja checks each template's source against the checksum kept with its code, so an edited
    template is compiled again; `key` keeps code made under other environment options apart."""

    def __init__(self) -> None:
        self.env_key = ""
        self._code: dict[str, bytes] = {}

    def use_for(self, env: jinja2.Environment, *, key: str) -> None:
        if key != self.env_key:
            self.env_key, self._code = key, {}
        env.bytecode_cache = self

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def _remove(path: Path, *, site_dir: Path) -> None:
    """Delete a file the build no longer makes, and the folders it leaves empty (never the site folder itself)."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != site_dir and site_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty
            return
        folder = folder.parent
