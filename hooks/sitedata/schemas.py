"""JSON Schema validation, with every failure turned into a located, actionable DataError."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .errors import DataError, describe, did_you_mean
from .yamlsource import Located

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "data" / "schema"

_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of fields",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


def schema_path(name: str, *, schema_dir: Path = SCHEMA_DIR) -> Path:
    """The schema file for a data file called `name`."""
    return schema_dir / f"{name}.schema.json"


@lru_cache(maxsize=8)
def _registry(schema_dir: Path) -> Registry:
    def retrieve(uri: str) -> Resource:
        return Resource.from_contents(json.loads((schema_dir / uri).read_text(encoding="utf-8")), default_specification=DRAFT202012)

    return Registry(retrieve=retrieve)


@lru_cache(maxsize=32)
def load_schema(name: str, *, schema_dir: Path = SCHEMA_DIR) -> dict[str, Any]:
    """The parsed schema for data file `name`."""
    return json.loads(schema_path(name, schema_dir=schema_dir).read_text(encoding="utf-8"))


@lru_cache(maxsize=32)
def validator(name: str, *, schema_dir: Path = SCHEMA_DIR) -> jsonschema.Draft202012Validator:
    """A compiled validator for data file `name` (cached: schemas do not change during a run)."""
    schema = load_schema(name, schema_dir=schema_dir)
    return jsonschema.Draft202012Validator(schema, registry=_registry(schema_dir))


def entry_label(located: Located, path: tuple[str | int, ...], *, schema: dict[str, Any]) -> tuple[str, str, int]:
    """('practice \\'x\\'', 'field.path', depth) for a path inside a data file."""
    if len(path) >= 2 and isinstance(path[1], int):
        list_schema = schema.get("properties", {}).get(path[0], {})
        kind = list_schema.get("x-entry", str(path[0]))
        key = list_schema.get("x-key", "id")
        items = located.data.get(path[0]) if isinstance(located.data, dict) else None
        entry = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        ident = entry.get(key) if isinstance(entry, dict) else None
        label = f"{kind} '{ident}'" if isinstance(ident, str) else f"{kind} #{path[1] + 1}"
        return label, field_name(path[2:]), 2
    return "", field_name(path), 0


def field_name(path: tuple[str | int, ...] | list[str | int]) -> str:
    """A field path the way an editor reads it: channels[0].hours."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate(located: Located, *, name: str, schema_dir: Path = SCHEMA_DIR) -> list[DataError]:
    """Every schema error in one data file, each located and explained."""
    schema = load_schema(name, schema_dir=schema_dir)
    out: list[DataError] = []
    for err in validator(name, schema_dir=schema_dir).iter_errors(located.data):
        out.extend(_explain(err, located, schema))
    return out


def _explain(err: jsonschema.ValidationError, located: Located, schema: dict[str, Any]) -> Iterator[DataError]:
    path = tuple(err.absolute_path)
    entry, field, _ = entry_label(located, path, schema=schema)
    kw = err.validator
    sub = err.schema if isinstance(err.schema, dict) else {}
    value = err.instance

    def at(p: tuple[str | int, ...], message: str, *, key: bool = False, fld: str | None = None) -> DataError:
        line, col = located.at(p, key=key)
        e, f, _ = entry_label(located, p, schema=schema)
        return DataError(located.file, line, col, message, entry=e, field=f if fld is None else fld)

    if kw == "required":
        missing = [r for r in err.validator_value if isinstance(value, dict) and r not in value]
        for name in missing:
            where = f" to {entry}" if entry and not field else ""
            yield at(path, f"missing required field '{name}'; add '{name}:'{where} (see CONTRIBUTING.md for an example)")
        return
    if kw == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(sub.get("properties", {}))
        for extra in sorted(set(value) - set(allowed)):
            hint = did_you_mean(extra, allowed) or f"; allowed fields are: {', '.join(allowed)}"
            yield at(path + (extra,), f"unknown field '{extra}'{hint}", key=True)
        return
    if kw in ("enum", "const"):
        choices = [str(c) for c in (err.validator_value if kw == "enum" else [err.validator_value])]
        yield at(path, f"{describe(value)} is not allowed; expected one of: {', '.join(choices)}{did_you_mean(value, choices)}")
        return
    if kw == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        hint = "; put it in quotes" if "string" in expected and not isinstance(value, (list, dict)) and value is not None else ""
        yield at(path, f"expected {words}, got {describe(value)}{hint}")
        return
    if kw == "pattern":
        msg = sub.get("x-message") or f"must match the pattern {err.validator_value}"
        yield at(path, f"{describe(value)} is not valid: {msg}")
        return
    if kw == "minItems":
        yield at(path, f"needs at least {err.validator_value} item{'s' if err.validator_value != 1 else ''}; the list is empty")
        return
    if kw == "minLength":
        yield at(path, "is empty; write some text or remove the field")
        return
    if kw == "maxLength":
        yield at(path, f"is {len(value)} characters long; keep it to {err.validator_value} or fewer")
        return
    if kw == "uniqueItems":
        yield at(path, "lists the same value more than once; remove the repeat")
        return
    if kw == "minProperties":
        yield at(path, sub.get("x-message") or f"needs at least {err.validator_value} fields")
        return
    yield at(path, err.message)


def iter_annotated(name: str, data: Any, *, schema_dir: Path = SCHEMA_DIR) -> Iterator[tuple[tuple[str | int, ...], Any, dict[str, Any]]]:
    """Walk data beside its schema, yielding (path, value, effective subschema) for every node."""
    uri = schema_path(name, schema_dir=schema_dir).name
    resolver = _registry(schema_dir).resolver(base_uri=uri)
    yield from _walk(load_schema(name, schema_dir=schema_dir), data, (), resolver)


def _resolve(schema: dict[str, Any], resolver: Any) -> tuple[dict[str, Any], Any]:
    while "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        merged = dict(resolved.contents)
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        schema, resolver = merged, resolved.resolver
    return schema, resolver


def _walk(schema: dict[str, Any], data: Any, path: tuple[str | int, ...], resolver: Any) -> Iterator[tuple[tuple[str | int, ...], Any, dict[str, Any]]]:
    schema, resolver = _resolve(schema, resolver)
    yield path, data, schema
    if isinstance(data, dict):
        props = schema.get("properties", {})
        for key, value in data.items():
            if key in props:
                yield from _walk(props[key], value, path + (key,), resolver)
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(data):
            yield from _walk(schema["items"], item, path + (i,), resolver)
