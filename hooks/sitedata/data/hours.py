"""Opening hours: check OSM opening_hours, compile them for the browser, and say whether a service is open.

Hours are OpenStreetMap ``opening_hours`` expressions. At build time each one is compiled into a
small timetable of wall-clock minutes in Europe/London, so the browser script
(``overrides/assets/javascripts/open-now.js``) parses nothing and only looks minutes up.
``state_at`` is the reference for what that script shows; the browser tests compare the two.

Timetable (``compile_timetable``), as JSON::

    {"v": 1, "from": "2026-11-22", "to": "2027-11-22",
     "week": [<Mo>, <Tu>, <We>, <Th>, <Fr>, <Sa>, <Su>],   # or [<day>]: the same every day
     "days": {"2026-12-25": [], "2027-04-05": "u"}}        # only dates unlike their weekday

A <day> is a sorted list of intervals ``[start, end]`` (open) or ``[start, end, "u"]`` (unknown; with
the source's comment, ``[start, end, "u", "by appointment"]``) in minutes since that date's midnight
on the London wall clock, 0 <= start < end <= 1440; the rest of the day is closed. ``"u"`` alone
means unknown all day. ``from`` is the first date covered and ``to`` the first date not covered.
Hours past midnight are split at midnight. Each wall-clock minute stands for the first instant the
clock shows it (see ``_segment_at`` for the two nights a year the clocks change).

Bank holidays: opening_hours_py cannot be given a holiday calendar and its own GB calendar misses
England-only bank holidays, so ``PH`` is never shown to the library. For each date the expression is
rewritten so that every ``PH`` token names exactly the weekdays, among that date and the day before
(whose late hours can run past midnight), that are England and Wales bank holidays as GOV.UK lists
them (``england_bank_holidays``); a weekday outside those two days when neither is one.

What is refused and why (issue 13's eight classes) is in DEVELOPING.md, "Opening hours":
``evaluation_error`` is what the engine cannot show truthfully; ``hours_error`` adds the editors'
rule that timed hours say what happens on bank holidays. The library then
evaluates the date as usual, with PH matching on bank holidays and nowhere else.

Each channel with hours carries a timetable compiled at build time for ``TIMETABLE_DAYS`` days from
the build date (see ``hours.compile_timetable``); ``open-now.js`` only looks minutes up in it.
Why 400 days: a copy of the page (saved, printed to PDF, kept offline) stays right for a year and a
month, which is longer than the review interval (12 months by default, after which the build warns
and a strict build stops), so a site that is maintained is always rebuilt before its timetables run
out. Every bank holiday of the coming year, including next Christmas, is inside the window. After it,
the page shows the weekly pattern with a note and never "open". Each timetable is a few hundred bytes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import holidays
from opening_hours import OpeningHours, ParserError, State

from sitedata.background import Job
from sitedata.constants import LONDON, MONTH_NAMES, WEEKDAY_NAMES

TIMETABLE_VERSION = 1
DAY_MINUTES = 24 * 60
OPEN = "open"
CLOSED = "closed"
UNKNOWN = "unknown"
EXAMPLE_HOURS = "Mo-Fr 10:00-12:30,13:30-16:00; PH off"
SUMMARY_DAYS = 7 * 52
TIMETABLE_DAYS = 400
# Past this many distinct expressions not compiled yet, half are compiled in another process.
PARALLEL_FROM = 400
UNKNOWN_MARK = "u"

# The words open-now shows. open-now.js reads these same strings from the script the build writes
# (sitedata.views.browser_constants), so nobody copies them into JavaScript. {at} is a time from the
# WHEN_* wordings, {clock} is HH:MM, {note} the source's own words on an unknown run.
EXPIRED_LABEL = "Hours from our records; we can't tell if it's open now"
OPEN_ALL_DAY_LABEL = "Open 24 hours"
CLOSED_LABEL = "Closed"
UNKNOWN_TODAY_LABEL = "Hours not confirmed today"
CLOSES_LABEL = "Open now · closes {at}"
UNKNOWN_UNTIL_LABEL = "Hours not confirmed until {at}"
OPENS_LABEL = "Closed · opens {at}"
UNKNOWN_FROM_LABEL = "Closed · hours not confirmed from {at}"
COMMENT_SUFFIX = " \u2014 {note}"
WHEN_MIDNIGHT = "midnight"
WHEN_TOMORROW = "tomorrow {clock}"
WHEN_THIS_WEEK = "{weekday} {clock}"
WHEN_LATER = "{weekday} {day} {month} {clock}"
# The weekly hours (weekly_summary; open-now.js weekRows when the timetable has run out). A day with
# nothing open says CLOSED_LABEL; one open all day says OPEN_ALL_DAY_LABEL.
UNKNOWN_DAY_LABEL = "Hours not confirmed"
SPAN = "{start}\u2013{end}"
UNCONFIRMED_SPAN = "{span} (not confirmed)"
SPAN_SEPARATOR = ", "

DayHours = str | list[list[Any]]
Segment = tuple[int, int, str, str]  # start and end minute on the wall clock, state, comment (unknown runs only)
Timetable = dict[str, Any]

_OSM_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_HOLIDAY_MARGIN_DAYS = 14
_COMMENT = re.compile(r'("[^"]*")')
_PH_TOKEN = re.compile(r"\bPH(?:\s*([+-])\s*(\d+)\s*days?\b)?")
# opening_hours_py reads "PH Mo-Fr" as "PH or Mo-Fr"; the OSM wiki reads it as "PH and Mo-Fr".
_PH_THEN_WEEKDAY = re.compile(r"\bPH(?:\s*[+-]\s*\d+\s*days?)?\s+(?:Mo|Tu|We|Th|Fr|Sa|Su)\b")
_SCHOOL_HOLIDAYS = re.compile(r"\bSH\b")
_FALLBACK = re.compile(r"\|\|")
_OPEN_END = re.compile(r"\d\d:\d\d\s*\+")
_STATE_BEFORE_COMMENT = re.compile(r"\b(?:open|closed|off|unknown)\s*$")
_ANY_PH = re.compile(r"\bPH\b")
# "Dec 25,26" is valid OSM (a month then a list of days) but opening_hours_py wants "Dec 25,Dec 26".
_MONTH_DAY_LIST = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2}(?:-\d{1,2})?)((?:\s*,\s*\d{1,2}(?:-\d{1,2})?(?![\d:]))+)"
)
_SUN_EVENTS = re.compile(r"\b(?:sunrise|sunset|dawn|dusk)\b")
_PARSER_POSITION = re.compile(r"-->\s*\d+:(\d+)")
_SYNTAX_HINTS = (
    (re.compile(r"[\u2013\u2014]"), "use a plain hyphen '-' between days and times, not a dash '\u2013'"),
    (
        re.compile(r"\b(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)[a-z]*\b", re.IGNORECASE),
        "write days as two letters: Mo Tu We Th Fr Sa Su",
    ),
    (re.compile(r"\b(?:ph|Ph|pH)\b"), "write PH (bank holidays) in capitals"),
    (re.compile(r"\d\s*(?:am|pm)\b", re.IGNORECASE), "use the 24-hour clock, e.g. 13:30 rather than 1.30pm"),
    (re.compile(r"\b\d{1,2}\.\d{2}\b"), "write times with a colon, e.g. 10:00"),
    (re.compile(r"(?<![\d:.])\d{1,2}\s*-\s*\d{1,2}(?![\d:.])"), "write times as HH:MM-HH:MM, e.g. 09:00-17:00"),
    (re.compile(r";\s*$"), "remove the ';' at the end"),
    (re.compile(r"\d\s+(?:PH|Mo|Tu|We|Th|Fr|Sa|Su)\b"), "separate rules with '; '"),
)
_CLAIMS_24_7 = re.compile(
    r"\b24\s*(?:/|x)\s*7\b"
    r"|(?<!within )(?<!in )(?<!after )(?<!next )(?<!last )(?<!up to )(?<!every )(?<!than )(?<!over )(?<!per )"
    r"\b24[\s-]*(?:hours?|hrs?)\b"
    r"|\bround[\s-]the[\s-]clock\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OpenState:
    """Whether a service is open at one instant, and the words to show for it."""

    state: str
    label: str
    # In UTC: Python never finds a London time in October's repeated hour equal to a UTC one.
    next_change: datetime | None = None
    expired: bool = False


def hours_error(expr: str) -> str | None:
    """A short message saying what is wrong with an opening_hours expression, or None when it is fine."""
    problem = evaluation_error(expr)
    if problem:
        return problem
    if not _ANY_PH.search(_COMMENT.sub('""', expr)) and not is_24_7(expr):
        return (
            f"'{expr}' says nothing about bank holidays; add a PH rule: '{expr}; PH off' (closed), "
            f"'{expr}; PH unknown' (the source does not say) or '{expr}; PH 10:00-14:00' (its own hours)"
        )
    return None


def evaluation_error(expr: str) -> str | None:
    """What hours_error says, less the editors' rule that every timed expression has a PH rule:
    the expressions the engine refuses to evaluate, because it could not show them truthfully."""
    if not expr.strip():
        return f"hours are empty; write OSM opening_hours syntax, e.g. '{EXAMPLE_HOURS}' or '24/7'"
    try:
        OpeningHours(_library_form(expr))
    except (ParserError, SyntaxError) as exc:
        return _syntax_message(expr, parser_message=str(exc))
    outside_comments = _COMMENT.sub('""', expr)
    if _FALLBACK.search(outside_comments):
        return (
            f"'{expr}' has a fallback rule ('||'), which this site cannot evaluate; write the other times as a rule "
            f"of their own before the hours, e.g. '{_without_fallback(expr)}'"
        )
    if _OPEN_END.search(outside_comments):
        return (
            f"'{expr}' has an open end ('+'), which gives no closing time; give the closing time, e.g. "
            f"'Mo-Fr 09:00-17:00', or say the closing time is not known: 'Mo-Fr 09:00-24:00 unknown \"closing time varies\"'"
        )
    for comment in _COMMENT.finditer(expr):
        if not _STATE_BEFORE_COMMENT.search(expr[: comment.start()]):
            return (
                f"'{expr}': the comment {comment.group(0)} has no open, closed or unknown before it, and OSM then "
                f"reads it as unknown; write 'open {comment.group(0)}' if the service is open then, "
                f"or 'unknown {comment.group(0)}' if the source does not say"
            )
    if _PH_THEN_WEEKDAY.search(outside_comments):
        return (
            f"'{expr}' puts PH and days side by side, which readers take differently; "
            f"write 'PH,Mo-Fr' (bank holidays and Monday to Friday) or give PH its own rule, e.g. '{EXAMPLE_HOURS}'"
        )
    if _SCHOOL_HOLIDAYS.search(outside_comments):
        return f"'{expr}' uses SH (school holidays), which this site has no calendar for; give the dates instead, e.g. 'Jul 22-Sep 01 off'"
    if _SUN_EVENTS.search(outside_comments):
        return f"'{expr}' uses sunrise/sunset times, which this site does not work out; give clock times, e.g. '{EXAMPLE_HOURS}'"
    return None


@lru_cache(maxsize=64)
def england_bank_holidays(*, first: date, last: date) -> frozenset[date]:
    """England and Wales bank holidays from first to last, as GOV.UK lists them.

    ``holidays`` also returns Christmas, Boxing Day and New Year's Day on the Saturday or Sunday they
    fall on, beside the Monday or Tuesday substitute. A bank holiday in England is always a weekday
    (a weekend one moves to a substitute day), so the weekend dates are dropped: GOV.UK lists only
    the substitute.
    """
    years = range(first.year, last.year + 1)
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return frozenset(day for day in calendar if first <= day <= last and day.weekday() < 5)


def compile_timetable(expr: str, *, start: date, days: int) -> Timetable:
    """The hours from start for the given number of days, as a small JSON-able timetable (a fresh copy)."""
    return json.loads(timetable_json(expr, start=start, days=days))


@lru_cache(maxsize=4096)
def timetable_json(expr: str, *, start: date, days: int) -> str:
    """compile_timetable as compact JSON, compiled once per expression: a year of days costs ~13 ms,
    and across thousands of services the same few expressions recur."""
    return json.dumps(_compile(expr, start=start, days=days), separators=(",", ":"))


def _compile(expr: str, *, start: date, days: int) -> Timetable:
    problem = evaluation_error(expr)
    if problem:
        raise ValueError(problem)
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    dates = [start + timedelta(days=n) for n in range(days)]
    # A margin either side covers late hours from the day before and PH offsets such as "PH +1 day".
    margin = timedelta(days=_HOLIDAY_MARGIN_DAYS)
    bank_holidays = england_bank_holidays(first=start - margin, last=dates[-1] + margin)
    # Given no country, the library's PH matches no day, so one call gives the whole window as if there
    # were no bank holidays (what the usual week is made from). Only the days a bank holiday reaches, whose
    # PH-rewritten expression differs, are worked out again one by one.
    without_holidays = _intervals_by_day(_parsed(expr), dates=dates)
    by_date = dict(without_holidays)
    for day in sorted(_days_holidays_reach(expr, bank_holidays=bank_holidays) & set(dates)):
        rewritten = _expression_for_day(expr, day=day, bank_holidays=bank_holidays)
        if rewritten != _expression_for_day(expr, day=day, bank_holidays=frozenset()):
            by_date[day] = _intervals_of(rewritten, day)
    week = _usual_week(without_holidays)
    exceptions = {day.isoformat(): _encode_day(hours) for day, hours in by_date.items() if hours != week[day.weekday()]}
    encoded_week = [_encode_day(hours) for hours in week]
    if all(hours == encoded_week[0] for hours in encoded_week):
        encoded_week = encoded_week[:1]
    return {
        "v": TIMETABLE_VERSION,
        "from": start.isoformat(),
        "to": (start + timedelta(days=days)).isoformat(),
        "week": encoded_week,
        "days": exceptions,
    }


def state_at(timetable: Mapping[str, Any], *, now: datetime) -> OpenState:
    """Open, closed or unknown at now (timezone-aware), with the next change and a label to show."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    here = _segment_at(timetable, at=now) if timetable.get("v") == TIMETABLE_VERSION else None
    if here is None:
        return OpenState(state=UNKNOWN, label=EXPIRED_LABEL, expired=True)
    today = now.astimezone(LONDON).date()
    state, comment = here[2], here[3]
    # An unknown run's comment is the source's own words on why (e.g. "by appointment"): show it.
    note = COMMENT_SUFFIX.format(note=comment) if state == UNKNOWN and comment else ""
    change = _next_change(timetable, now=now, state=state)
    if change is None:
        label = {OPEN: OPEN_ALL_DAY_LABEL, CLOSED: CLOSED_LABEL, UNKNOWN: UNKNOWN_TODAY_LABEL}[state]
        return OpenState(state=state, label=label + note)
    next_change, next_state = change
    # Read the clock at the instant itself: a time skipped when clocks go forward shows as the hour after.
    change_wall = next_change.astimezone(LONDON)
    when = _when(today=today, day=change_wall.date(), minute=change_wall.hour * 60 + change_wall.minute)
    if state == OPEN:
        label = OPEN_ALL_DAY_LABEL if next_change - now >= timedelta(days=1) else CLOSES_LABEL.format(at=when)
    elif state == UNKNOWN:
        label = UNKNOWN_UNTIL_LABEL.format(at=when) if change_wall.date() == today else UNKNOWN_TODAY_LABEL
    elif next_state == OPEN:
        label = OPENS_LABEL.format(at=when)
    else:
        label = UNKNOWN_FROM_LABEL.format(at=when)
    return OpenState(state=state, label=label + note, next_change=next_change)


