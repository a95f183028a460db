"""The constants the browser's scripts share with Python, written by the build as one small script.

open-now.js, directory.js, finder.js, search.js and print.js say the same things the Python core
says: the open-now states and labels, the weekday and month names, the London clock, the age of the
hours and its thresholds (mkdocs.yml extra.hours_stale_months and extra.hours_very_stale_months).
Python holds the one copy; ``constants_script`` turns it into ``assets/javascripts/site-constants.js``,
which sets one deeply frozen global, ``window.DAPG``. A script file, not JSON to fetch, so it works
from file:// (the offline copy) and under the site's Content-Security-Policy (external scripts only).
mkdocs.yml lists it in extra_javascript before open-now.js; the scripts that read it are deferred
after it, so it has run by the time they do. search.js runs earlier (it is not deferred) and reads
it only once the page has been read (see its ``settled``).

Labels are templates with named {placeholders}; the scripts fill them in as ``str.format`` does here.
"""

from __future__ import annotations

import json
from typing import Any

from sitedata.constants import MONTH_NAMES, TIMEZONE, WEEKDAY_NAMES
from sitedata.data import hours, provenance
from sitedata.data.provenance import HoursAge

SITE_PATH = "assets/javascripts/site-constants.js"
GLOBAL_NAME = "DAPG"

# Freezes the object and everything in it, so no script can change a constant for the others.
_FREEZE = "function freeze(o){Object.keys(o).forEach(function(k){if(o[k]&&typeof o[k]==='object')freeze(o[k]);});return Object.freeze(o);}"


def browser_constants(*, hours_age: HoursAge) -> dict[str, Any]:
    """The values window.DAPG holds, from the Python constants and the build's hours-age policy."""
    return {
        "timeZone": TIMEZONE,
        "weekdays": list(WEEKDAY_NAMES),
        "months": list(MONTH_NAMES),
        "hours": {
            "version": hours.TIMETABLE_VERSION,
            "dayMinutes": hours.DAY_MINUTES,
            "unknownMark": hours.UNKNOWN_MARK,
            "open": hours.OPEN,
            "closed": hours.CLOSED,
            "unknown": hours.UNKNOWN,
            "labels": {
                "expired": hours.EXPIRED_LABEL,
                "allDay": hours.OPEN_ALL_DAY_LABEL,
                "closed": hours.CLOSED_LABEL,
                "unknownToday": hours.UNKNOWN_TODAY_LABEL,
                "closes": hours.CLOSES_LABEL,
                "unknownUntil": hours.UNKNOWN_UNTIL_LABEL,
                "opens": hours.OPENS_LABEL,
                "unknownFrom": hours.UNKNOWN_FROM_LABEL,
                "comment": hours.COMMENT_SUFFIX,
                "midnight": hours.WHEN_MIDNIGHT,
                "tomorrow": hours.WHEN_TOMORROW,
                "thisWeek": hours.WHEN_THIS_WEEK,
                "later": hours.WHEN_LATER,
                "unknownDay": hours.UNKNOWN_DAY_LABEL,
                "span": hours.SPAN,
                "unconfirmedSpan": hours.UNCONFIRMED_SPAN,
                "spanSeparator": hours.SPAN_SEPARATOR,
            },
        },
        "age": {
            "confirmed": provenance.CONFIRMED,
            "stale": provenance.STALE,
            "veryStale": provenance.VERY_STALE,
            "staleMonths": hours_age.stale_months,
            "veryStaleMonths": hours_age.very_stale_months,
            "checkPrefix": provenance.CHECK_PREFIX,
            "staleLabel": provenance.STALE_LABEL,
        },
    }


def constants_script(*, hours_age: HoursAge) -> str:
    """The text of site-constants.js: window.DAPG, frozen, as an object literal (JSON, ASCII only)."""
    literal = json.dumps(browser_constants(hours_age=hours_age), ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return (
        "/* Made by the build: hooks/sitedata/views/browser_constants.py */\n"
        f"window.{GLOBAL_NAME}=({_FREEZE})({literal});\n"
    )
