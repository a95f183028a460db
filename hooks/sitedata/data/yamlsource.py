"""Read a YAML data file into plain Python, remembering where every value came from."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitedata.data import characters
from sitedata.data.errors import DataError

try:  # The C composer is ~10x faster and keeps the same line/column marks.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

Path_ = tuple[str | int, ...]

# Limits on what one data file may make the loader do (DEVELOPING.md, "Limits on data files").
# Size: the largest file at the benchmark's 10,000 entries is 13 MB (data/practices.yaml); 32 MiB
# leaves room to grow 2.5 times while bounding the memory of one load (a 26 MB file peaks at 460 MB).
MAX_FILE_BYTES = 32 * 2**20
# Depth: the deepest value in the real data sits in 7 nested collections (evidence and prompts);
# 20 leaves room for new fields and stops 100,000 '[' long before the C parser's stack runs out.
MAX_DEPTH = 20
# Aliases: none at all. No data file uses them, editors do not need them, and one 600-byte file
# of nested aliases expands to gigabytes; refusing them outright needs no budget to tune.
ALIAS_FIX = "anchors and aliases are not used in these files (they can make a small file expand without limit); write the value out in full"
DEPTH_FIX = "the data files are never this deep; check the indentation, and look for '[' or '{' that are never closed"

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
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
# Parser contexts that name the place something was opened: report that place.
_OPENED = (
    ("while scanning a quoted scalar", "the quote"),
    ("while parsing a flow sequence", "the '['"),
    ("while parsing a flow mapping", "the '{'"),
)


@dataclass
class Located:
    """A loaded document and the 1-based (line, column) of each value and key."""

    file: str
    data: Any
    # Plain dicts when the file is parsed whole; EntryTables when its entries were read one by one (sitedata.data.entrywise).
    values: Mapping[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: Mapping[Path_, tuple[int, int]] = field(default_factory=dict)
    first_line: str = ""
    styles: Mapping[Path_, str] = field(default_factory=dict)  # block scalars only: '|' or '>'; a literal's lines are the file's

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
    """Parse one YAML file; malformed or hostile input comes back as DataErrors, never an exception."""
    data, problem = read_limited(path, display=display)
    if problem is not None:
        return None, [problem]
    assert data is not None
    return parse_bytes(data, display=display)


def parse_bytes(data: bytes, *, display: str) -> tuple[Located | None, list[DataError]]:
    """Parse a file's bytes, as `load` does once it has read them."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        bad = data[exc.start : exc.end].hex(" ")
        return None, [DataError(display, line, col, f"file is not UTF-8 text (byte {bad}: {exc.reason}); save it as UTF-8")]
    return parse(text, display=display)


