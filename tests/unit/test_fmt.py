"""`make fmt`: canonical, idempotent, keeps every comment, never changes the data."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap

from conftest import ROOT, DataCopy
from sitedata.data.errors import DataErrors
from sitedata.data.load import data_files
from sitedata.data.schemas import iter_annotated
from sitedata.data.yamlsource import load
from sitedata.tools import fmt

# Fields out of order, lists indented three different ways, comments above, beside and between
# entries, a Markdown heading inside a block that must not be taken for a comment. End-of-line
# comments keep their column where the line leaves room (ruamel.yaml's rule), so a second run
# leaves them where the first put them.
MESSY = """\
# yaml-language-server: $schema=schema/practices.schema.json
# Header comment, kept as it is.
practices:
# above the first entry
- title: Redbridge hub   # beside the title
  id: redbridge-hub
  # above tags
  tags: [multi-agency]
  areas:
  - Redbridge
  summary: 'A multi-agency hub.'
  status: pilot
  body: |
    # A Markdown heading, not a YAML comment
    A **hub** with [a link](https://example.org.uk/hub).
  contacts:
      -   phone: "020 8708 7000"
          label: Hub team    # beside the label
          email: hub@example.org.uk
  sources:
  - section: para 9
    # above the source id
    id: paper
  last_reviewed: "2026-01-10"

# between entries, after a blank line
- last_reviewed: "2026-01-10"
  sources: [{id: paper, section: para 10}]
  status: pilot
  tags: [multi-agency]
  areas: [Redbridge]
  summary: A second entry.
  title: Second
  id: second
# at the very end
"""

CANONICAL = """\
# yaml-language-server: $schema=schema/practices.schema.json
# Header comment, kept as it is.
practices:
  # above the first entry
  - id: redbridge-hub
    title: Redbridge hub # beside the title
    summary: 'A multi-agency hub.'
    body: |
      # A Markdown heading, not a YAML comment
      A **hub** with [a link](https://example.org.uk/hub).
    areas:
      - Redbridge
    # above tags
    tags: [multi-agency]
    status: pilot
    contacts:
      - label: Hub team      # beside the label
        phone: "020 8708 7000"
        email: hub@example.org.uk
    sources:
      # above the source id
      - id: paper
        section: para 9
    last_reviewed: "2026-01-10"

  # between entries, after a blank line
  - id: second
    title: Second
    summary: A second entry.
    areas: [Redbridge]
    tags: [multi-agency]
    status: pilot
    sources: [{id: paper, section: para 10}]
    last_reviewed: "2026-01-10"
# at the very end
"""


def run_fmt(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`python -m sitedata fmt --data DIR`, as `make fmt` runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"))
    return subprocess.run(
        [sys.executable, "-m", "sitedata", "fmt", "--data", str(data_dir), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def comment_lines(text: str) -> list[str]:
    """Full-line and end-of-line comments, outside block scalars (good enough for these files)."""
    out = []
    in_block = None
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        if in_block is not None and (not line.strip() or indent > in_block):
            continue
        in_block = indent if re.search(r":\s*[|>][-+]?\s*(#.*)?$", line) else None
        match = re.search(r"(?:^|\s)(#.*)$", line)
        if match:
            out.append(match.group(1).strip())
    return sorted(out)


def data_of(path: Path) -> object:
    doc, problems = load(path, display=path.name)
    assert not problems and doc is not None
    return doc.data


def test_messy_file_comes_out_canonical_with_every_comment_in_place() -> None:
    assert fmt.format_text(MESSY, name="practices", display="data/practices.yaml") == CANONICAL


def test_formatting_twice_changes_nothing() -> None:
    once = fmt.format_text(MESSY, name="practices", display="data/practices.yaml")
    assert fmt.format_text(once, name="practices", display="data/practices.yaml") == once


def test_the_messy_fixture_through_the_command_line(data: DataCopy) -> None:
    data.write("practices.yaml", MESSY)
    before = data_of(data.path / "practices.yaml")
    check = run_fmt(data.path, "--check")
    assert check.returncode == 1
    assert "data/practices.yaml: would be reformatted" in check.stdout
    assert (data.path / "practices.yaml").read_text() == MESSY  # --check writes nothing

    result = run_fmt(data.path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "data/practices.yaml: reformatted" in result.stdout
    assert (data.path / "practices.yaml").read_text() == CANONICAL
    assert data_of(data.path / "practices.yaml") == before
    assert run_fmt(data.path, "--check").returncode == 0


@dataclass(frozen=True)
class Formatted:
    """A copy of the real data formatted twice, with the text and data from before."""

    path: Path
    before: dict[str, str]
    data_before: dict[str, object]
    once: dict[str, str]
    twice: dict[str, str]
    second_run: str


@pytest.fixture(scope="module")
def formatted(tmp_path_factory: pytest.TempPathFactory) -> Formatted:
    path = tmp_path_factory.mktemp("fmt") / "data"
    shutil.copytree(ROOT / "data", path, ignore=shutil.ignore_patterns("schema", "README.md"))
    files = sorted(path.glob("*.yaml"))
    before = {p.name: p.read_text() for p in files}
    data_before = {p.name: data_of(p) for p in files}
    first = run_fmt(path)
    assert first.returncode == 0, first.stdout + first.stderr
    once = {p.name: p.read_text() for p in files}
    second = run_fmt(path)
    assert second.returncode == 0, second.stdout + second.stderr
    return Formatted(path, before, data_before, once, {p.name: p.read_text() for p in files}, second.stdout)


def test_real_data_formatted_twice_is_unchanged_the_second_time(formatted: Formatted) -> None:
    assert formatted.twice == formatted.once
    assert ", 0 changed" in formatted.second_run


def test_real_data_keeps_its_data_comments_and_first_lines(formatted: Formatted) -> None:
    for name, old in formatted.before.items():
        new = formatted.once[name]
        assert new.split("\n", 1)[0] == old.split("\n", 1)[0], f"{name}: first line changed"
        assert new.endswith("\n") and not new.endswith("\n\n"), name
        assert comment_lines(new) == comment_lines(old), name
        assert data_of(formatted.path / name) == formatted.data_before[name], f"{name}: data changed"


def test_real_data_fields_come_out_in_schema_order(formatted: Formatted) -> None:
    checked = 0
    for name in data_files():
        if f"{name}.yaml" not in formatted.once:
            continue
        doc = fmt.round_trip_yaml().load(formatted.once[f"{name}.yaml"])
        for where, value, sub in iter_annotated(name, doc):
            if isinstance(value, CommentedMap) and isinstance(sub.get("properties"), dict):
                order = list(sub["properties"])
                keys = list(value)
                assert keys == sorted(keys, key=order.index), f"{name}.yaml {where}: {keys}"
                checked += 1
    assert checked > 100


def test_indentation_is_the_house_style(formatted: Formatted) -> None:
    text = formatted.once["practices.yaml"]
    assert "\npractices:\n  - id: " in text
    assert "\n    sources:\n      - id: " in text


def test_malformed_yaml_is_reported_and_left_alone(data: DataCopy) -> None:
    broken = "# yaml-language-server: $schema=schema/tags.schema.json\ntags:\n  - id: x\n\tname: y\n"
    data.write("tags.yaml", broken)
    result = run_fmt(data.path)
    assert result.returncode == 1
    assert "data/tags.yaml:4:1: not valid YAML: found a tab character" in result.stdout
    assert "data/tags.yaml: not formatted; fix the error above first" in result.stdout
    assert (data.path / "tags.yaml").read_text() == broken


def test_a_change_of_data_is_refused() -> None:
    with pytest.raises(DataErrors) as info:
        fmt._verify(
            CANONICAL.replace("para 10", "para 11"),
            data=data_of_text(CANONICAL),
            comments=fmt._comment_lines(fmt.round_trip_yaml().load(CANONICAL)),
            first_line=CANONICAL.split("\n", 1)[0],
            display="data/practices.yaml",
        )
    assert "the data would change, so the file was left as it is" in str(info.value)


def test_a_lost_comment_is_refused() -> None:
    with pytest.raises(DataErrors) as info:
        fmt._verify(
            CANONICAL.replace("    # above tags\n", ""),
            data=data_of_text(CANONICAL),
            comments=fmt._comment_lines(fmt.round_trip_yaml().load(CANONICAL)),
            first_line=CANONICAL.split("\n", 1)[0],
            display="data/practices.yaml",
        )
    assert "a comment would be lost or duplicated" in str(info.value)


def data_of_text(text: str) -> object:
    from sitedata.data.yamlsource import parse

    doc, problems = parse(text, display="x")
    assert not problems and doc is not None
    return doc.data