def weekly_summary(hours: str | Mapping[str, Any], *, start: date | None = None) -> list[tuple[str, str]]:
    """Seven rows like ("Monday", "10:00–12:30, 13:30–16:00"): the usual week, late hours shown on the day they start."""
    if isinstance(hours, str):
        if start is None:
            raise ValueError("start is required to summarise an expression")
        hours = compile_timetable(hours, start=start, days=SUMMARY_DAYS)
    week = [tuple(run[:3] for run in _decode_day(hours["week"][weekday % len(hours["week"])])) for weekday in range(7)]
    shown: list[list[tuple[int, int, str]]] = [list(day) for day in week]
    for weekday in range(7):
        following = (weekday + 1) % 7
        if not week[weekday] or not week[following]:
            continue
        start_min, end_min, state = week[weekday][-1]
        first_start, first_end, first_state = week[following][0]
        if end_min == DAY_MINUTES and start_min > 0 and first_start == 0 and first_end < DAY_MINUTES and first_state == state:
            shown[weekday][-1] = (start_min, DAY_MINUTES + first_end, state)
            shown[following].remove(week[following][0])
    return [(WEEKDAY_NAMES[weekday], _describe_day(shown[weekday])) for weekday in range(7)]


def claims_24_7(text: str) -> bool:
    """The text says the service is open round the clock ("24/7", "24 hours", "24hrs")."""
    return bool(_CLAIMS_24_7.search(text))


