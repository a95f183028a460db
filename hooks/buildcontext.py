"""Shared by the MkDocs hooks: the build's one "now", its review interval, and its one load of the data.

Not a hook itself (it is not listed under `hooks:`); hooks import it as a sibling module.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from sitedata.data.checks import REVIEW_MONTHS_DEFAULT
from sitedata.data.errors import DataErrors
from sitedata.data.load import DATA_DIR, SiteData, load_site_cached
from sitedata.data.provenance import STALE_MONTHS_DEFAULT, VERY_STALE_MONTHS_DEFAULT, HoursAge
from sitedata.views.directory import PAGE_SIZE_DEFAULT

LONDON = ZoneInfo("Europe/London")
BUILD_TIME = "build_time"
# SITE_DATA_DIR lets tests and the benchmark build the site from another copy of the data.
DATA_DIR_VARIABLE = "SITE_DATA_DIR"


# Generated pages that are HTML from data templates already (docs-relative source paths): hooks/site.py
# hands their HTML to the page as it is, instead of through Python-Markdown, which would only copy it.
HTML_PAGES: set[str] = set()


# The internal link check hooks/links.py starts and hooks/links_report.py reports (a sitedata.background.Job).
LINK_CHECK: dict[str, object] = {}


def site_base_path(config: MkDocsConfig) -> str:
    """The path the site is served under ('/' unless site_url says otherwise)."""
    return urlsplit(config.site_url or "").path or "/"


def build_time(config: MkDocsConfig) -> datetime:
    """The build's time in London, the same for every hook (kept in config.extra, where templates can read it)."""
    stamp = config.extra.get(BUILD_TIME)
    if not stamp:
        stamp = datetime.now(LONDON).isoformat(timespec="seconds")
        config.extra[BUILD_TIME] = stamp
    return datetime.fromisoformat(stamp)


def review_months(config: MkDocsConfig) -> int:
    """extra.review_months from mkdocs.yml: months after an entry's last check before it is due again."""
    value = config.extra.get("review_months", REVIEW_MONTHS_DEFAULT)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PluginError(f"mkdocs.yml: extra.review_months must be a whole number of months, at least 1 (for example 12), not {value!r}")
    return value


def directory_page_size(config: MkDocsConfig) -> int:
    """extra.directory_page_size from mkdocs.yml: past this many services the directory has one page per area."""
    value = config.extra.get("directory_page_size", PAGE_SIZE_DEFAULT)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PluginError(
            f"mkdocs.yml: extra.directory_page_size must be a whole number of services, at least 1 (for example {PAGE_SIZE_DEFAULT}), not {value!r}"
        )
    return value


def hours_age(config: MkDocsConfig) -> HoursAge:
    """extra.hours_stale_months and extra.hours_very_stale_months: when unconfirmed hours get a warning, then lose open/closed."""
    stale = config.extra.get("hours_stale_months", STALE_MONTHS_DEFAULT)
    very = config.extra.get("hours_very_stale_months", VERY_STALE_MONTHS_DEFAULT)
    for name, value in (("hours_stale_months", stale), ("hours_very_stale_months", very)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise PluginError(f"mkdocs.yml: extra.{name} must be a whole number of months, at least 1 (for example 12), not {value!r}")
    if very <= stale:
        raise PluginError(f"mkdocs.yml: extra.hours_very_stale_months ({very}) must be more than extra.hours_stale_months ({stale})")
    return HoursAge(stale_months=stale, very_stale_months=very)


def site_data(config: MkDocsConfig) -> SiteData:
    """The checked data for this build; any data error stops the build with every error listed."""
    data_dir = Path(os.environ.get(DATA_DIR_VARIABLE, DATA_DIR))
    try:
        return load_site_cached(data_dir=data_dir, today=build_time(config).date(), review_months=review_months(config), hours_age=hours_age(config))
    except DataErrors as exc:
        raise PluginError(exc.report(outcome="no site was built from this data.")) from None


def page_link(files: Files, *, here: str) -> Callable[[str], str]:
    """Turn a docs-relative source path ('practices/x.md') into a URL relative to the page at `here`."""

    def link(target: str) -> str:
        file = files.get_file_from_path(target)
        if file is None:
            raise PluginError(f"a data template links to '{target}', which is not a page or file of this site")
        return get_relative_url(file.url, here)

    return link
