"""The offline copy and the service worker: the pinned iframe-worker shim, the policy hash for its
iframe, the service worker's precache manifest, the build stamp, and the zip.

Plain functions, no MkDocs: sitedata.build calls them. `python -m sitedata.postbuild.offline SITE ZIP`
packs a built offline copy into a zip (the Makefile's `offline` target).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from sitedata import npm
from sitedata.constants import PROJECT_DIR
from sitedata.data.load import SiteData
from sitedata.postbuild.hardening import script_hash
from sitedata.text import long_date
from sitedata.views.render import render

SHIM_PACKAGE = "iframe-worker"
SHIM_IN_PACKAGE = "shim/index.js"
# Where the shim goes in the built site. Material's offline plugin adds its own (remote) shim
# unless a polyfill whose address contains "iframe-worker" is already configured.
SHIM_SITE_PATH = "assets/javascripts/iframe-worker/shim.js"
SW_SOURCE_PATH = "assets/javascripts/sw.js"
SW_SITE_PATH = "sw.js"
STAMP_SITE_PATH = "build-info.json"
ZIP_SITE_PATH = "downloads/offline.zip"
DEFAULT_ZIP = PROJECT_DIR / "dist" / "offline.zip"
# Not precached: source maps, Material's stemmers for languages the site does not use, the
# offline download itself, sitemaps, the worker itself, the file:// copy of the search index, and
# the Open Referral HSDS downloads (for directory systems, ~6 MB per 1,000 services: too much to
# put on every visitor's phone; the offline zip still has them).
_NOT_PRECACHED = re.compile(
    r"\.map$|^assets/javascripts/lunr/|\.zip$|^sitemap\.xml(\.gz)?$|^sw\.js$|^search/search_index\.js$|^exports/hsds/"
)
# Not zipped: source maps, and Material's stemmers for languages the site does not use.
_NOT_ZIPPED = re.compile(r"\.map$|^assets/javascripts/lunr/")
_CONFIG_JSON = re.compile(r'<script id="__config" type="application/json">(?P<json>.*?)</script>', re.DOTALL)
_WRITE_TEMPLATE = re.compile(r"document\.write\(`(?P<html>.*?)`\)", re.DOTALL)
_INLINE_SCRIPT = re.compile(r"<script>(?P<text>.*?)<\\/script>", re.DOTALL)
_PLACEHOLDER = re.compile(r"\$\{(?P<name>[A-Za-z_$][\w$]*)\}")
_CONSTRUCTOR_ARG = re.compile(r"constructor\((?P<name>[A-Za-z_$][\w$]*)\)")
# Fixed zip entry times keep the zip the same for the same build (zip cannot store dates before 1980).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class OfflineError(ValueError):
    """The offline copy cannot be built; the message says what to do."""


@dataclass(frozen=True)
class BuildStamp:
    """When a build was made, and the range of dates its service details were last reviewed."""

    built: str
    services_checked_oldest: str
    services_checked_newest: str

    def context(self) -> dict[str, str]:
        """The dates as a template shows them."""
        built = datetime.fromisoformat(self.built)
        return {
            "built": self.built,
            "built_date": long_date(built.date()),
            "built_time": built.strftime("%H:%M"),
            "checked_oldest": self.services_checked_oldest,
            "checked_newest": self.services_checked_newest,
            "checked_oldest_date": long_date(self.services_checked_oldest),
            "checked_newest_date": long_date(self.services_checked_newest),
        }


@dataclass(frozen=True)
class OfflineZip:
    """The offline download as the hosted site offers it."""

    path: Path
    size: int
    stamp: BuildStamp

    def size_text(self) -> str:
        """'1.4 MB' or '640 KB'."""
        if self.size >= 1_000_000:
            return f"{self.size / 1_000_000:.1f} MB"
        return f"{max(1, round(self.size / 1000))} KB"


@dataclass(frozen=True)
class PrecacheEntry:
    """One file the service worker keeps: the address it is asked for, and the built file."""

    url: str
    path: str


def build_stamp(*, site: SiteData, built: datetime) -> BuildStamp:
    """The stamp for a build made at `built` (tz-aware) from `site`."""
    if built.tzinfo is None:
        raise ValueError("built must be timezone-aware")
    checked = sorted(s["last_reviewed"] for s in site.entries("services"))
    return BuildStamp(built=built.isoformat(timespec="minutes"), services_checked_oldest=checked[0], services_checked_newest=checked[-1])


def shim_file(*, project_dir: Path = PROJECT_DIR) -> Path:
    """The pinned iframe-worker shim in node_modules, or an OfflineError that says to run `npm ci`."""
    version = npm.pinned(SHIM_PACKAGE, project_dir=project_dir)
    if version is None:
        raise OfflineError(
            f"package.json does not declare '{SHIM_PACKAGE}': the offline copy needs it (npm install --save-exact {SHIM_PACKAGE})"
        )
    found = npm.installed_file(SHIM_PACKAGE, SHIM_IN_PACKAGE, version=version, project_dir=project_dir)
    if isinstance(found, str):
        raise OfflineError(found)
    return found


def local_polyfills(polyfills: Iterable[str]) -> list[str]:
    """The theme's polyfill scripts with the iframe-worker shim served from the site itself; an OfflineError for any other remote script."""
    out = []
    for script in polyfills:
        if SHIM_PACKAGE in str(script):
            script = SHIM_SITE_PATH
        elif re.match(r"^([a-z][a-z0-9+.-]*:)?//", str(script), re.IGNORECASE):
            raise OfflineError(f"extra.polyfills: '{script}' would load from the network, which the offline copy must never do")
        if script not in out:
            out.append(script)
    if SHIM_SITE_PATH not in out:
        out.append(SHIM_SITE_PATH)
    return out


