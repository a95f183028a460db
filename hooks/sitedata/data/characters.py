"""Characters that have no place in the data: control characters, bidi overrides and zero-width characters.

They are invisible in an editor and in a pull request's diff, so they can hide text from a reviewer
(a right-to-left override turns 'moc.elpmaxe' into what looks like 'example.com'), break a phone
number or a link, or reach the built pages as bytes nobody meant. They are refused whether written
raw or as an escape in a double-quoted string ("\\0", "\\u202e").
"""

from __future__ import annotations

import re
import unicodedata

from sitedata.data.errors import DataError

# C0 and C1 controls except tab, line feed and carriage return; DEL.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Bidi embeddings, overrides, isolates and marks; the Arabic letter mark.
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
# Zero-width space, non-joiner, joiner, word joiner, invisible operators, the byte-order mark,
# the line and paragraph separators (line breaks that most editors do not show), the soft hyphen.
_INVISIBLE = "\u200b-\u200d\u2060-\u2064\ufeff\u2028\u2029\u00ad"
FORBIDDEN = re.compile(f"[{_CONTROLS}{_BIDI}{_INVISIBLE}]")
_CONTROL = re.compile(f"[{_CONTROLS}]")
CONTROL_PREFIX = "control character"
# One file with thousands of them gets a few lines, not thousands.
MAX_REPORTED = 10

_NAMES = {"\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL", "\x08": "BACKSPACE", "\x0b": "VERTICAL TAB", "\x0c": "FORM FEED"}


def describe_char(char: str) -> str:
    """'U+202E (RIGHT-TO-LEFT OVERRIDE)'."""
    name = _NAMES.get(char) or unicodedata.name(char, "") or "CONTROL"
    return f"U+{ord(char):04X} ({name})"


def kind(char: str) -> str:
    """What sort of forbidden character this is, for messages."""
    if _CONTROL.match(char):
        return CONTROL_PREFIX
    if re.match(f"[{_BIDI}]", char):
        return "bidirectional-text control"
    return "invisible character"


def raw_problems(text: str, *, display: str) -> list[DataError]:
    """Every forbidden character written as itself in a file's text (a byte-order mark at the very start is allowed)."""
    out: list[DataError] = []
    for match in FORBIDDEN.finditer(text):
        if match.start() == 0 and match.group() == "\ufeff":
            continue
        char = match.group()
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        out.append(
            DataError(
                display,
                line,
                column,
                f"{kind(char)} {describe_char(char)} here; it is invisible in most editors and is not allowed in data files: "
                "delete it (retype the text around it if you cannot see it)",
            )
        )
        if len(out) >= MAX_REPORTED:
            break
    return out


def escaped_problem(value: str, *, text: str) -> str | None:
    """Why a double-quoted value may not hold a forbidden character written as an escape, or None.

    Characters also written raw somewhere in `text` are left to raw_problems, which gives their exact column.
    """
    for match in FORBIDDEN.finditer(value):
        char = match.group()
        if char in text:
            continue
        return (
            f"{kind(char)} {describe_char(char)} written as an escape (such as \\0 or \\u{ord(char):04x}); "
            "it would be invisible on the page and is not allowed in data files: remove the escape"
        )
    return None
