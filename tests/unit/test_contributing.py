"""CONTRIBUTING.md and data/README.md cannot drift: their templates, values and messages are the real ones."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, DataCopy
from sitedata.data import checks
from sitedata.data.errors import DataErrors
from sitedata.data.load import data_files, load_site
from sitedata.data.schemas import SCHEMA_DIR, load_schema

CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
DATA_README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
FIELD = re.compile(r"^\s*(?:#\s*)?(?:-\s+)?([a-z_]+):(?:\s|$)")


def today() -> Any:
    return datetime.now(ZoneInfo("Europe/London")).date()


def section(heading: str) -> str:
    """The text of a '## heading' section of CONTRIBUTING.md."""
    start = CONTRIBUTING.index(f"\n## {heading}\n")
    end = CONTRIBUTING.find("\n## ", start + 1)
    return CONTRIBUTING[start : end if end > 0 else len(CONTRIBUTING)]


def yaml_block(text: str) -> str:
    match = re.search(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    assert match, "no ```yaml block"
    return match.group(1)


def field_names(block: str) -> set[str]:
    """Every field the template shows, used or commented out."""
    names = set()
    for line in block.splitlines():
        match = FIELD.match(line)
        if match:
            names.add(match.group(1))
    return names


def schema_fields(name: str, list_name: str) -> tuple[set[str], set[str]]:
    """(every field an entry may have at any depth, every field required somewhere in an entry)."""
    allowed: set[str] = set()
    required: set[str] = set()

    def resolve(node: dict[str, Any], file: str) -> tuple[dict[str, Any], str]:
        while "$ref" in node:
            target, _, pointer = node["$ref"].partition("#")
            file = target or file
            resolved: Any = json.loads((SCHEMA_DIR / file).read_text())
            for part in pointer.strip("/").split("/"):
                if part:
                    resolved = resolved[part]
            node = {**resolved, **{k: v for k, v in node.items() if k != "$ref"}}
        return node, file

    def walk(node: dict[str, Any], file: str) -> None:
        node, file = resolve(node, file)
        required.update(node.get("required", []))
        for key, sub in node.get("properties", {}).items():
            allowed.add(key)
            walk(sub, file)
        if isinstance(node.get("items"), dict):
            walk(node["items"], file)

    walk(load_schema(name)["properties"][list_name]["items"], f"{name}.schema.json")
    return allowed, required


def entry_from_template(block: str, *, new_id: str) -> str:
    """The template's entry as it would be pasted, with its id changed so it does not clash."""
    first = block.splitlines()[0]
    old_id = re.match(r"\s*- id: ([a-z0-9-]+)", first)
    assert old_id, first
    return block.replace(f"- id: {old_id.group(1)}", f"- id: {new_id}", 1)


TEMPLATES = [
    ("Practice entry template", "practices", "practices"),
    ("Service entry template", "helplines", "services"),
    ("Citing a source and setting last_reviewed", "sources", "sources"),
]


@pytest.mark.parametrize(("heading", "name", "list_name"), TEMPLATES)
def test_the_template_shows_every_field_and_only_real_ones(heading: str, name: str, list_name: str) -> None:
    shown = field_names(yaml_block(section(heading)))
    allowed, required = schema_fields(name, list_name)
    assert shown - allowed == set(), f"{heading}: not fields of the schema"
    assert required - shown == set(), f"{heading}: required fields missing"
    assert allowed - shown == set(), f"{heading}: fields the schema allows but the template does not show"


@pytest.mark.parametrize(("heading", "name", "list_name"), TEMPLATES)
def test_the_template_pasted_at_the_end_of_its_file_is_valid(heading: str, name: str, list_name: str, real_data: DataCopy) -> None:
    path = real_data.path / f"{name}.yaml"
    text = path.read_text()
    path.write_text(
        text + ("" if text.endswith("\n") else "\n") + entry_from_template(yaml_block(section(heading)), new_id="pasted-from-the-template")
    )
    site = load_site(data_dir=real_data.path, today=today())
    pasted = site.by_key(list_name)["pasted-from-the-template"]
    assert pasted["last_reviewed"]
    allowed, _ = schema_fields(name, list_name)
    assert set(pasted) <= allowed


def values_in_bullet(label: str) -> list[str]:
    line = re.search(rf"^- \*\*{re.escape(label)}\*\*.*?(?=^- |\Z)", section("Allowed values"), flags=re.MULTILINE | re.DOTALL)
    assert line, label
    return re.findall(r"`([a-z0-9-]+)`", line.group(0))


