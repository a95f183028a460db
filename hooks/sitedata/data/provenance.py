"""Provenance of a service's details: when its hours were last confirmed, and how old that makes them.

Three dates are kept apart (CONTRIBUTING.md, "Verifying a service"):

- the source's publication date (data/sources.yaml ``published``);
- ``last_reviewed``: when an editor read the entry against its source;
- ``verified``: when someone confirmed the details with the service itself, or on its own current
  web page, and how. Absent means never verified.

The hours on a card date from ``verified.date`` when the service is verified, otherwise from the
publication date of its main (first) source. Their age is judged in the browser against the
device's clock (open-now.js ``hoursAge``); ``hours_age`` here is the same rule in Python, the
reference the tests hold the script to. The thresholds are ``extra.hours_stale_months`` and
``extra.hours_very_stale_months`` in mkdocs.yml (docs/about.md says why they are what they are).
The script reads the thresholds, the ages and the wording below from the script the build writes
(sitedata.views.browser_constants); a card carries only its own date and note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sitedata.data.hours import UNKNOWN
from sitedata.text import month_year

STALE_MONTHS_DEFAULT = 12
VERY_STALE_MONTHS_DEFAULT = 24

# The label of hours too old to judge is CHECK_PREFIX and the card's note; stale hours keep their label, with the note after it.
CHECK_PREFIX = "Check before you rely on this: "
STALE_LABEL = "{label} ({note})"

CONFIRMED = "confirmed"
STALE = "stale"
VERY_STALE = "very-stale"


@dataclass(frozen=True)
class HoursAge:
    """The two thresholds, in whole months since the hours were published or confirmed."""

    stale_months: int = STALE_MONTHS_DEFAULT
    very_stale_months: int = VERY_STALE_MONTHS_DEFAULT


def months_since(since: date, *, today: date) -> int:
    """Whole calendar months from `since` to `today` (a month counts once its day of the month is reached)."""
    return (today.year - since.year) * 12 + (today.month - since.month) - (1 if today.day < since.day else 0)


def hours_age(*, since: date, today: date, policy: HoursAge) -> str:
    """'confirmed', 'stale' or 'very-stale': how long the hours have gone unconfirmed, against the policy."""
    months = months_since(since, today=today)
    if months >= policy.very_stale_months:
        return VERY_STALE
    if months >= policy.stale_months:
        return STALE
    return CONFIRMED


def aged_state(*, state: str, label: str, age: str, note: str) -> tuple[str, str]:
    """The state and label a card shows once the age of its hours is applied (open-now.js withHoursAge does the same)."""
    if age == STALE:
        return state, STALE_LABEL.format(label=label, note=note)
    if age == VERY_STALE:
        return UNKNOWN, CHECK_PREFIX + note
    return state, label


def hours_since(service: Mapping[str, Any], *, sources: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    """The date the hours date from (ISO, first day of a month or year when the source is that coarse) and its wording.

    The wording goes into the open-now label: 'hours as published April 2020, not confirmed since' or
    'hours confirmed with the service 3 March 2026, not since'.
    """
    verified = service.get("verified")
    if verified:
        when = date.fromisoformat(verified["date"])
        return when.isoformat(), f"hours confirmed with the service {month_year(verified['date'])}, not since"
    source = sources[service["sources"][0]["id"]]
    published = source.get("published")
    if not published:
        read = source["accessed"]
        return read, f"hours from an undated page read {month_year(read[:7])}, not confirmed with the service"
    parts = [*published.split("-"), "01", "01"][:3]
    return "-".join(parts), f"hours as published {month_year(published)}, not confirmed since"


def service_provenance(service: Mapping[str, Any], *, sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """What a card needs to show and judge its provenance: the data-* attribute values and the note.

    The thresholds and the wording are the same for every card: the browser has them from the build's constants script."""
    since, note = hours_since(service, sources=sources)
    verified = service.get("verified") or {}
    return {"verified_date": verified.get("date", ""), "hours_since": since, "hours_note": note}
