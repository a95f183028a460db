"""`python -m sitedata fmt`: canonical formatting of the data files that keeps every comment.

Canonical means: fields in the order their schema lists them, mappings indented by 2, list
items by 4 with the dash at 2 (`  - id:`), quotes as the editor wrote them, entries in the order
they are in, one newline at the end. A file is only rewritten after its reformatted text has
been read back and found to hold exactly the same data and the same comments.
"""

from __future__ import annotations

import argparse
import fcntl
import io
import os
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken

from sitedata.data import schemas
from sitedata.data.errors import DataError, DataErrors
from sitedata.data.load import DATA_DIR, data_files
from sitedata.data.yamlsource import load, parse, read_limited

MAPPING_INDENT = 2
SEQUENCE_INDENT = 4
SEQUENCE_DASH_OFFSET = 2
# Wide enough that no value is ever folded onto a second line.
LINE_WIDTH = 4096
# How long `make new` and `make fmt` wait for another one to finish with the data folder.
LOCK_WAIT_SECONDS = 60

# libyaml's marks count characters, as str slicing does.
_EVENT_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_Slot = tuple[CommentedBase, str | int]
"""A place in the tree: a mapping and one of its keys, or a list and one of its indexes."""


def round_trip_yaml() -> YAML:
    """A ruamel.yaml round-trip reader/writer set to the house style."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=MAPPING_INDENT, sequence=SEQUENCE_INDENT, offset=SEQUENCE_DASH_OFFSET)
    yaml.width = LINE_WIDTH
    return yaml


def dump(doc: Any) -> str:
    """A round-trip document as text, in the house style."""
    out = io.StringIO()
    round_trip_yaml().dump(doc, out)
    return out.getvalue()


@dataclass(frozen=True)
class FileResult:
    """What formatting did to one data file."""

    path: Path
    display: str
    before: str
    after: str
    errors: list[DataError] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the canonical text differs from the file."""
        return not self.errors and self.after != self.before


def format_text(text: str, *, name: str, display: str) -> str:
    """The canonical form of one data file's text; raises DataErrors rather than lose anything."""
    located, problems = parse(text, display=display)
    if problems or located is None:
        raise DataErrors(problems or [DataError(display, 1, 1, "file is empty; nothing to format")])
    try:
        doc = round_trip_yaml().load(text)
    except YAMLError as exc:  # pragma: no cover - the project's parser rejects what ruamel rejects
        raise DataErrors([DataError(display, 1, 1, f"not valid YAML: {exc}")]) from None
    if not isinstance(doc, CommentedMap):
        return text
    comments_before = _comment_lines(doc)
    blocks = _detach_comment_blocks(doc, lines=text.split("\n"), display=display)
    order_keys(doc, name=name)
    _attach_comment_blocks(doc, blocks)
    after = keep_escapes(text, dump(doc).rstrip("\n") + "\n")
    _verify(after, data=located.data, comments=comments_before, first_line=text.split("\n", 1)[0], display=display)
    return after


def keep_escapes(before: str, after: str) -> str:
    """`after` with each double-quoted value written the way `before` wrote it, escapes and all.

    ruamel.yaml re-emits a double-quoted string from its value, so "Caf\\u00e9" came back as "Café" and
    "\\u00a0" as an invisible no-break space. A value is put back only where the old text and the new
    text are both one-line double-quoted strings with the same value; _verify then reads the result back.
    """
    if "\\" not in before:
        return after
    originals: dict[str, str] = {}
    for value, raw, _start, _end in _double_quoted(before):
        if "\\" in raw and "\n" not in raw:
            originals.setdefault(value, raw)
    if not originals:
        return after
    pieces: list[str] = []
    last = 0
    for value, raw, start, end in _double_quoted(after):
        written = originals.get(value)
        if written is not None and written != raw and "\n" not in raw:
            pieces += [after[last:start], written]
            last = end
    return "".join(pieces) + after[last:]