def read_limited(path: Path, *, display: str, limit: int = MAX_FILE_BYTES) -> tuple[bytes | None, DataError | None]:
    """The bytes of a regular file no bigger than `limit`, or why not (never following a link or opening a pipe)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None, DataError(display, 1, 1, "file not found; restore it from git or create it")
    except OSError as exc:
        return None, DataError(display, 1, 1, f"cannot be read ({exc.strerror}); check the file's permissions")
    refusal = _not_regular(info.st_mode)
    if refusal:
        return None, DataError(display, 1, 1, refusal)
    if info.st_size > limit:
        return None, DataError(display, 1, 1, _too_big(info.st_size, limit))
    try:
        # O_NOFOLLOW and O_NONBLOCK: if the file was swapped for a link or a pipe since lstat, fail rather than follow or hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return None, DataError(display, 1, 1, f"cannot be read ({exc.strerror}); data files must be regular files")
    with os.fdopen(fd, "rb") as handle:
        refusal = _not_regular(os.fstat(handle.fileno()).st_mode)
        if refusal:
            return None, DataError(display, 1, 1, refusal)
        data = handle.read(limit + 1)
    if len(data) > limit:
        return None, DataError(display, 1, 1, _too_big(len(data), limit))
    return data, None


def _not_regular(mode: int) -> str | None:
    fix = "data files must be ordinary files kept in data/"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return f"is a symbolic link; {fix}: replace the link with the file itself"
    if stat.S_ISDIR(mode):
        return f"is a folder, not a file; {fix}"
    kind = "named pipe (FIFO)" if stat.S_ISFIFO(mode) else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file"
    return f"is a {kind}, not a file; {fix}"


def _too_big(size: int, limit: int) -> str:
    return (
        f"file is larger than {limit // 2**20} MiB ({size:,} bytes read), the limit for one data file; "
        "split it or remove what does not belong in it"
    )


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset, counting what comes before it as UTF-8."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def text_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index in `text`."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def parse(text: str, *, display: str) -> tuple[Located | None, list[DataError]]:
    """Parse YAML text, reporting syntax problems, duplicate keys, empty files and hostile input."""
    first_line = text.split("\n", 1)[0]
    errors = characters.raw_problems(text, display=display)
    if any(e.message.startswith(characters.CONTROL_PREFIX) for e in errors):
        return None, errors  # the YAML reader refuses these anyway, without a line
    if len(text) > MAX_FILE_BYTES:
        return None, [DataError(display, 1, 1, _too_big(len(text.encode("utf-8")), MAX_FILE_BYTES))]
    located = Located(file=display, data=None, first_line=first_line)
    try:
        found, data = _Builder(text, located, errors).run()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, display=display, text=text)]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (U+FFFE, U+FFFF); position is a character index
        line, col = text_position(text, min(max(exc.position, 0), len(text)))
        return None, [DataError(display, line, col, f"character U+{exc.character:04X} is not allowed in YAML files; delete it")]
    except UnicodeEncodeError as exc:  # only from text that did not come from a file: a lone surrogate
        line, col = text_position(text, exc.start)
        return None, [DataError(display, line, col, f"character U+{ord(text[exc.start]):04X} is not valid Unicode text; delete it")]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [DataError(display, 1, 1, f"not valid YAML: {exc}")]
    except _Refused:
        return None, errors
    if not found:
        return None, [*errors, DataError(display, 1, 1, "file is empty; it should hold the data described by its schema (see data/README.md)")]
    located.data = data
    return located, errors


def _syntax_error(exc: yaml.MarkedYAMLError, *, display: str, text: str) -> DataError:
    opened = next((what for context, what in _OPENED if exc.context and exc.context.startswith(context)), None)
    if opened and exc.context_mark and exc.problem_mark:
        # Point at the quote or bracket that was never closed, not at where the parser gave up.
        start, gave_up = exc.context_mark, exc.problem_mark
        return DataError(
            display,
            start.line + 1,
            start.column + 1,
            f"not valid YAML: {opened} opened here is not closed (the parser gave up at line {gave_up.line + 1}, column {gave_up.column + 1}: "
            f"{exc.problem}); close it on this line or check the lines up to there",
        )
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


class _Refused(Exception):
    """Reading stopped at a limit; the located error is already in the list."""


# Sentinels for what an open mapping expects next.
_KEY = object()  # a key
_SKIP_KEY = object()  # the rest of a key that is not plain text (being skipped)
_SKIP_VALUE = object()  # the value of a key that was refused (to be skipped)


class _Builder:
    """Plain data from the parser's events in one pass without recursion, with the position of every value.

    Building from events rather than from PyYAML's composed node graph is what bounds the work: an alias
    or an anchor is refused where it is written, before anything is expanded, and nesting is counted as
    it opens, so neither a billion-laughs file nor 100,000 '[' can exhaust memory or the C stack.
    """

    def __init__(self, text: str, located: Located, errors: list[DataError], *, depth: int = 0) -> None:
        self.text = text
        self.located = located
        self.errors = errors
        self.depth = depth  # collections already open around this text (an entry read alone sits in its file's root mapping)

    def run(self) -> tuple[bool, Any]:
        parser = _Loader(self.text)
        try:
            return self._events(parser)
        finally:
            parser.dispose()

    def _refuse(self, mark: Any, message: str) -> _Refused:
        self.errors.append(DataError(self.located.file, mark.line + 1, mark.column + 1, message))
        return _Refused()

    def _events(self, parser: Any) -> tuple[bool, Any]:  # noqa: C901 - one loop over the event kinds, kept flat for speed
        values, keys, file, errors = self.located.values, self.located.keys, self.located.file, self.errors
        get, resolve = parser.get_event, parser.resolve
        stack: list[list[Any]] = []  # open collections: [container, path, is_mapping, what a mapping expects]
        skip = 0
        documents = 0
        found = False
        root: Any = None
        while True:
            event = get()
            kind = type(event)
            if kind is yaml.AliasEvent:
                raise self._refuse(event.start_mark, f"'*{event.anchor}' is an alias; {ALIAS_FIX}")
            if kind is yaml.ScalarEvent or kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                mark = event.start_mark
                if event.anchor is not None:
                    raise self._refuse(mark, f"'&{event.anchor}' is an anchor; {ALIAS_FIX}")
                if documents > 1:
                    raise self._refuse(mark, "file holds more than one YAML document ('---'); keep one document per file")
                collection = kind is not yaml.ScalarEvent
                if collection and len(stack) + skip + self.depth >= MAX_DEPTH:
                    raise self._refuse(mark, f"nested more than {MAX_DEPTH} levels deep; {DEPTH_FIX}")
                if skip:
                    skip += collection
                    continue
                top = stack[-1] if stack else None
                if top is not None and top[2]:
                    expect = top[3]
                    if expect is _KEY:
                        kpos = (mark.line + 1, mark.column + 1)
                        if collection:
                            errors.append(DataError(file, *kpos, "field names must be plain text"))
                            top[3] = _SKIP_KEY
                            skip = 1
                            continue
                        key = event.value
                        tag = event.tag
                        if (tag is None or tag == "!") and resolve(yaml.ScalarNode, key, event.implicit) == _MERGE:
                            errors.append(DataError(file, *kpos, "field names must be plain text"))
                            top[3] = _SKIP_VALUE
                            continue
                        if event.style == '"':
                            self._escapes(key, kpos)
                        child = top[1] + (key,)
                        if key in top[0]:
                            first = keys[child]
                            errors.append(
                                DataError(file, *kpos, f"duplicate key '{key}' (first given on line {first[0]}); keep one and delete the other")
                            )
                            top[3] = _SKIP_VALUE
                            continue
                        keys[child] = kpos
                        top[3] = key
                        continue
                    if expect is _SKIP_VALUE:
                        if collection:
                            skip = 1
                        else:
                            top[3] = _KEY
                        continue
                    path = top[1] + (expect,)
                elif top is not None:
                    path = top[1] + (len(top[0]),)
                else:
                    path = ()
                pos = (mark.line + 1, mark.column + 1)
                values[path] = pos
                if collection:
                    value: Any = {} if kind is yaml.MappingStartEvent else []
                else:
                    value = self._scalar(event, resolve, pos)
                    if event.style == "|" or event.style == ">":
                        self.located.styles[path] = event.style
                if top is None:
                    root, found = value, True
                elif top[2]:
                    top[0][top[3]] = value
                    top[3] = _KEY
                else:
                    top[0].append(value)
                if collection:
                    stack.append([value, path, kind is yaml.MappingStartEvent, _KEY])
                continue
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                if skip:
                    skip -= 1
                    if not skip:
                        top = stack[-1]
                        top[3] = _SKIP_VALUE if top[3] is _SKIP_KEY else _KEY
                    continue
                stack.pop()
                continue
            if kind is yaml.DocumentStartEvent:
                documents += 1
            elif kind is yaml.StreamEndEvent or event is None:
                return found, root

    def _scalar(self, event: Any, resolve: Any, pos: tuple[int, int]) -> Any:
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = resolve(yaml.ScalarNode, value, event.implicit)
        if tag == _STR or tag == _TIMESTAMP:
            # Dates stay as the text the editor wrote; the schema checks their format.
            if event.style == '"':
                self._escapes(value, pos)
            return value
        if tag == _NULL:
            return None
        node = yaml.ScalarNode(tag, value)
        try:
            if tag == _INT:
                return _CONSTRUCTOR.construct_yaml_int(node)
            if tag == _FLOAT:
                return _CONSTRUCTOR.construct_yaml_float(node)
            if tag == _BOOL:
                return _CONSTRUCTOR.construct_yaml_bool(node)
        except ValueError:
            digits = sum(c.isdigit() for c in value)
            self.errors.append(
                DataError(self.located.file, *pos, f"a number {digits:,} digits long is too long to read; check it, or put it in quotes if it is text")
            )
            return None
        return value

    def _escapes(self, value: str, pos: tuple[int, int]) -> None:
        """Refuse invisible characters written as escapes (\\0, \\u202e) in a double-quoted value."""
        problem = characters.escaped_problem(value, text=self.text)
        if problem:
            self.errors.append(DataError(self.located.file, *pos, problem))


# One list entry read on its own: its value, and its (values, keys, styles) tables with paths starting at 0
# (the entry) and lines counted from 1 at the entry's first line.
Tables = tuple[dict[Path_, tuple[int, int]], dict[Path_, tuple[int, int]], dict[Path_, str]]


def parse_entry(text: str) -> tuple[Any, Tables] | None:
    """Parse the lines of one list entry ('- ' and what follows it) alone; None unless it reads as exactly one clean entry.

    The entry sits in its file's root mapping, one level deeper than here, so the depth limit counts that level too.
    Anything the whole file's parse could report about these lines makes this None: the caller then parses the whole file.
    """
    located = Located(file="", data=None)
    errors: list[DataError] = []
    try:
        found, data = _Builder(text, located, errors, depth=1).run()
    except (yaml.YAMLError, _Refused, UnicodeEncodeError):
        return None
    if errors or not found or not isinstance(data, list) or len(data) != 1:
        return None
    return data[0], (located.values, located.keys, located.styles)  # type: ignore[return-value]


class EntryPositions:
    """Where one entry's values are, relative to its first line; worked out again from its lines only when asked.

    The cache keeps no positions: they are only needed to point at an error, and parsing one entry again
    takes a tenth of a millisecond, while keeping every position would double what the cache reads and writes.
    """

    __slots__ = ("line", "_tables", "_source", "_bounds")

    def __init__(self, line: int, *, tables: Tables | None = None, source: bytes = b"", bounds: tuple[int, int] = (0, 0)) -> None:
        self.line = line  # the file line the entry starts on
        self._tables = tables
        self._source = source  # the file's bytes; the entry is source[bounds[0]:bounds[1]]
        self._bounds = bounds

    def tables(self) -> Tables:
        """The (values, keys, styles) tables as parse_entry gives them."""
        if self._tables is None:
            parsed = parse_entry(self._source[self._bounds[0] : self._bounds[1]].decode("utf-8"))
            if parsed is None:  # the same lines parsed cleanly when the entry was read: they cannot fail now
                raise ValueError(f"the entry on line {self.line} no longer parses")
            self._tables = parsed[1]
        return self._tables


class EntryTables(Mapping[Path_, Any]):
    """One of a file's position tables (values, keys or styles), made of its skeleton's table and one table per entry.

    It answers exactly as the dict a whole-file parse builds would: an entry's positions move with the line the
    entry starts on, so an edit above it shifts them without rebuilding anything.
    """

    def __init__(self, base: dict[Path_, Any], lists: dict[str, list[EntryPositions]], which: int) -> None:
        self._base = base
        self._lists = lists
        self._which = which  # 0 values, 1 keys, 2 styles

    def __getitem__(self, path: Path_) -> Any:
        if len(path) >= 2 and isinstance(path[1], int):
            entries = self._lists.get(path[0]) if isinstance(path[0], str) else None
            if entries is not None:
                if not 0 <= path[1] < len(entries):
                    raise KeyError(path)
                entry = entries[path[1]]
                found = entry.tables()[self._which][(0, *path[2:])]
                return found if self._which == 2 else (found[0] + entry.line - 1, found[1])
        return self._base[path]

    def __iter__(self) -> Iterator[Path_]:
        yield from self._base
        for name, entries in self._lists.items():
            for i, entry in enumerate(entries):
                for path in entry.tables()[self._which]:
                    if path:
                        yield (name, i, *path[1:])

    def __len__(self) -> int:
        return len(self._base) + sum(len(e.tables()[self._which]) - (() in e.tables()[self._which]) for es in self._lists.values() for e in es)

    def __repr__(self) -> str:
        return f"EntryTables({len(self)} positions)"
