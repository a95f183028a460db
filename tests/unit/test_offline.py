"""The offline copy's and the service worker's build logic (hooks/sitedata/postbuild/offline.py), without a browser."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, TODAY, DataCopy
from sitedata.data.load import load_site
from sitedata.postbuild import offline
from sitedata.postbuild.hardening import script_hash

LONDON = ZoneInfo("Europe/London")
BUILT = datetime(2026, 2, 1, 9, 30, tzinfo=LONDON)


def _project(tmp_path: Path, *, pinned: str | None = "1.0.4", installed: str | None = "1.0.4", shim: str = "/* shim */") -> Path:
    """A project folder with a package.json pinning iframe-worker and, optionally, node_modules."""
    deps = {} if pinned is None else {"iframe-worker": pinned}
    (tmp_path / "package.json").write_text(json.dumps({"private": True, "dependencies": deps}), encoding="utf-8")
    if installed is not None:
        package = tmp_path / "node_modules" / "iframe-worker"
        (package / "shim").mkdir(parents=True)
        (package / "shim" / "index.js").write_text(shim, encoding="utf-8")
        (package / "package.json").write_text(json.dumps({"name": "iframe-worker", "version": installed}), encoding="utf-8")
    return tmp_path


def test_the_shim_comes_from_the_pinned_npm_package(tmp_path: Path) -> None:
    assert offline.shim_file(project_dir=_project(tmp_path)) == tmp_path / "node_modules" / "iframe-worker" / "shim" / "index.js"


def test_a_missing_node_modules_says_to_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(offline.OfflineError, match=r"node_modules/iframe-worker/shim/index.js is missing: run `npm ci`"):
        offline.shim_file(project_dir=_project(tmp_path, installed=None))


def test_another_installed_version_says_to_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(offline.OfflineError, match=r"node_modules has iframe-worker 1.0.3 but package.json pins 1.0.4: run `npm ci`"):
        offline.shim_file(project_dir=_project(tmp_path, installed="1.0.3"))


def test_an_undeclared_shim_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(offline.OfflineError, match="package.json does not declare 'iframe-worker'"):
        offline.shim_file(project_dir=_project(tmp_path, pinned=None))


def test_the_project_pins_an_exact_shim_version() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["iframe-worker"]
    assert pinned[0].isdigit() and set(pinned) <= set("0123456789."), f"pin an exact version, not {pinned!r}"
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]["node_modules/iframe-worker"]
    assert locked["version"] == pinned and locked["integrity"].startswith("sha512-")


def test_the_remote_shim_is_replaced_by_the_local_one() -> None:
    assert offline.local_polyfills(["https://unpkg.com/iframe-worker/shim"]) == [offline.SHIM_SITE_PATH]
    assert offline.local_polyfills([]) == [offline.SHIM_SITE_PATH]
    assert offline.local_polyfills(["assets/x.js", "https://unpkg.com/iframe-worker/shim"]) == ["assets/x.js", offline.SHIM_SITE_PATH]


@pytest.mark.parametrize("script", ["https://example.org/polyfill.js", "//cdn.example.org/a.js", "http://example.org/a.js"])
def test_any_other_remote_script_stops_the_offline_build(script: str) -> None:
    with pytest.raises(offline.OfflineError, match="would load from the network"):
        offline.local_polyfills([script])


def test_the_shim_iframe_script_is_the_one_chromium_hashes() -> None:
    shim = offline.shim_file().read_text(encoding="utf-8")
    text = offline.shim_iframe_script(shim_js=shim, worker_url="assets/javascripts/workers/search.a7633da7.min.js")
    assert text.startswith('postMessage=function c(s,n){parent.postMessage(s,n||"*")};importScripts=function d(')
    assert text.endswith('{filename:"assets/javascripts/workers/search.a7633da7.min.js",error}))})')
    # The hash Chromium 14x asks for in its CSP error for iframe-worker 1.0.4 on a top-level page.
    assert script_hash(text) == "'sha256-zwEeX9SHbdbsDBu4WXpwOZty5sQXKT3c7Ic+TUtFsp0='"


def test_a_shim_written_differently_is_reported_not_guessed() -> None:
    with pytest.raises(offline.OfflineError, match="no longer writes an inline <script>"):
        offline.shim_iframe_script(shim_js="(()=>{window.IFrameWorker=class{}})()", worker_url="w.js")


def test_the_policy_hash_follows_the_page_worker_address() -> None:
    config = '{"base": "..", "search": "../assets/javascripts/workers/search.js"}'
    page = f'<html><head><script id="__config" type="application/json">{config}</script></head></html>'
    shim = offline.shim_file().read_text(encoding="utf-8")
    assert offline.shim_csp_hashes(page) == [
        script_hash(offline.shim_iframe_script(shim_js=shim, worker_url="../assets/javascripts/workers/search.js"))
    ]
    assert offline.shim_csp_hashes("<html><head></head></html>") == []


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for path, text in {
        "index.html": "home",
        "directory/index.html": "directory",
        "404.html": "missing",
        "search/search_index.json": "{}",
        "search/search_index.js": "var __index = {}",
        "assets/javascripts/bundle.min.js": "bundle",
        "assets/javascripts/bundle.min.js.map": "map",
        "assets/javascripts/lunr/min/lunr.de.min.js": "de",
        "downloads/offline.zip": "zip",
        "sitemap.xml": "<urlset/>",
        "sitemap.xml.gz": "gz",
        "sw.js": "old worker",
        "exports/services.json": "{}",
        "exports/hsds/services.json": "[]",
        "exports/hsds/phones.csv": "id",
    }.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text, encoding="utf-8")
    return site


def test_the_worker_keeps_every_page_and_asset_but_not_maps_downloads_or_itself(tmp_path: Path) -> None:
    entries = offline.precache_entries(site_dir=_site(tmp_path), use_directory_urls=True)
    assert [(e.url, e.path) for e in entries] == [
        ("404.html", "404.html"),
        ("assets/javascripts/bundle.min.js", "assets/javascripts/bundle.min.js"),
        ("directory/", "directory/index.html"),
        ("exports/services.json", "exports/services.json"),
        ("./", "index.html"),
        ("search/search_index.json", "search/search_index.json"),
    ]  # the HSDS downloads (exports/hsds/) are for directory systems and grow with the directory: not kept


def test_the_build_version_changes_with_any_kept_file_and_only_then(tmp_path: Path) -> None:
    site = _site(tmp_path)
    entries = offline.precache_entries(site_dir=site, use_directory_urls=True)
    before = offline.build_version(site_dir=site, entries=entries)
    (site / "assets/javascripts/bundle.min.js.map").write_text("another map", encoding="utf-8")
    assert offline.build_version(site_dir=site, entries=entries) == before
    (site / "directory/index.html").write_text("directory, new build", encoding="utf-8")
    assert offline.build_version(site_dir=site, entries=entries) != before


def test_the_worker_script_starts_with_its_manifest(tmp_path: Path) -> None:
    entries = [offline.PrecacheEntry(url="./", path="index.html"), offline.PrecacheEntry(url="a/", path="a/index.html")]
    script = offline.service_worker_script(source="/* source */\n", version="abc123", entries=entries)
    first, rest = script.split("\n", 1)
    assert first == 'const MANIFEST = {"version":"abc123","files":["./","a/"]};'
    assert rest == "/* source */\n"


def test_the_worker_source_uses_only_its_manifest_and_its_own_origin() -> None:
    source = (ROOT / "overrides" / offline.SW_SOURCE_PATH).read_text(encoding="utf-8")
    assert "MANIFEST.version" in source and "MANIFEST.files" in source
    assert "url.origin !== self.location.origin" in source
    assert "http://" not in source and "https://" not in source


def test_the_stamp_gives_the_build_time_and_when_the_services_were_checked(data: DataCopy) -> None:
    data.replace("helplines.yaml", 'last_reviewed: "2026-01-10"', 'last_reviewed: "2025-12-03"')
    context = offline.build_stamp(site=load_site(data_dir=data.path, today=TODAY), built=BUILT).context()
    assert (context["built_date"], context["built_time"]) == ("1 February 2026", "09:30")
    assert context["checked_oldest_date"] == context["checked_newest_date"] == "3 December 2025"


def test_the_stamp_gives_the_range_when_services_were_checked_on_different_days() -> None:
    class Site:
        def entries(self, list_name: str) -> list[dict[str, str]]:
            return [{"last_reviewed": d} for d in ("2026-01-05", "2025-11-30", "2026-01-20")]

    stamp = offline.build_stamp(site=Site(), built=BUILT)  # type: ignore[arg-type]
    assert (stamp.services_checked_oldest, stamp.services_checked_newest) == ("2025-11-30", "2026-01-20")


def test_a_stamp_needs_a_zone_aware_time(data: DataCopy) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        offline.build_stamp(site=load_site(data_dir=data.path, today=TODAY), built=datetime(2026, 2, 1, 9, 30))  # noqa: DTZ001


def _offline_site(tmp_path: Path, data: DataCopy) -> Path:
    site = tmp_path / "offline-site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>Home</title>", encoding="utf-8")
    (site / "assets" / "site.css").write_text("body{}", encoding="utf-8")
    (site / "assets" / "site.css.map").write_text("{}", encoding="utf-8")
    (site / "assets" / "javascripts" / "lunr" / "min").mkdir(parents=True)
    (site / "assets" / "javascripts" / "lunr" / "min" / "lunr.de.min.js").write_text("de", encoding="utf-8")
    stamp = offline.build_stamp(site=load_site(data_dir=data.path, today=TODAY), built=BUILT)
    (site / offline.STAMP_SITE_PATH).write_text(offline.stamp_json(stamp), encoding="utf-8")
    return site


def test_the_zip_has_index_html_at_the_top_and_the_same_bytes_every_time(tmp_path: Path, data: DataCopy) -> None:
    site = _offline_site(tmp_path, data)
    first = offline.write_zip(site_dir=site, zip_path=tmp_path / "a" / "offline.zip")
    second = offline.write_zip(site_dir=site, zip_path=tmp_path / "b" / "offline.zip")
    assert first.path.read_bytes() == second.path.read_bytes()
    with zipfile.ZipFile(first.path) as archive:
        assert sorted(archive.namelist()) == ["assets/site.css", "build-info.json", "index.html"]
    read = offline.read_zip(first.path)
    assert read is not None and read.stamp == first.stamp and read.size == first.size
    assert read.stamp.built == "2026-02-01T09:30+00:00"


def test_no_zip_means_no_download(tmp_path: Path) -> None:
    assert offline.read_zip(tmp_path / "missing.zip") is None


def test_a_zip_without_a_stamp_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "offline.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("index.html", "home")
    with pytest.raises(offline.OfflineError, match="has no build-info.json: rebuild it with `make offline`"):
        offline.read_zip(path)


def test_zipping_an_unbuilt_folder_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(offline.OfflineError, match="build-info.json is missing: build the offline copy"):
        offline.write_zip(site_dir=tmp_path, zip_path=tmp_path / "offline.zip")


@pytest.mark.parametrize(("size", "text"), [(640_400, "640 KB"), (1_450_000, "1.4 MB"), (200, "1 KB")])
def test_the_download_size_is_written_for_people(size: int, text: str) -> None:
    assert (
        offline.OfflineZip(
            path=Path("x.zip"), size=size, stamp=offline.BuildStamp("2026-02-01T09:30+00:00", "2026-01-01", "2026-01-02")
        ).size_text()
        == text
    )


def test_make_offline_builds_with_the_offline_config_and_packs_the_zip() -> None:
    make = shutil.which("make")
    assert make, "make is needed to read the Makefile's recipe"
    dry = subprocess.run([make, "-n", "-B", "offline"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "npm ci" in dry.stdout
    assert "mkdocs build --strict -f mkdocs.offline.yml" in dry.stdout
    assert "-m sitedata.postbuild.offline dist/offline-site dist/offline.zip" in dry.stdout


def test_the_offline_config_inherits_the_site_and_turns_on_the_offline_plugin() -> None:
    text = (ROOT / "mkdocs.offline.yml").read_text(encoding="utf-8")
    assert "INHERIT: mkdocs.yml" in text
    assert "use_directory_urls: false" in text
    assert "site_dir: dist/offline-site" in text
    assert "offline:" in text




