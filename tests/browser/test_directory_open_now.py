"""Open now on the real, built directory page: every card's live state at chosen London instants.

The site is the real one with every service's hours confirmed today (see the site_dir fixture):
the real data's 2020 hours are too old to show a state (tests/browser/test_hours_age.py).
Instants are worked out from the build date (the first day the page's timetables cover), so the
tests stay inside the compiled window whenever they run. The reference is hooks/sitedata/data/hours.py
state_at, applied to the timetables the page itself carries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from dateutil.easter import easter

from sitedata.data.hours import EXPIRED_LABEL, TIMETABLE_DAYS, england_bank_holidays

from .directory_site import LONDON, build_date, card_state, expected_states, js_now, next_weekday, open_directory, services, shown_states, verified_today_site
from .harness import OpenPage, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site with its services' hours confirmed today (directory_site.build_verified_site): these tests are about the open-now engine."""
    return verified_today_site(tmp_path_factory)


@pytest.fixture(scope="module")
def site_url(site_dir: Path) -> Iterator[str]:
    """That site, served on 127.0.0.1."""
    with serve(site_dir) as url:
        yield url

GALOP = "galop-lgbt-helpline"
MENS_ADVICE_LINE = "mens-advice-line"
POLICE = "police-emergency-999"
NDAH = "national-domestic-abuse-helpline"


@dataclass(frozen=True)
class Window:
    """The dates the built page's timetables cover, and the instants the tests use inside them."""

    first: date
    last: date
    bank_holidays: frozenset[date]

    def ordinary_wednesday(self, *, summer: bool = False) -> date:
        """A Wednesday, not a bank holiday, in winter (GMT) or summer (BST): Galop breaks for lunch, the Men's Advice Line opens late."""
        day = self.first
        while True:
            day = next_weekday(day, weekday=2, avoid=self.bank_holidays)
            if bool(_at(day, 12).dst()) == summer:
                return day

    def sunday_before_a_working_monday(self) -> date:
        return next_weekday(self.first, weekday=6, avoid=frozenset(h - timedelta(days=1) for h in self.bank_holidays))

    def easter_monday(self) -> date:
        day = easter(self.first.year) + timedelta(days=1)
        return day if day > self.first else easter(self.first.year + 1) + timedelta(days=1)

    def clock_change(self, month: int) -> date:
        """The next last Sunday of March (clocks forward) or October (clocks back)."""
        day = _last_sunday(self.first.year, month)
        return day if day > self.first else _last_sunday(self.first.year + 1, month)


@pytest.fixture(scope="module")
def window(site_dir: Path) -> Window:
    first = build_date(site_dir)
    last = first + timedelta(days=TIMETABLE_DAYS - 1)
    return Window(first=first, last=last, bank_holidays=england_bank_holidays(first=first, last=last))


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=LONDON)


def _by_service(rows: list[dict[str, str]]) -> dict[str, tuple[str, str]]:
    return {row["service"]: (row["state"], row["label"]) for row in rows}


def test_the_instants_are_inside_the_compiled_window(window: Window) -> None:
    days = (
        window.ordinary_wednesday(),
        window.ordinary_wednesday(summer=True),
        window.sunday_before_a_working_monday(),
        window.easter_monday(),
        window.clock_change(3),
        window.clock_change(10),
    )
    for day in days:
        assert window.first < day < window.last, day
    assert window.easter_monday() in window.bank_holidays


def test_every_service_has_a_state_element(open_page: OpenPage, site_url: str, window: Window) -> None:
    watched = open_directory(open_page, site_url, at=_at(window.ordinary_wednesday(), 11))
    shown = shown_states(watched.page)
    assert {row["service"] for row in shown} == {s["id"] for s in services(today=window.first)}
    assert {row["state"] for row in shown} <= {"open", "closed", "unknown"}
    assert watched.problems() == []


@pytest.mark.parametrize("summer", [False, True], ids=["winter", "summer"])
def test_weekday_lunch_break(open_page: OpenPage, site_url: str, window: Window, summer: bool) -> None:
    at = _at(window.ordinary_wednesday(summer=summer), 12, 45)
    page = open_directory(open_page, site_url, at=at).page
    assert js_now(page) == at
    assert shown_states(page) == expected_states(page, now=at)
    shown = _by_service(shown_states(page))
    assert shown[GALOP] == ("closed", "Closed · opens 13:30")
    assert shown[POLICE] == ("open", "Open 24 hours")
    assert shown[NDAH] == ("open", "Open 24 hours")
    assert shown[MENS_ADVICE_LINE] == ("open", "Open now · closes 20:00")
    assert card_state(page, GALOP) == "closed"


