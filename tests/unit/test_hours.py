"""Opening hours: checking, compiling, bank holidays, clock changes and labels, always at a fixed now."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "hooks"))

from sitedata.data.hours import (  # noqa: E402
    EXPIRED_LABEL,
    claims_24_7,
    compile_timetable,
    england_bank_holidays,
    hours_24_7_warning,
    hours_error,
    is_24_7,
    state_at,
    weekly_summary,
)

LONDON = ZoneInfo("Europe/London")
UTC = UTC
START = date(2026, 1, 1)
DAYS = 730  # all of 2026 and 2027
EXAMPLE = "Mo-Fr 10:00-12:30,13:30-16:00; PH off"

# England and Wales bank holidays as published by GOV.UK for 2026 and 2027.
BANK_HOLIDAYS = {
    date(2026, 1, 1): "New Year's Day",
    date(2026, 4, 3): "Good Friday",
    date(2026, 4, 6): "Easter Monday",
    date(2026, 5, 4): "Early May bank holiday",
    date(2026, 5, 25): "Spring bank holiday",
    date(2026, 8, 31): "Summer bank holiday",
    date(2026, 12, 25): "Christmas Day",
    date(2026, 12, 28): "Boxing Day (substitute day)",
    date(2027, 1, 1): "New Year's Day",
    date(2027, 3, 26): "Good Friday",
    date(2027, 3, 29): "Easter Monday",
    date(2027, 5, 3): "Early May bank holiday",
    date(2027, 5, 31): "Spring bank holiday",
    date(2027, 8, 30): "Summer bank holiday",
    date(2027, 12, 27): "Christmas Day (substitute day)",
    date(2027, 12, 28): "Boxing Day (substitute day)",
}
# Christmas and Boxing Day falling at a weekend: GOV.UK lists only the substitute day, so PH does not match them.
WEEKEND_HOLIDAYS = {date(2026, 12, 26), date(2027, 12, 25), date(2027, 12, 26)}
ORDINARY_WEEKDAYS = [
    date(2025, 12, 31), date(2026, 1, 2), date(2026, 4, 2), date(2026, 4, 7), date(2026, 5, 5),
    date(2026, 5, 26), date(2026, 9, 1), date(2026, 12, 24), date(2026, 12, 29), date(2027, 3, 25),
    date(2027, 3, 30), date(2027, 5, 4), date(2027, 6, 1), date(2027, 8, 31), date(2027, 12, 24),
    date(2027, 12, 29),
]  # fmt: skip
CLOCKS_FORWARD = [date(2026, 3, 29), date(2027, 3, 28)]
CLOCKS_BACK = [date(2026, 10, 25), date(2027, 10, 31)]


def _timetable(expr: str) -> dict:
    return compile_timetable(expr, start=START, days=DAYS)


def _at(day: date, hour: int, minute: int = 0, *, tz: ZoneInfo | timezone = LONDON, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz, fold=fold)


# --- checking expressions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        EXAMPLE,
        "24/7",
        "Mo,We 09:00-20:00; Tu,Th,Fr 09:00-17:00; PH unknown",
        "Mo-Fr 10:00-16:00; PH unknown",
        "Fr 20:00-02:00; PH off",
        "Mo-Fr 10:00-16:00; PH,Sa off",
        "Mo-Fr 10:00-16:00; PH +1 day off",
        'Mo-Fr 10:00-16:00 open "call back service"; PH off',
        'Mo-Fr 10:00-16:00; Sa unknown "by appointment"; PH off',
        "Mo-Fr 09:00-17:00; Dec 25,26 off; PH off",
        "Mo-Su 00:00-24:00",
    ],
)
def test_valid_hours_have_no_error(expr: str) -> None:
    assert hours_error(expr) is None


def test_empty_hours() -> None:
    assert hours_error("  ") == (
        "hours are empty; write OSM opening_hours syntax, e.g. 'Mo-Fr 10:00-12:30,13:30-16:00; PH off' or '24/7'"
    )


def test_three_letter_days() -> None:
    assert hours_error("Mon-Fri 09:00-17:00") == (
        "'Mon-Fri 09:00-17:00' is not valid OSM opening_hours syntax (problem at character 3: 'n-Fri 09:00-17:'): "
        "write days as two letters: Mo Tu We Th Fr Sa Su; for example 'Mo-Fr 10:00-12:30,13:30-16:00; PH off'"
    )


def test_dashes_instead_of_hyphens() -> None:
    message = hours_error("Mo–Fr 10:00–16:00")
    assert message is not None
    assert message.startswith("'Mo–Fr 10:00–16:00' is not valid OSM opening_hours syntax (problem at character 3: ")
    assert "use a plain hyphen '-' between days and times, not a dash '–'" in message


def test_twelve_hour_clock() -> None:
    message = hours_error("Mo-Fr 9am-5pm")
    assert message == (
        "'Mo-Fr 9am-5pm' is not valid OSM opening_hours syntax (problem at character 7: '9am-5pm'): "
        "use the 24-hour clock, e.g. 13:30 rather than 1.30pm; for example 'Mo-Fr 10:00-12:30,13:30-16:00; PH off'"
    )


def test_dots_in_times() -> None:
    message = hours_error("Mo-Fr 10.00-16.00")
    assert message is not None
    assert "(problem at character 7: '10.00-16.00'): write times with a colon, e.g. 10:00;" in message


def test_hours_without_minutes() -> None:
    message = hours_error("Mo-Fr 9-5")
    assert message is not None
    assert "write times as HH:MM-HH:MM, e.g. 09:00-17:00" in message


def test_lower_case_ph() -> None:
    message = hours_error("Mo-Fr 10:00-16:00; ph off")
    assert message is not None
    assert "(problem at character 20: 'ph off'): write PH (bank holidays) in capitals;" in message


def test_trailing_semicolon() -> None:
    assert hours_error("Mo-Fr 10:00-16:00;") == (
        "'Mo-Fr 10:00-16:00;' is not valid OSM opening_hours syntax (it ends too soon): "
        "remove the ';' at the end; for example 'Mo-Fr 10:00-12:30,13:30-16:00; PH off'"
    )


def test_rules_not_separated() -> None:
    message = hours_error("Mo-Fr 10:00-16:00 PH off")
    assert message is not None
    assert "(problem at character 19: 'PH off'): separate rules with '; ';" in message


def test_nonsense_gets_the_general_advice() -> None:
    assert hours_error("ring first") == (
        "'ring first' is not valid OSM opening_hours syntax (problem at character 1: 'ring first'): "
        "check the days, times and separators; for example 'Mo-Fr 10:00-12:30,13:30-16:00; PH off'"
    )


def test_ph_next_to_days_is_ambiguous() -> None:
    assert hours_error("PH Mo-Fr 10:00-12:00") == (
        "'PH Mo-Fr 10:00-12:00' puts PH and days side by side, which readers take differently; "
        "write 'PH,Mo-Fr' (bank holidays and Monday to Friday) or give PH its own rule, "
        "e.g. 'Mo-Fr 10:00-12:30,13:30-16:00; PH off'"
    )


def test_school_holidays_are_not_supported() -> None:
    assert hours_error("Mo-Fr 10:00-16:00; SH off") == (
        "'Mo-Fr 10:00-16:00; SH off' uses SH (school holidays), which this site has no calendar for; "
        "give the dates instead, e.g. 'Jul 22-Sep 01 off'"
    )


def test_sun_times_are_not_supported() -> None:
    message = hours_error("Mo-Fr sunrise-sunset")
    assert message is not None
    assert message.startswith("'Mo-Fr sunrise-sunset' uses sunrise/sunset times, which this site does not work out;")


def test_fallback_rule_is_refused_with_what_to_write() -> None:
    assert hours_error('Mo-Fr 09:00-17:00 || "by appointment"') == (
        "'Mo-Fr 09:00-17:00 || \"by appointment\"' has a fallback rule ('||'), which this site cannot evaluate; "
        "write the other times as a rule of their own before the hours, "
        "e.g. '24/7 unknown \"by appointment\"; Mo-Fr 09:00-17:00'"
    )
    assert "e.g. '24/7 unknown \"ring first\"; Mo-Fr 09:00-17:00; PH off'" in str(hours_error('Mo-Fr 09:00-17:00; PH off || unknown "ring first"'))
    assert "e.g. '24/7 unknown \"by appointment\"; Mo-Fr 09:00-17:00; PH off'" in str(hours_error("Mo-Fr 09:00-17:00 || Sa 10:00-12:00"))


@pytest.mark.parametrize("expr", ['Mo-Fr "call to check"', 'Mo-Fr 09:00-17:00 "phone first"; PH off', '"ring first"'])
def test_comment_without_a_state_is_refused(expr: str) -> None:
    message = hours_error(expr)
    assert message is not None
    assert "has no open, closed or unknown before it, and OSM then reads it as unknown; write 'open \"" in message


def test_comment_without_a_state_names_the_comment() -> None:
    assert hours_error('Mo-Fr 09:00-17:00 "phone first"; PH off') == (
        "'Mo-Fr 09:00-17:00 \"phone first\"; PH off': the comment \"phone first\" has no open, closed or unknown "
        "before it, and OSM then reads it as unknown; write 'open \"phone first\"' if the service is open then, "
        "or 'unknown \"phone first\"' if the source does not say"
    )


def test_open_end_is_refused() -> None:
    message = hours_error("Mo-Fr 09:00+; PH off")
    assert message == (
        "'Mo-Fr 09:00+; PH off' has an open end ('+'), which gives no closing time; give the closing time, e.g. "
        "'Mo-Fr 09:00-17:00', or say the closing time is not known: 'Mo-Fr 09:00-24:00 unknown \"closing time varies\"'"
    )


def test_missing_bank_holiday_rule_is_refused_by_the_check_but_evaluated_by_the_engine() -> None:
    assert hours_error("Mo-Fr 09:00-17:00") == (
        "'Mo-Fr 09:00-17:00' says nothing about bank holidays; add a PH rule: 'Mo-Fr 09:00-17:00; PH off' (closed), "
        "'Mo-Fr 09:00-17:00; PH unknown' (the source does not say) or 'Mo-Fr 09:00-17:00; PH 10:00-14:00' (its own hours)"
    )
    assert hours_error("24/7") is None
    assert hours_error('Mo-Fr 09:00-17:00 open "not PH"') is not None  # PH in a comment is no rule
    # As OSM reads it: the weekday hours apply on a bank holiday too.
    assert state_at(_timetable("Mo-Fr 09:00-17:00"), now=_at(date(2026, 12, 28), 12)).state == "open"


def test_a_month_with_a_list_of_days_is_accepted() -> None:
    timetable = _timetable("Mo-Su 09:00-17:00; PH unknown; Dec 25,26 off; Jan 01-02,05 off")
    assert state_at(timetable, now=_at(date(2026, 12, 24), 12)).state == "open"
    assert state_at(timetable, now=_at(date(2026, 12, 25), 12)).state == "closed"
    assert state_at(timetable, now=_at(date(2026, 12, 26), 12)).state == "closed"
    assert state_at(timetable, now=_at(date(2026, 12, 27), 12)).state == "open"
    assert state_at(timetable, now=_at(date(2027, 1, 2), 12)).state == "closed"
    assert state_at(timetable, now=_at(date(2027, 1, 4), 12)).state == "open"
    assert state_at(timetable, now=_at(date(2027, 1, 5), 12)).state == "closed"


@pytest.mark.parametrize("expr", ["Mo-Fr 09:00-17:00; PH Mo off", "Mo-Fr sunset-22:00; PH off"])
def test_still_refused_on_purpose(expr: str) -> None:
    assert hours_error(expr) is not None


def test_unknown_label_carries_the_sources_comment() -> None:
    timetable = _timetable('Mo-Fr 09:00-17:00; Sa unknown "by appointment"; PH off')
    saturday = date(2026, 11, 28)
    assert state_at(timetable, now=_at(saturday, 11)).label == "Hours not confirmed today \u2014 by appointment"
    assert timetable["week"][5] == [[0, 1440, "u", "by appointment"]]
    assert state_at(timetable, now=_at(date(2026, 11, 27), 18)).label == "Closed · hours not confirmed from midnight"


def test_compiling_invalid_hours_raises_the_same_message() -> None:
    with pytest.raises(ValueError) as caught:
        compile_timetable("Mon-Fri 09:00-17:00", start=START, days=7)
    assert str(caught.value) == hours_error("Mon-Fri 09:00-17:00")


# --- the timetable format -------------------------------------------------------------------------


def test_example_compiles_to_week_and_bank_holidays() -> None:
    timetable = compile_timetable(EXAMPLE, start=date(2026, 11, 22), days=365)
    lunch_break_day = [[600, 750], [810, 960]]
    assert timetable == {
        "v": 1,
        "from": "2026-11-22",
        "to": "2027-11-22",
        "week": [lunch_break_day] * 5 + [[], []],
        "days": {
            "2026-12-25": [],
            "2026-12-28": [],
            "2027-01-01": [],
            "2027-03-26": [],
            "2027-03-29": [],
            "2027-05-03": [],
            "2027-05-31": [],
            "2027-08-30": [],
        },
    }


def test_unknown_bank_holidays_compile_to_u() -> None:
    timetable = compile_timetable("Mo-Fr 10:00-16:00; PH unknown", start=date(2026, 12, 21), days=14)
    assert timetable["days"] == {"2026-12-25": "u", "2026-12-28": "u", "2027-01-01": "u"}


def test_24_7_compiles_tiny() -> None:
    timetable = compile_timetable("24/7", start=date(2026, 11, 22), days=365)
    assert timetable == {"v": 1, "from": "2026-11-22", "to": "2027-11-22", "week": [[[0, 1440]]], "days": {}}
    assert len(json.dumps(timetable, separators=(",", ":"))) < 80


def test_hours_past_midnight_are_split_at_midnight() -> None:
    timetable = compile_timetable("Fr 20:00-02:00", start=date(2026, 11, 23), days=28)
    assert timetable["week"] == [[], [], [], [], [[1200, 1440]], [[0, 120]], []]
    assert timetable["days"] == {}


def test_partly_unknown_day() -> None:
    timetable = compile_timetable("Mo-Fr 10:00-16:00; Sa 10:00-12:00 unknown", start=date(2026, 11, 23), days=28)
    assert timetable["week"][5] == [[600, 720, "u"]]


def test_days_must_be_positive() -> None:
    with pytest.raises(ValueError, match="days must be at least 1, not 0"):
        compile_timetable("24/7", start=START, days=0)


# --- bank holidays ----------------------------------------------------------------------------------


def test_england_bank_holidays_2026_and_2027() -> None:
    found = england_bank_holidays(first=date(2026, 1, 1), last=date(2027, 12, 31))
    assert found == set(BANK_HOLIDAYS)


@pytest.mark.parametrize("day", sorted(WEEKEND_HOLIDAYS), ids=str)
def test_a_holiday_on_a_weekend_is_not_a_bank_holiday_only_its_substitute_is(day: date) -> None:
    timetable = _timetable("Sa,Su 10:00-16:00; PH off")
    assert state_at(timetable, now=_at(day, 12)).state == "open"
    assert state_at(timetable, now=_at(date(2026, 12, 28), 12)).state == "closed"


@pytest.mark.parametrize("day", sorted(BANK_HOLIDAYS), ids=lambda day: f"{day}-{BANK_HOLIDAYS[day]}")
def test_ph_off_is_closed_on_every_bank_holiday(day: date) -> None:
    timetable = _timetable("Mo-Fr 10:00-16:00; PH off")
    for hour in (0, 10, 12, 15):
        assert state_at(timetable, now=_at(day, hour)).state == "closed"


@pytest.mark.parametrize("day", sorted(BANK_HOLIDAYS), ids=str)
def test_ph_unknown_is_unknown_all_day_on_every_bank_holiday(day: date) -> None:
    timetable = _timetable("Mo-Fr 10:00-16:00; PH unknown")
    for hour in (0, 10, 12, 23):
        result = state_at(timetable, now=_at(day, hour))
        assert result.state == "unknown"
        assert result.label == "Hours not confirmed today"


@pytest.mark.parametrize("day", ORDINARY_WEEKDAYS, ids=str)
def test_ph_never_matches_on_ordinary_weekdays(day: date) -> None:
    for expr in ("Mo-Fr 10:00-16:00; PH off", "Mo-Fr 10:00-16:00; PH unknown"):
        timetable = compile_timetable(expr, start=date(2025, 12, 1), days=800)
        assert state_at(timetable, now=_at(day, 12)).state == "open"
        assert state_at(timetable, now=_at(day, 9)).state == "closed"


def test_bank_holiday_with_its_own_hours() -> None:
    timetable = _timetable("Mo-Fr 09:00-17:00; PH 10:00-14:00")
    easter_monday = date(2026, 4, 6)
    assert state_at(timetable, now=_at(easter_monday, 9, 30)).label == "Closed · opens 10:00"
    assert state_at(timetable, now=_at(easter_monday, 13)).label == "Open now · closes 14:00"
    assert state_at(timetable, now=_at(easter_monday, 15)).label == "Closed · opens tomorrow 09:00"


def test_day_after_a_bank_holiday() -> None:
    timetable = _timetable("Mo-Fr 10:00-16:00; PH +1 day off")
    assert state_at(timetable, now=_at(date(2026, 4, 6), 12)).state == "open"
    assert state_at(timetable, now=_at(date(2026, 4, 7), 12)).state == "closed"
    assert state_at(timetable, now=_at(date(2026, 4, 8), 12)).state == "open"


def test_late_bank_holiday_hours_run_into_the_next_day() -> None:
    timetable = _timetable("Sa,Su 12:00-16:00; PH 20:00-02:00")
    assert state_at(timetable, now=_at(date(2026, 12, 28), 21)).label == "Open now · closes tomorrow 02:00"
    assert state_at(timetable, now=_at(date(2026, 12, 29), 1)).label == "Open now · closes 02:00"
    assert state_at(timetable, now=_at(date(2026, 12, 30), 1)).state == "closed"


def test_ph_in_a_comment_is_left_alone() -> None:
    timetable = _timetable('Mo-Fr 10:00-16:00 open "closed PH"; PH off')
    assert state_at(timetable, now=_at(date(2026, 8, 31), 12)).state == "closed"
    assert state_at(timetable, now=_at(date(2026, 9, 1), 12)).state == "open"


# --- labels, lunch breaks and late hours --------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "state", "label"),
    [
        (datetime(2026, 12, 2, 9, 59, tzinfo=LONDON), "closed", "Closed · opens 10:00"),
        (datetime(2026, 12, 2, 12, 29, tzinfo=LONDON), "open", "Open now · closes 12:30"),
        (datetime(2026, 12, 2, 12, 30, tzinfo=LONDON), "closed", "Closed · opens 13:30"),
        (datetime(2026, 12, 2, 13, 30, tzinfo=LONDON), "open", "Open now · closes 16:00"),
        (datetime(2026, 12, 2, 16, 0, tzinfo=LONDON), "closed", "Closed · opens tomorrow 10:00"),
        (datetime(2026, 12, 4, 16, 0, tzinfo=LONDON), "closed", "Closed · opens Monday 10:00"),
        (datetime(2026, 12, 24, 17, 0, tzinfo=LONDON), "closed", "Closed · opens Tuesday 10:00"),
    ],
)
def test_lunch_break_labels(now: datetime, state: str, label: str) -> None:
    result = state_at(_timetable(EXAMPLE), now=now)
    assert (result.state, result.label) == (state, label)


def test_next_change_is_the_end_of_the_lunch_break() -> None:
    result = state_at(_timetable(EXAMPLE), now=datetime(2026, 12, 2, 12, 45, tzinfo=LONDON))
    assert result.next_change == datetime(2026, 12, 2, 13, 30, tzinfo=LONDON)


def test_opening_weeks_ahead_names_the_date() -> None:
    timetable = _timetable("Mo-Fr 10:00-16:00; Dec 21-Jan 03 off")
    result = state_at(timetable, now=datetime(2026, 12, 21, 9, 0, tzinfo=LONDON))
    assert result.label == "Closed · opens Monday 4 January 10:00"


def test_hours_past_midnight() -> None:
    timetable = _timetable("Fr 20:00-02:00")
    friday, saturday = date(2026, 11, 20), date(2026, 11, 21)
    assert state_at(timetable, now=_at(friday, 21)).label == "Open now · closes tomorrow 02:00"
    assert state_at(timetable, now=_at(saturday, 1, 59)).label == "Open now · closes 02:00"
    after = state_at(timetable, now=_at(saturday, 2))
    assert (after.state, after.label) == ("closed", "Closed · opens Friday 20:00")
    assert state_at(timetable, now=_at(friday, 21)).next_change == _at(saturday, 2)


def test_24_7_is_open_24_hours() -> None:
    result = state_at(_timetable("24/7"), now=datetime(2026, 6, 1, 3, 0, tzinfo=LONDON))
    assert (result.state, result.label, result.next_change) == ("open", "Open 24 hours", None)


def test_24_7_closing_on_bank_holidays_says_when() -> None:
    timetable = _timetable("24/7; PH off")
    assert state_at(timetable, now=_at(date(2026, 12, 20), 22)).label == "Open 24 hours"
    assert state_at(timetable, now=_at(date(2026, 12, 24), 22)).label == "Open now · closes midnight"
    assert state_at(timetable, now=_at(date(2026, 12, 25), 9)).label == "Closed · opens midnight"  # Boxing Day is no bank holiday
    assert state_at(timetable, now=_at(date(2026, 12, 27), 9)).label == "Open now · closes midnight"  # its substitute is


def test_unknown_labels() -> None:
    timetable = _timetable("Mo-Fr 10:00-16:00; Sa 10:00-12:00 unknown; PH unknown")
    assert state_at(timetable, now=_at(date(2026, 11, 28), 10, 30)).label == "Hours not confirmed until 12:00"
    assert state_at(timetable, now=_at(date(2026, 12, 24), 17)).label == "Closed · hours not confirmed from midnight"


def test_now_in_another_zone_is_read_on_the_london_clock() -> None:
    new_york = ZoneInfo("America/New_York")
    result = state_at(_timetable(EXAMPLE), now=datetime(2026, 12, 2, 7, 0, tzinfo=new_york))  # 12:00 in London
    assert result.label == "Open now · closes 12:30"


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        state_at(_timetable("24/7"), now=datetime(2026, 12, 2, 12, 0))  # noqa: DTZ001


# --- expiry -----------------------------------------------------------------------------------------


def test_last_minute_of_the_timetable_is_still_known() -> None:
    timetable = compile_timetable("24/7", start=date(2026, 11, 22), days=7)
    result = state_at(timetable, now=datetime(2026, 11, 28, 23, 59, tzinfo=LONDON))
    assert result.state == "open"
    assert not result.expired


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 11, 29, 0, 0, tzinfo=LONDON), datetime(2027, 6, 1, 12, 0, tzinfo=LONDON), datetime(2026, 11, 21, 23, 59, tzinfo=LONDON)],
    ids=["the day after", "months after", "before it starts"],
)
def test_outside_the_timetable_is_unknown_never_open(now: datetime) -> None:
    timetable = compile_timetable("24/7", start=date(2026, 11, 22), days=7)
    result = state_at(timetable, now=now)
    assert (result.state, result.label, result.next_change, result.expired) == ("unknown", EXPIRED_LABEL, None, True)


def test_unknown_format_version_is_treated_as_expired() -> None:
    timetable = {**compile_timetable("24/7", start=date(2026, 11, 22), days=7), "v": 2}
    assert state_at(timetable, now=datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)).expired


# --- clock changes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", CLOCKS_FORWARD + CLOCKS_BACK, ids=str)
def test_24_7_is_open_all_through_a_clock_change(day: date) -> None:
    timetable = _timetable("24/7")
    instants = [_at(day, hour, minute, tz=UTC) for hour in range(24) for minute in (0, 30, 59)]
    instants += [_at(day, hour, 30, tz=LONDON) for hour in range(24)]
    for now in instants:
        result = state_at(timetable, now=now)
        assert (result.state, result.label) == ("open", "Open 24 hours"), now


@pytest.mark.parametrize("day", CLOCKS_FORWARD, ids=str)
def test_small_hours_service_when_clocks_go_forward(day: date) -> None:
    timetable = _timetable("Mo-Su 00:30-03:00")
    before = state_at(timetable, now=_at(day, 0, 15, tz=UTC))  # 00:15 GMT
    assert (before.label, before.next_change) == ("Closed · opens 00:30", _at(day, 0, 30, tz=UTC))
    opened = state_at(timetable, now=_at(day, 0, 45, tz=UTC))  # 00:45 GMT
    assert (opened.label, opened.next_change) == ("Open now · closes 03:00", _at(day, 2, 0, tz=UTC))
    assert state_at(timetable, now=_at(day, 1, 0, tz=UTC)).state == "open"  # 02:00 BST, the clocks just jumped
    assert state_at(timetable, now=_at(day, 2, 30, tz=LONDON)).state == "open"
    closed = state_at(timetable, now=_at(day, 3, 0, tz=LONDON))
    assert closed.label == "Closed · opens tomorrow 00:30"
    assert closed == state_at(timetable, now=_at(day, 2, 0, tz=UTC))


@pytest.mark.parametrize("day", CLOCKS_BACK, ids=str)
def test_small_hours_service_when_clocks_go_back(day: date) -> None:
    timetable = _timetable("Mo-Su 00:30-03:00")
    first_one_fifteen = state_at(timetable, now=_at(day, 0, 15, tz=UTC))  # 01:15 BST
    assert (first_one_fifteen.label, first_one_fifteen.next_change) == ("Open now · closes 03:00", _at(day, 3, 0, tz=UTC))
    second_one_fifteen = state_at(timetable, now=_at(day, 1, 15, tz=LONDON, fold=1))  # 01:15 GMT
    assert second_one_fifteen == state_at(timetable, now=_at(day, 1, 15, tz=UTC))
    assert second_one_fifteen.label == "Open now · closes 03:00"
    assert state_at(timetable, now=_at(day, 2, 59, tz=UTC)).state == "open"
    assert state_at(timetable, now=_at(day, 3, 0, tz=UTC)).label == "Closed · opens tomorrow 00:30"


@pytest.mark.parametrize("day", CLOCKS_FORWARD, ids=str)
def test_opening_time_the_clocks_skip_opens_when_they_jump(day: date) -> None:
    timetable = _timetable("Su 01:30-04:00")
    result = state_at(timetable, now=_at(day, 0, 45, tz=UTC))
    assert (result.label, result.next_change) == ("Closed · opens 02:00", _at(day, 1, 0, tz=UTC))
    assert state_at(timetable, now=_at(day, 1, 0, tz=UTC)).label == "Open now · closes 04:00"


@pytest.mark.parametrize("day", CLOCKS_BACK, ids=str)
def test_opening_time_that_happens_twice_opens_the_first_time(day: date) -> None:
    timetable = _timetable("Su 01:30-04:00")
    result = state_at(timetable, now=_at(day, 0, 0, tz=UTC))  # 01:00 BST
    assert (result.label, result.next_change) == ("Closed · opens 01:30", _at(day, 0, 30, tz=UTC))
    assert state_at(timetable, now=_at(day, 0, 30, tz=UTC)).next_change == _at(day, 4, 0, tz=UTC)
    # The clocks go back to 01:00 while it is open: it stays open through the second pass.
    second_pass = state_at(timetable, now=_at(day, 1, 10, tz=UTC))
    assert (second_pass.label, second_pass.next_change) == ("Open now · closes 04:00", _at(day, 4, 0, tz=UTC))


@pytest.mark.parametrize("day", CLOCKS_BACK, ids=str)
def test_hours_wholly_in_the_repeated_hour_open_once(day: date) -> None:
    timetable = _timetable("Su 01:15-01:45; Mo 09:00-10:00")
    assert state_at(timetable, now=_at(day, 0, 20, tz=UTC)).label == "Open now · closes 01:45"  # 01:20 BST
    second_pass = state_at(timetable, now=_at(day, 1, 20, tz=UTC))  # 01:20 GMT
    assert (second_pass.state, second_pass.label) == ("closed", "Closed · opens tomorrow 09:00")


@pytest.mark.parametrize("day", CLOCKS_BACK, ids=str)
def test_every_next_change_in_the_repeated_hour_is_in_the_future(day: date) -> None:
    """The October bug: the next change was taken from the first pass, already past, and the page looped."""
    for expr in ("Su 01:30-04:00", "Su 01:15-01:45", "Mo-Su 00:30-03:00", "Su 00:00-01:30", "Sa 23:00-01:10", "24/7; PH off"):
        timetable = _timetable(expr)
        for minute in range(0, 180):
            now = _at(day, 0, tz=UTC) + timedelta(minutes=minute, seconds=30)
            result = state_at(timetable, now=now)
            assert result.next_change is None or result.next_change > now, (expr, now)
            if result.next_change is not None:
                before = state_at(timetable, now=result.next_change - timedelta(seconds=1))
                after = state_at(timetable, now=result.next_change)
                assert before.state == result.state != after.state, (expr, now)


@pytest.mark.parametrize("day", CLOCKS_FORWARD, ids=str)
def test_hours_wholly_in_the_skipped_hour_never_open(day: date) -> None:
    timetable = _timetable("Su 01:15-01:45; Su 05:00-06:00")
    result = state_at(timetable, now=_at(day, 0, 30, tz=UTC))  # 00:30 GMT
    assert (result.state, result.label) == ("closed", "Closed · opens 05:00")
    assert result.next_change == _at(day, 4, 0, tz=UTC)
    assert state_at(timetable, now=_at(day, 1, 0, tz=UTC)).state == "closed"  # 02:00 BST


# --- weekly summary -----------------------------------------------------------------------------------


def test_weekly_summary_of_an_expression() -> None:
    assert weekly_summary(EXAMPLE, start=date(2026, 11, 22)) == [
        ("Monday", "10:00–12:30, 13:30–16:00"),
        ("Tuesday", "10:00–12:30, 13:30–16:00"),
        ("Wednesday", "10:00–12:30, 13:30–16:00"),
        ("Thursday", "10:00–12:30, 13:30–16:00"),
        ("Friday", "10:00–12:30, 13:30–16:00"),
        ("Saturday", "Closed"),
        ("Sunday", "Closed"),
    ]


def test_weekly_summary_shows_late_hours_on_the_day_they_start() -> None:
    assert weekly_summary(_timetable("Fr 20:00-02:00"))[4:6] == [("Friday", "20:00–02:00"), ("Saturday", "Closed")]
    assert set(weekly_summary(_timetable("Mo-Su 22:00-02:00"))) == {
        (day, "22:00–02:00") for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    }
    assert weekly_summary(_timetable("Su 22:00-02:00"))[0] == ("Monday", "Closed")


def test_weekly_summary_of_24_7_and_unknown_hours() -> None:
    assert weekly_summary(_timetable("24/7"))[0] == ("Monday", "Open 24 hours")
    summary = weekly_summary(_timetable("Mo-Fr 10:00-16:00; Sa 10:00-12:00 unknown; Su unknown"))
    assert summary[5:] == [("Saturday", "10:00–12:00 (not confirmed)"), ("Sunday", "Hours not confirmed")]


def test_weekly_summary_of_an_expression_needs_a_start() -> None:
    with pytest.raises(ValueError, match="start is required"):
        weekly_summary(EXAMPLE)


# --- 24/7 claims ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Open 24/7", "open 24 / 7", "24x7 support", "Open 24 hours", "a 24-hour helpline", "24hrs a day", "24 hrs", "round-the-clock"],
)
def test_text_claiming_24_7(text: str) -> None:
    assert claims_24_7(text)


@pytest.mark.parametrize(
    "text",
    ["We reply within 24 hours", "Call back in 24 hours", "Monday to Friday 10am to 4pm", "Open 7 days", "1247 cases"],
)
def test_text_not_claiming_24_7(text: str) -> None:
    assert not claims_24_7(text)


def test_24_7_hours_in_other_words_count_as_24_7() -> None:
    assert is_24_7("Mo-Su 00:00-24:00")
    assert not is_24_7("24/7; PH off")


def test_no_warning_when_text_and_hours_agree() -> None:
    assert hours_24_7_warning(text="Open 24/7", hours="24/7") is None
    assert hours_24_7_warning(text="Monday to Friday", hours="Mo-Fr 10:00-16:00") is None
    assert hours_24_7_warning(text="Open 24/7", hours="not hours") is None  # hours_error reports that


def test_warning_when_text_says_24_7_but_hours_do_not() -> None:
    assert hours_24_7_warning(text="A free helpline, open 24 hours.", hours="Mo-Fr 10:00-16:00") == (
        "the text says '24 hours' but the hours are 'Mo-Fr 10:00-16:00', not '24/7'; "
        "correct the text or set hours to '24/7'"
    )
    assert hours_24_7_warning(text="Open 24/7", hours="24/7; PH off") is not None


# The fast paths in compile_timetable must give exactly what evaluating each day on its own gives.
from sitedata.data import hours  # noqa: E402

FAST_PATH_CASES = (
    "24/7",
    "Mo-Fr 10:00-12:30,13:30-16:00",
    "Mo,We 09:00-20:00; Tu,Th,Fr 09:00-17:00",
    "Fr 20:00-02:00",
    "Mo-Su 00:30-03:00",
    "Mo-Su 22:00-02:00",
    "Mo-Fr 09:00-17:00; Dec 24-26 off",
    "Mo-Fr 09:00-17:00 unknown",
    "Mo-Fr 10:00-16:00; PH off",
    "Mo-Fr 10:00-16:00; PH unknown",
    "Mo-Su 22:00-02:00; PH off",
    "Mo-Fr 09:00-21:00; Sa,Su 09:00-17:00; PH 10:00-14:00",
    "Mo-Fr 09:00-17:00; PH +1 day off",
)


@pytest.mark.parametrize("expr", FAST_PATH_CASES)
def test_compiled_timetable_equals_day_by_day_evaluation(expr: str) -> None:
    start, days = date(2026, 3, 1), 400
    dates = [start + timedelta(days=n) for n in range(days)]
    margin = timedelta(days=hours._HOLIDAY_MARGIN_DAYS)
    holidays_ = hours.england_bank_holidays(first=start - margin, last=dates[-1] + margin)
    compiled = hours.compile_timetable(expr, start=start, days=days)
    for day in dates:
        one_day = hours._intervals_by_day(hours._parsed(hours._expression_for_day(expr, day=day, bank_holidays=holidays_)), dates=[day])[day]
        assert hours._hours_on(compiled, day=day) == one_day, (expr, day)
