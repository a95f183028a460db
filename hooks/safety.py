"""MkDocs hook: the quick-exit destination, a Content-Security-Policy per page, and no opener or referrer for external links.

A thin adapter over hooks/sitedata/postbuild/hardening.py. It runs after every other plugin and hook
(priority -100), so the policy hashes the final HTML.
"""

from __future__ import annotations

import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

from sitedata.postbuild.hardening import Origin, check_exit_url, harden_page, trusted_scripts
from sitedata.postbuild.offline import shim_csp_hashes

DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"

_state: dict[str, object] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Check the quick-exit destination and learn which inline scripts the theme may emit."""
    try:
        config.extra["quick_exit_url"] = check_exit_url(config.extra.get("quick_exit_url", DEFAULT_EXIT_URL))
    except ValueError as exc:
        raise PluginError(str(exc)) from None
    _state["trusted"] = trusted_scripts(template_dirs=config.theme.dirs)
    _state["origin"] = _origin(config)
    return config


@event_priority(-100)
def on_post_page(output: str, /, *, page: Page, config: MkDocsConfig) -> str:
    """Harden every Markdown page once everything else has changed it."""
    return _harden(output, where=page.file.src_uri)


@event_priority(-100)
def on_post_template(output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
    """Harden the theme's own HTML pages (404.html); leave sitemap.xml alone."""
    return _harden(output_content, where=template_name) if template_name.endswith(".html") else output_content


def _harden(html: str, *, where: str) -> str:
    trusted: tuple[re.Pattern[str], ...] = _state["trusted"]  # type: ignore[assignment]
    origin: Origin = _state["origin"]  # type: ignore[assignment]
    try:
        # From file://, search runs in the iframe-worker shim's iframe, whose inline script the policy must allow.
        extra = shim_csp_hashes(html) if origin == "file" else ()
        return harden_page(html, trusted=trusted, origin=origin, extra_script_hashes=extra)
    except ValueError as exc:  # UntrustedScript, or a page without <head>
        raise PluginError(f"{where}: {exc}") from None


def _origin(config: MkDocsConfig) -> Origin:
    """Pages opened from file:// (the offline build) need file: in the policy; served pages do not."""
    offline = config.plugins.get("material/offline") or config.plugins.get("offline")
    return "file" if offline is not None and getattr(offline, "config", {}).get("enabled", False) else "server"
