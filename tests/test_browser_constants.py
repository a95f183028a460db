"""site-constants.js: the one copy of the constants the browser's scripts share with Python.

The generated script is run under node with a stand-in window.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from conftest import ROOT
from sitedata.constants import MONTH_NAMES, TIMEZONE, WEEKDAY_NAMES
from sitedata.data import hours, provenance
from sitedata.data.provenance import HoursAge
from sitedata.views.browser_constants import GLOBAL_NAME, browser_constants, constants_script

NODE = "/usr/bin/node"
SCRIPTS = ROOT / "overrides" / "assets" / "javascripts"
POLICY = HoursAge(stale_months=6, very_stale_months=18)


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


def test_the_generated_script_is_not_in_the_source_tree() -> None:
    """It is made by the build: a copy checked in beside the others would be one more copy to drift."""
    assert not (SCRIPTS / "site-constants.js").exists()
    assert not list(Path(ROOT / "docs").rglob("site-constants.js"))
