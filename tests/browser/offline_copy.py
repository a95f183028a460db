"""The offline copy as `make offline` makes it (mkdocs.offline.yml, then the zip), unzipped into a
temporary folder, and helpers to search it in Chromium. Built once per test run."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page

from sitebuild import mkdocs_build, shared_build

from .harness import ROOT, SEARCH_ANSWERED

# Each result as search.js lists it, in rank order: its link, its first line of text (the title), its kind.
RESULTS_JS = """() => [...document.querySelectorAll('[data-site-search-box] [data-search-result]')].map(item => ({
  href: item.querySelector('a').href,
  title: item.innerText.split('\\n')[0].trim(),
  kind: item.getAttribute('data-kind'),
}))"""

@dataclass(frozen=True)
class OfflineCopy:
    """The unzipped offline copy and the zip it came from."""

    folder: Path
    zip_path: Path

    def url(self, path: str = "index.html") -> str:
        """file:// address of a page in the copy."""
        return (self.folder / path).as_uri()

    def location(self, href: str) -> str:
        """A result link's address as a search-index location: 'directory.html#x' (no ?h= highlight)."""
        parts = urlsplit(href)
        path = parts.path.removeprefix(self.folder.as_uri().removeprefix("file://") + "/")
        return path + (f"#{parts.fragment}" if parts.fragment else "")


def offline_copy(tmp_path_factory: pytest.TempPathFactory) -> OfflineCopy:
    """Build, zip and unzip the offline copy, once per test run (shared by the workers: tests/sitebuild.py). Read-only."""

    def make(work: Path) -> None:
        build = mkdocs_build(work / "site", config="mkdocs.offline.yml")
        assert build.returncode == 0, build.stderr
        env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"))
        pack = subprocess.run(
            [sys.executable, "-m", "sitedata.postbuild.offline", str(work / "site"), str(work / "offline.zip")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )
        assert pack.returncode == 0, pack.stderr
        with zipfile.ZipFile(work / "offline.zip") as archive:
            archive.extractall(work / "unzipped")

    work = shared_build(tmp_path_factory, "offline-copy", make)
    return OfflineCopy(folder=work / "unzipped", zip_path=work / "offline.zip")


def search_box(page: Page) -> Locator:
    """The site search's input (search.js loads the index on first focus)."""
    field = page.locator("[data-site-search]")
    field.focus()
    return field


def run_search(page: Page, text: str) -> list[dict[str, str]]:
    """Type a query the way a person does and return the results as the page lists them, best first."""
    field = search_box(page)
    field.fill(text)
    page.wait_for_function(SEARCH_ANSWERED, arg=text, timeout=10_000)
    return page.evaluate(RESULTS_JS)  # type: ignore[no-any-return]


def empty_state(page: Page) -> str | None:
    """The text of the "nothing fits" block the search shows now, if any."""
    block = page.locator("[data-site-search-box] [data-search-empty]")
    return block.inner_text() if block.count() else None
