"""Read a YAML data file into plain Python, remembering where every value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError

try:  # The C composer is ~10x faster and keeps the same line/column marks.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

_HINTS = (
    ("cannot start any token", "found a tab character; YAML must be indented with spaces. Replace the tab with spaces"),
    ("mapping values are not allowed", "a ':' is in an unexpected place; check this line's indentation, or put the text in quotes if it contains ': '"),
    ("did not find expected '-'", "the indentation does not line up; list items ('- ') and fields must start in the same column as their neighbours"),
    ("expected <block end>", "the indentation does not line up; make this line start in the same column as the other fields of its entry"),
    ("could not find expected ':'", "a line is missing its ':' or a quote is not closed; check this line and the one above"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("while scanning a quoted scalar", "a quote is not closed; end the text with the same quote it started with"),
    ("found undefined alias", "an '*alias' refers to an anchor that does not exist"),
)


@dataclass
class Located:
    """A loaded document and the 1-based (line, column) of each value and key."""

    file: str
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    first_line: str = ""

    def at(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The position of `path`, falling back to its nearest located parent."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), (1, 1))


def load(path: Path, *, display: str) -> tuple[Located | None, list[DataError]]:
    """Parse one YAML file; malformed YAML comes back as DataErrors, never an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [DataError(display, 1, 1, "file not found; restore it from git or create it")]
    except UnicodeDecodeError as exc:
        return None, [DataError(display, 1, 1, f"file is not UTF-8 text ({exc.reason}); save it as UTF-8")]
    return parse(text, display=display)


def parse(text: str, *, display: str) -> tuple[Located | None, list[DataError]]:
    """Parse YAML text, reporting syntax problems, duplicate keys and empty files."""
    first_line = text.split("\n", 1)[0]
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, display=display, text=text)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [DataError(display, 1, 1, f"not valid YAML: {exc}")]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [DataError(display, 1, 1, "file is empty; it should hold the data described by its schema (see data/README.md)")]
    if len(nodes) > 1:
        line = nodes[1].start_mark.line + 1
        return None, [DataError(display, line, 1, "file holds more than one YAML document ('---'); keep one document per file")]
    located = Located(file=display, data=None, first_line=first_line)
    errors: list[DataError] = []
    located.data = _build(nodes[0], (), located, errors)
    return located, errors


def _syntax_error(exc: yaml.MarkedYAMLError, *, display: str, text: str) -> DataError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    col = mark.column + 1 if mark else 1
    problem = f"{exc.context + ', ' if exc.context else ''}{exc.problem or ''}".strip(", ")
    hint = next((h for needle, h in _HINTS if needle in problem), "")
    lines = text.split("\n")
    if mark and 0 <= mark.line < len(lines) and "\t" in lines[mark.line]:
        col = lines[mark.line].index("\t") + 1
        return DataError(display, line, col, f"not valid YAML: {_HINTS[0][1]}")
    message = f"not valid YAML: {problem}"
    if hint:
        message += f"; {hint}"
    return DataError(display, line, col, message)


def _build(node: yaml.Node, path: Path_, located: Located, errors: list[DataError]) -> Any:
    # The hot loop of every load (a million nodes at 10,000 entries): class tests, not isinstance, and
    # each child's path made once.
    values, keys = located.values, located.keys
    mark = node.start_mark
    values[path] = (mark.line + 1, mark.column + 1)
    kind = type(node)
    if kind is yaml.MappingNode:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if type(key_node) is yaml.ScalarNode else None
            kmark = key_node.start_mark
            kpos = (kmark.line + 1, kmark.column + 1)
            if not isinstance(key, str) or key_node.tag == "tag:yaml.org,2002:merge":
                errors.append(DataError(located.file, *kpos, "field names must be plain text"))
                continue
            child = path + (key,)
            if key in out:
                first = keys[child]
                errors.append(
                    DataError(
                        located.file,
                        *kpos,
                        f"duplicate key '{key}' (first given on line {first[0]}); keep one and delete the other",
                    )
                )
                continue
            keys[child] = kpos
            out[key] = _build(value_node, child, located, errors) if type(value_node) is not yaml.ScalarNode else _leaf(value_node, child, values)
        return out
    if kind is yaml.SequenceNode:
        return [
            _build(item, path + (i,), located, errors) if type(item) is not yaml.ScalarNode else _leaf(item, path + (i,), values)
            for i, item in enumerate(node.value)
        ]
    return _scalar(node)


def _leaf(node: yaml.ScalarNode, path: Path_, values: dict[Path_, tuple[int, int]]) -> Any:
    mark = node.start_mark
    values[path] = (mark.line + 1, mark.column + 1)
    tag = node.tag
    if tag == _STR or tag == _TIMESTAMP:
        return node.value
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR or tag == _TIMESTAMP:
        # Dates stay as the text the editor wrote; the schema checks their format.
        return node.value
    if tag == _INT:
        return _CONSTRUCTOR.construct_yaml_int(node)
    if tag == _FLOAT:
        return _CONSTRUCTOR.construct_yaml_float(node)
    if tag == _BOOL:
        return _CONSTRUCTOR.construct_yaml_bool(node)
    if tag == _NULL:
        return None
    return node.value