def test_the_allowed_values_are_the_real_ones() -> None:
    site = load_site(today=today())
    assert values_in_bullet("status") == [s["id"] for s in site.entries("statuses")]
    assert values_in_bullet("audiences") == [a["id"] for a in site.entries("audiences")]
    helplines = load_schema("helplines")
    service = helplines["properties"]["services"]["items"]["properties"]
    assert values_in_bullet("channel type") == service["channels"]["items"]["properties"]["type"]["enum"]
    assert values_in_bullet("accessibility") == service["accessibility"]["items"]["enum"]
    assert set(values_in_bullet("tags")) - {"id"} <= set(site.by_key("tags"))
    assert set(values_in_bullet("sources")) - {"id"} <= set(site.by_key("sources"))
    assert set(values_in_bullet("related")) - {"id"} == set()
    areas = section("Allowed values").split("**areas**", 1)[1].split("\n- ", 1)[0]
    assert set(re.findall(r"`([A-Z][^`]+)`", areas)) <= set(site.by_key("areas", "name"))


# Each example message in CONTRIBUTING.md, and the change to the real data that produces it.
EXAMPLES = [
    ("areas[0]: 'Redbrige' is not a known area", "practices.yaml", "areas: [Redbridge]", "areas: [Redbrige]"),
    ("missing required field 'status'", "practices.yaml", "    status: covid-response\n", ""),
    ("is not a real date", "practices.yaml", re.compile(r'last_reviewed: "[0-9-]+"'), 'last_reviewed: "2026-13-01"'),
    ("'help@galop' is not a well-formed email address", "helplines.yaml", "help@galop.org.uk", "help@galop"),
    ("uses http; use", "helplines.yaml", "url: https://www.nationaldahelpline.org.uk/", "url: http://www.nationaldahelpline.org.uk/"),
    ("found a tab character", "tags.yaml", "\n    name: Safety planning", "\n\tname: Safety planning"),
    ("warning: last reviewed 2025-06-01", "practices.yaml", re.compile(r'last_reviewed: "[0-9-]+"'), 'last_reviewed: "2025-06-01"'),
]


def documented(fragment: str) -> str:
    lines = [line for line in CONTRIBUTING.splitlines() if fragment in line and re.match(r"data/[a-z-]+\.yaml:\d+:\d+: ", line)]
    assert len(lines) == 1, f"CONTRIBUTING.md should show one example with {fragment!r}"
    return lines[0]


def without_position(message: str) -> str:
    return re.sub(r"^(data/[a-z-]+\.yaml):\d+:\d+: ", r"\1: ", message)


@pytest.mark.parametrize(("fragment", "file", "old", "new"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_the_example_messages_are_what_the_checker_prints(
    fragment: str, file: str, old: str | re.Pattern[str], new: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "data", data_dir, ignore=shutil.ignore_patterns("schema", "*.md"))
    path = data_dir / file
    text = path.read_text()
    path.write_text(old.sub(new, text, count=1) if isinstance(old, re.Pattern) else text.replace(old, new, 1))
    try:
        site = load_site(data_dir=data_dir, today=today())
        printed = [str(w) for w in site.warnings]
    except DataErrors as exc:
        printed = [str(e) for e in exc.errors]
    assert without_position(documented(fragment)) in {without_position(m) for m in printed}


def test_data_readme_names_every_data_file_and_every_check() -> None:
    for name in data_files():
        assert f"`{name}.yaml`" in DATA_README and f"`schema/{name}.schema.json`" in DATA_README, f"add {name}.yaml to data/README.md"
    named = {n for n in dir(checks) if n.startswith("check_")} | {"review_due"}
    for check in named:
        assert f"`{check}`" in DATA_README, f"data/README.md should say what drives {check}"
    for annotation in ("x-entry", "x-key", "x-vocabulary", "x-message", "contentMediaType"):
        assert annotation in DATA_README


def test_contributing_covers_both_paths_and_the_commands() -> None:
    for words in (
        "### In your web browser",
        "### On your own computer",
        "make check",
        "make new",
        "make fmt",
        "make serve",
        "/editors/review-due/",
        "Reading the error messages",
        "DEVELOPING.md",
    ):
        assert words in CONTRIBUTING, words


def test_the_make_new_examples_work_as_written(real_data: DataCopy) -> None:
    """Each `make new ARGS="..."` in CONTRIBUTING.md adds a valid entry when run as the Makefile runs it."""
    text = CONTRIBUTING.replace("\\\n", " ")
    examples = re.findall(r'make new ARGS="([^"]+)"', text)
    assert len(examples) == 2
    env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"))
    for args in examples:
        result = subprocess.run(
            [sys.executable, "-m", "sitedata", "new", *shlex.split(args), "--data", str(real_data.path)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{args}\n{result.stderr}"
        assert result.stdout.startswith(f"Added {args.split()[0]} '")
    load_site(data_dir=real_data.path, today=today())
