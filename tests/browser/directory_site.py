"""Helpers for the directory browser tests (the site, server and browser come from conftest.py).

The directory's timetables start on the build date, so tests pick their instants from the date
the built page says it starts on, never from a fixed calendar date.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page

from sitebuild import mkdocs_build, shared_build
from sitedata.data.hours import state_at
from sitedata.data.load import load_site
from sitedata.data.provenance import HoursAge, aged_state, hours_age

from .harness import OpenPage, Watched

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]
STATES_JS = """els => els.map(el => ({
  service: el.closest('[data-service-id]').getAttribute('data-service-id'),
  state: el.getAttribute('data-open-state'),
  label: el.textContent.trim(),
  timetable: el.getAttribute('data-timetable'),
  since: el.closest('[data-service-id]').getAttribute('data-hours-since'),
  note: el.closest('[data-service-id]').getAttribute('data-hours-note')
}))"""
# The thresholds the build put in site-constants.js (mkdocs.yml's), the same for every card.
POLICY_JS = "() => [window.DAPG.age.staleMonths, window.DAPG.age.veryStaleMonths]"


def build_verified_site(folder: Path, *, on: date | Mapping[str, date]) -> Path:
    """The real site built from a copy of the data in which services were confirmed with the service `on` (a date, or one per service id).

    For the open-now engine's tests: the real data's hours date from 2020 and are too old for the page to
    say open or closed (tests/browser/test_hours_age.py covers that). Fixture only: the real data is never changed.
    """
    data = folder / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("schema", "README.md"))
    helplines = data / "helplines.yaml"
    chunks = re.split(r"(?m)^(?=  - id: )", helplines.read_text(encoding="utf-8"))
    out = [chunks[0]]
    for chunk in chunks[1:]:
        service = re.match(r"  - id: (\S+)", chunk).group(1)  # type: ignore[union-attr]
        when = on.get(service) if isinstance(on, Mapping) else on
        if when is not None:
            verified = f'    verified: {{date: "{when.isoformat()}", method: phoned the service, by: browser test fixture}}\n'
            chunk, count = re.subn(r'(?m)^(    last_reviewed: "[0-9-]+"\n?)', lambda m, add=verified: m.group(1).rstrip("\n") + "\n" + add, chunk)
            assert count == 1, service
        out.append(chunk)
    helplines.write_text("".join(out), encoding="utf-8")
    site = folder / "site"
    result = mkdocs_build(site, data_dir=data)
    assert result.returncode == 0, result.stderr
    return site


def verified_today_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """build_verified_site with every service confirmed today, built once per test run and shared (tests/sitebuild.py). Read-only."""

    def make(folder: Path) -> None:
        build_verified_site(folder, on=datetime.now(LONDON).date())

    return shared_build(tmp_path_factory, "verified-today", make) / "site"


def build_date(site_dir: Path) -> date:
    """The first date the built directory's timetables cover: the build date in London."""
    text = (site_dir / "directory" / "index.html").read_text(encoding="utf-8")
    match = re.search(r'data-timetable="([^"]+)"', text)
    assert match, "the directory page has no compiled timetable"
    return date.fromisoformat(json.loads(html.unescape(match.group(1)))["from"])


def services(*, today: date) -> list[dict[str, Any]]:
    """The services in data/helplines.yaml, in page order."""
    return load_site(today=today).entries("services")


def areas(*, today: date) -> dict[str, dict[str, Any]]:
    """Areas by name."""
    return load_site(today=today).by_key("areas", "name")


def open_directory(open_page: OpenPage, site_url: str, *, at: datetime | None = None, query: str = "", **options: Any) -> Watched:
    """The directory page (a conftest Watched page) with its clock paused at `at` before any script runs."""
    watched = open_page(None, **options)
    if at is not None:
        watched.page.clock.install(time=at - timedelta(minutes=1))  # pausing must move the clock forward
        watched.page.clock.pause_at(at)
    watched.page.goto(site_url + "directory/" + query, wait_until="load")
    if options.get("java_script_enabled", True):
        watched.page.wait_for_function("() => window.openNow !== undefined")
    return watched


def shown_states(page: Page) -> list[dict[str, Any]]:
    """Every state element on the page: its service, state, label and timetable."""
    return page.eval_on_selector_all("[data-service-id] [data-open-state]", STATES_JS)


def expected_states(page: Page, *, now: datetime) -> list[dict[str, Any]]:
    """What hours.state_at, then provenance.aged_state, say each state element should show at now, from the page's own data."""
    stale, very_stale = page.evaluate(POLICY_JS)
    policy = HoursAge(stale_months=stale, very_stale_months=very_stale)
    out = []
    for row in shown_states(page):
        if row["timetable"] is None:
            out.append(dict(row))
            continue
        result = state_at(json.loads(row["timetable"]), now=now)
        age = hours_age(since=date.fromisoformat(row["since"]), today=now.astimezone(LONDON).date(), policy=policy)
        state, label = aged_state(state=result.state, label=result.label, age=age, note=row["note"])
        out.append(dict(row, state=state, label=label))
    return out


def js_now(page: Page) -> datetime:
    """The page's clock."""
    return datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, tz=LONDON)


def visible_services(page: Page) -> list[str]:
    """Ids of the cards that are shown."""
    return page.eval_on_selector_all(
        "[data-service-id]", "cards => cards.filter(c => c.checkVisibility()).map(c => c.getAttribute('data-service-id'))"
    )


def card_state(page: Page, service_id: str) -> str:
    """The card's state as open-now.js reports it (open if any channel is open)."""
    return page.evaluate("id => window.openNow.stateOf(document.querySelector(`[data-service-id='${id}']`))", service_id)


def next_weekday(after: date, *, weekday: int, avoid: frozenset[date] = frozenset()) -> date:
    """The first date after `after` that falls on `weekday` (0 is Monday) and is not in `avoid`."""
    day = after + timedelta(days=1)
    while day.weekday() != weekday or day in avoid:
        day += timedelta(days=1)
    return day