def is_24_7(expr: str) -> bool:
    """The expression means open at all times, bank holidays included."""
    try:
        return str(OpeningHours(_library_form(expr)).normalize()) == "24/7"
    except (ParserError, SyntaxError):
        return False


def hours_24_7_warning(*, text: str, hours: str) -> str | None:
    """A warning when text claims 24/7 but the hours are valid and something else, or None."""
    if not claims_24_7(text) or evaluation_error(hours) or is_24_7(hours):
        return None
    claim = _CLAIMS_24_7.search(text)
    said = claim.group(0) if claim else "24/7"
    return f"the text says '{said}' but the hours are '{hours}', not '24/7'; correct the text or set hours to '24/7'"


def _without_fallback(expr: str) -> str:
    """What to write instead of 'A || "comment"': the comment as an unknown rule for all times, then A."""
    primary, _, fallback = expr.partition("||")
    comment = _COMMENT.search(fallback)
    if comment and _COMMENT.sub("", fallback).strip(" ;") not in ("", "unknown"):
        comment = None
    if comment is None or "||" in fallback:
        return '24/7 unknown "by appointment"; Mo-Fr 09:00-17:00; PH off'
    return f"24/7 unknown {comment.group(0)}; {primary.strip()}"


def _syntax_message(expr: str, *, parser_message: str) -> str:
    position = _PARSER_POSITION.search(parser_message)
    where = ""
    if position:
        column = int(position.group(1))
        rest = expr[column - 1 : column + 14]
        where = f" (problem at character {column}: '{rest}')" if rest else " (it ends too soon)"
    hints = [hint for pattern, hint in _SYNTAX_HINTS if pattern.search(expr)]
    advice = "; ".join(hints[:2]) if hints else "check the days, times and separators"
    return f"'{expr}' is not valid OSM opening_hours syntax{where}: {advice}; for example '{EXAMPLE_HOURS}'"


