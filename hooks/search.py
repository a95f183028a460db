"""MkDocs hook: search that finds help by the words people type.

A thin adapter over hooks/sitedata/search.py.
- on_config: adds lunr's stop words to the search separator, so they are dropped from queries
  instead of matching every word they start ("my" finding "myCWA").
- on_post_build: gives each entry's search record its hidden `keywords` and `topics` from the
  data. It runs after Material's search plugin has written search/search_index.json (priority 0)
  and before the offline plugin copies it into search_index.js and the service worker hashes it
  (priority -100).
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from buildcontext import site_data
from sitedata import search

log = logging.getLogger("mkdocs.plugins.search_keywords")


@event_priority(-50)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Check the hidden fields are searched, and drop stop words from queries (after the search plugin has set its defaults)."""
    plugin = _search_plugin(config)
    if plugin is None:
        return config
    missing = [f for f in (search.KEYWORDS_FIELD, search.TOPICS_FIELD) if f not in plugin.config["fields"]]
    if missing:
        raise PluginError(
            f"plugins.search.fields in mkdocs.yml must give a boost for {missing}, or the entries' hidden search words are never searched"
        )
    plugin.config["separator"] = search.query_separator(plugin.config["separator"])
    plugin.search_index.config["separator"] = plugin.config["separator"]
    return config


@event_priority(-50)
def on_post_build(config: MkDocsConfig) -> None:
    """Add the hidden fields to the entries' records in the search index."""
    if _search_plugin(config) is None:
        return
    site = site_data(config)
    site_dir = Path(config.site_dir)
    index = search.read_index(site_dir)
    separator = index["config"]["separator"]
    try:
        refs = search.entry_refs(site_dir=site_dir, index=index)
        fields = {location: search.record_fields(site=site, refs=found, separator=separator) for location, found in refs.items()}
    except (KeyError, ValueError) as exc:
        raise PluginError(str(exc.args[0])) from None
    search.write_index(site_dir, search.enrich_index(index=index, fields=fields))
    log.info(f"search: hidden words for {sum(map(len, refs.values()))} entries in {len(refs)} records")


def _search_plugin(config: MkDocsConfig) -> object | None:
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    return plugin if plugin is not None and plugin.config.get("enabled", True) else None
