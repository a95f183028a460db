"""The plain-Material comparison: the same pages, from the core's prebuilt tree, built by MkDocs + Material alone.

Method. `sitedata.adapters.plain_tree.prebuild` (what `python -m sitedata prebuild DIR` runs) writes the
whole page plan as a plain docs tree: the prose pages with their data macros rendered, every generated
page and file, and a config with the same theme, overrides, Markdown extensions, nav and validation but
no hooks and neither of our plugins. Building that tree is what plain Material costs for our pages;
the difference from our build is what the core adds inside a build: loading and checking the YAML,
rendering data templates, the generated pages, the glossary and the page hardening. (The core's
post-build step, which a hook-free route runs after the plain build, is not timed here.)
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from mkdocs.utils.yaml import yaml_load

from sitedata.adapters import plain_tree
from sitedata.constants import DATA_DIR, LONDON
from sitedata.postbuild import offline

PROJECT_DIR = Path(__file__).resolve().parents[1]
MKDOCS_CONFIG = PROJECT_DIR / "mkdocs.yml"


def project_config() -> dict[str, Any]:
    """mkdocs.yml as MkDocs reads it (its own YAML tags resolved)."""
    with MKDOCS_CONFIG.open("rb") as fh:
        return yaml_load(fh)


def write_plain_project(*, dest: Path, data_dir: Path | None = None, material_search: bool = False) -> Path:
    """The plain project: the prebuilt tree of our pages and its config, with no hooks and no plugin of ours; returns the config.

    With `material_search`, it is an offline copy with Material's own search (its search and offline
    plugins, the pinned iframe-worker shim served from the copy): what the site used before its own
    prebuilt search, for bench/search_speed.py to time beside it.
    """
    config_file = plain_tree.prebuild(dest, built=datetime.now(LONDON), data_dir=data_dir or DATA_DIR, progress=lambda _line: None)
    if not material_search:
        return config_file
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    shim = dest / "docs" / offline.SHIM_SITE_PATH
    shim.parent.mkdir(parents=True, exist_ok=True)
    shim.write_bytes(offline.shim_file().read_bytes())
    config["plugins"] = {**config["plugins"], "search": {}, "offline": {"enabled": True}}
    config["extra"] = {**config["extra"], "polyfills": [offline.SHIM_SITE_PATH]}
    config["use_directory_urls"] = False
    config_file.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return config_file
