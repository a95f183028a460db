"""MkDocs hook, listed last: report the link check hooks/links.py started; external links only when CHECK_EXTERNAL_LINKS=1.

Every bad internal link is a warning, so --strict fails the build. It runs after every other
post-build step (priority -200), when the site is finished: a link to a file written after the
check started is looked up again (sitedata.postbuild.links.confirm_problems).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from buildcontext import LINK_CHECK, site_base_path
from sitedata.background import Job
from sitedata.data.errors import DataErrors
from sitedata.postbuild import links

log = logging.getLogger("mkdocs.plugins.links")


@event_priority(-200)
def on_post_build(*, config: MkDocsConfig) -> None:
    """Warn about every bad link that still stands; then the external check, if switched on."""
    job: Job[list[links.Problem]] | None = LINK_CHECK.pop("job", None)
    if job is None:
        raise PluginError("hooks/links_report.py found no link check to report: list hooks/links.py in mkdocs.yml before it")
    site_dir = Path(config.site_dir)
    for problem in links.confirm_problems(job.result(), site_dir=site_dir, base_path=site_base_path(config)):
        log.warning("%s", problem)
    if links.external_switched_on(os.environ):
        _check_external(site_dir=site_dir, site_url=config.site_url)


def _check_external(*, site_dir: Path, site_url: str | None) -> None:
    now = datetime.now(links.LONDON)
    try:
        allowlist = links.load_allowlist(today=now.date())
    except DataErrors as exc:
        raise PluginError(exc.report(outcome="the external link check did not run.")) from None
    origins = links.external_links_in_site(site_dir, site_url=site_url)
    log.info("Checking %d external links (%s=1)", len(origins), links.SWITCH)
    results = links.check_external(origins, now=now, allowlist=allowlist)
    for result in results:
        # Only broken links fail a strict build; moves, flaky hosts and skips are for editors to read.
        level = logging.WARNING if result.verdict == links.BROKEN else logging.INFO
        for line in links.result_lines(result):
            log.log(level, "%s", line)