def page_worker_url(page_html: str) -> str | None:
    """The search worker's address as this page gives it to Material (relative to the page)."""
    match = _CONFIG_JSON.search(page_html)
    if match is None:
        return None
    url = json.loads(match["json"]).get("search")
    return url if isinstance(url, str) else None


def shim_iframe_script(*, shim_js: str, worker_url: str) -> str:
    """The inline script the shim writes into its hidden iframe to run `worker_url`, exactly as the browser will hash it."""
    write = _WRITE_TEMPLATE.search(shim_js)
    script = _INLINE_SCRIPT.search(write["html"]) if write else None
    arg = _CONSTRUCTOR_ARG.search(shim_js)
    if script is None or arg is None:
        raise OfflineError(
            f"{SHIM_PACKAGE}: the shim no longer writes an inline <script> the way this build expects; "
            f"check {__name__}.shim_iframe_script against the new version"
        )
    text = script["text"]
    if "\\" in text or "`" in text:
        raise OfflineError(
            f"{SHIM_PACKAGE}: unexpected escapes in the shim's iframe script; check {__name__}.shim_iframe_script against the new version"
        )

    def value(match: re.Match[str]) -> str:
        name = match["name"]
        return worker_url if name == arg["name"] else _function_source(shim_js, name)

    return _PLACEHOLDER.sub(value, text)


def shim_csp_hashes(page_html: str, *, project_dir: Path = PROJECT_DIR) -> list[str]:
    """The CSP hash ('sha256-...') of the script the shim will write into its iframe on this page; none if the page has no search."""
    url = page_worker_url(page_html)
    if url is None:
        return []
    return [script_hash(shim_iframe_script(shim_js=_shim_text(project_dir), worker_url=url))]


def precache_entries(*, site_dir: Path, use_directory_urls: bool) -> list[PrecacheEntry]:
    """Every built file the service worker keeps, pages under the address a browser asks for."""
    entries = []
    for file in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        path = file.relative_to(site_dir).as_posix()
        if _NOT_PRECACHED.search(path):
            continue
        url = path
        if use_directory_urls and (path == "index.html" or path.endswith("/index.html")):
            url = path.removesuffix("index.html") or "./"
        entries.append(PrecacheEntry(url=url, path=path))
    return entries


def build_version(*, site_dir: Path, entries: Iterable[PrecacheEntry]) -> str:
    """A short hash of every precached file's address and content: it changes whenever any of them does."""
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(entry.url.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256((site_dir / entry.path).read_bytes()).digest())
    return digest.hexdigest()[:16]


