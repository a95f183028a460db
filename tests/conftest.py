"""Shared fixtures: copies of the data to break, and the project's paths."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

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
