"""Malformed YAML gets the same located, actionable error as any other data mistake."""

from __future__ import annotations

import pytest

from conftest import TODAY, DataCopy
from sitedata.data.errors import DataErrors
from sitedata.data.load import load_site

HEADER = "# yaml-language-server: $schema=schema/tags.schema.json\n"


def only_error(data: DataCopy) -> str:
    with pytest.raises(DataErrors) as info:
        load_site(data_dir=data.path, today=TODAY)
    (error,) = info.value.errors
    return str(error)


def test_tab_indent(data: DataCopy) -> None:
    data.write("tags.yaml", HEADER + "tags:\n  - id: a\n\tname: A\n")
    assert only_error(data) == "data/tags.yaml:4:1: not valid YAML: found a tab character; YAML must be indented with spaces. Replace the tab with spaces"


def test_bad_indent(data: DataCopy) -> None:
    data.write("tags.yaml", HEADER + "tags:\n  - id: a\n    name: A\n   description: B\n")
    message = only_error(data)
    assert message.startswith("data/tags.yaml:5:4: not valid YAML: ")
    assert "indentation" in message


def test_duplicate_key(data: DataCopy) -> None:
    line = data.replace("tags.yaml", "    name: Helplines\n", "    name: Helplines\n    name: Phone lines\n") + 1
    assert only_error(data) == f"data/tags.yaml:{line}:5: duplicate key 'name' (first given on line {line - 1}); keep one and delete the other"


def test_empty_file(data: DataCopy) -> None:
    data.write("tags.yaml", "")
    assert only_error(data) == "data/tags.yaml:1:1: file is empty; it should hold the data described by its schema (see data/README.md)"


def test_comment_only_file_is_empty_too(data: DataCopy) -> None:
    data.write("tags.yaml", HEADER)
    assert only_error(data).startswith("data/tags.yaml:1:1: file is empty")


def test_unclosed_quote(data: DataCopy) -> None:
    data.write("tags.yaml", HEADER + 'tags:\n  - id: "a\n    name: A\n')
    message = only_error(data)
    assert message.startswith("data/tags.yaml:")
    assert "quote" in message


def test_missing_file(data: DataCopy) -> None:
    (data.path / "tags.yaml").unlink()
    assert only_error(data) == "data/tags.yaml:1:1: file not found; restore it from git or create it"


def test_two_documents(data: DataCopy) -> None:
    data.write("tags.yaml", HEADER + "tags: []\n---\ntags: []\n")
    assert only_error(data) == "data/tags.yaml:4:1: file holds more than one YAML document ('---'); keep one document per file"
