"""The editors' review-due page and `make check` list the same entries: those last reviewed over a year ago."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import REAL_DATA_TODAY, ROOT, DataCopy
from sitedata.data.load import load_site
from sitedata.views.render import render
from sitedata.views.review import review_due, unverified_services

FAR_FUTURE = date(2100, 1, 1)
WARNING = re.compile(
    r"^(?P<where>\S+?:\d+):\d+: (?P<entry>.+?): last_reviewed: warning: last reviewed (?P<date>\S+), more than 12 months ago", re.MULTILINE
)


def check(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"))
    return subprocess.run(
        [sys.executable, "-m", "sitedata", "check", "--data", str(data_dir), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def warned(output: str) -> set[str]:
    """'data/practices.yaml:22' for each review warning `make check` printed."""
    return {m["where"] for m in WARNING.finditer(output)}


def test_far_in_the_future_every_entry_is_due_on_the_page_and_in_make_check(real_data: DataCopy) -> None:
    site = load_site(data_dir=real_data.path, today=FAR_FUTURE)
    due = review_due(site)
    dated = sum(
        1
        for doc in site.docs.values()
        if isinstance(doc.data, dict)
        for items in doc.data.values()
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict) and "last_reviewed" in item
    )
    assert len(due) == len(site.warnings) == dated > 50

    html = render("review_due.html", unverified=[], entries=due, months=12, today=FAR_FUTURE, link=lambda target: f"/{target}")
    listed = re.findall(r'<tr data-review-entry="([^"]+)">', html)
    assert len(listed) == len(due)
    assert f"{len(due)} entries were last reviewed more than 12 months before 1 January 2100" in html
    for entry in due:  # each practice links to its own page, each service to its card
        if entry.kind == "practice":
            assert f'href="/practices/{entry.entry_id}.md"' in html
        if entry.kind == "service":
            assert f'href="/directory.md#{entry.entry_id}"' in html

    result = check(real_data.path, "--today", FAR_FUTURE.isoformat())
    assert result.returncode == 0, result.stderr
    assert warned(result.stderr) == {e.where for e in due}
    assert f"; {len(due)} due for review" in result.stdout


def test_the_list_is_oldest_first_and_empty_when_nothing_is_due(real_data: DataCopy) -> None:
    real_data.replace("helplines.yaml", 'last_reviewed: "', 'last_reviewed: "2019-03-04"\n    # was: "')
    real_data.replace("practices.yaml", 'last_reviewed: "', 'last_reviewed: "2020-05-06"\n    # was: "')
    today = REAL_DATA_TODAY
    due = review_due(load_site(data_dir=real_data.path, today=today))
    assert [(e.kind, e.last_reviewed) for e in due] == [("service", "2019-03-04"), ("practice", "2020-05-06")]
    assert due[0].where.startswith("data/helplines.yaml:") and due[0].page == "directory.md"
    assert due[1].page == f"practices/{due[1].entry_id}.md"

    nothing = render("review_due.html", unverified=[], entries=[], months=12, today=today, link=lambda target: target)
    assert "Nothing is due for review" in nothing and "<table" not in nothing




def test_check_takes_the_review_interval(data: DataCopy) -> None:
    """make check can use the interval set as extra.review_months in mkdocs.yml."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "hooks"))

    def due(months: int) -> int:
        args = ["--data", str(data.path), "--today", "2026-08-01", "--review-months", str(months)]
        run = subprocess.run([sys.executable, "-m", "sitedata", "check", *args], capture_output=True, text=True, cwd=ROOT, env=env)
        assert run.returncode == 0, run.stderr
        return run.stderr.count("warning: last reviewed 2026-01-10")

    assert due(12) == 0
    assert due(6) > 0


def test_every_unverified_service_comes_first_until_it_is_verified(real_data: DataCopy) -> None:
    today = date(2026, 12, 2)
    site = load_site(data_dir=real_data.path, today=today)
    unverified = unverified_services(site)
    assert [u.entry_id for u in unverified] == [s["id"] for s in site.entries("services")]  # all of them: nobody has verified any
    assert unverified[0].hours_note == "hours as published April 2020, not confirmed since"
    assert unverified[0].where == "data/helplines.yaml:6" and unverified[0].page == "directory.md"
    html = render("review_due.html", unverified=unverified, entries=review_due(site), months=12, today=today, link=lambda target: f"/{target}")
    assert re.findall(r'data-unverified-entry="([^"]+)"', html) == [u.entry_id for u in unverified]
    assert html.index("Services not yet confirmed with the service") < html.index("Entries due for review against their sources")

    real_data.replace(
        "helplines.yaml",
        '    last_reviewed: "2026-12-02"\n  - id: galop-lgbt-helpline',
        '    last_reviewed: "2026-12-02"\n    verified: {date: "2026-12-01", method: phoned the service, by: A. Editor}\n  - id: galop-lgbt-helpline',
    )
    still = [u.entry_id for u in unverified_services(load_site(data_dir=real_data.path, today=today))]
    assert "national-domestic-abuse-helpline" not in still and len(still) == len(unverified) - 1
