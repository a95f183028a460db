"""JSON Schema validation, with every failure turned into a located, actionable DataError."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema

from sitedata.constants import SCHEMA_DIR
from sitedata.data.errors import DataError, describe, did_you_mean
from sitedata.data.yamlsource import Located

if TYPE_CHECKING:  # jsonschema is imported only to explain a failure: a passing check never needs it
    import jsonschema

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


@lru_cache(maxsize=32)
def _schema_file(file: str, schema_dir: Path) -> dict[str, Any]:
    return json.loads((schema_dir / file).read_text(encoding="utf-8"))


@lru_cache(maxsize=32)
def load_schema(name: str, *, schema_dir: Path = SCHEMA_DIR) -> dict[str, Any]:
    """The schema for data file `name`, with every $ref inlined (our schemas are not recursive)."""
    file = schema_path(name, schema_dir=schema_dir).name
    return _inline(_schema_file(file, schema_dir), file=file, schema_dir=schema_dir)


def _inline(node: Any, *, file: str, schema_dir: Path) -> Any:
    """Replace each {"$ref": ...} by the schema it points to, keeping sibling keywords."""
    if isinstance(node, list):
        return [_inline(item, file=file, schema_dir=schema_dir) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline(v, file=file, schema_dir=schema_dir) for k, v in node.items() if k not in ("$ref", "$defs")}
    if "$ref" in node:
        target_file, _, pointer = node["$ref"].partition("#")
        target_file = target_file or file
        target: Any = _schema_file(target_file, schema_dir)
        for part in filter(None, pointer.split("/")):
            target = target[part]
        out = {**_inline(target, file=target_file, schema_dir=schema_dir), **out}
    return out


# Our named checks own these formats; the fast validator must not apply its own idea of them.
_FORMATS_CHECKED_ELSEWHERE = {f: (lambda _value: True) for f in ("date", "email", "uri", "phone", "opening-hours")}


@lru_cache(maxsize=32)
def fast_validator(name: str, *, schema_dir: Path = SCHEMA_DIR) -> Any:
    """A compiled validator that only answers valid/invalid, ~20x faster than explaining why."""
    schema = {k: v for k, v in load_schema(name, schema_dir=schema_dir).items() if k != "$schema"}
    return fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **schema}, formats=_FORMATS_CHECKED_ELSEWHERE)


# What a schema may hold for its files to be validated entry by entry (sitedata.data.entrywise): then the file is valid
# exactly when each entry is valid against its list's `items` and the rest is valid against the schema without them.
_SPLIT_ROOT = {"$schema", "$id", "$comment", "title", "description", "type", "properties", "required", "additionalProperties"}
_SPLIT_LIST = {"$comment", "title", "description", "type", "items", "minItems", "maxItems"}


def entry_lists(name: str, *, schema_dir: Path = SCHEMA_DIR) -> tuple[str, ...]:
    """The top-level lists of data file `name` whose items are entries ('x-entry'), in the schema's order."""
    return tuple(k for k, v in load_schema(name, schema_dir=schema_dir).get("properties", {}).items() if isinstance(v, dict) and "x-entry" in v)


def splittable(name: str, *, schema_dir: Path = SCHEMA_DIR) -> bool:
    """Whether file `name`'s schema lets it be validated entry by entry (see _SPLIT_ROOT)."""
    schema = load_schema(name, schema_dir=schema_dir)
    if any(not k.startswith("x-") and k not in _SPLIT_ROOT for k in schema):
        return False
    props = schema.get("properties", {})
    return all(
        isinstance(props[n].get("items"), dict) and all(k.startswith("x-") or k in _SPLIT_LIST for k in props[n])
        for n in entry_lists(name, schema_dir=schema_dir)
    )


@lru_cache(maxsize=64)
def fast_item_validator(name: str, list_name: str, *, schema_dir: Path = SCHEMA_DIR) -> Any:
    """The fast validator of one entry of list `list_name` in file `name` (its `items` schema alone)."""
    items = load_schema(name, schema_dir=schema_dir)["properties"][list_name]["items"]
    return fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **items}, formats=_FORMATS_CHECKED_ELSEWHERE)


@lru_cache(maxsize=32)
def fast_shallow_validator(name: str, *, schema_dir: Path = SCHEMA_DIR) -> Any:
    """The fast validator of file `name` less its entries: the schema with each entry list's `items` taken out."""
    schema = {k: v for k, v in load_schema(name, schema_dir=schema_dir).items() if k != "$schema"}
    lists = set(entry_lists(name, schema_dir=schema_dir))
    schema["properties"] = {k: ({kk: vv for kk, vv in v.items() if kk != "items"} if k in lists else v) for k, v in schema.get("properties", {}).items()}
    return fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **schema}, formats=_FORMATS_CHECKED_ELSEWHERE)


