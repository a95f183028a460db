"""site-constants.js: the one copy of the constants the browser's scripts share with Python.

The generated script is run under node with a stand-in window; the hand-written scripts are read
for string literals that copy one of its values.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from sitedata.constants import MONTH_NAMES, TIMEZONE, WEEKDAY_NAMES
from sitedata.data import hours, provenance
from sitedata.data.provenance import HoursAge
from sitedata.views.browser_constants import GLOBAL_NAME, browser_constants, constants_script

NODE = "/usr/bin/node"
SCRIPTS = ROOT / "overrides" / "assets" / "javascripts"
POLICY = HoursAge(stale_months=6, very_stale_months=18)
# String literals in the scripts that equal a shared value by coincidence, not by copying it: (file, literal, why).
NOT_COPIES = {("directory.js", "open"): "the name of the 'open now' form field (directory.html), sent in a copied link"}


def _run(script: str, *, check: str) -> str:
    """Run the generated script under node with a stand-in window, then `check` (an expression); its JSON."""
    program = f"'use strict'; globalThis.window = {{}}; {script}\nprocess.stdout.write(JSON.stringify({check}));"
    done = subprocess.run([NODE, "-e", program], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_script_sets_the_python_values_and_the_builds_policy() -> None:
    shown = json.loads(_run(constants_script(hours_age=POLICY), check=f"window.{GLOBAL_NAME}"))
    assert shown == browser_constants(hours_age=POLICY)
    assert (shown["timeZone"], shown["weekdays"], shown["months"]) == (TIMEZONE, list(WEEKDAY_NAMES), list(MONTH_NAMES))
    labels = shown["hours"]["labels"]
    assert (labels["expired"], labels["allDay"], labels["closes"]) == (hours.EXPIRED_LABEL, hours.OPEN_ALL_DAY_LABEL, "Open now · closes {at}")
    assert (shown["hours"]["version"], shown["hours"]["open"], shown["hours"]["closed"], shown["hours"]["unknown"]) == (1, "open", "closed", "unknown")
    age = shown["age"]
    assert (age["checkPrefix"], age["confirmed"], age["stale"], age["veryStale"]) == (provenance.CHECK_PREFIX, "confirmed", "stale", "very-stale")
    assert (age["staleMonths"], age["veryStaleMonths"]) == (6, 18)  # the build's mkdocs.yml values, not the defaults


def test_the_script_is_plain_ascii_and_names_where_it_comes_from() -> None:
    text = constants_script(hours_age=HoursAge())
    assert text.isascii()  # the "·" and dashes of the labels are \\u escapes: right whatever charset the file is read in
    assert text.startswith("/* Made by the build") and "browser_constants.py" in text.splitlines()[0]


def test_no_script_can_change_a_constant_for_the_others() -> None:
    checks = "[Object.isFrozen(window.DAPG), Object.isFrozen(window.DAPG.hours.labels), Object.isFrozen(window.DAPG.weekdays)]"
    assert json.loads(_run(constants_script(hours_age=HoursAge()), check=checks)) == [True, True, True]
    attempt = "(() => { try { window.DAPG.hours.labels.expired = 'x'; return 'changed'; } catch (e) { return e.name; } })()"
    assert json.loads(_run(constants_script(hours_age=HoursAge()), check=attempt)) == "TypeError"


def test_the_label_templates_fill_in_as_python_formats_them() -> None:
    """open-now.js fills {placeholders} with one replace; every placeholder Python formats has a plain name it can match."""
    for name, template in browser_constants(hours_age=HoursAge())["hours"]["labels"].items():
        names = re.findall(r"\{([^{}]*)\}", template)
        assert all(re.fullmatch(r"\w+", n) for n in names), (name, template)
        assert template.format(**{n: f"<{n}>" for n in names}) == re.sub(r"\{(\w+)\}", lambda m: f"<{m.group(1)}>", template)


# No hand-written script keeps its own copy of a shared value.


def _shared_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _shared_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _shared_strings(item)


def _fragments(template: str) -> list[str]:
    """The fixed words of a label template: long enough that a script holding them copied the label."""
    return [part for part in re.split(r"\{\w+\}", template) if len(part.strip()) >= 6]


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if len(code) == 5 else _ESCAPES.get(code, code)


def string_literals(source: str) -> list[str]:
    """The string literals of a script (quotes and template literals), with comments and regular expressions skipped."""
    out: list[str] = []
    i, n = 0, len(source)
    previous = ""  # the last character of code seen, to tell a regular expression from a division
    while i < n:
        c = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif source.startswith("/*", i):
            i = source.index("*/", i + 2) + 2
        elif c in "\"'`":
            j, text = i + 1, []
            while source[j] != c:
                if source[j] == "\\":
                    text.append(source[j : j + 2])
                    j += 2
                else:
                    text.append(source[j])
                    j += 1
            out.append(_ESCAPE.sub(_unescape, "".join(text)))
            i, previous = j + 1, c
        elif c == "/" and (previous == "" or previous in "(,=:[!&|?{};+-*%<>~^"):
            j, in_class = i + 1, False
            while in_class or source[j] != "/":
                if source[j] == "\\":
                    j += 1
                elif source[j] in "[]":
                    in_class = source[j] == "["
                j += 1
            i = j + 1
            previous = "/"
        else:
            if not c.isspace():
                previous = c
            i += 1
    return out


def copies_of_shared_values(scripts: dict[str, str]) -> list[str]:
    """Each string literal, in each script, that equals a shared value or holds the fixed words of a shared label."""
    shared = browser_constants(hours_age=HoursAge())
    values = {v for v in _shared_strings(shared) if re.search(r"[A-Za-z]", v)}
    fragments = {f for v in _shared_strings(shared) for f in _fragments(v)}
    found = []
    for name, source in sorted(scripts.items()):
        for literal in string_literals(source):
            if (name, literal) in NOT_COPIES:
                continue
            if literal in values or any(f in literal for f in fragments):
                found.append(f"{name}: {literal!r}")
    return found


def test_no_script_copies_a_value_the_constants_script_carries() -> None:
    scripts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SCRIPTS.glob("*.js"))}
    assert "open-now.js" in scripts and "directory.js" in scripts
    assert copies_of_shared_values(scripts) == []


@pytest.mark.parametrize(
    "copy",
    [
        'var ALL_DAY = "Open 24 hours";',
        "var zone = 'Europe/London';",
        'label = "Closed · opens " + at;',
        "if (age === `very-stale`) return;",
        'var NAMES = ["Monday", "Tuesday"];',
        'return CHECK + "Check before you rely on this: " + note;',
    ],
)
def test_the_copy_check_finds_a_copied_value(copy: str) -> None:
    source = (SCRIPTS / "open-now.js").read_text(encoding="utf-8")
    assert copies_of_shared_values({"open-now.js": source.replace('"use strict";', '"use strict";\n  ' + copy, 1)}) != []


def test_the_literal_reader_skips_comments_and_regular_expressions() -> None:
    source = """// "Open 24 hours" in a comment
    /* 'Europe/London' */ var a = text.replace(/['’]/g, "x").split(/[^"]+/u); var b = 4 / 2 / 1; var c = 'it\\'s';"""
    assert string_literals(source) == ["x", "it's"]


def test_the_generated_script_is_not_in_the_source_tree() -> None:
    """It is made by the build: a copy checked in beside the others would be one more copy to drift."""
    assert not (SCRIPTS / "site-constants.js").exists()
    assert not list(Path(ROOT / "docs").rglob("site-constants.js"))