def service_worker_script(*, source: str, version: str, entries: Iterable[PrecacheEntry]) -> str:
    """The service worker as served: its manifest on the first line, then the source."""
    manifest = {"version": version, "files": [e.url for e in entries]}
    return f"const MANIFEST = {json.dumps(manifest, separators=(',', ':'))};\n{source}"


def write_zip(*, site_dir: Path, zip_path: Path) -> OfflineZip:
    """Pack a built offline copy into `zip_path`: index.html at the top, the same bytes for the same build, no maps or unused stemmers."""
    stamp = read_stamp(site_dir / STAMP_SITE_PATH)
    if not (site_dir / "index.html").is_file():
        raise OfflineError(f"{site_dir}/index.html is missing: build the offline copy first (mkdocs build -f mkdocs.offline.yml)")
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    partial = zip_path.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for file in sorted(p for p in site_dir.rglob("*") if p.is_file()):
            if _NOT_ZIPPED.search(file.relative_to(site_dir).as_posix()):
                continue
            info = zipfile.ZipInfo(file.relative_to(site_dir).as_posix(), date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, file.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    partial.replace(zip_path)
    return OfflineZip(path=zip_path, size=zip_path.stat().st_size, stamp=stamp)


def read_zip(zip_path: Path) -> OfflineZip | None:
    """The offline download at `zip_path` with its build stamp, or None if there is none."""
    if not zip_path.is_file():
        return None
    with zipfile.ZipFile(zip_path) as archive:
        try:
            stamp = _parse_stamp(archive.read(STAMP_SITE_PATH).decode("utf-8"), where=f"{zip_path}:{STAMP_SITE_PATH}")
        except KeyError:
            raise OfflineError(f"{zip_path} has no {STAMP_SITE_PATH}: rebuild it with `make offline`") from None
    return OfflineZip(path=zip_path, size=zip_path.stat().st_size, stamp=stamp)


def stamp_json(stamp: BuildStamp) -> str:
    """The stamp as written into a build (build-info.json)."""
    return json.dumps(asdict(stamp), indent=2) + "\n"


def read_stamp(path: Path) -> BuildStamp:
    """A build's stamp from its build-info.json."""
    if not path.is_file():
        raise OfflineError(f"{path} is missing: build the offline copy with mkdocs.offline.yml first")
    return _parse_stamp(path.read_text(encoding="utf-8"), where=str(path))


def offline_panel(*, mode: str, stamp: BuildStamp, download: OfflineZip | None, download_url: str | None, site_url: str | None) -> str:
    """The 'Download for offline use' panel: on the hosted site, the zip and its date; in the offline copy, this copy's dates."""
    return render(
        "offline.html",
        mode=mode,
        this_build=stamp.context(),
        download=None if download is None else {"url": download_url, "size": download.size_text(), **download.stamp.context()},
        site_url=site_url,
    )


@lru_cache(maxsize=2)
def _shim_text(project_dir: Path) -> str:
    return shim_file(project_dir=project_dir).read_text(encoding="utf-8")


def _parse_stamp(text: str, *, where: str) -> BuildStamp:
    try:
        data = json.loads(text)
        stamp = BuildStamp(**data)
        datetime.fromisoformat(stamp.built)
        date.fromisoformat(stamp.services_checked_oldest)
        date.fromisoformat(stamp.services_checked_newest)
    except (ValueError, TypeError) as exc:
        raise OfflineError(f"{where}: not a build stamp ({exc})") from None
    return stamp


def _function_source(js: str, name: str) -> str:
    """The source text of `function name(...){...}` in minified JS, as Function.prototype.toString gives it."""
    start = js.find(f"function {name}(")
    if start < 0:
        raise OfflineError(
            f"{SHIM_PACKAGE}: function '{name}' not found in the shim; check {__name__}.shim_iframe_script against the new version"
        )
    depth, quote, i = 0, "", js.index("{", start)
    while i < len(js):
        char = js[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return js[start : i + 1]
        i += 1
    raise OfflineError(f"{SHIM_PACKAGE}: function '{name}' in the shim never ends")


def _main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m sitedata.postbuild.offline SITE_DIR ZIP_PATH", file=sys.stderr)
        return 2
    try:
        made = write_zip(site_dir=Path(argv[0]), zip_path=Path(argv[1]))
    except OfflineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{made.path}: {made.size_text()} ({made.size} bytes), built {made.stamp.built}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
