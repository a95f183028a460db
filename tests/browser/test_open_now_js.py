"""The browser's "open now" script agrees with state_at, live and in any device time zone."""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page

from sitedata.data.hours import EXPIRED_LABEL, compile_timetable, state_at, weekly_summary

from .harness import open_now_files  # the one place the launch flags live

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser

FIXTURE = ROOT / "tests" / "fixtures" / "open_now" / "index.html"
LONDON = ZoneInfo("Europe/London")
BUILT_ON = date(2026, 11, 22)
HOURS = {
    "lunch": "Mo-Fr 10:00-12:30,13:30-16:00; PH off",
    "ph_unknown": "Mo-Fr 10:00-16:00; PH unknown",
    "always": "24/7",
    "long_days": "Mo,We 09:00-20:00; Tu,Th,Fr 09:00-17:00; PH unknown",
    "late": "Fr 20:00-02:00",
    "small_hours": "Mo-Su 00:30-03:00",
    "sunday_night": "Su 01:30-04:00",
}
TIMETABLES = {name: compile_timetable(expr, start=BUILT_ON, days=400) for name, expr in HOURS.items()}
TIMETABLES["expired"] = compile_timetable("Mo-Fr 10:00-16:00; PH off", start=date(2025, 1, 1), days=30)
LOOP_GUARD_JS = """(() => {
  window.evaluations = [];
  document.addEventListener('openstatechange', () => window.evaluations.push(Date.now()));
  const schedule = window.setTimeout;
  window.setTimeout = function () { return window.evaluations.length > 100 ? 0 : schedule.apply(this, arguments); };
})()"""
STATES_JS = """els => els.map(el => ({
  id: el.id, state: el.getAttribute('data-open-state'), label: el.textContent
}))"""


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The fixture page with compiled timetables, beside the constants script and a copy of open-now.js, as a file:// URL."""
    folder = tmp_path_factory.mktemp("open_now")
    text = FIXTURE.read_text(encoding="utf-8")
    for name, timetable in TIMETABLES.items():
        compact = json.dumps(timetable, separators=(",", ":"))
        text = text.replace(f"__TIMETABLE_{name}__", html.escape(compact, quote=True))
    assert "\"__TIMETABLE_" not in text
    (folder / "index.html").write_text(text, encoding="utf-8")
    assert open_now_files(folder) == ["site-constants.js", "open-now.js"]  # the order the fixture page loads them in
    return (folder / "index.html").as_uri()


def _open_at(browser: Browser, url: str, *, at: datetime, timezone_id: str = "Europe/London") -> tuple[Page, list[str]]:
    context = browser.new_context(timezone_id=timezone_id)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    page.clock.install(time=at - timedelta(minutes=1))  # pausing must move the clock forward
    page.clock.pause_at(at)
    page.goto(url)
    page.wait_for_function("() => window.openNow !== undefined")
    return page, problems


def _shown(page: Page) -> dict[str, tuple[str, str]]:
    rows = page.eval_on_selector_all("[data-service-id] [data-open-state]", STATES_JS)
    return {row["id"]: (row["state"], row["label"]) for row in rows}


def _expected(*, now: datetime) -> dict[str, tuple[str, str]]:
    results = {name: state_at(timetable, now=now) for name, timetable in TIMETABLES.items()}
    return {name: (result.state, result.label) for name, result in results.items()}


def _js_now(page: Page) -> datetime:
    return datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, tz=UTC)


INSTANTS = {
    "weekday morning": datetime(2026, 12, 2, 11, 0, tzinfo=LONDON),
    "lunch break": datetime(2026, 12, 2, 12, 45, tzinfo=LONDON),
    "friday evening": datetime(2026, 12, 4, 21, 0, tzinfo=LONDON),
    "saturday small hours": datetime(2026, 12, 5, 1, 0, tzinfo=LONDON),
    "christmas day": datetime(2026, 12, 25, 11, 0, tzinfo=LONDON),
    "easter monday": datetime(2027, 3, 29, 11, 0, tzinfo=LONDON),
    "clocks forward": datetime(2027, 3, 28, 1, 15, tzinfo=UTC),
    "clocks back, second 01:30": datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
}