@lru_cache(maxsize=32)
def validator(name: str, *, schema_dir: Path = SCHEMA_DIR) -> jsonschema.Draft202012Validator:
    """A validator for data file `name` (cached: schemas do not change during a run)."""
    import jsonschema

    return jsonschema.Draft202012Validator(load_schema(name, schema_dir=schema_dir))


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
    try:
        fast_validator(name, schema_dir=schema_dir)(located.data)
        return []
    except fastjsonschema.JsonSchemaValueException:
        pass  # invalid: let jsonschema find and explain every error
    schema = load_schema(name, schema_dir=schema_dir)
    out: list[DataError] = []
    for err in validator(name, schema_dir=schema_dir).iter_errors(located.data):
        out.extend(_explain(err, located, schema))
    # jsonschema reports each missing required field as its own error, and _explain lists them all each time.
    return list(dict.fromkeys(out))


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
    if kw == "anyOf" and sub.get("x-anyof-message"):
        yield at(path, sub["x-anyof-message"])
        return
    if kw == "contains" and sub.get("x-message"):
        yield at(path, sub["x-message"])
        return
    if kw == "minProperties":
        yield at(path, sub.get("x-message") or f"needs at least {err.validator_value} fields")
        return
    yield at(path, err.message)


ANNOTATIONS = ("format", "x-vocabulary", "contentMediaType", "x-summary-sentences", "x-calendar-date")


def iter_annotated(name: str, data: Any, *, schema_dir: Path = SCHEMA_DIR) -> Iterator[tuple[tuple[str | int, ...], Any, dict[str, Any]]]:
    """Walk data beside its schema, yielding (path, value, subschema) for every node."""
    yield from _walk(load_schema(name, schema_dir=schema_dir), data, ())


def iter_checked(name: str, data: Any, *, schema_dir: Path = SCHEMA_DIR) -> Iterator[tuple[tuple[str | int, ...], Any, dict[str, Any]]]:
    """Only the nodes whose schema carries an annotation a named check acts on (a pruned walk)."""
    yield from _walk_checked(load_schema(name, schema_dir=schema_dir), data, ())


def _has_annotation(schema: dict[str, Any], _memo: dict[int, bool] = {}) -> bool:  # noqa: B006 - deliberate memo
    key = id(schema)
    if key not in _memo:
        children = list(schema.get("properties", {}).values())
        if isinstance(schema.get("items"), dict):
            children.append(schema["items"])
        _memo[key] = any(a in schema for a in ANNOTATIONS) or any(_has_annotation(c) for c in children)
    return _memo[key]


def _walk_checked(schema: dict[str, Any], data: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any, dict[str, Any]]]:
    return iter(checked_nodes(schema, data, path))


def checked_nodes(schema: dict[str, Any], data: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any, dict[str, Any]]]:
    """The annotated nodes of `data` under `schema`, as iter_checked walks them, in a list (no generator per level)."""
    out: list[tuple[tuple[str | int, ...], Any, dict[str, Any]]] = []
    _collect(schema, data, path, out)
    return out


def _plan(schema: dict[str, Any], _memo: dict[int, tuple[Any, ...]] = {}) -> tuple[Any, ...]:  # noqa: B006 - deliberate memo
    """(annotated?, the properties worth walking, the items schema if worth walking) for one subschema."""
    found = _memo.get(id(schema))
    if found is None or found[0] is not schema:  # the schema is kept in the memo, so its id is never reused
        props = {k: v for k, v in schema.get("properties", {}).items() if _has_annotation(v)}
        items = schema.get("items")
        walked_items = items if isinstance(items, dict) and _has_annotation(items) else None
        found = _memo[id(schema)] = (schema, any(a in schema for a in ANNOTATIONS), props, walked_items)
    return found


def _collect(schema: dict[str, Any], data: Any, path: tuple[str | int, ...], out: list[tuple[tuple[str | int, ...], Any, dict[str, Any]]]) -> None:
    _, annotated, props, items = _plan(schema)
    if annotated:
        out.append((path, data, schema))
    if isinstance(data, dict):
        if props:
            for key, value in data.items():
                sub = props.get(key)
                if sub is not None:
                    _collect(sub, value, (*path, key), out)
    elif isinstance(data, list):
        if items is not None:
            for i, item in enumerate(data):
                _collect(items, item, (*path, i), out)


def _walk(schema: dict[str, Any], data: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any, dict[str, Any]]]:
    yield path, data, schema
    if isinstance(data, dict):
        props = schema.get("properties", {})
        for key, value in data.items():
            if key in props:
                yield from _walk(props[key], value, path + (key,))
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(data):
            yield from _walk(schema["items"], item, path + (i,))