def _expression_for_day(expr: str, *, day: date, bank_holidays: frozenset[date]) -> str:
    def weekdays_for(match: re.Match[str]) -> str:
        offset = int(match.group(2) or 0) * (-1 if match.group(1) == "-" else 1)
        window = (day - timedelta(days=1), day)
        hits = sorted({d.weekday() for d in window if d - timedelta(days=offset) in bank_holidays})
        return ",".join(_OSM_WEEKDAYS[weekday] for weekday in hits or [(day.weekday() + 3) % 7])

    parts = _COMMENT.split(expr)
    return "".join(part if n % 2 else _PH_TOKEN.sub(weekdays_for, part) for n, part in enumerate(parts))


@lru_cache(maxsize=512)
def _parsed(expr: str) -> OpeningHours:
    return OpeningHours(_library_form(expr))


def _library_form(expr: str) -> str:
    """The expression as opening_hours_py reads it: month-day lists spelt out ("Dec 25,26" -> "Dec 25,Dec 26")."""

    def spelt_out(match: re.Match[str]) -> str:
        month = match.group(1)
        days = [match.group(2), *(part.strip() for part in match.group(3).split(",") if part.strip())]
        return ",".join(f"{month} {day}" for day in days)

    parts = _COMMENT.split(expr)
    return "".join(part if n % 2 else _MONTH_DAY_LIST.sub(spelt_out, part) for n, part in enumerate(parts))


