"""Shared fixtures: copies of the data to break, the project's paths and the real site built once per run.

The tests live in three folders: unit/ (no site is built), integration/ (strict builds, MkDocs serve,
ProperDocs) and browser/ (Chromium over built sites and pages). Every test in integration/ and browser/
is marked `build`, and a test in unit/ that builds a site stops the collection: `pytest tests/unit`, or
`pytest -m "not build"`, is the quick set.
"""

from __future__ import annotations

import inspect
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import sitebuild

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "tests" / "fixtures" / "data" / "valid"
TODAY = date(2026, 2, 1)
# On or after every date in the real data/ (the last review, 2 December 2026): tests that load it use this as today.
REAL_DATA_TODAY = date(2026, 12, 2)


class DataCopy:
    """A writable copy of a data folder, with helpers to break it on purpose."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def replace(self, file: str, old: str, new: str) -> int:
        """Replace `old` once in data/<file>; return the 1-based line where `new` starts."""
        target = self.path / file
        text = target.read_text(encoding="utf-8")
        assert text.count(old) >= 1, f"{old!r} not in {file}"
        index = text.index(old)
        target.write_text(text[:index] + new + text[index + len(old) :], encoding="utf-8")
        return text[:index].count("\n") + 1

    def write(self, file: str, text: str) -> None:
        """Overwrite data/<file>."""
        (self.path / file).write_text(text, encoding="utf-8")


@pytest.fixture
def data(tmp_path: Path) -> DataCopy:
    """A copy of the minimal valid fixture data in <tmp>/data."""
    dest = tmp_path / "data"
    shutil.copytree(VALID, dest)
    return DataCopy(dest)


@pytest.fixture
def real_data(tmp_path: Path) -> DataCopy:
    """A copy of the project's real data in <tmp>/data."""
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest, ignore=shutil.ignore_patterns("schema", "README.md"))
    return DataCopy(dest)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built strict from data/ once per test run and shared by every worker (sitebuild.py). Read-only."""
    return sitebuild.real_site(tmp_path_factory)


# A call that builds a site (tests/sitebuild.py and the helpers over it), or runs MkDocs itself.
_BUILDS = re.compile(
    r"\b(mkdocs_build|shared_build|real_site|offline_copy|build_verified_site|verified_today_site|run_bench)\("
    r"|[\"']mkdocs[\"'],\s*[\"'](build|serve)[\"']"
)
_SOURCES: dict[Callable[..., Any], str] = {}


def _source(func: Callable[..., Any]) -> str:
    if func not in _SOURCES:
        try:
            _SOURCES[func] = inspect.getsource(func)
        except (OSError, TypeError):  # a fixture pytest itself provides
            _SOURCES[func] = ""
    return _SOURCES[func]


def builds(item: pytest.Item) -> bool:
    """Whether the test or any fixture it uses (pytest's closure of them) builds a site."""
    if not isinstance(item, pytest.Function):
        return False
    funcs = [item.function, *(d.func for defs in item._fixtureinfo.name2fixturedefs.values() for d in defs)]
    return any(_BUILDS.search(_source(func)) for func in funcs)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    wrong = []
    for item in items:
        folder = item.path.relative_to(ROOT / "tests").parts[0]
        if folder in ("integration", "browser"):
            item.add_marker(pytest.mark.build)
        if folder == "browser":
            item.add_marker(pytest.mark.browser)
        if folder == "unit" and (builds(item) or item.get_closest_marker("build") or item.get_closest_marker("browser")):
            wrong.append(item.nodeid)
    if wrong:
        raise pytest.UsageError("these unit tests build a site or drive a browser: move them to tests/integration or tests/browser:\n  " + "\n  ".join(wrong))
