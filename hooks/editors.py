"""MkDocs hook: the editors' review-due page (docs/editors/review-due.md), through the review_due() macro.

A thin adapter: the list comes from sitedata.review, which reuses the warnings load_site found.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from sitedata.errors import DataErrors
from sitedata.load import DATA_DIR, load_site_cached
from sitedata.render import render
from sitedata.review import review_due, review_months

LONDON = ZoneInfo("Europe/London")

_state: dict[str, object] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Register the review_due() macro."""
    macros = config.plugins.get("macros")
    if macros is None:
        raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml: the review-due page is rendered through it")
    macros.register_macros({"review_due": lambda: _review_due_html(macros)})
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Remember the site's files, to link each entry to the page that shows it."""
    _state["files"] = files
    return files


def _review_due_html(macros: object) -> str:
    today = datetime.now(LONDON).date()
    try:
        site = load_site_cached(data_dir=Path(os.environ.get("SITE_DATA_DIR", DATA_DIR)), today=today)
    except DataErrors as exc:
        raise PluginError(exc.report()) from None
    here = macros.page.url  # type: ignore[attr-defined]
    files: Files = _state["files"]  # type: ignore[assignment]

    def link(target: str) -> str:
        file = files.get_file_from_path(target)
        if file is None:
            raise PluginError(f"the review-due page links to '{target}', which is not a page of this site")
        return get_relative_url(file.url, here)

    return render("review_due.html", entries=review_due(site), months=review_months(), today=today, link=link)
