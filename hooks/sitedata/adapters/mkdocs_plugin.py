"""The MkDocs adapter (MkDocs 1.x, ProperDocs): hands the docs files to the core's Build and takes its pages back.

Registered as the `sitedata` plugin (pyproject.toml, entry point mkdocs.plugins) and listed after
`macros` in mkdocs.yml. It keeps its Build on the plugin instance, not in module globals, and needs no
event priorities: every step that must follow another is called in order from one event here.
- on_config: make the Build (data checked, settings checked), log its messages once, register its macros.
- on_files: add the planned pages (front matter only: their HTML is finished) and files; start the search index.
- on_page_content: a planned page's HTML; the table of contents from the headings the data templates made.
- on_post_page, on_post_template: glossary definitions and the security policy on the finished page.
- on_post_build: the core's post-build steps; then the external link check when CHECK_EXTERNAL_LINKS=1.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from sitedata.build import Build, Message, Settings, SettingsError
from sitedata.constants import DATA_DIR, LONDON
from sitedata.data.errors import DataErrors
from sitedata.postbuild import links, offline
from sitedata.views.search import SearchError
from sitedata.views.toc import toc_tokens

log = logging.getLogger("mkdocs.plugins.sitedata")

# SITE_DATA_DIR builds the site from another copy of the data (tests, the benchmark); OFFLINE_ZIP offers
# a zip from somewhere other than dist/offline.zip.
DATA_DIR_VARIABLE = "SITE_DATA_DIR"
ZIP_VARIABLE = "OFFLINE_ZIP"


class SitePlugin(BasePlugin):  # type: ignore[type-arg]
    """The site's one MkDocs plugin."""

    def __init__(self) -> None:
        self.serving = False
        self.built: Build | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember `mkdocs serve` (no service worker there); quiet mkdocs-macros' INFO lines unless the build is verbose."""
        self.serving = command == "serve"
        if not logging.getLogger("mkdocs").isEnabledFor(logging.DEBUG):
            logging.getLogger("mkdocs.plugins.mkdocs_macros").setLevel(logging.WARNING)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if any(name in config.plugins for name in ("search", "material/search")):
            raise PluginError("mkdocs.yml: plugins: remove 'search': the site has its own prebuilt search (sitedata.views.search), and two would disagree")
        macros = config.plugins.get("macros")
        if macros is None:
            raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml, before 'sitedata': the prose pages call the data macros")
        try:
            self.built = built = Build(self._settings(config))
        except DataErrors as exc:
            raise PluginError(exc.report(outcome="no site was built from this data.")) from None
        except (SettingsError, offline.OfflineError, SearchError) as exc:
            raise PluginError(str(exc)) from None
        for message in built.messages():
            log.log(message.level, "%s", message.text)
        config.extra.update(built.theme_extra(config.extra.get("polyfills") or []))
        macros.register_macros({name: _bound(macro, macros) for name, macro in built.macros().items()})  # type: ignore[attr-defined]
        return config

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
        return files

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        planned = self._build().page_html(page.file.src_uri)
        if planned is not None:
            html = planned
        _update_toc(page, html)
        return html

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        return self._finish(output, where=page.file.src_uri)

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
        """The theme's own pages (404.html) get their policy too; sitemap.xml is left alone."""
        return self._finish(output_content, where=template_name) if template_name.endswith(".html") else output_content

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        site_dir = Path(config.site_dir)
        try:
            self._build().post_build(site_dir, log=_log)
        except offline.OfflineError as exc:
            raise PluginError(str(exc)) from None
        if links.external_switched_on(os.environ):
            try:
                self._build().check_external_links(site_dir, now=datetime.now(LONDON), log=_log)
            except DataErrors as exc:
                raise PluginError(exc.report(outcome="the external link check did not run.")) from None

    def _finish(self, html: str, *, where: str) -> str:
        try:
            return self._build().finish_page(html, where=where)
        except ValueError as exc:  # an inline script the theme does not emit, or a page without <head>
            raise PluginError(f"{where}: {exc}") from None

    def _build(self) -> Build:
        if self.built is None:
            raise PluginError("the sitedata plugin has no build: its on_config did not run")
        return self.built


def _bound(macro: Any, macros: Any) -> Any:
    """A macro as mkdocs-macros calls it: with no arguments, for the page it is rendering now."""
    return lambda: macro(macros.page.url)


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