@pytest.mark.parametrize("at", INSTANTS.values(), ids=INSTANTS.keys())
def test_every_state_matches_python(browser: Browser, page_url: str, at: datetime) -> None:
    page, problems = _open_at(browser, page_url, at=at)
    assert _js_now(page) == at
    assert _shown(page) == _expected(now=at)
    assert problems == []
    page.context.close()


def test_bank_holiday_is_closed_or_unknown_in_the_browser(browser: Browser, page_url: str) -> None:
    page, _ = _open_at(browser, page_url, at=INSTANTS["christmas day"])
    shown = _shown(page)
    assert shown["lunch"] == ("closed", "Closed · opens Tuesday 10:00")
    assert shown["ph_unknown"] == ("unknown", "Hours not confirmed today")
    assert shown["always"] == ("open", "Open 24 hours")
    page.context.close()


def test_state_changes_when_the_service_closes(browser: Browser, page_url: str) -> None:
    at = datetime(2026, 12, 2, 15, 59, 30, tzinfo=LONDON)
    page, _ = _open_at(browser, page_url, at=at)
    page.evaluate("window.changes = 0; document.addEventListener('openstatechange', () => window.changes++)")
    assert _shown(page)["lunch"] == ("open", "Open now · closes 16:00")
    page.clock.run_for(29_000)
    assert _shown(page)["lunch"] == ("open", "Open now · closes 16:00")
    assert page.evaluate("window.changes") == 0
    page.clock.run_for(1_000)
    assert _js_now(page) == datetime(2026, 12, 2, 16, 0, tzinfo=LONDON)
    assert _shown(page)["lunch"] == ("closed", "Closed · opens tomorrow 10:00")
    assert _shown(page) == _expected(now=_js_now(page))
    assert page.evaluate("window.changes") == 1
    page.context.close()


def test_opening_in_the_skipped_hour_shows_when_the_clock_jumps(browser: Browser, page_url: str) -> None:
    at = datetime(2027, 3, 28, 0, 45, tzinfo=UTC)  # 00:45 GMT; at 01:00 GMT clocks go to 02:00 BST
    page, _ = _open_at(browser, page_url, at=at)
    assert _shown(page)["sunday_night"] == ("closed", "Closed · opens 02:00")
    page.clock.run_for(15 * 60 * 1000 - 1)
    assert _shown(page)["sunday_night"][0] == "closed"
    page.clock.run_for(1)
    assert _js_now(page) == datetime(2027, 3, 28, 2, 0, tzinfo=LONDON)
    assert _shown(page)["sunday_night"] == ("open", "Open now · closes 04:00")
    assert _shown(page) == _expected(now=_js_now(page))
    page.context.close()


def test_device_time_zone_does_not_matter(browser: Browser, page_url: str) -> None:
    # New York is on summer time, London not yet: the two are four hours apart, not five.
    at = datetime(2027, 3, 17, 15, 30, tzinfo=LONDON)
    page, _ = _open_at(browser, page_url, at=at, timezone_id="America/New_York")
    assert page.evaluate("new Date().getHours()") == 11
    shown = _shown(page)
    assert shown == _expected(now=at)
    assert shown["lunch"] == ("open", "Open now · closes 16:00")
    page.context.close()


def test_expired_timetable_says_so_and_shows_the_week(browser: Browser, page_url: str) -> None:
    at = datetime(2028, 1, 5, 11, 0, tzinfo=LONDON)
    page, _ = _open_at(browser, page_url, at=at)
    assert set(_shown(page).values()) == {("unknown", EXPIRED_LABEL)}
    made = page.locator("[data-service-id='old-records'] [data-weekly-hours] li").all_inner_texts()
    assert made == [f"{day}: {hours}" for day, hours in weekly_summary(TIMETABLES["expired"])]
    assert made[0] == "Monday: 10:00–16:00"
    assert page.locator("[data-service-id='small-hours'] [data-weekly-hours]").is_visible()
    page.context.close()


