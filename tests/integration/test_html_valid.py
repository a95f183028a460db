"""The W3C Nu HTML checker (npm vnu-jar, pinned in package.json; Java from Debian) over every built page.

Our own markup must have no errors. Material's own markup has a few that cannot be fixed in overrides/ without
copying its templates; each is allowed below, by message and by the element it is found on, with the reason.
An allowed error that no longer occurs fails too, so the list cannot go stale. Missing Java or vnu.jar fails.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java") or "/usr/bin/java"

# (message pattern, pattern of the markup it is on, why it is allowed)
ALLOWED = [
    (
        r"^Attribute “autocomplete” is only allowed when the input type is ",
        r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox" id="__(drawer|search)" autocomplete="off">',
        "Material's base.html puts autocomplete=off on the hidden checkboxes that open the menu drawer and the search"
        " (so Firefox does not restore them open); they are not in a block that overrides/ can replace.",
    ),
    (
        r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control\.$",
        r'<label class="md-nav__title" for="__toc">',
        "Material's partials/toc.html labels its hidden __toc checkbox (the table of contents toggle on small screens);"
        " replacing the partial would mean copying Material's template into the repository.",
    ),
]


@pytest.fixture(scope="module")
def nu_messages(real_site: Path) -> tuple[Path, list[dict]]:
    """Every error the checker reports for the real site, built strict."""
    assert Path(JAVA).is_file(), "no Java runtime: install Debian's default-jre-headless (the Nu checker runs on Java)"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `make npm` (npm ci)"
    site = real_site
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--skip-non-html", str(site)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    return site, errors


def _allowed(message: dict) -> int | None:
    for i, (text, markup, _reason) in enumerate(ALLOWED):
        if re.search(text, message.get("message", "")) and re.search(markup, message.get("extract", "")):
            return i
    return None


def test_every_page_is_valid_html_but_for_the_listed_material_errors(nu_messages: tuple[Path, list[dict]]) -> None:
    site, errors = nu_messages
    pages = list(site.rglob("*.html"))
    assert len(pages) > 50
    used: Counter[int] = Counter()
    ours = []
    for message in errors:
        index = _allowed(message)
        if index is None:
            where = message.get("url", "").replace(site.as_uri(), "")
            ours.append(f"{where}:{message.get('lastLine')}: {message.get('message')} [{message.get('extract', '').strip()[:120]}]")
        else:
            used[index] += 1
    print(f"Nu checker: {len(pages)} pages, {len(ours)} errors in our markup, {sum(used.values())} allowed Material errors {dict(used)}")
    assert ours == [], "\n".join(ours)
    stale = [ALLOWED[i][0] for i in range(len(ALLOWED)) if not used[i]]
    assert stale == [], f"allowed errors that no longer occur, remove them from ALLOWED: {stale}"


def test_the_checker_reports_an_error_it_is_shown(tmp_path: Path) -> None:
    """The check can fail: an empty action and a duplicate id are reported."""
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `make npm` (npm ci)"
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><title>x</title><form action=""></form><p id="a"></p><p id="a"></p></html>')
    result = subprocess.run([JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(page)], capture_output=True, text=True, timeout=300, check=False)
    messages = [m["message"] for m in json.loads(result.stderr)["messages"]]
    assert any("action" in m for m in messages) and any("Duplicate ID" in m for m in messages), messages
