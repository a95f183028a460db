"""MkDocs hook: check the built site's links; external ones only when CHECK_EXTERNAL_LINKS=1."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from sitedata import links
from sitedata.errors import DataErrors

log = logging.getLogger("mkdocs.plugins.links")


def on_post_build(*, config: MkDocsConfig) -> None:
    """Warn about every bad link; --strict makes the warnings fail the build."""
    site_dir = Path(config.site_dir)
    base_path = urlsplit(config.site_url or "").path or "/"
    for problem in links.check_site(site_dir, base_path=base_path):
        log.warning("%s", problem)
    if links.external_switched_on(os.environ):
        _check_external(site_dir=site_dir, site_url=config.site_url)


def _check_external(*, site_dir: Path, site_url: str | None) -> None:
    now = datetime.now(links.LONDON)
    try:
        allowlist = links.load_allowlist(today=now.date())
    except DataErrors as exc:
        raise PluginError(exc.report()) from None
    origins = links.external_links_in_site(site_dir, site_url=site_url)
    log.info("Checking %d external links (%s=1)", len(origins), links.SWITCH)
    results = links.check_external(origins, now=now, allowlist=allowlist)
    for result in results:
        # Only broken links fail a strict build; moves, flaky hosts and skips are for editors to read.
        level = logging.WARNING if result.verdict == links.BROKEN else logging.INFO
        for line in links.result_lines(result):
            log.log(level, "%s", line)
