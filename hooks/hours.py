"""MkDocs hook: check the directory's opening hours and review dates before anything is built.

Invalid opening_hours syntax is a data error and stops the build (the checks in hooks/sitedata
report it in the usual file:line:col shape). Words that claim 24/7 where the hours say otherwise,
and services not checked within the review interval, are warnings: `mkdocs build --strict` fails on
them. The interval is `extra.review_months` in mkdocs.yml (12 by default).
"""

from __future__ import annotations

import logging

from mkdocs.config.defaults import MkDocsConfig

from buildcontext import review_months, site_data
from sitedata.views.directory import hours_warnings, review_warnings

log = logging.getLogger("mkdocs.plugins.hours")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Stop on bad hours; warn about 24/7 claims the hours contradict and about overdue reviews."""
    site = site_data(config)
    for warning in [*hours_warnings(site), *review_warnings(site, months=review_months(config))]:
        log.warning("%s", warning)
    return config
