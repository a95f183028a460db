"""MkDocs hook: start the check of the built site's links, beside the last post-build steps.

It starts once every page is written (priority 90: after hooks/search.py writes its index, before
the search words, the service worker and the offline copy's files) and runs in another process
(sitedata.background) while those steps run here. hooks/links_report.py, listed last, waits for it
and reports what still stands in the finished site, then checks external links when
CHECK_EXTERNAL_LINKS=1.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

from buildcontext import LINK_CHECK, site_base_path, site_data
from sitedata.background import Job, worth_a_process
from sitedata.postbuild import links


@event_priority(90)
def on_post_build(*, config: MkDocsConfig) -> None:
    """Start the internal link check of the written pages."""
    LINK_CHECK.clear()
    site = site_data(config)
    background = worth_a_process(len(site.entries("services")) + len(site.entries("practices")))
    LINK_CHECK["job"] = Job(links.check_site, Path(config.site_dir), base_path=site_base_path(config), in_background=background)
