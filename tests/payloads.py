"""Copies of the data with HTML/script payloads in every plain-text field, for escaping tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from sitedata.data.load import DATA_DIR, data_files
from sitedata.data.schemas import iter_annotated, load_schema
from sitedata.data.yamlsource import load

PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")
# Fields whose value must keep a strict format (ids, references, numbers, dates, URLs, hours).
_STRICT_KEYWORDS = ("format", "pattern", "enum", "const", "x-vocabulary", "contentMediaType")


def is_free_text(schema: dict) -> bool:
    """A plain-text field: a string with no format rule, where any characters are allowed."""
    return schema.get("type") == "string" and not any(k in schema for k in _STRICT_KEYWORDS)


def write_payload_data(dest: Path, *, source: Path = DATA_DIR) -> int:
    """Copy the data to `dest`, appending a payload to every free-text field; return how many."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("schema", "README.md"))
    count = 0
    for name in data_files():
        doc, errors = load(dest / f"{name}.yaml", display=name)
        assert doc is not None and not errors, errors
        keys = {k: v.get("x-key", "id") for k, v in load_schema(name).get("properties", {}).items()}
        for path, value, schema in list(iter_annotated(name, doc.data)):
            is_key = len(path) == 3 and path[2] == keys.get(path[0])  # other entries refer to it
            if isinstance(value, str) and is_free_text(schema) and not is_key:
                parent = doc.data
                for part in path[:-1]:
                    parent = parent[part]
                parent[path[-1]] = f"{value} {PAYLOADS[count % 2]}"
                count += 1
        text = yaml.safe_dump(doc.data, allow_unicode=True, sort_keys=False, width=1000)
        (dest / f"{name}.yaml").write_text(f"{doc.first_line}\n{text}", encoding="utf-8")
    return count