def test_card_state_and_event_for_filters(browser: Browser, page_url: str) -> None:
    at = datetime(2026, 12, 4, 21, 0, tzinfo=LONDON)  # the phone line has closed, the chat is open
    page, _ = _open_at(browser, page_url, at=at)
    page.evaluate("window.changes = 0; document.addEventListener('openstatechange', () => window.changes++)")
    page.evaluate("window.openNow.refresh()")
    assert page.evaluate("window.changes") == 1
    state_of = "id => window.openNow.stateOf(document.querySelector(`[data-service-id='${id}']`))"
    assert page.evaluate(state_of, "two-channels") == "open"
    assert page.evaluate(state_of, "lunch-helpline") == "closed"
    assert page.evaluate(state_of, "old-records") == "unknown"
    assert page.evaluate("window.openNow.stateOf(document.getElementById('long_days'))") == "closed"
    page.context.close()


def test_without_javascript_the_weekly_hours_show_and_state_is_unknown(browser: Browser, page_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(page_url)
    assert {state for state, _ in _shown(page).values()} == {"unknown"}
    assert page.locator("[data-service-id='lunch-helpline'] [data-weekly-hours]").is_visible()
    context.close()


def test_timer_is_capped_and_re_evaluates(browser: Browser, page_url: str) -> None:
    at = datetime(2026, 12, 2, 17, 0, tzinfo=LONDON)  # next change for the 24/7 line is weeks away
    page, _ = _open_at(browser, page_url, at=at)
    page.evaluate("window.changes = 0; document.addEventListener('openstatechange', () => window.changes++)")
    page.clock.run_for(int(timedelta(hours=1).total_seconds() * 1000))
    assert page.evaluate("window.changes") >= 1
    assert _shown(page) == _expected(now=_js_now(page))
    page.context.close()


@pytest.mark.parametrize(
    "start",
    [datetime(2027, 10, 31, 0, 30, tzinfo=UTC), datetime(2027, 10, 31, 1, 5, tzinfo=UTC), datetime(2027, 10, 31, 1, 40, tzinfo=UTC)],
    ids=["opened at 01:30 BST", "opened at the second 01:05", "opened at the second 01:40"],
)
def test_repeated_hour_re_evaluates_only_a_few_times_a_minute(browser: Browser, page_url: str, start: datetime) -> None:
    """October's bug: in the second 01:00-02:00 the next change was the first pass's, already past, and the
    page re-evaluated ~2,000 times in 2 s. With the clock fixed, count every evaluation for three hours
    (Sunday 31 October 2027 lies inside the fixture's timetables; at 01:00 GMT the clocks go back)."""
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.clock.install(time=start - timedelta(minutes=1))
    # Count every evaluation from the first; after 100 stop scheduling timers, so that a loop (the old bug)
    # shows as a count that fails the test rather than as a fake clock that never gets to the end of the hour.
    page.add_init_script(LOOP_GUARD_JS)
    page.clock.pause_at(start)
    page.goto(page_url)
    page.wait_for_function("() => window.openNow !== undefined")
    disagreements = [] if _shown(page) == _expected(now=start) else [start]
    for _ in range(3 * 60):  # a minute at a time, checking the page agrees with Python at every step
        page.clock.run_for(60_000)
        if _shown(page) != _expected(now=_js_now(page)):
            disagreements.append(_js_now(page))
    times = page.evaluate("window.evaluations")
    assert len(times) > 1, "the page never re-evaluated in three hours"
    busiest = max(sum(1 for t in times if first <= t < first + 60_000) for first in times)
    assert busiest <= 3, f"{busiest} evaluations within one minute"
    assert len(times) <= 12, f"{len(times)} evaluations in three hours"
    assert disagreements == []
    assert problems == []
    page.context.close()
