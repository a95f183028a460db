"""The MkDocs adapter (MkDocs 1.x, ProperDocs): hands the docs files to the core's Build and takes its pages back.

Registered as the `sitedata` plugin (pyproject.toml, entry point mkdocs.plugins) and listed after
`macros` in mkdocs.yml. It keeps its Build on the plugin instance, not in module globals, and needs no
event priorities: every step that must follow another is called in order from one event here.
- on_config: make the Build (data checked, settings checked), log its messages once, register its macros.
- on_files: add the planned pages (front matter only: their HTML is finished) and files; start the search index.
- on_page_content: a planned page's HTML; the table of contents from the headings the data templates made.
- on_post_page, on_post_template: glossary definitions and the security policy on the finished page.
- on_post_build: the core's post-build steps; then the external link check when CHECK_EXTERNAL_LINKS=1.

Under `mkdocs serve --dirty` (`make serve`) a rebuild re-renders only the pages whose inputs changed:
MkDocs asks each page's File.is_modified(), and the core's DirtyRebuild (sitedata.rebuild) answers.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from sitedata.build import Build, Message, Settings, SettingsError, digest
from sitedata.constants import DATA_DIR, LONDON
from sitedata.data.errors import DataErrors
from sitedata.postbuild import links, offline
from sitedata.rebuild import CompiledTemplates, DirtyRebuild, Written, settings_digest
from sitedata.views.search import SearchError
from sitedata.views.toc import toc_tokens

log = logging.getLogger("mkdocs.plugins.sitedata")

# SITE_DATA_DIR builds the site from another copy of the data (tests, the benchmark); OFFLINE_ZIP offers
# a zip from somewhere other than dist/offline.zip.
DATA_DIR_VARIABLE = "SITE_DATA_DIR"
ZIP_VARIABLE = "OFFLINE_ZIP"
_INHERIT = re.compile(r"^INHERIT:\s*(\S+)\s*$", re.MULTILINE)
# MkDocs warns at every dirty build that pages may show stale navigation and links; this plugin decides which pages
# a dirty build renders (_Written), so the warning does not apply, and under --strict it would stop the build.
_DIRTY_WARNING = "A 'dirty' build is being performed"
_MKDOCS_BUILD_LOG = logging.getLogger("mkdocs.commands.build")


def _not_the_dirty_warning(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith(_DIRTY_WARNING)


class SitePlugin(BasePlugin):  # type: ignore[type-arg]
    """The site's one MkDocs plugin."""

    def __init__(self) -> None:
        self._new_session(serving=False, dirty=False)

    def _new_session(self, *, serving: bool, dirty: bool) -> None:
        """Forget everything: MkDocs keeps this instance for the whole process, and one session must not reach the next."""
        self.serving = serving
        self.dirty = dirty
        self.built: Build | None = None  # the last build: the next one reuses what it made from the same inputs
        self._written = Written()  # what the builds wrote into the site folder (dirty rebuilds)
        self._compiled = CompiledTemplates()
        self._new_build()

    def _new_build(self) -> None:
        """Forget the last build's working state (not what it wrote)."""
        self._config = ""  # the fingerprint of the config and theme folder
        self._dirty: DirtyRebuild | None = None
        self._made: dict[str, list[str]] = {}  # each page's macro output, in the order its placeholders were given

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember `mkdocs serve` (no service worker there) and a dirty build (pages re-rendered only when their inputs
        changed); quiet mkdocs-macros' INFO lines unless the build is verbose."""
        self._new_session(serving=command == "serve", dirty=dirty)
        if dirty:
            _MKDOCS_BUILD_LOG.addFilter(_not_the_dirty_warning)
        if not logging.getLogger("mkdocs").isEnabledFor(logging.DEBUG):
            logging.getLogger("mkdocs.plugins.mkdocs_macros").setLevel(logging.WARNING)

    def on_shutdown(self) -> None:
        _MKDOCS_BUILD_LOG.removeFilter(_not_the_dirty_warning)
        self._new_session(serving=False, dirty=False)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if any(name in config.plugins for name in ("search", "material/search")):
            raise PluginError("mkdocs.yml: plugins: remove 'search': the site has its own prebuilt search (sitedata.views.search), and two would disagree")
        macros = config.plugins.get("macros")
        if macros is None:
            raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml, before 'sitedata': the prose pages call the data macros")
        try:
            self.built = built = Build(self._settings(config), previous=self.built)
        except DataErrors as exc:
            raise PluginError(exc.report(outcome="no site was built from this data.")) from None
        except (SettingsError, offline.OfflineError, SearchError) as exc:
            raise PluginError(str(exc)) from None
        for message in built.messages():
            log.log(message.level, "%s", message.text)
        config.extra.update(built.theme_extra(config.extra.get("polyfills") or []))
        macros.register_macros({name: self._bound(name, macro, macros) for name, macro in built.macros().items()})  # type: ignore[attr-defined]
        self._new_build()
        self._config = _config_digest(config) if self.serving or self.dirty else ""
        if self.dirty:
            if self._written.site_dir != config.site_dir:
                self._written = Written(config.site_dir)
            self._dirty = DirtyRebuild(built, self._written, settings=self._config)
        return config

    def _bound(self, name: str, macro: Any, macros: Any) -> Any:
        """A macro as mkdocs-macros calls it: with no arguments, for the page it is rendering now (which is noted).

        The page's Markdown gets a placeholder, and on_page_content puts the macro's finished HTML in its place:
        Python-Markdown would only parse that HTML to pass it through unchanged (at 1,000 entries the good practice
        index alone is a third of a second of it).
        """

        def call() -> str:
            page = macros.page
            if self._dirty is not None:
                self._dirty.called(page.file.src_uri, name)
            made = self._made.setdefault(page.file.src_uri, [])
            made.append(macro(page.url))
            return _placeholder(len(made) - 1)

        return call

    def _settings(self, config: MkDocsConfig) -> Settings:
        stamp = config.extra.get("build_time")
        built = datetime.fromisoformat(stamp) if stamp else datetime.now(LONDON)
        return Settings.from_extra(
            config.extra,
            built=built,
            data_dir=Path(os.environ.get(DATA_DIR_VARIABLE, DATA_DIR)),
            docs_dir=Path(config.docs_dir),
            theme_dirs=tuple(Path(folder) for folder in config.theme.dirs),
            repo_url=config.repo_url or None,
            site_url=config.site_url or None,
            use_directory_urls=config.use_directory_urls,
            offline=_offline_plugin_on(config),
            serving=self.serving,
            zip_path=Path(os.environ.get(ZIP_VARIABLE, offline.DEFAULT_ZIP)),
        )

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        built = self._build()
        source = files.get_file_from_path(offline.SW_SOURCE_PATH)
        if source is not None:  # the service worker is written to the site root after the build
            files.remove(source)
        if self._dirty is not None:
            self._dirty.source_files(file.src_uri for file in files)
        plan = built.plan(file.src_uri for file in files)
        for planned_file in plan.files:
            if planned_file.text is not None:
                files.append(File.generated(config, planned_file.path, content=planned_file.text))
            else:
                files.append(File.generated(config, planned_file.path, abs_src_path=str(planned_file.source)))
        for planned in plan.pages.values():
            file = File.generated(config, planned.src, content=planned.page.front_matter())
            if file.url != planned.url:
                raise PluginError(f"{planned.src}: MkDocs serves it at '{file.url}' but the plan says '{planned.url}' (sitedata.views.paths)")
            files.append(file)
        built.start_search()
        if self._dirty is not None:
            self._dirty.all_files(file.src_uri for file in files)
            for file in files.documentation_pages(inclusion=lambda _: True):
                # MkDocs' own test is the file's modification time, which says nothing about a page made from the data.
                modified = partial(self._dirty.modified, file.src_uri, dest=Path(file.abs_dest_path), url=file.url, source=partial(_source, file))
                file.is_modified = modified  # type: ignore[method-assign]
        return files

    def on_nav(self, nav: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        """A nav entry without a title in mkdocs.yml takes its page's: then every page is rendered, or the others' navs would miss it."""
        if self._dirty is not None:
            self._dirty.render_everything(any(page.title is None for page in nav.pages))
        return nav

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        """Under serve, keep the theme's compiled templates for the next rebuild; in a dirty build, delete what earlier
        builds wrote and this one does not make (a removed entry's page)."""
        if self.serving:
            self._compiled.use_for(env, key=digest(self._config, *sorted(env.extensions)))
        if self._dirty is not None:
            pages = (file.src_uri for file in files.documentation_pages(inclusion=lambda _: True))
            self._dirty.outputs(pages=pages, outputs=(file.abs_dest_path for file in files), site_dir=Path(config.site_dir))
        return env

    def on_pre_page(self, page: Page, /, *, config: MkDocsConfig, files: Files) -> Page:
        """The page is about to be rendered: forget its record until the build succeeds, and note the macros it calls."""
        if self._dirty is not None:
            self._dirty.rendering(page.file.src_uri)
        return page

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        planned = self._build().page_html(page.file.src_uri)
        if planned is not None:
            html = planned
        for index, made in enumerate(self._made.pop(page.file.src_uri, [])):
            placeholder = _placeholder(index)
            if html.count(placeholder) != 1:
                raise PluginError(f"{page.file.src_uri}: put each data macro call on a line of its own, with a blank line before and after it")
            html = html.replace(placeholder, made)
        _update_toc(page, html)
        return html

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        if self._dirty is not None:
            self._dirty.rendered(page.file.src_uri, url=page.file.url, source=partial(_source, page.file))
        return self._finish(output, where=page.file.src_uri)

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
        """The theme's own pages (404.html) get their policy too; sitemap.xml is left alone."""
        return self._finish(output_content, where=template_name) if template_name.endswith(".html") else output_content

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        site_dir = Path(config.site_dir)
        try:
            self._build().post_build(site_dir, log=_log, parsed=self._written.parsed if self.dirty else None)
        except offline.OfflineError as exc:
            raise PluginError(str(exc)) from None
        if links.external_switched_on(os.environ):
            try:
                self._build().check_external_links(site_dir, now=datetime.now(LONDON), log=_log)
            except DataErrors as exc:
                raise PluginError(exc.report(outcome="the external link check did not run.")) from None
        if self._dirty is not None:
            log.info("%s", self._dirty.succeeded())

    def _finish(self, html: str, *, where: str) -> str:
        try:
            return self._build().finish_page(html, where=where)
        except ValueError as exc:  # an inline script the theme does not emit, or a page without <head>
            raise PluginError(f"{where}: {exc}") from None

    def _build(self) -> Build:
        if self.built is None:
            raise PluginError("the sitedata plugin has no build: its on_config did not run")
        return self.built


def _placeholder(index: int) -> str:
    """What a page's Markdown holds where its index-th data macro was called (an HTML comment: Markdown keeps it as it is)."""
    return f"<!--sitedata-macro-{index}-->"


def _config_digest(config: MkDocsConfig) -> str:
    """What shapes every page beyond the data: the config file and those it inherits, `extra:`, the theme folder and the data folder."""
    texts: list[str] = []
    path = Path(config.config_file_path) if config.config_file_path else None
    while path is not None and path.is_file() and len(texts) < 10:
        texts.append(path.read_text(encoding="utf-8"))
        parent = _INHERIT.search(texts[-1])
        path = (path.parent / parent.group(1)) if parent else None
    theme_dir = Path(config.theme.custom_dir) if config.theme.custom_dir else None
    other = (config.site_url or "", str(config.use_directory_urls), os.environ.get(DATA_DIR_VARIABLE, ""), os.environ.get(ZIP_VARIABLE, ""))
    return settings_digest(config_texts=texts, extra=config.extra, theme_dir=theme_dir, other=other)


def _source(file: File) -> bytes:
    """A page's source: its Markdown file, or the text a generated page was given."""
    return Path(file.abs_src_path).read_bytes() if file.abs_src_path else file.content_bytes


def _offline_plugin_on(config: MkDocsConfig) -> bool:
    """True when Material's offline plugin is on (mkdocs.offline.yml)."""
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return plugin is not None and bool(getattr(plugin, "config", {}).get("enabled", False))


def _update_toc(page: Page, html: str) -> None:
    """The page's table of contents from its HTML, when that has more headings than the Markdown had (data templates make them)."""
    if "toc" in (page.meta.get("hide") or []):
        return
    known = _count_links(page.toc)
    if sum(html.count(f"<h{n} ") for n in (1, 2, 3)) <= known:  # cheap: no more headings than Markdown found
        return
    tokens = toc_tokens(html)
    if _count(tokens) > known:
        page.toc = get_toc(tokens)  # type: ignore[arg-type]


def _count(tokens: list[Any]) -> int:
    return sum(1 + _count(t["children"]) for t in tokens)


def _count_links(items: Any) -> int:
    return sum(1 + _count_links(item.children) for item in items)


def _log(message: Message) -> None:
    log.log(message.level, "%s", message.text)