def _days_holidays_reach(expr: str, *, bank_holidays: frozenset[date]) -> set[date]:
    """Days whose hours a PH token can change: the holiday (shifted by the token's offset) and the day after,
    which its late hours can run into. The same arithmetic as _expression_for_day, run backwards."""
    offsets = {
        int(m.group(2) or 0) * (-1 if m.group(1) == "-" else 1)
        for n, part in enumerate(_COMMENT.split(expr))
        if not n % 2
        for m in _PH_TOKEN.finditer(part)
    }
    return {h + timedelta(days=offset + extra) for h in bank_holidays for offset in offsets for extra in (0, 1)}


def _intervals_of(rewritten: str, day: date) -> tuple[Segment, ...]:
    """One day of one PH-rewritten expression."""
    return _intervals_by_day(_parsed(rewritten), dates=[day])[day]


def _intervals_by_day(rules: OpeningHours, *, dates: list[date]) -> dict[date, tuple[Segment, ...]]:
    """Open and unknown runs per day, in wall-clock minutes, from one call to the library for the whole span.
    Unknown runs keep their comment; open runs drop it (the label has no room for it)."""
    first_midnight = datetime.combine(dates[0], time())  # wall clock: naive on purpose, never compared with instants
    end = datetime.combine(dates[-1], time()) + timedelta(days=1)
    # Minutes from the first midnight, in plain integers: this loop runs for every interval of a year
    # of every distinct expression (a national directory has thousands of them).
    base = dates[0].toordinal()
    found: list[list[Segment]] = [[] for _ in dates]
    for begin, stop, state, comment in rules.intervals(first_midnight, end):
        if state == State.CLOSED:
            continue
        kind = OPEN if state == State.OPEN else UNKNOWN
        note = (comment or "") if kind == UNKNOWN else ""
        at = (begin.toordinal() - base) * DAY_MINUTES + begin.hour * 60 + begin.minute
        until = (stop.toordinal() - base) * DAY_MINUTES + stop.hour * 60 + stop.minute
        while at < until:
            day, first = divmod(at, DAY_MINUTES)
            cut = min(until, (day + 1) * DAY_MINUTES)
            if 0 <= day < len(found):
                day_runs = found[day]
                if day_runs and day_runs[-1][1] == first and day_runs[-1][2:] == (kind, note):
                    first = day_runs.pop()[0]
                day_runs.append((first, cut - day * DAY_MINUTES, kind, note))
            at = cut
    return {day: tuple(runs) for day, runs in zip(dates, found, strict=True)}


