"""The website's offline page: the zip it offers, with its build date, or a plain word that this build has none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DataCopy
from sitedata.postbuild import offline
from unit.test_offline import _offline_site


def test_the_website_offers_the_zip_with_its_build_date_and_keeps_it_out_of_the_worker(
    tmp_path: Path, data: DataCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitebuild import mkdocs_build

    made = offline.write_zip(site_dir=_offline_site(tmp_path, data), zip_path=tmp_path / "dist" / "offline.zip")
    monkeypatch.setenv("OFFLINE_ZIP", str(made.path))
    site = tmp_path / "site"
    result = mkdocs_build(site)
    assert result.returncode == 0, result.stderr
    assert (site / offline.ZIP_SITE_PATH).read_bytes() == made.path.read_bytes()
    page = (site / "offline" / "index.html").read_text(encoding="utf-8")
    assert 'href="../downloads/offline.zip"' in page and "download" in page
    assert f"Zip file, {made.size_text()}, built on" in page and "1 February 2026" in page
    manifest = json.loads(
        (site / offline.SW_SITE_PATH).read_text(encoding="utf-8").split("\n", 1)[0].removeprefix("const MANIFEST = ").removesuffix(";")
    )
    assert "assets/javascripts/search/site-index.js" in manifest["files"] and "offline/" in manifest["files"] and "./" in manifest["files"]
    assert not [f for f in manifest["files"] if f.endswith((".zip", ".map")) or f.startswith("assets/javascripts/lunr/")]
    entries = offline.precache_entries(site_dir=site, use_directory_urls=True)
    assert manifest == {"version": offline.build_version(site_dir=site, entries=entries), "files": [e.url for e in entries]}


def test_without_a_zip_the_website_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitebuild import mkdocs_build

    monkeypatch.setenv("OFFLINE_ZIP", str(tmp_path / "none.zip"))
    result = mkdocs_build(tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "offline" / "index.html").read_text(encoding="utf-8")
    assert "The offline download is not part of this build of the site." in page
    assert not (tmp_path / "site" / offline.ZIP_SITE_PATH).exists()