def test_easter_monday_is_unknown_where_the_data_does_not_say(open_page: OpenPage, site_url: str, window: Window) -> None:
    at = _at(window.easter_monday(), 11)
    page = open_directory(open_page, site_url, at=at).page
    assert shown_states(page) == expected_states(page, now=at)
    shown = _by_service(shown_states(page))
    assert shown[GALOP] == ("unknown", "Hours not confirmed today")
    assert shown[MENS_ADVICE_LINE] == ("unknown", "Hours not confirmed today")
    assert shown[POLICE][0] == "open"
    assert shown[NDAH][0] == "open"
    assert card_state(page, GALOP) == "unknown"


def test_sunday_night_in_another_time_zone(open_page: OpenPage, site_url: str, window: Window) -> None:
    at = _at(window.sunday_before_a_working_monday(), 22, 30)
    page = open_directory(open_page, site_url, at=at, timezone_id="Asia/Tokyo").page
    assert page.evaluate("new Date().getHours()") == at.astimezone(timezone(timedelta(hours=9))).hour
    assert shown_states(page) == expected_states(page, now=at)
    shown = _by_service(shown_states(page))
    assert shown[GALOP] == ("closed", "Closed · opens tomorrow 10:00")
    assert shown[POLICE] == ("open", "Open 24 hours")


@pytest.mark.parametrize("month", [3, 10], ids=["clocks go forward", "clocks go back"])
def test_clock_change_day_in_new_york(open_page: OpenPage, site_url: str, window: Window, month: int) -> None:
    # New York changes its clocks on other dates, so its offset from London is not the usual five hours.
    at = datetime.combine(window.clock_change(month), time(1, 30), tzinfo=UTC)  # 02:30 BST in March; the second 01:30 in October
    page = open_directory(open_page, site_url, at=at, timezone_id="America/New_York").page
    assert shown_states(page) == expected_states(page, now=at)
    assert _by_service(shown_states(page))[GALOP][0] == "closed"
    page.clock.run_for(int(timedelta(hours=9).total_seconds() * 1000))  # on through the day; timers fire on the way
    assert js_now(page) == at + timedelta(hours=9)
    assert shown_states(page) == expected_states(page, now=js_now(page))


@pytest.mark.parametrize("summer", [False, True], ids=["winter", "summer"])
def test_state_updates_when_galop_breaks_for_lunch(open_page: OpenPage, site_url: str, window: Window, summer: bool) -> None:
    at = _at(window.ordinary_wednesday(summer=summer), 12, 29, 30)
    page = open_directory(open_page, site_url, at=at).page
    page.evaluate("window.changes = 0; document.addEventListener('openstatechange', () => window.changes++)")
    assert _by_service(shown_states(page))[GALOP] == ("open", "Open now · closes 12:30")
    page.clock.run_for(29_000)
    assert _by_service(shown_states(page))[GALOP][0] == "open"
    assert page.evaluate("window.changes") == 0
    page.clock.run_for(1_000)
    assert js_now(page) == _at(window.ordinary_wednesday(summer=summer), 12, 30)
    assert _by_service(shown_states(page))[GALOP] == ("closed", "Closed · opens 13:30")
    assert shown_states(page) == expected_states(page, now=js_now(page))
    assert page.evaluate("window.changes") == 1


def test_an_old_copy_never_says_open(open_page: OpenPage, site_url: str, window: Window) -> None:
    at = _at(window.last + timedelta(days=1), 11)  # the day after the compiled window
    watched = open_directory(open_page, site_url, at=at)
    page = watched.page
    timed = [row for row in shown_states(page) if row["timetable"]]
    assert timed
    assert {row["state"] for row in timed} == {"unknown"}
    assert all(row["label"].startswith(EXPIRED_LABEL) for row in timed)  # then how old the hours are by then
    assert shown_states(page) == expected_states(page, now=at)
    for row in timed:
        assert page.locator(f"[data-service-id='{row['service']}'] [data-weekly-hours]").first.is_visible()
    assert {card_state(page, s["id"]) for s in services(today=window.first)} == {"unknown"}
    assert watched.problems() == []


def test_without_javascript_every_state_is_unknown_and_the_hours_show(open_page: OpenPage, site_url: str) -> None:
    page = open_directory(open_page, site_url, java_script_enabled=False).page
    assert {row["state"] for row in shown_states(page)} == {"unknown"}
    assert page.locator(f"[data-service-id='{GALOP}'] [data-weekly-hours]").inner_text().startswith("Monday to Friday")