def _usual_week(by_date: Mapping[date, tuple[Segment, ...]]) -> list[tuple[Segment, ...]]:
    """Each weekday's most common hours (ties: the first seen), from one pass over the days."""
    counts: list[Counter[tuple[Segment, ...]]] = [Counter() for _ in range(7)]
    for day, hours in by_date.items():
        counts[day.weekday()][hours] += 1
    return [c.most_common(1)[0][0] if c else () for c in counts]


def _encode_day(hours: tuple[Segment, ...]) -> DayHours:
    if hours == ((0, DAY_MINUTES, UNKNOWN, ""),):
        return UNKNOWN_MARK
    return [
        [first, last] if kind == OPEN else [first, last, UNKNOWN_MARK, note] if note else [first, last, UNKNOWN_MARK]
        for first, last, kind, note in hours
    ]


def _decode_day(value: DayHours) -> tuple[Segment, ...]:
    if value == UNKNOWN_MARK:
        return ((0, DAY_MINUTES, UNKNOWN, ""),)
    return tuple((item[0], item[1], UNKNOWN if len(item) > 2 else OPEN, item[3] if len(item) > 3 else "") for item in value)


def _covers(timetable: Mapping[str, Any], *, day: date) -> bool:
    return date.fromisoformat(timetable["from"]) <= day < date.fromisoformat(timetable["to"])


def _hours_on(timetable: Mapping[str, Any], *, day: date) -> tuple[Segment, ...]:
    value = timetable["days"].get(day.isoformat())
    if value is None:
        week = timetable["week"]
        value = week[day.weekday() % len(week)]
    return _decode_day(value)


def _segments_on(timetable: Mapping[str, Any], *, day: date) -> list[Segment]:
    """The whole day as (start, end, state, comment) runs, closed gaps filled in, like neighbours merged."""
    segments: list[Segment] = []
    cursor = 0
    for first, last, kind, note in sorted(_hours_on(timetable, day=day)):
        if first > cursor:
            _extend(segments, (cursor, first, CLOSED, ""))
        _extend(segments, (first, last, kind, note))
        cursor = last
    if cursor < DAY_MINUTES:
        _extend(segments, (cursor, DAY_MINUTES, CLOSED, ""))
    return segments


def _extend(segments: list[Segment], segment: Segment) -> None:
    if segments and segments[-1][2:] == segment[2:] and segments[-1][1] == segment[0]:
        segments[-1] = (segments[-1][0], segment[1], segment[2], segment[3])
    else:
        segments.append(segment)


def _segment_at(timetable: Mapping[str, Any], *, at: datetime) -> Segment | None:
    """The run in force at an instant, or None outside the timetable.

    Each wall-clock time stands for the first instant the clock shows it. So in October's repeated
    hour the second pass keeps the state the first pass ended with (a service open 01:30-04:00 stays
    open when the clocks go back to 01:00; one open 01:15-01:45 opens once), and in March a run wholly
    inside the skipped hour never happens.
    """
    local = at.astimezone(LONDON)
    if local.fold:  # the second pass of a repeated time: read the clock as it stood just before it went back
        change = _clock_change_on(local.date())
        if change is not None:
            local = (change - timedelta(microseconds=1)).astimezone(LONDON)
    day = local.date()
    if not _covers(timetable, day=day):
        return None
    minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1_000_000) / 60
    return next(segment for segment in _segments_on(timetable, day=day) if minute < segment[1])


