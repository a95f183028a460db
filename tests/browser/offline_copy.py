"""The offline copy as `make offline` makes it (mkdocs.offline.yml, then the zip), unzipped into a
temporary folder, and helpers to search it in Chromium. Built once per test process."""

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

from .harness import ROOT

RESULTS_JS = """() => [...document.querySelectorAll('.md-search-result__item')].flatMap(item =>
  [...item.querySelectorAll('a.md-search-result__link')].map(link => ({
    href: link.href,
    score: parseFloat(link.querySelector('[data-md-score]').getAttribute('data-md-score')),
    folded: Boolean(link.closest('details')),
  })))"""

_built: dict[str, OfflineCopy] = {}


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
    """Build, zip and unzip the offline copy, once per process."""
    if "copy" not in _built:
        work = tmp_path_factory.mktemp("offline-copy")
        env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"), NO_MKDOCS_2_WARNING="1")
        build = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.offline.yml", "--site-dir", str(work / "site")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert build.returncode == 0, build.stderr
        pack = subprocess.run(
            [sys.executable, "-m", "sitedata.offline", str(work / "site"), str(work / "offline.zip")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert pack.returncode == 0, pack.stderr
        with zipfile.ZipFile(work / "offline.zip") as archive:
            archive.extractall(work / "unzipped")
        _built["copy"] = OfflineCopy(folder=work / "unzipped", zip_path=work / "offline.zip")
    return _built["copy"]


def search_box(page: Page) -> Locator:
    """Open Material's search (from file:// it starts only once opened) and return its input."""
    field = page.locator("input.md-search__input")
    field.click()
    return field


def run_search(page: Page, text: str) -> list[dict[str, object]]:
    """Type a query the way a person does and return the results as the page lists them."""
    field = search_box(page)
    meta = page.locator(".md-search-result__meta")
    field.fill("")
    field.press("End")
    page.wait_for_function("el => el.textContent.trim() === 'Type to start searching'", arg=meta.element_handle(), timeout=10_000)
    field.fill(text)
    field.press("End")
    page.wait_for_function("el => el.textContent.trim() !== 'Type to start searching'", arg=meta.element_handle(), timeout=10_000)
    return page.evaluate(RESULTS_JS)
