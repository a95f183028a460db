"""The plain-Material comparison: the same pages, pre-rendered to Markdown, built without our hooks and macros.

Method. One untimed build of our site runs with an extra hook (bench/capture_hook.py) that saves
each page's final Markdown (macros expanded, generated pages included), the generated downloads
and `extra`. The plain project is that folder of Markdown plus a config that INHERITs mkdocs.yml
(same theme and overrides, Markdown extensions, search plugin, nav and validation) but lists no
hooks and drops the macros plugin. The difference between the two builds is what our data layer
costs: loading and checking YAML, rendering data templates, generated pages and page hardening.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from mkdocs.utils.yaml import yaml_load

from sitedata.postbuild import offline

from .capture_hook import DOCS_SUBDIR, EXTRA_FILE

PROJECT_DIR = Path(__file__).resolve().parents[1]
MKDOCS_CONFIG = PROJECT_DIR / "mkdocs.yml"
CAPTURE_HOOK = Path(__file__).resolve().parent / "capture_hook.py"
OUR_PLUGINS = ("macros",)


def project_config() -> dict[str, Any]:
    """mkdocs.yml as MkDocs reads it (its own YAML tags resolved)."""
    with MKDOCS_CONFIG.open("rb") as fh:
        return yaml_load(fh)


def write_capture_config(*, dest: Path) -> Path:
    """A config that builds our site as usual plus the capture hook; returns its path."""
    config = project_config()
    hooks = [str((PROJECT_DIR / h).resolve()) for h in config.get("hooks", [])]
    return _write(
        dest,
        {
            "INHERIT": str(MKDOCS_CONFIG),
            **_absolute_paths(config),
            "hooks": [*hooks, str(CAPTURE_HOOK)],
        },
    )


def write_plain_project(*, capture_dir: Path, dest: Path, material_search: bool = False) -> Path:
    """The plain project: captured Markdown as docs/, a config without our hooks and macros; returns the config.

    With `material_search`, it is an offline copy with Material's own search (its search and offline
    plugins, the pinned iframe-worker shim served from the copy): what the site used before its own
    prebuilt search, for bench/search_speed.py to time beside it.
    """
    config = project_config()
    docs = dest / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    shutil.copytree(capture_dir / DOCS_SUBDIR, docs)
    extra = json.loads((capture_dir / EXTRA_FILE).read_text(encoding="utf-8"))
    plugins: list[Any] = [p for p in config.get("plugins", []) if _plugin_name(p) not in OUR_PLUGINS]
    more: dict[str, Any] = {}
    if material_search:
        shim = docs / offline.SHIM_SITE_PATH
        shim.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(offline.shim_file(), shim)
        plugins += ["search", {"offline": {"enabled": True}}]
        extra = {**extra, "polyfills": [offline.SHIM_SITE_PATH]}
        more["use_directory_urls"] = False
    return _write(
        dest / "mkdocs.plain.yml",
        {
            "INHERIT": str(MKDOCS_CONFIG),
            **_absolute_paths(config),
            "docs_dir": str(docs),
            "hooks": [],
            "plugins": plugins,
            "extra": extra,
            **more,
        },
    )


def _absolute_paths(config: dict[str, Any]) -> dict[str, Any]:
    """Paths that mkdocs.yml gives relative to itself, made absolute for a config that lives elsewhere."""
    out: dict[str, Any] = {"docs_dir": str((PROJECT_DIR / config.get("docs_dir", "docs")).resolve())}
    theme = config.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        out["theme"] = {"custom_dir": str((PROJECT_DIR / theme["custom_dir"]).resolve())}
    if config.get("watch"):
        out["watch"] = [str((PROJECT_DIR / w).resolve()) for w in config["watch"]]
    return out


def _plugin_name(entry: object) -> str:
    return next(iter(entry)) if isinstance(entry, dict) else str(entry)


def _write(path: Path, config: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