def _next_change(timetable: Mapping[str, Any], *, now: datetime, state: str) -> tuple[datetime, str] | None:
    """The first instant after now at which the state differs from state, and that state; None within the timetable.

    On an ordinary day each wall-clock minute happens once, so the first later run of another state is
    the change. On a day the clocks change, the instant each run starts (the first time the clock shows
    it, or the jump in March) is tried in order and the state read there: runs wholly inside the skipped
    hour start and end at the same instant and never show.
    """
    day = now.astimezone(LONDON).date()
    while _covers(timetable, day=day):
        segments = _segments_on(timetable, day=day)
        if _clock_change_on(day) is None:
            for first, _last, kind, _comment in segments:
                if kind != state:
                    instant = _instant_at(day=day, minute=first)
                    if instant > now:
                        return instant, kind
        else:
            for instant in sorted({_instant_at(day=day, minute=segment[0]) for segment in segments}):
                if instant <= now:
                    continue
                found = _segment_at(timetable, at=instant)
                if found is None:
                    return None
                if found[2] != state:
                    return instant, found[2]
        day += timedelta(days=1)
    return None


def _instant_at(*, day: date, minute: int) -> datetime:
    """The first instant (UTC) at which the London wall clock reads this date and minute or later."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    for fold in (0, 1):  # fold 0 is the first of two readings when clocks go back
        instant = wall.replace(tzinfo=LONDON, fold=fold)
        if instant.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) == wall:
            return instant.astimezone(UTC)
    # The wall clock skips this reading when clocks go forward: find the minute it jumps past it.
    low = wall.replace(tzinfo=LONDON, fold=1).astimezone(UTC)
    high = wall.replace(tzinfo=LONDON, fold=0).astimezone(UTC)
    while high - low > timedelta(minutes=1):
        middle = low + timedelta(minutes=(high - low) // timedelta(minutes=2))
        if middle.astimezone(LONDON).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


def _clock_change_on(day: date) -> datetime | None:
    """The instant (UTC) the London clocks change on this date, or None on an ordinary day."""
    return _clock_changes_in(day.year).get(day)


@lru_cache(maxsize=16)
def _clock_changes_in(year: int) -> dict[date, datetime]:
    """The instants (UTC) the London clocks change in a year, by date: each found to the minute by halving."""
    found: dict[date, datetime] = {}
    day = date(year, 1, 1)
    while day.year == year:
        low = datetime.combine(day, time(), tzinfo=LONDON).astimezone(UTC)
        high = datetime.combine(day + timedelta(days=1), time(), tzinfo=LONDON).astimezone(UTC)
        before = low.astimezone(LONDON).utcoffset()
        if high.astimezone(LONDON).utcoffset() != before:
            while high - low > timedelta(minutes=1):
                middle = low + timedelta(minutes=(high - low) // timedelta(minutes=2))
                if middle.astimezone(LONDON).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found[day] = high
        day += timedelta(days=1)
    return found


def _when(*, today: date, day: date, minute: int) -> str:
    clock = _clock(minute)
    ahead = (day - today).days
    if ahead == 0:
        return clock
    if ahead == 1:
        return WHEN_MIDNIGHT if minute == 0 else WHEN_TOMORROW.format(clock=clock)
    name = WEEKDAY_NAMES[day.weekday()]
    if ahead < 7:
        return WHEN_THIS_WEEK.format(weekday=name, clock=clock)
    return WHEN_LATER.format(weekday=name, day=day.day, month=MONTH_NAMES[day.month - 1], clock=clock)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _describe_day(hours: list[tuple[int, int, str]]) -> str:
    if not hours:
        return CLOSED_LABEL
    if hours == [(0, DAY_MINUTES, OPEN)]:
        return OPEN_ALL_DAY_LABEL
    if hours == [(0, DAY_MINUTES, UNKNOWN)]:
        return UNKNOWN_DAY_LABEL
    parts = []
    for first, last, kind in hours:
        span = SPAN.format(start=_clock(first), end=_clock(last - DAY_MINUTES if last > DAY_MINUTES else last))
        parts.append(span if kind == OPEN else UNCONFIRMED_SPAN.format(span=span))
    return SPAN_SEPARATOR.join(parts)


@dataclass(frozen=True)
class CompiledHours:
    """One expression compiled for the directory's window: the timetable (JSON and parsed), its week rows and bank-holiday text.

    Shared by the cards and every export; treat the parsed timetable as read-only.
    """

    json: str
    timetable: Mapping[str, Any]
    week: list[tuple[str, str]]
    bank_holidays: str | None


def compiled_hours(hours: str, *, start: date) -> CompiledHours:
    """Worked out once per distinct expression and build date: a national directory has thousands, each ~1 KB."""
    key = (hours, start)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = _compile_one(hours, start=start)
    return found


def compile_all(expressions: Iterable[str], *, start: date) -> int:
    """Compile every expression not compiled yet, and say how many that was; past PARALLEL_FROM, half in another process.

    Each takes a couple of milliseconds in the opening-hours library, all of them independent: at
    10,000 services (~3,000 distinct expressions) the second core halves a few seconds of the build.
    """
    todo = sorted({h for h in expressions if (h, start) not in _COMPILED})
    if len(_COMPILED) + len(todo) > _COMPILED_MAX:
        _COMPILED.clear()
    if len(todo) >= PARALLEL_FROM:
        other = Job(_compile_many, todo[1::2], start=start)
        mine = _compile_many(todo[0::2], start=start)
        results = dict(zip(todo[0::2], mine, strict=True)) | dict(zip(todo[1::2], other.result(), strict=True))
    else:
        results = dict(zip(todo, _compile_many(todo, start=start), strict=True))
    for hours, compiled in results.items():
        _COMPILED[hours, start] = compiled
    return len(todo)


def _compile_one(hours: str, *, start: date) -> CompiledHours:
    text = timetable_json(hours, start=start, days=TIMETABLE_DAYS)
    timetable = json.loads(text)
    return CompiledHours(json=text, timetable=timetable, week=week_rows(timetable, hours=hours), bank_holidays=bank_holiday_hours(timetable, hours=hours))


def _compile_many(expressions: list[str], *, start: date) -> list[CompiledHours]:
    return [_compile_one(h, start=start) for h in expressions]


_COMPILED: dict[tuple[str, date], CompiledHours] = {}
_COMPILED_MAX = 65_536  # mkdocs serve keeps the process: start again rather than grow without end


def week_rows(timetable: Mapping[str, Any], *, hours: str) -> list[tuple[str, str]]:
    """The usual week with runs of equal days joined ("Monday to Friday"), then bank holidays if the hours name them."""
    rows = weekly_summary(timetable)
    grouped: list[tuple[int, int, str]] = []
    for index, (_day, text) in enumerate(rows):
        if grouped and grouped[-1][2] == text:
            grouped[-1] = (grouped[-1][0], index, text)
        else:
            grouped.append((index, index, text))
    if len(grouped) == 1:
        out = [("Every day", grouped[0][2])]
    else:
        out = [(_day_range(first, last), text) for first, last, text in grouped]
    holiday_text = bank_holiday_hours(timetable, hours=hours)
    if holiday_text:
        out.append(("Bank holidays", holiday_text))
    return out


def bank_holiday_hours(timetable: Mapping[str, Any], *, hours: str) -> str | None:
    """How the hours treat bank holidays in the timetable's window, when the expression mentions PH."""
    if "PH" not in hours:
        return None
    first = date.fromisoformat(timetable["from"])
    last = date.fromordinal(date.fromisoformat(timetable["to"]).toordinal() - 1)
    week = timetable["week"]
    texts = set()
    for day in england_bank_holidays(first=first, last=last):
        value = timetable["days"].get(day.isoformat(), week[day.weekday() % len(week)])
        texts.add(weekly_summary({"week": [value]})[0][1])
    if not texts:
        return None
    return texts.pop() if len(texts) == 1 else "Hours vary; check before calling"


def _day_range(first: int, last: int) -> str:
    if first == last:
        return WEEKDAY_NAMES[first]
    joiner = " and " if last == first + 1 else " to "
    return f"{WEEKDAY_NAMES[first]}{joiner}{WEEKDAY_NAMES[last]}"
