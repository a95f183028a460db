"""Cut a data file into its entries: each item of a top-level list is a block of lines starting at its '- '.

This is a fast reading of the file's layout, not a parser: it only finds where each entry of the lists
named by the schema ('x-entry') begins and ends, and what is left around them (the skeleton: the file
with every entry's lines blanked and a '[]' where the first one began, so every line keeps its number).
Whoever uses it must confirm the layout by parsing: the skeleton must read as a mapping whose lists are
those '[]', and every entry must read alone as exactly one item (sitedata.data.entrywise does both, and
parses the whole file instead when either fails). Anything unusual here returns None for the same reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A lone carriage return is a line break to YAML but not to the line counts below.
_LONE_CR = re.compile(rb"\r(?!\n)")
# Blank lines and comment lines, any number of them.
_FILLER = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*")
# The first entry: '-' at some column, then a space or the end of the line.
_FIRST_ITEM = re.compile(rb"( *)-(?:[ ]|\r?\n|\r?$)")


@dataclass(frozen=True)
class Section:
    """The entries of one top-level list: where each starts, and where the list ends."""

    name: str
    indent: int  # 0-based column of each entry's '-'
    key_line: int  # 1-based line of 'name:'
    starts: tuple[int, ...]  # byte offset of each entry's first line
    lines: tuple[int, ...]  # 1-based line of each entry's first line
    end: int  # byte offset just past the list's last line

    def bounds(self, i: int) -> tuple[int, int]:
        """Byte offsets of entry i's lines."""
        return self.starts[i], self.starts[i + 1] if i + 1 < len(self.starts) else self.end

    @property
    def placeholder(self) -> tuple[int, int]:
        """Where the skeleton's '[]' stands (1-based line, column)."""
        return self.lines[0], max(self.indent, 1) + 1


@dataclass(frozen=True)
class Layout:
    """A file's entry lists, in file order, and its skeleton."""

    sections: tuple[Section, ...]
    skeleton: bytes


def segment(data: bytes, list_names: tuple[str, ...]) -> Layout | None:
    """The entry blocks of the lists `list_names` in `data` (a data file's bytes), or None if the layout is not the usual one."""
    if b"\r" in data and _LONE_CR.search(data):
        return None
    sections = []
    for name in list_names:
        found = _section(data, name)
        if found is False:
            return None
        if found is not None:
            sections.append(found)
    sections.sort(key=lambda s: s.starts[0])
    for before, after in zip(sections, sections[1:], strict=False):
        if after.starts[0] < before.end:
            return None
    parts: list[bytes] = []
    done = 0
    for section in sections:
        start = section.starts[0]
        parts.append(data[done:start])
        breaks = data.count(b"\n", start, section.end)
        parts.append(b" " * max(section.indent, 1) + b"[]" + b"\n" * breaks)
        done = section.end
    parts.append(data[done:])
    return Layout(sections=tuple(sections), skeleton=b"".join(parts))


def _section(data: bytes, name: str) -> Section | None | bool:
    """The list `name`'s entries; None when it has no block of entries to cut; False when the layout is unusual."""
    # 'name:' at the start of a line, found with bytes.find: a regular expression anchored at line starts
    # would try every position of a 13 MB file.
    prefix = name.encode() + b":"
    line_starts = [0] if data.startswith(prefix) else []
    at = data.find(b"\n" + prefix)
    while at >= 0:
        line_starts.append(at + 1)
        at = data.find(b"\n" + prefix, at + 1)
    key_line = re.compile(re.escape(prefix) + rb"(?:[ \t]+(?:#[^\n]*)?)?\r?\n")
    keys = [m for m in (key_line.match(data, i) for i in line_starts) if m]
    if not keys:
        return None
    if len(keys) > 1:
        return False  # a repeated key: the whole-file parse reports it
    first = _FILLER.match(data, keys[0].end()).end()
    item = _FIRST_ITEM.match(data, first)
    if item is None:
        return None  # a flow list, an empty one or something else: it stays in the skeleton
    indent = len(item.group(1))
    # The list ends at the first non-blank, non-comment line indented no deeper than its '-' that does not start
    # an entry; until then every line at the '-' column starting '- ' starts one. Both are found by the regular
    # expression engine, which skips ahead to each line break itself.
    entry_start = rb"-(?:[ ]|\r?\n|\r?$)"
    ending = re.compile(rb"\n(?: {0,%d}(?=[^ \r\n#])|(?= {%d}[^ \r\n#])(?! {%d}%s))" % (max(indent - 1, 0), indent, indent, entry_start)
                        if indent else rb"\n(?=[^ \r\n#])(?!%s)" % entry_start)
    stop = ending.search(data, first)
    end = len(data)
    if stop is not None:
        if data[stop.start() + 1 : stop.start() + 2] == b" ":
            return False  # less indented than the list, or not an entry at its column: unusual
        end = stop.start() + 1
    starts = [first, *(m.start() + 1 for m in re.compile(rb"\n {%d}(?=%s)" % (indent, entry_start)).finditer(data, first, end))]
    key_number = data.count(b"\n", 0, keys[0].start()) + 1
    line = key_number + data.count(b"\n", keys[0].start(), first)
    lines = [line]
    for before, after in zip(starts, starts[1:], strict=False):
        line += data.count(b"\n", before, after)
        lines.append(line)
    return Section(name=name, indent=indent, key_line=key_number, starts=tuple(starts), lines=tuple(lines), end=end)
