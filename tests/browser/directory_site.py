"""Helpers for the directory browser tests (the site, server and browser come from conftest.py).

The directory's timetables start on the build date, so tests pick their instants from the date
the built page says it starts on, never from a fixed calendar date.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page

from sitedata.hours import state_at
from sitedata.load import load_site

from .harness import OpenPage, Watched

LONDON = ZoneInfo("Europe/London")
STATES_JS = """els => els.map(el => ({
  service: el.closest('[data-service-id]').getAttribute('data-service-id'),
  state: el.getAttribute('data-open-state'),
  label: el.textContent.trim(),
  timetable: el.getAttribute('data-timetable')
}))"""


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
    """What hours.state_at says each state element should show at now, from the page's own timetables."""
    out = []
    for row in shown_states(page):
        if row["timetable"] is None:
            out.append(dict(row))
            continue
        result = state_at(json.loads(row["timetable"]), now=now)
        out.append(dict(row, state=result.state, label=result.label))
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
