"""MkDocs hook: the helpline directory macro and the directory downloads (JSON, CSV, HSDS).

A thin adapter over hooks/sitedata/directory.py and hooks/sitedata/exports.py. The downloads are
added as generated files, so they are part of the site from the start: `mkdocs serve` serves them and
links to them are checked like any other.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from buildcontext import build_time, page_link, site_data
from sitedata import directory, exports
from sitedata.load import SiteData

_state: dict[str, object] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Load the data (shared with the other hooks) and register the directory macro."""
    _state.update(site=site_data(config), today=build_time(config).date())
    macros = config.plugins.get("macros")
    if macros is None:
        raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml: the directory page is rendered through it")
    macros.register_macros({"helpline_directory": lambda: _directory(macros)})  # type: ignore[attr-defined]
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the downloads: exports/services.json, exports/services.csv and exports/hsds.json."""
    site: SiteData = _state["site"]  # type: ignore[assignment]
    for path, content in exports.export_files(site, generated=_state["today"]).items():  # type: ignore[arg-type]
        files.append(File.generated(config, path, content=content))
    _state["files"] = files
    return files


def _directory(macros: object) -> str:
    site: SiteData = _state["site"]  # type: ignore[assignment]
    files: Files = _state["files"]  # type: ignore[assignment]
    link = page_link(files, here=macros.page.url)  # type: ignore[attr-defined]
    return directory.directory_html(site, link=link, start=_state["today"])  # type: ignore[arg-type]