def _double_quoted(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(value, source text, start, end) of every double-quoted scalar in `text` (character offsets)."""
    for event in yaml.parse(text, Loader=_EVENT_LOADER):
        if isinstance(event, yaml.ScalarEvent) and event.style == '"':
            start, end = event.start_mark.index, event.end_mark.index
            yield event.value, text[start:end], start, end


def format_file(path: Path, *, name: str, display: str) -> FileResult:
    """Format one file in memory (nothing is written)."""
    try:
        before = read_text(path, display=display)
    except DataErrors as exc:
        return FileResult(path=path, display=display, before="", after="", errors=exc.errors)
    try:
        return FileResult(path=path, display=display, before=before, after=format_text(before, name=name, display=display))
    except DataErrors as exc:
        return FileResult(path=path, display=display, before=before, after=before, errors=exc.errors)


def format_data(*, data_dir: Path = DATA_DIR, write: bool) -> list[FileResult]:
    """Format every data file that has a schema; write the changed ones when `write` is true."""
    results = []
    with data_lock(data_dir) if write else nullcontext():
        for name in data_files():
            path = data_dir / f"{name}.yaml"
            if not os.path.lexists(path):
                continue
            result = format_file(path, name=name, display=f"{data_dir.name}/{path.name}")
            if write and result.changed:
                try:
                    replace_if_unchanged(path, expected=result.before, text=result.after, display=result.display)
                except DataErrors as exc:
                    result = FileResult(path=path, display=result.display, before=result.before, after=result.before, errors=exc.errors)
            results.append(result)
    return results


# ---------------------------------------------------------------- editors working at once


class DataBusy(DataErrors):
    """Another command holds the data folder, or a file changed under us: nothing was written."""


def read_text(path: Path, *, display: str) -> str:
    """A data file's text, read the loader's way: a regular file only, size-limited, UTF-8; DataErrors if not."""
    data, problem = read_limited(path, display=display)
    if problem is not None:
        raise DataErrors([problem])
    try:
        return data.decode("utf-8") if data is not None else ""
    except UnicodeDecodeError:
        _doc, problems = load(path, display=display)  # the loader says where
        raise DataErrors(problems) from None


@contextmanager
def data_lock(data_dir: Path, *, wait: float = LOCK_WAIT_SECONDS, out: TextIO | None = None) -> Iterator[None]:
    """Hold the data folder's lock while reading, checking and replacing its files: one `make new` or `make fmt` at a time.

    The lock is on the folder itself (flock on its descriptor), so no lock file is left behind, and the
    kernel lets it go when the process ends, however it ends.
    """
    fd = os.open(data_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    print(f"waiting for another 'make new' or 'make fmt' to finish writing {data_dir.name}/ ...", file=out or sys.stderr)
                    told = True
                if time.monotonic() > deadline:
                    raise DataBusy(
                        [DataError(f"{data_dir.name}/", 1, 1, f"another 'make new' or 'make fmt' has held the data folder for {wait:.0f} s; "
                                   "nothing was written: let it finish, then run this again")]
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def replace_if_unchanged(path: Path, *, expected: str, text: str, display: str) -> None:
    """Replace `path` with `text` only if it still holds `expected` (an editor may have saved it meanwhile)."""
    current = read_text(path, display=display)
    if current != expected:
        raise DataBusy(
            [DataError(display, 1, 1, "the file changed while this command was working on it (someone saved it meanwhile); "
                       "nothing was written to it: run the command again")]
        )  # fmt: skip
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


def add_parser(sub: Any) -> None:
    """Register `fmt` on the `python -m sitedata` command line."""
    parser = sub.add_parser(
        "fmt",
        help="format the data files canonically (keeps comments)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the data folder (default: data/)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")


def main(args: argparse.Namespace) -> int:
    """Run `fmt`; returns the exit status."""
    results = format_data(data_dir=args.data, write=not args.check)
    failed = [r for r in results if r.errors]
    for result in failed:
        print(DataErrors(result.errors).report().rsplit("\n", 1)[0])
        print(f"{result.display}: not formatted; fix the error above first (make check shows every problem)")
    changed = [r for r in results if r.changed]
    for result in changed:
        print(f"{result.display}: {'would be reformatted' if args.check else 'reformatted'}")
    if args.check:
        if changed:
            print(f"{len(changed)} file(s) are not in canonical form; run 'make fmt' to format them")
        return 1 if changed or failed else 0
    print(f"{len(results) - len(failed)} data file(s) formatted, {len(changed)} changed")
    return 1 if failed else 0


# ---------------------------------------------------------------- key order


def order_keys(doc: CommentedMap, *, name: str) -> None:
    """Put every mapping's keys in the order its schema lists them; unknown keys keep their place at the end."""
    for _path, value, sub in list(schemas.iter_annotated(name, doc)):
        props = sub.get("properties")
        if not isinstance(value, CommentedMap) or not isinstance(props, dict):
            continue
        wanted = [k for k in props if k in value] + [k for k in value if k not in props]
        if list(value) != wanted:
            for key in wanted:
                value.move_to_end(key)


# ---------------------------------------------------------------- comments
#
# ruamel.yaml hangs a comment line on whatever was parsed just before it: "# about tags" above
# `tags:` is stored after the value of the field above. Moving fields would move such comments
# to the wrong place, so before reordering every full-line comment is taken off the tree,
# remembered with the field or list item that follows it in the file, and put back above that
# same field or item afterwards. End-of-line comments stay where they are.


@dataclass
class _Block:
    """Consecutive full-line comments (and blank lines) and the place they sit above."""

    lines: list[str]
    target: _Slot | None  # None: the end of the document


def _containers(node: Any) -> Iterator[CommentedBase]:
    if isinstance(node, (CommentedMap, CommentedSeq)):
        yield node
        for child in node.values() if isinstance(node, CommentedMap) else node:
            yield from _containers(child)


def _document_order(node: Any) -> Iterator[_Slot]:
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            yield node, key
            yield from _document_order(value)
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            yield node, index
            yield from _document_order(value)


def _line_of(slot: _Slot) -> int:
    container, key = slot
    if isinstance(container, CommentedMap):
        return container.lc.key(key)[0]
    return container.lc.item(key)[0]


def _token_holders(doc: CommentedMap) -> Iterator[tuple[list[Any], int, CommentToken]]:
    """Every comment token in the tree with the list that holds it, except the file's header."""
    for container in _containers(doc):
        if container is not doc and container.ca.comment:
            yield from _tokens_in(container.ca.comment)
        for slots in container.ca.items.values():
            yield from _tokens_in(slots)
        yield from _tokens_in(container.ca.end or [])


def _tokens_in(slots: list[Any]) -> Iterator[tuple[list[Any], int, CommentToken]]:
    for i, item in enumerate(slots):
        if isinstance(item, CommentToken):
            yield slots, i, item
        elif isinstance(item, list):
            for j, token in enumerate(item):
                if isinstance(token, CommentToken):
                    yield item, j, token


def _split_token(token: CommentToken, *, lines: list[str]) -> tuple[str | None, list[tuple[int, str]]]:
    """(end-of-line comment or None, [(line index, full-line comment or '')]) for one token."""
    value = token.value
    line = token.start_mark.line
    eol: str | None = None
    if value.startswith("\n"):
        value = value[1:]
    elif line < len(lines) and lines[line][: token.start_mark.column].strip():
        eol, _, value = value.partition("\n")
        line += 1
    texts = value.split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    return eol, [(line + offset, text.strip()) for offset, text in enumerate(texts)]


def _detach_comment_blocks(doc: CommentedMap, *, lines: list[str], display: str) -> list[_Block]:
    """Take every full-line comment off the tree; return them grouped by the node each sits above."""
    order = list(_document_order(doc))
    starts = [_line_of(slot) for slot in order]
    found: dict[int, str] = {}
    done: set[int] = set()
    removed: set[int] = set()
    holders = list(_token_holders(doc))
    for _holder, _index, token in holders:
        if id(token) in done:
            continue
        done.add(id(token))
        eol, full_lines = _split_token(token, lines=lines)
        for number, text in full_lines:
            if number >= len(lines) or lines[number].strip() != text:
                raise DataErrors(
                    [
                        DataError(
                            display,
                            min(number, len(lines)) + 1,
                            1,
                            "make fmt could not tell where this comment belongs, so the file was left as it is; "
                            "put the comment on its own line above a field",
                        )
                    ]
                )
            found[number] = text
        if eol is None:
            removed.add(id(token))
        else:
            token.value = eol + "\n"
    for holder, index, token in holders:
        if id(token) in removed:
            holder[index] = None
    for container in _containers(doc):
        for slots in [*container.ca.items.values(), *([container.ca.comment] if container is not doc and container.ca.comment else [])]:
            for i, item in enumerate(slots):
                if isinstance(item, list):
                    slots[i] = [t for t in item if t is not None] or None
        if container.ca.end:
            container.ca.end = [t for t in container.ca.end if t is not None]
    grouped: dict[int, list[str]] = {}
    for number in sorted(found):
        grouped.setdefault(bisect_right(starts, number), []).append(found[number])
    blocks = [_Block(lines=texts, target=order[at] if at < len(order) else None) for at, texts in grouped.items()]
    for block in blocks:
        while block.target is None and block.lines and not block.lines[-1]:
            block.lines.pop()  # the file ends with one newline, not blank lines
    return [b for b in blocks if b.lines]


def _columns(doc: CommentedMap) -> tuple[dict[tuple[int, str | int], int], dict[int, _Slot]]:
    """The column each key or list item starts at in the house style, and each container's parent slot."""
    columns: dict[tuple[int, str | int], int] = {}
    parents: dict[int, _Slot] = {}

    def walk(node: Any, col: int) -> None:
        in_list = isinstance(node, CommentedSeq)
        for key, value in enumerate(node) if in_list else node.items():
            columns[(id(node), key)] = col
            if not isinstance(value, (CommentedMap, CommentedSeq)):
                continue
            parents[id(value)] = (node, key)
            if in_list:  # the item's content starts after its dash
                walk(value, col + SEQUENCE_INDENT - SEQUENCE_DASH_OFFSET)
            else:
                walk(value, col + (SEQUENCE_DASH_OFFSET if isinstance(value, CommentedSeq) else MAPPING_INDENT))

    walk(doc, 0)
    return columns, parents


def _attach_comment_blocks(doc: CommentedMap, blocks: list[_Block]) -> None:
    """Put each comment block back above its node, indented like it."""
    columns, parents = _columns(doc)
    for block in blocks:
        if block.target is None:
            doc.ca.end = [*(doc.ca.end or []), *_tokens(block.lines, column=0)]
            continue
        container, key = block.target
        # Above the first field of a list item means above the item's dash.
        while (
            isinstance(container, CommentedMap)
            and next(iter(container)) == key
            and id(container) in parents
            and isinstance(parents[id(container)][0], CommentedSeq)
        ):
            container, key = parents[id(container)]
        slots = container.ca.items.setdefault(key, [None, None, None, None])
        slots[1] = [*(slots[1] or []), *_tokens(block.lines, column=columns[(id(container), key)])]


def _tokens(lines: list[str], *, column: int) -> list[CommentToken]:
    return [CommentToken(f"{text}\n", CommentMark(column)) for text in lines]


def _comment_lines(doc: CommentedMap) -> Counter[str]:
    """Every comment line in a document (header included), stripped, blank lines left out."""
    seen: set[int] = set()
    out: Counter[str] = Counter()
    tokens = [t for _h, _i, t in _token_holders(doc)] + [t for _h, _i, t in _tokens_in(doc.ca.comment or [])]
    for token in tokens:
        if id(token) in seen:
            continue
        seen.add(id(token))
        out.update(line.strip() for line in token.value.split("\n") if line.strip())
    return out


def _verify(after: str, *, data: Any, comments: Counter[str], first_line: str, display: str) -> None:
    """Refuse the result unless it holds the same data, the same comments and the same first line."""
    located, problems = parse(after, display=display)
    problem = ""
    if problems or located is None or located.data != data:
        problem = "the data would change"
    elif _comment_lines(round_trip_yaml().load(after)) != comments:
        problem = "a comment would be lost or duplicated"
    elif first_line.startswith("#") and after.split("\n", 1)[0] != first_line:
        problem = "the first line would change"
    if problem:
        raise DataErrors(
            [
                DataError(
                    display, 1, 1, f"make fmt stopped: {problem}, so the file was left as it is; please report this with the file attached"
                )
            ]
        )
