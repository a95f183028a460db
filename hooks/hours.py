"""MkDocs hook: check the directory's opening hours and review dates before anything is built.

Invalid opening_hours syntax is a data error and stops the build (the checks in hooks/sitedata
report it in the usual file:line:col shape). Words that claim 24/7 where the hours say otherwise,
and services not checked within the review interval, are warnings: `mkdocs build --strict` fails on
them. The interval is `extra.review_months` in mkdocs.yml (12 by default).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from sitedata.checks import REVIEW_MONTHS_DEFAULT
from sitedata.directory import hours_warnings, review_warnings
from sitedata.errors import DataErrors
from sitedata.load import DATA_DIR, load_site_cached

LONDON = ZoneInfo("Europe/London")
log = logging.getLogger("mkdocs.plugins.hours")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Stop on bad hours; warn about 24/7 claims the hours contradict and about overdue reviews."""
    months = review_months(config.extra.get("review_months", REVIEW_MONTHS_DEFAULT))
    today = datetime.now(LONDON).date()
    try:
        site = load_site_cached(data_dir=Path(os.environ.get("SITE_DATA_DIR", DATA_DIR)), today=today)
    except DataErrors as exc:
        raise PluginError(exc.report()) from None
    for warning in [*hours_warnings(site), *review_warnings(site, months=months)]:
        log.warning("%s", warning)
    return config


def review_months(value: object) -> int:
    """The review interval from mkdocs.yml, checked."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PluginError(f"mkdocs.yml: extra.review_months must be a whole number of months, at least 1 (for example 12), not {value!r}")
    return value
