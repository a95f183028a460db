"""MkDocs hook: the offline copy (mkdocs.offline.yml) and the hosted site's service worker.

A thin adapter over hooks/sitedata/postbuild/offline.py.
- Offline build (Material's offline plugin enabled): serve the pinned iframe-worker shim from the
  site instead of the network, stamp the build (build-info.json and a line on every page).
- Hosted build: offer dist/offline.zip if it has been built (`make offline`), and write the
  service worker to the site root with a manifest of every file and the build's hash (not under
  `mkdocs serve`, where a worker would keep showing old pages while you edit).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from buildcontext import build_time, site_data
from sitedata.postbuild import offline

log = logging.getLogger("mkdocs.plugins.offline")

_state: dict[str, object] = {}


def on_startup(command: str, dirty: bool) -> None:
    """Remember whether this is `mkdocs serve`: no service worker there, or it would keep serving old pages while you edit."""
    _state["serving"] = command == "serve"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Stamp the build; for the offline copy, swap the remote shim for the pinned local one."""
    stamp = offline.build_stamp(site=site_data(config), built=build_time(config))
    is_offline = is_offline_build(config)
    _state.update(stamp=stamp, offline=is_offline, zip=None)
    try:
        if is_offline:
            _state["shim"] = offline.shim_file()
            config.extra["polyfills"] = offline.local_polyfills(config.extra.get("polyfills", []))
            config.extra["offline_build"] = stamp.context()
        else:
            # OFFLINE_ZIP lets a build (or a test) offer a zip from somewhere other than dist/offline.zip.
            _state["zip"] = offline.read_zip(Path(os.environ.get("OFFLINE_ZIP", offline.DEFAULT_ZIP)))
    except offline.OfflineError as exc:
        raise PluginError(str(exc)) from None
    macros = config.plugins.get("macros")
    if macros is None:
        raise PluginError("the 'macros' plugin must be enabled in mkdocs.yml: docs/offline.md is rendered through it")
    macros.register_macros({"offline_download": lambda: _offline_download(macros, config)})
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Keep the service worker's source out of assets/ (it is written to the root); add the shim or the zip."""
    source = files.get_file_from_path(offline.SW_SOURCE_PATH)
    if source is not None:
        files.remove(source)
    if _state["offline"]:
        files.append(File.generated(config, offline.SHIM_SITE_PATH, abs_src_path=str(_state["shim"])))
    elif _state["zip"] is not None:
        download: offline.OfflineZip = _state["zip"]  # type: ignore[assignment]
        files.append(File.generated(config, offline.ZIP_SITE_PATH, abs_src_path=str(download.path)))
    _state["files"] = files
    return files


@event_priority(-100)
def on_post_build(config: MkDocsConfig) -> None:
    """After every other writer: the offline copy's stamp, or the hosted site's service worker."""
    site_dir = Path(config.site_dir)
    stamp: offline.BuildStamp = _state["stamp"]  # type: ignore[assignment]
    if _state["offline"]:
        (site_dir / offline.STAMP_SITE_PATH).write_text(offline.stamp_json(stamp), encoding="utf-8")
        return
    if _state.get("serving"):
        return
    source = _theme_file(config, offline.SW_SOURCE_PATH).read_text(encoding="utf-8")
    entries = offline.precache_entries(site_dir=site_dir, use_directory_urls=config.use_directory_urls)
    version = offline.build_version(site_dir=site_dir, entries=entries)
    script = offline.service_worker_script(source=source, version=version, entries=entries)
    (site_dir / offline.SW_SITE_PATH).write_text(script, encoding="utf-8")
    log.info(f"service worker: {len(entries)} files precached, build {version}")


def is_offline_build(config: MkDocsConfig) -> bool:
    """True when Material's offline plugin is on (mkdocs.offline.yml)."""
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return plugin is not None and bool(getattr(plugin, "config", {}).get("enabled", False))


def _theme_file(config: MkDocsConfig, path: str) -> Path:
    for folder in config.theme.dirs:
        if (Path(folder) / path).is_file():
            return Path(folder) / path
    raise PluginError(f"{path} is missing from the theme folders (it should be in overrides/)")


def _offline_download(macros: object, config: MkDocsConfig) -> str:
    page = macros.page  # type: ignore[attr-defined]
    download: offline.OfflineZip | None = _state["zip"]  # type: ignore[assignment]
    url = None
    if download is not None:
        files: Files = _state["files"]  # type: ignore[assignment]
        url = get_relative_url(files.get_file_from_path(offline.ZIP_SITE_PATH).url, page.url)  # type: ignore[union-attr]
    return offline.offline_panel(
        mode="offline" if _state["offline"] else "hosted",
        stamp=_state["stamp"],  # type: ignore[arg-type]
        download=download,
        download_url=url,
        site_url=config.site_url or None,
    )
